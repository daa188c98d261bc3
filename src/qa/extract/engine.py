"""The sentence engine: each number of a sentence is read by the rules in their declared order."""
from __future__ import annotations

import re

from . import rules  # noqa: F401  (registers the rules)
from .lexicon import _lexicon
from .mentions import _CIRCLED, find_mentions
from .registry import FINAL_RULES, SENTENCE_RULES, Cand, Row, Sentence
from .sentences import _depths, _segment_start


def _candidate(s: Sentence, i: int) -> Cand:
    t, m = s.t, s.mentions[i]
    cstart = _segment_start(t, s.a, m.start)
    lo = max(cstart, s.consumed)
    row = Row(m=m, depth=s.depth_at[m.start - s.a], qualifier=m.qualifier, seg_start=lo)
    row.measure = _lexicon().units.get(m.unit.split("/")[0], {}).get("measure", "amount")
    raw = t[lo:m.start]
    return Cand(i=i, m=m, row=row, cstart=cstart, raw=raw, clause_raw=t[cstart:m.start],
                seg=re.sub(r"\s+", "", raw))


def _run_rules(s: Sentence, c: Cand) -> None:
    for r in SENTENCE_RULES:
        got = r.fn(s, c)
        if not got:
            continue
        name = r.name if got is True else f"{r.name}:{got}"
        c.row.note(name)
        for other in c.touched:
            # a row that absorbed the number (c.done) took what the rules found about it
            for n in (c.row.rules if c.done else [name]):
                other.note(n)
        c.touched.clear()
        if c.done:
            return
    c.row.item = _CIRCLED.sub("", c.item)
    s.rows.append(c.row)


def read_sentence(t: str, a: int, b: int, prev_lead: Row | None, topic: str = "",
                  earlier: tuple = (), topic_sentence: str = "") -> list[Row]:
    """All figures of the sentence t[a:b] with item, kind, change, parent, scope (from the text),
    each with the names of the rules that made it.

    `topic` is the budget the section is about (一般公共预算 …): it names a bare 收入/支出.
    `earlier`: the level rows of the paragraph's earlier sentences (a breakdown's whole may stand there).
    `topic_sentence`: a short heading-like sentence just before (一是支持就业优先战略。) that names
    what the sentence's money is for.
    """
    ms = find_mentions(t, a, b)
    if not ms:
        return []
    s = Sentence(t=t, a=a, b=b, mentions=ms, depth_at=_depths(t, a, b), prev_lead=prev_lead, topic=topic,
                 consumed=a, earlier=earlier, topic_sentence=topic_sentence)
    for i in range(len(ms)):
        _run_rules(s, _candidate(s, i))
    for fr in FINAL_RULES:
        for r in fr.fn(s):
            r.note(fr.name)
    return s.rows
