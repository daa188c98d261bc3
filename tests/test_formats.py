"""formats.py on documents the tests build themselves (docx, pdf, html) and on encoded text.

The PDF is written object by object: a Type0 font with Identity-H encoding and a ToUnicode
CMap, so Chinese text has a real text layer without needing a CJK font file on the machine.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from qa.formats import SUPPORTED_SUFFIXES, FormatError, decode_text, extract_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "eval" / "corpus"
FIRST_REPORT = ROOT / "corpus" / "2023_county_finance_bureau_work_report.txt"

CHINESE = (
    "一、2024年预算执行情况\n"
    "全县一般公共预算收入完成12.34亿元，同比增长5.6%，其中税收收入8.72亿元。\n"
    "（一）支出情况\n"
    "一般公共预算支出30.5亿元，下降2.1个百分点。“三保”支出得到保障。\n"
)


def lines_of(text: str) -> list[str]:
    return text.split("\n")


# --- plain text ----------------------------------------------------------------------------------

def first_report() -> str:
    if not FIRST_REPORT.is_file():
        pytest.skip(f"{FIRST_REPORT} is absent")
    return FIRST_REPORT.read_text(encoding="utf-8")


@pytest.mark.parametrize("codec, expected", [
    ("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8"),
])
def test_real_report_round_trips_through_legacy_encodings(codec: str, expected: str) -> None:
    text = first_report()
    got, enc = decode_text(text.encode(codec), "r.txt")
    assert got == text
    assert enc == expected


@pytest.mark.parametrize("codec, bom", [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("utf-16-be", b""),
])
def test_utf16_with_and_without_bom(codec: str, bom: bytes) -> None:
    text = first_report()
    got, enc = decode_text(bom + text.encode(codec), "r.txt")
    assert got == text
    assert enc == codec


def test_utf8_bom_is_not_part_of_the_text() -> None:
    got, enc = decode_text(b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), "bom.txt")
    assert got == CHINESE
    assert enc == "utf-8-sig"
    assert not got.startswith("\ufeff")


def test_crlf_and_cr_become_lf_and_nothing_else_changes() -> None:
    raw = CHINESE.replace("\n", "\r\n") + "末行\r旧式换行\n　　全角缩进 与  两个空格\t制表符"
    got, _ = decode_text(raw.encode("gbk"), "crlf.txt")
    assert "\r" not in got
    assert got == CHINESE + "末行\n旧式换行\n　　全角缩进 与  两个空格\t制表符"
    # Offsets computed on the decoded text point at the same words.
    i = got.index("12.34亿元")
    assert got[i:i + 7] == "12.34亿元"


def test_shared_corpus_reports_decode_as_utf8_and_as_gbk() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    paths = sorted(SHARED.glob("*.txt"))
    assert paths
    for p in paths:
        data = p.read_bytes()
        text, enc = decode_text(data, p.name)
        assert enc in ("utf-8", "utf-8-sig")
        assert text == data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        got, enc = decode_text(text.encode("gb18030"), p.name)
        assert (got, enc) == (text, "gb18030"), p.name


def test_empty_file() -> None:
    with pytest.raises(FormatError, match=r"empty\.txt.*empty"):
        decode_text(b"", "empty.txt")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    random.Random(7).randbytes(4096),
    b"ELF\x7f" + b"\x00\x01\x02\x03" * 300,
    "正文".encode("utf-8") + b"\x00" * 40 + "正文".encode("utf-8"),
])
def test_binary_file_is_rejected_with_the_file_named(data: bytes) -> None:
    with pytest.raises(FormatError, match=r"blob\.txt.*(binary|PNG|not a text)"):
        decode_text(data, "blob.txt")


def test_control_characters_mark_binary() -> None:
    rng = random.Random(3)
    data = bytes(rng.choice([1, 2, 3, 4, 5, 6, 0x41, 0x42]) for _ in range(2000))
    with pytest.raises(FormatError, match="binary"):
        decode_text(data, "ctl.txt")


def test_undecodable_file_is_rejected() -> None:
    rng = random.Random(11)
    alphabet = list(range(0x80, 0x100)) + list(range(0x41, 0x5B))
    data = bytes(rng.choice(alphabet) for _ in range(400))
    for codec in ("utf-8", "gb18030"):  # precondition: a real decoding failure, not a lucky guess
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
    with pytest.raises(FormatError, match=r"junk\.txt.*(decode|encoding)"):
        decode_text(data, "junk.txt")


@pytest.mark.parametrize("first, second, bad_line", [("utf-8", "gbk", 3), ("gbk", "utf-8", 1)])
def test_mixed_utf8_and_gbk_names_the_first_bad_line(first: str, second: str, bad_line: int) -> None:
    part1 = "第一部分采用统一编码保存的正文内容\n第二行同样是统一编码\n"
    part2 = "第三行却是另一种编码保存的文字\n"
    data = part1.encode(first) + part2.encode(second)
    with pytest.raises(FormatError, match=rf"mixed\.txt.*encodings.*line {bad_line} is not"):
        decode_text(data, "mixed.txt")


def test_damaged_gbk_file_is_reported_as_damaged_not_decoded_as_another_code_page() -> None:
    data = bytearray(CHINESE.encode("gbk") * 3)
    line3 = data.index(b"\n", data.index(b"\n") + 1) + 1
    data[line3 + 1] = 0x20  # a lead byte followed by a space is not GBK
    with pytest.raises(FormatError, match=r"gbk\.txt.*GBK/GB18030.*1 invalid.*line 3.*damaged"):
        decode_text(bytes(data), "gbk.txt")


def test_extract_text_passes_txt_through_decode() -> None:
    assert extract_text(Path("x.txt"), CHINESE.encode("gbk")) == CHINESE


def test_unsupported_suffixes() -> None:
    assert {".txt", ".docx", ".pdf", ".html", ".htm"} <= SUPPORTED_SUFFIXES
    with pytest.raises(FormatError, match=r"a\.doc.*docx"):
        extract_text(Path("a.doc"), b"\xd0\xcf\x11\xe0")
    with pytest.raises(FormatError, match=r"a\.xlsx.*unsupported"):
        extract_text(Path("a.xlsx"), b"PK\x03\x04")


# --- docx ----------------------------------------------------------------------------------------

def make_docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("示例县2024年财政预算执行情况的报告", level=0)
    d.add_heading("一、收入情况", level=1)
    d.add_paragraph("全县一般公共预算收入完成12.34亿元，同比增长5.6%。")
    t = d.add_table(rows=4, cols=3)
    rows = [("项目", "预算数", "执行数"), ("税收收入", "8.50", "8.72"),
            ("非税收入", "3.10", "2.95"), ("合计", "", "11.67")]
    for r, vals in enumerate(rows):
        for c, v in enumerate(vals):
            t.cell(r, c).text = v
    t.cell(3, 0).merge(t.cell(3, 1))  # "合计" spans two columns
    d.add_paragraph("表后的段落：非税收入下降4.8%。")
    d.add_heading("二、支出情况", level=1)
    p = d.add_paragraph("一般公共预算支出")
    p.add_run("30.5亿元").bold = True
    p.add_run("，下降2.1个百分点。")
    d.save(str(path))


def test_docx_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    make_docx(path)
    text = extract_text(path, path.read_bytes())
    lines = lines_of(text)
    assert lines[0] == "示例县2024年财政预算执行情况的报告"
    assert "税收收入\t8.50\t8.72" in lines
    assert "非税收入\t3.10\t2.95" in lines
    assert "项目\t预算数\t执行数" in lines
    # The merged cell fills its first column; the figure stays on the row's line.
    assert "合计\t\t11.67" in lines
    order = [lines.index(s) for s in (
        "一、收入情况", "全县一般公共预算收入完成12.34亿元，同比增长5.6%。", "项目\t预算数\t执行数",
        "合计\t\t11.67", "表后的段落：非税收入下降4.8%。", "二、支出情况")]
    assert order == sorted(order)
    # Runs with different formatting are one line.
    assert "一般公共预算支出30.5亿元，下降2.1个百分点。" in lines
    assert "" not in lines


def test_docx_vertical_merge_repeats_the_row_label(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text, t.cell(0, 1).text, t.cell(0, 2).text = "类别", "科目", "金额"
    d.add_paragraph("单位：亿元")
    t2 = d.add_table(rows=1, cols=3)  # a header row whose first cell is empty keeps its place
    t2.cell(0, 1).text, t2.cell(0, 2).text = "2023年", "2024年"
    t.cell(1, 0).text = "民生支出"
    t.cell(1, 1).text, t.cell(1, 2).text = "教育", "5.14"
    t.cell(2, 1).text, t.cell(2, 2).text = "卫生", "1.19"
    t.cell(1, 0).merge(t.cell(2, 0))
    path = tmp_path / "v.docx"
    d.save(str(path))
    lines = lines_of(extract_text(path, path.read_bytes()))
    assert lines[0] == "类别\t科目\t金额"
    assert lines[1].split("\t") == ["民生支出", "教育", "5.14"]
    assert lines[2].split("\t") == ["民生支出", "卫生", "1.19"]
    assert lines[3:] == ["单位：亿元", "\t2023年\t2024年"]


def test_damaged_docx(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    make_docx(path)
    data = path.read_bytes()[:300]
    with pytest.raises(FormatError, match=r"bad\.docx.*not a readable Word"):
        extract_text(path, data)


# --- pdf -----------------------------------------------------------------------------------------

def _hex(s: str) -> str:
    return "<" + "".join(f"{ord(ch):04X}" for ch in s) + ">"


_TOUNICODE = (
    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
    "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
    + "".join(
        f"100 beginbfrange\n" + "".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n" for h in range(lo, min(lo + 100, 256)))
        + "endbfrange\n" for lo in range(0, 256, 100))
    + "endcmap CMapName currentdict /CMap defineresource pop end end\n")


def make_pdf(pages: list[list[tuple]], with_font: bool = True) -> bytes:
    """pages: list of ops per page on an A4 page (595 x 842, y up):
    ("t", x, y, text, size) draws text (every character 1 em wide); ("r", x, y, w, h) strokes a
    rectangle; ("l", x1, y1, x2, y2) strokes a line; ("img",) paints a 1x1 inline image."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")
    pages_id = add(b"")
    font = desc = tu = 0
    if with_font:
        tu_data = _TOUNICODE.encode("ascii")
        tu = add(b"<< /Length %d >>\nstream\n" % len(tu_data) + tu_data + b"\nendstream")
        desc = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900]"
                   b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>")
        cid = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo"
                  b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R"
                  b" /DW 1000 >>" % desc)
        font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H"
                   b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid, tu))
    kids = []
    for ops in pages:
        parts = []
        for op in ops:
            if op[0] == "t":
                _, x, y, s, size = op
                parts.append(f"BT /F1 {size} Tf {x} {y} Td {_hex(s)} Tj ET")
            elif op[0] == "r":
                _, x, y, w, h = op
                parts.append(f"0.5 w {x} {y} {w} {h} re S")
            elif op[0] == "l":
                _, x1, y1, x2, y2 = op
                parts.append(f"0.5 w {x1} {y1} m {x2} {y2} l S")
            elif op[0] == "img":
                parts.append("q 400 0 0 600 100 100 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q")
        content = "\n".join(parts).encode("latin-1")
        cs = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        res = b"<< /Font << /F1 %d 0 R >> >>" % font if with_font else b"<< >>"
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources %s"
                        b" /Contents %d 0 R >>" % (pages_id, res, cs)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                          + b"] /Count %d >>" % len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)


