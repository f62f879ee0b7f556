"""Permission cost: a user in 50 networks out of 5,000, with 1,000,000 rows in guardian's table.

Measures, in-process, the three things every client does first: the networks list
(GET /api/v1/networks/), a network's rooms list (GET /api/v1/networks/{slug}/rooms/)
and a websocket room subscription (subscribe → subscribed): SQL queries per request
(target ≤ 3 per request, token auth included; ≤ 2 per subscribe) and p50/p95 server
time. Every check reads guardian's table (the role's bundle plus an owner's overrides).
The baseline is the same requests, same user, same 5,000 networks and rooms,
measured in the same run before the permission table is filled with other users'
grants: the ratio says what a million grants cost. PostgreSQL only (run through `make bench`).

    .venv/bin/python bench/permissions_bench.py [--size small|full]
"""

from __future__ import annotations

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
    time_calls,
    write_section,
)
from tests._queries import AllQueries

SIZES = {"small": (500, 100_000), "full": (5_000, 1_000_000)}
MEMBER_OF = 50
REQUESTS = 100


def build_networks(count: int) -> list[int]:
    from django.contrib.auth import get_user_model

    from community.models import Network

    creator = get_user_model().objects.create_user("bench-creator")
    kinds = [Network.Kind.GEOGRAPHIC, Network.Kind.THEMATIC]
    visibilities = [
        Network.Visibility.PUBLIC,
        Network.Visibility.PRIVATE,
        Network.Visibility.HIDDEN,
    ]
    Network.objects.bulk_create(
        Network(
            name=f"Network {i:05d}",
            slug=f"bench-{i}",
            kind=kinds[i % 2],
            country="DE",
            theme="health",
            visibility=visibilities[i % 3],
            created_by=creator,
        )
        for i in range(count)
    )
    return list(Network.objects.order_by("id").values_list("id", flat=True))


