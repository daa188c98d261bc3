"""Numbers that carry a unit, found in normalized text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .lexicon import _lexicon
from .numbers import parse_cn_number, parse_number, unit_dimension

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


def _range(t: str, p: int, hi: int, s: int) -> tuple[Decimal | None, str | None, int]:
    """A range 3-5% / 3%-5% / 3至5个 after the number ending at `p`: (high, value text, new end)."""
    rm = re.match(r"\s*(%?)\s*[" + _RANGE_SEP + r"]\s*(" + _NUM_RE.pattern + r")", t[p:hi])
    if rm and not t.startswith(("月", "年", "日"), p + rm.end()) and _match_unit(t, p + rm.end()):
        vt = t[s:p + rm.start(2)].rstrip(" %" + _RANGE_SEP) + "-" + rm.group(2)
        return parse_number(rm.group(2)), vt, p + rm.end()
    return None, None, p


def _stray_unit(t: str, q: int, hi: int) -> tuple[tuple[str, int] | None, str]:
    """A money unit separated from the number by a few stray words: "投资1200用于万元…"."""
    lx = _lexicon()
    k, stray = q, ""
    while k < hi and k - q < 4 and _CJK.match(t[k]) and t[k] not in "年月日号万亿千百美港欧英日":
        stray += t[k]
        k += 1
        mu = next((u for u in lx.money_units if t.startswith(u, k)), None)
        if mu and stray and not any(t.startswith(u, q) for u in lx.unit_names):
            return (mu, k + len(mu)), stray
    return None, stray


def _people(t: str, p: int, s: int | None = None) -> tuple[str, int] | None:
    """6600多万纳税人 / 1100多万学生: 万 before the people counted is 万人 (the noun stays to name it);
    and a bare 万 closing its clause after words for people (脱贫人口务工规模超过3300万。: the
    number starting at `s`) counts people too."""
    lex = _lexicon().lex
    if t.startswith("万", p) and any(t.startswith(n, p + 1) for n in lex["mentions.counted_people"]):
        return "万人", p + 1
    if s is not None and t.startswith("万", p) and (p + 1 == len(t) or t[p + 1] in "。，,；;") \
            and any(w in t[max(0, s - 12):s] for w in lex["mentions.people_before_bare_wan"]):
        return "万人", p + 1
    return None


def _unit_after(t: str, e: int, q: int, hi: int) -> tuple[str, int] | None:
    """The unit of the number ending at `e`, looked for from `q`; None when it has none."""
    lex = _lexicon().lex
    um = _match_unit(t, q) if q < hi else None
    if um and any(t.startswith(d, um[1] - len(um[0])) for d in lex["mentions.duration_units"]):
        return None
    if um is None:
        # a unit shared with the next number: 4.08和N个百分点 / N%、N%
        sm = re.match(r"\s*[和、与及]\s*(" + _NUM_RE.pattern + r")\s*", t[q:hi])
        if sm:
            nu = _match_unit(t, q + sm.end())
            if nu:
                um = (nu[0], e)
    if um is None:
        um, stray = _stray_unit(t, q, hi)
        if um is not None and any(stray.startswith(w) for w in lex["mentions.not_after"]):
            return None
    return um


def _threshold(t: str, end: int) -> tuple[bool, str]:
    """50万元以下账款 is a bound on a noun, not a stated figure: (is a bound, qualifier 以上/以下 …)."""
    for w in sorted(_lexicon().lex["mentions.threshold_after"], key=len, reverse=True):
        if t.startswith(w, end):
            nxt = t[end + len(w): end + len(w) + 1]
            if nxt and (_CJK.match(nxt) and nxt not in "的"):
                return True, ""
            if nxt == "的":
                return True, ""
            return False, w
    return False, ""


def _skip_number(t: str, s: int) -> bool:
    """第3 / 附表2 / G20: a number that is an ordinal, a reference or part of a code."""
    before = t[max(0, s - 4):s]
    if any(before.endswith(w) for w in _lexicon().lex["mentions.not_before"]):
        return True
    return s > 0 and (t[s - 1].isalpha() and not _CJK.match(t[s - 1]))


def _arabic_mentions(t: str, lo: int = 0, hi: int | None = None) -> list[Mention]:
    """Numbers in digits carrying a unit in normalized text `t[lo:hi]`, in order."""
    hi = len(t) if hi is None else hi
    out: list[Mention] = []
    for m in _NUM_RE.finditer(t, lo, hi):
        s, e = m.start(), m.end()
        if (out and s < out[-1].end) or _skip_number(t, s):
            continue
        try:
            value = parse_number(t[s:e])
        except ValueError:
            continue
        high, vt, p = _range(t, e, hi, s)
        vt = vt or t[s:e]
        q = p
        while q < hi and t[q] in " \n\t":
            q += 1
        qual_after = ""
        for w in ("余", "多"):
            if t.startswith(w, q) and (_match_unit(t, q + 1) or _people(t, q + 1)):
                qual_after, q = w, q + 1
                break
        um = _unit_after(t, e, q, hi) or _people(t, q, s)
        if um is None:
            continue
        unit, end = um
        bound, qual = _threshold(t, end)
        if bound:
            continue
        qual = qual or next((w for w in _lexicon().lex["mentions.approx_after"] if t.startswith(w, end)), "")
        per_prefix = bool(_PER_PREFIX.search(t[max(0, s - 6):s]))
        out.append(Mention(start=s, end=end, num_end=m.end(), value_text=vt, value=value, unit=unit,
                           qualifier=qual_after or qual, per_prefix=per_prefix, high=high))
    return out

_PER_PREFIX = re.compile(r"(?:按)?(每[\u4e00-\u9fff]{1,2}每[月年天日]|每[月年]每人|人均每[月年]|[人户生亩孩床]均|每[人户生亩孩名床])$")
_PER_INSIDE = re.compile(r"(?:每[\u4e00-\u9fff]{1,2}每[月年天日]|每[月年]每人|人均每[月年])")
_PER_START = re.compile(r"每[人户生孩名][每]?|人均|户均")


# --- Chinese numerals: 三亿二千万元, 一点五亿元, 百分之五点二, 一百二十所, 近三成, 超过半数 ----------

_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
_CN_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+)")
_CN_SHARE = re.compile(r"([一二三四五六七八九])成|半数")
_CN_DIGIT = set("零〇一二两三四五六七八九")


def _cn_value_in(run: str, unit: str) -> tuple[Decimal, str]:
    """A numeral's value in the unit a reader expects: 三亿二千万 元 -> 3.2 亿元, 两千万 元 -> 2000 万元."""
    value = parse_cn_number(run)
    units = _lexicon().units
    for scale, factor in (("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4)):
        if scale in run and scale + unit in units and value >= factor:
            return value / factor, scale + unit
    return value, unit


def _cn_text(value: Decimal) -> str:
    """The value as digits (value_text stays parseable: answers print it, parse_number reads it)."""
    text = format(value.normalize(), "f")
    return text


def _cn_percent(t: str, m: re.Match, hi: int) -> Mention | None:
    """百分之五点二 / 百分之一至百分之三."""
    try:
        value = parse_cn_number(m.group(1))
    except ValueError:
        return None
    end, high, vt = m.end(), None, _cn_text(value)
    nxt = _CN_PERCENT.match(t, end + 1, hi) if end < hi and t[end] in _RANGE_SEP else None
    if nxt:
        try:
            high = parse_cn_number(nxt.group(1))
            end, vt = nxt.end(), f"{vt}-{_cn_text(high)}"
        except ValueError:
            pass
    return Mention(start=m.start(), end=end, num_end=end, value_text=vt, value=value, unit="%", high=high)


def _cn_share(t: str, m: re.Match) -> Mention | None:
    """近三成 / 八成以上 / 超过半数: a share in 成 (tenths), qualified by the words around it."""
    if any(t.startswith(w, m.end()) for w in _lexicon().lex["mentions.share_not_after"]):
        return None  # 一成不变, 三成本 …
    if not m.group(1) and t[m.start() - 1:m.start()] == "过" and t[m.start() - 2:m.start()] != "超过":
        return None  # 过半数通过: a majority (of a vote), not a stated share
    value = parse_cn_number(m.group(1)) if m.group(1) else Decimal(5)
    return Mention(start=m.start(), end=m.end(), num_end=m.end(), value_text=_cn_text(value), value=value,
                   unit="成")


def _cn_amount(t: str, m: re.Match, hi: int) -> Mention | None:
    """三亿二千万元 / 一百二十所 / 超千万元: a numeral of two characters or more holding a scale
    (十百千万亿) or a decimal point, followed by a unit; single digits (两个, 三项) name things."""
    run = m.group().strip("点")
    s = m.start() + m.group().find(run)
    if len(run) < 2 or not set(run) & set("十百千万亿点") or not (set(run) & _CN_DIGIT or run[0] in "十百千"):
        return None
    if s > 0 and (t[s - 1].isdigit() or t[s - 1] == "."):
        return None  # 3.57亿元: the 亿 of a number in digits
    if any(t[max(0, s - 4):s].endswith(w) for w in _lexicon().lex["mentions.cn_not_before"]):
        return None  # 第十五个, 星期三
    um = _match_unit(t, s + len(run)) if s + len(run) < hi else None
    if um is None:
        return None
    if not set(run) & _CN_DIGIT and unit_dimension(um[0]) != "money":
        return None  # 千万家庭, 千亿斤粮食产能: a round scale names a magnitude, not a count
    try:
        value, unit = _cn_value_in(run, um[0])
    except ValueError:
        return None
    return Mention(start=s, end=um[1], num_end=s + len(run), value_text=_cn_text(value), value=value, unit=unit,
                   per_prefix=bool(_PER_PREFIX.search(t[max(0, s - 6):s])))


def _cn_mentions(t: str, lo: int, hi: int) -> list[Mention]:
    """Figures written in Chinese numerals in t[lo:hi] (value in digits, span over the characters)."""
    out = [x for x in (_cn_percent(t, m, hi) for m in _CN_PERCENT.finditer(t, lo, hi)) if x]
    out += [x for x in (_cn_share(t, m) for m in _CN_SHARE.finditer(t, lo, hi)) if x]
    for m in _CN_RUN.finditer(t, lo, hi):
        if any(o.start <= m.start() < o.end or m.start() <= o.start < m.end() for o in out):
            continue
        x = _cn_amount(t, m, hi)
        if x is not None:
            bound, qual = _threshold(t, x.end)
            if not bound:
                x.qualifier = x.qualifier or qual
                out.append(x)
    for x in out:
        if x.unit in ("%", "成"):
            bound, qual = _threshold(t, x.end)
            x.qualifier = x.qualifier or ("" if bound else qual)
    return out


def find_mentions(t: str, lo: int = 0, hi: int | None = None) -> list[Mention]:
    """Numbers carrying a unit in normalized text `t[lo:hi]`, in order: in digits, or in Chinese
    numerals (三亿二千万元, 百分之五点二, 近三成).

    Dropped: numbers without a unit (years 2023年, dates 9月, list markers 1、, names “832平台”),
    ordinals (第3), durations (3个月), thresholds followed by a noun (50万元以下账款).
    """
    hi = len(t) if hi is None else hi
    out = _arabic_mentions(t, lo, hi)
    for x in _cn_mentions(t, lo, hi):
        if not any(o.start < x.end and x.start < o.end for o in out):
            out.append(x)
    return sorted(out, key=lambda x: x.start)
