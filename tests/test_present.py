"""HTML rendering of answer records (qa.present): highlighting, context, escaping."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qa.ingest import read_document
from qa.present import format_value, render_answer, render_message
from qa.records import Document

ROOT = Path(__file__).resolve().parents[1]
FIRST = ROOT / "corpus" / "2023_county_finance_bureau_work_report.txt"

# The only markup present.py writes; anything else in the output came from input.
ALLOWED_TAGS = {"div", "span", "ol", "li", "mark", "details", "summary", "br"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.marks: list[str] = []
        self._in_mark = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mark:
            self.marks[-1] += data


def parse(fragment: str) -> _Tags:
    p = _Tags()
    p.feed(fragment)
    p.close()
    return p


@pytest.fixture(scope="module")
def first():
    return read_document(FIRST)


def _first_amount_with_change(doc: Document) -> re.Match:
    """Some '<number>亿元，同比<增长|下降><rate>%' statement of the report (found, not assumed)."""
    m = re.search(r"(\d+(?:\.\d+)?)亿元，同比(增长|下降)(\d+(?:\.\d+)?)%", doc.text)
    assert m, "the first report states amounts with year-on-year changes"
    return m


def test_figure_answer_is_prominent_and_its_span_is_marked_in_its_sentence(first):
    m = _first_amount_with_change(first)
    start, end = m.start(), m.start() + len(m.group(1)) + 2  # the number and 亿元
    record = {"question": "q", "status": "answered", "kind": "figure", "answer": m.group(0),
              "value": float(m.group(1)), "unit": "亿元", "direction": m.group(2), "entity": None,
              "citations": [{"doc": first.name, "start": start, "end": end, "text": first.text[start:end],
                             "section": "一、节 > （一）小节"}], "elapsed_ms": 12.3}
    out = render_answer(record, {first.name: first})
    tags = parse(out)
    assert set(tags.tags) <= ALLOWED_TAGS
    assert f'<span class="qa-number">{m.group(1)}</span>' in out
    assert '<span class="qa-unit">亿元</span>' in out
    assert m.group(2) in out and ("qa-up" in out) == (m.group(2) == "增长")
    # the cited span is marked, in the passage and again in the expanded paragraph
    assert tags.marks == [first.text[start:end]] * 2
    # the passage is the whole sentence around the span: from the previous sentence end to the next
    sent_lo = max(first.text.rfind(ch, 0, start) for ch in "。；\n") + 1
    sent_hi = min(i for i in (first.text.find(ch, end) for ch in "。；\n") if i >= 0)
    passage = re.search(r'<div class="qa-passage">(.*?)</div>', out).group(1)
    assert re.sub(r"</?mark>", "", passage) == first.text[sent_lo:sent_hi + 1]
    # the <details> holds the surrounding paragraph (line) of the report
    para_lo = first.text.rfind("\n", 0, start) + 1
    para_hi = first.text.find("\n", end)
    para = re.search(r'<div class="qa-paragraph">(.*?)</div>', out).group(1)
    shown = re.sub(r"</?mark>", "", para)
    assert shown.strip("…") in first.text[para_lo:para_hi]
    assert "<details" in out and "<summary>" in out
    assert first.title in out and "一、节 &gt; （一）小节" in out


def test_passage_answer_lists_every_citation_with_title_and_section(first):
    lines = [ln for ln in first.text.split("\n") if len(ln) > 30][:3]
    cites = []
    for ln in lines:
        s = first.text.index(ln)
        cites.append({"doc": first.name, "start": s, "end": s + len(ln), "text": ln, "section": "节"})
    record = {"question": "q", "status": "answered", "kind": "passage", "answer": lines[0], "citations": cites}
    out = render_answer(record, {first.name: first})
    tags = parse(out)
    assert out.count('<li class="qa-cite">') == 3
    assert tags.marks[::2] == lines  # passage marks; the <details> repeats each
    # a citation that is a whole paragraph expands to its neighbouring paragraphs
    para = re.findall(r'<div class="qa-paragraph">(.*?)</div>', out)[1]
    assert len(re.sub(r"<[^>]+>", "", para)) > len(lines[1])


def test_citations_beyond_the_first_few_fold_into_details(first):
    lines = [ln for ln in first.text.split("\n") if len(ln) > 30][:5]
    cites = [{"doc": first.name, "start": first.text.index(ln), "end": first.text.index(ln) + len(ln),
              "text": ln, "section": ""} for ln in lines]
    out = render_answer({"question": "q", "kind": "passage", "answer": lines[0], "citations": cites},
                        {first.name: first})
    assert out.count('<li class="qa-cite">') == 5
    folded = out[out.index('<details class="qa-more">'):]
    assert "其余 2 条出处" in folded and folded.count('<li class="qa-cite">') == 2
    passages = re.findall(r'<div class="qa-passage">(.*?)</div>', folded)
    assert [re.sub(r"<[^>]+>", "", p) for p in passages] == lines[3:]


def test_question_and_report_markup_is_rendered_inert():
    evil_q = "<img src=x onerror=alert(1)>"
    text = "一、概况\n本县<script>alert('x')</script>教育支出<b onclick=alert(2)>5亿元</b>，\"同比\"增长3%。\n下一段。"
    doc = Document(name="evil<doc>", text=text, title="<iframe src=javascript:alert(3)>报告")
    s = text.index("<script>")
    e = text.index("。") + 1
    record = {"question": evil_q, "status": "answered", "kind": "figure", "answer": text[s:e],
              "value": 5, "unit": "<u>亿元</u>", "direction": "<svg onload=alert(4)>", "entity": "<a href=x>A</a>",
              "citations": [{"doc": doc.name, "start": s, "end": e, "text": text[s:e],
                             "section": "<style>*{display:none}</style>"}]}
    for out in (render_answer(record, {doc.name: doc}), render_answer({**record, "status": "abstained"}, {}),
                render_message(evil_q, evil_q)):
        tags = parse(out)
        assert set(tags.tags) <= ALLOWED_TAGS, tags.tags
        assert not [a for a in tags.attrs if a.startswith("on") or a in ("src", "href", "style")]
        assert "<script" not in out and "<img" not in out and "<iframe" not in out
    out = render_answer(record, {doc.name: doc})
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    # the escaped report text still reads as the report wrote it
    assert text[s:e] in "".join(parse(out).marks)


def test_output_is_one_line_so_markdown_keeps_it_as_one_html_block(first):
    s = first.text.index("\n") + 1
    e = first.text.index("\n", first.text.index("\n", s) + 1)  # a span across a line break
    record = {"question": "q\nq", "kind": "passage", "answer": "a\n\nb",
              "citations": [{"doc": first.name, "start": s, "end": e, "text": first.text[s:e], "section": ""}]}
    out = render_answer(record, {first.name: first})
    assert "\n" not in out and "\r" not in out
    assert "<br>" in out


def test_abstention_says_plainly_what_was_not_found():
    record = {"question": "2023年教育支出是多少", "status": "abstained", "kind": "none",
              "answer": "报告中没有2023年教育支出的数字。", "citations": []}
    out = render_answer(record, {})
    assert "未找到答案" in out and "报告中没有2023年教育支出的数字。" in out and "2023年教育支出是多少" in out
    assert "<mark>" not in out and "qa-number" not in out


def test_stale_citation_falls_back_to_cited_text(first):
    """A report re-indexed since the answer: offsets no longer match, the cited text is still shown."""
    record = {"question": "q", "kind": "figure", "answer": "x", "value": 1.0, "unit": "亿元",
              "citations": [{"doc": first.name, "start": 0, "end": 4, "text": "不在这里", "section": "s"},
                            {"doc": "gone", "start": 0, "end": 3, "text": "已删除", "section": ""}]}
    out = render_answer(record, {first.name: first})
    assert parse(out).marks == ["不在这里", "已删除"]
    assert "<details" not in out
    assert "gone" in out


def test_comparison_shows_the_winning_entity():
    record = {"question": "q", "kind": "comparison", "answer": "甲支出比乙支出多。", "value": 2.5, "unit": "万元",
              "entity": "甲支出", "direction": None, "citations": []}
    out = render_answer(record, {})
    assert '<div class="qa-entity">甲支出</div>' in out and "比较" in out


@pytest.mark.parametrize("value, shown", [(5.14, "5.14"), (10.0, "10"), (1234567.0, "1,234,567"),
                                          (-12345.5, "-12,345.5"), (2023, "2023"), (0.5, "0.5"), (None, "")])
def test_format_value(value, shown):
    assert format_value(value) == shown
