"""Golden snapshot of the full figure table of every development report.

Any change to any row of any report fails with a readable diff. When the change is intended,
accept it with `pytest tests/test_figure_snapshots.py --update-snapshots` and review the diff of
tests/snapshots/figures/ in the commit. Only the top level of the corpus is used, never blind/.
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from qa.figures import extract_figures
from qa.ingest import read_document

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots" / "figures"
# the reports copied into the repository (issue 11) when present, else the shared folder beside it
CORPORA = [ROOT / "eval" / "corpus", ROOT.parent / "shared" / "corpus"]
MAX_DIFF_LINES = 120


def _corpus() -> Path | None:
    return next((c for c in CORPORA if c.is_dir() and any(c.glob("*.txt"))), None)


def _reports() -> list[Path]:
    c = _corpus()
    return sorted(c.glob("*.txt")) if c else []


def table_lines(path: Path) -> list[str]:
    """The report's figure table, one JSON row per line, as the index stores it."""
    doc = read_document(path)
    return [json.dumps(f.row(), ensure_ascii=False, sort_keys=False) for f in extract_figures(doc)]


def _readable_diff(old: list[str], new: list[str], name: str) -> str:
    diff = list(difflib.unified_diff(old, new, f"snapshot/{name}", f"extracted/{name}", n=0, lineterm=""))
    more = len(diff) - MAX_DIFF_LINES
    shown = diff[:MAX_DIFF_LINES] + ([f"… {more} more diff lines"] if more > 0 else [])
    return (f"{name}: {sum(l.startswith('-') for l in diff[2:])} rows gone/changed, "
            f"{sum(l.startswith('+') for l in diff[2:])} rows new/changed\n" + "\n".join(shown)
            + "\n(intended? rerun with --update-snapshots and review the diff in the commit)")


@pytest.mark.skipif(_corpus() is None, reason="no development corpus (eval/corpus or ../shared/corpus)")
@pytest.mark.parametrize("path", _reports(), ids=lambda p: p.stem)
def test_figure_table_matches_snapshot(path: Path, update_snapshots: bool):
    snap = SNAPSHOTS / f"{path.stem}.jsonl"
    new = table_lines(path)
    if update_snapshots:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        snap.write_text("".join(line + "\n" for line in new), encoding="utf-8")
        return
    assert snap.is_file(), f"no snapshot {snap.relative_to(ROOT)}: run pytest --update-snapshots"
    old = snap.read_text(encoding="utf-8").splitlines()
    if old != new:
        pytest.fail(_readable_diff(old, new, path.stem), pytrace=False)


def test_every_snapshot_has_its_report():
    """A snapshot of a report no longer in the corpus is stale (and a renamed report is caught)."""
    if _corpus() is None:
        pytest.skip("no development corpus")
    names = {p.stem for p in _reports()}
    stale = [p.name for p in SNAPSHOTS.glob("*.jsonl") if p.stem not in names]
    assert not stale, f"snapshots without a report: {stale}"
