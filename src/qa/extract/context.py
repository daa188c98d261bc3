"""Context of a figure: period, year, scope and status from its lead-in, its paragraph and its headings."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import _lexicon, _words, lex_cache, normalize_text
from .phrases import _scope_matches, find_periods


# ---------------------------------------------------------------------------
# document level

@lex_cache(maxsize=256)
def _previous_year_heading(path: str) -> bool:
    """Does a heading of `path` name the year before the report's (过去一年, 去年) before (deeper
    than) any heading that names a year?"""
    for h in [h for h in normalize_text(path).split(" > ") if h][::-1]:
        if re.search(r"(?:19|20)[0-9]{2}年", h):
            return False
        if re.search(r"过去一年|去年", h):
            return True
    return False


@lex_cache(maxsize=256)
def _section_defaults(path: str) -> tuple[int | None, str, str]:
    """(year, status, scope) named by the headings of a section path, deepest first."""
    lex = _lexicon().lex
    year = None
    status = ""
    scope = ""
    heads = [h for h in normalize_text(path).split(" > ") if h][::-1]
    for h in heads:
        if year is None:
            ym = re.search(r"((?:19|20)[0-9]{2})年", h)
            if ym:
                year = int(ym.group(1))
        if not status:
            for w in sorted(lex["context.status_heading_cues"], key=len, reverse=True):
                if w in h:
                    status = lex["context.status_heading_cues"][w]
                    break
        if not scope:
            sc = _scope_matches(h)
            if sc:
                scope = sc[-1][2]
    return year, status, scope


@lex_cache(maxsize=256)
def _section_topic(path: str) -> str:
    """The budget (一般公共预算, 政府性基金预算 …) the innermost two headings of `path` are about."""
    heads = [h for h in normalize_text(path).split(" > ") if h][::-1][:2]
    for h in heads:
        for name in _words("context.budget_names"):
            if name in h:
                return name
    return ""


_STATUS_SKIP = re.compile(r"(?:为|占|完成|达到)[^,;:。]{0,16}的")


def _status_in(s: str) -> str:
    lex = _lexicon().lex
    s = _STATUS_SKIP.sub("", s)
    best, pos = "", -1
    for w, st in lex["context.status_cues"].items():
        if w in ("完成", "实现"):
            continue  # too common to override the heading
        i = s.rfind(w)
        if i > pos:
            best, pos = st, i
    return best


_CLAUSE_END = re.compile(r"[，,；;。]")


def _own_verb_status(lead: str) -> str:
    """…收入年初预算为X万元，完成Y万元: a bare 完成/实现 opening the figure's own clause makes it
    the outturn; the budget word of the clause before names the figure before, not this one."""
    clauses = _CLAUSE_END.split(lead)
    clause = clauses[-1].strip()
    if len(clauses) < 2 or _status_in(clause):
        return ""
    lex = _lexicon().lex
    return next((lex["context.status_cues"][w] for w in ("完成", "实现")
                 if re.fullmatch(rf"(?:当年|全年|实际)?{w}(?:了|为)?", clause)), "")


@lex_cache(maxsize=1)
def _note_re() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["context.note_pattern"])


def _drop_parens(s: str) -> str:
    """The text outside parentheses. A scope spelt with them that opens a clause (；县(区)债务限额…)
    is a word, not a note: it stays, in its canonical form (部分县(市、区)调整了预算 names no scope)."""
    for start, end, canon in reversed(_scope_matches(s)):
        if "(" in s[start:end] and (start == 0 or s[start - 1] in ",;:。 \n"):
            s = s[:start] + canon + s[end:]
    out, depth = [], 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


@lex_cache(maxsize=1)
def _multi_year_re() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["context.multi_year_period"])


@lex_cache(maxsize=1)
def _previous_year_re() -> re.Pattern[str]:
    return re.compile(_lexicon().lex["context.previous_year_period"])


def _norm_period(period: str) -> str:
    """“十四五”时期 -> 十四五时期 (quotes carry no meaning in a period)."""
    return re.sub(r"[“”\"]", "", period)


def _is_compared(lead: str, pos: int) -> bool:
    """Is the period at `pos` in `lead` the object of a comparison (比2018年, 较“十三五”期间, 不高于2019年)?"""
    before = lead[max(0, pos - 4):pos]
    return any(before.endswith(w) for w in _lexicon().lex["context.comparison_before_period"])


def _period_year(period: str, fallback: int | None, report_year: int | None) -> int | None:
    """Year of a figure whose lead names no year: None for a span of years (十四五时期, 五年来),
    the year before the report's for 过去一年/去年, else the year of `period` or `fallback`."""
    if _multi_year_re().match(period):
        return None
    if _previous_year_re().match(period):
        return report_year - 1 if report_year else None
    return _year_of(period) or fallback


