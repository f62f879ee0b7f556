"""Chat replay after a reconnect: 1,000 missed events in a room of 1,000,000, on PostgreSQL.

A client reconnects to a real daphne process and subscribes with the last seq it
saw; the time is from sending `subscribe` to holding the parsed `subscribed` frame
with its 1,000 events (target < 200 ms). Baseline, same run and same room: the same
subscribe with nothing missed. The room's events and messages are written by
PostgreSQL (generate_series), like a room that lived for years.

    .venv/bin/python bench/chat_replay.py [--size small|full]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
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
    write_section,
)
from bench._servers import daphne, open_client

SIZES = {"small": 100_000, "full": 1_000_000}
MISSED = 1_000
ROUNDS = 25
TEXTS = ["Salam 3likom", "Bonjour à tous, réunion jeudi", "مرحبا بالجميع في الشبكة"]
TARGET_MS = 200.0


def build_room(total: int) -> tuple[int, str]:
    """A public room holding `total` messages and events; returns (room id, a reader's token)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from accounts.tokens import issue_keys
    from chat.events import user_summary
    from chat.models import ReadMarker, Room
    from community.models import Network
    from tests.factories.chat import make_room
    from tests.factories.networks import make_network

    User = get_user_model()
    author = User.objects.create_user("bench-author", "author@example.org", "x")
    reader = User.objects.create_user("bench-reader", "reader@example.org", "x")
    network = make_network(author, slug="bench-replay", visibility=Network.Visibility.PUBLIC)
    room = make_room(network, name="Archive")
    started = time.perf_counter()
    # Written by PostgreSQL itself (generate_series): the same rows a Python loop and
    # COPY would write, in a fraction of the time.
    with connection.cursor() as cursor:
        params = {
            "room": room.pk,
            "author": author.pk,
            "summary": json.dumps(user_summary(author)),
            "created": timezone.now(),
            "created_iso": timezone.now().isoformat(),
            "total": total,
            "texts": TEXTS,
        }
        cursor.execute(
            """
            INSERT INTO chat_message
                (id, room_id, author_id, body, body_html, client_id, seq, created_at, deleted)
            SELECT g, %(room)s, %(author)s, body, '<p dir="auto">' || body || E'</p>\\n', '',
                   g, %(created)s, false
            FROM generate_series(1, %(total)s) AS g,
                 LATERAL (SELECT (%(texts)s::text[])[g %% 3 + 1] || ' #' || g AS body) AS t
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO chat_roomevent (room_id, seq, type, payload, message_id, created_at)
            SELECT %(room)s, m.seq, 'message.new', jsonb_build_object(
                'type', 'message.new', 'room', %(room)s::int, 'seq', m.seq,
                'message', jsonb_build_object(
                    'id', m.id, 'room', %(room)s::int, 'seq', m.seq, 'author', %(summary)s::jsonb,
                    'body', m.body, 'body_html', m.body_html, 'created_at', %(created_iso)s::text,
                    'edited_at', NULL, 'deleted', false, 'client_id', NULL, 'reply_to', NULL
                )
            ), m.id, m.created_at
            FROM chat_message AS m WHERE m.room_id = %(room)s
            """,
            params,
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('chat_message', 'id'), %s)", [total + 1]
        )
        cursor.execute("ANALYZE chat_message")
        cursor.execute("ANALYZE chat_roomevent")
    Room.objects.filter(pk=room.pk).update(seq=total)
    ReadMarker.objects.create(user=reader, room=room, last_read_seq=total - MISSED)
    print(f"  {total:,} messages and events written in {time.perf_counter() - started:.1f} s")
    return room.pk, issue_keys([reader])[0]


async def measure(url: str, token: str, room_id: int, after_seq: int) -> tuple[list[float], int]:
    connection = await open_client(url, token)
    samples, events = [], 0
    try:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            await connection.send(
                json.dumps({"type": "subscribe", "room": room_id, "after_seq": after_seq})
            )
            while True:
                frame = json.loads(await connection.recv())
                if frame["type"] == "subscribed":
                    break
            samples.append(time.perf_counter() - started)
            events = len(frame["events"])
            assert not frame["has_more"] or events == 1000
    finally:
        await connection.close()
    return samples, events


def main() -> None:
    args = arg_parser(__doc__.splitlines()[0]).parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/chat_replay.py needs a PostgreSQL DATABASE_URL (make bench)")
    total = SIZES[args.size]
    room_id, token = build_room(total)
    connection.close()
    # One reader replays 1,000 events 25 times a run: far past the production replay
    # budget (a few thousand a minute), which this benchmark is not about.
    server = daphne("config.asgi:application", CHAT_REPLAY_BUDGET="100000000 per minute")
    baseline = Figure("nothing missed", "ms")
    replay = Figure(f"{MISSED:,} missed", "ms")
    p95s = []
    try:
        server.start()
        for _ in range(args.repeats):  # taking turns, so both see the same machine
            empty, _ = asyncio.run(measure(server.url, token, room_id, total))
            missed, count = asyncio.run(measure(server.url, token, room_id, total - MISSED))
            assert count == MISSED, count
            baseline.runs.append(statistics.median(empty) * 1000)
            replay.runs.append(statistics.median(missed) * 1000)
            p95s.append(percentile(missed, 95) * 1000)
    finally:
        server.stop()
    rows = [
        ["subscribe, nothing missed (baseline)", baseline.cell(), "1.00 ×"],
        [
            f"subscribe, {MISSED:,} missed",
            f"{replay.cell()} (p95 {fmt(statistics.median(p95s))} ms)",
            f"{replay.median / baseline.median:.2f} ×",
        ],
    ]
    body = (
        f"Reconnect to a room of {total:,} events with the last {MISSED:,} missed; "
        f"median of {ROUNDS} subscribes per run, {args.repeats} runs (median, min–max), over a "
        "real socket to daphne on PostgreSQL "
        f"({'Redis' if settings.REDIS_URL else 'in-memory'} layer).\n\n"
        + table(["case", "time to `subscribed`", "vs baseline"], rows)
    )
    print(body)
    if not args.no_write:
        write_section("Chat — replay after reconnect", body)
    summarize(
        f"chat replay: {MISSED:,} missed events in a room of {total:,}, time to subscribed",
        replay.cell(),
        ratio=f"{replay.median / baseline.median:.2f} × nothing missed",
        target=f"< {TARGET_MS:.0f} ms",
        met=replay.median < TARGET_MS,
    )


if __name__ == "__main__":
    main()
