"""The specification corpus of the question parser (tests/corpus/questions/*.yaml, one file per
dimension: type, period, scope, status, years, attribute, change, English, everyday wording, places)
run as tests: each example is a question and the fields of the parsed Query it is about.

An example lists `q` and only the Query fields it asserts (compared exactly; lists in order), plus
`norm_has`: words the question's report wording (Query.norm) must hold. A file's `regions` are the
places of the reports indexed beside it: their names (every alias the router derives from the
division dataset: 湛江, 湛江市, zhanjiang …) are passed to parse_question as the engine passes them.
"""
from __future__ import annotations

from dataclasses import fields
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from qa.question import Query, parse_question
from qa.records import Document
from qa.route import Router

CORPUS = Path(__file__).resolve().parent / "corpus" / "questions"
MIN_QUESTION_EXAMPLES = 150
QUERY_FIELDS = {f.name for f in fields(Query)} - {"text"}
EXTRA_KEYS = {"q", "note", "norm_has"}


def load(key: str = "examples") -> list[tuple[str, dict, tuple[str, ...]]]:
    """(id, example, regions) of every example (key='examples') or known gap (key='gaps'),
    id = file:index."""
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        regions = tuple(doc.get("regions") or ())
        for i, ex in enumerate(doc.get(key) or []):
            out.append((f"{path.stem}:{i}", ex, regions))
    return out


@lru_cache(maxsize=None)
def aliases(regions: tuple[str, ...]) -> dict[str, str]:
    """Every name a question may use for the given places, as the engine's router derives them
    (reports are invented: only their place matters here)."""
    docs = {f"r{i}": Document(name=f"r{i}", text="", region=r) for i, r in enumerate(regions)}
    return Router(docs).aliases


def mismatch(ex: dict, regions: tuple[str, ...]) -> str:
    """'' when the parse has every asserted field, else what differs."""
    q = parse_question(ex["q"], aliases(regions) if regions else None)
    lines = []
    for key, want in ex.items():
        if key in ("q", "note"):
            continue
        if key == "norm_has":
            missing = [w for w in want if w not in q.norm]
            if missing:
                lines.append(f"norm {q.norm!r} lacks {missing}")
            continue
        if key not in QUERY_FIELDS:
            lines.append(f"{key}: not a Query field")
            continue
        got = getattr(q, key)
        if got != want:
            lines.append(f"{key}: expected {want!r}, parsed {got!r}")
    return "\n".join(lines)


EXAMPLES = load()
GAPS = load("gaps")  # parsed wrongly today: the fields the parser should read


@pytest.mark.parametrize("ex,regions", [(e, r) for _, e, r in EXAMPLES], ids=[i for i, _, _ in EXAMPLES])
def test_question_example(ex, regions):
    problem = mismatch(ex, regions)
    assert not problem, f"{ex['q']}\n{problem}"


@pytest.mark.parametrize("ex,regions", [pytest.param(e, r, marks=pytest.mark.xfail(strict=True, reason=e["why"]))
                                        for _, e, r in GAPS], ids=[i for i, _, _ in GAPS])
def test_known_gap(ex, regions):
    """Fails today (xfail); passing means the gap is closed: move the example into its dimension."""
    problem = mismatch({k: v for k, v in ex.items() if k != "why"}, regions)
    assert not problem, f"{ex['q']}\n{problem}"


def test_examples_name_only_query_fields():
    """A misspelt field would otherwise be an assertion that never runs."""
    every = EXAMPLES + GAPS
    bad = [(i, k) for i, ex, _ in every for k in ex if k not in QUERY_FIELDS | EXTRA_KEYS | {"why"}]
    assert not bad, f"unknown keys (not Query fields): {bad}"
    empty = [i for i, ex, _ in every if not set(ex) - {"q", "note", "why"}]
    assert not empty, f"examples asserting nothing: {empty}"


def test_corpus_keeps_its_size():
    assert len(EXAMPLES) >= MIN_QUESTION_EXAMPLES, len(EXAMPLES)
