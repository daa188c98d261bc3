"""Index: build, update and load the searchable form of a corpus.

Layout of an index folder:

    index/
      CURRENT            symlink to the live generation (swapped atomically)
      gen-<time>-<pid>/  one complete build: manifest.json, documents.jsonl, chunks.jsonl,
                         figures.jsonl, vectors.npy, dense.faiss, bm25/
      cache/             embedding cache, keyed by model and chunk-text hash (survives builds)
      .lock              held while a build runs

A build writes a new generation beside the live one and swaps `CURRENT` with an atomic rename,
so a killed build leaves the previous index loadable. Only new or changed reports are parsed
and embedded; unchanged ones are carried over from the live generation.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from . import config
from .config import Settings
from .ingest import IngestError, discover, read_document
from .records import Chunk, Document, Figure

CURRENT = "CURRENT"
Progress = Callable[[str, float], None]  # (message, fraction done 0..1)


class IndexUnusable(RuntimeError):
    """An index that cannot be used; the message says what to do (usually: rebuild)."""


class IndexOutdated(IndexUnusable):
    """An index written by an older version of this program: a rebuild brings it up to date."""


class BuildLocked(RuntimeError):
    """Another build holds the index lock."""


class BuildCancelled(RuntimeError):
    """A build stopped on request; the live index is unchanged."""


class IndexWriteError(IndexUnusable):
    """Writing the new generation failed (a full disk, a read-only folder); the live one stays."""


# Files every generation has; a manifest whose checksums do not cover them cannot vouch for them.
_CORE_FILES = ("documents.jsonl", "chunks.jsonl", "figures.jsonl", "vectors.npy", "dense.faiss")


def recorded_corpus(index_dir: Path | str) -> Path | None:
    """The corpus folder the live generation was built from (its manifest records it), or None."""
    gen = live_generation(Path(index_dir))
    if gen is None:
        return None
    try:
        value = json.loads((gen / "manifest.json").read_text(encoding="utf-8")).get("corpus_dir")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(value) if isinstance(value, str) and value else None


def _check_manifest(manifest: dict, index_dir: Path) -> None:
    """A manifest without its checksums or model cannot be trusted: say so, and how to repair."""
    sums = manifest.get("checksums")
    model = manifest.get("model")
    problem = None
    if not isinstance(sums, dict) or not all(f in sums for f in _CORE_FILES):
        problem = "has no checksums for its files"
    elif not isinstance(model, dict) or not isinstance(model.get("name"), str):
        problem = "does not name its embedding model"
    elif not isinstance(manifest.get("docs"), dict):
        problem = "does not list its reports"
    if problem:
        raise IndexUnusable(f"the index manifest in {index_dir} {problem}, so the index cannot be checked; "
                            f"rebuild it with: qa index --rebuild --index {index_dir}")


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> reason
    embedded_chunks: int = 0
    total_chunks: int = 0
    seconds: float = 0.0
    swapped: bool = False

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.removed)


# --- loading --------------------------------------------------------------------------------

@dataclass
class Index:
    """A loaded generation: documents, chunks, figures, vectors, dense and lexical indexes."""

    path: Path
    manifest: dict
    documents: dict[str, Document]
    chunks: list[Chunk]
    figures: list[Figure]
    vectors: np.ndarray  # (n_chunks, dim) float32, L2-normalised
    dense: object  # faiss.IndexFlatIP
    bm25: object  # bm25s.BM25
    chunk_docs: np.ndarray  # (n_chunks,) int: document number of each chunk
    doc_names: list[str]
    rows: object = None  # rows.RowIndex: figure rows retrievable by description (None: older index)

    @property
    def model(self) -> str:
        return self.manifest["model"]["name"]


def live_generation(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def load_index(index_dir: Path | str, expected_model: str | None = None) -> Index:
    """Load the live generation, verifying format version, model and checksums."""
    import bm25s
    import faiss

    index_dir = Path(index_dir)
    gen = live_generation(index_dir)
    if gen is None:
        raise IndexUnusable(f"no index in {index_dir}; build one with: qa index --index {index_dir}")
    manifest = _read_manifest(gen)
    if not isinstance(manifest, dict):
        raise IndexUnusable(f"the index manifest in {index_dir} is not a JSON object; "
                            f"rebuild it with: qa index --rebuild --index {index_dir}")
    fmt = (manifest.get("format_version"), manifest.get("chunker_version"))
    want = (config.INDEX_FORMAT_VERSION, config.CHUNKER_VERSION)
    if fmt != want:
        raise IndexOutdated(f"index in {index_dir} has format {fmt[0]}.{fmt[1]}, this program reads format "
                            f"{want[0]}.{want[1]}; rebuild it with: qa index --rebuild --index {index_dir}")
    _check_manifest(manifest, index_dir)
    if expected_model and manifest["model"]["name"] != expected_model:
        raise IndexUnusable(f"index in {index_dir} was built with model '{manifest['model']['name']}', "
                            f"not '{expected_model}'; rebuild it with: qa index --rebuild --model {expected_model}")
    for name, digest in manifest["checksums"].items():
        p = gen / name
        if not p.is_file() or _sha256_file(p) != digest:
            raise IndexUnusable(f"index file {p} is missing or corrupted (checksum mismatch); "
                                f"rebuild it with: qa index --rebuild --index {index_dir}")
    try:
        documents = read_documents(gen)
        chunks = [Chunk(**r) for r in _read_jsonl(gen / "chunks.jsonl")]
        figures = [_figure_from_row(r) for r in _read_jsonl(gen / "figures.jsonl")]
        vectors = np.load(gen / "vectors.npy", mmap_mode="r")  # read-only; pages shared between processes
        dense = faiss.read_index(str(gen / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(gen / "bm25"))
        from .rows import load_rows
        rows = load_rows(gen, documents, figures)
    except Exception as e:  # a checksummed file that still fails to parse: treat as corrupt
        raise IndexUnusable(f"index in {index_dir} cannot be read ({type(e).__name__}: {e}); "
                            f"rebuild it with: qa index --rebuild --index {index_dir}") from None
    if len(chunks) != vectors.shape[0] or dense.ntotal != len(chunks):
        raise IndexUnusable(f"index in {index_dir} is inconsistent; rebuild it with: qa index --rebuild")
    doc_names = list(documents)
    pos = {n: i for i, n in enumerate(doc_names)}
    chunk_docs = np.array([pos[c.doc] for c in chunks], dtype=np.int32)
    return Index(gen, manifest, documents, chunks, figures, vectors, dense, bm25, chunk_docs, doc_names, rows)


def _read_manifest(gen: Path) -> dict:
    try:
        return json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IndexUnusable(f"index manifest in {gen} is unreadable ({e}); rebuild with: qa index --rebuild") from None


# --- building -------------------------------------------------------------------------------

def build_index(settings: Settings, embedder=None, rebuild: bool = False,
                progress: Progress | None = None, lock_timeout: float = 0,
                cancel: "threading.Event | None" = None) -> BuildReport:
    """Bring the index in `settings.index_dir` up to date with `settings.corpus_dir`.

    Parses and embeds only new or changed reports (all of them with rebuild=True); unreadable
    reports are skipped and listed in the report, never dropping what is already indexed.
    Raises BuildLocked if another build holds the lock for longer than `lock_timeout` seconds,
    BuildCancelled once `cancel` is set (checked between reports and between stages; the live
    index is unchanged), IndexWriteError when the new generation cannot be written.
    """
    from filelock import FileLock, Timeout

    index_dir = settings.index_dir
    lock = FileLock(str(index_dir / ".lock"))
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise BuildLocked(f"another build of {index_dir} is running; wait for it to finish") from None
    except OSError as e:  # a read-only mount or another user's folder: reading it still works
        raise IndexWriteError(f"cannot update the index in {index_dir} ({e.strerror or e}): the folder cannot be "
                              f"written; qa ask, facts and reports still read it") from None
    try:
        return _build_locked(settings, embedder, rebuild, _cancellable(progress or (lambda m, f: None), cancel))
    except BaseException:
        # cancelled, interrupted (Ctrl-C) or failed: no half-written generation is left behind
        for partial in index_dir.glob("gen-*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        lock.release()


def _build_locked(settings: Settings, embedder, rebuild: bool, progress: Progress) -> BuildReport:
    t0 = time.perf_counter()
    report = BuildReport()
    index_dir = settings.index_dir
    for stale in index_dir.glob("gen-*.partial"):  # left by a killed build; we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    old = _load_previous(index_dir)
    by_name, hashes, same_build = _classify(settings, embedder, rebuild, old, report)
    if same_build and report.up_to_date:
        return _nothing_to_do(report, old, t0, progress)
    contents = _read_reports(settings, old, by_name, hashes, report, progress)
    if same_build and report.up_to_date:  # what changed could not be read: the live index stays
        return _nothing_to_do(report, old, t0, None)

    if embedder is None:
        from .embed import Embedder
        embedder = Embedder(settings.model)
    cache_dir = settings.embed_cache_dir or index_dir / "cache"
    vectors, report.embedded_chunks = _embed_with_cache(cache_dir, embedder, contents.chunks, contents.documents,
                                                        progress)
    report.total_chunks = len(contents.chunks)
    progress("writing index", 0.9)
    try:
        gen = _write_generation(index_dir, settings, embedder, contents.documents, contents.chunks,
                                contents.figures, vectors, contents.file_meta)
    except OSError as e:
        # a full disk or a read-only folder: the half-written generation goes, the live one stays
        for partial in index_dir.glob("gen-*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
        raise IndexWriteError(f"cannot write the index to {index_dir} ({e.strerror or e}); the previous index "
                              f"is still in use. Free some space (or fix the folder's permissions) and run "
                              f"qa index again") from None
    progress("switching to the new index", 0.99)
    _swap(index_dir, gen)
    report.swapped = True
    report.seconds = time.perf_counter() - t0
    progress("index ready", 1.0)
    return report


def _classify(settings: Settings, embedder, rebuild: bool, old: dict | None, report: BuildReport
              ) -> tuple[dict[str, Path], dict[str, str], bool]:
    """Sort the corpus's reports into added, changed, unchanged and removed (on `report`).

    Returns the files by name, their digests, and whether the previous generation was built the same
    way (model, extractor, rows indexed): only then may its unchanged reports be reused."""
    files = discover(settings.corpus_dir, report.skipped,
                     prefer=(d.get("file", "") for d in (old["docs"].values() if old else ())))
    hashes = {p.stem: _file_digest(p) for p in files}
    by_name = {p.stem: p for p in files}
    old_docs = old["docs"] if old else {}
    same_build = (old is not None and not rebuild and old["manifest"]["model"]["name"] == _model_name(settings, embedder)
                  # vectors made by the same engine (int8 one at a time, fp32 …), else every report is re-embedded
                  and old["manifest"]["model"].get("vectors") == _vectors_key(settings, embedder)
                  and old["manifest"].get("extractor_version") == config.EXTRACTOR_VERSION
                  and any(k.startswith("rows/") for k in old["manifest"]["checksums"]))  # rows indexed too
    for name, digest in hashes.items():
        if same_build and name in old_docs and old_docs[name]["sha256_file"] == digest:
            report.unchanged.append(name)
        elif name in old_docs:
            report.changed.append(name)
        else:
            report.added.append(name)
    report.removed = [n for n in old_docs if n not in hashes]
    return by_name, hashes, same_build


def _nothing_to_do(report: BuildReport, old: dict, t0: float, progress: Progress | None) -> BuildReport:
    report.total_chunks = old["manifest"]["counts"]["chunks"]
    report.seconds = time.perf_counter() - t0
    if progress is not None:
        progress("index is up to date", 1.0)
    return report


@dataclass
class _Contents:
    """What the next generation holds: every report's document, chunks, figures and file record."""

    documents: dict[str, Document] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    file_meta: dict[str, dict] = field(default_factory=dict)

    def keep(self, name: str, old: dict) -> None:
        """Carry a report over from the previous generation as it was."""
        self.documents[name] = old["documents"][name]
        self.chunks.extend(old["chunks"][name])
        self.figures.extend(old["figures"][name])
        self.file_meta[name] = old["docs"][name]


