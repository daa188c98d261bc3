"""Hostile and clumsy inputs (issue 14): every test reproduces one defect the probe found.

Memory bombs are read in a child process whose resident memory is sampled while it runs; the
child is killed once it passes a ceiling far above the bound, so a regression fails the test
instead of taking the machine down. The bound each test states is over the same child reading
a normal file of the same format.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import FIRST_REPORT, ROOT

psutil = pytest.importorskip("psutil")

MB = 1 << 20
# A hostile file may cost at most this much more than reading a normal file of its format.
EXTRA_BOUND_MB = 300
# Above this the child is killed: the defect is back (before the fix these reached gigabytes).
KILL_AT_MB = 1500


def child_peak(code: str, timeout: float = 120) -> tuple[float, str, str, bool]:
    """Run `code` in a fresh interpreter; (peak RSS in MB, stdout, stderr, killed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    ps = psutil.Process(proc.pid)
    peak, killed, t0 = 0, False, time.monotonic()
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            break
        if peak > KILL_AT_MB * MB or time.monotonic() - t0 > timeout:
            proc.kill()
            killed = True
            break
        time.sleep(0.01)
    out, err = proc.communicate()
    # the child's own high-water mark catches a peak between two samples
    for line in out.splitlines():
        if line.startswith("MAXRSS "):
            peak = max(peak, int(line.split()[1]) * 1024)
    return peak / MB, out, err, killed


EXTRACT = """
import resource, sys
from pathlib import Path
from qa.formats import FormatError, extract_text
path = Path(sys.argv[1] if len(sys.argv) > 1 else {path!r})
try:
    text = extract_text(path, path.read_bytes())
    print("OK", len(text))
    print("HEAD", text[:200].replace("\\n", "|"))
except FormatError as e:
    print("REFUSED", e)
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def extract_peak(path: Path) -> tuple[float, str, bool]:
    peak, out, err, killed = child_peak(EXTRACT.format(path=str(path)))
    assert killed or "Traceback" not in err, err
    return peak, out, killed


# --- docx ----------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')
PARA = "<w:p><w:r><w:t>全县一般公共预算收入完成12.34亿元，同比增长5.6%。</w:t></w:r></w:p>"


def write_docx(path: Path, body_parts) -> None:
    """A minimal Word file whose body is the concatenation of `body_parts` (streamed, so a
    body of hundreds of MB costs the test little memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                    f'<w:body>'.encode())
            for part in body_parts:
                f.write(part.encode() if isinstance(part, str) else part)
            f.write(b"</w:body></w:document>")


@pytest.fixture(scope="module")
def docx_baseline(tmp_path_factory) -> float:
    path = tmp_path_factory.mktemp("docx") / "normal.docx"
    write_docx(path, [PARA] * 200)
    peak, out, killed = extract_peak(path)
    assert out.startswith("OK") and not killed
    return peak


def test_docx_grid_span_of_two_billion_is_clipped(tmp_path, docx_baseline):
    # 1 KB: one table cell claiming 2,000,000,000 columns, then a normal cell
    path = tmp_path / "span.docx"
    write_docx(path, [PARA,
                      '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr>'
                      '<w:p><w:r><w:t>税收收入</w:t></w:r></w:p></w:tc>'
                      '<w:tc><w:p><w:r><w:t>8.72</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'])
    assert path.stat().st_size < 2048
    peak, out, killed = extract_peak(path)
    print(f"gridSpan bomb: peak {peak:.0f} MB, normal docx {docx_baseline:.0f} MB")
    assert not killed, f"reading a 1 KB docx passed {KILL_AT_MB} MB"
    assert peak < docx_baseline + EXTRA_BOUND_MB
    assert out.startswith("OK") and "税收收入" in out and "8.72" in out


def test_docx_whose_text_part_expands_hugely_is_refused(tmp_path, docx_baseline):
    # ~1 MB on disk, 300 MB of paragraphs once unzipped
    path = tmp_path / "paras.docx"
    block = PARA * 4000
    write_docx(path, (block for _ in range(300 * MB // len(block.encode()))))
    assert path.stat().st_size < 3 * MB
    peak, out, killed = extract_peak(path)
    print(f"paragraph bomb: peak {peak:.0f} MB, normal docx {docx_baseline:.0f} MB")
    assert not killed, f"reading a {path.stat().st_size / MB:.1f} MB docx passed {KILL_AT_MB} MB"
    assert peak < docx_baseline + EXTRA_BOUND_MB
    assert out.startswith("REFUSED") and "paras.docx" in out and "MB" in out


def test_docx_whitespace_bomb_is_refused_before_it_is_inflated(tmp_path, docx_baseline):
    # 1 GB of spaces inside one paragraph: a zip member that expands ~1000-fold
    path = tmp_path / "spaces.docx"
    write_docx(path, ["<w:p><w:r><w:t xml:space=\"preserve\">"] + [b" " * (16 * MB)] * 64
               + ["</w:t></w:r></w:p>"])
    peak, out, killed = extract_peak(path)
    print(f"whitespace bomb: peak {peak:.0f} MB, normal docx {docx_baseline:.0f} MB")
    assert not killed
    assert peak < docx_baseline + EXTRA_BOUND_MB
    assert out.startswith("REFUSED") and "spaces.docx" in out


def test_docx_member_lying_about_its_size_is_refused(tmp_path):
    # the central directory says 1 KB, the member inflates to 64 MB: zipfile stops at the
    # declared size and the CRC check fails, so the file is refused as damaged
    path = tmp_path / "liar.docx"
    write_docx(path, ["<w:p><w:r><w:t>"] + [b"x" * MB] * 64 + ["</w:t></w:r></w:p>"])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/document.xml")
    real = info.file_size
    # rewrite the sizes in the zip64 extra fields and headers: replace every 8-byte little-endian
    # copy of the real size with 1 KB
    data = bytes(data).replace(real.to_bytes(8, "little"), (1024).to_bytes(8, "little"))
    data = data.replace(real.to_bytes(4, "little"), (1024).to_bytes(4, "little"))
    path.write_bytes(data)
    peak, out, killed = extract_peak(path)
    assert not killed and out.startswith("REFUSED"), out
    assert peak < KILL_AT_MB / 3


# --- pdf -----------------------------------------------------------------------------------------

def pdf_with_stream(stream: bytes, filters: str) -> bytes:
    """A one-page PDF whose content stream is `stream`, with /Filter `filters`."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
            b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode()) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def flate(total: int, piece: bytes = b" " * MB) -> bytes:
    c = zlib.compressobj(9)
    return b"".join(c.compress(piece) for _ in range(total // len(piece))) + c.flush()


@pytest.fixture(scope="module")
def pdf_baseline(tmp_path_factory) -> float:
    path = tmp_path_factory.mktemp("pdf") / "normal.pdf"
    path.write_bytes(pdf_with_stream(zlib.compress(b"BT /F1 12 Tf 72 700 Td (x) Tj ET"), "/FlateDecode"))
    peak, out, killed = extract_peak(path)
    assert not killed
    return peak


def test_pdf_flate_bomb_is_refused_with_bounded_memory(tmp_path, pdf_baseline):
    # 1 GB of spaces in one content stream, ~1 MB on disk
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_with_stream(flate(1024 * MB), "/FlateDecode"))
    assert path.stat().st_size < 2 * MB
    peak, out, killed = extract_peak(path)
    print(f"PDF flate bomb: peak {peak:.0f} MB, normal PDF {pdf_baseline:.0f} MB")
    assert not killed, f"reading a 1 MB PDF passed {KILL_AT_MB} MB"
    assert peak < pdf_baseline + EXTRA_BOUND_MB
    assert out.startswith("REFUSED") and "bomb.pdf" in out and "MB" in out


def test_pdf_doubly_compressed_bomb_is_refused(tmp_path, pdf_baseline):
    # flate inside flate: each layer is bounded on its own
    path = tmp_path / "double.pdf"
    path.write_bytes(pdf_with_stream(zlib.compress(flate(1024 * MB), 9), "[/FlateDecode /FlateDecode]"))
    peak, out, killed = extract_peak(path)
    assert not killed and peak < pdf_baseline + EXTRA_BOUND_MB
    assert out.startswith("REFUSED"), out


def test_pdf_run_length_bomb_is_refused(tmp_path, pdf_baseline):
    # run-length: 2 bytes give 128, so 8 MB give 512 MB (pdfminer built a list of ints for it)
    path = tmp_path / "rl.pdf"
    path.write_bytes(pdf_with_stream(b"\x81 " * (4 * MB) + b"\x80", "/RunLengthDecode"))
    peak, out, killed = extract_peak(path)
    print(f"PDF run-length bomb: peak {peak:.0f} MB")
    assert not killed and peak < pdf_baseline + EXTRA_BOUND_MB
    assert out.startswith("REFUSED"), out


# --- html ----------------------------------------------------------------------------------------

def test_html_nested_600_deep_is_read(tmp_path):
    from qa.formats import extract_text

    body = "<div>" * 600 + "<p>全县一般公共预算收入完成12.34亿元。</p>" + "</div>" * 600
    html = f"<html><head><meta charset='utf-8'></head><body>{body}<p>第二段：税收收入8.72亿元。</p></body></html>"
    path = tmp_path / "deep.html"
    path.write_text(html, encoding="utf-8")
    text = extract_text(path, path.read_bytes())
    assert "全县一般公共预算收入完成12.34亿元。" in text.split("\n")
    assert "第二段：税收收入8.72亿元。" in text.split("\n")


# --- chunking --------------------------------------------------------------------------------

class CountingText(str):
    """Report text that tallies the characters its count/find calls scan."""
    scanned = 0

    def count(self, sub, start=None, end=None):
        CountingText.scanned += (len(self) if end is None else end) - (start or 0)
        return str.count(self, sub, start, end)

    def find(self, sub, start=None, end=None):
        CountingText.scanned += (len(self) if end is None else end) - (start or 0)
        return str.find(self, sub, start, end)


class CountingSections(list):
    """Section list that tallies how many items are iterated over."""
    iterated = 0

    def __iter__(self):
        for x in list.__iter__(self):
            CountingSections.iterated += 1
            yield x


def long_report(paragraphs: int) -> str:
    out = ["示例县2024年财政预算执行情况的报告"]
    for i in range(paragraphs):
        if i % 20 == 0:
            out.append(f"{'一二三四五六七八九'[i // 20 % 9]}、第{i}部分")
        out.append(f"全县一般公共预算收入完成{i}.5亿元，同比增长5.6%。一是税收收入增加。二是非税收入下降。")
    return "\n".join(out)


def test_chunking_work_is_linear_in_report_length():
    # 2.75 M characters took 43 s: each sentence counted the newlines from the start of the text
    # and rebuilt the section start list. The work per character must not grow with length.
    from qa.records import Document
    from qa.segment import chunk_document, parse_sections

    text = long_report(6000)
    sections = CountingSections(parse_sections(text))
    CountingText.scanned = CountingSections.iterated = 0
    chunks = chunk_document(Document(name="long", text=CountingText(text)), sections=sections)
    assert len(chunks) > 3000
    assert all(text[c.start:c.end] == c.text for c in chunks[::97])
    assert CountingText.scanned <= 3 * len(text), f"{CountingText.scanned:,} characters scanned for {len(text):,}"
    assert CountingSections.iterated <= 5 * len(sections), (CountingSections.iterated, len(sections))


def test_parse_sections_is_linear_in_points_of_one_paragraph():
    # thousands of 一是… points in one long paragraph: each point used to search for the
    # paragraph's end again for every later heading
    from qa.segment import parse_sections

    line = "".join(f"{'一二三四五六七八九'[i % 9]}是第{i}项工作完成，" for i in range(4000))
    text = CountingText("示例县财政工作报告\n一、总体情况\n" + line + "\n二、下一步打算\n继续努力。")
    CountingText.scanned = 0
    secs = parse_sections(text)
    assert sum(s.level == 5 for s in secs) >= 4000
    assert CountingText.scanned <= 3 * len(text), f"{CountingText.scanned:,} for {len(text):,}"
