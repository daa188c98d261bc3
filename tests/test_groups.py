"""Groups recorded from a report's structure (src/qa/groups.py) and the operations over their
members. Invented mini-reports: each way a report lists a group — an enumeration after its total,
bullets (●), one paragraph per member under a heading, 其中 children, the same item under sibling
headings — must give one group with the members as the report names them, and no total among them."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qa.records import Figure

REPORT = """衢州市2025年预算执行情况的报告
一、全市预算执行情况
2025年全市一般公共预算支出310.4亿元，主要项目执行情况是：教育支出58.2亿元、科学技术支出12.6亿元、卫生健康支出27.9亿元。
二、重点支出
●乡村振兴。安排资金6.4亿元，支持高标准农田建设。
●城市更新。安排资金9.1亿元，推进老旧小区改造。
●科技创新。安排资金3.3亿元，支持重大科研平台。
三、市级主要支出科目执行情况
城乡社区支出20.5亿元。主要用于市政设施维护。
农林水支出14.2亿元。主要用于水利工程建设。
四、社会保险基金
全市社会保险基金收入180.2亿元。其中：企业职工基本养老保险基金收入96.4亿元、城乡居民基本养老保险基金收入21.7亿元。
五、开发区预算执行情况
（一）衢州智造新城
地方一般公共预算收入完成28.5亿元，增长3.1%。
（二）衢州经济技术开发区
地方一般公共预算收入完成19.6亿元，下降4.2%。
六、市本级支出决算说明
（一）201-一般公共服务支出科目41000万元。
1.20101-人大事务科目900万元。
2.20103-政府办公厅（室）及相关机构事务科目7600万元。
（二）205-教育支出科目83000万元。
1.20502-普通教育科目95000万元。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    from qa.config import Settings
    from qa.engine import Engine

    base = tmp_path_factory.mktemp("groups")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "2025_quzhou_city_budget_report.txt").write_text(REPORT, encoding="utf-8")
    return Engine.open(Settings.from_args(corpus=corpus, index=base / "index"), embedder=embedder)


@pytest.fixture(scope="module")
def groups(engine):
    from qa.groups import build_groups

    answerer = engine._snapshot.answerer
    return build_groups(answerer.index, answerer.groups)


def _members(groups, kind: str) -> list[list[tuple[str, str]]]:
    return [[(f.item, f.value_text) for f in g.members] for g in groups if g.kind == kind]


def test_enumeration_after_its_total_has_the_subjects_not_the_total(groups):
    runs = _members(groups, "enumeration")
    assert [("教育支出", "58.2"), ("科学技术支出", "12.6"), ("卫生健康支出", "27.9")] in runs
    assert not any(item == "一般公共预算支出" for run in runs for item, _ in run)


def test_bullets_are_named_by_their_lead_words(groups):
    assert [("乡村振兴", "6.4"), ("城市更新", "9.1"), ("科技创新", "3.3")] in _members(groups, "bullets")


def test_paragraphs_under_a_heading_each_opening_with_its_figure(groups):
    found = [g for g in groups if g.kind == "paragraphs"
             and [(f.item, f.value_text) for f in g.members] == [("城乡社区支出", "20.5"), ("农林水支出", "14.2")]]
    assert found and "主要支出科目" in found[0].intro  # the heading introduces the list


def test_bullets_of_one_kind_with_deeper_bullets_between(groups):
    lists = _members(groups, "bullets")
    assert [("一般公共服务支出科目", "41000"), ("教育支出科目", "83000")] in lists  # the code (201-) is no name
    assert [("人大事务科目", "900"), ("政府办公厅（室）及相关机构事务科目", "7600")] in lists
    assert not any(("普通教育科目", "95000") in run and len(run) > 1 for run in lists)  # alone under its (二)


def test_children_of_a_total(groups):
    kids = _members(groups, "children")
    assert [("企业职工基本养老保险基金收入", "96.4"), ("城乡居民基本养老保险基金收入", "21.7")] in kids


def test_same_item_under_sibling_headings_is_named_by_the_headings(groups):
    sections = [g for g in groups if g.kind == "sections" and g.members[0].value_text == "28.5"]
    assert sections
    assert [(f.item, f.value_text) for f in sections[0].members] == [("衢州智造新城", "28.5"),
                                                                     ("衢州经济技术开发区", "19.6")]


