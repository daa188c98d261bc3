"""Text tables: lines of cells — 科目 | 预算数 | 执行数 | 增长%, tab-separated (a Word table's rows, see
formats.py) or separated by two spaces or more — become one row per number cell: the row heading is
the item, the column heading gives the status (预算数, 执行数, 决算数), the period (2024年), or says the
cell is a change (增长%, 增减) or a ratio (完成预算%, 占比); the unit comes from the column heading
(预算数（万元）), a caption (单位：万元) or the cell. Each row is cited by its cell's span.

Named like the sentence rules (TABLE_RULES); each row records the ones that made it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records import Figure
from .context import _year_of
from .lexicon import _lexicon, _words
from .mentions import _match_unit
from .numbers import parse_number
from .phrases import find_periods

TABLE_RULES = {
    "tables.cell": "单位：亿元\n科目 | 预算数 | 执行数\n税收收入 | 9.6 | 9.1",
    "tables.row_heading": "单位：亿元\n科目 | 预算数 | 执行数\n一、税收收入 | 9.6 | 9.1",
    "tables.subitem": "单位：亿元\n科目 | 预算数 | 执行数\n税收收入 | 9.6 | 9.1\n其中：增值税 | 4.0 | 4.2",
    "tables.column_status": "单位：亿元\n科目 | 预算数 | 执行数\n税收收入 | 9.6 | 9.1",
    "tables.column_period": "单位：亿元\n科目 | 2023年 | 2024年\n税收收入 | 8.8 | 9.1",
    "tables.change_column": "单位：亿元\n科目 | 执行数 | 增长%\n税收收入 | 9.1 | 6.5",
    "tables.change_on_figure": "单位：亿元\n科目 | 执行数 | 增长%\n税收收入 | 9.1 | 6.5",
    "tables.ratio_column": "单位：亿元\n科目 | 执行数 | 完成预算%\n税收收入 | 9.1 | 94.8",
    "tables.unit_caption": "单位：万元\n科目 | 预算数 | 执行数\n税收收入 | 96000 | 91000",
    "tables.unit_column": "科目 | 预算数（亿元） | 执行数（亿元）\n税收收入 | 9.6 | 9.1",
    "tables.unit_row": "项目 | 2023年 | 2024年\n教育支出（亿元） | 4.8 | 5.2",
    "tables.column_item": "单位：亿元\n险种 | 收入 | 支出\n城乡居民基本养老保险基金 | 6.5 | 5.8",
}

_SEP = re.compile(r"[ ]*\|[ ]*|\t|[ ]{2,}")
_NUMBER_CELL = re.compile(r"([-+]?)([0-9][0-9,]*(?:\.[0-9]+)?)[ ]*(\S*)")
_BLANK = {"", "-", "—", "/", "…", "——"}
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|[0-9]{1,2}[.、](?![0-9])|\([0-9]{1,2}\))")
_CAPTION_UNIT = re.compile(r"单位[:：][ ]*(\S+)|[(（][ ]*(?:单位[:：])?[ ]*([^()（）]{1,4})[ ]*[)）]")


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class Table:
    header: list[Cell]
    rows: list[list[Cell]]
    lines: list[tuple[int, int]]  # spans of the data rows' lines
    start: int  # first character of the header line
    end: int  # end of the last line
    unit: str = ""  # from a caption (单位：万元)
    caption: str = ""  # the lines just above the table (title, unit)
    rules: list[str] = field(default_factory=list)


def _cells(t: str, a: int, b: int) -> list[Cell]:
    """A line's cells with their spans; a leading/trailing | frames the row and makes no cell."""
    out, pos = [], a
    for m in list(_SEP.finditer(t, a, b)) + [None]:
        end = m.start() if m else b
        raw = t[pos:end]
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        out.append(Cell(text, pos + lead, pos + lead + len(text)))
        pos = m.end() if m else b
    while out and not out[0].text:
        out.pop(0)
    while out and not out[-1].text:
        out.pop()
    return out


