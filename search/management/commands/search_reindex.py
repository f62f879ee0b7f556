"""Rebuild search indexes from the database, swapping each in atomically, with progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from search import outbox, registry
from search.backends import database_backend, meilisearch_backend
from search.backends.meili import MeilisearchBackend, index_uid
from search.models import IndexState
from search.progress import Progress
from search.registry import DocumentType


class Command(BaseCommand):
    help = (
        "Rebuild the search indexes: the database index in one transaction, and each "
        "Meilisearch index into a fresh index swapped in atomically."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", action="append", dest="types", help="a document type")
        parser.add_argument("--backend", choices=["all", "database", "meilisearch"], default="all")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["types"] or registry.names()
        unknown = set(names) - set(registry.names())
        if unknown:
            raise CommandError(f"Unknown types: {', '.join(sorted(unknown))}")
        meili = meilisearch_backend()
        if options["backend"] == "meilisearch" and meili is None:
            raise CommandError("MEILISEARCH_URL is not set.")
        for name in names:
            kind = registry.get(name)
            if options["backend"] in ("all", "database"):
                self._database(kind, options["batch_size"])
            if options["backend"] in ("all", "meilisearch") and meili is not None:
                self._meilisearch(meili, kind, options["batch_size"])

    def _write(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()

    def _database(self, kind: DocumentType, batch_size: int) -> None:
        """One transaction: readers see the old documents until the new ones commit."""
        progress = Progress(kind.source().count(), f"{kind.name} → database", self._write)
        backend = database_backend()
        with transaction.atomic():
            backend.clear(kind)
            for ids in kind.batches(batch_size):
                backend.write(kind, kind.build(ids))
                progress.advance(len(ids))
        progress.finish()

    def _meilisearch(self, meili: MeilisearchBackend, kind: DocumentType, batch_size: int) -> None:
        """Fill a fresh index while the live one keeps serving, then swap them in one task.

        The outbox worker leaves this type's updates queued meanwhile (IndexState), so
        changes made during the rebuild are applied to the new index after the swap.
        """
        live, fresh = index_uid(kind.name), index_uid(kind.name, "_rebuild")
        IndexState.objects.update_or_create(
            doc_type=kind.name, defaults={"paused_until": timezone.now() + dt.timedelta(hours=2)}
        )
        try:
            self._drop(meili, fresh)  # a rebuild interrupted earlier
            meili.ensure_index(kind, fresh)
            meili.ensure_index(kind, live)
            progress = Progress(kind.source().count(), f"{kind.name} → Meilisearch", self._write)
            tasks: list[int] = []
            for ids in kind.batches(batch_size):
                tasks += meili.write(kind, kind.build(ids), uid=fresh)
                progress.advance(len(ids))
                if len(tasks) >= 20:  # keep Meilisearch's queue short
                    meili.wait(tasks, timeout_ms=600_000)
                    tasks = []
            meili.wait(tasks, timeout_ms=600_000)
            progress.finish()
            meili.wait([meili.client.swap_indexes([{"indexes": [live, fresh]}]).task_uid])
            self._drop(meili, fresh)  # now holding the old documents
        finally:
            IndexState.objects.filter(doc_type=kind.name).update(paused_until=None)
            outbox.forget_indexes()
        self.stdout.write(f"{kind.name}: swapped in {live}")

    def _drop(self, meili: MeilisearchBackend, uid: str) -> None:
        task = meili.client.wait_for_task(meili.client.delete_index(uid).task_uid)
        error = task.error or {}
        if task.status != "succeeded" and error.get("code") != "index_not_found":
            raise CommandError(f"Could not delete {uid}: {error}")
