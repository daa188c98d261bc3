"""Fit the row scorer (src/qa/data/row_scorer.json) on labelled (question, correct row) pairs.

    .venv/bin/python eval/fit_scorer.py [--corpus ../shared/corpus] [--index DIR] [--sets A.jsonl …]
                                        [--precision 0.9] [--out src/qa/data/row_scorer.json]
    make fit

For every lookup/change question (and English questions asking one figure) of the question sets,
the candidate rows of its asked item are generated exactly as the answerer does (candidates.py);
a candidate is correct when its value (its change, for a change asked) equals the gold answer
value and it stands inside the gold evidence. Unanswerable questions contribute their candidates
as negatives. A logistic regression is fitted; the script prints cross-validated accuracy with
the folds grouped by question and by report (leave one report out: what the numbers say about a
report nobody trained on), and chooses the abstention threshold on out-of-fold probabilities
(each from a model that never saw that question's report) for the stated precision.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qa.candidates import FEATURES, SCORER_PATH, RowScorer, candidate_rows  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluation.dataset import load_question_set, locate_evidence  # noqa: E402
from qa.figures import to_base  # noqa: E402
from qa.question import QuestionError, parse_question, search_text, validate_question  # noqa: E402

# every development set: the dev set, the held-out sets, the sets over the reports added later
# and the blind sets that became development material after their first contact (blind1-6; their
# reports are in ../shared/corpus/blind; questions of reports not indexed are skipped)
DEFAULT_SETS = ["eval/dev.jsonl", *sorted(str(p.relative_to(ROOT)) for pat in ("heldout*.jsonl", "newdev*.jsonl")
                                          for p in (ROOT / "eval").glob(pat)),
                *(f"eval/blind{i}.jsonl" for i in range(1, 7))]


def _value(s: str | None) -> Decimal | None:
    try:
        return Decimal(str(s).replace(",", "")) if s is not None else None
    except InvalidOperation:
        return None


def _same(a: Decimal | None, unit_a: str | None, b: Decimal | None, unit_b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        (x, dx), (y, dy) = to_base(a, unit_a or ""), to_base(b, unit_b or "")
    except Exception:
        return False
    return dx == dy and x == y


def collect(engine, sets: list[str]) -> tuple[list[dict], dict]:
    """One record per candidate row: features, label, question id, report; and per-question facts."""
    answerer = engine._snapshot.answerer
    answerer.use_scorer = False  # whether the matcher alone abstains
    index = engine.index
    records, questions = [], {}
    for path in sets:
        for item in load_question_set(ROOT / path if not Path(path).is_absolute() else path):
            if item.type not in ("lookup", "change", "english", "unanswerable"):
                continue
            if item.type == "english" and (item.answer_entity or item.answer_value is None):
                continue
            if item.doc and item.doc not in index.documents:
                continue
            try:
                text = validate_question(item.question)
            except QuestionError:
                continue
            q = parse_question(text, answerer.places)
            if q.qtype not in ("lookup", "change") or not q.items:
                continue
            docs, why = answerer.route(q)
            if why:
                continue
            qid = f"{Path(path).stem}:{item.id}"
            matcher = answerer.answer(text)
            hits = engine._snapshot.retriever.retrieve(search_text(q), 20, docs)
            ranks = {h.chunk.key: r for r, h in enumerate(hits)}
            cands, _ = candidate_rows(answerer, q.items[0], q, docs, ranks)
            gold = _value(item.answer_value)
            spans = [s for g in locate_evidence(item, index.documents[item.doc].text) for s in g] \
                if item.answerable else []
            change = q.attribute == "change" or item.type == "change"
            for c in cands:
                f = c.fig
                value, unit = (f.change_value, f.change_unit) if change and f.change_value is not None \
                    else (f.value, f.unit)
                inside = any(d == f.doc and s <= f.start and f.end <= e for d, s, e in spans)
                ok = item.answerable and inside and (_same(value, unit, gold, item.answer_unit)
                                                     or _same(f.value, f.unit, gold, item.answer_unit))
                records.append({"q": qid, "report": item.doc or "?", "y": int(ok),
                                "x": [c.features.get(n, 0.0) for n in FEATURES]})
            questions[qid] = {"answerable": item.answerable, "report": item.doc,
                              "matcher_abstained": matcher.status == "abstained", "n": len(cands)}
    return records, questions


def _fit(X: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=0.5, max_iter=2000).fit(scaler.transform(X), y)
    return scaler, model


def _top(records_idx: list[int], probs: np.ndarray, qids: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, int]]:
    """Per question: (probability of its best candidate, whether that candidate is correct)."""
    best: dict[str, tuple[float, int]] = {}
    for i in records_idx:
        if qids[i] not in best or probs[i] > best[qids[i]][0]:
            best[qids[i]] = (float(probs[i]), int(y[i]))
    return best


def cross_validate(X, y, qids, groups, n_splits: int | None = None,
                   oof: np.ndarray | None = None) -> dict[str, tuple[float, int]]:
    """Out-of-fold best candidate per question, folds grouped by `groups` (and, into `oof`
    (shape (n_rows,)), every row's out-of-fold probability)."""
    from sklearn.model_selection import GroupKFold

    uniq = sorted(set(groups))
    k = n_splits or len(uniq)
    out: dict[str, tuple[float, int]] = {}
    for train, test in GroupKFold(n_splits=min(k, len(uniq))).split(X, y, groups):
        if y[train].sum() == 0:
            continue
        scaler, model = _fit(X[train], y[train])
        probs = model.predict_proba(scaler.transform(X[test]))[:, 1]
        if oof is not None:
            oof[test] = probs
        out.update(_top(list(range(len(test))), probs, qids[test], y[test]))
    return out


def choose_rerank_margin(X, y, qids, oof: np.ndarray, questions: dict) -> tuple[float, dict]:
    """How much more probable than the lexical matcher's top row the scorer's top row must be to
    replace it, chosen on out-of-fold probabilities: the margin with the most questions right
    (ties: the larger margin, the smaller change). 1.01 = never replace."""
    lex = X[:, FEATURES.index("lex_matcher")] + 1e-6 * X[:, FEATURES.index("dense_desc")]
    by_q: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(qids):
        by_q[q].append(i)
    pairs = []  # (p_scorer_top - p_matcher_top, scorer top right, matcher top right)
    for q, rows in by_q.items():
        if not questions[q]["answerable"] or not any(lex[i] > 0 for i in rows):
            continue  # the matcher had no row: nothing to re-rank
        m = max(rows, key=lambda i: lex[i])
        b = max(rows, key=lambda i: oof[i])
        pairs.append((oof[b] - oof[m], int(y[b]), int(y[m])))
    results = {}
    for margin in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.01):
        results[margin] = sum(sb if d >= margin and d > 0 else sm for d, sb, sm in pairs)
    best = max(results.values()) if results else 0
    chosen = max(m for m, r in results.items() if r == best) if results else 1.01
    return chosen, {"questions": len(pairs), "right_by_margin": {str(m): r for m, r in results.items()}}