def _year_of(period: str) -> int | None:
    ym = re.search(r"((?:19|20)[0-9]{2})(?:年|[-—–~～至到])", period)
    return int(ym.group(1)) if ym else None




# --- the context of each figure ----------------------------------------------------------------
# Named like the sentence rules; each row records where its period, scope and status came from.
CONTEXT_RULES = {
    "context.period_lead": "全市2024年1-6月一般公共预算收入8.42亿元。",
    "context.period_paragraph": "五年来，全县财政保障能力持续增强。一般公共预算收入累计完成120.57亿元。",
    "context.period_title": "2025年1-9月财政收支情况\n二、主要收入项目\n国内增值税47913亿元，同比增长3.1%。",
    "context.scope_words": "全市和市本级税收占比分别提高1.5和2.3个百分点。",
    "context.scope_lead": "全区财政运行平稳，一般公共预算收入8.42亿元。",
    "context.scope_paragraph": "全县一般公共预算收入12.63亿元。教育支出5.23亿元。",
    "context.scope_heading": "一、全县预算执行情况\n一般公共预算收入12.63亿元。\n",
    "context.status_words": "全县一般公共预算支出完成45.37亿元，完成预算数48.0亿元的94.4%。",
    "context.status_own_verb": "全市政府性基金预算收入年初预算为47.34亿元，完成43.29亿元。",
    "context.status_lead": "全县一般公共预算收入预计完成12.63亿元。",
    "context.status_paragraph": "全县一般公共预算收入预计完成12.63亿元。教育支出5.23亿元。",
    "context.status_heading": "一、2025年预算执行情况\n全市一般公共预算收入20.177亿元。\n",
    "context.of_figure": "全县一般公共预算收入预算为30.57亿元，比上年实际完成数增加1.23亿元，增长4.1%。",
}


# marks that open a paragraph as a list item, before its words
_BULLETS = "—－-–●○■□◆◇▲△·•※★☆>＞ \u3000"


@dataclass
class Paragraph:
    """Period, year, scope and status a paragraph has stated so far (carried to later figures)."""

    period: str = ""
    scope: str = ""
    status: str = ""
    year: int | None = None


def paragraph_opening(t: str, a: int, report_year: int | None) -> Paragraph:
    """五年来，… / 过去一年，…: a paragraph opening with a span of years speaks of it throughout."""
    para = Paragraph()
    bullet = len(t[a:a + 6]) - len(t[a:a + 6].lstrip(_BULLETS))  # ———五年来，… / ●五年来，…
    opener = find_periods(t[a:a + 12 + bullet])
    if opener and opener[0].start() <= 2 + bullet:
        op = _norm_period(opener[0].group())
        if _multi_year_re().match(op) or _previous_year_re().match(op):
            para.period = op
            para.year = _period_year(op, None, report_year)
    return para


def _lead_of(t: str, a: int, r, rows: list) -> str:
    """The sentence text before a figure that can set its period, scope and status."""
    lead = t[a:r.from_pos if r.from_pos is not None else r.m.start]
    for o in rows:  # 市本级X亿元，县区X亿元: a breakdown's scope is its own
        if o.scope_only and o is not r and o.m.start < r.m.start:
            lead = lead[: o.seg_start - a] + " " * (o.m.start - o.seg_start) + lead[o.m.start - a:]
    if r.depth == 0:  # a note in parentheses (主要原因是2024年…) sets nothing for what follows
        lead = _drop_parens(lead)
    # nor does a stated reason: …主要原因是县市编制2025年预算时…；/ 因…补助县区等，
    return _note_re().sub("", lead)


