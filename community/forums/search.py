"""Forum topics and posts: readable by whoever may read their network.

Registered by `ForumsConfig.ready()`; the forum actions enqueue `TOPICS` and `POSTS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from community.forums.models import Post, Topic
from search import registry
from search.registry import DocumentType, Hit, IndexedDoc
from search.snippets import excerpt

TOPICS = "topics"
POSTS = "posts"


class TopicDocuments(DocumentType):
    name = TOPICS
    order = 20
    placeholder_sort = "created_at"

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(deleted=False)

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        docs: dict[int, IndexedDoc | None] = dict.fromkeys(ids)
        for topic in self.visible(Topic.objects.filter(pk__in=ids)):
            docs[topic.pk] = IndexedDoc(
                object_id=topic.pk,
                network_ids=[topic.network_id],
                name=topic.title,
                owner_id=topic.author_id,
                created_at=topic.created_at,
            )
        return docs

    def source(self) -> QuerySet[Any]:
        return Topic.objects.all()

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        rows = self.visible(Topic.objects.select_related("network"))
        topics = rows.in_bulk([h.object_id for h in hits])
        return [
            {
                "type": self.name,
                "id": topic.pk,
                "network": topic.network.slug,
                "title": topic.title,
                "snippet": topic.title,
                "url": f"/api/v1/topics/{topic.pk}/",
            }
            for hit in hits
            if (topic := topics.get(hit.object_id)) is not None
        ]


class PostDocuments(DocumentType):
    name = POSTS
    order = 30
    placeholder_sort = "created_at"

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(deleted=False, topic__deleted=False)

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        docs: dict[int, IndexedDoc | None] = dict.fromkeys(ids)
        for post in self.visible(Post.objects.filter(pk__in=ids)).select_related("topic"):
            docs[post.pk] = IndexedDoc(
                object_id=post.pk,
                network_ids=[post.topic.network_id],
                owner_id=post.author_id,
                created_at=post.created_at,
                texts=[("text", 0, post.body)],
            )
        return docs

    def source(self) -> QuerySet[Any]:
        return Post.objects.all()

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        rows = self.visible(Post.objects.select_related("topic__network"))
        posts = rows.in_bulk([h.object_id for h in hits])
        return [
            {
                "type": self.name,
                "id": post.pk,
                "network": post.topic.network.slug,
                "title": post.topic.title,
                "snippet": excerpt(post.body, words),
                "url": f"/api/v1/topics/{post.topic_id}/posts/?after={post.pk - 1}",
            }
            for hit in hits
            if (post := posts.get(hit.object_id)) is not None
        ]


def register() -> None:
    """Register the forum's document types (from `ForumsConfig.ready()`)."""
    registry.register(TopicDocuments())
    registry.register(PostDocuments())
