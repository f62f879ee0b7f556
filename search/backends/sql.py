"""The SQL that differs between SQLite and PostgreSQL in the database backend.

Both engines get the same query shape (see `search.backends.database`); only these
pieces change: how a list column is tested ("has one of these values"), how words are
matched for an audience, how facet tokens are counted and how rows become JSON.

PostgreSQL: `networks` and `facets_*` are arrays tested with `&&` (GIN-indexed per
document type), and `words` is one tsvector whose weights record the lowest relation
level that may search each word — A level 0, B 1, C 2 (for members: everyone,
co-members, owner and staff) — so a tsquery restricted to weights `AB` matches exactly
what level 1 may search. SQLite: the lists are JSON read with `json_each`, and words
are matched in the FTS5 table's `text_*` columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Alternatives of one query word: (term, is_prefix), any of which may stand for it.
Alternatives = Sequence[list[tuple[str, bool]]]

WEIGHTS = "ABC"  # the tsvector weight of a word whose lowest audience level is 0, 1, 2


def marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


class PostgresSQL:
    vendor = "postgresql"
    # The candidate scan also needs the vector, to check each row's audience afterwards.
    extra_columns = ", d.words"

    def any_of(self, column: str, values: Sequence[Any], of: str) -> tuple[str, list[Any]]:
        return f"{column} && %s::{of}[]", [list(values)]

    def words(
        self, alias: str, level: int, alternatives: Alternatives, *, candidate: bool = False
    ) -> tuple[str, list[Any]]:
        """Every word (or an alternative) among those searchable at `level`.

        A candidate test (the top level) leaves weights out: the GIN index then answers
        it alone, without reading the rows' vectors back.
        """
        weights = "" if candidate else WEIGHTS[: level + 1]
        query = " & ".join(
            "(" + " | ".join(_ts_term(t, prefix, weights) for t, prefix in alts) + ")"
            for alts in alternatives
        )
        return f"{alias}.words @@ %s::tsquery", [query]

    def count_tokens(self) -> str:
        return "SELECT f, COUNT(*) AS n FROM (SELECT unnest(facets) AS f FROM m) u GROUP BY f"

    def json_rows(self, expressions: str) -> str:
        return f"json_agg(json_build_array({expressions}))"

    def vector(self, levels: dict[int, list[str]]) -> str | None:
        """The tsvector literal of a document: each word once, weighted by its lowest level."""
        seen: set[str] = set()
        lexemes = []
        for level in sorted(levels):
            for word in levels[level]:
                if word not in seen:
                    seen.add(word)
                    lexemes.append(f"{_quote(word)}:1{WEIGHTS[level]}")
        return " ".join(lexemes)

    def candidates_sql(self, words: Sequence[tuple[int, str, int, int]]) -> tuple[str, list[Any]]:
        """(word index, term) of indexed words close to each query word (trigram index)."""
        rows = ", ".join(["(%s, %s, %s, %s)"] * len(words))
        return (
            f"SELECT q.i, t.term FROM (VALUES {rows}) AS q(i, w, lo, hi) "  # noqa: S608
            "CROSS JOIN LATERAL (SELECT term FROM search_searchterm "
            "WHERE term %% q.w AND length(term) BETWEEN q.lo AND q.hi LIMIT 500) t",
            [value for word in words for value in word],
        )


class SQLiteSQL:
    vendor = "sqlite"
    extra_columns = ""

    def any_of(self, column: str, values: Sequence[Any], of: str) -> tuple[str, list[Any]]:
        return (
            f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN ({marks(values)}))",  # noqa: S608
            list(values),
        )

    def words(
        self, alias: str, level: int, alternatives: Alternatives, *, candidate: bool = False
    ) -> tuple[str, list[Any]]:
        """Every word (or an alternative) in the texts searchable at `level`: `text_0` up
        to `text_<level>`, each holding the words its level adds (a column filter applies
        to every phrase on its own, so each word may come from any of them)."""
        columns = " ".join(f"text_{lvl}" for lvl in range(level + 1))
        groups = [
            "(" + " OR ".join(_fts5_term(t, prefix) for t, prefix in alts) + ")"
            for alts in alternatives
        ]
        return (
            f"{alias}.id IN (SELECT rowid FROM search_document_fts "  # noqa: S608
            "WHERE search_document_fts MATCH %s)",
            [f"{{{columns}}} : ({' AND '.join(groups)})"],
        )

    def count_tokens(self) -> str:
        return "SELECT j.value AS f, COUNT(*) AS n FROM m, json_each(m.facets) j GROUP BY j.value"

    def json_rows(self, expressions: str) -> str:
        return f"json_group_array(json_array({expressions}))"

    def vector(self, levels: dict[int, list[str]]) -> str | None:
        return None  # words are in the FTS5 table, kept in step by triggers

    def candidates_sql(self, words: Sequence[tuple[int, str, int, int]]) -> tuple[str, list[Any]]:
        """(word index, term) of indexed words sharing the first letter, of a close length.

        A typo in the first letter is rare (Meilisearch counts it as two), and the
        prefix range keeps this an index range over the FTS5 vocabulary.
        """
        parts, params = [], []
        for i, word, lo, hi in words:
            parts.append(
                "SELECT * FROM (SELECT %s AS i, term FROM search_document_vocab "
                "WHERE term >= %s AND term < %s AND length(term) BETWEEN %s AND %s "
                "ORDER BY doc DESC LIMIT 500)"
            )
            params += [i, word[0], word[0] + "\U0010ffff", lo, hi]
        return " UNION ALL ".join(parts), params


def dialect(vendor: str) -> PostgresSQL | SQLiteSQL:
    return PostgresSQL() if vendor == "postgresql" else SQLiteSQL()


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _ts_term(term: str, prefix: bool, weights: str) -> str:
    return _quote(term) + (":*" if prefix else (":" if weights else "")) + weights


def _fts5_term(term: str, prefix: bool) -> str:
    quoted = '"' + term.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted
