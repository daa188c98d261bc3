"""Changes: 同比增长N% after a figure is its change; a change stated alone is a change row; an amount
and a rate change (增加X亿元，增长N%) put the rate on the figure; 由X提高到Y marks X the old level;
与上年持平 is a change too."""
from __future__ import annotations

import re

from ..direction import _BASELINE_OF, _FLAT_AFTER, _direction_at_end, _old_to_new_re
from ..lexicon import _lexicon
from ..mentions import _CIRCLED
from ..nouns import _standard_measure
from ..numbers import unit_dimension
from ..phrases import _is_generic, _scope_matches, _strip_leading
from ..registry import Cand, Row, Sentence, base_for, final_rule, rule
from ..sentences import _segment_start

_POINTS = ("个百分点", "百分点")


@rule("changes.direction", 70, examples=("全县一般公共预算支出15.67亿元，同比增长8.2%。", "城市特困人员供养标准增加50元，达到1080元。"))
def direction(s: Sentence, c: Cand) -> bool | str:
    """同比增长 / 比上年增收 / 增加至 right before the number: a change, or (至/到) the new level."""
    d, dlen, level = _direction_at_end(c.seg, c.m.unit)
    c.direction, c.level = d, level
    if not d:
        return False
    c.seg = c.seg[: len(c.seg) - dlen]
    return "to_level" if level else True


@rule("changes.baseline_of", 90, examples=("一般公共预算收入累计完成120.57亿元，较十三五期间的98.27亿元增收22.37亿元。",))
def baseline_of(s: Sentence, c: Cand) -> bool:
    """较“十三五”期间的X亿元: the same item in the period compared with."""
    if c.direction or not _BASELINE_OF.search(c.seg):
        return False
    c.baseline, c.seg = True, ""
    return True


@rule("changes.kind", 161, examples=("税收收入增长6.5%。",))
def kind(s: Sentence, c: Cand) -> bool | str:
    """A number after a change word is the change (a change row until it finds its figure)."""
    if c.ratio_of or not c.direction:
        return False
    if c.level:
        c.row.direction = c.direction
        return "to_level"
    c.row.kind, c.row.direction, c.row.measure = "change", c.direction, "change"
    return True


@rule("changes.leading_word", 162, examples=("压减一般性支出5%。",))
def leading_word(s: Sentence, c: Cand) -> bool:
    """压减“三公”经费N%: the change word leads the item."""
    if c.ratio_of or c.direction or not (c.m.unit in ("%", "个百分点") and c.item):
        return False
    lead = _strip_leading(re.sub(r"\s+", "", c.raw))
    sc = _scope_matches(lead)
    if sc and sc[0][0] == 0:  # 全县压减“三公”经费12%: the change word follows the scope word
        lead = _strip_leading(lead[sc[0][1]:])
    for w, dd in sorted(_lexicon().lex["changes.leading_direction"].items(), key=lambda kv: -len(kv[0])):
        if lead.startswith(w) and len(c.item) > 1:
            c.row.kind, c.row.direction, c.row.measure = "change", dd, "change"
            if c.item.startswith(w):
                c.item = c.item[len(w):]
            return True
    return False


def _unnamed_change(c: Cand) -> bool:
    return not c.item and c.row.kind == "change"


@rule("changes.attach", 250, examples=("全县一般公共预算支出15.67亿元，同比增长8.2%。", "税收占比达32%，提高2.1个百分点。"))
def attach(s: Sentence, c: Cand) -> bool | str:
    """A change naming no item is the change of the figure before (points: of the percentage)."""
    if not _unnamed_change(c):
        return False
    depth = c.row.depth
    base = base_for(s.rows, depth, need_free=True)
    case = True
    if c.m.unit in _POINTS:
        pct = next((r for r in reversed(s.rows) if r.m.unit == "%" and r.kind != "change" and r.depth == depth), None)
        if pct is not None:
            base, case = (pct if pct.change is None else None), "points"
    if base is None:
        return False
    base.change, base.direction = c.m, c.direction
    s.consumed = c.m.end
    c.touched.append(base)
    c.done = True
    return case


@rule("changes.rate_on_figure", 252, examples=("全县税收收入12.63亿元，同比减少0.47亿元，下降3.1%。",))
def rate_on_figure(s: Sentence, c: Cand) -> bool:
    """增加X亿元，增长N%: the figure carries the rate (what 增幅 asks); the amount change becomes a
    change row of the same item."""
    if not _unnamed_change(c):
        return False
    held = base_for(s.rows, c.row.depth, need_free=False)
    if held is None or c.m.unit != "%" or held.change is None or held.change.unit in ("%",) + _POINTS \
            or held.pct_swapped:
        return False
    moved = Row(m=held.change, item=held.item, measure="change", kind="change", direction=held.direction,
                scope=held.scope, parent=held.parent, qualifier=held.change.qualifier, depth=held.depth,
                periods=held.periods, merged=True, seg_start=held.change.start, status=held.status, of=held,
                rules=list(held.rules))
    s.rows.append(moved)
    held.change, held.direction, held.pct_swapped = c.m, c.direction, True
    s.consumed = c.m.end
    c.touched += [held, moved]
    c.done = True
    return True


