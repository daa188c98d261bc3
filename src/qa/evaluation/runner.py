"""`qa eval SET.jsonl [--corpus DIR] [--index DIR] [--json FILE] [--md FILE] [--baselines] [-k N]`.

Runs every question through the engine (the same call as `qa ask`), optionally through the
baselines, scores all of them the same way and writes JSON / Markdown; the side-by-side table
goes to stdout, progress bars to stderr.

With --corpus and no --index the index lives in a folder derived from the corpus path
(<default index>/eval-<hash>), so evaluating another corpus never replaces the main index.
"""
from __future__ import annotations

import hashlib
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from .baselines import (Bm25Baseline, DenseBaseline, LlamaIndexBaseline, QaSystem, SharedQueryEmbedder,
                        System)
from .dataset import Question, QuestionSetError, load_question_set, locate_evidence, validate_set
from .evaluators import Case, score_cases
from .report import build_results, side_by_side, system_results, to_markdown, write_json

EXIT_INPUT = 3


def eval_index_dir(corpus: str | Path, base: Path | None = None) -> Path:
    """The index folder used for evaluating `corpus` when no --index is given."""
    from ..config import Settings

    base = base or Settings().index_dir
    digest = hashlib.sha1(str(Path(corpus).expanduser().resolve()).encode()).hexdigest()[:10]
    return base / f"eval-{digest}"


def settings_for(corpus: str | None, index: str | None, model: str | None):
    from ..config import Settings

    if corpus and not index:
        index = str(eval_index_dir(corpus))
    return Settings.from_args(corpus=corpus, index=index, model=model)


