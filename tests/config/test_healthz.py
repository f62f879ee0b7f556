"""GET /healthz really probes the database, the channel layer and the search backend."""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer
from django.test import Client

from tests.community.helpers import assert_error

pytestmark = pytest.mark.django_db


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory layer, remembering what went through it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self.sent.append(message)
        await super().send(channel, message)


class BrokenLayer(InMemoryChannelLayer):
    async def send(self, channel: str, message: dict[str, Any]) -> None:
        raise ConnectionError("Redis is down")


class SwallowingLayer(InMemoryChannelLayer):
    """Accepts messages and loses them: the probe must notice nothing came back."""

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        return None

    async def receive(self, channel: str) -> dict[str, Any]:
        return {"type": "healthz.probe", "marker": "someone else's"}


def test_healthy_services_answer_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = RecordingLayer()
    monkeypatch.setattr("config.healthz.get_channel_layer", lambda: layer)

    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok", "search": "ok"}
    assert [m["type"] for m in layer.sent] == ["healthz.probe"]  # a real round trip


@pytest.mark.parametrize("layer", [BrokenLayer(), SwallowingLayer()], ids=["down", "lossy"])
def test_a_failing_channel_layer_makes_the_check_fail(
    monkeypatch: pytest.MonkeyPatch, layer: InMemoryChannelLayer
) -> None:
    monkeypatch.setattr("config.healthz.get_channel_layer", lambda: layer)

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["channel_layer"] == "error"
    assert response.json()["database"] == "ok"


def test_a_failing_database_makes_the_check_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> str:
        raise OSError("connection refused")

    monkeypatch.setattr("config.healthz._probe_database", down)

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_search_down_is_degraded_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("config.healthz.search_health", lambda: "degraded")

    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json()["search"] == "degraded"


def test_healthz_only_answers_reads() -> None:
    assert_error(Client().post("/healthz"), 405, "method_not_allowed")
