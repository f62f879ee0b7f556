"""Forum reads at two sizes: does a page cost the same in a forum of 100× more posts?

Builds two private networks' forums in bulk, of 1,000 and of 100,000 posts, with the
same shape (a measured category and a measured topic that grow with the forum), and
measures, in process (Django test client, token auth, each network's owner reading),
four requests of 50 items each:

- the topic list of a category (first page, and a page from the middle by cursor),
- a topic's posts (first page, and a page from the middle by `?after=`).

The small forum is measured alone first (the baseline, on a database of 1,000
posts), then again taking turns with the large one, so both see the same load from
other processes. The ratio large / small is what the issue bounds: under 1.5
(keyset pagination on indexes: the cost does not depend on the size).

    DATABASE_URL=postgres://… .venv/bin/python bench/forums_bench.py [--size small|full]

PostgreSQL only. `--size small` builds 10,000 posts instead, for a quick look. The
bench's networks are deleted at the end, so it may run against any database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
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

BASELINE_POSTS = 1_000
SIZES = {"small": 10_000, "full": 100_000}
REQUESTS = 25
WARMUP = 3
PAGE = 50
TARGET = 1.5
AUTHORS = 40
BATCH = 5_000

BODIES = [
    "مرحبا بالجميع، أبحث عن **خبراء** في الطب عن بعد لمشروع في جهة سوس ماسة. "
    "من يرغب في المشاركة؟ 🙏",
    "Bonjour à toutes et à tous ! Je prépare un projet d'*agrivoltaïsme* près d'Agadir ; "
    "vos retours d'expérience avec le CRI sont les bienvenus.",
    "I run a cardiology practice in Montréal and can mentor two residents a month. "
    "See [the programme](https://example.org/mentoring) for details.",
    "Merci pour ce partage 👍 — شكرا جزيلا، سأتواصل معكم قريبا.",
]


@dataclass
class Shape:
    """How a forum of `total` posts is laid out; the measured parts grow with it."""

    total: int

    @property
    def topic_posts(self) -> int:  # the measured topic
        return self.total // 5

    @property
    def category_topics(self) -> int:  # the measured category, one post per topic
        return max(2 * PAGE + 10, self.total // 20)

    @property
    def other_topic_posts(self) -> int:  # posts per topic in the other categories
        return 20


_FORUM_IDS = itertools.count(1)


class Forum:
    """The bench network's forum, grown in bulk (no actions: speed, not behaviour)."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from community.actions.networks import do_create_network
        from community.forums import actions
        from community.models import Network
        from community.rendering import render_markdown
        from directory.models import Profile

        user_model = get_user_model()
        suffix = f"{os.getpid()}-{int(time.time())}-{next(_FORUM_IDS)}"
        self.owner = user_model.objects.create_user(f"bench-forums-owner-{suffix}")
        self.network = do_create_network(
            self.owner,
            name="Forum benchmark",
            slug=f"bench-forums-{suffix}"[:50],
            kind=Network.Kind.THEMATIC,
            theme="health",
            visibility=Network.Visibility.PRIVATE,
        )
        self.authors = user_model.objects.bulk_create(
            user_model(username=f"bench-forums-{suffix}-{i}", password="!") for i in range(AUTHORS)
        )
        Profile.objects.bulk_create(
            Profile(user=u, display_name=f"Auteur {i} · كاتب") for i, u in enumerate(self.authors)
        )
        self.html = [render_markdown(body) for body in BODIES]
        self.measured = actions.do_create_category(self.owner, self.network, name="Mesurée")
        self.others = [
            actions.do_create_category(self.owner, self.network, name=f"Autre {i}")
            for i in range(4)
        ]
        self.topic, _ = actions.do_create_topic(
            self.owner, self.measured, "Le sujet mesuré", BODIES[0]
        )
        self.clock = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.posts = 1
        self.category_topics = 1
        self.rotation = 0

    def _tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=7)
        return self.clock

    def _posts(self, topic_ids: list[int], per_topic: int) -> None:
        from community.forums.models import Post

        rows = []
        for topic_id in topic_ids:
            for _ in range(per_topic):
                self.rotation += 1
                rows.append(
                    Post(
                        topic_id=topic_id,
                        author=self.authors[self.rotation % AUTHORS],
                        body=BODIES[self.rotation % len(BODIES)],
                        body_html=self.html[self.rotation % len(BODIES)],
                        created_at=self._tick(),
                    )
                )
        for start in range(0, len(rows), BATCH):
            Post.objects.bulk_create(rows[start : start + BATCH])
        self.posts += len(rows)

    def _topics(self, category: Any, count: int, pinned: int = 0) -> list[int]:
        from community.forums.models import Topic

        topics = Topic.objects.bulk_create(
            (
                Topic(
                    network=self.network,
                    category=category,
                    author=self.authors[i % AUTHORS],
                    title=f"Sujet {i} — موضوع",
                    pinned=i < pinned,
                    created_at=self._tick(),
                    last_activity_at=self.clock,
                )
                for i in range(count)
            ),
            batch_size=BATCH,
        )
        return [t.pk for t in topics]

    def grow_to(self, shape: Shape) -> None:
        """Add posts until the forum has the shape's size, then fix the counters."""
        from django.db import connection

        new_category_topics = shape.category_topics - self.category_topics
        first_growth = self.posts == 1
        ids = self._topics(self.measured, new_category_topics, pinned=3 if first_growth else 0)
        self._posts(ids, 1)
        self.category_topics += new_category_topics
        # Replies to the measured topic, interleaved in time with the rest.
        self._posts([self.topic.pk], shape.topic_posts - self.topic_post_count())
        per = shape.other_topic_posts
        count = (shape.total - self.posts) // per
        for start in range(0, count, 500):
            category = self.others[(start // 500) % len(self.others)]
            self._posts(self._topics(category, min(500, count - start)), per)
        self._posts([self.topic.pk], shape.total - self.posts)
        with connection.cursor() as cursor:
            # Counters and last posts, as the actions would have left them.
            cursor.execute(
                "UPDATE forums_topic t SET post_count = s.n, last_post_id = s.last,"
                " last_activity_at = s.at FROM (SELECT topic_id, count(*) n, max(id) last,"
                " max(created_at) at FROM forums_post GROUP BY topic_id) s"
                " WHERE s.topic_id = t.id AND t.network_id = %s",
                [self.network.pk],
            )
            cursor.execute("ANALYZE")

    def topic_post_count(self) -> int:
        from community.forums.models import Post

        return Post.objects.filter(topic=self.topic).count()

    def delete(self) -> None:
        """Remove everything the bench made (posts and topics in bulk, by SQL: 100,000
        rows through Django's deletion collector would take longer than the bench)."""
        from django.contrib.auth import get_user_model
        from django.db import connection

        network = [self.network.pk]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE forums_topic SET last_post_id = NULL WHERE network_id = %s", network
            )
            for table in ("forums_reaction", "forums_mention", "forums_postrevision"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE post_id IN (SELECT p.id FROM forums_post p"  # noqa: S608
                    " JOIN forums_topic t ON t.id = p.topic_id WHERE t.network_id = %s)",
                    network,
                )
            cursor.execute(
                "DELETE FROM forums_post WHERE topic_id IN"
                " (SELECT id FROM forums_topic WHERE network_id = %s)",
                network,
            )
            cursor.execute("DELETE FROM forums_topic WHERE network_id = %s", network)
        self.network.delete()
        get_user_model().objects.filter(
            pk__in=[self.owner.pk, *[a.pk for a in self.authors]]
        ).delete()


def requests_for_names() -> list[str]:
    return [
        "topic list, first page",
        "topic list, middle page (cursor)",
        "post page, first",
        "post page, middle (?after=)",
    ]


def requests_for(forum: Forum) -> dict[str, str]:
    """The four measured requests, their middles taken at the current size."""
    from community.forums.models import Post, Topic
    from community.forums.queries import TOPIC_ORDER
    from core.pagination import encode_cursor

    topics = Topic.objects.filter(category=forum.measured, deleted=False).order_by(*TOPIC_ORDER)
    middle = topics[topics.count() // 2]
    cursor = encode_cursor([int(middle.pinned), middle.last_activity_at, middle.pk])
    post_ids = Post.objects.filter(topic=forum.topic).order_by("id").values_list("id", flat=True)
    after = post_ids[len(post_ids) // 2]
    base = f"/api/v1/networks/{forum.network.slug}/categories/{forum.measured.pk}/topics/"
    posts = f"/api/v1/topics/{forum.topic.pk}/posts/"
    urls = [
        f"{base}?limit={PAGE}",
        f"{base}?limit={PAGE}&cursor={cursor}",
        f"{posts}?limit={PAGE}",
        f"{posts}?limit={PAGE}&after={after}",
    ]
    return dict(zip(requests_for_names(), urls, strict=True))


INDEX_SCAN = re.compile(
    r"(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)(?: on (\w+))?"
)


def plan_of(captured: list[dict[str, str]]) -> str:
    """The index PostgreSQL scans for the page's own table (topics or posts), per EXPLAIN."""
    from django.db import connection

    page = [
        q["sql"]
        for q in captured
        if q["sql"].startswith(('SELECT "forums_topic"', 'SELECT "forums_post"'))
    ]
    if not page:
        return "?"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + page[-1])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    if os.environ.get("BENCH_PLANS"):
        print(page[-1], plan, sep="\n", end="\n\n")
    table = "forums_topic" if page[-1].startswith('SELECT "forums_topic"') else "forums_post"
    indexes = sorted({index for index, on in INDEX_SCAN.findall(plan) if on in (table, "")})
    return ", ".join(indexes) if indexes else f"no index on {table}"


@dataclass
class Result:
    """One request's figures in one forum, each with a value per repeat."""

    best: Figure
    p50: Figure
    queries: int = 0
    plan: str = ""


def _result() -> Result:
    return Result(Figure("best", "ms"), Figure("p50", "ms"))


class Caller:
    """Times GET requests in process, checking each returns a full page."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, url: str, token: str) -> float:
        start = time.perf_counter()
        response = self.client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == PAGE, url
        return elapsed * 1000

    def inspect(self, url: str, token: str, result: Result) -> None:
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            self.call(url, token)
        result.queries = len(ctx.captured_queries)
        result.plan = plan_of(ctx.captured_queries)


def record(result: Result, samples: list[float]) -> None:
    result.best.runs.append(min(samples))
    result.p50.runs.append(percentile(samples, 50))


def measure_alone(caller: Caller, forum: Forum, token: str, repeats: int) -> dict[str, Result]:
    """The small forum on its own database, before the large one exists."""
    results = {}
    for name, url in requests_for(forum).items():
        results[name] = _result()
        caller.inspect(url, token, results[name])
        for _ in range(repeats):
            for _ in range(WARMUP):
                caller.call(url, token)
            record(results[name], [caller.call(url, token) for _ in range(REQUESTS)])
    return results


def measure_paired(
    caller: Caller, small: tuple[Forum, str], large: tuple[Forum, str], repeats: int
) -> dict[str, tuple[Result, Result, Figure]]:
    """The same request on both forums, alternating call by call (small, large, large,
    small, …), so each pair runs under the same load; the ratio of a repeat is the
    median of its pairs' large / small ratios."""
    small_urls, large_urls = requests_for(small[0]), requests_for(large[0])
    results = {}
    for name in requests_for_names():
        pair = (_result(), _result(), Figure("ratio", "×"))
        caller.inspect(small_urls[name], small[1], pair[0])
        caller.inspect(large_urls[name], large[1], pair[1])
        for _ in range(repeats):
            for _ in range(WARMUP):
                caller.call(small_urls[name], small[1])
                caller.call(large_urls[name], large[1])
            small_times, large_times = [], []
            for i in range(REQUESTS):
                order = [
                    (small_urls[name], small[1], small_times),
                    (large_urls[name], large[1], large_times),
                ]
                for url, token, into in order if i % 2 == 0 else reversed(order):
                    into.append(caller.call(url, token))
            record(pair[0], small_times)
            record(pair[1], large_times)
            pair[2].runs.append(
                statistics.median(b / a for a, b in zip(small_times, large_times, strict=True))
            )
        results[name] = pair
    return results


def main() -> None:
    args = arg_parser(__doc__ or "").parse_args()
    setup_django()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.tokens import issue_keys

    if connection.vendor != "postgresql":
        sys.exit("forums_bench needs PostgreSQL: set DATABASE_URL (or run `make bench`).")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    big = SIZES[args.size]
    small, large = Forum(), Forum()
    try:
        caller = Caller(Client())
        small_token, large_token = issue_keys([small.owner, large.owner])
        cache.clear()

        small.grow_to(Shape(BASELINE_POSTS))
        print(f"built {small.posts:,} posts in {time.perf_counter() - started:.1f} s; measuring")
        alone = measure_alone(caller, small, small_token, args.repeats)

        grown = time.perf_counter()
        large.grow_to(Shape(big))
        print(f"built {large.posts:,} more in {time.perf_counter() - grown:.1f} s; measuring")
        paired = measure_paired(caller, (small, small_token), (large, large_token), args.repeats)
    finally:
        small.delete()
        large.delete()

    rows, worst = [], 0.0
    for name in requests_for_names():
        first = alone[name]
        small_result, large_result, paired_ratio = paired[name]
        ratio = large_result.best.median / small_result.best.median
        worst = max(worst, ratio)
        rows.append(
            [
                name,
                first.p50.cell(),
                small_result.p50.cell(),
                large_result.p50.cell(),
                small_result.best.cell(),
                large_result.best.cell(),
                f"**{fmt(ratio)}**",
                paired_ratio.cell().replace(" ×", ""),
                f"{small_result.queries} / {large_result.queries}",
                f"`{large_result.plan}`",
            ]
        )
    met = worst < TARGET
    body = (
        f"Two private networks' forums in one database: one of {BASELINE_POSTS:,} posts, one "
        f"of {big:,} (its measured category holds {Shape(big).category_topics:,} topics and "
        f"its measured topic {Shape(big).topic_posts:,} posts; the small forum has the same "
        f"shape at 1/{big // BASELINE_POSTS}). Pages of {PAGE} items, in process (Django "
        "test client, token auth, each network's owner reading). The small forum is "
        f"measured alone first, on a database of {BASELINE_POSTS:,} posts; then, once the "
        "large one is built, the same request alternates call by call between the two "
        "forums, so both see the same load from the other processes on this shared "
        f"machine. {REQUESTS} pairs × {args.repeats} repeats per request; figures are "
        "medians over repeats with min–max, server time per request in ms. *p50* is what "
        "a client saw; *best* is the fastest call of a repeat, the request's own cost with "
        "the least interference (what `timeit` reports, and the steadiest figure here). "
        "**Ratio** = best at the large size / best at the small size; *pairs* = the median "
        "of each alternating pair's large / small ratio (noisier, same conclusion). The "
        "index is what PostgreSQL's EXPLAIN shows for the page's own table in the large "
        "forum.\n\n"
        + table(
            [
                "request",
                f"p50, {BASELINE_POSTS:,} alone",
                f"p50, {BASELINE_POSTS:,}",
                f"p50, {big:,}",
                f"best, {BASELINE_POSTS:,}",
                f"best, {big:,}",
                "ratio",
                "pairs",
                "SQL queries",
                "index",
            ],
            rows,
        )
        + f"\n\nTarget: ratio under {TARGET} for every request — "
        + (f"met (worst {fmt(worst)})." if met else f"NOT met (worst {fmt(worst)}).")
        + f" Whole run: {time.perf_counter() - started:.0f} s."
    )
    print(body)
    if not args.no_write:
        write_section("Forums", body)
        summarize(
            f"forum pages (50 items) at {big:,} vs {BASELINE_POSTS:,} posts: worst ratio",
            fmt(worst),
            ratio=f"{fmt(worst)} × baseline",
            target=f"< {TARGET}",
            met=met,
        )
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