LEFT, SIZE, WIDTH = 72, 12, 36  # body text: 36 characters of 12 pt from x=72 to x=504
HEADER = "示例县财政局文件"


def body_lines(text: str, y: float, first_indent: int = 2) -> tuple[list[tuple], float]:
    """Wrap `text` like a Chinese paragraph: 2-character first-line indent, WIDTH per line."""
    ops = []
    line, x, room = "", LEFT + first_indent * SIZE, WIDTH - first_indent
    while text:
        line, text = text[:room], text[room:]
        ops.append(("t", x, y, line, SIZE))
        y -= 20
        x, room = LEFT, WIDTH
    return ops, y


def running(page_no: int) -> list[tuple]:
    return [("t", 240, 800, HEADER, 10.5), ("t", 280, 30, f"- {page_no} -", 10.5)]


# Paragraph 1 wraps inside "12.34" (the 36th character of its first line is the "3").
PARA1 = "全县一般公共预算收入完成十二点三亿元以上，经过努力全年共完成12.34亿元，同比增长5.6%，" \
        "主要是税收收入增加带动。"
PARA2 = "表后的段落说明执行情况，非税收入下降4.8%，主要是一次性收入减少所致，这一段在下一页继续" \
        "接着写完本段的最后几句话。"
PARA3 = "二、2025年预算安排"
PARA4 = "全县一般公共预算收入预算13.00亿元，增长5.3%。"


