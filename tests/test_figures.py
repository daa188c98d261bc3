"""Figure extractor: tricky sentences written for these tests, the span invariant on every
report of the shared corpus, and the precision/recall of the hand-annotated gold set."""
from __future__ import annotations

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest

from qa.figures import FigureTable, extract_figures, parse_number, to_base, unit_dimension
from qa.records import Document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "eval" / "corpus"


def figs(text: str, name: str = "t"):
    return extract_figures(Document(name=name, text=text))


def one(text: str, value: str):
    hits = [f for f in figs(text) if f.value == Decimal(value)]
    assert len(hits) == 1, [(f.item, f.value_text, f.unit) for f in figs(text)]
    return hits[0]


# --- numbers and units --------------------------------------------------------------------

@pytest.mark.parametrize("s, expected", [
    ("1,076,420", "1076420"),
    ("3,594, 026", "3594026"),
    ("１２．５", "12.5"),
    ("3.83万", "38300"),
    ("1.2万亿", "1200000000000"),
    ("0.05", "0.05"),
])
def test_parse_number(s, expected):
    assert parse_number(s) == Decimal(expected)


def test_parse_number_rejects_words():
    with pytest.raises(ValueError):
        parse_number("若干")


def test_to_base_scales_money_and_counts():
    assert to_base(Decimal("1.2"), "亿元") == (Decimal("120000000.0"), "元")
    assert to_base(Decimal("1200"), "万元")[0] < to_base(Decimal("1.3"), "亿元")[0]
    assert to_base(Decimal("1200"), "万元")[0] == to_base(Decimal("0.12"), "亿元")[0]
    assert to_base(Decimal("3.83"), "万人") == (Decimal("38300.00"), "人")
    assert to_base(Decimal("2"), "万元/人") == (Decimal("20000"), "元/人")


def test_percent_and_points_are_different_dimensions():
    assert to_base(Decimal("5"), "%") == (Decimal("5"), "%")
    assert unit_dimension("%") != unit_dimension("个百分点")
    assert unit_dimension("亿元") == unit_dimension("万元") == "money"
    assert unit_dimension("人") != unit_dimension("户")


# --- sentences ----------------------------------------------------------------------------

def test_lead_in_period_scope_and_其中_parent():
    text = ("2024年1-6月全区完成一般公共预算收入8.42亿元，同比增长5.3%，其中税收收入完成6.10亿元，"
            "同比下降2.1%；非税收入完成2.32亿元，同比增长31.0%。")
    rows = figs(text)
    assert [(f.item, f.value_text, f.unit) for f in rows] == [
        ("一般公共预算收入", "8.42", "亿元"), ("税收收入", "6.10", "亿元"), ("非税收入", "2.32", "亿元")]
    assert [(f.direction, f.change_value, f.change_unit) for f in rows] == [
        ("增长", Decimal("5.3"), "%"), ("下降", Decimal("2.1"), "%"), ("增长", Decimal("31.0"), "%")]
    assert all(f.period == "2024年1-6月" and f.year == 2024 and f.scope == "全区" for f in rows)
    assert rows[1].parent == rows[2].parent == "一般公共预算收入"
    assert text[rows[0].change_start:rows[0].change_end] == "5.3%"


def test_full_width_digits_keep_offsets():
    text = "全县一般公共预算支出１５．６亿元，同比增长８．２％。"
    f = one(text, "15.6")
    assert text[f.start:f.end] == "１５．６亿元"
    assert (f.item, f.unit, f.direction, f.change_value) == ("一般公共预算支出", "亿元", "增长", Decimal("8.2"))
    assert text[f.sent_start:f.sent_end] == text


def test_item_named_in_在中_lead_becomes_parent():
    rows = figs("在民生支出中，教育支出3.2亿元，卫生健康支出1.1亿元。")
    assert [(f.item, f.parent) for f in rows] == [("教育支出", "民生支出"), ("卫生健康支出", "民生支出")]


def test_分别_list_shares_the_head_noun():
    rows = figs("城镇、农村居民最低生活保障标准分别为每人每月780元、620元。")
    assert [(f.item, f.value_text, f.unit, f.measure) for f in rows] == [
        ("城镇居民最低生活保障标准", "780", "元", "standard"),
        ("农村居民最低生活保障标准", "620", "元", "standard")]


