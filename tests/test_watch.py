"""Watching the corpus folder: `qa index --watch` and the app pick up reports dropped in while they run.

End to end, in subprocesses on temporary copies of the project's corpus/ (indexed once per module,
then copied per test): a small report the test writes itself is dropped into the folder and must
show up in the index (CLI) or in the answers of the running app's API. The app's watcher is also
tested in-process against a counting stand-in engine: it waits for a file to settle and survives
failed updates.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
PICKUP_TIMEOUT = 120  # seconds from dropping a report to seeing it indexed / answered
START_TIMEOUT = 300  # a watcher or app start on an indexed corpus (model load, index load)

# A small report of our own: an item and figure no bundled report has.
NEW_NAME = "2031_test_township_finance_report"
NEW_ITEM, NEW_AMOUNT = "智慧灌溉设施建设支出", "4321.09万元"
NEW_HEAD = (
    "某乡财政所2031年财政工作情况报告\n"
    "一、2031年工作回顾\n"
    "（一）财政收支情况\n"
    "2031年全乡一般公共预算收入3.48亿元，同比增长4.2%。\n"
)
NEW_TAIL = (
    f"2031年全乡{NEW_ITEM}{NEW_AMOUNT}，同比增长23.6%，主要用于高标准农田节水改造。\n"
    "二、2032年工作安排\n"
    "继续加强预算绩效管理，优先保障农田水利和基本民生支出。\n"
)
NEW_QUESTION = f"2031年{NEW_ITEM}是多少？"


def _env() -> dict[str, str]:
    # QA_EMBED_CACHE (set by conftest) is inherited: the bundled report is embedded once per session
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH"))
                                                         if p),
            "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(check, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None,
              every: float = 1.0):
    """Call `check()` until it returns a truthy value (returned) or `timeout` seconds pass (fail)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"process exited with {proc.returncode} while waiting for {what}:\n{_tail(log)}")
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f}s:\n{_tail(log)}")
        time.sleep(every)


def _tail(log: Path | None) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:] if log and log.exists() else ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> tuple[Path, Path]:
    """(corpus, index): the project's corpus/ copied and indexed once with `qa index`."""
    base = tmp_path_factory.mktemp("watch-base")
    corpus = base / "corpus"
    corpus.mkdir()
    for f in sorted((ROOT / "corpus").glob("*.txt")):
        shutil.copy(f, corpus)
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus),
                           "--index", str(base / "index")], env=_env(), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return corpus, base / "index"


@pytest.fixture
def work(indexed, tmp_path) -> tuple[Path, Path]:
    """A private copy of the indexed corpus and its index (CURRENT is a relative symlink)."""
    corpus, index = indexed
    shutil.copytree(corpus, tmp_path / "corpus")
    shutil.copytree(index, tmp_path / "index", symlinks=True)
    return tmp_path / "corpus", tmp_path / "index"


def _start_cli_watch(corpus: Path, index: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:  # the child keeps its own handle
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", "--watch", "--interval", "1",
                                 "--corpus", str(corpus), "--index", str(index)],
                                env=_env(), cwd=corpus.parent, stdout=out, stderr=subprocess.STDOUT)
    # the watch loop announces itself after the first build and the model load
    _wait_for(lambda: "watching " in _tail(log), START_TIMEOUT, "'watching' line from qa index --watch",
              proc, log)
    return proc


def _indexed_new_report(index: Path):
    from qa.index import IndexUnusable, load_index

    try:
        idx = load_index(index)
    except IndexUnusable:  # between generations; look again
        return None
    doc = idx.documents.get(NEW_NAME)
    if doc is None or NEW_AMOUNT not in doc.text:
        return None
    return idx


# --- qa index --watch ---------------------------------------------------------------------

def test_cli_watch_indexes_a_dropped_report_and_stops_on_sigint(work, tmp_path):
    corpus, index = work
    log = tmp_path / "watch.log"
    proc = _start_cli_watch(corpus, index, log)
    try:
        first = {p.stem for p in corpus.glob("*.txt")}
        (corpus / f"{NEW_NAME}.txt").write_text(NEW_HEAD + NEW_TAIL, encoding="utf-8")
        idx = _wait_for(lambda: _indexed_new_report(index), PICKUP_TIMEOUT, "new report in the index", proc, log)
        assert set(idx.documents) == first | {NEW_NAME}  # the reports already indexed stay
        assert any(c.doc == NEW_NAME and NEW_AMOUNT in c.text for c in idx.chunks)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, _tail(log)
        assert "Traceback" not in _tail(log)
    finally:
        _stop(proc)


def test_cli_watch_stops_cleanly_on_sigterm(work, tmp_path):
    corpus, index = work
    log = tmp_path / "watch.log"
    proc = _start_cli_watch(corpus, index, log)
    try:
        proc.terminate()
        assert proc.wait(timeout=30) == 0, _tail(log)
    finally:
        _stop(proc)


# --- the app's watcher, in-process ---------------------------------------------------------

