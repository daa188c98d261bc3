"""Answer: a parsed question + the figure rows and passages of an index -> an Answer record.

    Answerer(index, retriever).answer(question, k) -> Answer

Figure questions are answered from rows (records.Figure), never from free text: the asked item
is matched against row items and the clauses they stand in (matching.py), rows that contradict
the asked period, scope, status, place or report are ruled out, and the answer text is built
only from what the cited sentences say. Superlatives and totals find the members of a group in
the report's own lists (enumerations, parallel sentences, bullets under the group's name). When
no row survives, the answer abstains and says what was sought. Descriptive questions get passages.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..extract import plain_unit
from ..index import Index
from ..lists import GroupFinder
from ..matching import GENERIC_ITEM, MATCH_THRESHOLD, bigrams, clause_contexts, generic_leads
from ..places import NATION
from ..question import SCOPE_WORD, Query, canonical_scope, parse_question, scope_level, search_text, validate_question
from ..records import Answer, Citation, Figure
from ..retrieve import HybridRetriever
from ..route import Router
from .arithmetic import ArithmeticOps
from .common import _abstain, _cite_chunk, _constraint_text, _operation, _query_trace, _route_trace, fmt_decimal
from .compare import CompareOps
from .lookup import LookupOps
from .search import RowSearch
from .superlative import SuperlativeOps


class Answerer(RowSearch, LookupOps, SuperlativeOps, CompareOps, ArithmeticOps):
    def __init__(self, index: Index, retriever: HybridRetriever, default_place: str = ""):
        self.index = index
        self.retriever = retriever
        self.use_scorer = True  # False: the lexical matcher alone (fitting the scorer measures it)
        self.rows_by_doc: dict[str, list[Figure]] = defaultdict(list)
        # character-pair indexes of the rows' items and clauses, one per report: a question routed
        # to one report reads that report's postings, not every report's (at 1,000 reports the
        # shared postings of 收入/支出 cost more than the rest of the question)
        self.bigram_rows: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        # rows by report and first character of the item: a short name (个税) opens its item
        self.rows_by_initial: dict[str, dict[str, list[Figure]]] = defaultdict(lambda: defaultdict(list))
        for i, f in enumerate(index.figures):
            self.rows_by_doc[f.doc].append(f)
            if f.item:
                self.rows_by_initial[f.doc][f.item[0]].append(f)
            for g in bigrams(f.item) | (bigrams(f.parent) if f.parent else set()):
                self.bigram_rows[f.doc][g].add(i)
        # the row index computed the same clauses at load
        self.context: list[str] = index.rows.clauses if index.rows is not None else clause_contexts(index)
        self._row_index: dict[int, int] = {id(f): i for i, f in enumerate(index.figures)}
        self.context_start: dict[int, int] = generic_leads(index)
        self.bigram_context: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for i, c in enumerate(self.context):
            doc = index.figures[i].doc
            for g in bigrams(c):
                self.bigram_context[doc][g].add(i)
        self._chunk_by_key = {c.key: c for c in index.chunks}
        self._chunk_starts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for c in index.chunks:
            self._chunk_starts[c.doc].append((c.start, c.key))
        self.groups = GroupFinder(index, self.rows_by_doc, self._chunk_by_key, self._chunk_key, self._conflicts,
                                  self._said_before)
        self._group_index = None  # groups.GroupIndex, built at the first superlative
        self.router = Router(index.documents, default_place)
        self.places: dict[str, str] = self.router.aliases  # every name a question may use for an indexed place

    def answer(self, question: str, k: int = 5, explain: bool = False, place: str = "") -> Answer:
        """The answer record; `trace` says why (route, query, operation; with `explain`, also
        the candidate rows with their features and scores, and the rows a constraint excluded)."""
        question = validate_question(question)
        q = parse_question(question, self.places)
        docs, why = self.route(q, place)
        trace: dict = {"route": _route_trace(q, docs, why), "query": _query_trace(q)}
        if why:
            ans = _abstain(question, why)
            ans.trace = {**trace, "operation": {"name": "route"}}
            return ans
        if q.english and q.unread and q.items and all(_BARE_ITEM.match(i) for i in q.items):
            # spend on official receptions with receptions untranslated: the item is not all spending
            ans = _abstain(question, f"没有读懂问题中的“{' '.join(q.unread)}”，无法确定问的是哪一项；"
                                     f"请换用报告中的说法提问。")
            ans.trace = {**trace, "operation": {"name": "unread item"}}
            return ans
        if not q.wants_figure or not q.items and q.qtype != "superlative":
            ans = self.passages(question, q, docs, k)
            ans.trace = {**trace, "operation": {"name": "passages"}}
            return ans
        hits = self.retriever.retrieve(search_text(q), 20, docs)
        ranks = {h.chunk.key: r for r, h in enumerate(hits)}
        handler = {
            "lookup": self.lookup, "change": self.lookup, "superlative": self.superlative,
            "compare": self.compare, "arithmetic": self.arithmetic,
        }[q.qtype]
        ans = handler(question, q, docs, ranks)
        answered_by = "matcher"
        if ans.trace and ans.trace.get("reranked"):
            # the fitted scorer replaced the matcher's row (lookup.py: _reranked)
            trace["reranked"], answered_by = ans.trace["reranked"], "matcher, re-ranked by the fitted scorer"
        if ans.status == "abstained" and q.qtype in ("lookup", "change") and q.items:
            # the matcher found no row it trusts: the fitted scorer's best candidate, if sure enough
            fitted = self._fitted_lookup(question, q, docs, ranks, trace)
            if fitted is not None:
                ans, answered_by = fitted, "fitted scorer"
        trace["answered_by"] = answered_by
        trace["operation"] = _operation(q, ans, (ans.trace or {}).get("operation"))
        if explain and "candidates" not in trace and q.items and q.qtype in ("lookup", "change"):
            self._trace_candidates(q.items[0], q, docs, ranks, trace)
        ans.trace = trace
        if ans.unit:
            ans.unit = plain_unit(ans.unit)  # 8241名 is stated as 8241人 (the text keeps 名)
        if ans.status == "answered" and self.router.answered_from_home(q, docs):
            # several places are indexed and the question named none: say whose report answered
            # (the cited report's title is beside the answer; the text keeps only the answer's numbers)
            whose = "全国" if all(self.router.doc_place.get(d) == NATION for d in docs or []) else "未标注地区"
            ans.answer += f"（问题未指明地区，按{whose}的报告作答）"
        if ans.status == "abstained" and not ans.citations:
            # still show where the report talks about it, so staff can check
            ans.citations = [_cite_chunk(h.chunk) for h in hits[:3]]
        return ans

    def route(self, q: Query, place: str = "") -> tuple[list[str] | None, str]:
        """Reports the question is about (None = all), or a reason to abstain (see route.py).
        `place`: the place a question naming none is about (the app's selector, qa ask --place)."""
        return self.router.route(q, place)

    def search(self, question: str, k: int = 5) -> list:
        """Passages for a question, routed and worded as the answerer would search them."""
        q = parse_question(validate_question(question), self.places)
        docs, _ = self.route(q)
        return self.retriever.retrieve(search_text(q), k, docs)

    def passages(self, question: str, q: Query, docs, k: int) -> Answer:
        hits = self.retriever.retrieve(search_text(q), max(k, PASSAGE_POOL), docs)
        if len(set(q.years)) == 1:
            # 2025年是怎么推进的: a passage under a heading of another year only (三、2026年工作安排)
            # is that year's plan or review; stable, so retrieval order holds within each side
            hits = sorted(hits, key=lambda h: _other_years_only(h.chunk.section, q.years[0]))
        if scope_level(q.scope):
            # 全州…为什么下降: a passage that speaks only of another level (州本级…) is that level's
            hits = sorted(hits, key=lambda h: _other_levels_only(h.chunk.text, q.scope))
        hits = hits[:k]
        if not hits:
            return _abstain(question, "报告中没有找到与问题相关的内容。")
        cites = [_cite_chunk(h.chunk) for h in hits]
        return Answer(question, kind="passage", answer=hits[0].chunk.text, citations=cites)

    def _not_found(self, question: str, q: Query, phrase: str, docs, ranks) -> Answer:
        """Abstain, saying what was sought; mention (without its number) a near miss that
        exists for another period/scope/status so staff know where to look."""
        loose = [c for c in self.candidates(phrase, q, docs, ranks, strict=False) if c.score >= MATCH_THRESHOLD]
        sought = f"{_constraint_text(q)}{phrase}"
        if loose:
            f = loose[0].fig
            other = "、".join(dict.fromkeys(x for x in (str(f.year) + "年" if f.year else "", f.period, f.scope, f.status)
                                            if x))
            return _abstain(question, f"报告中没有{sought}的数据（只有{other or '其他口径'}的{f.item}）。",
                            [self._cite(f)])
        return _abstain(question, f"报告中没有找到{sought}的数据。")

    def _cite(self, f: Figure) -> Citation:
        text = self.index.documents[f.doc].text
        return Citation(f.doc, f.sent_start, f.sent_end, text[f.sent_start:f.sent_end], f.section)

    def _describe(self, f: Figure, cite: Citation, change_first: bool = False) -> str:
        """'2023年1-9月全县教育支出X亿元，同比增长N%' using only words the cited sentence has."""
        text = self.index.documents[f.doc].text
        prefix = "".join(x for x in (f.period, f.scope) if x and x in cite.text)
        status = f"（{f.status}数）" if f.status in ("预算", "预计") else ""
        span = text[f.start:f.end]
        # 1100多万 (学生): the qualifier written after the number is in the span already, and the
        # unit's rest (万人) is what the noun after it counted
        qualifier = f.qualifier if f.qualifier not in span else ""
        said = next((k for k in range(len(f.unit), 0, -1) if span.endswith(f.unit[:k])), 0)
        amount = f"{status}{qualifier}{span}{f.unit[said:] if said else ''}"
        change = ""
        if f.direction and f.change_start is not None and f.change_end is not None:
            change = text[f.change_start:f.change_end]
            before = text[max(f.sent_start, f.change_start - 8):f.change_start]
            if f.direction not in change:
                change = ("同比" if "同比" in before else "") + f.direction + change
            if "年均" in before and "年均" not in change:
                change = "年均" + change  # (an average over years, not the year's own growth)
        elif f.direction and f.change_value is not None:
            change = f"{f.direction}{fmt_decimal(f.change_value)}{f.change_unit or ''}"
        item = f.item
        if GENERIC_ITEM.match(f.item):  # 完成率N% says nothing alone: quote what it is of
            lead = self.context_start.get(id(f))
            item = text[lead:f.start].strip("，,；; ") if lead is not None else f.item
            prefix = ""
        if f.measure == "change":
            return f"{prefix}{item}{change or amount}"
        body = f"{prefix}{item}{amount}"
        return f"{body}，{change}" if change else body


# an item that is only a measure or a budget's word: what an English question leaves when its own
# words were not understood (spend on official receptions -> 支出)
_BARE_ITEM = re.compile(r"^(?:收入|支出|余额|限额|总额|资金|债务|收支|预算|基金|率|比重|占比)$")


def answer_question(question: str, index: Index, retriever: HybridRetriever, k: int = 5,
                    answerer: Answerer | None = None) -> Answer:
    """Answer one question against a loaded index (builds an Answerer when none is given)."""
    return (answerer or Answerer(index, retriever)).answer(question, k)


PASSAGE_POOL = 10  # passages retrieved before those under another year's heading are put last
_YEAR_IN_HEADING = re.compile(r"((?:19|20)\d\d)\s*年")


def _other_years_only(section: str, year: int) -> bool:
    """Whether the headings below the report's title name years, none of them `year` (the title,
    first in the path, names every year the report covers)."""
    headings = section.split(" > ")[1:]
    named = {int(y) for h in headings for y in _YEAR_IN_HEADING.findall(h)}
    return bool(named) and year not in named


def _other_levels_only(text: str, scope: str) -> bool:
    """Whether the passage names levels of government (全州, 州本级, 县区 …), none of them the
    asked scope's level."""
    named = {scope_level(canonical_scope(m)) for m in SCOPE_WORD.findall(text)} - {""}
    return bool(named) and scope_level(scope) not in named
