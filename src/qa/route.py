"""Routing: which indexed reports a question is about, from the places, kinds and years it names.

The catalogue is built from each report's metadata (`metadata.py`) and the division dataset
(`places.py`), so a place is recognised by every name people use for it — 红河哈尼族彝族自治州, 红河州,
红河, honghe — without a list of ours. A question that names

- an indexed place: goes to that place's reports and nothing else;
- a part of an indexed place (a county of an indexed city): goes to the parent's reports, and only rows
  whose sentence names the part may answer (the answerer checks `Query.unknown_places`);
- a place nothing is indexed for: abstains, listing the places that are;
- no place: goes to the default place when one is set (the app's selector, `qa ask --place`), else to the
  reports that have no place of their own, else everywhere.
Years then choose between reports of one place, and kinds of report (政府工作报告, 决算) between reports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .places import NATION, Place, gazetteer, national_latin_words, short_name
from .question import Query, scope_words
from .records import Document

# The name of a kind of report in a question picks reports of that kind.
KIND_WORDS = {
    "gov_work_report": re.compile(r"政府工作报告"),
    "final_accounts": re.compile(r"决算报告"),
    "budget_report": re.compile(r"预算报告|预算执行情况和.*预算草案的报告"),
    "work_report": re.compile(r"工作汇报|工作情况汇报|工作总结"),
    "fiscal_release": re.compile(r"财政收支情况"),
}


@dataclass
class PlaceEntry:
    """An indexed place: its canonical name (the reports' region), the division, its reports."""

    region: str
    place: Place | None
    docs: list[str] = field(default_factory=list)


def latin_words(text: str) -> list[str]:
    """Latin words of a question and pairs and triples of them run together, so that Ya'an, Xi An,
    Shijiazhuang's and Shi Jia Zhuang all meet the pinyin they stand for."""
    tokens = re.findall(r"[a-z]+", text.lower())
    out = list(tokens)
    for n in (2, 3):
        out += ["".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return out


@lru_cache(maxsize=1)
def _romanised_index() -> dict[str, str]:
    """Pinyin of every province and prefecture (shanghai, gansu) -> its name, for Latin questions."""
    gaz = gazetteer()
    out: dict[str, str] = {}
    for p in sorted(gaz.by_code.values(), key=lambda p: p.rank, reverse=True):
        if p.rank <= 2:
            for name in gaz.romanised(p):
                out[name] = p.name
    return out


def _years_covered(doc: Document) -> set[int]:
    return set(doc.years) | {y for y in (doc.execution_year, doc.budget_year) if y}


class Router:
    """Places of the indexed reports, and the choice of reports for a parsed question."""

    def __init__(self, documents: dict[str, Document], default_place: str = ""):
        self.documents = documents
        self.entries: dict[str, PlaceEntry] = {}
        self.doc_place: dict[str, str] = {}
        gaz = gazetteer()
        for name, doc in documents.items():
            if not doc.region:
                continue
            if doc.region not in self.entries:
                found = gaz.lookup(doc.region) if doc.region != NATION else []
                self.entries[doc.region] = PlaceEntry(doc.region, found[0] if found else None)
            self.entries[doc.region].docs.append(name)
            self.doc_place[name] = doc.region
        self.by_code = {e.place.code: e.region for e in self.entries.values() if e.place}
        self.default_place = self.canonical(default_place) if default_place else ""

    # --- names ------------------------------------------------------------------------------

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Every name a question may use for an indexed place -> its canonical name."""
        out: dict[str, str] = {}
        gaz = gazetteer()
        for region, e in self.entries.items():
            names = {region}
            if e.place:
                names |= set(e.place.names) | gaz.romanised(e.place)
            elif region != NATION:
                names |= {short_name(region)}
            for n in names:
                if n and len(n) >= 2:
                    out[n] = region
        return out

    def canonical(self, name: str) -> str:
        """An indexed place's canonical name from any of its names ('' if it is not indexed)."""
        name = (name or "").strip()
        return self.aliases.get(name) or self.aliases.get(name.lower().replace(" ", ""), "")

    def places(self) -> list[str]:
        return sorted(self.entries)

    # --- reading a question -------------------------------------------------------------------

    def read_places(self, q: Query) -> list[str]:
        """Sort the places the question names into indexed places, parts of them and others.

        Sets `q.places` (indexed places, canonical names) and adds parts of them to
        `q.unknown_places`; returns the places that are neither indexed nor part of an indexed one
        (the question is about somewhere we have no report for). Chinese names are read with the
        division dataset, longest name first (朝阳区 is not 朝阳市); Latin ones against the pinyin of
        every prefecture and province.
        """
        gaz = gazetteer()
        text = q.text or ""
        places: list[str] = []
        foreign: list[str] = []
        named = gaz.mentions(text)
        codes = {p.code for m in named for p in m.places}
        for m in named:
            indexed = next((self.by_code[p.code] for p in m.places if p.code in self.by_code), "")
            parent = next((self.by_code[up.code] for p in m.places for up in gaz.parents(p)
                           if up.code in self.by_code), "")
            if indexed:
                places.append(indexed)
            elif parent:
                # a county of an indexed city: the city's reports, rows that name the county
                places.append(parent)
                if m.text not in q.unknown_places:
                    q.unknown_places.append(m.text)
            elif not any(c in codes for p in m.places for c in self._indexed_children(p)):
                foreign.append(m.text)
        aliases = self.aliases
        for word in latin_words(text):
            if word in aliases:
                places.append(aliases[word])
            elif word in national_latin_words() and NATION in self.entries:
                places.append(NATION)
            elif len(word) >= 5 and (found := _romanised_index().get(word)):
                found_place = gaz.lookup(found)
                if not any(self._indexed_children(p) for p in found_place):  # Chaoyang City (Liaoning)
                    foreign.append(found)
        for region, entry in self.entries.items():
            # a place the dataset does not list (from a title or a sidecar): by its own names
            if entry.place is None and region != NATION and any(
                    n in text for n in (region, short_name(region)) if len(n) >= 2):
                places.append(region)
        if NATION in q.places:
            places.append(NATION)  # 国务院 / 国家 / 全国: read by the question parser
        places = list(dict.fromkeys(places))
        # 福建省三明市: the province only says where the city is
        q.places = [p for p in places if not any(self._contains(p, other) for other in places if other != p)]
        return foreign

    def _contains(self, outer: str, inner: str) -> bool:
        a, b = self.entries.get(outer), self.entries.get(inner)
        return bool(a and b and a.place and b.place and gazetteer().is_within(b.place, a.place))

    def _indexed_children(self, place: Place) -> list[str]:
        gaz = gazetteer()
        return [code for code in self.by_code if gaz.is_within(gaz.by_code[code], place)]

    # --- choosing reports -----------------------------------------------------------------------

    def route(self, q: Query, default_place: str = "") -> tuple[list[str] | None, str]:
        """Reports the question is about (None = all), or a reason to abstain.
        `default_place` (any name of an indexed place) overrides the router's own default."""
        names = list(self.documents)
        foreign = self.read_places(q)
        if foreign and not q.places:
            listed = "、".join(self.places()) or "（无）"
            return None, f"已索引的报告中没有关于“{'、'.join(foreign)}”的报告（已索引的地区：{listed}）。"
        chosen = names
        if q.places:
            chosen = [n for n in names if self.doc_place.get(n) in q.places]
        elif q.unknown_places:
            # a place-like name the dataset does not know (经开区): only reports that mention it
            chosen = [n for n in names if any(p in self.documents[n].text for p in q.unknown_places)]
            if not chosen:
                return None, f"已索引的报告中没有关于“{'、'.join(q.unknown_places)}”的报告。"
        else:
            titled = [n for n in names if (pat := KIND_WORDS.get(self.documents[n].kind)) and pat.search(q.norm)]
            home = [n for n in names if n not in self.doc_place]
            place = self.canonical(default_place) if default_place else self.default_place
            default = self.entries[place].docs if place in self.entries else []
            if titled:
                chosen = titled
            elif default:
                chosen = list(default)
            elif home:
                # the bureau's own reports; a year they do not cover is refused, not answered elsewhere
                chosen = home
            if q.national_item and NATION in self.entries and chosen is not names:
                # 中央本级支出 asked with no place: the national reports answer it too
                chosen = list(dict.fromkeys(chosen + self.entries[NATION].docs))
            if chosen is not names and NATION in self.entries:
                docs, why = self._by_scope_and_year(q, names, chosen)
                if why and q.years:
                    # the bureau's own reports do not reach the year asked: with no place named,
                    # the country's reports are the next to ask (2025年上半年土地出让收入)
                    national, why_national = self._by_scope_and_year(q, names, self.entries[NATION].docs)
                    if not why_national:
                        return national, ""
                return docs, why
        return self._by_scope_and_year(q, names, chosen)

    def _by_scope_and_year(self, q: Query, names: list[str], chosen: list[str]) -> tuple[list[str] | None, str]:
        docs = self.documents
        if q.scope and q.wants_figure:
            # a report that never says 全县 (or 市本级/市级 …) has no figure for that scope
            words = scope_words(q.scope)
            scoped = [n for n in chosen if any(w in docs[n].text for w in words)]
            if not scoped:
                return None, f"已索引的报告中没有{q.scope}的数据。"
            chosen = scoped
        if q.report_years:
            dated = [n for n in chosen if set(q.report_years) & set(docs[n].years)]
            if not dated:
                return None, f"已索引的报告中没有{'、'.join(map(str, q.report_years))}年的报告。"
            chosen = dated
        if q.years:
            # a report covers the years it names and the ones it executes or budgets (a 2022 work
            # report reviews 2021)
            by_year = [n for n in chosen if set(q.years) & _years_covered(docs[n])]
            if not by_year:
                # a report also covers years it only looks back on (上年, 过去五年 …)
                by_year = [n for n in chosen if any(docs[n].text.count(f"{y}年") >= 2 for y in q.years)]
            if by_year:
                chosen = by_year
            elif q.wants_figure:
                return None, f"已索引的报告中没有{'、'.join(map(str, q.years))}年的数据。"
        return (None if len(chosen) == len(names) else chosen), ""

    def answered_from_home(self, q: Query, docs: list[str] | None) -> bool:
        """Whether the question named no place while places are indexed, so the answer should say
        which report it came from."""
        return (not q.places and not q.unknown_places and not q.national_item and bool(self.entries)
                and bool(docs))

