"""Report files -> plain text for indexing.

`decode_text(data, name)` turns the bytes of a .txt/.md report into text (strict decoding,
encoding detection); `extract_text(path, data)` does the same for .docx, .pdf (text layer)
and .html/.htm, returning one paragraph / heading / table row per line.

The returned text is what `Document.text` holds and what every offset indexes, so nothing
downstream may re-normalise it. Both functions raise `FormatError` (a ValueError) with a
message that names the file and says what is wrong; any other exception is a bug.
"""
from __future__ import annotations

import codecs
import io
import logging
import re
import threading
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import Any, Iterator

from . import config

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".docx", ".pdf", ".html", ".htm"})

# Table cells in the extracted text are separated by a tab, so a row stays one line and each
# figure stays on the line of its row label.
CELL_SEP = "\t"


class FormatError(ValueError):
    """A file that cannot be turned into text; the message names the file and the reason."""


# --- plain text ---------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Files that are certainly not text, with what to tell the user.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document (give it the .pdf suffix)"),
    (b"PK\x03\x04", "a ZIP archive (a Word file? give it the .docx suffix)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old binary Office file (.doc/.xls/.wps; save it as .docx)"),
    (b"{\\rtf", "an RTF document (save it as .docx or as UTF-8 .txt)"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
)

_ALLOWED_CONTROLS = frozenset("\t\n\r\x0b\x0c")
_MAX_CONTROL_RATIO = 0.01


def _control_count(text: str) -> int:
    return sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS or "\x7f" <= ch <= "\x9f")


def _is_common_char(ch: str) -> bool:
    """Characters a Chinese report is made of; random 16-bit units are mostly not."""
    o = ord(ch)
    return (o < 0x250 or 0x2000 <= o <= 0x206F or 0x2150 <= o <= 0x24FF or 0x3000 <= o <= 0x303F
            or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xFF00 <= o <= 0xFFEF
            or 0x2E80 <= o <= 0x2FDF or 0x25A0 <= o <= 0x27BF or 0x3200 <= o <= 0x33FF)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_not_binary(text: str, name: str) -> None:
    if "\x00" in text:
        raise FormatError(f"{name}: looks like a binary file (contains NUL characters), not a text report")
    n = _control_count(text)
    if n and n > _MAX_CONTROL_RATIO * len(text):
        raise FormatError(f"{name}: looks like a binary file ({n} control characters in "
                          f"{len(text)}), not a text report")


