"""Forum reads at two sizes: does a page cost the same on a network with 100× more posts?

Builds one network's forum in bulk to 1,000 posts (the baseline) and measures, in
process (Django test client, token auth, the network's owner as caller), four
requests of 50 items each:

- the topic list of a category (first page, and a page from the middle by cursor),
- a topic's posts (first page, and a page from the middle by `?after=`).

Then it grows the same forum to 100,000 posts (the measured category and topic grow
with it) and measures again. The ratio of the two medians is what the issue bounds:
it must stay under 1.5 (keyset pagination on indexes: cost independent of size).

    DATABASE_URL=postgres://… .venv/bin/python bench/forums_bench.py [--size small|full]

PostgreSQL only. `--size small` grows to 10,000 posts instead, for a quick look.
The bench's network is deleted at the end, so it may run against any database.
"""

from __future__ import annotations

import datetime as dt
import os
import re
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
    time_calls,
    write_section,
)

BASELINE_POSTS = 1_000
SIZES = {"small": 10_000, "full": 100_000}
REQUESTS = 30
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


class Forum:
    """The bench network's forum, grown in bulk (no actions: speed, not behaviour)."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from community.actions import do_create_network
        from community.forums import actions
        from community.models import Network
        from community.rendering import render_markdown
        from directory.models import Profile

        user_model = get_user_model()
        suffix = f"{os.getpid()}-{int(time.time())}"
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
        from django.contrib.auth import get_user_model

        from community.forums.models import Post, Topic

        Post.objects.filter(topic__network=self.network).delete()
        Topic.objects.filter(network=self.network).delete()
        self.network.delete()
        get_user_model().objects.filter(
            pk__in=[self.owner.pk, *[a.pk for a in self.authors]]
        ).delete()


def requests_for(forum: Forum) -> dict[str, str]:
    """The four measured requests, their middles taken at the current size."""
    from community.forums.models import Post, Topic
    from community.forums.queries import TOPIC_ORDER
    from config.pagination import encode_cursor

    topics = Topic.objects.filter(category=forum.measured, deleted=False).order_by(*TOPIC_ORDER)
    middle = topics[topics.count() // 2]
    cursor = encode_cursor([int(middle.pinned), middle.last_activity_at, middle.pk])
    post_ids = Post.objects.filter(topic=forum.topic).order_by("id").values_list("id", flat=True)
    after = post_ids[len(post_ids) // 2]
    base = f"/api/v1/networks/{forum.network.slug}/categories/{forum.measured.pk}/topics/"
    posts = f"/api/v1/topics/{forum.topic.pk}/posts/"
    return {
        "topic list, first page": f"{base}?limit={PAGE}",
        "topic list, middle page (cursor)": f"{base}?limit={PAGE}&cursor={cursor}",
        "post page, first": f"{posts}?limit={PAGE}",
        "post page, middle (?after=)": f"{posts}?limit={PAGE}&after={after}",
    }


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


def measure(
    client: Any, token: str, urls: dict[str, str], repeats: int
) -> dict[str, tuple[Figure, Figure, int, str]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    results: dict[str, tuple[Figure, Figure, int, str]] = {}
    for name, url in urls.items():

        def call(url: str = url) -> None:
            response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
            assert response.status_code == 200, response.content
            assert len(response.json()["results"]) == PAGE, url

        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            call()
        p50, p95 = Figure("p50", "ms"), Figure("p95", "ms")
        for _ in range(repeats):
            samples = time_calls(call, REQUESTS)
            p50.runs.append(percentile(samples, 50) * 1000)
            p95.runs.append(percentile(samples, 95) * 1000)
        results[name] = (p50, p95, len(ctx.captured_queries), plan_of(ctx.captured_queries))
    return results


def main() -> None:
    args = arg_parser(__doc__ or "").parse_args()
    setup_django()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    if connection.vendor != "postgresql":
        sys.exit("forums_bench needs PostgreSQL: set DATABASE_URL (or run `make bench`).")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    big = SIZES[args.size]
    forum = Forum()
    try:
        token = Token.objects.create(user=forum.owner).key
        client = Client()
        cache.clear()

        forum.grow_to(Shape(BASELINE_POSTS))
        print(f"built {forum.posts:,} posts in {time.perf_counter() - started:.1f} s; measuring")
        base = measure(client, token, requests_for(forum), args.repeats)

        grown = time.perf_counter()
        forum.grow_to(Shape(big))
        print(f"grew to {forum.posts:,} posts in {time.perf_counter() - grown:.1f} s; measuring")
        full = measure(client, token, requests_for(forum), args.repeats)
    finally:
        forum.delete()

    rows, worst = [], 0.0
    for name in base:
        b50, _b95, b_queries, _plan = base[name]
        f50, f95, f_queries, plan = full[name]
        ratio = f50.median / b50.median
        worst = max(worst, ratio)
        rows.append(
            [
                name,
                b50.cell(),
                f50.cell(),
                f95.cell(),
                f"{b_queries} / {f_queries}",
                f"`{plan}`",
                fmt(ratio),
            ]
        )
    met = worst < TARGET
    body = (
        f"One private network's forum, {BASELINE_POSTS:,} posts (baseline) then {big:,} "
        f"(the measured category holds {Shape(big).category_topics:,} topics and the measured "
        f"topic {Shape(big).topic_posts:,} posts at the larger size). Pages of {PAGE} items, "
        f"{REQUESTS} requests × {args.repeats} repeats per figure, in process (Django test "
        "client, token auth, the owner reading). Server time per request: median with "
        "min–max over repeats; the ratio compares the medians at both sizes. The index "
        "column is what PostgreSQL's EXPLAIN shows for the page query at the larger size.\n\n"
        + table(
            [
                "request",
                f"p50 at {BASELINE_POSTS:,}",
                f"p50 at {big:,}",
                f"p95 at {big:,}",
                "SQL queries",
                f"index at {big:,}",
                "ratio",
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
            f"forum pages at {big:,} vs {BASELINE_POSTS:,} posts: worst p50 ratio",
            fmt(worst),
            ratio=f"{fmt(worst)} × baseline",
            target=f"< {TARGET}",
            met=met,
        )
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
