"""Lists: the members of a group as a report writes them.

    GroupFinder(index, rows_by_doc, chunks, chunk_of, rules_out, said_before)
        .members(q, docs, ranks) -> list[Figure]          the rows a superlative or total ranges over
        .listed_together(q, docs, ranks) -> list[Figure]  the contenders a question lists, found in one list
        .enumeration(f) -> list[Figure]                   the run of figures listed together with f

A report lists a group's members as 其中 children, as bullets under the group's name (：一是A…二是B…,
a heading over ——A… lines), as an enumeration after the name (A X亿元，B Y亿元；…) or as parallel
sentences (筹措资金X，支持A。筹措资金Y，支持B). Whether a row may answer the question at all (period,
scope, place …) is the answerer's rule, passed in as `rules_out`.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Callable

from .index import Index
from .matching import MATCH_THRESHOLD, chars_shared, coverage, dimension, item_similarity
from .question import Query
from .records import Chunk, Figure

_NEXT_HEADING = re.compile(r"\n\s*(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d{1,2}[.．、])")
_LINE_BULLET = re.compile(r"\s*(—+|[一二三四五六七八九十]是|（[一二三四五六七八九十]）|\([一二三四五六七八九十]\)|"
                          r"\d{1,2}[.．、]|[一二三四五六七八九十]、)")
_SUBLIST = re.compile(r"其中|主要(?:是|有|用于|包括)|包括|具体(?:是|为|有)")


class GroupFinder:
    """Finds group members over one index. Built once by the answerer; holds no per-question state."""

    def __init__(self, index: Index, rows_by_doc: dict[str, list[Figure]], chunks: dict[str, Chunk],
                 chunk_of: Callable[[Figure], str], rules_out: Callable[[Query, Figure], bool],
                 said_before: Callable[[Figure], str]):
        self.index = index
        self.rows_by_doc = rows_by_doc
        self.chunks = chunks
        self.chunk_of = chunk_of
        self.rules_out = rules_out
        self.said_before = said_before
        self.rows_by_chunk: dict[str, list[Figure]] = defaultdict(list)
        for f in index.figures:
            self.rows_by_chunk[chunk_of(f)].append(f)
        self._runs: dict[tuple[str, str], list[Figure]] = {}  # (doc, dimension) -> listable rows by start

    def listed_together(self, q: Query, docs, ranks) -> list[Figure] | None:
        """The contenders a question lists, found together in one list of the report: each name
        is matched (loosely, by item or leading clause) to a different member of the same
        enumeration in a well-ranked passage. The list makes a loose match safe: names that
        each fit a member of one list are that list."""
        names = [re.sub(r"(支出|收入|资金|经费|的钱|钱)$", "", n) or n for n in q.items[:8]]
        chunks = sorted((k for k in ranks if self._rows_in_chunk(k, docs)), key=lambda k: ranks[k])[:8]
        pools: list[list[Figure]] = []
        seen: set[tuple[int, ...]] = set()
        for key in chunks[:5]:
            for g in self._rows_in_chunk(key, docs):
                run = [f for f in self.enumeration(g) if not self.rules_out(q, f)] if listable(g) else []
                sig = tuple(id(f) for f in run)
                if len(run) >= len(names) and sig not in seen:
                    seen.add(sig)
                    pools.append(run)
        # bullet lines (——支持A。安排…X亿元), named by their lead words
        bullets = [f for key in chunks[:5] for f in self._bullet_rows(key) if not self.rules_out(q, f)]
        if len(bullets) >= len(names):
            pools.append(bullets)
        # else statements of one kind spread over the best passages (统筹X支持A。…安排Y推进B)
        spread = [f for key in chunks for f in self._rows_in_chunk(key, docs)
                  if listable(f) and not self.rules_out(q, f)]
        pools.append(same_dimension([f for f in spread if f.measure == "amount"] or spread))
        for loose in (False, True):  # a list that says every name beats one that leaves a name to guess
            for pool in pools:
                picked = _assign(names, pool, self.said_before, loose)
                if picked is not None:
                    return picked  # the enumerations first: a list in the report beats scattered rows
        return None

    def _bullet_rows(self, key: str) -> list[Figure]:
        """For each bullet line of a passage (——A。…X亿元), its first amount, named A."""
        chunk = self.chunks[key]
        text = self.index.documents[chunk.doc].text
        out, start = [], chunk.start
        while start < chunk.end:
            end = text.find("\n", start, chunk.end)
            end = chunk.end if end < 0 else end
            if _LINE_BULLET.match(text[start:end]):
                row = self._bullet_member(chunk.doc, text, start, end, lambda f: True)
                if row is not None:
                    out.append(row)
            start = end + 1
        return out

    def _bullet_member(self, doc: str, text: str, a: int, b: int, ok: Callable[[Figure], bool]) -> Figure | None:
        """The first amount of the bullet text[a:b] that `ok` accepts, named by the bullet's lead words."""
        first = next((f for f in self.rows_by_doc[doc] if a <= f.start < b and listable(f)
                      and f.measure == "amount" and ok(f)), None)
        lead = re.split(r"[。，,；;：:]", _LINE_BULLET.sub("", text[a:b].strip(), count=1))[0].strip()
        if first is not None and first.value_text in lead:  # ●教育支出X亿元，…: the words before the number
            lead = lead[:lead.index(first.value_text)].strip()
        lead = re.sub(r"^\d+[-－]", "", lead)  # 205-教育支出科目: the subject's code is not its name
        if first is not None and first.scope and lead.startswith(first.scope) and len(lead) - len(first.scope) >= 2:
            lead = lead[len(first.scope):]  # ——市本级教育支出: the row's scope, not part of its name
        return replace(first, item=lead) if first is not None and len(lead) >= 2 else None

    def _rows_in_chunk(self, key: str, docs) -> list[Figure]:
        chunk = self.chunks.get(key)
        if chunk is None or docs is not None and chunk.doc not in docs:
            return []
        return self.rows_by_chunk.get(key, [])

    def members(self, q: Query, docs, ranks, loose: bool = True, explicit: bool = False) -> list[Figure]:
        """Rows of the family the question ranks: the children of the group item (其中…,
        在重点支出中…), else the figures listed right after the group is named in the
        best-retrieved passage. `explicit`: only the children and the bullets under the
        group's own name (the report names the group as the question does)."""
        group = q.group
        pool: list[Figure] = []
        if group:
            kids = [f for f in self._rows(docs) if f.parent and item_similarity(group, f.parent) >= MATCH_THRESHOLD
                    and not self.rules_out(q, f)]
            if kids:
                best_doc = min(kids, key=lambda f: ranks.get(self.chunk_of(f), 99)).doc
                pool = [f for f in kids if f.doc == best_doc]
        if len({f.item for f in pool}) < 2:
            pool = self._bullets_after_group(q, docs, ranks)
        if len({f.item for f in pool}) < 2 and not explicit:
            pool = self._listed_after_group(q, docs, ranks, loose)
        out, seen = [], set()
        for f in pool:  # one row per item: its first statement
            if f.item not in seen and not is_group_total(group, f.item):
                seen.add(f.item)
                out.append(f)
        return out

    def _bullets_after_group(self, q: Query, docs, ranks) -> list[Figure]:
        """Members written as bullets under the group's name: '重点支出：一是A。…X亿元…二是B…'
        or a heading followed by lines '——A。…X亿元'. Each bullet's first amount is its
        figure, named by the bullet's lead words (A), which is how staff name the block."""
        if not q.group:
            return []
        for key in sorted(ranks, key=ranks.get)[:5]:  # (the passage naming the group may hold no figure)
            chunk = self.chunks[key]
            at = locate_head(q.group, chunk.text)
            if at < 0:
                continue  # (1.一般公共预算 over its bullets does not name 一般公共预算重点支出: the head is missing)
            text = self.index.documents[chunk.doc].text
            pos = chunk.start + at
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            colons = [c for c in (text.find("：", pos, line_end), text.find(":", pos, line_end)) if c >= 0]
            colon = min(colons) if colons else -1
            if colon - pos > 16 or colon < 0 and line_end - pos > 16:
                continue  # the name must introduce the bullets: end its line or come right before ：
            spans: list[tuple[int, int]] = []
            if colon >= 0:  # 以下重点支出：一是…二是… (on this line or the lines after)
                marks, look = [], colon + 1
                for numeral in "一二三四五六七八九十":
                    # the first bullet opens right after the ：, the next ones follow within a paragraph
                    at_mark = text.find(numeral + "是", look, look + (4 if not marks else 600))
                    if at_mark < 0:
                        break
                    marks.append(at_mark)
                    look = at_mark + 2
                if len(marks) >= 2:
                    tail = _NEXT_HEADING.search(text, marks[-1] + 2, marks[-1] + 500)
                    spans = list(zip(marks, marks[1:] + [tail.start() if tail else marks[-1] + 300]))
            if len(spans) < 2:  # bullet lines under a heading: those of the first line's kind
                spans, start, kind = [], line_end + 1, None
                while start < len(text):
                    end = text.find("\n", start)
                    end = len(text) if end < 0 else end
                    m = _LINE_BULLET.match(text[start:end])
                    if not m:
                        break
                    kind = kind or _bullet_kind(m.group(1))
                    if _bullet_kind(m.group(1)) == kind:  # (deeper bullets between them are their parts)
                        spans.append((start, end))
                    start = end + 1
            intro = text[text.rfind("\n", 0, pos) + 1:pos]
            if q.scope and ("本级" in q.scope and "本级" in intro or q.scope in intro):
                q = Query(**{**q.__dict__, "scope": ""})  # 市本级财政优先保障以下…: the intro sets it
            members = [row for a, b in spans
                       if (row := self._bullet_member(chunk.doc, text, a, b, lambda f: not self.rules_out(q, f)))]
            if len({f.item for f in members}) >= 2:
                return members
        return []

    def _listed_after_group(self, q: Query, docs, ranks, loose: bool = True) -> list[Figure]:
        """The list of figures that the group's name introduces, in the best-ranked passage
        that names the group: the enumeration (see `_enumeration`) holding the first figure
        after the name."""
        by_chunk: dict[str, list[Figure]] = defaultdict(list)
        for f in self._rows(docs):
            if not self.rules_out(q, f):
                by_chunk[self.chunk_of(f)].append(f)
        chunks = [self.chunks[k] for k in by_chunk if k in self.chunks]
        chunks.sort(key=lambda c: (ranks.get(c.key, 99), c.doc, c.start))
        for chunk in chunks:
            at = locate(q.group, chunk.text) if q.group else (0 if chunk.key in ranks else -1)
            if at < 0:
                continue
            after = [f for f in by_chunk[chunk.key] if f.start >= chunk.start + at
                     and (f.change_value is not None or q.by == "value")
                     and not is_group_total(q.group, f.item)]
            if not after:
                continue
            run = [f for f in self.enumeration(after[0]) if not is_group_total(q.group, f.item)
                   and (f.change_value is not None or q.by == "value") and not self.rules_out(q, f)]
            if q.count and len({f.item for f in run}) != q.count:
                continue  # 七项 said: a list of another length is another list
            if len({f.item for f in run}) >= 2:
                return run
            if len({f.item for f in after}) >= 2 and not q.count:
                return after
        if not loose:
            return []
        # the group is worded differently in the report (学校建设项目 for 校建投入): the longest
        # list in the best passages, when they say most of the group's words
        runs: list[list[Figure]] = []
        for chunk in chunks[:3]:
            if ranks.get(chunk.key, 99) >= 3 or not q.group or coverage(q.group, chunk.text) < 0.5:
                continue
            runs += [[f for f in self.enumeration(g) if not self.rules_out(q, f)]
                     for g in by_chunk[chunk.key] if listable(g)]
        if q.count:
            runs = [r for r in runs if len({f.item for f in r}) == q.count]
        best = max(runs, key=lambda r: len({f.item for f in r}), default=[])
        if len({f.item for f in best}) >= 3:
            return best
        return []

    def enumeration(self, f: Figure) -> list[Figure]:
        """The run of figures listed together with f: same paragraph, same kind of quantity,
        each a different item, joined by list punctuation with no 其中/主要用于 (a sub-list) between."""
        key = (f.doc, dimension(f))
        if key not in self._runs:
            self._runs[key] = sorted((g for g in self.rows_by_doc[f.doc] if listable(g) and dimension(g) == key[1]),
                                     key=lambda g: g.start)
        rows = self._runs[key]
        if f not in rows:
            return [f]
        text = self.index.documents[f.doc].text
        i = j = rows.index(f)

        def joined(a: Figure, b: Figure) -> bool:
            gap = text[max(a.end, a.change_end or 0):b.start]
            if parallel(text, a, b, gap):
                return True
            if len(gap) > 60 or "\n" in gap or _SUBLIST.search(gap) or a.item == b.item or a.measure != b.measure:
                return False  # 其中/主要用于 … open a list of parts: what precedes is their total
            semi = max(gap.find("；"), gap.find(";"))
            if semi >= 0 and len(re.findall(r"[\u4e00-\u9fff]", gap[:semi].replace(a.item, ""))) >= 4:
                return False  # a clause closes the list before the ；(…N万元，优先支持X；安排Y)
            ends = [gap.rfind(c) for c in "。：:"]
            if max(ends) < 0:
                return True
            # a new sentence continues the list only in the same words (投资X用于A。投资Y的B)
            lead_b = gap[max(ends) + 1:].lstrip()[:2]
            cut = max(text.rfind(c, a.sent_start, a.start) for c in "。；;，,、：:")
            lead_a = text[max(cut + 1, a.sent_start):a.start].lstrip()[:2]
            return len(lead_b) == 2 and lead_a == lead_b

        while i > 0 and joined(rows[i - 1], rows[i]):
            i -= 1
        while j + 1 < len(rows) and joined(rows[j], rows[j + 1]):
            j += 1
        return rows[i:j + 1]

    def _rows(self, docs) -> list[Figure]:
        if docs is None:
            return self.index.figures
        return [f for d in docs for f in self.rows_by_doc.get(d, [])]


