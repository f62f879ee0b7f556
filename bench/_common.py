"""Shared helpers for the benchmarks: timing, percentiles, repeats, tables, docs/benchmarks.md.

Machines here are shared and noisy, so every benchmark measures its baseline in the
same run and reports ratios; absolute times are printed for context only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
# Set by scripts/bench.sh: where `summarize` and `write_section` leave one JSON line each,
# which bench/_summary.py turns into the table at the top of docs/benchmarks.md.
SUMMARY_FILE_ENV = "BENCH_SUMMARY_FILE"


def setup_django() -> None:
    """Configure Django for a standalone benchmark script."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def arg_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--size",
        choices=["small", "full"],
        default=os.environ.get("BENCH_SIZE", "full"),
        help="small: a quick look; full: the sizes the issues ask for",
    )
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "3")))
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    return parser


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_calls(fn: Callable[[], object], n: int, warmup: int = 3) -> list[float]:
    """Seconds per call of fn over n calls, after a warm-up."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


@dataclass
class Figure:
    """One measured quantity over repeated runs."""

    name: str
    unit: str
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def cell(self) -> str:
        if not self.runs:
            return "n/a"
        if len(self.runs) == 1:
            return f"{fmt(self.runs[0])} {self.unit}"
        return f"{fmt(self.median)} {self.unit} ({fmt(min(self.runs))}–{fmt(max(self.runs))})"


def fmt(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(map(str, r)) for r in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> str:
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        mem = "unknown memory"
    system = f"{platform.system()} {platform.machine()}"
    return f"{os.cpu_count()} cores, {mem}, {system}, Python {platform.python_version()}"


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of docs/benchmarks.md."""
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {title}\n\n_Measured {stamp} on {machine()}._\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    BENCHMARKS_MD.write_text(text.rstrip() + "\n")
    _record({"section": title})


def summarize(
    metric: str,
    value: str,
    *,
    ratio: str = "",
    target: str = "",
    met: bool | None = None,
) -> None:
    """One row of the summary table that `make bench` writes at the top of docs/benchmarks.md.

    `value` is usually `Figure.cell()` (median with min–max), `ratio` the figure against
    its same-run baseline, `target` the issue's goal in words and `met` whether this run
    reached it (None: no target). Outside `make bench` this only prints the row.
    """
    row = {"metric": metric, "value": value, "ratio": ratio, "target": target, "met": met}
    _record(row)
    if not os.environ.get(SUMMARY_FILE_ENV):
        print(f"summary: {row}")


def _record(row: dict[str, object]) -> None:
    path = os.environ.get(SUMMARY_FILE_ENV)
    if not path:
        return
    row = {"bench": Path(sys.argv[0]).stem, **row}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_header(body: str) -> None:
    """Replace what stands between the `# Benchmarks` title and the first section."""
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    sections = re.search(r"^## ", text, re.M)
    rest = text[sections.start() :] if sections else ""
    BENCHMARKS_MD.write_text(f"# Benchmarks\n\n{body.strip()}\n\n{rest}".rstrip() + "\n")
