"""GET /api/v1/search/ from a test, and words no other test text contains."""

from __future__ import annotations

import secrets
from typing import Any


def search(api: Any, user: Any, q: str, **params: str) -> list[dict[str, Any]]:
    """The results of GET /api/v1/search/ as this user (asserting it answers 200)."""
    response = api(user).get("/api/v1/search/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def found(api: Any, user: Any, q: str, **params: str) -> set[tuple[str, int]]:
    """(type, id) of each result of GET /api/v1/search/ as this user."""
    return {(row["type"], row["id"]) for row in search(api, user, q, **params)}


def word() -> str:
    """A word found nowhere else, to search for."""
    return "zq" + secrets.token_hex(6)
