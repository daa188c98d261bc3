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
import sys
from pathlib import Path
from qa.formats import FormatError, extract_text
path = Path(sys.argv[1] if len(sys.argv) > 1 else {path!r})
try:
    text = extract_text(path, path.read_bytes())
    print("OK", len(text))
    print("HEAD", text[:200].replace("\\n", "|"))
except FormatError as e:
    print("REFUSED", e)
# VmHWM is this process's own high-water mark; ru_maxrss would include the forking parent's
print("MAXRSS", [int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0])
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

def test_text_longer_than_any_report_is_refused(tmp_path):
    from qa.config import MAX_TEXT_CHARS
    from qa.formats import FormatError, extract_text

    path = tmp_path / "huge.txt"
    path.write_bytes("预算收入完成。\n".encode() * (MAX_TEXT_CHARS // 8 + 10))
    with pytest.raises(FormatError, match="huge.txt.*characters"):
        extract_text(path, path.read_bytes())


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


# --- questions ---------------------------------------------------------------------------------

def qa(*args, cwd=ROOT, env=None, timeout=600):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, env=full_env,
                          timeout=timeout, cwd=cwd)


def test_validate_question_removes_invisible_characters():
    from qa.question import QuestionError, validate_question

    assert validate_question("教育\ud800支出\u200b是多少\ufeff？") == "教育支出是多少？"
    assert validate_question("\u202e税收收入\u2060\n是多少") == "税收收入 是多少"
    with pytest.raises(QuestionError, match="HTML"):  # full-width markup is markup
        validate_question("＜script＞alert(1)＜/script＞教育支出")
    with pytest.raises(QuestionError, match="为空"):
        validate_question("\u200b\u200d\ud800")


def test_ask_file_answers_good_lines_and_reports_each_bad_one(tmp_path, first_index):
    lines = [json.dumps({"id": "ok1", "question": "税收收入是多少"}, ensure_ascii=False).encode(),
             b'{"id": "sur", "question": "\\ud800\xe6\x95\x99\xe8\x82\xb2\xe6\x94\xaf\xe5\x87\xba\xe6\x98\xaf\xe5\xa4\x9a\xe5\xb0\x91"}',
             b'{"id": "broken", "question": ',
             b'\xff\xfe not utf-8',
             b'["a list"]',
             b'{"id": 5, "question": 12}',
             json.dumps({"id": "ok2", "question": "2023年1-9月教育支出是多少"}, ensure_ascii=False).encode()]
    f = tmp_path / "q.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    r = qa("ask", "--json", "--file", str(f), "--index", str(first_index.settings.index_dir))
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode != 0 and "Traceback" not in err and "internal error" not in err, err
    recs = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert [x["id"] for x in recs] == ["ok1", "sur", None, None, None, 5, "ok2"]
    by_id = {x["id"]: x for x in recs if x["id"] is not None}
    assert by_id["ok1"]["status"] == "answered" and by_id["ok2"]["value"] == 5.14
    # the lone surrogate is dropped; the question is answered like 教育支出是多少
    assert by_id["sur"]["status"] == "answered" and by_id["sur"]["question"] == "教育支出是多少"
    errors = [x for x in recs if x["status"] == "error"]
    assert [x["line"] for x in errors] == [3, 4, 5, 6]
    assert "JSON" in errors[0]["error"] and "UTF-8" in errors[1]["error"] and "question" in errors[2]["error"]
    assert all(set(x) >= {"id", "question", "status", "kind", "answer", "citations", "line", "error"} for x in errors)
    for n in (3, 4, 5, 6):
        assert f"line {n}" in err


# --- read-only commands --------------------------------------------------------------------------

def test_read_only_commands_never_build_or_delete(tmp_path, first_index):
    import shutil

    index = tmp_path / "index"
    shutil.copytree(first_index.settings.index_dir, index, symlinks=True)
    (index / "CURRENT").unlink()
    before = sorted(p.name for p in index.iterdir())
    for args in (["ask", "税收收入是多少"], ["facts"], ["ask", "--json", "--file", str(tmp_path / "none.jsonl")]):
        r = qa(*args, "--index", str(index))
        err = r.stderr.decode()
        assert r.returncode != 0 and "Traceback" not in err, err
        assert sorted(p.name for p in index.iterdir()) == before, args
    assert "qa index" in err or "not found" in err
    r = qa("ask", "税收收入是多少", "--index", str(index))
    assert "no index" in r.stderr.decode() and "qa index" in r.stderr.decode()


def test_index_without_corpus_uses_the_recorded_one_and_keeps_the_only_generation(tmp_path, first_index):
    # CURRENT gone, a build from another (empty-ish) folder must not delete the only good copy
    import shutil

    from qa.config import Settings
    from qa.index import build_index, live_generation

    index = tmp_path / "index"
    shutil.copytree(first_index.settings.index_dir, index, symlinks=True)
    gen = live_generation(index)
    (index / "CURRENT").unlink()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(FIRST_REPORT, other / "copy.txt")
    build_index(Settings.from_args(corpus=other, index=index), first_index.embedder)
    assert gen.is_dir() and (gen / "manifest.json").is_file()


# --- index updates: names, links, counts, disk, manifest, cancelling ------------------------------

SECOND_REPORT = ("某镇财政所2031年工作情况汇报\n一、收入情况\n2031年全镇一般公共预算收入完成1.23亿元，同比增长4.5%。"
                 "其中税收收入0.98亿元，非税收入0.25亿元。\n二、支出情况\n一般公共预算支出2.34亿元，"
                 "其中教育支出0.56亿元，同比增长3.2%。\n")


@pytest.fixture()
def small(tmp_path, embedder):
    """A writable corpus of the first report and its index."""
    import shutil

    from qa.config import Settings
    from qa.engine import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIRST_REPORT, corpus)
    settings = Settings.from_args(corpus=corpus, index=tmp_path / "index")
    return Engine.open(settings, embedder=embedder)


