"""Parents: 其中/主要是/包括 (the figure before is the parent), 在…中 (the phrase names it), and a
figure in parentheses (the figure outside them)."""
from __future__ import annotations

import re
from decimal import Decimal

from ..lexicon import _lexicon, _words
from ..mentions import _CJK
from ..phrases import clean_item
from ..registry import Cand, Row, Sentence, base_for, final_rule, rule


@rule("parents.marker", 10, examples=("全区一般公共预算收入8.42亿元，其中税收收入6.10亿元。",))
def marker(s: Sentence, c: Cand) -> bool:
    """其中/主要是/包括 before the number: what follows is part of the figure before it (or of
    the last sentence's lead figure, when this sentence names no subject of its own first)."""
    marker_txt = s.t[s.consumed if s.rows else s.a:c.m.start]
    # …下降8.4%，主要是原油价格下降影响；: a stated reason, not the parts of a figure
    marker_txt = re.sub(_lexicon().lex["context.note_pattern"], "", marker_txt)
    for pm in _words("parents.markers"):
        if pm in marker_txt:
            base = base_for(s.rows, c.row.depth, need_free=False)
            pre = marker_txt[: marker_txt.find(pm)]
            if base is not None:
                s.parent = base.item
                return True
            if s.prev_lead is not None and len(_CJK.findall(pre)) <= 8:
                s.parent = s.prev_lead.item
                return True
            return False
    return False


@rule("parents.in_phrase", 20, examples=("在民生支出中，教育支出3.27亿元，卫生健康支出1.183亿元。",))
def in_phrase(s: Sentence, c: Cand) -> bool:
    """在民生支出中，…: the phrase names the parent of the figures after it."""
    if s.in_match is None:
        s.in_match = re.search(_lexicon().lex["parents.in_pattern"], s.t[s.a:s.b]) or False
    m = s.in_match
    if m and s.a + m.end() <= c.m.start and not s.parent:
        s.parent, _ = clean_item(m.group(1))
        return True
    return False


@rule("parents.assign", 30, examples=("债务余额98.67亿元（一般债务60.13亿元，专项债务38.5亿元）。",))
def assign(s: Sentence, c: Cand) -> bool | str:
    """A figure in parentheses belongs to the figure outside them; else the sentence's parent."""
    if c.row.depth > 0:
        outer = base_for(s.rows, c.row.depth - 1, need_free=False)
        c.row.parent = outer.item if outer else s.parent
        return "parenthesis" if outer else bool(c.row.parent)
    c.row.parent = s.parent
    return bool(c.row.parent)


@rule("parents.scope_breakdown", 230, examples=("年末政府债务余额120.57亿元，其中：市本级70.27亿元，县区50.39亿元。",))
def scope_breakdown(s: Sentence, c: Cand) -> bool:
    """其中：市本级X亿元，县区X亿元: a scope word alone names a part of the parent figure."""
    if not (c.row.scope_only and not c.item):
        return False
    if c.row.kind == "level":
        c.item = c.row.parent or (s.prev_lead.item if s.prev_lead else "")
        last = _last_named(s.rows, c.row)
        if last is not None and last.parent == c.row.parent and last.item != c.item:
            # 其中，一般债券X亿元，省级留用Y亿元，转贷市县Z亿元: the levels split the figure just
            # before them (a part of the 其中 list), not the list's whole
            c.item = c.row.parent = last.item
    else:
        base = base_for(s.rows, c.row.depth, need_free=False)
        c.item = base.item if base else ""
    return True


def _last_named(rows: list[Row], row: Row) -> Row | None:
    """The last level figure before `row` at its depth that names an item (the levels of a
    breakdown, 省级X，市县Y, are passed over); None when several named figures stand between
    an earlier level of the breakdown and `row` (市本级X，主要是A、B、C…，县区Y: the list is the
    first level's detail, and Y is the whole's other level)."""
    before = [r for r in rows if r is not row and r.kind == "level" and r.depth == row.depth and not r.baseline]
    while before and before[-1].scope_only:
        before.pop()  # (the levels just before: 省级X, then 市县Y splits the same figure)
    last = None
    count = 0
    for r in reversed(before):
        if r.scope_only:
            return last if count == 1 else None
        last = last or r
        count += 1
    return last


def _adds_up(parts: list[Row], whole: Row) -> bool:
    """The parts' values sum to the whole's, up to the rounding of the figures as written."""
    total = sum((p.m.value for p in parts), Decimal(0))
    places = max(-min(int(x.m.value.as_tuple().exponent), 0) for x in [*parts, whole])
    return abs(total - whole.m.value) <= Decimal(len(parts)) * Decimal(10) ** -places / 2


@final_rule("parents.sum_of_parts", examples=(
    "全市政府债务余额为19.03亿元。按类型分，一般债务余额4.04亿元，专项债务余额14.99亿元。按级次分，市级5.82亿元，区县级13.21亿元。",))
def sum_of_parts(s: Sentence) -> list[Row]:
    """A scope breakdown (市级X，区县级Y) names no item; the figure it breaks down is the one its
    parts add up to — in this sentence or an earlier one of the paragraph — not merely the last
    figure before it (按类型分，一般债务余额… stands between the total and its breakdown by level)."""
    parts = [r for r in s.rows if "parents.scope_breakdown" in r.rules and r.kind == "level"]
    if len(parts) < 2 or len({p.m.unit for p in parts}) > 1 or len({p.item for p in parts}) > 1:
        return []
    before = [r for r in (*s.earlier, *s.rows) if r.kind == "level" and r.m.start < parts[0].m.start
              and r.m.unit == parts[0].m.unit and r.item and not r.scope_only and r not in parts]
    if any(r.item == parts[0].item and _adds_up(parts, r) for r in before):
        return []
    whole = next((r for r in reversed(before) if _adds_up(parts, r)), None)
    if whole is None:
        return []
    for p in parts:
        p.item = whole.item
        p.parent = whole.item
    return parts