def make_report_pdf() -> bytes:
    p1 = running(1) + [("t", 150, 740, "关于示例县2024年预算执行情况的报告", 16)]
    ops, y = body_lines(PARA1, 700)
    p1 += ops
    # A ruled 3 x 3 table under the paragraph.
    top = y - 10
    rows = [("项目", "预算数", "执行数"), ("税收收入", "8.50", "8.72"), ("非税收入", "3.10", "2.95")]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            p1.append(("r", LEFT + c * 144, top - (r + 1) * 24, 144, 24))
            p1.append(("t", LEFT + c * 144 + 6, top - (r + 1) * 24 + 7, cell, SIZE))
    y = top - 3 * 24 - 30
    # Paragraph 2 starts on page 1 and its last line goes to page 2 (the wrap is at the margin).
    ops, y = body_lines(PARA2[:70], y)
    p1 += ops
    p2 = running(2)
    ops, y2 = body_lines(PARA2[70:], 760, first_indent=0)
    p2 += ops
    p2.append(("t", LEFT, y2 - 10, PARA3, SIZE))
    ops, _ = body_lines(PARA4, y2 - 40)
    p2 += ops
    p3 = running(3) + [("t", LEFT + 24, 760, "第三页只有这一句话。", SIZE)]
    return make_pdf([p1, p2, p3])


