"""Question understanding: validate a question and parse it into what is asked."""
from __future__ import annotations

import re

from .config import MAX_QUESTION_CHARS


class QuestionError(ValueError):
    """A question that cannot be answered as asked; the message says why."""


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_SQL = re.compile(r"(?is)\b(select\s+.+\s+from|insert\s+into|delete\s+from|drop\s+(table|database)|"
                  r"update\s+\w+\s+set|union\s+(all\s+)?select)\b|'\s*or\s*'?\d+'?\s*=\s*'?\d+|;\s*--")


def validate_question(question: object) -> str:
    """The question stripped, or QuestionError: empty, too long, no words, markup or SQL."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本 (the question must be a string)")
    q = question.strip()
    if not q:
        raise QuestionError("问题为空，请输入问题 (empty question)")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题过长：{len(q)} 字，上限 {MAX_QUESTION_CHARS} 字 (question too long)")
    if not re.search(r"[\w\u4e00-\u9fff]", q):
        raise QuestionError("问题只有标点符号，请用文字提问 (question has no words)")
    if _TAG.search(q):
        raise QuestionError("问题中含有 HTML 标记，请用普通文字提问 (HTML is not accepted)")
    if _SQL.search(q):
        raise QuestionError("问题看起来像数据库查询语句，请用普通文字提问 (SQL is not accepted)")
    return q
