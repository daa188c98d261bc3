"""FigureTable: rows of many documents, CSV and JSONL."""
from __future__ import annotations

import csv
import json
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..records import Document, Figure
from .document import extract_figures


_FIELDS = [f.name for f in fields(Figure)]
_DECIMAL_FIELDS = {"value", "change_value"}
_INT_FIELDS = {"start", "end", "sent_start", "sent_end", "change_start", "change_end", "year"}


class FigureTable:
    """Figure rows of many documents. `rows(doc)`, CSV (UTF-8 with BOM, opens in Excel), JSONL."""

    def __init__(self, figures: Iterable[Figure] = ()) -> None:
        self._rows: list[Figure] = list(figures)

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> "FigureTable":
        table = cls()
        for d in docs:
            table.extend(extract_figures(d))
        return table

    def extend(self, figures: Iterable[Figure]) -> None:
        self._rows.extend(figures)

    def rows(self, doc: str | None = None) -> list[Figure]:
        """All rows, or the rows of one document (by name), in stored order."""
        return [f for f in self._rows if doc is None or f.doc == doc]

    def docs(self) -> list[str]:
        return sorted({f.doc for f in self._rows})

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        return iter(self._rows)

    def to_csv(self, path: str | Path, doc: str | None = None) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=_FIELDS)
            w.writeheader()
            for f in self.rows(doc):
                w.writerow({k: ("" if v is None else " ".join(v) if isinstance(v, list) else v)
                            for k, v in f.row().items()})

    def to_jsonl(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for f in self._rows:
                fh.write(json.dumps(f.row(), ensure_ascii=False) + "\n")

    @classmethod
    def from_jsonl(cls, path: str | Path) -> "FigureTable":
        rows = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                d = json.loads(line)
                kw = {}
                for k in _FIELDS:
                    if k not in d:
                        continue
                    v = d[k]
                    if k in _DECIMAL_FIELDS and v not in (None, ""):
                        v = Decimal(str(v))
                    elif k in _INT_FIELDS and v not in (None, ""):
                        v = int(v)
                    elif v == "" and k in _INT_FIELDS | _DECIMAL_FIELDS:
                        v = None
                    kw[k] = v
                rows.append(Figure(**kw))
        return cls(rows)

