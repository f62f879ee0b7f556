"""Daily digests for 100,000 members in 10 networks, rendered and handed to an SMTP server.

Builds the members in bulk SQL (users with verified addresses, a profile each in
ar/fr/en, an active membership in one of 10 networks, email mode `daily`) and 20 new
topics per network, then runs the job code itself: `notifications.digest.send_due`
queues a `Mail` row per member in keyset batches, and the queued delivery jobs
(`mailer.outbox.deliver`) render every digest from its templates and send it over SMTP
to a real server, aiosmtpd in a child process. The delivery jobs run on one process per
core, as a Celery worker's prefork pool does, with DEBUG off as a worker runs. Reported:

- digests/s over both steps (target ≥ 200/s on 2 cores), and against a baseline
  measured in the same run: the same number of bare `send_mass_mail` messages to the
  same server (no database, no templates);
- peak RSS (resource.getrusage) of the job's process and of the delivery processes,
  after a run of a tenth of the members and after the full run: flat memory means the
  second is not ten times the first (no queryset of every member held in memory).

    DATABASE_URL=postgres://… .venv/bin/python bench/digests.py [--size small|full]

PostgreSQL only (run it through `make bench`). `--size small`: 5,000 members
(against 500). `bench/digests.py --sink PORT` is the SMTP server's child process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Figure, arg_parser, fmt, setup_django, summarize, table, write_section

SIZES = {"small": 5_000, "full": 100_000}
NETWORKS = 10
TOPICS = 20
TARGET = 200.0  # digests per second
# Delivery processes: a Celery worker's prefork pool as docs/operations.md sizes it, two
# per core (a delivery mostly waits: four SMTP round trips and a commit per mail, so a
# second process per core works while the first waits).
WORKERS = int(os.environ.get("BENCH_DIGEST_WORKERS", 2 * (os.cpu_count() or 2)))
LANGUAGES = ("ar", "fr", "en")


# --- the SMTP server (child process) ----------------------------------------------------


def serve_sink(port: int) -> None:
    """Accept every message, count them, keep nothing."""
    import signal

    from aiosmtpd.controller import Controller

    class Counting:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counting.received += 1
            return "250 2.0.0 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = False

    def on_term(*_: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    while not stop:
        time.sleep(0.2)
    controller.stop()
    print(f"received {Counting.received}", flush=True)


# --- data --------------------------------------------------------------------------------


def _defaults(model: Any, given: dict[str, str]) -> tuple[str, str]:
    """Columns and SQL expressions for every column of `model`: `given` ones, else the
    field's blank default (what `Model()` would store)."""
    from django.db import models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given:
            columns.append(field.column)
            values.append(given[field.column])
            continue
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.null:
            values.append("NULL")
        elif isinstance(field, models.JSONField):
            values.append(f"'{json.dumps(field.get_default())}'::jsonb")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        elif isinstance(field, models.BooleanField):
            values.append("true" if field.get_default() else "false")
        elif isinstance(field, models.IntegerField):
            values.append(str(field.get_default() or 0))
        else:
            values.append(f"'{field.get_default() or ''}'")
    return ", ".join(columns), ", ".join(values)


