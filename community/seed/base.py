"""The seed_demo machinery: a registry of ordered steps and the context they share.

Any app adds demo data by shipping a `seed` module (`chat/seed.py`,
`directory/seed.py`, …) with a function decorated by `seed_step`; `manage.py
seed_demo` imports every app's `seed` module and runs the steps in `order`:

    from community.seed import SeedContext, seed_step

    @seed_step("chat rooms", order=200)
    def seed_rooms(ctx: SeedContext) -> None:
        for network in ctx.networks.values():
            members = ctx.members_of(network)
            ...

Orders used so far: 10 people, 20 networks, 30 memberships; content steps
(forums, chat, directory, search) go after 100. Each step must be idempotent —
seeding twice changes nothing — and write through its app's actions (bulk
creation only where speed demands it, keeping every derived row in sync).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.management.base import OutputWrapper

from community.models import Membership, Network

T = TypeVar("T")

DEMO_PASSWORD = "shabaka-demo"  # noqa: S105 - printed by `make run`; demo data only


@dataclass(frozen=True)
class SeedStep:
    name: str
    order: int
    run: Callable[[SeedContext], None]


_STEPS: dict[str, SeedStep] = {}


def seed_step(name: str, *, order: int) -> Callable[[Callable[[SeedContext], None]], Any]:
    """Register a seed step; registering the same name again replaces it (module reloads)."""

    def register(run: Callable[[SeedContext], None]) -> Callable[[SeedContext], None]:
        _STEPS[name] = SeedStep(name, order, run)
        return run

    return register


def registered_steps() -> list[SeedStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


@dataclass
class SeedContext:
    """What the steps share: options, output, the people and networks made so far."""

    stdout: OutputWrapper
    user_count: int
    password_hash: str
    users: list[User] = field(default_factory=list)
    admin: User | None = None
    networks: dict[str, Network] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # what steps hand to later steps

    def rng(self, name: str) -> random.Random:
        """A random generator of its own per step/purpose, so the plan is the same every run."""
        return random.Random(zlib.crc32(name.encode()))

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    def say(self, text: str) -> None:
        self.stdout.write(text)

    def progress(self, items: Iterable[T], total: int, label: str) -> Iterator[T]:
        """Yield `items` while drawing a progress bar (a line per 25% when not a terminal)."""
        tty = bool(getattr(self.stdout, "isatty", lambda: False)())
        width = 30
        step = max(total // 4, 1)
        for done, item in enumerate(items, start=1):
            yield item
            if tty:
                filled = width * done // max(total, 1)
                bar = "#" * filled + "." * (width - filled)
                self.stdout.write(f"\r  {label:<28} [{bar}] {done}/{total}", ending="")
                self.stdout.flush()
            elif done % step == 0 or done == total:
                self.stdout.write(f"  {label:<28} {done}/{total}")
        if tty and total:
            self.stdout.write("")

    def members_of(self, network: Network) -> list[User]:
        """The network's active members (owners and moderators included), by username."""
        return list(
            User.objects.filter(
                memberships__network=network, memberships__status=Membership.Status.ACTIVE
            ).order_by("username")
        )

    def members_by_network(self) -> dict[str, list[User]]:
        return {slug: self.members_of(network) for slug, network in self.networks.items()}
