"""Every forum endpoint × persona × network visibility, with the exact status expected.

Each persona acts on a fresh target where the request changes state, so one
persona's success does not change what the next one sees. A mismatch reports the
whole row, e.g. {"pending": (expected 403, got 201)}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from community.forums import actions
from community.forums.models import Category, Post, Reaction, Topic
from tests.conftest import PERSONAS
from tests.factories.forums import make_category, make_post, make_topic

pytestmark = pytest.mark.django_db

VISIBILITIES = ["public", "private", "hidden"]
MODERATORS = {"owner", "moderator", "staff"}
MEMBERS = {"owner", "moderator", "member"}


def expected(
    visibility: str,
    allowed: set[str],
    ok: int,
    *,
    public_denied: int = 403,
    member_denied: int = 403,
    staff_denied: int | None = None,
) -> dict[str, int]:
    """The status each persona should get.

    `allowed` get `ok`. Of the others: anonymous always 401; banned 403 in a public
    network (it is listed and they are told they are banned), 404 elsewhere; pending
    and outsiders `public_denied` in a public network (they read it), 404 in private
    and hidden ones; active members and staff, who read everything, `member_denied`.
    """
    statuses: dict[str, int] = {}
    for name in PERSONAS:
        if name in allowed:
            statuses[name] = ok
        elif name == "anonymous":
            statuses[name] = 401
        elif name == "banned":
            statuses[name] = 403 if visibility == "public" else 404
        elif name in {"pending", "outsider"}:
            statuses[name] = public_denied if visibility == "public" else 404
        elif name == "staff" and staff_denied is not None:
            statuses[name] = staff_denied
        else:
            statuses[name] = member_denied
    return statuses


def run(
    api: Any,
    persona: Callable[[str], Any],
    request_for: Callable[[str, Any], tuple[str, str, dict[str, Any] | None]],
) -> dict[str, int]:
    got = {}
    for name in PERSONAS:
        user = persona(name)
        method, url, body = request_for(name, user)
        response = getattr(api(user), method)(url, body, format="json")
        got[name] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}, response.content
    return got


def compare(got: dict[str, int], want: dict[str, int]) -> None:
    wrong = {name: (want[name], got[name]) for name in PERSONAS if got[name] != want[name]}
    assert not wrong, f"persona: (expected, got) {wrong}"


@pytest.fixture(params=VISIBILITIES)
def forum(request: pytest.FixtureRequest) -> Any:
    forum = request.getfixturevalue(f"{request.param}_forum")
    forum.visibility = request.param
    return forum


READ_OK = {"owner", "moderator", "member", "staff"}


def readers(visibility: str) -> set[str]:
    return READ_OK | ({"pending", "outsider"} if visibility == "public" else set())


# --- reads --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/networks/{slug}/categories/",
        "/api/v1/networks/{slug}/categories/{category}/topics/",
        "/api/v1/topics/{topic}/",
        "/api/v1/topics/{topic}/posts/",
        "/api/v1/topics/{topic}/posts/?after={first_post}",
        "/api/v1/posts/{reply}/",
    ],
)
def test_reading_the_forum(api, persona, forum, path):
    url = path.format(
        slug=forum.network.slug,
        category=forum.category.pk,
        topic=forum.topic.pk,
        first_post=forum.first_post.pk,
        reply=forum.reply.pk,
    )
    got = run(api, persona, lambda name, user: ("get", url, None))
    compare(got, expected(forum.visibility, readers(forum.visibility), 200))


def test_reading_revisions(api, persona, forum, member):
    actions.do_edit_post(member, forum.reply, "Edited once.")
    url = f"/api/v1/posts/{forum.reply.pk}/revisions/"
    got = run(api, persona, lambda name, user: ("get", url, None))
    compare(got, expected(forum.visibility, MEMBERS | {"staff"}, 200))


# --- writes -------------------------------------------------------------------------------


def test_creating_a_category(api, persona, forum):
    url = f"/api/v1/networks/{forum.network.slug}/categories/"
    got = run(api, persona, lambda name, user: ("post", url, {"name": f"Projets {name}"}))
    compare(got, expected(forum.visibility, MODERATORS, 201))
    assert set(Category.objects.filter(network=forum.network).values_list("name", flat=True)) == {
        "Général"
    } | {f"Projets {name}" for name in MODERATORS}


def test_opening_a_topic(api, persona, forum):
    url = f"/api/v1/networks/{forum.network.slug}/categories/{forum.category.pk}/topics/"
    got = run(
        api, persona, lambda name, user: ("post", url, {"title": f"By {name}", "body": "Hello"})
    )
    compare(got, expected(forum.visibility, MEMBERS, 201))
    titles = set(Topic.objects.filter(category=forum.category).values_list("title", flat=True))
    assert titles == {forum.topic.title} | {f"By {name}" for name in MEMBERS}


def test_opening_a_topic_in_a_moderators_only_category(api, persona, forum, owner):
    category = make_category(forum.network, owner, moderators_only_post=True)
    url = f"/api/v1/networks/{forum.network.slug}/categories/{category.pk}/topics/"
    got = run(
        api, persona, lambda name, user: ("post", url, {"title": f"By {name}", "body": "News"})
    )
    compare(got, expected(forum.visibility, {"owner", "moderator"}, 201))


def test_replying(api, persona, forum):
    url = f"/api/v1/topics/{forum.topic.pk}/posts/"
    got = run(api, persona, lambda name, user: ("post", url, {"body": f"Reply by {name}"}))
    compare(got, expected(forum.visibility, MEMBERS, 201))
    forum.topic.refresh_from_db()
    assert forum.topic.post_count == 2 + len(MEMBERS)


def test_replying_to_a_locked_topic(api, persona, forum, moderator):
    actions.do_update_topic(moderator, forum.topic, locked=True)
    url = f"/api/v1/topics/{forum.topic.pk}/posts/"
    got = run(api, persona, lambda name, user: ("post", url, {"body": f"Reply by {name}"}))
    compare(got, expected(forum.visibility, {"owner", "moderator"}, 201))


def fresh_topic(forum: Any, member: Any) -> Topic:
    return make_topic(forum.category, member, "Fresh", "Body")


@pytest.mark.parametrize(
    "change",
    [{"pinned": True}, {"locked": True}, {"category": "other"}],
    ids=["pin", "lock", "move"],
)
def test_moderating_a_topic(api, persona, forum, member, owner, change):
    other = make_category(forum.network, owner)
    body = {"category": other.pk} if "category" in change else change

    def request_for(name: str, user: Any) -> tuple[str, str, dict[str, Any]]:
        return "patch", f"/api/v1/topics/{fresh_topic(forum, member).pk}/", body

    got = run(api, persona, request_for)
    compare(got, expected(forum.visibility, MODERATORS, 200))


def test_renaming_a_topic(api, persona, forum, member):
    def request_for(name: str, user: Any) -> tuple[str, str, dict[str, Any]]:
        return "patch", f"/api/v1/topics/{fresh_topic(forum, member).pk}/", {"title": "Renamed"}

    got = run(api, persona, request_for)
    compare(got, expected(forum.visibility, MODERATORS | {"member"}, 200))


def test_deleting_a_topic(api, persona, forum, member):
    def request_for(name: str, user: Any) -> tuple[str, str, None]:
        return "delete", f"/api/v1/topics/{fresh_topic(forum, member).pk}/", None

    got = run(api, persona, request_for)
    compare(got, expected(forum.visibility, MODERATORS, 200))


def test_restoring_a_topic(api, persona, forum, member, moderator):
    def request_for(name: str, user: Any) -> tuple[str, str, None]:
        topic = actions.do_delete_topic(moderator, fresh_topic(forum, member))
        return "post", f"/api/v1/topics/{topic.pk}/restore/", None

    got = run(api, persona, request_for)
    # A deleted topic does not exist for anyone but moderators.
    compare(
        got,
        expected(forum.visibility, MODERATORS, 200, public_denied=404, member_denied=404),
    )


def fresh_post(forum: Any, member: Any) -> Post:
    return make_post(forum.topic, member, "A reply to work on")


def test_editing_a_post(api, persona, forum, member):
    def request_for(name: str, user: Any) -> tuple[str, str, dict[str, Any]]:
        return "patch", f"/api/v1/posts/{fresh_post(forum, member).pk}/", {"body": "Edited"}

    got = run(api, persona, request_for)
    compare(got, expected(forum.visibility, MODERATORS | {"member"}, 200))


def test_deleting_a_post(api, persona, forum, member):
    def request_for(name: str, user: Any) -> tuple[str, str, None]:
        return "delete", f"/api/v1/posts/{fresh_post(forum, member).pk}/", None

    got = run(api, persona, request_for)
    compare(got, expected(forum.visibility, MODERATORS | {"member"}, 200))


def test_restoring_a_post(api, persona, forum, member, moderator):
    def request_for(name: str, user: Any) -> tuple[str, str, None]:
        post = actions.do_delete_post(moderator, fresh_post(forum, member))
        return "post", f"/api/v1/posts/{post.pk}/restore/", None

    got = run(api, persona, request_for)
    compare(got, expected(forum.visibility, MODERATORS, 200))


def test_reacting(api, persona, forum):
    url = f"/api/v1/posts/{forum.reply.pk}/reactions/"
    got = run(api, persona, lambda name, user: ("post", url, {"emoji": "👍"}))
    compare(got, expected(forum.visibility, MEMBERS, 201))
    assert Reaction.objects.filter(post=forum.reply).count() == len(MEMBERS)


def test_taking_back_a_reaction(api, persona, forum):
    for name in MEMBERS:
        actions.do_add_reaction(persona(name), forum.reply, "🎉")
    url = f"/api/v1/posts/{forum.reply.pk}/reactions/?emoji=🎉"
    got = run(api, persona, lambda name, user: ("delete", url, None))
    # Readers who never reacted learn that there is no such reaction of theirs.
    compare(
        got,
        expected(forum.visibility, MEMBERS, 200, public_denied=404, staff_denied=404),
    )
    assert not Reaction.objects.filter(post=forum.reply).exists()