def join(user, network_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    from community.models import Membership, Network
    from permissions.actions import do_sync_grants

    for network in Network.objects.filter(id__in=network_ids):
        membership = Membership.objects.create(user=user, network=network)
        do_sync_grants(membership)


MEMBERSHIPS = "community_membership"
GRANTS = "permissions_networkuserobjectpermission"
FULL = "_bench_full"  # suffix of the copies holding the other users' rows


def fill_grants(rows: int, network_ids: list[int]) -> int:
    """Copies of the membership and grant tables holding `rows` other users' grants.

    The copies (`…_bench_full`) start as the tables as they are (the bench user's own
    rows) and receive the fillers; `swap_tables` then exchanges them with the real ones
    by renaming (instant), so baseline and loaded runs can take turns on a noisy machine.
    """
    from django.db import connection

    per_user = MEMBER_OF * 2  # two permissions (read, participate) per membership
    users = rows // per_user
    lo, n = network_ids[0], len(network_ids)
    with connection.cursor() as cursor:
        for table in (MEMBERSHIPS, GRANTS):
            cursor.execute(f"CREATE TABLE {table}{FULL} (LIKE {table} INCLUDING ALL)")
            cursor.execute(f"INSERT INTO {table}{FULL} SELECT * FROM {table}")  # noqa: S608
        cursor.execute(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, email,"
            " is_staff, is_active, date_joined)"
            " SELECT 'filler-' || g, '!', false, '', '', '', false, true, now()"
            " FROM generate_series(1, %s) g",
            [users],
        )
        cursor.execute(
            f"INSERT INTO {MEMBERSHIPS}{FULL} (user_id, network_id, role, status, join_message,"  # noqa: S608
            " ban_reason, created_at)"
            " SELECT u.id, %s + ((u.id * 7919 + k * 104729) %% %s),"
            " 'member', 'active', '', '', now()"
            " FROM auth_user u CROSS JOIN generate_series(1, %s) k"
            " WHERE u.username LIKE 'filler-%%' ON CONFLICT DO NOTHING",
            [lo, n, MEMBER_OF],
        )
        cursor.execute(
            f"INSERT INTO {GRANTS}{FULL} (user_id, permission_id, content_object_id)"  # noqa: S608
            f" SELECT m.user_id, p.id, m.network_id FROM {MEMBERSHIPS}{FULL} m"
            " JOIN auth_user u ON u.id = m.user_id AND u.username LIKE 'filler-%%'"
            " CROSS JOIN auth_permission p"
            " WHERE p.codename IN ('read_network', 'participate_network') ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE")
        cursor.execute(f"SELECT count(*) FROM {GRANTS}{FULL}")  # noqa: S608
        return int(cursor.fetchone()[0])


def swap_tables() -> None:
    """Exchange the real membership and grant tables with their filled copies."""
    from django.core.cache import cache
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in (MEMBERSHIPS, GRANTS):
            cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_bench_swap")
            cursor.execute(f"ALTER TABLE {table}{FULL} RENAME TO {table}")
            cursor.execute(f"ALTER TABLE {table}_bench_swap RENAME TO {table}{FULL}")
    cache.clear()  # cached access sets were read from the other tables


def measure_http(client, token: str, path: str) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    """Seconds per request over REQUESTS requests, and the queries of one request."""

    def call() -> None:
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200, response.content

    call()
    with AllQueries() as queries:
        call()
    return time_calls(call, REQUESTS), queries.count


def measure_subscribe(token: str, rooms: list[int]) -> tuple[list[float], int]:
    """Subscribe → `subscribed` over one authenticated websocket, rotating over the user's
    rooms (each unsubscribed again, untimed), and the queries of one subscribe."""
    import asyncio

    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from config.asgi import application

    async def run() -> tuple[list[float], int]:
        ws = WebsocketCommunicator(
            application,
            "/ws/",
            headers=[
                (b"origin", settings.SITE_URL.encode()),
                (b"authorization", f"Token {token}".encode()),
            ],
        )
        connected, _ = await ws.connect(timeout=10)
        assert connected, "the websocket was refused"

        async def expect(kind: str) -> None:
            while (await ws.receive_json_from(timeout=10))["type"] != kind:
                pass

        async def subscribe(room: int) -> float:
            start = time.perf_counter()
            await ws.send_json_to({"type": "subscribe", "room": room})
            await expect("subscribed")
            elapsed = time.perf_counter() - start
            await ws.send_json_to({"type": "unsubscribe", "room": room})
            await expect("unsubscribed")
            return elapsed

        for room in rooms[:3]:  # warm-up
            await subscribe(room)
        with AllQueries() as queries:
            await ws.send_json_to({"type": "subscribe", "room": rooms[0]})
            await expect("subscribed")
        await ws.send_json_to({"type": "unsubscribe", "room": rooms[0]})
        await expect("unsubscribed")
        samples = [await subscribe(rooms[i % len(rooms)]) for i in range(REQUESTS)]
        await ws.disconnect()
        return samples, queries.count

    return asyncio.run(run())


def make_rooms(network_ids: list[int]) -> dict[int, int]:
    """One chat room in every network (the rooms table grows with the networks)."""
    from chat.models import Room

    Room.objects.bulk_create(
        Room(network_id=network_id, name="General", slug="general") for network_id in network_ids
    )
    return dict(Room.objects.values_list("network_id", "id"))


MEASURES = ["GET /api/v1/networks/", "GET /api/v1/networks/{slug}/rooms/", "websocket subscribe"]
TARGETS = {MEASURES[0]: 3, MEASURES[1]: 3, MEASURES[2]: 2}  # SQL queries at most


def run_measures(client, token: str, slugs: list[str], rooms: list[int]):  # type: ignore[no-untyped-def]
    """{measure: (p50 seconds, p95 seconds, queries)} of one run."""
    results = {}
    for name in MEASURES:
        if name == MEASURES[0]:
            samples, queries = measure_http(client, token, "/api/v1/networks/?limit=50")
        elif name == MEASURES[1]:
            samples, queries = measure_http(client, token, f"/api/v1/networks/{slugs[0]}/rooms/")
        else:
            samples, queries = measure_subscribe(token, rooms)
        results[name] = (percentile(samples, 50), percentile(samples, 95), queries)
    return results


def figures() -> dict[str, tuple[Figure, Figure, list[int]]]:
    return {name: (Figure("p50", "ms"), Figure("p95", "ms"), []) for name in MEASURES}


def record(into: dict[str, tuple[Figure, Figure, list[int]]], run: dict[str, Any]) -> None:
    for name, (p50, p95, queries) in run.items():
        into[name][0].runs.append(p50 * 1000)
        into[name][1].runs.append(p95 * 1000)
        into[name][2].append(queries)


def main() -> None:
    args = arg_parser(__doc__ or "").parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from accounts.tokens import issue_keys
    from community.models import Network

    if connection.vendor != "postgresql":
        sys.exit("permissions_bench needs PostgreSQL: run it through `make bench`.")
    networks, grant_rows = SIZES[args.size]
    network_ids = build_networks(networks)
    room_of = make_rooms(network_ids)
    user = get_user_model().objects.create_user("bench-user")
    mine = network_ids[:: len(network_ids) // MEMBER_OF][:MEMBER_OF]
    join(user, mine)
    slugs = list(Network.objects.filter(id__in=mine).order_by("id").values_list("slug", flat=True))
    rooms = [room_of[network_id] for network_id in mine]
    token = issue_keys([user])[0]
    client = Client()
    cache.clear()

    total_rows = fill_grants(grant_rows, network_ids)
    baseline, loaded = figures(), figures()
    for _ in range(args.repeats):  # taking turns, so both see the same machine
        record(baseline, run_measures(client, token, slugs, rooms))
        swap_tables()
        record(loaded, run_measures(client, token, slugs, rooms))
        swap_tables()

    rows = []
    for name in MEASURES:
        b50, b95, bq = baseline[name]
        f50, f95, fq = loaded[name]
        ratio = f95.median / b95.median
        rows.append(
            [f"{name} — baseline (own grants only)", max(bq), b50.cell(), b95.cell(), "1.00"]
        )
        rows.append(
            [f"{name} — {total_rows:,} guardian rows", max(fq), f50.cell(), f95.cell(), fmt(ratio)]
        )
    missed = [name for name in MEASURES if max(loaded[name][2]) > TARGETS[name]]
    body = (
        f"A user in {MEMBER_OF} of {networks:,} networks (one chat room each); "
        f"{REQUESTS} requests × {args.repeats} repeats per figure, in-process (Django test "
        "client and channels' WebsocketCommunicator on the real ASGI application, token "
        "auth, Redis channel layer). The websocket figure is subscribe → `subscribed` on an "
        "open socket, rotating over the user's 50 rooms. Baseline: the same requests with only "
        "the user's own memberships and grants; baseline and loaded runs take turns (the "
        "tables are swapped by renaming), so both see the same machine. SQL "
        "queries are those of one request (token lookup included), counted on every "
        "connection. Medians with min–max over repeats.\n\n"
        + table(["request", "SQL queries", "p50", "p95", "p95 ratio"], rows)
        + "\n\nTarget: at most 3 queries per request, 2 per subscribe — "
        + ("met." if not missed else f"NOT met ({', '.join(missed)}).")
    )
    print(body)
    if not args.no_write:
        write_section("Permission cost", body)
        for name in MEASURES:
            _, f95, fq = loaded[name]
            summarize(
                f"{name}: p95 (SQL queries), {total_rows:,} guardian rows",
                f"{f95.cell()} ({max(fq)} queries)",
                ratio=f"{fmt(f95.median / baseline[name][1].median)} × baseline",
                target=f"≤ {TARGETS[name]} queries",
                met=max(fq) <= TARGETS[name],
            )


if __name__ == "__main__":
    main()
