"""Groups: the lists a report gives, recorded once per index from its structure.

    build_groups(index, finder) -> list[Group]        every list of every report (at load)
    GroupIndex(groups, index).rank(...)               the groups a superlative ranges over, best first
    extreme(members, by, most) / total_of / difference / share_of    the operations over members

A superlative (哪一项最大) is asked over a group the report itself lists: one sentence's
enumeration (教育支出X亿元、科学技术支出Y亿元…), the 其中 children of a total, consecutive
bullet lines (●/——/一是/（一）…) each with its first amount, or the same item stated under
sibling headings (一、A管理区 … 二、B管理区 …: the members are the headings), or the same item
in consecutive lines that each open with their subject (A开发区…：… / B开发区…：…). Each group keeps
the text that introduces it (the lead clause, the parent, the heading) so that a question can
find it by its words (BM25 over jieba tokens) and by meaning (the row index's description
vectors of its members), the way rows.py finds rows. Which member wins is then arithmetic.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

import numpy as np

from .figures import to_base
from .matching import coverage, dimension
from .records import Figure
from .rows import section_topic

if TYPE_CHECKING:
    from .index import Index
    from .lists import GroupFinder

# a bullet line: ●/■/——/一是/（一）/1. (numbered headings too: their lines are siblings)
_BULLET = re.compile(r"\s*(●|■|◆|▲|·|•|—+|[一二三四五六七八九十]是|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|"
                     r"\d{1,2}[.．、](?!\d)|\d{1,2}[.．](?=\d{3,}[-－])|[一二三四五六七八九十]+、)")  # (1.20101-人大事务: a numbered code)
_NUMBERS = re.compile(r"[\d.,，．]+\s*(?:万亿|亿|万)?(?:元|%|个百分点|人|户|个)?")
_TOTAL = re.compile(r"总计|合计|^总收入$|^总支出$|^收入$|^支出$|小计")
_DECLINE = {"下降", "减少"}
# the least share of the question's group phrase that a group's introduction (lead clause, parent,
# heading, section topic) must say: below it the list is about something else, however close
# its members' meaning
MIN_SAID = 0.3


@dataclass
class Group:
    """A list the report gives: its members (one row each, named as the report names them)
    and the words that introduce it."""

    doc: str
    kind: str  # enumeration | children | bullets | paragraphs | sentences | sections | subjects
    intro: str  # the lead clause, parent item or heading that opens the list
    members: list[Figure]
    topic: str = ""  # the section topic of the first member
    rows: list[int] = field(default_factory=list)  # positions of the members' source rows in Index.figures

    @property
    def description(self) -> str:
        return f"{self.intro} {self.topic} " + " ".join(f.item for f in self.members)


def _listable(f: Figure) -> bool:
    return f.measure in ("amount", "standard", "count") and f.unit not in ("%", "个百分点")


def _lead(text: str, a: int, b: int) -> str:
    """text[a:b] with its numbers blanked and spaces trimmed (an introduction's words)."""
    return re.sub(r"\s+", " ", _NUMBERS.sub(" ", text[a:b])).strip()[-80:]


def _one_per_item(rows: list[Figure]) -> list[Figure]:
    out, seen = [], set()
    for f in rows:
        if f.item not in seen and not _TOTAL.search(f.item):
            seen.add(f.item)
            out.append(f)
    return out


def enumeration_groups(index: "Index", finder: "GroupFinder") -> list[Group]:
    """One group per enumeration run (lists.GroupFinder.enumeration) of two or more items;
    introduced by the words of its line before the first member."""
    out = []
    for doc, rows in finder.rows_by_doc.items():
        text = index.documents[doc].text
        done: set[int] = set()
        for f in rows:
            if id(f) in done or not _listable(f):
                continue
            whole = finder.enumeration(f)
            done.update(id(g) for g in whole)
            for run in _same_kind_runs(whole):
                members = _one_per_item(run)
                if len(members) >= 2:
                    out.append(_enumeration(text, run, members))
    return out


def _same_kind_runs(run: list[Figure]) -> list[list[Figure]]:
    """A run cut where its items turn from 收入 to 支出 or back (…非税收入X。…支出Y，补助下级支出Z:
    two lists, not one)."""
    out: list[list[Figure]] = [[]]
    kind = ""
    for f in run:
        k = "收入" if f.item.endswith("收入") else "支出" if f.item.endswith("支出") else ""
        if k and kind and k != kind:
            out.append([])
        kind = k or kind
        out[-1].append(f)
    return [r for r in out if r]


def _enumeration(text: str, run: list[Figure], members: list[Figure]) -> Group:
    """The group of an enumeration run, introduced by its paragraph's opening clause (支持建设X之城，…)
    and the first member's sentence up to it."""
    first = run[0]
    line = text.rfind("\n", 0, first.start) + 1
    start = max(line, first.sent_start)
    if len(text[start:first.start].strip()) < 4:
        start = max(line, max(text.rfind(c, 0, max(start - 1, 0)) for c in "。；;") + 1)
    opening = _NUMBERS.sub(" ", re.split(r"[，,。；;：:]", text[line:start], maxsplit=1)[0][:40]) if start > line else ""
    return Group(first.doc, "enumeration", (opening + " " + _lead(text, start, first.start)).strip() or first.item,
                 members, section_topic(first.section))


def children_groups(index: "Index", rows_by_doc: dict[str, list[Figure]]) -> list[Group]:
    """The 其中 children of one parent in one paragraph."""
    out = []
    for doc, rows in rows_by_doc.items():
        text = index.documents[doc].text
        kids: dict[tuple[str, int, str], list[Figure]] = defaultdict(list)
        for f in rows:
            if f.parent and _listable(f):
                line = text.rfind("\n", 0, f.start) + 1
                kids[(f.parent, line, dimension(f))].append(f)
        for (parent, line, _), members in kids.items():
            members = _one_per_item(members)
            if len(members) >= 2:
                out.append(Group(doc, "children", f"{parent} {_lead(text, line, members[0].start)}", members,
                                 section_topic(members[0].section)))
    return out


def bullet_groups(index: "Index", finder: "GroupFinder") -> list[Group]:
    """Lines opening with the same kind of bullet, each with its first amount, named by the
    bullet's lead words; introduced by the line before them. Lines with deeper bullets may stand
    between them ((一)201-…\n1.20101-…\n(二)202-…: the (一)(二) lines are one list); the kind of
    the bullet over the first one ends the list."""
    out = []
    for doc in finder.rows_by_doc:
        text = index.documents[doc].text
        lines, pos = [], 0
        for raw in text.split("\n"):
            lines.append((pos, pos + len(raw)))
            pos += len(raw) + 1
        kinds = []
        for a, b in lines:
            m = _BULLET.match(text[a:b])
            kinds.append(_mark_kind(m.group(1)) if m else None)
        taken: set[int] = set()
        for i, mark in enumerate(kinds):
            if mark is None or i in taken:
                continue
            parent = next((k for k in reversed(kinds[:i]) if k is not None and k != mark), None) \
                if i > 0 and kinds[i - 1] is not None else None
            run, j = [i], i + 1
            while j < len(lines) and kinds[j] is not None and kinds[j] != parent:
                if kinds[j] == mark:
                    run.append(j)
                j += 1
            taken.update(run)
            if len(run) < 2:
                continue
            members = [_named_at_number(text, row, lines[k][0]) for k in run
                       if (row := finder._bullet_member(doc, text, lines[k][0], lines[k][1], lambda f: True)) is not None]
            members = _one_per_item(members)
            dims = defaultdict(list)
            for f in members:
                dims[dimension(f)].append(f)
            members = max(dims.values(), key=len, default=[])
            if len(members) >= 2:
                pa, pb = lines[i - 1] if i > 0 else lines[i]
                # (no section topic: a bullet line is often parsed as a heading, its own words)
                out.append(Group(doc, "bullets", _lead(text, pa, pb) if i > 0 else "", members, ""))
    return out


def _named_at_number(text: str, f: Figure, line: int) -> Figure:
    """A bullet's member named by the words right before its number when the bullet opens
    with them (●教育支出X亿元，…: 教育支出, not the lead clause with its number)."""
    if _BULLET.match(f.item):  # a mark lists.py does not know (●) left in the lead words
        f = replace(f, item=_BULLET.sub("", f.item, count=1).strip() or f.item)
    if re.search(r"\d", f.item):
        words = re.sub(r"^\d+[-－]", "", _BULLET.sub("", text[line:f.start], count=1).strip(" ，,：:；;"))
        if 2 <= len(words) <= 30 and not re.search(r"[，,。；;：:]", words):
            return replace(f, item=words)
        return replace(f, item=re.split(r"\d", f.item)[0].strip(" ，,：:") or f.item)
    return f


def _mark_kind(mark: str) -> str:
    if re.fullmatch(r"[一二三四五六七八九十]是", mark):
        return "是"
    if re.fullmatch(r"[（(][一二三四五六七八九十]+[）)]", mark):
        return "（）"
    if re.fullmatch(r"\d{1,2}[.．、]", mark):
        return "1."
    if re.fullmatch(r"[一二三四五六七八九十]+、", mark):
        return "一、"
    return mark


def paragraph_groups(index: "Index", rows_by_doc: dict[str, list[Figure]]) -> list[Group]:
    """Consecutive paragraphs that each open with their own figure (教育支出X亿元。其中…\n
    科学技术支出Y亿元。…): a list written one member per paragraph, introduced by the line
    before them (a heading such as 主要支出科目执行情况)."""
    out = []
    for doc, rows in rows_by_doc.items():
        text = index.documents[doc].text
        openers: list[tuple[int, Figure]] = []  # (line start, the row the line opens with)
        seen_lines: set[int] = set()
        for f in rows:
            line = text.rfind("\n", 0, f.start) + 1
            if line in seen_lines:
                continue
            seen_lines.add(line)
            before = text[line:f.start]
            if _listable(f) and len(before) <= 40 and not re.search(r"[。；;]", before) and not _BULLET.match(before):
                openers.append((line, f))
        run: list[tuple[int, Figure]] = []
        for line, f in openers + [(-1, None)]:
            prev = run[-1] if run else None
            follows = prev is not None and f is not None and dimension(f) == dimension(prev[1]) and \
                (text.find("\n", prev[0], line) == line - 1 or _past_a_note(text, prev[0], line, run[0][0]))
            if f is not None and (not run or follows):
                run.append((line, f))
                continue
            members = _one_per_item([g for _, g in run])
            if len(members) >= 2:
                first = run[0][0]
                head = text.rfind("\n", 0, max(first - 1, 0)) + 1
                out.append(Group(doc, "paragraphs", _lead(text, head, max(first - 1, head)), members,
                                 section_topic(members[0].section)))
            run = [(line, f)] if f is not None else []
    return out


def _past_a_note(text: str, prev: int, line: int, first: int) -> bool:
    """Whether the paragraph at `line` continues a one-per-paragraph list after a single paragraph
    that is no member (需要特别说明的是…: a note on the member before it): it opens with the
    same words as the list's first member (安排…)."""
    between = text.find("\n", prev, line)
    if between < 0 or text.find("\n", between + 1, line) != line - 1:
        return False  # not exactly one paragraph in between
    note = text[between + 1:line - 1]
    if _BULLET.match(note) or note.rstrip().endswith(("：", ":")):
        return False  # a numbered heading or a new list's introduction ends the list
    return len(text[first:first + 2].strip()) == 2 and text[line:line + 2] == text[first:first + 2]


# a clause that announces a list written one sentence per member (主要税种收入情况为：A X亿元，增长…。B Y亿元…)
_LIST_LEAD = re.compile(r"[^。；;：:\n]{2,40}?(?:情况为|情况如下|如下|分别为|分别是|主要有|主要是|为)[:：]")


def sentence_groups(index: "Index", rows_by_doc: dict[str, list[Figure]]) -> list[Group]:
    """Sentences after a lead clause ending in 为：/如下： that each open with their own figure
    (增值税收入X亿元，增长…。企业所得税收入Y亿元…), up to the end of the paragraph: a list
    with no enumeration marks, introduced by the lead clause."""
    out = []
    for doc, rows in rows_by_doc.items():
        text = index.documents[doc].text
        listable = sorted((f for f in rows if _listable(f)), key=lambda f: f.start)
        starts = [f.start for f in listable]
        for m in _LIST_LEAD.finditer(text):
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end
            firsts: dict[int, Figure] = {}
            for f in listable[bisect_left(starts, m.end()):bisect_left(starts, end)]:
                opening = text[max(f.sent_start, m.end()):f.start]
                if f.sent_start not in firsts and len(opening) <= 25 and not re.search(r"[，,；;：:]", opening):
                    firsts[f.sent_start] = f
            members = _one_per_item(list(firsts.values()))
            if len(members) >= 2 and len({dimension(f) for f in members}) == 1:
                out.append(Group(doc, "sentences", _lead(text, m.start(), m.end()), members,
                                 section_topic(members[0].section)))
    return out


def section_groups(rows_by_doc: dict[str, list[Figure]], index: "Index | None" = None) -> list[Group]:
    """The same item stated under sibling headings (一、A区 …（一）2025年… > 1.一般公共预算 /
    二、B区 … same path below): a list whose members are named by the headings that differ."""
    out = []
    for doc, rows in rows_by_doc.items():
        keyed: dict[tuple, list[tuple[str, Figure]]] = defaultdict(list)
        for f in rows:
            if not _listable(f) or not f.section:
                continue
            path = f.section.split(" > ")
            for k in range(1, len(path)):
                keyed[(f.item, dimension(f), f.status, tuple(path[:k]), tuple(_strip_topic(p) for p in path[k + 1:]))
                      ].append((path[k], f))
        for key, named in keyed.items():
            by_heading: dict[str, Figure] = {}
            for heading, f in named:
                by_heading.setdefault(heading, f)  # the first statement under each heading
            if len(by_heading) < 2:
                continue
            members = [replace(f, item=section_topic(h) or h) for h, f in by_heading.items()]
            if len({m.item for m in members}) < 2:
                continue
            parent = section_topic(key[3][-1]) if key[3] else ""
            if index is not None:  # the line over the first heading (an annex title the sections miss)
                text = index.documents[doc].text
                heading, first = next(iter(by_heading.items()))
                at = text.rfind(section_topic(heading) or heading, 0, first.start)
                line = text.rfind("\n", 0, at) if at > 0 else -1
                if line > 0:
                    parent += " " + text[text.rfind("\n", 0, line) + 1:line].strip()[:60]
            out.append(Group(doc, "sections", f"{parent} {key[0]}", members, key[0]))
    return out


# a line that opens with its subject and a colon (A开发区2025年预算执行情况：一般公共预算收入X亿元…)
_SUBJECT_LEAD = re.compile(r"\s*([^：:\n。；;，,]{2,40}?)[：:]")
_SUBJECT_TAIL = re.compile(r"(?:(?:19|20)\d\d年)?(?:度)?(?:[\u4e00-\u9fff]{0,4}预算)?(?:执行|安排|完成|收支)?(?:情况|概况)?$")


def subject_groups(index: "Index", rows_by_doc: dict[str, list[Figure]]) -> list[Group]:
    """Consecutive lines that each open with their own subject and a colon and then state the same
    items (A开发区2025年预算执行情况：一般公共预算收入X亿元… / B开发区…：一般公共预算收入Y亿元…):
    for each item stated in two or more of them, a list whose members are named by the subjects,
    introduced by the line before the run and the item."""
    out = []
    for doc, rows in rows_by_doc.items():
        text = index.documents[doc].text
        by_line: dict[int, list[Figure]] = defaultdict(list)
        for f in rows:
            if _listable(f):
                by_line[text.rfind("\n", 0, f.start) + 1].append(f)
        runs: list[list[tuple[str, list[Figure]]]] = []
        prev_end = -2
        for line in sorted(by_line):
            m = _SUBJECT_LEAD.match(text, line)
            subject = _SUBJECT_TAIL.sub("", m.group(1)).strip() if m else ""
            if len(subject) < 2 or by_line[line][0].start < m.end():
                prev_end = -2
                continue
            if line != prev_end + 1 or not runs:
                runs.append([])
            runs[-1].append((subject, by_line[line]))
            end = text.find("\n", line)
            prev_end = len(text) if end < 0 else end
        for run in runs:
            if len(run) < 2:
                continue
            keyed: dict[tuple, dict[str, Figure]] = defaultdict(dict)
            for subject, figs in run:
                for f in figs:
                    keyed[(f.item, dimension(f), f.status, f.year)].setdefault(subject, f)
            first = run[0][1][0]
            line = text.rfind("\n", 0, first.start) + 1
            head = text.rfind("\n", 0, max(line - 1, 0)) + 1
            lead = _lead(text, head, max(line - 1, head))
            for key, named in keyed.items():
                if len(named) >= 2:
                    members = [replace(f, item=subject) for subject, f in named.items()]
                    out.append(Group(doc, "subjects", f"{lead} {key[0]}", members, key[0]))
    return out


def _strip_topic(heading: str) -> str:
    return section_topic(heading)


def build_groups(index: "Index", finder: "GroupFinder") -> list[Group]:
    """Every group of every report of the index (enumerations, 其中 children, bullets, sections)."""
    pos = {id(f): i for i, f in enumerate(index.figures)}
    groups = (enumeration_groups(index, finder) + children_groups(index, finder.rows_by_doc)
              + bullet_groups(index, finder) + paragraph_groups(index, finder.rows_by_doc)
              + sentence_groups(index, finder.rows_by_doc)
              + section_groups(finder.rows_by_doc, index) + subject_groups(index, finder.rows_by_doc))
    by_span = {(f.doc, f.start): i for i, f in enumerate(index.figures)}
    for g in groups:
        g.rows = [pos.get(id(f), by_span.get((f.doc, f.start), -1)) for f in g.members]
    return groups


class GroupIndex:
    """The groups of one index, retrievable by a question's words (BM25 over jieba tokens of
    each group's description) and meaning (mean of the members' row-description vectors)."""

    def __init__(self, groups: list[Group], index: "Index"):
        import bm25s

        from .tokenizer import tokenize

        self.groups = groups
        self.bm25 = bm25s.BM25()
        self.bm25.index([tokenize(g.description) or [""] for g in groups] or [[""]], show_progress=False)
        self.vectors: np.ndarray | None = None
        rows = index.rows
        if rows is not None and groups:
            vecs = []
            for g in groups:
                ids = [r for r in g.rows if r >= 0]
                v = rows.desc_vectors[ids].mean(axis=0) if ids else np.zeros(rows.desc_vectors.shape[1], np.float32)
                n = float(np.linalg.norm(v))
                vecs.append(v / n if n else v)
            self.vectors = np.asarray(vecs, dtype=np.float32)
        self.by_doc: dict[str, list[int]] = defaultdict(list)
        for i, g in enumerate(groups):
            self.by_doc[g.doc].append(i)

    def rank(self, phrase: str, query_vector, docs: list[str] | None,
             passage_rank: Callable[[Figure], int | None], usable: Callable[[Group], list[Figure]],
             depth: int = 30) -> list[tuple[Group, list[Figure], float, dict[str, float]]]:
        """Groups of `docs` whose usable members (`usable`: the members a question may range
        over) are two or more, best first by reciprocal-rank fusion of three rankings: BM25 of
        the description, dense similarity of the members, the best retrieval rank of the
        passages the members stand in, and how much of the phrase the introduction says; ordered
        by the fitted group scorer when there is one (its probability and features beside each
        group), else by the rule: the introduction's share of the phrase first."""
        from .tokenizer import tokenize

        phrase_tokens = tokenize(phrase)
        ids = [i for d in (docs if docs is not None else self.by_doc) for i in self.by_doc.get(d, [])]
        if not ids:
            return []
        scores = np.asarray(self.bm25.get_scores(phrase_tokens), dtype=np.float64) if phrase_tokens else \
            np.zeros(len(self.groups))
        lex = sorted(ids, key=lambda i: -scores[i])
        dense: list[int] = []
        if self.vectors is not None and query_vector is not None:
            q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
            sims = self.vectors[ids] @ q
            dense = [ids[k] for k in np.argsort(-sims, kind="stable")]
        best_pass = {i: min((r for f in self.groups[i].members if (r := passage_rank(f)) is not None), default=99)
                     for i in ids}
        passages = sorted(ids, key=lambda i: best_pass[i])
        # how much of the question's phrase the words introducing the group say (char substrings:
        # robust to jieba's cuts of names such as 产城融合创新之城)
        said = {i: coverage(phrase, self.groups[i].intro + " " + self.groups[i].topic) for i in ids}
        intro = sorted((i for i in ids if said[i] > 0), key=lambda i: -said[i])
        fused: dict[int, float] = defaultdict(float)
        for ranking, score in ((lex[:depth], lambda i: scores[i]), (dense[:depth], None),
                               ([i for i in passages[:depth] if best_pass[i] < 99], lambda i: -best_pass[i]),
                               (intro[:depth], lambda i: said[i])):
            for r, i in enumerate(ranking):
                if score is not None and r > 0 and score(i) == score(ranking[r - 1]):
                    r = next(k for k in range(r) if score(ranking[k]) == score(i))  # ties share a rank
                fused[i] += 1.0 / (60 + r)
        scorer = group_scorer()
        if scorer is None:
            # what the introduction says decides first (to a tenth of the phrase); among equals a list
            # of three or more before a pair (…支出X，加上解支出Y、债务还本支出Z is a sum's parts,
            # 主要支出项目：A…、B…、C… the list asked over), then the fused ranks
            kept = []
            for i in fused:
                if said[i] < MIN_SAID:
                    continue  # nothing introducing the list says what the question names
                members = usable(self.groups[i])
                if len({f.item for f in members}) >= 2:
                    kept.append((i, members))
            kept.sort(key=lambda im: (-round(said[im[0]], 1), len({f.item for f in im[1]}) < 3, -fused[im[0]]))
            return [(self.groups[i], members, fused[i], {}) for i, members in kept]
        # fitted (eval/fit_groups.py): every signal above is a feature; the rule's order is one too
        rule_order = {i: r for r, i in enumerate(sorted(fused, key=lambda i: (-round(said[i], 1), -fused[i])))}
        best_bm25 = max((scores[i] for i in fused), default=0.0) or 1.0
        sim = {ids[k]: float(v) for k, v in enumerate(sims)} if dense else {}
        best_sim = max(sim.values(), default=0.0)
        out = []
        for i in fused:
            members = usable(self.groups[i])
            if len({f.item for f in members}) < 2:
                continue
            feats = group_features(self.groups[i], members, said[i], scores[i] / best_bm25, sim.get(i, 0.0),
                                   sim.get(i, 0.0) - best_sim, best_pass[i], fused[i], rule_order[i])
            out.append((self.groups[i], members, scorer.prob(feats), feats))
        out.sort(key=lambda t: -t[2])
        return out


GROUP_FEATURES = (
    "said", "said_min", "bm25_rel", "dense_sim", "dense_gap", "passage_rank", "fused", "rule_rank",
    "members_log", "kind_enumeration", "kind_children", "kind_bullets", "kind_sections", "kind_paragraph",
    "has_total_sum",
)
GROUP_SCORER_PATH = "group_scorer.json"


def group_scorer():
    """The fitted group ranker (data/group_scorer.json), or None: then the rule orders groups."""
    from .candidates import RowScorer  # the same standardised logistic regression
    from .config import DATA_DIR

    path = DATA_DIR / GROUP_SCORER_PATH
    return RowScorer.load(path) if path.is_file() else None


def group_features(g: Group, members: list[Figure], said: float, bm25_rel: float, dense_sim: float,
                   dense_gap: float, best_pass: int, fused: float, rule_rank: int) -> dict[str, float]:
    """The features of one candidate group for a question (see GROUP_FEATURES)."""
    amounts = [f for f in members if f.unit not in ("%", "个百分点")]
    return {
        "said": said, "said_min": float(said >= MIN_SAID), "bm25_rel": bm25_rel, "dense_sim": dense_sim,
        "dense_gap": dense_gap, "passage_rank": 1.0 / (1 + best_pass) if best_pass < 99 else 0.0,
        "fused": fused * 60, "rule_rank": 1.0 / (1 + rule_rank),
        "members_log": float(np.log(len(members))),
        "kind_enumeration": float(g.kind == "enumeration"), "kind_children": float(g.kind == "children"),
        "kind_bullets": float(g.kind == "bullets"), "kind_sections": float(g.kind == "sections"),
        "kind_paragraph": float(g.kind == "paragraphs"),
        "has_total_sum": float(len(without_totals(amounts)) < len(amounts)),
    }


# --- operations over members -----------------------------------------------------------------

def signed_change(f: Figure) -> Decimal | None:
    if f.change_value is None:
        return None
    return -f.change_value if f.direction in _DECLINE else f.change_value


def base_value(f: Figure) -> Decimal:
    return to_base(f.value, f.unit)[0]


def extreme(members: list[Figure], by: str = "value", most: bool = True) -> list[Figure]:
    """Members ordered so the first is the one asked: the largest (or smallest) amount, the
    fastest growth (by='change') or the steepest fall (by='decline'). Members without the
    figure compared are left out."""
    if by == "decline":
        rows = [f for f in members if signed_change(f) is not None]
        return sorted(rows, key=lambda f: signed_change(f))  # most negative first
    if by == "change":
        rows = [f for f in members if signed_change(f) is not None]
        return sorted(rows, key=lambda f: signed_change(f), reverse=most)
    return sorted(members, key=base_value, reverse=most)


def total_of(members: list[Figure]) -> Decimal:
    """The members added up, in base units (yuan, people …)."""
    return sum((base_value(f) for f in members), Decimal(0))


def without_totals(members: list[Figure]) -> list[Figure]:
    """The members less any that is the sum of all the others (within 0.5 %): a list that opens
    with its total (税收收入X万元，其中增值税A万元，企业所得税B万元……) ranks its parts, not the total.
    Needs three members at least; amounts only."""
    rows = [f for f in members if f.unit not in ("%", "个百分点")]
    if len(rows) < 3:
        return members
    whole = total_of(rows)
    totals = [f for f in rows if abs(2 * base_value(f) - whole) <= Decimal("0.005") * base_value(f)]
    return [f for f in members if f not in totals] if len(totals) == 1 else members


def difference(a: Figure, b: Figure) -> Decimal:
    """a − b in base units."""
    return base_value(a) - base_value(b)


def share_of(part: Figure, whole: Figure) -> Decimal | None:
    """part / whole in percent; None when the whole is zero."""
    w = base_value(whole)
    return None if w == 0 else base_value(part) / w * 100
