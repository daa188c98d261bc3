"""Golden snapshot of the dev set's answer records.

Every question of eval/dev.jsonl is asked of the engine over all development reports (eval/corpus,
indexed together, as the `shared_engine` fixture does) and its answer record — every field of
`qa ask --json` but elapsed_ms, citations as doc/start/end — is compared with
tests/snapshots/answers/dev.jsonl. Any change to any answer fails, printing per question what changed.
When the change is intended, accept it with `pytest tests/test_answer_snapshots.py --update-snapshots`
and review the diff of the snapshot in the commit.

The engine is the session's `shared_engine`: passages are embedded one at a time, so a passage's
vector does not depend on which others were embedded with it or on what the embedding cache already
held (while int8 passages were embedded in batches, 30 of the 324 dev answers changed with the
cache's contents; tests/test_embeddings.py now guards that).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.question import QuestionError

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "eval" / "dev.jsonl"
SNAPSHOT = ROOT / "tests" / "snapshots" / "answers" / "dev.jsonl"
MAX_SHOWN = 40  # questions shown in full when many changed


def questions() -> list[dict]:
    with DEV_SET.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def record(engine, row: dict) -> dict:
    """The answer record as the snapshot keeps it (no timing; a citation is where it points)."""
    try:
        rec = engine.ask(row["question"], id=row["id"]).to_dict()
    except QuestionError as e:  # a question the engine refuses is a result too
        return {"id": row["id"], "question": row["question"], "error": str(e)}
    rec.pop("elapsed_ms")
    rec["citations"] = [{"doc": c["doc"], "start": c["start"], "end": c["end"]} for c in rec["citations"]]
    return rec


def _line(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False)


def _show(value) -> str:
    if isinstance(value, list):  # citations
        return "[" + ", ".join(f"{c['doc']}:{c['start']}-{c['end']}" for c in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def readable_diff(old: dict[str, dict], new: dict[str, dict]) -> str:
    """Per question: what changed, field by field (old → new); questions gone or new."""
    blocks = []
    for qid in [*new, *(k for k in old if k not in new)]:
        o, n = old.get(qid), new.get(qid)
        if o == n:
            continue
        if o is None or n is None:
            blocks.append(f"{qid}: {'new question' if o is None else 'question gone'}: {(n or o)['question']}")
            continue
        fields = [k for k in dict.fromkeys([*o, *n]) if o.get(k) != n.get(k)]
        lines = [f"{qid} {n['question']}"]
        lines += [f"    {k}: {_show(o.get(k))}\n      → {_show(n.get(k))}" for k in fields]
        blocks.append("\n".join(lines))
    shown = blocks[:MAX_SHOWN] + ([f"… {len(blocks) - MAX_SHOWN} more questions changed"]
                                  if len(blocks) > MAX_SHOWN else [])
    return (f"{len(blocks)} of {len(new)} dev answers differ from {SNAPSHOT.relative_to(ROOT)}:\n"
            + "\n".join(shown)
            + "\n(intended? rerun with --update-snapshots and review the snapshot's diff in the commit)")


def test_dev_answers_match_snapshot(shared_engine, update_snapshots: bool):
    new = [record(shared_engine, row) for row in questions()]
    if update_snapshots:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text("".join(_line(r) + "\n" for r in new), encoding="utf-8")
        return
    assert SNAPSHOT.is_file(), f"no snapshot {SNAPSHOT.relative_to(ROOT)}: run pytest --update-snapshots"
    with SNAPSHOT.open(encoding="utf-8") as f:
        old = {r["id"]: r for r in map(json.loads, f) if r}
    current = {r["id"]: r for r in new}
    if old != current:
        pytest.fail(readable_diff(old, current), pytrace=False)


def test_readable_diff_names_the_question_and_the_field():
    """The failure message says which question changed and how, not just that the file differs."""
    old = {"q1": {"id": "q1", "question": "教育支出是多少？", "value": 5.14, "unit": "亿元",
                  "citations": [{"doc": "a", "start": 1, "end": 9}]},
           "q2": {"id": "q2", "question": "税收收入是多少？", "value": 7.97}}
    new = {"q1": {**old["q1"], "value": 5.2, "citations": [{"doc": "a", "start": 3, "end": 9}]},
           "q3": {"id": "q3", "question": "非税收入是多少？", "value": 3.01}}
    text = readable_diff(old, new)
    assert "q1 教育支出是多少？" in text and "value: 5.14\n      → 5.2" in text
    assert "citations: [a:1-9]\n      → [a:3-9]" in text and "unit" not in text
    assert "q2: question gone" in text and "q3: new question" in text
