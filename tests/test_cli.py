"""The CLI as users and benchmarks call it: the answer record, batch mode, bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

RECORD_KEYS = {"id", "question", "status", "kind", "answer", "value", "unit", "direction", "entity",
               "citations", "elapsed_ms"}


def qa(*args, env=None, timeout=600):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def index_dir(first_index):
    return str(first_index.settings.index_dir)


def check_record(rec: dict, doc_texts: dict[str, str]) -> None:
    assert set(rec) == RECORD_KEYS
    assert rec["status"] in ("answered", "abstained")
    assert rec["kind"] in ("figure", "comparison", "calculation", "passage", "none")
    assert isinstance(rec["answer"], str) and rec["answer"]
    assert rec["value"] is None or isinstance(rec["value"], (int, float))
    assert rec["direction"] in (None, "增长", "下降", "增加", "减少", "持平")
    assert isinstance(rec["elapsed_ms"], (int, float))
    for c in rec["citations"]:
        assert set(c) == {"doc", "start", "end", "text", "section"}
        assert doc_texts[c["doc"]][c["start"]:c["end"]] == c["text"]


def test_ask_json_cites_the_education_sentence(index_dir, first_index):
    r = qa("ask", "--json", "2023年1-9月教育支出是多少", "--index", index_dir)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    texts = {n: d.text for n, d in first_index.index.documents.items()}
    check_record(rec, texts)
    assert any("教育支出5.14亿元" in c["text"] for c in rec["citations"][:3])
    assert rec["status"] == "answered" and rec["value"] == 5.14 and rec["unit"] == "亿元"


def test_ask_file_keeps_ids_and_order(tmp_path, index_dir, first_index):
    qs = [{"id": "a1", "question": "税收收入是多少"}, {"id": 7, "question": "怎样防范化解债务风险？"},
          {"id": "a3", "question": "2023年1-9月全县一般公共预算支出增长了多少"}]
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in qs), encoding="utf-8")
    r = qa("ask", "--json", "--file", str(f), "--index", index_dir)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == ["a1", 7, "a3"]
    texts = {n: d.text for n, d in first_index.index.documents.items()}
    for rec in recs:
        check_record(rec, texts)
    assert recs[1]["kind"] == "passage"


def test_index_dir_from_environment(index_dir):
    r = qa("ask", "--json", "非税收入是多少", env={"QA_INDEX_DIR": index_dir})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["citations"]


@pytest.mark.parametrize("question, message", [
    ("", "为空"), ("   ", "为空"), ("？？！。", "标点"), ("教" * 2001, "过长"),
    ("<script>alert(1)</script>教育支出", "HTML"), ("SELECT * FROM figures WHERE 1=1", "查询语句"),
    ("教育支出' OR '1'='1", "查询语句"),
])
def test_bad_questions_exit_non_zero_with_a_message(index_dir, question, message):
    r = qa("ask", question, "--index", index_dir)
    assert r.returncode != 0
    assert message in r.stderr and "Traceback" not in r.stderr


def test_bad_index_and_files_have_clear_messages(tmp_path, index_dir):
    # qa ask only reads: a missing index is a message saying how to build one, never a build
    r = qa("ask", "教育支出", "--index", str(tmp_path / "none"), "--corpus", str(tmp_path / "nocorpus"))
    assert r.returncode != 0 and "no index" in r.stderr and "qa index" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "none").exists()
    r = qa("index", "--index", str(tmp_path / "none"), "--corpus", str(tmp_path / "nocorpus"))
    assert r.returncode != 0 and "corpus folder not found" in r.stderr and "Traceback" not in r.stderr
    r = qa("ask", "--json", "--file", str(tmp_path / "missing.jsonl"), "--index", index_dir)
    assert r.returncode != 0 and "not found" in r.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "教育支出"}\nnot json\n', encoding="utf-8")
    r = qa("ask", "--json", "--file", str(bad), "--index", index_dir)
    assert r.returncode != 0 and "line 2" in r.stderr


def test_facts_csv_opens_in_excel(tmp_path, index_dir):
    out = tmp_path / "facts.csv"
    r = qa("facts", "--csv", str(out), "--index", index_dir)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "教育支出" in data.decode("utf-8-sig")
    r = qa("facts", "--doc", "no_such_report", "--index", index_dir)
    assert r.returncode != 0 and "no report named" in r.stderr