def _try_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM. ASCII characters put NUL bytes on one parity, which suggests the
    byte order (CJK characters such as 一 U+4E00 put a few on the other); either order is
    accepted only if it decodes to the characters a report is made of. Without any NUL byte
    (no ASCII at all) the text must also be mostly Chinese."""
    if len(data) % 2 or not data:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    order = ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]
    for codec in order:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            continue
        if sum(1 for ch in text if _is_common_char(ch)) < 0.95 * len(text):
            continue
        if not (even or odd) and len(_CJK.findall(text)) < 0.5 * len(text):
            continue
        return text, codec
    return None


_CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def _convincing_utf8_line(line: bytes) -> bool:
    """A line that is valid UTF-8 and reads as Chinese; GBK bytes almost never do by chance."""
    try:
        s = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if len(_CJK.findall(s)) < 4:
        return False
    return sum(1 for ch in s if _is_common_char(ch)) >= 0.9 * len(s)


def _mixed_encoding_error(data: bytes, name: str) -> FormatError | None:
    """Some lines are UTF-8 Chinese and others are not UTF-8: mixed encodings or a damaged file."""
    lines = data.split(b"\n")
    good = [i for i, ln in enumerate(lines) if _convincing_utf8_line(ln)]
    if not good:
        return None
    bad = []
    for i, ln in enumerate(lines):
        try:
            ln.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
    if not bad:  # only a multi-byte sequence cut by nothing line-based; not our case
        return None
    return FormatError(
        f"{name}: mixes text encodings: line {good[0] + 1} is UTF-8 but line {bad[0] + 1} is not "
        f"({len(bad)} line(s) are not valid UTF-8; part of the file may be GBK, or the file is "
        f"damaged). Save the whole file in one encoding (UTF-8).")


def _damaged_gb18030_error(data: bytes, err: UnicodeDecodeError, name: str) -> FormatError | None:
    """GBK/GB18030 Chinese text with a few invalid bytes: say so, rather than let the detector
    pick some single-byte code page that turns the whole report into mojibake."""
    loose = data.decode("gb18030", errors="replace")
    bad = loose.count("\ufffd")
    cjk = len(_CJK.findall(loose))
    if cjk < 10 or bad > max(3, 0.05 * len(loose)) or cjk < 0.3 * sum(1 for ch in loose if ord(ch) > 0x7F):
        return None
    line = data[:err.start].count(b"\n") + 1
    return FormatError(f"{name}: reads as GBK/GB18030 Chinese text but has {bad} invalid byte "
                       f"sequence(s), the first on line {line}: the file is damaged or mixes "
                       f"encodings. Save it again in one encoding (UTF-8).")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Bytes of a text report -> (text, encoding name).

    Tries, in order: a BOM (UTF-8/16/32); UTF-16 without BOM when there are NUL bytes; strict
    UTF-8; strict GB18030 (a superset of GBK/GB2312); UTF-16 without BOM and without ASCII;
    then charset-normalizer. Line endings are normalised to "\\n" (CRLF and lone CR); nothing
    else is changed, since offsets index the text.
    Raises FormatError for empty, binary, mixed-encoding or undecodable data.
    """
    if not data:
        raise FormatError(f"{name}: the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise FormatError(f"{name}: this is {what}, not a text file")

    text: str | None = None
    encoding = ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):] if codec != "utf-8-sig" else data
            try:
                text = body.decode(codec)
            except UnicodeDecodeError:
                if codec.startswith("utf-32"):
                    continue  # FF FE 00 00 may be a UTF-16 BOM followed by a NUL
                raise FormatError(f"{name}: starts with a {codec.upper()} byte-order mark but is "
                                  f"not valid {codec.upper()}") from None
            encoding = codec
            break

    if text is None and b"\x00" in data:
        found = _try_utf16_without_bom(data)
        if found is None:
            raise FormatError(f"{name}: looks like a binary file (contains NUL bytes), not a text report")
        text, encoding = found

    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            mixed = _mixed_encoding_error(data, name)
            if mixed is not None:
                raise mixed from None
    if text is None:
        # GB18030 before NUL-free UTF-16: a real report has line breaks and digits, which put NUL
        # bytes into UTF-16, so NUL-free bytes are far more likely GBK text with some ASCII in it
        try:
            text, encoding = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as e:
            found = _try_utf16_without_bom(data)
            if found is not None:
                text, encoding = found
            else:
                damaged = _damaged_gb18030_error(data, e, name)
                if damaged is not None:
                    raise damaged from None
    if text is None:
        text, encoding = _detect(data, name)

    if text.startswith("\ufeff"):  # a BOM in an encoding without BOM handling (GB18030 has one)
        text = text[1:]
    text = _normalise_newlines(text)
    _check_not_binary(text, name)
    return _check_length(text, name), encoding


def _detect(data: bytes, name: str) -> tuple[str, str]:
    """Last resort: charset-normalizer's best guess, decoded strictly."""
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception as e:  # a detector failure is an undecodable file, not a crash
        log.debug("charset-normalizer failed on %s: %r", name, e)
        best = None
    if best is None:
        raise FormatError(f"{name}: cannot decode the text: it is not UTF-8, UTF-16 or GB18030/GBK, "
                          f"and no other encoding fits. Save it as UTF-8.")
    codec = best.encoding
    try:
        return data.decode(codec), codec
    except (UnicodeDecodeError, LookupError):
        raise FormatError(f"{name}: cannot decode the text (best guess {codec} does not fit). "
                          f"Save it as UTF-8.") from None


# --- dispatch -----------------------------------------------------------------------------------