def test_gbk_named_file_and_outside_link_are_skipped_and_the_rest_indexed(small, tmp_path):
    from qa.index import build_index

    corpus = small.settings.corpus_dir
    gbk = os.fsdecode("中文报告.txt".encode("gbk"))  # how a GBK-named zip member unpacks
    (corpus / gbk).write_text(SECOND_REPORT, encoding="utf-8")
    (corpus / "second.txt").write_text(SECOND_REPORT.replace("某镇", "另一镇"), encoding="utf-8")
    secret = tmp_path / "outside.txt"
    secret.write_text(SECOND_REPORT.replace("某镇", "外部镇"), encoding="utf-8")
    (corpus / "link.txt").symlink_to(secret)
    report = build_index(small.settings, small.embedder)
    assert report.added == ["second"]
    names = " ".join(report.skipped)
    assert "\\xd6\\xd0" in names and "link.txt" in names
    assert "中文报告" in " ".join(report.skipped.values())  # the GBK reading is offered as a hint
    # the CLI says so in a printable line and succeeds
    r = qa("index", "--corpus", str(corpus), "--index", str(small.settings.index_dir))
    err = r.stderr.decode("utf-8")
    assert r.returncode == 0 and "\\xd6\\xd0" in err and "Traceback" not in err, err


def test_two_files_with_one_name_keep_the_indexed_one_and_say_so(small):
    from qa.index import build_index

    corpus = small.settings.corpus_dir
    stem = FIRST_REPORT.stem
    (corpus / f"{stem}.html").write_text(f"<p>{SECOND_REPORT}</p>", encoding="utf-8")
    report = build_index(small.settings, small.embedder)
    assert report.up_to_date and f"{stem}.html" in report.skipped
    assert "same name" in report.skipped[f"{stem}.html"]
    small.update()
    assert "5.14" in small.document(stem).text  # still the .txt


