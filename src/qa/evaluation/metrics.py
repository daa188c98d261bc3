"""Scoring primitives: quantities with units, directions, entities, span overlap, ranks.

Deliberately independent of the answering code (qa.figures, qa.question): the scorer must not
share a unit parser with what it scores, or a bug in one would be invisible in the other.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence

Span = tuple[str, int, int]  # (doc, start, end)

# Number scale words that may prefix a unit (亿元 = 1e8 元). Longest first so 万亿 wins over 万.
_SCALES = (("万亿", Decimal(10) ** 12), ("千亿", Decimal(10) ** 11), ("百亿", Decimal(10) ** 10),
           ("十亿", Decimal(10) ** 9), ("亿", Decimal(10) ** 8), ("千万", Decimal(10) ** 7),
           ("百万", Decimal(10) ** 6), ("十万", Decimal(10) ** 5), ("万", Decimal(10) ** 4),
           ("千", Decimal(10) ** 3), ("百", Decimal(10) ** 2))
# Units that are their own dimension and must not be split into scale + base.
_PERCENT = {"%", "％", "percent", "百分比"}
_POINTS = {"个百分点", "百分点", "percentage points", "pp"}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_QUALIFIERS = ("约", "近", "超过", "超", "逾", "达", "共", "合计", "约为", "about", "over", "nearly")
_NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Quantity:
    """A number in a base unit: X.YZ亿元 -> Quantity(X.YZ × 1e8, '元', decimals=2, scale=1e8)."""

    magnitude: Decimal  # in the base unit
    base: str  # 元, %, pp, 人, 个 … ('' when no unit)
    decimals: int  # decimals as written (for rounding tolerance)
    scale: Decimal  # multiplier of the unit as written


def parse_unit(unit: str | None) -> tuple[Decimal, str]:
    """'亿元' -> (1e8, '元'); '%' -> (1, '%'); '个百分点' -> (1, 'pp'); None -> (1, '')."""
    if unit is None:
        return Decimal(1), ""
    u = unicodedata.normalize("NFKC", str(unit)).strip()
    if u.lower() in _PERCENT or u == "%":
        return Decimal(1), "%"
    if u.lower() in _POINTS:
        return Decimal(1), "pp"
    for word, factor in _SCALES:
        if u.startswith(word):
            return factor, u[len(word):]
    return Decimal(1), u


def _cn_number(s: str) -> Decimal | None:
    """Small Chinese numerals (三, 十二, 一百零五) -> Decimal; None when not one."""
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return Decimal(total + (digit or 0))


def parse_number(text: str | float | int | Decimal | None) -> tuple[Decimal, int, str] | None:
    """A written number -> (value, decimals as written, the rest of the string).

    Accepts floats from answer records, '1,234.5', full-width digits, qualifiers (约/近/超),
    a trailing unit ('X亿元' -> rest '亿元') and small Chinese numerals. None if no number.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, Decimal)):
        d = Decimal(text)
        return d, max(0, -d.as_tuple().exponent), ""
    if isinstance(text, float):
        if not math.isfinite(text):
            return None
        d = Decimal(repr(text))
        return d, max(0, -d.as_tuple().exponent), ""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
    for q in _QUALIFIERS:
        if s.startswith(q):
            s = s[len(q):]
            break
    m = _NUMBER.match(s)
    if m is None:
        # Chinese numerals: take the longest numeral prefix
        for end in range(len(s), 0, -1):
            v = _cn_number(s[:end])
            if v is not None:
                return v, 0, s[end:]
        return None
    num = m.group(0).replace("−", "-")
    try:
        d = Decimal(num)
    except InvalidOperation:
        return None
    decimals = len(num.split(".")[1]) if "." in num else 0
    return d, decimals, s[m.end():]


def parse_quantity(value: str | float | int | Decimal | None, unit: str | None) -> Quantity | None:
    """A value and its unit -> Quantity in the base unit. A unit left inside the value
    ('X亿元' with unit None) is used. None when the value is not a number."""
    parsed = parse_number(value)
    if parsed is None:
        return None
    number, decimals, rest = parsed
    if not unit and rest:
        unit = rest
    scale, base = parse_unit(unit)
    return Quantity(number * scale, base, decimals, scale)


