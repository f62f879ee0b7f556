"""Chat idle connections: server memory per idle websocket, Shabaka next to a bare consumer.

One daphne process, N sockets opened and left idle; memory per socket = (resident
memory with N sockets − resident memory with a handful) / N. Shabaka is measured twice:
sockets authenticated by token (API clients) and by session cookie (the web pages'
chat.js and topic.js), the same N users logged in both ways. Baseline in the same run,
measured the same way: the bare channels consumer of bench/_servers.py (it joins one
group, like Shabaka joins the user's group). For reference, a plain `websockets`
server. Target: Shabaka ≤ 1.2 × the bare consumer; the summary row reports the worse
of the two authentications.

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
from bench._servers import PRODUCTION, Server, daphne, open_client, plain_websockets

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


# How each socket logs in: open_client's keywords ({"token": …} or {"cookie": …});
# {} for the bare consumer and the plain server, which authenticate nobody.
Login = dict[str, str]


async def per_socket(server: Server, logins: list[Login]) -> tuple[float, int]:
    """KiB per idle socket between WARM and len(logins) open sockets."""
    gate = asyncio.Semaphore(50)
    opened: list[Any] = []

    async def connect(login: Login) -> None:
        async with gate:
            connection = await open_client(
                server.url, login.get("token"), cookie=login.get("cookie")
            )
            if login:  # a Shabaka socket is ready once it answers a ping
                await connection.send(json.dumps({"type": "ping"}))
                while json.loads(await connection.recv())["type"] != "pong":
                    pass
            opened.append(connection)

    try:
        await asyncio.gather(*(connect(login) for login in logins[:WARM]))
        before = await settle(server.pid)
        await asyncio.gather(*(connect(login) for login in logins[WARM:]))
        after = await settle(server.pid)
    finally:
        await asyncio.gather(*(c.close() for c in opened), return_exceptions=True)
    return (after - before) / (len(logins) - WARM), after


def make_users(count: int) -> list[Any]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    # Users who share no network: an idle socket then carries no presence traffic (2,000
    # members of one network coming online would be 2,000 × 2,000 presence frames).
    return User.objects.bulk_create(
        [User(username=f"bench-idle{i}", email=f"idle{i}@example.org") for i in range(count)]
    )


def make_tokens(users: list[Any]) -> list[Login]:
    from accounts.tokens import issue_keys

    return [{"token": key} for key in issue_keys(users)]


def make_session_cookies(users: list[Any]) -> list[Login]:
    """A database session per user holding what django.contrib.auth.login stores, in bulk,
    signed with the servers' SECRET_KEY (the auth hash and the session data both are)."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    # What login() stores after a password sign-in (accounts/web.py names this backend on sign-up).
    store, backend = SessionStore(), "django.contrib.auth.backends.ModelBackend"
    Session = store.get_model_class()
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with override_settings(SECRET_KEY=PRODUCTION["SECRET_KEY"]):
        sessions = [
            Session(
                session_key=get_random_string(32, VALID_KEY_CHARS),
                session_data=store.encode(
                    {
                        SESSION_KEY: user._meta.pk.value_to_string(user),
                        BACKEND_SESSION_KEY: backend,
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
            for user in users
        ]
    Session.objects.bulk_create(sessions)
    name = settings.SESSION_COOKIE_NAME
    return [{"cookie": f"csrftoken=x; {name}={s.session_key}"} for s in sessions]


def run(server: Server, logins: list[Login]) -> tuple[float, int]:
    try:
        server.start()
        return asyncio.run(per_socket(server, logins))
    finally:
        server.stop()


def main() -> None:
    args = arg_parser(__doc__.splitlines()[0]).parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    count = SIZES[args.size]
    users = make_users(count)
    logins = {"token": make_tokens(users), "cookie": make_session_cookies(users)}
    connection.close()
    quiet = {"LOG_LEVEL": "ERROR"}
    started = time.monotonic()
    shabaka = {how: Figure(f"Shabaka ({how})", "KiB") for how in logins}
    ratios = {how: Figure(f"ratio ({how})", "×") for how in logins}
    bare = Figure("bare", "KiB")
    shabaka_rss: dict[str, int] = {}
    for _ in range(args.repeats):  # taking turns, so all see the same machine
        for how, per_user in logins.items():
            kib, shabaka_rss[how] = run(daphne("config.asgi:application", **quiet), per_user)
            shabaka[how].runs.append(kib)
        kib, bare_rss = run(daphne("bench._servers:bare_application", **quiet), [{}] * count)
        bare.runs.append(kib)
        for how in logins:
            ratio = shabaka[how].runs[-1] / kib if kib > 0 else float("inf")
            ratios[how].runs.append(ratio)
    plain, _ = run(plain_websockets(), [{}] * count)
    layer = (
        "Redis " + settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
        if settings.REDIS_URL
        else "in-memory layer"
    )
    labels = {"token": "token auth", "cookie": "session cookie auth, the web pages"}
    rows = [
        [
            f"Shabaka consumer ({labels[how]}; user group, hub)",
            shabaka[how].cell(),
            ratios[how].cell(),
            f"{shabaka_rss[how] / 1024:.0f} MiB",
        ]
        for how in logins
    ]
    rows += [
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
    worse = max(logins, key=lambda how: ratios[how].median)
    body = (
        f"{count:,} idle sockets on one process ({layer}); KiB of resident memory per socket "
        f"beyond the first {WARM}; the same {count:,} users log in by token, then by session "
        f"cookie, then the bare consumer runs, taking turns over {args.repeats} rounds "
        "(median, min–max; a ratio is the median of each round's ratio to that round's bare "
        f"consumer). The summary row is the worse of the two: {worse}. "
        f"Measured in {time.monotonic() - started:.0f} s.\n\n"
        + table(["server", "per idle socket", "vs bare", f"RSS at {count:,} (last run)"], rows)
    )
    print(body)
    if not args.no_write:
        write_section("Chat — idle connections", body)
    summarize(
        f"chat memory per idle websocket at {count:,} sockets ({worse}, the worse of token "
        "and cookie)",
        shabaka[worse].cell(),
        ratio=f"{ratios[worse].cell()} bare channels consumer",
        target=f"≤ {TARGET} × bare",
        met=ratios[worse].median <= TARGET,
    )


if __name__ == "__main__":
    main()
