"""An invitation bound to an address lets its account in only once the address is
verified: registering with the invited address proves nothing (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.identity import mark_email_verified
from community.models import Membership, Network
from tests.accounts.mailbox import link_in, sent_to
from tests.community.helpers import assert_error, nothing_written
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db

LAWYERS = "/api/v1/networks/lawyers"


def invite(api: Callable[[Any], Any], moderator: Any, email: str) -> str:
    response = api(moderator).post(f"{LAWYERS}/invitations/", {"email": email}, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["token"])


def test_an_unverified_account_with_the_invited_address_is_refused_until_it_verifies(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    token = invite(api, moderator, "nadia@example.ca")
    newcomer = make_user("nadia", email="nadia@example.ca", email_verified=False)

    with nothing_written():
        refused = api(newcomer).post(f"{LAWYERS}/join/", {"invitation": token}, format="json")
    mark_email_verified(newcomer)
    joined = api(newcomer).post(f"{LAWYERS}/join/", {"invitation": token}, format="json")

    assert_error(refused, 403, "email_unverified")
    assert joined.status_code == 200
    assert joined.json()["status"] == "active"


def test_an_unverified_holder_of_the_address_does_not_see_the_hidden_network_it_was_invited_to(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    squatter = make_user("squatter", email="invitee@example.org", email_verified=False)

    invite(api, moderator, "invitee@example.org")

    assert_error(api(squatter).get(f"{LAWYERS}/"), 404)
    assert not Membership.objects.filter(user=squatter, network=hidden_network).exists()
    assert_error(api(squatter).post(f"{LAWYERS}/join/", {}, format="json"), 404)


def test_a_link_invitation_for_anyone_needs_no_verified_address(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network
) -> None:
    response = api(moderator).post(f"{LAWYERS}/invitations/", {}, format="json")
    newcomer = make_user("fresh", email_verified=False)

    joined = api(newcomer).post(
        f"{LAWYERS}/join/", {"invitation": response.json()["token"]}, format="json"
    )

    assert joined.status_code == 200


def test_the_join_page_tells_an_unverified_invitee_to_confirm_the_address_first(
    api: Callable[[Any], Any], moderator: Any, hidden_network: Network, jobs: Any
) -> None:
    token = invite(api, moderator, "nadia@example.ca")
    browser = Client()
    browser.post(
        "/signup/",
        {"username": "nadia", "email": "nadia@example.ca", "password": "a long passphrase 42"},
    )
    jobs.run_pending()

    page = browser.post(f"/networks/lawyers/join/?invitation={token}", {"invitation": token})
    [mail] = sent_to("nadia@example.ca")
    browser.get(link_in(mail, "/account/verify/"))
    joined = browser.post(f"/networks/lawyers/join/?invitation={token}", {"invitation": token})

    assert "confirm it first with the link we mailed" in page.content.decode()
    assert joined.status_code == 302
    assert Membership.objects.get(user__username="nadia", network=hidden_network).status == (
        Membership.Status.ACTIVE
    )