def _summary(name: str, best: dict[str, tuple[float, int]], questions: dict) -> float:
    answerable = [q for q in best if questions[q]["answerable"]]
    reachable = [q for q in answerable if questions[q]["has_positive"]]
    acc_all = np.mean([best[q][1] for q in answerable]) if answerable else float("nan")
    acc_reach = np.mean([best[q][1] for q in reachable]) if reachable else float("nan")
    print(f"  {name}: top-1 correct {acc_reach:.1%} of {len(reachable)} questions whose correct row is a "
          f"candidate; {acc_all:.1%} of all {len(answerable)} answerable")
    return float(acc_reach)


def choose_threshold(best: dict[str, tuple[float, int]], questions: dict, precision: float) -> tuple[float, dict]:
    """Lowest threshold whose answers (best candidate's probability >= t) are right at least
    `precision` of the time among questions the matcher abstained on (where the scorer is used);
    an unanswerable question answered counts as wrong."""
    pop = [q for q in best if questions[q]["matcher_abstained"]]
    if len(pop) < 20:
        pop = list(best)
    scored = sorted(((best[q][0], best[q][1] and questions[q]["answerable"]) for q in pop), reverse=True)
    chosen, right, info = 1.0, 0, {"population": len(pop), "answered": 0, "right": 0}
    for n, (p, ok) in enumerate(scored, 1):
        right += bool(ok)
        if right / n >= precision and p < chosen:
            chosen, info = p, {"population": len(pop), "answered": n, "right": right}
    return chosen, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "build" / "corpus-all"))
    ap.add_argument("--index", default=None, help="index folder (default: the eval index of the corpus)")
    ap.add_argument("--sets", nargs="+", default=DEFAULT_SETS)
    ap.add_argument("--precision", type=float, default=0.9)
    ap.add_argument("--out", default=str(SCORER_PATH))
    ap.add_argument("--features-cache", default=None, help="reuse/save collected features (JSON)")
    args = ap.parse_args(argv)

    from qa.engine import Engine
    from qa.evaluation.runner import settings_for

    t0 = time.perf_counter()
    cache = Path(args.features_cache) if args.features_cache else None
    if cache and cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        stems = {Path(s).stem for s in args.sets}  # a cache of more sets serves a fit on fewer
        records = [r for r in data["records"] if r["q"].split(":")[0] in stems]
        questions = {k: v for k, v in data["questions"].items() if k.split(":")[0] in stems}
    else:
        settings: Settings = settings_for(args.corpus, args.index, None)
        engine = Engine.open(settings, build_if_missing=True)
        engine.update()
        if engine.index.rows is None:
            print("fit: the index has no row index; rebuild it with: qa index --rebuild", file=sys.stderr)
            return 2
        records, questions = collect(engine, args.sets)
        if cache:
            cache.write_text(json.dumps({"records": records, "questions": questions}), encoding="utf-8")
    if not records:
        print("fit: no candidate rows collected (are the question sets' reports indexed?)", file=sys.stderr)
        return 2
    X = np.array([r["x"] for r in records], dtype=np.float64)
    y = np.array([r["y"] for r in records], dtype=np.int64)
    qids = np.array([r["q"] for r in records])
    reports = np.array([r["report"] for r in records])
    pos = defaultdict(int)
    for r in records:
        pos[r["q"]] += r["y"]
    for q, info in questions.items():
        info["has_positive"] = pos[q] > 0
    answerable = [q for q in questions if questions[q]["answerable"]]
    print(f"{len(questions)} questions ({len(answerable)} answerable, "
          f"{sum(questions[q]['has_positive'] for q in answerable)} with the correct row among the candidates), "
          f"{len(records)} candidate rows, {len(set(reports))} reports, sets: {' '.join(args.sets)}")

    print("cross-validated (logistic regression):")
    by_question = cross_validate(X, y, qids, qids, n_splits=5)
    cv_q = _summary("folds grouped by question (5)", by_question, questions)
    oof = np.zeros(len(y))
    by_report = cross_validate(X, y, qids, reports, oof=oof)
    cv_r = _summary(f"folds grouped by report (leave one of {len(set(reports))} out)", by_report, questions)
    lex = FEATURES.index("lex_matcher")
    lexical = _top(list(range(len(y))), X[:, lex] + 1e-6 * X[:, FEATURES.index("dense_desc")], qids, y)
    cv_l = _summary("baseline: the lexical matcher's score alone", lexical, questions)

    threshold, info = choose_threshold(by_report, questions, args.precision)
    print(f"threshold {threshold:.3f} for precision >= {args.precision:.0%} on out-of-fold (by report) "
          f"probabilities of the {info['population']} questions the matcher abstains on: "
          f"answers {info['answered']}, right {info['right']}")

    margin, rerank = choose_rerank_margin(X, y, qids, oof, questions)
    print(f"re-rank margin {margin:.2f} (out-of-fold, by report, over the {rerank['questions']} answerable "
          f"questions the matcher has a row for; right by margin: {rerank['right_by_margin']})")

    scaler, model = _fit(X, y)
    scorer = RowScorer(list(FEATURES), scaler.mean_.tolist(), scaler.scale_.tolist(),
                       model.coef_[0].tolist(), float(model.intercept_[0]), threshold, args.precision,
                       {"sets": args.sets, "questions": len(questions), "candidates": len(records),
                        "reports": len(set(reports)), "cv_top1_by_question": round(cv_q, 4),
                        "cv_top1_by_report": round(cv_r, 4), "lexical_top1": round(cv_l, 4),
                        "threshold_population": info, "rerank_margin": margin, "rerank": rerank,
                        "fitted": time.strftime("%Y-%m-%d")})
    write_model(scorer, model, args.out, t0)
    return 0


def write_model(scorer: RowScorer, model, out: str, t0: float, shown: int = 10) -> None:
    """Write a fitted model's JSON and say which weights are largest."""
    Path(out).write_text(json.dumps(scorer.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    weights = sorted(zip(scorer.names, model.coef_[0]), key=lambda kv: -abs(kv[1]))
    print("largest weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in weights[:shown]))
    print(f"wrote {out} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