def _read_reports(settings: Settings, old: dict | None, by_name: dict[str, Path], hashes: dict[str, str],
                  report: BuildReport, progress: Progress) -> _Contents:
    """Read, segment and extract every new or changed report; carry the unchanged ones over. A report
    that cannot be read is skipped with its reason, keeping its last good version if there is one."""
    from .figures import extract_figures
    from .segment import chunk_document

    contents = _Contents()
    for i, name in enumerate(sorted(hashes)):
        if name in report.unchanged:
            contents.keep(name, old)
            continue
        progress(f"reading {by_name[name].name}", 0.3 * i / max(1, len(hashes)))
        try:
            doc = read_document(by_name[name])
        except IngestError as e:
            report.skipped[by_name[name].name] = str(e)
            if name in report.changed and old and name in old["documents"]:
                contents.keep(name, old)  # the last good version rather than losing it
            for lst in (report.added, report.changed):
                if name in lst:
                    lst.remove(name)
            continue
        progress(f"segmenting {by_name[name].name}", 0.3 * (i + 0.5) / max(1, len(hashes)))
        contents.documents[name] = doc
        contents.chunks.extend(chunk_document(doc, settings))
        contents.figures.extend(extract_figures(doc))
        contents.file_meta[name] = {"sha256_file": hashes[name], "file": by_name[name].name}
    if not contents.documents:
        raise IngestError(f"no readable report in {settings.corpus_dir}"
                          + "".join(f"\n  {f}: {r}" for f, r in report.skipped.items()))
    return contents