def extract_text(path: Path, data: bytes) -> str:
    """Report file (its path, for the suffix and messages, and its bytes) -> plain text.

    Output: one paragraph, heading or table row per line ("\\n"), table cells joined with
    CELL_SEP ("\\t"), no empty lines. `.txt/.md` go through `decode_text` unchanged.
    Raises FormatError for unsupported, damaged, scanned or encrypted files.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return decode_text(data, name)[0]
    if suffix == ".doc":
        raise FormatError(f"{name}: old binary Word (.doc) files are not supported; save it as .docx")
    if suffix not in SUPPORTED_SUFFIXES:
        raise FormatError(f"{name}: unsupported file type '{suffix}' "
                          f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    if not data:
        raise FormatError(f"{name}: the file is empty")
    if suffix == ".docx":
        text = _docx_text(data, name)
    elif suffix == ".pdf":
        text = _pdf_text(data, name)
    else:
        text = _html_text(data, name)
    return _check_length(text, name)


def _check_length(text: str, name: str) -> str:
    """Refuse text no report has: chunking, figures and embedding grow with it."""
    if len(text) > config.MAX_TEXT_CHARS:
        raise FormatError(f"{name}: {len(text):,} characters of text, more than the {config.MAX_TEXT_CHARS:,} "
                          f"one report may have; split it")
    return text


class _Row(str):
    """A table row already laid out by `_cell_line`; kept as is (a leading empty cell included)."""


def _join_lines(lines: list[str]) -> str:
    out = [ln if isinstance(ln, _Row) else ln.strip() for ln in lines]
    return "\n".join(ln for ln in out if ln)


def _cell_line(cells: list[str]) -> str:
    """Table row -> one line. Empty cells before the last filled one stay, so columns line up
    from row to row; trailing ones go. An all-empty row is ""."""
    cells = [re.sub(r"\s+", " ", c).strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return _Row(CELL_SEP.join(cells)) if cells else ""


# --- docx ---------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_text(data: bytes, name: str) -> str:
    """The main document part, read straight from the zip archive: its declared size is checked
    before anything is decompressed (zipfile never inflates a member past that size, and a lie
    fails the CRC), and the XML is parsed one body element at a time, each dropped once read, so
    a hostile file cannot make the build hold more than the capped part (issue 14)."""
    from lxml import etree

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        part = _docx_main_part(zf)
        info = zf.getinfo(part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, etree.LxmlError,
            RuntimeError, NotImplementedError) as e:
        raise FormatError(f"{name}: not a readable Word .docx file ({type(e).__name__}: {e})") from None
    if info.file_size > config.MAX_DOCX_XML_BYTES:
        raise FormatError(f"{name}: the Word file's text part expands to {info.file_size / 2**20:.0f} MB "
                          f"(from {info.compress_size / 2**20:.1f} MB), over the "
                          f"{config.MAX_DOCX_XML_BYTES // 2**20} MB limit; it is damaged or not a report")
    lines: list[str] = []
    chars = 0
    depth = 0
    try:
        with zf.open(info) as stream:
            parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                                     load_dtd=False, huge_tree=False, remove_blank_text=True)
            for event, el in parser:
                if event == "start":
                    depth += 1
                    continue
                depth -= 1
                if depth != 2:  # document > body > paragraph/table: read each body child whole
                    continue
                before = len(lines)
                _docx_block_child(el, lines)
                chars += sum(len(ln) for ln in lines[before:])
                if chars > config.MAX_TEXT_CHARS:
                    raise FormatError(f"{name}: more than {config.MAX_TEXT_CHARS:,} characters of text; "
                                      f"too long for one report")
                el.clear()
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
    except FormatError:
        raise
    except (zipfile.BadZipFile, etree.LxmlError, OSError, ValueError, zlib.error, EOFError, RuntimeError,
            NotImplementedError) as e:  # RuntimeError: an encrypted member; NotImplementedError: its compression
        raise FormatError(f"{name}: not a readable Word .docx file ({type(e).__name__}: {str(e)[:200]})") from None
    return _join_lines(lines)


_MAIN_PART_TYPE = "/officeDocument"


def _docx_main_part(zf: zipfile.ZipFile) -> str:
    """Name of the main document part, from the package relationships (word/document.xml)."""
    from lxml import etree

    try:
        info = zf.getinfo("_rels/.rels")
    except KeyError:
        info = None
    if info is not None and info.file_size <= 1 << 20:
        rels = etree.fromstring(zf.read(info), etree.XMLParser(resolve_entities=False, no_network=True))
        for rel in rels:
            if str(rel.get("Type", "")).endswith(_MAIN_PART_TYPE):
                target = str(rel.get("Target", "")).lstrip("/")
                if target in zf.NameToInfo:
                    return target
    if "word/document.xml" in zf.NameToInfo:
        return "word/document.xml"
    raise KeyError("no word/document.xml in the archive")


def _docx_block_child(child: Any, lines: list[str]) -> None:
    tag = child.tag
    if tag == _W + "p":
        lines.extend(_docx_para(child).split("\n"))
    elif tag == _W + "tbl":
        lines.extend(_docx_table(child))
    elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag"):
        _docx_block(child, lines)


def _docx_block(el: Any, lines: list[str]) -> None:
    """Body-level content in document order: paragraphs, tables, content controls."""
    for child in el.iterchildren():
        _docx_block_child(child, lines)


def _docx_para(p: Any) -> str:
    """Paragraph text, including tracked insertions and hyperlinks; deleted text is excluded
    (it is stored as w:delText). mc:Fallback duplicates mc:Choice, so it is skipped."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag == _MC_FALLBACK or tag == _W + "del":
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "p":  # a paragraph inside a text box
                parts.append("\n")
                walk(child)
                parts.append("\n")
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _docx_table(tbl: Any) -> list[str]:
    """One line per row. A horizontally merged cell fills its first column and leaves the
    others empty; a vertically merged cell repeats its text on each row it spans (so every row
    keeps its label)."""
    lines: list[str] = []
    above: dict[int, str] = {}
    for tr in tbl.iterchildren(_W + "tr"):
        cells: list[str] = []
        col = 0
        for tc in tr.iter(_W + "tc"):
            if _nearest(tc, _W + "tr") is not tr:
                continue  # a cell of a nested table
            span, vmerge = 1, None
            tcpr = tc.find(_W + "tcPr")
            if tcpr is not None:
                gs = tcpr.find(_W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(_W + "val", "1")))
                    except ValueError:
                        span = 1
                    # a row cannot be wider than Word's widest table; a hostile span would
                    # otherwise allocate one empty cell per column it claims
                    span = min(span, max(1, config.MAX_TABLE_COLUMNS - col))
                vm = tcpr.find(_W + "vMerge")
                if vm is not None:
                    vmerge = vm.get(_W + "val", "continue")
            if vmerge == "continue":
                text = above.get(col, "")
            else:
                inner: list[str] = []
                _docx_block(tc, inner)
                text = " ".join(s.strip() for s in inner if s.strip())
            cells.append(text)
            cells.extend([""] * (span - 1))
            for c in range(col, col + span):
                above[c] = text
            col += span
        line = _cell_line(cells)
        if line:
            lines.append(line)
    return lines