def _period_and_year(lead: str, r, para: Paragraph, sec, doc_year: int | None) -> tuple[str, int | None, list]:
    ps = find_periods(lead)
    # 比2018年增长 / 较“十三五”期间的X亿元: a period compared against is the
    # baseline's own, not the period of the figures around it
    compared = [p for p in ps if _is_compared(lead, p.start())]
    ps = compared[-1:] if r.baseline and compared else [p for p in ps if p not in compared]
    period = _norm_period(ps[-1].group()) if ps else para.period
    year = None
    for p in reversed(ps):
        if _multi_year_re().match(_norm_period(p.group())):
            break  # 2021-2025年 / 十四五时期: a span of years names no one year
        year = _year_of(p.group())
        if year:
            break
    if year is None:
        year = _period_year(period, para.year or sec.year or doc_year, sec.report_year)
    if r.prev_year and year:
        year -= 1
    return period, year, ps


def _heads_clause(lead: str, p: re.Match[str]) -> bool:
    """2025年，全州… / 全市2024年1-6月…: a period at the head of its clause times the sentences
    after it; one after a verb (清算2023年度奖补资金) is its object's own year and
    times only its own figure."""
    head = re.split(r"[，。；：,;:\n]", lead[:p.start()])[-1]
    for a, b, _ in reversed(_scope_matches(head)):
        head = head[:a] + head[b:]
    return head.strip() in ("", *_lexicon().lex["context.clause_openers"])


def _first(named: list[tuple[str, str]], rules: list[str], what: str) -> str:
    """The first non-empty value of (source, value) pairs; its source is recorded as a rule."""
    for source, value in named:
        if value:
            rules.append(f"context.{what}_{source}")
            return value
    return ""


def figure_context(t: str, a: int, r, rows: list, para: Paragraph, sec, doc_year: int | None,
                   stated: dict) -> dict:
    """Period, year, scope, status of row `r` and the rules that made it (its own, then these).
    Updates `para` with what a level figure's lead states, and `stated` with this row's context."""
    lead = _lead_of(t, a, r, rows)
    rules = list(r.rules)
    period, year, ps = _period_and_year(lead, r, para, sec, doc_year)
    if period:
        rules.append("context.period_lead" if ps else "context.period_paragraph")
    elif sec.period:
        period = sec.period  # a release of the months so far: a figure with no period of its own is theirs
        rules.append("context.period_title")
    lead_scopes = _scope_matches(_STATUS_SKIP.sub("", lead))
    scope = _first([("words", r.scope), ("lead", lead_scopes[-1][2] if lead_scopes else ""),
                    ("paragraph", para.scope), ("heading", sec.scope)], rules, "scope")
    status = _first([("words", r.status), ("own_verb", _own_verb_status(lead)), ("lead", _status_in(lead)),
                     ("paragraph", para.status), ("heading", sec.status)], rules, "status")
    if r.kind == "level" and not r.scope_only and not r.baseline and r.depth == 0:
        if not ps or _heads_clause(lead, ps[-1]):
            para.period = period
            para.year = year if ps else para.year
        if lead_scopes:
            para.scope = lead_scopes[-1][2]
        para.status = _status_in(lead) or para.status
    if r.of is not None and id(r.of) in stated:
        # 比上年实际完成数减少X万元: a change of a figure is of its status, and of its
        # period and scope unless the words in between name their own (十年增加近70万亿元)
        between = t[r.of.m.end:r.m.start]
        o = stated[id(r.of)]
        status = o["status"]
        if not [p for p in find_periods(between) if not _is_compared(between, p.start())]:
            period, year = o["period"], o["year"]
        if not _scope_matches(between):
            scope = o["scope"]
        rules.append("context.of_figure")
    ctx = {"period": period, "year": year, "scope": scope, "status": status, "rules": rules}
    stated[id(r)] = ctx
    return ctx
