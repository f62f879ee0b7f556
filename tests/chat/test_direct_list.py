"""The direct-message page lists conversations with their last words and time, the latest
first, in a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.actions import messages as chat_messages
from chat.actions import rooms as room_actions
from tests._queries import AllQueries
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def _conversation(me: Any, other: Any, *words: str, by_me: bool = False) -> Any:
    room = room_actions.do_open_direct_room(me, other.pk).room
    for text in words:
        chat_messages.do_send_message(me if by_me else other, room, text)
    return room


def test_latest_first_with_last_words_and_time(member: Any, public_network: Any) -> None:
    amina, karim = make_user("amina"), make_user("karim")
    add_member(public_network, amina)
    add_member(public_network, karim)
    _conversation(member, amina, "Salam", "On se voit à Francfort ?")
    _conversation(member, karim, "Merci pour le contact", by_me=True)
    client = Client()
    client.force_login(member)
    page = client.get("/messages/").content.decode()
    assert page.index("conversation-karim") < page.index("conversation-amina")
    assert "On se voit à Francfort ?" in page and "Salam" not in page
    assert "You:" in page.split("conversation-karim")[1].split("conversation-amina")[0]
    assert "data-local-time" in page


def test_constant_queries_for_2_and_12_conversations(member: Any, public_network: Any) -> None:
    client = Client()
    client.force_login(member)
    counts = []
    for n in (2, 12):
        while _rooms(member) < n:
            other = make_user()
            add_member(public_network, other)
            _conversation(member, other, "Bonjour")
        client.get("/messages/")  # the session's first-request look-ups, once
        with AllQueries() as queries:
            assert client.get("/messages/").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def _rooms(user: Any) -> int:
    from chat.queries import list_direct_rooms

    return list_direct_rooms(user).count()