def _nearest(el: Any, tag: str) -> Any:
    el = el.getparent()
    while el is not None and el.tag != tag:
        el = el.getparent()
    return el


# --- pdf ----------------------------------------------------------------------------------------

# A line that is only a page number: "- 3 -", "— 3 —", "3", "第3页", "第 3 页 共 10 页", "3/10".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~·•\s]*\d{1,4}[-—–－~·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$", re.IGNORECASE)
# Lines that start a new paragraph even when flush with the left margin.
_HEADING_START = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章节部分条]|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d{1,2}[、．.](?!\d)|[①-⑳])")
_SENTENCE_END = ("。", "！", "？", "!", "?", "；", ";", "：", ":")


def _fix_cjk_compat(text: str) -> str:
    """Some PDF fonts map CJK glyphs to Kangxi radicals (⼀ U+2F00) or compatibility ideographs;
    map them to the unified ideographs so the text matches what a reader sees."""
    if not re.search(r"[\u2f00-\u2fdf\uf900-\ufaff]", text):
        return text
    return re.sub(r"[\u2f00-\u2fdf\uf900-\ufaff]", lambda m: unicodedata.normalize("NFKC", m.group()), text)


class _PdfBudget(threading.local):
    """Decompressed bytes one PDF may still produce (per thread: the app may read two at once)."""
    left: int | None = None
    refused: str | None = None


_PDF_BUDGET = _PdfBudget()


class _PdfTooLarge(FormatError):
    pass


def _pdf_room(produced: int) -> int:
    """How many more bytes the current stream may produce; raises when the budget is spent."""
    b = _PDF_BUDGET
    if b.refused:
        raise _PdfTooLarge(b.refused)
    room = config.MAX_PDF_STREAM_BYTES - produced
    if b.left is not None:
        room = min(room, b.left - produced)
    if room < 0:
        whole = b.left is not None and b.left - produced < config.MAX_PDF_STREAM_BYTES - produced
        b.refused = (f"its compressed streams expand to more than "
                     f"{(config.MAX_PDF_DECODED_BYTES if whole else config.MAX_PDF_STREAM_BYTES) // 2**20} MB"
                     f"{' in all' if whole else ' in one stream'}; it is damaged or not a report")
        raise _PdfTooLarge(b.refused)
    return room


