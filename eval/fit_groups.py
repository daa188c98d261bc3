"""Fit the group ranker of superlatives (src/qa/data/group_scorer.json) on labelled questions.

    .venv/bin/python eval/fit_groups.py [--corpus DIR] [--index DIR] [--sets A.jsonl …] [--out PATH]
    make fit

A superlative (哪项支出最多) ranges over one of the lists the report gives (groups.py). For every
superlative question of the development sets whose contenders the question does not list itself,
every candidate group is generated exactly as the answerer does, with its features; a group is
right when the member it would answer with (the largest, smallest, fastest-growing …) carries the
gold value. A logistic regression is fitted; the script prints top-1 accuracy cross-validated
with one report left out per fold, beside the hand-set rule it replaces (the introduction's share
of the question's words first, MIN_SAID as the floor).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "eval"))

from fit_scorer import DEFAULT_SETS, _fit, _same, _value, write_model  # noqa: E402

from qa import groups as groups_module  # noqa: E402
from qa.candidates import RowScorer  # noqa: E402
from qa.evaluation.dataset import load_question_set  # noqa: E402
from qa.groups import GROUP_FEATURES, GROUP_SCORER_PATH, extreme  # noqa: E402
from qa.question import QuestionError, parse_question, search_text, validate_question  # noqa: E402


class _RuleOrder:
    """Stands in for the fitted scorer while collecting: groups come in the rule's order, and
    every group gets its features (the rule itself drops those under MIN_SAID)."""

    def prob(self, feats: dict[str, float]) -> float:
        return feats["said_min"] * 10 + round(feats["said"], 1) + feats["fused"] / 100


def collect(engine, sets: list[str]) -> list[dict]:
    """One record per candidate group: features, label, question id, report."""
    answerer = engine._snapshot.answerer
    index = engine.index
    groups_module.group_scorer = lambda: _RuleOrder()
    out = []
    for path in sets:
        for item in load_question_set(ROOT / path if not Path(path).is_absolute() else path):
            if item.type != "superlative" or item.doc not in index.documents or item.answer_value is None:
                continue
            try:
                text = validate_question(item.question)
            except QuestionError:
                continue
            q = parse_question(text, answerer.places)
            if q.qtype != "superlative" or len(q.items) >= 2:
                continue  # contenders listed by the question: no list to choose
            docs, why = answerer.route(q)
            if why:
                continue
            hits = engine._snapshot.retriever.retrieve(search_text(q), 20, docs)
            ranks = {h.chunk.key: r for r, h in enumerate(hits)}
            gold = _value(item.answer_value)
            for g, members, _, feats in answerer.ranked_groups(q, docs, ranks):
                ordered = extreme(members, "value" if q.by == "value" else q.by, q.extreme == "max")
                if not ordered:
                    continue
                win = ordered[0]
                value, unit = (win.change_value, win.change_unit) if q.by != "value" else (win.value, win.unit)
                ok = _same(value, unit, gold, item.answer_unit)
                out.append({"q": f"{Path(path).stem}:{item.id}", "report": item.doc, "y": int(ok),
                            "x": [feats[n] for n in GROUP_FEATURES]})
    return out


def _top1(probs: np.ndarray, qids: np.ndarray, y: np.ndarray) -> dict[str, int]:
    best: dict[str, tuple[float, int]] = {}
    for p, q, label in zip(probs, qids, y):
        if q not in best or p > best[q][0]:
            best[q] = (float(p), int(label))
    return {q: v[1] for q, v in best.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "build" / "corpus-all"))
    ap.add_argument("--index", default=None)
    ap.add_argument("--sets", nargs="+", default=DEFAULT_SETS)
    ap.add_argument("--out", default=str(ROOT / "src" / "qa" / "data" / GROUP_SCORER_PATH))
    args = ap.parse_args(argv)

    from sklearn.model_selection import GroupKFold

    from qa.engine import Engine
    from qa.evaluation.runner import settings_for

    t0 = time.perf_counter()
    engine = Engine.open(settings_for(args.corpus, args.index, None), build_if_missing=True)
    engine.update()
    records = collect(engine, args.sets)
    if not records:
        print("fit_groups: no candidate groups collected", file=sys.stderr)
        return 2
    X = np.array([r["x"] for r in records], dtype=np.float64)
    y = np.array([r["y"] for r in records], dtype=np.int64)
    qids = np.array([r["q"] for r in records])
    reports = np.array([r["report"] for r in records])
    reachable = {q for q, label in zip(qids, y) if label}
    print(f"{len(set(qids))} superlative questions, {len(reachable)} with a right group among the candidates, "
          f"{len(records)} candidate groups, {len(set(reports))} reports")

    rule = _top1(np.array([_RuleOrder().prob(dict(zip(GROUP_FEATURES, x))) for x in X]), qids, y)
    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=len(set(reports))).split(X, y, reports):
        if y[train].sum() == 0:
            continue
        scaler, model = _fit(X[train], y[train])
        oof[test] = model.predict_proba(scaler.transform(X[test]))[:, 1]
    fitted = _top1(oof, qids, y)
    n = len(reachable)
    rule_right = sum(rule[q] for q in reachable)
    fit_right = sum(fitted[q] for q in reachable)
    print(f"top-1 right group, of the {n} reachable questions: rule {rule_right} ({rule_right / n:.1%}), "
          f"fitted (leave one report out) {fit_right} ({fit_right / n:.1%})")
    scaler, model = _fit(X, y)
    scorer = RowScorer(list(GROUP_FEATURES), scaler.mean_.tolist(), scaler.scale_.tolist(),
                       model.coef_[0].tolist(), float(model.intercept_[0]), 0.0, None,
                       {"sets": args.sets, "questions": len(set(qids)), "reachable": n, "groups": len(records),
                        "reports": len(set(reports)), "cv_top1_by_report": round(fit_right / n, 4),
                        "rule_top1": round(rule_right / n, 4), "fitted": time.strftime("%Y-%m-%d")})
    if fit_right <= rule_right:
        # the rule stays: a model has to beat it out of fold to replace it
        print("the fitted ranker does not beat the rule out of fold: not written; the rule orders groups")
        Path(args.out).unlink(missing_ok=True)
        return 0
    write_model(scorer, model, args.out, t0, shown=8)
    return 0


if __name__ == "__main__":
    sys.exit(main())
