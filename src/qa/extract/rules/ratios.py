"""Ratios and shares: 为预算的N% / 占…的N% (a ratio of the figure before), 完成率/占比 named as the
item, and the budget or prior-year figure a ratio is taken of (完成预算数X亿元的N%)."""
from __future__ import annotations

import re

from ..direction import _RATIO_OF
from ..lexicon import _lexicon
from ..phrases import _strip_leading
from ..registry import Cand, Sentence, base_for, rule


@rule("ratios.ratio_of", 80, examples=("全市社会保险基金收入60.57亿元，为预算的101.27%。",
                                       "教育支出8.27亿元，占一般公共预算支出18.57%。"))
def ratio_of(s: Sentence, c: Cand) -> bool | str:
    """为预算的N% / 占一般公共预算支出N% / 完成预算数X亿元的N%: a ratio, not an amount."""
    if c.m.unit != "%":
        return False
    hit = _RATIO_OF.search(c.seg)
    if hit:
        c.ratio_of, c.seg = True, c.seg[: hit.start()]
        return "of"
    if re.match(r"(?:[,，]?)占[^,;:。]{1,30}$", _strip_leading(c.seg)) and s.rows:
        c.ratio_of, c.seg = True, ""
        return "share"
    if c.seg == "的" and s.rows and s.rows[-1].baseline:
        c.ratio_of, c.seg = True, ""
        return "of_baseline"
    return False


@rule("ratios.ratio_word", 120, examples=("直达资金支付进度72%。",))
def ratio_word(s: Sentence, c: Cand) -> bool:
    """完成率/支付进度/占比 names a ratio; 占比 alone is the share of the figure before."""
    words = _lexicon().lex["ratios.ratio_words"]
    if not (c.item in words or c.item.endswith(tuple(words))):
        return False
    c.row.kind, c.row.measure = "ratio", "ratio"
    if len(c.item) <= 2:
        base = base_for(s.rows, c.row.depth, need_free=False)
        if base is not None:
            c.item = base.item + c.item
    return True


@rule("ratios.baseline_figure", 130, examples=("全县一般公共预算支出完成45.37亿元，完成预算数48.0亿元的94.4%。",))
def baseline_figure(s: Sentence, c: Cand) -> bool:
    """完成预算数X亿元的N% / 较上年的X亿元: the budget (or compared) figure of the item before."""
    lex = _lexicon().lex
    if not (c.baseline or c.item in lex["ratios.baseline_items"]):
        return False
    base = base_for(s.rows, c.row.depth, need_free=False)
    if base is None:
        return False
    c.row.baseline = True
    if not c.baseline:
        c.row.status = lex["ratios.baseline_status"].get(c.item, "")
        c.row.prev_year = c.item in lex["ratios.previous_year_baselines"]
    c.item = base.item
    return True


@rule("ratios.of_figure", 160, examples=("全市社会保险基金收入60.57亿元，为预算的101.27%。",))
def of_figure(s: Sentence, c: Cand) -> bool:
    """A ratio of the figure before is that figure's item (the outer one for a ratio in parentheses)."""
    if not c.ratio_of:
        return False
    c.row.kind, c.row.measure = "ratio", "ratio"
    depth = c.row.depth
    base = base_for(s.rows, depth, need_free=False)
    if base is None and depth > 0:
        base = base_for(s.rows, depth - 1, need_free=False)
    if not c.item and base is not None:
        c.item = base.item
    return True
