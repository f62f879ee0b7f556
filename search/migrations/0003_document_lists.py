"""The database index keeps each document's networks and facet tokens on its own row.

Before: one row per (document, network) and per (document, facet value), read back by
correlated subqueries. After: `networks` and `facets_0..2` lists on the document
(PostgreSQL arrays, SQLite JSON) and, on PostgreSQL, `words`, a tsvector weighted by
audience; `text_1` and `text_2` keep only the words their level adds. This migration
adds the columns and fills them from the old rows; 0004 drops the old tables and adds
the PostgreSQL indexes.
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

import search.fields

# SQLite rebuilds search_document to add columns, which drops its triggers: the FTS5
# table must keep following it (the same triggers as 0002_fulltext).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS search_document_fts_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_document_fts(rowid, text_0, text_1, text_2) "
    "VALUES (new.id, new.text_0, new.text_1, new.text_2); END",
    "CREATE TRIGGER IF NOT EXISTS search_document_fts_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_document_fts(search_document_fts, rowid, text_0, text_1, text_2) "
    "VALUES ('delete', old.id, old.text_0, old.text_1, old.text_2); END",
    "CREATE TRIGGER IF NOT EXISTS search_document_fts_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_document_fts(search_document_fts, rowid, text_0, text_1, text_2) "
    "VALUES ('delete', old.id, old.text_0, old.text_1, old.text_2); "
    "INSERT INTO search_document_fts(rowid, text_0, text_1, text_2) "
    "VALUES (new.id, new.text_0, new.text_1, new.text_2); END",
]


def _vector(texts):
    """Each word once, weighted by the lowest level whose text holds it (A, B, C)."""
    seen, lexemes = set(), []
    for level, text in enumerate(texts):
        for word in text.split():
            if word not in seen:
                seen.add(word)
                quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
                lexemes.append(f"{quoted}:1{'ABC'[level]}")
    return " ".join(lexemes)


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers(apps, schema_editor)
    Document = apps.get_model("search", "Document")
    DocumentNetwork = apps.get_model("search", "DocumentNetwork")
    DocumentFacet = apps.get_model("search", "DocumentFacet")
    fields = ["text_1", "text_2", "networks", "facets_0", "facets_1", "facets_2", "whole_at"]
    if vendor == "postgresql":
        fields.append("words")
    last = 0
    while batch := list(Document.objects.filter(id__gt=last).order_by("id")[:1000]):
        ids = [doc.id for doc in batch]
        networks = defaultdict(set)
        for doc_id, network_id in DocumentNetwork.objects.filter(document_id__in=ids).values_list(
            "document_id", "network_id"
        ):
            networks[doc_id].add(network_id)
        facets = defaultdict(list)
        for doc_id, name, value, level in DocumentFacet.objects.filter(
            document_id__in=ids
        ).values_list("document_id", "name", "value", "level"):
            facets[doc_id].append((f"{name}:{value}", level))
        for doc in batch:
            doc.networks = sorted(networks[doc.id])
            for level in range(3):
                tokens = {token for token, lvl in facets[doc.id] if lvl <= level}
                setattr(doc, f"facets_{level}", sorted(tokens))
            doc.words = _vector([doc.text_0, doc.text_1, doc.text_2])
            # Each level's text now holds only the words it adds to the levels below.
            below = set(doc.text_0.split())
            added_1 = [w for w in dict.fromkeys(doc.text_1.split()) if w not in below]
            below.update(added_1)
            doc.text_1 = " ".join(added_1)
            doc.text_2 = " ".join(w for w in dict.fromkeys(doc.text_2.split()) if w not in below)
            levels = [
                (doc.text_0, doc.facets_0, []),
                (doc.text_1, doc.facets_1, doc.facets_0),
                (doc.text_2, doc.facets_2, doc.facets_1),
            ]
            doc.whole_at = max(
                (lvl for lvl, (text, mine, lower) in enumerate(levels) if text or mine != lower),
                default=0,
            )
        Document.objects.bulk_update(batch, fields)
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [
        # Undone last when migrating back: the triggers outlive the columns' removal.
        migrations.RunPython(migrations.RunPython.noop, triggers),
        # The old rows' reverse accessor is named like the new column; rename it (no SQL).
        migrations.AlterField(
            model_name="documentnetwork",
            name="document",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="search.document",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="networks",
            field=search.fields.ListField(of="bigint"),
        ),
        migrations.AddField(
            model_name="document",
            name="facets_0",
            field=search.fields.ListField(of="text"),
        ),
        migrations.AddField(
            model_name="document",
            name="facets_1",
            field=search.fields.ListField(of="text"),
        ),
        migrations.AddField(
            model_name="document",
            name="facets_2",
            field=search.fields.ListField(of="text"),
        ),
        migrations.AddField(
            model_name="document",
            name="words",
            field=search.fields.WordVectorField(),
        ),
        migrations.AddField(
            model_name="document",
            name="whole_at",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