def build_networks() -> tuple[Any, list[int]]:
    """10 public networks with a category and 20 topics each, dated an hour ago."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from community.forums.models import Category, Topic
    from community.models import Network
    from directory.models import Profile

    author = get_user_model().objects.create_user("bench-author", "author@bench.example")
    Profile.objects.create(user=author, display_name="Amina Benali")
    networks = Network.objects.bulk_create(
        Network(
            name=f"Network {i}",
            slug=f"bench-{i}",
            kind=Network.Kind.THEMATIC,
            theme="health",
            visibility=Network.Visibility.PUBLIC,
            created_by=author,
        )
        for i in range(NETWORKS)
    )
    categories = Category.objects.bulk_create(
        Category(network=n, name="General", slug="general", created_by=author) for n in networks
    )
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Topic.objects.bulk_create(
        Topic(
            network=c.network,
            category=c,
            author=author,
            title=f"Topic {t} of {c.network.name}: يبحث عن خبراء · cherche des experts",
            created_at=an_hour_ago + dt.timedelta(seconds=t),
            last_activity_at=an_hour_ago + dt.timedelta(seconds=t),
            post_count=1,
        )
        for c in categories
        for t in range(TOPICS)
    )
    return author, [n.pk for n in networks]


def add_members(start: int, count: int, network_ids: list[int]) -> None:
    """Members `start` … `start + count - 1` in bulk SQL: verified, daily, one network each."""
    from django.db import connection

    from accounts.models import AccountKey
    from directory.models import Profile

    lo, n = network_ids[0], len(network_ids)
    span = [start, start + count - 1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM auth_user")
        before = int(cursor.fetchone()[0])
    profile_columns, profile_values = _defaults(
        Profile,
        {
            "user_id": "u.id",
            "display_name": "'Member ' || u.id",
            "ui_language": "(ARRAY['ar','fr','en'])[1 + u.id % 3]",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            " SELECT 'm' || g, '!', false, '', '', 'm' || g || '@bench.example', false, true, now()"
            " FROM generate_series(%s, %s) g",
            span,
        )
        members = f"FROM auth_user u WHERE u.id > {before:d}"
        cursor.execute(
            f"INSERT INTO {AccountKey._meta.db_table}"
            " (user_id, username_key, email_key, email_verified_key)"
            f" SELECT u.id, u.username, u.email, u.email {members}"
        )
        cursor.execute(
            f"INSERT INTO directory_profile ({profile_columns}) SELECT {profile_values} {members}"
        )
        cursor.execute(
            "INSERT INTO community_membership (user_id, network_id, role, status, join_message,"
            " ban_reason, created_at, joined_at)"
            f" SELECT u.id, %s + (u.id %% %s), 'member', 'active', '', '', now(), now() {members}",
            [lo, n],
        )
        cursor.execute(
            "INSERT INTO notifications_notificationsettings (user_id, email, kinds)"
            f" SELECT u.id, 'daily', '{{}}'::jsonb {members}"
        )
        cursor.execute("ANALYZE")


# --- measures ----------------------------------------------------------------------------


def peak_rss_mib() -> float:
    """The larger of this process's peak and its finished children's (the delivery pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run_digests(expected: int) -> float:
    """The daily digest job and the delivery jobs it queues; seconds taken."""
    from django.db import connection
    from django.utils import timezone

    from core import jobs
    from mailer.models import Mail
    from notifications import digest

    with connection.cursor() as cursor:  # not Mail.objects.delete(): it loads every row
        cursor.execute("DELETE FROM mailer_mail")
    start = time.perf_counter()
    queued = digest.send_due("daily", now=timezone.now())
    batches = [args[0] for name, args in jobs.pending() if name == "mailer.tasks.deliver"]
    jobs.clear()
    # The delivery jobs on WORKERS processes, as `celery -A config worker --concurrency`
    # runs them with its prefork pool: each forked child opens its own database connection.
    if WORKERS == 1:
        for batch in batches:
            _deliver(batch)
    else:
        connection.close()
        with multiprocessing.get_context("fork").Pool(WORKERS, initializer=_fresh) as pool:
            pool.map(_deliver, batches, chunksize=1)
    elapsed = time.perf_counter() - start
    sent = Mail.objects.filter(kind=digest.KIND, status=Mail.Status.SENT).count()
    if queued != expected or sent != expected:
        raise SystemExit(f"expected {expected} digests sent, queued {queued}, sent {sent}")
    return elapsed


def _fresh() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()


def _deliver(ids: list[int]) -> int:
    from mailer import outbox

    return outbox.deliver(ids)


def run_baseline(count: int) -> float:
    """`count` bare messages over send_mass_mail, in chunks of one connection each."""
    from django.core.mail import send_mass_mail

    start = time.perf_counter()
    for first in range(0, count, 200):
        send_mass_mail(
            [
                ("Digest", "New topics in your networks.", None, [f"m{i}@bench.example"])
                for i in range(first, min(count, first + 200))
            ]
        )
    return time.perf_counter() - start


def forget_digests() -> None:
    from notifications.models import NotificationSettings

    NotificationSettings.objects.update(daily_digest_at=None)


def main() -> None:
    parser = arg_parser(__doc__ or "")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    # One repeat by default: a full run is 100,000 digests (and as many baseline mails).
    parser.set_defaults(repeats=int(os.environ.get("BENCH_REPEATS", "1")))
    args = parser.parse_args()
    if args.sink:
        serve_sink(args.sink)
        return
    setup_django()
    from django.conf import settings
    from django.db import connection

    # A worker runs with DEBUG off: no query log, templates without debug annotations.
    settings.DEBUG = False
    from tests._process import ChildProcess

    if connection.vendor != "postgresql":
        sys.exit("bench/digests.py needs PostgreSQL: run it through `make bench`.")
    members = int(os.environ.get("BENCH_DIGEST_MEMBERS", SIZES[args.size]))
    reference = members // 10
    script = str(Path(__file__).resolve())
    sink = ChildProcess("smtp-sink", [sys.executable, script, "--sink", "{port}"]).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.JOBS_ENGINE = "manual"  # this process runs the queued jobs itself
    try:
        _author, network_ids = build_networks()
        started = time.perf_counter()
        add_members(0, reference, network_ids)
        run_digests(reference)
        small_rss = peak_rss_mib()
        add_members(reference, members - reference, network_ids)
        built = time.perf_counter() - started
        forget_digests()
        rate, baseline = Figure("digests/s", "/s"), Figure("send_mass_mail", "/s")
        for _ in range(max(1, args.repeats)):
            rate.runs.append(members / run_digests(members))
            forget_digests()
            # A rate: a fifth of the messages measures it as well as all of them.
            sample = max(1, min(members, 20_000))
            baseline.runs.append(sample / run_baseline(sample))
        full_rss = peak_rss_mib()
    finally:
        sink.stop()
    ratio = rate.median / baseline.median
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    rss_ratio = full_rss / small_rss
    rows = [
        [f"daily digest, {members:,} members (job → render → SMTP)", rate.cell(), fmt(ratio)],
        [
            f"baseline: {min(members, 20_000):,} bare send_mass_mail messages",
            baseline.cell(),
            "1.00",
        ],
    ]
    memory = [
        [f"after {reference:,} digests", f"{fmt(small_rss)} MiB"],
        [f"after {members:,} digests (× {max(1, args.repeats)})", f"{fmt(full_rss)} MiB"],
    ]
    body = (
        f"{members:,} members in {NETWORKS} networks ({TOPICS} new topics each), every one "
        "in `daily` mode with a verified address and an ar/fr/en profile; data built in bulk "
        f"SQL ({fmt(built)} s). One run is the digest job (`notifications.digest.send_due`: "
        "keyset batches of members, a Mail row each) and the delivery jobs it queues "
        "(`mailer.outbox.deliver`: claim, render the text and HTML parts from templates "
        "in the member's language, send over one SMTP connection per 200) on "
        f"{WORKERS} processes (a Celery worker's prefork pool, two per core as "
        "docs/operations.md sizes it, DEBUG off), "
        "to aiosmtpd in a child process. Baseline, in the same run: the same number of "
        "bare `send_mass_mail` messages to the same server, from one process. Medians "
        "with min–max over "
        f"{max(1, args.repeats)} repeats; load average {load} when it ended (the "
        "machine is shared). Each digest costs the outbox one UPDATE (marking it sent as "
        "soon as the server accepted it, durable) and four SMTP round trips; per batch of "
        "200, the claim reads the rows and their users, and the digest's prefetch their "
        "address keys and their networks with their modes, in one statement each; the "
        "topics of a network in a window are read once a minute at most, and its block "
        "is rendered once per language.\n\n"
        + table(["run", "rate", "ratio"], rows)
        + "\n\nPeak RSS of the job's process or a delivery process, whichever is larger "
        "(getrusage), flat if the full run does not hold "
        "its members in memory:\n\n"
        + table(["when", "peak RSS"], memory)
        + f"\n\nRSS ratio full / tenth: {fmt(rss_ratio)}. Target ≥ {TARGET:.0f} digests/s — "
        + ("met." if rate.median >= TARGET else "NOT met.")
    )
    print(body)
    if not args.no_write:
        write_section("Daily digests", body)
        summarize(
            f"daily digests, {members:,} members: rate (peak RSS)",
            f"{rate.cell()} ({fmt(full_rss)} MiB; {fmt(small_rss)} MiB at {reference:,})",
            ratio=f"{fmt(ratio)} × send_mass_mail",
            target=f"≥ {TARGET:.0f}/s, flat memory",
            met=rate.median >= TARGET and rss_ratio < 1.5,
        )


if __name__ == "__main__":
    main()
