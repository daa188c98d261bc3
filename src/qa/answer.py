"""Answer: a question -> an Answer record (figure, comparison, calculation, passage or none)."""
from __future__ import annotations

from .index import Index
from .question import validate_question
from .records import Answer, Citation
from .retrieve import HybridRetriever


def passage_answer(question: str, index: Index, retriever: HybridRetriever, k: int,
                   docs: list[str] | None = None) -> Answer:
    hits = retriever.retrieve(question, k, docs)
    if not hits:
        return Answer(question=question, status="abstained", kind="none",
                      answer="报告中没有找到与问题相关的内容。")
    cites = [Citation(h.chunk.doc, h.chunk.start, h.chunk.end, h.chunk.text, h.chunk.section) for h in hits]
    return Answer(question=question, kind="passage", answer=hits[0].chunk.text, citations=cites)


def answer_question(question: str, index: Index, retriever: HybridRetriever, k: int = 5) -> Answer:
    question = validate_question(question)
    return passage_answer(question, index, retriever, k)
