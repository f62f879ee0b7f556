"""Keyset pages in the web client: the cursor lives in the URL and a later page links
back to the first, with the same filters."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def moderator_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_later_page_links_back_to_the_first_keeping_the_filters(moderator, owner, public_network):
    """Keyset pages live in the URL (back and forward work) and a later page has its way
    back to the first, with the same filters and no cursor."""
    from tests.factories.networks import add_member
    from tests.factories.users import make_user

    for n in range(35):
        add_member(public_network, make_user(f"extra{n}"))
    client = moderator_client(moderator)
    first = client.get("/networks/germany/manage/members/?role=member").content.decode()
    assert 'rel="first"' not in first
    later = re.search(r'rel="next" href="\?([^"]+)"', first)
    assert later is not None
    second = client.get("/networks/germany/manage/members/?" + html.unescape(later.group(1)))
    back = re.search(r'rel="first" href="\?([^"]*)"', second.content.decode())
    assert back is not None
    assert parse_qs(html.unescape(back.group(1))) == {"role": ["member"]}
