"""Sentences and clauses of normalized text."""
from __future__ import annotations

import re

from ..segment import trim_span


# ---------------------------------------------------------------------------
# sentences

_SENT_PUNCT = "。!?！？"
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|[0-9]{1,2}(?:、|\.(?![0-9]))|\([0-9]{1,2}\))")


def split_sentences(t: str) -> list[tuple[int, int, int]]:
    """Sentence spans of normalized text: (start, end, paragraph number).

    Split after 。！？ and at line ends, except a line break inside a sentence (a long line not
    ending in punctuation and not followed by a heading), which PDF extraction leaves behind.
    """
    spans: list[tuple[int, int, int]] = []
    para = 0
    n = len(t)
    i = 0
    start = 0
    line_start = 0
    while i <= n:
        ch = t[i] if i < n else "\n"
        if ch == "\n":
            line = t[line_start:i].strip()
            nxt_end = t.find("\n", i + 1)
            nxt = t[i + 1: nxt_end if nxt_end >= 0 else n]
            soft = (i < n and line and line[-1] not in _SENT_PUNCT + ";:：；" and len(line) > 40
                    and nxt.strip() and not _HEADING_START.match(nxt))
            if not soft:
                if t[start:i].strip():
                    spans.append(trim_span(t, start, i) + (para,))
                para += 1
                start = i + 1
            line_start = i + 1
        elif ch in _SENT_PUNCT:
            j = i + 1
            while j < n and t[j] in "”’)」』":
                j += 1
            if t[start:j].strip():
                spans.append(trim_span(t, start, j) + (para,))
            start = j
            i = j - 1
        i += 1
    return spans



def _depths(t: str, a: int, b: int) -> list[int]:
    d = 0
    out = []
    for i in range(a, b):
        ch = t[i]
        if ch == "(":
            d += 1
        out.append(d)
        if ch == ")":
            d = max(0, d - 1)
    return out


def _segment_start(t: str, a: int, pos: int) -> int:
    """Start of the clause that holds `pos`: after the last , ; : ( ) before it, skipping short
    parentheses with no digits (在岗实(见)习生, 直达资金(含参照直达))."""
    i = pos - 1
    while i >= a:
        ch = t[i]
        if ch == ")":
            j = t.rfind("(", a, i)
            if j >= 0 and i - j <= 10 and not re.search(r"[0-9]", t[j:i]):
                i = j - 1
                continue
            return i + 1
        if ch in ",;:(。!?":
            return i + 1
        i -= 1
    return a

