"""Drop the per-network and per-facet rows, and index the new columns on PostgreSQL.

PostgreSQL: one GIN index per document type over `words` and `networks` (partial, so
a directory search never walks the posts' entries, nor a post search the members'),
and over the members' `facets_2`, the tokens the closest relation sees (each row is
then held to its own relation's tokens). The old per-level expression indexes go:
`words` replaces them. (Migrating back recreates the old tables empty: run
`manage.py search_reindex --backend database` after that.)
"""

from django.db import migrations

TYPES = ("members", "topics", "posts", "messages")

POSTGRES_UP = [
    # Every candidate row's vector is read back (to hold it to the row's relation): keep
    # it in the row, and let the texts (unused by PostgreSQL's queries) go out of line.
    "ALTER TABLE search_document ALTER COLUMN words SET STORAGE MAIN",
    *(f"DROP INDEX IF EXISTS search_document_{col}_fts" for col in ("text_0", "text_1", "text_2")),
    *(
        f"CREATE INDEX search_document_{kind}_{col} ON search_document "
        f"USING gin ({col}) WHERE doc_type = '{kind}'"
        for kind in TYPES
        for col in ("words", "networks")
    ),
    "CREATE INDEX search_document_members_facets ON search_document "
    "USING gin (facets_2) WHERE doc_type = 'members'",
]
POSTGRES_DOWN = [
    "ALTER TABLE search_document ALTER COLUMN words SET STORAGE EXTENDED",
    "DROP INDEX IF EXISTS search_document_members_facets",
    *(
        f"DROP INDEX IF EXISTS search_document_{kind}_{col}"
        for kind in TYPES
        for col in ("words", "networks")
    ),
    *(
        f"CREATE INDEX search_document_{col}_fts ON search_document "
        f"USING gin (array_to_tsvector(string_to_array({col}, ' ')))"
        for col in ("text_0", "text_1", "text_2")
    ),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_document_lists")]

    operations = [
        migrations.DeleteModel(name="DocumentFacet"),
        migrations.DeleteModel(name="DocumentNetwork"),
        migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN)),
    ]
