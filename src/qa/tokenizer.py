"""Tokenize Chinese finance text for BM25: jieba + the project's finance dictionary.

Numbers with their units (X亿元, N%, 1-9月, 2023年) are cut out first so they stay single
tokens; the rest goes through jieba's search mode, which yields a dictionary term whole *and* its
parts (一般公共预算收入 -> 一般公共预算收入, 一般, 公共, 预算, 收入), so a question that uses
only part of a term still matches.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba

from .config import DATA_DIR

_NUMBER = re.compile(
    r"\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?"
    r"(?:万亿元|亿元|万元|千元|元|个百分点|%|‰|万人|万户|人次|人|户|个|家|件|项|笔|所|亩|公里|吨|年|月|日|季度)?")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_lock = threading.Lock()
_ready = False


def _init() -> None:
    global _ready
    with _lock:
        if _ready:
            return
        jieba.setLogLevel(logging.WARNING)
        # (a line with frequency 0 removes a word of jieba's own dictionary that glues a connector
        # to its neighbour — 占多大, 占省 — so 占 stays a word the question parser can split at)
        jieba.load_userdict(str(DATA_DIR / "finance_dict.txt"))
        _ready = True


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = (DATA_DIR / "stopwords.txt").read_text(encoding="utf-8").split()
    return frozenset(words)


def normalize(text: str) -> str:
    """Full-width digits/letters/punctuation -> half-width (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str, search: bool = True, drop_stopwords: bool = True) -> list[str]:
    """Tokens of `text` in order: numbers-with-units whole, jieba words, no punctuation.

    search=True uses jieba's search mode (whole terms plus their sub-words).
    """
    _init()
    text = normalize(text)
    stop = stopwords() if drop_stopwords else frozenset()
    out: list[str] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        out.extend(_words(text[pos:m.start()], search, stop))
        out.append(m.group())
        pos = m.end()
    out.extend(_words(text[pos:], search, stop))
    return out


def _words(text: str, search: bool, stop: frozenset[str]) -> list[str]:
    if not text:
        return []
    cut = jieba.cut_for_search(text) if search else jieba.cut(text)
    return [w for w in (t.strip() for t in cut) if w and _WORD.search(w) and w not in stop]


def cut(text: str) -> list[str]:
    """Plain jieba words (precise mode, finance dictionary), punctuation kept, no stopword removal."""
    _init()
    return [w for w in jieba.cut(text) if w.strip()]


def known_word(word: str) -> bool:
    """Whether jieba's dictionaries (its own and ours) hold the word, rather than its HMM guessing it."""
    _init()
    return bool(jieba.dt.FREQ.get(word))


def tokenize_many(texts: list[str], search: bool = True) -> list[list[str]]:
    return [tokenize(t, search) for t in texts]
