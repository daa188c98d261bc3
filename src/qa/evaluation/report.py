"""Evaluation results: assemble (per system: overall, per type, failures) and render.

    results = build_results(questions, runs, meta)   # JSON-ready dict
    to_markdown(results) -> str                       # for people
    write_json(results, path)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from .dataset import TYPES, Question
from .evaluators import Case, summarize

# (key, label, kind) in table order; kind: pct | ms | int | num
METRIC_ROWS = (
    ("answer_acc", "answer correct", "pct"),
    ("value_acc", "value correct", "pct"),
    ("direction_acc", "direction correct (change)", "pct"),
    ("entity_acc", "entity correct (compare/superlative)", "pct"),
    ("citation_acc", "citation overlaps evidence", "pct"),
    ("hit@1", "descriptive hit@1", "pct"),
    ("hit@3", "descriptive hit@3", "pct"),
    ("abstain_precision", "abstention precision", "pct"),
    ("abstain_recall", "abstention recall", "pct"),
    ("false_abstain_rate", "abstained on answerable", "pct"),
    ("recall@1", "evidence recall@1", "pct"),
    ("recall@3", "evidence recall@3", "pct"),
    ("recall@5", "evidence recall@5", "pct"),
    ("mrr", "evidence MRR", "num"),
    ("routed_acc", "answered from the question's own report (first citation)", "pct"),
    ("foreign_rate", "figure answers citing another report", "pct"),
    ("p50_ms", "latency p50", "ms"),
    ("p95_ms", "latency p95", "ms"),
)
TYPE_COLUMNS = ("answer_acc", "value_acc", "direction_acc", "entity_acc", "citation_acc", "hit@1", "hit@3",
                "recall@1", "recall@3", "recall@5", "mrr", "p50_ms", "p95_ms")
_SHORT = {"answer_acc": "answer", "value_acc": "value", "direction_acc": "direction", "entity_acc": "entity",
          "citation_acc": "citation", "recall@1": "R@1", "recall@3": "R@3", "recall@5": "R@5", "mrr": "MRR",
          "p50_ms": "p50 ms", "p95_ms": "p95 ms"}
_KIND = {k: kind for k, _, kind in METRIC_ROWS}


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "ms":
        return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    if kind == "int":
        return str(int(value))
    return f"{value:.3f}"


def failure_reasons(case: Case, fields: dict[str, Any]) -> list[str]:
    """Why a question was scored wrong, in words."""
    q, r = case.question, case.record
    why = []
    if r.get("status") not in ("answered", "abstained"):
        return [f"system {r.get('status')}: {r.get('answer')}"]
    if not q.answerable:
        return ["answered an unanswerable question"] if not fields.get("abstained") else []
    if fields.get("abstained"):
        return [f"abstained on an answerable question ({r.get('status')})"]
    got_value = f"{r.get('value')}{r.get('unit') or ''}" if r.get("value") is not None else "no value"
    if fields.get("value_ok") is False:
        if r.get("kind") == "passage":
            why.append("top passage does not contain the evidence")
        else:
            why.append(f"value {got_value} != gold {q.answer_value}{q.answer_unit or ''}")
    if fields.get("direction_ok") is False and r.get("kind") != "passage":
        why.append(f"direction {r.get('direction')} != gold ({q.answer_text})")
    if fields.get("entity_ok") is False and r.get("kind") != "passage":
        why.append(f"entity {r.get('entity')} != gold {q.answer_entity}")
    if not why and fields.get("correct") is False:
        why.append("top passage does not overlap the evidence")
    if fields.get("citation_ok") is False:
        why.append("no citation overlaps the evidence")
    return why


def system_results(cases: Sequence[Case], scored: Sequence[dict[str, Any]], description: str = ""
                   ) -> dict[str, Any]:
    """One system's overall and per-type metrics, failures, and compact per-question rows."""
    by_type = {}
    for t in TYPES:
        rows = [s for s in scored if s["type"] == t]
        if rows:
            by_type[t] = summarize(rows)
    failures, questions = [], []
    for c, s in zip(cases, scored):
        r = c.record
        first = (r.get("citations") or [None])[0]
        row = {**s, "status": r.get("status"), "value": r.get("value"), "unit": r.get("unit"),
               "direction": r.get("direction"), "entity": r.get("entity"),
               "top_citation": None if first is None else {k: first.get(k) for k in ("doc", "start", "end")}}
        # None means "does not apply" or "not given": leave it out to keep the JSON readable
        questions.append({k: v for k, v in row.items() if v is not None or k in ("correct", "top_citation")})
        if s.get("correct") is False or s.get("citation_ok") is False:
            failures.append({"id": c.question.id, "type": c.question.type, "question": c.question.question,
                             "gold": c.question.gold(), "got": {k: r.get(k) for k in (
                                 "status", "kind", "answer", "value", "unit", "direction", "entity")},
                             "top_citation": first and {k: first.get(k) for k in ("doc", "start", "end", "text")},
                             "answer_correct": s.get("correct"),
                             "reasons": failure_reasons(c, s)})
    for f in failures:  # passages can be long; the failure list is for reading
        top = f["top_citation"] or {}
        if top.get("text") == f["got"].get("answer"):
            top.pop("text")  # a passage answer is its top citation: keep it once
        for holder in (f["got"], top):
            for key in ("answer", "text"):
                if isinstance(holder.get(key), str) and len(holder[key]) > 200:
                    holder[key] = holder[key][:200] + "…"
    return {"description": description, "overall": summarize(scored), "by_type": by_type,
            "failures": failures, "questions": questions}


