"""`manage.py seed_demo [--if-empty] [--users N]`: demo networks, people and their content.

Runs every registered seed step (see `community.seed.base`) in order. Idempotent:
a second run with the same options changes nothing. Every demo account, and the
staff account `admin`, has the password `shabaka-demo`.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules

from community.models import Network
from community.seed import DEMO_PASSWORD, SeedContext, registered_steps


class Command(BaseCommand):
    help = "Load the demo networks, people and content (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds networks (used by `make run`).",
        )
        parser.add_argument(
            "--users",
            type=int,
            default=300,
            help="How many demo people to create (default 300, at least 16).",
        )

    def handle(self, *args: Any, if_empty: bool, users: int, **options: Any) -> None:
        if if_empty and Network.objects.exists():
            self.stdout.write("Networks exist already; demo data not loaded.")
            return
        # Every app's `seed` module registers its steps on import.
        autodiscover_modules("seed")
        started = time.monotonic()
        # One hash for every demo account: hashing hundreds of passwords would take minutes.
        ctx = SeedContext(
            stdout=self.stdout,
            user_count=max(users, 16),
            password_hash=make_password(DEMO_PASSWORD),
        )
        for step in registered_steps():
            self.stdout.write(self.style.MIGRATE_HEADING(f"Seeding {step.name}…"))
            step.run(ctx)
        summary = ", ".join(f"{n} {what}" for what, n in ctx.created.items() if n) or "nothing new"
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s: {summary}.")
        )
        self.stdout.write(
            f"Sign in as admin / {DEMO_PASSWORD} (staff), or amina.benali, youssef.elidrissi, "
            f"… with the same password."
        )