def test_change_then_level_is_one_figure():
    f = one("城市特困人员供养标准增加50元，达到1080元。", "1080")
    assert (f.item, f.direction, f.change_value, f.change_unit) == ("城市特困人员供养标准", "增加", Decimal("50"), "元")
    assert len(figs("城市特困人员供养标准增加50元，达到1080元。")) == 1


def test_unit_separated_by_stray_words():
    text = "投资800用于万元城东幼儿园扩建项目。"
    f = one(text, "800")
    assert (f.unit, f.item) == ("万元", "城东幼儿园扩建项目")
    assert text[f.start:f.end].startswith("800")


def test_qualifier_and_count_unit():
    f = one("全年累计培训基层财务人员近3000人次。", "3000")
    assert (f.item, f.unit, f.qualifier, f.measure) == ("基层财务人员", "人次", "近", "count")


def test_years_dates_ordinals_and_thresholds_are_not_figures():
    rows = figs("2024年3月15日召开第2次专题会议，对500万元以下项目简化审批，部署3项重点任务。")
    assert [(f.value_text, f.unit, f.item) for f in rows] == [("3", "项", "重点任务")]


def test_completion_ratio_refers_to_the_amount():
    rows = figs("全市社会保险基金收入60.5亿元，为预算的101.2%，同比增长4.4%。")
    assert [(f.item, f.value_text, f.measure) for f in rows] == [
        ("社会保险基金收入", "60.5", "amount"), ("社会保险基金收入", "101.2", "ratio")]
    assert rows[0].change_value == Decimal("4.4")


def test_scope_breakdown_keeps_the_item():
    rows = figs("年末政府债务余额120.5亿元，其中：市本级70.2亿元，县区50.3亿元。")
    assert [(f.item, f.scope) for f in rows] == [
        ("政府债务余额", ""), ("政府债务余额", "市本级"), ("政府债务余额", "县区")]
    assert rows[1].parent == rows[2].parent == "政府债务余额"


def test_heading_defaults_year_and_status():
    text = ("一、2025年预算执行情况\n全市一般公共预算收入20.1亿元。\n"
            "二、2026年预算草案\n全市一般公共预算收入21.3亿元，增长6%。\n")
    a, b = figs(text)
    assert (a.year, a.status, b.year, b.status) == (2025, "执行", 2026, "预算")
    assert a.section.startswith("一、2025年预算执行情况")


def test_generic_money_takes_its_purpose():
    f = one("统筹资金2.6亿元，支持农村饮水安全工程建设。", "2.6")
    assert f.item == "农村饮水安全工程建设"


def test_两个_items_with_one_value():
    rows = figs("全县电子卖场渗透率和覆盖率均为98%。")
    assert len(rows) == 2 and rows[0].start == rows[1].start
    assert rows[0].item.endswith("渗透率") and rows[1].item == "覆盖率"


def test_changes_stated_alone_are_change_rows():
    rows = figs("税收收入增长6.5%，税收占比提高2.1个百分点。")
    assert [(f.item, f.measure, f.direction, f.unit) for f in rows] == [
        ("税收收入", "change", "增长", "%"), ("税收占比", "change", "增长", "个百分点")]


def test_shared_unit_and_scope_list():
    rows = figs("全市和市本级税收占比分别提高1.5和2.3个百分点。")
    assert [(f.item, f.value_text, f.unit, f.scope) for f in rows] == [
        ("税收占比", "1.5", "个百分点", "全市"), ("税收占比", "2.3", "个百分点", "市本级")]


def test_two_changes_after_a_parenthesis_figure_carries_the_rate():
    rows = figs("债务余额98.6亿元（一般债务60.1亿元，专项债务38.5亿元），比上年增加8.2亿元，增长9.1%。")
    top = rows[0]
    assert (top.item, top.direction, top.change_value, top.change_unit) == ("债务余额", "增长", Decimal("9.1"), "%")
    assert [f.parent for f in rows[1:3]] == ["债务余额", "债务余额"]
    amount = rows[-1]
    assert (amount.item, amount.measure, amount.value, amount.unit, amount.direction) == (
        "债务余额", "change", Decimal("8.2"), "亿元", "增加")


