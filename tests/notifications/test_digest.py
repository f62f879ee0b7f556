"""Daily and weekly digests: new topics of each network you are an active member of,
nothing of one you left or were banned from, nothing new no mail, never resent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from community.models import Membership, Network
from mailer.models import Mail
from notifications import digest, preferences
from notifications.models import NotificationSettings
from tests._queries import AllQueries
from tests._smtp import html_part, text_part
from tests.factories.forums import make_category, make_topic
from tests.factories.networks import add_member, make_network
from tests.factories.users import make_user
from tests.notifications._mail import later, speaks

pytestmark = pytest.mark.django_db

Status = Membership.Status


def _network_with_topic(owner: Any, reader: Any, name: str, status: str = Status.ACTIVE) -> Network:
    network = make_network(owner, name=name, slug=name.lower())
    add_member(network, reader, status=status)
    make_topic(make_category(network), owner, f"News of {name}")
    return network


def test_a_member_of_three_networks_gets_the_new_topics_of_each_and_nothing_of_one_left_or_banned(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any
) -> None:
    preferences.do_update_settings(member, {"email": "daily"})
    for name in ("Alpha", "Beta", "Gamma"):
        _network_with_topic(owner, member, name)
    left = _network_with_topic(owner, member, "Left")
    banned = _network_with_topic(owner, member, "Banned")
    add_member(left, member, status=Status.LEFT)
    add_member(banned, member, status=Status.BANNED)
    assert digest.send_due("daily", now=later(1)) == 1
    jobs.run_pending(now=later(1))
    [message] = smtp_sink.wait_for(1)
    text = text_part(message)
    for name in ("Alpha", "Beta", "Gamma"):
        assert f"News of {name}" in text
        assert f">News of {name}</a>" in html_part(message)
    assert "News of Left" not in text and "News of Banned" not in text
    assert "Owner" in text  # the author
    assert "/topics/" in text and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_nothing_new_means_no_mail(jobs: Any, smtp_sink: Any, owner: Any, member: Any) -> None:
    preferences.do_update_settings(member, {"email": "weekly"})
    network = make_network(owner, slug="quiet")
    add_member(network, member)
    assert digest.send_due("weekly", now=later(1)) == 1
    jobs.run_pending(now=later(1))
    assert Mail.objects.get(kind=digest.KIND).status == Mail.Status.SKIPPED
    assert smtp_sink.messages == []


def test_the_last_digest_is_recorded_so_a_rerun_does_not_resend_and_the_next_starts_there(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any
) -> None:
    preferences.do_update_settings(member, {"email": "daily"})
    network = _network_with_topic(owner, member, "Alpha")
    first = later(1)
    assert digest.send_due("daily", now=first) == 1
    # A restart runs the job again: nothing is due.
    assert digest.send_due("daily", now=first + dt.timedelta(minutes=10)) == 0
    assert NotificationSettings.objects.get(user=member).daily_digest_at == first
    jobs.run_pending(now=first)
    smtp_sink.wait_for(1)
    make_topic(network.categories.get(), owner, "Second news")
    # The new topic is dated now; the next digest covers (first, first + 1 day].
    from community.forums.models import Topic

    Topic.objects.filter(title="Second news").update(created_at=first + dt.timedelta(hours=3))
    assert digest.send_due("daily", now=first + dt.timedelta(days=1)) == 1
    jobs.run_pending(now=first + dt.timedelta(days=1))
    messages = smtp_sink.wait_for(2)
    assert "Second news" in text_part(messages[1])
    assert "News of Alpha" not in text_part(messages[1])


def test_a_network_override_puts_only_that_network_in_its_digest(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any
) -> None:
    _network_with_topic(owner, member, "Alpha")
    _network_with_topic(owner, member, "Beta")
    preferences.do_update_settings(member, {"networks": {"beta": {"email": "weekly"}}})
    assert digest.send_due("daily", now=later(1)) == 0
    assert digest.send_due("weekly", now=later(1)) == 1
    jobs.run_pending(now=later(1))
    [message] = smtp_sink.wait_for(1)
    assert "News of Beta" in text_part(message) and "News of Alpha" not in text_part(message)


def test_an_unverified_address_or_email_off_gets_no_digest(owner: Any, member: Any) -> None:
    unverified = make_user("unverified", email_verified=False)
    _network_with_topic(owner, unverified, "Alpha")
    preferences.do_update_settings(unverified, {"email": "daily"})
    add_member(Network.objects.get(slug="alpha"), member)
    preferences.do_update_settings(member, {"email": "off"})
    assert digest.send_due("daily", now=later(1)) == 0


def test_arabic_digest_is_right_to_left(jobs: Any, smtp_sink: Any, owner: Any, member: Any) -> None:
    speaks(member, "ar")
    preferences.do_update_settings(member, {"email": "daily"})
    _network_with_topic(owner, member, "Alpha")
    digest.send_due("daily", now=later(1))
    jobs.run_pending(now=later(1))
    [message] = smtp_sink.wait_for(1)
    assert '<html lang="ar" dir="rtl">' in html_part(message)
    assert "News of Alpha" in text_part(message)


def test_a_registered_section_adds_its_items(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any
) -> None:
    preferences.do_update_settings(member, {"email": "daily"})
    network = _network_with_topic(owner, member, "Alpha")

    def meetings(user: Any, networks: Any, since: Any, until: Any) -> dict[int, digest.Found]:
        item = digest.Item(title="Cardiology meetup", url="http://testserver/m/1/")
        return {network.pk: digest.Found((item,), 1)}

    digest.section("test-meetings", label="Meetings")(meetings)
    try:
        digest.send_due("daily", now=later(1))
        jobs.run_pending(now=later(1))
    finally:
        digest._sections.pop("test-meetings")
    [message] = smtp_sink.wait_for(1)
    assert "Meetings" in text_part(message) and "Cardiology meetup" in text_part(message)


def test_queueing_digests_walks_users_in_batches_with_constant_queries_per_batch(
    monkeypatch: Any, owner: Any
) -> None:
    monkeypatch.setattr(digest, "BATCH", 3)
    network = make_network(owner, slug="big")
    users = [make_user() for _ in range(7)]
    for user in users:
        add_member(network, user)
        preferences.do_update_settings(user, {"email": "daily"})
    with AllQueries() as queries:
        assert digest.send_due("daily", now=later(1)) == 7
    # 3 batches (3, 3, 1): the same few statements each, whatever the batch size.
    assert queries.count <= 3 * 6
    assert Mail.objects.filter(kind=digest.KIND).count() == 7


def test_a_batch_window_where_nobody_is_due_does_not_end_the_walk(
    monkeypatch: Any, owner: Any
) -> None:
    monkeypatch.setattr(digest, "BATCH", 3)
    network = make_network(owner, slug="mixed")
    # By id: 2 daily, 4 weekly (a window of 3 with nobody due for daily), then 2 daily.
    modes = ["daily"] * 2 + ["weekly"] * 4 + ["daily"] * 2
    for mode in modes:
        user = make_user()
        add_member(network, user)
        preferences.do_update_settings(user, {"email": mode})
    assert digest.send_due("daily", now=later(1)) == 4
    assert digest.send_due("weekly", now=later(1)) == 4
    assert digest.send_due("daily", now=later(1)) == 0


def test_a_digest_after_a_long_pause_reaches_back_two_periods_at_most(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any
) -> None:
    from community.forums.models import Topic

    preferences.do_update_settings(member, {"email": "daily"})
    network = _network_with_topic(owner, member, "Alpha")
    make_topic(network.categories.get(), owner, "Yesterday's news")
    now = later(1)
    Topic.objects.filter(title="News of Alpha").update(created_at=now - dt.timedelta(days=10))
    Topic.objects.filter(title="Yesterday's news").update(created_at=now - dt.timedelta(days=1))
    NotificationSettings.objects.filter(user=member).update(
        daily_digest_at=now - dt.timedelta(days=30)
    )
    assert digest.send_due("daily", now=now) == 1
    jobs.run_pending(now=now)
    [message] = smtp_sink.wait_for(1)
    assert "Yesterday's news" in text_part(message)
    assert "News of Alpha" not in text_part(message)


def test_members_of_one_network_each_get_its_news_in_their_own_language_from_one_delivery(
    jobs: Any, smtp_sink: Any, owner: Any
) -> None:
    network = make_network(owner, slug="alpha")
    make_topic(make_category(network), owner, "News of Alpha")
    speakers = {}
    for language in ("ar", "fr", "en", "fr"):
        user = make_user()
        add_member(network, user)
        speaks(user, language)
        preferences.do_update_settings(user, {"email": "daily"})
        speakers[user.email] = language
    digest.send_due("daily", now=later(1))
    jobs.run_pending(now=later(1))
    heading = {"ar": "مواضيع جديدة", "fr": "Nouveaux sujets", "en": "New topics"}
    messages = smtp_sink.wait_for(4)
    for message in messages:
        language = speakers[message["To"]]
        assert heading[language] in text_part(message)
        assert heading[language] in html_part(message)
        assert "News of Alpha" in text_part(message)
        for other in set(heading) - {language}:
            assert heading[other] not in text_part(message)


def test_delivering_digests_costs_one_write_per_mail_and_the_same_reads_for_any_batch(
    jobs: Any, smtp_sink: Any, owner: Any
) -> None:
    def deliver(size: int) -> int:
        network = make_network(owner, slug=f"n{size}")
        make_topic(make_category(network), owner, f"News for {size}")
        for _ in range(size):
            user = make_user()
            add_member(network, user)
            preferences.do_update_settings(user, {"email": "daily"})
        assert digest.send_due("daily", now=later(1)) == size
        with AllQueries() as queries:
            jobs.run_pending(now=later(1))
        return queries.count

    small, large = deliver(3), deliver(13)
    # Per mail, marking it sent; its recipient, their address's keys and their networks
    # come with the batch, and each network's news once.
    assert large - small == 10
    assert len(smtp_sink.wait_for(16)) == 16