def _number(cell: Cell) -> re.Match | None:
    m = _NUMBER_CELL.fullmatch(cell.text)
    if m and m.group(3) and m.group(3) != "%" and not _match_unit(m.group(3), 0):
        return None  # 3个方面 / 2024年: not a number cell
    return m


def _lines(t: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in t.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def find_tables(t: str) -> list[Table]:
    """Blocks of two lines or more with the same number (three or more) of cells, the first a header
    of words, the others a heading and numbers."""
    lines = _lines(t)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        header = _cells(t, *lines[i])
        j = i + 1
        rows = []
        while j < len(lines) and len(header) >= 3 and not any(_number(c) for c in header[1:]):
            cells = _cells(t, *lines[j])
            if len(cells) != len(header) or _number(cells[0]) or not any(_number(c) for c in cells[1:]):
                break
            rows.append(cells)
            j += 1
        if rows:
            above = t[lines[max(0, i - 2)][0]:lines[i][0]]
            tables.append(Table(header, rows, lines[i + 1:j], lines[i][0], lines[j - 1][1],
                                unit=_caption_unit(above), caption=above))
            i = j
        else:
            i += 1
    return tables


def _caption_unit(text: str) -> str:
    for m in _CAPTION_UNIT.finditer(text):
        u = (m.group(1) or m.group(2) or "").strip()
        if u in _lexicon().units:
            return u
    return ""


@dataclass
class Column:
    """What a column heading says about its cells."""

    status: str = ""
    period: str = ""
    year: int | None = None
    measure: str = ""  # change | ratio | "" (the unit's measure)
    direction: str = ""
    unit: str = ""
    prev_year: bool = False  # 上年执行数
    item_word: str = ""  # 收入 / 支出: completes the row heading
    rules: list[str] = field(default_factory=list)


def _column_kind(col: Column, heading: str) -> None:
    """A ratio (完成预算%, 占比) or a change (增长%, 比上年增减) column."""
    lex = _lexicon().lex
    if any(w in heading for w in lex["tables.ratio_columns"] + lex["ratios.ratio_words"]):
        col.measure = "ratio"
        col.rules.append("tables.ratio_column")
        return
    for w in _words("tables.change_columns"):
        if w in heading:
            col.measure, col.direction = "change", lex["tables.change_columns"][w]
            col.rules.append("tables.change_column")
            return


def read_column(heading: str, report_year: int | None) -> Column:
    """预算数 -> status 预算; 2024年执行数 -> period 2024年, status 执行; 增长% -> a change in %;
    完成预算% -> a ratio; 执行数（亿元） -> the unit 亿元; 上年执行数 -> the year before; 收入 / 支出
    (no status, period or kind) -> a word of the item (城乡居民养老保险基金 + 收入)."""
    lex = _lexicon().lex
    col = Column()
    _column_kind(col, heading)
    if col.measure != "ratio":  # 为预算%: the budget is what it is a ratio of, not its status
        for w in _words("tables.status_columns"):
            if w in heading:
                col.status = lex["tables.status_columns"][w]
                col.rules.append("tables.column_status")
                break
    ps = find_periods(heading)
    if ps:
        col.period = ps[-1].group()
        col.year = _year_of(col.period)
        col.rules.append("tables.column_period")
    elif not col.measure and any(w in heading for w in lex["tables.previous_year_columns"]) and report_year:
        col.year, col.prev_year = report_year - 1, True  # 上年执行数 (比上年增减 is a change, not last year's)
        col.rules.append("tables.column_period")
    unit = _caption_unit(heading)
    if unit or "%" in heading:
        col.unit = unit or "%"
        col.rules.append("tables.unit_column")
    if not (col.status or col.period or col.measure or col.prev_year):
        word = _CAPTION_UNIT.sub("", heading).strip(" %")
        if word in lex["tables.item_columns"]:
            col.item_word = word
            col.rules.append("tables.column_item")
    return col


def _row_heading(text: str, last_top: str) -> tuple[str, str, str, list[str]]:
    """(item, parent, unit, rules) of a row heading: numbering dropped; 教育支出（亿元） names its unit;
    其中：X is X, part of the row above."""
    rules = ["tables.row_heading"]
    item = _NUMBERING.sub("", text).strip()
    unit = _caption_unit(item)
    if unit:
        item = _CAPTION_UNIT.sub("", item).strip()
        rules.append("tables.unit_row")
    for w in _words("parents.markers"):
        if item.startswith(w):
            return item[len(w):].lstrip(":：,， "), last_top, unit, rules + ["tables.subitem"]
    return item, "", unit, rules


def _signed_direction(col: Column, sign: str, unit: str) -> str:
    """增减 columns take the sign of the cell: -3.2 is 下降 (a rate) or 减少 (an amount)."""
    if sign == "-":
        return "下降" if unit in ("%", "个百分点") else "减少"
    return col.direction or ("增长" if unit in ("%", "个百分点") else "增加")


def _cell_figure(doc_name: str, cell: Cell, m: re.Match, col: Column, table: Table,
                 ctx: dict) -> Figure | None:
    """One number cell -> a Figure (without the row's item, parent and section). The unit: the cell's
    own, else the column's, else the row heading's (ctx["row_unit"]), else the caption's."""
    unit = m.group(3) or col.unit or ctx.get("row_unit") or table.unit
    if not unit:
        return None  # a count of what, in what? a cell with no unit anywhere is not read
    rules = ["tables.cell"] + col.rules
    if not (m.group(3) or col.unit or ctx.get("row_unit")):
        rules.append("tables.unit_caption")
    value = parse_number(m.group(2))
    info = _lexicon().units.get(unit.split("/")[0], {})
    measure = col.measure or info.get("measure", "amount")
    start = cell.start + m.start(2)
    end = cell.start + (m.end(3) if m.group(3) else m.end(2))
    period = col.period or ("" if col.prev_year else ctx["period"])
    fig = Figure(doc=doc_name, item="", value=value, value_text=m.group(2), unit=unit, measure=measure,
                 start=start, end=end, sent_start=0, sent_end=0, period=period,
                 year=col.year or ctx["year"], status=col.status or ctx["status"], scope=ctx["scope"],
                 rules=rules)
    if measure == "change":
        fig.direction = _signed_direction(col, m.group(1), unit)
        fig.change_value, fig.change_unit, fig.change_start, fig.change_end = value, unit, start, end
    return fig


def _attach_change(figs: list[Figure]) -> None:
    """税收收入 | 9.1 | 6.5 under 执行数 | 增长%: the change is also the change of the amount before it."""
    for k, f in enumerate(figs):
        if f.measure != "change":
            continue
        level = next((g for g in reversed(figs[:k]) if g.measure not in ("change", "ratio")), None)
        if level is not None and level.change_value is None:
            level.direction, level.change_value, level.change_unit = f.direction, f.change_value, f.change_unit
            level.change_start, level.change_end = f.change_start, f.change_end
            level.rules.append("tables.change_on_figure")


def table_figures(doc_name: str, t: str, table: Table, ctx: dict, report_year: int | None) -> list[Figure]:
    """Every number cell of `table` as a row. `ctx`: period/year/status/scope the section gives."""
    cols = [read_column(c.text, report_year) for c in table.header]
    out: list[Figure] = []
    last_top = ""
    for cells, (a, b) in zip(table.rows, table.lines):
        item, parent, row_unit, head_rules = _row_heading(cells[0].text, last_top)
        if not parent:
            last_top = item
        row_figs = []
        for cell, col in zip(cells[1:], cols[1:]):
            m = _number(cell) if cell.text not in _BLANK else None
            fig = _cell_figure(doc_name, cell, m, col, table, {**ctx, "row_unit": row_unit}) if m else None
            if fig is None:
                continue
            fig.item, fig.parent, fig.sent_start, fig.sent_end = item + col.item_word, parent, a, b
            fig.rules[1:1] = head_rules
            row_figs.append(fig)
        _attach_change(row_figs)
        out.extend(row_figs)
    return out
