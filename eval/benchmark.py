"""Performance benchmark of report-qa (not a test): how each cost grows with the corpus.

    python eval/benchmark.py [--quick] [--scaled N] [--out eval/results/benchmark.md]

For each corpus -- the project's corpus/, all of ../shared/corpus, and a scaled corpus of N
reports made by relabelling copies of the shared ones (distinct file names and titles, so no
embedding is reused) -- in a temporary folder, never touching the project's index:

  1. index build from scratch            `qa index` in a fresh process
  2. update, nothing changed             `qa index` again
  3. update after adding one report      a new relabelled copy, then `qa index`
  4. cold `qa ask`                       a fresh process: imports, model, index load, one answer
  5. warm query latency                  `qa ask --json --file` over >= 50 questions about the
                                         first report (the same on every corpus); p50/p95 of each
                                         record's elapsed_ms (model and index already loaded)

Every step runs as a child process; its peak memory is the child's own ru_maxrss. Results go
to Markdown (and JSON beside it). --quick uses a scaled corpus of 24 reports instead of 100.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
FIRST = "2023_county_finance_bureau_work_report"

# Runs `qa` in this process and records its own peak resident memory for the benchmark.
_WRAP = (
    "import json, os, resource, sys\n"
    "from qa.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "ru = resource.getrusage(resource.RUSAGE_SELF)\n"
    "open(os.environ['QA_BENCH_OUT'], 'w').write(json.dumps({'maxrss_kb': ru.ru_maxrss, 'rc': rc}))\n"
    "sys.exit(rc)\n"
)


def run_qa(args: list[str], workdir: Path, timeout: float = 3600) -> dict:
    """Run `qa <args>` in a fresh Python process: wall seconds, peak RSS (MB), stdout."""
    out = workdir / f".bench-{time.monotonic_ns()}.json"
    env = dict(os.environ, QA_BENCH_OUT=str(out), PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAP, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"qa {' '.join(args[:3])} failed ({proc.returncode}): {proc.stderr[-1500:]}")
    info = json.loads(out.read_text())
    out.unlink()
    return {"seconds": seconds, "peak_mb": info["maxrss_kb"] / 1024, "stdout": proc.stdout}


def relabelled_copies(sources: list[Path], n: int, dest: Path, start: int = 0) -> list[Path]:
    """n copies of the source reports into dest, each with its own file name and (by sidecar)
    its own title, so every chunk's embedded text is new. Returns the report paths."""
    from qa.ingest import read_document

    titles = {p: read_document(p).title or p.stem for p in sources}
    made = []
    for i in range(start, start + n):
        src = sources[i % len(sources)]
        target = dest / f"r{i:04d}_{src.stem}.txt"
        shutil.copyfile(src, target)
        side = target.with_name(target.stem + ".meta.json")
        side.write_text(json.dumps({"title": f"{titles[src]}（副本{i:04d}）"}, ensure_ascii=False), encoding="utf-8")
        made.append(target)
    return made


