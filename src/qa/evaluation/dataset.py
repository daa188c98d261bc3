"""Question sets: load JSON lines, validate them against the reports, locate gold evidence.

One line per question (issue 4):

    {"id": "q001", "doc": "<report file name without extension>", "question": "...",
     "type": "lookup|change|superlative|compare|arithmetic|descriptive|unanswerable|english",
     "answer_value": "5.14" | null, "answer_unit": "亿元" | null, "answer_text": "...",
     "answer_entity": "..." | null, "evidence": "verbatim substring" | ["piece", "piece"],
     "difficulty": "easy|medium|hard"}

Evidence is located with `str.find` in the report's decoded text; every occurrence of a piece
counts (a sentence repeated in a report is equally good evidence wherever it is cited).
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

TYPES = ("lookup", "change", "superlative", "compare", "arithmetic", "descriptive", "unanswerable", "english")
# Types whose gold value is computed rather than read off the report: rounding tolerance applies.
COMPUTED_TYPES = ("arithmetic",)

Span = tuple[str, int, int]  # (doc, start, end) into the report's decoded text


class QuestionSetError(ValueError):
    """A question set that cannot be read; the message names the file and line."""


@dataclass
class Question:
    id: str
    doc: str
    question: str
    type: str
    answer_value: str | None = None
    answer_unit: str | None = None
    answer_text: str | None = None
    answer_entity: str | None = None
    evidence: list[str] = field(default_factory=list)
    difficulty: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # any other fields, kept for the report

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def computed(self) -> bool:
        return self.type in COMPUTED_TYPES

    def gold(self) -> dict[str, Any]:
        """The gold fields, as shown in failure lists."""
        return {"value": self.answer_value, "unit": self.answer_unit, "text": self.answer_text,
                "entity": self.answer_entity, "evidence": self.evidence}


_KNOWN = {"id", "doc", "question", "type", "answer_value", "answer_unit", "answer_text", "answer_entity",
          "evidence", "difficulty"}


def _as_str(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def question_from_row(row: Mapping[str, Any], where: str = "") -> Question:
    """One parsed JSON object -> Question. Raises QuestionSetError on a missing/ill-typed field."""
    if not isinstance(row, Mapping):
        raise QuestionSetError(f"{where}: expected a JSON object")
    for key in ("id", "question", "type"):
        if row.get(key) in (None, ""):
            raise QuestionSetError(f"{where}: missing '{key}'")
    ev = row.get("evidence")
    if ev is None:
        pieces: list[str] = []
    elif isinstance(ev, str):
        pieces = [ev] if ev else []
    elif isinstance(ev, list) and all(isinstance(p, str) for p in ev):
        pieces = [p for p in ev if p]
    else:
        raise QuestionSetError(f"{where}: 'evidence' must be a string or a list of strings")
    return Question(
        id=str(row["id"]), doc=str(row.get("doc") or ""), question=str(row["question"]),
        type=str(row["type"]).strip().lower(),
        answer_value=_as_str(row.get("answer_value")), answer_unit=_as_str(row.get("answer_unit")),
        answer_text=_as_str(row.get("answer_text")), answer_entity=_as_str(row.get("answer_entity")),
        evidence=pieces, difficulty=_as_str(row.get("difficulty")),
        extra={k: v for k, v in row.items() if k not in _KNOWN},
    )


def load_question_set(path: str | Path) -> list[Question]:
    """Read a JSON-lines question set (UTF-8, BOM allowed; blank lines skipped).

    Raises QuestionSetError naming the file and line for unreadable input.
    """
    p = Path(path)
    if not p.is_file():
        raise QuestionSetError(f"question set not found: {path}")
    out = []
    for n, line in enumerate(p.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            raise QuestionSetError(f"{p.name} line {n}: not valid JSON ({e})") from None
        out.append(question_from_row(row, f"{p.name} line {n}"))
    if not out:
        raise QuestionSetError(f"{p.name}: no questions")
    return out


def locate_evidence(q: Question, text: str) -> list[list[Span]]:
    """Gold spans: one group per evidence piece, each group every occurrence of the piece.

    A group is empty when its piece is not in `text` (a dataset error; see validate_set).
    """
    groups = []
    for piece in q.evidence:
        spans, at = [], text.find(piece)
        while at >= 0:
            spans.append((q.doc, at, at + len(piece)))
            at = text.find(piece, at + 1)
        groups.append(spans)
    return groups


def _value_written(value: str, evidence: str) -> bool:
    # "1,234.5" in the text may be given as "1234.5" in the set, and vice versa; reports that
    # write full-width digits and separators (1，234．5) are read as NFKC folds them
    value, evidence = unicodedata.normalize("NFKC", value), unicodedata.normalize("NFKC", evidence)
    return value in evidence or value.replace(",", "") in evidence.replace(",", "")


def validate_set(questions: list[Question], texts: Mapping[str, str]) -> dict[str, list[str]]:
    """Problems per question id (empty dict = a valid set).

    `texts` maps report name -> decoded text. Checks: ids unique, type known, report known,
    evidence present and verbatim, the value written inside the evidence (except computed
    types), answerable questions carry an answer and unanswerable ones a null value.
    """
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for q in questions:
        bad = problems.setdefault(q.id, [])
        if q.id in seen:
            bad.append("duplicate id")
        seen.add(q.id)
        if q.type not in TYPES:
            bad.append(f"unknown type '{q.type}'")
        if q.doc not in texts:
            bad.append(f"report '{q.doc}' is not in the corpus")
            continue
        text = texts[q.doc]
        if q.type == "unanswerable":
            if q.answer_value is not None:
                bad.append("unanswerable question with an answer_value")
            continue
        if not q.evidence:
            bad.append("no evidence")
        for piece, group in zip(q.evidence, locate_evidence(q, text)):
            if not group:
                bad.append(f"evidence not verbatim in the report: {piece[:40]!r}")
        if q.type in ("descriptive",):
            continue
        if q.answer_value is None and q.answer_entity is None:
            bad.append("answerable question without answer_value or answer_entity")
        if q.answer_value is not None and not q.computed and q.evidence \
                and not any(_value_written(q.answer_value, e) for e in q.evidence):
            bad.append(f"answer_value {q.answer_value!r} not written in the evidence")
    return {k: v for k, v in problems.items() if v}


def read_report_texts(corpus_dir: str | Path, names: set[str] | None = None) -> dict[str, str]:
    """Decoded texts of the reports in a folder (via qa.ingest, so offsets match the index)."""
    from ..ingest import discover, read_document

    out = {}
    for p in discover(Path(corpus_dir)):
        if names is None or p.stem in names:
            out[p.stem] = read_document(p).text
    return out
