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
    line_end: dict[int, int] = {}  # a point's start -> the end of its paragraph (line)
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
            line_end[start + m.start(1)] = start + len(line)
    found.sort()
    sections: list[Section] = []
    stack: list[Section] = []
    n = len(found)
    for i, (start, level, heading) in enumerate(found):
        end = len(text)
        # a point ends with its paragraph: computed once, not once per later heading
        para_end = line_end.get(start, len(text)) if level == 5 else len(text)
        j = i + 1
        while j < n:  # indices, not found[i + 1:]: a slice per heading made this quadratic
            start2, level2, _ = found[j]
            if level2 <= level or para_end <= start2:
                end = start2
                break
            j += 1
        if level == 5:
            end = min(end, para_end)
        while stack and (stack[-1].level >= level or stack[-1].end <= start):
            stack.pop()
        path = tuple(s.heading for s in stack) + (heading,)
        sec = Section(level=level, heading=heading, start=start, end=end, path=path)
        sections.append(sec)
        stack.append(sec)
    return sections


def section_path_at(sections: list[Section], offset: int, sep: str = " > ") -> str:
    """Path of the deepest section containing `offset` ("" when none)."""
    return _lookup(sections).path_at(offset, sep)


def section_at(sections: list[Section], offset: int) -> Section | None:
    """Deepest section containing `offset`, or None."""
    return _lookup(sections).at(offset)


_LAST: tuple = (None, -1, None)  # (sections, their number, SectionLookup): callers ask many offsets of one list


def _lookup(sections: list[Section]) -> "SectionLookup":
    global _LAST
    last, n, lookup = _LAST
    if last is not sections or n != len(sections):
        lookup = SectionLookup(sections)
        _LAST = (sections, len(sections), lookup)
    return lookup


class SectionLookup:
    """`section_at` for many offsets: the start list is built once, and a lookup climbs from
    the last section starting before the offset to its enclosing sections (a handful of levels)
    instead of stepping back over every earlier sibling, so chunking stays linear in the
    report's length (issue 14: 2.75 M characters took 43 s)."""

    def __init__(self, sections: list[Section]):
        self.sections = sections
        self.starts = [s.start for s in sections]
        self.parent: list[int] = []
        stack: list[int] = []
        for i, sec in enumerate(sections):
            while stack and (sections[stack[-1]].level >= sec.level or sections[stack[-1]].end <= sec.start):
                stack.pop()
            self.parent.append(stack[-1] if stack else -1)
            stack.append(i)

    def at(self, offset: int) -> Section | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0 and self.sections[i].end <= offset:
            i = self.parent[i]
        return self.sections[i] if i >= 0 else None

    def path_at(self, offset: int, sep: str = " > ") -> str:
        sec = self.at(offset)
        return sep.join(sec.path) if sec else ""


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
    lookup = SectionLookup(sections)
    groups: list[list] = []  # [start, end, section path, paragraph number]
    para, counted = 0, 0  # newlines before `counted`: counted on from the last sentence, not from 0
    for a, b in sents:
        sec = lookup.at(a)
        path = sec.path if sec else ()
        para += text.count("\n", counted, a)
        counted = a
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
                            section=lookup.path_at(b - 1)))
    return chunks
