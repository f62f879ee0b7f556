"""Notification fan-out: one meeting announced in a 50,000-member private network.

`do_notify` is given the network's memberships as a queryset: one INSERT … SELECT stores
a row for each of the 50,000 readers (the pending members among the candidates are
filtered out inside it, the actor too), and after commit the frames go only to the 500
members with an open socket, spread over 2 daphne processes on Redis, listened to by a
child process. Measured per round, taking turns with the baseline:

  - rows stored: from the call to the commit (readers filter, INSERT, commit);
  - the baseline: the same number of rows written by a plain `bulk_create` of
    `Notification` objects, ids already in hand (what one writes first), same run;
  - frame latency: commit → arrival at each of the connected members (p50, p99), and
    the time the frames took to send.

The notification table is emptied before each measurement, so every one starts alike.

    .venv/bin/python bench/notification_fanout.py [--size small|full]
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
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
from bench._servers import daphne, open_client
from tests._process import start_all

# (members, connected members, candidates who may not read: pending requests)
SIZES = {"small": (5_000, 100, 200), "full": (50_000, 500, 1_000)}
STORE_TARGET = 5.0
P99_TARGET = 1.0
FRAME_WAIT = 30.0

# --- the listening child process -----------------------------------------------------------


async def listen(spec: dict[str, Any]) -> None:
    """Connect every token's socket, say "ready", then for each `wait N` line on stdin
    answer with the (arrival time, notification id) of the next N notification frames."""
    urls, tokens = spec["urls"], spec["tokens"]
    arrivals: list[tuple[float, int]] = []
    gate = asyncio.Semaphore(25)

    async def connect(index: int) -> Any:
        async with gate:
            connection = await open_client(urls[index % len(urls)], tokens[index])
            await connection.send(json.dumps({"type": "ping"}))
            while '"pong"' not in await connection.recv():
                pass
            return connection

    async def receive(connection: Any) -> None:
        async for text in connection:
            if '"notification"' not in text:  # the presence news of the others, mostly
                continue
            now, frame = time.time(), json.loads(text)
            if frame["type"] == "notification":
                arrivals.append((now, frame["notification"]["id"]))

    sockets = await asyncio.gather(*(connect(i) for i in range(len(tokens))))
    listeners = [asyncio.ensure_future(receive(s)) for s in sockets]
    print("ready", flush=True)
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            expected = int(line.split()[1])
            deadline = time.monotonic() + FRAME_WAIT
            while len(arrivals) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            print(json.dumps(arrivals), flush=True)
            arrivals.clear()
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


# --- setup ---------------------------------------------------------------------------------


def make_network(members: int, connected: int, refused: int) -> tuple[Any, Any, list[int]]:
    """A private network of `members` active members (the owner included) written by
    PostgreSQL itself, with their read grants, and `refused` pending requesters."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from community.models import Membership, Network
    from permissions.roles import perms_for
    from tests.factories.networks import make_network as make

    User = get_user_model()
    owner = User.objects.create_user("bench-owner", "owner@example.org", "x")
    network = make(owner, slug="bench-meetings", visibility=Network.Visibility.PRIVATE)
    codenames = sorted(
        p.value for p in perms_for(Membership(role=Membership.Role.MEMBER, status="active"))
    )
    permission_ids = list(
        Permission.objects.filter(
            content_type__app_label="community", codename__in=codenames
        ).values_list("id", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            " SELECT 'bench-m' || g, '!', false, '', '', 'm' || g || '@example.org', false,"
            " true, now() FROM generate_series(1, %s) g",
            [members - 1 + refused],
        )
        cursor.execute(
            "INSERT INTO community_membership (user_id, network_id, role, status,"
            " join_message, ban_reason, created_at)"
            " SELECT u.id, %s, 'member',"
            " CASE WHEN row_number() OVER (ORDER BY u.id) <= %s THEN 'active' ELSE 'pending' END,"
            " '', '', now() FROM auth_user u WHERE u.username LIKE 'bench-m%%'",
            [network.pk, members - 1],
        )
        cursor.execute(
            "INSERT INTO permissions_networkuserobjectpermission"
            " (user_id, permission_id, content_object_id)"
            " SELECT m.user_id, p, m.network_id FROM community_membership m,"
            " unnest(%s::int[]) p WHERE m.network_id = %s AND m.status = 'active'"
            " AND m.user_id <> %s",
            [permission_ids, network.pk, owner.pk],
        )
        cursor.execute("ANALYZE")
    online = list(
        Membership.objects.filter(network=network, status="active")
        .exclude(user=owner)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:connected]
    )
    return owner, network, online


# --- one round -----------------------------------------------------------------------------


def empty_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")


