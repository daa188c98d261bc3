"""Vocabulary of the extractor (data/units.json, data/figure_lexicon.json) and text normalisation."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


# ---------------------------------------------------------------------------
# 1. normalisation

def normalize_text(text: str) -> str:
    """Map full-width ASCII forms (０-９, ％, ．, ，, （, ：…) and the ideographic space to ASCII.

    One character in, one character out: offsets into the result are offsets into `text`.
    Other characters (。、“” ①) are left alone.
    """
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        elif o == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------
# vocabulary

@dataclass(frozen=True)
class _Lex:
    units: dict
    per: tuple
    scale_words: dict
    lex: dict
    unit_names: tuple  # longest first
    money_units: tuple


_CACHES: list = []
_OVERRIDE: list[dict] = []


def lex_cache(maxsize: int | None = 128):
    """lru_cache for anything computed from the vocabulary, cleared when the vocabulary changes."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)
        _CACHES.append(cached)
        return cached
    return wrap


def raw_lexicon() -> dict:
    """figure_lexicon.json as stored: {family: {key: words}}."""
    return json.loads((DATA_DIR / "figure_lexicon.json").read_text(encoding="utf-8"))


def use_lexicon(doc: dict | None) -> None:
    """Read figures with the vocabulary `doc` ({family: {key: words}}) instead of the stored one
    (None: back to the stored one). For tests that ask what each word list is needed for."""
    _OVERRIDE[:] = [doc] if doc is not None else []
    for c in _CACHES:
        c.cache_clear()


@lex_cache(maxsize=1)
def _lexicon() -> _Lex:
    units_doc = json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))
    doc = _OVERRIDE[0] if _OVERRIDE else raw_lexicon()
    # keys are read as family.key, so every use names the family of rules the words belong to
    lex = {f"{fam}.{k}": v for fam, d in doc.items() if fam != "_doc" for k, v in d.items()}

    def norm(v):
        if isinstance(v, str):
            return normalize_text(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {norm(k): norm(x) for k, x in v.items()}
        return v

    lex = norm(lex)
    units = norm(units_doc["units"])
    names = tuple(sorted(units, key=len, reverse=True))
    money = tuple(u for u in names if units[u]["dimension"] == "money")
    return _Lex(units=units, per=tuple(sorted(norm(units_doc.get("per", [])), key=len, reverse=True)),
                scale_words=units_doc.get("scale_words", {}), lex=lex, unit_names=names, money_units=money)


def _words(key: str) -> list[str]:
    """A word list of the lexicon, longest first (so 同比增长 wins over 增长)."""
    return _sorted_words(key)


@lex_cache(maxsize=None)
def _sorted_words(key: str) -> list[str]:
    return sorted(_lexicon().lex[key], key=len, reverse=True)