def test_hand_written_pdf_builder_has_a_chinese_text_layer() -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    import io
    with pdfplumber.open(io.BytesIO(make_report_pdf())) as pdf:
        assert len(pdf.pages) == 3
        raw = pdf.pages[0].extract_text()
    assert "关于示例县2024年预算执行情况的报告" in raw
    # The wrap really splits the number, and the page number is in the text layer.
    assert "12.3\n4亿元" in raw
    assert "- 1 -" in raw and HEADER in raw


def test_pdf_text_tables_and_page_furniture(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(make_report_pdf())
    text = extract_text(path, path.read_bytes())
    lines = lines_of(text)
    assert lines[0] == "关于示例县2024年预算执行情况的报告"
    # Table rows are lines, cells separated, in their place between the paragraphs.
    assert "税收收入\t8.50\t8.72" in lines
    assert "非税收入\t3.10\t2.95" in lines
    assert lines.index(PARA1) < lines.index("项目\t预算数\t执行数") < lines.index(PARA2)
    # The wrap inside "12.34" and the page break inside paragraph 2 are joined.
    assert PARA1 in lines and "12.34亿元" in text
    assert PARA2 in lines
    # A heading after a wrapped line stays its own line.
    assert lines.index(PARA3) == lines.index(PARA2) + 1
    assert PARA4 in lines
    assert lines[-1] == "第三页只有这一句话。"
    # Page numbers and the running header are gone.
    assert not any(ln.strip(" -") in ("1", "2", "3") for ln in lines)
    assert HEADER not in text


def test_pdf_table_cells_wrapped_inside_and_empty_corner(tmp_path: Path) -> None:
    # Header row with an empty corner cell; a row label wrapped onto two lines in its cell.
    ops: list[tuple] = []
    grid = [[(), ("2023年",), ("2024年",)], [("一般公共预算", "收入"), ("10.5",), ("11.2",)]]
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            x, y = LEFT + c * 120, 700 - (r + 1) * 40
            ops.append(("r", x, y, 120, 40))
            for i, part in enumerate(cell):
                ops.append(("t", x + 4, y + 24 - 16 * i, part, SIZE))
    path = tmp_path / "cells.pdf"
    path.write_bytes(make_pdf([ops]))
    assert extract_text(path, path.read_bytes()).split("\n") == [
        "\t2023年\t2024年", "一般公共预算收入\t10.5\t11.2"]


def test_pdf_kangxi_radicals_become_ideographs(tmp_path: Path) -> None:
    # Some PDF fonts map 一 to the Kangxi radical ⼀ (U+2F00); readers see the same glyph.
    path = tmp_path / "kangxi.pdf"
    path.write_bytes(make_pdf([[("t", LEFT, 700, "\u2f00般公共预算收入完成\u2f06亿元", SIZE)]]))
    assert extract_text(path, path.read_bytes()) == "一般公共预算收入完成二亿元"


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[("img",)], [("img",)]], with_font=False))
    with pytest.raises(FormatError, match=r"scan\.pdf.*no text layer.*OCR"):
        extract_text(path, path.read_bytes())


