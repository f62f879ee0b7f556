"""Instant mail gathers 2 minutes of notifications into one message, mails each once,
and mails only what may be mailed: unread, wanted, to a verified address, still readable."""

from __future__ import annotations

from typing import Any

import pytest

from community.models import Membership, Network
from mailer import outbox
from mailer.models import Mail
from notifications import gather, preferences
from notifications.actions import do_mark_read
from notifications.models import Notification
from tests._queries import AllQueries
from tests._smtp import html_part, links, text_part
from tests.factories.networks import add_member
from tests.factories.users import make_user
from tests.notifications._mail import TOPIC, later, mention, speaks

pytestmark = pytest.mark.django_db

INSTANT = gather.KIND


def test_five_mentions_within_two_minutes_make_one_mail_and_later_ones_a_second(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any, public_network: Network
) -> None:
    rows = mention(member, public_network, owner, 5)
    assert gather.send_due(now=later(100)) == 0  # the first is not 2 minutes old yet
    assert gather.send_due(now=later(121)) == 1
    jobs.run_pending(now=later(121))
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == member.email
    assert "5" in str(message["Subject"])
    assert text_part(message).count(TOPIC) == 5
    mail = Mail.objects.get(kind=INSTANT)
    assert set(
        Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("mail_id", flat=True)
    ) == {mail.pk}
    # Running again mails nothing more.
    assert gather.send_due(now=later(200)) == 0
    # Two more arrive: they wait their own 2 minutes and make a second mail.
    mention(member, public_network, owner, 2)
    assert gather.send_due(now=later(60)) == 0
    assert gather.send_due(now=later(125)) == 1
    jobs.run_pending(now=later(125))
    messages = smtp_sink.wait_for(2)
    assert len(messages) == 2 and "2" in str(messages[1]["Subject"])


def test_a_mail_has_a_text_and_an_html_part_absolute_links_and_one_click_unsubscribe(
    jobs: Any, smtp_sink: Any, settings: Any, owner: Any, member: Any, public_network: Network
) -> None:
    mention(member, public_network, owner)
    gather.send_due(now=later(121))
    jobs.run_pending(now=later(121))
    [message] = smtp_sink.wait_for(1)
    assert f"{settings.SITE_URL}/networks/germany/" in links(message)
    assert f'href="{settings.SITE_URL}/networks/germany/"' in html_part(message)
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert '<html lang="en" dir="ltr">' in html_part(message)


def test_arabic_mail_is_right_to_left_in_arabic_with_a_text_part(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any, public_network: Network
) -> None:
    speaks(member, "ar")
    mention(member, public_network, owner, 2)
    gather.send_due(now=later(121))
    jobs.run_pending(now=later(121))
    [message] = smtp_sink.wait_for(1)
    assert '<html lang="ar" dir="rtl">' in html_part(message)
    assert message["Content-Language"] == "ar"
    assert "إشعار" in str(message["Subject"])
    assert TOPIC in text_part(message) and "جديد" in text_part(message)


def test_notifications_read_before_the_mail_is_due_are_not_mailed(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any, public_network: Network
) -> None:
    first, second, third = mention(member, public_network, owner, 3)
    do_mark_read(member, ids=[first.pk])
    assert gather.send_due(now=later(121)) == 1
    mail = Mail.objects.get(kind=INSTANT)
    assert set(Notification.objects.filter(mail=mail).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    first.refresh_from_db()
    assert first.mail_id is None and first.mail_settled_at is not None
    # All of them read before delivery: the mail is skipped, nothing is sent.
    do_mark_read(member, every=True)
    jobs.run_pending(now=later(121))
    mail.refresh_from_db()
    assert mail.status == Mail.Status.SKIPPED and smtp_sink.messages == []


def test_everything_read_in_time_means_no_mail(
    owner: Any, member: Any, public_network: Network
) -> None:
    mention(member, public_network, owner, 3)
    do_mark_read(member, every=True)
    assert gather.send_due(now=later(121)) == 0
    assert not Mail.objects.exists()
    assert not Notification.objects.filter(mail_settled_at__isnull=True).exists()


def test_an_unverified_address_gets_nothing(owner: Any, public_network: Network) -> None:
    unverified = make_user("unverified", email_verified=False)
    add_member(public_network, unverified)
    mention(unverified, public_network, owner, 2)
    assert gather.send_due(now=later(121)) == 0
    assert not Mail.objects.exists()
    # Settled: it is not reconsidered every 30 seconds.
    assert not Notification.objects.filter(mail_settled_at__isnull=True).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"email": "off"},
        {"email": "daily"},
        {"kinds": {"mention": False}},
        {"networks": {"germany": {"email": "weekly"}}},
    ],
)
def test_settings_that_do_not_ask_for_instant_mail_of_it_get_none(
    owner: Any, member: Any, public_network: Network, change: dict[str, Any]
) -> None:
    preferences.do_update_settings(member, change)
    mention(member, public_network, owner)
    assert gather.send_due(now=later(121)) == 0
    assert not Mail.objects.exists()


