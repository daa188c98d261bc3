"""Items: what a figure is of — the words before it, the noun after it, the clause before it, or
the figure before it — and its qualifier, status word and measure (a standard per head)."""
from __future__ import annotations

import re

from ..lexicon import _lexicon, _words, lex_cache
from ..mentions import _CJK, _PER_INSIDE
from ..nouns import _benefit_after, _following_noun, _heads, _recipient, _standard_measure
from ..phrases import _is_generic, _strip_leading, clean_item
from ..registry import Cand, Sentence, base_for, rule
from ..sentences import _segment_start


@rule("items.qualifier", 60, examples=("全区公路总里程增加到近1万公里。",))
def qualifier(s: Sentence, c: Cand) -> bool:
    """近/约/超过 right before the number qualifies it (增加到近1万公里)."""
    lex = _lexicon().lex
    for w in _words("items.qualifiers_before"):
        if c.seg.endswith(w) and len(c.seg) > len(w) and w not in ("共", "达"):
            if len(w) == 1 and c.seg[-2:] in lex["items.single_qualifier_guard"] + lex["items.verbs"]:
                continue
            c.row.qualifier = c.row.qualifier or lex["items.qualifier_canonical"].get(w, w)
            c.seg = c.seg[: -len(w)]
            return True
    return False


@rule("items.per_head_inside", 100, examples=("每人每月发放高龄津贴200元。",))
def per_head_inside(s: Sentence, c: Cand) -> bool:
    """每人每月发放高龄津贴200元: a rate per head stated before the verb."""
    if not c.m.per_prefix and c.m.unit in ("元", "美元") and _PER_INSIDE.search(c.seg):
        c.m.per_prefix = True
        return True
    return False


@rule("items.words_before", 110, examples=("全县一般公共预算支出15.67亿元。",))
def words_before(s: Sentence, c: Cand) -> bool:
    """The noun phrase before the number, link words, verbs, periods and scope words removed."""
    c.item, c.info = clean_item(c.seg)
    row = c.row
    row.qualifier = row.qualifier or c.info["qualifier"]
    row.periods = c.info["periods"]
    if c.info["scope"]:
        row.scope = c.info["scope"]
    row.scope_only = c.info["scope_only"]
    return bool(c.item)


@rule("items.enumeration_label", 112, examples=("11.契税3217.43亿元，同比下降11.27%。",))
def enumeration_label(s: Sentence, c: Cand) -> bool:
    """11.契税… / （三）… / 二是…: the label numbering a list's line is not part of its item."""
    m = _enumeration_label().match(c.item.translate(_HALF_WIDTH))
    if not m or len(c.item) - m.end() < 2:
        return False
    c.item = c.item[m.end():]
    return True


# the lexicon's patterns are NFKC-normalised; the item keeps the report's full-width marks
_HALF_WIDTH = str.maketrans("（）．－", "().-")


@lex_cache(maxsize=1)
def _enumeration_label() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["items.enumeration_label"])


@rule("items.leading_qualifier", 115, examples=("全县约有农村低保对象1.2万人。",))
def leading_qualifier(s: Sentence, c: Cand) -> bool:
    """约有农村低保对象1.2万人: a qualifier that opens the item phrase qualifies the figure."""
    for w, q in sorted(_lexicon().lex["items.leading_qualifiers"].items(), key=lambda kv: -len(kv[0])):
        if c.item.startswith(w) and len(c.item) > len(w) + 1:
            c.item = c.item[len(w):]
            c.row.qualifier = c.row.qualifier or q
            return True
    return False


@rule("items.status_subject", 140, examples=("政府性基金预算收入年初预算为12.477亿元，实际完成13.17亿元。",))
def status_subject(s: Sentence, c: Cand) -> bool:
    """实际完成X亿元: only a status verb; the item is the subject figure before it."""
    if c.item or not c.info["status_only"]:
        return False
    depth = c.row.depth
    base = base_for(s.rows, depth, need_free=False) or (
        base_for(s.rows, depth - 1, need_free=False) if depth else None)
    c.item = base.item if base is not None else (s.prev_lead.item if s.prev_lead else "")
    return True


@rule("items.status_word", 150, examples=("明年全县一般公共预算收入预计增长5%，预期收入32.59亿元。",))
def status_word(s: Sentence, c: Cand) -> bool:
    """预期收入 / 实际收入: the status the words naming the figure state."""
    if c.row.status or not c.info["status"]:
        return False
    c.row.status = c.info["status"]
    return True


@rule("items.canonical", 155, examples=("其中税收完成2.27亿元。",))
def canonical(s: Sentence, c: Cand) -> bool:
    """A short name of a budget line (税收) is the line's full name (税收收入)."""
    new = _lexicon().lex["items.canonical"].get(c.item, c.item)
    changed = new != c.item
    c.item = new
    return changed


