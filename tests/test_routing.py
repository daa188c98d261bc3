"""Whose report is it, and which reports does a question go to (issue 10).

Every real report we have must be read right — place, level, kind — and invented titles and bodies
test each source of evidence on its own: a title without the place, a body that names a neighbour
once, a district of a city, a national release, a provincial work report, a county news item, the
file name, the sidecar. Routing is tested over every real report at once.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from qa.ingest import read_document
from qa.metadata import describe, uncertainty
from qa.places import gazetteer, short_name
from qa.question import parse_question
from qa.records import Document
from qa.route import Router

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "eval" / "corpus"
BLIND = ROOT.parent / "shared" / "corpus" / "blind"

# (region, level, kind) of every real report; reading a report's place is not tuning on it, so the
# blind reports are checked too when they are beside the project.
EXPECTED = {
    "2018_sanming_city_budget_report": ("三明市", "市", "budget_report"),
    "2018_shijiazhuang_city_budget_report": ("石家庄市", "市", "budget_report"),
    "2019_nanyang_city_budget_report": ("南阳市", "市", "budget_report"),
    "2022_national_gov_work_report": ("全国", "全国", "gov_work_report"),
    "2023_county_finance_bureau_work_report": ("", "县", "work_report"),
    "2023_national_full_year_fiscal_release": ("全国", "全国", "fiscal_release"),
    "2023_national_gov_work_report": ("全国", "全国", "gov_work_report"),
    "2024_chaoyang_city_budget_report": ("朝阳市", "市", "budget_report"),
    "2024_fujian_province_final_accounts_report": ("福建省", "省", "final_accounts"),
    "2025_beijing_municipality_budget_report": ("北京市", "省", "budget_report"),
    "2025_changde_city_budget_report": ("常德市", "市", "budget_report"),
    "2025_fushun_city_final_accounts_report": ("抚顺市", "市", "final_accounts"),
    "2025_haikou_city_budget_report": ("海口市", "市", "budget_report"),
    "2025_honghe_prefecture_budget_report": ("红河哈尼族彝族自治州", "州", "budget_report"),
    "2025_jingdezhen_city_budget_report": ("景德镇市", "市", "budget_report"),
    "2025_shanwei_city_budget_report": ("汕尾市", "市", "budget_report"),
    "2025_shizuishan_city_budget_report": ("石嘴山市", "市", "budget_report"),
    "2025_suzhou_city_budget_report": ("苏州市", "市", "budget_report"),
    "2025_zhangye_city_budget_report": ("张掖市", "市", "budget_report"),
    "2025_zhanjiang_city_budget_report": ("湛江市", "市", "budget_report"),
    "2019_sanmenxia_city_budget_report": ("三门峡市", "市", "budget_report"),
    "2023_heilongjiang_province_final_accounts_report": ("黑龙江省", "省", "final_accounts"),
    "2024_national_gov_work_report": ("全国", "全国", "gov_work_report"),
    "2025_chongqing_municipality_budget_report": ("重庆市", "省", "budget_report"),
    "2025_dali_prefecture_budget_report": ("大理白族自治州", "州", "budget_report"),
    "2025_huainan_city_budget_report": ("淮南市", "市", "budget_report"),
    "2025_national_jan_jun_fiscal_release": ("全国", "全国", "fiscal_release"),
    "2025_yaan_city_budget_report": ("雅安市", "市", "budget_report"),
}


def _real_reports() -> list[Path]:
    files = sorted(DEV.glob("*.txt"))
    if BLIND.is_dir():
        files += sorted(BLIND.glob("*.txt"))
    return files


@pytest.fixture(scope="module")
def real_documents() -> dict[str, Document]:
    return {p.stem: read_document(p) for p in _real_reports()}


def _doc(text: str, name: str = "report") -> Document:
    doc = Document(name=name, text=text)
    describe(doc)
    return doc


# --- the dataset ------------------------------------------------------------------------------

def test_dataset_gives_parent_chains_and_short_names():
    gaz = gazetteer()
    xishan = next(p for p in gaz.lookup("西山区") if gaz.parents(p)[0].name == "昆明市")
    assert [p.name for p in gaz.parents(xishan)] == ["昆明市", "云南省"]
    yongan = gaz.lookup("永安市")[0]  # a county-level city under its prefecture
    assert [p.name for p in gaz.parents(yongan)] == ["三明市", "福建省"]
    honghe = gaz.lookup("红河州")
    assert honghe and honghe[0].name == "红河哈尼族彝族自治州" and honghe[0].level == "州"
    assert short_name("红河哈尼族彝族自治州") == "红河" and short_name("内蒙古自治区") == "内蒙古"
    assert short_name("广西壮族自治区") == "广西" and short_name("湛江市") == "湛江"
    assert "zhanjiang" in gaz.romanised(gaz.lookup("湛江市")[0])


def test_words_that_are_also_places_are_not_read_alone():
    gaz = gazetteer()
    # 市和县两级: 和县 is a county, but not here; 城区 is a district of several cities
    assert not gaz.mentions("市和县两级财政，城区改造")
    assert [m.text for m in gaz.mentions("湛江市和茂名市")] == ["湛江市", "茂名市"]


# --- every real report ------------------------------------------------------------------------

@pytest.mark.parametrize("path", _real_reports(), ids=lambda p: p.stem)
def test_real_report_metadata(path: Path, real_documents):
    doc = real_documents[path.stem]
    region, level, kind = EXPECTED[path.stem]
    assert (doc.region, doc.level, doc.kind) == (region, level, kind), doc.reason
    assert doc.reason
    if region:
        assert doc.confidence >= 0.6 and not uncertainty(doc)
    else:
        assert "meta.json" in uncertainty(doc)  # flagged, naming the sidecar to write


def test_budget_report_years_are_execution_and_budget(real_documents):
    zhanjiang = real_documents["2025_zhanjiang_city_budget_report"]
    assert (zhanjiang.execution_year, zhanjiang.budget_year) == (2025, 2026)
    assert real_documents["2025_fushun_city_final_accounts_report"].execution_year == 2025


# --- shapes of evidence, on invented texts ----------------------------------------------------

def test_title_without_place_read_from_body_speaking_as_its_level():
    body = ("关于2024年全市预算执行情况的报告\n各位代表：\n"
            + "2024年，全市一般公共预算收入完成12亿元。南平市经济平稳。" * 3
            + "与邻近的三明市开展合作。全市教育支出5亿元。")
    doc = _doc(body)
    assert doc.region == "南平市" and doc.level == "市" and doc.parents == ["福建省"]
    assert "body" in doc.reason


def test_district_of_a_city():
    doc = _doc("昆明市西山区2024年预算执行情况和2025年预算草案的报告\n各位代表：\n全区一般公共预算收入20亿元。")
    assert doc.region == "西山区" and doc.level == "区" and doc.parents == ["昆明市", "云南省"]


def test_national_release_that_never_names_the_state_council():
    doc = _doc("2024年前三季度财政收支情况\n一、全国一般公共预算收支情况\n前三季度，全国一般公共预算收入163059亿元。"
               "全国一般公共预算支出203946亿元。全国政府性基金预算收入。")
    assert (doc.region, doc.level, doc.kind) == ("全国", "全国", "fiscal_release")


def test_provincial_work_report_reads_the_meeting_line_not_a_sentence():
    doc = _doc("政府工作报告\n——2024年1月23日在甘肃省第十四届人民代表大会第二次会议上\n各位代表：\n"
               "过去一年，全省经济回升向好。向四川省学习。全省地区生产总值增长6.4%。")
    assert (doc.region, doc.level, doc.kind) == ("甘肃省", "省", "gov_work_report")


def test_county_news_item_with_its_place_in_the_first_sentence():
    doc = _doc("财政工作稳步推进\n近日，修水县财政局召开会议。今年以来，全县一般公共预算收入完成8亿元，全县民生支出占比80%。")
    assert doc.region == "修水县" and doc.level == "县" and doc.parents == ["九江市", "江西省"]


def test_file_name_is_a_last_resort_with_low_confidence():
    doc = _doc("关于2024年预算执行情况的报告\n各位代表：\n全市一般公共预算收入完成12亿元。", name="2024_zhanjiang_budget")
    assert doc.region == "湛江市" and doc.confidence < 0.6 and "file name" in doc.reason
    assert "meta.json" in uncertainty(doc)


def test_a_place_the_dataset_does_not_list_is_read_from_the_title_and_flagged():
    doc = _doc("青禾县2024年财政工作报告\n2024年全县一般公共预算收入8亿元，教育支出3亿元。")
    assert (doc.region, doc.level) == ("青禾县", "县") and "does not list" in doc.reason and uncertainty(doc)
    router = Router({"qinghe": doc})
    _, docs, why = _route(router, "青禾县2024年教育支出是多少")
    assert not why and docs is None or docs == ["qinghe"]


def test_sidecar_overrides_everything(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("关于2024年全县预算执行情况的报告\n全县一般公共预算收入完成8亿元，教育支出3亿元，卫生支出2亿元。",
                      encoding="utf-8")
    (tmp_path / "report.meta.json").write_text(json.dumps({"region": "修水县", "level": "县"}), encoding="utf-8")
    doc = read_document(report)
    assert (doc.region, doc.level, doc.confidence) == ("修水县", "县", 1.0)


# --- routing over every real report at once ---------------------------------------------------

@pytest.fixture(scope="module")
def router(real_documents) -> Router:
    return Router(real_documents)


def _route(router: Router, question: str, place: str = ""):
    q = parse_question(question, router.aliases)
    return q, *router.route(q, place)


@pytest.mark.parametrize("question, doc", [
    ("湛江2025年教育支出是多少", "2025_zhanjiang_city_budget_report"),
    ("红河州2025年一般公共预算收入", "2025_honghe_prefecture_budget_report"),
    ("红河哈尼族彝族自治州2025年税收收入", "2025_honghe_prefecture_budget_report"),
    ("How much did Zhanjiang spend on education in 2025?", "2025_zhanjiang_city_budget_report"),
    ("福建省三明市2018年一般公共预算收入", "2018_sanming_city_budget_report"),
    ("2024年福建全省财政决算收入", "2024_fujian_province_final_accounts_report"),
    ("朝阳市2024年教育支出", "2024_chaoyang_city_budget_report"),
    ("2023年政府工作报告里今年赤字率是多少", "2023_national_gov_work_report"),
    ("石嘴山市2025年全市一般公共预算收入", "2025_shizuishan_city_budget_report"),
    ("张掖2025年一般公共预算收入", "2025_zhangye_city_budget_report"),
    # English: possessives, a character with two readings (朝 chao/zhao), a parent in brackets
    ("What is Shijiazhuang's 2019 citywide general public budget revenue?", "2018_shijiazhuang_city_budget_report"),
    ("How much did Chaoyang City (Liaoning) spend in 2024?", "2024_chaoyang_city_budget_report"),
    ("How much revenue did China's central government collect in 2023 in total?",
     "2023_national_full_year_fiscal_release"),
    # 市级 where the report says 市级, not 市本级
    ("张掖市级2026年三公经费预算安排多少", "2025_zhangye_city_budget_report"),
    # a work report reviews the year before its own
    ("2022年政府工作报告里，2021年国内生产总值是多少", "2022_national_gov_work_report"),
])
def test_a_named_place_routes_to_its_own_report(router, question, doc):
    _, docs, why = _route(router, question)
    assert not why and doc in docs and all(router.doc_place.get(d) == router.doc_place.get(doc) for d in docs)


def test_a_part_of_an_indexed_place_goes_to_the_parent_and_must_be_named(router):
    q, docs, why = _route(router, "三明永安市2018年教育支出是多少")
    assert not why and docs == ["2018_sanming_city_budget_report"] and q.unknown_places == ["永安市"]


def test_a_place_with_no_report_abstains_listing_the_indexed_ones(router):
    for question in ("上海市2025年教育支出是多少", "Shanghai education spending 2025", "昆明市西山区教育支出"):
        _, docs, why = _route(router, question)
        assert docs is None and "没有关于" in why and "湛江市" in why, question


def test_no_place_goes_to_the_default_place_else_to_reports_without_one(router):
    _, docs, why = _route(router, "2025年教育支出是多少", place="湛江")
    assert not why and docs == ["2025_zhanjiang_city_budget_report"]
    _, docs, why = _route(router, "2023年1-9月教育支出是多少")
    assert not why and docs == ["2023_county_finance_bureau_work_report"]


def test_no_place_and_a_year_the_home_reports_lack_goes_to_the_national_reports(real_documents):
    # the bureau's own report (a county's of 2023, its place not known: no sidecar) does not reach
    # 2022: with no place named the country's reports are the next to ask, not a refusal that no
    # indexed report has the year
    county = "2023_county_finance_bureau_work_report"
    docs = {**real_documents, county: replace(real_documents[county], region="", level="", parents=[])}
    router = Router(docs)
    assert county not in router.doc_place
    _, chosen, why = _route(router, "2022年赤字率是多少")
    assert not why and chosen and all(router.doc_place.get(d) == "全国" for d in chosen)
    _, chosen, why = _route(router, "2023年1-9月教育支出是多少")  # a year the home report has: home
    assert not why and chosen == [county]


def test_a_national_item_with_no_place_named_also_goes_to_the_national_reports(router):
    # 中央…本级 names the central government's own figure: with no place named, the bureau's own
    # report (a county) cannot be the only candidate
    q, docs, why = _route(router, "2023年中央一般公共预算本级支出是多少")
    assert not why and q.national_item and q.scope == ""
    assert "2023_national_full_year_fiscal_release" in docs
    _, docs, why = _route(router, "2023年1-9月中央补助收入是多少")  # a county's item: stays home
    assert not why and docs == ["2023_county_finance_bureau_work_report"]


def test_years_choose_between_reports_of_one_place(real_documents):
    older = Document(name="zhanjiang_2024", text="", region="湛江市", years=[2024, 2025])
    docs = {**real_documents, older.name: older}
    router = Router(docs)
    _, chosen, _ = _route(router, "湛江2024年教育支出是多少")
    assert chosen == ["zhanjiang_2024"]
    _, chosen, _ = _route(router, "湛江2026年教育支出预算是多少")
    assert chosen == ["2025_zhanjiang_city_budget_report"]


# --- qa reports ---------------------------------------------------------------------------------

def test_qa_reports_json_gives_one_record_per_report(first_index):
    out = subprocess.run([sys.executable, "-m", "qa.cli", "reports", "--json",
                          "--index", str(first_index.settings.index_dir),
                          "--corpus", str(first_index.settings.corpus_dir)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["name"] for r in records] == ["2023_county_finance_bureau_work_report"]
    assert {"name", "title", "region", "level", "parents", "years", "kind", "confidence", "reason"} <= set(records[0])
    assert "meta.json" in out.stderr  # the county report names no place: flagged with the sidecar to write


# --- answers over every development report indexed together --------------------------------------

def test_answers_come_from_the_named_place_or_say_what_is_missing(shared_engine):
    ans = shared_engine.ask("湛江2025年教育支出是多少")
    assert ans.status == "answered" and ans.citations[0].doc == "2025_zhanjiang_city_budget_report"
    part = shared_engine.ask("湛江市赤坎区2025年教育支出是多少")  # the report gives no figure for that district
    assert part.status == "abstained" and "赤坎区" in part.answer
    elsewhere = shared_engine.ask("上海市2025年教育支出是多少")
    assert elsewhere.status == "abstained" and "湛江市" in elsewhere.answer  # lists the indexed places
    default = shared_engine.ask("2025年教育支出是多少", place="湛江")
    assert default.status == "answered" and default.citations[0].doc == "2025_zhanjiang_city_budget_report"



def test_a_year_asked_of_two_reports_gets_the_later_outturn_not_the_earlier_target(shared_engine):
    # the 2022 work report sets 2022's target (城镇新增就业1100万人以上); the 2023 one reports what
    # 2022 did (1206万人): with no status asked, the outturn (status_default across routed reports)
    ans = shared_engine.ask("2022年全国城镇新增就业多少人？")
    assert ans.status == "answered" and ans.value == 1206 and ans.unit == "万人", ans.answer
    assert ans.citations[0].doc == "2023_national_gov_work_report"
    target = shared_engine.ask("2022年政府工作报告提出的2022年城镇新增就业预期目标是多少？")
    assert target.status == "answered" and target.value == 1100, target.answer
