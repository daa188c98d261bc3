"""Document metadata: whose report this is (place, level, parents), which years, what kind, how sure.

Read in this order, each source weighted by how much it can be trusted:

1. the title and the lines around it (关于湛江市2025年…的报告; ——在张掖市第五届人民代表大会…上);
2. the issuing body, wherever the text names it (…财政局, …人民政府) — often the last lines;
3. national markers (国务院, 财政部, 全国人民代表大会, 中央和地方) and a body that speaks of 全国;
4. the body: places named, each mention weighted by how early it comes, counted more when its level is
   the speaker's own (a report whose sentences say 全市 is a city's; one neighbouring county named
   once does not outweigh that);
5. the file name's pinyin (2025_zhangye_city_…), as a last resort and at low confidence.

Places come from the administrative-division dataset (`places.py`), never from a list here. A sidecar
`<name>.meta.json` overrides all of it (ingest applies it after this).
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from .config import DATA_DIR
from .places import (BANNER, CITY, COUNTY, DISTRICT, NATION, PREFECTURE, PROVINCE, SUFFIXES, Gazetteer, Mention,
                     Place, gazetteer)
from .records import Document

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=年)")
UNCERTAIN = 0.6  # below this confidence `qa index` and `qa reports` flag the report


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return json.loads((DATA_DIR / "document_metadata.json").read_text(encoding="utf-8"))


@dataclass
class RegionGuess:
    """What the metadata reader concluded about a report's place, with why."""

    place: Place | None = None
    national: bool = False
    unlisted: str = ""  # a place named in the title that the dataset does not list
    level: str = ""
    confidence: float = 0.0
    reason: str = ""
    scores: dict[str, float] = field(default_factory=dict)


# --- title and kind ---------------------------------------------------------------------------

def find_title(lines: list[str]) -> str:
    """The report's title: the first short line among the first few that names a kind of document
    and is not page furniture (a meeting-document header, a letterhead that is only an issuer)."""
    v = _vocab()
    for ln in lines[:6]:
        bare = ln.strip("（）() ")
        if len(ln) > 90 or ln.endswith(("。", "：", ":", "；")) or re.match(r"^[一二三四五六七八九十]+、", ln):
            continue
        if any(w in ln for w in ("会议文件",)) or ln.startswith(("——", "—")):
            continue
        if any(w in ln for w in v["title_words"]):
            return ln if "（书面）" in ln else bare
    return ""


def document_kind(title: str) -> str:
    for rule in _vocab()["kinds"]:
        if any(w in title for w in rule["title"]) and not any(w in title for w in rule.get("unless", ())):
            return rule["kind"]
    return "other"


def kind_label(kind: str) -> str:
    for rule in _vocab()["kinds"]:
        if rule["kind"] == kind:
            return rule["label"]
    return "报告"


def report_years(title: str, head: str, kind: str) -> tuple[list[int], int | None, int | None]:
    """(years, execution year, budget year). A budget report's title names both (2025年预算执行情况和
    2026年预算草案); a final account or a release has one; a government work report plans its own year
    and reviews the one before."""
    years = [int(y) for y in _YEAR.findall(title)] if title else []
    if not years:
        years = [int(y) for y, _ in Counter(_YEAR.findall(head)).most_common(2)]
    years = sorted(set(years))
    execution = budget = None
    if kind == "budget_report" and years:
        execution, budget = years[0], (years[1] if len(years) > 1 else None)
    elif kind in ("final_accounts", "fiscal_release", "work_report") and years:
        execution = years[0]
    elif kind == "gov_work_report" and years:
        execution, budget = years[0] - 1, years[0]
    return years, execution, budget


# --- region -----------------------------------------------------------------------------------

def _speaker_levels(text: str) -> tuple[set[str], str]:
    """Levels the report speaks as (全市 → 市), from the most frequent 全X/本X word."""
    counts = Counter()
    for word in _vocab()["speaker_words"]:
        counts[word] = text.count(word)
    counts[_vocab()["national_word"]] = text.count(_vocab()["national_word"])
    if not counts or counts.most_common(1)[0][1] == 0:
        return set(), ""
    word, _ = counts.most_common(1)[0]
    if word == _vocab()["national_word"]:
        return {NATION}, word
    return set(_vocab()["speaker_words"][word]), word


def _is_issuer_line(line: str) -> bool:
    return len(line) <= 80 and any(w in line for w in _vocab()["issuer_words"])


def _resolve(m: Mention, named: set[str], gaz: Gazetteer) -> Place:
    """One division for a name several share (朝阳区): the one whose parent the text also names."""
    if len(m.places) == 1:
        return m.places[0]
    for p in m.places:
        if any(up.code in named for up in gaz.parents(p)):
            return p
    return min(m.places, key=lambda p: p.rank)


