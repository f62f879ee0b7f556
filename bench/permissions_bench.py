"""Permission cost: a user in 50 networks out of 5,000, with 1,000,000 rows in guardian's table.

Measures GET /api/v1/networks/ (the list every client opens first) in-process: SQL
queries per request (target ≤ 3, token auth included) and p50/p95 server time. The
baseline is the same request, same user, same 5,000 networks, measured in the same
run before the permission table is filled with other users' grants: the ratio says
what a million grants cost. PostgreSQL only (run through `make bench`).

    .venv/bin/python bench/permissions_bench.py [--size small|full]
"""

from __future__ import annotations

import sys
from pathlib import Path

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

SIZES = {"small": (500, 100_000), "full": (5_000, 1_000_000)}
MEMBER_OF = 50
REQUESTS = 200


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


def fill_grants(rows: int, network_ids: list[int]) -> int:
    """Other users' grants: `rows` rows of guardian's table, memberships to match."""
    from django.db import connection

    per_user = MEMBER_OF * 2  # two permissions (read, participate) per membership
    users = rows // per_user
    lo, n = network_ids[0], len(network_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, email,"
            " is_staff, is_active, date_joined)"
            " SELECT 'filler-' || g, '!', false, '', '', '', false, true, now()"
            " FROM generate_series(1, %s) g",
            [users],
        )
        cursor.execute(
            "INSERT INTO community_membership (user_id, network_id, role, status, join_message,"
            " ban_reason, created_at)"
            " SELECT u.id, %s + ((u.id * 7919 + k * 104729) %% %s),"
            " 'member', 'active', '', '', now()"
            " FROM auth_user u CROSS JOIN generate_series(1, %s) k"
            " WHERE u.username LIKE 'filler-%%' ON CONFLICT DO NOTHING",
            [lo, n, MEMBER_OF],
        )
        cursor.execute(
            "INSERT INTO permissions_networkuserobjectpermission"
            " (user_id, permission_id, content_object_id)"
            " SELECT m.user_id, p.id, m.network_id FROM community_membership m"
            " JOIN auth_user u ON u.id = m.user_id AND u.username LIKE 'filler-%%'"
            " CROSS JOIN auth_permission p"
            " WHERE p.codename IN ('read_network', 'participate_network') ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM permissions_networkuserobjectpermission")
        return int(cursor.fetchone()[0])


def measure(client, token: str) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def call() -> None:
        response = client.get("/api/v1/networks/?limit=50", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200, response.content

    reset_queries()  # the request_started signal resets the log; start it empty
    with CaptureQueriesContext(connection) as ctx:
        call()
    return time_calls(call, REQUESTS), len(ctx.captured_queries)


def main() -> None:
    args = arg_parser(__doc__ or "").parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    if connection.vendor != "postgresql":
        sys.exit("permissions_bench needs PostgreSQL: run it through `make bench`.")
    networks, grant_rows = SIZES[args.size]
    network_ids = build_networks(networks)
    user = get_user_model().objects.create_user("bench-user")
    join(user, network_ids[:: len(network_ids) // MEMBER_OF][:MEMBER_OF])
    token = Token.objects.create(user=user).key
    client = Client()
    cache.clear()

    base_p50, base_p95, queries = Figure("baseline p50", "ms"), Figure("baseline p95", "ms"), 0
    for _ in range(args.repeats):
        samples, queries = measure(client, token)
        base_p50.runs.append(percentile(samples, 50) * 1000)
        base_p95.runs.append(percentile(samples, 95) * 1000)
    total_rows = fill_grants(grant_rows, network_ids)
    full_p50, full_p95, full_queries = Figure("p50", "ms"), Figure("p95", "ms"), 0
    for _ in range(args.repeats):
        samples, full_queries = measure(client, token)
        full_p50.runs.append(percentile(samples, 50) * 1000)
        full_p95.runs.append(percentile(samples, 95) * 1000)

    ratio = full_p95.median / base_p95.median
    rows = [
        [
            "GET /api/v1/networks/ — baseline (user's own grants only)",
            queries,
            base_p50.cell(),
            base_p95.cell(),
            "1.00",
        ],
        [
            f"GET /api/v1/networks/ — {total_rows:,} guardian rows",
            full_queries,
            full_p50.cell(),
            full_p95.cell(),
            fmt(ratio),
        ],
    ]
    body = (
        f"A user in {MEMBER_OF} of {networks:,} networks; "
        f"{REQUESTS} requests × {args.repeats} repeats, in-process "
        "(Django test client, token auth). Medians with min–max over repeats.\n\n"
        + table(["request", "SQL queries", "p50", "p95", "p95 ratio"], rows)
        + "\n\nTarget: at most 3 queries per request — "
        + ("met." if full_queries <= 3 else "NOT met.")
    )
    print(body)
    if not args.no_write:
        write_section("Permission cost", body)
        summarize(
            f"networks list, {total_rows:,} guardian rows: p95 (SQL queries)",
            f"{full_p95.cell()} ({full_queries} queries)",
            ratio=f"{fmt(ratio)} × baseline",
            target="≤ 3 queries",
            met=full_queries <= 3,
        )


if __name__ == "__main__":
    main()
