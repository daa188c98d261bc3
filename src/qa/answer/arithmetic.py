"""Arithmetic: sums, differences, shares, surpluses, per-head figures and what remains.

A part of the Answerer (answerer.py); it reads the index, the retriever and the other parts
through `self`."""
from __future__ import annotations

import re
from decimal import Decimal

from ..extract import to_base
from ..lists import same_dimension
from ..matching import MATCH_THRESHOLD, coverage, dimension, item_similarity
from ..question import Query, vocabulary
from ..records import Answer, Figure
from .common import (
    _EXEC,
    _PLAN,
    _STOCK,
    _FLOW_WORDS,
    _STOCK_WORDS,
    _abstain,
    _base,
    _dedupe,
    _family_of,
    _from_base,
    _has_subtotals,
    _is_money,
    _largest_common_unit,
    _num,
    _operand_query,
    fmt_decimal,
    per_head,
    ratio_of,
    remaining,
)


class ArithmeticOps:
    """Arithmetic: sums, differences, shares, surpluses, per-head figures and what remains."""

    def arithmetic(self, question: str, q: Query, docs, ranks) -> Answer:
        if q.op in ("gap", "diff", "remaining") and q.items and "限额" in q.norm:
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
            same = all(tops) and len({id(t[0].fig) for t in tops}) == 1
            both = tops[0][0].fig if same else (self._pair_said_whole(q, docs, ranks)
                                                 or self._list_said_whole(q, docs, ranks))
            if both is not None and (_JOINED_NAME.search(both.item) or "、" in both.item):
                cite = self._cite(both)
                return Answer(question, kind="figure", answer=self._describe(both, cite), value=_num(both.value),
                              unit=both.unit, direction=both.direction, citations=[cite])
        if q.op == "diff" and q.operand_statuses and len(set(q.items)) == 1:
            stated = self._stated_difference(question, q, docs, ranks, r"预算")
            if stated is not None:
                return stated
        if q.op == "diff" and len(set(q.operand_years)) == 2 and len(set(q.items)) == 1:
            later, earlier = sorted(q.operand_years, reverse=True)
            if later - earlier == 1:  # 2025年比2024年多了多少: as the report states the year's change
                stated = self._stated_difference(question, Query(**{**q.__dict__, "years": [later]}), docs, ranks,
                                                 rf"{earlier}年|上年|去年|同比")
                if stated is not None:
                    return stated
        picked = self._operands(q, docs, ranks)
        if isinstance(picked, str) and q.op == "share" and len(q.items) == 2:
            picked = self._part_among_children(q, docs, ranks) or picked
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

    def _joined_less_other(self, question: str, q: Query, phrase: str, docs, ranks) -> Answer | None:
        """A part the report states only inside a joined total (存款余额 of 存贷款余额X，其中贷款余额Y):
        the total less the other part, both rows of one report, period and unit; None otherwise."""
        joined = vocabulary().part_of_joined(phrase)
        if joined is None or q.attribute != "amount":
            return None
        name, part, other = joined
        lq = Query(**{**q.__dict__, "qtype": "lookup", "op": ""})
        wholes = self.best_rows(phrase.replace(part, name), lq, docs, ranks)
        for w in wholes[:1]:
            for o in self.best_rows(phrase.replace(part, other), lq, [w.fig.doc], ranks):
                whole, rest = w.fig, o.fig
                if other in rest.item and name not in rest.item and dimension(rest) == dimension(whole) \
                        and rest.period == whole.period and _base(rest) < _base(whole):
                    value = _from_base(_base(whole) - _base(rest), whole.unit)
                    text = (f"{whole.item}{whole.value_text}{whole.unit}，其中{rest.item}{rest.value_text}"
                            f"{rest.unit}，{phrase}为二者之差{fmt_decimal(value)}{whole.unit}")
                    return Answer(question, kind="calculation", answer=text, value=float(round(value, 2)),
                                  unit=whole.unit, citations=_dedupe([self._cite(whole), self._cite(rest)]))
        return None

    def _total(self, question: str, q: Query, docs, ranks) -> Answer:
        """'X一共多少': the total the report states for X, else X's members added up (the
        vocabulary's members of a family like 三公经费, or the list the report gives for X).
        When the question counts the items (七项), the list must have that many."""
        phrase = q.items[0] if q.items else q.group
        stated = self.best_rows(phrase, q, docs, ranks) if not q.count else []
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
        if stated and phrase.endswith(stated[0].fig.item) and any(f is stated[0].fig for f in members) \
                and not any(f.item in phrase for f in members if f is not stated[0].fig):
            # the question's head names one row of the list and no other: 一共发现多少问题 asks that
            # row (共发现问题X个、完成整改Y个), not the list added up (减税降费 names both: a sum)
            return self.lookup(question, Query(**{**q.__dict__, "qtype": "lookup", "op": ""}), docs, ranks)
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

    def _stated_difference(self, question: str, q: Query, docs, ranks, baseline: str) -> Answer | None:
        """The difference as the report states it (…支出X亿元，比年初预算数减少Y亿元; 余额X，较
        2024年增加Y) before it is computed from two rows: a row of the item whose change is an
        amount against the `baseline` words (regex); None when no row says one."""
        lq = Query(**{**q.__dict__, "qtype": "lookup", "op": "", "status": "", "operand_statuses": [],
                      "operand_years": [], "items": q.items[:1], "attribute": "amount"})
        for c in self.candidates(q.items[0], lq, docs, ranks)[:3]:
            f = c.fig
            if c.score < MATCH_THRESHOLD or f.change_value is None or f.change_start is None \
                    or f.direction not in ("增加", "减少"):
                continue
            if to_base(f.change_value, f.change_unit or "")[1] != dimension(f):
                continue  # a rate (下降5%) is not the amount asked
            if not re.search(baseline, self.index.documents[f.doc].text[f.end:f.change_start]):
                continue  # (the change on last year is not the difference from the budget, nor the reverse)
            cite = self._cite(f)
            return Answer(question, kind="figure", answer=self._describe(f, cite), value=_num(f.change_value),
                          unit=f.change_unit, direction=f.direction, citations=[cite])
        return None

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

    def _part_among_children(self, q: Query, docs, ranks) -> list[Figure] | None:
        """[part, whole] for 还本付息里利息占多少 when no row names the part in the question's words:
        the whole's children (its 其中 or bracketed breakdown, recorded at build time as the row's
        parent) are the only parts it can mean, and the one nearest the asked part by embedding
        is taken, provided it shares a character with it (发行费用 is no child of 还本付息)."""
        part, whole_phrase = q.items
        wq = _operand_query(q, 1)
        rows = self.index.rows
        if rows is None:
            return None
        for c in self.candidates(whole_phrase, wq, docs, ranks)[:3]:
            whole = c.fig
            if c.score < MATCH_THRESHOLD or self._measure_fit(wq, whole) < 0:
                continue
            kids = [f for f in self.rows_by_doc[whole.doc] if f.parent == whole.item and f.scope == whole.scope
                    and whole.end <= f.start <= whole.sent_end and dimension(f) == dimension(whole)]
            if len(kids) < 2:
                continue
            qv = self.retriever._query_vector(part)
            best = max(kids, key=lambda f: rows.hit(self._row_index[id(f)], qv).item_sim)
            return [best, whole] if set(part) & set(best.item) else None
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
        said = "stock" if stock or q.point == "年末" else "flow" if _FLOW_WORDS.search(q.norm) or "收支结余" in q.norm else ""
        if said:
            # a balance carried over the years is not a year's 收支结余, nor the reverse
            direct = [c for c in direct if bool(_STOCK_WORDS.search(c.fig.item) or "年末" in (c.fig.period or ""))
                      == (said == "stock")]
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
                     and g.measure == "count"]
            if not heads:
                continue
            # the count of what the question divides by (平均每户农户: 惠及农户76.6万户, not another
            # count in the sentence); else the nearest count
            h = max(heads, key=lambda g: (coverage(q.per, g.item + g.unit) if q.per else 0.0, -abs(g.start - f.start)))
            per = per_head(_base(f), _base(h))
            if per is None:
                continue
            who = _per_what(h)
            text = (f"{f.item}{f.value_text}{f.unit} ÷ {h.value_text}{h.unit} = 平均每{who}{fmt_decimal(per)}元")
            # the unit says what the yuan are per (元/人): 3000 元 alone would read as a total
            return Answer(question, kind="calculation", answer=text, value=float(round(per, 2)), unit=f"元/{who}",
                          citations=_dedupe([self._cite(f), self._cite(h)]))
        return _abstain(question, f"报告中没有找到{phrase}的人均数，也没有找到可以相除的金额和人数。")

    def _headroom(self, question: str, q: Query, docs, ranks) -> Answer | None:
        """The room under a ceiling (限额 − 余额; 离限额还有多少空间): the ceiling and the balance of
        one subject, each found as a lookup would find it, in one report; None when either is missing."""
        # the subject is named beside 限额 (政府债务限额) or by the other operand (政府债务离省里核定的
        # 限额还有多少空间: 省里 only says whose ceiling it is); the most specific name first
        subjects = sorted({re.sub(r"^末|限额|余额|中央|省?核定的?|省批", "", it) for it in q.items}, key=len, reverse=True)
        lq = Query(**{**q.__dict__, "qtype": "lookup", "op": "", "attribute": "amount"})
        for subject in subjects:
            ceiling = self.best_rows(subject + "限额", lq, docs, ranks) if len(subject) >= 2 else []
            if ceiling and "限额" in ceiling[0].fig.item:
                break
        else:
            return None
        top = ceiling[0].fig
        balance = [c for c in self.best_rows(subject + "余额", lq, [top.doc], ranks)
                   if "余额" in c.fig.item and "限额" not in c.fig.item and dimension(c.fig) == dimension(top)]
        # the balance of the ceiling's own scope (全市 limit, 全市 balance; not the 市级 part)
        balance.sort(key=lambda c: c.fig.scope != top.scope)
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
        # a balance the report states (预算稳定调节基金余额X) is what remains: no subtraction
        stated = [c for c in self.candidates(phrase + "余额", q, docs, ranks)
                  if c.score >= MATCH_THRESHOLD and _BALANCE.search(c.fig.item) and _is_money(c.fig)
                  and coverage(phrase, c.fig.item + self.context[self._row_index[id(c.fig)]]) >= 0.8]
        if stated:
            lq = Query(**{**q.__dict__, "qtype": "lookup", "op": "", "items": [stated[0].fig.item]})
            said = self.lookup(question, lq, docs, ranks)
            if said.status == "answered":
                return said
        rows = [c.fig for c in self.candidates(phrase, q, docs, ranks) if c.score >= MATCH_THRESHOLD - 0.1]
        pair = _budget_and_outturn(rows)
        if pair is not None:  # 支出预算调整为X，完成Y: what is left of the budget is X - Y
            plan, done = pair
            rest = _from_base(remaining(_base(plan), _base(done)), plan.unit)
            text = (f"{plan.item}预算{plan.value_text}{plan.unit}，完成{done.value_text}{done.unit}，"
                    f"尚余{fmt_decimal(rest)}{plan.unit}")
            return Answer(question, kind="calculation", answer=text, value=float(round(rest, 2)), unit=plan.unit,
                          citations=_dedupe([self._cite(plan), self._cite(done)]))
        # amounts (资金还有多少没拨付) or counts (发现问题N个、完成整改M个，还有多少没整改)
        for f in [f for f in rows if _is_money(f) or f.measure == "count"][:3]:
            peers = [g for g in self.rows_by_doc[f.doc] if f.start < g.start < f.sent_end + 80
                     and dimension(g) == dimension(f) and _base(g) < _base(f) and g.measure == f.measure]
            if peers:
                done = peers[0]
                rest = _from_base(remaining(_base(f), _base(done)), f.unit)
                text = (f"{f.item}{f.value_text}{f.unit}，{done.item}{done.value_text}{done.unit}，"
                        f"余{fmt_decimal(rest)}{f.unit}")
                return Answer(question, kind="calculation", answer=text, value=float(round(rest, 2)),
                              unit=f.unit, citations=_dedupe([self._cite(f), self._cite(done)]))
        return _abstain(question, f"报告中没有找到可以计算{phrase}剩余部分的数字。")

    def _pair_said_whole(self, q: Query, docs, ranks) -> Figure | None:
        """中央和省预算内基本建设投资一共: the two operands said with their 和 are the report's
        name of one item (a row whose own name joins two, matched whole); None when not."""
        if len(q.items) != 2:
            return None
        for c in "和及与":
            said = q.items[0] + c + q.items[1]
            if said in q.norm:
                rows = [r for r in self.best_rows(said, q, docs, ranks)
                        if _JOINED_NAME.search(r.fig.item) and r.score >= 1.0]
                return rows[0].fig if rows else None
        return None

    def _list_said_whole(self, q: Query, docs, ranks) -> Figure | None:
        """A税、B税、C税等其他税收合计: the list as the question says it is the report's
        name of one row (an item naming every operand, A、B、C等…); None when no row so names them."""
        names = [re.split(r"等|这些|这几|那些", it)[0] for it in q.items]  # (…烟叶税这些其他税收)
        start = q.norm.find(names[0])
        end = q.norm.find(q.items[-1], start) + len(q.items[-1]) if start >= 0 else -1
        if start < 0 or end <= start or "、" not in q.norm[start:end]:
            return None
        said = re.sub(r"这些|这几|那些", "等", q.norm[start:end])  # (A、B、C这些其他…: A、B、C等…)
        rows = [r.fig for r in self.best_rows(said, q, docs, ranks)
                if all(len(n) >= 2 and n in r.fig.item for n in names)]
        return rows[0] if rows else None


_BALANCE = re.compile(r"余额|结余|结存|剩余")
# an item whose own name joins two (中央和省预算内基本建设投资, 企业所得税和个人所得税)
_JOINED_NAME = re.compile(r"和|及|与")


def _budget_and_outturn(rows: list[Figure]) -> tuple[Figure, Figure] | None:
    """The best row's budget and outturn stated together: one item, year and scope, in one
    sentence, the budget (预算) larger than the outturn (执行); None when the report says no such pair."""
    for f in rows[:3]:
        same = [g for g in rows if g.doc == f.doc and g.item == f.item and g.year == f.year and g.scope == f.scope
                and g.sent_start == f.sent_start and g.measure == "amount" and _is_money(g)]
        plans = [g for g in same if g.status in _PLAN]
        dones = [g for g in same if g.status in _EXEC]
        if plans and dones and _base(plans[-1]) > _base(dones[-1]):
            return plans[-1], dones[-1]  # (the last budget said: the adjusted one, 调整为)
    return None


def _per_what(count: Figure) -> str:
    """What a per-head figure is per: the count's base unit (人, 户, 人次, 个 …)."""
    return dimension(count) or "人"
