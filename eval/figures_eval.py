"""Precision/recall of the figure extractor against the hand-annotated gold set.

    PYTHONPATH=src .venv/bin/python eval/figures_eval.py [--gold eval/gold_figures.jsonl]
        [--corpus ../shared/corpus] [--quiet] [--json]

A predicted row and a gold row match when they are in the same report and
  * value: equal as numbers (Decimal of value_text), and
  * unit: equal after full-width normalisation, and
  * item: `item_match(gold, predicted)` for the gold item or one of its `alt_items`.

item_match: both are normalised (full-width -> ASCII, spaces, quotes “”‘’"'《》 and footnote
markers ①② removed, notes in parentheses such as （含…） dropped, a trailing 等 dropped); they match
when equal, or when one contains the other, the shorter has at least 3 characters and both end
in the same 2 characters (the head noun: 教育支出 ⊂ 2023年教育支出 matches, 支出 vs 教育支出 does
not, 新增债券 vs 新增债券资金 does not). The gold file lists `alt_items` where a person could
equally name the figure another way (放款 / 财园信贷通放款).

A gold row may carry `region` [start, end): the report is annotated only there, and predictions
outside it are not scored. Rows are paired one-to-one, first those at the same offset, then the rest in text order.
Precision = matched predictions / predictions; recall = matched gold rows / gold rows.
Also reported: for matched rows whose gold has a direction, whether the predicted direction has
the same sign (增长/增加/提高 up, 下降/减少 down, 持平 flat) and the same change value.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qa.figures import extract_figures, normalize_text, parse_number  # noqa: E402
from qa.records import Document  # noqa: E402

DEFAULT_GOLD = ROOT / "eval" / "gold_figures.jsonl"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

_DROP = re.compile(r"[\s“”‘’\"'《》「」『』\u2460-\u2473]")
_NOTE = re.compile(r"\((?:含|不含|包括|包含)[^()]*\)")
_UP = {"增长", "增加", "提高", "上升"}
_DOWN = {"下降", "减少", "降低"}


def norm_item(s: str) -> str:
    s = normalize_text(s or "")
    s = _NOTE.sub("", s)
    s = _DROP.sub("", s)
    return s.rstrip("等")


def item_match(gold: str, pred: str) -> bool:
    """Gold item vs predicted item, by the rule in the module docstring."""
    g, p = norm_item(gold), norm_item(pred)
    if not g or not p:
        return False
    if g == p:
        return True
    short, long_ = (g, p) if len(g) <= len(p) else (p, g)
    return len(short) >= 3 and short in long_ and short[-2:] == long_[-2:]


def _sign(direction: str | None) -> str | None:
    if not direction:
        return None
    if direction in _UP:
        return "up"
    if direction in _DOWN:
        return "down"
    return "flat" if direction == "持平" else direction


def _num(s) -> Decimal | None:
    if s in (None, ""):
        return None
    try:
        return parse_number(str(s))
    except ValueError:
        return None


def _row_matches(g: dict, p) -> bool:
    if normalize_text(g["unit"]) != normalize_text(p.unit):
        return False
    if _num(g["value_text"]) != p.value:
        return False
    return any(item_match(it, p.item) for it in [g["item"], *g.get("alt_items", [])])


def evaluate(gold_rows: list[dict], corpus: Path) -> dict:
    """Run the extractor on every report of the gold set; return per-report and overall counts
    plus the failures (missed gold rows, spurious predictions)."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in gold_rows:
        by_doc[r["doc"]].append(r)
    result = {"reports": {}, "missed": [], "spurious": [], "direction": {"checked": 0, "sign_ok": 0, "value_ok": 0, "wrong": []}}
    tot = {"gold": 0, "pred": 0, "tp_gold": 0, "tp_pred": 0}
    for doc_name, gold in by_doc.items():
        path = corpus / f"{doc_name}.txt"
        text = path.read_text(encoding="utf-8")
        doc = Document(name=doc_name, text=text, path=str(path))
        preds = extract_figures(doc)
        regions = {tuple(g["region"]) for g in gold if g.get("region")}
        if regions:  # a partly annotated report: only predictions inside the annotated part count
            preds = [p for p in preds if any(a <= p.start < b for a, b in regions)]
        used_p: set[int] = set()
        pairs: dict[int, int] = {}
        # pass 1: same offset; pass 2: anywhere (nearest offset first)
        for gi, g in enumerate(gold):
            for pi, p in enumerate(preds):
                if pi not in used_p and p.start == g.get("start") and _row_matches(g, p):
                    pairs[gi] = pi
                    used_p.add(pi)
                    break
        for gi, g in enumerate(gold):
            if gi in pairs:
                continue
            cands = [pi for pi, p in enumerate(preds) if pi not in used_p and _row_matches(g, p)]
            if cands:
                pi = min(cands, key=lambda k: abs(preds[k].start - g.get("start", 0)))
                pairs[gi] = pi
                used_p.add(pi)
        tp = len(pairs)
        rep = {"gold": len(gold), "pred": len(preds), "tp": tp,
               "precision": tp / len(preds) if preds else 0.0,
               "recall": tp / len(gold) if gold else 0.0}
        result["reports"][doc_name] = rep
        tot["gold"] += len(gold)
        tot["pred"] += len(preds)
        tot["tp_gold"] += tp
        for gi, g in enumerate(gold):
            if gi not in pairs:
                near = [p for p in preds if p.start == g.get("start")]
                result["missed"].append({**g, "predicted_here": [(p.item, p.value_text, p.unit) for p in near]})
            elif g.get("direction"):
                p = preds[pairs[gi]]
                d = result["direction"]
                d["checked"] += 1
                sign_ok = _sign(p.direction) == _sign(g["direction"])
                val_ok = _num(g.get("change_value")) == p.change_value
                d["sign_ok"] += sign_ok
                d["value_ok"] += val_ok if "change_value" in g else sign_ok
                if not sign_ok or ("change_value" in g and not val_ok):
                    d["wrong"].append((doc_name, g["item"], g["value_text"], g.get("direction"), g.get("change_value"),
                                       p.direction, None if p.change_value is None else str(p.change_value)))
        gold_at = {g.get("start") for g in gold}
        for pi, p in enumerate(preds):
            if pi not in used_p:
                ctx = text[max(0, p.start - 16):p.end + 4].replace("\n", "⏎")
                result["spurious"].append({"doc": doc_name, "item": p.item, "value_text": p.value_text, "unit": p.unit,
                                           "start": p.start, "gold_here": p.start in gold_at, "context": ctx})
    result["overall"] = {"gold": tot["gold"], "pred": tot["pred"], "tp": tot["tp_gold"],
                         "precision": tot["tp_gold"] / tot["pred"] if tot["pred"] else 0.0,
                         "recall": tot["tp_gold"] / tot["gold"] if tot["gold"] else 0.0}
    return result


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--quiet", action="store_true", help="only the scores")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    res = evaluate(load_gold(args.gold), args.corpus)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1, default=str))
        return 0
    if not args.quiet:
        for m in res["missed"]:
            print(f"MISSED  {m['doc'][:24]:24} {m['item']} = {m['value_text']}{m['unit']}"
                  f"   predicted here: {m['predicted_here']}")
        for s in res["spurious"]:
            tag = "WRONG-ITEM" if s["gold_here"] else "SPURIOUS"
            print(f"{tag:10} {s['doc'][:24]:24} {s['item']} = {s['value_text']}{s['unit']}   …{s['context']}…")
        for w in res["direction"]["wrong"]:
            print(f"DIRECTION {w}")
        print()
    print(f"{'report':45} {'gold':>5} {'pred':>5} {'tp':>5} {'P':>7} {'R':>7}")
    for name, r in res["reports"].items():
        print(f"{name:45} {r['gold']:5} {r['pred']:5} {r['tp']:5} {r['precision']:7.1%} {r['recall']:7.1%}")
    o = res["overall"]
    print(f"{'OVERALL':45} {o['gold']:5} {o['pred']:5} {o['tp']:5} {o['precision']:7.1%} {o['recall']:7.1%}")
    d = res["direction"]
    if d["checked"]:
        print(f"changes on matched rows: direction sign {d['sign_ok']}/{d['checked']}, "
              f"change value {d['value_ok']}/{d['checked']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