def _app_module():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import app

    return app


class CountingEngine:
    """Stands in for Engine: counts update() calls; `fail` holds exceptions to raise first."""

    def __init__(self, corpus: Path, fail: list[Exception] | None = None):
        self.settings = SimpleNamespace(corpus_dir=corpus)
        self.fail = list(fail or [])
        self.updates = 0
        self.seen_files: list[set[str]] = []

    def update(self, progress=None, lock_timeout: float = 0):
        from qa.index import BuildReport

        self.updates += 1
        if self.fail:
            raise self.fail.pop(0)
        self.seen_files.append({p.read_text(encoding="utf-8") for p in self.settings.corpus_dir.glob("*.txt")})
        return BuildReport(added=[NEW_NAME])


def test_app_watcher_waits_until_a_report_settles(tmp_path):
    from qa.ingest import corpus_signature

    app = _app_module()
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    engine = CountingEngine(corpus)
    watcher = app.CorpusWatcher(engine, interval=1, seen=corpus_signature(corpus))
    assert watcher.poll() is None and engine.updates == 0  # nothing new

    new = corpus / f"{NEW_NAME}.txt"
    new.write_text(NEW_HEAD, encoding="utf-8")
    assert watcher.poll() is None  # first look at the new file: it may still be being written
    with open(new, "a", encoding="utf-8") as f:
        f.write(NEW_TAIL)
    assert watcher.poll() is None and engine.updates == 0  # it grew: wait again
    report = watcher.poll()  # same as last time: settled
    assert report is not None and engine.updates == 1
    assert NEW_HEAD + NEW_TAIL in engine.seen_files[0]  # indexed whole, never half-written
    assert watcher.poll() is None and watcher.poll() is None and engine.updates == 1

    new.unlink()  # removal is a change too
    watcher.poll()
    watcher.poll()
    assert engine.updates == 2


def test_app_watcher_survives_failed_updates(tmp_path, capsys):
    from qa.index import BuildLocked
    from qa.ingest import corpus_signature

    app = _app_module()
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    engine = CountingEngine(corpus, fail=[BuildLocked("another build of x is running"), OSError("disk full")])
    watcher = app.CorpusWatcher(engine, interval=0.05, seen=corpus_signature(corpus)).start()
    try:
        (corpus / f"{NEW_NAME}.txt").write_text(NEW_HEAD + NEW_TAIL, encoding="utf-8")
        # locked -> retried on the next poll -> fails -> not retried for the same folder
        _wait_for(lambda: engine.updates >= 2, 10, "two update attempts", every=0.05)
        time.sleep(0.5)
        assert engine.updates == 2 and watcher._thread.is_alive()
        (corpus / "second_report.txt").write_text(NEW_HEAD, encoding="utf-8")  # the next change retries
        _wait_for(lambda: engine.updates >= 3, 10, "a retry after the folder changed", every=0.05)
        assert watcher._thread.is_alive() and len(engine.seen_files) == 1
    finally:
        watcher.stop(timeout=5)
    assert not watcher._thread.is_alive()
    err = capsys.readouterr().err
    assert "disk full" in err and "current index stays in use" in err


# --- the app, end to end ---------------------------------------------------------------------

def _cites_new_report(record: dict) -> bool:
    return record.get("status") == "answered" and any(
        c["doc"] == NEW_NAME and NEW_AMOUNT in c["text"] for c in record.get("citations") or [])


def test_app_answers_from_a_report_dropped_while_it_runs(work, tmp_path):
    from gradio_client import Client

    corpus, index = work
    log = tmp_path / "app.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
                                 "--index", str(index), "--corpus", str(corpus), "--watch-interval", "1"],
                                env=_env(), cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)

    def up() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        _wait_for(up, START_TIMEOUT, f"app answering on {url}", proc, log)
        client = Client(url, verbose=False, analytics_enabled=False)  # loopback only: no telemetry
        before = client.predict(NEW_QUESTION, api_name="/ask_record")
        assert not _cites_new_report(before)

        # copied in two writes, as a slow copy would: the watcher must end up with the whole file
        new = corpus / f"{NEW_NAME}.txt"
        with open(new, "w", encoding="utf-8") as f:
            f.write(NEW_HEAD)
            f.flush()
            time.sleep(0.5)
            f.write(NEW_TAIL)
        # questions go on being answered while the watcher re-indexes
        record = _wait_for(lambda: (lambda r: r if _cites_new_report(r) else None)(
            client.predict(NEW_QUESTION, api_name="/ask_record")), PICKUP_TIMEOUT,
            "answer citing the dropped report", proc, log, every=2)
        assert record["kind"] == "figure" and record["value"] == pytest.approx(4321.09), record
        assert "watch: index updated" in _tail(log)
        # the reports indexed before stay answerable
        old = client.predict("2023年1-9月教育支出是多少", api_name="/ask_record")
        assert old["status"] == "answered" and old["citations"]
        assert all(c["doc"] != NEW_NAME for c in old["citations"][:1])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _stop(proc)