def _standard_item(s: Sentence, c: Cand, after_noun: str) -> tuple[str, str]:
    """X元标准: the standard of the item named (高龄津贴按每人每月200元标准发放), else of what the
    figure or the clause before names (实施育儿补贴政策，按每孩每年3600元标准补贴)."""
    if c.item and not _is_generic(c.item):
        return c.item + "标准", "standard_of_item"
    named = s.rows[-1].item if s.rows and s.rows[-1].kind == "level" else ""
    if not named:
        pc_end = c.cstart - 1
        named, _ = clean_item(s.t[_segment_start(s.t, s.a, pc_end):pc_end])
    if not named:
        return after_noun, "noun"
    return re.sub(_lexicon().lex["items.programme_suffix"], "", named) + "标准", "standard_of_named"


def _named_after(s: Sentence, c: Cand, after_noun: str) -> tuple[str, str] | None:
    """The item from the noun after the number, or None when the words before it name it."""
    row, lex = c.row, _lexicon().lex
    if row.measure == "count":
        prefix = _strip_leading(c.item)
        if after_noun in lex["generic.generic_items"] or after_noun in lex["items.count_heads"]:
            return ((prefix + after_noun) if prefix and not _is_generic(prefix) else after_noun), "counted"
        return after_noun, "counted"
    if (not c.item or _is_generic(c.item) or c.m.per_prefix) and row.kind == "level":
        if after_noun.startswith("标准") and (c.item and not _is_generic(c.item) or (
                s.rows and s.rows[-1].kind == "level" or c.cstart > s.a)):
            return _standard_item(s, c, after_noun)
        # 对特困失能对象发放每人每月1380元护理补贴: whose allowance it is
        recipient = _recipient(c.seg) if c.m.per_prefix else ""
        return recipient + after_noun, "recipient" if recipient else "noun"
    return None


@rule("items.noun_after", 170, examples=("部署3项重点任务。", "发放每人每月1200元护理补贴。"))
def noun_after(s: Sentence, c: Cand) -> bool | str:
    """15个乡镇文化站 / 100元护理补贴: a counted noun, or the noun after an unnamed amount."""
    t, m = s.t, c.m
    after_noun, noun_end = "", m.end
    nxt = t[m.end:m.end + 1]
    if nxt and (_CJK.match(nxt) or nxt == "“") and c.row.kind != "change":
        after_noun, noun_end = _following_noun(t, m.end, s.b, c.row.measure == "count")
    got = _named_after(s, c, after_noun) if after_noun else None
    s.consumed = noun_end if got else m.end
    for w in _words("items.qualifiers_after"):
        if t.startswith(w, s.consumed):
            s.consumed += len(w)
            break
    if got is None:
        return False
    c.item = got[0]
    return got[1]


@rule("items.before_parenthesis", 240, examples=("全县税收收入增速（6.5%）保持较快水平。",))
def before_parenthesis(s: Sentence, c: Cand) -> bool:
    """增速（N%）: a figure opening a parenthesis belongs to the words before it."""
    t, m, a = s.t, c.m, s.a
    if c.item or re.sub(r"\s+", "", c.raw) or not (m.start > a and t[m.start - 1] == "("):
        return False
    p0 = m.start - 1
    lo0 = max(_segment_start(t, a, p0), s.rows[-1].m.end if s.rows else a)
    c.item, _ = clean_item(t[lo0:p0])
    return bool(c.item)


@rule("items.previous_clause", 270, examples=("统一城乡居民两项补贴，达到每人每月100元。",))
def previous_clause(s: Sentence, c: Cand) -> bool | str:
    """Nothing names the figure in its clause: the clause before names it, else the figure before."""
    if c.item or c.row.kind == "change":
        return False
    t, a, rows = s.t, s.a, s.rows
    prev_end = rows[-1].m.end if rows else a
    pc_end = c.cstart
    while pc_end > prev_end and t[pc_end - 1] in ",;: ":
        pc_end -= 1
    pitem = ""
    if pc_end > prev_end:
        pstart = max(_segment_start(t, a, pc_end), prev_end)
        pitem, _ = clean_item(t[pstart:pc_end])
    base = base_for(rows, c.row.depth, need_free=False)
    if c.row.direction and rows and rows[-1].m.unit == c.m.unit:
        base = rows[-1]  # 比重从N%提高到N%: the level the change started from
    c.item = pitem or (base.item if base is not None else "")
    return ("clause" if pitem else "figure") if c.item else False


@rule("items.figure_before", 310, examples=("全县一般性支出同比减少0.63亿元，压减4.4%。",))
def figure_before(s: Sentence, c: Cand) -> bool:
    """Nothing in the sentence names it: the figure before it, else the last sentence's lead."""
    if c.item:
        return False
    c.item = s.rows[-1].item if s.rows else (s.prev_lead.item if s.prev_lead else "")
    return bool(c.item)


@rule("items.standard", 320, examples=("对农村离任“两老”按420元/人月的标准发放生活补助。",))
def standard(s: Sentence, c: Cand) -> bool | str:
    """A rate per head is a standard; one that names only its recipient takes the allowance after it."""
    row = c.row
    row.measure = _standard_measure(row.measure, c.m, c.item)
    if row.measure != "standard":
        return False
    if c.item and not c.item.endswith(_heads()):
        benefit = _benefit_after(s.t, c.m.end, s.b)
        if benefit:
            c.item = c.item + benefit + "标准"
            return "benefit"
    return True
