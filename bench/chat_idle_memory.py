"""Chat idle connections: server memory per idle websocket, Shabaka next to a bare consumer.

One daphne process, N sockets opened and left idle (authenticated by token for
Shabaka); memory per socket = (resident memory with N sockets − resident memory
with a handful) / N. Baseline in the same run, measured the same way: the bare
channels consumer of bench/_servers.py (it joins one group, like Shabaka joins
the user's group). For reference, a plain `websockets` server. Target: Shabaka
≤ 1.2 × the bare consumer.

    .venv/bin/python bench/chat_idle_memory.py [--size small|full]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Figure,
    arg_parser,
    fmt,
    setup_django,
    summarize,
    table,
    write_section,
)
from bench._servers import Server, daphne, open_client, plain_websockets

SIZES = {"small": 300, "full": 2_000}
WARM = 20
TARGET = 1.2


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def settle(pid: int) -> int:
    """Resident memory once it stops moving (the server finished handling the handshakes)."""
    last = -1
    for _ in range(40):
        await asyncio.sleep(0.5)
        now = rss_kib(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last


async def per_socket(server: Server, tokens: list[str | None]) -> tuple[float, int]:
    """KiB per idle socket between WARM and len(tokens) open sockets."""
    gate = asyncio.Semaphore(50)
    opened: list[Any] = []

    async def connect(token: str | None) -> None:
        async with gate:
            connection = await open_client(server.url, token)
            if token is not None:  # a Shabaka socket is ready once it answers a ping
                await connection.send(json.dumps({"type": "ping"}))
                while json.loads(await connection.recv())["type"] != "pong":
                    pass
            opened.append(connection)

    try:
        await asyncio.gather(*(connect(t) for t in tokens[:WARM]))
        before = await settle(server.pid)
        await asyncio.gather(*(connect(t) for t in tokens[WARM:]))
        after = await settle(server.pid)
    finally:
        await asyncio.gather(*(c.close() for c in opened), return_exceptions=True)
    return (after - before) / (len(tokens) - WARM), after


def make_tokens(count: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-idle{i}", email=f"idle{i}@example.org") for i in range(count)]
    )
    # Users who share no network: an idle socket then carries no presence traffic (2,000
    # members of one network coming online would be 2,000 × 2,000 presence frames).
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    return [t.key for t in tokens]


def run(server: Server, tokens: list[str | None]) -> tuple[float, int]:
    try:
        server.start()
        return asyncio.run(per_socket(server, tokens))
    finally:
        server.stop()


def main() -> None:
    args = arg_parser(__doc__.splitlines()[0]).parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    count = SIZES[args.size]
    tokens: list[str | None] = list(make_tokens(count))
    connection.close()
    quiet = {"LOG_LEVEL": "ERROR"}
    started = time.monotonic()
    shabaka, bare, ratios = Figure("Shabaka", "KiB"), Figure("bare", "KiB"), Figure("ratio", "×")
    for _ in range(args.repeats):  # taking turns, so both see the same machine
        kib, shabaka_rss = run(daphne("config.asgi:application", **quiet), tokens)
        shabaka.runs.append(kib)
        kib, bare_rss = run(daphne("bench._servers:bare_application", **quiet), [None] * count)
        bare.runs.append(kib)
        ratios.runs.append(shabaka.runs[-1] / bare.runs[-1] if bare.runs[-1] > 0 else float("inf"))
    plain, _ = run(plain_websockets(), [None] * count)
    layer = (
        "Redis " + settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
        if settings.REDIS_URL
        else "in-memory layer"
    )
    ratio = ratios.median
    rows = [
        [
            "Shabaka consumer (token auth, user group, hub)",
            shabaka.cell(),
            ratios.cell(),
            f"{shabaka_rss / 1024:.0f} MiB",
        ],
        [
            "bare channels consumer (one group) — baseline",
            bare.cell(),
            "1.00 ×",
            f"{bare_rss / 1024:.0f} MiB",
        ],
        [
            "plain websockets server (one run)",
            f"{fmt(plain)} KiB",
            f"{plain / bare.median:.2f} ×" if bare.median > 0 else "n/a",
            "",
        ],
    ]
    body = (
        f"{count:,} idle sockets on one process ({layer}); KiB of resident memory per socket "
        f"beyond the first {WARM}; Shabaka and the bare consumer take turns over "
        f"{args.repeats} runs (median, min–max; the ratio is the median of each run's ratio). "
        f"Measured in {time.monotonic() - started:.0f} s.\n\n"
        + table(["server", "per idle socket", "vs bare", f"RSS at {count:,} (last run)"], rows)
    )
    print(body)
    if not args.no_write:
        write_section("Chat — idle connections", body)
    summarize(
        f"chat memory per idle websocket at {count:,} sockets",
        shabaka.cell(),
        ratio=f"{ratios.cell()} bare channels consumer",
        target=f"≤ {TARGET} × bare",
        met=ratio <= TARGET,
    )


if __name__ == "__main__":
    main()
