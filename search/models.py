"""The search outbox and the database backend's own index tables.

`OutboxEntry` rows are written in the same transaction as the change they describe
and deleted only once Meilisearch has confirmed the update, so an unreachable
Meilisearch delays an update but never loses it.

`Document`, `DocumentNetwork` and `DocumentFacet` are the database backend's index:
rewritten in the same transaction as every change (so the fallback is never stale),
with a full-text index over the three `text_*` columns created by the migration
(FTS5 on SQLite, a GIN index on PostgreSQL). `text_0` holds what anyone who may see
the document may search, `text_1` adds what only co-members may see, `text_2` adds
what only the owner and staff may see.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


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
    doc_type = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True, blank=True)
    room_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=255, blank=True)
    text_0 = models.TextField(blank=True)
    text_1 = models.TextField(blank=True)
    text_2 = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

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


class DocumentNetwork(models.Model):
    """The networks whose readers may see the document (a member: every active membership)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="networks")
    network_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "network_id"], name="search_docnet_key")
        ]
        indexes = [models.Index(fields=["network_id", "document"])]

    def __str__(self) -> str:
        return f"{self.document_id}@{self.network_id}"


class DocumentFacet(models.Model):
    """One facet value of a document, with the lowest relation that may see it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="facets")
    name = models.CharField(max_length=16)
    value = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["name", "value", "document"]),
            models.Index(fields=["document", "name"]),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.name}={self.value} (level {self.level})"


class SearchTerm(models.Model):
    """PostgreSQL only: every indexed word, trigram-indexed, to find the words a typo meant."""

    term = models.CharField(max_length=100, primary_key=True)

    def __str__(self) -> str:
        return self.term
