"""Nothing of a private or hidden network, nor a deleted post's body, reaches non-readers."""

from __future__ import annotations

import pytest

from community.forums import actions
from tests.conftest import PERSONAS
from tests.factories.forums import make_post

pytestmark = pytest.mark.django_db

MAY_READ_PRIVATE = {"owner", "moderator", "member", "staff"}
MODERATORS = {"owner", "moderator", "staff"}


@pytest.fixture
def forums(public_forum, private_forum, hidden_forum, member, moderator):
    secrets = {}
    for name, forum in [("private", private_forum), ("hidden", hidden_forum)]:
        marker = f"SECRET-{name.upper()}-7f3a"
        make_post(forum.topic, member, f"Confidential: {marker}")
        actions.do_update_topic(moderator, forum.topic, title=f"Title {marker}")
        secrets[name] = (forum, marker)
    deleted = make_post(public_forum.topic, member, "Regrettable DELETED-BODY-91c2")
    actions.do_delete_post(moderator, deleted)
    return public_forum, secrets


def urls_of(forum):
    return [
        f"/api/v1/networks/{forum.network.slug}/categories/",
        f"/api/v1/networks/{forum.network.slug}/categories/{forum.category.pk}/topics/",
        f"/api/v1/topics/{forum.topic.pk}/",
        f"/api/v1/topics/{forum.topic.pk}/posts/",
        f"/api/v1/posts/{forum.reply.pk}/",
        f"/api/v1/posts/{forum.reply.pk}/revisions/",
    ]


@pytest.mark.parametrize("name", PERSONAS)
def test_private_and_hidden_content_reaches_members_only(api, persona, forums, name):
    public_forum, secrets = forums
    client = api(persona(name))
    everything = [
        u for forum in [public_forum, *(f for f, _ in secrets.values())] for u in urls_of(forum)
    ]
    for url in everything:
        text = client.get(url).content.decode()
        for _forum, marker in secrets.values():
            if name not in MAY_READ_PRIVATE:
                assert marker not in text, (name, url)


@pytest.mark.parametrize("name", PERSONAS)
def test_a_deleted_post_body_reaches_moderators_only(api, persona, forums, name):
    public_forum, _ = forums
    text = api(persona(name)).get(f"/api/v1/topics/{public_forum.topic.pk}/posts/").content.decode()
    assert ("DELETED-BODY-91c2" in text) == (name in MODERATORS)


def test_members_do_read_the_private_content(api, member, forums):
    _, secrets = forums
    forum, marker = secrets["private"]
    assert marker in api(member).get(f"/api/v1/topics/{forum.topic.pk}/posts/").content.decode()
    assert (
        marker
        in api(member)
        .get(f"/api/v1/networks/{forum.network.slug}/categories/{forum.category.pk}/topics/")
        .content.decode()
    )
