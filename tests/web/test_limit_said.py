"""A refused reply says the limit, in the page's language (issue 17, defect 8: "errors
state the limit", not "This is too long."), and keeps what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.validation import MAX_BODY_BYTES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "at most 65,536 bytes"), ("fr", "65\u00a0536 octets"), ("ar", "بايت")],
)
def test_a_reply_past_the_limit_says_the_limit_and_keeps_the_text(
    member: Any, forum: dict[str, Any], language: str, said: str
) -> None:
    client = Client()
    client.force_login(member)
    client.cookies.load({"django_language": language})
    body = "Compte rendu. " + "x" * MAX_BODY_BYTES
    response = client.post(f"/topics/{forum['topic'].pk}/reply/", {"body": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert said in page
    assert "This is too long." not in page
    assert body[:200] in page  # the box still holds it
