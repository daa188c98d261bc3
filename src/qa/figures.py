"""Extract figures: report text -> one `Figure` row per number stated in prose.

Pipeline (each step a function, testable on its own):

1. `normalize_text`   full-width forms -> ASCII, same length, so offsets stay valid.
2. `split_sentences`  sentence spans; line breaks inside a sentence (PDF text) are joined.
3. `find_mentions`    numbers with a unit attached (directly, after 余/多, or after stray words:
                      "1200用于万元"); years, dates, ordinals, names ("832平台") and thresholds
                      ("50万元以下账款") are dropped because they carry no unit or are followed
                      by a noun.
4. `_read_sentence`   per sentence: what each number is (level, change, ratio), its item (the
                      noun phrase before it, else the noun after it, else the purpose clause
                      after a generic 投入资金, else the item named earlier in the sentence),
                      changes attached to their figure, 其中/括号/在…中 parents, 分别/均为 lists;
                      a clause of status verbs only (实际完成…) is the subject's figure; 由X提高到Y
                      marks X 原; a figure stated with an amount and a rate change carries the rate
                      and the amount is a change row of its own; generic words (支出, 滚存结余,
                      总投资) are named from the sentence or the section's budget.
5. `extract_figures`  period, year, scope, status carried within a paragraph and defaulted
                      from the section headings (a span of years such as 十四五时期 or 五年来
                      has no year; 过去一年 is the year before the report's); section path;
                      sentence span.

All vocabulary lives in data/units.json and data/figure_lexicon.json.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .records import Document, Figure

from .segment import parse_sections, section_path_at, trim_span

DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = [
    "extract_figures",
    "parse_number",
    "to_base",
    "unit_dimension",
    "normalize_text",
    "FigureTable",
]


# ---------------------------------------------------------------------------
# 1. normalisation

def normalize_text(text: str) -> str:
    """Map full-width ASCII forms (０-９, ％, ．, ，, （, ：…) and the ideographic space to ASCII.

    One character in, one character out: offsets into the result are offsets into `text`.
    Other characters (。、“” ①) are left alone.
    """
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        elif o == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------
# vocabulary

@dataclass(frozen=True)
class _Lex:
    units: dict
    per: tuple
    scale_words: dict
    lex: dict
    unit_names: tuple  # longest first
    money_units: tuple


@lru_cache(maxsize=1)
def _lexicon() -> _Lex:
    units_doc = json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))
    lex = json.loads((DATA_DIR / "figure_lexicon.json").read_text(encoding="utf-8"))

    def norm(v):
        if isinstance(v, str):
            return normalize_text(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {norm(k): norm(x) for k, x in v.items()}
        return v

    lex = norm(lex)
    units = norm(units_doc["units"])
    names = tuple(sorted(units, key=len, reverse=True))
    money = tuple(u for u in names if units[u]["dimension"] == "money")
    return _Lex(units=units, per=tuple(sorted(norm(units_doc.get("per", [])), key=len, reverse=True)),
                scale_words=units_doc.get("scale_words", {}), lex=lex, unit_names=names, money_units=money)


def _words(key: str) -> list[str]:
    """A word list of the lexicon, longest first (so 同比增长 wins over 增长)."""
    return _sorted_words(key)


@lru_cache(maxsize=None)
def _sorted_words(key: str) -> list[str]:
    return sorted(_lexicon().lex[key], key=len, reverse=True)


# ---------------------------------------------------------------------------
# numbers and units

_CN_SCALE = {"万亿": Decimal("1000000000000"), "亿": Decimal("100000000"), "万": Decimal("10000"),
             "千": Decimal("1000"), "百": Decimal("100")}


def parse_number(s: str) -> Decimal:
    """'1,076,420' / '１２．５' / '3.83万' / '1.2万亿' / '3, 594' -> Decimal.

    Full-width digits and separators are accepted; thousands separators and spaces are dropped;
    a trailing 万/亿/万亿 (or 千/百) multiplies. Raises ValueError when no number is found.
    """
    t = normalize_text(s).strip().replace(",", "").replace(" ", "").replace("\n", "")
    mult = Decimal(1)
    for w, m in sorted(_CN_SCALE.items(), key=lambda kv: -len(kv[0])):
        if t.endswith(w):
            t, mult = t[: -len(w)], m
            break
    m = re.fullmatch(r"[+-]?\d+(?:\.\d+)?", t)
    if not m:
        raise ValueError(f"not a number: {s!r}")
    try:
        return Decimal(t) * mult
    except InvalidOperation as e:  # pragma: no cover - regex guarantees a valid literal
        raise ValueError(f"not a number: {s!r}") from e


def unit_dimension(unit: str) -> str:
    """Dimension of a unit ('money', 'percent', 'person', …); '' when unknown.

    Rate units ('元/人月') form their own dimension: they are never added to amounts.
    """
    info = _lexicon().units.get(normalize_text(unit))
    if info:
        return info["dimension"]
    if "/" in unit:
        return "rate:" + unit
    return ""


def to_base(value: Decimal, unit: str) -> tuple[Decimal, str]:
    """(value, unit) -> (value in the base unit of its dimension, base unit).

    万元/亿元/万亿元 -> 元; 万人 -> 人; '%' and '个百分点' stay apart; '元/人月' scales its
    numerator (万元/人 -> 元/人). Unknown units are returned unchanged.
    """
    lx = _lexicon()
    u = normalize_text(unit)
    info = lx.units.get(u)
    if info:
        return value * Decimal(info["factor"]), info["base"]
    if "/" in u:
        num, den = u.split("/", 1)
        if num in lx.units:
            i = lx.units[num]
            return value * Decimal(i["factor"]), f"{i['base']}/{den}"
    return value, unit


_NUM_RE = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}(?:,[ ]?[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9])")
_RANGE_SEP = "-~—–至到"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PUNCT = set(",.;:!?()[]、。“”‘’\"'《》〈〉【】…—-/+|\n ")
_CIRCLED = re.compile(r"[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2776-\u277f]")


@dataclass
class Mention:
    """A number with its unit: `start` at the first digit, `end` after the unit."""

    start: int
    end: int
    num_end: int
    value_text: str
    value: Decimal
    unit: str
    qualifier: str = ""
    per_prefix: bool = False  # 每人每月100元
    high: Decimal | None = None  # upper end of a range


def _match_unit(t: str, p: int) -> tuple[str, int] | None:
    lx = _lexicon()
    for u in lx.unit_names:
        if t.startswith(u, p):
            e = p + len(u)
            if t.startswith("/", e):
                for d in lx.per:
                    if t.startswith(d, e + 1):
                        return f"{u}/{d}", e + 1 + len(d)
            return u, e
    return None


def find_mentions(t: str, lo: int = 0, hi: int | None = None) -> list[Mention]:
    """Numbers carrying a unit in normalized text `t[lo:hi]`, in order.

    Dropped: numbers without a unit (years 2023年, dates 9月, list markers 1、, names “832平台”),
    ordinals (第3), durations (3个月), thresholds followed by a noun (50万元以下账款).
    """
    lx = _lexicon()
    hi = len(t) if hi is None else hi
    lex = lx.lex
    out: list[Mention] = []
    for m in _NUM_RE.finditer(t, lo, hi):
        s, e = m.start(), m.end()
        if out and s < out[-1].end:
            continue
        before = t[max(0, s - 4):s]
        if any(before.endswith(w) for w in lex["not_figure_before"]):
            continue
        if s > 0 and (t[s - 1].isalpha() and not _CJK.match(t[s - 1])):
            continue  # part of a code such as G20, No3
        vt = t[s:e]
        try:
            value = parse_number(vt)
        except ValueError:
            continue
        p = e
        high = None
        # a range 3-5% / 3%-5% / 3至5个
        rm = re.match(r"\s*(%?)\s*[" + _RANGE_SEP + r"]\s*(" + _NUM_RE.pattern + r")", t[p:hi])
        if rm and not t.startswith(("月", "年", "日"), p + rm.end()):
            um = _match_unit(t, p + rm.end())
            if um:
                high = parse_number(rm.group(2))
                vt = t[s:p + rm.start(2)].rstrip(" %" + _RANGE_SEP) + "-" + rm.group(2)
                p = p + rm.end()
        q = p
        while q < hi and t[q] in " \n\t":
            q += 1
        qual_after = ""
        for w in ("余", "多"):
            if t.startswith(w, q) and _match_unit(t, q + 1):
                qual_after, q = w, q + 1
                break
        um = _match_unit(t, q) if q < hi else None
        if um and any(t.startswith(d, um[1] - len(um[0])) for d in lex["duration_after_count"]):
            continue
        if um is None:
            # a unit shared with the next number: 4.08和N个百分点 / N%、N%
            sm = re.match(r"\s*[和、与及]\s*(" + _NUM_RE.pattern + r")\s*", t[q:hi])
            if sm:
                nu = _match_unit(t, q + sm.end())
                if nu:
                    um = (nu[0], e)
        if um is None:
            # a unit separated by a few stray words: "投资1200用于万元…"
            k = q
            stray = ""
            while k < hi and k - q < 4 and _CJK.match(t[k]) and t[k] not in "年月日号万亿千百美港欧英日":
                stray += t[k]
                k += 1
                mu = next((u for u in lx.money_units if t.startswith(u, k)), None)
                if mu and stray and not any(t.startswith(u, q) for u in lx.unit_names):
                    um = (mu, k + len(mu))
                    break
            if um is None:
                continue
            if any(stray.startswith(w) for w in lex["not_figure_after"]):
                continue
        unit, end = um
        # thresholds: 50万元以下账款 (a bound on a noun, not a stated figure)
        for w in sorted(lex["threshold_after"], key=len, reverse=True):
            if t.startswith(w, end):
                nxt = t[end + len(w): end + len(w) + 1]
                if nxt and (_CJK.match(nxt) and nxt not in "的"):
                    unit = ""
                elif nxt == "的":
                    unit = ""
                else:
                    qual_after = qual_after or w
                break
        if not unit:
            continue
        per_prefix = bool(_PER_PREFIX.search(t[max(0, s - 6):s]))
        out.append(Mention(start=s, end=end, num_end=m.end(), value_text=vt, value=value, unit=unit,
                           qualifier=qual_after, per_prefix=per_prefix, high=high))
    return out


# ---------------------------------------------------------------------------
# sentences

_SENT_PUNCT = "。!?！？"
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|[0-9]{1,2}(?:、|\.(?![0-9]))|\([0-9]{1,2}\))")


def split_sentences(t: str) -> list[tuple[int, int, int]]:
    """Sentence spans of normalized text: (start, end, paragraph number).

    Split after 。！？ and at line ends, except a line break inside a sentence (a long line not
    ending in punctuation and not followed by a heading), which PDF extraction leaves behind.
    """
    spans: list[tuple[int, int, int]] = []
    para = 0
    n = len(t)
    i = 0
    start = 0
    line_start = 0
    while i <= n:
        ch = t[i] if i < n else "\n"
        if ch == "\n":
            line = t[line_start:i].strip()
            nxt_end = t.find("\n", i + 1)
            nxt = t[i + 1: nxt_end if nxt_end >= 0 else n]
            soft = (i < n and line and line[-1] not in _SENT_PUNCT + ";:：；" and len(line) > 40
                    and nxt.strip() and not _HEADING_START.match(nxt))
            if not soft:
                if t[start:i].strip():
                    spans.append(trim_span(t, start, i) + (para,))
                para += 1
                start = i + 1
            line_start = i + 1
        elif ch in _SENT_PUNCT:
            j = i + 1
            while j < n and t[j] in "”’)」』":
                j += 1
            if t[start:j].strip():
                spans.append(trim_span(t, start, j) + (para,))
            start = j
            i = j - 1
        i += 1
    return spans


# ---------------------------------------------------------------------------
# item phrases

@lru_cache(maxsize=1)
def _period_re() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _lexicon().lex["period_patterns"]))


def find_periods(s: str) -> list[re.Match[str]]:
    """Period expressions (2023年1-9月, 截至9月底, 全年, 上半年 …) in normalized text."""
    return list(_period_re().finditer(s))


@lru_cache(maxsize=1)
def _scope_re() -> re.Pattern[str]:
    lex = _lexicon().lex
    words = "|".join(re.escape(w) for w in _words("scope_words"))
    not_before = "|".join(re.escape(w) for w in lex["scope_not_before"])
    return re.compile(f"(?:{words})(?!{not_before})")


def _scope_matches(s: str) -> list[tuple[int, int, str]]:
    """Scope words (全市, 市本级, 县区 …) in `s`: (start, end, canonical form), left to right."""
    canon = _lexicon().lex["scope_canonical"]
    return [(m.start(), m.end(), canon.get(m.group(), m.group())) for m in _scope_re().finditer(s)]


def _strip_leading(s: str) -> str:
    changed = True
    lead = _words("link_leading") + _words("adverbs")
    while changed and s:
        changed = False
        s2 = s.lstrip(" ,;:、，")
        if s2 != s:
            s, changed = s2, True
        keep = _lexicon().lex["keep_words"]
        for w in lead:
            if s.startswith(w) and len(s) > len(w) and s[len(w)] not in "性型":
                if any(s.startswith(k) and len(k) > len(w) for k in keep):
                    continue  # 共享“四税收入” is not 共 + 享…
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
        for w in _words("qualifiers_before"):
            if s.endswith(w) and not qual:
                if len(w) == 1 and s[-2:] in lex["single_qualifier_guard"] + lex["verbs"]:
                    continue  # 节约 is not 节 + 约
                qual = lex["qualifier_canonical"].get(w, w)
                s, changed = s[: -len(w)], True
                break
        for w in _words("link_trailing"):
            if s.endswith(w):
                if len(w) == 1 and s[-2:] in lex["single_qualifier_guard"] + lex["verbs"]:
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
    for b in _words("funding_sources"):  # 一般预算安排资金 / 市级财政统筹资金: says whose money, not what for
        if core.startswith(b) and len(core) > len(b):
            core = core[len(b):]
            break
    for v in _words("funding_verbs"):
        if core.startswith(v) and core[len(v):] in lex["generic_items"]:
            return True
    return core in lex["generic_items"] or core == ""


def _is_bare(item: str) -> bool:
    lex = _lexicon().lex
    item = item.rstrip("等")
    return item in lex["bare_heads"] or item in lex["generic_items"]


def _remove_verbs(s: str) -> str:
    for v in _words("verbs") + _words("link_leading") + _words("link_trailing") + _words("adverbs"):
        s = s.replace(v, "")
    return s


def _remove_status(s: str) -> str:
    """What is left of `s` after status words (实际完成, 预计, 执行) and verbs are removed."""
    for v in _words("status_words") + _words("verbs") + _words("adverbs"):
        s = s.replace(v, "")
    return s


def _cut_at_verbs(s: str) -> str:
    """Keep the noun phrase after the last verb: '全年累计投入民生领域资金' -> '民生领域资金'.

    A cut that would leave a bare head (收入, 资金) or a 1-char stub is skipped, and a verb
    followed by 的 is a modifier ('…收入安排的支出'), not a cut point. When every cut leaves a
    generic word the last verb stays attached ('节约资金', '追回资金').
    """
    cands = []
    for v in _words("verbs"):
        i = s.find(v)
        while i >= 0:
            cands.append((i, i + len(v)))
            i = s.find(v, i + 1)
    if not cands:
        return s
    # prefer later cut points, at the same start the longer verb — but a reporting verb
    # (完成, 核定, 拨付 …) before a verb inside the noun phrase (享受, 涉及 …) wins:
    # 核定中职学校享受国家助学金人数 -> 中职学校享受国家助学金人数
    weak = set(_lexicon().lex["weak_verbs"])
    cands.sort(key=lambda x: (s[x[0]:x[1]] not in weak, x[1], x[1] - x[0]), reverse=True)
    for a, b in cands:
        if s.startswith("的", b) or (b < len(s) and s[b] in _lexicon().lex["bound_suffixes"]):
            continue  # …收入安排的支出; 国有土地使用权 (使用 + 权 is one noun)
        if (b < len(s) and s[b] in "和及与、") or (a > 0 and s[a - 1] in "和及与、" and any(
                e == a - 1 for _, e in cands)):
            continue  # 减免和缓征税收 / 带动和吸纳就业: coordinated verbs belong to the noun phrase
        rest = _strip_leading(s[b:])
        if len(rest) < 2 or rest in _lexicon().lex["attribute_heads"]:
            continue  # 研发经费投入强度: 投入 + 强度 is one attribute
        if _is_bare(rest) or rest in _lexicon().lex["generic_items"]:
            continue
        # a cut in the middle of a word (盘活收益 -> 收益) is caught by the bare check above
        return rest
    return s  # every cut leaves a bare head: the verb is part of the name (债务转贷收入)


_PER_PREFIX = re.compile(r"(?:按)?(每[\u4e00-\u9fff]{1,2}每[月年天日]|每[月年]每人|人均每[月年]|[人户生亩孩床]均|每[人户生亩孩名床])$")
_PER_INSIDE = re.compile(r"(?:每[\u4e00-\u9fff]{1,2}每[月年天日]|每[月年]每人|人均每[月年])")
_PER_START = re.compile(r"每[人户生孩名][每]?|人均|户均")
_NOTE_PAREN = re.compile(r"\((?:含|不含|包括|包含|其中|即|简称|下同|以下简称)[^()]{0,20}\)")


def clean_item(seg: str) -> tuple[str, dict]:
    """Raw text before a number -> (item, info).

    info: 'scope' (last scope word, canonical), 'scope_only' (the text was only a scope word:
    a breakdown such as 市本级X亿元), 'qualifier', 'periods' (period expressions seen),
    'verb' (the text was only a verb: 节约X万元).
    """
    info: dict = {"scope": "", "scope_only": False, "qualifier": "", "periods": [], "verb": "",
                  "status_only": False, "status": ""}
    s = _CIRCLED.sub("", re.sub(r"\s+", "", seg))
    s = re.sub(r"\[[0-9]{1,2}\]", "", s)
    s = _PER_PREFIX.sub("", s)
    s = _NOTE_PAREN.sub("", s)
    # period expressions split the lead-in from the item
    ps = find_periods(s)
    if ps:
        info["periods"] = [p.group() for p in ps]
        s = _period_re().sub("|", s)
    pieces = s.split("|")
    s = pieces[-1]
    if len(pieces) > 1:
        tail = _PER_PREFIX.sub("", s).strip("的从由较比到至 ")
        tail_core = _strip_trailing(_strip_leading(tail))[0]
        if tail_core in _lexicon().lex["baseline_items"]:
            s = pieces[-2]  # 一般公共预算收入年初预算合计X亿元: the item precedes the period
        elif not tail_core:
            # 补助标准从2024年的人均每年94元: the item is before the period
            s = re.sub(r"(从|由|较|比|到|至)$", "", pieces[-2]) + tail
    sc = _scope_matches(s)
    if sc:
        a, b, w = sc[-1]
        rest = s[b:]
        r2, _ = _strip_trailing(_strip_leading(rest))
        if w.endswith("级") and r2 and (_is_bare(r2) or len(r2) <= 2):
            s = s[a:]  # 省级补助, 市级财政资金: a level of government naming the item
        else:
            info["scope"] = w
            if not r2:
                info["scope_only"] = True
            s = rest
    pre = s
    s, q = _strip_trailing(s)
    info["qualifier"] = q
    s = _PER_PREFIX.sub("", s)  # 标准每人每月不低于274元
    s = _strip_leading(s)
    s, q2 = _strip_trailing(s)
    info["qualifier"] = info["qualifier"] or q2
    whole = s
    if s and any(w in s for w in _words("status_words")) and not _remove_status(s):
        # 实际完成X亿元 / 预计执行…: only a status verb; the item is the sentence's subject
        info["verb"], info["status_only"] = s, True
        return "", info
    for w, st in sorted(_lexicon().lex["status_prefixes"].items(), key=lambda kv: -len(kv[0])):
        i = s.rfind(w)
        rest = s[i + len(w):] if i >= 0 else ""
        if i >= 0 and (_is_bare(rest) or _is_bare(re.sub("(?:总计|合计)$", "", rest))):
            # 预期收入X亿元 / 政府性基金预算预期收入: that revenue, expected
            s, info["status"] = s[:i] + rest, st
            break
    if s and not _remove_verbs(s):
        info["verb"] = s  # 节约X万元 / 争取X亿元补充资本金: only a verb before the number
        return "", info
    k = s.rfind("加上")
    if k > 0 and len(s) - k > 3:
        # 地方收入加上上划中央收入X万元: the figure is what is added; 加上年结转 is 加 + 上年结转
        s = s[k + 1:] if s.startswith("年", k + 2) else s[k + 2:]
    s = _cut_at_verbs(s)
    for v in _words("verbs"):
        rest = s[len(v) + 1:]
        if s.startswith(v + "的") and len(rest) >= 4 and not _is_bare(rest):
            s = rest  # 全县统筹的某项基金收入: the verb phrase only qualifies it
            break
    k = s.rfind("将")
    if 0 < k <= 5 and len(s) - k > 3:
        s = s[k + 1:]  # 阶段性将起征点…: 将 puts the object first; the item is what follows
    s = _strip_leading(s)
    s = s.strip(" ,;:、的")
    for w in _words("baseline_items"):
        # 一般公共预算收入年初预算合计X亿元: the budget figure of 一般公共预算收入 (status 预算)
        if s.endswith(w) and s[: -len(w)].endswith(("收入", "支出", "资金", "基金", "经费")):
            s = s[: -len(w)]
            break
    if not s and (whole or pre):
        info["verb"] = whole or pre
    return s, info


def _recipient(seg: str) -> str:
    """'对完全自理特困对象发放' -> '完全自理特困对象': who a per-head payment goes to ('' if the
    words before the number are not a recipient and a paying verb)."""
    s = re.sub(r"\s+", "", seg)
    s = _PER_PREFIX.sub("", s)
    m = re.fullmatch(r"(?:对|向|给|为)?(.{2,16}?)(?:" + "|".join(_words("paying_verbs")) + r")(?:了)?(?:按)?", s)
    if not m:
        return ""
    who = _strip_leading(m.group(1))
    if len(who) < 2 or _is_generic(who) or any(v in who for v in _words("verbs")):
        return ""
    return who


def _following_noun(t: str, p: int, hi: int, count: bool) -> tuple[str, int]:
    """Noun phrase right after a unit: '15个乡镇文化站…' -> '乡镇文化站'; '100元护理补贴' ->
    '护理补贴'; 'X亿元的第五小学…项目' -> '第五小学…项目'. Returns (noun, end offset)."""
    q = p
    if t.startswith("的", q):
        q += 1
    if count:
        stops = _words("count_noun_stops") + _words("verbs")
    else:  # 支持生态和自然保护修复: 和/等 join the phrase; a new verb ends it
        stops = _words("non_count_noun_stops") + _words("verbs") + _words("funding_verbs")
    moved = True
    while moved:  # 支持做好…, 全力支持…, 持续保障…
        moved = False
        for w in _words("adverbs") + _words("purpose_verbs"):
            if t.startswith(w, q) and q + len(w) < hi and _CJK.match(t[q + len(w)]):
                q += len(w)
                moved = True
                break
    if any(t.startswith(w, q) for w in stops + _words("qualifiers_after") + _words("threshold_after")):
        return "", p
    if any(t.startswith(w, q) for w in _lexicon().lex["direction_words"]) or t.startswith(("到", "至", "提高", "降至")):
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
        for h in _words("count_heads"):
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
    for w in _words("adverbs"):
        if c.startswith(w):
            c = c[len(w):]
            break
    hit = None
    for w in _words("purpose_verbs"):
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


# ---------------------------------------------------------------------------
# sentence reader

@dataclass
class _Row:
    m: Mention
    item: str = ""
    measure: str = ""
    kind: str = "level"  # level | change | ratio
    direction: str | None = None
    change: Mention | None = None
    scope: str = ""
    scope_only: bool = False
    parent: str = ""
    qualifier: str = ""
    depth: int = 0
    periods: list = field(default_factory=list)
    dup_items: list = field(default_factory=list)  # 渗透率和活跃度均为100% -> extra items
    merged: bool = False
    baseline: bool = False  # the item's value in the comparison period or its budget figure
    status: str = ""  # stated by the words naming the figure (预算数, 预期收入), overrides the lead
    prev_year: bool = False  # 上年数: the figure of the year before
    pct_swapped: bool = False  # its amount change was moved to a row of its own
    from_pos: int | None = None  # 由X提高到Y: where 由 stands; Y's lead ends there
    of: "_Row | None" = None  # a change row: the figure it is the change of (same period, status …)
    seg_start: int = 0  # where the words naming this figure start


def _direction_at_end(seg: str, unit: str = "%") -> tuple[str | None, int, bool]:
    """Does `seg` end with a change word (同比增长, 比上年增收, 月增 …)?

    Returns (canonical direction, length of the change phrase, level) — level is True for
    增加至/提高到 (the number that follows is the new level, not the change).
    """
    lex = _lexicon().lex
    s = seg.rstrip(" ")
    level = False
    for w in _words("level_after_direction"):
        if s.endswith(w):
            core = s[: -len(w)]
            d = _ends_with_direction(core, before_level=True)
            if d:
                return d[0], d[1] + len(w), True
    d = _ends_with_direction(s)
    if d:
        word = s[len(s) - d[1]:]
        if unit not in ("%", "个百分点", "百分点") and any(word.endswith(w) for w in lex["direction_only_for_rates"]):
            return None, 0, False  # 林分优化提升19595亩 is a level, not a change
        return d[0], d[1], level
    return None, 0, False


def _ends_with_direction(s: str, before_level: bool = False) -> tuple[str, int] | None:
    lex = _lexicon().lex
    dirs = lex["direction_words"]
    s2 = s[:-1] if s.endswith("了") else s
    extra = len(s) - len(s2)
    for w in sorted(dirs, key=len, reverse=True):
        if s2.endswith(w):
            if w in lex["direction_single_char"] and not before_level:
                # a lone 增/降/多/少 must follow a change prefix (月增70元, 比上年多) —
                # otherwise it is part of a word (新增, 差不多); 降至/增至 are fine
                before = s2[: -len(w)]
                if not any(before.endswith(p) for p in lex["direction_prefixes"]):
                    continue
            n = len(w) + extra
            before = s2[: -len(w)]
            cm = _COMPARED_PREFIX.search(before) or _COMPARED_PHRASE.search(before)
            if cm:  # 较五年前下降 / 比2018年增长 / 比上年年初预算财力增加
                n += len(cm.group())
                before = before[: cm.start()]
            found = True
            while found:  # 同口径比上年减少: several prefixes
                found = False
                for p in sorted(lex["direction_prefixes"], key=len, reverse=True):
                    if p in ("年", "月") and re.search(r"[0-9半全上下初末底季度一二三四五六七八九十两]$", before[: -len(p)] or "x"):
                        continue  # 上半年下降4.6%: 年 ends a period, it is not 年增
                    if before.endswith(p):
                        n += len(p)
                        before = before[: -len(p)]
                        found = True
                        break
            return dirs[w], n
    return None


_COMPARED_PREFIX = re.compile(r"(?:较|比|同)(?:[0-9]{4}年(?:同期|底|末)?|[一二三四五六七八九十]+年前|上年同期|上年|去年同期|去年|同期|年初|上月|上季度)$")
# a longer comparison base: 比上年年初预算财力 / 比2018年初预算代编数 (not 比重, 比例, 较快)
_COMPARED_PHRASE = re.compile(r"(?<![占之])(?:比|较)(?![重例率较快大好多少高低])[^,;:。%比较]{1,16}$")
_BASELINE_OF = re.compile(r"(?:较|比|相比)[^,;:。]{1,20}的$")
_RATIO_OF = re.compile(r"(?:为|占|完成|达到|达|相当于|是)([^,;:。]{0,24}?)的(?:比重|比例|份额)?(?:为|达到|达|是)?$")


def _depths(t: str, a: int, b: int) -> list[int]:
    d = 0
    out = []
    for i in range(a, b):
        ch = t[i]
        if ch == "(":
            d += 1
        out.append(d)
        if ch == ")":
            d = max(0, d - 1)
    return out


def _segment_start(t: str, a: int, pos: int) -> int:
    """Start of the clause that holds `pos`: after the last , ; : ( ) before it, skipping short
    parentheses with no digits (在岗实(见)习生, 直达资金(含参照直达))."""
    i = pos - 1
    while i >= a:
        ch = t[i]
        if ch == ")":
            j = t.rfind("(", a, i)
            if j >= 0 and i - j <= 10 and not re.search(r"[0-9]", t[j:i]):
                i = j - 1
                continue
            return i + 1
        if ch in ",;:(。!?":
            return i + 1
        i -= 1
    return a


def _split_parts(subject: str, n: int) -> list[str] | None:
    parts = [p for p in subject.split("、") if p]
    if len(parts) != n:
        parts = [p for p in re.split(r"[、和及与]", subject) if p]
    if len(parts) != n:
        return None
    return parts


def _share_head(parts: list[str]) -> list[str]:
    """'城乡居民、企业和机关事业养老保险' -> each part gets the shared head (…养老保险);
    '基本公共卫生补助和城居医保政府补助年人均标准' -> the shared attribute (年人均标准)."""
    lex = _lexicon().lex
    last = parts[-1]
    head = ""
    first = parts[0]
    idx = last.find(first[-2:]) if len(first) >= 2 else -1
    if idx >= 0 and idx + 2 < len(last):  # align the first part's last characters inside the last
        head = last[idx + 2:]
    if not head and len(first) <= 2 and len(last) > len(first) + 1:
        # 城镇、农村居民最低生活保障标准: a two-character modifier against one of the same length
        head = last[len(first):]
    if not head:
        for h in _words("attribute_heads"):
            if last.endswith(h) and len(last) > len(h):
                head = h
                break
    if not head:
        for h in _words("noun_heads"):
            if last.endswith(h) and len(last) > len(h):
                head = h
                break
    if not head:  # 进口、出口通关时间: align on one character
        idx = last.find(first[-1:]) if first else -1
        if idx >= 0 and idx + 1 < len(last):
            head = last[idx + 1:]
    if not head:
        return parts
    attr = any(head.endswith(h) for h in lex["attribute_heads"])
    out = []
    for p in parts[:-1]:
        has_head = any(p.endswith(h) for h in lex["noun_heads"])
        if attr or not has_head:
            out.append(p + head)
        else:
            out.append(p)
    out.append(last)
    return out


_FLAT_AFTER = re.compile(r"[^,;:。0-9]{0,8}?[,;]?\s*(?:(?:与|和|同|较|比)[^,;:。0-9%]{0,12}?)?(?:基本|保持|同比)?持平")
_COMPARED_TO = re.compile(r"(?:较|比)(?:[0-9]{4}年|上年同期|上年|去年同期|去年|同期|年初)")


def _fenbie_subjects(t: str, a: int, cstart: int, clause_raw: str, nvals: int, unit: str):
    """'A、B和C…分别为x、y、z': the items for the n values, or None when the parts don't line up.

    Returns (items, scopes, direction, scope): scopes is per value when the parts are scope
    words (全市和市本级税性比重分别提高…); direction is a change word after 分别, "ratio" for
    分别占…的, else None. The subject may lead the clause before ('总收入和…收入均超额完成…，
    分别占预算调整数的N%和N%').
    """
    lex = _lexicon().lex
    k = clause_raw.rfind("分别")
    subject_raw = _COMPARED_TO.sub("", clause_raw[:k])
    after = clause_raw[k + 2:]
    subj, sinfo = clean_item(subject_raw)
    if not subj and cstart > a:
        pc_end = cstart - 1
        prev = _COMPARED_TO.sub("", t[_segment_start(t, a, pc_end):pc_end])
        cut = len(prev)
        for v in ["均"] + lex["verbs"]:  # keep the subject of that clause, not its verb phrase
            j = prev.find(v, 1)
            if 0 < j < cut:
                cut = j
        subject_raw = prev[:cut]
        subj, sinfo = clean_item(subject_raw)
    if not subj:
        return None
    scopes: list[str] = []
    parts = _split_parts(subj, nvals)
    if parts is None:
        lead_scopes = _scope_matches(subject_raw)
        if len(lead_scopes) != nvals:
            return None
        parts = [subj] * nvals
        scopes = [sc[2] for sc in lead_scopes]
    else:
        parts = _share_head(parts)
    d, _, lvl = _direction_at_end(after)
    direction = None if lvl else d
    if unit == "%" and _RATIO_OF.search(after):
        direction = "ratio"
    return parts, scopes, direction, sinfo["scope"]


@lru_cache(maxsize=2)
def _old_to_new_re(bare: bool = False) -> re.Pattern[str]:
    """The words between an old and a new level: (部门)提高到 / 增加至 / 调整为 (`bare`: no noun)."""
    verbs = "|".join(re.escape(w) for w in _words("old_to_new_verbs"))
    return re.compile(("" if bare else r"[\u4e00-\u9fff]{0,4}?") + "(?:" + verbs + r")(?:到|至|为)")


def _base_for(rows: list[_Row], depth: int, need_free: bool) -> _Row | None:
    """The figure a change/ratio refers to: the last level figure at this paren depth
    (None when `need_free` and that figure already carries a change)."""
    for r in reversed(rows):
        if r.kind == "level" and r.depth == depth and not r.baseline:
            if need_free and r.change is not None:
                return None
            return r
    return None


def _read_sentence(t: str, a: int, b: int, prev_lead: _Row | None, topic: str = "") -> list[_Row]:
    """All figures of the sentence t[a:b] with item, kind, change, parent, scope (from the text).

    `topic` is the budget the section is about (一般公共预算 …): it names a bare 收入/支出.
    """
    lex = _lexicon().lex
    ms = find_mentions(t, a, b)
    if not ms:
        return []
    depth_at = _depths(t, a, b)
    rows: list[_Row] = []
    consumed = a  # text before this offset is used up (a previous figure or its noun)
    parent = ""
    in_m = re.search(lex["parent_in_pattern"], t[a:b])
    fenbie_vals: list[str] | None = None
    fenbie_dir: str | None = None
    fenbie_idx = 0
    fenbie_scopes: list[str] = []
    for i, m in enumerate(ms):
        depth = depth_at[m.start - a]
        cstart = _segment_start(t, a, m.start)
        lo = max(cstart, consumed)
        raw = t[lo:m.start]
        clause_raw = t[cstart:m.start]
        row = _Row(m=m, depth=depth, qualifier=m.qualifier, seg_start=lo)
        unit_info = _lexicon().units.get(m.unit.split("/")[0], {})
        row.measure = unit_info.get("measure", "amount")

        # parents: 其中… / 在…中 / (…)
        marker_txt = t[consumed if rows else a:m.start]
        for pm in _words("parent_markers"):
            if pm in marker_txt:
                base = _base_for(rows, depth, need_free=False)
                pre = marker_txt[: marker_txt.find(pm)]
                if base is not None:
                    parent = base.item
                elif prev_lead is not None and len(_CJK.findall(pre)) <= 8:
                    # a sentence that names its own subject before 其中 is not about the last one
                    parent = prev_lead.item
                break
        if in_m and a + in_m.end() <= m.start and not parent:
            pitem, _ = clean_item(in_m.group(1))
            parent = pitem
        if depth > 0:
            outer = _base_for(rows, depth - 1, need_free=False)
            row.parent = outer.item if outer else parent
        else:
            row.parent = parent

        # 分别 lists: values after 分别 take the parts named before it in order
        if "分别" in clause_raw and fenbie_vals is None:
            nvals = 1
            j = i + 1
            while j < len(ms) and re.fullmatch(r"\s*[、和及与]\s*", t[ms[j - 1].end:ms[j].start]):
                nvals += 1
                j += 1
            got = _fenbie_subjects(t, a, cstart, clause_raw, nvals, m.unit) if nvals > 1 else None
            if got:
                fenbie_vals, fenbie_scopes, fenbie_dir, subj_scope = got
                fenbie_idx = 0
                if subj_scope:
                    row.scope = subj_scope
        if fenbie_vals is not None and fenbie_idx < len(fenbie_vals):
            row.item = _strip_leading(fenbie_vals[fenbie_idx])
            if fenbie_scopes:
                row.scope = fenbie_scopes[fenbie_idx]
            fenbie_idx += 1
            if fenbie_dir == "ratio":
                row.kind, row.measure = "ratio", "ratio"
            elif fenbie_dir:
                row.kind, row.direction, row.measure = "change", fenbie_dir, "change"
            row.measure = _standard_measure(row.measure, m, row.item)
            rows.append(row)
            consumed = m.end
            if fenbie_idx >= len(fenbie_vals):
                fenbie_vals = None
            continue

        seg = re.sub(r"\s+", "", raw)
        for w in _words("qualifiers_before"):  # 增加到近1万公里
            if seg.endswith(w) and len(seg) > len(w) and w not in ("共", "达"):
                if len(w) == 1 and seg[-2:] in lex["single_qualifier_guard"] + lex["verbs"]:
                    continue
                row.qualifier = row.qualifier or lex["qualifier_canonical"].get(w, w)
                seg = seg[: -len(w)]
                break
        # change phrase at the end of the segment: 同比增长 / 比上年增收 / 增加至
        d, dlen, level = _direction_at_end(seg, m.unit)
        if d:
            seg = seg[: len(seg) - dlen]
        # ratio: 为预算的 / 占一般公共预算支出的 / 完成预算数X亿元的
        ratio_of = bool(m.unit == "%" and _RATIO_OF.search(seg))
        if ratio_of:
            seg = seg[: _RATIO_OF.search(seg).start()]
        elif m.unit == "%" and re.match(r"(?:[,，]?)占[^,;:。]{1,30}$", _strip_leading(seg)) and rows:
            ratio_of, seg = True, ""  # 占一般公共预算支出N% / 占…比重为N%
        elif m.unit == "%" and seg == "的" and rows and rows[-1].baseline:
            ratio_of, seg = True, ""
        # a comparison base: 较“十三五”期间的X亿元 (the same item in another period)
        baseline = bool(not d and _BASELINE_OF.search(seg))
        if baseline:
            seg = ""
        if not m.per_prefix and m.unit in ("元", "美元") and _PER_INSIDE.search(seg):
            m.per_prefix = True  # 每人每月发放高龄津贴200元: a rate per head, stated before the verb
        item, info = clean_item(seg)
        row.qualifier = row.qualifier or info["qualifier"]
        row.periods = info["periods"]
        if info["scope"]:
            row.scope = info["scope"]
        row.scope_only = info["scope_only"]
        if item in lex["ratio_words"] or item.endswith(tuple(lex["ratio_words"])):
            row.kind, row.measure = "ratio", "ratio"
            if len(item) <= 2:  # 占比 alone names no item
                base = _base_for(rows, depth, need_free=False)
                if base is not None:
                    item = base.item + item
        if baseline or item in lex["baseline_items"]:
            # 完成预算数X亿元的N%: the budget figure of the item before (status 预算)
            base = _base_for(rows, depth, need_free=False)
            if base is not None:
                row.baseline = True
                if not baseline:
                    row.status = lex["baseline_status"].get(item, "")
                    row.prev_year = item in lex["previous_year_baselines"]
                item = base.item
        if not item and info["status_only"]:
            # 收入年初预算X亿元，实际完成X亿元: the status verb's subject is the item before
            base = _base_for(rows, depth, need_free=False) or (
                _base_for(rows, depth - 1, need_free=False) if depth else None)
            item = base.item if base is not None else (prev_lead.item if prev_lead else "")
        row.status = row.status or info["status"]
        item = lex["item_canonical"].get(item, item)
        if ratio_of:
            row.kind, row.measure = "ratio", "ratio"
            base = _base_for(rows, depth, need_free=False)
            if base is None and depth > 0:
                base = _base_for(rows, depth - 1, need_free=False)
            if not item and base is not None:
                item = base.item
        elif d and not level:
            row.kind, row.direction, row.measure = "change", d, "change"
        elif d and level:
            row.direction = d
        elif m.unit in ("%", "个百分点") and item:
            # 压减“三公”经费N%: the change word leads the item
            for w, dd in sorted(lex["leading_direction"].items(), key=lambda kv: -len(kv[0])):
                if _strip_leading(re.sub(r"\s+", "", raw)).startswith(w) and len(item) > 1:
                    row.kind, row.direction, row.measure = "change", dd, "change"
                    if item.startswith(w):
                        item = item[len(w):]
                    break

        count = row.measure == "count"
        after_noun, noun_end = "", m.end
        nxt = t[m.end:m.end + 1]
        if nxt and (_CJK.match(nxt) or nxt == "“") and row.kind != "change":
            after_noun, noun_end = _following_noun(t, m.end, b, count)

        if count and after_noun:
            prefix = _strip_leading(item)
            if after_noun in lex["generic_items"] or after_noun in lex["count_heads"]:
                item = (prefix + after_noun) if prefix and not _is_generic(prefix) else after_noun
            else:
                item = after_noun
            consumed = noun_end
        elif (not item or _is_generic(item) or m.per_prefix) and after_noun and row.kind == "level":
            recipient = _recipient(seg) if m.per_prefix else ""
            if after_noun.startswith("标准") and item and not _is_generic(item):
                item = item + "标准"  # 高龄津贴按每人每月200元标准发放
            elif after_noun.startswith("标准") and (rows and rows[-1].kind == "level" or cstart > a):
                # 实施育儿补贴政策，按每孩每年3600元标准补贴: the standard of what was just named
                named = rows[-1].item if rows and rows[-1].kind == "level" else ""
                if not named:
                    pc_end = cstart - 1
                    named, _ = clean_item(t[_segment_start(t, a, pc_end):pc_end])
                item = re.sub(_lexicon().lex["programme_suffix"], "", named) + "标准" if named else after_noun
            else:
                # 对特困失能对象发放每人每月1380元护理补贴: whose allowance it is
                item = recipient + after_noun
            consumed = noun_end
        else:
            consumed = m.end
        for w in _words("qualifiers_after"):
            if t.startswith(w, consumed):
                consumed += len(w)
                break
        if item and _is_generic(item) and row.kind == "level":
            purpose = _purpose_after(t, m.end, b)
            if purpose:
                item = purpose
        if not item and info["verb"] and row.kind == "level":
            # only a verb before the number: 统筹X亿元，支持… / 节约X万元
            purpose = _purpose_after(t, m.end, b)
            if purpose:
                item = purpose
            elif (any(v in info["verb"] for v in lex["verbs"]) and len(_strip_leading(info["verb"])) >= 2
                  and _strip_trailing(info["verb"])[0] and _strip_leading(info["verb"]) not in lex["funding_verbs"]):
                item = _strip_leading(info["verb"])

        # a bare 支出 after 机关养老保险基金收入 -> 机关养老保险基金支出
        if (item in lex["bare_heads"] or item in ("总收入", "总支出")
                or any(item in g for g in lex["sibling_heads"])):
            prev = next((r for r in reversed(rows) if r.item and r.depth <= depth), None) or prev_lead
            if prev is not None:
                bare = item
                for group in lex["sibling_heads"]:
                    if item in group:
                        for h in group:
                            if h != item and prev.item.endswith(h) and len(prev.item) > len(h):
                                item = prev.item[: -len(h)] + item
                                break
                if item == bare and prev.item.endswith(item) and len(prev.item) > len(item):
                    item = prev.item  # 一般公共预算支出…，支出预算调整为X亿元: the same item
            if item in ("收入", "支出") and topic:
                item = topic + item  # in a section on 政府性基金预算, 支出 is that budget's
        item = _resolve_generic(item, row, rows, prev_lead, topic, t[row.seg_start:m.start])

        # scope breakdown: 其中：市本级X亿元，县区X亿元
        if row.scope_only and not item:
            if row.kind == "level":
                item = row.parent or (prev_lead.item if prev_lead else "")
            else:
                base = _base_for(rows, depth, need_free=False)
                item = base.item if base else ""
        # 增速（N%）: a figure opening a parenthesis belongs to the words before it
        if not item and not re.sub(r"\s+", "", raw) and m.start > a and t[m.start - 1] == "(":
            p0 = m.start - 1
            lo0 = max(_segment_start(t, a, p0), rows[-1].m.end if rows else a)
            item, _ = clean_item(t[lo0:p0])
        # the item named earlier: 增加X元，达到X元 / 占比N% / 增长N%
        if not item:
            if row.kind == "change":
                base = _base_for(rows, depth, need_free=True)
                if m.unit in ("个百分点", "百分点"):
                    # 比重达N%，…上升N个百分点: a change in points belongs to a percentage
                    pct = next((r for r in reversed(rows) if r.m.unit == "%" and r.kind != "change"
                                and r.depth == depth), None)
                    if pct is not None:
                        base = pct if pct.change is None else None
                if base is not None:
                    base.change = m
                    base.direction = d
                    consumed = m.end
                    continue
                held = _base_for(rows, depth, need_free=False)
                if (held is not None and m.unit == "%" and held.change is not None
                        and held.change.unit not in ("%", "个百分点", "百分点") and not held.pct_swapped):
                    # 增加X亿元，增长N%: the figure carries the rate (what 增幅 asks);
                    # the amount change becomes a change row of the same item
                    rows.append(_Row(m=held.change, item=held.item, measure="change", kind="change",
                                     direction=held.direction, scope=held.scope, parent=held.parent,
                                     qualifier=held.change.qualifier, depth=held.depth,
                                     periods=held.periods, merged=True, seg_start=held.change.start,
                                     status=held.status, of=held))
                    held.change, held.direction, held.pct_swapped = m, d, True
                    consumed = m.end
                    continue
                base = _base_for(rows, depth, need_free=False) or (
                    _base_for(rows, depth - 1, need_free=False) if depth else None)
                item = base.item if base else (prev_lead.item if prev_lead else "")
                row.status = row.status or (base.status if base else "")
                row.of = base
            else:
                prev = rows[-1] if rows else None
                if prev is not None and prev.kind == "change" and not prev.merged and prev.item:
                    # 月增70元，达到1150元: one figure with its change
                    prev.merged = True
                    row.item, row.change, row.direction = prev.item, prev.m, prev.direction
                    row.measure = _standard_measure(row.measure, m, row.item)
                    row.scope = row.scope or prev.scope
                    row.periods = prev.periods + row.periods
                    rows[-1] = row
                    consumed = m.end
                    continue
                # the clause before this one names it: 统一…两项补贴，达到每人每月100元
                prev_end = rows[-1].m.end if rows else a
                pc_end = cstart
                while pc_end > prev_end and t[pc_end - 1] in ",;: ":
                    pc_end -= 1
                pitem = ""
                if pc_end > prev_end:
                    pstart = max(_segment_start(t, a, pc_end), prev_end)
                    pitem, _ = clean_item(t[pstart:pc_end])
                base = _base_for(rows, depth, need_free=False)
                if row.direction and rows and rows[-1].m.unit == m.unit:
                    base = rows[-1]  # 比重从N%提高到N%: the level the change started from
                item = pitem or (base.item if base is not None else "")
        # 收入预计增长N%，预期收入X亿元: the change stated first belongs to this figure
        prev = rows[-1] if rows else None
        if (prev is not None and row.kind == "level" and item and prev.kind == "change" and not prev.merged
                and prev.item == item and prev.depth == depth
                and not any(r.item == item and r.kind == "level" for r in rows)):
            prev.merged = True
            row.item, row.change, row.direction = _CIRCLED.sub("", item), prev.m, prev.direction
            row.scope = row.scope or prev.scope
            row.measure = _standard_measure(row.measure, m, item)
            rows[-1] = row
            continue
        # 由每人每月98元提高到103元 / 从50元提高到55元 / 由5000元/人调整为6000元/人:
        # the first number is the old level (qualifier 原), the second the new one of the same item
        old = rows[-1] if rows else None
        if (old is not None and old.depth == depth and old.kind in ("level", "ratio") and row.kind == "level"
                and unit_dimension(old.m.unit) == unit_dimension(m.unit)
                and _old_to_new_re().fullmatch(re.sub(r"\s+", "", t[old.m.end:m.start]))):
            ostart = _segment_start(t, a, old.m.start)
            fm = list(re.finditer(r"[从由]", t[ostart:old.m.start]))
            if fm:
                # 起征点从月销售额3万元提高到15万元: the words after 从 say how it is measured
                named = old.item
                cut = re.search(r"[从由][^从由]{1,8}$", old.item)
                if cut and cut.start() >= 2 and not old.item[cut.start() + 1:].startswith("于"):
                    old.item = old.item[: cut.start()]
                old.qualifier, old.baseline = "原", True
                row.from_pos = ostart + fm[-1].start()
                row.kind, row.measure = old.kind, old.measure
                if not item or item == named or _is_generic(item):
                    item = old.item
        # 渗透率和活跃度均为100%
        if re.search(r"均(?:为|达|达到|是)$", raw.rstrip()) and ("和" in item or "、" in item):
            parts = [p for p in re.split(r"[和、]", item) if p]
            if 1 < len(parts) <= 4:
                item = parts[0]
                row.dup_items = parts[1:]
        if not item:
            # nothing names it in the sentence: the figure before it, else the lead of the last one
            item = rows[-1].item if rows else (prev_lead.item if prev_lead else "")
        row.measure = _standard_measure(row.measure, m, item)
        if row.measure == "standard" and item and not item.endswith(_heads()):
            # 对农村离任“两老”按420元/人月…发放生活补助: the standard names a recipient only
            benefit = _benefit_after(t, m.end, b)
            if benefit:
                item = item + benefit + "标准"
        row.item = _CIRCLED.sub("", item)
        rows.append(row)
    for r in rows:
        # 保运转支出预算数为2亿元，与上年预算数持平: unchanged is a stated change too
        if r.kind == "level" and r.direction is None and _FLAT_AFTER.match(t, r.m.end, b):
            r.direction = "持平"
    return rows


@lru_cache(maxsize=1)
def _heads() -> tuple[str, ...]:
    lex = _lexicon().lex
    return tuple(lex["benefit_heads"] + lex["attribute_heads"] + lex["noun_heads"])


def _benefit_after(t: str, p: int, hi: int) -> str:
    """The first allowance named after `p` in the sentence: '…调整标准发放上半年生活补助48万元' -> '生活补助'."""
    heads = "|".join(re.escape(w) for w in _words("benefit_heads"))
    m = re.search(r"([\u4e00-\u9fff]{0,8}?)(" + heads + ")", t[p:hi])
    if not m:
        return ""
    lead = m.group(1)
    for v in _words("verbs") + _words("paying_verbs"):
        i = lead.rfind(v)
        if i >= 0:
            lead = lead[i + len(v):]
    lead = _period_re().sub("", lead)
    return lead + m.group(2)


def _budget_stem(item: str) -> str:
    """社会保险基金预算收入 -> 社会保险基金预算; 总支出 -> '' (the budget a revenue/expenditure is of)."""
    stem = re.sub(r"(?:总)?(?:收入|支出)(?:总计|合计)?$", "", item)
    return stem if stem != item and len(stem) >= 2 and stem not in _lexicon().lex["generic_items"] else ""


def _resolve_generic(item: str, row: _Row, rows: list[_Row], prev_lead: _Row | None, topic: str,
                     before: str) -> str:
    """Name a figure whose words say only what kind of number it is, from its sentence:

    * a balance (当年结余, 年末滚存结余, 年终结转) is the balance of the budget the sentence
      opens with (社会保险基金预算收入… -> 社会保险基金预算当年结余), else of the section's budget;
    * 收入总量 after 一般公共预算收入 is that revenue;
    * a use of money named by its verb alone (全年支出, 安排使用) is the use of the sentence's subject
      (存量资金支出);
    * a total of a project list (总投资, 资金总额) belongs to the projects counted just before;
    * a generic noun right after a count (7个领域81个项目, 5个重点项目X亿元资金) takes the count's noun;
    * an amount named inside the count before it (普通高中生享受国家助学金人数N人，发放国家助学金X万元)
      is that group's (普通高中生国家助学金);
    * a count named by its verbs alone (对…小微企业和个体工商户已减免到位16户) counts the verbs' object.
    """
    lex = _lexicon().lex
    if not item:
        return item
    if row.measure == "count" and not _remove_status(item):
        obj = _object_before_verbs(before)
        if obj:
            return obj
    prev = rows[-1] if rows else None
    if (prev is not None and prev.measure == "count" and row.measure == "amount" and len(item) >= 3
            and prev.item.find(item) > 0):
        group = prev.item[: prev.item.find(item)]
        for v in _words("verbs"):
            if group.endswith(v):
                group = group[: -len(v)]
                break
        if len(group) >= 2:
            return group + item
    level_rows = [r for r in rows if r.item and r.depth <= row.depth]
    if item in lex["balance_heads"]:
        first = level_rows[0] if level_rows else prev_lead
        stem = ""
        if first is not None:
            stem = _budget_stem(first.item) or next(
                (first.item[: -len(h)] for h in _words("balance_heads") if first.item.endswith(h)), "")
        if not any(w in stem for w in lex["fund_words"]):
            stem = topic or stem  # 上解上级支出…，年终结转: the section's budget, not a budget line
        return stem + item if stem and not item.startswith(stem) else item
    for suf in lex["total_suffixes"]:
        head = item[: -len(suf)] if item.endswith(suf) else ""
        if head in ("收入", "支出"):
            prev = level_rows[-1] if level_rows else prev_lead
            if prev is not None and prev.item.endswith(head) and len(prev.item) > len(head):
                return prev.item
    if item in lex["use_verbs_as_item"] and row.kind == "level":
        base = _base_for(rows, row.depth, need_free=False) or prev_lead
        if base is not None and base.item and not _is_generic(base.item) and not _is_bare(base.item):
            if "支出" in item and base.item.endswith("收入"):
                return base.item[:-2] + "支出"  # …收入预算X万元，安排支出X万元
            return base.item + item
    if item in lex["project_totals"]:
        proj = next((r for r in reversed(rows) if r.measure == "count"
                     and r.item.endswith(tuple(lex["project_heads"]))), None)
        if proj is not None:
            return proj.item + item
    if rows and (_is_generic(item) or item in lex["count_heads"]) and rows[-1].measure == "count" \
            and row.seg_start == row.m.start and not _is_generic(rows[-1].item):
        return rows[-1].item + item
    return item


def _object_before_verbs(seg: str) -> str:
    """'县属国有企业对符合条件的小微企业和个体工商户已减免到位' -> '小微企业和个体工商户'."""
    s = re.sub(r"\s+", "", seg)
    first = min((i for i in (s.find(v) for v in _words("verbs")) if i > 0), default=-1)
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


# ---------------------------------------------------------------------------
# document level

@lru_cache(maxsize=256)
def _previous_year_heading(path: str) -> bool:
    """Does a heading of `path` name the year before the report's (过去一年, 去年) before (deeper
    than) any heading that names a year?"""
    for h in [h for h in normalize_text(path).split(" > ") if h][::-1]:
        if re.search(r"(?:19|20)[0-9]{2}年", h):
            return False
        if re.search(r"过去一年|去年", h):
            return True
    return False


@lru_cache(maxsize=256)
def _section_defaults(path: str) -> tuple[int | None, str, str]:
    """(year, status, scope) named by the headings of a section path, deepest first."""
    lex = _lexicon().lex
    year = None
    status = ""
    scope = ""
    heads = [h for h in normalize_text(path).split(" > ") if h][::-1]
    for h in heads:
        if year is None:
            ym = re.search(r"((?:19|20)[0-9]{2})年", h)
            if ym:
                year = int(ym.group(1))
        if not status:
            for w in sorted(lex["status_heading_cues"], key=len, reverse=True):
                if w in h:
                    status = lex["status_heading_cues"][w]
                    break
        if not scope:
            sc = _scope_matches(h)
            if sc:
                scope = sc[-1][2]
    return year, status, scope


@lru_cache(maxsize=256)
def _section_topic(path: str) -> str:
    """The budget (一般公共预算, 政府性基金预算 …) the innermost two headings of `path` are about."""
    heads = [h for h in normalize_text(path).split(" > ") if h][::-1][:2]
    for h in heads:
        for name in _words("budget_names"):
            if name in h:
                return name
    return ""


_STATUS_SKIP = re.compile(r"(?:为|占|完成|达到)[^,;:。]{0,16}的")


def _status_in(s: str) -> str:
    lex = _lexicon().lex
    s = _STATUS_SKIP.sub("", s)
    best, pos = "", -1
    for w, st in lex["status_cues"].items():
        if w in ("完成", "实现"):
            continue  # too common to override the heading
        i = s.rfind(w)
        if i > pos:
            best, pos = st, i
    return best


@lru_cache(maxsize=1)
def _note_re() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["note_pattern"])


def _drop_parens(s: str) -> str:
    out, depth = [], 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1)
def _multi_year_re() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["multi_year_period"])


@lru_cache(maxsize=1)
def _previous_year_re() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["previous_year_period"])


def _norm_period(period: str) -> str:
    """“十四五”时期 -> 十四五时期 (quotes carry no meaning in a period)."""
    return re.sub(r"[“”\"]", "", period)


def _is_compared(lead: str, pos: int) -> bool:
    """Is the period at `pos` in `lead` the object of a comparison (比2018年, 较“十三五”期间, 不高于2019年)?"""
    before = lead[max(0, pos - 4):pos]
    return any(before.endswith(w) for w in _lexicon().lex["comparison_before_period"])


def _period_year(period: str, fallback: int | None, report_year: int | None) -> int | None:
    """Year of a figure whose lead names no year: None for a span of years (十四五时期, 五年来),
    the year before the report's for 过去一年/去年, else the year of `period` or `fallback`."""
    if _multi_year_re().match(period):
        return None
    if _previous_year_re().match(period):
        return report_year - 1 if report_year else None
    return _year_of(period) or fallback


