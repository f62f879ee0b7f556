"""What the platform holds about a person, gathered from every app that holds some of it:
the "your data" archive, and the erasure when they delete their account.

Each app registers in its `AppConfig.ready` a section of the archive (user → JSON-ready
data) and, where it holds anything of theirs, an eraser. The account deletion
(accounts.deletion) anonymises the user row first (which stays, so the posts and
messages a person chose to leave keep their author as "Deleted member"), then calls
every eraser in its transaction with whether the person chose to erase what they wrote.
An app added later (meetings, calls, the support desk) registers its own and is in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any, bool], None]


@dataclass(frozen=True)
class _Eraser:
    order: int
    name: str
    erase: Eraser


_sections: dict[str, Exporter] = {}
_erasers: dict[str, _Eraser] = {}


def section(name: str) -> Callable[[Exporter], Exporter]:
    """Register `fn(user)` as the archive's section `name` (one function per name)."""

    def register(fn: Exporter) -> Exporter:
        _sections[name] = fn
        return fn

    return register


def eraser(name: str, order: int = 100) -> Callable[[Eraser], Eraser]:
    """Register `fn(user, erase_content)`, run by ascending `order` when an account goes."""

    def register(fn: Eraser) -> Eraser:
        _erasers[name] = _Eraser(order, name, fn)
        return fn

    return register


def archive(user: Any) -> dict[str, Any]:
    """Every section of what is held about `user`, by name, in a stable order."""
    return {name: _sections[name](user) for name in sorted(_sections)}


def erase(user: Any, erase_content: bool) -> None:
    """Run every eraser; call inside the deletion's transaction."""
    for entry in sorted(_erasers.values(), key=lambda e: (e.order, e.name)):
        entry.erase(user, erase_content)


def iso(value: Any) -> str | None:
    """A date or time of the archive as ISO 8601 (None stays None)."""
    return value.isoformat() if value is not None else None


def section_names() -> list[str]:
    return sorted(_sections)


def erased_username(user_id: int) -> str:
    """What a deleted account is called (registration refuses the form: accounts.actions)."""
    return f"deleted-{user_id}"