@pytest.mark.parametrize("text", [
    "全县税收收入12.6亿元，同比减少0.4亿元，下降3.1%。",
    "全县税收收入12.6亿元，同比下降3.1%，减收0.4亿元。",
])
def test_amount_and_rate_change_rate_goes_on_the_figure(text):
    rows = figs(text)
    assert [(f.item, f.measure, f.value_text, f.unit) for f in rows] == [
        ("税收收入", "amount", "12.6", "亿元"), ("税收收入", "change", "0.4", "亿元")]
    assert (rows[0].direction, rows[0].change_value, rows[0].change_unit) == ("下降", Decimal("3.1"), "%")
    assert (rows[1].direction, rows[1].change_value, rows[1].change_unit) == ("减少", Decimal("0.4"), "亿元")
    assert text[rows[0].change_start:rows[0].change_end] == "3.1%"


def test_status_verb_clause_takes_the_subject_item():
    text = "2024年全区政府性基金预算收入年初预算为12.4亿元，实际完成13.1亿元，为预算的105.6%，增长4.2%，其中税收完成2.2亿元。"
    rows = figs(text)
    assert [(f.item, f.value_text, f.measure, f.status) for f in rows] == [
        ("政府性基金预算收入", "12.4", "amount", "预算"),
        ("政府性基金预算收入", "13.1", "amount", "执行"),
        ("政府性基金预算收入", "105.6", "ratio", "执行"),
        ("税收收入", "2.2", "amount", "执行")]
    assert (rows[1].direction, rows[1].change_value) == ("增长", Decimal("4.2"))
    assert rows[3].parent == "政府性基金预算收入"


def test_bare_expenditure_in_a_budget_section_is_that_budgets():
    text = ("三、国有资本经营预算\n"
            "支出年初预算为800万元，执行中因上级补助增加，支出预算调整为950万元，实际完成930万元，为调整预算的97.9%。\n")
    rows = figs(text)
    assert [(f.item, f.value_text, f.status) for f in rows] == [
        ("国有资本经营预算支出", "800", "预算"), ("国有资本经营预算支出", "950", "预算"),
        ("国有资本经营预算支出", "930", "执行"), ("国有资本经营预算支出", "97.9", "执行")]
    assert rows[-1].measure == "ratio"


def test_budget_figure_of_a_ratio_is_the_same_item_with_status_budget():
    rows = figs("一、2024年预算执行情况\n全县一般公共预算支出完成45.3亿元，完成预算数48.0亿元的94.4%。\n")
    assert [(f.item, f.value_text, f.status, f.measure) for f in rows] == [
        ("一般公共预算支出", "45.3", "执行", "amount"), ("一般公共预算支出", "48.0", "预算", "amount"),
        ("一般公共预算支出", "94.4", "执行", "ratio")]


def test_expected_revenue_merges_with_the_change_before_it():
    rows = figs("明年全县一般公共预算收入预计增长5%，预期收入32.5亿元。")
    assert len(rows) == 1
    f = rows[0]
    assert (f.item, f.value_text, f.status, f.direction, f.change_value) == (
        "一般公共预算收入", "32.5", "预计", "增长", Decimal("5"))


@pytest.mark.parametrize("text, old, new", [
    ("城乡居民基础养老金由每人每月150元提高到165元。", "150", "165"),
    ("困难群众临时救助补助标准从每人每年800元调整为1000元。", "800", "1000"),
    ("市级部门公用经费定额由4000元/人增加至4500元/人。", "4000", "4500"),
    ("全县政府采购电子化率从62.5%提高到80.1%。", "62.5", "80.1"),
])
def test_from_old_to_new_level_marks_the_old_value(text, old, new):
    rows = figs(text)
    assert len(rows) == 2
    o, n = rows
    assert (o.value_text, o.qualifier) == (old, "原")
    assert (n.value_text, n.qualifier) == (new, "")
    assert n.item == o.item and len(n.item) >= 4
    assert o.unit == n.unit


def test_old_value_keeps_its_own_year_and_the_new_one_does_not():
    text = "一、2025年预算执行情况\n城乡居民医保财政补助标准从2024年的人均每年670元提高到700元。\n"
    o, n = figs(text)
    assert (o.value_text, o.year, o.qualifier) == ("670", 2024, "原")
    assert (n.value_text, n.year) == ("700", 2025)