def guess_region(name: str, title: str, lines: list[str], text: str) -> RegionGuess:
    gaz = gazetteer()
    levels, speaker = _speaker_levels(text)
    head = "\n".join(lines[:8])
    national_hit = next((w for w in _vocab()["national_markers"] if w in head), "")
    scores: dict[str, float] = defaultdict(float)
    sources: dict[str, str] = {}

    def add(mentions: list[Mention], weight: float, source: str, named: set[str]) -> None:
        for m in mentions:
            p = _resolve(m, named, gaz)
            scores[p.code] += weight
            sources.setdefault(p.code, f"{source} names {m.text}")

    all_mentions = gaz.mentions(text)
    named_codes = {p.code for m in all_mentions for p in m.places}
    if title:
        add(gaz.mentions(title), 10.0, "the title", named_codes)
    for ln in lines[:8] + lines[-6:]:
        if ln != title and _is_issuer_line(ln):
            add(gaz.mentions(ln), 6.0, f"the issuer line “{ln[:30]}”", named_codes)
    n = max(len(text), 1)
    for m in all_mentions:
        p = _resolve(m, named_codes, gaz)
        weight = 0.5 + (1.0 - m.start / n)  # earlier mentions speak for the report more
        if levels and p.level in levels:
            weight *= 2.0
        scores[p.code] += weight
        sources.setdefault(p.code, f"the body names {m.text}")
    strong = {c: s for c, s in scores.items() if s >= 6.0}
    if national_hit and not strong:
        return RegionGuess(national=True, level=NATION, confidence=0.95,
                           reason=f"national document: the opening names {national_hit}", scores=dict(scores))
    if not strong and NATION in levels and text.count(_vocab()["national_word"]) >= 3:
        return RegionGuess(national=True, level=NATION, confidence=0.85,
                           reason=f"national document: the body speaks of {speaker} "
                                  f"({text.count(speaker)} times) and names no place of its own",
                           scores=dict(scores))
    if scores:
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best_code, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        place = gaz.by_code[best_code]
        if best >= 6.0:
            return RegionGuess(place, level=place.level, confidence=0.95, reason=sources[best_code],
                               scores=dict(scores))
        count = sum(1 for m in all_mentions if _resolve(m, named_codes, gaz).code == best_code)
        if best >= 2 * max(second, 1.0) and count >= 2 and (not levels or place.level in levels):
            return RegionGuess(place, level=place.level, confidence=0.7,
                               reason=f"the body names {place.name} {count} times and speaks as {speaker or '—'}",
                               scores=dict(scores))
    named = _unlisted_place(title, lines)
    if named:
        # a place the dataset does not know (a new district, an old name): its name as written
        return RegionGuess(None, level=_suffix_level(named), confidence=0.55, unlisted=named,
                           reason=f"the title or issuer names {named}, which the division dataset does not list",
                           scores=dict(scores))
    by_file = _from_file_name(name, gaz)
    if by_file:
        place, alternatives = by_file
        why = f"only the file name ({name}) suggests {place.name}"
        if alternatives:
            why += f" (also possible: {'、'.join(a.name for a in alternatives)})"
        return RegionGuess(place, level=place.level, confidence=0.4 if alternatives else 0.5, reason=why,
                           scores=dict(scores))
    level = sorted(levels)[0] if levels else ""
    return RegionGuess(level=level, confidence=0.2,
                       reason=(f"no place named in the title, issuer or body (the text speaks as {speaker})"
                               if speaker else "no place named in the title, issuer or body"),
                       scores=dict(scores))


def _unlisted_place(title: str, lines: list[str]) -> str:
    """A place-like name in the title or an issuer line: a name and an administrative suffix, followed
    by what follows a place in a title (a year, 财政局, 人民政府 …)."""
    v = _vocab()
    suffixes = "|".join(sorted(SUFFIXES, key=len, reverse=True))
    pattern = re.compile(rf"([\u4e00-\u9fff]{{2,10}}?(?:{suffixes}))(?={'|'.join(v['place_followers'])})")
    for text in [title, *(ln for ln in lines[:8] + lines[-6:] if _is_issuer_line(ln))]:
        for m in pattern.finditer(text or ""):
            found = re.sub(r"^关于", "", m.group(1))
            if len(found) >= 3 and not set(v["not_in_place_name"]) & set(found[:-1]):
                return found
    return ""


def _suffix_level(name: str) -> str:
    for suffix, level in (("自治州", PREFECTURE), ("州", PREFECTURE), ("旗", BANNER), ("区", DISTRICT),
                          ("县", COUNTY), ("省", PROVINCE), ("市", CITY)):
        if name.endswith(suffix):
            return level
    return ""


def _from_file_name(name: str, gaz: Gazetteer) -> tuple[Place, list[Place]] | None:
    tokens = [t for t in re.split(r"[^a-z]+", name.lower()) if len(t) >= 3]
    if not tokens:
        return None
    hits = [p for p in gaz.by_code.values() if p.rank <= 2 and (gaz.romanised(p) & set(tokens))]
    if not hits:
        return None
    hits.sort(key=lambda p: p.rank)
    return hits[0], hits[1:]


# --- entry point ------------------------------------------------------------------------------

def describe(doc: Document) -> None:
    """Fill title, region, level, parents, years, kind, confidence and reason (in place)."""
    lines = [ln.strip() for ln in doc.text.splitlines() if ln.strip()]
    title = find_title(lines)
    doc.kind = document_kind(title or (lines[0] if lines else ""))
    head = "\n".join(lines[:10])[:3000]
    doc.years, doc.execution_year, doc.budget_year = report_years(title, head, doc.kind)
    guess = guess_region(doc.name, title, lines, doc.text)
    if guess.national:
        doc.region, doc.parents = NATION, []
    elif guess.place:
        doc.region = guess.place.name
        doc.parents = [p.name for p in gazetteer().parents(guess.place)]
    elif guess.unlisted:
        doc.region, doc.parents = guess.unlisted, []
    else:
        doc.region, doc.parents = "", []
    doc.level = guess.level
    doc.confidence = round(guess.confidence, 2)
    doc.reason = guess.reason
    if not title:
        year = f"{doc.years[0]}年" if doc.years else ""
        title = f"{doc.region or ''}{year}{kind_label(doc.kind)}"
    doc.title = title


def uncertainty(doc: Document) -> str:
    """A warning for a report whose place is uncertain, naming the sidecar that settles it; '' if sure."""
    if doc.confidence >= UNCERTAIN:
        return ""
    return (f"{doc.name}: place uncertain ({doc.reason}); write {doc.name}.meta.json beside it, "
            f'e.g. {{"region": "…市", "level": "市"}}')