def _subject_before(s: Sentence, c: Cand) -> str:
    """农业保险保费收入突破亿元大关，同比增长42.88%: the change of the subject of the clause before
    it, when that clause states no number — cut where its predicate starts (突破…)."""
    start = _segment_start(s.t, s.a, c.m.start)
    cut = max(s.t.rfind(p, s.a, max(start - 1, s.a)) for p in ",;，；")
    clause = s.t[max(cut + 1, s.a):start].strip(" ,;，；")
    if not clause or re.search(r"[0-9]", clause):
        return ""
    for verb in _lexicon().lex["changes.subject_predicates"]:
        k = clause.find(verb)
        if k > 0:
            clause = clause[:k]
    item = _strip_leading(clause)
    # a clause opening with a verb (推进金融赋能…) has no subject to name
    return item if item == clause and len(item) >= 4 else ""


@rule("changes.of_figure", 254, examples=("税收收入12.63亿元，同比增长3.1%，增加0.47亿元。",
                                          "农业保险保费收入突破亿元大关，同比增长42.9%。"))
def of_figure(s: Sentence, c: Cand) -> bool | str:
    """A change that found no free figure is a change row of the figure before (its status too), or
    of the subject of the clause before it when that clause states no number."""
    if not _unnamed_change(c):
        return False
    depth = c.row.depth
    base = base_for(s.rows, depth, need_free=False) or (
        base_for(s.rows, depth - 1, need_free=False) if depth else None)
    subject = "" if base else _subject_before(s, c)
    if subject:
        c.item = subject
        return "subject"
    c.item = base.item if base else (s.prev_lead.item if s.prev_lead else "")
    c.row.status = c.row.status or (base.status if base else "")
    c.row.of = base
    return True


@rule("changes.then_level", 260, examples=("城市低保月人均保障水平增加50元，达到900元。",))
def then_level(s: Sentence, c: Cand) -> bool:
    """月增70元，达到1150元: a change then an unnamed level are one figure with its change."""
    if c.item or c.row.kind == "change":
        return False
    prev = s.rows[-1] if s.rows else None
    if prev is None or prev.kind != "change" or prev.merged or not prev.item:
        return False
    row = c.row
    prev.merged = True
    row.item, row.change, row.direction = prev.item, prev.m, prev.direction
    row.measure = _standard_measure(row.measure, c.m, row.item)
    row.scope = row.scope or prev.scope
    row.periods = prev.periods + row.periods
    row.rules = prev.rules + [r for r in row.rules if r not in prev.rules]
    s.rows[-1] = row
    s.consumed = c.m.end
    c.done = True
    return True


@rule("changes.stated_first", 280, examples=("明年全县一般公共预算收入预计增长5%，预期收入32.59亿元。",))
def stated_first(s: Sentence, c: Cand) -> bool:
    """收入预计增长N%，预期收入X亿元: the change stated first belongs to the figure of its item."""
    prev, row, item = (s.rows[-1] if s.rows else None), c.row, c.item
    if not (prev is not None and row.kind == "level" and item and prev.kind == "change" and not prev.merged
            and prev.item == item and prev.depth == row.depth
            and not any(r.item == item and r.kind == "level" for r in s.rows)):
        return False
    prev.merged = True
    row.item, row.change, row.direction = _CIRCLED.sub("", item), prev.m, prev.direction
    row.scope = row.scope or prev.scope
    row.measure = _standard_measure(row.measure, c.m, item)
    row.rules = prev.rules + [r for r in row.rules if r not in prev.rules]
    s.rows[-1] = row
    c.done = True
    return True


@rule("changes.old_to_new", 290, examples=("城乡居民基础养老金由每人每月150元提高到165元。",))
def old_to_new(s: Sentence, c: Cand) -> bool:
    """由X提高到Y / 从X调整为Y: X is the old level (qualifier 原), Y the new level of the same item."""
    t, row = s.t, c.row
    old = s.rows[-1] if s.rows else None
    if not (old is not None and old.depth == row.depth and old.kind in ("level", "ratio") and row.kind == "level"
            and unit_dimension(old.m.unit) == unit_dimension(c.m.unit)
            and _old_to_new_re().fullmatch(re.sub(r"\s+", "", t[old.m.end:c.m.start]))):
        return False
    ostart = _segment_start(t, s.a, old.m.start)
    fm = list(re.finditer(r"[从由]", t[ostart:old.m.start]))
    if not fm:
        return False
    # 起征点从月销售额3万元提高到15万元: the words after 从 say how it is measured
    named = old.item
    cut = re.search(r"[从由][^从由]{1,8}$", old.item)
    if cut and cut.start() >= 2 and not old.item[cut.start() + 1:].startswith("于"):
        old.item = old.item[: cut.start()]
    between = t[old.m.end:c.m.start]
    own_year = re.search(r"(?:19|20)\d\d年", between)
    old.qualifier, old.baseline = ("" if own_year else "原"), True
    if not own_year:  # (从2021年的X增长到2025年的Y: Y is dated by its own year, X is not its former value)
        row.from_pos = ostart + fm[-1].start()
    row.kind, row.measure = old.kind, old.measure
    verb_only = re.fullmatch("|".join(map(re.escape, _lexicon().lex["changes.old_to_new_verbs"])), c.item or "")
    if not c.item or c.item == named or _is_generic(c.item) or verb_only:
        c.item = old.item
    c.touched.append(old)
    return True


@final_rule("changes.flat", examples=("县本级保运转支出预算数为1.57亿元，与上年预算数持平。",))
def flat(s: Sentence) -> list[Row]:
    """与上年持平: unchanged is a stated change too."""
    out = []
    for r in s.rows:
        if r.kind == "level" and r.direction is None and _FLAT_AFTER.match(s.t, r.m.end, s.b):
            r.direction = "持平"
            out.append(r)
    return out