def _spend(n: int) -> None:
    if _PDF_BUDGET.left is not None:
        _PDF_BUDGET.left -= n


def _bounded_inflate(data: bytes) -> bytes:
    """zlib.decompress for pdfminer, stopping at the budget. Damaged data gives what decodes (as
    pdfminer's own fallback does, but without its byte-at-a-time loop)."""
    d = zlib.decompressobj()
    out = bytearray()
    view = memoryview(data)
    step = 1 << 16
    try:
        for i in range(0, len(data), step):
            d_in: Any = view[i:i + step]
            while d_in and not d.eof:
                out += d.decompress(d_in, _pdf_room(len(out)) + 1)
                d_in = d.unconsumed_tail
            if d.eof:
                break
        if not d.eof:
            out += d.flush()
    except zlib.error:
        pass
    _pdf_room(len(out))
    _spend(len(out))
    return bytes(out)


class _BoundedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes."""
    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS

    @staticmethod
    def decompress(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        return _bounded_inflate(data)

    @staticmethod
    def decompressobj(*args: Any, **kwargs: Any) -> Any:
        return zlib.decompressobj(*args, **kwargs)  # only reached through decompress, never here


def _bounded_lzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for piece in LZWDecoder(io.BytesIO(data)).run():
        out += piece
        _pdf_room(len(out))
    _spend(len(out))
    return bytes(out)


def _bounded_runlength(data: bytes) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        i += 1
        if length == 128:
            break
        if length < 128:
            out += data[i:i + length + 1]
            i += length + 1
        elif i < n:
            out += data[i:i + 1] * (257 - length)
            i += 1
        if len(out) > config.MAX_PDF_STREAM_BYTES:
            _pdf_room(len(out))
    _pdf_room(len(out))
    _spend(len(out))
    return bytes(out)


_PDF_GUARDED = False


def _guard_pdfminer() -> None:
    """pdfminer inflates every stream whole (zlib.decompress, LZW, run-length) and keeps it: a
    1.5 MB flate bomb became gigabytes. Its decoders are swapped for bounded ones, once."""
    global _PDF_GUARDED
    if _PDF_GUARDED:
        return
    from pdfminer import pdftypes

    pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
    pdftypes.lzwdecode = _bounded_lzw
    pdftypes.rldecode = _bounded_runlength
    _PDF_GUARDED = True


def _pdf_text(data: bytes, name: str) -> str:
    _guard_pdfminer()
    _PDF_BUDGET.left, _PDF_BUDGET.refused = config.MAX_PDF_DECODED_BYTES, None
    try:
        return _pdf_text_bounded(data, name)
    finally:
        refused = _PDF_BUDGET.refused
        _PDF_BUDGET.left, _PDF_BUDGET.refused = None, None
        if refused:  # a library caught our exception somewhere and went on: refuse anyway
            raise FormatError(f"{name}: {refused}") from None


def _pdf_text_bounded(data: bytes, name: str) -> str:
    try:
        import pdfplumber
    except ImportError as e:  # pragma: no cover - dependency missing
        raise FormatError(f"{name}: PDF support needs pdfplumber ({e})") from None
    # pdfminer logs a warning for every malformed object; the outcome is reported by us instead.
    pdfminer_log = logging.getLogger("pdfminer")
    if pdfminer_log.level == logging.NOTSET:
        pdfminer_log.setLevel(logging.ERROR)
    pages: list[list[dict]] = []
    n_pages = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n_pages = len(pdf.pages)
            for page in pdf.pages:
                pages.append(_pdf_page_items(page))
                page.close()  # frees the page's layout cache on long documents
    except _PdfTooLarge as e:
        raise FormatError(f"{name}: {e}") from None
    except FormatError:
        raise
    except Exception as e:
        kind = type(e).__name__
        msg = str(e)
        cause = e.__cause__ or e.__context__
        if "Password" in kind or "Encrypt" in kind or "password" in msg.lower() or (
                cause is not None and "Password" in type(cause).__name__):
            raise FormatError(f"{name}: the PDF is password-protected; save an unprotected copy") from None
        raise FormatError(f"{name}: not a readable PDF ({kind}: {msg[:200]})") from None
    if n_pages == 0:
        raise FormatError(f"{name}: the PDF has no pages")

    chars = sum(len(it["text"]) for items in pages for it in items if it["kind"] == "text")
    chars += sum(len(r) for items in pages for it in items if it["kind"] == "table" for r in it["rows"])
    if chars == 0:
        raise FormatError(f"{name}: the PDF has no text layer (a scanned document?); it needs OCR "
                          f"(e.g. ocrmypdf -l chi_sim) before it can be indexed")
    all_text = "".join(it["text"] for items in pages for it in items if it["kind"] == "text")
    cid = len(re.findall(r"\(cid:\d+\)", all_text))
    if cid and cid * 6 > 0.5 * len(all_text):
        raise FormatError(f"{name}: the PDF's fonts have no Unicode mapping, so its text cannot be "
                          f"read; it needs OCR")
    empty = [i + 1 for i, items in enumerate(pages) if not items]
    if empty:
        log.warning("%s: pages without a text layer (scanned?) are skipped: %s", name, empty[:20])

    _strip_running_lines(pages)
    _set_margins(pages)
    lines = _reflow(pages)
    return _fix_cjk_compat(_join_lines(lines))


def _pdf_page_items(page: Any) -> list[dict]:
    """A page's text lines and tables, top to bottom. Each item: kind "text" (text, top,
    bottom, x0, x1, size, gap) or "table" (rows, top). Page geometry is attached to text items."""
    page = page.dedupe_chars()  # fake bold draws each glyph twice
    try:
        tables = page.find_tables()
    except Exception as e:  # table finding is an extra; never lose the page's text over it
        log.debug("table finding failed: %r", e)
        tables = []
    boxes = [t.bbox for t in tables]

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside_tables) if boxes else page
    items: list[dict] = []
    for ln in rest.extract_text_lines(return_chars=True):
        text = ln["text"].strip()
        if not text:
            continue
        chs = ln.get("chars") or []
        size = max((c.get("size", 0) for c in chs), default=0) or (ln["bottom"] - ln["top"]) or 10
        gap = 0.0
        for a, b in zip(chs, chs[1:]):
            gap = max(gap, b["x0"] - a["x1"])
        items.append({"kind": "text", "text": text, "top": ln["top"], "bottom": ln["bottom"],
                      "x0": ln["x0"], "x1": ln["x1"], "size": size, "gap": gap,
                      "page_height": float(page.height)})
    for t in tables:
        rows = []
        for row in t.extract():
            # A cell's text wrapped inside the cell is one phrase: "一般公共预算\n收入".
            line = _cell_line([_CJK_WRAP.sub("", c or "") for c in row])
            if line:
                rows.append(line)
        if rows:
            items.append({"kind": "table", "rows": rows, "top": t.bbox[1]})
    items.sort(key=lambda it: it["top"])
    return items


def _set_margins(pages: list[list[dict]]) -> None:
    """Give each text item the body's left and right margins (in place), measured over the whole
    document per page parity (mirrored margins), so a sparse page is judged like the others.
    Left: the leftmost line start shared by at least a tenth of the lines; right: the 90th
    percentile of line ends (justified full lines)."""
    groups: list[list[dict]] = [[], []]
    for i, items in enumerate(pages):
        groups[i % 2].extend(it for it in items if it["kind"] == "text")
    everything = groups[0] + groups[1]
    for group in groups:
        src = group if len(group) >= 10 else everything
        if not src:
            continue
        bins: dict[int, list[float]] = {}
        for it in src:
            bins.setdefault(int(it["x0"] // 2), []).append(it["x0"])
        need = max(2, 0.1 * len(src))
        common = [b for b in sorted(bins) if len(bins[b]) >= need]
        left = min(bins[common[0]]) if common else min(it["x0"] for it in src)
        ends = sorted(it["x1"] for it in src)
        right = ends[int(0.9 * (len(ends) - 1))]
        for it in group:
            it["left"], it["right"] = left, right


def _page_candidates(items: list[dict]) -> list[dict]:
    """Text items that could be a running header or footer: among the page's first two and
    last two items, the text lines in the top or bottom tenth of the page."""
    out = [it for it in items[:2] if it["kind"] == "text" and it["top"] < 0.1 * it["page_height"]]
    out += [it for it in items[-2:] if it["kind"] == "text" and it["bottom"] > 0.9 * it["page_height"]
            and not any(it is o for o in out)]
    return out


def _strip_running_lines(pages: list[list[dict]]) -> None:
    """Drop page numbers and running headers/footers (in place). A page-number line is dropped
    when it is a page's first or last line; other margin lines are dropped when the same line
    (digits aside) recurs in the margins of at least 2 pages and 40% of the pages."""
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))

    cands = [_page_candidates(items) for items in pages]
    counts: dict[str, int] = {}
    for cs in cands:
        for k in {key(it["text"]) for it in cs}:
            counts[k] = counts.get(k, 0) + 1
    need = max(2, 0.4 * len(pages))
    for items, cs in zip(pages, cands):
        texts = [it for it in items if it["kind"] == "text"]
        edge = texts[:1] + texts[-1:]
        drop = set()
        for it in texts:
            page_no = _PAGE_NUMBER.match(unicodedata.normalize("NFKC", it["text"]).strip())
            if page_no and any(it is e for e in edge + cs):
                drop.add(id(it))
        for it in cs:
            if counts.get(key(it["text"]), 0) >= need:
                drop.add(id(it))
        items[:] = [it for it in items if id(it) not in drop]


def _reflow(pages: list[list[dict]]) -> list[str]:
    """Join lines that a paragraph wrapped at the right margin (also across a page break), so
    a figure or sentence split by the wrap is whole again. Lines with wide gaps between
    characters (columns of an unruled table) and headings are never joined."""
    texts = [it for items in pages for it in items if it["kind"] == "text"]
    indents = sum(1 for it in texts if 1.2 * it["size"] < it["x0"] - it["left"] < 3 * it["size"])
    # In a document whose paragraphs open with an indent, a flush-left line after a full line
    # continues the paragraph even when the full line ends a sentence.
    indented_style = indents >= 3 and indents >= 0.05 * len(texts)
    lines: list[str] = []
    prev: dict | None = None
    for items in pages:
        for it in items:
            if it["kind"] == "table":
                lines.extend(it["rows"])
                prev = None
                continue
            if prev is not None and _continues(prev, it, indented_style):
                # Chinese text and numbers (12.3 / 4亿元) wrap anywhere; English lines wrap at
                # a space, which the line ends do not keep.
                english = (re.search(r"[A-Za-z,;]$", lines[-1]) and re.match(r"[A-Za-z0-9(]", it["text"])
                           and not _CJK.search(lines[-1]))
                lines[-1] = lines[-1] + (" " if english else "") + it["text"]
            else:
                lines.append(it["text"])
            prev = it
    return lines


def _continues(prev: dict, cur: dict, indented_style: bool) -> bool:
    size = max(prev["size"], 1.0)
    if prev["text"].endswith(_SENTENCE_END) and not indented_style:
        return False
    if prev["gap"] > 1.5 * size or cur["gap"] > 1.5 * cur["size"]:
        return False
    if prev["x1"] < prev["right"] - 1.5 * size:  # the line ended before the margin
        return False
    if cur["x0"] > cur["left"] + 0.5 * max(cur["size"], 1.0):  # indented: a new paragraph
        return False
    return not _HEADING_START.match(cur["text"])


# --- html ---------------------------------------------------------------------------------------

_DROP_TAGS = frozenset({
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "iframe",
    "svg", "button", "select", "textarea", "object", "embed", "canvas", "map", "dialog", "head",
    "title", "meta", "link", "input", "label", "menu"})
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu",
                         "menubar", "toolbar"})
_BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "li",
    "main", "ol", "p", "section", "summary", "ul", "caption", "legend", "option", "tbody", "thead",
    "tfoot", "tr", "td", "th"})
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
# Chinese pages often declare gb2312 but use GBK characters; GB18030 decodes all of them.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                    "cp936": "gb18030", "euc-cn": "gb18030", "csgb2312": "gb18030", "gb18030": "gb18030",
                    "utf8": "utf-8", "unicode": "utf-8", "big5": "big5hkscs"}
# Whitespace with a line break next to a Chinese character or punctuation mark is a wrap of
# the HTML source, not a space in the text ("完成\n    X亿元" is "完成X亿元").
_CJK_CLASS = r"[\u2014\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
_CJK_WRAP = re.compile(rf"(?<={_CJK_CLASS})\s*\n\s*|\s*\n\s*(?={_CJK_CLASS})")
_SPACES = re.compile(r"\s+")


def _html_declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii", "ignore").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _html_decode(data: bytes, name: str) -> str:
    """BOM first (as browsers do), then the declared charset, then detection."""
    if not any(data.startswith(b) for b, _ in _BOMS):
        declared = _html_declared_charset(data)
        if declared:
            try:
                return _normalise_newlines(data.decode(declared))
            except UnicodeDecodeError:
                log.info("%s: declares %s but is not; detecting the encoding", name, declared)
    return decode_text(data, name)[0]


def _html_text(data: bytes, name: str) -> str:
    text = _html_decode(data, name)
    try:
        from bs4 import BeautifulSoup
        try:
            import lxml  # noqa: F401
            parser = "lxml"
        except ImportError:  # pragma: no cover
            parser = "html.parser"
        soup = BeautifulSoup(text, parser)
    except Exception as e:
        raise FormatError(f"{name}: not readable HTML ({type(e).__name__}: {e})") from None
    w = _HtmlWalker()
    w.walk(soup)
    w.flush()
    return _join_lines(w.lines)


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", _CJK_WRAP.sub("", text)).strip()


class _HtmlWalker:
    """Block elements and <br> end lines; inline text is collapsed; a data table becomes one
    line per row; a layout table (nested tables or long cells) is read as blocks."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        if self.buf:
            line = _collapse("".join(self.buf))
            if line:
                self.lines.append(line)
            self.buf = []

    def walk(self, node: Any) -> None:
        """Read `node`'s children in document order. The tree is walked with an explicit stack,
        not recursion: a page nested a few hundred elements deep is still a page (issue 14)."""
        from bs4 import CData, NavigableString, Tag

        # each frame: the children still to read, and whether to end a line after them
        stack: list[tuple[Iterator[Any], bool]] = [(iter(node.children), False)]
        while stack:
            children, ends_line = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if ends_line:
                    self.flush()
                continue
            if isinstance(child, Tag):
                inner = self.element(child)
                if inner is not None:
                    stack.append((iter(child.children), inner))
            elif type(child) is NavigableString or isinstance(child, CData):
                self.buf.append(str(child))

    def element(self, el: Any) -> bool | None:
        """Handle one element; returns None when its children are done with, else whether a
        line ends after its children are read."""
        tag = (el.name or "").lower()
        if _dropped(el, tag):
            return None
        if tag == "br":
            self.flush()
        elif tag == "pre":
            self.flush()
            self.lines.extend(ln.rstrip() for ln in el.get_text().splitlines())
        elif tag == "table":
            self.flush()
            if _is_layout_table(el):
                return True
            self.lines.extend(_html_table_rows(el))
            self.flush()
        elif tag in _BLOCK_TAGS:
            self.flush()
            return True
        else:
            return False
        return None


