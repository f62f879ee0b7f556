"""What people do through the pages: join, moderate, post, edit a profile (signing up, in
and out and the language: tests/accounts/test_pages.py).

Each flow asserts the rows the shared actions wrote (the pages never write
themselves) and that refusals come back as messages next to the form fields, in
the reader's language.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from community.actions import invitations as invitation_actions
from community.actions import membership as membership_actions
from community.forums.models import Post, Reaction, Topic
from community.models import AuditEntry, Invitation, Membership, Network

pytestmark = pytest.mark.django_db
Status = Membership.Status


def french() -> Client:
    client = Client()
    client.cookies["django_language"] = "fr"
    return client


# --- joining ------------------------------------------------------------------------------------


def test_joining_an_open_network_makes_a_member(outsider, public_network):
    client = Client()
    client.force_login(outsider)
    response = client.post("/networks/germany/join/")
    assert response["Location"] == "/networks/germany/"
    membership = Membership.objects.get(user=outsider, network=public_network)
    assert membership.status == Status.ACTIVE
    assert AuditEntry.objects.filter(action="member.join", target_user_id=outsider.pk).exists()


def test_approval_network_takes_a_request_with_its_message(outsider, private_network):
    client = Client()
    client.force_login(outsider)
    page = client.get("/networks/medical/join/")
    assert 'name="message"' in page.content.decode()
    client.post("/networks/medical/join/", {"message": "Cardiologue à Montréal"})
    membership = Membership.objects.get(user=outsider, network=private_network)
    assert (membership.status, membership.join_message) == (
        Status.PENDING,
        "Cardiologue à Montréal",
    )


def test_invite_only_network_refuses_a_join_without_invitation(outsider, owner):
    from tests.factories.networks import make_network

    make_network(owner, slug="invite-only", join_policy=Network.JoinPolicy.INVITE)
    client = french()
    client.force_login(outsider)
    response = client.post("/networks/invite-only/join/")
    assert response.status_code == 200
    assert "Ce réseau n'accepte de membres que sur invitation." in response.content.decode()
    assert not Membership.objects.filter(user=outsider, network__slug="invite-only").exists()


def test_invitation_link_opens_and_joins_a_hidden_network(outsider, owner, hidden_network):
    invitation = invitation_actions.do_create_invitation(owner, hidden_network)
    client = Client()
    client.force_login(outsider)
    link = f"/networks/lawyers/join/?invitation={invitation.token}"
    page = client.get(link)
    assert page.status_code == 200
    assert "You have been invited" in page.content.decode()
    client.post("/networks/lawyers/join/", {"invitation": invitation.token})
    assert Membership.objects.get(user=outsider, network=hidden_network).status == Status.ACTIVE
    assert client.get("/networks/lawyers/").status_code == 200


def test_a_wrong_invitation_token_keeps_a_hidden_network_missing(outsider, hidden_network):
    client = Client()
    client.force_login(outsider)
    assert client.get("/networks/lawyers/join/?invitation=forged").status_code == 404


def test_join_link_sends_visitors_to_sign_in_and_back(hidden_network, owner):
    invitation = invitation_actions.do_create_invitation(owner, hidden_network)
    response = Client().get(f"/networks/lawyers/join/?invitation={invitation.token}")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/networks/lawyers/join/")


# --- moderation -----------------------------------------------------------------------------------


def moderator_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_moderator_approves_a_pending_request(moderator, pending, public_network):
    client = moderator_client(moderator)
    assert "pending" in client.get("/networks/germany/manage/").content.decode()
    client.post(f"/networks/germany/manage/members/{pending.pk}/approve/")
    assert Membership.objects.get(user=pending, network=public_network).status == Status.ACTIVE


def test_moderator_rejects_with_a_reason_recorded_in_the_audit_log(
    moderator, pending, public_network
):
    client = moderator_client(moderator)
    client.post(
        f"/networks/germany/manage/members/{pending.pk}/reject/", {"reason": "Profil incomplet"}
    )
    assert Membership.objects.get(user=pending, network=public_network).status == Status.LEFT
    log = client.get("/networks/germany/manage/audit/").content.decode()
    assert "Declined a join request" in log
    assert "member.reject" not in log
    assert "Profil incomplet" in log


def test_the_audit_log_reads_in_the_page_language_and_links_what_was_acted_on(
    moderator, member, owner, public_network, forum
):
    """No raw codes (`forum.topic.lock`, `member.mute (60 min)`) in French or Arabic: the
    labels are translated and the topic a moderator acted on is a link to it."""
    from community.forums import actions as forums
    from tests._queries import AllQueries

    topic = forum["topic"]
    forums.do_update_topic(moderator, topic, locked=True, reason="Hors sujet")
    membership_actions.do_mute_member(moderator, public_network, member.pk, 60)
    membership_actions.do_set_role(owner, public_network, member.pk, Membership.Role.MODERATOR)
    client = french()
    client.force_login(moderator)
    log = client.get("/networks/germany/manage/audit/").content.decode()
    for code in ("forum.topic.lock", "member.mute", "member.set_role", " min)"):
        assert code not in log
    assert "Sujet verrouillé" in log
    assert "Mis en sourdine (60 minutes)" in log
    assert "Rôle modifié → Modérateur" in log
    assert f'href="/topics/{topic.pk}/"' in log
    assert f'href="/people/{member.username}/"' in log
    arabic = Client()
    arabic.cookies["django_language"] = "ar"
    arabic.force_login(moderator)
    assert "forum.topic.lock" not in arabic.get("/networks/germany/manage/audit/").content.decode()
    # Links cost one query per kind of target, not one per row.
    with AllQueries() as few:
        client.get("/networks/germany/manage/audit/")
    for _ in range(5):
        forums.do_update_topic(moderator, topic, pinned=True)
        forums.do_update_topic(moderator, topic, pinned=False)
    with AllQueries() as many:
        client.get("/networks/germany/manage/audit/")
    assert many.count == few.count


def test_moderator_bans_mutes_and_removes_members(moderator, member, public_network, owner):
    from tests.factories.networks import add_member
    from tests.factories.users import make_user

    other = make_user("other")
    add_member(public_network, other)
    client = moderator_client(moderator)
    client.post(f"/networks/germany/manage/members/{member.pk}/ban/", {"reason": "spam"})
    banned = Membership.objects.get(user=member, network=public_network)
    assert (banned.status, banned.ban_reason) == (Status.BANNED, "spam")
    client.post(f"/networks/germany/manage/members/{other.pk}/mute/", {"minutes": "60"})
    assert Membership.objects.get(user=other, network=public_network).is_muted()
    client.post(f"/networks/germany/manage/members/{other.pk}/remove/")
    assert Membership.objects.get(user=other, network=public_network).status == Status.LEFT


def test_moderator_cannot_act_on_the_owner_and_is_told_why(moderator, owner, public_network):
    client = moderator_client(moderator)
    client.cookies["django_language"] = "fr"
    response = client.post(
        f"/networks/germany/manage/members/{owner.pk}/ban/", {"reason": "x"}, follow=True
    )
    assert "Vous ne pouvez pas agir sur un membre de rang égal ou supérieur." in (
        response.content.decode()
    )
    assert Membership.objects.get(user=owner, network=public_network).status == Status.ACTIVE


def test_only_owners_change_roles(moderator, owner, member, public_network):
    moderator_client(moderator).post(
        f"/networks/germany/manage/members/{member.pk}/set-role/", {"role": "moderator"}
    )
    assert Membership.objects.get(user=member, network=public_network).role == "member"
    moderator_client(owner).post(
        f"/networks/germany/manage/members/{member.pk}/set-role/", {"role": "moderator"}
    )
    assert Membership.objects.get(user=member, network=public_network).role == "moderator"


def test_a_bad_mute_length_is_refused_without_a_change(moderator, member, public_network):
    moderator_client(moderator).post(
        f"/networks/germany/manage/members/{member.pk}/mute/", {"minutes": "-5"}
    )
    assert not Membership.objects.get(user=member, network=public_network).is_muted()


def test_members_cannot_use_moderation_actions(member, moderator, public_network):
    response = moderator_client(member).post(
        f"/networks/germany/manage/members/{moderator.pk}/ban/", {"reason": "x"}
    )
    assert response.status_code == 404
    assert Membership.objects.get(user=moderator, network=public_network).status == Status.ACTIVE


def test_invitations_are_created_shown_as_links_and_revoked(moderator, public_network):
    client = moderator_client(moderator)
    response = client.post(
        "/networks/germany/manage/invitations/", {"max_uses": "3", "expires_in_hours": "48"}
    )
    invitation = Invitation.objects.get(network=public_network)
    assert invitation.max_uses == 3
    page = client.get(response["Location"]).content.decode()
    assert f"/networks/germany/join/?invitation={invitation.token}" in page
    client.post(f"/networks/germany/manage/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_invitation_form_errors_stand_next_to_their_fields(moderator, public_network):
    response = moderator_client(moderator).post(
        "/networks/germany/manage/invitations/", {"email": "nope", "max_uses": "0"}
    )
    form = response.context["form"]
    assert set(form.errors) == {"email", "max_uses"}
    assert not Invitation.objects.exists()


# --- forums --------------------------------------------------------------------------------------


def test_member_opens_a_topic_and_sees_it_listed(member, forum):
    client = moderator_client(member)
    category = forum["category"]
    response = client.post(
        f"/networks/germany/forums/{category.pk}/", {"title": "Logement à Berlin", "body": "?"}
    )
    topic = Topic.objects.get(title="Logement à Berlin")
    assert response["Location"] == f"/topics/{topic.pk}/"
    assert (
        "Logement à Berlin"
        in client.get(f"/networks/germany/forums/{category.pk}/").content.decode()
    )


def test_blank_topic_fields_are_reported_next_to_them(member, forum):
    response = moderator_client(member).post(
        f"/networks/germany/forums/{forum['category'].pk}/", {"title": " ", "body": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "body"}


def test_outsider_cannot_open_a_topic(outsider, forum):
    client = moderator_client(outsider)
    page = client.get(f"/networks/germany/forums/{forum['category'].pk}/").content.decode()
    assert 'data-testid="post-topic"' not in page
    response = client.post(
        f"/networks/germany/forums/{forum['category'].pk}/", {"title": "x", "body": "y"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Topic.objects.filter(title="x").exists()


def test_reply_react_edit_and_delete_through_the_topic_page(member, moderator, forum):
    topic, first = forum["topic"], forum["post"]
    client = moderator_client(member)
    client.post(f"/topics/{topic.pk}/reply/", {"body": "Une **réponse**"})
    reply = Post.objects.filter(topic=topic).latest("id")
    assert reply.body == "Une **réponse**"
    client.post(f"/posts/{first.pk}/react/", {"emoji": "👍"})
    assert Reaction.objects.filter(post=first, user=member, emoji="👍").exists()
    client.post(f"/posts/{first.pk}/react/", {"emoji": "👍", "remove": "1"})
    assert not Reaction.objects.filter(post=first, user=member).exists()
    client.post(f"/posts/{reply.pk}/edit/", {"body": "Réponse corrigée"})
    reply.refresh_from_db()
    assert (reply.body, reply.edited_at is not None) == ("Réponse corrigée", True)
    moderator_client(moderator).post(f"/posts/{reply.pk}/delete/")
    reply.refresh_from_db()
    assert reply.deleted
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "Réponse corrigée" not in page


def test_empty_reply_shows_the_error_under_the_reply_box(member, forum):
    response = moderator_client(member).post(f"/topics/{forum['topic'].pk}/reply/", {"body": ""})
    assert response.status_code == 400
    assert 'id="id_body_errors"' in response.content.decode()


def test_locked_topic_refuses_replies_from_members(member, moderator, forum):
    topic = forum["topic"]
    moderator_client(moderator).post(f"/topics/{topic.pk}/update/", {"locked": "true"})
    topic.refresh_from_db()
    assert topic.locked
    client = moderator_client(member)
    assert 'data-testid="reply-submit"' not in client.get(f"/topics/{topic.pk}/").content.decode()
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": "encore"})
    assert response.status_code == 400
    assert not Post.objects.filter(body="encore").exists()


def test_members_cannot_pin_and_moderators_can(member, moderator, forum):
    topic = forum["topic"]
    moderator_client(member).post(f"/topics/{topic.pk}/update/", {"pinned": "true"})
    topic.refresh_from_db()
    assert not topic.pinned
    moderator_client(moderator).post(f"/topics/{topic.pk}/update/", {"pinned": "true"})
    topic.refresh_from_db()
    assert topic.pinned


def test_someone_elses_post_cannot_be_edited(outsider, moderator, forum, public_network):
    from tests.factories.networks import add_member

    add_member(public_network, outsider)
    post = forum["post"]
    moderator_client(outsider).post(f"/posts/{post.pk}/edit/", {"body": "vandalisme"})
    post.refresh_from_db()
    assert post.body == "Premier **message**"


# --- chat and directory -----------------------------------------------------------------------


def test_room_page_carries_what_the_live_client_needs(member, room):
    page = moderator_client(member).get(f"/rooms/{room.pk}/").content.decode()
    assert f'data-room="{room.pk}"' in page
    assert f'data-seq="{room.seq}"' in page
    assert 'id="chat-strings"' in page
    assert 'id="composer"' in page


def test_muted_member_reads_the_room_without_a_composer(member, moderator, room, public_network):
    membership_actions.do_mute_member(moderator, public_network, member.pk, 60)
    page = moderator_client(member).get(f"/rooms/{room.pk}/").content.decode()
    assert 'id="composer"' not in page


def test_moderator_creates_a_room(moderator, public_network):
    response = moderator_client(moderator).post(
        "/networks/germany/chat/", {"name": "emploi", "topic": "", "posting": "all"}
    )
    assert response.status_code == 302
    assert moderator_client(moderator).get(response["Location"]).status_code == 200


def test_direct_conversation_opens_from_a_profile(member, moderator, public_network):
    client = moderator_client(member)
    page = client.get("/people/moderator/").content.decode()
    assert f"/messages/with/{moderator.pk}/" in page
    response = client.post(f"/messages/with/{moderator.pk}/")
    assert client.get(response["Location"]).status_code == 200


def test_profile_hides_fields_by_their_audience(member, outsider, moderator, public_network):
    from directory.actions import do_update_profile

    do_update_profile(
        member,
        member,
        {"city": "Leipzig", "headline": "Ingénieure", "visibility": {"city": "members"}},
    )
    co_member = moderator_client(moderator).get("/people/member/").content.decode()
    stranger = moderator_client(outsider).get("/people/member/").content.decode()
    assert "Leipzig" in co_member and "Ingénieure" in co_member
    assert "Leipzig" not in stranger and "Ingénieure" in stranger


def test_edit_profile_saves_fields_and_audiences(member, public_network):
    client = moderator_client(member)
    response = client.post(
        "/profile/edit/",
        {
            "display_name": "Mina",
            "headline": "Cardiologue",
            "country": "CA",
            "sectors": ["health"],
            "skills": "cardiologie, échographie",
            "languages": ["ar", "fr"],
            "engagement": ["mentoring"],
            "visibility_country": "private",
        },
    )
    assert response.status_code == 302
    member.profile.refresh_from_db()
    profile = member.profile
    assert (profile.display_name, profile.country, profile.sectors) == ("Mina", "CA", ["health"])
    assert profile.skills == ["cardiologie", "échographie"]
    assert profile.audience("country") == "private"


def test_edit_profile_errors_stand_next_to_the_field(member):
    response = french_signed_in(member).post("/profile/edit/", {"years_experience": "200"})
    assert response.status_code == 200
    assert "years_experience" in response.context["form"].errors
    assert "inférieure ou égale à 80" in response.content.decode()


def test_directory_search_filters_by_facet(member, moderator, public_network, settings):
    from directory.actions import do_update_profile

    # The page, not the backend, is under test here (tests/search covers both backends):
    # the database backend sees committed changes at once, with no outbox to drain.
    settings.MEILISEARCH_URL = ""

    do_update_profile(member, member, {"sectors": ["health"], "headline": "Médecin"})
    do_update_profile(moderator, moderator, {"sectors": ["energy"]})
    client = moderator_client(member)
    page = client.get("/networks/germany/directory/?sector=health")
    usernames = [row["username"] for row in page.context["results"]]
    assert usernames == ["member"]
    sectors = next(f for f in page.context["facets"] if f["name"] == "sector")
    assert {v["value"] for v in sectors["values"]} >= {"health"}


def french_signed_in(user: Any) -> Client:
    client = french()
    client.force_login(user)
    return client


def test_a_banned_member_is_told_they_are_banned_since_when_and_why(
    moderator, member, public_network
):
    """Not "sign in to read the forums" (they are signed in): the truth, in their language."""
    membership_actions.do_ban_member(moderator, public_network, member.pk, reason="Publicité")
    client = french()
    client.force_login(member)
    page = client.get("/networks/germany/").content.decode()
    assert "Vous êtes banni de ce réseau depuis le" in page
    assert "Publicité" in page
    assert "Connectez-vous" not in page


def test_a_requester_is_told_their_request_waits(pending, private_network):
    client = french()
    client.force_login(pending)
    page = client.get(f"/networks/{private_network.slug}/").content.decode()
    assert "attend un modérateur" in page


def test_ban_and_remove_ask_first_with_the_reason_on_the_confirmation(
    moderator, member, public_network
):
    client = moderator_client(moderator)
    members = client.get("/networks/germany/manage/members/").content.decode()
    ban_url = f"/networks/germany/manage/members/{member.pk}/ban/"
    assert f'href="{ban_url}?back=' in members  # a link to the question, not a one-click form
    page = client.get(ban_url + "?back=/networks/germany/manage/members/%3Frole%3Dmember")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="reason"' in html and f'action="{ban_url}"' in html
    assert 'value="/networks/germany/manage/members/?role=member"' in html
    # Asking changed nothing; answering bans with the reason.
    assert Membership.objects.get(user=member, network=public_network).status == Status.ACTIVE
    client.post(ban_url, {"reason": "Démarchage", "back": "/networks/germany/manage/members/"})
    banned = Membership.objects.get(user=member, network=public_network)
    assert (banned.status, banned.ban_reason) == (Status.BANNED, "Démarchage")
    # The question is only for those who may act, and only for ban and remove.
    assert client.get(f"/networks/germany/manage/members/{member.pk}/approve/").status_code == 404
    assert moderator_client(member).get(ban_url).status_code in (403, 404)


def test_the_members_page_finds_a_member_by_name(moderator, member, owner, public_network):
    from directory.actions import do_update_profile

    do_update_profile(member, member, {"display_name": "Hajar Benjelloun"})
    client = moderator_client(moderator)
    found = client.get("/networks/germany/manage/members/?q=benjel").content.decode()
    assert f"member-{member.username}" in found
    assert f"member-{owner.username}" not in found
    by_username = client.get(f"/networks/germany/manage/members/?q={owner.username}").content
    assert f"member-{owner.username}".encode() in by_username
