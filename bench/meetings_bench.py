"""Meetings at two sizes: does a network of 1,000 meetings and 100,000 RSVPs answer its
meetings list and its 90-day calendar feed as fast as a network of 10 meetings?

Builds two private networks in bulk in one database: a small one (10 meetings, 100
RSVPs) and a large one (1,000 meetings over three years, 100,000 RSVPs spread over them,
the reader going to some). Measures, in process (Django test client, a member reading):

- the meetings list of the next 90 days (`?to=`, soonest first, the reader's answers);
- the network's calendar feed (`calendar.ics?token=`: the last 30 days and the next 365).

Both networks hold the same 10 meetings in those windows; the large one's other 990 lie
outside them (a month to three years back, 400 days to three years ahead), so both
requests return the same number of meetings and only the size of the network differs.

Requests alternate call by call between the networks, so both see the same load from
the other processes on this shared machine; the ratio large / small of the fastest call
per repeat is what the issue bounds: at most 1.5.

    DATABASE_URL=postgres://… .venv/bin/python bench/meetings_bench.py [--size small|full]

PostgreSQL only. `--size small` builds 100 meetings and 10,000 RSVPs. The networks are
deleted at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Figure, arg_parser, fmt, setup_django, summarize, table, write_section

SIZES = {"small": (100, 10_000), "full": (1_000, 100_000)}
BASELINE = (10, 100)
WINDOW = 10  # meetings in the next 90 days, in either network: what both requests return
REQUESTS = 20
WARMUP = 3
TARGET = 1.5
PEOPLE = 2_000
BATCH = 5_000


class Network:
    """A private network with `meetings` spread from a year ago to two years ahead (the
    next 90 days holding their share), and `rsvps` answers over them."""

    def __init__(self, tag: str, meetings: int, rsvps: int, people: list[Any]) -> None:
        from community.actions.networks import do_create_network
        from community.models import Membership
        from community.models import Network as NetworkModel
        from meetings.models import Meeting, Rsvp
        from permissions.actions import do_sync_grants

        suffix = f"{tag}-{os.getpid()}-{int(time.time())}"
        self.owner = people[0]
        self.network = do_create_network(
            self.owner,
            name=f"Meetings benchmark {tag}",
            slug=f"bench-meetings-{suffix}"[:50],
            kind=NetworkModel.Kind.THEMATIC,
            theme="health",
            visibility=NetworkModel.Visibility.PRIVATE,
        )
        self.reader = people[1]
        membership = Membership.objects.create(
            user=self.reader, network=self.network, status=Membership.Status.ACTIVE
        )
        do_sync_grants(membership)
        now = dt.datetime.now(dt.UTC)
        made = Meeting.objects.bulk_create(
            (
                Meeting(
                    network=self.network,
                    organizer=self.owner,
                    title=f"Rencontre {i} · لقاء",
                    description="Échanges et projets · تبادل ومشاريع",
                    starts_at=when,
                    ends_at=when + dt.timedelta(hours=2),
                    timezone="Europe/Berlin",
                    city="Frankfurt am Main",
                    online_url="https://meet.example.org/bench",
                )
                for i, when in enumerate(_times(now, meetings))
            ),
            batch_size=BATCH,
        )
        per = max(1, rsvps // meetings)
        rows = [
            Rsvp(meeting=m, user=people[(i * 7 + j) % len(people)], status="going")
            for i, m in enumerate(made)
            for j in range(per)
        ]
        Rsvp.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        self.rsvps = Rsvp.objects.filter(meeting__network=self.network).count()
        self.meetings = meetings

    def delete(self) -> None:
        self.network.delete()


def _times(now: dt.datetime, meetings: int) -> list[dt.datetime]:
    """WINDOW meetings in the next 90 days, as in either network; the rest a month to three
    years back and 400 days to three years ahead, outside both requests' windows."""
    inside = [now + dt.timedelta(days=1 + 88 * i / WINDOW) for i in range(WINDOW)]
    rest = meetings - WINDOW
    past = [now - dt.timedelta(days=31 + 1000 * i / max(1, rest // 2)) for i in range(rest // 2)]
    ahead = [
        now + dt.timedelta(days=400 + 690 * i / max(1, rest - rest // 2))
        for i in range(rest - rest // 2)
    ]
    return inside + past + ahead


def build_people(n: int) -> list[Any]:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    tag = f"{os.getpid()}-{int(time.time())}"
    return model.objects.bulk_create(
        (model(username=f"bench-meet-{tag}-{i}", password="!") for i in range(n)),
        batch_size=BATCH,
    )


def timed(client: Any, url: str, token: str) -> float:
    start = time.perf_counter()
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed


def queries_of(client: Any, url: str, token: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        timed(client, url, token)
    return len(ctx.captured_queries)


def main() -> None:
    args = arg_parser(__doc__ or "").parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.tokens import issue_keys
    from meetings import feeds

    if connection.vendor != "postgresql":
        sys.exit("meetings_bench needs PostgreSQL: set DATABASE_URL (or run `make bench`).")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    meetings, rsvps = SIZES[args.size]
    people = build_people(PEOPLE)
    small = Network("small", *BASELINE, people)
    large = Network("large", meetings, rsvps, people)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.1f} s; measuring")
    client = Client()
    try:
        token = issue_keys([small.reader])[0]
        large_token = issue_keys([large.reader])[0]

        horizon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")

        def urls(net: Network, reader_token: str) -> dict[str, tuple[str, str]]:
            slug = net.network.slug
            feed_token = feeds.token_for(net.reader)
            return {
                "meetings list, the next 90 days": (
                    f"/api/v1/networks/{slug}/meetings/?limit=50&to={horizon}",
                    reader_token,
                ),
                "calendar feed (token)": (
                    f"/api/v1/networks/{slug}/calendar.ics?token={feed_token}",
                    "",
                ),
            }

        small_urls, large_urls = urls(small, token), urls(large, large_token)
        rows, worst = [], 0.0
        for name in small_urls:
            best_small, best_large, ratio = (
                Figure("best", "ms"),
                Figure("best", "ms"),
                Figure("ratio", "×"),
            )
            for _ in range(args.repeats):
                for _ in range(WARMUP):
                    timed(client, *small_urls[name])
                    timed(client, *large_urls[name])
                a, b = [], []
                for i in range(REQUESTS):
                    order = [(small_urls[name], a), (large_urls[name], b)]
                    for (url, tok), into in order if i % 2 == 0 else reversed(order):
                        into.append(timed(client, url, tok))
                best_small.runs.append(min(a))
                best_large.runs.append(min(b))
                ratio.runs.append(min(b) / min(a))
            value = statistics.median(ratio.runs)
            worst = max(worst, value)
            rows.append(
                [
                    name,
                    best_small.cell(),
                    best_large.cell(),
                    f"**{fmt(value)}**",
                    f"{queries_of(client, *small_urls[name])} / "
                    f"{queries_of(client, *large_urls[name])}",
                ]
            )
    finally:
        small.delete()
        large.delete()
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(pk__in=[p.pk for p in people]).delete()
    met = worst <= TARGET
    body = (
        f"Two private networks in one database: {BASELINE[0]} meetings with "
        f"{small.rsvps:,} RSVPs, and {large.meetings:,} meetings with {large.rsvps:,} RSVPs; "
        f"both hold the same {WINDOW} meetings in the next 90 days, the large one's others lie "
        "a month to three years back and 400 days to three years ahead, outside both "
        "requests' windows. In process (Django test client), a member "
        f"reading; the two networks alternate call by call, {REQUESTS} pairs × "
        f"{args.repeats} repeats; *best* is the fastest call of a repeat (ms, median over "
        "repeats with min–max), **ratio** = large / small.\n\n"
        + table(["request", "best, small", "best, large", "ratio", "SQL queries"], rows)
        + f"\n\nTarget: ratio at most {TARGET} — "
        + (f"met (worst {fmt(worst)})." if met else f"NOT met (worst {fmt(worst)}).")
        + f" Whole run: {time.perf_counter() - started:.0f} s."
    )
    print(body)
    if not args.no_write:
        write_section("Meetings", body)
        summarize(
            f"meetings list and feed at {large.meetings:,} meetings / {large.rsvps:,} RSVPs "
            f"vs {BASELINE[0]}: worst ratio",
            fmt(worst),
            ratio=f"{fmt(worst)} × baseline",
            target=f"≤ {TARGET}",
            met=met,
        )
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
