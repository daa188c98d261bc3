"""Pool several `qa eval --json` results into one per-type table (first-contact reporting).

    python eval/pool.py eval/results/blind1.json eval/results/blind2.json
    python eval/pool.py --label before A1.json A2.json --label after B1.json B2.json

Each `--label` starts a column; the files after it are pooled (questions added up, not averaged).
Rows: answer correct per question type, then unanswerable questions abstained on, answerable questions
abstained on, answers from the question's own report (first citation) and figure answers citing
another report.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

TYPES = ("lookup", "change", "compare", "superlative", "arithmetic", "english", "descriptive", "unanswerable")


def pooled(files: list[Path], system: str = "qa") -> dict[str, tuple[int, int]]:
    """name -> (hits, n) over the questions of every file."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in files:
        rows = json.loads(path.read_text(encoding="utf-8"))["systems"][system]["questions"]
        for r in rows:
            out[r["type"]][0] += bool(r.get("correct"))
            out[r["type"]][1] += 1
            out["all"][0] += bool(r.get("correct"))
            out["all"][1] += 1
            if r.get("answerable"):
                out["abstained on answerable"][0] += bool(r.get("abstained"))
                out["abstained on answerable"][1] += 1
            if r.get("routed") is not None:
                out["own report cited first"][0] += bool(r["routed"])
                out["own report cited first"][1] += 1
            if r.get("foreign") is not None:
                out["figure answers citing another report"][0] += bool(r["foreign"])
                out["figure answers citing another report"][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def table(columns: list[tuple[str, list[Path]]]) -> str:
    results = [(label, pooled(files)) for label, files in columns]
    names = [t for t in TYPES if any(t in r for _, r in results)]
    names += ["all", "abstained on answerable", "own report cited first", "figure answers citing another report"]
    lines = ["| | " + " | ".join(label for label, _ in results) + " |",
             "|---|" + "---:|" * len(results)]
    for name in names:
        cells = []
        for _, r in results:
            hits, n = r.get(name, (0, 0))
            cells.append(f"{100 * hits / n:.1f} % ({hits}/{n})" if n else "–")
        label = "unanswerable abstained" if name == "unanswerable" else name
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    tokens = list(sys.argv[1:] if argv is None else argv)
    if not tokens or tokens[0] in ("-h", "--help"):
        print(__doc__)
        return
    columns: list[tuple[str, list[Path]]] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "--label" and i + 1 < len(tokens):
            columns.append((tokens[i + 1], []))
            i += 2
            continue
        if not columns:
            columns.append(("qa", []))
        columns[-1][1].append(Path(tokens[i]))
        i += 1
    print(table(columns))


if __name__ == "__main__":
    main()