def test_index_after_skipping_a_changed_file_reports_the_real_chunk_count(small):
    corpus = small.settings.corpus_dir
    n = small.index.manifest["counts"]["chunks"]
    (corpus / FIRST_REPORT.name).write_bytes(b"\x00\x01binary" * 100)
    r = qa("index", "--corpus", str(corpus), "--index", str(small.settings.index_dir))
    out = r.stdout.decode()
    assert f"({n} chunks)" in out and "(0 chunks)" not in out, out
    assert "skipped" in r.stderr.decode()


def test_full_disk_gives_a_message_and_leaves_no_partial_generation(small, monkeypatch):
    import errno

    import qa.index as qindex
    from qa.index import IndexWriteError, build_index, live_generation

    live = live_generation(small.settings.index_dir)
    (small.settings.corpus_dir / "second.txt").write_text(SECOND_REPORT, encoding="utf-8")

    def full(path, rows):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(qindex, "_write_jsonl", full)
    with pytest.raises(IndexWriteError, match="No space left on device.*previous index is still in use"):
        build_index(small.settings, small.embedder)
    assert not list(small.settings.index_dir.glob("gen-*.partial"))
    assert live_generation(small.settings.index_dir) == live


def test_manifest_without_checksums_is_refused_and_rebuild_repairs_it(small):
    from qa.index import IndexUnusable, live_generation, load_index

    index = small.settings.index_dir
    manifest = live_generation(index) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["checksums"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexUnusable, match="no checksums.*qa index --rebuild"):
        load_index(index)
    r = qa("ask", "税收收入是多少", "--index", str(index))
    err = r.stderr.decode()
    assert r.returncode == 3 and "checksums" in err and "internal error" not in err, err
    r = qa("index", "--rebuild", "--corpus", str(small.settings.corpus_dir), "--index", str(index))
    assert r.returncode == 0, r.stderr.decode()
    assert load_index(index).manifest["checksums"]


def test_unparsable_index_data_is_refused_and_rebuild_repairs_it(small):
    from qa.index import IndexUnusable, _sha256_file, live_generation, load_index

    index = small.settings.index_dir
    gen = live_generation(index)
    (gen / "chunks.jsonl").write_text('{"not": "a chunk"}\n', encoding="utf-8")
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest["checksums"]["chunks.jsonl"] = _sha256_file(gen / "chunks.jsonl")  # checksums agree
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexUnusable, match="--rebuild"):
        load_index(index)
    r = qa("index", "--rebuild", "--corpus", str(small.settings.corpus_dir), "--index", str(index))
    assert r.returncode == 0, r.stderr.decode()
    assert len(load_index(index).chunks) > 10


def test_a_cancelled_build_leaves_the_index_in_use(small):
    import threading

    from qa.index import BuildCancelled, build_index, live_generation

    live = live_generation(small.settings.index_dir)
    (small.settings.corpus_dir / "second.txt").write_text(SECOND_REPORT, encoding="utf-8")
    cancel = threading.Event()
    seen = []

    def progress(message, fraction):
        seen.append(message)
        if message.startswith("reading"):
            cancel.set()

    with pytest.raises(BuildCancelled):
        build_index(small.settings, small.embedder, progress=progress, cancel=cancel)
    assert live_generation(small.settings.index_dir) == live
    assert not list(small.settings.index_dir.glob("gen-*.partial"))
    assert any(m.startswith("reading") for m in seen)


# --- the app: uploads, login, read-only index, questions -----------------------------------------

@pytest.fixture(scope="module")
def app_module():
    sys.path.insert(0, str(ROOT))
    import app

    return app


