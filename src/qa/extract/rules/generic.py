"""Generic words: a figure whose words say only that money was spent (资金, 投入, 总投资), a bare
收入/支出/结余, or a verb alone is named from its sentence — the purpose clause after it, the
figure or budget before it, the projects counted before it."""
from __future__ import annotations

import re

from ..lexicon import _lexicon, _words
from ..nouns import _budget_stem, _object_before_verbs, _purpose_after
from ..phrases import _is_bare, _is_generic, _remove_status, _scope_re, _strip_leading, _strip_trailing
from ..registry import Cand, Row, Sentence, base_for, rule


# a numbered heading line (4．市级预备费 / （三）人才发展专项资金) whose words end as an item's name
_ITEM_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])\s*"
                           r"([\u4e00-\u9fff“”]{2,16}(?:费|资金|支出|补助|经费|基金|补贴|债券|专项))\s*$")


@rule("generic.heading_item", 184, examples=("4．市级预备费\n安排资金0.57亿元，主要用于预算执行中难以预见的开支。",))
def heading_item(s: Sentence, c: Cand) -> bool:
    """4．市级预备费 / 安排资金X万元，主要用于…: the first generic sum of the lines under a heading
    that names an item is that item; what it is used for only describes it."""
    if s.rows or c.row.kind != "level" or c.row.measure not in ("", "amount"):
        return False
    if not (c.item and _is_generic(c.item) and not _is_bare(c.item)) and not (
            not c.item and any(v in c.info.get("verb", "") for v in _words("generic.funding_verbs"))):
        return False
    line = s.t.rfind("\n", 0, s.a) + 1
    if s.t[line:s.a].strip():
        return False  # (not the line's first sentence)
    above = s.t[s.t.rfind("\n", 0, max(line - 1, 0)) + 1:max(line - 1, 0)]
    m = _ITEM_HEADING.fullmatch(above)
    if not m:
        return False
    item = m.group(1).strip("“”")
    scope = _scope_re().match(item)  # 市级预备费: the scope is the row's, the item 预备费
    c.item = item[scope.end():] if scope and len(item) - scope.end() >= 2 else item
    return True


@rule("generic.topic_sentence", 185, examples=("助力重点生态保护修复。省级筹集17.37亿元，推动森林生态保护补偿。",))
def topic_sentence(s: Sentence, c: Cand) -> bool:
    """助力重点生态保护修复。省级筹集X亿元，…: money named only by its verb (or a generic word) is
    for the topic the short sentence before it names, rather than for the detail after it."""
    if not s.topic_sentence or c.row.kind != "level" or c.row.measure not in ("", "amount"):
        return False
    if any("generic.topic_sentence" in r.rules for r in s.rows):
        return False  # the heading names the sentence's first sum; later ones keep their own purpose
    if re.match(r"[，,\s]*(?:主要|专项|全部)?用于", s.t[c.m.end:s.b]):
        return False  # 投入资金X亿元，用于…: the use it states is its name
    if c.item and (not _is_generic(c.item) or _is_bare(c.item)):
        return False  # (a bare 收入/支出 is its budget's: generic.sibling_head)
    if not c.item and not any(v in c.info.get("verb", "") for v in _words("generic.funding_verbs")):
        return False  # …预算收入年初预算X万元，完成Y万元: 完成 refers to the figure before
    c.item = s.topic_sentence
    return True


@rule("generic.purpose", 190, examples=("统筹资金2.63亿元，支持农村饮水安全工程建设。",))
def purpose(s: Sentence, c: Cand) -> bool:
    """投入资金X亿元，支持老旧小区改造: a generic amount is named by the purpose clause after it."""
    if not (c.item and _is_generic(c.item) and c.row.kind == "level"):
        return False
    found = _purpose_after(s.t, c.m.end, s.b)
    if found:
        c.item = found
    return bool(found)


