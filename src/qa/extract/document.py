"""A report -> its figure rows: sentences read by the rules (engine.py), then each row's period,
year, scope and status from its lead-in, its paragraph and its section headings (context.py)."""
from __future__ import annotations

import re

from dataclasses import dataclass

from ..records import Document, Figure
from ..segment import parse_sections, section_path_at
from .context import (Paragraph, _norm_period, _previous_year_heading, _section_defaults, _section_topic,
                      _year_of, figure_context, paragraph_opening)
from .engine import read_sentence
from .nouns import topic_of_sentence
from .lexicon import normalize_text
from .phrases import find_periods
from .registry import Row
from .sentences import split_sentences
from .tables import Table, find_tables, table_figures


@dataclass
class _Section:
    path: str
    year: int | None
    status: str
    scope: str
    report_year: int | None
    topic: str
    period: str = ""  # the part of a year the report's title covers (2025年1-9月财政收支情况): its rows' default


def _section(doc: Document, sections: list, a: int) -> _Section:
    path = section_path_at(sections, a) if sections else ""
    h_year, h_status, h_scope = _section_defaults(path)
    # the year the report is given in: its latest year (a 2025 execution + 2026 draft report
    # is given in 2026, so its 去年 is 2025)
    report_year = max(doc.years) if doc.years else h_year
    if report_year and _previous_year_heading(path):
        h_year = report_year - 1  # 一、过去一年和五年工作回顾: it reviews the year before
    return _Section(path, h_year, h_status, h_scope, report_year, _section_topic(path), _title_period(doc))


def _title_period(doc: Document) -> str:
    """上半年 / 1-9月 when the report's title names a part of a year (a release of the months so far)."""
    title = doc.title or doc.text.split("\n", 1)[0]
    found = [_norm_period(p.group()) for p in find_periods(title[:60])]
    return next((p for p in found if re.search(r"月|季度|半年", p)), "")


def _figures(doc: Document, r: Row, ctx: dict, a: int, b: int, path: str) -> list[Figure]:
    """The rows of one figure: one per item (A和B均为x gives two), a change row's value as its change."""
    out = []
    ch = r.change
    for item in [r.item] + r.dup_items:
        fig = Figure(
            doc=doc.name, item=item, value=r.m.value, value_text=r.m.value_text, unit=r.m.unit,
            measure=r.measure or "amount", start=r.m.start, end=r.m.end, sent_start=a, sent_end=b,
            section=path, direction=r.direction,
            change_value=ch.value if ch else None, change_unit=ch.unit if ch else None,
            change_start=ch.start if ch else None, change_end=ch.end if ch else None,
            period=ctx["period"], year=ctx["year"], status=ctx["status"],
            scope=ctx["scope"], parent=r.parent, qualifier=r.qualifier, rules=list(ctx["rules"]),
        )
        if r.kind == "change":
            fig.change_value, fig.change_unit = r.m.value, r.m.unit
            fig.change_start, fig.change_end = r.m.start, r.m.end
        out.append(fig)
    return out


def _table_rows(doc: Document, t: str, tables: list[Table], sections: list) -> list[Figure]:
    """The rows of the report's text tables, in the context of their section and caption."""
    out = []
    doc_year = doc.years[0] if len(doc.years) == 1 else None
    for table in tables:
        sec = _section(doc, sections, table.start)
        caption = find_periods(table.caption)
        period = _norm_period(caption[-1].group()) if caption else ""
        ctx = {"period": period, "year": _year_of(period) or sec.year or doc_year, "status": sec.status,
               "scope": sec.scope}
        for f in table_figures(doc.name, t, table, ctx, sec.report_year):
            f.section = sec.path
            out.append(f)
    return out


def extract_figures(doc: Document) -> list[Figure]:
    """Every figure stated in `doc.text`, in text order.

    Each Figure has `doc.text[start:end]` = number + unit (starting with the number) and
    `doc.text[sent_start:sent_end]` = its sentence; item, measure, change, period, year, status,
    scope, parent, section and qualifier are filled where the text says them, and `rules` names
    the rules that made the row.
    """
    t = normalize_text(doc.text)
    try:
        sections = parse_sections(doc.text)
    except Exception:  # noqa: BLE001 - a heading parser bug must not lose the figures
        sections = []
    tables = find_tables(t)
    out: list[Figure] = _table_rows(doc, t, tables, sections)
    para = Paragraph()
    cur_para = -1
    prev_lead: Row | None = None
    earlier: list[Row] = []
    topic_sentence = ""
    doc_year = doc.years[0] if len(doc.years) == 1 else None
    for a, b, pno in split_sentences(t):
        if any(tb.start <= a and b <= tb.end for tb in tables):
            continue  # a table's lines are read as cells (tables.py)
        sec = _section(doc, sections, a)
        if pno != cur_para:
            cur_para = pno
            para = paragraph_opening(t, a, sec.report_year)
            earlier = []
            topic_sentence = ""
        rows = read_sentence(t, a, b, prev_lead, sec.topic, tuple(earlier[-12:]), topic_sentence)
        topic_sentence = "" if rows else topic_of_sentence(t[a:b])
        stated: dict[int, dict] = {}
        for r in rows:
            ctx = figure_context(t, a, r, rows, para, sec, doc_year, stated)
            out.extend(_figures(doc, r, ctx, a, b, sec.path))
        lead_rows = [r for r in rows if r.kind == "level" and not r.baseline]
        prev_lead = lead_rows[0] if lead_rows else None
        earlier.extend(lead_rows)
    out.sort(key=lambda f: (f.start, f.item))
    return out