def _bar(desc: str) -> Callable[[str, float], None]:
    """A progress callback drawing a tqdm bar on stderr, created on the first call (an index
    that is only loaded never reports progress, and should leave no empty bar behind)."""
    from tqdm import tqdm

    state: dict[str, Any] = {}

    def progress(message: str, fraction: float) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(total=100, file=sys.stderr, desc=desc, leave=False,
                                      bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")
        bar.n = int(max(0.0, min(1.0, fraction)) * 100)
        bar.set_postfix_str(message[:50], refresh=True)
        if fraction >= 1.0:
            bar.close()

    return progress


def _say(message: str, fraction: float) -> None:
    print(f"qa eval: {message}", file=sys.stderr, flush=True)


def run_system(system: System, questions: Sequence[Question], groups: dict[str, list], show_progress: bool = True
               ) -> list[Case]:
    """Ask every question; a system failure on one question becomes an 'error' record."""
    from tqdm import tqdm

    cases = []
    for q in tqdm(questions, desc=f"eval {system.name}", unit="q", file=sys.stderr, disable=not show_progress):
        t0 = time.perf_counter()
        try:
            record = system.answer(q.question, id=q.id)
        except Exception as e:  # one bad question must not lose the whole run
            if os.environ.get("QA_DEBUG"):
                raise
            record = {"id": q.id, "question": q.question, "status": "error", "kind": "none",
                      "answer": f"{type(e).__name__}: {e}", "citations": []}
        seconds = time.perf_counter() - t0 + system.charged_seconds()
        cases.append(Case(q, record, groups[q.id], seconds))
    return cases


def evaluate(questions: Sequence[Question], engine, k: int = 5, baselines: bool = False,
             show_progress: bool = True, progress: Callable[[str, float], None] | None = None
             ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Score the engine (and the baselines) on the valid questions of a set.

    Returns (systems, info): systems maps name -> system_results(...) (overall, by_type,
    failures, questions); info holds the invalid questions and setup times.
    """
    from ..retrieve import HybridRetriever

    index = engine.index
    texts = {name: d.text for name, d in index.documents.items()}
    invalid = validate_set(list(questions), texts)
    valid = [q for q in questions if q.id not in invalid]
    groups = {q.id: locate_evidence(q, texts[q.doc]) for q in valid}

    systems: list[System] = [QaSystem(engine, k)]
    if baselines:
        shared = SharedQueryEmbedder(engine.embedder)
        retriever = HybridRetriever(index, shared, engine.settings)
        systems += [Bm25Baseline(index, retriever, k), DenseBaseline(index, retriever, k),
                    LlamaIndexBaseline(index.documents, shared, k,
                                       cache_dir=engine.settings.index_dir / "eval-cache")]
    out: dict[str, dict[str, Any]] = {}
    setup: dict[str, float] = {}
    for system in systems:
        t0 = time.perf_counter()
        system.prepare(progress)
        setup[system.name] = round(time.perf_counter() - t0, 2)
        cases = run_system(system, valid, groups, show_progress)
        out[system.name] = system_results(cases, score_cases(cases), system.description)
    extra = {s.name: {"nodes": s.nodes, "unlocated_nodes": s.unlocated}
             for s in systems if isinstance(s, LlamaIndexBaseline)}
    return out, {"invalid": invalid, "scored": len(valid), "setup_seconds_by_system": setup, "baseline_info": extra}


def _commit() -> str | None:
    """The project's git commit (with +dirty for uncommitted changes to tracked files), if any."""
    import subprocess

    from ..config import PROJECT_ROOT

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _shown(path: Path) -> str:
    """A path as given, or relative to the working folder when inside it (results get committed)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve())) if p.is_absolute() else str(p)
    except ValueError:
        return str(p)


def main(args) -> int:
    """Entry point of `qa eval`; `args` carries set, corpus, index, model, json_out, md, baselines, k."""
    from ..engine import Engine

    t_start = time.perf_counter()
    try:
        questions = load_question_set(args.set)
    except QuestionSetError as e:
        print(f"qa eval: {e}", file=sys.stderr)
        return EXIT_INPUT
    corpus, index_arg = getattr(args, "corpus", None), getattr(args, "index", None)
    settings = settings_for(corpus, index_arg, getattr(args, "model", None))
    k = getattr(args, "k", None) or settings.top_k
    if k < 5:
        print(f"qa eval: note: -k {k} < 5, so evidence recall@5 can only count {k} citations", file=sys.stderr)
    engine = Engine.open(settings, build_if_missing=True, progress=_bar("index"))
    if corpus:
        # an existing eval index may be older than the corpus; an up-to-date one costs a hash check
        engine.update(_bar("index"))
    setup = time.perf_counter() - t_start

    systems, info = evaluate(questions, engine, k=k, baselines=bool(getattr(args, "baselines", False)),
                             progress=_say)
    if not info["scored"]:
        print("qa eval: no valid question to score:", file=sys.stderr)
        for qid, problems in list(info["invalid"].items())[:10]:
            print(f"  {qid}: {'; '.join(problems)}", file=sys.stderr)
        return EXIT_INPUT
    meta = {
        "set": str(args.set), "questions": len(questions), "scored": info["scored"], "invalid": info["invalid"],
        "corpus": _shown(settings.corpus_dir), "index": _shown(settings.index_dir), "model": engine.index.model,
        "documents": len(engine.index.documents), "chunks": len(engine.index.chunks), "k": k,
        "date": time.strftime("%Y-%m-%d %H:%M"), "commit": _commit(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "setup_seconds": round(setup, 1), "setup_seconds_by_system": info["setup_seconds_by_system"],
        "baseline_info": info["baseline_info"],
    }
    meta["seconds"] = round(time.perf_counter() - t_start, 1)
    results = build_results(meta, systems)
    if getattr(args, "json_out", None):
        write_json(results, args.json_out)
    if getattr(args, "md", None):
        p = Path(args.md)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(to_markdown(results), encoding="utf-8")
    for qid, problems in info["invalid"].items():
        print(f"qa eval: skipped invalid question {qid}: {'; '.join(problems)}", file=sys.stderr)
    print(f"{info['scored']} questions scored in {meta['seconds']:.0f} s "
          f"({meta['documents']} reports, {meta['chunks']} chunks, k={k})")
    print(side_by_side(results))
    for name, res in systems.items():
        errors = [f for f in res["failures"] if f["got"].get("status") == "error"]
        if errors:
            print(f"qa eval: {name} failed with an error on {len(errors)} question(s), e.g. "
                  f"{errors[0]['id']}: {errors[0]['got'].get('answer')}", file=sys.stderr)
    main_fail = len(systems["qa"]["failures"])
    print(f"{main_fail} failures of qa" + (f" (see {args.md})" if getattr(args, "md", None) else ""))
    return 0
