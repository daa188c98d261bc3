"""Load test of report-qa (a script, not a test): many concurrent askers for a fixed time.

    python eval/load.py [--clients 20] [--seconds 60] [--target both|engine|app] [--mode both|repeated|varied]
                        [--login] [--out eval/results/load.md]

The project's corpus/ (the first report) is copied into a temporary folder and indexed there; the
project's own index is never touched. Then, for each target in turn:

  engine  `--clients` threads in this process, each calling `Engine.ask` on one shared engine
  app     `python app.py` on a free 127.0.0.1 port (same index), one `gradio_client.Client` per
          asker calling `/ask_record`; nothing leaves the loopback interface

Every asker loops over a pool of questions (each asker starting at a different place) until
`--seconds` have passed, then finishes the request it has in flight. Two pools, each run for
`--seconds` on each target:

  repeated  the 16 questions below (figure and descriptive, about the first report): after the
            first round every query embedding comes from the retriever's cache, as when staff
            ask the same things again; each answer is compared with a sequential reference run
            (a concurrency bug would show as a differing answer)
  varied    the same questions with polite openings and closings (3,072 distinct strings, more
            than the query-embedding cache holds, asked in a fixed shuffled cycle), so nearly
            every question is embedded afresh; repeats of a string are compared with its first
            answer

With --login the app is started with a login (QA_APP_AUTH) and every client logs in first, as on
a shared machine (issue 14: required whenever the app listens beyond loopback).

Reported per target and pool: requests, errors, throughput, client-side latency p50/p95/max,
the engine's own `elapsed_ms`, differing answers. Markdown goes to --out.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# About the first report (corpus/2023_county_finance_bureau_work_report.txt), worded as its staff would.
FIGURE_QUESTIONS = [
    "2023年1-9月一般公共预算收入是多少？",
    "税收收入完成了多少？",
    "非税收入同比下降了多少？",
    "一般公共预算支出同比增长多少？",
    "2023年1-9月教育支出是多少？",
    "社会保障和就业支出是多少？",
    "卫生健康支出同比增长多少？",
    "新增专项债券资金有多少？",
    "农业农村支出是多少？",
    "政府采购预算金额是多少？",
]
DESCRIPTIVE_QUESTIONS = [
    "如何细化预算管理？",
    "怎样落实过紧日子的要求？",
    "预算公开工作是怎么做的？",
    "如何防范化解债务风险？",
    "如何加强财政监督？",
    "下一步财政工作有哪些打算？",
]
# Openings and closings staff put around a question: same meaning, different text to embed.
OPENINGS = ["", "请问", "请问一下，", "你好，", "您好，请问", "我想了解", "我想知道", "麻烦查一下", "帮我查查",
            "领导想知道", "打听一下，", "问一下，", "想请教：", "咨询一下，", "劳驾问下，", "方便说一下"]
CLOSINGS = ["", "谢谢", "谢谢！", "麻烦了", "急用", "在线等", "多谢", "辛苦了", "请回答", "请帮忙", "感谢", "劳驾"]


def question_pool(mode: str) -> list[tuple[str, str]]:
    """(question, 'figure' | 'descriptive') in asking order."""
    base = [(q, "figure") for q in FIGURE_QUESTIONS] + [(q, "descriptive") for q in DESCRIPTIVE_QUESTIONS]
    if mode == "repeated":
        return base
    pool = [(o + q + c, kind) for q, kind in base for o in OPENINGS for c in CLOSINGS]
    random.Random(0).shuffle(pool)
    return pool

APP_START_TIMEOUT = 600  # seconds; the index is already built, so this is model + index load
REQUEST_TIMEOUT = 120  # seconds for one answer, queueing included


@dataclass
class Sample:
    question: str
    kind: str  # figure | descriptive
    seconds: float  # client-side latency
    error: str | None = None
    key: tuple | None = None  # what the answer says (for the consistency check)
    status: str | None = None
    server_ms: float | None = None  # the engine's own elapsed_ms


def answer_key(record: dict) -> tuple:
    """The parts of an answer record that must not depend on load: text, value, citations."""
    cites = tuple((c["doc"], c["start"], c["end"]) for c in record.get("citations") or [])
    return (record.get("status"), record.get("kind"), record.get("answer"), record.get("value"),
            record.get("unit"), cites)


class Reference:
    """Expected answer key per question: given up front, or the first one seen."""

    def __init__(self, given: dict[str, tuple] | None = None):
        self.keys = dict(given or {})
        self._lock = threading.Lock()

    def differs(self, question: str, key: tuple) -> bool:
        with self._lock:
            return self.keys.setdefault(question, key) != key


def run_askers(ask: Callable[[int, str], dict], pool: list[tuple[str, str]], clients: int,
               seconds: float) -> tuple[list[Sample], float, int]:
    """`clients` threads call ask(asker, question) over `pool` until `seconds` pass.

    -> (samples, wall seconds from the common start to the last answer, askers still stuck).
    """
    samples: list[Sample] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    t0 = [0.0]

    def asker(i: int) -> None:
        start.wait()
        deadline = t0[0] + seconds
        n = i * len(pool) // clients
        mine = []
        while time.monotonic() < deadline:
            q, kind = pool[n % len(pool)]
            n += 1
            t = time.monotonic()
            try:
                rec = ask(i, q)
                mine.append(Sample(q, kind, time.monotonic() - t, key=answer_key(rec), status=rec.get("status"),
                                   server_ms=rec.get("elapsed_ms")))
            except Exception as e:  # counted, never fatal: the point is to see them
                mine.append(Sample(q, kind, time.monotonic() - t, error=f"{type(e).__name__}: {str(e)[:200]}"))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=asker, args=(i,), daemon=True, name=f"asker-{i}") for i in range(clients)]
    for t in threads:
        t.start()
    t0[0] = time.monotonic()
    start.wait()
    give_up = t0[0] + seconds + REQUEST_TIMEOUT + 30
    for t in threads:
        t.join(max(0.0, give_up - time.monotonic()))
    wall = time.monotonic() - t0[0]
    return samples, wall, sum(t.is_alive() for t in threads)


def percentile(xs: list[float], p: float) -> float:
    from qa.evaluation.metrics import percentile as metric_percentile  # one definition, the scorer's
    return metric_percentile(xs, p)


def summarise(name: str, pool: list, samples: list[Sample], wall: float, stuck: int,
              reference: Reference) -> dict:
    ok = [s for s in samples if s.error is None]
    ms = [s.seconds * 1000 for s in ok]
    server = [s.server_ms for s in ok if s.server_ms is not None]
    by_kind = {k: [s.seconds * 1000 for s in ok if s.kind == k] for k in ("figure", "descriptive")}
    given = set(reference.keys)
    checked = [s for s in ok if s.question in given]  # before this run: what a new key would be compared with
    seen: set[str] = set()
    for s in ok:  # first-seen references: only repeats are comparisons
        if s.question not in given:
            if s.question in seen:
                checked.append(s)
            seen.add(s.question)
    differing = Counter(s.question for s in ok if reference.differs(s.question, s.key))
    return {
        "target": name, "pool": len(pool), "checked": len(checked), "requests": len(samples), "errors": len(samples) - len(ok), "stuck": stuck,
        "error_kinds": Counter(s.error.split(":")[0] for s in samples if s.error),
        "error_example": next((s.error for s in samples if s.error), None),
        "answered": sum(s.status == "answered" for s in ok), "abstained": sum(s.status == "abstained" for s in ok),
        "differing": sum(differing.values()), "differing_questions": dict(differing),
        "wall_s": wall, "throughput": len(ok) / wall if wall else 0.0,
        "p50_ms": percentile(ms, 50) if ms else None, "p95_ms": percentile(ms, 95) if ms else None,
        "max_ms": max(ms) if ms else None, "mean_ms": sum(ms) / len(ms) if ms else None,
        "figure_p50_ms": percentile(by_kind["figure"], 50) if by_kind["figure"] else None,
        "descriptive_p50_ms": percentile(by_kind["descriptive"], 50) if by_kind["descriptive"] else None,
        "server_p50_ms": percentile(server, 50) if server else None,
        "server_p95_ms": percentile(server, 95) if server else None,
    }


# --- targets ----------------------------------------------------------------------------------

def engine_record(engine, question: str) -> dict:
    return engine.ask(question).to_dict()


def _references(mode: str, reference: dict) -> Reference:
    return Reference(reference if mode == "repeated" else None)


def load_engine(engine, clients: int, seconds: float, modes: list[str], reference: dict) -> list[dict]:
    out = []
    for mode in modes:
        pool = question_pool(mode)
        print(f"[engine, {mode}] {clients} threads for {seconds:g}s", file=sys.stderr, flush=True)
        samples, wall, stuck = run_askers(lambda i, q: engine_record(engine, q), pool, clients, seconds)
        out.append(summarise(f"engine, {mode}", pool, samples, wall, stuck, _references(mode, reference)))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_app(work: Path, clients: int, seconds: float, modes: list[str], reference: dict,
             login: bool = False) -> list[dict]:
    from gradio_client import Client

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = work / "app.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH"))
                                                        if p), "PYTHONUNBUFFERED": "1"}
    env.pop("QA_APP_AUTH", None)
    auth = None
    if login:  # every asker logs in through Gradio's login, as users of a shared app would
        auth = ("load", f"pw-{random.randrange(10**9)}")
        env["QA_APP_AUTH"] = ":".join(auth)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
                                 "--index", str(work / "index"), "--corpus", str(work / "corpus")],
                                cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        print(f"[app] starting on {url}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + APP_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + ("config" if login else ""), timeout=2) as r:
                    if r.status == 200:
                        break
            except urllib.error.HTTPError:  # with a login the page answers 401 until one logs in
                if login:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app.py did not answer within {APP_START_TIMEOUT}s: {log_path.read_text()[-2000:]}")
            time.sleep(1)
        # one client (session) per asker, connected and warmed before the clock starts
        pool = [Client(url, verbose=False, analytics_enabled=False, download_files=False, auth=auth)
                for _ in range(clients)]
        for c in pool[:1]:
            c.predict(FIGURE_QUESTIONS[0], api_name="/ask_record")

        def ask(i: int, q: str) -> dict:
            rec = pool[i].submit(q, api_name="/ask_record").result(timeout=REQUEST_TIMEOUT)
            if not isinstance(rec, dict) or "status" not in rec:
                raise ValueError(f"not an answer record: {str(rec)[:100]}")
            return rec

        out = []
        for mode in modes:
            questions = question_pool(mode)
            print(f"[app, {mode}] {clients} clients for {seconds:g}s", file=sys.stderr, flush=True)
            samples, wall, stuck = run_askers(ask, questions, clients, seconds)
            out.append(summarise(f"app API, {mode}", questions, samples, wall, stuck,
                                 _references(mode, reference)))
        for c in pool:
            try:
                c.close()
            except Exception:
                pass
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- report -----------------------------------------------------------------------------------

def git_commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "") if head.returncode == 0 else None
    except OSError:
        return None


ROWS = (
    ("pool", "distinct questions in the pool", "{:d}"),
    ("requests", "requests completed", "{:d}"), ("errors", "errors", "{:d}"),
    ("stuck", "askers stuck at the end", "{:d}"),
    ("checked", "answers compared with an earlier one", "{:d}"),
    ("differing", "  differing", "{:d}"),
    ("answered", "  answered", "{:d}"), ("abstained", "  abstained", "{:d}"),
    ("throughput", "throughput (answers/s)", "{:.1f}"),
    ("p50_ms", "latency p50 (ms)", "{:.0f}"), ("p95_ms", "latency p95 (ms)", "{:.0f}"),
    ("max_ms", "latency max (ms)", "{:.0f}"), ("mean_ms", "latency mean (ms)", "{:.0f}"),
    ("figure_p50_ms", "  figure questions p50 (ms)", "{:.0f}"),
    ("descriptive_p50_ms", "  descriptive questions p50 (ms)", "{:.0f}"),
    ("server_p50_ms", "engine's own elapsed_ms p50", "{:.0f}"), ("server_p95_ms", "engine's own elapsed_ms p95", "{:.0f}"),
    ("wall_s", "wall time incl. last requests (s)", "{:.1f}"),
)


def to_markdown(results: list[dict], meta: dict) -> str:
    lines = ["# Load test: concurrent askers", "",
             f"- date: {meta['date']}; machine: {meta['machine']}; load average (1/5/15 min) before "
             f"{meta['load_before']}, after {meta['load_after']} (other work on the machine inflates times)",
             f"- command: `{meta['command']}`; commit {meta['commit']}; total {meta['seconds']:.0f} s",
             f"- {meta['clients']} askers for {meta['seconds_per_target']:g} s per target and pool, one after another (each asks, "
             "waits for the answer, asks the next); questions: "
             f"{len(FIGURE_QUESTIONS)} figure + {len(DESCRIPTIVE_QUESTIONS)} descriptive about the first report, "
             "index of corpus/ only.",
             "- pools: *repeated* = those 16 questions (query embeddings cached after the first round; answers "
             "compared with a sequential run); *varied* = 3,072 wordings of them with polite openings/closings, "
             "more than the query-embedding cache holds (nearly every question embedded afresh; repeats compared "
             "with the first answer).",
             "- latency is measured by the asker (for the app: HTTP + Gradio queue + answer; the app runs "
             "answers at most CHAT_CONCURRENCY at a time, so the rest wait in its queue); "
             "elapsed_ms is the engine's own time per answer.",
             f"- the app and the {meta['clients']} gradio clients share the machine's cores"
             + ("; the app requires a login (QA_APP_AUTH) and every client logs in." if meta.get("login") else "."), "",
             "| | " + " | ".join(r["target"] for r in results) + " |", "|---|" + "---:|" * len(results)]
    for key, label, fmt in ROWS:
        lines.append(f"| {label} | " + " | ".join("–" if r.get(key) is None else fmt.format(r[key])
                                                   for r in results) + " |")
    for r in results:
        if r["errors"]:
            lines += ["", f"Errors ({r['target']}): {dict(r['error_kinds'])}; e.g. `{r['error_example']}`"]
        if r["differing"]:
            lines += ["", f"Differing answers ({r['target']}): {r['differing_questions']}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60.0, help="duration per target")
    p.add_argument("--target", choices=["both", "engine", "app"], default="both")
    p.add_argument("--mode", choices=["both", "repeated", "varied"], default="both", help="question pool(s)")
    p.add_argument("--out", default=str(ROOT / "eval" / "results" / "load.md"))
    p.add_argument("--login", action="store_true", help="start the app with a login (QA_APP_AUTH) and log every asker in")
    args = p.parse_args(argv)
    if args.clients < 1 or not 0 < args.seconds <= 3600:
        p.error("--clients must be >= 1 and --seconds in (0, 3600]")

    from qa.config import Settings
    from qa.engine import Engine

    t_start = time.perf_counter()
    load_before = tuple(round(x, 2) for x in os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="qa-load-"))
    results = []
    try:
        (work / "corpus").mkdir()
        for f in sorted((ROOT / "corpus").glob("*.txt")):
            shutil.copyfile(f, work / "corpus" / f.name)
        print(f"indexing {work / 'corpus'}", file=sys.stderr, flush=True)
        engine = Engine.open(Settings.from_args(corpus=work / "corpus", index=work / "index"))
        # the reference answers, one at a time (also loads the model and warms caches)
        reference = {q: answer_key(engine_record(engine, q)) for q, _ in question_pool("repeated")}
        modes = ["repeated", "varied"] if args.mode == "both" else [args.mode]
        if args.target in ("both", "engine"):
            results += load_engine(engine, args.clients, args.seconds, modes, reference)
        if args.target in ("both", "app"):
            results += load_app(work, args.clients, args.seconds, modes, reference, login=args.login)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "commit": git_commit(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "load_before": load_before, "load_after": tuple(round(x, 2) for x in os.getloadavg()),
            "command": "python eval/load.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "clients": args.clients, "seconds_per_target": args.seconds, "seconds": time.perf_counter() - t_start,
            "login": args.login}
    md = to_markdown(results, meta)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md, encoding="utf-8")
    print(md)
    bad = sum(r["errors"] + r["stuck"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
