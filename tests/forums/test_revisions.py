"""A post's earlier versions: its author and the network's moderators read them, no one else.

Revisions are read through `GET /api/v1/posts/{id}/revisions/` only; every other read
(the topic's posts, the post, the topic's web page, the live frames of a topic) shows a
post as it is now.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.test import Client

from community.actions import membership
from community.forums import actions
from community.models import Membership
from tests._ws import db
from tests.factories.forums import make_post
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def word() -> str:
    return "zq" + secrets.token_hex(6)


@pytest.fixture(params=["public", "private"])
def edited(request: pytest.FixtureRequest, member: Any) -> dict[str, Any]:
    """A reply by `member`, edited twice, in a public or private network's forum."""
    forum = request.getfixturevalue(f"{request.param}_forum")
    versions = [word(), word(), word()]
    post = make_post(forum.topic, member, f"Version {versions[0]}")
    for version in versions[1:]:
        post = actions.do_edit_post(member, post, f"Version {version}")
    other = make_user()
    add_member(forum.network, other)
    return {"forum": forum, "post": post, "versions": versions, "other_member": other}


def revisions(api: Any, user: Any, post: Any) -> Any:
    return api(user).get(f"/api/v1/posts/{post.pk}/revisions/")


def test_the_author_and_moderators_read_earlier_versions(
    api: Any, edited: dict[str, Any], member: Any, moderator: Any, owner: Any, staff: Any
) -> None:
    old = edited["versions"][:2]
    for reader in (member, moderator, owner, staff):
        response = revisions(api, reader, edited["post"])
        assert response.status_code == 200
        assert [r["body"] for r in response.json()["results"]] == [f"Version {v}" for v in old]


def test_another_member_reads_the_post_but_never_its_earlier_versions(
    api: Any, edited: dict[str, Any]
) -> None:
    other, post, forum = edited["other_member"], edited["post"], edited["forum"]
    old = edited["versions"][:2]
    response = revisions(api, other, post)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_author"
    # The topic's posts and the post itself: the current text, nothing earlier.
    for url in (f"/api/v1/topics/{forum.topic.pk}/posts/", f"/api/v1/posts/{post.pk}/"):
        response = api(other).get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert edited["versions"][2] in text and all(v not in text for v in old), url
    browser = Client()
    browser.force_login(other)
    page = browser.get(f"/topics/{forum.topic.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert edited["versions"][2] in text and all(v not in text for v in old)


def test_a_reader_of_a_public_network_who_is_no_member_never_reads_earlier_versions(
    api: Any, public_forum: Any, member: Any, outsider: Any, pending: Any
) -> None:
    post = make_post(public_forum.topic, member, f"Version {word()}")
    post = actions.do_edit_post(member, post, f"Version {word()}")
    for reader in (outsider, pending):
        assert api(reader).get(f"/api/v1/posts/{post.pk}/").status_code == 200
        assert revisions(api, reader, post).status_code == 403


def test_a_moderator_who_steps_down_no_longer_reads_earlier_versions(
    api: Any, edited: dict[str, Any], owner: Any, moderator: Any
) -> None:
    network = edited["forum"].network
    assert revisions(api, moderator, edited["post"]).status_code == 200
    membership.do_set_role(owner, network, moderator.pk, Membership.Role.MEMBER)
    assert revisions(api, moderator, edited["post"]).status_code == 403


@pytest.mark.django_db(transaction=True)
async def test_the_live_frames_of_a_topic_carry_only_the_current_text(
    connect: Any, public_forum: Any, member: Any
) -> None:
    other = await db(make_user)()
    await db(add_member)(public_forum.network, other)
    client = await connect(other)
    await client.watch(public_forum.topic.pk)
    first, second = word(), word()
    post = await db(make_post)(public_forum.topic, member, f"Version {first}")
    created = await client.expect("forums.post")
    assert first in created["post"]["body"]
    await db(actions.do_edit_post)(member, post, f"Version {second}")
    frame = await client.expect("forums.post_edited")
    assert frame["post"]["body"] == f"Version {second}" and first not in str(frame)
    assert frame["post"]["edit_count"] == 1
    await client.close()
