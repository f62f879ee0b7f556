"""The forum kinds: `mention` and `reply`, written by the forum actions with the post, and
watching topics (by default what you start or reply to; the API and the page toggle it).

Decided here: a muted member still reads the network, so a muted watcher is still told
of replies (muting stops someone writing, not reading). A category has no narrower
access than its network, so "may read the category" is "may read the network": an
outsider of a private network, a requester, a banned member or one who left get nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from community.actions import membership as members
from community.forums import actions
from community.forums.models import Category, Post, Topic, TopicWatch
from community.models import Network
from directory.models import Profile
from notifications.models import Notification
from tests._queries import AllQueries
from tests.factories.forums import bulk_posts, make_category, make_post, make_topic
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = "/api/v1/notifications/"


def got(user: Any, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def watch_url(topic: Topic) -> str:
    return reverse("forum-topic-watch", args=[topic.pk])


@pytest.fixture
def category(public_network: Network, owner: Any) -> Category:
    return make_category(public_network, owner, name="Général", slug="general")


@pytest.fixture
def topic(category: Category, member: Any) -> Topic:
    return make_topic(category, member, "Télémédecine : appel à experts", "Qui en fait ?")


@pytest.fixture
def private_topic(private_network: Network, owner: Any, member: Any) -> Topic:
    return make_topic(make_category(private_network, owner), member, "Cas clinique", "Avis ?")


# --- mention -----------------------------------------------------------------------------


def test_opening_a_topic_notifies_the_members_it_mentions(
    category: Category, member: Any, moderator: Any, owner: Any
) -> None:
    topic, post = actions.do_create_topic(member, category, "Aide", "@moderator @owner @member ?")
    for person in (moderator, owner):
        (row,) = got(person)
        assert (row.kind, row.actor_id, row.network_id) == (
            Kind.MENTION,
            member.pk,
            topic.network_id,
        )
        assert (row.target_type, row.target_id) == ("post", post.pk)
        assert row.data == {"topic": topic.pk, "title": "Aide"}
    assert got(member) == []  # naming oneself notifies nobody


def test_a_reply_notifies_the_members_it_mentions_once_each(
    topic: Topic, owner: Any, moderator: Any
) -> None:
    post = make_post(topic, owner, "@moderator @Moderator @moderator, what do you think?")
    assert [(n.kind, n.target_id) for n in got(moderator)] == [(Kind.MENTION, post.pk)]


def test_mentions_reach_no_outsider_requester_or_banned_member_of_a_private_network(
    private_topic: Topic, owner: Any, outsider: Any, pending: Any, banned: Any, moderator: Any
) -> None:
    make_post(private_topic, owner, "@outsider @pending @banned @moderator")
    assert got(outsider) == [] and got(pending) == [] and got(banned) == []
    assert [n.kind for n in got(moderator)] == [Kind.MENTION]


def test_an_outsider_mentioned_in_a_public_network_gets_nothing(
    topic: Topic, owner: Any, outsider: Any
) -> None:
    """Only active members are resolved: a post cannot ping someone outside the network."""
    make_post(topic, owner, "@outsider look")
    assert got(outsider) == []


def test_an_edit_notifies_only_those_it_names_for_the_first_time(
    topic: Topic, member: Any, owner: Any, moderator: Any
) -> None:
    post = make_post(topic, member, "cc @moderator")
    actions.do_edit_post(member, post, "cc @moderator @owner")
    assert len(got(moderator, Kind.MENTION)) == 1
    assert [(n.kind, n.target_id) for n in got(owner, Kind.MENTION)] == [(Kind.MENTION, post.pk)]
    # Dropped then named again: still the one notification about this post.
    actions.do_edit_post(member, post, "cc nobody")
    actions.do_edit_post(member, post, "cc @moderator again")
    assert len(got(moderator, Kind.MENTION)) == 1


def test_a_mention_in_a_deleted_topic_notifies_nobody(
    topic: Topic, owner: Any, member: Any, moderator: Any
) -> None:
    """Only moderators read a deleted topic: its posts tell nobody anything."""
    post = make_post(topic, owner, "plain")
    actions.do_delete_topic(owner, topic)
    actions.do_edit_post(owner, Post.objects.get(pk=post.pk), "now @moderator @member")
    assert got(moderator, Kind.MENTION) == [] and got(member, Kind.MENTION) == []


# --- reply and watching --------------------------------------------------------------------


def test_starting_and_replying_watch_the_topic(topic: Topic, member: Any, moderator: Any) -> None:
    assert TopicWatch.objects.filter(topic=topic, user=member, watching=True).exists()
    make_post(topic, moderator, "Moi")
    assert TopicWatch.objects.filter(topic=topic, user=moderator, watching=True).exists()


def test_the_migration_makes_authors_and_repliers_of_existing_topics_watch_them(
    topic: Topic, member: Any, moderator: Any, owner: Any
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("community.forums.migrations.0005_watch_existing_topics")
    make_post(topic, moderator, "Before watching existed")
    other = make_topic(topic.category, owner)
    TopicWatch.objects.exclude(topic=other).delete()
    TopicWatch.objects.filter(topic=other).update(watching=False)  # owner chose not to
    migration.watch_what_people_wrote_in(apps, None)
    watching = set(TopicWatch.objects.filter(watching=True).values_list("topic_id", "user_id"))
    assert watching == {(topic.pk, member.pk), (topic.pk, moderator.pk)}
    assert TopicWatch.objects.filter(user=owner, watching=False).count() == 1  # choice kept


def test_a_reply_notifies_the_author_answered_and_the_watchers_not_the_actor(
    topic: Topic, member: Any, moderator: Any, owner: Any
) -> None:
    answered = make_post(topic, moderator, "First answer")  # moderator now watches
    reply = make_post(topic, owner, "Second", reply_to_id=answered.pk)
    (to_moderator,) = got(moderator)
    assert (to_moderator.kind, to_moderator.data["to"]) == (Kind.REPLY, "post")
    assert (to_moderator.target_type, to_moderator.target_id) == ("post", reply.pk)
    # member started the topic, so watches it: a reply to the topic, once for each post.
    assert [(n.kind, n.data["to"], n.target_id) for n in got(member)] == [
        (Kind.REPLY, "topic", answered.pk),
        (Kind.REPLY, "topic", reply.pk),
    ]
    assert got(owner) == []


def test_someone_mentioned_and_answered_gets_the_mention_only(
    topic: Topic, member: Any, moderator: Any
) -> None:
    answered = make_post(topic, moderator, "First answer")
    make_post(topic, member, "@moderator right", reply_to_id=answered.pk)
    assert [n.kind for n in got(moderator)] == [Kind.MENTION]


def test_a_watcher_banned_since_or_who_left_a_private_network_hears_nothing(
    private_topic: Topic, private_network: Network, owner: Any, member: Any, moderator: Any
) -> None:
    make_post(private_topic, moderator, "I watch now")  # member, who started it, hears of it
    members.do_ban_member(owner, private_network, member.pk, "spam")
    members.do_leave_network(moderator, private_network)
    later = make_post(private_topic, owner, "Anyone?")
    assert not Notification.objects.filter(target_id=later.pk).exists()
    assert TopicWatch.objects.filter(topic=private_topic, user__in=[member, moderator]).count() == 2


def test_a_muted_watcher_still_hears_of_replies(
    topic: Topic, public_network: Network, owner: Any, member: Any
) -> None:
    members.do_mute_member(owner, public_network, member.pk, 60)
    make_post(topic, owner, "Still there?")
    assert [n.kind for n in got(member, Kind.REPLY)] == [Kind.REPLY]


def test_unwatching_stops_replies_and_replying_again_keeps_the_choice(
    api: Any, topic: Topic, member: Any, moderator: Any
) -> None:
    assert api(member).delete(watch_url(topic)).status_code == 204
    make_post(topic, moderator, "One")
    make_post(topic, member, "I reply, still not watching")
    make_post(topic, moderator, "Two")
    assert got(member, Kind.REPLY) == []
    assert api(member).get(reverse("forum-topic", args=[topic.pk])).json()["watching"] is False


def test_watch_api_puts_and_deletes_and_the_detail_says_so(
    api: Any, topic: Topic, owner: Any, moderator: Any
) -> None:
    client, detail = api(owner), reverse("forum-topic", args=[topic.pk])
    assert client.get(detail).json()["watching"] is False
    response = client.put(watch_url(topic))
    assert response.status_code == 204 and response.content == b""
    assert client.put(watch_url(topic)).status_code == 204  # again: still watching
    assert client.get(detail).json()["watching"] is True
    make_post(topic, moderator, "Hello")
    assert [n.kind for n in got(owner)] == [Kind.REPLY]
    assert client.delete(watch_url(topic)).status_code == 204
    assert client.get(detail).json()["watching"] is False


def test_watch_api_is_404_for_a_topic_one_cannot_read_and_401_signed_out(
    api: Any, private_topic: Topic, outsider: Any, pending: Any
) -> None:
    for person in (outsider, pending):
        assert api(person).put(watch_url(private_topic)).status_code == 404
        assert api(person).delete(watch_url(private_topic)).status_code == 404
    assert api(outsider).put(reverse("forum-topic-watch", args=[2**40])).status_code == 404
    assert api(None).put(watch_url(private_topic)).status_code == 401
    assert not TopicWatch.objects.filter(user__in=[outsider, pending]).exists()


def test_created_topic_response_says_its_author_watches(
    api: Any, category: Category, member: Any
) -> None:
    url = reverse("forum-topics", args=[category.network.slug, category.pk])
    created = api(member).post(url, {"title": "New", "body": "Body"}, format="json")
    assert created.status_code == 201 and created.json()["watching"] is True


@pytest.mark.parametrize(
    ("language", "watch", "unwatch"),
    [
        ("en", "Watch", "Stop watching"),
        ("fr", "Suivre", "Ne plus suivre"),
        ("ar", "تابِع", "إلغاء المتابعة"),
    ],
)
def test_topic_page_toggles_watching_without_javascript(
    topic: Topic, owner: Any, language: str, watch: str, unwatch: str
) -> None:
    Profile.objects.filter(user=owner).update(ui_language=language)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(owner)
    page_url = reverse("web:topic", args=[topic.pk])
    page = client.get(page_url).content.decode()
    assert f"{watch}</button>" in page and 'name="watching" value="true"' in page
    token = client.cookies["csrftoken"].value
    url = reverse("web:watch-topic", args=[topic.pk])
    assert client.post(url, {"watching": "true"}).status_code == 403  # no CSRF token
    response = client.post(url, {"watching": "true", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == page_url
    assert TopicWatch.objects.get(topic=topic, user=owner).watching is True
    page = client.get(page_url).content.decode()
    assert f"{unwatch}</button>" in page and 'name="watching" value="false"' in page
    client.post(url, {"watching": "false", "csrfmiddlewaretoken": token})
    assert TopicWatch.objects.get(topic=topic, user=owner).watching is False


def test_topic_page_watch_refuses_a_bad_value_and_unreadable_topics(
    client: Client, topic: Topic, private_topic: Topic, owner: Any, outsider: Any
) -> None:
    client.force_login(owner)
    bad = client.post(reverse("web:watch-topic", args=[topic.pk]), {"watching": "maybe"})
    assert bad.status_code == 400 and b"watching" in bad.content
    client.force_login(outsider)
    hidden = client.post(reverse("web:watch-topic", args=[private_topic.pk]), {"watching": "true"})
    assert hidden.status_code == 404
    assert not TopicWatch.objects.filter(user=outsider).exists()


# --- text, link, cost ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "mention", "reply"),
    [
        ("en", "Owner mentioned you in “Aide”.", "Owner replied in “Aide”, a topic you watch."),
        (
            "fr",
            "Owner vous a mentionné dans « Aide ».",
            "Owner a répondu dans « Aide », un sujet que vous suivez.",
        ),
        ("ar", "أشار إليك Owner في «Aide».", "ردّ Owner في «Aide»، وهو موضوع تتابعه."),
    ],
)
def test_texts_in_the_recipient_language_and_links_to_the_post(
    api: Any, category: Category, member: Any, owner: Any, language: str, mention: str, reply: str
) -> None:
    topic = make_topic(category, member, "Aide", "Body")
    named = make_post(topic, owner, "@member look")
    answer = make_post(topic, owner, "And another thing")
    Profile.objects.filter(user=member).update(ui_language=language)
    results = api(member).get(LIST).json()["results"]
    by_post = {r["target"]["id"]: r for r in results}
    assert by_post[named.pk]["text"] == mention and by_post[answer.pk]["text"] == reply
    topic_page = reverse("web:topic", args=[topic.pk])
    assert by_post[named.pk]["target"] == {
        "type": "post",
        "id": named.pk,
        "url": f"{topic_page}?post={named.pk}#post-{named.pk}",
    }


def test_the_link_of_a_reply_in_a_long_topic_opens_the_page_holding_it(
    api: Any, client: Client, topic: Topic, member: Any, owner: Any, moderator: Any
) -> None:
    bulk_posts(topic, [owner, moderator], 120)
    reply = make_post(topic, owner, "Page three")
    (row,) = api(member).get(LIST).json()["results"]
    client.force_login(member)
    landing = client.get(row["target"]["url"])
    assert landing.status_code == 302 and landing["Location"].endswith(f"#post-{reply.pk}")
    page = client.get(landing["Location"]).content.decode()
    assert f'id="post-{reply.pk}"' in page
    first_page = client.get(reverse("web:topic", args=[topic.pk])).content.decode()
    assert f'id="post-{reply.pk}"' not in first_page
    # A post of the first page, or one of another topic: the page as it is.
    first = topic.posts.order_by("id").first()
    assert first is not None
    url = reverse("web:topic", args=[topic.pk])
    assert client.get(f"{url}?post={first.pk}").status_code == 200
    assert client.get(f"{url}?post=999999").status_code == 200
    assert client.get(f"{url}?post=abc").status_code == 200


def test_reply_to_your_post_text(api: Any, topic: Topic, owner: Any, moderator: Any) -> None:
    answered = make_post(topic, moderator, "Mine")
    make_post(topic, owner, "Yours", reply_to_id=answered.pk)
    (row,) = api(moderator).get(LIST).json()["results"]
    assert row["text"] == f"Owner replied to your post in “{topic.title}”."


def _reply_cost(topic: Topic, author: Any, django_capture_on_commit_callbacks: Any) -> int:
    with AllQueries() as queries, django_capture_on_commit_callbacks(execute=True):
        actions.do_reply(author, topic, "A reply to everyone watching")
    return queries.count


def test_reply_queries_do_not_grow_with_the_number_of_watchers(
    django_capture_on_commit_callbacks: Any, category: Category, member: Any, owner: Any
) -> None:
    """The watchers are read in one query and notified in one INSERT, their frames pushed
    with a constant number of queries: 2 watchers or 30 cost the same."""
    network = category.network
    costs = []
    for n in (2, 30):
        topic = make_topic(category, member, f"Topic for {n}")
        for i in range(n):
            watcher = make_user(f"watcher{n}x{i}")
            add_member(network, watcher)
            TopicWatch.objects.create(topic=topic, user=watcher)
        make_post(topic, owner, "warm up")  # owner's watch row and budget exist
        costs.append(_reply_cost(topic, owner, django_capture_on_commit_callbacks))
        latest = Post.objects.latest("id")
        # Every watcher and the topic's author (who watches what they start).
        assert Notification.objects.filter(kind=Kind.REPLY, target_id=latest.pk).count() == n + 1
    assert costs[0] == costs[1], costs
