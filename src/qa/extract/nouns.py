"""Nouns named after a figure: the counted noun, the allowance, the purpose clause."""
from __future__ import annotations

import re

from .lexicon import _lexicon, _words, lex_cache
from .mentions import _CIRCLED, _CJK, _PER_PREFIX, _PER_START, _PUNCT, Mention
from .direction import _old_to_new_re
from .phrases import _is_generic, _period_re, _scope_matches, _strip_leading, _strip_trailing


def _recipient(seg: str) -> str:
    """'对完全自理特困对象发放' -> '完全自理特困对象': who a per-head payment goes to ('' if the
    words before the number are not a recipient and a paying verb)."""
    s = re.sub(r"\s+", "", seg)
    s = _PER_PREFIX.sub("", s)
    m = re.fullmatch(r"(?:对|向|给|为)?(.{2,16}?)(?:" + "|".join(_words("items.paying_verbs")) + r")(?:了)?(?:按)?", s)
    if not m:
        return ""
    who = _strip_leading(m.group(1))
    if len(who) < 2 or _is_generic(who) or any(v in who for v in _words("items.verbs")):
        return ""
    return who


def _following_noun(t: str, p: int, hi: int, count: bool) -> tuple[str, int]:
    """Noun phrase right after a unit: '15个乡镇文化站…' -> '乡镇文化站'; '100元护理补贴' ->
    '护理补贴'; 'X亿元的第五小学…项目' -> '第五小学…项目'. Returns (noun, end offset)."""
    q = p
    if t.startswith("的", q):
        q += 1
    if count:
        stops = _words("items.count_noun_stops") + _words("items.verbs")
    else:  # 支持生态和自然保护修复: 和/等 join the phrase; a new verb ends it
        stops = _words("items.non_count_noun_stops") + _words("items.verbs") + _words("generic.funding_verbs")
    moved = True
    while moved:  # 支持做好…, 全力支持…, 持续保障…
        moved = False
        for w in _words("items.adverbs") + _words("generic.purpose_verbs"):
            if t.startswith(w, q) and q + len(w) < hi and _CJK.match(t[q + len(w)]):
                q += len(w)
                moved = True
                break
    if any(t.startswith(w, q) for w in stops + _words("items.qualifiers_after") + _words("mentions.threshold_after")):
        return "", p
    if any(t.startswith(w, q) for w in _lexicon().lex["changes.direction_words"]) or t.startswith(("到", "至", "提高", "降至")):
        return "", p  # 从2.5万公里增加到…: a change follows, not a noun
    k = q
    while k < hi:
        ch = t[k]
        if ch == "“":
            close = t.find("”", k, min(hi, k + 12))
            if close > k:
                k = close + 1
                continue
        if ch == "、" and not count and k + 1 < hi and _CJK.match(t[k + 1]):
            k += 1  # 支持养老、助残、困难群众…: a list of purposes
            continue
        if ch in _PUNCT or ch.isdigit():
            break
        if k > q and any(t.startswith(w, k) for w in stops):
            break
        if k > q and _old_to_new_re(bare=True).match(t, k):
            break  # 2个部门增加到10个: a change to a new level follows the noun
        if k > q and count and _PER_START.match(t, k):
            break  # 1200名高龄老人每人每月…: a rate per head follows the counted noun
        k += 1
    noun = t[q:k]
    if count:
        # '12个建设类项目新增债券资金X亿元', '300家重点税源企业联系制度': the counted
        # noun ends at its head; what follows names something else
        for h in _words("items.count_heads"):
            i = noun.find(h)
            rest = noun[i + len(h):] if i >= 0 else ""
            if i >= 0 and len(rest) >= 2:
                noun = noun[: i + len(h)]
                k = q + len(noun)
                break
    noun = _CIRCLED.sub("", noun).strip("和及与、的")
    noun = re.sub(r"(从|由)$", "", noun)  # …补助标准从94元提高到99元
    if len(noun) < 2:
        return "", p
    return noun, k