def parallel(text: str, a: Figure, b: Figure, gap: str) -> bool:
    """Sentences of one paragraph that open the same way, each with its figure (筹措资金X，
    支持A…。筹措资金Y，支持B…): a list written as parallel sentences."""
    if "\n" in gap or len(gap) > 240 or a.item == b.item or a.measure != b.measure:
        return False
    lead_a = text[a.sent_start:a.start].lstrip()
    lead_b = text[b.sent_start:b.start].lstrip()
    # (投入X亿元，用于A。投入Y亿元，用于B: a two-character opening that is all before the number)
    return a.sent_start != b.sent_start and (len(lead_a) >= 3 and lead_a[:3] == lead_b[:3]
                                             or len(lead_a) == 2 and lead_a == lead_b)


def _bullet_kind(mark: str) -> str:
    """一是/（一）/1./一、/—— as a kind, whatever its number: bullets of one kind are one level."""
    return re.sub(r"[一二三四五六七八九十]+|\d+", "N", mark.strip())


def listable(f: Figure) -> bool:
    """A figure that can be a member of a list of items (an amount, standard or count)."""
    return f.measure in ("amount", "standard", "count") and f.unit not in ("%", "个百分点")


# a level before a name (地方级税收收入, 市级…): the name without it is what the family is called
_LEVEL_PREFIX = re.compile(r"^(?:地方级|全[市县州省区国]|[市县州省区]本级|[市县州省区]级|本级)")


