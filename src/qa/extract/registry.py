"""Rules as named values: a rule is a small function with a name, a family, a declared order and
the examples it was written for; every row records the names of the rules that made it.

A sentence is read one number at a time. For each number the engine (engine.py) runs the
sentence rules in their declared order on a `Cand` (the number, the words before it and the row
being built); a rule returns False when it does not apply, else True (or the name of the case it
applied, recorded as ``rule:case``). A rule may settle the number (`cand.done`: it became part of
another row, or its row is complete) — the rules after it are then skipped. Rows of the sentence a
rule changes besides the candidate's own are listed in `cand.touched`, and get the rule's name too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .mentions import Mention


@dataclass
class Row:
    """A figure of a sentence as the rules build it (before period/scope/status context)."""

    m: Mention
    item: str = ""
    measure: str = ""
    kind: str = "level"  # level | change | ratio
    direction: str | None = None
    change: Mention | None = None
    scope: str = ""
    scope_only: bool = False
    parent: str = ""
    qualifier: str = ""
    depth: int = 0
    periods: list = field(default_factory=list)
    dup_items: list = field(default_factory=list)  # 渗透率和活跃度均为100% -> extra items
    merged: bool = False
    baseline: bool = False  # the item's value in the comparison period or its budget figure
    status: str = ""  # stated by the words naming the figure (预算数, 预期收入), overrides the lead
    prev_year: bool = False  # 上年数: the figure of the year before
    pct_swapped: bool = False  # its amount change was moved to a row of its own
    from_pos: int | None = None  # 由X提高到Y: where 由 stands; Y's lead ends there
    of: "Row | None" = None  # a change row: the figure it is the change of (same period, status …)
    seg_start: int = 0  # where the words naming this figure start
    rules: list[str] = field(default_factory=list)  # names of the rules that made it, in order

    def note(self, name: str) -> None:
        if name not in self.rules:
            self.rules.append(name)


@dataclass
class Sentence:
    """What the rules share while a sentence t[a:b] is read, number after number."""

    t: str
    a: int
    b: int
    mentions: list[Mention]
    depth_at: list[int]
    prev_lead: Row | None
    topic: str  # the budget the section is about (一般公共预算 …): it names a bare 收入/支出
    earlier: tuple = ()  # level rows of the paragraph's earlier sentences, in text order
    topic_sentence: str = ""  # 助力重点生态保护修复。 just before: what the sentence's money is for
    rows: list[Row] = field(default_factory=list)
    consumed: int = 0  # text before this offset is used up (a previous figure or its noun)
    parent: str = ""  # set by 其中/主要是/在…中 for the figures that follow
    in_match: object = None  # the 在…中 phrase of the sentence, if any
    fenbie_items: list[str] | None = None  # A、B分别为x、y: the items still to hand out
    fenbie_dir: str | None = None
    fenbie_idx: int = 0
    fenbie_scopes: list[str] = field(default_factory=list)
    fenbie_per: bool = False  # the list's first value is per head (每人每月)


@dataclass
class Cand:
    """One number being read: the row it may become and what the rules found so far."""

    i: int
    m: Mention
    row: Row
    cstart: int  # start of the clause holding the number
    raw: str  # the unused words before the number (from max(cstart, consumed))
    clause_raw: str  # the whole clause before the number
    seg: str = ""  # `raw` as the rules strip it (qualifier, change words, ratio words)
    item: str = ""
    info: dict = field(default_factory=dict)  # what clean_item saw (scope, status, verb …)
    direction: str | None = None
    level: bool = False  # 增加至/提高到: the number is the new level
    ratio_of: bool = False
    baseline: bool = False
    after_noun: str = ""
    done: bool = False
    touched: list[Row] = field(default_factory=list)


RuleFn = Callable[[Sentence, Cand], "bool | str"]


@dataclass(frozen=True)
class Rule:
    name: str  # family.name
    family: str
    order: int
    fn: RuleFn
    examples: tuple[str, ...] = ()
    doc: str = ""


SENTENCE_RULES: list[Rule] = []


def rule(name: str, order: int, examples: tuple[str, ...] = ()) -> Callable[[RuleFn], RuleFn]:
    """Register a sentence rule: `name` is family.rule; rules run by ascending `order`."""
    def wrap(fn: RuleFn) -> RuleFn:
        if any(r.name == name or r.order == order for r in SENTENCE_RULES):
            raise ValueError(f"rule {name} (order {order}) is registered twice")
        SENTENCE_RULES.append(Rule(name=name, family=name.split(".")[0], order=order, fn=fn,
                                   examples=tuple(examples), doc=(fn.__doc__ or "").strip()))
        SENTENCE_RULES.sort(key=lambda r: r.order)
        return fn
    return wrap


FinalFn = Callable[[Sentence], "list[Row]"]


@dataclass(frozen=True)
class FinalRule:
    name: str
    fn: FinalFn
    examples: tuple[str, ...] = ()
    doc: str = ""


FINAL_RULES: list[FinalRule] = []


def final_rule(name: str, examples: tuple[str, ...] = ()) -> Callable[[FinalFn], FinalFn]:
    """Register a rule run once over the rows of a finished sentence; it returns the rows it changed."""
    def wrap(fn: FinalFn) -> FinalFn:
        FINAL_RULES.append(FinalRule(name=name, fn=fn, examples=tuple(examples), doc=(fn.__doc__ or "").strip()))
        return fn
    return wrap


def all_rules() -> list[Rule | FinalRule]:
    """Every rule, sentence rules in order then final rules (importing qa.extract.rules registers them)."""
    from . import rules  # noqa: F401  (registration)
    return [*SENTENCE_RULES, *FINAL_RULES]


def base_for(rows: list[Row], depth: int, need_free: bool) -> Row | None:
    """The figure a change/ratio refers to: the last level figure at this paren depth
    (None when `need_free` and that figure already carries a change)."""
    for r in reversed(rows):
        if r.kind == "level" and r.depth == depth and not r.baseline:
            if need_free and r.change is not None:
                return None
            return r
    return None