def test_multi_year_figures_get_no_report_year():
    text = ("一、2024年预算执行情况\n"
            "五年来，全县财政保障能力持续增强。一般公共预算收入累计完成120.5亿元，较“十三五”期间的98.2亿元增收22.3亿元。\n"
            "“十四五”时期，全县民生支出共350.6亿元，占一般公共预算支出比重达78%。2024年全县民生支出72.4亿元。\n")
    rows = {f.value_text: f for f in figs(text)}
    assert (rows["120.5"].period, rows["120.5"].year) == ("五年来", None)
    assert (rows["98.2"].period, rows["98.2"].year) == ("十三五期间", None)
    assert rows["120.5"].change_value == Decimal("22.3")
    assert (rows["350.6"].item, rows["350.6"].period, rows["350.6"].year) == ("民生支出", "十四五时期", None)
    assert rows["78"].year is None
    assert (rows["72.4"].period, rows["72.4"].year) == ("2024年", 2024)


def test_past_five_years_total_and_last_year():
    doc = Document(name="t", years=[2024], text=(
        "过去一年，经济持续恢复。全年新增减税降费超过1200亿元。\n"
        "过去五年累计减税降费3.2万亿元。\n"
        "今年拟安排地方政府专项债券800亿元。\n"))
    rows = {f.value_text: f for f in extract_figures(doc)}
    assert rows["1200"].year == 2023
    assert (rows["3.2"].period, rows["3.2"].year) == ("过去五年", None)
    assert rows["800"].year == 2024


def test_compared_period_and_stated_reason_set_no_year():
    text = ("一、2025年预算草案\n"
            "2025年各部门“三公”经费预算按不高于2024年支出控制数编制，其中：公务接待费120万元。\n"
            "全县非税收入5.2亿元，同比下降3%，主要原因是2023年一次性土地收入抬高基数；税收收入8.1亿元，同比增长4%。\n")
    rows = {f.value_text: f for f in figs(text)}
    assert rows["120"].year == 2025
    assert (rows["8.1"].item, rows["8.1"].year) == ("税收收入", 2025)


def test_long_comparison_base_is_not_an_item():
    rows = figs("2025年县级财力为18.5亿元，比上年年初预算财力增加1.2亿元。")
    assert len(rows) == 1
    assert (rows[0].item, rows[0].direction, rows[0].change_value) == ("县级财力", "增加", Decimal("1.2"))


def test_目前_inside_项目前期_is_not_a_period():
    f = one("安排重点项目前期经费800万元。", "800")
    assert (f.item, f.period) == ("重点项目前期经费", "")


def test_per_head_allowance_names_its_recipient():
    rows = figs("对完全失能特困人员发放每人每月1200元护理补贴，半失能特困人员发放每人每月500元护理补贴。")
    assert [(f.item, f.value_text, f.unit, f.measure) for f in rows] == [
        ("完全失能特困人员护理补贴", "1200", "元", "standard"), ("半失能特困人员护理补贴", "500", "元", "standard")]


def test_standard_for_a_recipient_takes_the_allowance_named_later():
    rows = figs("对全镇86名农村留守老人分别按300元/人月、350元/人月调整标准发放全年生活补助32.5万元。")
    std = [f for f in rows if f.measure == "standard"]
    assert [(f.item, f.value_text, f.unit) for f in std] == [
        ("农村留守老人生活补助标准", "300", "元/人月"), ("农村留守老人生活补助标准", "350", "元/人月")]


@pytest.mark.parametrize("text, value, item", [
    ("实施托育补贴政策，按每孩每月500元标准补贴。", "500", "托育补贴标准"),
    ("高龄津贴按每人每月150元标准发放。", "150", "高龄津贴标准"),
    ("为860名高龄老人每人每月发放高龄津贴150元。", "150", "高龄津贴"),
    ("城市低保月人均保障水平增加50元，达到900元。", "900", "城市低保月人均保障水平"),
    ("农村特困人员供养标准提高到7200元/人·年。", "7200", "农村特困人员供养标准"),
])
def test_standards_keep_unit_and_subject(text, value, item):
    f = one(text, value)
    assert (f.item, f.measure) == (item, "standard")
    assert f.unit.startswith("元")


