"""Validates the question sets (eval/dev.jsonl and the held-out eval/heldout*.jsonl) against the
reports they were written from.

The reports live beside the project in ../shared/corpus; without them the evidence checks
cannot run, so the module skips (the structural checks need the reports' text too).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from qa.evaluation.metrics import direction_in_text

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "eval" / "dev.jsonl"
HELD_OUT = sorted((ROOT / "eval").glob("heldout*.jsonl"))
# sets over the other development reports, and the first-contact sets over the blind reports
NEW_SETS = sorted((ROOT / "eval").glob("newdev*.jsonl"))
BLIND_SETS = sorted((ROOT / "eval").glob("blind*.jsonl"))
SETS = [DEV_SET, *HELD_OUT, *NEW_SETS, *BLIND_SETS]
CORPUS = Path(__file__).resolve().parents[1] / "eval" / "corpus"  # the development reports (in the repository)
# the blind reports stay outside the repository (kept for first-contact measurement)
BLIND = ROOT.parent / "shared" / "corpus" / "blind"
FIRST_REPORT = "2023_county_finance_bureau_work_report"

TYPES = {"lookup", "change", "superlative", "compare", "arithmetic", "descriptive", "unanswerable", "english"}
# Types whose gold value is read off the text, so it must sit inside the evidence.
VERBATIM_TYPES = {"lookup", "change", "superlative", "compare", "english"}
NO_VALUE_TYPES = {"descriptive", "unanswerable"}
FIELDS = ("id", "doc", "question", "type", "answer_value", "answer_unit", "answer_text",
          "answer_entity", "evidence", "difficulty")
# How a question may name a national report: it has no place of its own.
NATIONAL_NAMES = ("政府工作报告", "国家", "全国", "中央", "national", "nationwide", "China")


def place_names(path: Path) -> tuple[str, ...]:
    """Every name a question may use for the report's place, read from the report itself
    (metadata + the division dataset), so a new report needs no entry here."""
    from qa.ingest import read_document
    from qa.places import gazetteer

    doc = read_document(path)
    if doc.region == "全国":
        return NATIONAL_NAMES
    gaz = gazetteer()
    names = {doc.region}
    for p in gaz.lookup(doc.region):
        names |= set(p.names) | {n.capitalize() for n in gaz.romanised(p)}
    return tuple(n for n in names if n)


pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"development corpus not found at {CORPUS} (it lives beside the project)")


def _norm(s: str) -> str:
    # NFKC folds full-width digits, letters and ％ to ASCII.
    return unicodedata.normalize("NFKC", s)


def _evidence_list(row: dict) -> list[str]:
    ev = row["evidence"]
    if ev is None:
        return []
    return ev if isinstance(ev, list) else [ev]


@pytest.fixture(scope="module", params=SETS, ids=[p.stem for p in SETS])
def rows(request) -> list[dict]:
    with request.param.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def dev_rows() -> list[dict]:
    with DEV_SET.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def texts(rows: list[dict]) -> dict[str, str]:
    out = {}
    for doc in {r["doc"] for r in rows}:
        path = _report(doc)
        assert path.is_file(), f"question set names a report that is not in the corpus: {doc}"
        out[doc] = path.read_text(encoding="utf-8")
    return out


def _report(doc: str) -> Path:
    path = CORPUS / f"{doc}.txt"
    if not path.is_file() and (BLIND / f"{doc}.txt").is_file():
        return BLIND / f"{doc}.txt"
    if not path.is_file() and not BLIND.is_dir():
        pytest.skip(f"{doc}: a blind report, kept outside the repository ({BLIND} is absent)")
    return path


def test_size_and_coverage(dev_rows: list[dict]) -> None:
    assert len(dev_rows) >= 200
    docs = Counter(r["doc"] for r in dev_rows)
    assert len(docs) >= 4
    assert docs[FIRST_REPORT] >= 40, "the first report must be well covered"
    assert {r["type"] for r in dev_rows} == TYPES


def test_held_out_sets_cover_every_report_and_type(rows: list[dict], dev_rows: list[dict]) -> None:
    if not rows[0]["id"].startswith(("h", "cty-")):
        # newdev and blind sets cover other reports: each covers its own reports with every type
        assert {r["type"] for r in rows} >= TYPES - {"descriptive"}
        return
    assert {r["doc"] for r in rows} == {r["doc"] for r in dev_rows}
    assert {r["type"] for r in rows} >= TYPES - {"english"}


def test_held_out_questions_are_new(rows: list[dict], dev_rows: list[dict]) -> None:
    if rows is dev_rows or rows[0]["id"] == dev_rows[0]["id"]:
        return
    assert not {r["question"] for r in rows} & {r["question"] for r in dev_rows}


def test_type_minimums(dev_rows: list[dict]) -> None:
    types = Counter(r["type"] for r in dev_rows)
    assert types["unanswerable"] >= 25
    assert types["english"] >= 15
    assert types["descriptive"] >= 25
    assert types["arithmetic"] >= 20
    assert types["superlative"] + types["compare"] >= 20


def test_ids_unique_and_fields_present(rows: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for r in rows:
        assert set(FIELDS) <= set(r), (r.get("id"), set(FIELDS) - set(r))
        assert r["type"] in TYPES, r["id"]
        assert r["difficulty"] in {"easy", "medium", "hard"}, r["id"]
        assert r["question"].strip() and r["answer_text"].strip(), r["id"]


def test_value_fields_match_type(rows: list[dict]) -> None:
    for r in rows:
        if r["type"] in NO_VALUE_TYPES:
            assert r["answer_value"] is None and r["answer_unit"] is None, r["id"]
            continue
        assert isinstance(r["answer_value"], str), r["id"]
        try:
            Decimal(_norm(r["answer_value"]).replace(",", ""))
        except InvalidOperation:
            pytest.fail(f"{r['id']}: answer_value is not a number: {r['answer_value']!r}")
        assert r["answer_unit"], r["id"]
        if r["type"] == "arithmetic":
            assert re.fullmatch(r"-?\d+(\.\d{1,2})?", r["answer_value"]), (r["id"], "round to 2 decimals")
        if r["type"] in {"superlative", "compare"}:
            assert r["answer_entity"], r["id"]
        if r["type"] == "change":
            # the grader's own direction words (上涨, 提高, 降低 … as the report says them)
            assert direction_in_text(r["answer_text"]), r["id"]


def test_evidence_is_verbatim(rows: list[dict], texts: dict[str, str]) -> None:
    for r in rows:
        evs = _evidence_list(r)
        if r["type"] == "unanswerable":
            assert not evs, f"{r['id']}: an unanswerable question has no evidence"
            continue
        assert evs, f"{r['id']}: answerable question without evidence"
        for e in evs:
            assert isinstance(e, str) and e, r["id"]
            assert e in texts[r["doc"]], f"{r['id']}: evidence not verbatim in {r['doc']}: {e[:40]}…"


def test_value_inside_evidence(rows: list[dict]) -> None:
    for r in rows:
        if r["type"] not in VERBATIM_TYPES:
            continue
        joined = _norm("".join(_evidence_list(r)))
        assert _norm(r["answer_value"]) in joined, f"{r['id']}: {r['answer_value']} not in its evidence"


def test_questions_about_other_reports_say_which(rows: list[dict], texts: dict[str, str]) -> None:
    for r in rows:
        if r["doc"] == FIRST_REPORT:
            continue
        years = [y for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", r["question"]) if y in texts[r["doc"]]]
        question = r["question"].replace("'", "")  # Ya'an is Yaan romanised
        named = any(p in question for p in _places(r["doc"]))
        assert years or named, f"{r['id']}: names neither year nor place: {r['question']}"


_PLACE_CACHE: dict[str, tuple[str, ...]] = {}


def _places(doc: str) -> tuple[str, ...]:
    if doc not in _PLACE_CACHE:
        _PLACE_CACHE[doc] = place_names(_report(doc))
    return _PLACE_CACHE[doc]
