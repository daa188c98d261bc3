"""Lists: A、B和C…分别为x、y、z (each value takes its part, the shared head noun added) and
A和B均为x (one value, several items)."""
from __future__ import annotations

import re

from ..direction import _COMPARED_TO, _RATIO_OF, _direction_at_end
from ..lexicon import _lexicon, _words
from ..nouns import _standard_measure
from ..phrases import _scope_matches, _strip_leading, clean_item
from ..registry import Cand, Sentence, rule
from ..sentences import _segment_start


def _split_parts(subject: str, n: int) -> list[str] | None:
    parts = [p for p in subject.split("、") if p]
    if len(parts) != n:
        parts = [p for p in re.split(r"[、和及与]", subject) if p]
    if len(parts) != n and n == 2:
        # 城乡低保标准分别为x和y: a two-part word names the two (城市低保标准, 农村低保标准)
        for pair, (first, second) in _lexicon().lex["items.paired_words"].items():
            if subject.startswith(pair):
                rest = subject[len(pair):]
                return [first + rest, second + rest]
    if len(parts) != n:
        return None
    return parts


def _share_head(parts: list[str], aligned_only: bool = False) -> list[str]:
    """'城乡居民、企业和机关事业养老保险' -> each part gets the shared head (…养老保险);
    '基本公共卫生补助和城居医保政府补助年人均标准' -> the shared attribute (年人均标准)."""
    lex = _lexicon().lex
    last = parts[-1]
    head = ""
    first = parts[0]
    idx = last.find(first[-2:]) if len(first) >= 2 else -1
    aligned = idx >= 0 and idx + 2 < len(last)
    if aligned:  # align the first part's last characters inside the last: 一般债务、专项债务余额
        head = last[idx + 2:]
    elif aligned_only:
        return parts
    if not head and len(first) <= 2 and len(last) > len(first) + 1:
        # 城镇、农村居民最低生活保障标准: a two-character modifier against one of the same length
        head = last[len(first):]
    if not head:
        for h in _words("items.attribute_heads"):
            if last.endswith(h) and len(last) > len(h):
                head = h
                break
    if not head:
        for h in _words("items.noun_heads"):
            if last.endswith(h) and len(last) > len(h):
                head = h
                break
    if not head:  # 进口、出口通关时间: align on one character
        idx = last.find(first[-1:]) if first else -1
        if idx >= 0 and idx + 1 < len(last):
            head = last[idx + 1:]
    if not head:
        return parts
    attr = any(head.endswith(h) for h in lex["items.attribute_heads"])
    out = []
    for p in parts[:-1]:
        has_head = any(p.endswith(h) for h in lex["items.noun_heads"])
        if (attr or aligned or not has_head) and not p.endswith(head):  # (城市低保标准 has its 标准)
            out.append(p + head)
        else:
            out.append(p)
    out.append(last)
    return out


def _complete_bare(parts: list[str]) -> list[str]:
    """一般公共预算收入和支出: a bare later part (支出) is of the first part's budget (一般公共预算支出)."""
    lex = _lexicon().lex
    first, out = parts[0], [parts[0]]
    for p in parts[1:]:
        stem = ""
        for group in lex["generic.sibling_heads"]:
            if p in group:
                stem = next((first[: -len(h)] for h in group if h != p and first.endswith(h) and len(first) > len(h)),
                            "")
                if stem:
                    break
        out.append(stem + p if stem else p)
    return out


