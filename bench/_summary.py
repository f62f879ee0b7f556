"""The summary of one `make bench` run: printed, and written at the top of docs/benchmarks.md.

scripts/bench.sh calls this once every benchmark has run (or been stopped by the time
budget). It reads two files the run left behind: the status of each benchmark (one
`name status seconds` line each) and the rows the benchmarks reported through
`bench._common.summarize` (JSON lines). A benchmark that reported no row still shows
with its status and time, so a failure or a timeout is never silent.

    python bench/_summary.py --status FILE --rows FILE --size full --elapsed 612 --budget 900
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, table, write_header


def load_rows(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def load_status(path: Path) -> list[tuple[str, str, int]]:
    statuses = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        name, status, seconds = line.split()
        statuses.append((name, status, int(seconds)))
    return statuses


def verdict(met: object) -> str:
    return {True: "met", False: "**not met**"}.get(met, "")  # type: ignore[call-overload]


def build(args: argparse.Namespace) -> tuple[str, bool]:
    rows = load_rows(Path(args.rows))
    statuses = load_status(Path(args.status))
    lines = []
    for name, status, seconds in statuses:
        figures = [r for r in rows if r.get("bench") == name and "metric" in r]
        sections = [str(r["section"]) for r in rows if r.get("bench") == name and "section" in r]
        where = ", ".join(f"[{s}](#{anchor(s)})" for s in dict.fromkeys(sections)) or "—"
        head = f"`{name}` {status}, {seconds} s"
        if not figures:
            lines.append([head, "—", "", "", "", "", where])
        for i, r in enumerate(figures):
            lines.append(
                [
                    head if i == 0 else "",
                    str(r["metric"]),
                    str(r["value"]),
                    str(r.get("ratio") or ""),
                    str(r.get("target") or ""),
                    verdict(r.get("met")),
                    where if i == 0 else "",
                ]
            )
    failed = [name for name, status, _ in statuses if status != "ok"]
    missed = [str(r["metric"]) for r in rows if r.get("met") is False]
    over = args.elapsed > args.budget
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdicts = []
    if failed:
        verdicts.append(f"benchmarks that did not finish: {', '.join(failed)}")
    if missed:
        verdicts.append(f"targets missed: {'; '.join(missed)}")
    if over:
        verdicts.append("over the time budget")
    body = (
        f"Last `make bench{' SIZE=small' if args.size == 'small' else ''}` run: {stamp}, "
        f"on {machine()}; size `{args.size}`; {args.elapsed} s of a {args.budget} s budget. "
        "Every figure is a median over repeated runs with the min–max in brackets; every "
        "ratio is against a baseline measured in the same run (see each section).\n\n"
        + table(["benchmark", "figure", "value", "ratio", "target", "", "details"], lines)
        + "\n\n"
        + ("**" + "; ".join(verdicts) + ".**" if verdicts else "Every benchmark finished.")
    )
    return body, not failed and not over


def anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--status", required=True)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--size", default="full")
    parser.add_argument("--elapsed", type=int, required=True)
    parser.add_argument("--budget", type=int, required=True)
    parser.add_argument("--no-write", action="store_true", help="print only (a partial run)")
    args = parser.parse_args()
    body, ok = build(args)
    print(body)
    if not args.no_write:
        write_header(body)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
