"""Evaluation of report-qa: question sets, evaluators per metric family, baselines, reports.

    from qa.evaluation import load_question_set, evaluate
    questions = load_question_set("eval/dev.jsonl")
    systems, info = evaluate(questions, engine, k=5, baselines=True)

`qa eval` (runner.main) wraps this with index selection, progress bars and JSON/Markdown output.
"""
from .dataset import TYPES, Question, QuestionSetError, load_question_set, locate_evidence, validate_set
from .evaluators import (AnswerEvaluator, Case, CitationEvaluator, LatencyEvaluator, RetrievalEvaluator,
                         score_cases, summarize)
from .metrics import entities_match, parse_quantity, values_match

__all__ = ["TYPES", "Question", "QuestionSetError", "load_question_set", "locate_evidence", "validate_set",
           "AnswerEvaluator", "CitationEvaluator", "RetrievalEvaluator", "LatencyEvaluator", "Case",
           "score_cases", "summarize", "values_match", "parse_quantity", "entities_match", "evaluate"]


def evaluate(*args, **kwargs):
    """See runner.evaluate (imported lazily: it needs the engine's modules)."""
    from .runner import evaluate as _evaluate

    return _evaluate(*args, **kwargs)
