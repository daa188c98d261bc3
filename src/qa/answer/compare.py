"""Compare: two or more named items (or one item over two scopes or years), and their operands.

A part of the Answerer (answerer.py); it reads the index, the retriever and the other parts
through `self`."""
from __future__ import annotations

import re
from collections import defaultdict

from ..matching import MATCH_THRESHOLD, dimension
from ..question import Query
from ..records import Answer, Figure
from ..rows import section_topic
from .common import (
    _SPAN_OF_YEARS,
    Scored,
    _abstain,
    _asked_name,
    _base,
    _constraint_text,
    _dedupe,
    _is_money,
    _num,
    _operand_query,
    _signed_change,
    period_key,
    spelt_out,
)


class CompareOps:
    """Compare: two or more named items (or one item over two scopes or years), and their operands."""

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
            rose = "增长更快" if win.change_unit in ("%", "个百分点") else "增加更多"  # (提高30元 against 20元)
            text = (f"{self._compared_name(q, picked, win)}{'降得更多' if falls else rose}："
                    f"{self._describe(win, self._cite(win), True)}；{self._describe(lose, self._cite(lose), True)}")
            return Answer(question, kind="comparison", answer=text, value=_num(win.change_value),
                          unit=win.change_unit, direction=win.direction,
                          entity=self.as_reported(win, self._compared_name(q, picked, win)),
                          citations=cites)
        if dimension(a) != dimension(b):
            return _abstain(question, f"{a.item}（{a.unit}）和{b.item}（{b.unit}）单位不同，不能直接比较。", cites)
        less = _asks_less(q)
        win, lose = sorted([a, b], key=_base, reverse=not less)
        word = "少于" if less else "多于"
        if _base(win) == _base(lose):
            word = "等于"
        # rows that carry one name (核减率) are told apart by the question's names
        whose = any(p.startswith(q.said_with[p]) for p in q.items if p in q.said_with)  # (中央/地方 of one item)
        name = (lambda f: self._compared_name(q, picked, f)) if a.item == b.item or whose else (lambda f: f.item)
        # (高新技术产业开发区 told apart from the other zone: what of it is compared is said too)
        said = (lambda f: name(f) if f.item in name(f) or not whose else name(f) + f.item)
        text = f"{said(win)}{win.value_text}{win.unit}{word}{said(lose)}{lose.value_text}{lose.unit}"
        return Answer(question, kind="comparison", answer=text, value=_num(win.value), unit=win.unit,
                      direction=win.direction, entity=self.as_reported(win, self._compared_name(q, picked, win)),
                      citations=cites)

    def _compared_name(self, q: Query, picked: list[Figure], f: Figure) -> str:
        """A row named as the question's way of telling operands apart, in the report's words: 中央/地方
        of one shared item is the row's own item when it says the name (地方一般公共预算本级收入), else
        the words of its sentence that spell the name (高新区 -> 高新技术产业开发区)."""
        i = next((k for k, g in enumerate(picked) if g is f), 0)
        name = q.said_with.get(q.items[i], "") if i < len(q.items) else ""
        if not name or not q.items[i].startswith(name):  # (A中，B和C: A is where, not which)
            return _asked_name(q, picked, f)
        if name in f.item:
            return f.item
        heading = section_topic(f.section)
        if spelt_out(name, heading) and len(heading) <= 3 * len(name) + 4:
            return heading  # （二）台州经济开发区: the heading is the name
        return spelt_out(name, self.said_around(f)) or name

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
        if q.operand_years and len(found) == 2:
            # one item in two years: the sentence that states both (从2021年的X增加至2025年的Y), if any
            paired = [r.fig for r in found[0] if r.fig.doc == doc
                      and any(o.fig.sent_start == r.fig.sent_start and o.fig.doc == doc for o in found[1])]
            first = paired[0] if paired else first
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
            pool = alike or same or rows
            beside = [r.fig for r in pool if q.operand_years and r.fig.sent_start == first.sent_start]
            out.append((beside or [pool[0].fig])[0])
        if q.op == "share" and len(out) == 2:
            out[0] = self._part_beside_whole(found[0], out, doc)
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

    @staticmethod
    def _part_beside_whole(part_rows: list[Scored], out: list[Figure], doc: str) -> Figure:
        """A share's part as the whole's sentence or list states it (还本付息X亿元，其中一般债务
        还本付息额Y亿元 for 一般债务 of 还本付息), before a row of the same name stated elsewhere
        (一般债务余额): a share is of a part of that whole. The part first found when none is."""
        part, whole = out
        whole_of = (whole.parent, whole.item)

        def beside(f: Figure) -> bool:
            return f.sent_start == whole.sent_start or bool(f.parent and f.parent in whole_of)

        if beside(part):
            return part
        for r in part_rows:
            f = r.fig
            # (the same name said on: 一般债务还本付息额 for 一般债务; not another item: 非税收入)
            if f.doc == doc and f is not whole and beside(f) and f.item.startswith(part.item) \
                    and dimension(f) == dimension(whole) and _base(f) <= _base(whole):
                return f
        return part


# the comparative asked (谁更低, 哪个少, 较小): read after the names, which may hold 高/大/多 (高新区)
_COMPARATIVE = re.compile(r"(?:更|谁|哪[个项块类边一级]{0,2}|较|比较)(多|少|高|低|大|小)")


def _asks_less(q: Query) -> bool:
    """Whether the question asks which is less (少/低/小) rather than more."""
    text = q.norm
    for name in sorted({*q.items, *q.said_with.values()}, key=len, reverse=True):
        text = text.replace(name, " ")
    said = _COMPARATIVE.findall(text)
    if said:
        return said[-1] in "少低小"
    return bool(re.search(r"少|低|小", text)) and not re.search(r"多|高|大", text)