@pytest.mark.parametrize("question, entity, value", [
    ("衢州市2025年全市一般公共预算支出各科目中哪一项最大？", "教育支出", 58.2),
    ("衢州市各开发区2025年地方一般公共预算收入谁最高？", "衢州智造新城", 28.5),
    ("衢州市各开发区2025年地方一般公共预算收入哪个降幅最大？", "衢州经济技术开发区", 4.2),
    ("衢州市重点支出中哪一项安排最少？", "科技创新", 3.3),
])
def test_superlative_over_the_group_the_question_describes(engine, question, entity, value):
    rec = engine.ask(question).to_dict()
    assert (rec["status"], rec["entity"], rec["value"]) == ("answered", entity, value), rec["answer"]


# --- operations ------------------------------------------------------------------------------

def _row(item: str, value: str, unit: str = "亿元", direction: str | None = None, change: str | None = None) -> Figure:
    return Figure("d", item, Decimal(value), value, unit, "amount", 0, 1, 0, 1, direction=direction,
                  change_value=Decimal(change) if change else None, change_unit="%" if change else None)


def test_extreme_by_amount_across_units():
    from qa.groups import extreme

    rows = [_row("A", "1.2"), _row("B", "9000", "万元"), _row("C", "0.5")]
    assert [f.item for f in extreme(rows)] == ["A", "B", "C"]  # 9000万元 = 0.9亿元
    assert extreme(rows, most=False)[0].item == "C"


def test_extreme_by_change_and_by_decline():
    from qa.groups import extreme

    rows = [_row("A", "1", direction="增长", change="5"), _row("B", "1", direction="下降", change="8"),
            _row("C", "1", direction="下降", change="2"), _row("D", "1")]
    assert [f.item for f in extreme(rows, by="change")] == ["A", "C", "B"]  # D states no change
    assert extreme(rows, by="decline")[0].item == "B"


def test_total_difference_share():
    from qa.groups import difference, share_of, total_of

    a, b = _row("A", "1.5"), _row("B", "5000", "万元")
    assert total_of([a, b]) == Decimal("200000000")
    assert difference(a, b) == Decimal("100000000")
    assert share_of(b, a) == Decimal(100) / 3
    assert share_of(a, _row("Z", "0")) is None


def test_a_member_that_is_the_sum_of_the_others_is_their_total():
    from qa.groups import without_totals

    rows = [_row("重点行业税收", "36.27"), _row("工业", "18.61"), _row("建筑业", "9.13"),
            _row("房地产业", "52100", "万元"), _row("金融业", "3.32")]
    assert [f.item for f in without_totals(rows)] == ["工业", "建筑业", "房地产业", "金融业"]
    # one dominant member larger than the rest together is not their total
    dominant = [_row("社保", "3795.4"), _row("一般", "1396.1"), _row("基金", "120.3"), _row("国资", "12.8")]
    assert without_totals(dominant) == dominant
    assert len(without_totals(rows[:2])) == 2  # two members: nothing to tell


def test_the_family_asked_is_not_its_own_member():
    from qa.lists import is_group_total

    assert is_group_total("税收收入税种", "地方级税收收入")
    assert is_group_total("重点支出", "支出总量") and is_group_total("资金", "设立总规模")
    assert not is_group_total("税收收入税种", "增值税")
    assert not is_group_total("社会保障和就业支出", "就业支出")  # a member, though its name is inside the family's


def test_sentences_opening_with_one_short_verb_before_their_amounts_are_parallel():
    """投入X亿元，用于A…。投入Y亿元，用于B…: a list written as sentences that open with the same
    two-character verb, however long each purpose; an opening that differs is not the same list."""
    from qa.lists import parallel

    text = ("投入21.3亿元，用于推进义务教育均衡发展、建设教育人才中心、强化职业教育等，为5.2万名学生提供营养餐，"
            "向1.1万名困难学生发放生活补助和助学金。投入23.8亿元，用于稳就业保民生。安排19.4亿元，用于卫生健康。")

    def row(value: str) -> Figure:
        start = text.index(value)
        return Figure("r", "x" + value, Decimal(value), value, "亿元", "amount", start, start + len(value) + 2,
                      text.rfind("。", 0, start) + 1, text.index("。", start) + 1)

    a, b, c = row("21.3"), row("23.8"), row("19.4")
    assert parallel(text, a, b, text[a.end:b.start])
    assert not parallel(text, b, c, text[b.end:c.start])
