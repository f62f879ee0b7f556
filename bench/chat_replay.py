"""Chat replay after a reconnect: 1,000 missed events in a room of 1,000,000, on PostgreSQL.

A client reconnects to a real daphne process and subscribes with the last seq it
saw; the time is from sending `subscribe` to holding the parsed `subscribed` frame
with its 1,000 events (target < 200 ms). Baseline, same run and same room: the same
subscribe with nothing missed. The room's events and messages are written with
COPY, like a room that lived for years.

    .venv/bin/python bench/chat_replay.py [--size small|full]
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Figure, arg_parser, fmt, setup_django, summarize, table, write_section
from bench.chat_fanout import daphne, open_client

SIZES = {"small": 100_000, "full": 1_000_000}
MISSED = 1_000
ROUNDS = 25
CHUNK = 50_000
TARGET_MS = 200.0


def build_room(total: int) -> tuple[int, str]:
    """A public room holding `total` messages and events; returns (room id, a reader's token)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

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
    author_summary = user_summary(author)
    created = timezone.now().isoformat()
    texts = ["Salam 3likom", "Bonjour à tous, réunion jeudi", "مرحبا بالجميع في الشبكة"]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for first in range(1, total + 1, CHUNK):
            messages, events = io.StringIO(), io.StringIO()
            for seq in range(first, min(first + CHUNK, total + 1)):
                body = f"{texts[seq % 3]} #{seq}"
                html = f'<p dir="auto">{body}</p>\n'
                frame = {
                    "type": "message.new",
                    "room": room.pk,
                    "seq": seq,
                    "message": {
                        "id": seq,
                        "room": room.pk,
                        "seq": seq,
                        "author": author_summary,
                        "body": body,
                        "body_html": html,
                        "created_at": created,
                        "edited_at": None,
                        "deleted": False,
                        "client_id": None,
                        "reply_to": None,
                    },
                }
                messages.write(
                    f"{seq}\t{room.pk}\t{author.pk}\t{_tsv(body)}\t{_tsv(html)}\t\t{seq}\t"
                    f"{created}\tf\n"
                )
                payload = _tsv(json.dumps(frame, ensure_ascii=False))
                events.write(f"{room.pk}\t{seq}\tmessage.new\t{payload}\t{created}\n")
            with raw.copy(
                "COPY chat_message (id, room_id, author_id, body, body_html, client_id, seq, "
                "created_at, deleted) FROM STDIN"
            ) as copy:
                copy.write(messages.getvalue())
            with raw.copy(
                "COPY chat_roomevent (room_id, seq, type, payload, created_at) FROM STDIN"
            ) as copy:
                copy.write(events.getvalue())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('chat_message', 'id'), %s)", [total + 1]
        )
        cursor.execute("ANALYZE chat_message")
        cursor.execute("ANALYZE chat_roomevent")
    Room.objects.filter(pk=room.pk).update(seq=total)
    ReadMarker.objects.create(user=reader, room=room, last_read_seq=total - MISSED)
    print(f"  {total:,} messages and events written in {time.perf_counter() - started:.1f} s")
    return room.pk, Token.objects.create(user=reader, key=Token.generate_key()).key


def _tsv(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


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
    server = daphne("config.asgi:application").start()
    try:
        asyncio.run(server.ready())
        empty, _ = asyncio.run(measure(server.url, token, room_id, total))
        missed, count = asyncio.run(measure(server.url, token, room_id, total - MISSED))
    finally:
        server.stop()
    assert count == MISSED, count
    baseline = Figure("nothing missed", "ms", [statistics.median(empty) * 1000])
    replay = Figure("1,000 missed", "ms", [statistics.median(missed) * 1000])
    p95 = sorted(missed)[int(len(missed) * 0.95) - 1] * 1000
    rows = [
        ["subscribe, nothing missed (baseline)", fmt(baseline.median) + " ms", "1.00 ×"],
        [
            f"subscribe, {MISSED:,} missed",
            f"{fmt(replay.median)} ms (p95 {fmt(p95)} ms)",
            f"{replay.median / baseline.median:.2f} ×",
        ],
    ]
    body = (
        f"Reconnect to a room of {total:,} events with the last {MISSED:,} missed; "
        f"median of {ROUNDS} subscribes over a real socket to daphne on PostgreSQL "
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