def _dropped(el: Any, tag: str) -> bool:
    if tag in ("header", "footer"):
        # Inside an article a <header> holds its title and date, not the site banner.
        return el.find_parent(["article", "main"]) is None
    if tag in _DROP_TAGS:
        return True
    attrs = el.attrs or {}
    if str(attrs.get("role", "")).lower() in _DROP_ROLES or "hidden" in attrs:
        return True
    style = str(attrs.get("style", "")).replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _own_rows(table: Any) -> Iterator[Any]:
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is table:
            yield tr


def _own_cells(tr: Any) -> list[Any]:
    return tr.find_all(["td", "th"], recursive=False)


def _is_layout_table(table: Any) -> bool:
    if table.find("table") is not None:
        return True
    for tr in _own_rows(table):
        for cell in _own_cells(tr):
            if len(cell.get_text()) > 200:
                return True
    return False


def _html_table_rows(table: Any) -> list[str]:
    rows = []
    caption = table.find("caption")
    if caption is not None and caption.find_parent("table") is table:
        cap = _cell_text(caption)
        if cap:
            rows.append(cap)
    for tr in _own_rows(table):
        cells: list[str] = []
        for cell in _own_cells(tr):
            if _dropped(cell, cell.name):
                continue
            cells.append(_cell_text(cell))
            try:
                span = int(str(cell.get("colspan", "1")).strip() or 1)
            except ValueError:
                span = 1
            cells.extend([""] * (min(max(span, 1), 50) - 1))
        line = _cell_line(cells)
        if line:
            rows.append(line)
    return rows


def _cell_text(cell: Any) -> str:
    w = _HtmlWalker()
    w.walk(cell)
    w.flush()
    return " ".join(w.lines)