def test_upload_never_replaces_a_report_silently(small, app_module, tmp_path):
    corpus = small.settings.corpus_dir
    original = (corpus / FIRST_REPORT.name).read_bytes()
    chunks = small.index.manifest["counts"]["chunks"]
    upload = tmp_path / "upload"
    upload.mkdir()

    # other bytes under an existing report's name: refused, nothing changes
    same = upload / FIRST_REPORT.name
    same.write_text(SECOND_REPORT, encoding="utf-8")
    msg = app_module.upload_message(small, str(same))
    assert "qa-err" in msg and "同名" in msg and "已添加" not in msg
    assert (corpus / FIRST_REPORT.name).read_bytes() == original
    assert small.index.manifest["counts"]["chunks"] == chunks
    # the same name with another suffix is the same report name: refused as well
    other_suffix = upload / f"{FIRST_REPORT.stem}.html"
    other_suffix.write_text(f"<p>{SECOND_REPORT}</p>", encoding="utf-8")
    assert "同名" in app_module.upload_message(small, str(other_suffix))
    assert not (corpus / other_suffix.name).exists()
    # names the index would ignore are not reported as added
    for name in ("README.txt", ".hidden.txt"):
        (upload / name).write_text(SECOND_REPORT, encoding="utf-8")
        msg = app_module.upload_message(small, str(upload / name))
        assert "qa-err" in msg and "已添加" not in msg, name
        assert not (corpus / name).exists()
    # replacement when asked for: the old file is kept as a previous version
    msg = app_module.upload_message(small, str(same), replace=True)
    assert "qa-ok" in msg and "已替换" in msg, msg
    assert (corpus / FIRST_REPORT.name).read_text(encoding="utf-8") == SECOND_REPORT
    kept = list((corpus / ".versions").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == original
    assert "1.23" in small.document(FIRST_REPORT.stem).text
    # a new report is added and said so
    new = upload / "second.txt"
    new.write_text(SECOND_REPORT.replace("某镇", "另一镇"), encoding="utf-8")
    assert "已添加" in app_module.upload_message(small, str(new))
    assert "second" in small.index.documents


def test_gradio_upload_copy_is_removed(app_module):
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()) / "qa-test-upload-copy"
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "report.txt"
    copy.write_text("x", encoding="utf-8")
    app_module.remove_upload_copy(str(copy))
    assert not copy.exists() and not folder.exists()
    outside = FIRST_REPORT
    app_module.remove_upload_copy(str(outside))  # never outside Gradio's folder
    assert outside.exists()


def test_app_login_is_required_off_loopback(app_module, monkeypatch, capsys):
    monkeypatch.delenv(app_module.AUTH_ENV, raising=False)
    assert app_module.parse_args([]).auth is None
    with pytest.raises(SystemExit):
        app_module.parse_args(["--host", "0.0.0.0"])
    assert "--auth" in capsys.readouterr().err
    assert app_module.parse_args(["--host", "0.0.0.0", "--auth", "staff:s3cret:x"]).auth == ("staff", "s3cret:x")
    monkeypatch.setenv(app_module.AUTH_ENV, "ops:pw")
    assert app_module.parse_args(["--host", "192.168.1.5"]).auth == ("ops", "pw")
    with pytest.raises(SystemExit):
        app_module.parse_args(["--auth", "nopassword"])
    assert app_module.is_loopback("127.0.0.1") and app_module.is_loopback("::1")
    assert app_module.is_loopback("localhost") and not app_module.is_loopback("10.0.0.1")


