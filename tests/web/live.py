"""A real Shabaka server for the browser tests: daphne in a subprocess, on its own database.

pytest-django's `live_server` is WSGI-only (no websockets) and shares the test
database only within the process. The browser tests need `/ws/`, so they run the
real ASGI application under daphne, exactly as `make run` does, on a database the
subprocess can open: a SQLite file in a temporary directory (first pass), or a fresh
PostgreSQL database next to the test one (services pass). The same environment
carries REDIS_URL, so in the services pass the server's channel layer is Redis.
The database is migrated and seeded through the real actions by
`tests.web.seed_browser`, in a subprocess, before daphne (tests._process.DaphneWorker)
starts.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests._process import ROOT, DaphneWorker


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]

    def run(self, *args: str) -> str:
        """Run `python <args>` against the server's database (seeding, checks)."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout


@contextlib.contextmanager
def _database(tmp: Path) -> Iterator[dict[str, str]]:
    """Environment naming a database only the live server uses; dropped afterwards."""
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        yield {"SQLITE_PATH": str(tmp / "live.sqlite3")}
        return
    import psycopg

    name = f"{base_url.rsplit('/', 1)[1]}_web_{os.getpid()}"[:63]
    admin_url = base_url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{base_url.rsplit('/', 1)[0]}/{name}"}
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _production(tmp: Path) -> dict[str, str]:
    """DEBUG off as a deployment runs it: collected static files, strict manifest."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",  # plain http on loopback
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "true",
    }


@contextlib.contextmanager
def live_server(*, debug: bool = True) -> Iterator[LiveServer]:
    """Migrate, seed, serve; stop daphne and drop the database on the way out.

    `debug=False` serves as production does: `collectstatic` first, DEBUG off."""
    with tempfile.TemporaryDirectory(prefix="shabaka-live-") as tmpdir:
        tmp = Path(tmpdir)
        with _database(tmp) as db_env:
            env = {
                **os.environ,
                **db_env,
                "DEBUG": "true",  # static files straight from their folders, as `make run`
                "SHABAKA_TESTING": "1",  # fast password hashing, relaxed API throttles
                "SHABAKA_VAR_DIR": str(tmp / "var"),
                "PYTHONUNBUFFERED": "1",
                **({} if debug else _production(tmp)),
            }
            # Its own search indexes, cache keys and channel names: the live server's
            # documents and presence must not leak into the tests running beside it.
            suffix = f"web{os.getpid()}"
            for name in ("MEILISEARCH_INDEX_PREFIX", "CACHE_PREFIX", "CHANNEL_PREFIX"):
                env[name] = f"{os.environ.get(name, 'shabaka')}-{suffix}"
            env.pop("DJANGO_SETTINGS_MODULE", None)
            server = LiveServer(url="", env=env)
            server.run("-m", "tests.web.seed_browser")  # migrates, then seeds
            if not debug:
                server.run("manage.py", "collectstatic", "--noinput", "-v", "0")
            daphne = DaphneWorker(env, name="daphne-web")
            try:
                daphne.start()
                status, _ = daphne.get("/signin/")
                if status != 200:
                    raise RuntimeError(f"/signin/ answered {status}:\n{daphne.log()[-4000:]}")
                server.url = daphne.url
                yield server
            finally:
                daphne.stop()
