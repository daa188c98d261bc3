"""Present an answer record as HTML for the app (issue 5).

`render_answer(record, docs) -> str` turns the answer record of issue 2 (`Answer.to_dict()`)
into one self-contained HTML fragment: the answer with its figure prominent, then each
citation with report title, section path, the passage with the cited span in <mark>, and a
<details> that opens on the surrounding paragraph.

Everything that comes from a report or a question goes through `html.escape` before it is
placed in markup; the only tags in the output are the ones written here. The fragment has
no newlines and no blank lines, so a Markdown renderer (gr.Chatbot) treats it as a single
raw HTML block and never reinterprets report text as Markdown.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

KIND_LABELS = {
    "figure": "数值",
    "comparison": "比较",
    "calculation": "计算",
    "passage": "相关段落",
    "none": "",
}

_UP = {"增长", "增加", "上升", "提高"}
_DOWN = {"下降", "减少", "降低"}

# A sentence ends at these; the passage shown for a citation is the cited span widened to
# whole sentences, so a cited number is read in its sentence.
_SENTENCE_END = "。！？；!?;\n"

OPEN_CITATIONS = 3  # citations shown open; the rest fold into one <details>
PASSAGE_MAX_CONTEXT = 160  # chars kept on each side of the span inside the shown passage
PARAGRAPH_MAX_CONTEXT = 600  # chars kept on each side of the span in the expanded paragraph

_NEWLINES = re.compile(r"\r\n|\r|\n")


def esc(text: Any) -> str:
    """Text -> HTML-safe text (quotes too), with line breaks as <br> so no raw newline remains."""
    return _NEWLINES.sub("<br>", html.escape("" if text is None else str(text), quote=True))


def format_value(value: Any) -> str:
    """A number as a reader expects it: no trailing zeros, thousands separators from 10,000 up."""
    if value is None:
        return ""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not d.is_finite():
        return str(value)
    d = d.normalize()
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    text = format(abs(d), "f")
    whole, dot, frac = text.partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}"
    return f"{'-' if d < 0 else ''}{whole}{dot}{frac}"


def render_answer(record: Mapping[str, Any], docs: Mapping[str, Any] | None = None) -> str:
    """Answer record (dict of `Answer.to_dict()`) -> HTML fragment for the chat.

    `docs` maps a report name (citation `doc`) to its Document (anything with `.title` and
    `.text`); it gives titles and the surrounding paragraph. A report missing from `docs`, or
    whose text no longer matches the cited span (re-indexed meanwhile), is shown by name with
    the cited text only.
    """
    docs = docs or {}
    status = record.get("status") or "answered"
    kind = record.get("kind") or "passage"
    citations = list(record.get("citations") or [])
    parts = ['<div class="qa-answer">']
    if status == "abstained" or kind == "none":
        parts.append(_abstention(record))
        heading = "最接近的段落（仅供参考）" if citations else ""
    elif kind == "passage":
        parts.append('<div class="qa-lead">报告中与问题最相关的段落如下（未能直接给出一个数值）：</div>')
        heading = "相关段落"
    else:
        parts.append(_figure_block(record))
        heading = "出处"
    if citations:
        parts.append(f'<div class="qa-cites-title">{esc(heading)}</div><ol class="qa-cites">')
        for n, c in enumerate(citations[:OPEN_CITATIONS], 1):
            parts.append(_citation(n, c, docs))
        parts.append("</ol>")
        rest = citations[OPEN_CITATIONS:]
        if rest:
            parts.append(f'<details class="qa-more"><summary>其余 {len(rest)} 条出处</summary>'
                         f'<ol class="qa-cites" start="{OPEN_CITATIONS + 1}">')
            for n, c in enumerate(rest, OPEN_CITATIONS + 1):
                parts.append(_citation(n, c, docs))
            parts.append("</ol></details>")
    elapsed = record.get("elapsed_ms")
    if isinstance(elapsed, (int, float)) and elapsed > 0:
        parts.append(f'<div class="qa-meta">用时 {esc(format_value(round(float(elapsed))))} 毫秒</div>')
    parts.append("</div>")
    return "".join(parts)


def render_message(question: str, message: str) -> str:
    """A question that could not be asked (QuestionError) -> the same look as an abstention."""
    return render_answer({"question": question, "status": "abstained", "kind": "none", "answer": message,
                          "citations": []})


# --- parts ------------------------------------------------------------------------------------

def _abstention(record: Mapping[str, Any]) -> str:
    message = record.get("answer") or "报告中没有找到能回答这个问题的内容。"
    question = record.get("question") or ""
    asked = f'<div class="qa-abstain-q">问题：{esc(question)}</div>' if question else ""
    return (f'<div class="qa-abstain"><div class="qa-abstain-title">未找到答案</div>'
            f'<div class="qa-abstain-msg">{esc(message)}</div>{asked}</div>')


def _figure_block(record: Mapping[str, Any]) -> str:
    kind = record.get("kind") or ""
    value, unit = record.get("value"), record.get("unit") or ""
    direction, entity = record.get("direction"), record.get("entity")
    out = ['<div class="qa-figure">']
    label = KIND_LABELS.get(kind, "")
    if label:
        out.append(f'<span class="qa-kind qa-kind-{esc(kind)}">{esc(label)}</span>')
    if entity:
        out.append(f'<div class="qa-entity">{esc(entity)}</div>')
    if value is not None:
        out.append(f'<div class="qa-value"><span class="qa-number">{esc(format_value(value))}</span>'
                   f'<span class="qa-unit">{esc(unit)}</span></div>')
    if direction:
        cls = "up" if direction in _UP else "down" if direction in _DOWN else "flat"
        arrow = {"up": "▲", "down": "▼", "flat": "■"}[cls]
        out.append(f'<span class="qa-direction qa-{cls}">{arrow} {esc(direction)}</span>')
    out.append("</div>")
    text = record.get("answer") or ""
    if text:
        out.append(f'<div class="qa-text">{esc(text)}</div>')
    return "".join(out)


def _citation(n: int, c: Mapping[str, Any], docs: Mapping[str, Any]) -> str:
    name = str(c.get("doc") or "")
    doc = docs.get(name) if hasattr(docs, "get") else None
    title = (getattr(doc, "title", "") or name) if doc is not None else name
    section = c.get("section") or ""
    start, end, cited = c.get("start"), c.get("end"), c.get("text") or ""
    text = getattr(doc, "text", None) if doc is not None else None
    span_ok = (isinstance(text, str) and isinstance(start, int) and isinstance(end, int)
               and 0 <= start <= end <= len(text) and text[start:end] == cited)
    head = (f'<div class="qa-cite-head"><span class="qa-cite-no">{n}</span>'
            f'<span class="qa-cite-title">{esc(title)}</span>'
            f'<span class="qa-cite-doc">{esc(name)}'
            + (f" · 第 {start}–{end} 字" if isinstance(start, int) and isinstance(end, int) else "")
            + "</span></div>")
    sec = f'<div class="qa-cite-section">{esc(section)}</div>' if section else ""
    if not span_ok:
        body = f'<div class="qa-passage"><mark>{esc(cited)}</mark></div>'
        return f'<li class="qa-cite">{head}{sec}{body}</li>'
    p0, p1 = _sentence_bounds(text, start, end)
    body = f'<div class="qa-passage">{_marked(text, start, end, p0, p1, PASSAGE_MAX_CONTEXT)}</div>'
    q0, q1 = _paragraph_bounds(text, start, end)
    if (q0, q1) == (p0, p1):
        # the passage already is the whole paragraph: show its neighbours instead
        q0, q1 = _paragraph_bounds(text, max(0, q0 - 1), min(len(text), q1 + 1))
    context = _marked(text, start, end, q0, q1, PARAGRAPH_MAX_CONTEXT)
    more = (f'<details class="qa-context"><summary>查看上下文</summary>'
            f'<div class="qa-paragraph">{context}</div></details>')
    return f'<li class="qa-cite">{head}{sec}{body}{more}</li>'


def _marked(text: str, start: int, end: int, lo: int, hi: int, keep: int) -> str:
    """text[lo:hi] escaped, with text[start:end] in <mark>; at most `keep` chars each side."""
    lo2, hi2 = max(lo, start - keep), min(hi, end + keep)
    before = ("…" if lo2 > lo else "") + esc(text[lo2:start])
    after = esc(text[end:hi2]) + ("…" if hi2 < hi else "")
    # a span that is the whole passage (a passage citation) gets a quieter highlight
    cls = ' class="qa-whole"' if not text[lo2:start].strip() and not text[end:hi2].strip() else ""
    return f"{before}<mark{cls}>{esc(text[start:end])}</mark>{after}"


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = start
    while lo > 0 and text[lo - 1] not in _SENTENCE_END:
        lo -= 1
    hi = end
    # a span that already ends on a sentence end is a whole sentence
    if hi > start and text[hi - 1] in _SENTENCE_END:
        return lo, hi
    while hi < len(text) and text[hi] not in _SENTENCE_END:
        hi += 1
    if hi < len(text) and text[hi] != "\n":
        hi += 1  # keep the full stop
    return lo, hi


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return lo, len(text) if hi < 0 else hi