def _purpose_after(t: str, p: int, hi: int) -> str:
    """'投入资金X亿元，支持老旧小区改造…' -> '老旧小区改造…' (the clause after the figure,
    when it starts with a purpose verb such as 用于/支持/推动)."""
    q = p
    while q < hi and t[q] in " ,，":
        q += 1
    s = t[q:hi]
    m = re.match(r"[^,;:。!?]*", s)
    clause = m.group() if m else ""
    c = clause
    for w in _words("items.adverbs"):
        if c.startswith(w):
            c = c[len(w):]
            break
    hit = None
    for w in _words("generic.purpose_verbs"):
        if c.startswith(w):
            hit = w
            break
    if hit is None:
        return ""
    c = c[len(hit):]
    for w in ("开展", "实施", "用于"):
        if c.startswith(w):
            c = c[len(w):]
    c = _CIRCLED.sub("", c)
    c = re.sub(r"(等)?(工作|建设)?(,|$)", lambda mm: (mm.group(1) or "") + (mm.group(2) or ""), c)
    return c.strip() if len(c.strip()) >= 2 else ""


@lex_cache(maxsize=1)
def _heads() -> tuple[str, ...]:
    lex = _lexicon().lex
    return tuple(lex["items.benefit_heads"] + lex["items.attribute_heads"] + lex["items.noun_heads"])


def _benefit_after(t: str, p: int, hi: int) -> str:
    """The first allowance named after `p` in the sentence: '…调整标准发放上半年生活补助48万元' -> '生活补助'."""
    heads = "|".join(re.escape(w) for w in _words("items.benefit_heads"))
    m = re.search(r"([\u4e00-\u9fff]{0,8}?)(" + heads + ")", t[p:hi])
    if not m:
        return ""
    lead = m.group(1)
    for v in _words("items.verbs") + _words("items.paying_verbs"):
        i = lead.rfind(v)
        if i >= 0:
            lead = lead[i + len(v):]
    lead = _period_re().sub("", lead)
    return lead + m.group(2)


def _budget_stem(item: str) -> str:
    """社会保险基金预算收入 -> 社会保险基金预算; 总支出 -> '' (the budget a revenue/expenditure is of)."""
    stem = re.sub(r"(?:总)?(?:收入|支出)(?:总计|合计)?$", "", item)
    return stem if stem != item and len(stem) >= 2 and stem not in _lexicon().lex["generic.generic_items"] else ""


def _object_before_verbs(seg: str) -> str:
    """'县属国有企业对符合条件的小微企业和个体工商户已减免到位' -> '小微企业和个体工商户'."""
    s = re.sub(r"\s+", "", seg)
    first = min((i for i in (s.find(v) for v in _words("items.verbs")) if i > 0), default=-1)
    if first < 0:
        return ""
    s = s[:first]
    if "对" in s:
        s = s[s.rfind("对") + 1:]
    if "的" in s:
        s = s[s.rfind("的") + 1:]
    s, _ = _strip_trailing(_strip_leading(s))
    s = s.rstrip("已将均共")
    return s if len(s) >= 2 and not _is_generic(s) and not _scope_matches(s) == [(0, len(s), s)] else ""


def _standard_measure(measure: str, m: Mention, item: str) -> str:
    """每人每月100元, 420元/人月, …保障标准780元: a rate per head is a standard, not an amount."""
    if measure in ("amount", "count") and (m.per_prefix or "/" in m.unit):
        return "standard"
    if measure == "amount" and item.endswith(("标准", "保障水平", "定额")) and m.unit in ("元", "美元"):
        return "standard"
    return measure




_TOPIC_MAX_CHARS = 20  # a heading-like sentence is short; a longer one states something itself


def topic_of_sentence(sentence: str) -> str:
    """持续赋能改革开放。/ 一是支持就业优先战略。 -> 改革开放 / 就业优先战略: a short sentence without a
    number that heads what follows, as the object of its verb; "" for any other sentence."""
    lex = _lexicon().lex
    s = sentence.strip().rstrip("。;；")
    label = re.match(lex["items.enumeration_label"], s)
    if label:
        s = s[label.end():]
    if re.search(r"[0-9０-９:：,，]", s) or not 4 <= len(s) <= _TOPIC_MAX_CHARS:
        return ""
    if not re.fullmatch(r"[\u4e00-\u9fff、“”]+", s):
        return ""
    for w in _words("items.adverbs"):
        if s.startswith(w) and len(s) > len(w) + 2:
            s = s[len(w):]
            break
    for w in _words("generic.purpose_verbs"):
        if s.startswith(w) and len(s) > len(w) + 1:
            # 保障和改善民生: the verb is one of two the object shares
            return s if s[len(w)] in "和及与、" else s[len(w):]
    # a labelled line heads what follows whatever its verb (二是持续打好污染防治攻坚战); an unlabelled
    # one only when it says what the money is for (财政运行平稳。 heads nothing)
    return s if label else ""