def test_balances_are_the_budgets():
    text = ("四、社会保险基金预算\n全县社会保险基金预算收入30.2亿元，社会保险基金预算支出28.9亿元，"
            "当年结余1.3亿元，年末滚存结余25.6亿元。\n"
            "五、国有资本经营预算\n总支出1.2亿元，其中：调出资金0.4亿元，年终结余0.3亿元。\n")
    rows = {f.value_text: f.item for f in figs(text)}
    assert rows["1.3"] == "社会保险基金预算当年结余"
    assert rows["25.6"] == "社会保险基金预算滚存结余"
    assert rows["0.3"] == "国有资本经营预算年终结余"


@pytest.mark.parametrize("text, value, item", [
    ("县本级盘活存量资金3,200万元，统筹用于重点领域，全年支出2,100万元。", "2100", "存量资金支出"),
    ("全县启动5个棚户区改造项目，涉及住户1200户，预计总投资3.6亿元。", "3.6", "棚户区改造项目总投资"),
    ("发行专项债券12亿元，支持交通水利等6个领域45个项目。", "45", "交通水利等领域项目"),
    ("全县一般公共预算收入年均增长6.1%，收入总量达210.5亿元。", "210.5", "一般公共预算收入"),
])
def test_generic_words_are_named_from_the_sentence(text, value, item):
    assert one(text, value).item == item


def test_unchanged_figure_is_flat():
    f = one("县本级保运转支出预算数为1.5亿元，与上年预算数持平。", "1.5")
    assert (f.item, f.direction, f.change_value) == ("保运转支出", "持平", None)


@pytest.mark.parametrize("text, value, item", [
    ("全县地方收入加上上划中央收入8,650万元，总收入达到32,100万元。", "8650", "上划中央收入"),
    ("全县统筹的城乡居民基本养老保险基金收入12,300万元。", "12300", "城乡居民基本养老保险基金收入"),
    ("财政性科技支出占一般公共预算支出比例每年都保持在3%以上。", "3", "财政性科技支出占一般公共预算支出比例"),
])
def test_item_words_that_only_qualify_are_dropped(text, value, item):
    assert one(text, value).item == item


def test_其中_after_a_new_subject_does_not_take_the_last_sentences_item():
    rows = figs("全县教育支出8.2亿元。各部门“三公”经费预算按不高于上年执行数编制，其中：公务接待费60万元。")
    assert rows[-1].item == "公务接待费" and rows[-1].parent != "教育支出"


def test_amount_change_row_shares_the_figures_status_and_year():
    text = "二、2025年预算草案\n全县一般公共预算收入预算为30.5亿元，比上年实际完成数增加1.2亿元，增长4.1%。\n"
    fig, amount = figs(text)
    assert (fig.value_text, fig.status, fig.change_value) == ("30.5", "预算", Decimal("4.1"))
    assert (amount.value_text, amount.measure, amount.item) == ("1.2", "change", fig.item)
    assert (amount.status, amount.year) == ("预算", 2025)


def test_review_of_the_past_year_is_the_year_before():
    doc = Document(name="t", years=[2024], text=(
        "2024年政府工作报告\n一、过去一年工作回顾\n全年粮食产量1.2万亿斤。\n二、今年工作安排\n今年拟安排专项债券900亿元。\n"))
    rows = {f.value_text: f for f in extract_figures(doc)}
    assert rows["1.2"].year == 2023
    assert rows["900"].year == 2024


@pytest.mark.parametrize("text, value, item", [
    ("核定中职学生享受国家助学金人数320人，共发放国家助学金64万元。", "64", "中职学生国家助学金"),
    ("县属国有企业对符合条件的个体工商户已减免到位25户，合计减免租金3.1万元。", "25", "个体工商户"),
    ("全县共计减免和缓征税收2.6亿元。", "2.6", "减免和缓征税收"),
    ("本级财政安排资金1.5亿元，用于保障机关运转。", "1.5", "保障机关运转"),
])
def test_items_named_from_the_clause_around_them(text, value, item):
    assert one(text, value).item == item


