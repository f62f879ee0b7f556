"""`?q=` on the members list (API and moderation page) finds words in a username or a
display name, and only among what the list would show anyway."""

from __future__ import annotations

from typing import Any

import pytest

from directory.actions import do_update_profile

pytestmark = pytest.mark.django_db


def test_the_api_list_of_members_takes_a_search(
    api: Any, moderator: Any, member: Any, banned: Any, public_network: Any
) -> None:
    do_update_profile(member, member, {"display_name": "Hajar Benjelloun"})
    do_update_profile(banned, banned, {"display_name": "Hajar Tazi"})
    url = f"/api/v1/networks/{public_network.slug}/members/"
    found = api(moderator).get(url, {"q": "hajar"}).json()["results"]
    # A moderator's default list holds every status; a member's only the active.
    assert {row["user"]["username"] for row in found} == {member.username, banned.username}
    seen_by_member = api(member).get(url, {"q": "hajar"}).json()["results"]
    assert [row["user"]["username"] for row in seen_by_member] == [member.username]
    both_words = api(moderator).get(url, {"q": "hajar benj"}).json()["results"]
    assert [row["user"]["username"] for row in both_words] == [member.username]
