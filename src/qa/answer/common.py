"""What every operation of the answerer shares: the constraints a row must not contradict
(period, scope, status, year), numbers and units, how a winner is named, the trace records, and
the abstention record."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from ..candidates import Candidate
from ..figures import to_base
from ..matching import MATCH_THRESHOLD, chars_shared, coverage, dimension
from ..question import (LOWER_SCOPE, ONE_MONTH, SCOPE_ALIAS, Query, lower_scope_spelling, scope_level,
                        vocabulary)
from ..records import Answer, Citation, Figure
from ..rows import section_topic

if TYPE_CHECKING:
    from .answerer import Answerer


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
# verbs of change an item may hold (新建和改造提升高标准农田): asked with the verb, the amount is the change;
# an item opening with one (降低费用负担) is itself a change
_CHANGE_VERB = re.compile(r"降低|减少|减轻|节约|节省|压减|削减|减免|增加|提高|提升|新增|净增|净减|减税")
_CHANGE_ITEM = re.compile(rf"^(?:{_CHANGE_VERB.pattern})")
_COUNT_UNIT_ASKED = re.compile(r"多少(人次|万人|万户|人|户|个|家|所|项|笔|件|名|次|座|辆|套|亩|公里|处)|几(个|家|所|项|笔|件|名|人|户)")
_RATIO_WORDS = re.compile(r"完成率|完成了?预算|预算的|支付进度|执行进度")
_TOTAL_ASKED = re.compile(r"一共|总共|合计|共计|累计|总额|总量")
_MONTH_RANGE = re.compile(r"(\d{1,2})\s*[-—~～至到]\s*(\d{1,2})\s*月")
_UNTIL = re.compile(r"截[至止]\s*(?:\d{4}年)?\s*(\d{1,2})\s*月")


_ONE_MONTH_ASKED = re.compile(r"^\d{1,2}月$")


def period_key(period: str) -> str:
    """'2023年1-9月' / '截至9月底' -> '1-9月'; '6月当月' -> '6月'; '全年' -> '全年'; else ''."""
    if not period:
        return ""
    m = _MONTH_RANGE.search(period)
    if m:
        return f"{int(m.group(1))}-{int(m.group(2))}月"
    m = _UNTIL.search(period)
    if m:
        return f"1-{int(m.group(1))}月"
    m = ONE_MONTH.search(period)
    if m:
        return f"{int(m.group(1))}月"
    if "上半年" in period:
        return "1-6月"
    if "全年" in period:
        return "全年"
    return ""


def _scope_conflict(asked: str, fig: Figure) -> bool:
    if not asked:
        return False
    scope = fig.scope or ("本级" if "本级" in fig.section.split(" > ")[-1] else "")
    # 市级 budgets are the 本级 ones; an unlabelled row (or one whose word says no level) is not
    # excluded: the rows that do name the asked scope rank above it
    row, want = scope_level(scope), scope_level(asked)
    return bool(row and want) and row != want


def _status_conflict(asked: str, fig: Figure) -> bool:
    # 预计 is said both of this year's estimate and of next year's plan: no constraint
    if asked in _EXEC and fig.period == "年初" and fig.measure == "amount" and not re.search(r"余额|结余|结存|滚存", fig.item):
        return True  # 年初安排预备费X: what the year began with is the plan, not what was spent
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
    if years and _SPAN_OF_YEARS.search(fig.period or "") and not (asked and _SPAN_OF_YEARS.search(asked)):
        return True  # a five-year total is not the figure of one year (十四五（截至2025年） asks the span)
    if not asked:
        return False
    if _SPAN_OF_YEARS.search(asked):  # 十四五 asked: only figures stated over a span of years
        if fig.period and _SPAN_OF_YEARS.search(fig.period):
            return False  # a report looks back over one span (五年来 = 十四五 in its last year)
        if fig.period:
            return True  # stated for one year or part of one (全年新增…)
        return not (asked in said or _SPAN_OF_YEARS.search(said) or "年均" in said)
    have = period_key(fig.period)
    if _ONE_MONTH_ASKED.match(asked):
        return have != asked  # 6月当月: no report's own period is one month; only a row stating it
    return bool(have) and have != asked  # an unstated period is the report's own


def _point_conflict(asked: str, fig: Figure) -> bool:
    """A balance asked at the year's end (年末) is not the one at its start (年初), nor the reverse."""
    if not asked or not fig.period:
        return False
    other = "年初" if asked == "年末" else "年末"
    return other in fig.period or (other == "年末" and "年底" in fig.period)


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


