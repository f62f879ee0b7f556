"""A dependency-free progress bar for long management commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Progress:
    """`[#######.......]  52%  52,000/100,000 profiles  8,431/s`, redrawn in place."""

    def __init__(
        self, total: int, label: str, write: Callable[[str], Any], width: int = 30
    ) -> None:
        self.total = max(total, 0)
        self.label = label
        self.write = write
        self.width = width
        self.done = 0
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        self.draw()

    def draw(self) -> None:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * min(fraction, 1.0))
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        self.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%}  "
            f"{self.done:,}/{self.total:,} {self.label}  {rate:,.0f}/s"
        )

    def finish(self) -> float:
        self.draw()
        self.write("\n")
        return time.monotonic() - self.started
