"""Posting budgets (issue #11, §2): 15 replies in a row were all accepted.

The production budgets (config/settings.py) are set here; the tests otherwise run them
wide open. Every door goes through `do_create_topic` / `do_reply`, which spend them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from community.forums import actions
from community.forums.actions.budgets import budgets_waived
from community.forums.models import Post, Topic
from core.errors import RateLimited
from tests.community.helpers import assert_error
from tests.factories.users import client_for
from tests.forums.conftest import Forum

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_budgets(settings: Any, public_forum: Forum) -> None:
    """Set once the forum fixture (whose topic and reply are by `member`) is built."""
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {
            **settings.SHABAKA["BUDGETS"],
            "forum_topic": "1 per 15 seconds; 20 per day",
            "forum_reply": "3 per 15 seconds; 30 per 10 minutes; 300 per day",
        },
    }


def reply(client: Any, forum: Forum, n: int) -> Any:
    return client.post(
        f"/api/v1/topics/{forum.topic.pk}/posts/", {"body": f"Réponse {n}"}, format="json"
    )


def test_fifteen_replies_in_a_row_are_held_to_the_reply_budget(
    public_forum: Forum, member: Any
) -> None:
    client = client_for(member)
    before = Post.objects.filter(topic=public_forum.topic).count()

    statuses = [reply(client, public_forum, n).status_code for n in range(15)]
    refused = reply(client, public_forum, 16)

    assert statuses[:3] == [201] * 3
    assert set(statuses[3:]) == {429}
    assert_error(refused, 429, "rate_limited")
    assert 0 < int(refused["Retry-After"]) <= 15
    assert Post.objects.filter(topic=public_forum.topic).count() == before + 3


def test_a_second_topic_at_once_is_refused_with_retry_after(
    public_forum: Forum, member: Any
) -> None:
    client = client_for(member)
    url = (
        f"/api/v1/networks/{public_forum.network.slug}/categories/"
        f"{public_forum.category.pk}/topics/"
    )

    first = client.post(url, {"title": "Premier", "body": "Bonjour"}, format="json")
    second = client.post(url, {"title": "Second", "body": "Encore"}, format="json")

    assert first.status_code == 201
    assert_error(second, 429, "rate_limited")
    assert 0 < int(second["Retry-After"]) <= 15
    assert not Topic.objects.filter(title="Second").exists()


def test_the_budget_is_per_person(public_forum: Forum, member: Any, owner: Any) -> None:
    for n in range(3):
        reply(client_for(member), public_forum, n)

    # `owner` is a moderator (exempt); an ordinary second member has a budget of their own.
    from tests.factories.networks import add_member
    from tests.factories.users import make_user

    other = make_user("other")
    add_member(public_forum.network, other)
    assert reply(client_for(other), public_forum, 9).status_code == 201


def test_moderators_of_the_network_are_exempt(public_forum: Forum, moderator: Any) -> None:
    client = client_for(moderator)

    statuses = [reply(client, public_forum, n).status_code for n in range(8)]

    assert statuses == [201] * 8


def test_a_refused_or_invalid_reply_costs_nothing(public_forum: Forum, member: Any) -> None:
    client = client_for(member)
    invalid = [
        client.post(
            f"/api/v1/topics/{public_forum.topic.pk}/posts/", {"body": "  "}, format="json"
        ).status_code
        for _ in range(5)
    ]

    statuses = [reply(client, public_forum, n).status_code for n in range(3)]

    assert invalid == [400] * 5
    assert statuses == [201] * 3


def test_the_web_reply_box_is_held_to_the_same_budget(public_forum: Forum, member: Any) -> None:
    for n in range(3):
        reply(client_for(member), public_forum, n)
    browser = Client()
    browser.force_login(member)

    response = browser.post(f"/topics/{public_forum.topic.pk}/reply/", {"body": "Et encore"})

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15
    assert not Post.objects.filter(body="Et encore").exists()


def test_the_actions_hold_every_door_and_seeds_may_waive_it(
    public_forum: Forum, member: Any
) -> None:
    for n in range(3):
        actions.do_reply(member, public_forum.topic, f"Action {n}")
    with pytest.raises(RateLimited):
        actions.do_reply(member, public_forum.topic, "One too many")

    with budgets_waived():
        actions.do_reply(member, public_forum.topic, "Seeded")

    assert Post.objects.filter(body="Seeded").exists()
    assert not Post.objects.filter(body="One too many").exists()
