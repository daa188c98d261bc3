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

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .figures import to_base
from .candidates import Candidate, RowScorer, candidate_rows
from .index import Index
from .lists import GroupFinder, is_group_total, same_dimension
from .matching import (GENERIC_ITEM, MATCH_THRESHOLD, NUMBERS, bigrams, clause_contexts, context_similarity,
                       coverage, dimension, generic_leads, item_similarity, same_kind)
from .question import (Query, distinct_names, parse_question, search_text, validate_question, variants,
                       vocabulary)
from .records import Answer, Citation, Figure
from .retrieve import HybridRetriever
from .route import Router
from .rows import section_topic

MATCH_FLOOR = MATCH_THRESHOLD - 0.15  # below this no bonus (retrieval rank, period …) makes a row the asked item

_EXEC = {"执行", "完成", "决算", "预计", "实际"}
_PLAN = {"预算", "计划", "草案"}
_DECLINE = {"下降", "减少"}
_COUNT_UNITS = set("人户个家件项笔所名次座辆套处") | {"人次", "万人", "万户", "亩", "公里"}
_STOCK = re.compile(r"滚存结余|累计结余|年末结余|历年结余|结余资金")
_STOCK_WORDS = re.compile(r"滚存|历年|累计结余|年末结余")
_FLOW_WORDS = re.compile(r"当期|当年")
# 增加/减少/多了 ask for an amount; 增长/下降/增幅 for a rate
_AMOUNT_CHANGE = re.compile(r"多少钱|多少亿|多少万|[亿万]?元|增加了?多少|减少了?多少|多了多少|少了多少|提高了?多少")
# an item that names a change (降低费用负担, 减税降费, 节约资金): its amount is the change asked
_CHANGE_ITEM = re.compile(r"^(降低|减少|减轻|节约|节省|压减|削减|减免|增加|提高|新增|减税)")
_COUNT_UNIT_ASKED = re.compile(r"多少(人次|万人|万户|人|户|个|家|所|项|笔|件|名|次|座|辆|套|亩|公里|处)|几(个|家|所|项|笔|件|名|人|户)")
_SCOPE_WORDS = {"市本级": ("市级",), "县本级": ("县级",), "州本级": ("州级",), "省本级": ("省级",)}
_RATIO_WORDS = re.compile(r"完成率|完成了?预算|预算的|支付进度|执行进度")
_TOTAL_ASKED = re.compile(r"一共|总共|合计|共计|累计|总额|总量")


# --- item similarity ------------------------------------------------------------------------


# --- constraints ----------------------------------------------------------------------------

_MONTH_RANGE = re.compile(r"(\d{1,2})\s*[-—~～至到]\s*(\d{1,2})\s*月")
_UNTIL = re.compile(r"截[至止]\s*(?:\d{4}年)?\s*(\d{1,2})\s*月")


def period_key(period: str) -> str:
    """'2023年1-9月' / '截至9月底' -> '1-9月'; '全年' -> '全年'; else ''."""
    if not period:
        return ""
    m = _MONTH_RANGE.search(period)
    if m:
        return f"{int(m.group(1))}-{int(m.group(2))}月"
    m = _UNTIL.search(period)
    if m:
        return f"1-{int(m.group(1))}月"
    if "上半年" in period:
        return "1-6月"
    if "全年" in period:
        return "全年"
    return ""


def _scope_conflict(asked: str, fig: Figure) -> bool:
    if not asked:
        return False
    scope = fig.scope or ("本级" if "本级" in fig.section.split(" > ")[-1] else "")
    if re.fullmatch(r"[市县州省区]级", scope):  # 市级 budgets are the 本级 ones
        scope = "本级"
    if not scope:
        return False  # unlabelled: the rows that do name the asked scope rank above it
    if ("本级" in asked) != ("本级" in scope):
        return True
    return False


def _status_conflict(asked: str, fig: Figure) -> bool:
    # 预计 is said both of this year's estimate and of next year's plan: no constraint
    if not asked or not fig.status or asked == "预计" or fig.status == "预计":
        return False
    a = "plan" if asked in _PLAN else "exec"
    f = "plan" if fig.status in _PLAN else "exec" if fig.status in _EXEC else ""
    return bool(f) and a != f


def _year_conflict(years: list[int], fig: Figure, doc_years: list[int]) -> bool:
    if not years:
        return False
    if fig.year is not None:
        return fig.year not in years
    return bool(doc_years) and not set(years) & set(doc_years)


_SPAN_OF_YEARS = re.compile(r"十[一二三四五六七八九]五|五年|期间|以来|累计|历年")


def _period_conflict(asked: str, fig: Figure, years: list[int] | None = None, said: str = "") -> bool:
    """Whether the row's period contradicts the asked one. `said` is the text leading to the
    row (its paragraph up to the number), where a span of years may be named for a whole list."""
    if years and _SPAN_OF_YEARS.search(fig.period or ""):
        return True  # a five-year total is not the figure of one year
    if not asked:
        return False
    if _SPAN_OF_YEARS.search(asked):  # 十四五 asked: only figures stated over a span of years
        if fig.period and _SPAN_OF_YEARS.search(fig.period):
            return False  # a report looks back over one span (五年来 = 十四五 in its last year)
        if fig.period:
            return True  # stated for one year or part of one (全年新增…)
        return not (asked in said or _SPAN_OF_YEARS.search(said) or "年均" in said)
    have = period_key(fig.period)
    return bool(have) and have != asked  # an unstated period is the report's own


# --- formatting -----------------------------------------------------------------------------

