"""Oversized and binary frames against a real daphne worker (not only the in-process app).

daphne (autobahn) sits in front of the consumer with a 1 MiB message limit. A frame
of exactly 1 MiB, text or binary, reaches the consumer and gets an `error` frame on a
socket that stays open; a larger one is refused by daphne itself, which drops the
connection (the client sees 1006, or 1009 "message too big"). Neither takes the
worker down: another client on the same worker keeps being served.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests._live import daphne_workers  # noqa: F401 - fixture
from tests.factories.users import make_user, token_for

pytestmark = pytest.mark.services

MIB = 1024 * 1024


def test_one_mib_frames_are_refused_and_the_worker_keeps_serving_others(
    daphne_workers: Any,  # noqa: F811 - the fixture imported above
) -> None:
    attacker, bystander = (token_for(make_user()) for _ in range(2))
    worker = daphne_workers()

    def connect(token: str) -> Any:
        return websockets.connect(
            worker.ws_url,
            additional_headers={"Authorization": f"Token {token}"},
            origin=worker.url,  # type: ignore[arg-type]
            max_size=4 * MIB,
        )

    async def answer(ws: Any) -> Any:
        """The reply to the last frame: a parsed frame, or the close code."""
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))
        except websockets.exceptions.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006

    async def scenario() -> list[Any]:
        replies = []
        async with connect(bystander) as other:
            for frame in ("x" * MIB, b"\x00" * MIB, json.dumps({"type": "ping", "pad": "y" * MIB})):
                async with connect(attacker) as ws:
                    await ws.send(frame)
                    replies.append(await answer(ws))
                await other.send(json.dumps({"type": "ping"}))
                assert json.loads(await asyncio.wait_for(other.recv(), 10)) == {"type": "pong"}
        return replies

    at_limit_text, at_limit_binary, over_limit = asyncio.run(scenario())
    for reply in (at_limit_text, at_limit_binary):
        assert isinstance(reply, dict) and reply["type"] == "error", reply
    assert over_limit in (1006, 1009), over_limit
    assert worker.alive
    assert "Traceback" not in worker.log(), worker.log()[-3000:]
