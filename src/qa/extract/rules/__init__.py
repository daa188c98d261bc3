"""Sentence rules by family. Importing this package registers every rule (registry.SENTENCE_RULES)."""
from . import changes, generic, items, lists, parents, ratios  # noqa: F401  (registration)
