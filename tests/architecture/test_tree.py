"""The tree stays readable: no module over 500 lines (docs/architecture.md).

Python modules of every package, the tests and benchmarks included, and the web
client's scripts; migrations are generated and left out. There is no allow-list.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 500
SKIP = {".venv", "var", "node_modules", "migrations", "__pycache__", ".git"}


def _sources() -> list[Path]:
    found = [*ROOT.glob("*/**/*.py"), *ROOT.glob("static/js/*.js")]
    return sorted(p for p in found if not SKIP & set(p.relative_to(ROOT).parts))


def test_the_tree_has_sources() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert {"core/errors.py", "realtime/consumers.py", "static/js/chat.js"} <= names


def test_no_module_over_500_lines() -> None:
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in _sources()}
    over = {p.relative_to(ROOT).as_posix(): n for p, n in sizes.items() if n > LIMIT}
    assert not over, f"split these by subject: {over}"
