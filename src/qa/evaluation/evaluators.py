"""Evaluators, one per metric family, in the manner of sentence-transformers' evaluation/.

Each evaluator scores one `Case` (a gold question, the answer record a system gave, the gold
evidence spans, the wall time) into flat per-question fields, and summarises a list of those
fields into metrics. A field is None where it does not apply (no direction to check on a lookup),
and None is left out of every mean.

    case = Case(question, record, groups, seconds)
    fields = AnswerEvaluator().score(case)          # {"correct": True, "value_ok": True, ...}
    metrics = AnswerEvaluator().summarize([fields, ...])  # {"answer_acc": 0.8, ...}
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from .dataset import Question
from .metrics import (Span, covers, direction_class, direction_in_text, entities_match, evidence_rank, mean,
                      parse_unit, passage_contains, percentile, values_match)

_CHANGE_WORDS = re.compile(r"(?i)\b(grow|grew|growth|chang|increas|decreas|rise|rose|fall|fell|declin|drop|how fast)")


@dataclass
class Case:
    question: Question
    record: dict[str, Any]  # the public answer record (Answer.to_dict())
    groups: list[list[Span]]  # gold evidence: one group per piece, each every occurrence
    seconds: float = 0.0  # wall time of the system's call

    @property
    def cited(self) -> list[Span]:
        return [(c.get("doc"), int(c.get("start", -1)), int(c.get("end", -1)))
                for c in self.record.get("citations") or []]

    @property
    def evidence_known(self) -> bool:
        return bool(self.groups) and all(self.groups)


class Evaluator:
    """Base: `score(case) -> fields`, `summarize(list of fields) -> metrics`."""

    name = "evaluator"
    fields: tuple[str, ...] = ()

    def score(self, case: Case) -> dict[str, Any]:
        raise NotImplementedError

    def summarize(self, scored: Sequence[dict[str, Any]]) -> dict[str, float | None]:
        raise NotImplementedError


class RetrievalEvaluator(Evaluator):
    """Recall@1/3/5 and MRR of the gold evidence over the record's citations, in order.

    rank = the first citation prefix that overlaps every evidence piece; questions without
    locatable evidence (unanswerable ones) are left out.
    """

    name = "retrieval"
    fields = ("rank",)

    def __init__(self, ks: Sequence[int] = (1, 3, 5)):
        self.ks = tuple(ks)

    def score(self, case: Case) -> dict[str, Any]:
        if not case.question.answerable or not case.evidence_known:
            return {"rank": None, "retrieval_applies": False}
        return {"rank": evidence_rank(case.cited, case.groups), "retrieval_applies": True}

    def summarize(self, scored):
        rows = [s for s in scored if s.get("retrieval_applies")]
        out: dict[str, float | None] = {}
        for k in self.ks:
            out[f"recall@{k}"] = mean((s["rank"] is not None and s["rank"] <= k) for s in rows)
        out["mrr"] = mean((1.0 / s["rank"] if s["rank"] else 0.0) for s in rows)
        out["n_retrieval"] = len(rows)
        return out


class CitationEvaluator(Evaluator):
    """Citation correct: some cited span overlaps the gold evidence (every piece of it).
    Descriptive questions also get hit@1 / hit@3 (evidence among the first 1 / 3 citations)."""

    name = "citation"
    fields = ("citation_ok", "hit@1", "hit@3")

    def score(self, case: Case) -> dict[str, Any]:
        q = case.question
        if not q.answerable or not case.evidence_known or case.record.get("status") != "answered":
            # an abstention cites nothing to be judged; it is scored by the answer evaluator
            ok = None if not q.answerable or not case.evidence_known else False
            return {"citation_ok": ok, "hit@1": None if q.type != "descriptive" else False,
                    "hit@3": None if q.type != "descriptive" else False}
        rank = evidence_rank(case.cited, case.groups)
        out = {"citation_ok": rank is not None, "hit@1": None, "hit@3": None}
        if q.type == "descriptive":
            out["hit@1"] = rank is not None and rank <= 1
            out["hit@3"] = rank is not None and rank <= 3
        return out

    def summarize(self, scored):
        return {"citation_acc": mean(s.get("citation_ok") for s in scored),
                "hit@1": mean(s.get("hit@1") for s in scored),
                "hit@3": mean(s.get("hit@3") for s in scored)}


class AnswerEvaluator(Evaluator):
    """Whether the answer is right: value, direction, entity, abstention.

    - value: equal after unit normalisation (scale must match); computed types get a rounding
      tolerance (see metrics.values_match).
    - direction (change questions): same class as the direction word in the gold answer_text
      (增长/增加 up, 下降/减少 down, 持平 flat).
    - entity (compare / superlative): metrics.entities_match against answer_entity.
    - A passage answer (kind 'passage': a system that returns text, not a figure) counts as
      right for value, direction and entity when its top citation contains the gold evidence.
    - unanswerable: right iff abstained; an answerable question abstained on is wrong.
    - descriptive (and answerable questions with neither value nor entity): right iff the top
      citation overlaps the evidence (hit@1).
    """

    name = "answer"
    fields = ("correct", "value_ok", "direction_ok", "entity_ok", "abstained")

    def score(self, case: Case) -> dict[str, Any]:
        q, r = case.question, case.record
        status = r.get("status")
        abstained = status == "abstained"
        out: dict[str, Any] = {"abstained": abstained, "answerable": q.answerable, "kind": r.get("kind"),
                               "value_ok": None, "direction_ok": None, "entity_ok": None}
        if not q.answerable:
            out["correct"] = abstained
            return out
        if status != "answered":  # abstained, or the system failed on this question
            out["correct"] = False
            for f in ("value_ok", "direction_ok", "entity_ok"):
                out[f] = False if self._applies(q, f) else None
            return out
        passage = r.get("kind") == "passage"
        cited = case.cited
        top_ok = bool(cited) and case.evidence_known and passage_contains(
            cited[0], (r.get("citations") or [{}])[0].get("text", ""), case.groups, self._value_text(q))
        if self._applies(q, "value_ok"):
            out["value_ok"] = top_ok if passage else values_match(
                r.get("value"), r.get("unit"), q.answer_value, q.answer_unit, computed=q.computed)
        if self._applies(q, "direction_ok"):
            out["direction_ok"] = top_ok if passage else (
                direction_class(r.get("direction")) == direction_in_text(q.answer_text))
        if self._applies(q, "entity_ok"):
            out["entity_ok"] = top_ok if passage else entities_match(r.get("entity"), q.answer_entity)

        if out["entity_ok"] is not None:  # compare / superlative (also asked in English)
            out["correct"] = out["entity_ok"]
        elif out["value_ok"] is not None:
            out["correct"] = out["value_ok"] and out["direction_ok"] is not False
        elif out["direction_ok"] is not None:
            out["correct"] = out["direction_ok"]
        else:  # descriptive: the first passage must hold the evidence
            out["correct"] = bool(cited) and case.evidence_known and evidence_rank(cited[:1], case.groups) == 1
        return out

    @staticmethod
    def _applies(q: Question, f: str) -> bool:
        if f == "value_ok":
            return q.answer_value is not None and q.type != "descriptive"
        if f == "direction_ok":
            if direction_in_text(q.answer_text) is None:
                return False
            if q.type == "change":
                return True
            # an English question about a change: a rate asked about, or change words in it
            return q.type == "english" and (parse_unit(q.answer_unit)[1] in ("%", "pp")
                                            or _CHANGE_WORDS.search(q.question) is not None)
        if f == "entity_ok":
            return q.answer_entity is not None and q.type in ("compare", "superlative", "english")
        return False

    @staticmethod
    def _value_text(q: Question) -> str | None:
        """The gold value as the report writes it, if it does (computed values are not written)."""
        if q.answer_value is None or q.computed:
            return None
        return q.answer_value if any(q.answer_value in e for e in q.evidence) else None

    def summarize(self, scored):
        answerable = [s for s in scored if s.get("answerable")]
        unanswerable = [s for s in scored if not s.get("answerable")]
        abstained = [s for s in scored if s.get("abstained")]
        right_abstentions = sum(1 for s in abstained if not s.get("answerable"))
        return {
            "answer_acc": mean(s.get("correct") for s in scored),
            "value_acc": mean(s.get("value_ok") for s in scored),
            "direction_acc": mean(s.get("direction_ok") for s in scored),
            "entity_acc": mean(s.get("entity_ok") for s in scored),
            # precision: of the abstentions, how many were on unanswerable questions
            "abstain_precision": right_abstentions / len(abstained) if abstained else None,
            "abstain_recall": right_abstentions / len(unanswerable) if unanswerable else None,
            "false_abstain_rate": (sum(1 for s in answerable if s.get("abstained")) / len(answerable)
                                   if answerable else None),
            "n": len(scored),
        }


class RoutingEvaluator(Evaluator):
    """Whether answers come from the question's own report (issue 10's routing figure).

    - routed: an answered question's first citation is in the gold report;
    - foreign: a figure answer (figure, comparison, calculation) cites a report other than the gold one.
    Abstentions are left out: refusing is the answer evaluator's business.
    """

    name = "routing"
    fields = ("routed", "foreign")

    def score(self, case: Case) -> dict[str, Any]:
        record = case.record
        if record.get("status") != "answered" or not case.cited:
            return {"routed": None, "foreign": None}
        gold = case.question.doc
        figure = record.get("kind") in ("figure", "comparison", "calculation")
        return {"routed": case.cited[0][0] == gold,
                "foreign": any(doc != gold for doc, _, _ in case.cited) if figure else None}

    def summarize(self, scored):
        routed = [s["routed"] for s in scored if s.get("routed") is not None]
        foreign = [s["foreign"] for s in scored if s.get("foreign") is not None]
        return {"routed_acc": mean(routed), "foreign_rate": mean(foreign),
                "n_routed": len(routed), "n_foreign": sum(foreign)}


class LatencyEvaluator(Evaluator):
    """Wall time per question, as measured around the system's call (milliseconds)."""

    name = "latency"
    fields = ("ms",)

    def score(self, case: Case) -> dict[str, Any]:
        return {"ms": round(case.seconds * 1000, 2)}

    def summarize(self, scored):
        ms = [s["ms"] for s in scored if s.get("ms") is not None]
        return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mean_ms": mean(ms)}


def default_evaluators() -> list[Evaluator]:
    return [AnswerEvaluator(), CitationEvaluator(), RetrievalEvaluator(), RoutingEvaluator(), LatencyEvaluator()]


def score_cases(cases: Sequence[Case], evaluators: Sequence[Evaluator] | None = None) -> list[dict[str, Any]]:
    """Per-question fields of every evaluator, merged (one dict per case, same order)."""
    evaluators = list(evaluators or default_evaluators())
    out = []
    for c in cases:
        row: dict[str, Any] = {"id": c.question.id, "type": c.question.type}
        for ev in evaluators:
            row.update(ev.score(c))
        out.append(row)
    return out


def summarize(scored: Sequence[dict[str, Any]], evaluators: Sequence[Evaluator] | None = None
              ) -> dict[str, float | None]:
    """All evaluators' metrics over these per-question fields."""
    out: dict[str, float | None] = {}
    for ev in evaluators or default_evaluators():
        out.update(ev.summarize(scored))
    return out
