"""Matching: how the words of a question meet the rows of the figure table.

    item_similarity(phrase, item) -> 0..1     the asked phrase against a row's item (synonyms too)
    context_similarity(phrase, ctx) -> 0..CONTEXT_WEIGHT   … against the clause a number stands in
    clause_contexts(index) -> list[str]       per row: what its sentence says around the number
    generic_leads(index) -> {id(row): start}  where a subject-less row's statement begins

Extracted items are short and sometimes generic (投入资金, 完成率); the clause a number stands in
often names what a question calls it. Both are scored here; what is ruled out (period, scope,
status) is the answerer's business.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache

from .config import DATA_DIR
from .figures import to_base
from .index import Index
from .question import variants
from .records import Figure

MATCH_THRESHOLD = 0.72  # item similarity below this is "a different item"
_HEAD = re.compile(r"(收入|支出|资金|余额|限额|债券|债务|经费|补助|补贴|标准|水平|人数|户数|规模|总额|基金|贷款|投入)$")


# the kind of thing a question asks for, and the words an item may use for it
_ASKED_HEAD = re.compile(r"(收入|支出)$")


_HEAD_KIN = {"收入": ("收入", "税", "收费", "基金"), "支出": ("支出", "投入", "经费", "资金", "补助", "补贴")}


# words that name what is measured of an item rather than the item (基础养老金标准 is 基础养老金's)
_ATTRIBUTE_TAIL = re.compile(r"(标准|水平|规模|总额|金额|数额)$")


CONTEXT_WEIGHT = 0.75  # a phrase found whole in the clause before a number, not in its item


# items that name no subject of their own: a measure (完成率) or a balance of the item just
# named (…基金当期结余X，历年滚存结余Y)
GENERIC_ITEM = re.compile(r"^(?:(?:完成率|预算完成率|占比|比重|增长率?|增幅|降幅|支付进度|执行进度|完成进度|进度)$"
                           r"|历年|滚存|当期|当年|年末|上年)")


NUMBERS = re.compile(r"[\d.．,，]+")


@lru_cache(maxsize=65536)
def coverage(a: str, b: str) -> float:
    """Share of a's characters inside a common substring (length >= 2) of a and b."""
    if not a:
        return 0.0
    if len(a) == 1:
        return 1.0 if a in b else 0.0
    covered = [False] * len(a)
    i = 0
    while i < len(a) - 1:
        best = 0
        for L in range(min(len(a) - i, 12), 1, -1):
            if a[i:i + L] in b:
                best = L
                break
        if best:
            for j in range(i, i + best):
                covered[j] = True
            i += best - 1 if best > 2 else 1
        else:
            i += 1
    return sum(covered) / len(a)


def chars_shared(a: str, b: str) -> float:
    """Share of a's distinct characters found anywhere in b (治水 in 水污染防治: 1.0), in any order."""
    chars = set(a)
    return len(chars & set(b)) / len(chars) if chars else 0.0


def item_similarity(phrase: str, item: str, kind: bool = True) -> float:
    """How well a question's item phrase names a row's item, 0..1 (synonyms considered).
    `kind`: hold the row to the kind the phrase ends in (…支出 needs a spending row)."""
    bare = _ATTRIBUTE_TAIL.sub("", item)
    names = (item, bare) if len(bare) >= 2 and bare != item else (item,)
    asked_head = _ASKED_HEAD.search(phrase)
    best = 0.0
    for v in variants(phrase):
        for name in names:
            s = 0.65 * coverage(v, name) + 0.35 * coverage(name, v)
            head = _HEAD.search(name)
            if head and head.group(1) not in v and coverage(v, name) < 1.0:
                s *= 0.6  # 收入 is not 支出: a differing head noun means a different item
            elif kind and not same_kind(phrase, item):
                s *= 0.6  # …付息支出 asked: 地方政府债券 (an amount raised) is not a spending
            if v != phrase and (v not in name or len(v) <= 2):
                s *= 0.9  # a synonym counts when the item says it whole (土地收入 ≠ 土地…转移性收入)
                # and a two-character one (税收) is too common a word to name an item alone
            best = max(best, s)
        if best >= 0.999:
            break
    return best


def same_kind(phrase: str, item: str) -> bool:
    """Whether the row can be the kind of thing asked: a …支出 question needs a spending row."""
    asked = _ASKED_HEAD.search(phrase)
    return not asked or any(h in item for h in _HEAD_KIN[asked.group(1)])


def context_similarity(phrase: str, context: str) -> float:
    """How well the phrase is said in the clause before a number (0..CONTEXT_WEIGHT).

    Extracted items are short (投入资金, 核减金额); the clause that leads to the number often
    names what the question calls the item (推动教育…，投入资金N亿元). Only the phrase's
    coverage counts: a clause is long, so how much of it the phrase covers says nothing.
    """
    phrase = NUMBERS.sub("", phrase)  # the clause's numbers are blanked: 80岁以上 is matched as 岁以上
    if len(phrase) < 2 or not context:
        return 0.0
    # examples listed with 等 (解决教育、医疗、养老等问题，民生支出X) are what the number is about
    # together, none of them alone: 教育 is not named by that clause
    context = _EXAMPLES.sub(" ", context)
    return CONTEXT_WEIGHT * max(coverage(v, context) for v in variants(phrase))


