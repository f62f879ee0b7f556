"""Chat fan-out capacity: one room, many websocket receivers over 2 processes on Redis.

The send rate rises step by step; a step passes when send→receive p99 stays at or
under 250 ms with no seq gap and no lost frame. Capacity = the highest passing
deliveries per second (messages/s × receivers). Measured side by side, same run:

  (a) Shabaka's full path: auth, permission, persistence, seq, Markdown, the hub's
      serialize-once local fan-out — with the pub/sub layer (default) and the list layer;
  (b) a bare channels consumer that group_sends the same frame through
      RedisChannelLayer — what a Django developer writes first (the baseline);
  (c) a plain `websockets` server broadcasting the same frames (one process) — the floor.

Loopback only, every process started and stopped here, every step bounded.

    .venv/bin/python bench/chat_fanout.py [--size small|full]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
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
from bench._servers import Server, daphne, open_client, plain_websockets
from tests._process import start_all

P99_LIMIT = 0.250
STEP_SECONDS = 3.0
DRAIN_SECONDS = 2.0
WARMUP_MESSAGES = 20
SENDERS = 4
SIZES = {"small": 100, "full": 500}
# Target deliveries per second, step by step (stops at the first failing step).
SHABAKA = "(a) Shabaka, pub/sub layer"  # the default configuration
BARE = "(b) bare channels + RedisChannelLayer"  # the baseline
FLOOR = "(c) plain websockets, 1 process"
COMPARED = {SHABAKA, BARE}  # repeated; the others run once, for reference
STEPS = [250, 500, 1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000, 16_000, 24_000, 32_000]


# --- the load ----------------------------------------------------------------------------


@dataclass
class Kind:
    name: str
    servers: list[Server]
    shabaka: bool  # speaks Shabaka frames (auth, subscribe, message.send)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class Receiver:
    latencies: list[float] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)


async def run_kind(kind: Kind, tokens: list[str], sender_token: str, room_id: int) -> dict:
    """Connect the receivers, then raise the rate until a step fails."""
    receivers = [Receiver() for _ in tokens]
    sockets: list[Any] = []
    gate = asyncio.Semaphore(50)

    async def connect(index: int) -> Any:
        async with gate:
            server = kind.servers[index % len(kind.servers)]
            connection = await open_client(server.url, tokens[index] if kind.shabaka else None)
            if kind.shabaka:
                await connection.send(json.dumps({"type": "subscribe", "room": room_id}))
                while json.loads(await connection.recv())["type"] != "subscribed":
                    pass
            return connection

    sockets = list(await asyncio.gather(*(connect(i) for i in range(len(tokens)))))

    async def listen(connection: Any, receiver: Receiver) -> None:
        async for text in connection:
            now = time.time()
            frame = json.loads(text)
            if frame.get("type") != "message.new":
                continue
            receiver.latencies.append(now - float(frame["message"]["body"]))
            receiver.seqs.append(int(frame["seq"]))

    listeners = [
        asyncio.ensure_future(listen(s, r)) for s, r in zip(sockets, receivers, strict=True)
    ]
    # Several people post in the busy room, on both processes: one socket's frames are
    # handled one after the other, so a single sender would measure the send path.
    senders = [
        await open_client(
            kind.servers[i % len(kind.servers)].url, sender_token if kind.shabaka else None
        )
        for i in range(SENDERS)
    ]
    errors: list[dict[str, Any]] = []
    drains = [asyncio.ensure_future(_drain(sender, errors)) for sender in senders]
    results = []
    seq = 0
    try:
        # Warm up (connections, caches, the database's plans), then start from a clean slate.
        for _ in range(WARMUP_MESSAGES):
            seq += 1
            await senders[seq % SENDERS].send(json.dumps(_frame(kind, room_id, seq)))
            await asyncio.sleep(0.05)
        await _until(lambda: all(len(r.seqs) >= WARMUP_MESSAGES for r in receivers), 10)
        if errors or any(len(r.seqs) < WARMUP_MESSAGES for r in receivers):
            logs = "\n".join(server.log()[-2000:] for server in kind.servers)
            print(f"  {kind.name}: warm-up incomplete; errors {errors[:3]}\n{logs}", flush=True)
        for deliveries in STEPS:
            rate = deliveries / len(tokens)
            count = max(3, round(rate * STEP_SECONDS))
            for receiver in receivers:
                receiver.latencies.clear()
                receiver.seqs.clear()
            started = time.monotonic()
            for n in range(count):
                seq += 1
                await _pace(started, n, rate)
                await senders[n % SENDERS].send(json.dumps(_frame(kind, room_id, seq)))
            await _until(lambda c=count: all(len(r.seqs) >= c for r in receivers), DRAIN_SECONDS)
            latencies = [x for r in receivers for x in r.latencies]
            lost = sum(count - len(r.seqs) for r in receivers)
            gaps = sum(1 for r in receivers if not _complete(r.seqs, ordered=kind.shabaka))
            p99 = percentile(latencies, 99) if latencies else float("inf")
            passed = p99 <= P99_LIMIT and lost == 0 and gaps == 0
            results.append((deliveries, rate, p99, lost, gaps, passed))
            verdict = "ok" if passed else "FAIL"
            print(
                f"  {kind.name}: {deliveries:>6}/s ({rate:.1f} msg/s) p99 {p99 * 1000:.0f} ms "
                f"lost {lost} gaps {gaps} {verdict}",
                flush=True,
            )
            if not passed:
                break
            await asyncio.sleep(0.5)
    finally:
        for task in [*drains, *listeners]:
            task.cancel()
        await asyncio.gather(*(s.close() for s in [*sockets, *senders]), return_exceptions=True)
    capacity = max((r[0] for r in results if r[5]), default=0)
    return {"capacity": capacity, "steps": results}


def _frame(kind: Kind, room_id: int, seq: int) -> dict[str, Any]:
    body = f"{time.time():.6f}"
    if kind.shabaka:
        # client_id is unique per run: a repeated one would be an idempotent no-op.
        client_id = f"{kind.run_id}-{seq}"
        return {"type": "message.send", "room": room_id, "body": body, "client_id": client_id}
    # The same shape and size as Shabaka's message.new frame.
    return {
        "type": "message.new",
        "room": room_id,
        "seq": seq,
        "message": {
            "id": seq,
            "room": room_id,
            "seq": seq,
            "author": {"id": 1, "username": "sender", "display_name": "Sender"},
            "body": body,
            "body_html": f'<p dir="auto">{body}</p>\n',
            "created_at": "2026-01-01T00:00:00+00:00",
            "edited_at": None,
            "deleted": False,
            "client_id": f"b{seq}",
            "reply_to": None,
        },
    }


def _complete(seqs: list[int], *, ordered: bool) -> bool:
    """Consecutive seqs, nothing missing or repeated; Shabaka also promises their order.

    (b) and (c) number frames per sender, so across several senders only the set counts.
    """
    if not seqs:
        return True
    expected = list(range(min(seqs), min(seqs) + len(seqs)))
    return seqs == expected if ordered else sorted(seqs) == expected


async def _until(condition: Any, wait: float) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not condition():  # noqa: ASYNC110 - polls counters
        await asyncio.sleep(0.05)


async def _pace(started: float, n: int, rate: float) -> None:
    delay = started + n / rate - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def _drain(connection: Any, errors: list[dict[str, Any]]) -> None:
    async for text in connection:
        if '"error"' in text:
            errors.append(json.loads(text))


# --- setup and report ---------------------------------------------------------------------


def make_fixtures(receivers: int) -> tuple[list[str], str, int]:
    from django.contrib.auth import get_user_model

    from accounts.tokens import issue_keys
    from community.models import Network
    from tests.factories.chat import make_room
    from tests.factories.networks import make_network

    User = get_user_model()
    owner = User.objects.create_user("bench-sender", "sender@example.org", "x")
    network = make_network(owner, slug="bench-fanout", visibility=Network.Visibility.PUBLIC)
    room = make_room(network, name="Fan-out")
    users = User.objects.bulk_create(
        [User(username=f"bench-r{i}", email=f"r{i}@example.org") for i in range(receivers)]
    )
    return issue_keys(users), issue_keys([owner])[0], room.pk


def main() -> None:
    args = arg_parser(__doc__.splitlines()[0]).parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        sys.exit("bench/chat_fanout.py needs REDIS_URL and a PostgreSQL DATABASE_URL (make bench)")
    receivers = SIZES[args.size]
    tokens, sender, room_id = make_fixtures(receivers)
    connection.close()
    fast = {"CHAT_RATE_BURST": "1000000", "CHAT_RATE_PER_SECOND": "1000000", "LOG_LEVEL": "ERROR"}
    kinds = [
        (
            SHABAKA,
            lambda: [
                daphne("config.asgi:application", CHANNEL_LAYER="pubsub", **fast) for _ in range(2)
            ],
            True,
        ),
        (
            "(a) Shabaka, list layer",
            lambda: [
                daphne("config.asgi:application", CHANNEL_LAYER="list", **fast) for _ in range(2)
            ],
            True,
        ),
        (
            BARE,
            lambda: [daphne("bench._servers:bare_application", **fast) for _ in range(2)],
            False,
        ),
        (
            FLOOR,
            lambda: [plain_websockets()],
            False,
        ),
    ]
    outcome: dict[str, list[dict]] = {}
    only = os.environ.get("BENCH_ONLY")  # run one kind while tuning
    base_prefix = os.environ.get("CHANNEL_PREFIX", "bench")
    for round_ in range(args.repeats):
        for index, (name, build, shabaka) in enumerate(kinds):
            if (only and only not in name) or (round_ and name not in COMPARED):
                continue
            # A fresh channel prefix per server kind and round: nothing left in Redis by
            # an earlier one.
            os.environ["CHANNEL_PREFIX"] = f"{base_prefix}-{index}-{round_}-{os.getpid()}"
            servers = build()
            try:
                start_all(servers)
                print(f"== {name}, run {round_ + 1}", flush=True)
                outcome.setdefault(name, []).append(
                    asyncio.run(run_kind(Kind(name, servers, shabaka), tokens, sender, room_id))
                )
            finally:
                for server in servers:
                    server.stop()
    report(outcome, receivers, args)


def _versus(capacity: int, baseline: int) -> str:
    """capacity / baseline; a baseline that failed its first step is below STEPS[0]."""
    if baseline:
        return f"{capacity / baseline:.2f} ×"
    return f"> {capacity / STEPS[0]:.0f} ×" if capacity else "n/a"


def _capacity(runs: list[dict]) -> Figure:
    return Figure("capacity", "/s", [float(run["capacity"]) for run in runs])


def _capacity_cell(figure: Figure) -> str:
    if not figure.median:
        return f"< {STEPS[0]:,}/s"
    cell = f"{figure.median:,.0f}/s"
    if len(figure.runs) > 1:
        cell += f" ({min(figure.runs):,.0f}–{max(figure.runs):,.0f})"
    return cell


def report(outcome: dict[str, list[dict]], receivers: int, args: Any) -> None:
    capacity = {name: _capacity(runs) for name, runs in outcome.items()}
    empty = Figure("capacity", "/s", [0.0])
    bare = int(capacity.get(BARE, empty).median)
    floor = int(capacity.get(FLOOR, empty).median)
    rows = []
    for name, runs in outcome.items():
        p99s = [[s for s in run["steps"] if s[5]][-1][2] * 1000 for run in runs if run["capacity"]]
        median = int(capacity[name].median)
        rows.append(
            [
                name,
                _capacity_cell(capacity[name]),
                f"{fmt(statistics.median(p99s))} ms" if p99s else "n/a",
                _versus(median, bare),
                _versus(median, floor),
            ]
        )
    best = int(capacity.get(SHABAKA, empty).median)
    body = (
        f"One room, {receivers} websocket receivers split over 2 daphne processes on Redis "
        f"((c): one process), rate raised by steps of {STEP_SECONDS:.0f} s; capacity = highest "
        f"deliveries/s with p99 ≤ 250 ms, no seq gap, no loss; {SENDERS} sender sockets "
        "spread over the processes. Load generator on the same machine. A capacity below "
        f"the first step ({STEPS[0]:,}/s) means one message could not reach every socket "
        "within 250 ms: the per-socket cost of a fan-out, whatever the rate. The compared "
        f"pair, {SHABAKA} and {BARE}, runs {args.repeats} times taking turns (median, "
        "min–max); the others once, for reference.\n\n"
        + table(["server", "capacity", "p99 at capacity", "vs (b)", "vs (c)"], rows)
        + "\n\nSteps (deliveries/s → p99 / lost / gaps):\n\n"
        + "\n".join(
            f"- {name}, run {number}: "
            + ", ".join(f"{s[0]:,} → {s[2] * 1000:.0f} ms/{s[3]}/{s[4]}" for s in run["steps"])
            for name, runs in outcome.items()
            for number, run in enumerate(runs, 1)
        )
    )
    print(body)
    if not args.no_write:
        write_section("Chat — fan-out capacity", body)
    # A baseline below the first step: (a) at twice the first step is twice anything below it.
    met = best >= 2 * bare if bare else best >= 2 * STEPS[0]
    summarize(
        "chat fan-out capacity (deliveries/s, p99 ≤ 250 ms)",
        _capacity_cell(capacity.get(SHABAKA, empty)),
        ratio=f"{_versus(best, bare)} bare channels, {_versus(best, floor)} plain websockets",
        target="≥ 2 × bare channels",
        met=met,
    )


if __name__ == "__main__":
    main()
