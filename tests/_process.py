"""A child process on a free loopback port with a log: started, awaited, stopped.

The one implementation under every real server the tests and benchmarks run:

- here: `ChildProcess` (a free port, a log file, `start` = spawn and wait for the port,
  `stop` by a signal with SIGKILL after 10 s) and `DaphneWorker` (daphne serving an
  ASGI application, with plain HTTP helpers);
- tests/_live.py: Redis, Meilisearch and `manage.py` commands of our own, the worker
  environment on the test database, and the fixtures of the fault and hostile suites
  (tests/realtime/test_services.py starts its two workers from there too);
- tests/web/live.py: the browser tests' daphne, on a database of its own;
- bench/_servers.py: the chat benchmarks' servers, stopped with SIGINT.

It imports neither pytest nor Django, so the benchmarks build on it too.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
DAPHNE = str(Path(sys.executable).with_name("daphne"))


def free_port() -> int:
    """A loopback TCP port nobody listens on (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, alive: Callable[[], bool]) -> bool:
    """True once something accepts connections on the port; False if it died or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return False
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
            return True
        time.sleep(0.05)
    return False


class ChildProcess:
    """`argv` run from the repository root, "{port}" and "{dir}" in it standing for
    `self.port` and `self.dir`.

    `dir` is a directory of its own: its output is appended to `log_path` there, and it
    may keep its data there, so a restart on the same port finds the same data. `stop`
    removes it.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: dict[str, str] | None = None,
        *,
        stop_signal: int = signal.SIGTERM,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.stop_signal = stop_signal
        self.start_timeout = start_timeout
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"shabaka-{name}-"))
        self.log_path = self.dir / "output.log"
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> Self:
        """Start the program without waiting for it (see `start_all`)."""
        argv = [
            part.replace("{port}", str(self.port)).replace("{dir}", str(self.dir))
            for part in self.argv
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own programs
                argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self) -> None:
        """Return once the port accepts connections; if it died or timed out, kill and raise."""
        if not wait_for_port(self.port, self.start_timeout, lambda: self.alive):
            self.kill()
            raise RuntimeError(
                f"{self.name} did not start on port {self.port}:\n{self.log()[-4000:]}"
            )

    def start(self) -> Self:
        self.spawn()
        self.wait_ready()
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` (SIGKILL: no goodbye, as when a host dies) and reap the process.

        A process still alive 10 s after another signal is SIGKILLed.
        """
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def stop(self) -> None:
        """Stop it with `stop_signal` for good and remove its directory (log and data)."""
        self.kill(self.stop_signal)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_all(processes: Sequence[ChildProcess]) -> None:
    """Spawn them all, then wait for each: their start-ups overlap."""
    for process in processes:
        process.spawn()
    for process in processes:
        process.wait_ready()


def daphne_command(*args: str) -> list[str]:
    """`daphne` on the loopback port of a `ChildProcess`; `args` end with the application."""
    return [DAPHNE, "-b", LOOPBACK, "-p", "{port}", *args]


class DaphneWorker(ChildProcess):
    """`daphne <app>` in the environment given (e.g. tests._live.worker_env()), `args`
    being daphne's options; stopped with SIGTERM, as a process manager would."""

    def __init__(
        self,
        env: dict[str, str],
        *args: str,
        app: str = "config.asgi:application",
        name: str = "daphne",
    ) -> None:
        super().__init__(name, daphne_command(*args, app), env)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}/ws/"

    def get(self, path: str, token: str | None = None, timeout: float = 10) -> tuple[int, bytes]:
        """A plain HTTP GET: (status, body); HTTP errors are answers, not exceptions."""
        return self.request("GET", path, token, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        timeout: float = 10,
    ) -> tuple[int, bytes]:
        """An HTTP request with an optional JSON body: (status, body)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback only
            self.url + path, data=data, method=method
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