def test_a_network_override_to_instant_mails_that_network_only(
    owner: Any, member: Any, public_network: Network, private_network: Network
) -> None:
    preferences.do_update_settings(
        member, {"email": "off", "networks": {"medical": {"email": "instant"}}}
    )
    mention(member, public_network, owner)
    [kept] = mention(member, private_network, owner)
    assert gather.send_due(now=later(121)) == 1
    assert list(Notification.objects.filter(mail__isnull=False).values_list("pk", flat=True)) == [
        kept.pk
    ]


def test_a_member_banned_since_is_not_mailed_that_networks_notifications(
    owner: Any, member: Any, public_network: Network, private_network: Network
) -> None:
    mention(member, public_network, owner)
    [kept] = mention(member, private_network, owner)
    add_member(public_network, member, status=Membership.Status.BANNED)
    assert gather.send_due(now=later(121)) == 1
    assert list(Notification.objects.filter(mail__isnull=False).values_list("pk", flat=True)) == [
        kept.pk
    ]


def test_a_crash_while_gathering_mails_nothing_and_loses_nothing(
    jobs: Any, smtp_sink: Any, monkeypatch: Any, owner: Any, member: Any, public_network: Network
) -> None:
    mention(member, public_network, owner, 3)
    real = outbox.queue_many

    def crash(rows: Any) -> Any:
        real(rows)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(gather.outbox, "queue_many", crash)
    with pytest.raises(RuntimeError):
        gather.send_due(now=later(121))
    assert not Mail.objects.exists()
    assert not Notification.objects.filter(mail_settled_at__isnull=False).exists()
    monkeypatch.setattr(gather.outbox, "queue_many", real)
    jobs.clear()
    assert gather.send_due(now=later(121)) == 1
    assert gather.send_due(now=later(150)) == 0
    jobs.run_pending(now=later(150))
    assert len(smtp_sink.wait_for(1)) == 1
    assert Notification.objects.filter(mail__isnull=False).count() == 3


def test_gathering_costs_the_same_queries_for_2_or_20_recipients(
    owner: Any, public_network: Network
) -> None:
    def run(n: int) -> int:
        users = [make_user() for _ in range(n)]
        for user in users:
            add_member(public_network, user)
            mention(user, public_network, owner, 2)
        with AllQueries() as queries:
            assert gather.send_due(now=later(121)) == n
        return queries.count

    assert run(2) == run(20)


def test_rendering_a_gathered_mail_costs_the_same_queries_for_2_or_40_lines(
    owner: Any, member: Any, public_network: Network, private_network: Network
) -> None:
    from mailer import registry
    from tests.conftest import clear_cache

    def render(n: int) -> int:
        for i in range(n):
            mention(member, public_network if i % 2 else private_network, owner)
        gather.send_due(now=later(121 + n))
        mail = Mail.objects.select_related("user").order_by("-id").first()
        assert mail is not None
        clear_cache()  # the access check reads the database each time, not a cached set
        with AllQueries() as queries:
            message = registry.render(mail)
        assert message is not None and message.body.count("\n- ") == n
        return queries.count

    assert render(2) == render(40)
