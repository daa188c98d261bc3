"""Shapes a new user tried that became no row before (issue 11): figures in Chinese numerals, shares in
tenths (近三成, 超过半数), and the report's tables laid out as text lines or Word tables."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qa.extract import extract_figures, parse_number
from qa.extract.numbers import parse_cn_number
from qa.records import Document


def rows(text: str, years: list[int] | None = None):
    return extract_figures(Document(name="t", text=text, years=years or []))


@pytest.mark.parametrize("numeral, value", [
    ("三亿二千万", "320000000"), ("一点五亿", "150000000"), ("两千万", "20000000"), ("五点二", "5.2"),
    ("一百二十", "120"), ("千万", "10000000"), ("十二点五万", "125000")])
def test_chinese_numerals_are_read_by_cn2an(numeral, value):
    assert parse_cn_number(numeral) == Decimal(value)


def test_a_chinese_numeral_report_yields_its_rows():
    text = ("一、2024年预算执行情况\n"
            "全县一般公共预算收入三亿二千万元，同比增长百分之五点二。争取上级资金一点五亿元，支持农村公路建设。"
            "全县有中小学一百二十所。全县安排两千万元用于教育。\n")
    got = [(f.item, f.value, f.unit, f.measure, f.direction, f.change_value) for f in rows(text)]
    assert got == [
        ("一般公共预算收入", Decimal("3.2"), "亿元", "amount", "增长", Decimal("5.2")),
        ("上级资金", Decimal("1.5"), "亿元", "amount", None, None),
        ("中小学", Decimal("120"), "所", "count", None, None),
        ("教育", Decimal("2000"), "万元", "amount", None, None)]
    for f in rows(text):
        span = text[f.start:f.end]
        assert span[0] in "三一两" and span.endswith(f.unit[-1]), span  # cited by the characters as written
        assert parse_number(f.value_text) == f.value  # value_text in digits: answers print it
        assert (f.year, f.status) == (2024, "执行")


def test_shares_in_tenths_are_qualified():
    got = {f.value_text: (f.item, f.unit, f.qualifier, f.measure)
           for f in rows("全县民生支出占比近三成。专项债券资金支出进度超过七成，超过半数的乡镇完成改革。"
                         "财政民生支出占比保持八成以上。")}
    assert got["3"] == ("民生支出占比", "成", "近", "ratio")
    assert got["7"] == ("专项债券资金支出进度", "成", "超", "ratio")
    assert got["5"][1:3] == ("成", "超")
    assert got["8"] == ("财政民生支出占比", "成", "以上", "ratio")


def test_numerals_that_name_things_are_not_figures():
    assert rows("落实两个确立，完成三项任务。推动十家子河综合治理。坚持一成不变。会议以过半数通过。"
                "编制第十五个五年规划。千万家庭受益。") == []


TABLE = ("一、2024年预算执行情况\n表1 2024年一般公共预算收入执行情况\n单位：万元\n"
         "科目 | 预算数 | 执行数 | 增长%\n"
         "一般公共预算收入 | 126000 | 128500 | 5.2\n"
         "其中：税收收入 | 91000 | 92300 | -3.1\n")


def test_a_text_table_yields_one_row_per_cell_with_its_headings():
    got = rows(TABLE)
    assert len(got) == 6  # 2 rows x 3 number cells
    assert [(f.item, f.value_text, f.unit, f.status, f.measure) for f in got] == [
        ("一般公共预算收入", "126000", "万元", "预算", "amount"),
        ("一般公共预算收入", "128500", "万元", "执行", "amount"),
        ("一般公共预算收入", "5.2", "%", "执行", "change"),
        ("税收收入", "91000", "万元", "预算", "amount"),
        ("税收收入", "92300", "万元", "执行", "amount"),
        ("税收收入", "3.1", "%", "执行", "change")]
    for f in got:
        line = TABLE[f.sent_start:f.sent_end]
        assert TABLE[f.start:f.end] == f.value_text and TABLE[f.start:f.end] in line  # cited by the cell's span
        assert f.year == 2024 and f.rules[0] == "tables.cell"
    assert got[4].parent == "一般公共预算收入" and got[5].direction == "下降"
    assert (got[1].direction, got[1].change_value) == ("增长", Decimal("5.2"))  # the rate is the amount's change


@pytest.mark.parametrize("sep", ["\t", "    ", " | "])
def test_tab_and_space_separated_tables_and_period_columns(sep):
    text = ("全县教育投入\n" + sep.join(["项目", "2023年", "2024年", "完成预算%"]) + "\n"
            + sep.join(["教育支出（亿元）", "4.8", "5.2", "98.6"]) + "\n")
    got = [(f.item, f.value_text, f.unit, f.period, f.measure) for f in rows(text)]
    assert got == [("教育支出", "4.8", "亿元", "2023年", "amount"), ("教育支出", "5.2", "亿元", "2024年", "amount"),
                   ("教育支出", "98.6", "%", "", "ratio")]


def test_a_word_table_becomes_rows(tmp_path):
    docx = pytest.importorskip("docx")
    from qa.ingest import read_document

    d = docx.Document()
    d.add_paragraph("某县2024年预算执行情况的报告")
    d.add_paragraph("一、2024年预算执行情况")
    d.add_paragraph("全县一般公共预算收入执行情况如下表（单位：万元）。")
    table = d.add_table(rows=3, cols=3)
    for r, cells in enumerate([["科目", "预算数", "执行数"], ["税收收入", "91000", "92300"],
                               ["非税收入", "35000", "36200"]]):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    path = tmp_path / "report.docx"
    d.save(path)
    doc = read_document(path)
    got = [(f.item, f.value_text, f.unit, f.status) for f in extract_figures(doc) if f.rules[:1] == ["tables.cell"]]
    assert got == [("税收收入", "91000", "万元", "预算"), ("税收收入", "92300", "万元", "执行"),
                   ("非税收入", "35000", "万元", "预算"), ("非税收入", "36200", "万元", "执行")]
    for f in extract_figures(doc):
        assert doc.text[f.start:f.end].startswith(f.value_text)
