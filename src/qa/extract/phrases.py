"""Item phrases: periods, scopes, link words, verbs and what is left of the words before a number."""
from __future__ import annotations

import re

from .lexicon import _lexicon, _words, lex_cache
from .mentions import _CIRCLED, _PER_PREFIX

# ---------------------------------------------------------------------------
# item phrases

@lex_cache(maxsize=1)
def _period_re() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _lexicon().lex["context.period_patterns"]))


def find_periods(s: str) -> list[re.Match[str]]:
    """Period expressions (2023年1-9月, 截至9月底, 全年, 上半年 …) in normalized text."""
    return list(_period_re().finditer(s))


@lex_cache(maxsize=1)
def _scope_re() -> re.Pattern[str]:
    lex = _lexicon().lex
    words = _words("context.scope_words")
    not_before = "|".join(re.escape(w) for w in lex["context.scope_not_before"])
    # 市对县区转移支付: a word for the levels below after 对/向/给 names who receives, not whose
    # figure it is (向全县…发放 is still the county's)
    not_after = "".join(f"(?<!{re.escape(w)})" for w in lex["context.scope_not_after"])
    whole = "|".join(re.escape(w) for w in words if w.startswith(("全", "我")))
    other = "|".join(re.escape(w) for w in words if not w.startswith(("全", "我")))
    return re.compile(f"(?:{whole}|{not_after}(?:{other}))(?!{not_before})")


def _scope_matches(s: str) -> list[tuple[int, int, str]]:
    """Scope words (全市, 市本级, 县区 …) in `s`: (start, end, canonical form), left to right."""
    canon = _lexicon().lex["context.scope_canonical"]
    return [(m.start(), m.end(), canon.get(m.group(), m.group())) for m in _scope_re().finditer(s)]


def _strip_leading(s: str) -> str:
    changed = True
    lead = _words("items.link_leading") + _words("items.adverbs")
    while changed and s:
        changed = False
        s2 = s.lstrip(" ,;:、，")
        if s2 != s:
            s, changed = s2, True
        keep = _lexicon().lex["items.keep_words"]
        for w in lead:
            if s.startswith(w) and len(s) > len(w) and s[len(w)] not in "性型":
                if any(s.startswith(k) and len(k) > len(w) for k in keep):
                    continue  # 共享“四税收入” is not 共 + 享…
                if w == "加上" and s.startswith(("年", "级", "解"), 2):
                    w = "加"  # 加上级转移支付 / 加上年结转 / 加上解支出: 加 + 上级…, 上年…, 上解…
                s, changed = s[len(w):], True
                break
    return s


def _strip_trailing(s: str) -> tuple[str, str]:
    """Drop link words before a number (完成, 为, 达到, 共计 …); return (rest, qualifier)."""
    lex = _lexicon().lex
    qual = ""
    changed = True
    while changed and s:
        changed = False
        s2 = s.rstrip(" ,;:、")
        if s2 != s:
            s, changed = s2, True
        for w in _words("items.qualifiers_before"):
            if s.endswith(w) and not qual:
                if len(w) == 1 and s[-2:] in lex["items.single_qualifier_guard"] + lex["items.verbs"]:
                    continue  # 节约 is not 节 + 约
                qual = lex["items.qualifier_canonical"].get(w, w)
                s, changed = s[: -len(w)], True
                break
        for w in _words("items.link_trailing"):
            if s.endswith(w):
                if len(w) == 1 and s[-2:] in lex["items.single_qualifier_guard"] + lex["items.verbs"]:
                    continue
                rest = s[: -len(w)]
                if w in ("总计", "合计") and rest.rstrip("等").endswith(("收入", "支出")):
                    continue  # 收入总计 is the name of a budget line, not 收入 + 总计
                s, changed = rest, True
                break
        if s.endswith("由") or s.endswith("按") or s.endswith("从"):
            s, changed = s[:-1], True
    return s, qual


def _is_generic(item: str) -> bool:
    """投入资金 / 资金 / 筹措资金: says money was spent, not on what."""
    lex = _lexicon().lex
    core = _strip_leading(item)
    scope = _scope_re().match(core)
    if scope and scope.end() < len(core):
        core = core[scope.end():]  # 省级筹集: whose money (the row's scope), not what for
        if core in _words("generic.funding_verbs"):
            return True
    for b in _words("generic.funding_sources"):  # 一般预算安排资金 / 市级财政统筹资金: says whose money, not what for
        if core.startswith(b) and len(core) > len(b):
            core = core[len(b):]
            break
    for v in _words("generic.funding_verbs"):
        if core.startswith(v) and core[len(v):] in lex["generic.generic_items"]:
            return True
    return core in lex["generic.generic_items"] or core == ""