def baseline(network: Any, owner: Any, recipient_ids: list[int], round_: int) -> float:
    """Seconds to bulk_create one Notification per recipient (ids in hand) and commit."""
    from django.db import transaction

    from notifications.models import Notification

    empty_table()
    started = time.perf_counter()
    with transaction.atomic():
        Notification.objects.bulk_create(
            Notification(
                recipient_id=uid,
                kind=Notification.Kind.MEETING_NEW,
                network=network,
                actor=owner,
                target_type="meeting",
                target_id=round_,
                data={"title": "Assemblée générale"},
            )
            for uid in recipient_ids
        )
    return time.perf_counter() - started


def fan_out(network: Any, owner: Any, round_: int) -> dict[str, float]:
    """do_notify over the memberships; the moments of call, commit and frames sent."""
    from django.db import transaction

    from community.models import Membership
    from notifications.actions import do_notify
    from notifications.models import Notification

    empty_table()
    moments: dict[str, float] = {}
    started = time.perf_counter()
    moments["called"] = time.time()
    with transaction.atomic():
        # Registered first, so it runs at the commit, before the push do_notify schedules.
        transaction.on_commit(lambda: moments.update(committed=time.time()))
        rows = do_notify(
            Membership.objects.filter(network=network).values("user_id"),
            Notification.Kind.MEETING_NEW,
            network=network,
            actor=owner,
            target=("meeting", round_),
            data={"title": "Assemblée générale"},
        )
        moments["rows"] = len(rows)
    moments["pushed"] = time.time()
    moments["elapsed"] = time.perf_counter() - started
    return moments


def warm_up(network: Any, owner: Any, online: list[int], child: Any) -> None:
    """One small untimed fan-out to the connected members: the process's first frames pay
    for its channel-layer connection, its presence script and its translations."""
    from django.db import transaction

    from notifications.actions import do_notify
    from notifications.models import Notification

    with transaction.atomic():
        do_notify(online, Notification.Kind.MEETING_NEW, network=network, actor=owner)
    child.stdin.write(f"wait {len(online)}\n")
    child.stdin.flush()
    child.stdout.readline()


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    if "--listen" in sys.argv:
        spec = Path(sys.argv[sys.argv.index("--listen") + 1]).read_text()
        asyncio.run(listen(json.loads(spec)))
        return
    args = arg_parser(__doc__.splitlines()[0]).parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    from accounts.tokens import issue_keys
    from community.models import Membership

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        sys.exit("bench/notification_fanout.py needs REDIS_URL and PostgreSQL (make bench)")
    settings.DEBUG = False  # as in production: no SQL log of a 50,000-row statement
    members, connected, refused = SIZES[args.size]
    built = time.perf_counter()
    owner, network, online = make_network(members, connected, refused)
    from django.contrib.auth import get_user_model

    tokens = issue_keys(list(get_user_model().objects.filter(pk__in=online).order_by("pk")))
    readers = list(
        Membership.objects.filter(network=network, status="active")
        .exclude(user=owner)
        .values_list("user_id", flat=True)
    )
    assert len(readers) == members - 1
    recipients = readers  # the owner announces: everyone else who may read
    print(f"  {members:,} members built in {time.perf_counter() - built:.1f} s", flush=True)
    connection.close()

    servers = [daphne("config.asgi:application", LOG_LEVEL="ERROR") for _ in range(2)]
    handle, spec = tempfile.mkstemp(suffix=".json")
    os.close(handle)
    runs: list[dict[str, Any]] = []
    child = None
    try:
        start_all(servers)
        Path(spec).write_text(json.dumps({"urls": [s.url for s in servers], "tokens": tokens}))
        opened = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, __file__, "--listen", spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            sys.exit("the listening clients did not connect")
        print(f"  {connected} sockets open in {time.perf_counter() - opened:.1f} s", flush=True)
        time.sleep(5 if args.size == "full" else 2)  # the presence news of 500 arrivals settles
        warm_up(network, owner, online, child)
        for round_ in range(1, args.repeats + 1):
            base = baseline(network, owner, recipients, round_)
            moments = fan_out(network, owner, round_)
            child.stdin.write(f"wait {connected}\n")
            child.stdin.flush()
            arrivals = json.loads(child.stdout.readline())
            stored = moments["committed"] - moments["called"]
            latencies = [at - moments["committed"] for at, _id in arrivals]
            run = {
                "stored": stored,
                "baseline": base,
                "rows": int(moments["rows"]),
                "sent": moments["pushed"] - moments["committed"],
                "frames": len(arrivals),
                "p50": percentile(latencies, 50),
                "p99": percentile(latencies, 99),
                "max": max(latencies, default=float("nan")),
            }
            runs.append(run)
            print(
                f"  run {round_}: {run['rows']:,} rows stored in {stored:.2f} s (baseline "
                f"{base:.2f} s), {run['frames']}/{connected} frames, p50 "
                f"{run['p50'] * 1000:.0f} ms p99 {run['p99'] * 1000:.0f} ms "
                f"(sent in {run['sent'] * 1000:.0f} ms)",
                flush=True,
            )
            connection.close()
    finally:
        if child is not None:
            child.stdin.close()  # type: ignore[union-attr]
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        for server in servers:
            server.stop()
        os.unlink(spec)
    report(runs, members, connected, refused, args)


