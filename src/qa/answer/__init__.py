"""Answer: a parsed question + the figure rows and passages of an index -> an Answer record.

    Answerer(index, retriever).answer(question, k) -> Answer

answerer.py holds the entry point (route, dispatch, trace, passages, phrasing); each operation is a
part of its own: search.py (rows that may be the asked item), lookup.py, superlative.py,
compare.py, arithmetic.py; common.py what they share.
"""
from .answerer import Answerer, answer_question
from .common import fmt_decimal, per_head, period_key, ratio_of, remaining

__all__ = ["Answerer", "answer_question", "fmt_decimal", "per_head", "period_key", "ratio_of", "remaining"]
