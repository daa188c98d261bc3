"""qa.evaluation: scoring on hand-made records, question-set validation, `qa eval` end to end."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.evaluation.dataset import (Question, QuestionSetError, load_question_set, locate_evidence,
                                   question_from_row, read_report_texts, validate_set)
from qa.evaluation.evaluators import (AnswerEvaluator, Case, CitationEvaluator, LatencyEvaluator,
                                      RetrievalEvaluator, RoutingEvaluator, score_cases, summarize)
from qa.evaluation.metrics import (direction_in_text, entities_match, evidence_rank, parse_number,
                                   parse_quantity, percentile, values_match)
from qa.evaluation.report import build_results, side_by_side, system_results, to_markdown

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini_set.jsonl"
FIRST = "2023_county_finance_bureau_work_report"


@pytest.fixture(scope="module")
def first_text() -> str:
    return read_report_texts(ROOT / "corpus", {FIRST})[FIRST]


def _q(**kw) -> Question:
    row = {"id": "t", "doc": FIRST, "question": "?", "type": "lookup", **kw}
    return question_from_row(row)


def _record(status="answered", kind="figure", value=None, unit=None, direction=None, entity=None, cites=()):
    return {"id": "t", "question": "?", "status": status, "kind": kind, "answer": "", "value": value,
            "unit": unit, "direction": direction, "entity": entity,
            "citations": [{"doc": d, "start": s, "end": e, "text": t, "section": ""} for d, s, e, t in cites],
            "elapsed_ms": 1.0}


def _case(q: Question, rec: dict, text: str, seconds: float = 0.01) -> Case:
    return Case(q, rec, locate_evidence(q, text), seconds)


def _cite(text: str, piece: str, before: int = 0, after: int = 0):
    """A citation around the first occurrence of `piece`, widened by before/after characters."""
    at = text.find(piece)
    assert at >= 0
    s, e = max(0, at - before), at + len(piece) + after
    return (FIRST, s, e, text[s:e])


# --- units and values ------------------------------------------------------------------------

def test_scale_must_match():
    assert values_match(5.14, "亿元", "51400", "万元")
    assert values_match(51400.0, "万元", "5.14", "亿元")
    assert not values_match(5.14, "万元", "5.14", "亿元")
    assert not values_match(5.14, None, "5.14", "亿元")  # a bare number is not 5.14亿元
    # a per-head answer (元/人) is the figure a gold stated in 元 asks for; not the reverse
    assert values_match(140959.61, "元/人", "14.1", "万元", computed=True)
    assert values_match(1296.27, "元/人", "1296.27", "元", computed=True)
    assert not values_match(1296.27, "元", "1296.27", "元/人", computed=True)
    assert not values_match(1296.27, "人/元", "1296.27", "元", computed=True)
    assert values_match(4.2, "万亿元", "42000", "亿元")


def test_units_of_different_dimension_never_match():
    assert not values_match(3.0, "个百分点", "3", "%")
    assert not values_match(60.0, "人", "60", "元")
    assert values_match(12000.0, "人", "1.2", "万人")


def test_written_numbers_parse():
    assert parse_number("1,076,420")[0] == 1076420
    assert parse_quantity("约5.14亿元", None).magnitude == 514000000
    assert parse_number("三")[0] == 3 and parse_number("十二")[0] == 12
    assert parse_number("１２．５")[0] == pytest.approx(12.5)
    assert parse_number("多少") is None
    assert values_match(1076420.0, "万元", "1,076,420", "万元")


def test_stated_figures_need_every_digit_but_computed_ones_get_rounding_tolerance():
    assert not values_match(11.6, "亿元", "11.61", "亿元")
    assert values_match(11.6, "亿元", "11.61", "亿元", computed=True)  # within 0.5 %
    assert not values_match(11.5, "亿元", "11.61", "亿元", computed=True)
    # one unit in the last stated decimal: 12.4 allows 12.3 .. 12.5
    assert values_match(12.33, "亿元", "12.4", "亿元", computed=True)
    assert not values_match(12.25, "亿元", "12.4", "亿元", computed=True)
    # tolerance is in the gold's unit, also when the prediction uses another scale
    assert values_match(123300.0, "万元", "12.4", "亿元", computed=True)
    assert values_match(72.6496, "%", "72.65", "%", computed=True)


def test_direction_word_of_gold_text_skips_negated_words():
    assert direction_in_text("同比下降8.2%") == "down"
    assert direction_in_text("没有增长，同比下降11.7%") == "down"
    assert direction_in_text("市本级没有增长，下降1.3%（全市是增长3.1%）") == "down"
    assert direction_in_text("每月增加60元，达到885元") == "up"
    assert direction_in_text("与上年预算数持平") == "flat"
    assert direction_in_text("885元") is None


def test_entities():
    assert entities_match("卫生健康支出", "卫生健康支出")
    assert entities_match("“四类管线”改造", "四类管线改造")
    assert entities_match("专项债务余额", "专项债务")
    assert not entities_match("非税收入", "税收收入")
    assert not entities_match("收入", "一般公共预算收入")
    assert not entities_match(None, "税收收入")


def test_evidence_rank_needs_every_piece():
    groups = [[("d", 10, 20)], [("d", 50, 60)]]
    assert evidence_rank([("d", 0, 5), ("d", 15, 30), ("d", 55, 58)], groups) == 3
    assert evidence_rank([("d", 15, 30)], groups) is None
    assert evidence_rank([("other", 10, 20), ("d", 0, 70)], groups) == 2
    assert evidence_rank([("d", 20, 50)], [[("d", 10, 20)]]) is None  # touching is not overlapping


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)


# --- evaluators on hand-made records over the real first report -------------------------------

def test_figure_answers(first_text):
    q = _q(answer_value="5.14", answer_unit="亿元", evidence="教育支出5.14亿元，同比增长31.4%")
    ev = AnswerEvaluator()
    cite = [_cite(first_text, "教育支出5.14亿元")]
    assert ev.score(_case(q, _record(value=51400.0, unit="万元", cites=cite), first_text))["correct"]
    wrong_scale = ev.score(_case(q, _record(value=5.14, unit="万元", cites=cite), first_text))
    assert wrong_scale["correct"] is False and wrong_scale["value_ok"] is False


def test_change_needs_value_and_direction(first_text):
    q = _q(type="change", answer_value="47.0", answer_unit="%", answer_text="没有增长，同比下降47.0%",
           evidence="非税收入完成3.01亿元，同比下降47.0%")
    ev = AnswerEvaluator()
    right = ev.score(_case(q, _record(value=47.0, unit="%", direction="减少"), first_text))
    assert right["correct"] and right["direction_ok"]
    growth = ev.score(_case(q, _record(value=47.0, unit="%", direction="增长"), first_text))
    assert growth["value_ok"] and growth["direction_ok"] is False and growth["correct"] is False


def test_compare_is_judged_on_the_entity(first_text):
    q = _q(type="compare", answer_value="7.97", answer_unit="亿元", answer_entity="税收收入",
           evidence="其中税收收入完成7.97亿元")
    ev = AnswerEvaluator()
    assert ev.score(_case(q, _record(kind="comparison", entity="税收收入", value=7.97, unit="亿元"),
                          first_text))["correct"]
    assert not ev.score(_case(q, _record(kind="comparison", entity="非税收入"), first_text))["correct"]


def test_passage_answer_counts_when_top_passage_contains_the_evidence(first_text):
    q = _q(answer_value="5.14", answer_unit="亿元", evidence="教育支出5.14亿元，同比增长31.4%")
    ev = AnswerEvaluator()
    around = _cite(first_text, "教育支出5.14亿元，同比增长31.4%", before=30, after=30)
    assert ev.score(_case(q, _record(kind="passage", cites=[around]), first_text))["correct"]
    # the right sentence's tail, without the figure, is not an answer
    tail = _cite(first_text, "同比增长31.4%；社会保障和就业支出")
    assert not ev.score(_case(q, _record(kind="passage", cites=[tail]), first_text))["correct"]
    # the evidence only in second place: wrong answer, right citation
    elsewhere = _cite(first_text, "非税收入完成3.01亿元")
    rec = _record(kind="passage", cites=[elsewhere, around])
    assert not ev.score(_case(q, rec, first_text))["correct"]
    assert CitationEvaluator().score(_case(q, rec, first_text))["citation_ok"]


def test_abstention_counting(first_text):
    answerable = _q(answer_value="5.14", answer_unit="亿元", evidence="教育支出5.14亿元")
    unanswerable = _q(type="unanswerable")
    cases = [
        _case(unanswerable, _record(status="abstained", kind="none"), first_text),  # right abstention
        _case(unanswerable, _record(value=1.0, unit="亿元"), first_text),  # answered: wrong
        _case(answerable, _record(status="abstained", kind="none"), first_text),  # false abstention
        _case(answerable, _record(value=5.14, unit="亿元"), first_text),  # right
        _case(answerable, _record(status="error", kind="none"), first_text),  # a crash is not an abstention
    ]
    m = summarize(score_cases(cases))
    assert m["abstain_precision"] == pytest.approx(1 / 2)
    assert m["abstain_recall"] == pytest.approx(1 / 2)
    assert m["false_abstain_rate"] == pytest.approx(1 / 3)
    assert m["answer_acc"] == pytest.approx(2 / 5)


def test_descriptive_hits_and_retrieval_ranks(first_text):
    q = _q(type="descriptive", evidence="严格按照《预算法》的要求按质按量完成预算公开工作")
    other = _cite(first_text, "非税收入完成3.01亿元")
    gold = _cite(first_text, "《预算法》的要求", before=5, after=5)
    second = _case(q, _record(kind="passage", cites=[other, gold, other]), first_text)
    fields = CitationEvaluator().score(second)
    assert fields["hit@1"] is False and fields["hit@3"] is True
    assert AnswerEvaluator().score(second)["correct"] is False
    ranks = RetrievalEvaluator().summarize([RetrievalEvaluator().score(second),
                                            RetrievalEvaluator().score(_case(q, _record(cites=[gold]), first_text)),
                                            RetrievalEvaluator().score(_case(q, _record(cites=[other]), first_text))])
    assert ranks["recall@1"] == pytest.approx(1 / 3) and ranks["recall@3"] == pytest.approx(2 / 3)
    assert ranks["mrr"] == pytest.approx((1 / 2 + 1) / 3)


def test_arithmetic_citation_must_cover_every_operand(first_text):
    q = _q(type="arithmetic", answer_value="2367", answer_unit="万元",
           evidence=["机关养老保险基金收入13943万元", "支出11576万元"])
    one = _cite(first_text, "机关养老保险基金收入13943万元")
    both = _cite(first_text, "机关养老保险基金收入13943万元，支出11576万元")
    rec = _record(kind="calculation", value=2366.8, unit="万元", cites=[one])
    assert AnswerEvaluator().score(_case(q, rec, first_text))["correct"]  # within rounding tolerance
    assert CitationEvaluator().score(_case(q, rec, first_text))["citation_ok"] is False
    assert CitationEvaluator().score(_case(q, _record(cites=[one, both]), first_text))["citation_ok"]


def test_latency_percentiles():
    q = _q(type="unanswerable")
    cases = [Case(q, _record(status="abstained"), [], s) for s in (0.010, 0.020, 0.030, 0.040, 1.0)]
    m = LatencyEvaluator().summarize([LatencyEvaluator().score(c) for c in cases])
    assert m["p50_ms"] == pytest.approx(30.0)
    assert 40.0 < m["p95_ms"] < 1000.0


# --- question sets -----------------------------------------------------------------------------

def test_mini_set_is_valid_against_the_first_report(first_text):
    questions = load_question_set(MINI)
    assert validate_set(questions, {FIRST: first_text}) == {}
    assert {q.type for q in questions} >= {"lookup", "change", "compare", "arithmetic", "descriptive",
                                            "unanswerable"}


def test_validation_names_each_problem(first_text):
    rows = [
        {"id": "a", "doc": FIRST, "question": "?", "type": "lookup", "answer_value": "5.41", "answer_unit": "亿元",
         "evidence": "教育支出5.14亿元"},
        {"id": "a", "doc": FIRST, "question": "?", "type": "lookup", "answer_value": "5.14", "answer_unit": "亿元",
         "evidence": "教育支出 5.14亿元"},
        {"id": "c", "doc": "no_such_report", "question": "?", "type": "lookup", "answer_value": "1"},
        {"id": "d", "doc": FIRST, "question": "?", "type": "guess", "evidence": "教育支出5.14亿元"},
        {"id": "e", "doc": FIRST, "question": "?", "type": "unanswerable", "answer_value": "3"},
    ]
    problems = validate_set([question_from_row(r) for r in rows], {FIRST: first_text})
    text = {k: " ".join(v) for k, v in problems.items()}
    assert "not written in the evidence" in text["a"] and "duplicate id" in text["a"]
    assert "not verbatim" in text["a"]
    assert "not in the corpus" in text["c"]
    assert "unknown type" in text["d"]
    assert "unanswerable question with an answer_value" in text["e"]


def test_value_written_with_full_width_digits_is_in_its_evidence():
    # a report that writes 3，721．36 holds the value 3,721.36 (and 3721.36)
    text = "全市金融机构存贷款余额3，721．36亿元"
    rows = [{"id": v, "doc": "r", "question": "?", "type": "lookup", "answer_value": v, "answer_unit": "亿元",
             "evidence": text} for v in ("3,721.36", "3721.36", "3,721.63")]
    problems = validate_set([question_from_row(r) for r in rows], {"r": text})
    assert not problems.get("3,721.36") and not problems.get("3721.36")
    assert "not written in the evidence" in " ".join(problems["3,721.63"])


def test_unreadable_set_names_the_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "1", "question": "q", "type": "lookup"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match="line 2"):
        load_question_set(p)
    p.write_text('{"id": "1", "type": "lookup"}\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match="question"):
        load_question_set(p)


def test_report_tables(first_text):
    q = _q(answer_value="5.14", answer_unit="亿元", evidence="教育支出5.14亿元")
    good = [_case(q, _record(value=5.14, unit="亿元", cites=[_cite(first_text, "教育支出5.14亿元")]), first_text)]
    bad = [_case(q, _record(value=5.14, unit="万元"), first_text)]
    systems = {"qa": system_results(good, score_cases(good)), "bm25": system_results(bad, score_cases(bad))}
    results = build_results({"set": "x.jsonl", "questions": 1, "scored": 1}, systems)
    table = side_by_side(results)
    assert table.splitlines()[0] == "| metric | qa | bm25 |"
    assert "| answer correct | 100.0% | 0.0% |" in table
    md = to_markdown(results)
    assert "## Failures of qa (0)" in md
    assert systems["bm25"]["failures"][0]["reasons"] == ["value 5.14万元 != gold 5.14亿元",
                                                          "no citation overlaps the evidence"]


# --- end to end --------------------------------------------------------------------------------

def test_qa_eval_end_to_end_on_the_first_report(tmp_path):
    out_json, out_md = tmp_path / "r.json", tmp_path / "r.md"
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "eval", str(MINI), "--corpus", "corpus",
                           "--json", str(out_json), "--md", str(out_md)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| metric | qa |" in proc.stdout
    results = json.loads(out_json.read_text(encoding="utf-8"))
    meta, qa = results["meta"], results["systems"]["qa"]
    assert meta["scored"] == 12 and meta["invalid"] == {}
    assert "/eval-" in meta["index"]  # a derived index, never the main one
    rows = qa["questions"]
    assert [r["id"] for r in rows] == [q.id for q in load_question_set(MINI)]
    # the summary is the mean of the per-question verdicts
    assert qa["overall"]["answer_acc"] == pytest.approx(sum(bool(r["correct"]) for r in rows) / 12)
    text = read_report_texts(ROOT / "corpus", {FIRST})[FIRST]
    for r in rows:
        c = r["top_citation"]
        assert c is None or (c["doc"] == FIRST and 0 <= c["start"] < c["end"] <= len(text))
    # the first report's plainly worded questions: the evidence is among the passages
    assert qa["overall"]["recall@5"] >= 0.5
    assert qa["overall"]["p50_ms"] > 0
    md = out_md.read_text(encoding="utf-8")
    assert "## Side by side" in md and "## Failures of qa" in md


def test_baselines_share_the_scorer_and_cite_real_offsets(first_index, tmp_path):
    from qa.evaluation.runner import evaluate

    questions = [q for q in load_question_set(MINI) if q.id in ("mini-01", "mini-08", "mini-09")]
    systems, info = evaluate(questions, first_index, k=5, baselines=True, show_progress=False)
    assert list(systems) == ["qa", "bm25", "dense", "llama-index"]
    docs = first_index.index.documents
    for name in ("bm25", "dense", "llama-index"):
        rows = {r["id"]: r for r in systems[name]["questions"]}
        assert rows["mini-09"]["correct"] is False  # passage systems never abstain
        for r in rows.values():
            c = r["top_citation"]
            assert c is not None and c["doc"] in docs
    assert info["baseline_info"]["llama-index"]["unlocated_nodes"] == 0
    # llama-index nodes are larger than our chunks (default SentenceSplitter, 1024 tokens)
    assert info["baseline_info"]["llama-index"]["nodes"] < len(first_index.index.chunks)


def test_shared_query_embedder_computes_once_and_charges_each_reuse():
    import numpy as np

    from qa.evaluation.baselines import SharedQueryEmbedder

    class Slow:
        name, dim, calls = "slow", 2, 0

        def encode_queries(self, texts):
            Slow.calls += 1
            time.sleep(0.05)
            return np.ones((len(texts), 2), dtype=np.float32)

    shared = SharedQueryEmbedder(Slow())
    shared.encode_queries(["教育支出"])
    assert shared.take_charge() == 0.0  # the first system paid inside its own call
    v = shared.encode_queries(["教育支出"])
    assert Slow.calls == 1 and v.shape == (1, 2)
    assert shared.take_charge() >= 0.05 and shared.take_charge() == 0.0


def test_routing_counts_answers_from_the_question_s_own_report():
    ev = RoutingEvaluator()
    q = _q(answer_value="5.14", answer_unit="亿元")
    own = Case(q, _record(value=5.14, unit="亿元", cites=[(FIRST, 0, 5, "x")]), [])
    other = Case(q, _record(value=5.14, unit="亿元", cites=[("other_report", 0, 5, "x"), (FIRST, 9, 12, "y")]), [])
    passage_elsewhere = Case(q, _record(kind="passage", cites=[("other_report", 0, 5, "x")]), [])
    refused = Case(q, _record(status="abstained", kind="none", cites=[("other_report", 0, 5, "x")]), [])
    scored = [ev.score(c) for c in (own, other, passage_elsewhere, refused)]
    assert [s["routed"] for s in scored] == [True, False, False, None]
    assert [s["foreign"] for s in scored] == [False, True, None, None]
    summary = ev.summarize(scored)
    assert summary["routed_acc"] == pytest.approx(1 / 3) and summary["n_foreign"] == 1
