"""Engine: the loaded index, embedder and answerer behind every surface (CLI, app, eval).

The engine holds one immutable snapshot (index + retriever); `update()` builds the next index
generation and swaps the snapshot reference, so questions being answered meanwhile keep a
consistent view and nothing needs a lock on the query path.
"""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .answer import Answerer
from .config import Settings
from .index import (BuildReport, Index, IndexOutdated, IndexUnusable, Progress, build_index, live_generation,
                    load_index)
from .ingest import IngestError
from .records import Answer, Document, Figure
from .retrieve import HybridRetriever


VERSIONS_DIR = ".versions"  # replaced reports, inside the corpus folder (hidden: never indexed)


class ReportExists(IngestError):
    """An added report has the name of one already in the corpus; `existing` lists their files."""

    def __init__(self, message: str, existing: list[str]):
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True)
class _Snapshot:
    index: Index
    retriever: HybridRetriever
    answerer: Answerer


class Engine:
    def __init__(self, settings: Settings, embedder=None):
        self.settings = settings
        self._embedder = embedder
        self._snapshot: _Snapshot | None = None
        self._update_lock = threading.Lock()

    # --- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings | None = None, build_if_missing: bool = True,
             progress: Progress | None = None, embedder=None) -> "Engine":
        """Load the index (building it first when missing and a corpus is there)."""
        engine = cls(settings or Settings(), embedder)
        if live_generation(engine.settings.index_dir) is None:
            if not build_if_missing:
                raise IndexUnusable(f"no index in {engine.settings.index_dir}; build one with: qa index")
            engine.update(progress)
            return engine
        try:
            engine._load()
        except IndexOutdated:
            if not build_if_missing:
                raise
            engine.update(progress)  # written by an older version: re-read (embeddings are cached)
        return engine

    @property
    def embedder(self):
        if self._embedder is None:
            from .embed import Embedder
            self._embedder = Embedder(self.settings.model)
        return self._embedder

    def _load(self) -> None:
        index = load_index(self.settings.index_dir, expected_model=self._expected_model())
        retriever = HybridRetriever(index, self.embedder, self.settings)
        self._snapshot = _Snapshot(index, retriever, Answerer(index, retriever, self.settings.default_place))

    def _expected_model(self) -> str:
        return self._embedder.name if self._embedder is not None else self.settings.model

    def update(self, progress: Progress | None = None, rebuild: bool = False,
               lock_timeout: float = 600, cancel: threading.Event | None = None) -> BuildReport:
        """Re-index what changed in the corpus folder and switch to the new index.
        Setting `cancel` stops the build (BuildCancelled); the index in use stays."""
        with self._update_lock:
            report = build_index(self.settings, self.embedder, rebuild=rebuild, progress=progress,
                                 lock_timeout=lock_timeout, cancel=cancel)
            # reload also when another process (qa index --watch, a second app) swapped it
            if report.swapped or self._snapshot is None or \
                    live_generation(self.settings.index_dir) != self._snapshot.index.path:
                self._load()
            return report

    def add_report(self, path: Path, progress: Progress | None = None, name: str | None = None,
                   replace: bool = False, cancel: threading.Event | None = None) -> BuildReport:
        """Validate a report, copy it into the corpus folder as `name` (default: its own file
        name) and update the index.

        The file is read (decoded, checked for Chinese text) before it is copied, so a bad file
        never reaches the corpus and never touches the index. A name the index would ignore
        (hidden, README, a sidecar, not UTF-8) is refused. A report of the same name (file name
        without suffix) already in the corpus is never replaced silently: ReportExists, unless
        `replace`, and then the old file is kept in the corpus's .versions/ folder. A build
        cancelled through `cancel` puts the corpus back as it was (BuildCancelled).
        """
        from .index import BuildCancelled
        from .formats import SUPPORTED_SUFFIXES
        from .ingest import SIDECAR_SUFFIX, IngestError, read_document

        path = Path(path)
        name = Path(name or path.name).name  # never a path: ../ stays in the corpus
        suffix = Path(name).suffix.lower()
        if name.startswith(".") or name.endswith(SIDECAR_SUFFIX) or Path(name).stem.lower() == "readme" \
                or suffix not in SUPPORTED_SUFFIXES:
            raise IngestError(f"{name}: this file name would not be indexed (hidden, README, a .meta.json "
                              f"sidecar or an unsupported type); rename the report and upload it again")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise IngestError(f"{name.encode('utf-8', 'backslashreplace').decode()}: the file name is not "
                              f"valid UTF-8; rename the report") from None
        read_document(path)  # raises IngestError with a clear message
        corpus = self.settings.corpus_dir
        corpus.mkdir(parents=True, exist_ok=True)
        target = corpus / name
        stem = target.stem
        same = [p for p in corpus.iterdir() if p.stem == stem and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith(".") and p.is_file()]
        identical = [p for p in same if p.name == name and p.read_bytes() == path.read_bytes()]
        if same and not identical and not replace:
            raise ReportExists(f"{name}: a report named {stem} is already in the corpus "
                               f"({', '.join(p.name for p in same)}); it was not replaced", [p.name for p in same])
        moved: list[tuple[Path, Path]] = []
        if same and not identical:
            versions = corpus / VERSIONS_DIR
            versions.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S")
            for old in same:  # kept, out of the index's sight (a hidden folder is never read)
                kept = versions / f"{old.stem}.{stamp}{old.suffix}"
                old.replace(kept)
                moved.append((old, kept))
        existed = target.exists()
        tmp = target.with_name(f".{target.name}.{time.monotonic_ns()}.part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        try:
            return self.update(progress, cancel=cancel)
        except BuildCancelled:
            if not existed or moved:
                target.unlink(missing_ok=True)
            for old, kept in moved:
                kept.replace(old)
            raise

    # --- queries ------------------------------------------------------------------------------

    @property
    def index(self) -> Index:
        if self._snapshot is None:
            self._load()
        return self._snapshot.index

    def ask(self, question: str, k: int | None = None, id=None, explain: bool = False, place: str = "") -> Answer:
        """Answer one question. Raises QuestionError for an unusable question.
        `explain`: the answer's trace also lists candidate rows and excluded rows.
        `place`: the place a question that names none is about (else the settings' default)."""
        if self._snapshot is None:
            self._load()
        snap = self._snapshot
        t0 = time.perf_counter()
        answer = snap.answerer.answer(question, k or self.settings.top_k, explain=explain, place=place)
        answer.id = id
        answer.elapsed_ms = (time.perf_counter() - t0) * 1000
        return answer

    def documents(self) -> list[dict]:
        """Indexed reports with their metadata and counts."""
        idx = self.index
        out = []
        for name, doc in idx.documents.items():
            info = idx.manifest["docs"].get(name, {})
            out.append({**doc.meta(), "chunks": info.get("chunks", 0), "figures": info.get("figures", 0),
                        "file": info.get("file", "")})
        return out

    def document(self, name: str) -> Document:
        return self.index.documents[name]

    def figures(self, doc: str | None = None) -> list[Figure]:
        return [f for f in self.index.figures if doc is None or f.doc == doc]
