"""Candidate rows for an asked item, their features, and the fitted scorer that ranks them.

    RowScorer.load()                                   the fitted weights (data/row_scorer.json)
    candidate_rows(answerer, phrase, q, docs, ranks)   -> (Candidate list best first, excluded rows)

Candidates are the union of the rows the row index retrieves for the asked item (rows.py:
BM25 and dense over row descriptions) and the rows the lexical matcher finds (matching.py).
Hard constraints (place, scope, status, year, period) are rules: a row they exclude is never a
candidate, and is reported with the constraint's name. Every other signal — how well the words
cover each other, how close the embeddings are, the retrieval ranks, whether the row measures
what is asked (an amount, a rate, a count, a change), the kind asked (收入/支出), agreement with
the soft side of each constraint, the lexical matcher's own score — is a feature, and a logistic
regression fitted on labelled (question, correct row) pairs (eval/fit_scorer.py) weighs them.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DATA_DIR
from .matching import GENERIC_ITEM, coverage, dimension, item_similarity, same_kind
from .question import scope_level, vocabulary
from .records import Figure
from .rows import section_topic

if TYPE_CHECKING:
    from .answer import Answerer
    from .question import Query

SCORER_PATH = DATA_DIR / "row_scorer.json"

FEATURES = (
    "cov_phrase_item", "cov_item_phrase", "cov_phrase_clause", "lex_item_similarity", "lex_matcher",
    "lex_found", "dense_desc", "dense_item", "dense_question", "dense_desc_gap", "dense_rank", "bm25_rank",
    "bm25_rel", "passage_rank", "topic_cover", "measure_fit",
    "amount_asked_money", "amount_asked_nonmoney", "change_asked_has_change", "change_asked_no_change",
    "ratio_asked_pct", "count_asked_count", "row_is_change", "row_is_pct",
    "kind_same", "kind_clash", "period_match", "period_unstated", "scope_match", "scope_unstated",
    "status_match", "exec_default", "plan_unasked", "year_match", "year_unstated", "former_value",
    "generic_item", "item_len_ratio",
    # how the row's description ranks against the whole question (not only the parsed item): the
    # signal that survives a poorly parsed item, above all in English; and the same for English
    # questions alone, so that the fit can trust it more there than lexical coverage
    "dense_question_gap", "dense_question_rank", "en_dense_question_gap", "en_dense_question_rank",
    "en_cov_phrase_item",
    # the same item stated in a wider scope or as the outturn too, when the question names neither
    # scope nor status: a row for 市本级 or a budget figure competes with the whole and the actual
    "sub_scope_unasked", "plan_beside_outturn_unasked",
)

_EXEC = {"执行", "完成", "决算", "预计", "实际"}
_PLAN = {"预算", "计划", "草案"}
_KIND = re.compile(r"(收入|支出)")
_COUNT_UNITS = set("人户个家件项笔所名次座辆套处") | {"人次", "万人", "万户", "亩", "公里"}


@dataclass
class Candidate:
    row: int  # position in Index.figures
    fig: Figure
    features: dict[str, float]
    prob: float = 0.0


@dataclass
class RowScorer:
    """Logistic regression over standardised features; `threshold` = the probability above
    which a top candidate is answered (chosen for `precision` on rows held apart from fitting)."""

    names: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float = 0.5
    precision: float | None = None
    meta: dict = field(default_factory=dict)

    def prob(self, features: dict[str, float]) -> float:
        z = self.intercept
        for n, m, s, c in zip(self.names, self.mean, self.scale, self.coef):
            z += c * (features.get(n, 0.0) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {"names": self.names, "mean": self.mean, "scale": self.scale, "coef": self.coef,
                "intercept": self.intercept, "threshold": self.threshold, "precision": self.precision,
                "meta": self.meta}

    @classmethod
    def load(cls, path: Path | None = None) -> "RowScorer | None":
        return _load(str(path or SCORER_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> RowScorer | None:
    p = Path(path)
    if not p.is_file():
        return None
    raw = json.loads(p.read_text(encoding="utf-8"))
    return RowScorer(raw["names"], raw["mean"], raw["scale"], raw["coef"], raw["intercept"],
                     raw.get("threshold", 0.5), raw.get("precision"), raw.get("meta", {}))


def candidate_rows(ans: "Answerer", phrase: str, q: "Query", docs: list[str] | None, ranks: dict[str, int],
                   depth: int = 40) -> tuple[list[Candidate], list[tuple[Figure, str]]]:
    """Candidates for `phrase` (hard constraints applied, features computed, best first when a
    scorer is fitted) and the rows a hard constraint excluded, each with the constraint's name."""
    index = ans.index
    rows = index.rows
    if rows is None or not phrase:
        return [], []
    from .question import search_text
    from .tokenizer import tokenize

    qv = ans.retriever._query_vector(phrase)
    qv_full = ans.retriever._query_vector(search_text(q))
    hits = {h.row: h for h in rows.search(tokenize(phrase), qv, docs, depth)}
    # rows close to the whole question also compete: an item parsed badly (English, everyday
    # wording) still meets the report's wording through the question's embedding
    for h in rows.search([], qv_full, docs, depth // 2):
        if h.row not in hits:
            hits[h.row] = rows.hit(h.row, qv)
    lexical = {ans._row_index[id(c.fig)]: c.score for c in ans.candidates(phrase, q, docs, ranks, strict=False)}
    for r in lexical:
        if r not in hits:
            hits[r] = rows.hit(r, qv)
    if not hits:
        return [], []
    best_dense = max(h.dense_sim for h in hits.values())
    best_bm25 = max(h.bm25_score for h in hits.values()) or 1.0
    scorer = RowScorer.load()
    out: list[Candidate] = []
    excluded: list[tuple[Figure, str]] = []
    vocab = vocabulary()
    for r, h in hits.items():
        f = index.figures[r]
        # (存款余额 asked: 存贷款余额 is deposits and loans together, 贷款余额 the other part;
        # data/synonyms.json joined)
        why = "joined" if vocab.not_the_part(phrase, f.item) else ans.conflict(q, f)
        if why:
            excluded.append((f, why))
            continue
        feats = row_features(ans, q, phrase, f, r, h, lexical.get(r), best_dense, best_bm25, ranks, qv_full)
        out.append(Candidate(r, f, feats))
    out = _outturn_by_default(out, q, excluded)
    _question_ranks(out, q.english)
    _sibling_features(out, q)
    if scorer is not None:
        for c in out:
            c.prob = scorer.prob(c.features)
        out.sort(key=lambda c: (-c.prob, c.fig.doc, c.fig.start))
    return out, excluded


def _question_ranks(cands: list[Candidate], english: bool) -> None:
    """Add each candidate's rank and gap to the best by similarity to the whole question."""
    if not cands:
        return
    sims = [c.features["dense_question"] for c in cands]
    best = max(sims)
    order = sorted(range(len(cands)), key=lambda i: -sims[i])
    for rank, i in enumerate(order):
        f = cands[i].features
        f["dense_question_gap"] = sims[i] - best
        f["dense_question_rank"] = 1.0 / (1 + rank)
        f["en_dense_question_gap"] = f["dense_question_gap"] if english else 0.0
        f["en_dense_question_rank"] = f["dense_question_rank"] if english else 0.0
        f["en_cov_phrase_item"] = f["cov_phrase_item"] if english else 0.0


def _outturn_by_default(cands: list[Candidate], q: "Query", excluded: list) -> list[Candidate]:
    """Constraint `status_default`: a question that names no status (收了多少, how much did … collect)
    asks what happened, so a plan row is dropped when a routed report states the outturn of the same
    item, year and scope (年初预算X亿元，实际完成Y亿元 → Y; last year's work report's target for 2023
    against this year's report of what 2023 did). A plan with no outturn anywhere (next year's budget)
    stays."""
    if q.status:
        return cands
    keep = outturn_by_default(cands)
    kept = {id(c) for c in keep}
    excluded.extend((c.fig, "status_default") for c in cands if id(c) not in kept)
    return keep


def outturn_by_default(rows: list) -> list:
    """`rows` (anything with a `.fig`) without the plan rows whose item, year and scope has an
    outturn row among them (the constraint status_default, for a question that names no status)."""
    outturns = {(r.fig.item, r.fig.year, r.fig.scope) for r in rows if r.fig.status in _EXEC}
    return [r for r in rows if not (r.fig.status in _PLAN and (r.fig.item, r.fig.year, r.fig.scope) in outturns)]


def _whole_scope(scope: str | None) -> bool:
    return scope_level(scope or "") in ("", "whole")  # (unlabelled rows count as the whole place's)


def _sibling_features(cands: list[Candidate], q: "Query") -> None:
    """Flag a candidate whose item the same report also states for the whole place (when the
    question asks no scope) or as the outturn (when it asks no status)."""
    same: dict[tuple, list[Figure]] = {}
    for c in cands:
        same.setdefault((c.fig.doc, c.fig.item, c.fig.year), []).append(c.fig)
    for c in cands:
        f, others = c.fig, same[(c.fig.doc, c.fig.item, c.fig.year)]
        c.features["sub_scope_unasked"] = float(
            not q.scope and not _whole_scope(f.scope) and any(_whole_scope(o.scope) for o in others))
        c.features["plan_beside_outturn_unasked"] = float(
            not q.status and f.status in _PLAN and any(o.status in _EXEC for o in others))


def row_features(ans: "Answerer", q: "Query", phrase: str, f: Figure, r: int, hit, lex: float | None,
                 best_dense: float, best_bm25: float, ranks: dict[str, int], qv_full) -> dict[str, float]:
    """The features of one candidate row for the asked phrase (see FEATURES)."""
    from .answer import period_key

    clause = ans.context[r] if r < len(ans.context) else ""
    attr = q.attribute
    money = dimension(f) == "元"
    pct = f.unit in ("%", "个百分点")
    count = f.unit in _COUNT_UNITS or f.measure == "count"
    has_change = f.direction is not None or f.measure == "change"
    asked_kind = _KIND.search(phrase[-2:]) if len(phrase) >= 2 else None
    row_kind = set(_KIND.findall(f.item + clause))
    passage = ranks.get(ans._chunk_key(f))
    doc = ans.index.documents[f.doc]
    import numpy as np
    dense_q = float(ans.index.rows.desc_vectors[r] @ np.asarray(qv_full, dtype=np.float32).reshape(-1))
    return {
        "cov_phrase_item": coverage(phrase, f.item),
        "cov_item_phrase": coverage(f.item, phrase),
        "cov_phrase_clause": coverage(phrase, clause) if clause else 0.0,
        "lex_item_similarity": item_similarity(phrase, f.item),
        "lex_matcher": lex if lex is not None else 0.0,
        "lex_found": 1.0 if lex is not None else 0.0,
        "dense_desc": hit.dense_sim,
        "dense_item": hit.item_sim,
        "dense_question": dense_q,
        "dense_desc_gap": hit.dense_sim - best_dense,
        "dense_rank": 1.0 / (1 + hit.dense_rank) if hit.dense_rank is not None else 0.0,
        "bm25_rank": 1.0 / (1 + hit.bm25_rank) if hit.bm25_rank is not None else 0.0,
        "bm25_rel": hit.bm25_score / best_bm25 if best_bm25 > 0 else 0.0,
        "passage_rank": 1.0 / (1 + passage) if passage is not None else 0.0,
        "topic_cover": coverage(phrase, section_topic(f.section)) if f.section else 0.0,
        "measure_fit": ans._measure_fit(q, f),
        "amount_asked_money": float(attr == "amount" and money and not pct),
        "amount_asked_nonmoney": float(attr == "amount" and not money),
        "change_asked_has_change": float(attr == "change" and has_change),
        "change_asked_no_change": float(attr == "change" and not has_change),
        "ratio_asked_pct": float(attr == "ratio" and pct),
        "count_asked_count": float(attr == "count" and count),
        "row_is_change": float(f.measure == "change"),
        "row_is_pct": float(pct),
        "kind_same": float(bool(asked_kind) and same_kind(phrase, f.item)),
        "kind_clash": float(bool(asked_kind) and bool(row_kind) and asked_kind.group(1) not in row_kind),
        "period_match": float(bool(q.period) and period_key(f.period) == q.period),
        "period_unstated": float(bool(q.period) and not f.period),
        "scope_match": float(bool(q.scope) and f.scope == q.scope),
        "scope_unstated": float(bool(q.scope) and not f.scope),
        "status_match": float(bool(q.status) and f.status == q.status),
        "exec_default": float(not q.status and f.status in _EXEC),
        "plan_unasked": float(not q.status and f.status in _PLAN),
        "year_match": float(bool(q.years) and f.year in q.years),
        "year_unstated": float(bool(q.years) and f.year is None and bool(set(q.years) & set(doc.years))),
        "former_value": float(f.qualifier == "原"),
        "generic_item": float(bool(GENERIC_ITEM.match(f.item))),
        "item_len_ratio": min(len(f.item), 20) / max(len(phrase), 1) / 5.0,
    }