def _fenbie_subjects(t: str, a: int, cstart: int, clause_raw: str, nvals: int, unit: str):
    """'A、B和C…分别为x、y、z': the items for the n values, or None when the parts don't line up.

    Returns (items, scopes, direction, scope): scopes is per value when the parts are scope
    words (全市和市本级税性比重分别提高…); direction is a change word after 分别, "ratio" for
    分别占…的, else None. The subject may lead the clause before ('总收入和…收入均超额完成…，
    分别占预算调整数的N%和N%').
    """
    lex = _lexicon().lex
    k = clause_raw.rfind("分别")
    subject_raw = _COMPARED_TO.sub("", clause_raw[:k])
    after = clause_raw[k + 2:]
    subj, sinfo = clean_item(subject_raw)
    if not subj and cstart > a:
        pc_end = cstart - 1
        prev = _COMPARED_TO.sub("", t[_segment_start(t, a, pc_end):pc_end])
        cut = len(prev)
        for v in ["均"] + lex["items.verbs"]:  # keep the subject of that clause, not its verb phrase
            j = prev.find(v, 1)
            if 0 < j < cut:
                cut = j
        subject_raw = prev[:cut]
        subj, sinfo = clean_item(subject_raw)
    if not subj:
        return None
    scopes: list[str] = []
    parts = _split_parts(subj, nvals)
    if parts is None:
        lead_scopes = _scope_matches(subject_raw)[-nvals:]  # 全市市本级和县区…: the last n are the parts
        if len(lead_scopes) != nvals:
            return None
        parts = [subj] * nvals
        scopes = [sc[2] for sc in lead_scopes]
    else:
        parts = _complete_bare(_share_head(parts))
    d, _, lvl = _direction_at_end(after)
    direction = None if lvl else d
    if unit == "%" and _RATIO_OF.search(after):
        direction = "ratio"
    return parts, scopes, direction, sinfo["scope"]



def _list_length(s: Sentence, i: int) -> int:
    """How many numbers from the i-th on are joined by 、/和/及/与 (x、y和z)."""
    ms = s.mentions
    n, j = 1, i + 1
    while j < len(ms) and re.fullmatch(r"\s*[、和及与]\s*", s.t[ms[j - 1].end:ms[j].start]):
        n += 1
        j += 1
    return n


@rule("lists.fenbie_subjects", 40, examples=("城镇、农村居民最低生活保障标准分别为每人每月780元、620元。",
                                             "全市和市本级税收占比分别提高1.5和2.3个百分点。"))
def fenbie_subjects(s: Sentence, c: Cand) -> bool:
    """A、B…分别为x、y: the parts named before 分别 line up with the numbers after it."""
    if "分别" not in c.clause_raw or s.fenbie_items is not None:
        return False
    nvals = _list_length(s, c.i)
    got = _fenbie_subjects(s.t, s.a, c.cstart, c.clause_raw, nvals, c.m.unit) if nvals > 1 else None
    if not got:
        return False
    s.fenbie_items, s.fenbie_scopes, s.fenbie_dir, subj_scope = got
    s.fenbie_idx = 0
    s.fenbie_per = c.m.per_prefix  # 分别为每生每年1000元、1200元: every value is per head
    if subj_scope:
        c.row.scope = subj_scope
    return True


@rule("lists.fenbie_item", 50, examples=("城镇、农村居民最低生活保障标准分别为每人每月780元、620元。",))
def fenbie_item(s: Sentence, c: Cand) -> bool:
    """The next value of a 分别 list takes the next part (and its scope, its change word)."""
    if s.fenbie_items is None or s.fenbie_idx >= len(s.fenbie_items):
        return False
    row = c.row
    c.m.per_prefix = c.m.per_prefix or s.fenbie_per
    row.item = _strip_leading(s.fenbie_items[s.fenbie_idx])
    if s.fenbie_scopes:
        row.scope = s.fenbie_scopes[s.fenbie_idx]
    s.fenbie_idx += 1
    if s.fenbie_dir == "ratio":
        row.kind, row.measure = "ratio", "ratio"
    elif s.fenbie_dir:
        row.kind, row.direction, row.measure = "change", s.fenbie_dir, "change"
    row.measure = _standard_measure(row.measure, c.m, row.item)
    s.rows.append(row)
    s.consumed = c.m.end
    if s.fenbie_idx >= len(s.fenbie_items):
        s.fenbie_items = None
    c.done = True
    return True


@rule("lists.both", 300, examples=("全县电子卖场渗透率和覆盖率均为98%。",))
def both(s: Sentence, c: Cand) -> bool:
    """A和B均为x: one value stated for each of the items joined before 均."""
    if not (re.search(r"均(?:为|达|达到|是)$", c.raw.rstrip()) and ("和" in c.item or "、" in c.item)):
        return False
    parts = [p for p in re.split(r"[和、]", c.item) if p]
    if not 1 < len(parts) <= 4:
        return False
    parts = _share_head(parts, aligned_only=True)  # 基本养老保险和基本医疗保险参保率均达到95%
    c.item = parts[0]
    c.row.dup_items = parts[1:]
    return True
