"""Fixtures for the community tests: captured real-time events."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def sent_events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """(group, event) pairs handed to the channel layer once transactions commit.

    Pair with `django_capture_on_commit_callbacks(execute=True)`: events scheduled
    in a transaction that rolls back never reach this list.
    """
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        "core.events.send_event_now", lambda group, event: sent.append((group, event))
    )
    return sent
