"""Your data: the JSON archive of everything held about you, and deleting the account —
what goes, what stays as "Deleted member", and what search and the room log hold after."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accounts.models import AccountKey, AuthToken
from chat.actions.messages import do_add_reaction
from chat.models import Message, RoomEvent
from community.forums.models import Post, PostRevision, Topic
from community.models import Membership
from directory.models import Profile
from notifications.models import Notification
from search.models import Document
from tests.factories.chat import make_room, send
from tests.factories.directory import SearchBackend, make_profile
from tests.factories.forums import make_category, make_post, make_topic
from tests.factories.networks import add_member
from tests.factories.search import found, word
from tests.factories.users import client_for, make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def zineb(public_network: Any) -> Any:
    user = make_user("zineb_a")
    make_profile(user, display_name="Zineb Alaoui", headline="Cardiologue pédiatrique")
    add_member(public_network, user)
    return user


@pytest.fixture
def history(public_network: Any, zineb: Any, moderator: Any, owner: Any) -> dict[str, Any]:
    """What Zineb wrote: a topic of her own, a reply in someone else's topic (edited once),
    chat messages, a reaction on another's message; and a notification she received."""
    from community.forums.actions import do_edit_post

    said, replied, chatted = word(), word(), word()
    category = make_category(public_network)
    hers = make_topic(category, zineb, f"Mission {said}", f"Opening {said}")
    theirs = make_topic(category, moderator, "Question", "Anyone?")
    reply = make_post(theirs, zineb, f"Answer {replied}")
    do_edit_post(zineb, reply, f"Answer {replied} (edited)")
    room = make_room(public_network, by=owner)
    message = send(zineb, room, f"Salam {chatted}")
    other = send(moderator, room, f"Hello @{zineb.username}. See you @{zineb.username.upper()}!")
    do_add_reaction(zineb, other, "👍")
    return {
        "words": (said, replied, chatted),
        "topic": hers,
        "other_topic": theirs,
        "reply": reply,
        "room": room,
        "message": message,
    }


