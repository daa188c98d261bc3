"""Numbers that carry a unit, found in normalized text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .lexicon import _lexicon
from .numbers import parse_number

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


def find_mentions(t: str, lo: int = 0, hi: int | None = None) -> list[Mention]:
    """Numbers carrying a unit in normalized text `t[lo:hi]`, in order.

    Dropped: numbers without a unit (years 2023年, dates 9月, list markers 1、, names “832平台”),
    ordinals (第3), durations (3个月), thresholds followed by a noun (50万元以下账款).
    """
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
            if t.startswith(w, q) and _match_unit(t, q + 1):
                qual_after, q = w, q + 1
                break
        um = _unit_after(t, e, q, hi)
        if um is None:
            continue
        unit, end = um
        bound, qual = _threshold(t, end)
        if bound:
            continue
        per_prefix = bool(_PER_PREFIX.search(t[max(0, s - 6):s]))
        out.append(Mention(start=s, end=end, num_end=m.end(), value_text=vt, value=value, unit=unit,
                           qualifier=qual_after or qual, per_prefix=per_prefix, high=high))
    return out

_PER_PREFIX = re.compile(r"(?:按)?(每[\u4e00-\u9fff]{1,2}每[月年天日]|每[月年]每人|人均每[月年]|[人户生亩孩床]均|每[人户生亩孩名床])$")
_PER_INSIDE = re.compile(r"(?:每[\u4e00-\u9fff]{1,2}每[月年天日]|每[月年]每人|人均每[月年])")
_PER_START = re.compile(r"每[人户生孩名][每]?|人均|户均")
