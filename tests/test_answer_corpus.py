"""The specification corpus of the answerer (tests/corpus/answers/*.yaml) run as tests: each file is
an invented mini-report (report style, invented figures, a real place so questions route by its name)
and questions with the answer they must get — status, kind, value, unit, entity, direction — or an
abstention when the question asks for something just beside what the report says (another year,
period, scope, status or item). All reports are indexed together once, so every question must also
be routed to its own report. Nothing in src/ knows these reports.

`gaps` of a file are questions answered wrongly today, with the answer they should get: they run as
strict xfail, so a fix that closes one is told to move it into `examples`.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "corpus" / "answers"
MIN_ANSWER_EXAMPLES = 40
CHECKED = ("status", "kind", "value", "unit", "entity", "direction")


def _files() -> list[tuple[Path, dict]]:
    return [(p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(CORPUS.glob("*.yaml"))]


def load(key: str) -> list[tuple[str, dict]]:
    """(id, example) of every example (key='examples') or known gap (key='gaps'), id = file:index."""
    return [(f"{p.stem}:{i}", ex) for p, doc in _files() for i, ex in enumerate(doc.get(key) or [])]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    """One index of every mini-report of the corpus."""
    from qa.config import Settings
    from qa.engine import Engine

    base = tmp_path_factory.mktemp("answer-corpus")
    corpus = base / "corpus"
    corpus.mkdir()
    for _, doc in _files():
        (corpus / doc["report"]["file"]).write_text(doc["report"]["text"], encoding="utf-8")
    return Engine.open(Settings.from_args(corpus=corpus, index=base / "index"), embedder=embedder)


def mismatch(engine, ex: dict) -> str:
    """'' when the answer has every asserted field, else what differs (with the answer's text)."""
    rec = engine.ask(ex["q"]).to_dict()
    docs = engine.index.documents
    lines = [f"citation {c['doc']}:{c['start']}-{c['end']} is not the report's text"
             for c in rec["citations"] if docs[c["doc"]].text[c["start"]:c["end"]] != c["text"]]
    for key in CHECKED:
        if key not in ex:
            continue
        want, got = ex[key], rec[key]
        if key == "value" and want is not None:
            same = got is not None and abs(got - want) <= 0.01
        else:
            same = got == want
        if not same:
            lines.append(f"{key}: expected {want!r}, answered {got!r}")
    for words in ex.get("answer_has", []):
        if words not in rec["answer"]:
            lines.append(f"answer lacks {words!r}")
    if "answer_starts" in ex and not rec["answer"].startswith(ex["answer_starts"]):
        lines.append(f"answer does not start with {ex['answer_starts']!r}")
    if ex.get("status") == "answered" and not rec["citations"]:
        lines.append("an answer without a citation")
    return "\n".join(lines) + (f"\nanswer: {rec['answer']}" if lines else "")


EXAMPLES = load("examples")
GAPS = load("gaps")


@pytest.mark.parametrize("ex", [e for _, e in EXAMPLES], ids=[i for i, _ in EXAMPLES])
def test_answer_example(engine, ex):
    problem = mismatch(engine, ex)
    assert not problem, f"{ex['q']}\n{problem}"


@pytest.mark.parametrize("ex", [pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=e["why"]))
                                for _, e in GAPS], ids=[i for i, _ in GAPS])
def test_known_gap(engine, ex):
    """Fails today (xfail); passing means the gap is closed: move the example into `examples`."""
    problem = mismatch(engine, ex)
    assert not problem, f"{ex['q']}\n{problem}"


def test_corpus_keeps_its_size_and_asserts_something():
    assert len(EXAMPLES) >= MIN_ANSWER_EXAMPLES, len(EXAMPLES)
    bad = [i for i, ex in EXAMPLES + GAPS if "status" not in ex or set(ex) - {"q", "note", "why", "answer_has", "answer_starts", *CHECKED}]
    assert not bad, f"examples without a status or with unknown keys: {bad}"
    names = [doc["report"]["file"] for _, doc in _files()]
    assert len(names) == len(set(names)), names
