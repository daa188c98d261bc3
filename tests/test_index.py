"""Index lifecycle: build, load, model/format mismatch, incremental update, atomic swap, lock, corruption."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIRST_REPORT, ROOT, shared_reports
from qa.config import Settings
from qa.index import BuildLocked, IndexUnusable, build_index, live_generation, load_index


def _corpus(tmp_path: Path, files: list[Path]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for f in files:
        shutil.copy(f, corpus)
    return corpus


def test_build_load_and_manifest(tmp_path, embedder):
    settings = Settings.from_args(corpus=_corpus(tmp_path, [FIRST_REPORT]), index=tmp_path / "index")
    report = build_index(settings, embedder)
    assert report.added == [FIRST_REPORT.stem] and report.swapped
    index = load_index(settings.index_dir, expected_model=embedder.name)
    m = index.manifest
    assert m["model"] == {"name": embedder.name, "dim": embedder.dim, "vectors": embedder.cache_key}
    assert m["docs"][FIRST_REPORT.stem]["sha256_file"]
    assert m["built_at"] and m["chunker_version"] and m["checksums"]
    assert index.vectors.shape == (len(index.chunks), embedder.dim)
    assert index.dense.ntotal == len(index.chunks)
    doc = index.documents[FIRST_REPORT.stem]
    assert all(doc.text[c.start:c.end] == c.text for c in index.chunks)


def test_loading_with_another_model_says_rebuild(tmp_path, embedder):
    settings = Settings.from_args(corpus=_corpus(tmp_path, [FIRST_REPORT]), index=tmp_path / "index")
    build_index(settings, embedder)
    with pytest.raises(IndexUnusable, match="rebuild"):
        load_index(settings.index_dir, expected_model="some-other-model")
    manifest = live_generation(settings.index_dir) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format_version"] = 999
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexUnusable, match="format 999.*rebuild"):
        load_index(settings.index_dir)


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexUnusable, match="qa index"):
        load_index(tmp_path / "nothing")


def test_incremental_update_embeds_only_what_changed(tmp_path, embedder):
    reports = shared_reports()
    a, b = FIRST_REPORT, next(p for p in reports if "fushun" in p.name)
    corpus = _corpus(tmp_path, [a])
    settings = Settings.from_args(corpus=corpus, index=tmp_path / "index")
    settings.embed_cache_dir = tmp_path / "fresh-cache"  # count real embedding work
    first = build_index(settings, embedder)
    assert first.embedded_chunks == first.total_chunks > 0

    shutil.copy(b, corpus)
    second = build_index(settings, embedder)
    index = load_index(settings.index_dir)
    b_chunks = sum(c.doc == b.stem for c in index.chunks)
    assert second.added == [b.stem] and second.unchanged == [a.stem]
    assert second.embedded_chunks == b_chunks

    t0 = time.perf_counter()
    third = build_index(settings, embedder)
    assert third.up_to_date and third.embedded_chunks == 0 and not third.swapped
    assert time.perf_counter() - t0 < 5

    (corpus / b.name).unlink()
    fourth = build_index(settings, embedder)
    assert fourth.removed == [b.stem] and fourth.embedded_chunks == 0
    assert set(load_index(settings.index_dir).documents) == {a.stem}


def test_bad_file_is_skipped_and_nothing_indexed_is_lost(tmp_path, embedder):
    corpus = _corpus(tmp_path, [FIRST_REPORT])
    settings = Settings.from_args(corpus=corpus, index=tmp_path / "index")
    build_index(settings, embedder)
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 40)
    report = build_index(settings, embedder)
    assert "broken.txt" in report.skipped
    assert set(load_index(settings.index_dir).documents) == {FIRST_REPORT.stem}
    # a changed report that became unreadable keeps its last good version
    (corpus / FIRST_REPORT.name).write_bytes(b"\x00\x01" * 500)
    report = build_index(settings, embedder)
    assert FIRST_REPORT.name in report.skipped
    assert FIRST_REPORT.stem in load_index(settings.index_dir).documents


def test_corrupted_index_file_is_detected(tmp_path, embedder):
    settings = Settings.from_args(corpus=_corpus(tmp_path, [FIRST_REPORT]), index=tmp_path / "index")
    build_index(settings, embedder)
    gen = live_generation(settings.index_dir)
    vec = gen / "vectors.npy"
    vec.write_bytes(vec.read_bytes()[:-100])  # truncated
    with pytest.raises(IndexUnusable, match="corrupted.*rebuild"):
        load_index(settings.index_dir)
    # a rebuild repairs it
    build_index(settings, embedder, rebuild=True)
    assert load_index(settings.index_dir).chunks


def test_second_build_is_refused_while_one_holds_the_lock(tmp_path, embedder):
    from filelock import FileLock

    settings = Settings.from_args(corpus=_corpus(tmp_path, [FIRST_REPORT]), index=tmp_path / "index")
    settings.index_dir.mkdir()
    with FileLock(str(settings.index_dir / ".lock")):
        with pytest.raises(BuildLocked, match="another build"):
            build_index(settings, embedder, lock_timeout=0)
        r = subprocess.run([sys.executable, "-m", "qa.cli", "index", "--corpus", str(settings.corpus_dir),
                            "--index", str(settings.index_dir)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 4 and "another build" in r.stderr and "Traceback" not in r.stderr


def test_killed_build_leaves_previous_index_loadable(tmp_path, embedder):
    # a few reports are enough to keep the build embedding when it is killed
    reports = [p for p in shared_reports() if p.name != FIRST_REPORT.name][:4] + [FIRST_REPORT]
    corpus = _corpus(tmp_path, [FIRST_REPORT])
    settings = Settings.from_args(corpus=corpus, index=tmp_path / "index")
    build_index(settings, embedder)
    before = load_index(settings.index_dir)
    for p in reports:  # a big update, so the build is still running when killed
        if p.name != FIRST_REPORT.name:
            shutil.copy(p, corpus)
    # a fresh cache, so the killed build really is embedding when it dies
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "QA_EMBED_CACHE": str(tmp_path / "fresh-cache")}
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus),
                             "--index", str(settings.index_dir)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # wait until it is embedding (reading is done, the model is loaded), then kill it
    deadline = time.time() + 120
    buf = ""
    while time.time() < deadline and "embedding" not in buf:
        buf += proc.stderr.read(1) or ""
        if proc.poll() is not None:
            break
    assert "embedding" in buf, buf[-500:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    after = load_index(settings.index_dir)
    assert after.path == before.path
    assert set(after.documents) == {FIRST_REPORT.stem}
    assert len(after.chunks) == len(before.chunks)
    # the next build completes the update
    report = build_index(settings, embedder)
    assert report.swapped and len(load_index(settings.index_dir).documents) == len(reports)


def test_engine_rebuilds_an_index_of_an_older_version(tmp_path, embedder):
    from qa.engine import Engine
    from qa.index import IndexOutdated

    settings = Settings.from_args(corpus=_corpus(tmp_path, [FIRST_REPORT]), index=tmp_path / "index")
    build_index(settings, embedder)
    manifest = live_generation(settings.index_dir) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["chunker_version"] -= 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexOutdated):
        load_index(settings.index_dir)
    with pytest.raises(IndexOutdated):
        Engine.open(settings, build_if_missing=False, embedder=embedder)
    engine = Engine.open(settings, embedder=embedder)  # the default upgrades it
    assert engine.ask("2023年1-9月教育支出是多少").value == 5.14


def test_vectors_of_another_engine_rebuild_the_index(tmp_path, embedder):
    """An index whose vectors another engine made (an older int8 path, fp32) is not up to date."""
    settings = Settings.from_args(corpus=_corpus(tmp_path, [FIRST_REPORT]), index=tmp_path / "index")
    build_index(settings, embedder)
    manifest = live_generation(settings.index_dir) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["model"]["vectors"] = embedder.name + "@another-engine"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    report = build_index(settings, embedder)
    assert report.changed == [FIRST_REPORT.stem] and report.swapped
    assert build_index(settings, embedder).up_to_date
