"""Lookup and change: one item's figure (and its change, or the change from a former value).

A part of the Answerer (answerer.py); it reads the index, the retriever and the other parts
through `self`."""
from __future__ import annotations

import re
from decimal import Decimal

from ..candidates import Candidate, RowScorer, candidate_rows
from ..extract import to_base
from ..matching import MATCH_THRESHOLD, dimension
from ..question import Query
from ..records import Answer, Figure
from .common import (
    _AMOUNT_CHANGE,
    _CHANGE_ITEM,
    _CHANGE_VERB,
    _DECLINE,
    Scored,
    _abstain,
    _base,
    _candidate_trace,
    _describe_measure,
    _from_base,
    _num,
    _row_trace,
    fmt_decimal,
)

# the change asked as a rate (提高了百分之几), where the report states the former and new values only
_RATE_ASKED = re.compile(r"百分之(?:几|多少)|百分比|增长率|增幅|涨幅|几成")
# the change is on the year before (比上年/较上年/同比), not on a budget or another baseline
_PRIOR_YEAR = re.compile(r"比上年|较上年|比去年|较去年|同比")


class LookupOps:
    """Lookup and change: one item's figure (and its change, or the change from a former value)."""

    def lookup(self, question: str, q: Query, docs, ranks) -> Answer:
        phrase = q.items[0]
        rows = self.best_rows(phrase, q, docs, ranks)
        if not rows and q.glossed.get(phrase):
            # 地方卖地收入（国有土地使用权出让收入）: the name the question gave it in parentheses
            phrase = q.glossed[phrase]
            rows = self.best_rows(phrase, q, docs, ranks)
        reranked: dict = {}
        if not rows:
            # the item matched, but as the wrong measure (教育投入 asked: the 万名 pupils in its
            # clause): only the fitted scorer's better row may answer, never that one
            misfit = self._measure_misfit(phrase, q, docs, ranks)
            if misfit:
                rows, reranked = self._reranked(phrase, q, docs, ranks, misfit)
            if not reranked:
                before = self._level_before(question, q, phrase, docs, ranks) \
                    or self._joined_less_other(question, q, phrase, docs, ranks)
                return before if before is not None else self._not_found(question, q, phrase, docs, ranks)
        else:
            rows, reranked = self._reranked(phrase, q, docs, ranks, rows)
        rows = _most_precise_first(rows, self.candidates(phrase, q, docs, ranks))
        ans = self._lookup_answer(question, q, phrase, rows)
        if reranked:
            ans.trace = {"reranked": reranked}
        return ans

    def _reranked(self, phrase: str, q: Query, docs, ranks, rows: list[Scored]) -> tuple[list[Scored], dict]:
        """The matcher's rows, its first replaced by the fitted scorer's best candidate when that is
        more probable by the margin fitted out of fold (row_scorer.json: rerank_margin); and what
        was replaced by what (empty when nothing was)."""
        scorer = RowScorer.load() if self.use_scorer else None
        margin = scorer.meta.get("rerank_margin", 1.01) if scorer is not None else 1.01
        if margin > 1.0 or q.attribute != "amount":
            # (an amount asked only: on the development sets re-ranking a change asked lost four
            # questions the matcher had right and won none)
            return rows, {}
        cands, _ = candidate_rows(self, phrase, q, docs, ranks)
        top = rows[0].fig
        p_top = next((c.prob for c in cands if c.fig is top), 0.0)
        if not cands or cands[0].fig is top or cands[0].prob - p_top < max(margin, 1e-9):
            return rows, {}
        best = cands[0]
        info = {"replaced": _row_trace(self, top), "by": _row_trace(self, best.fig),
                "p_matcher_row": round(p_top, 3), "p_scorer_row": round(best.prob, 3), "margin": margin}
        return [Scored(best.fig, best.prob)] + [r for r in rows[1:] if r.fig is not best.fig], info

    def _measure_misfit(self, phrase: str, q: Query, docs, ranks) -> list[Scored]:
        """The row the matcher would take but for its measure (a count when money is asked)."""
        for c in self.candidates(phrase, q, docs, ranks)[:3]:
            fit = self._measure_fit(q, c.fig)
            if fit < 0 and c.score - fit >= MATCH_THRESHOLD:
                return [c]
        return []

    def _level_before(self, question: str, q: Query, phrase: str, docs, ranks) -> Answer | None:
        """The level a year before, from the next year's figure and the amount it rose by (…支出规模
        28.5万亿元、比上年增加1.1万亿元 → the year before: 27.4万亿元); None when the report states
        no such pair. Only an amount changed by an amount: a rate would give a rounded level."""
        if q.attribute != "amount" or len(set(q.years)) != 1 or q.period:
            return None
        text_of = self.index.documents
        for c in self.candidates(phrase, q, docs, ranks, strict=False)[:3]:
            f = c.fig
            if c.score < MATCH_THRESHOLD or f.year != q.years[0] + 1 or f.measure != "amount" \
                    or f.direction not in ("增加", "减少") or f.change_value is None or f.change_end is None:
                continue
            rise, base_unit = to_base(f.change_value, f.change_unit or "")
            if base_unit != dimension(f) or not _PRIOR_YEAR.search(text_of[f.doc].text[f.end:f.change_end]):
                continue
            level = _from_base(_base(f) - rise if f.direction == "增加" else _base(f) + rise, f.unit)
            cite = self._cite(f)
            change = text_of[f.doc].text[f.end:f.change_end].lstrip("，,、；; ")
            text = (f"{q.years[0]}年{f.item}为{fmt_decimal(level)}{f.unit}（由{f.year}年{f.value_text}{f.unit}"
                    f"、{change}倒推）")
            return Answer(question, kind="calculation", answer=text, value=float(round(level, 2)), unit=f.unit,
                          citations=[cite], trace={"operation": "level_before"})
        return None

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
                from_to = f"{top.item}由{before.value_text}{before.unit}变为{top.value_text}{top.unit}，"
                if _RATE_ASKED.search(q.norm) and top.unit not in ("%", "个百分点") and _base(before):
                    # 由670元提高到700元, 提高了百分之几 asked: the rise over the former value
                    rate = (_base(top) - _base(before)) / _base(before) * 100
                    text = f"{from_to}{'增长' if rate >= 0 else '下降'}{fmt_decimal(abs(rate))}%"
                    return Answer(question, kind="calculation", answer=text, value=float(round(abs(rate), 2)),
                                  unit="%", direction="增长" if rate >= 0 else "下降", citations=[cite])
                unit = "个百分点" if top.unit == "%" else top.unit  # 20% -> 16% is 4 points, not 4%
                text = f"{from_to}{'增加' if diff >= 0 else '减少'}{fmt_decimal(abs(diff))}{unit}"
                return Answer(question, kind="calculation", answer=text, value=float(round(abs(diff), 2)),
                              unit=unit, direction="增加" if diff >= 0 else "减少", citations=[cite])
        # (过紧日子压减支出 asked as 压减了多少: the row's own verb says its value is the change)
        verbs = _CHANGE_VERB.findall(top.item)
        if q.attribute == "change" and not top.direction and not _CHANGE_ITEM.match(top.item) \
                and not any(v in q.norm or v in q.text for v in verbs):
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


def _most_precise_first(rows: list[Scored], candidates: list[Scored]) -> list[Scored]:
    """The same figure stated twice (全市一般公共预算支出X万元 in the accounts, the same in 亿元 rounded in
    the five-year review): the more precise statement (among the candidates the constraints allow)
    first, when both are of one item and scope, of one year or one undated, and the rounder one is
    the precise one rounded."""
    if not rows:
        return rows
    top = rows[0].fig
    for r in candidates[:8]:
        f = r.fig
        if (f.doc, f.item, f.scope, f.measure, f.parent) != (top.doc, top.item, top.scope, top.measure, top.parent) \
                or None not in (f.year, top.year) and f.year != top.year:
            continue
        a, b = _base(top), _base(f)
        if a == b or not a or not b or dimension(f) != dimension(top):
            continue
        step = to_base(Decimal(1).scaleb(top.value.as_tuple().exponent), top.unit)[0]  # top's last digit
        if abs(a - b) * 2 <= step and _digits(f) > _digits(top):
            return [Scored(f, rows[0].score)] + [x for x in rows if x.fig is not f]
    return rows


def _digits(f: Figure) -> int:
    return len(f.value.normalize().as_tuple().digits)