@rule("generic.verb_only", 200, examples=("统筹2.63亿元，支持农村饮水安全工程建设。", "全年共节约1200.7万元。"))
def verb_only(s: Sentence, c: Cand) -> bool | str:
    """Only a verb before the number: 统筹X亿元，支持… (its purpose) / 节约X万元 (the verb)."""
    verb = c.info.get("verb", "")
    if c.item or not verb or c.row.kind != "level":
        return False
    found = _purpose_after(s.t, c.m.end, s.b)
    if found:
        c.item = found
        return "purpose"
    lex = _lexicon().lex
    if (any(v in verb for v in lex["items.verbs"]) and len(_strip_leading(verb)) >= 2
            and _strip_trailing(verb)[0] and _strip_leading(verb) not in lex["generic.funding_verbs"]):
        c.item = _strip_leading(verb)
        return "verb"
    return False


@rule("generic.sibling_head", 210, examples=("机关养老保险基金收入2.17亿元，支出1.93亿元。",))
def sibling_head(s: Sentence, c: Cand) -> bool | str:
    """A bare 支出 after 机关养老保险基金收入 is 机关养老保险基金支出; a bare 收入/支出 in a section on a
    budget is that budget's."""
    lex, item = _lexicon().lex, c.item
    if not (item in lex["generic.bare_heads"] or item in ("总收入", "总支出")
            or any(item in g for g in lex["generic.sibling_heads"])):
        return False
    case: bool | str = False
    prev = next((r for r in reversed(s.rows) if r.item and r.depth <= c.row.depth), None) or s.prev_lead
    if prev is not None:
        for group in lex["generic.sibling_heads"]:
            if item in group:
                for h in group:
                    # 动用上年结余X，支出Y: 上年 is when, not whose (no 上年支出)
                    if h != item and prev.item.endswith(h) and len(prev.item) > len(h) and not re.search(
                            lex["generic.sibling_prefix_not"], prev.item[: -len(h)]):
                        item, case = prev.item[: -len(h)] + item, "sibling"
                        break
        if item == c.item and prev.item.endswith(item) and len(prev.item) > len(item):
            item, case = prev.item, "same"  # 一般公共预算支出…，支出预算调整为X亿元: the same item
        elif item == c.item and item in lex["generic.stock_heads"]:
            # 年初…基金余额X，补充Y，安排Z后，年末余额W: the balance the sentence opened with, past
            # the flows in between
            earlier = next((r for r in reversed(s.rows) if r.depth <= c.row.depth
                            and r.item.endswith(item) and len(r.item) > len(item)), None)
            if earlier is not None:
                item, case = earlier.item, "same"
    if item in ("收入", "支出") and s.topic:
        item, case = s.topic + item, "section_budget"
    c.item = item
    return case


# --- generic.resolve: one case after the other, the first that names the figure wins ---------

