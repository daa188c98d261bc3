"""Property-based tests (hypothesis): no exception escapes the figure extractor or the question
parser on arbitrary text, and `decode_text` on arbitrary bytes either decodes or raises
FormatError. Modules that do not exist yet are skipped, saying so."""
from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qa.formats import FormatError, decode_text

PROPS = settings(max_examples=200, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _function(module: str, name: str):
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        pytest.skip(f"{module} cannot be imported yet ({e})")
    fn = getattr(mod, name, None)
    if fn is None:
        pytest.skip(f"{module}.{name} does not exist yet")
    return mod, fn


# --- text strategies ------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
# General finance-report vocabulary and punctuation, so random text reaches the number, unit,
# change and scope paths of the parsers rather than only their "no number here" exits.
_FRAGMENTS = [
    "亿元", "万元", "元", "万亿元", "%", "％", "个百分点", "倍", "户", "人", "家", "项",
    "同比增长", "增长", "下降", "增加", "减少", "持平", "比上年", "较上年", "同比", "为预算的",
    "完成", "实现", "预计", "预算", "决算", "执行", "其中", "分别为", "全县", "全市", "市本级",
    "州本级", "全省", "一般公共预算收入", "税收收入", "非税收入", "支出", "政府性基金", "国有资本经营",
    "社会保险基金", "债务", "余额", "限额", "年", "月", "1-9月", "上半年", "全年", "截至", "底",
    "近", "约", "超", "逾", "多少", "是多少", "增长了多少", "哪个", "比", "和", "与", "，", "。", "；",
    "：", "、", "（", "）", "(", ")", "—", "-", "～", "~", "\n", " ", "\u3000", "一、", "（一）",
    "1、", "1.", "一是", "①", "“", "”", "？", "?",
]
_numbers = st.one_of(
    st.from_regex(r"\A[0-9]{1,7}(\.[0-9]{1,4})?\Z"),
    st.from_regex(r"\A(19|20)[0-9]{2}\Z"),
    st.from_regex(r"\A[0-9]{1,3}(,[0-9]{3}){1,3}(\.[0-9]{1,2})?\Z"),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
).flatmap(lambda s: st.sampled_from([s, s.translate(_FULLWIDTH)]))
_cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_fullwidth = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
_piece = st.one_of(st.sampled_from(_FRAGMENTS), _numbers, st.text(_cjk, max_size=4),
                   st.text(_fullwidth, max_size=3), st.text(max_size=3))

def _opt(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


# A stated figure, shaped like report prose: [scope][period]item verb [qualifier]number unit
# [，change number unit] punctuation.
_sentence = st.tuples(
    _opt(st.sampled_from(["全县", "全市", "市本级", "州本级", "全省"])),
    _opt(st.sampled_from(["2023年", "2024年1-9月", "上半年", "全年", "截至9月底"])),
    st.sampled_from(["一般公共预算收入", "税收收入", "非税收入", "教育支出", "债务余额", "其中"]),
    st.sampled_from(["完成", "实现", "预计完成", "为", "达到", "", "分别为"]),
    _opt(st.sampled_from(["近", "约", "超", "逾"])),
    _numbers,
    st.sampled_from(["亿元", "万元", "元", "万亿元", "%", "个百分点", "户", ""]),
    _opt(st.tuples(st.sampled_from(["，同比增长", "，下降", "，比上年增加", "，持平", "、"]),
                   _numbers, st.sampled_from(["%", "个百分点", "亿元", ""])).map("".join)),
    st.sampled_from(["。", "；", "，", "", "\n"]),
).map("".join)
finance_text = st.lists(st.one_of(_sentence, _sentence, _piece), min_size=1, max_size=20).map("".join)
any_text = st.one_of(
    finance_text,
    finance_text,
    st.text(max_size=400),
    st.text(st.one_of(_cjk, _fullwidth, st.sampled_from("0123456789.%，。亿元万\n -")), max_size=400),
    finance_text,
)


# --- figures -------------------------------------------------------------------------------------

@PROPS
@given(any_text)
def test_extract_figures_never_raises_and_spans_index_the_text(t: str) -> None:
    _, extract_figures = _function("qa.figures", "extract_figures")
    from qa.records import Document

    figures = extract_figures(Document(name="x", text=t))
    n = len(t)
    for f in figures:
        assert 0 <= f.start < f.end <= n, f
        assert 0 <= f.sent_start <= f.sent_end <= n, f
        if f.change_start is not None:
            assert f.change_end is not None and 0 <= f.change_start < f.change_end <= n, f


# --- question parser -----------------------------------------------------------------------------

@PROPS
@given(any_text)
def test_parse_question_never_raises_unexpectedly(t: str) -> None:
    mod, parse_question = _function("qa.question", "parse_question")
    # Rejecting a question (empty, too long, markup...) with the module's own error is the
    # designed behaviour; anything else escaping is a bug.
    expected = getattr(mod, "QuestionError", ())
    try:
        parse_question(t)
    except expected:  # type: ignore[misc]
        pass


# --- decoding ------------------------------------------------------------------------------------

@PROPS
@given(st.binary(max_size=3000))
def test_decode_text_on_arbitrary_bytes_raises_only_format_error(data: bytes) -> None:
    try:
        text, encoding = decode_text(data, "any.txt")
    except FormatError as e:
        assert "any.txt" in str(e)
        return
    assert isinstance(text, str) and isinstance(encoding, str) and encoding
    assert "\r" not in text and "\x00" not in text


# Report-like text: no ASCII letters, so it cannot begin with a file signature ("GIF8", "%PDF-").
_report_chars = st.one_of(_cjk, _fullwidth, st.sampled_from("0123456789.%，。；：、（）“”\n\r -\t"))
report_text = st.text(_report_chars, min_size=1, max_size=400).filter(lambda t: t.strip())


def _lf(t: str) -> str:
    return t.replace("\r\n", "\n").replace("\r", "\n")


@PROPS
@given(report_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_unicode_encodings_round_trip(t: str, codec: str) -> None:
    text, _ = decode_text(t.encode(codec), "r.txt")
    assert text == _lf(t)


@PROPS
@given(st.text(st.one_of(_cjk, st.sampled_from("0123456789.%，。\n")), min_size=8, max_size=400))
def test_gb18030_round_trips_unless_the_bytes_are_also_utf8(t: str) -> None:
    data = t.encode("gb18030")
    try:
        data.decode("utf-8")
        assume(False)  # genuinely ambiguous bytes (e.g. GBK 一 = D2 BB is UTF-8 "һ")
    except UnicodeDecodeError:
        pass
    text, encoding = decode_text(data, "r.txt")
    assert (text, encoding) == (_lf(t), "gb18030")
