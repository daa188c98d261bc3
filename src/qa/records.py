"""Records passed between pipeline stages.

ingest -> Document; segment -> Chunk; figures -> Figure; answer -> Answer(Citation).
Every span (`start`, `end`) is a character offset into `Document.text`, the report's
decoded text, so `doc.text[start:end]` is exactly what is cited.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Document:
    """One report, decoded. `name` is the file name without extension."""

    name: str
    text: str
    path: str = ""
    sha256: str = ""
    title: str = ""
    region: str = ""
    years: list[int] = field(default_factory=list)
    kind: str = ""  # budget_report | final_accounts | work_report | gov_work_report | fiscal_release | other
    encoding: str = "utf-8"
    # whose report it is (metadata.py): 全国 / 省 / 市 / 州 / 县 / 区 / 旗, the units above it, and how sure
    level: str = ""
    parents: list[str] = field(default_factory=list)
    execution_year: int | None = None
    budget_year: int | None = None
    confidence: float = 0.0
    reason: str = ""

    def meta(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text")
        return d


@dataclass
class Section:
    """A heading and the span of text it governs. `path` is the chain of headings above it."""

    level: int  # 0 title, 1 一、, 2 （一）, 3 1、/1．, 4 （1）, 5 一是…
    heading: str
    start: int  # start of the heading line
    end: int  # end of the section body
    path: tuple[str, ...] = ()


@dataclass
class Chunk:
    """A passage: one idea, a few sentences inside one section."""

    doc: str
    chunk_id: int  # position within its document
    start: int
    end: int
    text: str
    section: str  # section path joined with " > "

    @property
    def key(self) -> str:
        return f"{self.doc}#{self.chunk_id}"


@dataclass
class Figure:
    """One number stated in a report, with what it measures.

    `start:end` spans the number and its unit; `sent_start:sent_end` the sentence (clause
    group) it is stated in. `value` is the number as written (qualifiers stripped), in `unit`.
    A change stated with the figure (同比增长N%) is carried in change_*; a change stated
    on its own (增长5%) is a row with measure "change" whose value is the change magnitude.
    """

    doc: str
    item: str
    value: Decimal
    value_text: str
    unit: str
    measure: str  # amount | rate | count | standard | ratio | change
    start: int
    end: int
    sent_start: int
    sent_end: int
    section: str = ""
    direction: str | None = None  # 增长 | 下降 | 增加 | 减少 | 持平
    change_value: Decimal | None = None
    change_unit: str | None = None  # % | 个百分点 | 亿元 …
    change_start: int | None = None
    change_end: int | None = None
    period: str = ""  # 2023年1-9月, 全年, 上半年 …
    year: int | None = None
    status: str = ""  # 执行 | 预算 | 预计 | 决算 | 计划 | ""
    scope: str = ""  # 全县 | 全市 | 市本级 | 全州 | 州本级 …
    parent: str = ""  # for 其中… structures
    qualifier: str = ""  # 近 | 约 | 超 | 逾 …
    rules: list[str] = field(default_factory=list)  # names of the extraction rules that made the row

    def row(self) -> dict[str, Any]:
        """Flat, JSON/CSV-friendly view (Decimals as strings)."""
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, Decimal):
                d[k] = format(v, "f")
        return d


@dataclass
class Citation:
    doc: str
    start: int
    end: int
    text: str
    section: str


@dataclass
class Answer:
    """The answer record of the CLI/app contract (issue 2). Keep field names stable."""

    question: str
    status: str = "answered"  # answered | abstained
    kind: str = "passage"  # figure | comparison | calculation | passage | none
    answer: str = ""
    value: float | None = None
    unit: str | None = None
    direction: str | None = None
    entity: str | None = None
    citations: list[Citation] = field(default_factory=list)
    elapsed_ms: float = 0.0
    id: Any = None
    # why this answer (route, candidate rows and scores, excluded rows, operation): shown on
    # request (qa ask --explain, the app's panel), never part of to_dict's stable record
    trace: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "status": self.status,
            "kind": self.kind,
            "answer": self.answer,
            "value": self.value,
            "unit": self.unit,
            "direction": self.direction,
            "entity": self.entity,
            "citations": [asdict(c) for c in self.citations],
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
