"""Shared fixtures: project paths, the development corpus beside the project, one embedder."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIRST_REPORT = CORPUS / "2023_county_finance_bureau_work_report.txt"
# the development reports, copied into the repository (eval/corpus) so a fresh clone tests on them
SHARED = ROOT / "eval" / "corpus"

# One passage-embedding cache for the whole session (subprocesses inherit it): the same report
# is embedded once, not once per test. Tests that count embeddings give themselves a fresh one.
_CACHE = tempfile.mkdtemp(prefix="qa-test-embeddings-")
os.environ["QA_EMBED_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


def shared_reports() -> list[Path]:
    """The development reports in eval/corpus, or skip saying why."""
    if not SHARED.is_dir():
        pytest.skip(f"development corpus {SHARED} is absent")
    files = sorted(SHARED.glob("*.txt"))
    if not files:
        pytest.skip(f"no reports in {SHARED}")
    return files


@pytest.fixture(scope="session")
def embedder():
    from qa.embed import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def first_index(tmp_path_factory, embedder):
    """An index of the project's corpus/ (the first report), built once per test session."""
    from qa.config import Settings
    from qa.engine import Engine

    base = tmp_path_factory.mktemp("first")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(FIRST_REPORT, corpus)
    settings = Settings.from_args(corpus=corpus, index=base / "index")
    return Engine.open(settings, embedder=embedder)


@pytest.fixture(scope="session")
def shared_engine(tmp_path_factory, embedder):
    """An engine over all development reports (eval/corpus), built once per test session."""
    from qa.config import Settings
    from qa.engine import Engine

    files = shared_reports()
    base = tmp_path_factory.mktemp("shared")
    corpus = base / "corpus"
    corpus.mkdir()
    for f in files:
        shutil.copy(f, corpus)
    settings = Settings.from_args(corpus=corpus, index=base / "index")
    return Engine.open(settings, embedder=embedder)


def pytest_addoption(parser):
    # golden snapshots (tests/snapshots/): an intended change is accepted by rewriting them, and
    # the diff is then reviewed in the commit
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite the golden snapshots under tests/snapshots/ instead of comparing")


@pytest.fixture
def update_snapshots(request) -> bool:
    return bool(request.config.getoption("--update-snapshots"))