def fmt_decimal(d: Decimal, places: int = 2) -> str:
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _num(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def _signed_change(f: Figure) -> Decimal | None:
    if f.change_value is None:
        return None
    return -f.change_value if f.direction in _DECLINE else f.change_value


@dataclass
class Scored:
    fig: Figure
    score: float


class Answerer:
    """Answers questions over one loaded index. Build once per index; thread-safe to call."""

    def __init__(self, index: Index, retriever: HybridRetriever, default_place: str = ""):
        self.index = index
        self.retriever = retriever
        self.use_scorer = True  # False: the lexical matcher alone (fitting the scorer measures it)
        self.rows_by_doc: dict[str, list[Figure]] = defaultdict(list)
        self.bigram_rows: dict[str, set[int]] = defaultdict(set)
        for i, f in enumerate(index.figures):
            self.rows_by_doc[f.doc].append(f)
            for g in bigrams(f.item) | (bigrams(f.parent) if f.parent else set()):
                self.bigram_rows[g].add(i)
        # the row index computed the same clauses at load
        self.context: list[str] = index.rows.clauses if index.rows is not None else clause_contexts(index)
        self._row_index: dict[int, int] = {id(f): i for i, f in enumerate(index.figures)}
        self.context_start: dict[int, int] = generic_leads(index)
        self.bigram_context: dict[str, set[int]] = defaultdict(set)
        for i, c in enumerate(self.context):
            for g in bigrams(c):
                self.bigram_context[g].add(i)
        self._chunk_by_key = {c.key: c for c in index.chunks}
        self._chunk_starts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for c in index.chunks:
            self._chunk_starts[c.doc].append((c.start, c.key))
        self.groups = GroupFinder(index, self.rows_by_doc, self._chunk_by_key, self._chunk_key, self._conflicts,
                                  self._said_before)
        self._group_index = None  # groups.GroupIndex, built at the first superlative
        self.router = Router(index.documents, default_place)
        self.places: dict[str, str] = self.router.aliases  # every name a question may use for an indexed place

    # --- entry point ------------------------------------------------------------------------

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
        if ans.status == "abstained" and q.qtype in ("lookup", "change") and q.items:
            # the matcher found no row it trusts: the fitted scorer's best candidate, if sure enough
            fitted = self._fitted_lookup(question, q, docs, ranks, trace)
            if fitted is not None:
                ans, answered_by = fitted, "fitted scorer"
        trace["answered_by"] = answered_by
        trace["operation"] = _operation(q, ans)
        if explain and "candidates" not in trace and q.items and q.qtype in ("lookup", "change"):
            self._trace_candidates(q.items[0], q, docs, ranks, trace)
        ans.trace = trace
        if ans.status == "answered" and self.router.answered_from_home(q, docs):
            # several places are indexed and the question named none: say whose report answered
            # (the cited report's title is beside the answer; the text keeps only the answer's numbers)
            ans.answer += "（问题未指明地区，按未标注地区的报告作答）"
        if ans.status == "abstained" and not ans.citations:
            # still show where the report talks about it, so staff can check
            ans.citations = [_cite_chunk(h.chunk) for h in hits[:3]]
        return ans

    # --- routing ----------------------------------------------------------------------------

    def route(self, q: Query, place: str = "") -> tuple[list[str] | None, str]:
        """Reports the question is about (None = all), or a reason to abstain (see route.py).
        `place`: the place a question naming none is about (the app's selector, qa ask --place)."""
        return self.router.route(q, place)

    # --- row search -------------------------------------------------------------------------

    def candidates(self, phrase: str, q: Query, docs: list[str] | None, ranks: dict[str, int],
                   strict: bool = True) -> list[Scored]:
        """Rows whose item matches `phrase` and that do not contradict the question, best first."""
        ids: set[int] = set()
        for v in variants(phrase):
            for g in bigrams(v):
                ids |= self.bigram_rows.get(g, set())
        # a budget subject asked by its own name (教育支出) is that subject's row, not a clause
        # that mentions education; everyday wording (在教育上投了多少) may match a clause
        formal = bool(re.search(r"(支出|收入)$", phrase)) and phrase in q.text
        in_context = set() if formal else self._context_ids(phrase)
        # 投入了多少 was rewritten to 支出: the kind is ours, not the question's
        kind_said = bool(re.search(r"(支出|收入)$", phrase)) and phrase[-2:] in q.text
        allowed = set(docs) if docs else None
        named = distinct_names(phrase)
        out = []
        for i in ids | in_context:
            f = self.index.figures[i]
            if allowed is not None and f.doc not in allowed:
                continue
            if named and not all(n in f.item or n in self.context[i] for n in named):
                continue  # 增值税 asked: 税收收入 is not it, however alike the words
            s = item_similarity(phrase, f.item, kind_said) if i in ids else 0.0
            if f.parent and coverage(f.item, phrase) >= 0.8:
                # the parent only disambiguates an item the question already names
                s = max(s, item_similarity(phrase, f.parent + f.item))
            if i in in_context and s < MATCH_THRESHOLD and (not kind_said or same_kind(phrase, f.item + self.context[i])):
                said = context_similarity(phrase, self.context[i])
                if said > s and not self._owned_by_earlier(phrase, i, said):
                    s = said
            if s < MATCH_FLOOR:
                continue
            if strict and self._conflicts(q, f):
                continue
            s += self._context_bonus(q, f, ranks)
            out.append(Scored(f, s))
        out.sort(key=lambda x: (-x.score, x.fig.doc, x.fig.start))
        return out

    def _owned_by_earlier(self, phrase: str, i: int, said: float) -> bool:
        """Whether an earlier row of the same sentence is named by the phrase at least as well:
        (国内生产总值增长N%；城镇新增就业M万人 — the words are the first row's, not the second's)."""
        f = self.index.figures[i]
        if GENERIC_ITEM.match(f.item):
            return False  # 完成率, 滚存结余: of the row before by design
        rate_asked = bool(re.search(r"增长|增速|增幅|率", phrase))
        for j in range(max(0, i - 8), i):
            g = self.index.figures[j]
            if g.doc != f.doc or g.sent_start != f.sent_start or g.start >= f.start or g.item == f.item:
                continue
            # a head count before an amount is about the same people: only a list's peers own words
            if dimension(g) != dimension(f) and not (rate_asked and g.unit in ("%", "个百分点")):
                continue
            if item_similarity(phrase, g.item) >= said - 0.1:
                return True
        return False

    def _context_ids(self, phrase: str) -> set[int]:
        """Rows whose leading clause holds most of the character pairs of the phrase (or of
        one of its synonym variants)."""
        phrase = NUMBERS.sub("", phrase)
        if len(phrase) < 3:
            return set()
        out: set[int] = set()
        for v in variants(phrase):
            grams = bigrams(v)
            counts: dict[int, int] = defaultdict(int)
            for g in grams:
                for i in self.bigram_context.get(g, ()):
                    counts[i] += 1
            need = max(2, int(0.7 * len(grams) + 0.5))
            out |= {i for i, n in counts.items() if n >= need}
        return out

    def _conflicts(self, q: Query, f: Figure) -> bool:
        return bool(self.conflict(q, f))

    def conflict(self, q: Query, f: Figure) -> str:
        """The hard constraint that rules the row out for the question ("" when none):
        place, scope, status, year or period."""
        doc = self.index.documents[f.doc]
        if q.unknown_places and not any(_place_said(p, f, doc.text) for p in q.unknown_places):
            return "place"  # 永安市 asked: a figure of all 三明 is not 永安's
        if q.scope and "本级" in q.scope and not f.scope and "本级" not in f.section:
            # an unlabelled figure is 本级 only if its paragraph says so before it
            line_start = doc.text.rfind("\n", 0, f.start) + 1
            if "本级" not in doc.text[line_start:f.start]:
                return "scope"
        said = ""
        if q.period and _SPAN_OF_YEARS.search(q.period):
            said = f.section + doc.text[doc.text.rfind("\n", 0, f.start) + 1:f.end + 12]
        elif q.years and len(q.years) == 1 and "年均" in doc.text[max(f.sent_start, f.start - 8):f.start]:
            return "year"  # 年均增长N%: an average over years, not the asked year's growth
        if _scope_conflict(q.scope, f):
            return "scope"
        if _status_conflict(q.status, f):
            return "status"
        if _year_conflict(q.years, f, doc.years):
            return "year"
        if _period_conflict(q.period, f, q.years, said):
            return "period"
        return ""

    def _context_bonus(self, q: Query, f: Figure, ranks: dict[str, int]) -> float:
        bonus = 0.0
        rank = ranks.get(self._chunk_key(f))
        if rank is not None:
            bonus += 0.06 if rank < 3 else 0.03 if rank < 10 else 0.01
        if q.period and period_key(f.period) == q.period:
            bonus += 0.02
        if q.period and _SPAN_OF_YEARS.search(q.period) and _SPAN_OF_YEARS.search(f.period or ""):
            bonus += 0.05  # 十四五 asked: a figure stated for the span beats one of its years
        if q.scope and f.scope == q.scope:
            bonus += 0.02
        if not q.status and f.status in _EXEC:
            bonus += 0.01  # unless asked for the budget, the outcome
        bonus += self._measure_fit(q, f)
        if q.attribute == "ratio" and f.unit == "%":
            # 占…的比重 asked: a share, not a completion rate (为预算的N%), and the reverse
            lead = self._said_before(f)
            share_said = bool(re.search(r"占比|比重", f.item) or "占" in lead)
            share_asked = bool(re.search(r"比重|占比|占", q.norm))
            if share_asked != share_said and not _RATIO_WORDS.search(q.norm):
                bonus -= 0.1
        return bonus

    @staticmethod
    def _measure_fit(q: Query, f: Figure) -> float:
        if q.attribute == "change":
            if not f.direction:
                return 0.0 if _CHANGE_ITEM.match(f.item) else -0.2  # 降低费用负担X亿元 is itself a change
            # 增长多少 means the rate unless the question asks for money (增加了多少亿元)
            wants_amount = bool(_AMOUNT_CHANGE.search(q.norm))
            return 0.05 + (0.03 if (f.change_unit in ("%", "个百分点")) != wants_amount else 0.0)
        if _STOCK_WORDS.search(q.norm) and _FLOW_WORDS.search(f.item) or \
                _FLOW_WORDS.search(q.norm) and _STOCK_WORDS.search(f.item):
            return -0.3  # a balance carried over the years is not this year's surplus, nor the reverse
        old = -0.15 if f.qualifier == "原" and not re.search(r"原来|原先|之前|以前|提高前|调整前", q.norm) else 0.0
        if q.attribute == "ratio":
            return old + (0.08 if f.measure in ("ratio", "rate") or f.unit == "%" else -0.2)
        if q.attribute == "count":
            asked = _COUNT_UNIT_ASKED.search(q.norm)
            want = (asked.group(1) or asked.group(2) or "").lstrip("万") if asked else ""
            if want and f.unit in _COUNT_UNITS and f.unit.lstrip("万") != want:
                return old - 0.15  # 多少户 asked: a number of projects (个) is not it
            return old + (0.05 if f.unit in _COUNT_UNITS or f.measure == "count" else -0.1)
        if f.measure == "standard" and _TOTAL_ASKED.search(q.norm):
            return old - 0.2  # 一共发了多少: the money paid out, not the rate per person
        if q.attribute == "standard":
            big = f.unit in ("万元", "亿元", "万亿元")
            return old + (0.05 if f.measure == "standard" else -0.15 if big else 0.0)
        if f.measure == "change" and re.search(r"增长|增速", q.norm) and not _AMOUNT_CHANGE.search(q.norm):
            return old  # 国内生产总值增长的目标是多少: the growth is what is asked
        # amount asked: a percentage or a bare change is not an amount
        if f.measure in ("change", "ratio", "rate") or f.unit in ("%", "个百分点"):
            return old - 0.25
        if f.unit in _COUNT_UNITS and re.search(r"钱|金额|资金|[亿万]?元", q.norm):
            return old - 0.25
        return old

    def _chunk_key(self, f: Figure) -> str:
        """Key of the chunk the figure stands in (the last chunk starting at or before it)."""
        starts = self._chunk_starts.get(f.doc, [])
        if not starts:
            return ""
        i = bisect.bisect_right(starts, (f.start, "\uffff")) - 1
        return starts[max(i, 0)][1]

    def best_rows(self, phrase: str, q: Query, docs: list[str] | None, ranks: dict[str, int]) -> list[Scored]:
        """The best-matching row, plus rows of the same item for other periods/scopes/statuses
        that the question leaves open (answered together, each cited)."""
        cands = [c for c in self.candidates(phrase, q, docs, ranks) if c.score >= MATCH_THRESHOLD]
        if not cands:
            return []
        top = cands[0]
        chosen = [top]
        seen = {(top.fig.value, top.fig.unit)}
        for c in cands[1:]:
            f = c.fig
            if f.doc != top.fig.doc or c.score < top.score - 0.12 or f.item != top.fig.item:
                continue
            differs = ((not q.scope and f.scope != top.fig.scope)
                       or (not q.status and _status_conflict(top.fig.status or "", f))
                       or (not q.years and f.year != top.fig.year and f.year is not None)
                       or (not q.period and period_key(f.period) != period_key(top.fig.period)))
            if differs and (f.value, f.unit) not in seen and self._measure_fit(q, f) >= 0:
                chosen.append(c)
                seen.add((f.value, f.unit))
            if len(chosen) >= 4:
                break
        if not q.status and chosen[0].fig.status in _PLAN:
            # a report of execution: the outcome comes first, the budget beside it
            done = [c for c in chosen if c.fig.status in _EXEC and c.fig.year == chosen[0].fig.year]
            if done:
                chosen.remove(done[0])
                chosen.insert(0, done[0])
        return chosen

    # --- question types ---------------------------------------------------------------------

    def lookup(self, question: str, q: Query, docs, ranks) -> Answer:
        phrase = q.items[0]
        rows = self.best_rows(phrase, q, docs, ranks)
        if not rows:
            return self._not_found(question, q, phrase, docs, ranks)
        return self._lookup_answer(question, q, phrase, rows)

    def _lookup_answer(self, question: str, q: Query, phrase: str, rows: list[Scored]) -> Answer:
        """The answer of a lookup or change from its chosen rows (the first is the one asked)."""
        top = rows[0].fig
        wants_amount = bool(_AMOUNT_CHANGE.search(q.norm)) and top.change_unit in ("%", "个百分点") \
            and top.unit not in ("%", "个百分点")
        if q.attribute == "change" and (top.change_value is None or wants_amount):
            before = self._former_value(top)
            if before is not None:  # 由X元提高到Y元: the change is Y - X
                cite = self._cite(top)
                diff = _from_base(_base(top) - _base(before), top.unit)
                unit = "个百分点" if top.unit == "%" else top.unit  # 20% -> 16% is 4 points, not 4%
                text = (f"{top.item}由{before.value_text}{before.unit}变为{top.value_text}{top.unit}，"
                        f"{'增加' if diff >= 0 else '减少'}{fmt_decimal(abs(diff))}{unit}")
                return Answer(question, kind="calculation", answer=text, value=float(round(abs(diff), 2)),
                              unit=unit, direction="增加" if diff >= 0 else "减少", citations=[cite])
        if q.attribute == "change" and not top.direction and not _CHANGE_ITEM.match(top.item):
            return _abstain(question, f"报告给出了{top.item}的数额，但没有说明它的增减变化。", [self._cite(top)])
        if q.attribute == "amount" and self._measure_fit(q, top) < 0:
            return _abstain(question, f"报告没有给出{phrase}的金额，只说明了它的{_describe_measure(top)}。",
                            [self._cite(top)])
        if q.attribute in ("ratio", "count") and self._measure_fit(q, top) < -0.1:
            what = "比率" if q.attribute == "ratio" else "数量"
            return _abstain(question, f"报告没有给出{phrase}的{what}。", [self._cite(top)])
        parts, cites = [], []
        for r in rows:
            cite = self._cite(r.fig)
            parts.append(self._describe(r.fig, cite, q.attribute == "change"))
            cites.append(cite)
        text = "；".join(parts) if len(parts) > 1 else parts[0]
        if q.qtype == "change" and top.direction in _DECLINE and re.search(r"增长|增加|增幅|涨", q.norm):
            text += f"（注意：是{top.direction}，不是增长）"
        if q.attribute == "change" and top.direction:
            return Answer(question, kind="figure", answer=text, value=_num(top.change_value),
                          unit=top.change_unit, direction=top.direction, citations=cites)
        return Answer(question, kind="figure", answer=text, value=_num(top.value), unit=top.unit,
                      direction=top.direction, citations=cites)

    def _fitted_lookup(self, question: str, q: Query, docs, ranks, trace: dict) -> Answer | None:
        """A lookup answered from the fitted scorer's best candidate, when its probability clears
        the threshold chosen for the stated precision; None otherwise. Rows a hard constraint
        excluded are never candidates."""
        scorer = RowScorer.load() if self.use_scorer else None
        if scorer is None or scorer.threshold >= 1.0:
            return None  # (1.0: no threshold reached the stated precision when fitted; it never answers)
        cands = self._trace_candidates(q.items[0], q, docs, ranks, trace)
        if scorer is None or not cands or cands[0].prob < scorer.threshold:
            return None
        top = cands[0]
        ans = self._lookup_answer(question, q, q.items[0], [Scored(top.fig, top.prob)])
        return ans if ans.status == "answered" else None

    def _trace_candidates(self, phrase: str, q: Query, docs, ranks, trace: dict) -> list[Candidate]:
        cands, excluded = candidate_rows(self, phrase, q, docs, ranks)
        scorer = RowScorer.load()
        trace["threshold"] = scorer.threshold if scorer is not None else None
        trace["candidates"] = [_candidate_trace(self, c) for c in cands[:5]]
        trace["excluded"] = [{**_row_trace(self, f), "constraint": why} for f, why in excluded[:10]]
        return cands

    def _former_value(self, f: Figure) -> Figure | None:
        """The value the same sentence says the item had before (由X提高到Y, 从X增加到Y)."""
        for g in self.rows_by_doc[f.doc]:
            if (g.sent_start == f.sent_start and g.start < f.start and g.qualifier == "原"
                    and g.item == f.item and dimension(g) == dimension(f)):
                return g
        return None

    def superlative(self, question: str, q: Query, docs, ranks) -> Answer:
        if q.by in ("change", "decline"):
            q = Query(**{**q.__dict__, "attribute": "change"})
        members: list[Figure] = []
        if len(q.items) >= 2:  # the question lists the contenders itself: each must be there,
            # but a listed name may be shorter or longer than the report's (80岁以上高龄补贴)
            picked = self._operands(q, docs, ranks, floor=MATCH_THRESHOLD - 0.1, limit=8)
            if isinstance(picked, str):
                picked = self.groups.listed_together(q, docs, ranks) or picked
            if isinstance(picked, str):
                # named in its own words (治大气、治水…) or a group named with a 、 (补短板、保民生):
                # the list the report gives for what the question names
                members = self.groups.members(q, docs, ranks)
                if len({f.item for f in members}) < len(q.items):
                    return _abstain(question, picked)
            else:
                members = picked
        else:
            # the group named as the question names it (its 其中 children, bullets under its name),
            # else the list of the report's structure that fits the question best, else text scans
            members = self.groups.members(q, docs, ranks, explicit=True)
            listed_in, said = self._structural_members(q, docs, ranks, with_said=True)
            if members and listed_in and members[0].parent:
                # 其中 children of a name the question only partly says (地方一般公共预算收入 of
                # 各管理区地方一般公共预算收入): the list whose introduction says more wins
                phrase = " ".join(x for x in [q.group, *q.items] if x)
                if said > coverage(phrase, members[0].parent + " " + section_topic(members[0].section)):
                    members = listed_in
            members = members or listed_in or self.groups.members(q, docs, ranks)
        listed = len(q.items) >= 2 and len(members) == len(q.items)
        if q.by in ("change", "decline"):
            members = [f for f in members if f.change_value is not None and f.change_unit in ("%", "个百分点")]
        else:
            members = [f for f in members if self._measure_fit(q, f) >= 0]
            members = same_dimension(members)
        if len(members) < 2:
            return _abstain(question, f"报告中没有找到可以比较的{q.group or '项目'}数据。")
        if q.by == "decline":
            key = lambda f: -_signed_change(f)  # noqa: E731
        elif q.by == "change":
            key = _signed_change
        else:
            key = lambda f: _base(f)  # noqa: E731
        ordered = sorted(members, key=key, reverse=(q.extreme == "max"))
        win = ordered[0]
        if q.by == "decline" and (_signed_change(win) or 0) >= 0:
            return _abstain(question, f"{q.group or '这些项目'}中没有下降的项目。", [self._cite(win)])
        cite = self._cite(win)
        word = {"decline": "降幅最大", "change": "增长最快" if q.extreme == "max" else "增长最慢"}.get(
            q.by, "最多" if q.extreme == "max" else "最少")
        group = q.group or "所列项目"
        text = f"{group}中{word}的是{win.item}：{self._describe(win, cite, q.by != 'value')}"
        entity = _winner_name(q, members, win) if listed else win.item
        cites = [cite] + [self._cite(f) for f in ordered[1:] if self._cite(f) != cite][:2]
        if q.by in ("change", "decline"):
            return Answer(question, kind="comparison", answer=text, value=_num(win.change_value),
                          unit=win.change_unit, direction=win.direction, entity=entity, citations=_dedupe(cites))
        return Answer(question, kind="comparison", answer=text, value=_num(win.value), unit=win.unit,
                      direction=win.direction, entity=entity, citations=_dedupe(cites))


    def _structural_members(self, q: Query, docs, ranks, with_said: bool = False):
        """The members of the group the report lists (groups.py: enumerations, 其中 children,
        bullets, the same item under sibling headings) that best fits the question's words and
        meaning, restricted to the members the question's hard constraints allow."""
        if self._group_index is None:
            from .groups import GroupIndex, build_groups
            self._group_index = GroupIndex(build_groups(self.index, self.groups), self.index)

        def usable(g) -> list[Figure]:
            rows = [f for f in g.members if not self._conflicts(q, f) and not is_group_total(q.group, f.item)
                    and not (kind and other_kind in f.item and kind not in f.item)
                    and not (len(f.item) >= 3 and coverage(f.item, q.group) >= 0.8)]  # the group itself, or a split of it
            if q.by in ("change", "decline"):
                return [f for f in rows if f.change_value is not None and f.change_unit in ("%", "个百分点")]
            return same_dimension([f for f in rows if self._measure_fit(q, f) >= 0])

        phrase = " ".join(x for x in [q.group, *q.items] if x)
        # the kind asked (…的收入最多): a list mixing 收入 and 支出 rows ranges over that kind only
        kinds = [k for k in ("收入", "支出") if k in phrase]
        kind = kinds[0] if len(kinds) == 1 else ""
        other_kind = {"收入": "支出", "支出": "收入"}.get(kind, "")
        ranked = self._group_index.rank(phrase, self.retriever._query_vector(search_text(q)), docs,
                                        lambda f: ranks.get(self._chunk_key(f)), usable)
        if q.count:
            ranked = [r for r in ranked if len(r[1]) == q.count] or ranked
        members = ranked[0][1] if ranked else []
        if with_said:  # (and how much of the phrase the chosen list's introduction says)
            g = ranked[0][0] if ranked else None
            return members, coverage(phrase, g.intro + " " + g.topic) if g is not None else 0.0
        return members

    def _said_before(self, f: Figure) -> str:
        i = self._row_index.get(id(f))
        return self.context[i] if i is not None else ""


    def compare(self, question: str, q: Query, docs, ranks) -> Answer:
        if q.by in ("change", "decline"):
            q = Query(**{**q.__dict__, "attribute": "change"})
        picked = self._operands(q, docs, ranks)
        if isinstance(picked, str) and len(q.items) == 2 and not (q.operand_scopes or q.operand_years):
            picked = self.groups.listed_together(q, docs, ranks) or picked
        if isinstance(picked, str):
            return _abstain(question, picked)
        if len(picked) < 2:
            return _abstain(question, "问题中需要两个可以比较的项目。", [self._cite(picked[0])])
        a, b = picked[0], picked[1]
        cites = _dedupe([self._cite(a), self._cite(b)])
        if q.by in ("change", "decline"):
            if a.change_value is None or b.change_value is None:
                return _abstain(question, "报告没有同时给出两项的增幅，无法比较。", cites)
            falls = q.by == "decline"
            win, lose = (a, b) if (_signed_change(a) >= _signed_change(b)) != falls else (b, a)
            text = (f"{_asked_name(q, picked, win)}{'降得更多' if falls else '增长更快'}："
                    f"{self._describe(win, self._cite(win), True)}；{self._describe(lose, self._cite(lose), True)}")
            return Answer(question, kind="comparison", answer=text, value=_num(win.change_value),
                          unit=win.change_unit, direction=win.direction, entity=_asked_name(q, picked, win),
                          citations=cites)
        if dimension(a) != dimension(b):
            return _abstain(question, f"{a.item}（{a.unit}）和{b.item}（{b.unit}）单位不同，不能直接比较。", cites)
        less = bool(re.search(r"少|低|小", q.norm)) and not re.search(r"多|高|大", q.norm)
        win, lose = sorted([a, b], key=_base, reverse=not less)
        word = "少于" if less else "多于"
        if _base(win) == _base(lose):
            word = "等于"
        # rows that carry one name (核减率) are told apart by the question's names
        name = (lambda f: _asked_name(q, picked, f)) if a.item == b.item else (lambda f: f.item)
        text = f"{name(win)}{win.value_text}{win.unit}{word}{name(lose)}{lose.value_text}{lose.unit}"
        return Answer(question, kind="comparison", answer=text, value=_num(win.value), unit=win.unit,
                      direction=win.direction, entity=_asked_name(q, picked, win), citations=cites)

    def _operands(self, q: Query, docs, ranks, floor: float = MATCH_THRESHOLD, limit: int = 4) -> list[Figure] | str:
        """One row per asked item (under the first reading of the question that finds them all),
        from the same report, preferring the same period and scope and, when the best rows
        measure different things, the kind most of them measure."""
        first = self._operands_of(q, docs, ranks, floor, limit)
        for items in q.alternatives if isinstance(first, str) else ():
            other = self._operands_of(Query(**{**q.__dict__, "items": items}), docs, ranks, floor, limit)
            if not isinstance(other, str):
                return other
        return first

    def _operands_of(self, q: Query, docs, ranks, floor: float, limit: int) -> list[Figure] | str:
        found: list[list[Scored]] = []
        for i, phrase in enumerate(q.items[:limit]):
            qi = _operand_query(q, i)
            rows = [c for c in self.candidates(phrase, qi, docs, ranks)
                    if c.score >= floor and self._measure_fit(qi, c.fig) >= 0]
            if not rows:
                return f"报告中没有找到{_constraint_text(qi)}{phrase}的数据。"
            found.append(rows)
        doc_votes: dict[str, float] = defaultdict(float)
        for rows in found:
            for d in {r.fig.doc for r in rows}:
                doc_votes[d] += max(r.score for r in rows if r.fig.doc == d)
        shared = [d for d in doc_votes if all(any(r.fig.doc == d for r in rows) for rows in found)]
        if not shared:
            return "这些项目不在同一份报告中，无法直接计算或比较。"
        doc = max(shared, key=lambda d: doc_votes[d])
        first = next(r.fig for r in found[0] if r.fig.doc == doc)
        out = [first]
        for rows in found[1:]:
            rows = [r for r in rows if r.fig.doc == doc and r.fig is not first]
            if not rows:
                return "报告中没有找到可以一起计算或比较的第二个数字。"
            same = [r for r in rows if period_key(r.fig.period) == period_key(first.period)
                    and (q.operand_scopes or r.fig.scope == first.scope)
                    and (q.operand_years or r.fig.year == first.year)]
            alike = [r for r in (same or rows) if r.fig.period == first.period
                     and _SPAN_OF_YEARS.search(first.period)]  # 五年来 with 五年来
            if not alike and _SPAN_OF_YEARS.search(first.period):
                alike = [r for r in rows if r.fig.period == first.period]
            out.append((alike or same or rows)[0].fig)
        dims = [dimension(f) for f in out]
        major = max(set(dims), key=dims.count)
        if q.attribute == "amount" and major != "元" and all(
                any(r.fig.doc == doc and _is_money(r.fig) for r in rows) for rows in found):
            major = "元"  # 发得最少 over three benefits: the money, though each also has a head count
            dims = [d if d == "元" else "" for d in dims]
        if dims.count(major) > len(dims) / 2 or major == "元":
            for k, rows in enumerate(found):
                if dims[k] != major:  # 困难群体 8449人 among amounts: its amount, if stated
                    alt = [r.fig for r in rows if r.fig.doc == doc and dimension(r.fig) == major]
                    if alt:
                        out[k] = alt[0]
        return out

    def arithmetic(self, question: str, q: Query, docs, ranks) -> Answer:
        if q.op in ("gap", "diff", "remaining") and any("限额" in it for it in q.items):
            room = self._headroom(question, q, docs, ranks)
            if room is not None:
                return room
        if q.op == "surplus":
            return self._surplus(question, q, docs, ranks)
        if q.op == "remaining":
            return self._remaining(question, q, docs, ranks)
        if q.op == "total":
            return self._total(question, q, docs, ranks)
        if q.op == "per_head":
            return self._per_head(question, q, docs, ranks)
        if q.op == "share":
            said = self._said_share(q, docs, ranks)
            if said is not None:
                cite = self._cite(said)
                return Answer(question, kind="figure", answer=self._describe(said, cite), value=_num(said.value),
                              unit=said.unit, citations=[cite])
        if not re.search(r"百分点", q.norm):
            # the operands of a share, sum or difference are amounts (比重 names the result)
            q = Query(**{**q.__dict__, "attribute": "amount"})
        if q.op == "sum" and len(q.items) >= 2 and not q.count:
            # 转移支付和专项补助资金一共多少: the report may name the pair as one item, the best
            # row for every operand
            tops = [self.best_rows(p, q, docs, ranks) for p in q.items]
            if all(tops) and len({id(t[0].fig) for t in tops}) == 1 and re.search(r"和|及|与", tops[0][0].fig.item):
                both = tops[0][0].fig
                cite = self._cite(both)
                return Answer(question, kind="figure", answer=self._describe(both, cite), value=_num(both.value),
                              unit=both.unit, direction=both.direction, citations=[cite])
        picked = self._operands(q, docs, ranks)
        if isinstance(picked, str):
            if q.op == "sum" and q.items and not q.count:
                # 给A和B减免的租金一共多少: often one stated total for both
                joined = Query(**{**q.__dict__, "qtype": "lookup", "op": "", "items": ["".join(q.items)]})
                whole = self.lookup(question, joined, docs, ranks)
                if whole.status == "answered":
                    return whole
            return _abstain(question, picked)
        if len(picked) < 2:
            return _abstain(question, f"计算需要两个数字，报告中只找到{picked[0].item}。", [self._cite(picked[0])])
        return self._add_up(question, q, picked) if q.op == "sum" else self._combine(question, q, picked)

    def _add_up(self, question: str, q: Query, picked: list[Figure]) -> Answer:
        """Sum of amounts, each operand cited; amounts of different kinds are not added."""
        if len({dimension(f) for f in picked}) > 1:
            return _abstain(question, "这些数字单位不同（金额和百分比不能相加减）。", [self._cite(f) for f in picked])
        unit = picked[0].unit if len({f.unit for f in picked}) == 1 else _largest_common_unit(picked)
        total = sum((_base(f) for f in picked), Decimal(0))
        value = _from_base(total, unit)
        terms = " + ".join(f"{f.item}{f.value_text}{f.unit}" for f in picked)
        text = f"{terms} = {fmt_decimal(value)}{unit}"
        return Answer(question, kind="calculation", answer=text, value=float(round(value, 2)), unit=unit,
                      citations=_dedupe([self._cite(f) for f in picked]))

    def _total(self, question: str, q: Query, docs, ranks) -> Answer:
        """'X一共多少': the total the report states for X, else X's members added up (the
        vocabulary's members of a family like 三公经费, or the list the report gives for X).
        When the question counts the items (七项), the list must have that many."""
        phrase = q.items[0] if q.items else q.group
        if not q.count:
            stated = self.best_rows(phrase, q, docs, ranks)
            if stated and item_similarity(phrase, stated[0].fig.item) >= MATCH_THRESHOLD:
                return self.lookup(question, Query(**{**q.__dict__, "qtype": "lookup", "op": ""}), docs, ranks)
        family = _family_of(phrase)
        if family:
            fq = Query(**{**q.__dict__, "items": list(family), "op": "sum"})
            picked = self._operands(fq, docs, ranks)
            if not isinstance(picked, str) and len(picked) == len(family):
                return self._add_up(question, q, picked)
        gq = Query(**{**q.__dict__, "group": phrase, "by": "value"})
        # a sum needs the report's own list for X: a list merely near X's words is not X
        members = [f for f in self.groups.members(gq, docs, ranks, loose=False) if self._measure_fit(gq, f) >= 0]
        members = same_dimension(members)
        if q.count and len(members) != q.count:
            return _abstain(question, f"报告中没有找到正好{q.count}项的{phrase}清单（找到{len(members)}项）。",
                            [self._cite(f) for f in members[:3]])
        if len(members) >= 2 and not _has_subtotals(members, self.index.documents[members[0].doc].text):
            return self._add_up(question, q, members)
        if not q.count:  # 一共 as a plain word: 一共为企业减负多少
            said = self.lookup(question, Query(**{**q.__dict__, "qtype": "lookup", "op": ""}), docs, ranks)
            if said.status == "answered":
                return said
        return _abstain(question, f"报告中没有找到{phrase}的合计数，也没有找到可以相加的分项。")

    def _combine(self, question: str, q: Query, picked: list[Figure]) -> Answer:
        """Share, difference, gap or remainder of two operands."""
        if len({dimension(f) for f in picked}) > 1:
            return _abstain(question, "这些数字单位不同（金额和百分比不能相加减）。", [self._cite(f) for f in picked])
        cites = _dedupe([self._cite(f) for f in picked])
        unit = picked[0].unit
        if q.op == "share":
            a, b = picked[0], picked[1]
            stated = self._stated_share(a, b)
            if stated is not None:
                cite = self._cite(stated)
                text = f"{self._describe(stated, cite)}"
                return Answer(question, kind="figure", answer=text, value=_num(stated.value), unit=stated.unit,
                              citations=[cite])
            if _base(b) == 0:
                return _abstain(question, f"{b.item}为零，无法计算占比。", cites)
            if _base(a) > _base(b):
                a, b = b, a  # a part is never larger than its whole (English word order)
            pct = _base(a) / _base(b) * 100
            text = (f"{a.item}{a.value_text}{a.unit}占{b.item}{b.value_text}{b.unit}的"
                    f"{fmt_decimal(pct)}%")
            return Answer(question, kind="calculation", answer=text, value=float(round(pct, 2)), unit="%",
                          citations=cites)
        a, b = picked[0], picked[1]
        if q.op == "ratio":
            times = ratio_of(_base(a), _base(b))
            if times is None:
                return _abstain(question, f"{b.item}为零，无法计算倍数。", cites)
            text = f"{a.item}{a.value_text}{a.unit}是{b.item}{b.value_text}{b.unit}的{fmt_decimal(times)}倍"
            return Answer(question, kind="calculation", answer=text, value=float(round(times, 2)), unit="倍",
                          citations=cites)
        diff = _from_base(_base(a) - _base(b), unit)
        if q.op == "except":
            text = (f"{a.item}{a.value_text}{a.unit}，其中{b.item}{b.value_text}{b.unit}，"
                    f"其余{fmt_decimal(abs(diff))}{unit}")
            return Answer(question, kind="calculation", answer=text, value=float(round(abs(diff), 2)), unit=unit,
                          citations=cites)
        if q.op == "gap":
            text = (f"{a.item}{a.value_text}{a.unit}，{b.item}{b.value_text}{b.unit}，"
                    f"相差{fmt_decimal(abs(diff))}{unit}")
            return Answer(question, kind="calculation", answer=text, value=float(round(abs(diff), 2)), unit=unit,
                          citations=cites)
        word = "多" if diff >= 0 else "少"
        text = (f"{a.item}{a.value_text}{a.unit}比{b.item}{b.value_text}{b.unit}{word}"
                f"{fmt_decimal(abs(diff))}{unit}")
        return Answer(question, kind="calculation", answer=text, value=float(round(abs(diff), 2)), unit=unit,
                      direction="增加" if diff >= 0 else "减少", citations=cites)

    def _said_share(self, q: Query, docs, ranks) -> Figure | None:
        """A percentage the report states for the asked share: a % row matching the part
        (by item or leading clause) whose sentence says 占 and names the whole, if any."""
        if not q.items:
            return None
        part, whole = q.items[0], (q.items[1] if len(q.items) > 1 else "")
        rq = Query(**{**q.__dict__, "attribute": "ratio"})
        for c in self.candidates(part, rq, docs, ranks):
            f = c.fig
            if c.score < MATCH_THRESHOLD or f.unit != "%" or f.direction and f.measure == "change":
                continue
            before = self.index.documents[f.doc].text[f.sent_start:f.start]
            clause = before[max(before.rfind(c) for c in "，,；;。") + 1:]
            if not ("占" in clause or "占比" in f.item):
                continue
            if q.operand_scopes and q.operand_scopes[-1] not in clause:
                continue  # 市本级占全市: the clause must name the whole's scope
            if not whole or whole == part or coverage(whole, before) >= 0.6:
                return f
        return None

    def _stated_share(self, part: Figure, whole: Figure) -> Figure | None:
        """A percentage the report itself states for part-of-whole (…占一般公共预算支出的N%)."""
        rows = self.rows_by_doc[part.doc]
        for f in rows:
            if f.unit != "%" or not (part.end <= f.start < part.sent_end + 60):
                continue
            # the percentage must belong to this part: no other amount stated in between
            if any(g.measure == "amount" and part.end <= g.start < f.start for g in rows):
                continue
            between = self.index.documents[part.doc].text[part.end:f.start]
            if "占" in between and (whole.item[:4] in between or coverage(whole.item, between) > 0.6):
                return f
        return None

    def _surplus(self, question: str, q: Query, docs, ranks) -> Answer:
        stock = _STOCK.search(q.norm)
        word = stock.group(0) if stock else "结余"
        base = re.sub(r"滚存|累计|年末|历年|结余", "", q.items[0] if q.items else "")
        direct = [c for c in self.candidates(base + word, q, docs, ranks) if c.score >= MATCH_THRESHOLD]
        if direct and re.search(r"结余|结存", direct[0].fig.item):
            q2 = Query(**{**q.__dict__, "qtype": "lookup", "items": [direct[0].fig.item]})
            return self.lookup(question, q2, docs, ranks)
        if stock:
            # a balance carried over the years is not this year's income minus spending
            return _abstain(question, f"报告中没有给出{base}{word}的数字。")
        q2 = Query(**{**q.__dict__, "items": [base + "收入", base + "支出"], "op": "diff"})
        picked = self._operands(q2, docs, ranks)
        if isinstance(picked, str):
            return _abstain(question, f"报告中没有找到{base}的收入和支出数据，无法计算结余。")
        inc, exp = picked
        if dimension(inc) != dimension(exp) or not _is_money(inc):
            return _abstain(question, f"无法由报告中的数字计算{base}结余。", [self._cite(inc), self._cite(exp)])
        unit = inc.unit
        diff = _from_base(_base(inc) - _base(exp), unit)
        text = (f"{base}结余{fmt_decimal(diff)}{unit}（收入{inc.value_text}{inc.unit} − "
                f"支出{exp.value_text}{exp.unit}）")
        return Answer(question, kind="calculation", answer=text, value=float(round(diff, 2)), unit=unit,
                      citations=_dedupe([self._cite(inc), self._cite(exp)]))

    def _per_head(self, question: str, q: Query, docs, ranks) -> Answer:
        """'X平均每人多少': a per-head standard the report states for X, else X's amount over the
        people (households) its own sentence says it reached."""
        phrase = q.items[0] if q.items else ""
        stated = self.best_rows(phrase, Query(**{**q.__dict__, "attribute": "standard"}), docs, ranks)
        if stated and stated[0].fig.measure == "standard":
            return self._lookup_answer(question, Query(**{**q.__dict__, "qtype": "lookup", "op": "",
                                                          "attribute": "standard"}), phrase, stated[:1])
        amounts = [c.fig for c in self.candidates(phrase, Query(**{**q.__dict__, "attribute": "amount"}), docs, ranks)
                   if c.score >= MATCH_THRESHOLD and _is_money(c.fig)]
        for f in amounts[:3]:
            heads = [g for g in self.rows_by_doc[f.doc] if g.sent_start == f.sent_start and g is not f
                     and dimension(g) in ("人", "户", "人次")]
            if not heads:
                continue
            h = min(heads, key=lambda g: abs(g.start - f.start))
            per = per_head(_base(f), _base(h))
            if per is None:
                continue
            who = {"户": "户", "人次": "人次"}.get(dimension(h), "人")
            text = (f"{f.item}{f.value_text}{f.unit} ÷ {h.value_text}{h.unit} = 平均每{who}{fmt_decimal(per)}元")
            # the unit says what the yuan are per (元/人): 3000 元 alone would read as a total
            return Answer(question, kind="calculation", answer=text, value=float(round(per, 2)), unit=f"元/{who}",
                          citations=_dedupe([self._cite(f), self._cite(h)]))
        return _abstain(question, f"报告中没有找到{phrase}的人均数，也没有找到可以相除的金额和人数。")

    def _headroom(self, question: str, q: Query, docs, ranks) -> Answer | None:
        """The room under a ceiling (限额 − 余额; 离限额还有多少空间): the ceiling and the balance of
        one subject, each found as a lookup would find it, in one report; None when either is missing."""
        named = next(it for it in q.items if "限额" in it)
        subject = re.sub(r"^末|限额|余额|中央|省?核定的?|省批", "", named)
        if len(subject) < 2:
            return None
        lq = Query(**{**q.__dict__, "qtype": "lookup", "op": "", "attribute": "amount"})
        ceiling = self.best_rows(subject + "限额", lq, docs, ranks)
        if not ceiling or "限额" not in ceiling[0].fig.item:
            return None
        top = ceiling[0].fig
        balance = [c for c in self.best_rows(subject + "余额", lq, [top.doc], ranks)
                   if "余额" in c.fig.item and "限额" not in c.fig.item and dimension(c.fig) == dimension(top)]
        if not balance or _base(balance[0].fig) > _base(top):
            return None
        low = balance[0].fig
        room = _from_base(remaining(_base(top), _base(low)), top.unit)
        text = (f"{top.item}{top.value_text}{top.unit}，{low.item}{low.value_text}{low.unit}，"
                f"距限额尚余{fmt_decimal(room)}{top.unit}")
        return Answer(question, kind="calculation", answer=text, value=float(round(room, 2)), unit=top.unit,
                      citations=_dedupe([self._cite(top), self._cite(low)]))

    def _remaining(self, question: str, q: Query, docs, ranks) -> Answer:
        """'X还有多少没用': X minus the smaller amount the same sentence says was used."""
        phrase = q.items[0] if q.items else ""
        rows = [c.fig for c in self.candidates(phrase, q, docs, ranks) if c.score >= MATCH_THRESHOLD - 0.1]
        for f in [f for f in rows if _is_money(f)][:3]:
            peers = [g for g in self.rows_by_doc[f.doc] if f.start < g.start < f.sent_end + 80
                     and _is_money(g) and _base(g) < _base(f) and g.measure == "amount"]
            if peers:
                done = peers[0]
                rest = _from_base(remaining(_base(f), _base(done)), f.unit)
                text = (f"{f.item}{f.value_text}{f.unit}，{done.item}{done.value_text}{done.unit}，"
                        f"余{fmt_decimal(rest)}{f.unit}")
                return Answer(question, kind="calculation", answer=text, value=float(round(rest, 2)),
                              unit=f.unit, citations=_dedupe([self._cite(f), self._cite(done)]))
        return _abstain(question, f"报告中没有找到可以计算{phrase}剩余部分的数字。")

    def search(self, question: str, k: int = 5) -> list:
        """Passages for a question, routed and worded as the answerer would search them."""
        q = parse_question(validate_question(question), self.places)
        docs, _ = self.route(q)
        return self.retriever.retrieve(search_text(q), k, docs)

    def passages(self, question: str, q: Query, docs, k: int) -> Answer:
        hits = self.retriever.retrieve(search_text(q), k, docs)
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

    # --- citations and phrasing -------------------------------------------------------------

    def _cite(self, f: Figure) -> Citation:
        text = self.index.documents[f.doc].text
        return Citation(f.doc, f.sent_start, f.sent_end, text[f.sent_start:f.sent_end], f.section)

    def _describe(self, f: Figure, cite: Citation, change_first: bool = False) -> str:
        """'2023年1-9月全县教育支出X亿元，同比增长N%' using only words the cited sentence has."""
        text = self.index.documents[f.doc].text
        prefix = "".join(x for x in (f.period, f.scope) if x and x in cite.text)
        status = f"（{f.status}数）" if f.status in ("预算", "预计") else ""
        amount = f"{status}{f.qualifier}{text[f.start:f.end]}"
        change = ""
        if f.direction and f.change_start is not None and f.change_end is not None:
            change = text[f.change_start:f.change_end]
            if f.direction not in change:
                before = text[max(f.sent_start, f.change_start - 8):f.change_start]
                change = ("同比" if "同比" in before else "") + f.direction + change
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


# --- module helpers -------------------------------------------------------------------------


def _place_said(place: str, f: Figure, text: str) -> bool:
    """Whether the row's item or its sentence up to the number names the place (永安 for 永安市)."""
    core = re.sub(r"(自治州|自治县|市|县|州|省|区)$", "", place) or place
    lead = text[f.sent_start:f.end]
    return core in f.item or core in lead


def _family_of(phrase: str) -> tuple[str, ...]:
    """Members the vocabulary lists for a family named in the phrase (三公经费 -> its three)."""
    fams = vocabulary().families
    return next((m for f, m in sorted(fams.items(), key=lambda kv: -len(kv[0])) if f in phrase), ())


def _has_subtotals(rows: list[Figure], text: str) -> bool:
    """Whether a row is followed by its own parts (税收减免X（中央级Y，地方级Z）, X，其中A、B):
    a row, then 其中 or a bracket, then rows adding up to it. Adding such a list counts twice."""
    values = [_base(f) for f in rows]
    for i, v in enumerate(values[:-2]):
        if not re.search(r"其中|[（(]", text[rows[i].end:rows[i + 1].start]):
            continue
        acc = Decimal(0)
        for j in range(i + 1, len(values)):
            acc += values[j]
            if j > i + 1 and v and abs(acc - v) <= abs(v) * Decimal("0.005"):
                return True
            if acc > v:
                break
    return False


def ratio_of(a: Decimal, b: Decimal) -> Decimal | None:
    """How many times b is a (A是B的多少倍); None when b is zero."""
    return None if b == 0 else a / b


def per_head(amount: Decimal, heads: Decimal) -> Decimal | None:
    """An amount in yuan over a head count (平均每人); None when nobody is counted."""
    return None if heads <= 0 else amount / heads


def remaining(whole: Decimal, used: Decimal) -> Decimal:
    """What is left of `whole` when `used` is taken (限额 − 余额, 预算 − 执行)."""
    return whole - used


def _largest_common_unit(rows: list[Figure]) -> str:
    """The unit to state a sum in: the larger of the operands' units (万元 + 亿元 -> 亿元)."""
    return max((f.unit for f in rows), key=lambda u: to_base(Decimal(1), u)[0])


def _asked_name(q: Query, picked: list[Figure], win: Figure) -> str:
    """The winner of a comparison named as the question named it: its scope or year when the
    question compares one item across scopes or years, else the asked phrase when it names
    the item (城市低保 for 城市低保月人均保障水平), else the report's item."""
    i = next((k for k, f in enumerate(picked) if f is win), 0)
    if q.operand_scopes:
        scope = q.operand_scopes[min(i, len(q.operand_scopes) - 1)]
        said = [w for w in _SCOPE_WORDS.get(scope, ()) if w in q.text]
        return said[0] if said and scope not in q.text else scope  # 市级 asked, 市本级 meant
    if q.operand_years:
        return f"{q.operand_years[min(i, len(q.operand_years) - 1)]}年"
    asked = q.items[i] if i < len(q.items) else ""
    if asked and coverage(asked, win.item) >= 0.99:
        return asked
    if asked and len({f.item for f in picked}) == 1:
        # both rows carry one name (核减率): only the question tells them apart (工程结算评审核减率)
        rest = asked[:-len(win.item)] if asked.endswith(win.item) else asked
        return rest if len(rest) >= 2 else asked
    return win.item


def _winner_name(q: Query, members: list[Figure], win: Figure) -> str:
    """The winner of contenders the question listed, named so staff recognise it: by what sets
    it apart when all share a long tail ('城乡一体化示范区' of '…一般公共预算收入'), else as the
    question named it when the report's name contains that or does not name it at all."""
    items = [f.item for f in members]
    i = next((k for k, f in enumerate(members) if f is win), -1)
    if 0 <= i < len(q.items) and len(q.items[i]) >= 2 and q.items[i] in win.item:
        return q.items[i]  # 政府性基金预算收入 asked (四本预算), 地方政府性基金预算收入 in the report
    tail = 0
    while tail < min(map(len, items)) and len({it[len(it) - tail - 1] for it in items}) == 1:
        tail += 1
    if tail >= 4 and len(win.item) - tail >= 2:
        return win.item[:len(win.item) - tail]
    i = next((k for k, f in enumerate(members) if f is win), -1)
    if not 0 <= i < len(q.items):
        return win.item
    asked = q.items[i]
    core = re.sub(r"(支出|收入|资金|债券|余额|经费|补助|投入)$", "", asked) or asked
    if win.item in asked:
        return win.item  # 80岁以上高龄补贴 asked, 高龄补贴 in the report
    if asked in win.item or core in win.item and len(core) >= 2:
        return asked if asked in win.item else core
    return core if coverage(core, win.item) < 0.5 else win.item


def _route_trace(q: Query, docs: list[str] | None, why: str) -> dict:
    reasons = []
    if q.places:
        reasons.append(f"places named: {'、'.join(q.places)}")
    if q.unknown_places:
        reasons.append(f"places without a report of their own: {'、'.join(q.unknown_places)}")
    if q.report_years:
        reasons.append(f"report years named: {q.report_years}")
    if q.years:
        reasons.append(f"years asked: {q.years}")
    if q.scope:
        reasons.append(f"scope asked: {q.scope}")
    if not reasons:
        reasons.append("no place named: the reports without a place of their own, if any, else all")
    return {"reports": docs if docs is not None else "all", "why": reasons, "refused": why or None}


def _query_trace(q: Query) -> dict:
    return {"type": q.qtype, "attribute": q.attribute, "items": q.items, "group": q.group or None,
            "op": q.op or None, "years": q.years, "period": q.period or None, "scope": q.scope or None,
            "status": q.status or None}


def _row_trace(ans: "Answerer", f: Figure) -> dict:
    return {"doc": f.doc, "item": f.item, "value": format(f.value, "f"), "unit": f.unit,
            "period": f.period or None, "scope": f.scope or None, "status": f.status or None, "year": f.year,
            "start": f.start, "end": f.end, "sentence": ans.index.documents[f.doc].text[f.sent_start:f.sent_end][:120]}


def _candidate_trace(ans: "Answerer", c: Candidate) -> dict:
    return {**_row_trace(ans, c.fig), "probability": round(c.prob, 4),
            "features": {k: round(v, 3) for k, v in c.features.items() if v}}


def _operation(q: Query, a: Answer) -> dict:
    name = q.op or q.qtype
    operands = [{"doc": c.doc, "start": c.start, "end": c.end, "text": c.text[:120]} for c in a.citations]
    return {"name": name, "kind": a.kind, "status": a.status, "operands": operands,
            "result": {"value": a.value, "unit": a.unit, "direction": a.direction, "entity": a.entity}}


def _abstain(question: str, why: str, cites: list[Citation] | None = None) -> Answer:
    return Answer(question, status="abstained", kind="none", answer=why, citations=cites or [])


def _cite_chunk(chunk) -> Citation:
    return Citation(chunk.doc, chunk.start, chunk.end, chunk.text, chunk.section)


def _dedupe(cites: list[Citation]) -> list[Citation]:
    out, seen = [], set()
    for c in cites:
        if (c.doc, c.start, c.end) not in seen:
            seen.add((c.doc, c.start, c.end))
            out.append(c)
    return out


def _operand_query(q: Query, i: int) -> Query:
    """The question as it applies to operand i (its own scope or year, when the question has two)."""
    if not (q.operand_scopes or q.operand_years or q.operand_statuses):
        return q
    changes: dict = {}
    if q.operand_statuses:
        changes["status"] = q.operand_statuses[min(i, len(q.operand_statuses) - 1)]
    elif q.operand_years and i > 0:
        changes["status"] = ""  # 2026年预期…比2025年: the plan word is about the first year
    if q.operand_scopes:
        changes["scope"] = q.operand_scopes[min(i, len(q.operand_scopes) - 1)]
    if q.operand_years:
        changes["years"] = [q.operand_years[min(i, len(q.operand_years) - 1)]]
    return Query(**{**q.__dict__, **changes})


def _constraint_text(q: Query) -> str:
    years = "、".join(f"{y}年" for y in q.years)
    # a part of an indexed place (赤坎区 of 湛江) is what was sought: say so
    return "".join(x for x in ("、".join(q.unknown_places), years, q.period if q.period != "全年" or not years else "",
                               q.scope, q.status) if x)


def _describe_measure(f: Figure) -> str:
    if f.direction:
        return "增减变化"
    return {"ratio": "比率", "rate": "比率"}.get(f.measure, "百分比")


def _base(f: Figure) -> Decimal:
    return to_base(f.value, f.unit)[0]




def _from_base(value: Decimal, unit: str) -> Decimal:
    scale, _ = to_base(Decimal(1), unit)
    return value / scale if scale else value


def _is_money(f: Figure) -> bool:
    return dimension(f) == "元"



def answer_question(question: str, index: Index, retriever: HybridRetriever, k: int = 5,
                    answerer: Answerer | None = None) -> Answer:
    """Answer one question against a loaded index (builds an Answerer when none is given)."""
    return (answerer or Answerer(index, retriever)).answer(question, k)
