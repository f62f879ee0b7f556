"""The chat kinds: `mention` in network rooms, written with the message, and
`direct_message`, checked `DIRECT_MESSAGE_NOTIFY_DELAY` seconds after a send and sent only
to a recipient who has no open socket, has not read it, and has no unread one for that
room (one per room until read; reading the room reads it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.actions import messages, rooms
from chat.models import Room
from community.actions import membership as members
from community.models import Network
from core import presence
from directory.models import Profile
from notifications.models import Notification
from tests._ws import db
from tests.chat import conftest as chat_fixtures
from tests.factories.chat import make_direct_room, send

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = "/api/v1/notifications/"
TASK = "chat.tasks.notify_direct_message"


def got(user: Any, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


# The chat suite's rooms: "General" in the public network, "Cas cliniques" in the private one.
room = chat_fixtures.public_room
private_room = chat_fixtures.private_room


@pytest.fixture
def direct(member: Any, moderator: Any, public_network: Network) -> Room:
    return make_direct_room(member, moderator)


# --- mention -----------------------------------------------------------------------------


def test_a_room_message_notifies_and_links_the_members_it_mentions(
    room: Room, member: Any, moderator: Any, owner: Any
) -> None:
    message = send(member, room, "@moderator @Owner @member regardez")
    assert 'href="/people/moderator/"' in message.body_html
    for person in (moderator, owner):
        (row,) = got(person)
        assert (row.kind, row.actor_id, row.network_id) == (
            Kind.MENTION,
            member.pk,
            room.network_id,
        )
        assert (row.target_type, row.target_id) == ("message", message.pk)
        assert row.data == {"room": room.pk, "room_name": "General"}
    assert got(member) == []


def test_mentions_in_a_private_room_reach_no_outsider_requester_or_banned_member(
    private_room: Room, owner: Any, outsider: Any, pending: Any, banned: Any, moderator: Any
) -> None:
    message = send(owner, private_room, "@outsider @pending @banned @moderator")
    assert "/people/outsider/" not in message.body_html
    assert got(outsider) == [] and got(pending) == [] and got(banned) == []
    assert [n.kind for n in got(moderator)] == [Kind.MENTION]


def test_a_member_banned_since_the_mention_was_written_sees_nothing_of_it(
    api: Any, private_room: Room, private_network: Network, owner: Any, member: Any
) -> None:
    send(owner, private_room, "@member")
    members.do_ban_member(owner, private_network, member.pk)
    assert api(member).get(LIST).json()["results"] == []


def test_an_edit_notifies_only_those_it_names_for_the_first_time(
    room: Room, member: Any, moderator: Any, owner: Any
) -> None:
    message = send(member, room, "cc @moderator")
    messages.do_edit_message(member, message, "cc @moderator @owner")
    messages.do_edit_message(member, message, "cc nobody")
    messages.do_edit_message(member, message, "cc @moderator @owner again")
    assert len(got(moderator, Kind.MENTION)) == 1 and len(got(owner, Kind.MENTION)) == 1


def test_a_direct_message_mentions_nobody(direct: Room, member: Any, moderator: Any) -> None:
    message = send(member, direct, "@moderator hello")
    assert "<a" not in message.body_html
    assert got(moderator, Kind.MENTION) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Member mentioned you in #General."),
        ("fr", "Member vous a mentionné dans #General."),
        ("ar", "أشار إليك Member في #General."),
    ],
)
def test_mention_text_in_the_recipient_language_and_link_to_the_message(
    api: Any, room: Room, member: Any, moderator: Any, language: str, text: str
) -> None:
    message = send(member, room, "@moderator")
    Profile.objects.filter(user=moderator).update(ui_language=language)
    (row,) = api(moderator).get(LIST).json()["results"]
    assert row["text"] == text
    assert row["target"]["url"] == f"{reverse('web:room', args=[room.pk])}#m-{message.pk}"


# --- direct_message ------------------------------------------------------------------------


def test_a_direct_message_is_checked_after_the_delay_and_notifies_the_absent(
    jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    message = send(member, direct, "Salam")
    assert jobs.pending() == [(TASK, (message.pk,))]
    assert jobs.run_pending(now=later(29)) == 0  # not due yet
    assert got(moderator) == []
    assert jobs.run_pending(now=later(31)) == 1
    (row,) = got(moderator)
    assert (row.kind, row.actor_id, row.network_id) == (Kind.DIRECT_MESSAGE, member.pk, None)
    assert (row.target_type, row.target_id) == ("room", direct.pk)
    assert got(member) == []  # the sender hears nothing of their own message


def test_the_delay_is_a_setting(settings: Any, jobs: Any, direct: Room, member: Any) -> None:
    settings.DIRECT_MESSAGE_NOTIFY_DELAY = 5
    send(member, direct, "Salam")
    assert jobs.run_pending(now=later(4)) == 0
    assert jobs.run_pending(now=later(6)) == 1


def test_no_direct_message_notification_while_the_recipient_has_a_socket(
    jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    presence.connect(moderator.pk)
    send(member, direct, "Salam")
    jobs.run_pending(now=later(31))
    assert got(moderator) == []
    presence.disconnect(moderator.pk)
    send(member, direct, "Still there?")
    jobs.run_pending(now=later(31))
    assert [n.kind for n in got(moderator)] == [Kind.DIRECT_MESSAGE]


def test_no_notification_for_a_message_read_before_the_delay(
    jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    message = send(member, direct, "Salam")
    rooms.do_mark_read(moderator, direct, message.pk)
    jobs.run_pending(now=later(31))
    assert got(moderator) == []


def test_one_notification_per_room_until_read_and_reading_the_room_reads_it(
    api: Any, jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    client = api(moderator)
    send(member, direct, "One")
    send(member, direct, "Two")
    jobs.run_pending(now=later(31))
    send(member, direct, "Three")
    jobs.run_pending(now=later(31))
    (row,) = got(moderator)
    assert client.get(f"{LIST}unread-count/").json() == {"count": 1}
    last = send(member, direct, "Four")
    rooms.do_mark_read(moderator, direct, last.pk)
    jobs.run_pending(now=later(31))  # "Four" was read before its check
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.get(f"{LIST}unread-count/").json() == {"count": 0}
    # Read: the next message away from the socket is a new notification.
    send(member, direct, "Five")
    jobs.run_pending(now=later(31))
    assert len(got(moderator, Kind.DIRECT_MESSAGE)) == 2


def test_reading_a_room_tells_the_other_tabs_the_notification_was_read(
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    jobs: Any,
    direct: Room,
    member: Any,
    moderator: Any,
) -> None:
    from notifications import actions

    message = send(member, direct, "Salam")
    jobs.run_pending(now=later(31))
    (row,) = got(moderator)
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(actions.events, "send_event_now", lambda group, event: sent.append(event))
    with django_capture_on_commit_callbacks(execute=True):
        rooms.do_mark_read(moderator, direct, message.pk)
    assert {"type": "notifications.read", "ids": [row.pk], "unread": 0} in sent


def test_a_deleted_message_is_not_notified(
    jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    message = send(member, direct, "Oops")
    messages.do_delete_message(member, message)
    jobs.run_pending(now=later(31))
    assert got(moderator) == []


def test_channel_room_messages_enqueue_no_direct_message_check(
    jobs: Any, room: Room, member: Any
) -> None:
    send(member, room, "Hello all")
    assert jobs.pending() == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Member sent you a message."),
        ("fr", "Member vous a envoyé un message."),
        ("ar", "أرسل إليك Member رسالة."),
    ],
)
def test_direct_message_text_and_link_to_the_room(
    api: Any, jobs: Any, direct: Room, member: Any, moderator: Any, language: str, text: str
) -> None:
    send(member, direct, "Salam")
    jobs.run_pending(now=later(31))
    Profile.objects.filter(user=moderator).update(ui_language=language)
    (row,) = api(moderator).get(LIST).json()["results"]
    assert row["text"] == text
    assert row["target"] == {
        "type": "room",
        "id": direct.pk,
        "url": reverse("web:room", args=[direct.pk]),
    }


def test_the_sweep_makes_a_dropped_check_once_and_never_twice_for_one_message(
    api: Any, jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    from chat.actions.notify import sweep_direct_messages

    send(member, direct, "Salam")
    jobs.clear()  # the delayed check was lost (a restart of the thread engine, say)
    assert sweep_direct_messages(now=later(10)) == 0  # not due yet
    assert sweep_direct_messages(now=later(31)) == 1
    assert sweep_direct_messages(now=later(91)) == 0
    (row,) = got(moderator)
    # Read from the bell, not in the room: the message stays unread, yet is not told again.
    assert api(moderator).post(f"{LIST}read/", {"all": True}, format="json").status_code == 204
    assert sweep_direct_messages(now=later(151)) == 0
    assert got(moderator) == [row]


def test_the_sweep_leaves_old_messages_and_is_scheduled(
    settings: Any, jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    from chat.actions.notify import SWEEP_WINDOW, sweep_direct_messages

    send(member, direct, "Salam")
    jobs.clear()
    assert sweep_direct_messages(now=timezone.now() + SWEEP_WINDOW + dt.timedelta(seconds=5)) == 0
    assert got(moderator) == []
    tasks = {entry["task"] for entry in settings.JOBS_SCHEDULE.values()}
    assert "chat.tasks.sweep_direct_messages" in tasks


@pytest.mark.django_db(transaction=True)
async def test_a_mention_sent_over_the_socket_reaches_the_named_member_live(
    connect: Any, member: Any, moderator: Any, outsider: Any, room: Room
) -> None:
    author, named, other = await connect(member), await connect(moderator), await connect(outsider)
    await author.send(type="message.send", room=room.pk, body="@moderator salam", client_id="m1")
    message_id = (await author.expect("message.ack"))["id"]
    frame = await named.expect("notification")
    assert frame["unread"] == 1
    notification = frame["notification"]
    assert (notification["kind"], notification["target"]["id"]) == ("mention", message_id)
    assert notification["text"] == "Member mentioned you in #General."
    assert await other.nothing(ignore={"presence", "unread", "activity"})


@pytest.mark.django_db(transaction=True)
async def test_a_direct_message_is_notified_only_once_the_recipients_socket_is_closed(
    connect: Any, jobs: Any, direct: Room, member: Any, moderator: Any
) -> None:
    peer = await connect(moderator)
    await db(send)(member, direct, "Salam")
    await db(jobs.run_pending)(later(31))
    assert await db(got)(moderator) == []
    await peer.close()
    await db(send)(member, direct, "Tu es là ?")
    await db(jobs.run_pending)(later(31))
    assert [n.kind for n in await db(got)(moderator)] == [Kind.DIRECT_MESSAGE]