# three or more short terms joined by 、 and closed by 等
_EXAMPLES = re.compile(r"[^、，,。；;：:\s]{1,12}(?:、[^、，,。；;：:\s]{1,12}){2,}等")


def bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def generic_leads(index: Index) -> dict[int, int]:
    """For subject-less rows (完成率, 历年滚存结余 …): id(row) -> where their statement begins."""
    out: dict[int, int] = {}
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(index.figures):
        by_doc[f.doc].append(i)
    for doc, ids in by_doc.items():
        if doc not in index.documents:
            continue
        text = index.documents[doc].text
        ids.sort(key=lambda i: index.figures[i].start)
        for n, i in enumerate(ids):
            f = index.figures[i]
            if GENERIC_ITEM.match(f.item):
                out[id(f)] = _lead_start(text, f, index.figures, ids[:n])
    return out


def clause_contexts(index: Index) -> list[str]:
    """For each row, its sentence's text before the number, from where the previous row of a
    different item of the same kind ended (so an enumeration's items do not bleed into each
    other; a head count before an amount — 902人发放生活补助X万元 — is about the same people)."""
    out = [""] * len(index.figures)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(index.figures):
        by_doc[f.doc].append(i)
    for doc, ids in by_doc.items():
        text = index.documents[doc].text if doc in index.documents else ""
        ids.sort(key=lambda i: index.figures[i].start)
        for n, i in enumerate(ids):
            f = index.figures[i]
            begin = f.sent_start
            if GENERIC_ITEM.match(f.item):  # …贷款X万元，完成率N%: the rate is of what came before
                out[i] = re.sub(r"[\d.．,，]+(?:万亿|亿|万)?(?:元|%|个百分点)?", " ", text[_lead_start(text, f, index.figures, ids[:n]):f.start])
                continue
            for j in reversed(ids[:n]):
                g = index.figures[j]
                if g.sent_start != f.sent_start or g.start >= f.start:
                    if g.end <= f.sent_start:
                        break
                    continue
                if g.item != f.item and dimension(g) == dimension(f):
                    begin = max(begin, g.change_end or g.end, g.end)
                    break
            ctx = text[begin:f.start]
            for j in ids[max(0, n - 8):n]:  # what names an earlier figure of a list is not this one's
                g = index.figures[j]
                if (g.sent_start == f.sent_start and g.item != f.item and len(g.item) >= 2
                        and dimension(g) == dimension(f)):
                    ctx = ctx.replace(g.item, " ")
            ctx += " " + _clause_after(text, f, index.figures[ids[n + 1]] if n + 1 < len(ids) else None)
            out[i] = re.sub(r"[\d.．,，]+(?:万亿|亿|万)?(?:元|%|个百分点)?", " ", ctx)  # numbers name no item
    return out


def _lead_start(text: str, f: Figure, figures: list[Figure], before: list[int]) -> int:
    """Where the statement a subject-less row belongs to begins: the clause (after ；or 。) of the
    figure just before it in its sentence, else the sentence start."""
    prev = next((figures[j] for j in reversed(before) if figures[j].sent_start == f.sent_start), None)
    if prev is None:
        return f.sent_start
    cut = max(text.rfind(c, f.sent_start, prev.start) for c in "；;。")
    return max(f.sent_start, cut + 1)


def _clause_after(text: str, f: Figure, nxt: Figure | None) -> str:
    """What the number's own clause says after it (…X亿元支持推进乡村振兴), up to the clause's end
    or the next figure, whichever is first. A number named by its purpose because only a verb stands
    before it (投入X亿元，用于A、B等，推进C事业发展) is named by all the purpose clauses that follow, up
    to the statement's end."""
    start = max(f.end, f.change_end or 0)
    stop = nxt.start if nxt and nxt.start > start else f.sent_end
    tail = text[start:min(f.sent_end, start + 30, stop)]
    m = re.search(r"[，,；;。：:]", tail)
    own = tail[:m.start()] if m else tail
    if own.strip() or not m or tail[m.start()] not in "，," or "generic.verb_only:purpose" not in f.rules:
        return own  # (再融资债券X亿元，主要用于A和B: a named total's uses are not its name)
    purpose = text[start + m.end():min(f.sent_end, start + 90, stop)]
    purpose = re.split(r"[；;。：:]", purpose)[0]
    return purpose if purpose.startswith(_purpose_verbs()) else own


@lru_cache(maxsize=1)
def _purpose_verbs() -> tuple[str, ...]:
    """Verbs that open a clause saying what money is for (用于, 支持 …: the extractor's word list)."""
    lexicon = json.loads((DATA_DIR / "figure_lexicon.json").read_text(encoding="utf-8"))
    return tuple(lexicon["generic"]["purpose_verbs"])


def dimension(f: Figure) -> str:
    """The base unit of a row's quantity (元 for 万元/亿元, 人 for 万人 …): rows of one kind share it."""
    return to_base(f.value, f.unit)[1]