def _count_object(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """对…小微企业和个体工商户已减免到位16户: a count named by its verbs alone counts their object."""
    if c.row.measure == "count" and not _remove_status(c.item):
        return _object_before_verbs(s.t[c.row.seg_start:c.m.start])
    return ""


def _count_group(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """普通高中生享受国家助学金人数N人，发放国家助学金X万元: the amount is that group's."""
    prev, item = (rows[-1] if rows else None), c.item
    if not (prev is not None and prev.measure == "count" and c.row.measure == "amount" and len(item) >= 3
            and prev.item.find(item) > 0):
        return ""
    group = prev.item[: prev.item.find(item)]
    for v in _words("items.verbs"):
        if group.endswith(v):
            group = group[: -len(v)]
            break
    return group + item if len(group) >= 2 else ""


def _level_rows(c: Cand, rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.item and r.depth <= c.row.depth]


def _balance(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """当年结余 / 年末滚存结余 / 年终结转: the balance of the budget the sentence opens with, else of
    the section's budget."""
    lex, item = _lexicon().lex, c.item
    if item not in lex["generic.balance_heads"]:
        return ""
    level_rows = _level_rows(c, rows)
    first = level_rows[0] if level_rows else s.prev_lead
    stem = ""
    if first is not None:
        stem = _budget_stem(first.item) or next(
            (first.item[: -len(h)] for h in _words("generic.balance_heads") if first.item.endswith(h)), "")
    for w in _words("generic.flow_words"):
        if stem.startswith(w):
            stem = stem[len(w):]  # 当年社保基金收支结余…，年末滚存结余: the fund's, not 当年's
            break
    if not any(w in stem for w in lex["generic.fund_words"]):
        stem = s.topic or stem  # 上解上级支出…，年终结转: the section's budget, not a budget line
    return stem + item if stem and not item.startswith(stem) else item


def _total_of(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """收入总量 after 一般公共预算收入 is that revenue."""
    for suf in _lexicon().lex["generic.total_suffixes"]:
        head = c.item[: -len(suf)] if c.item.endswith(suf) else ""
        if head in ("收入", "支出"):
            level_rows = _level_rows(c, rows)
            prev = level_rows[-1] if level_rows else s.prev_lead
            if prev is not None and prev.item.endswith(head) and len(prev.item) > len(head):
                return prev.item
    return ""


def _use_of(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """全年支出 / 安排使用: the use of the sentence's subject (存量资金支出)."""
    item = c.item
    for w in _words("generic.flow_words"):  # 当年使用: the year's use is the use
        if item.startswith(w) and len(item) > len(w):
            item = item[len(w):]
            break
    if item not in _lexicon().lex["generic.use_verbs_as_item"] or c.row.kind != "level":
        return ""
    base = base_for(rows, c.row.depth, need_free=False) or s.prev_lead
    if base is None or not base.item or _is_generic(base.item) or _is_bare(base.item):
        return ""
    if "支出" in item and base.item.endswith("收入"):
        return base.item[:-2] + "支出"  # …收入预算X万元，安排支出X万元
    name = base.item
    if name.endswith("预算") and len(name) > 4 and not name.endswith(tuple(_words("context.budget_names"))):
        name = name[:-2]  # 预备费预算X亿元，当年使用Y亿元: the use of the 预备费, not of its budget
    return name + item


def _project_total(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """总投资 / 资金总额: the total of the projects counted just before."""
    lex = _lexicon().lex
    if c.item not in lex["generic.project_totals"]:
        return ""
    proj = next((r for r in reversed(rows) if r.measure == "count"
                 and r.item.endswith(tuple(lex["generic.project_heads"]))), None)
    return proj.item + c.item if proj is not None else ""


def _after_count(s: Sentence, c: Cand, rows: list[Row]) -> str:
    """7个领域81个项目 / 5个重点项目X亿元资金: a generic noun right after a count takes its noun."""
    item = c.item
    if rows and (_is_generic(item) or item in _lexicon().lex["items.count_heads"]) \
            and rows[-1].measure == "count" and c.row.seg_start == c.m.start and not _is_generic(rows[-1].item):
        return rows[-1].item + item
    return ""


_RESOLVE_CASES = (("count_object", _count_object), ("count_group", _count_group), ("balance", _balance),
                  ("total_of", _total_of), ("use_of", _use_of), ("project_total", _project_total),
                  ("after_count", _after_count))


@rule("generic.resolve", 220, examples=(
    "全县社会保险基金预算收入30.27亿元，社会保险基金预算支出28.97亿元，当年结余1.33亿元。",
    "全县启动5个棚户区改造项目，预计总投资3.63亿元。",
    "县本级盘活存量资金3,200.7万元，全年支出2,100.7万元。",
    "全县一般公共预算收入年均增长6.1%，收入总量达210.57亿元。"))
def resolve(s: Sentence, c: Cand) -> bool | str:
    """A word that says only what kind of number it is (结余, 总投资, 支出, 项目) is named from the
    sentence: the first case of _RESOLVE_CASES that gives a name wins."""
    if not c.item:
        return False
    for name, case in _RESOLVE_CASES:
        got = case(s, c, s.rows)
        if got:
            changed = got != c.item
            c.item = got
            return name if changed else False
    return False


