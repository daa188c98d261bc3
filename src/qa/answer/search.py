"""Row search: the rows that may be the asked item, scored by how well their item or clause says
the asked phrase, and ruled out when a hard constraint (place, period, scope, status, year) contradicts them.

A part of the Answerer (answerer.py); it reads the index, the retriever and the other parts
through `self`."""
from __future__ import annotations

import bisect
import re
import threading
from collections import defaultdict

from ..matching import (
    GENERIC_ITEM,
    MATCH_THRESHOLD,
    NUMBERS,
    bigrams,
    chars_shared,
    context_similarity,
    coverage,
    dimension,
    item_similarity,
    same_kind,
)
from ..english import names_measure
from ..question import Query, distinct_names, scope_level, scope_words, variants, vocabulary
from ..candidates import outturn_by_default
from ..records import Figure
from ..rows import section_topic
from .common import (
    _AMOUNT_CHANGE,
    _CHANGE_ITEM,
    _COUNT_UNIT_ASKED,
    _COUNT_UNITS,
    _EXEC,
    _FLOW_WORDS,
    _PLAN,
    _RATIO_WORDS,
    _SPAN_OF_YEARS,
    _STOCK_WORDS,
    _TOTAL_ASKED,
    MATCH_FLOOR,
    Scored,
    _period_conflict,
    _point_conflict,
    _place_said,
    _scope_conflict,
    _status_conflict,
    _year_conflict,
    period_key,
    with_notes,
    _ZONE_WORDS,
    _zone_heading,
)


_MEMO = threading.local()
# a budget's bare head (一般公共预算收入): the budget's name is the item's, not a section's
_BARE_HEADS = frozenset(("收入", "支出", "总收入", "总支出", "收支"))
# a row named by the phrase's last words, the words before them said by its sentence (评审项目审减 for
# …评审项目N个，…审减Y亿元): above the threshold, below a row whose own item says the whole phrase
WHOSE_ITEM_SIMILARITY = MATCH_THRESHOLD + 0.08
_MONEY_TAIL = re.compile(r"(?<=..)(资金|金额|数额|总额)$")
# an item that lists several names (A、B、C等其他…): their sum, not any one of them
_ENUMERATION = re.compile(r"、[^、]{1,12}等")
# words that ask for money, so that a count (人, 万名, 个) cannot answer
_MONEY_ASKED = re.compile(r"钱|金额|资金|经费|投入|[亿万]?元")
# an item whose head is money (发了多少惠农补贴): the 万户 it reached is not it
_MONEY_HEAD = re.compile(r"(补贴|补助|资金|经费|支出|债券|拨款|奖补|奖励金|贷款)$")


# a bracketed note saying what a figure leaves out: （不含自然资源）, (不包括金融企业)
_EXCLUSION_NOTE = re.compile(r"[（(](?:不含|不包括|未含|不包含|扣除)([^（）()]{2,30})[）)]")


