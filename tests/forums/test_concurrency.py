"""Replies racing on one topic keep its counters exact (PostgreSQL row locks, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from community.forums import access, actions
from community.forums.models import Post, Topic
from tests.factories.forums import make_category, make_poster, make_topic

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 8
REPLIES_EACH = 6


def test_concurrent_replies_keep_post_count_and_last_post_exact(public_network, owner):
    assert connection.vendor == "postgresql"
    category = make_category(public_network, owner)
    topic = make_topic(category, owner, "Busy topic", "Everyone answers at once")
    posters = [make_poster(public_network) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def reply_many(user):
        try:
            mine = access.access_topic(user, topic.pk)
            barrier.wait()
            for i in range(REPLIES_EACH):
                actions.do_reply(user, mine, f"reply {i} from {user.username}")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reply_many, args=(u,)) for u in posters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    topic = Topic.objects.get(pk=topic.pk)
    posts = Post.objects.filter(topic=topic)
    assert posts.count() == 1 + THREADS * REPLIES_EACH
    assert topic.post_count == 1 + THREADS * REPLIES_EACH
    last = posts.order_by("-id").first()
    assert topic.last_post_id == last.pk
    assert topic.last_activity_at == last.created_at


def test_concurrent_deletes_and_replies_keep_the_count_exact(public_network, owner, moderator):
    category = make_category(public_network, owner)
    topic = make_topic(category, owner, "Moderated topic", "Start")
    poster = make_poster(public_network)
    victims = [actions.do_reply(poster, topic, f"to delete {i}") for i in range(10)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def delete_all():
        try:
            barrier.wait()
            for post in victims:
                actions.do_delete_post(moderator, access.access_post(moderator, post.pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def reply_many():
        try:
            mine = access.access_topic(poster, topic.pk)
            barrier.wait()
            for i in range(10):
                actions.do_reply(poster, mine, f"new {i}")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=delete_all), threading.Thread(target=reply_many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.post_count == Post.objects.filter(topic=topic, deleted=False).count() == 11
    assert topic.last_post_id == Post.objects.filter(topic=topic, deleted=False).latest("id").pk