def question_file(dest: Path, docs: set[str] | None, n: int) -> Path:
    """At least n questions from the dev set (about `docs` when given), repeated if too few."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    pick = [r for r in rows if docs is None or r["doc"] in docs] or rows
    random.Random(7).shuffle(pick)
    while len(pick) < n:
        pick = pick + pick
    path = dest / "questions.jsonl"
    path.write_text("".join(json.dumps({"id": r["id"], "question": r["question"]}, ensure_ascii=False) + "\n"
                            for r in pick[: max(n, 50)]), encoding="utf-8")
    return path


def _percentile(xs: list[float], p: float) -> float:
    from qa.evaluation.metrics import percentile as metric_percentile  # one definition, the scorer's
    return metric_percentile(xs, p)


def _manifest(index: Path) -> dict:
    return json.loads((index / "CURRENT" / "manifest.json").read_text(encoding="utf-8"))


def _du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def bench_corpus(label: str, reports: list[Path], extra: Path, workdir: Path, n_questions: int,
                 sidecars: bool = False) -> dict:
    """All five measurements on one corpus (copied into workdir/corpus)."""
    corpus, index = workdir / "corpus", workdir / "index"
    corpus.mkdir(parents=True)
    for p in reports:
        shutil.copyfile(p, corpus / p.name)
        side = p.with_name(p.stem + ".meta.json")
        if sidecars and side.is_file():
            shutil.copyfile(side, corpus / side.name)
    chars = sum(len(p.read_text(encoding="utf-8-sig")) for p in reports)
    res: dict = {"label": label, "reports": len(reports), "chars": chars}
    print(f"[{label}] {len(reports)} reports, {chars} chars: building", file=sys.stderr, flush=True)

    build = run_qa(["index", "--corpus", str(corpus), "--index", str(index)], workdir)
    man = _manifest(index)
    res.update(chunks=man["counts"]["chunks"], figures=man["counts"]["figures"],
               build_s=build["seconds"], build_peak_mb=build["peak_mb"],
               index_mb=_du_mb(index / "CURRENT"))
    res["noop_s"] = run_qa(["index", "--corpus", str(corpus), "--index", str(index)], workdir)["seconds"]
    shutil.copyfile(extra, corpus / extra.name)
    side = extra.with_name(extra.stem + ".meta.json")
    if side.is_file():
        shutil.copyfile(side, corpus / side.name)
    add = run_qa(["index", "--corpus", str(corpus), "--index", str(index)], workdir)
    res.update(add_one_s=add["seconds"], add_one_peak_mb=add["peak_mb"])

    print(f"[{label}] querying", file=sys.stderr, flush=True)
    cold = run_qa(["ask", "--json", "--index", str(index), "2023年1-9月教育支出是多少"], workdir)
    res.update(cold_ask_s=cold["seconds"], cold_ask_peak_mb=cold["peak_mb"])
    # the same questions on every corpus (about the first report, which every corpus holds),
    # so the latencies differ by corpus size only
    qfile = question_file(workdir, {FIRST}, n_questions)
    warm = run_qa(["ask", "--json", "--index", str(index), "--file", str(qfile)], workdir)
    ms = [json.loads(line)["elapsed_ms"] for line in warm["stdout"].splitlines() if line.strip()]
    res.update(warm_n=len(ms), warm_p50_ms=_percentile(ms, 50), warm_p95_ms=_percentile(ms, 95),
               warm_mean_ms=statistics.fmean(ms), warm_process_s=warm["seconds"], serve_peak_mb=warm["peak_mb"])
    print(f"[{label}] done: build {res['build_s']:.1f}s, p50 {res['warm_p50_ms']:.0f} ms", file=sys.stderr)
    return res


ROWS = (
    ("reports", "reports", "{:d}"), ("chars", "characters", "{:,d}"), ("chunks", "chunks", "{:,d}"),
    ("figures", "figures extracted", "{:,d}"), ("index_mb", "index on disk (MB)", "{:.1f}"),
    ("build_s", "index build from scratch (s)", "{:.1f}"), ("build_peak_mb", "  peak memory (MB)", "{:.0f}"),
    ("noop_s", "update, nothing changed (s)", "{:.1f}"),
    ("add_one_s", "update after adding one report (s)", "{:.1f}"), ("add_one_peak_mb", "  peak memory (MB)", "{:.0f}"),
    ("cold_ask_s", "cold `qa ask` (s)", "{:.1f}"), ("cold_ask_peak_mb", "  peak memory (MB)", "{:.0f}"),
    ("warm_n", "warm queries", "{:d}"), ("warm_p50_ms", "warm latency p50 (ms)", "{:.0f}"),
    ("warm_p95_ms", "warm latency p95 (ms)", "{:.0f}"), ("serve_peak_mb", "  peak memory of the query process (MB)",
                                                         "{:.0f}"),
)


def git_commit() -> str | None:
    """This checkout's commit, +dirty when tracked files have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except OSError:
        return None