def _is_bare(item: str) -> bool:
    lex = _lexicon().lex
    item = item.rstrip("等")
    return item in lex["generic.bare_heads"] or item in lex["generic.generic_items"]


def _remove_verbs(s: str) -> str:
    for v in _words("items.verbs") + _words("items.link_leading") + _words("items.link_trailing") + _words("items.adverbs"):
        s = s.replace(v, "")
    return s


def _remove_status(s: str) -> str:
    """What is left of `s` after status words (实际完成, 预计, 执行) and verbs are removed."""
    for v in _words("items.status_words") + _words("items.verbs") + _words("items.adverbs"):
        s = s.replace(v, "")
    return s


def _cut_at_verbs(s: str) -> str:
    """Keep the noun phrase after the last verb: '全年累计投入民生领域资金' -> '民生领域资金'.

    A cut that would leave a bare head (收入, 资金) or a 1-char stub is skipped, and a verb
    followed by 的 is a modifier ('…收入安排的支出'), not a cut point. When every cut leaves a
    generic word the last verb stays attached ('节约资金', '追回资金').
    """
    cands = []
    for v in _words("items.verbs"):
        i = s.find(v)
        while i >= 0:
            cands.append((i, i + len(v)))
            i = s.find(v, i + 1)
    if not cands:
        return s
    # prefer later cut points, at the same start the longer verb — but a reporting verb
    # (完成, 核定, 拨付 …) before a verb inside the noun phrase (享受, 涉及 …) wins:
    # 核定中职学校享受国家助学金人数 -> 中职学校享受国家助学金人数
    weak = set(_lexicon().lex["items.weak_verbs"])
    cands.sort(key=lambda x: (s[x[0]:x[1]] not in weak, x[1], x[1] - x[0]), reverse=True)
    for a, b in cands:
        if s.startswith("的", b) or (b < len(s) and s[b] in _lexicon().lex["items.bound_suffixes"]):
            continue  # …收入安排的支出; 国有土地使用权 (使用 + 权 is one noun)
        if (b < len(s) and s[b] in "和及与、") or (a > 0 and s[a - 1] in "和及与、" and any(
                e == a - 1 for _, e in cands)):
            continue  # 减免和缓征税收 / 带动和吸纳就业: coordinated verbs belong to the noun phrase
        rest = _strip_leading(s[b:])
        if len(rest) < 2 or rest in _lexicon().lex["items.attribute_heads"]:
            continue  # 研发经费投入强度: 投入 + 强度 is one attribute
        if _is_bare(rest) or rest in _lexicon().lex["generic.generic_items"]:
            continue
        # a cut in the middle of a word (盘活收益 -> 收益) is caught by the bare check above
        return rest
    return s  # every cut leaves a bare head: the verb is part of the name (债务转贷收入)


_NOTE_PAREN = re.compile(r"\((?:含|不含|包括|包含|其中|即|简称|下同|以下简称)[^()]{0,20}\)")


def _after_periods(s: str, info: dict) -> str:
    """Period expressions split the lead-in from the item: keep the piece that names it."""
    ps = find_periods(s)
    if ps:
        info["periods"] = [p.group() for p in ps]
        s = _period_re().sub("|", s)
    pieces = s.split("|")
    s = pieces[-1]
    if len(pieces) > 1:
        tail = _PER_PREFIX.sub("", s).strip("的从由较比到至 ")
        tail_core = _strip_trailing(_strip_leading(tail))[0]
        if tail_core in _lexicon().lex["ratios.baseline_items"]:
            s = pieces[-2]  # 一般公共预算收入年初预算合计X亿元: the item precedes the period
        elif tail_core in ("余额", "结余") and _strip_leading(pieces[-2]).strip():
            # 预算稳定调节基金年初余额X万元: a point of the year inside the name of a balance
            s = pieces[-2] + tail
        elif not tail_core:
            # 补助标准从2024年的人均每年94元: the item is before the period
            s = re.sub(r"(从|由|较|比|到|至)$", "", pieces[-2]) + tail
    return s


@lex_cache(maxsize=1)
def _allocated_re() -> re.Pattern[str]:
    lex = _lexicon().lex
    verbs = "|".join(map(re.escape, lex["context.scope_allocation_verbs"]))
    lower = "|".join(map(re.escape, lex["context.scope_allocated_lower"]))
    return re.compile(rf"(?:{verbs})[给到]?(?:{lower})$")