# a zone of a city with its own budget (管理区, 开发区, 新区 …): a heading naming one owns the rows under it
_ZONE_WORDS = re.compile(r"管理区|开发区|新区|园区|示范区|试验区|高新区|经开区|功能区")
_ZONE_HEADING = re.compile(r"[\u4e00-\u9fff]{2,12}(?:管理区|开发区|新区|园区|示范区|试验区)")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、])\s*")


def _zone_heading(section: str) -> str:
    """The zone a row's section path is under (三、某某管理区 > （一）…: 某某管理区), '' when none."""
    for heading in section.split(" > "):
        name = _NUMBERING.sub("", heading).strip()
        if _ZONE_HEADING.fullmatch(name):
            return name
    return ""


def _place_said(place: str, f: Figure, text: str) -> bool:
    """Whether the row's item, its sentence up to the number or its heading names the place (永安 for
    永安市; 台州高新区 heading the row for 高新区; 三、某某管理区 above its sections), or spells out its short name (经开区 for 经济技术开发区)."""
    core = re.sub(r"(自治州|自治县|市|县|州|省|区)$", "", place) or place
    lead = text[f.sent_start:f.end] + "。" + section_topic(f.section) + "。" + _zone_heading(f.section)
    return core in f.item or core in lead or (len(place) >= 3 and bool(spelt_out(place, lead)))


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


def spelt_out(short: str, text: str) -> str:
    """'高新区' in '…某市高新技术产业开发区2025年…' -> '高新技术产业开发区': the shortest run of the
    text that opens with the short name's first character, holds its characters in order and ends with
    its last ('' when none is at most four times as long): how the report writes an abbreviated name."""
    best = ""
    for m in re.finditer(re.escape(short[0]), text):
        pos, ok = m.start(), True
        for ch in short[1:]:
            pos = text.find(ch, pos + 1)
            if pos < 0:
                ok = False
                break
        run = text[m.start():pos + 1] if ok else ""
        if run and len(run) <= 4 * len(short) and (not best or len(run) < len(best)):
            best = run
    return best


_NOTE = r"(?:（[^（）。；]{1,24}）|\([^()。；]{1,24}\))"  # a bracketed note: （含生育保险）, (含上划中央收入)


def with_notes(name: str, before: str) -> str:
    """The name as the report writes it just before its number, bracketed notes kept: 职工基本医疗
    保险基金收入 in '…职工基本医疗保险（含生育保险）基金收入' (the extractor drops notes from items; the
    answer's entity names the item the way the report does). The name itself when written without
    notes, or not found in `before` (the row's clause up to its number)."""
    if len(name) < 2 or not before:
        return name
    pattern = re.escape(name[0]) + "".join(f"{_NOTE}?{re.escape(c)}" for c in name[1:]) + f"(?:{_NOTE})?"
    found = list(re.finditer(pattern, before))
    if not found:
        return name
    spelt = found[-1].group(0)
    # (only the spelling that leads to the number: 收入（含…）为30亿元, not a mention earlier in the clause)
    return spelt if spelt != name and len(before[found[-1].end():].strip()) <= 3 else name


def _asked_name(q: Query, picked: list[Figure], win: Figure) -> str:
    """The winner of a comparison named as the question named it: its scope or year when the
    question compares one item across scopes or years, else the asked phrase when it names
    the item (城市低保 for 城市低保月人均保障水平), else the report's item."""
    i = next((k for k, f in enumerate(picked) if f is win), 0)
    if q.operand_scopes:
        scope = q.operand_scopes[min(i, len(q.operand_scopes) - 1)]
        if scope == LOWER_SCOPE:  # 县（市、区） / 区县级 as the question spells the levels below
            spelt = lower_scope_spelling(q.text)
            return spelt or scope
        said = [w for w, canon in SCOPE_ALIAS.items() if canon == scope and w in q.text]
        return said[0] if said and scope not in q.text else scope  # 市级 asked, 市本级 meant
    if q.operand_years and q.operand_statuses and len(set(q.items)) == 1:
        # a year's outturn against another year's target: the year and the item say which
        year = q.operand_years[min(i, len(q.operand_years) - 1)]
        planned = q.operand_statuses[min(i, len(q.operand_statuses) - 1)] in _PLAN
        return f"{year}年{q.items[0]}" + ("目标" if planned and "目标" in q.text else "")
    if q.operand_years:
        return f"{q.operand_years[min(i, len(q.operand_years) - 1)]}年"
    asked = q.items[i] if i < len(q.items) else ""
    if asked and coverage(asked, win.item) >= 0.99:
        # (居民医保人均补助标准 asked: the report's 居民医保人均财政补助标准, when not much longer)
        return win.item if len(win.item) <= 2 * len(asked) else asked
    if asked and len({f.item for f in picked}) == 1:
        # both rows carry one name (核减率): only the question tells them apart (工程结算评审核减率)
        rest = asked[:-len(win.item)] if asked.endswith(win.item) else asked
        return rest if len(rest) >= 2 else asked
    return win.item