class RowSearch:
    """Row search: the rows that may be the asked item, scored by how well their item or clause says"""

    def candidates(self, phrase: str, q: Query, docs: list[str] | None, ranks: dict[str, int],
                   strict: bool = True) -> list[Scored]:
        """Rows whose item matches `phrase` and that do not contradict the question, best first.
        (Remembered for the question being answered: its operations ask the same search again.)"""
        key = (phrase, tuple(docs) if docs else None, strict, repr(sorted(q.__dict__.items())))
        # one memo per thread (the app answers several people at once), kept for one question: its ranks
        memo = getattr(_MEMO, "candidates", None)
        if memo is None or memo[0] is not ranks:
            memo = _MEMO.candidates = (ranks, {})
        if key not in memo[1]:
            memo[1][key] = self._candidates(phrase, q, docs, ranks, strict)
        return list(memo[1][key])

    def _candidates(self, phrase: str, q: Query, docs: list[str] | None, ranks: dict[str, int],
                    strict: bool) -> list[Scored]:
        searched = [d for d in docs if d in self.bigram_rows] if docs else list(self.bigram_rows)
        ids: set[int] = set()
        for v in variants(phrase):
            for g in bigrams(v):
                for d in searched:
                    ids |= self.bigram_rows[d].get(g, set())
        # a budget subject asked by its own name (教育支出) is that subject's row, not a clause
        # that mentions education; everyday wording (在教育上投了多少) may match a clause
        # (an English question says it formally when it names the measure as a noun: tax revenue)
        said_formally = q.english and names_measure(q.text)
        formal = bool(re.search(r"(支出|收入)$", phrase)) and (phrase in q.text or said_formally)
        in_context = set() if formal else self._context_ids(phrase, searched)
        # 个税 asked: 个人所得税, the name it shortens (no character pair of the two in common)
        shortened = {self._row_index[id(f)] for d in searched for f in self.rows_by_initial[d].get(phrase[0], ())
                     if abbreviates(phrase, f.item)} if _SHORT_NAME.fullmatch(phrase) else set()
        ids |= shortened
        # 投入了多少 was rewritten to 支出: the kind is ours, not the question's
        kind_said = bool(re.search(r"(支出|收入)$", phrase)) and (phrase[-2:] in q.text or said_formally)
        allowed = set(docs) if docs else None
        named = distinct_names(phrase)
        # the local governments' part of a national total (地方…, not 地方政府…, which is any debt's owner)
        local_part = phrase.startswith("地方") and not phrase.startswith("地方政府")
        driver = q.said_with.get(phrase, "")
        # a budget's name before the item (一般公共预算预备费): the section may say it instead
        budgets = vocabulary().families.get("四本预算", ())  # (the four budgets, data/synonyms.json)
        in_budget = next(((b, phrase[len(b):]) for b in budgets if phrase.startswith(b)
                          and len(phrase) - len(b) >= 2 and phrase[len(b):] not in _BARE_HEADS), None)
        vocab = vocabulary()
        out = []
        for i in ids | in_context:
            f = self.index.figures[i]
            if vocab.not_the_part(phrase, f.item):
                continue  # 存款余额 asked: 存贷款余额 is deposits and loans together, 贷款余额 the other
            if allowed is not None and f.doc not in allowed:
                continue
            if named and not all(n in f.item or n in self.context[i] for n in named):
                continue  # 增值税 asked: 税收收入 is not it, however alike the words
            if named and _ENUMERATION.search(f.item) and not _ENUMERATION.search(phrase):
                continue  # 烟叶税 asked: 车船税、船舶吨税、烟叶税等…合计 is several taxes together
            if driver and chars_shared(driver, self.said_around(f)) < 0.75:
                continue  # 以旧换新带动的消费 asked: 消费券拉动的消费 is another driver's
            if local_part and f.scope == "全国" and "地方" not in f.item + self.context[i] + self.said_around(f):
                continue  # 地方税收收入 asked of a national report: 全国税收收入 is the whole
            if self._excluded_by_note(phrase, f):
                continue  # 国有资产（不含自然资源）: the row says it is not the 自然资源 asked
            s = item_similarity(phrase, f.item, kind_said) if i in ids else 0.0
            if i in shortened:
                s = max(s, ABBREVIATION_SIMILARITY)
            if in_budget and i in ids and in_budget[0] in f.section:
                # 一般公共预算预备费 asked: the 预备费 of the section on that budget
                s = max(s, item_similarity(in_budget[1], f.item, kind_said))
            if f.parent and coverage(f.item, phrase) >= 0.8:
                # the parent only disambiguates an item the question already names (and its own
                # parent: 再融资债券 > 专项债券 > 转贷市县X亿元)
                s = max(s, item_similarity(phrase, self._lineage(i) + f.item))
            if i in ids and s < MATCH_THRESHOLD and self._named_after_its_subject(phrase, f):
                s = WHOSE_ITEM_SIMILARITY
            if i in in_context and s < MATCH_THRESHOLD and (not kind_said or same_kind(phrase, f.item + self.context[i])):
                said = context_similarity(phrase, self.context[i])
                if said > s and not self._owned_by_earlier(phrase, i, said):
                    s = said
            if s < MATCH_FLOOR:
                continue
            if s < 1.0 and q.qtype in ("lookup", "change") and not q.op and self._narrower_asked(phrase, f, i):
                continue
            if s < 1.0 and self._sibling_asked(phrase, f, i):
                continue
            if strict and self._conflicts(q, f):
                continue
            s += self._context_bonus(q, f, ranks)
            out.append(Scored(f, s))
        out.sort(key=lambda x: (-x.score, x.fig.doc, x.fig.start))
        if strict and not q.status and q.qtype in ("lookup", "change") and not q.op:
            out = outturn_by_default(out)  # (operations over a budget and its outturn need both)
        return out

    def _named_after_its_subject(self, phrase: str, f: Figure) -> bool:
        """Whether the phrase is the row's item after what its sentence says it is of: 评审项目审减
        asked, …完成评审项目N个，审定X亿元，审减Y亿元 stated (the item ends the phrase, every word
        before it stands earlier in the row's sentence)."""
        item = _MONEY_TAIL.sub("", f.item)  # (审减了多少钱 asked of 审减资金: the money is the row's unit)
        if len(item) < 2 or item in _BARE_HEADS or GENERIC_ITEM.match(item) or not phrase.endswith(item):
            return False
        subject = phrase[:-len(item)]
        return len(subject) >= 2 and subject in self._sentence_before(f)

    def _split_by_level(self, f: Figure) -> bool:
        """Whether the rows after the row in its sentence split it by level of government
        (rows of its item, or naming it as their parent, that carry a level's scope)."""
        figures = self.index.figures
        i = self._row_index.get(id(f))  # (rows built at question time, as a list's members, have none)
        if i is None:
            return False
        j = i + 1
        while j < len(figures) and figures[j].doc == f.doc and figures[j].sent_start == f.sent_start:
            g = figures[j]
            if g.parent == f.item and scope_level(g.scope) in ("own", "lower"):
                return True
            j += 1
        return False

    def _lineage(self, i: int) -> str:
        """The row's parents, outermost first, as its sentence states them: the parent's own row
        (the nearest earlier row of the sentence named like it) lends its parent in turn."""
        figures, out, seen = self.index.figures, [], set()
        f = figures[i]
        while f.parent and f.parent not in seen:
            seen.add(f.parent)
            out.append(f.parent)
            j = i - 1
            while j >= 0 and figures[j].doc == f.doc and figures[j].sent_start == f.sent_start \
                    and (figures[j].item != f.parent or figures[j].parent == f.parent):  # (not a sibling)
                j -= 1
            if j < 0 or figures[j].doc != f.doc or figures[j].sent_start != f.sent_start:
                break
            i, f = j, figures[j]
        return "".join(reversed(out))

    def as_reported(self, f: Figure, name: str) -> str:
        """A row's item named as an answer's entity the way the report writes it (its bracketed
        notes kept, common.with_notes); any other name as given."""
        if name != f.item:
            return name
        return with_notes(name, self.index.documents[f.doc].text[f.sent_start:f.start])

    def _excluded_by_note(self, phrase: str, f: Figure) -> bool:
        """Whether the row's own name carries a note excluding what the phrase asks for: 国有资产
        （不含自然资源）总额 is no answer to 国有自然资源资产."""
        before = self.index.documents[f.doc].text[max(f.sent_start, f.start - 40):f.start]
        for note in _EXCLUSION_NOTE.findall(before):
            for term in re.split(r"[、和及与,，]", note):
                if len(term) >= 2 and term in phrase and term not in f.item:
                    return True
        return False

    def said_around(self, f: Figure) -> str:
        """The words that say whose the row is: its heading (（二）台州经济开发区) and its sentence."""
        return section_topic(f.section) + "。" + self._sentence_before(f)

    def _sentence_before(self, f: Figure) -> str:
        """The row's sentence up to its number (and the sentence before it: 发放消费券X万元，拉动消费Y亿元
        may stand as two)."""
        text = self.index.documents[f.doc].text
        start = text.rfind("。", 0, max(f.sent_start - 1, 0)) + 1
        return text[start:f.start]

    def _narrower_asked(self, phrase: str, f: Figure, i: int) -> bool:
        """Whether the phrase names a part of the row's item: the phrase is the item with a run
        inserted before its head (教育 of 一般公共预算教育支出 for the row 一般公共预算支出) that
        the row's parent, clause and section never say: the whole is not the part asked."""
        # only the plainest case: the phrase is the row's item with a run inserted before its head
        head = f.item[-2:]
        if head not in ("支出", "收入") or len(f.item) < 4 or not phrase.endswith(head) \
                or not phrase.startswith(f.item[:-2]):
            return False
        run = phrase[len(f.item) - 2:-2]
        if not 2 <= len(run) <= 6:
            return False
        return run not in f.parent + self.context[i] + section_topic(f.section)

    def _sibling_asked(self, phrase: str, f: Figure, i: int) -> bool:
        """Whether the phrase names another member of the list the row stands in: the row is a
        part of its parent (其中 失业保险基金收入), or the asked member stands in the row's
        sentence (还本支出…，付息支出…), and phrase and item share their head but each
        qualifies it with words the other never says (长期护理保险基金收入 asked): a member the
        report does not list, not this one. (Qualifiers that share characters, 市对 and 市里, may
        be two spellings of one.)"""
        n = 0  # the head both end in (保险基金收入), then what both open with (政府债务…支出)
        while n < min(len(phrase), len(f.item)) and phrase[-1 - n] == f.item[-1 - n]:
            n += 1
        p = 0
        while p < min(len(phrase), len(f.item)) - n and phrase[p] == f.item[p]:
            p += 1
        own_row, own_asked = f.item[p:len(f.item) - n], phrase[p:len(phrase) - n]
        if n < 2 or p + n < SIBLING_HEAD_MIN or len(own_row) < 2 or len(own_asked) < 2:
            return False
        said = f.item + self.context[i]
        if not (coverage(own_row, phrase) == 0 and coverage(own_asked, said) == 0
                and chars_shared(own_row, phrase) < 0.5 and chars_shared(own_asked, said) < 0.5):
            return False
        # a member of a list: its parent says so, or the asked member stands in the same sentence
        # (还本支出X亿元，付息支出Y亿元: 付息 asked is the other row's)
        return bool(f.parent) or any(g is not f and g.sent_start == f.sent_start and own_asked[-2:] in g.item
                                     for g in self.rows_by_doc[f.doc])

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

    def _context_ids(self, phrase: str, docs: list[str]) -> set[int]:
        """Rows of `docs` whose leading clause holds most of the character pairs of the phrase (or
        of one of its synonym variants)."""
        phrase = NUMBERS.sub("", phrase)
        if len(phrase) < 3:
            return set()
        out: set[int] = set()
        for v in variants(phrase):
            grams = bigrams(v)
            counts: dict[int, int] = defaultdict(int)
            for g in grams:
                for d in docs:
                    for i in self.bigram_context[d].get(g, ()):
                        counts[i] += 1
            need = max(2, int(0.7 * len(grams) + 0.5))
            out |= {i for i, n in counts.items() if n >= need}
        return out

    def _conflicts(self, q: Query, f: Figure) -> bool:
        return bool(self.conflict(q, f))

    def conflict(self, q: Query, f: Figure) -> str:
        """The hard constraint that rules the row out for the question ("" when none):
        place, scope, status, year, period, or measure (a change is not the level asked)."""
        doc = self.index.documents[f.doc]
        if q.unknown_places and not any(_place_said(p, f, doc.text) for p in q.unknown_places):
            return "place"  # 永安市 asked: a figure of all 三明 is not 永安's
        if not q.unknown_places and not _ZONE_WORDS.search(q.norm) and _zone_heading(f.section):
            return "place"  # 三、某某管理区 > …: the zone's own figure answers no question about the city
        if q.scope and "本级" in q.scope and not f.scope and not _scope_said_before(q.scope, f, doc.text):
            return "scope"  # an unlabelled figure is 本级 only if its paragraph says so before it
        averaged_row = "年均" in doc.text[max(f.sent_start, f.start - 8):f.start]  # 年均增长N%
        averaged_change = f.change_end is not None and "年均" in doc.text[f.end:f.change_end]  # …Y亿元，年均增长N%
        averaged = averaged_row or averaged_change
        if q.yearly_average and not averaged:
            return "period"  # 年均增长多少: a year's own growth is not the average over the span
        said = ""
        if q.period and _SPAN_OF_YEARS.search(q.period):
            said = f.section + doc.text[doc.text.rfind("\n", 0, f.start) + 1:f.end + 12]
        elif q.years and len(q.years) == 1 and averaged_row:
            return "year"  # 年均增长N%: an average over years, not the asked year's growth
        elif q.years and len(q.years) == 1 and q.attribute == "change" and averaged_change:
            return "year"  # …增加至2025年的Y亿元，年均增长N%: the level is the year's, the change is not
        if _scope_conflict(q.scope, f):
            return "scope"
        if scope_level(q.scope) in ("own", "lower") and not f.scope and self._split_by_level(f):
            return "scope"  # …一般债券X亿元，市级留用Y亿元，分配县（市、区）Z亿元: X is both levels' whole
        if _status_conflict(q.status, f):
            return "status"
        if _year_conflict(q.years, f, doc.years):
            return "year"
        if _point_conflict(q.point, f) or not (q.yearly_average and averaged) \
                and _period_conflict(q.period, f, q.years, said):
            return "period"  # (…增长至2025年的Y，年均增长N%: the average is the span's, whatever year Y is)
        if q.attribute == "standard" and q.qtype == "lookup" and f.measure == "change":
            return "measure"  # 标准提高后是多少: 标准提高20元 says by how much, not the standard
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
            want = "" if want == "个" else want  # 个 counts anything (how many → 多少个)
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
        if (f.measure == "count" or f.unit in _COUNT_UNITS) and (
                _MONEY_ASKED.search(q.norm) or any(_MONEY_HEAD.search(i) for i in q.items[:1])):
            return old - 0.25  # 教育投入是多少: money, not the 7万名 pupils the clause also counts
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

    def _former_value(self, f: Figure) -> Figure | None:
        """The value the same sentence says the item had before (由X提高到Y, 从X增加到Y)."""
        for g in self.rows_by_doc[f.doc]:
            if (g.sent_start == f.sent_start and g.start < f.start and g.qualifier == "原"
                    and g.item == f.item and dimension(g) == dimension(f)):
                return g
        return None

    def _said_before(self, f: Figure) -> str:
        i = self._row_index.get(id(f))
        return self.context[i] if i is not None else ""