def test_the_archive_holds_what_is_yours_and_nothing_of_anyone_else(
    database_only: Any, zineb: Any, history: dict[str, Any], moderator: Any
) -> None:
    response = client_for(zineb).get("/api/v1/auth/me/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="shabaka-zineb_a-')
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["format"] == "shabaka-export/1"
    assert {"account", "profile", "networks", "forums", "chat", "notifications", "mail"} <= set(
        data
    )
    said, replied, chatted = history["words"]
    assert data["account"]["email"] == "zineb_a@example.org"
    assert data["profile"]["display_name"] == "Zineb Alaoui"
    assert [m["network"] for m in data["networks"]["memberships"]] == ["germany"]
    assert [t["title"] for t in data["forums"]["topics"]] == [f"Mission {said}"]
    reply = next(p for p in data["forums"]["posts"] if p["id"] == history["reply"].pk)
    assert reply["earlier_versions"] == [
        {"body": f"Answer {replied}", "replaced_at": reply["earlier_versions"][0]["replaced_at"]}
    ]
    assert [m["body"] for m in data["chat"]["messages"]] == [f"Salam {chatted}"]
    assert data["chat"]["reactions"][0]["emoji"] == "👍"
    assert {n["kind"] for n in data["notifications"]["received"]} == {"mention"}
    text = json.dumps(data, ensure_ascii=False)
    assert "Anyone?" not in text and moderator.email not in text  # others' words and address
    assert not any(token.digest in text for token in AuthToken.objects.all())


def test_the_archive_is_a_few_a_day(db: Any, member: Any, settings: Any) -> None:
    settings.SHABAKA = {
        **settings.SHABAKA,
        "BUDGETS": {**settings.SHABAKA["BUDGETS"], "data_export": "1 per hour"},
    }
    client = client_for(member)
    assert client.get("/api/v1/auth/me/export/").status_code == 200
    refused = client.get("/api/v1/auth/me/export/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def _delete(user: Any, content: str, password: str = PASSWORD) -> Any:
    return client_for(user).delete(
        "/api/v1/auth/me/", {"password": password, "content": content}, format="json"
    )


def _everything_of(zineb_id: int) -> str:
    """What the room log and the search index hold, as one text."""
    frames = list(RoomEvent.objects.values_list("payload", flat=True))
    docs = list(Document.objects.values("name", "text_0", "text_1", "text_2", "owner_id"))
    return json.dumps([frames, docs], ensure_ascii=False, default=str)


def test_an_invitation_to_the_address_forgets_it(db: Any, public_network: Any, owner: Any) -> None:
    from community.actions.invitations import do_create_invitation
    from community.models import AuditEntry, Invitation

    guest = make_user("guest_hafsa")
    do_create_invitation(owner, public_network, email=guest.email)
    assert _delete(guest, "keep").status_code == 204
    assert not Invitation.objects.filter(email__iexact="guest_hafsa@example.org").exists()
    entry = AuditEntry.objects.get(action="invitation.create")
    assert "guest_hafsa" not in json.dumps(entry.details)


def test_deleting_and_keeping_what_you_wrote(
    backend: SearchBackend,
    public_network: Any,
    zineb: Any,
    history: dict[str, Any],
    moderator: Any,
    api: Any,
) -> None:
    token = client_for(zineb)
    assert _delete(zineb, "keep").status_code == 204
    backend.sync()
    user = get_user_model().objects.get(pk=zineb.pk)
    assert (user.username, user.email, user.is_active) == (f"deleted-{zineb.pk}", "", False)
    assert not user.has_usable_password() and not AuthToken.objects.filter(user=user).exists()
    assert token.get("/api/v1/auth/me/").status_code == 401
    profile = Profile.objects.get(user=user)
    assert profile.erased_at is not None and profile.display_name == profile.headline == ""
    assert api(moderator).get(f"/api/v1/profiles/deleted-{zineb.pk}/").status_code == 404
    assert AccountKey.objects.get(user=user).email_verified_key is None
    assert Membership.objects.get(user=user, network=public_network).status == "left"
    assert not Notification.objects.filter(recipient=user).exists()
    # The words stay, by "Deleted member"; nothing names her in the log or the index.
    _, replied, chatted = history["words"]
    assert Post.objects.get(pk=history["reply"].pk).body.startswith(f"Answer {replied}")
    assert found(api, moderator, chatted) == {("messages", history["message"].pk)}
    assert found(api, moderator, "Zineb") == set()
    assert found(api, moderator, "Cardiologue") == set()
    text = _everything_of(zineb.pk)
    assert "Zineb" not in text and "zineb_a" not in text and "Cardiologue" not in text
    frame = RoomEvent.objects.filter(message=history["message"]).first()
    assert frame.payload["message"]["author"]["display_name"] == "Deleted member"
    listing = api(moderator).get(f"/api/v1/topics/{history['other_topic'].pk}/posts/").json()
    authors = {p["author"]["display_name"] for p in listing["results"]}
    assert "Deleted member" in authors


def test_deleting_and_erasing_what_you_wrote(
    backend: SearchBackend,
    public_network: Any,
    zineb: Any,
    history: dict[str, Any],
    moderator: Any,
    api: Any,
) -> None:
    room = history["room"]
    seq_before = RoomEvent.objects.filter(room=room).count()
    assert _delete(zineb, "erase").status_code == 204
    backend.sync()
    for q in history["words"]:
        assert found(api, moderator, q) == set()
    text = _everything_of(zineb.pk)
    for gone in (*history["words"], "Zineb", "zineb_a"):
        assert gone not in text
    message = Message.objects.get(pk=history["message"].pk)
    assert message.deleted and message.body == message.body_html == ""
    # Open rooms were told: one more event, the deletion, and the seqs stay gapless.
    seqs = list(RoomEvent.objects.filter(room=room).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, seq_before + 2))
    assert RoomEvent.objects.get(room=room, seq=seqs[-1]).type == "message.deleted"
    reply = Post.objects.get(pk=history["reply"].pk)
    assert reply.deleted and reply.body == "" and not PostRevision.objects.filter(post=reply)
    assert Topic.objects.get(pk=history["topic"].pk).deleted  # nobody else had answered
    other = Topic.objects.get(pk=history["other_topic"].pk)
    assert not other.deleted and other.post_count == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "wrong", "content": "keep"}, "password"),
        ({"password": PASSWORD, "content": "shred"}, "content"),
        ({"content": "keep"}, "password"),
        ({"password": PASSWORD}, "content"),
    ],
)
def test_a_deletion_needs_the_password_and_a_choice(
    db: Any, zineb: Any, body: dict[str, str], field: str
) -> None:
    response = client_for(zineb).delete("/api/v1/auth/me/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert get_user_model().objects.get(pk=zineb.pk).is_active


def test_the_last_owner_hands_over_first_and_nothing_is_half_done(
    db: Any, public_network: Any, owner: Any, history: dict[str, Any]
) -> None:
    response = _delete(owner, "erase")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "last_owner" and "Germany" in error["message"]
    kept = get_user_model().objects.get(pk=owner.pk)
    assert kept.username == "owner" and kept.is_active and kept.email
    assert Profile.objects.get(user=owner).erased_at is None
    assert AuthToken.objects.filter(user=owner).exists()


@pytest.mark.parametrize("name", ["deleted-42", "Deleted-42", "DELETED-7-a1b2c3"])
def test_the_name_of_a_deleted_account_cannot_be_registered(db: Any, name: str) -> None:
    response = client_for(None).post(
        "/api/v1/auth/register/",
        {"username": name, "email": "x@example.org", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 409


def test_a_name_taken_before_the_rule_still_lets_the_account_go(
    db: Any, public_network: Any, zineb: Any
) -> None:
    squatter = make_user(f"Deleted-{zineb.pk}")  # made before registration refused it
    assert _delete(zineb, "keep").status_code == 204
    name = get_user_model().objects.get(pk=zineb.pk).username
    assert name.startswith(f"deleted-{zineb.pk}-") and squatter.username != name


def test_deleted_member_is_stored_in_the_sites_language_whoever_deletes(
    db: Any, zineb: Any, history: dict[str, Any]
) -> None:
    client = client_for(zineb)
    body = {"password": PASSWORD, "content": "keep"}
    assert (
        client.delete(
            "/api/v1/auth/me/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr"
        ).status_code
        == 204
    )
    frame = RoomEvent.objects.filter(message=history["message"]).first()
    assert frame.payload["message"]["author"]["display_name"] == "Deleted member"


def test_the_pages_download_and_delete(db: Any, zineb: Any, client: Any) -> None:
    client.force_login(zineb)
    page = client.get("/account/").content.decode()
    assert 'href="/account/data/"' in page and 'href="/account/delete/"' in page
    archive = client.get("/account/data/")
    assert archive["Content-Type"].startswith("application/json")
    assert json.loads(archive.content)["account"]["username"] == "zineb_a"
    refused = client.post("/account/delete/", {"content": "keep", "password": PASSWORD})
    assert refused.status_code == 400  # "I understand" not ticked
    assert get_user_model().objects.get(pk=zineb.pk).is_active
    done = client.post(
        "/account/delete/",
        {"content": "keep", "password": PASSWORD, "understood": "on"},
        follow=True,
    )
    assert done.status_code == 200 and "Your account is deleted." in done.content.decode()
    assert not get_user_model().objects.get(pk=zineb.pk).is_active
    assert client.get("/account/").status_code == 302  # signed out
