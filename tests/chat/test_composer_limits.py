"""The room page tells its composer the limits the server keeps (issue 17, defect 1): a
message's length in characters, as the action counts it, and a socket frame's in bytes;
the box itself cuts nothing (a `maxlength` would truncate a paste without a word)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from chat.actions.messages import MAX_MESSAGE_CHARS

pytestmark = pytest.mark.django_db


def test_the_composer_knows_the_message_and_frame_limits_and_truncates_nothing(
    member: Any, public_room: Any
) -> None:
    client = Client()
    client.force_login(member)
    page = client.get(f"/rooms/{public_room.pk}/").content.decode()
    composer = re.search(r'<form class="composer"[^>]*>', page)
    assert composer is not None
    assert f'data-max-chars="{MAX_MESSAGE_CHARS}"' in composer.group(0)
    assert f'data-max-frame-bytes="{settings.SHABAKA["MAX_FRAME_BYTES"]}"' in composer.group(0)
    textarea = re.search(r"<textarea[^>]*composer-input[^>]*>", page)
    assert textarea is not None and "maxlength" not in textarea.group(0)
    strings = json.loads(page.split('id="chat-strings" type="application/json">')[1].split("<")[0])
    assert "%(count)s" in strings["tooLong"] and "%(limit)s" in strings["tooLong"]


def test_a_message_past_the_limit_is_refused_by_the_api_naming_the_limit(
    member: Any, public_room: Any
) -> None:
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/api/v1/rooms/{public_room.pk}/messages/",
        {"body": "م" * (MAX_MESSAGE_CHARS + 1)},
        content_type="application/json",
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "10,000 characters" in error["message"] and "10,001" in error["message"]
    assert error["fields"] == {"body": ["At most 10,000 characters."]}
