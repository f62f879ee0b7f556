"""The search outbox and the database backend's own index tables.

`OutboxEntry` rows are written in the same transaction as the change they describe
and deleted only once Meilisearch has confirmed the update, so an unreachable
Meilisearch delays an update but never loses it.

`Document` is the database backend's index, one row per document: rewritten in the
same transaction as every change (so the fallback is never stale). The migrations add
the engine's own indexes: on SQLite an FTS5 table over the three `text_*` columns; on
PostgreSQL, per document type, GIN indexes over `words`, `networks` and (members)
`facets_2` — a new document type gets its own in a migration.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from search.fields import ListField, WordVectorField


class OutboxEntry(models.Model):
    """One pending index update for Meilisearch: (document type, object id)."""

    doc_type = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    # A claimed entry's lease; after a failure, the backoff. Due when <= now.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "outbox entries"
        indexes = [models.Index(fields=["next_attempt_at", "id"])]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id} (attempt {self.attempts})"


class IndexState(models.Model):
    """Per document type: while a rebuild runs, the worker leaves that type's entries queued."""

    doc_type = models.CharField(max_length=16, primary_key=True)
    paused_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.doc_type} paused until {self.paused_until}"


class Document(models.Model):
    """One searchable thing, with what each audience may search and filter on.

    `text_0` holds the words anyone who may see the document may search, `text_1` and
    `text_2` the words only viewers at relation level 1 or 2 (as its type's tiers decide;
    for members: co-members of its owner, the owner and staff) may also search (each
    word once, at its lowest level); `words` (PostgreSQL) is the same as
    one vector whose weights say who may match each word. `facets_0..2` hold the
    `name:value` tokens each relation may filter and count on (cumulative: a relation
    reads one column). `networks` are the access keys: readers of one of
    them may see the document (a member: every network they are active in).
    """

    doc_type = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True, blank=True)
    room_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=255, blank=True)
    text_0 = models.TextField(blank=True)
    text_1 = models.TextField(blank=True)
    text_2 = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    networks = ListField(of="bigint")
    facets_0 = ListField(of="text")
    facets_1 = ListField(of="text")
    facets_2 = ListField(of="text")
    words = WordVectorField()
    # The lowest relation that sees the whole document (0: nothing in it is restricted).
    # From there on a row needs no per-level check: the top level's columns speak for it.
    whole_at = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_id"], name="search_document_key")
        ]
        indexes = [
            models.Index(fields=["doc_type", "name", "id"]),
            models.Index(fields=["owner_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id}"


class SearchTerm(models.Model):
    """PostgreSQL only: every indexed word, trigram-indexed, to find the words a typo meant."""

    term = models.CharField(max_length=100, primary_key=True)

    def __str__(self) -> str:
        return self.term