def test_attributes_of_counted_projects_and_fund_lines():
    rows = {f.value_text: f.item for f in figs(
        "累计评审预算项目40个，送审金额3200万元，审定金额2900万元，核减金额300万元。"
        "直达资金总预算金额5000万元，支出金额3600万元，支付进度72%。")}
    assert rows["3200"] == "评审预算项目送审金额"
    assert rows["300"] == "评审预算项目核减金额"
    assert rows["3600"] == "直达资金支出金额"


def test_breakdown_after_主要用于_has_its_parent():
    rows = figs("2025年县本级安排预备费2,000万元，年度执行中安排使用600万元，主要用于防汛救灾400万元、疫病防控200万元。")
    assert [(f.item, f.parent) for f in rows[1:]] == [
        ("预备费使用", ""), ("防汛救灾", "预备费使用"), ("疫病防控", "预备费使用")]


# --- table --------------------------------------------------------------------------------

def test_table_round_trip(tmp_path):
    table = FigureTable(figs("全市一般公共预算收入20.1亿元，同比增长3.2%。", name="a")
                        + figs("全县教育支出5.2亿元。", name="b"))
    assert [f.doc for f in table.rows("b")] == ["b"]
    table.to_jsonl(tmp_path / "f.jsonl")
    back = FigureTable.from_jsonl(tmp_path / "f.jsonl")
    assert back.rows() == table.rows()
    table.to_csv(tmp_path / "f.csv")
    raw = (tmp_path / "f.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "一般公共预算收入" in raw.decode("utf-8-sig")


# --- real reports ---------------------------------------------------------------------------

def _reports():
    if not SHARED.is_dir():
        return []
    return sorted(SHARED.glob("*.txt"))


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared corpus not found at {SHARED}")
@pytest.mark.parametrize("path", _reports(), ids=lambda p: p.stem)
def test_span_invariant_on_real_reports(path):
    text = path.read_text(encoding="utf-8")
    rows = extract_figures(Document(name=path.stem, text=text))
    assert rows, "a finance report states figures"
    for f in rows:
        span = text[f.start:f.end]
        assert span[:1].isdigit() or span[:1] in CN_NUMERAL_START, (f.item, span)
        assert parse_number(f.value_text.split("-")[0]) == f.value
        assert f.sent_start <= f.start < f.end <= f.sent_end
        assert f.item.strip(), span
        assert not (f.unit == "" or text[f.start:f.end + 1].endswith("年")), span
        if f.change_start is not None:
            assert text[f.change_start:f.change_end][:1].isdigit() or \
                text[f.change_start:f.change_end][:1] in CN_NUMERAL_START
    assert [f.start for f in rows] == sorted(f.start for f in rows)


CN_NUMERAL_START = set("零〇一二两三四五六七八九十百千万亿半")  # 三亿二千万元, 百分之五点二, 半数


def _load_eval():
    spec = importlib.util.spec_from_file_location("figures_eval", ROOT / "eval" / "figures_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared corpus not found at {SHARED}")
def test_gold_set_precision_and_recall():
    ev = _load_eval()
    gold = ev.load_gold(ROOT / "eval" / "gold_figures.jsonl")
    assert len({g["doc"] for g in gold}) >= 3
    res = ev.evaluate(gold, SHARED)
    overall = res["overall"]
    assert overall["precision"] >= 0.95, res["spurious"][:10]
    assert overall["recall"] >= 0.90, res["missed"][:10]
    for name, rep in res["reports"].items():
        assert rep["recall"] >= 0.85, (name, rep)


def test_item_match_rule():
    ev = _load_eval()
    assert ev.item_match("教育支出", "教育支出")
    assert ev.item_match("“三保”支出", "三保支出")
    assert ev.item_match("直达资金总预算金额", "总预算金额")
    assert not ev.item_match("教育支出", "支出")
    assert not ev.item_match("新增债券资金", "新增债券")
    assert not ev.item_match("税收收入", "非税收入")


def test_gold_rows_are_verbatim():
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    texts = {}
    for line in (ROOT / "eval" / "gold_figures.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        text = texts.setdefault(g["doc"], (SHARED / f"{g['doc']}.txt").read_text(encoding="utf-8"))
        assert g["evidence"] in text
        assert text.startswith(g["value_text"], g["start"])
