"""Request bodies past the limit (1 MiB) are refused with 413 as they arrive, on a real daphne.

The body is streamed from a generator over a raw socket, chunked or with a
Content-Length, so the test never holds it; the worker's resident memory is read
from /proc before and after. Before the fix, a chunked body was read whole (into
daphne's queue, Django's spool file and DRF's JSON parser) and answered 400 or 201.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator

from tests._process import LOOPBACK, DaphneWorker

MIB = 1024 * 1024
BODY_BYTES = 50 * MIB
PIECE = b" " * (64 * 1024)  # JSON whitespace: a parser would read it all, looking for a value
# The worker may grow a little (a temporary file's buffers, the response); a body read
# into memory grows it by the body's size at least.
RSS_GROWTH_BOUND = 25 * MIB


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def worker() -> Iterator[DaphneWorker]:
    """daphne on a database of its own (the refusal must not need one), DEBUG off."""
    with tempfile.TemporaryDirectory(prefix="shabaka-body-") as tmp:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            SQLITE_PATH=str(Path(tmp) / "body.sqlite3"),
            SHABAKA_VAR_DIR=tmp,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SHABAKA_TESTING="1",
            LOG_LEVEL="ERROR",
        )
        daphne = DaphneWorker(env, name="daphne-body")
        daphne.start()
        try:
            yield daphne
        finally:
            daphne.stop()


def send_streamed(
    worker: DaphneWorker,
    path: str,
    *,
    chunked: bool,
    content_type: str = "application/json",
    size: int = BODY_BYTES,
) -> tuple[int, dict[str, str], bytes]:
    """POST `size` bytes of whitespace, streamed; stop sending if the server hangs up.

    Returns the status, the headers (lower-case names) and the body of the answer.
    """
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {LOOPBACK}",
        f"Content-Type: {content_type}",
        "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}",
        "",
        "",
    ]
    with socket.create_connection((LOOPBACK, worker.port), timeout=60) as sock:
        sock.sendall("\r\n".join(head).encode())
        try:
            for _ in range(size // len(PIECE)):
                if chunked:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(PIECE), PIECE))
                else:
                    sock.sendall(PIECE)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close once it has answered; its answer is still to read
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            assert data, f"the connection closed without an answer: {answer!r}"
            answer += data
        raw_head, _, body = answer.partition(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            data = sock.recv(65536)
            if not data:
                break
            body += data
    return status, headers, body


def warm_up(worker: DaphneWorker) -> int:
    """Serve one small request of each kind first, so imports are not counted as growth."""
    worker.request("POST", "/api/v1/auth/register/", body="{")
    worker.get("/signin/")
    return rss(worker.pid)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_an_oversized_api_body_gets_413_in_the_contract_shape_and_memory_stays_bounded(
    worker: DaphneWorker, chunked: bool
) -> None:
    before = warm_up(worker)
    status, headers, body = send_streamed(worker, "/api/v1/auth/register/", chunked=chunked)
    assert status == 413
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "too_large"
    assert rss(worker.pid) - before < RSS_GROWTH_BOUND
    # The worker still serves the next request.
    assert worker.request("POST", "/api/v1/auth/register/", body="{")[0] == 400


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_an_oversized_web_form_gets_a_413_page_and_memory_stays_bounded(
    worker: DaphneWorker, chunked: bool
) -> None:
    before = warm_up(worker)
    status, headers, body = send_streamed(
        worker, "/signup/", chunked=chunked, content_type="application/x-www-form-urlencoded"
    )
    assert status == 413
    assert headers["content-type"].startswith("text/html")
    assert b"413" in body
    assert rss(worker.pid) - before < RSS_GROWTH_BOUND
    assert worker.get("/signin/")[0] == 200


@pytest.mark.parametrize(
    ("chunked", "code"),
    # DRF reads no body without a Content-Length: the serializer sees no fields.
    [(True, "invalid"), (False, "malformed_json")],
    ids=["chunked", "content-length"],
)
def test_a_body_under_the_limit_still_reaches_the_application(
    worker: DaphneWorker, chunked: bool, code: str
) -> None:
    status, _, body = send_streamed(
        worker, "/api/v1/auth/register/", chunked=chunked, size=MIB // 2
    )
    assert status == 400
    assert json.loads(body)["error"]["code"] == code


async def test_the_application_refuses_a_body_as_its_chunks_pass_the_limit() -> None:
    """Under any ASGI server: 413 once the chunks counted pass the limit, before the body
    ends (the rest is never asked for)."""
    from config.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/auth/register/",
        "raw_path": b"/api/v1/auth/register/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    app = ApplicationCommunicator(application, scope)
    piece = b" " * (512 * 1024)
    for _ in range(3):  # 1.5 MiB, and more to come
        await app.send_input({"type": "http.request", "body": piece, "more_body": True})
    start = await app.receive_output(timeout=5)
    assert start["type"] == "http.response.start"
    assert start["status"] == 413
    body = await app.receive_output(timeout=5)
    assert json.loads(body["body"])["error"]["code"] == "too_large"
    await app.wait(timeout=5)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_the_photo_upload_alone_may_send_more_and_is_refused_past_its_own_ceiling(
    worker: DaphneWorker, chunked: bool
) -> None:
    # 3 MiB reaches the application (which asks who is sending: 401), 7 MiB does not.
    status, _, body = send_streamed(worker, "/api/v1/profile/photo/", chunked=chunked, size=3 * MIB)
    assert status == 401, body
    before = warm_up(worker)
    status, _, body = send_streamed(worker, "/api/v1/profile/photo/", chunked=chunked, size=7 * MIB)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "too_large"
    assert rss(worker.pid) - before < RSS_GROWTH_BOUND
