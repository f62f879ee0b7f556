"""Send the search outbox to Meilisearch until stopped: batched, retried, never dropped."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from search import outbox
from search.backends import meilisearch_backend, search_health


class Command(BaseCommand):
    help = "Drain the search outbox into Meilisearch (run one or more beside the web processes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=outbox.DEFAULT_BATCH)
        parser.add_argument("--poll", type=float, default=0.1, help="seconds between idle polls")
        parser.add_argument("--once", action="store_true", help="drain what is due, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if meilisearch_backend() is None:
            raise CommandError(
                "MEILISEARCH_URL is not set: the database backend is updated with each change "
                "and needs no worker."
            )
        batch, poll = options["batch_size"], options["poll"]
        try:
            while True:
                result = outbox.drain_all(batch)
                if result.sent:
                    self.stdout.write(f"sent {result.sent} updates")
                if result.failed:
                    self.stderr.write(
                        f"Meilisearch unreachable, {outbox.pending()} queued: {result.error}"
                    )
                    self._wait_for_recovery()
                    continue
                if options["once"]:
                    return
                close_old_connections()
                time.sleep(poll)
        except KeyboardInterrupt:
            self.stdout.write("stopped; queued updates stay in the outbox")

    def _wait_for_recovery(self) -> None:
        """Poll Meilisearch's health; once it answers, retry every postponed update at once."""
        delay = 0.5
        while search_health() != "ok":
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
        count = outbox.retry_failed_now()
        self.stdout.write(f"Meilisearch is back; retrying {count} queued updates")
