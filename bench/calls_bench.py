"""Call matching: the members who fit a call, found among 100,000 profiles of which
10,000 are open to calls, on each search backend; and publishing a call that tells its
50 best matches.

Profiles are those of the directory benchmark (bench/search_directory.py's generator,
one network, sectors, skills, languages, countries and engagement drawn at random); one
in ten is then made open to calls, its search document rewritten. Matches are asked by
the network's owner (a co-member of everyone) for four calls of different shapes, as
`GET /calls/{id}/matches/` does (`calls.matching.best_matches`, 20 results): one search
per criterion of the call, each filtered to the members open to calls, then the best
read from their profiles. Baseline, in the same run: the directory benchmark's own
query (two facet filters, facet counts, four query texts) on the same backend, so the
ratio says what matching costs against one directory search.

Publishing: a fresh draft published (`do_publish_call`: the matches, 50 `call_match`
notifications, the audit entry, one transaction), timed from the call to its commit.

    DATABASE_URL=postgres://… MEILISEARCH_URL=… MEILISEARCH_API_KEY=… \\
        .venv/bin/python bench/calls_bench.py [--size small|full]

full = 100,000 profiles; small = 5,000. Needs a migrated empty database; without
MEILISEARCH_URL only the database backend is measured.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Figure,
    arg_parser,
    fmt,
    percentile,
    setup_django,
    summarize,
    table,
    write_section,
)

TARGET_P95_MS = {"database": 200.0, "meilisearch": 50.0}
TARGET_PUBLISH_S = 1.0
OPEN_SHARE = 10  # one profile in ten is open to calls
SAMPLES = 10  # per call shape and backend, per repeat
PUBLISHES = 5

CALLS: list[dict[str, Any]] = [
    # A mission: every criterion given.
    {
        "kind": "expertise_mission",
        "sectors": ["health"],
        "skills": ["cardiologue", "santé"],
        "languages": ["fr", "ar"],
        "countries": ["CA", "FR"],
    },
    # Mentoring in ICT, any country.
    {"kind": "mentoring", "sectors": ["ict"], "skills": ["logiciel", "data"], "languages": ["en"]},
    # Investors in energy: sector and engagement only.
    {"kind": "investment", "sectors": ["energy"]},
    # Lecturers: skills and a language, no sector.
    {"kind": "teaching", "skills": ["professeur", "formation", "chercheuse"], "languages": ["fr"]},
]


def open_to_calls(ids: list[int]) -> list[int]:
    """Every OPEN_SHARE-th profile open to calls, its database document rewritten."""
    from django.db import transaction

    from directory.models import Profile
    from directory.search import MEMBERS
    from search import registry
    from search.backends import database_backend

    chosen = ids[::OPEN_SHARE]
    kind = registry.get(MEMBERS)
    for start in range(0, len(chosen), 2000):
        batch = chosen[start : start + 2000]
        with transaction.atomic():
            Profile.objects.filter(user_id__in=batch).update(open_to_calls=True, years_experience=7)
            database_backend().write(kind, kind.build(batch))
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return chosen


def drafts(network: Any, poster: Any, n: int) -> list[Any]:
    from calls.actions import do_create_call
    from tests.factories.calls import call_body

    made = []
    for i in range(n):
        shape = CALLS[i % len(CALLS)]
        body = {**call_body(), "kind": shape["kind"]}
        for name in ("sectors", "skills", "languages", "countries"):
            body[name] = shape.get(name, [])
        made.append(do_create_call(poster, network, body))
    return made


def measure_matches(calls: list[Any], poster: Any, backend: str) -> list[float]:
    from calls.matching import best_matches

    samples = []
    for _ in range(SAMPLES):
        for call in calls:
            started = time.perf_counter()
            found = best_matches(call, poster, 20, backend=backend)
            samples.append(time.perf_counter() - started)
            assert found, call.kind
    return samples


def measure_publish(network: Any, poster: Any, backend: str) -> list[float]:
    from django.conf import settings

    from calls.actions import do_publish_call
    from notifications.models import Notification

    if backend == "database":
        settings.MEILISEARCH_URL = ""
    samples = []
    for call in drafts(network, poster, PUBLISHES):
        started = time.perf_counter()
        do_publish_call(poster, call)
        samples.append(time.perf_counter() - started)
        told = Notification.objects.filter(kind="call_match", target_id=call.pk).count()
        assert told == settings.CALL_MATCH_NOTIFY, told
    return samples


def main() -> None:
    parser = arg_parser(__doc__ or "")
    args = parser.parse_args()
    os.environ["SEARCH_INLINE_WORKER"] = "false"
    os.environ.setdefault("JOBS_ENGINE", "manual")
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from bench.search_directory import generate, index_meilisearch, measure_queries

    n = 100_000 if args.size == "full" else 5_000
    print(f"Generating {n:,} profiles…")
    network, ids = generate(n)
    opened = open_to_calls(ids)
    meili_url = settings.MEILISEARCH_URL
    backends = ["database"] + (["meilisearch"] if meili_url else [])
    if meili_url:
        print("Indexing into Meilisearch…")
        index_meilisearch(ids)
    poster = get_user_model().objects.get(username="bench-owner")
    calls = drafts(network, poster, len(CALLS))
    match = {b: Figure(f"matches p95, {b}", "ms") for b in backends}
    directory = {b: Figure(f"directory query p95, {b}", "ms") for b in backends}
    publish = {b: Figure(f"publish p95, {b}", "ms") for b in backends}
    for _ in range(args.repeats):
        for b in backends:
            settings.MEILISEARCH_URL = meili_url
            directory[b].runs.append(percentile(measure_queries(network, b, 5), 95) * 1000)
            match[b].runs.append(percentile(measure_matches(calls, poster, b), 95) * 1000)
            publish[b].runs.append(percentile(measure_publish(network, poster, b), 95) * 1000)
    settings.MEILISEARCH_URL = meili_url
    rows = []
    for b in backends:
        ratio = match[b].median / directory[b].median
        rows.append([b, match[b].cell(), directory[b].cell(), f"{fmt(ratio)} ×", publish[b].cell()])
        summarize(
            f"call matches p95 at {n:,} profiles ({len(opened):,} open to calls), {b}",
            match[b].cell(),
            ratio=f"{fmt(ratio)}× a directory query",
            target=f"≤ {fmt(TARGET_P95_MS[b])} ms",
            met=match[b].median <= TARGET_P95_MS[b],
        )
        summarize(
            f"publishing a call that tells its {settings.CALL_MATCH_NOTIFY} matches, {b}",
            publish[b].cell(),
            target=f"≤ {fmt(TARGET_PUBLISH_S * 1000)} ms",
            met=publish[b].median <= TARGET_PUBLISH_S * 1000,
        )
    body = (
        f"{n:,} generated profiles in one network (bench/search_directory.py's generator), "
        f"{len(opened):,} of them open to calls. Matches: 20 results for four calls of "
        "different shapes (a mission with sectors, skills, languages and countries; mentoring "
        "in ICT; investors in energy; lecturers by skills), asked by the network's owner, "
        f"{SAMPLES} times each per repeat; p95 per repeat, median of {args.repeats} repeats "
        "(min–max). Baseline: the directory benchmark's query on the same backend in the same "
        f"run (two facet filters, facet counts, four query texts). Publishing: {PUBLISHES} "
        f"fresh drafts per repeat, each telling its {settings.CALL_MATCH_NOTIFY} best matches "
        "(`do_publish_call`, to its commit). Targets: matches p95 ≤ 200 ms on the database "
        "(PostgreSQL), ≤ 50 ms on Meilisearch; publishing ≤ 1 s.\n\n"
        + table(["backend", "matches p95", "directory query p95", "ratio", "publish p95"], rows)
    )
    print(body)
    if not args.no_write:
        write_section("Call matching", body)


if __name__ == "__main__":
    main()