ABBREVIATION_SIMILARITY = 0.8  # a short name the item spells out (个税: 个人所得税): as good as most matches
_SHORT_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")


def abbreviates(short: str, item: str) -> bool:
    """Whether `short` is a Chinese short name of `item`: its characters in order, the first
    opening the item, the last in the item's head (its last two characters), and the item at
    least two characters longer (个税: 个人所得税; 医保: 医疗保险)."""
    if len(item) < len(short) + 2 or item[0] != short[0] or short[-1] not in item[-2:]:
        return False
    k = 0
    for ch in item:
        if k < len(short) and ch == short[k]:
            k += 1
    return k == len(short) and short not in item


SIBLING_HEAD_MIN = 4  # characters two list members share around their own words (保险基金收入, 政府债务…支出)


# a numbered or bulleted line ((1) 税收收入…, 1. …, ● …) continues the statement of the line above it
_SUB_ITEM = re.compile(r"\s*(?:[（(]\d{1,2}[）)]|\d{1,2}[.．、](?!\d)|[●■◆▲•·]|——)")


def _scope_said_before(scope: str, f: Figure, text: str, lines_up: int = 3) -> bool:
    """Whether the row's section, or its line up to the row, says the asked 本级 scope (本级, 市级 …);
    a numbered sub-item's line is read with the lines that introduce it (2020年市级一般公共预算
    收入… / 具体安排情况是： / （1）税收收入…，其中增值税…)."""
    words = scope_words(scope)
    if any(w in f.section for w in words):
        return True
    end = f.start
    start = text.rfind("\n", 0, end) + 1
    for _ in range(lines_up + 1):
        if any(w in text[start:end] for w in words):
            return True
        line = text[start:end]
        if not (_SUB_ITEM.match(line) or line.rstrip().endswith(("：", ":"))) or start == 0:
            return False  # (a line ending in a colon only introduces the ones below it)
        end = start - 1
        start = text.rfind("\n", 0, end) + 1
    return False
