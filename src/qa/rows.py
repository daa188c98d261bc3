"""Figure rows as retrievable records.

Every extracted figure row gets a short description — its item, the clause it stands in, the
topic of its section, its period/scope/status — indexed lexically (bm25s over the project's
jieba tokens) and densely (the index's sentence embedder, FAISS inner product). A question's
asked item then retrieves candidate rows directly: an everyday or English paraphrase meets the
report's wording through the embedding rather than only through a synonym list, and the cost of
a question does not grow with the number of rows (a bounded number of candidates is scored).

Built once per index generation (`write_rows`, called by index.py) and loaded with it
(`load_rows`). Vectors come from an embedding cache of their own, so rebuilds are cheap.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .records import Document, Figure

ROWS_DIR = "rows"
# sections are numbered 一、/（一）/1、/（1）; the numbering says nothing about the topic
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])\s*")
_DIGITS = re.compile(r"[\d.．,，]+(?:万亿|亿|万)?(?:元|%|个百分点)?")


def section_topic(section: str) -> str:
    """The last heading of a section path, without its numbering (the row's topic)."""
    last = section.split(" > ")[-1] if section else ""
    return _NUMBERING.sub("", last).strip()[:40]


def row_clauses(documents: dict[str, Document], figures: list[Figure]) -> list[str]:
    """The clause each row stands in (numbers blanked), as the matcher reads it."""
    from .matching import clause_contexts
    return clause_contexts(SimpleNamespace(figures=figures, documents=documents))


def describe_row(f: Figure, clause: str) -> str:
    """What a row is about, in the report's words: item, clause, section topic, period/scope/status."""
    tags = " ".join(x for x in (f"{f.year}年" if f.year else "", f.period, f.scope, f.status) if x)
    clause = re.sub(r"\s+", " ", clause).strip()[:80]
    parent = f"{f.parent} " if f.parent else ""
    return f"{parent}{f.item}：{clause}（{section_topic(f.section)}）{tags}".strip()


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def write_rows(folder: Path, embedder, documents: dict[str, Document], figures: list[Figure],
               cache_dir: Path | None) -> None:
    """Write the row index into `folder/rows/`: descriptions' and items' vectors, BM25 of descriptions."""
    import bm25s

    from .index import EmbeddingCache
    from .tokenizer import tokenize

    out = folder / ROWS_DIR
    out.mkdir(parents=True, exist_ok=True)
    clauses = row_clauses(documents, figures)
    descs = [describe_row(f, c) for f, c in zip(figures, clauses)]
    items = sorted({f.item for f in figures})
    cache = EmbeddingCache((cache_dir or folder) / ROWS_DIR, getattr(embedder, "cache_key", embedder.name))
    vectors = _embed(cache, embedder, descs)
    item_vectors = _embed(cache, embedder, [f"{t}" for t in items])
    np.save(out / "desc_vectors.npy", vectors)
    np.save(out / "item_vectors.npy", item_vectors)
    (out / "items.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    bm25 = bm25s.BM25()
    bm25.index([tokenize(d) or [""] for d in descs] or [[""]], show_progress=False)
    bm25.save(str(out / "bm25"))


def _embed(cache, embedder, texts: list[str]) -> np.ndarray:
    keys = [_key(t) for t in texts]
    found = cache.get(keys)
    missing = sorted({k: i for i, k in reversed(list(enumerate(keys))) if k not in found}.values())
    if missing:
        new = embedder.encode_passages([texts[i] for i in missing], batch_size=64)
        cache.put([keys[i] for i in missing], new)
        for j, i in enumerate(missing):
            found[keys[i]] = new[j]
    if not keys:
        return np.zeros((0, embedder.dim), np.float32)
    return np.ascontiguousarray(np.stack([found[k] for k in keys]), dtype=np.float32)


@dataclass
class RowHit:
    row: int  # position in Index.figures
    bm25_rank: int | None  # 0-based, None when not retrieved that way
    dense_rank: int | None
    bm25_score: float
    dense_sim: float  # description vs asked item
    item_sim: float  # the row's item vs asked item


class RowIndex:
    """Candidate rows for an asked item: BM25 and dense retrieval over row descriptions."""

    def __init__(self, figures: list[Figure], clauses: list[str], desc_vectors: np.ndarray,
                 item_vectors: np.ndarray, items: list[str], bm25):
        import faiss

        self.figures = figures
        self.clauses = clauses
        self.desc_vectors = desc_vectors
        self.dense = faiss.IndexFlatIP(desc_vectors.shape[1])
        if len(desc_vectors):
            self.dense.add(desc_vectors)
        self.item_pos = {t: i for i, t in enumerate(items)}
        self.item_vectors = item_vectors
        self.row_item = np.array([self.item_pos.get(f.item, -1) for f in figures], dtype=np.int64)
        self.bm25 = bm25
        doc_names = sorted({f.doc for f in figures})
        self.doc_pos = {d: i for i, d in enumerate(doc_names)}
        self.row_doc = np.array([self.doc_pos[f.doc] for f in figures], dtype=np.int32)

    def search(self, query_tokens: list[str], query_vector: np.ndarray, docs: list[str] | None = None,
               depth: int = 40) -> list[RowHit]:
        """Rows among the best `depth` of either ranking (restricted to `docs`), with their signals."""
        import faiss

        n = len(self.figures)
        if n == 0:
            return []
        mask = None
        if docs:
            wanted = [self.doc_pos[d] for d in docs if d in self.doc_pos]
            mask = np.isin(self.row_doc, wanted)
            if not mask.any():
                return []
        lexical: list[int] = []
        scores = np.zeros(n)
        if query_tokens:
            scores = np.asarray(self.bm25.get_scores(query_tokens), dtype=np.float64)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            order = np.argsort(-scores, kind="stable")[:depth]
            lexical = [int(i) for i in order if scores[i] > 0]
        q = np.asarray(query_vector, dtype=np.float32).reshape(1, -1)
        params = None
        if mask is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64)))
        _, idx = self.dense.search(q, min(depth, n), params=params)
        dense = [int(i) for i in idx[0] if i >= 0]
        b_rank = {r: k for k, r in enumerate(lexical)}
        d_rank = {r: k for k, r in enumerate(dense)}
        ids = list(dict.fromkeys(lexical + dense))
        return [self.hit(r, q, b_rank.get(r), d_rank.get(r), float(scores[r])) for r in ids]

    def hit(self, r: int, q: np.ndarray, b_rank: int | None = None, d_rank: int | None = None,
            b_score: float = 0.0) -> RowHit:
        """The signals of one row (also for rows found by the lexical matcher, not retrieved here)."""
        q = np.asarray(q, dtype=np.float32).reshape(-1)
        dsim = float(self.desc_vectors[r] @ q)
        it = self.row_item[r]
        isim = float(self.item_vectors[it] @ q) if it >= 0 else dsim
        return RowHit(r, b_rank, d_rank, b_score, dsim, isim)


def load_rows(gen: Path, documents: dict[str, Document], figures: list[Figure]) -> RowIndex | None:
    """The row index of a generation, or None for one written before rows were indexed."""
    import bm25s

    folder = gen / ROWS_DIR
    if not (folder / "desc_vectors.npy").is_file():
        return None
    desc = np.load(folder / "desc_vectors.npy")
    item_vectors = np.load(folder / "item_vectors.npy")
    items = json.loads((folder / "items.json").read_text(encoding="utf-8"))
    if len(desc) != len(figures) or len(items) != len(item_vectors):
        return None
    bm25 = bm25s.BM25.load(str(folder / "bm25"))
    return RowIndex(figures, row_clauses(documents, figures), desc, item_vectors, items, bm25)