def build_results(meta: dict[str, Any], systems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"meta": meta, "systems": systems}


def write_json(results: dict[str, Any], path: str | Path) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")


def side_by_side(results: dict[str, Any]) -> str:
    """The overall table: one row per metric, one column per system (Markdown)."""
    names = list(results["systems"])
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label, kind in METRIC_ROWS:
        vals = [results["systems"][n]["overall"].get(key) for n in names]
        if all(v is None for v in vals):
            continue
        lines.append(f"| {label} | " + " | ".join(fmt(v, kind) for v in vals) + " |")
    return "\n".join(lines)


def _cell(text: Any, limit: int = 80) -> str:
    s = "" if text is None else str(text)
    s = s.replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def to_markdown(results: dict[str, Any], max_failures: int | None = None) -> str:
    """The report for people: run facts, side-by-side table, accuracy by type, our per-type
    metrics, invalid questions and our failures."""
    meta, systems = results["meta"], results["systems"]
    names = list(systems)
    main = names[0]
    out = [f"# Evaluation: {Path(str(meta.get('set', ''))).name}", ""]
    out.append(f"- questions: {meta.get('questions')} ({meta.get('scored')} scored"
               + (f", {len(meta.get('invalid') or {})} invalid" if meta.get("invalid") else "") + ")")
    for key in ("corpus", "index", "model", "k", "date", "commit", "machine"):
        if meta.get(key) is not None:
            out.append(f"- {key}: {meta[key]}")
    if meta.get("seconds") is not None:
        out.append(f"- wall time: {meta['seconds']:.0f} s (setup {meta.get('setup_seconds', 0):.0f} s)")
    out.append("")
    out.append("## Side by side")
    out.append("")
    out.append("\n".join(f"- **{n}**: {systems[n].get('description', '')}" for n in names))
    out.append("")
    out.append(side_by_side(results))
    out.append("")
    out.append("Passage systems (kind `passage`) count as right on a figure question when their top passage "
               "contains the gold evidence; they never abstain.")
    out.append("")

    out.append("## Answer correct by type")
    out.append("")
    types = [t for t in TYPES if any(t in systems[n]["by_type"] for n in names)]
    out.append("| type | n | " + " | ".join(names) + " |")
    out.append("|---|---:|" + "---:|" * len(names))
    for t in types:
        n_q = systems[main]["by_type"].get(t, {}).get("n")
        out.append(f"| {t} | {n_q} | " + " | ".join(
            fmt(systems[n]["by_type"].get(t, {}).get("answer_acc"), "pct") for n in names) + " |")
    out.append("")

    for n in names:
        out.append(f"## {n}: metrics by type")
        out.append("")
        out.append("| type | n | " + " | ".join(_SHORT.get(c, c) for c in TYPE_COLUMNS) + " |")
        out.append("|---|---:|" + "---:|" * len(TYPE_COLUMNS))
        rows = list(systems[n]["by_type"].items()) + [("**all**", systems[n]["overall"])]
        for t, m in rows:
            out.append(f"| {t} | {m.get('n')} | " + " | ".join(fmt(m.get(c), _KIND.get(c, 'pct'))
                                                             for c in TYPE_COLUMNS) + " |")
        out.append("")

    if meta.get("invalid"):
        out.append("## Invalid questions (not scored)")
        out.append("")
        for qid, problems in meta["invalid"].items():
            out.append(f"- `{qid}`: {'; '.join(problems)}")
        out.append("")

    fails = systems[main]["failures"]
    out.append(f"## Failures of {main} ({len(fails)})")
    out.append("")
    if fails:
        out.append("| id | type | question | gold | got | why |")
        out.append("|---|---|---|---|---|---|")
        for f in fails[:max_failures] if max_failures else fails:
            g, r = f["gold"], f["got"]
            gold = g.get("entity") or (f"{g.get('value')}{g.get('unit') or ''}" if g.get("value") else
                                       (g.get("text") or ("(abstain)" if f["type"] == "unanswerable" else "")))
            if r.get("status") == "abstained":
                got = "(abstained)"
            elif r.get("status") != "answered":
                got = f"({r.get('status')})"
            elif r.get("kind") == "passage":
                got = "passage: " + (r.get("answer") or "")
            else:
                got = r.get("answer") or f"{r.get('value')}{r.get('unit') or ''}"
            out.append(f"| {_cell(f['id'], 20)} | {f['type']} | {_cell(f['question'], 50)} | {_cell(gold, 30)} | "
                       f"{_cell(got, 50)} | {_cell('; '.join(f['reasons']), 70)} |")
    out.append("")
    return "\n".join(out)