def test_app_starts_on_a_read_only_index_with_updates_off(small, app_module, tmp_path):
    index = small.settings.index_dir
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "--bind", str(index), str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mnt)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a read-only mount here")
        from qa.config import Settings

        (small.settings.corpus_dir / "second.txt").write_text(SECOND_REPORT, encoding="utf-8")
        settings = Settings.from_args(corpus=small.settings.corpus_dir, index=mnt)
        engine, read_only, _ = app_module.start_engine(settings)
        assert read_only
        rec = app_module.ask_record(engine, "2023年1-9月教育支出是多少")
        assert rec["status"] == "answered" and rec["value"] == 5.14
        assert "只读" in app_module.upload_message(engine, str(small.settings.corpus_dir / "second.txt"),
                                                  read_only=True)
        # the CLI: qa index says the folder cannot be written; qa ask reads it
        r = qa("index", "--index", str(mnt), "--corpus", str(small.settings.corpus_dir))
        err = r.stderr.decode()
        assert r.returncode == 3 and "cannot be written" in err and "internal error" not in err, err
        r = qa("ask", "--json", "2023年1-9月教育支出是多少", "--index", str(mnt))
        assert r.returncode == 0 and json.loads(r.stdout)["value"] == 5.14
    finally:  # lazily: the engine still has index files open
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_app_answers_a_question_with_a_lone_surrogate(first_index, app_module):
    rec = app_module.ask_record(first_index, "2023年1-9月教育\ud800支出\u200b是多少")
    json.dumps(rec, ensure_ascii=False).encode("utf-8")  # what Gradio sends back must be UTF-8
    assert rec["status"] == "answered" and rec["value"] == 5.14
    rec = app_module.ask_record(first_index, "\ud800\udfff")
    json.dumps(rec, ensure_ascii=False).encode("utf-8")
    assert rec["status"] == "abstained"


def test_app_uses_the_corpus_recorded_in_the_index(small, app_module, monkeypatch):
    monkeypatch.delenv("QA_CORPUS_DIR", raising=False)
    args = app_module.parse_args(["--index", str(small.settings.index_dir)])
    assert app_module.app_settings(args).corpus_dir == small.settings.corpus_dir
    args = app_module.parse_args(["--index", str(small.settings.index_dir), "--corpus", str(ROOT / "corpus")])
    assert app_module.app_settings(args).corpus_dir == ROOT / "corpus"


def test_a_cancelled_upload_leaves_corpus_and_index_as_they_were(small, app_module, tmp_path):
    import threading

    cancel = threading.Event()
    cancel.set()
    new = tmp_path / "second.txt"
    new.write_text(SECOND_REPORT, encoding="utf-8")
    msg = app_module.upload_message(small, str(new), cancel=cancel)
    assert "已取消" in msg and not (small.settings.corpus_dir / "second.txt").exists()
    assert "second" not in small.index.documents
    # a cancelled replacement puts the old file back
    same = tmp_path / FIRST_REPORT.name
    same.write_text(SECOND_REPORT, encoding="utf-8")
    msg = app_module.upload_message(small, str(same), replace=True, cancel=cancel)
    assert "已取消" in msg
    assert (small.settings.corpus_dir / FIRST_REPORT.name).read_bytes() == FIRST_REPORT.read_bytes()


def test_app_login_and_upload_size_limit_over_http(small, tmp_path):
    """The real server: nothing without the login, and an upload over the size limit refused."""
    import socket

    httpx = pytest.importorskip("httpx")
    from qa.config import MAX_FILE_BYTES

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "QA_APP_AUTH": "staff:pw-test-1"}
    log = open(tmp_path / "app.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--watch-interval", "0",
                             "--index", str(small.settings.index_dir), "--corpus", str(small.settings.corpus_dir)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, (tmp_path / "app.log").read_text()[-2000:]
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "app did not start"
                time.sleep(1)
        with httpx.Client(base_url=url, timeout=30) as anon:
            assert anon.get("config").status_code == 401
            assert anon.post("gradio_api/upload", files={"files": ("a.txt", b"x")}).status_code in (401, 403)
        with httpx.Client(base_url=url, timeout=60) as user:
            assert user.post("login", data={"username": "staff", "password": "wrong"}).status_code >= 400
            assert user.post("login", data={"username": "staff", "password": "pw-test-1"}).status_code == 200
            assert user.get("config").status_code == 200
            big = user.post("gradio_api/upload", files={"files": ("big.txt", b"x" * (MAX_FILE_BYTES + 1024))})
            assert big.status_code == 413, big.text[:200]
            small_upload = user.post("gradio_api/upload", files={"files": ("ok.txt", b"x" * 1024)})
            assert small_upload.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
