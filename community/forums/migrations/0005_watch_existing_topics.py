"""Existing topics: their authors and repliers watch them, as they would had watching
existed when they wrote (new posts make the row themselves)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 2000


def watch_what_people_wrote_in(apps: Any, schema_editor: Any) -> None:
    Post = apps.get_model("forums", "Post")
    TopicWatch = apps.get_model("forums", "TopicWatch")
    pairs = (
        Post.objects.filter(author__isnull=False)
        .values_list("topic_id", "author_id")
        .distinct()
        .order_by()
    )
    batch = []
    for topic_id, user_id in pairs.iterator(chunk_size=BATCH):
        batch.append(TopicWatch(topic_id=topic_id, user_id=user_id))
        if len(batch) >= BATCH:
            TopicWatch.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    TopicWatch.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("forums", "0004_topic_watch")]

    operations = [migrations.RunPython(watch_what_people_wrote_in, migrations.RunPython.noop)]