def _after_scope(s: str, info: dict) -> str:
    """The last scope word (全市, 市本级) is the figure's scope; the item follows it."""
    if _allocated_re().fullmatch(_strip_leading(s)):
        # 转贷市县X亿元: the part of a quota passed down to the levels below (市县 means them only
        # after a verb of passing down; 市县两级 elsewhere is the whole place)
        info["scope"], info["scope_only"] = "县区", True
        return ""
    sc = _scope_matches(s)
    if not sc:
        return s
    a, b, w = sc[-1]
    rest = s[b:]
    kept = next((v for v in _words("context.scope_kept_verbs") if rest.startswith(v)), "")
    rest = rest[len(kept):]  # 省级留用X亿元 / 市级留用一般债券额度: the part kept at that level
    r2, _ = _strip_trailing(_strip_leading(rest))
    if w.endswith("级") and r2 and not kept and (_is_bare(r2) or len(r2) <= 2):
        return s[a:]  # 省级补助, 市级财政资金: a level of government naming the item
    info["scope"] = w
    if not r2:
        info["scope_only"] = True
    return rest


def _status_prefix(s: str, info: dict) -> str:
    """预期收入X亿元 / 政府性基金预算预期收入: that revenue, expected."""
    for w, st in sorted(_lexicon().lex["items.status_prefixes"].items(), key=lambda kv: -len(kv[0])):
        i = s.rfind(w)
        rest = s[i + len(w):] if i >= 0 else ""
        if i >= 0 and (_is_bare(rest) or _is_bare(re.sub("(?:总计|合计)$", "", rest))):
            info["status"] = st
            return s[:i] + rest
    return s


def _status_suffix(s: str, info: dict) -> None:
    """…收入预算为X万元，完成Y万元: X is that revenue's budget (status 预算), Y its outturn. The
    words stay: the noun phrase drops the trailing budget word itself."""
    if not info["status"]:
        info["status"] = next((st for pattern, st in _lexicon().lex["items.status_suffixes"].items()
                               if re.search(pattern, s)), "")


def _noun_phrase(s: str) -> str:
    """Words left after link words: cut at verbs, 加上, 将, a trailing budget word."""
    k = s.rfind("加上")
    if k > 0 and len(s) - k > 3:
        # 地方收入加上上划中央收入X万元: the figure is what is added; 加上年结转 is 加 + 上年结转,
        # 加上级转移支付 is 加 + 上级转移支付
        s = s[k + 1:] if s.startswith(("年", "级", "解"), k + 2) else s[k + 2:]
    s = _cut_at_verbs(s)
    for v in _words("items.verbs"):
        rest = s[len(v) + 1:]
        if s.startswith(v + "的") and len(rest) >= 4 and not _is_bare(rest):
            s = rest  # 全县统筹的某项基金收入: the verb phrase only qualifies it
            break
    k = s.rfind("将")
    if 0 < k <= 5 and len(s) - k > 3:
        s = s[k + 1:]  # 阶段性将起征点…: 将 puts the object first; the item is what follows
    s = _strip_leading(s)
    s = s.strip(" ,;:、的")
    for w in _words("ratios.baseline_items"):
        # 一般公共预算收入年初预算合计X亿元: the budget figure of 一般公共预算收入 (status 预算)
        if s.endswith(w) and s[: -len(w)].endswith(("收入", "支出", "资金", "基金", "经费")):
            return s[: -len(w)]
    return s


def clean_item(seg: str) -> tuple[str, dict]:
    """Raw text before a number -> (item, info).

    info: 'scope' (last scope word, canonical), 'scope_only' (the text was only a scope word:
    a breakdown such as 市本级X亿元), 'qualifier', 'periods' (period expressions seen),
    'verb' (the text was only a verb: 节约X万元), 'status_only' (only a status verb: 实际完成),
    'status' (预期收入 -> 预计).
    """
    info: dict = {"scope": "", "scope_only": False, "qualifier": "", "periods": [], "verb": "",
                  "status_only": False, "status": ""}
    s = _CIRCLED.sub("", re.sub(r"\s+", "", seg))
    s = re.sub(r"\[[0-9]{1,2}\]", "", s)
    s = _PER_PREFIX.sub("", s)
    s = _NOTE_PAREN.sub("", s)
    s = _after_scope(_after_periods(s, info), info)
    pre = s
    s, q = _strip_trailing(s)
    info["qualifier"] = q
    s = _PER_PREFIX.sub("", s)  # 标准每人每月不低于274元
    s = _strip_leading(s)
    s, q2 = _strip_trailing(s)
    info["qualifier"] = info["qualifier"] or q2
    whole = s
    if s and any(w in s for w in _words("items.status_words")) and not _remove_status(s):
        # 实际完成X亿元 / 预计执行…: only a status verb; the item is the sentence's subject
        info["verb"], info["status_only"] = s, True
        return "", info
    s = _status_prefix(s, info)
    _status_suffix(s, info)
    if s and not _remove_verbs(s):
        info["verb"] = s  # 节约X万元 / 争取X亿元补充资本金: only a verb before the number
        return "", info
    s = _noun_phrase(s)
    if not s and (whole or pre):
        info["verb"] = whole or pre
    return s, info
