"""Numbers and units: parse a number as written, the dimension of a unit, scale to the base unit."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .lexicon import _lexicon, normalize_text


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


_CN_TRAILING_SCALE = re.compile(r"(.+?)(万亿|亿|万)$")


def parse_cn_number(s: str) -> Decimal:
    """'三亿二千万' / '一点五亿' / '两千万' / '五点二' / '一百二十' / '千万' -> Decimal, read by cn2an.

    cn2an (a maintained converter of Chinese numerals) reads most forms; a decimal before a scale
    (一点五亿, 十二点五万) and a bare leading 十/百/千 (千万) are split here first. Raises ValueError.
    """
    import cn2an  # imported on first use: most reports have no Chinese-numeral figures

    t = s.strip()
    if t[:1] in "十百千":
        t = "一" + t if t[:1] != "十" else t
    try:
        return Decimal(str(cn2an.cn2an(t, "smart")))
    except (ValueError, KeyError, IndexError):
        pass
    m = _CN_TRAILING_SCALE.match(t)
    if m:
        try:
            return Decimal(str(cn2an.cn2an(m.group(1), "smart"))) * _CN_SCALE[m.group(2)]
        except (ValueError, KeyError, IndexError):
            pass
    raise ValueError(f"not a Chinese numeral: {s!r}")


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


def plain_unit(unit: str) -> str:
    """The plain word for a counter (名 -> 人, 万名 -> 万人: data/units.json "plain"); other units as given."""
    info = _lexicon().units.get(normalize_text(unit))
    return info.get("plain", unit) if info else unit


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

