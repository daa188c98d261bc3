"""Superlative: the largest, smallest, fastest-growing member of a group the report lists.

A part of the Answerer (answerer.py); it reads the index, the retriever and the other parts
through `self`."""
from __future__ import annotations

from dataclasses import replace

from ..groups import without_totals
from ..lists import is_group_total, same_dimension
from ..matching import MATCH_THRESHOLD, coverage
from ..question import Query, search_text, vocabulary
from ..records import Answer, Figure
from ..rows import section_topic
from .common import _abstain, _base, _dedupe, _num, _signed_change, _winner_name


class SuperlativeOps:
    """Superlative: the largest, smallest, fastest-growing member of a group the report lists."""

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
        # the question's own name of each listed contender (members come in the question's order)
        named = {id(f): name for f, name in zip(members, q.items)} if listed else {}
        if q.by in ("change", "decline"):
            members = [f for f in members if f.change_value is not None and f.change_unit in ("%", "个百分点")]
        else:
            members = [f for f in members if self._measure_fit(q, f) >= 0]
            members = without_totals(same_dimension(members))
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
        group = (q.listed_as if listed else "") or q.group or "所列项目"
        entity = _winner_name(q, members, win, named.get(id(win))) if listed else win.item
        entity = self.as_reported(win, entity)
        text = f"{group}中{word}的是{entity}：{self._describe(win, cite, q.by != 'value')}"
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
        ranked = self.ranked_groups(q, docs, ranks)
        members = ranked[0][1] if ranked else []
        if with_said:  # (and how much of the phrase the chosen list's introduction says)
            g = ranked[0][0] if ranked else None
            phrase = " ".join(x for x in [q.group, *q.items] if x)
            return members, coverage(phrase, g.intro + " " + g.topic) if g is not None else 0.0
        return members

    def ranked_groups(self, q: Query, docs, ranks) -> list:
        """The report's lists that may answer the superlative, best first: (group, usable members,
        score) each (groups.GroupIndex.rank)."""
        if self._group_index is None:
            from ..groups import GroupIndex, build_groups
            self._group_index = GroupIndex(build_groups(self.index, self.groups), self.index)

        def usable(g) -> list[Figure]:
            rows = [f for f in g.members if not self._conflicts(q, f) and not is_group_total(q.group, f.item)
                    and not (kind and other_kind in f.item and kind not in f.item)
                    and not (len(f.item) >= 3 and coverage(f.item, q.group) >= 0.8)]  # the group itself, or a split of it
            # a part stated inside another member (X资金N万元（含Y经费M万元）) is no peer of it
            items = {f.item for f in rows}
            rows = [f for f in rows if not (f.parent and f.parent in items)]
            if q.by in ("change", "decline"):
                return [f for f in rows if f.change_value is not None and f.change_unit in ("%", "个百分点")]
            return without_totals(same_dimension([f for f in rows if self._measure_fit(q, f) >= 0]))

        phrase = " ".join(x for x in [q.group, *q.items] if x)
        # the kind asked (…的收入最多): a list mixing 收入 and 支出 rows ranges over that kind only
        kinds = [k for k in ("收入", "支出") if k in phrase]
        kind = kinds[0] if len(kinds) == 1 else ""
        other_kind = {"收入": "支出", "支出": "收入"}.get(kind, "")
        ranked = self._group_index.rank(phrase, self.retriever._query_vector(search_text(q)), docs,
                                        lambda f: ranks.get(self._chunk_key(f)), usable)
        if not ranked and q.group and len(q.group) >= 2 and q.group.endswith(vocabulary().kind_words):
            # 税种 / 险种 (the kinds of tax): no list is introduced by the kind word, so the lists of
            # what precedes it (税收收入：其中增值税…) are asked over
            return self.ranked_groups(replace(q, group=q.group[:-1]), docs, ranks)
        if q.count:
            ranked = [r for r in ranked if len(r[1]) == q.count] or ranked
        return ranked