def _year_of(period: str) -> int | None:
    ym = re.search(r"((?:19|20)[0-9]{2})(?:年|[-—–~～至到])", period)
    return int(ym.group(1)) if ym else None


def extract_figures(doc: Document) -> list[Figure]:
    """Every figure stated in `doc.text`, in text order.

    Each Figure has `doc.text[start:end]` = number + unit (starting with the number) and
    `doc.text[sent_start:sent_end]` = its sentence; item, measure, change, period, year, status,
    scope, parent, section and qualifier are filled where the text says them.
    """
    text = doc.text
    t = normalize_text(text)
    try:
        sections = parse_sections(text)
    except Exception:  # noqa: BLE001 - a heading parser bug must not lose the figures
        sections = []
    out: list[Figure] = []
    para_state: dict = {}
    cur_para = -1
    prev_lead: _Row | None = None
    doc_year = doc.years[0] if len(doc.years) == 1 else None
    for a, b, para in split_sentences(t):
        sec_path = section_path_at(sections, a) if sections and section_path_at else ""
        h_year, h_status, h_scope = _section_defaults(sec_path)
        # the year the report is given in: its latest year (a 2025 execution + 2026 draft report
        # is given in 2026, so its 去年 is 2025)
        report_year = max(doc.years) if doc.years else h_year
        if report_year and _previous_year_heading(sec_path):
            h_year = report_year - 1  # 一、过去一年和五年工作回顾: it reviews the year before
        if para != cur_para:
            cur_para = para
            para_state = {"period": "", "scope": "", "status": "", "year": None}
            # 五年来，… / 过去一年，…: a paragraph opening with a span of years speaks of it throughout
            opener = find_periods(t[a:a + 12])
            if opener and opener[0].start() <= 2:
                op = _norm_period(opener[0].group())
                if _multi_year_re().match(op) or _previous_year_re().match(op):
                    para_state["period"] = op
                    para_state["year"] = _period_year(op, None, report_year)
        rows = _read_sentence(t, a, b, prev_lead, _section_topic(sec_path))
        stated: dict[int, tuple] = {}
        # lead-in period/scope/status of the sentence text before each figure
        for r in rows:
            lead = t[a:r.from_pos if r.from_pos is not None else r.m.start]
            for o in rows:  # 市本级X亿元，县区X亿元: a breakdown's scope is its own
                if o.scope_only and o is not r and o.m.start < r.m.start:
                    lead = lead[: o.seg_start - a] + " " * (o.m.start - o.seg_start) + lead[o.m.start - a:]
            if r.depth == 0:  # a note in parentheses (主要原因是2024年…) sets nothing for what follows
                lead = _drop_parens(lead)
            # nor does a stated reason: …主要原因是县市编制2025年预算时…；/ 因…补助县区等，
            lead = _note_re().sub("", lead)
            ps = find_periods(lead)
            # 比2018年增长 / 较“十三五”期间的X亿元: a period compared against is the
            # baseline's own, not the period of the figures around it
            compared = [p for p in ps if _is_compared(lead, p.start())]
            ps = compared[-1:] if r.baseline and compared else [p for p in ps if p not in compared]
            period = _norm_period(ps[-1].group()) if ps else para_state["period"]
            year = None
            for p in reversed(ps):
                year = _year_of(p.group())
                if year:
                    break
            if year is None:
                year = _period_year(period, para_state["year"] or h_year or doc_year, report_year)
            lead_scopes = [s for s in _scope_matches(_STATUS_SKIP.sub("", lead))]
            scope = r.scope or (lead_scopes[-1][2] if lead_scopes else "") or para_state["scope"] or h_scope
            status = r.status or _status_in(lead) or para_state["status"] or h_status
            if r.prev_year and year:
                year -= 1
            if r.kind == "level" and not r.scope_only and not r.baseline and r.depth == 0:
                para_state["period"] = period
                para_state["year"] = year if ps else para_state["year"]
                if lead_scopes and not r.scope_only:
                    para_state["scope"] = lead_scopes[-1][2]
                st = _status_in(lead)
                if st:
                    para_state["status"] = st
            if r.of is not None and id(r.of) in stated:
                # 比上年实际完成数减少X万元: a change of a figure is of its status, and of its
                # period and scope unless the words in between name their own (十年增加近70万亿元)
                between = t[r.of.m.end:r.m.start]
                o_period, o_year, o_scope, status = stated[id(r.of)]
                if not [p for p in find_periods(between) if not _is_compared(between, p.start())]:
                    period, year = o_period, o_year
                if not _scope_matches(between):
                    scope = o_scope
            stated[id(r)] = (period, year, scope, status)
            items = [r.item] + r.dup_items
            for k, item in enumerate(items):
                ch = r.change
                fig = Figure(
                    doc=doc.name, item=item, value=r.m.value, value_text=r.m.value_text, unit=r.m.unit,
                    measure=r.measure or "amount", start=r.m.start, end=r.m.end, sent_start=a, sent_end=b,
                    section=sec_path, direction=r.direction,
                    change_value=ch.value if ch else None, change_unit=ch.unit if ch else None,
                    change_start=ch.start if ch else None, change_end=ch.end if ch else None,
                    period=period, year=year, status=status,
                    scope=scope, parent=r.parent, qualifier=r.qualifier,
                )
                if r.kind == "change":
                    fig.change_value, fig.change_unit = r.m.value, r.m.unit
                    fig.change_start, fig.change_end = r.m.start, r.m.end
                out.append(fig)
        lead_rows = [r for r in rows if r.kind == "level" and not r.baseline]
        prev_lead = lead_rows[0] if lead_rows else None
    out.sort(key=lambda f: (f.start, f.item))
    return out


