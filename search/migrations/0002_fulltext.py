"""Full-text indexes for the database backend, per engine.

SQLite: an FTS5 table over the three text columns, kept in step with
search_document by triggers (so every write path, bulk ones included, updates it in
the same transaction), and an fts5vocab view of its words for typo tolerance.

PostgreSQL: GIN indexes over the already-normalized words of each text column, and a
trigram index over search_searchterm for typo tolerance (pg_trgm).
"""

from django.db import migrations

COLUMNS = ("text_0", "text_1", "text_2")

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_document_fts USING fts5("
    "text_0, text_1, text_2, content='search_document', content_rowid='id', "
    "tokenize=\"unicode61 remove_diacritics 0\")",
    "CREATE VIRTUAL TABLE search_document_vocab USING fts5vocab(search_document_fts, 'row')",
    "CREATE TRIGGER search_document_fts_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_document_fts(rowid, text_0, text_1, text_2) "
    "VALUES (new.id, new.text_0, new.text_1, new.text_2); END",
    "CREATE TRIGGER search_document_fts_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_document_fts(search_document_fts, rowid, text_0, text_1, text_2) "
    "VALUES ('delete', old.id, old.text_0, old.text_1, old.text_2); END",
    "CREATE TRIGGER search_document_fts_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_document_fts(search_document_fts, rowid, text_0, text_1, text_2) "
    "VALUES ('delete', old.id, old.text_0, old.text_1, old.text_2); "
    "INSERT INTO search_document_fts(rowid, text_0, text_1, text_2) "
    "VALUES (new.id, new.text_0, new.text_1, new.text_2); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_fts_au",
    "DROP TRIGGER IF EXISTS search_document_fts_ad",
    "DROP TRIGGER IF EXISTS search_document_fts_ai",
    "DROP TABLE IF EXISTS search_document_vocab",
    "DROP TABLE IF EXISTS search_document_fts",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX search_document_{col}_fts ON search_document "
        f"USING gin (array_to_tsvector(string_to_array({col}, ' ')))"
        for col in COLUMNS
    ),
    "CREATE INDEX search_searchterm_trgm ON search_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_searchterm_trgm",
    *(f"DROP INDEX IF EXISTS search_document_{col}_fts" for col in COLUMNS),
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