def is_group_total(group: str, item: str) -> bool:
    """'税收' / '税收收入' is the family's total, not one of its members; so is any 总计/合计/总量
    (支出总量 of a budget's balance) or 总规模 (a fund's size beside the amounts it raised)."""
    if re.search(r"总计|合计|总量|总规模|^总收入$|^总支出$|^收入$|^支出$", item):
        return True  # 收入总计: the sum of the list, whatever the group is called
    if not group:
        return False
    # 地方级税收收入 in a list beside 非税收入, asked about 税收收入(的)税种: the family itself
    core = _LEVEL_PREFIX.sub("", item)
    return item == group or (item.startswith(group) and item[len(group):] in ("收入", "支出", "资金", "总额", "合计", "总计")) \
        or (len(core) >= 3 and group.startswith(core))


def locate(phrase: str, text: str) -> int:
    """Where the phrase (or its longest 2+ character piece) first occurs in text, or -1."""
    for length in range(len(phrase), 1, -1):
        for start in range(0, len(phrase) - length + 1):
            at = text.find(phrase[start:start + length])
            if at >= 0 and length >= min(4, len(phrase)):
                return at
    return -1


def locate_head(phrase: str, text: str) -> int:
    """Where the phrase's longest ending of 4+ characters (its head: 重点支出 of 优先保障重点支出)
    first occurs in text, or -1: a name that says only the phrase's owner (一般公共预算 of
    一般公共预算重点支出) is not found."""
    for start in range(0, max(len(phrase) - 3, 1)):
        at = text.find(phrase[start:])
        if at >= 0:
            return at
    return -1