# ---------------------------------------------------------------------------
# table

_FIELDS = [f.name for f in fields(Figure)]
_DECIMAL_FIELDS = {"value", "change_value"}
_INT_FIELDS = {"start", "end", "sent_start", "sent_end", "change_start", "change_end", "year"}


class FigureTable:
    """Figure rows of many documents. `rows(doc)`, CSV (UTF-8 with BOM, opens in Excel), JSONL."""

    def __init__(self, figures: Iterable[Figure] = ()) -> None:
        self._rows: list[Figure] = list(figures)

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> "FigureTable":
        table = cls()
        for d in docs:
            table.extend(extract_figures(d))
        return table

    def extend(self, figures: Iterable[Figure]) -> None:
        self._rows.extend(figures)

    def rows(self, doc: str | None = None) -> list[Figure]:
        """All rows, or the rows of one document (by name), in stored order."""
        return [f for f in self._rows if doc is None or f.doc == doc]

    def docs(self) -> list[str]:
        return sorted({f.doc for f in self._rows})

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        return iter(self._rows)

    def to_csv(self, path: str | Path, doc: str | None = None) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=_FIELDS)
            w.writeheader()
            for f in self.rows(doc):
                w.writerow({k: ("" if v is None else v) for k, v in f.row().items()})

    def to_jsonl(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for f in self._rows:
                fh.write(json.dumps(f.row(), ensure_ascii=False) + "\n")

    @classmethod
    def from_jsonl(cls, path: str | Path) -> "FigureTable":
        rows = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                d = json.loads(line)
                kw = {}
                for k in _FIELDS:
                    if k not in d:
                        continue
                    v = d[k]
                    if k in _DECIMAL_FIELDS and v not in (None, ""):
                        v = Decimal(str(v))
                    elif k in _INT_FIELDS and v not in (None, ""):
                        v = int(v)
                    elif v == "" and k in _INT_FIELDS | _DECIMAL_FIELDS:
                        v = None
                    kw[k] = v
                rows.append(Figure(**kw))
        return cls(rows)