def _model_name(settings: Settings, embedder) -> str:
    return embedder.name if embedder is not None else settings.model


def _vectors_key(settings: Settings | None, embedder) -> str:
    """Which engine made the vectors (the embedding cache's key): an index whose vectors another
    engine made is rebuilt. Reading the key loads no model."""
    if embedder is None:
        from .embed import Embedder
        embedder = Embedder(settings.model)
    return getattr(embedder, "cache_key", embedder.name)


def passage_text(chunk: Chunk, doc: Document) -> str:
    """What gets embedded and BM25-indexed for a chunk: report title and section give the
    passage its context (which report, which scope and period), which the sentence alone lacks."""
    return f"{doc.title} {chunk.section}\n{chunk.text}"


_EMBED_BATCH = 256


def _embed_with_cache(cache_dir: Path, embedder, chunks: list[Chunk], documents: dict[str, Document],
                      progress: Progress) -> tuple[np.ndarray, int]:
    texts = [passage_text(c, documents[c.doc]) for c in chunks]
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    # int8 and fp32 passage vectors are cached apart (issue 13)
    cache = EmbeddingCache(cache_dir, getattr(embedder, "cache_key", embedder.name))
    found = cache.get(keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    if missing:
        # in batches, reporting progress after each, so a long build shows it is moving and a
        # cancelled one stops within a batch
        parts = []
        for j in range(0, len(missing), _EMBED_BATCH):
            progress(f"embedding {len(missing)} passages", 0.35 + 0.5 * j / len(missing))
            parts.append(embedder.encode_passages([texts[i] for i in missing[j:j + _EMBED_BATCH]],
                                                  show_progress=False))
        new = np.concatenate(parts) if len(parts) > 1 else parts[0]
        cache.put([keys[i] for i in missing], new)
        for j, i in enumerate(missing):
            found[keys[i]] = new[j]
    dim = embedder.dim
    vectors = np.stack([found[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dim), np.float32)
    return vectors, len(missing)


class EmbeddingCache:
    """Passage vectors keyed by text hash, one .npz per model; written atomically."""

    def __init__(self, folder: Path, model: str):
        self.path = folder / (hashlib.sha1(model.encode()).hexdigest()[:16] + ".npz")

    def get(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        if not self.path.exists():
            return {}
        try:
            with np.load(self.path) as z:
                stored = dict(zip(z["keys"].tolist(), z["vectors"]))
        except Exception:
            return {}  # a damaged cache only costs re-embedding
        wanted = set(keys)
        return {k: v for k, v in stored.items() if k in wanted}

    def put(self, keys: list[str], vectors: np.ndarray) -> None:
        stored_keys, stored_vecs = [], []
        if self.path.exists():
            try:
                with np.load(self.path) as z:
                    stored_keys, stored_vecs = z["keys"].tolist(), list(z["vectors"])
            except Exception:
                pass
        have = set(stored_keys)
        for k, v in zip(keys, vectors):
            if k not in have:
                stored_keys.append(k)
                stored_vecs.append(v)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}.npz")
        np.savez(tmp, keys=np.array(stored_keys), vectors=np.stack(stored_vecs).astype(np.float32))
        os.replace(tmp, self.path)


def _write_generation(index_dir: Path, settings: Settings, embedder, documents: dict[str, Document],
                      chunks: list[Chunk], figures: list[Figure], vectors: np.ndarray,
                      file_meta: dict[str, dict]) -> Path:
    import bm25s
    import faiss

    from .tokenizer import tokenize

    gen = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    tmp = gen.with_name(gen.name + ".partial")
    tmp.mkdir(parents=True)
    _write_jsonl(tmp / "documents.jsonl", (asdict(d) for d in documents.values()))
    _write_jsonl(tmp / "chunks.jsonl", (asdict(c) for c in chunks))
    _write_jsonl(tmp / "figures.jsonl", (f.row() for f in figures))
    np.save(tmp / "vectors.npy", vectors)
    dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    bm25 = bm25s.BM25()
    bm25.index([tokenize(passage_text(c, documents[c.doc])) or [""] for c in chunks], show_progress=False)
    bm25.save(str(tmp / "bm25"))
    from .rows import write_rows  # figure rows as retrievable records (rows.py)
    write_rows(tmp, embedder, documents, figures, settings.embed_cache_dir or index_dir / "cache")
    checksums = {str(p.relative_to(tmp)): _sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
    manifest = {
        "format_version": config.INDEX_FORMAT_VERSION,
        "chunker_version": config.CHUNKER_VERSION,
        "extractor_version": config.EXTRACTOR_VERSION,
        "model": {"name": embedder.name, "dim": int(vectors.shape[1]), "vectors": _vectors_key(None, embedder)},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "corpus_dir": str(settings.corpus_dir),
        "docs": {n: {**file_meta[n], "chunks": sum(c.doc == n for c in chunks),
                     "figures": sum(f.doc == n for f in figures)} for n in documents},
        "counts": {"documents": len(documents), "chunks": len(chunks), "figures": len(figures)},
        "checksums": checksums,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_dir(tmp)
    os.rename(tmp, gen)
    return gen


def _swap(index_dir: Path, gen: Path) -> None:
    """Point CURRENT at `gen` atomically, then remove generations older than the previous one."""
    link = index_dir / CURRENT
    previous = live_generation(index_dir)
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(gen.name, tmp_link)
    os.replace(tmp_link, link)
    _fsync_dir(index_dir)
    keep = {gen.name, previous.name if previous else None}
    if previous is None:
        # CURRENT was missing: the newest other complete generation may be the only good copy
        # of a larger index (another corpus); never delete it along with the rest
        others = sorted((p for p in index_dir.glob("gen-*") if p.is_dir() and not p.name.endswith(".partial")
                         and p.name != gen.name and (p / "manifest.json").is_file()),
                        key=lambda p: p.stat().st_mtime)
        if others:
            keep.add(others[-1].name)
    for p in index_dir.glob("gen-*"):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def _load_previous(index_dir: Path) -> dict | None:
    """The live generation's records grouped by document, or None when there is no usable one."""
    gen = live_generation(index_dir)
    if gen is None:
        return None
    try:
        manifest = _read_manifest(gen)
        if manifest.get("format_version") != config.INDEX_FORMAT_VERSION or \
                manifest.get("chunker_version") != config.CHUNKER_VERSION:
            return None
        _check_manifest(manifest, index_dir)
        for name, digest in manifest["checksums"].items():
            if _sha256_file(gen / name) != digest:
                return None
        documents = read_documents(gen)
        chunks: dict[str, list[Chunk]] = {n: [] for n in documents}
        for r in _read_jsonl(gen / "chunks.jsonl"):
            chunks[r["doc"]].append(Chunk(**r))
        figures: dict[str, list[Figure]] = {n: [] for n in documents}
        for r in _read_jsonl(gen / "figures.jsonl"):
            figures[r["doc"]].append(_figure_from_row(r))
    except (IndexUnusable, OSError, ValueError, KeyError, TypeError):
        return None
    return {"manifest": manifest, "docs": manifest["docs"], "documents": documents,
            "chunks": chunks, "figures": figures}


# --- small helpers --------------------------------------------------------------------------

def _cancellable(progress: Progress, cancel) -> Progress:
    """Progress that also stops the build when `cancel` is set: every stage reports progress,
    so a long build is cancelled at the next report, passage batch or stage."""
    if cancel is None:
        return progress

    def wrapped(message: str, fraction: float) -> None:
        if cancel.is_set() and fraction < 0.99:
            raise BuildCancelled("index build cancelled; the previous index is still in use")
        progress(message, fraction)

    return wrapped


_DECIMAL_FIELDS = ("value", "change_value")


def _figure_from_row(r: dict) -> Figure:
    r = dict(r)
    for k in _DECIMAL_FIELDS:
        if r.get(k) is not None:
            r[k] = Decimal(r[k])
    known = Figure.__dataclass_fields__
    return Figure(**{k: v for k, v in r.items() if k in known})


def _file_digest(path: Path) -> str:
    """Hash of a report and its sidecar: editing either re-indexes the report."""
    h = hashlib.sha256(path.read_bytes())
    side = path.with_name(path.stem + ".meta.json")
    if side.is_file():
        h.update(side.read_bytes())
    return h.hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def read_documents(gen: Path) -> dict[str, Document]:
    """The reports of one generation with their metadata (no chunks, figures or vectors loaded)."""
    return {d.name: d for d in (Document(**r) for r in _read_jsonl(gen / "documents.jsonl"))}


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