def same_dimension(rows: list[Figure]) -> list[Figure]:
    if not rows:
        return rows
    dims = defaultdict(list)
    for f in rows:
        dims[dimension(f)].append(f)
    return max(dims.values(), key=len)


def _assign(names: list[str], pool: list[Figure], said_before: Callable[[Figure], str],
            loose: bool) -> list[Figure] | None:
    """Each name to a different member of one list, in the names' order; None when one is left.

    First the names a member's words say (a common run of 2+ characters: 大气 of 治大气 in
    大气污染综合治理攻坚). A name no member says that way (治水) takes the one member left whose
    characters cover it best (`loose`), if that member is the only best: the list leaves no other
    reading."""
    picked: dict[int, Figure] = {}
    clear = True  # every name said by one member only (基金 said by two funds is not)
    for i, name in enumerate(names):
        fits = sorted(((max(coverage(name, f.item), coverage(name, said_before(f))), f)
                       for f in pool if f not in picked.values()), key=lambda t: t[0], reverse=True)
        if fits and fits[0][0] >= 0.5:
            picked[i] = fits[0][1]
            clear = clear and (len(fits) == 1 or fits[1][0] < fits[0][0])
    if len(picked) < len(names) and not (loose and clear and len(names) >= 3 and len(picked) == len(names) - 1):
        return None  # (one name only is left to the list, and only when the others are certain)
    for i, name in enumerate(names):
        if i in picked:
            continue
        left = [f for f in pool if f not in picked.values()]
        scored = sorted(((chars_shared(name, f.item + said_before(f)), f) for f in left),
                        key=lambda t: t[0], reverse=True)
        if not scored or scored[0][0] < 0.5 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        picked[i] = scored[0][1]
    return [picked[i] for i in range(len(names))]