def _winner_name(q: Query, members: list[Figure], win: Figure, named: str | None = None) -> str:
    """The winner of contenders the question listed, named so staff recognise it: by what sets
    it apart when all share a long tail ('城乡一体化示范区' of '…一般公共预算收入'), else as the
    question named it (`named`: the listed name matched to it) when the report's name contains
    that or does not name it at all."""
    items = [f.item for f in members]
    # the question's word the winner's name holds, wherever it stands in the question's list
    held = [a for a in q.items if len(a) >= 2 and a in win.item]
    if held:
        # 政府性基金预算收入 asked (四本预算), 地方政府性基金预算收入 in the report: the family's name; a name
        # the question wrote is given as the report names it when that is at most twice as long
        # (营商环境 -> 不断改善营商环境), else in the question's words
        asked = max(held, key=len)
        return win.item if asked in q.norm and len(win.item) <= 2 * len(asked) else asked
    tail = 0
    while tail < min(map(len, items)) and len({it[len(it) - tail - 1] for it in items}) == 1:
        tail += 1
    if tail >= 4 and len(win.item) - tail >= 2:
        from ..tokenizer import cut
        ends, at = set(), 0
        for w in cut(win.item):
            at += len(w)
            ends.add(at)
        # (城乡一体化示范区, not 城乡一体化示范: the name ends where a word of it ends)
        return win.item[:min((e for e in ends if e >= len(win.item) - tail), default=len(win.item) - tail)]
    if len(q.items) != len(members):
        return win.item
    # the name the question gave this member (治水 for 水污染防治), else the one its words are nearest
    asked = named if named and coverage(named, win.item) >= max(coverage(a, win.item) for a in q.items) \
        else max(q.items, key=lambda a: coverage(a, win.item))
    core = re.sub(r"(支出|收入|资金|债券|余额|经费|补助|投入)$", "", asked) or asked
    if win.item in asked:
        return win.item  # 80岁以上高龄补贴 asked, 高龄补贴 in the report
    if asked in win.item or core in win.item and len(core) >= 2:
        return asked if asked in win.item else core
    # (治水 for 水污染防治: the report's name says it in other words, so the report's name)
    return core if coverage(core, win.item) < 0.5 and chars_shared(core, win.item) < 0.5 else win.item


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
            "status": q.status or None, **({"said_with": q.said_with} if q.said_with else {})}


def _row_trace(ans: "Answerer", f: Figure) -> dict:
    return {"doc": f.doc, "item": f.item, "value": format(f.value, "f"), "unit": f.unit,
            "period": f.period or None, "scope": f.scope or None, "status": f.status or None, "year": f.year,
            "start": f.start, "end": f.end, "sentence": ans.index.documents[f.doc].text[f.sent_start:f.sent_end][:120]}


def _candidate_trace(ans: "Answerer", c: Candidate) -> dict:
    return {**_row_trace(ans, c.fig), "probability": round(c.prob, 4),
            "features": {k: round(v, 3) for k, v in c.features.items() if v}}


def _operation(q: Query, a: Answer, done: str | None = None) -> dict:
    """What the answer's operation was (`done`: the one the part that answered reports, when it is
    not the one the question asked, e.g. level_before for a lookup), its operands and result."""
    name = done if isinstance(done, str) and done else q.op or q.qtype
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
    if not (q.operand_scopes or q.operand_years or q.operand_statuses or q.operand_points):
        return q
    changes: dict = {}
    if q.operand_points:
        changes["point"] = q.operand_points[min(i, len(q.operand_points) - 1)]
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