def report(
    runs: list[dict[str, Any]], members: int, connected: int, refused: int, args: Any
) -> None:
    def figure(key: str, unit: str, scale: float = 1.0) -> Figure:
        return Figure(key, unit, [run[key] * scale for run in runs])

    stored, base = figure("stored", "s"), figure("baseline", "s")
    p50, p99 = figure("p50", "ms", 1000), figure("p99", "ms", 1000)
    sent = figure("sent", "ms", 1000)
    ratio = Figure("ratio", "×", [r["stored"] / r["baseline"] for r in runs])
    rows_ok = all(r["rows"] == members - 1 for r in runs)
    frames_ok = all(r["frames"] == connected for r in runs)
    load = os.getloadavg()[0]
    body = (
        f"A meeting announced in a private network of {members:,} members (the owner "  # noqa: S608 (prose)
        f"announces, so {members - 1:,} rows; {refused:,} pending requesters among the "
        "candidates get none): `do_notify` given the memberships as a queryset, one "
        "INSERT … SELECT … RETURNING with the readers filtered inside it; after commit, "
        f"frames only to the {connected} members with an open socket (presence: one Redis "
        "script call per 5,000 recipients; the unread counts of the online in one grouped "
        "query; the frames published in one pipeline) over 2 daphne processes on Redis, "
        "listened to by a child process, after one untimed warm-up fan-out. Baseline, "
        "same run, taking turns: the same rows by a plain "
        "`bulk_create` of `Notification` objects, the recipient ids already in hand. "
        f"The table is emptied before each measurement. {args.repeats} rounds (median, "
        f"min–max). Load average at the end: {load:.1f} (the machine is shared).\n\n"
        + table(
            ["figure", "value", "target"],
            [
                ["rows stored (call → commit)", stored.cell(), f"≤ {STORE_TARGET:.0f} s"],
                ["baseline: plain bulk_create", base.cell(), ""],
                ["rows stored ÷ baseline", ratio.cell(), ""],
                ["frames sent (commit → last sent)", sent.cell(), ""],
                [f"frame latency p50 (commit → arrival, {connected} sockets)", p50.cell(), ""],
                ["frame latency p99", p99.cell(), f"≤ {P99_TARGET * 1000:.0f} ms"],
                [
                    "rows / frames complete",
                    f"{'yes' if rows_ok else 'NO'} / {'yes' if frames_ok else 'NO'}",
                    "",
                ],
            ],
        )
        + "\n\nWhere the time went, measured while tuning (2026-12-03, the same machine "
        "shared with other work, load average ~8): of the INSERT … SELECT, PostgreSQL's JIT "
        "compiled the plan for 0.7 s of 2.3 s (its cost estimate passes `jit_above_cost`), "
        "so `do_notify` sets `jit = off` for its transaction; the recipient foreign key's own "
        "index, redundant with the two `(recipient, -id)` ones, cost 40 % of the insert "
        "node (1.48 s → 0.89 s median without it; migration `notifications/0002`); the "
        "three foreign keys' checks (recipient, network, actor: 50,000 each, deferred to "
        "the commit) are now the largest part, 1.5–4 s of it under that load; Python "
        "building the 50,000 returned rows went from 1.7 s (`Model.from_db`, the garbage "
        "collector running full passes) to 0.1 s. After commit: the presence of 50,000 "
        "recipients 0.6 s through MGET and redis-py, 0.15 s as one Redis script call per "
        "5,000 ids; 500 `group_send`s in a loop 0.45–0.75 s, one pipeline per shard "
        "0.1 s.\n\nRounds: "
        + "; ".join(
            f"{r['stored']:.2f} s vs {r['baseline']:.2f} s, {r['frames']} frames, "
            f"p99 {r['p99'] * 1000:.0f} ms"
            for r in runs
        )
    )
    print(body)
    if not args.no_write:
        write_section("Notifications — fan-out to a big network", body)
    summarize(
        f"notification fan-out: {members - 1:,} rows stored",
        stored.cell(),
        ratio=f"{fmt(ratio.median)} × plain bulk_create",
        target=f"≤ {STORE_TARGET:.0f} s",
        met=rows_ok and stored.median <= STORE_TARGET,
    )
    summarize(
        f"notification fan-out: frame p99 to {connected} connected",
        p99.cell(),
        target=f"≤ {P99_TARGET * 1000:.0f} ms",
        met=frames_ok and p99.median / 1000 <= P99_TARGET,
    )


if __name__ == "__main__":
    main()
