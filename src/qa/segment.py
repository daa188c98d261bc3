"""Segment: report text -> sections (heading tree) and chunks (passages of one idea).

Headings recognised, by level: 0 title line; 1 一、; 2 （一）; 3 1、 / 1． / 1.; 4 （1）;
5 一是… / 二是… inside a paragraph. A heading line may carry body text after it
("1、收入完成情况：2023年…"); the heading is the part up to the first 。/：.
"""
from __future__ import annotations

import bisect
import re

from .config import Settings
from .records import Chunk, Document, Section

_CN_NUM = "一二三四五六七八九十"
_HEADING_PATTERNS = [
    (1, re.compile(rf"[{_CN_NUM}]+、")),
    (2, re.compile(rf"[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"[0-9０-９]{1,2}(?:、|．|\.(?![0-9０-９]))")),
    (4, re.compile(r"[（(][0-9０-９]{1,2}[）)]")),
]
_POINT = re.compile(rf"(?:^|(?<=[。；;！？\s：:，,]))((?:[{_CN_NUM}]+)是)")
_HEADING_END = re.compile(r"[。：:；;！？]")
_SENT_END = re.compile(r"[。！？；;!?]+[”’」』）)]*|\n")
_MAX_HEADING = 40
# 一是… points are named by their first clause only: the rest is body text.
_POINT_END = re.compile(r"[。：:；;！？，,]")
_MAX_POINT = 24


def _heading_text(line: str, stops: re.Pattern[str] = _HEADING_END, limit: int = _MAX_HEADING) -> str:
    m = stops.search(line)
    head = line[: m.start()] if m else line
    return head[:limit].strip()


def parse_sections(text: str) -> list[Section]:
    """Headings of `text` as Sections sorted by start, each with its path of headings.

    `Section.end` is where the next heading of the same or a higher level starts.
    """
    found: list[tuple[int, int, str]] = []  # (start, level, heading)
    pos = 0
    first_line = True
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = start + (len(line) - len(line.lstrip()))
        level = 0
        for lv, pat in _HEADING_PATTERNS:
            if pat.match(stripped):
                level = lv
                break
        if level:
            found.append((lead, level, _heading_text(stripped)))
        elif first_line and len(stripped) <= 90 and not stripped.endswith("。"):
            found.append((lead, 0, stripped[:_MAX_HEADING * 2]))
        first_line = False
        # 一是… points inside the paragraph
        for m in _POINT.finditer(line):
            if m.start(1) == 0 and level:
                continue
            rest = line[m.start(1):]
            found.append((start + m.start(1), 5, _heading_text(rest, _POINT_END, _MAX_POINT)))
    found.sort()
    sections: list[Section] = []
    stack: list[Section] = []
    for i, (start, level, heading) in enumerate(found):
        end = len(text)
        for start2, level2, _ in found[i + 1:]:
            if level2 <= level or (level == 5 and _paragraph_end(text, start) <= start2):
                end = start2
                break
        if level == 5:
            end = min(end, _paragraph_end(text, start))
        while stack and (stack[-1].level >= level or stack[-1].end <= start):
            stack.pop()
        path = tuple(s.heading for s in stack) + (heading,)
        sec = Section(level=level, heading=heading, start=start, end=end, path=path)
        sections.append(sec)
        stack.append(sec)
    return sections


def _paragraph_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl


def section_path_at(sections: list[Section], offset: int, sep: str = " > ") -> str:
    """Path of the deepest section containing `offset` ("" when none)."""
    sec = section_at(sections, offset)
    return sep.join(sec.path) if sec else ""


def section_at(sections: list[Section], offset: int) -> Section | None:
    starts = [s.start for s in sections]
    i = bisect.bisect_right(starts, offset) - 1
    while i >= 0:
        if sections[i].end > offset:
            return sections[i]
        i -= 1
    return None


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in text[start:end], split after 。！？； and at line ends.

    Whitespace-only spans are dropped; spans exclude the newline.
    """
    end = len(text) if end is None else end
    spans = []
    pos = start
    for m in _SENT_END.finditer(text, start, end):
        stop = m.start() if m.group() == "\n" else m.end()
        if text[pos:stop].strip():
            spans.append(trim_span(text, pos, stop))
        pos = m.end()
    if pos < end and text[pos:end].strip():
        spans.append(trim_span(text, pos, end))
    return spans


def trim_span(text: str, a: int, b: int) -> tuple[int, int]:
    """(a, b) narrowed so text[a:b] has no leading or trailing whitespace."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def chunk_document(doc: Document, settings: Settings | None = None,
                   sections: list[Section] | None = None) -> list[Chunk]:
    """Split a document into chunks: consecutive sentences of one paragraph and one section,
    merged while under `chunk_max_chars`; a chunk shorter than `chunk_min_chars` (a heading line,
    a stub sentence) joins the next one in the same section. `doc.text[c.start:c.end] == c.text`.
    """
    settings = settings or Settings()
    text = doc.text
    sections = parse_sections(text) if sections is None else sections
    sents = split_sentences(text)
    groups: list[list] = []  # [start, end, section path, paragraph number]
    for a, b in sents:
        sec = section_at(sections, a)
        path = sec.path if sec else ()
        para = text.count("\n", 0, a)
        if groups:
            g = groups[-1]
            # a heading line may join the first sentence of its own subsections
            same_sec = path[: len(g[2])] == g[2]
            short = g[1] - g[0] < settings.chunk_min_chars
            fits = b - g[0] <= settings.chunk_max_chars
            if same_sec and fits and (g[3] == para or short) and (path == g[2] or short):
                g[1] = b
                g[2] = path
                g[3] = para
                continue
        groups.append([a, b, path, para])
    chunks = []
    for i, (a, b, _, _) in enumerate(groups):
        chunks.append(Chunk(doc=doc.name, chunk_id=i, start=a, end=b, text=text[a:b],
                            section=section_path_at(sections, b - 1)))
    return chunks
