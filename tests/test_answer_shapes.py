"""Sentence shapes the answerer must read, on a report it has never seen.

The report below is invented (place, items and numbers), written in the shapes real reports
use: items named only in the clause before the number, lists opened by 主要是/主要用于, lists
written as parallel sentences, a total listed with its own parts, a share stated with 占.
Nothing in src/ knows it, so passing says the mechanisms are general, not tuned.
"""
from __future__ import annotations

import pytest

from qa.question import parse_question

REPORT = """青禾县2024年财政工作报告
一、收入情况
2024年全县一般公共预算收入8.42亿元，同比增长5.1%，其中：税收收入6.10亿元，增长7.2%；非税收入2.32亿元，下降0.4%。主要收入项目是：增值税2.85亿元，增长3.3%；企业所得税1.12亿元，增长9.8%；契税0.64亿元，下降12.5%。
二、支出情况
2024年全县一般公共预算支出21.37亿元，增长4.6%。全年民生支出16.2亿元，占一般公共预算支出的75.8%。青禾经开区一般公共预算收入1.02亿元，增长3.0%。
全县机关事业单位养老保险基金当年结余0.12亿元，年末滚存结余1.35亿元。城乡居民基础养老金由每人每月150元提高到165元。
三、重点工作
（一）加大民生投入。筹措资金1.26亿元，支持困难群众救助和养老服务工作。筹措资金3.48亿元，支持义务教育薄弱环节改善。筹措资金0.57亿元，支持基层医疗机构能力建设。
（二）支持产业发展。安排农业产业化资金800万元，工业转型资金1200万元，商贸流通资金350万元，优先支持县域重点项目；安排人才引进经费300万元，支持人才集聚。
（三）规范预备费管理。全年安排预备费2000万元，执行中动用900万元，主要用于森林防火补助400万元、抗旱救灾资金300万元、动物防疫补助200万元。
（四）推动教育均衡发展，投入资金2.6亿元，新建改建校舍4.1万平方米。
（六）创新财政金融产品。惠民贷已发放贷款3200万元，完成率80.5%。
（七）县本级财政优先保障以下重点支出：一是稳就业。安排资金0.8亿元，支持就业创业。二是强基建。安排资金2.2亿元，推进道路建设。三是促消费。安排资金1.3亿元，发放消费券。
8.县级重点民生支出安排情况
——支持乡村振兴。安排衔接资金等1.15亿元，巩固脱贫成果。
——支持城市更新。安排老旧小区改造等资金0.64亿元。
（五）落实减税降费政策，全年累计为各类经营主体减负1.85亿元，其中税费减免1.50亿元（中央级0.90亿元，地方级0.60亿元），社保费减免0.35亿元。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    from qa.config import Settings
    from qa.engine import Engine

    base = tmp_path_factory.mktemp("shapes")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "2024_qinghe_county_report.txt").write_text(REPORT, encoding="utf-8")
    return Engine.open(Settings.from_args(corpus=corpus, index=base / "index"), embedder=embedder)


def ask(engine, question: str) -> dict:
    rec = engine.ask(question).to_dict()
    text = engine.index.documents
    for c in rec["citations"]:  # every citation is an exact span of the report
        assert text[c["doc"]].text[c["start"]:c["end"]] == c["text"]
    return rec


def test_item_named_only_in_the_leading_clause(engine):
    rec = ask(engine, "青禾县2024年在教育上投了多少钱？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["value"], rec["unit"]) == (2.6, "亿元")
    assert "投入资金2.6亿元" in rec["citations"][0]["text"]


def test_list_opened_by_its_name_ranks_its_members_only(engine):
    rec = ask(engine, "青禾县主要收入项目中哪一项收入最多？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["entity"], rec["value"]) == ("增值税", 2.85)  # not the 税收收入 total before the list


def test_the_total_before_主要用于_is_not_a_member(engine):
    rec = ask(engine, "青禾县预备费动用的几项里哪一项最多？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["entity"], rec["value"], rec["unit"]) == ("森林防火补助", 400, "万元")


def test_parallel_sentences_are_one_list(engine):
    rec = ask(engine, "青禾县民生方面筹措的各项资金里，哪一项最多？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["value"], rec["unit"]) == (3.48, "亿元")


def test_a_counted_list_is_added_up_and_every_member_cited(engine):
    rec = ask(engine, "青禾县那三项产业发展资金合计多少万元？")
    assert (rec["status"], rec["kind"]) == ("answered", "calculation"), rec["answer"]
    assert (rec["value"], rec["unit"]) == (2350, "万元")  # the 人才 fund after the ；clause is another list
    cited = "".join(c["text"] for c in rec["citations"])
    assert all(n in cited for n in ("800万元", "1200万元", "350万元"))


def test_a_count_the_report_does_not_have_abstains(engine):
    rec = ask(engine, "青禾县那五项产业发展资金合计多少万元？")
    assert rec["status"] == "abstained", rec["answer"]


def test_a_stated_total_is_not_added_to_its_own_parts(engine):
    rec = ask(engine, "青禾县减税降费一共为经营主体减负多少？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["value"], rec["unit"]) == (1.85, "亿元")


def test_a_stated_share_is_answered_as_stated(engine):
    rec = ask(engine, "青禾县民生支出占一般公共预算支出多少？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["value"], rec["unit"]) == (75.8, "%")
    assert "占一般公共预算支出的75.8%" in rec["citations"][0]["text"]


def test_another_year_still_abstains(engine):
    assert ask(engine, "青禾县2022年一般公共预算收入是多少？")["status"] == "abstained"


def test_a_part_of_the_place_is_answered_only_where_the_report_names_it(engine):
    rec = ask(engine, "青禾经开区2024年一般公共预算收入是多少？")
    assert (rec["status"], rec["value"]) == ("answered", 1.02), rec["answer"]
    assert ask(engine, "青禾县白沙区2024年一般公共预算收入是多少？")["status"] == "abstained"


def test_a_named_tax_is_not_answered_by_another_or_by_the_total(engine):
    assert ask(engine, "青禾县个人所得税收入是多少？")["status"] == "abstained"
    assert ask(engine, "青禾县契税收入是多少？")["value"] == 0.64


def test_a_budget_subject_asked_by_name_is_not_a_clause_about_it(engine):
    assert ask(engine, "青禾县2024年教育支出是多少？")["status"] == "abstained"


def test_balance_carried_over_and_this_years_surplus_are_kept_apart(engine):
    assert ask(engine, "青禾县养老保险基金滚存结余是多少？")["value"] == 1.35
    assert ask(engine, "青禾县养老保险基金当年结余是多少？")["value"] == 0.12


def test_change_from_the_former_value(engine):
    rec = ask(engine, "青禾县城乡居民基础养老金提高了多少？")
    assert (rec["status"], rec["value"], rec["unit"]) == ("answered", 15, "元"), rec["answer"]


def test_a_rate_without_a_subject_is_read_with_the_clause_before_it(engine):
    rec = ask(engine, "青禾县惠民贷的完成率是多少？")
    assert (rec["value"], rec["unit"]) == (80.5, "%"), rec["answer"]
    assert "惠民贷" in rec["answer"]  # the answer says what the rate is of


def test_bullets_under_the_group_name_are_its_members(engine):
    rec = ask(engine, "青禾县本级优先保障的重点支出中哪一块金额最大？")
    assert (rec["status"], rec["entity"], rec["value"]) == ("answered", "强基建", 2.2), rec["answer"]
    rec = ask(engine, "青禾县县级重点民生支出安排里哪一块钱最少？")
    assert (rec["status"], rec["entity"], rec["value"]) == ("answered", "支持城市更新", 0.64), rec["answer"]


def test_which_fell_more(engine):
    rec = ask(engine, "青禾县契税和非税收入哪个降得更多？")
    assert (rec["status"], rec["entity"], rec["value"]) == ("answered", "契税", 12.5), rec["answer"]


# --- question parsing -----------------------------------------------------------------------

NATIONAL = {"全国": "全国"}


def test_report_year_routes_and_does_not_date_the_figure():
    q = parse_question("2023年政府工作报告说2022年财政赤字率是多少？", NATIONAL)
    assert q.report_years == [2023] and q.years == [2022]
    assert q.items == ["财政赤字率"]


def test_guojia_names_the_country_only_when_it_is_not_part_of_an_item():
    assert parse_question("2023年国家拟安排地方政府专项债券多少？", NATIONAL).places == ["全国"]
    q = parse_question("中职学校国家助学金发了多少钱？", NATIONAL)
    assert q.places == [] and "国家助学金" in q.items[0]


def test_zhongyang_is_not_read_as_in():
    q = parse_question("上划中央收入占一般公共预算总收入的比重是多少？")
    assert q.op == "share" and "中央收入" in q.items[0] and q.items[1] == "一般公共预算总收入"


@pytest.mark.parametrize("question,count,op", [
    ("支农资金七项加起来一共多少？", 7, "total"),
    ("蒲塘小学、一中、职业中专、幼儿园这四个项目合计投资多少？", 4, "sum"),
    ("哪一项支出最多？", 0, ""),
])
def test_counts_said_in_the_question(question, count, op):
    q = parse_question(question)
    assert (q.count, q.op) == (count, op)


# --- operations: ratio (倍), per head (平均每人), remaining (限额 − 余额) -----------------------

OPS_REPORT = """松溪县2024年预算执行情况报告
一、收支情况
2024年全县一般公共预算收入6.40亿元，其中税收收入4.80亿元，非税收入1.60亿元。
二、民生保障
全年发放困难群众生活补助资金1500万元，惠及困难群众5000人。
全年发放80岁以上高龄津贴300万元，惠及老年人2500人。
三、债务管理
2024年全县政府债务限额52.6亿元，债务余额48.1亿元。
"""


@pytest.fixture(scope="module")
def ops_engine(tmp_path_factory, embedder):
    from qa.config import Settings
    from qa.engine import Engine

    base = tmp_path_factory.mktemp("ops")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "2024_songxi_county_report.txt").write_text(OPS_REPORT, encoding="utf-8")
    return Engine.open(Settings.from_args(corpus=corpus, index=base / "index"), embedder=embedder)


def test_operation_functions():
    from decimal import Decimal

    from qa.answer import per_head, ratio_of, remaining

    assert ratio_of(Decimal("4.8"), Decimal("1.6")) == Decimal(3)
    assert ratio_of(Decimal(1), Decimal(0)) is None
    assert per_head(Decimal(15000000), Decimal(5000)) == Decimal(3000)
    assert per_head(Decimal(1), Decimal(0)) is None
    assert remaining(Decimal("52.6"), Decimal("48.1")) == Decimal("4.5")


def test_ratio_of_two_items(ops_engine):
    q = parse_question("税收收入是非税收入的多少倍？")
    assert (q.qtype, q.op, q.items) == ("arithmetic", "ratio", ["税收收入", "非税收入"])
    rec = ask(ops_engine, "2024年税收收入是非税收入的多少倍？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["value"], rec["unit"]) == (3.0, "倍")


def test_per_head_from_an_amount_and_the_people_it_reached(ops_engine):
    q = parse_question("困难群众生活补助平均每人多少钱？")
    assert (q.qtype, q.op) == ("arithmetic", "per_head")
    rec = ask(ops_engine, "困难群众生活补助资金平均每人多少钱？")
    assert rec["status"] == "answered", rec["answer"]
    assert (rec["value"], rec["unit"]) == (3000.0, "元/人")
    assert "5000人" in rec["citations"][0]["text"]


def test_a_listed_winner_is_named_by_the_question_word_its_name_holds():
    """The question lists contenders in its own order; the report in another: the winner is named
    by the question's word its name holds, not by its place in the question's list."""
    from decimal import Decimal

    from qa.answer.common import _winner_name
    from qa.records import Figure

    def row(item: str, value: str) -> Figure:
        return Figure("r", item, Decimal(value), value, "%", "rate", 0, 1, 0, 1)

    q = parse_question("2026年地区生产总值增速、居民消费价格涨幅、城镇调查失业率这几个百分比哪个最大？")
    members = [row("地区生产总值增速", "5.1"), row("城镇调查失业率", "5.6"), row("居民消费价格涨幅", "2.1")]
    assert _winner_name(q, members, members[1]) == "城镇调查失业率"


def test_a_winner_named_by_what_sets_it_apart_ends_where_a_word_ends():
    """Members sharing a long tail are told apart by what precedes it; when the tail shared by
    all starts inside a word (…示范区/…工区 share 区), the name keeps that word whole."""
    from decimal import Decimal

    from qa.answer.common import _winner_name
    from qa.records import Figure

    def row(item: str, value: str) -> Figure:
        return Figure("r", item, Decimal(value), value, "亿元", "amount", 0, 1, 0, 1)

    q = parse_question("南阳2019年示范区、高新区、官庄工区中，哪个一般公共预算收入最多？")
    members = [row("城乡一体化示范区一般公共预算收入", "2.45"), row("高新区一般公共预算收入", "3.1"),
               row("官庄工区一般公共预算收入", "0.8")]
    assert _winner_name(q, members, members[0]) == "城乡一体化示范区"
