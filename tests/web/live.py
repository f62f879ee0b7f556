"""A real Shabaka server for the browser tests: daphne in a subprocess, on its own database.

pytest-django's `live_server` is WSGI-only (no websockets) and shares the test
database only within the process. The browser tests need `/ws/`, so they run the
real ASGI application under daphne, exactly as `make run` does, on a database the
subprocess can open: a SQLite file in a temporary directory (first pass), or a fresh
PostgreSQL database next to the test one (services pass). The same environment
carries REDIS_URL, so in the services pass the server's channel layer is Redis.
The database is migrated and seeded through the real actions by
`tests.web.seed_browser`, in a subprocess, before daphne starts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


@contextlib.contextmanager
def live_server() -> Iterator[LiveServer]:
    """Migrate, seed, serve; stop daphne and drop the database on the way out."""
    with tempfile.TemporaryDirectory(prefix="shabaka-live-") as tmpdir:
        tmp = Path(tmpdir)
        with _database(tmp) as db_env:
            env = {
                **os.environ,
                **db_env,
                "DEBUG": "true",  # static files served by daphne, as under `make run`
                "SHABAKA_TESTING": "1",  # fast password hashing, relaxed API throttles
                "SHABAKA_VAR_DIR": str(tmp / "var"),
                "PYTHONUNBUFFERED": "1",
            }
            # Its own search indexes, cache keys and channel names: the live server's
            # documents and presence must not leak into the tests running beside it.
            suffix = f"web{os.getpid()}"
            for name in ("MEILISEARCH_INDEX_PREFIX", "CACHE_PREFIX", "CHANNEL_PREFIX"):
                env[name] = f"{os.environ.get(name, 'shabaka')}-{suffix}"
            env.pop("DJANGO_SETTINGS_MODULE", None)
            server = LiveServer(url="", env=env)
            server.run("-m", "tests.web.seed_browser")  # migrates, then seeds
            port = free_port()
            log = (tmp / "daphne.log").open("w")
            process = subprocess.Popen(  # noqa: S603 - the project's own server
                [
                    str(Path(sys.executable).with_name("daphne")),
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            server.url = f"http://127.0.0.1:{port}"
            try:
                _wait_until_up(server.url, process, tmp / "daphne.log")
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/signin/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"daphne did not answer in 30 s:\n{log.read_text()}")
