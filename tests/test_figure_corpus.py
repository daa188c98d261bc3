"""The specification corpora of the figure extractor (tests/corpus/figures/*.yaml, one file per rule
family, and tests/corpus/negative/*.yaml) run as tests: each example is a sentence or a mini-report
and the rows it must yield (or must not yield)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qa.extract import extract_figures
from qa.extract.lexicon import raw_lexicon, use_lexicon
from qa.records import Document

CORPUS = Path(__file__).resolve().parent / "corpus"
FIELDS = ("measure", "direction", "change", "period", "year", "scope", "status", "parent", "qualifier")
MIN_FIGURE_EXAMPLES = 300
MIN_NEGATIVE_EXAMPLES = 40


def load(kind: str) -> list[tuple[str, dict]]:
    """(id, example) of every example of tests/corpus/<kind>/*.yaml, id = file:index."""
    out = []
    for path in sorted((CORPUS / kind).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, ex in enumerate(doc["examples"]):
            out.append((f"{path.stem}:{i}", ex))
    return out


def rows_of(ex: dict):
    return extract_figures(Document(name="t", text=ex["text"], years=list(ex.get("years", []))))


def as_spec(f) -> dict:
    """A row as the corpus writes it: item, value as written, unit, then only the non-default fields."""
    d = {"item": f.item, "value": f.value_text, "unit": f.unit}
    got = {"measure": "" if f.measure == "amount" else f.measure, "direction": f.direction or "",
           "change": "" if f.change_value is None else f"{format(f.change_value, 'f')}{f.change_unit}",
           "period": f.period, "year": f.year, "scope": f.scope, "status": f.status, "parent": f.parent,
           "qualifier": f.qualifier}
    d.update({k: v for k, v in got.items() if v not in ("", None)})
    return d


def mismatch(ex: dict) -> str:
    """'' when the example's rows are exactly what the extractor reads, else what differs."""
    got = rows_of(ex)
    want = ex["rows"]
    lines = []
    if len(got) != len(want):
        lines.append(f"{len(want)} rows expected, {len(got)} read")
    for i in range(max(len(got), len(want))):
        g = as_spec(got[i]) if i < len(got) else None
        w = {k: v for k, v in want[i].items() if k != "rules"} if i < len(want) else None
        if g != w:
            lines.append(f"row {i}: expected {w}\n        read     {g}")
        elif i < len(want):
            missing = [r for r in want[i].get("rules", []) if r not in got[i].rules]
            if missing:
                lines.append(f"row {i}: rules {missing} not among {got[i].rules}")
    return "\n".join(lines)


def forbidden(ex: dict) -> str:
    """'' when no row matches any `not` entry of a negative example (rows: [] means no row at all)."""
    got = rows_of(ex)
    if "rows" in ex and not ex["rows"]:
        return "" if not got else f"no row expected, read {[as_spec(f) for f in got]}"
    bad = []
    for f in got:
        spec = {**as_spec(f), "item": f.item, "parent": f.parent, "measure": f.measure}
        for entry in ex["not"]:
            if all(str(spec.get(k, "") if spec.get(k) is not None else "") == str(v) for k, v in entry.items()):
                bad.append(f"{entry} matches {as_spec(f)}")
    return "\n".join(bad)


FIGURES = load("figures")
NEGATIVE = load("negative")
GAPS = load("gaps")  # known gaps: the rows the extractor should read, and does not yet


@pytest.mark.parametrize("ex", [e for _, e in FIGURES], ids=[i for i, _ in FIGURES])
def test_figure_example(ex):
    problem = mismatch(ex)
    assert not problem, f"{ex['text']}\n{problem}"


@pytest.mark.parametrize("ex", [e for _, e in NEGATIVE], ids=[i for i, _ in NEGATIVE])
def test_negative_example(ex):
    problem = forbidden(ex)
    assert not problem, f"{ex['text']}\n{problem}"


@pytest.mark.parametrize("ex", [pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=e["why"]))
                                for _, e in GAPS], ids=[i for i, _ in GAPS])
def test_known_gap(ex):
    """Fails today (xfail); passing means the gap is closed: move the example to tests/corpus/figures/."""
    problem = mismatch(ex)
    assert not problem, f"{ex['text']}\n{problem}"


def test_corpora_keep_their_size():
    assert len(FIGURES) >= MIN_FIGURE_EXAMPLES, len(FIGURES)
    assert len(NEGATIVE) >= MIN_NEGATIVE_EXAMPLES, len(NEGATIVE)


# --- every word list of the lexicon is needed ---------------------------------------------------

_NEVER = "\ufffe"  # a character no report holds: a list or pattern emptied by it matches nothing


def _emptied(doc: dict, family: str, key: str) -> dict:
    """The lexicon with one key's words taken away (a regex or a joined word list matches nothing)."""
    value = doc[family][key]
    if isinstance(value, dict):
        empty = {}
    elif isinstance(value, str):
        empty = _NEVER
    elif value and all(isinstance(v, list) for v in value):
        empty = []
    else:
        empty = [_NEVER]
    return {**doc, family: {**doc[family], key: empty}}


def _words_of(value) -> list[str]:
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in [k, *_words_of(v)]]
    if isinstance(value, list):
        return [w for v in value for w in _words_of(v)]
    return [value] if isinstance(value, str) and value and not set(value) & set("()[]|?*+\\") else []


def _fails(kind: str, ex: dict) -> bool:
    try:
        return bool(mismatch(ex) if kind == "figures" else forbidden(ex))
    except Exception:  # noqa: BLE001 - an example the extractor cannot read without the words needs them
        return True


def test_every_lexicon_key_is_needed_by_a_corpus_example():
    """Emptying any key of data/figure_lexicon.json makes at least one corpus example fail: every word
    list has an example saying what it is for (and a word added has a visible blast radius)."""
    doc = raw_lexicon()
    examples = [("figures", e) for _, e in FIGURES] + [("negative", e) for _, e in NEGATIVE]
    unneeded = []
    try:
        for family, keys in doc.items():
            if family == "_doc":
                continue
            for key in keys:
                use_lexicon(_emptied(doc, family, key))
                words = _words_of(doc[family][key])
                # examples holding one of the key's words first: the one that needs it is usually there
                ordered = sorted(examples, key=lambda ke: not any(w in ke[1]["text"] for w in words))
                if not any(_fails(kind, ex) for kind, ex in ordered):
                    unneeded.append(f"{family}.{key}")
    finally:
        use_lexicon(None)
    assert not unneeded, f"no corpus example needs these lexicon keys: {unneeded}"