def test_damaged_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    with pytest.raises(FormatError, match=r"cut\.pdf"):
        extract_text(path, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")


# --- html ----------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>网站标题_示例县财政局</title>
<style>p {{ color: red }} .x::after {{ content: "样式文字" }}</style>
<script>var s = "脚本文字"; document.write("<p>脚本段落</p>");</script>
</head><body>
<header><a href="/">首页</a> <a href="/news">新闻动态</a></header>
<nav><ul><li>导航一</li><li>导航二</li></ul></nav>
<div class="content">
  <h1>关于示例县2024年预算执行情况的报告</h1>
  <p>　　全县一般公共预算收入完成<b>12.34</b>亿元，
     同比增长5.6%。</p>
  <p>第二段&nbsp;&nbsp;含有   多个空格<br>以及换行后的内容。</p>
  <table border="1">
    <tr><th>项目</th><th>预算数</th><th>执行数</th></tr>
    <tr><td>税收收入</td><td>8.50</td><td>8.72</td></tr>
    <tr><td colspan="2">合计</td><td>11.67</td></tr>
  </table>
  <p>表后的段落{extra}。</p>
  <div style="display:none">隐藏的文字</div>
  <form><input value="搜索"><button>提交</button></form>
  <!-- 注释文字 -->
</div>
<aside>相关链接</aside>
<footer>版权所有 示例县财政局 备案号</footer>
<noscript>请启用脚本</noscript>
</body></html>
"""


def test_html_strips_furniture_and_keeps_structure(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(HTML.format(extra="，非税收入下降4.8%").encode("gbk"))
    text = extract_text(path, path.read_bytes())
    lines = lines_of(text)
    assert lines[0] == "关于示例县2024年预算执行情况的报告"
    # The source-code wrap between Chinese characters is not a space; the indent is gone.
    assert "全县一般公共预算收入完成12.34亿元，同比增长5.6%。" in lines
    assert "第二段 含有 多个空格" in lines
    assert "以及换行后的内容。" in lines
    assert "税收收入\t8.50\t8.72" in lines
    assert "合计\t\t11.67" in lines
    assert lines.index("项目\t预算数\t执行数") < lines.index("表后的段落，非税收入下降4.8%。")
    for junk in ("脚本", "样式", "首页", "导航", "隐藏", "搜索", "提交", "注释", "相关链接",
                 "版权所有", "请启用", "网站标题"):
        assert junk not in text, junk


def test_html_without_declared_charset_is_detected(tmp_path: Path) -> None:
    page = HTML.replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "")
    path = tmp_path / "page.htm"
    for codec in ("utf-8", "gbk"):
        path.write_bytes(page.format(extra="").encode(codec))
        assert "税收收入\t8.50\t8.72" in lines_of(extract_text(path, path.read_bytes()))


def test_html_wrong_declared_charset_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "liar.html"
    path.write_bytes(HTML.format(extra="").encode("utf-8"))  # says gb2312, is UTF-8
    text = extract_text(path, path.read_bytes())
    assert "关于示例县2024年预算执行情况的报告" in lines_of(text)


def test_html_article_header_is_kept_and_layout_tables_read_as_blocks(tmp_path: Path) -> None:
    long_para = "这是正文的第一段，" + "内容较长的说明文字，" * 25 + "结束。"
    page = f"""<html><head><meta charset="utf-8"></head><body>
    <header>站点横幅</header>
    <table><tr><td>左侧栏目</td><td>
      <article><header><h1>文章标题报告</h1><p>发布日期：2024年1月5日</p></header>
      <p>{long_para}</p><p>第二段。</p>
      <table><tr><td>科目</td><td>金额</td></tr><tr><td>教育</td><td>5.14</td></tr></table>
      </article></td></tr></table></body></html>"""
    path = tmp_path / "layout.html"
    path.write_bytes(page.encode("utf-8"))
    lines = lines_of(extract_text(path, path.read_bytes()))
    assert "站点横幅" not in lines
    assert "文章标题报告" in lines and "发布日期：2024年1月5日" in lines
    assert long_para in lines and "第二段。" in lines
    assert "教育\t5.14" in lines


# --- real reports through each format ------------------------------------------------------------

def report_paragraphs(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def report_as_pdf(text: str) -> bytes:
    """Typeset a report like an official document: 2-character first-line indent, 36 characters
    a line, running header and "- n -" page numbers, 34 lines a page."""
    pages: list[list[tuple]] = []
    ops: list[tuple] = []
    y = 760
    for para in report_paragraphs(text):
        line_ops, _ = body_lines(para, 0)
        for op in line_ops:
            ops.append(("t", op[1], y, op[3], op[4]))
            y -= 20
            if y < 80:
                pages.append(running(len(pages) + 1) + ops)
                ops, y = [], 760
    if ops:
        pages.append(running(len(pages) + 1) + ops)
    return make_pdf(pages)


def shared_reports() -> list[Path]:
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return sorted(SHARED.glob("*.txt"))


def test_first_report_typeset_as_pdf_comes_back_paragraph_for_paragraph(tmp_path: Path) -> None:
    text = first_report()
    data = report_as_pdf(text)
    assert data.count(b"/Type /Page ") >= 5
    got = extract_text(tmp_path / "r.pdf", data)
    assert got.split("\n") == report_paragraphs(text)


def test_shared_reports_typeset_as_pdf_keep_paragraphs_and_figures(tmp_path: Path) -> None:
    for p in shared_reports():
        paras = report_paragraphs(p.read_text(encoding="utf-8"))[:30]  # ~5 pages each: keeps it quick
        got = extract_text(tmp_path / "r.pdf", report_as_pdf("\n".join(paras))).split("\n")
        # The only allowed difference: a space the source had at a wrap point (or a typographic
        # space such as U+2002, which a PDF's text layer gives back as an ordinary one or none).
        assert _unspaced("".join(got)) == _unspaced("".join(paras)), p.name
        lines = {_unspaced(ln) for ln in got}
        exact = sum(1 for para in paras if _unspaced(para) in lines)
        assert exact >= 0.95 * len(paras), (p.name, exact, len(paras))
        assert not any(HEADER in ln for ln in got), p.name


def _unspaced(text: str) -> str:
    return re.sub(r"\s+", "", text)


def source_wrap(para: str, width: int = 40) -> list[str]:
    """Break a paragraph about every `width` characters, next to a Chinese character (an editor
    wraps Chinese text there; it does not break inside a number or a word)."""
    out, start = [], 0
    while len(para) - start > width:
        cut = start + width
        while cut < len(para) and not (re.match(r"[\u4e00-\u9fff，。；：、]", para[cut - 1])
                                       or re.match(r"[\u4e00-\u9fff]", para[cut])):
            cut += 1
        out.append(para[start:cut])
        start = cut
    out.append(para[start:])
    return out


def test_first_report_as_docx_and_html_comes_back_line_for_line(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    paras = report_paragraphs(first_report())
    d = docx.Document()
    for para in paras:
        d.add_paragraph(para)
    path = tmp_path / "r.docx"
    d.save(str(path))
    assert extract_text(path, path.read_bytes()).split("\n") == paras

    # HTML source wrapped every 40 characters, as editors do, inside <p> elements.
    body = "\n".join("<p>" + "\n      ".join(source_wrap(para)) + "</p>" for para in paras)
    page = f'<html><head><meta charset="gbk"></head><body><nav>栏目导航</nav>{body}</body></html>'
    path = tmp_path / "r.html"
    path.write_bytes(page.encode("gb18030"))
    expected = [re.sub(r"\s+", " ", para) for para in paras]
    assert extract_text(path, path.read_bytes()).split("\n") == expected
