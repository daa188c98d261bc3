"""Figure extraction lives in the package `qa.extract` (rules by family, each row naming the rules
that made it); this module keeps the old import path working."""
from __future__ import annotations

from .extract import (FigureTable, clean_item, extract_figures, find_mentions, find_periods, normalize_text,
                      parse_number, split_sentences, to_base, unit_dimension)

__all__ = ["extract_figures", "parse_number", "to_base", "unit_dimension", "normalize_text", "FigureTable",
           "find_mentions", "split_sentences", "clean_item", "find_periods"]
