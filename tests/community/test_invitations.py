"""Invitations: by link or bound to an email, into hidden networks, limited, revocable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from community.models import AuditEntry, Invitation, Membership, Network
from tests.community.helpers import MEMBER_GRANTS, assert_error, grants, nothing_written
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

LAWYERS = "/api/v1/networks/lawyers"


def invite(api: Callable[[Any], Any], by: Any, **body: Any) -> dict[str, Any]:
    response = api(by).post(f"{LAWYERS}/invitations/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_moderator_invites_by_link_and_an_outsider_joins_a_hidden_network(
    api: Callable[[Any], Any], moderator: Any, outsider: Any, hidden_network: Network
) -> None:
    assert_error(api(outsider).get(f"{LAWYERS}/"), 404)

    created = invite(api, moderator, max_uses=10, expires_in_hours=48)
    joined = api(outsider).post(f"{LAWYERS}/join/", {"invitation": created["token"]}, format="json")

    assert created["url"] == (
        f"http://testserver/networks/lawyers/join/?invitation={created['token']}"
    )
    expires = dt.datetime.fromisoformat(created["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(hours=48))) < dt.timedelta(minutes=1)
    assert joined.status_code == 200
    assert (joined.json()["role"], joined.json()["status"]) == ("member", "active")
    assert grants(outsider, hidden_network) == MEMBER_GRANTS
    assert Invitation.objects.get(token=created["token"]).uses == 1
    entry = AuditEntry.objects.filter(action="member.join").latest("id")
    assert entry.details == {"invitation": created["id"]}
    listed = api(outsider).get("/api/v1/networks/").json()["results"]
    assert "lawyers" in {n["slug"] for n in listed}
    assert api(outsider).get(f"{LAWYERS}/members/").status_code == 200


def test_invitation_skips_approval_for_a_pending_request(
    api: Callable[[Any], Any], moderator: Any, pending: Any, private_network: Network
) -> None:
    token = (
        api(moderator)
        .post("/api/v1/networks/medical/invitations/", {}, format="json")
        .json()["token"]
    )

    response = api(pending).post(
        "/api/v1/networks/medical/join/", {"invitation": token}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == "active"


def test_email_bound_invitation_lets_only_that_person_in(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    invitee = make_user("salma.amrani", email="Salma.Amrani@example.ma")
    other = make_user("karim.tazi")

    created = invite(api, moderator, email="salma.amrani@example.ma")

    # The invitee sees the hidden network at once, as invited.
    detail = api(invitee).get(f"{LAWYERS}/")
    assert detail.status_code == 200
    assert detail.json()["my_membership"]["status"] == "invited"
    entry = AuditEntry.objects.get(action="invitation.create")
    assert (entry.target_user, entry.details["email"]) == (invitee, "salma.amrani@example.ma")
    with nothing_written():
        refused = api(other).post(
            f"{LAWYERS}/join/", {"invitation": created["token"]}, format="json"
        )
    assert_error(refused, 403, "invitation_email_mismatch")
    # The invitee joins with the link, or simply by asking, being invited.
    joined = api(invitee).post(f"{LAWYERS}/join/", {}, format="json")
    assert joined.status_code == 200 and joined.json()["status"] == "active"


def test_invitee_who_registers_later_joins_with_the_link(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    created = invite(api, moderator, email="nadia@example.ca")
    newcomer = make_user("nadia.bennani", email="nadia@example.ca")

    joined = api(newcomer).post(f"{LAWYERS}/join/", {"invitation": created["token"]}, format="json")

    assert joined.status_code == 200 and joined.json()["status"] == "active"


def test_revoked_invitation_stops_working_and_withdraws_the_invitees_view(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    invitee = make_user("omar.chraibi", email="omar@example.org")
    bystander = make_user("bystander")
    by_email = invite(api, moderator, email="omar@example.org")
    by_link = invite(api, moderator)

    revoked = [
        api(moderator).delete(f"{LAWYERS}/invitations/{created['id']}/")
        for created in (by_email, by_link)
    ]

    assert [r.status_code for r in revoked] == [200, 200]
    assert all(r.json()["revoked_at"] for r in revoked)
    assert Membership.objects.get(user=invitee, network=hidden_network).status == "left"
    assert_error(api(invitee).get(f"{LAWYERS}/"), 404)
    with nothing_written():
        refused = api(bystander).post(
            f"{LAWYERS}/join/", {"invitation": by_link["token"]}, format="json"
        )
    assert_error(refused, 403, "invitation_invalid")
    assert AuditEntry.objects.filter(action="invitation.revoke").count() == 2
    assert_error(api(moderator).delete(f"{LAWYERS}/invitations/{by_link['id']}/"), 409)


def test_revoking_one_of_two_invitations_keeps_the_invitee_invited(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    invitee = make_user("yasmine", email="yasmine@example.org")
    first = invite(api, moderator, email="yasmine@example.org")
    invite(api, moderator, email="yasmine@example.org")

    api(moderator).delete(f"{LAWYERS}/invitations/{first['id']}/")

    assert Membership.objects.get(user=invitee, network=hidden_network).status == "invited"


def test_single_use_invitation_is_used_up_by_the_first_join(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    created = invite(api, moderator, max_uses=1)
    first, second = make_user("first"), make_user("second")

    ok = api(first).post(f"{LAWYERS}/join/", {"invitation": created["token"]}, format="json")
    with nothing_written():
        late = api(second).post(f"{LAWYERS}/join/", {"invitation": created["token"]}, format="json")

    assert ok.status_code == 200
    assert_error(late, 403, "invitation_used_up")


@pytest.mark.parametrize(
    ("who", "code"), [("member", "already_member"), ("banned", "invitee_banned")]
)
def test_members_and_banned_users_cannot_be_invited_by_email(
    api: Callable[[Any], Any],
    persona: Callable[[str], Any],
    moderator: Any,
    hidden_network: Network,
    who: str,
    code: str,
) -> None:
    with nothing_written():
        response = api(moderator).post(
            f"{LAWYERS}/invitations/", {"email": persona(who).email}, format="json"
        )

    assert_error(response, 409, code)


def test_moderators_list_invitations_newest_first(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    ids = [invite(api, moderator)["id"] for _ in range(3)]

    page = api(moderator).get(f"{LAWYERS}/invitations/?limit=2").json()
    rest = api(moderator).get(f"{LAWYERS}/invitations/?limit=2&cursor={page['next']}").json()

    assert [i["id"] for i in page["results"] + rest["results"]] == ids[::-1]
    assert rest["next"] is None
