"""Figure extraction: report text -> one `Figure` row per number stated in prose.

    lexicon.py    vocabulary (data/units.json, data/figure_lexicon.json, keys named family.key)
    numbers.py    parse_number, unit_dimension, to_base, plain_unit
    mentions.py   numbers carrying a unit (years, dates, ordinals, thresholds dropped)
    sentences.py  sentence and clause spans
    phrases.py    item phrases: link words, verbs, periods, scopes (clean_item)
    nouns.py      nouns after a figure: counted noun, allowance, purpose clause
    direction.py  change words before a number
    registry.py   Row, Rule, the rule registry
    rules/        the sentence rules by family: parents, lists, items, changes, ratios, generic
    engine.py     a sentence read number by number, the rules in their declared order
    context.py    period, year, scope, status from the lead-in, the paragraph and the headings
    document.py   extract_figures
    table.py      FigureTable (CSV, JSONL)

Every row names the rules that made it (`Figure.rules`).
"""
from __future__ import annotations

from .document import extract_figures
from .lexicon import normalize_text
from .mentions import find_mentions
from .numbers import parse_number, to_base, unit_dimension, plain_unit
from .phrases import clean_item, find_periods
from .registry import all_rules
from .sentences import split_sentences
from .table import FigureTable

__all__ = ["extract_figures", "parse_number", "to_base", "unit_dimension", "plain_unit", "normalize_text", "FigureTable",
           "find_mentions", "split_sentences", "clean_item", "find_periods", "all_rules"]
