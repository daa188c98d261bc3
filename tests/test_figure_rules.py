"""Extraction rules as named values: every rule has examples, each example is made by its rule,
every row names the rules that made it — in the extractor, `qa facts --jsonl/--explain` and the app."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from qa.extract import all_rules, extract_figures
from qa.extract.context import CONTEXT_RULES
from qa.extract.registry import SENTENCE_RULES
from qa.extract.tables import TABLE_RULES
from qa.records import Document

FAMILIES = {"parents", "lists", "items", "changes", "ratios", "generic"}


def rows(text: str):
    return extract_figures(Document(name="t", text=text))


def test_rules_are_named_ordered_and_documented():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))
    assert [r.order for r in SENTENCE_RULES] == sorted(r.order for r in SENTENCE_RULES)
    for r in all_rules():
        family, _, short = r.name.partition(".")
        assert family in FAMILIES and short, r.name
        assert r.examples, f"{r.name} has no example"
        assert r.doc, f"{r.name} does not say what it does"


@pytest.mark.parametrize("name, example", [(r.name, ex) for r in all_rules() for ex in r.examples]
                         + list(CONTEXT_RULES.items()) + list(TABLE_RULES.items()))
def test_each_rule_makes_a_row_of_its_examples(name, example):
    got = rows(example)
    assert any(name in [n.split(":")[0] for n in f.rules] for f in got), \
        [(f.item, f.value_text, f.rules) for f in got]


def test_rules_are_recorded_in_the_order_they_applied():
    f, = rows("全县一般公共预算支出15.6亿元，同比增长8.2%。")
    assert f.rules[:4] == ["items.words_before", "changes.direction", "changes.kind", "changes.attach"]
    assert f.rules.index("items.words_before") < f.rules.index("context.scope_words")
    assert "changes.attach" in f.rules  # the change 8.2% was attached to this figure


def test_every_row_of_an_invented_report_names_its_rules():
    text = ("一、2025年预算执行情况\n全市一般公共预算收入20.1亿元，同比增长3.2%，其中税收收入14.2亿元。"
            "城镇、农村居民最低生活保障标准分别为每人每月780元、620元。全市和市本级税收占比分别提高1.5和2.3个百分点。\n")
    got = rows(text)
    assert len(got) == 6 and all(f.rules for f in got)
    assert all(f.rules[-1].startswith("context.") for f in got)  # context comes after the sentence rules


def _qa(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600, cwd=ROOT)


def test_facts_jsonl_and_explain_name_the_rules(first_index):
    index_dir = str(first_index.settings.index_dir)
    r = _qa("facts", "--jsonl", "--index", index_dir)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) > 50
    assert all(isinstance(x["rules"], list) and x["rules"] for x in recs)
    known = {x.name for x in all_rules()} | set(CONTEXT_RULES) | set(TABLE_RULES)
    assert {n.split(":")[0] for x in recs for n in x["rules"]} <= known
    r = _qa("facts", "--explain", "--index", index_dir)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(line.startswith("    items.words_before") and "noun phrase" in line for line in lines)


def test_app_figures_table_has_a_rules_column():
    pytest.importorskip("gradio")
    sys.path.insert(0, str(ROOT))
    import app

    frame = app.figures_frame(rows("全县一般公共预算支出15.6亿元，同比增长8.2%。"))
    assert list(frame.columns) == app.FIGURE_COLUMNS and frame.columns[-1] == "规则"
    assert "changes.attach" in frame.iloc[0]["规则"].split()
    assert len(app.FIGURE_TYPES) == len(app.FIGURE_WIDTHS) == len(app.FIGURE_COLUMNS)