def values_match(pred_value, pred_unit: str | None, gold_value, gold_unit: str | None,
                 computed: bool = False) -> bool:
    """True when a predicted value equals the gold value after unit normalisation.

    Scales must agree (X亿元 == X×10⁴万元 != X万元); base units must agree unless the gold
    has none. For computed gold values (arithmetic) a rounding tolerance applies: 0.5 % relative
    or one unit in the last decimal the gold states, whichever is larger.
    """
    g = parse_quantity(gold_value, gold_unit)
    p = parse_quantity(pred_value, pred_unit)
    if g is None or p is None:
        return False
    if g.base and p.base != g.base and p.base.split("/")[0] != g.base:
        return False  # (元/人 answers 平均每人多少元 stated in 元)
    diff = abs(p.magnitude - g.magnitude)
    if computed:
        last_place = Decimal(10) ** -g.decimals * g.scale
        tol = max(abs(g.magnitude) * Decimal("0.005"), last_place)
    else:
        # only float noise: a stated figure must match to every digit the gold states
        tol = max(abs(g.magnitude), Decimal(1)) * Decimal("1e-9")
    return diff <= tol


# --- directions ----------------------------------------------------------------------------

_DIRECTIONS = {
    "up": ("增长", "增加", "提高", "上升", "上涨", "增收", "increase", "increased", "rose", "grew", "growth", "up"),
    "down": ("下降", "减少", "降低", "下滑", "回落", "减收", "decrease", "decreased", "declined", "decline",
             "fell", "dropped", "down"),
    "flat": ("持平", "unchanged", "flat"),
}


def direction_class(word: str | None) -> str | None:
    """'增长'/'增加' -> 'up', '下降'/'减少' -> 'down', '持平' -> 'flat'; None if not a direction word."""
    if not word:
        return None
    w = word.strip().lower()
    for cls, words in _DIRECTIONS.items():
        if w in words:
            return cls
    return None


_NEGATION = re.compile(r"(没有|不是|并非|并未|未|没|无|非|not|no|didn't|did not)\s*$", re.I)


def direction_in_text(text: str | None) -> str | None:
    """The direction class of the first un-negated direction word in a gold answer text.

    '同比下降N%' -> 'down'; '没有增长，同比下降N%' -> 'down' (没有增长 is skipped).
    """
    if not text:
        return None
    low = text.lower()
    hits: list[tuple[int, str]] = []
    for cls, words in _DIRECTIONS.items():
        for w in words:
            pattern = rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w)
            hits += [(m.start(), cls) for m in re.finditer(pattern, low)]
    for at, cls in sorted(hits):
        if not _NEGATION.search(low[max(0, at - 8):at]):
            return cls
    return None


# --- entities ------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》()（）\[\]【】,，、.。:：;；!！?？]+")


def normalize_entity(s: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", s)).lower()


def entities_match(pred: str | None, gold: str | None) -> bool:
    """Equal after normalisation, or one contains the other and covers at least half of it
    ('教育' vs '教育支出' yes; '收入' vs '一般公共预算收入' no)."""
    if not pred or not gold:
        return False
    p, g = normalize_entity(pred), normalize_entity(gold)
    if not p or not g:
        return False
    if p == g:
        return True
    short, long_ = sorted((p, g), key=len)
    return len(short) >= 2 and short in long_ and len(short) * 2 >= len(long_)


# --- spans and ranks -----------------------------------------------------------------------

def overlaps(a: Span, b: Span) -> bool:
    """Same report and the half-open character ranges intersect."""
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def covers(span: Span, groups: Sequence[Sequence[Span]]) -> bool:
    """Every evidence group has an occurrence overlapping `span`."""
    return bool(groups) and all(any(overlaps(span, g) for g in group) for group in groups)


def evidence_rank(ranked: Sequence[Span], groups: Sequence[Sequence[Span]]) -> int | None:
    """1-based rank r of the first prefix ranked[:r] that overlaps every evidence group
    (for one piece of evidence: the rank of the first span overlapping it); None if never."""
    if not groups or any(not g for g in groups):
        return None
    remaining = [list(g) for g in groups]
    for r, span in enumerate(ranked, 1):
        remaining = [g for g in remaining if not any(overlaps(span, e) for e in g)]
        if not remaining:
            return r
    return None


def passage_contains(span: Span, text: str, groups: Sequence[Sequence[Span]], value_text: str | None) -> bool:
    """Whether a cited passage (span + its text) contains the gold evidence.

    Each evidence group needs an occurrence inside the passage, or, where the evidence runs
    past the passage's edges, an overlapping occurrence with the gold value written in the
    passage (so a chunk holding the right sentence's other half does not count).
    """
    if not groups or any(not g for g in groups):
        return False
    for group in groups:
        ok = False
        for e in group:
            if e[0] != span[0]:
                continue
            if span[1] <= e[1] and e[2] <= span[2]:
                ok = True
            elif overlaps(span, e) and (value_text is None or value_text in text):
                ok = True
            if ok:
                break
        if not ok:
            return False
    return True


def percentile(values: Iterable[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100) of the values; None when empty."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean over the values that are not None; None when there are none."""
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None
