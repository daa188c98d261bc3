"""End to end through `qa ask --json`: every question type, over several reports indexed together.

The questions are ours; the expected values were read off the report text by hand. With all of
every development report (eval/corpus) indexed at once, each question must also be routed to the right report.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

# (question, status, kind, value, unit, direction, entity, text the first citation holds)
CASES = [
    # the first report (no place named: the bureau's own report)
    ("2023年1-9月教育支出是多少", "answered", "figure", 5.14, "亿元", "增长", None, "教育支出5.14亿元"),
    ("非税收入同比增长了吗", "answered", "figure", 47.0, "%", "下降", None, "非税收入完成3.01亿元"),
    ("前三季度哪项重点支出增长最快？", "answered", "comparison", 37.9, "%", "增长", "卫生健康支出", "卫生健康支出1.19亿元"),
    ("教育支出和农林水支出哪个多？", "answered", "comparison", 5.14, "亿元", None, "教育支出", "农林水支出3.53亿元"),
    ("机关养老保险基金结余多少？", "answered", "calculation", 2367, "万元", None, None, "机关养老保险基金收入13943万元"),
    ("What was education spending in Jan-Sep 2023?", "answered", "figure", 5.14, "亿元", "增长", None, "教育支出5.14亿元"),
    ("2023年1-9月城乡社区支出是多少？", "abstained", "none", None, None, None, None, None),
    # Fushun final accounts
    ("抚顺2025年全市一般公共预算收入是多少？", "answered", "figure", 77.2, "亿元", "增长", None, "全市一般公共预算收入77.2亿元"),
    ("抚顺2025年全市税收收入增长多少？", "answered", "figure", 8.5, "%", "下降", None, "税收收入46.7亿元"),
    ("抚顺2025年市本级一般公共预算收入是多少？", "answered", "figure", 12.8, "亿元", "增长", None, "市本级一般公共预算收入12.8亿元"),
    ("抚顺2025年全市一般公共预算支出比收入多多少？", "answered", "calculation", 110.6, "亿元", None, None, None),
    # Zhanjiang and Shizuishan budget reports
    ("湛江2025年全市一般公共预算收入是多少？", "answered", "figure", 215.1, "亿元", "增长", None, "215.1亿元"),
    ("湛江2025年市本级一般公共预算收入占全市的比重是多少？", "answered", "calculation", 38.52, "%", None, None, None),
    ("湛江2026年全市一般公共预算收入预期多少？", "answered", "figure", 221.6, "亿元", "增长", None, "221.6亿元"),
    ("石嘴山2025年全市一般债务和专项债务哪个多？", "answered", "comparison", 136.66, "亿元", None, "一般债务", "一般债务136.66亿元"),
    # not in any indexed report
    ("上海市2025年教育支出是多少？", "abstained", "none", None, None, None, None, None),  # no Shanghai report
    ("2030年教育支出是多少？", "abstained", "none", None, None, None, None, None),
]


@pytest.fixture(scope="module")
def records(shared_engine, tmp_path_factory):
    """All questions in one `qa ask --json --file` run over the shared corpus index."""
    path = tmp_path_factory.mktemp("q") / "questions.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "question": c[0]}, ensure_ascii=False)
                              for i, c in enumerate(CASES)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    r = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--json", "--file", str(path),
                        "--index", str(shared_engine.settings.index_dir)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip("0").rstrip(".") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_answer(records, shared_engine, i):
    question, status, kind, value, unit, direction, entity, cited = CASES[i]
    rec = records[i]
    assert rec["id"] == i and rec["question"] == question
    assert (rec["status"], rec["kind"]) == (status, kind), rec["answer"]
    if value is not None:
        assert rec["value"] == pytest.approx(value, abs=0.01) and rec["unit"] == unit, rec["answer"]
    if direction:
        assert rec["direction"] == direction
    if entity:
        assert rec["entity"] == entity
    if cited:
        assert cited in rec["citations"][0]["text"]
    docs = shared_engine.index.documents
    for c in rec["citations"]:
        assert docs[c["doc"]].text[c["start"]:c["end"]] == c["text"]
    if status == "answered" and kind in ("figure", "comparison"):
        # every number the answer states is inside a cited span
        cited_numbers = set().union(*(_numbers(c["text"]) for c in rec["citations"]))
        assert _numbers(rec["answer"]) <= cited_numbers, rec["answer"]
    if kind == "calculation":
        # a calculation cites its operands: all numbers but the result are cited
        cited_numbers = set().union(*(_numbers(c["text"]) for c in rec["citations"]))
        assert len(_numbers(rec["answer"]) - cited_numbers) <= 1, rec["answer"]


@pytest.mark.parametrize("short, item, expected", [
    ("个税", "个人所得税", True),
    ("医保", "医疗保险", True),
    ("个税", "个人所得税返还", False),  # the last character must sit in the item's head
    ("税收", "税收收入", False),  # said whole: an ordinary match, not a short name
    ("社保", "社会保险基金收入", False),
    ("教育", "义务教育经费", False),  # the first character must open the item
])
def test_short_names_spell_out_their_item(short, item, expected):
    from qa.answer.search import abbreviates

    assert abbreviates(short, item) is expected