def to_markdown(results: list[dict], meta: dict) -> str:
    lines = ["# Performance benchmark", "",
             f"- date: {meta['date']}; machine: {meta['machine']}; load average (1/5/15 min) before "
             f"{meta['load_before']}, after {meta['load_after']} (other work on the machine inflates times)",
             f"- command: `{meta['command']}`; total {meta['seconds']:.0f} s; commit {meta.get('commit')}",
             "- every step is a fresh `qa` process; peak memory is that process's own ru_maxrss;",
             "  warm latency is each answer's `elapsed_ms` inside one `qa ask --file` process.",
             "- scaled corpus: copies of the shared reports under new names and titles (nothing is reused",
             "  from an embedding cache).", "",
             "| | " + " | ".join(r["label"] for r in results) + " |", "|---|" + "---:|" * len(results)]
    for key, label, f in ROWS:
        cells = []
        for r in results:
            v = r.get(key)
            cells.append("–" if v is None else f.format(v))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if len(results) > 1:
        lines += ["", "## Growth", "",
                  "| | " + " | ".join(r["label"] for r in results) + " |", "|---|" + "---:|" * len(results)]
        for key, label in (("build_s", "build seconds per 1,000 chunks"),):
            lines.append(f"| {label} | " + " | ".join(
                f"{1000 * r[key] / r['chunks']:.1f}" if r.get("chunks") else "–" for r in results) + " |")
        base = results[0]
        for key, label in (("warm_p50_ms", "warm p50 relative to the first corpus"),
                           ("serve_peak_mb", "query-process memory relative to the first corpus")):
            lines.append(f"| {label} | " + " | ".join(f"{r[key] / base[key]:.2f}×" for r in results) + " |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a scaled corpus of 24 reports instead of 100")
    ap.add_argument("--scaled", type=int, help="reports in the scaled corpus (default 100, --quick 24)")
    ap.add_argument("--questions", type=int, default=60, help="warm queries per corpus (>= 50)")
    ap.add_argument("--out", default=str(ROOT / "eval" / "results" / "benchmark.md"))
    ap.add_argument("--only", choices=("project", "shared", "scaled"), action="append",
                    help="run only these corpora (repeatable)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    scaled_n = args.scaled or (24 if args.quick else 100)
    wanted = set(args.only or ("project", "shared", "scaled"))
    shared = sorted(SHARED.glob("*.txt")) if SHARED.is_dir() else []
    if not shared and wanted - {"project"}:
        print(f"note: {SHARED} is absent; only the project corpus is measured", file=sys.stderr)
        wanted = {"project"}
    t0 = time.perf_counter()
    load_before = [round(x, 2) for x in os.getloadavg()]
    results = []
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        tmp = Path(tmp)
        others = [p for p in shared if p.stem != FIRST]
        if "project" in wanted:
            extra_dir = tmp / "extra-project"
            extra_dir.mkdir()
            extra = relabelled_copies(others or sorted((ROOT / "corpus").glob("*.txt")), 1, extra_dir, start=9000)[0]
            project = sorted((ROOT / "corpus").glob("*.txt"))
            results.append(bench_corpus(f"corpus/ ({len(project)})", project, extra, tmp / "project",
                                        args.questions))
        if "shared" in wanted:
            extra_dir = tmp / "extra-shared"
            extra_dir.mkdir()
            extra = relabelled_copies(shared, 1, extra_dir, start=9001)[0]
            results.append(bench_corpus(f"shared ({len(shared)})", shared, extra, tmp / "shared", args.questions))
        if "scaled" in wanted:
            src = tmp / "scaled-src"
            src.mkdir()
            copies = relabelled_copies(shared, scaled_n + 1, src)
            results.append(bench_corpus(f"scaled ({scaled_n})", copies[:-1], copies[-1], tmp / "scaled",
                                        args.questions, sidecars=True))
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "commit": git_commit(),
            "command": "python eval/benchmark.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "seconds": round(time.perf_counter() - t0, 1),
            "load_before": load_before, "load_after": [round(x, 2) for x in os.getloadavg()]}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_markdown(results, meta), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False,
                                                   indent=1) + "\n", encoding="utf-8")
    print(to_markdown(results, meta))
    print(f"wrote {out} in {meta['seconds']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
