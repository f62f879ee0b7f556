"""GET/PATCH /api/v1/notification-settings/: defaults, changes, and every bad input as a
400 naming the field, storing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from community.models import Membership, Network
from notifications.models import NetworkEmailSetting, NotificationSettings
from notifications.preferences import KINDS
from tests.factories.networks import add_member, make_network

pytestmark = pytest.mark.django_db

URL = "/api/v1/notification-settings/"


def test_defaults_are_instant_email_for_every_kind_and_no_network_override(
    api: Any, member: Any, public_network: Network
) -> None:
    body = api(member).get(URL).json()
    assert body == {"email": "instant", "kinds": dict.fromkeys(KINDS, True), "networks": {}}


def test_patch_changes_mode_kinds_and_a_network_override(
    api: Any, member: Any, public_network: Network
) -> None:
    client = api(member)
    response = client.patch(
        URL,
        {
            "email": "daily",
            "kinds": {"mention": False},
            "networks": {"germany": {"email": "weekly"}},
        },
        format="json",
    )
    assert response.status_code == 200
    body = client.get(URL).json()
    assert body["email"] == "daily"
    assert body["kinds"]["mention"] is False and body["kinds"]["reply"] is True
    assert body["networks"] == {"germany": {"email": "weekly"}}
    # A partial PATCH leaves the rest alone; a kind switched back on is on again.
    client.patch(URL, {"kinds": {"mention": True, "reply": False}}, format="json")
    body = client.get(URL).json()
    assert body["email"] == "daily" and body["networks"] == {"germany": {"email": "weekly"}}
    assert body["kinds"]["mention"] is True and body["kinds"]["reply"] is False


def test_a_network_set_to_null_follows_the_email_mode_again(
    api: Any, member: Any, public_network: Network
) -> None:
    client = api(member)
    client.patch(URL, {"networks": {"germany": {"email": "off"}}}, format="json")
    assert client.patch(URL, {"networks": {"germany": None}}, format="json").status_code == 200
    assert client.get(URL).json()["networks"] == {}
    assert not NetworkEmailSetting.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "hourly"}, "email"),
        ({"email": None}, "email"),
        ({"kinds": {"poke": False}}, "kinds.poke"),
        ({"kinds": {"mention": "no"}}, "kinds.mention"),
        ({"kinds": ["mention"]}, "kinds"),
        ({"networks": {"atlantis": {"email": "daily"}}}, "networks.atlantis"),
        ({"networks": {"germany": {"email": "hourly"}}}, "networks.germany.email"),
        ({"networks": {"germany": "daily"}}, "networks.germany"),
        ({"networks": {"germany": {"email": "daily", "colour": "red"}}}, "networks.germany"),
        ({"networks": ["germany"]}, "networks"),
        ({"frequency": "daily"}, "frequency"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    api: Any, member: Any, public_network: Network, body: dict[str, Any], field: str
) -> None:
    client = api(member)
    # A valid part next to the bad one is not stored either.
    response = client.patch(
        URL, {**body, **({"email": "off"} if "email" not in body else {})}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert client.get(URL).json()["email"] == "instant"
    assert not NetworkEmailSetting.objects.filter(user=member).exists()


def test_a_body_that_is_not_an_object_is_a_400(api: Any, member: Any) -> None:
    response = api(member).patch(URL, ["daily"], format="json")
    assert response.status_code == 400
    assert not NotificationSettings.objects.filter(user=member).exists()


@pytest.mark.parametrize("who", ["pending", "banned", "outsider"])
def test_a_network_you_are_not_an_active_member_of_is_a_400(
    api: Any, persona: Any, private_network: Network, public_network: Network, who: str
) -> None:
    client = api(persona(who))
    for slug in ("medical", "germany"):
        response = client.patch(URL, {"networks": {slug: {"email": "daily"}}}, format="json")
        assert response.status_code == 400
        assert f"networks.{slug}" in response.json()["error"]["fields"]
    assert not NetworkEmailSetting.objects.exists()


def test_an_unknown_network_and_a_hidden_one_you_are_not_in_answer_alike(
    api: Any, outsider: Any, hidden_network: Network
) -> None:
    client = api(outsider)
    hidden = client.patch(URL, {"networks": {"lawyers": {"email": "daily"}}}, format="json")
    missing = client.patch(URL, {"networks": {"nowhere": {"email": "daily"}}}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert (
        hidden.json()["error"]["fields"]["networks.lawyers"]
        == missing.json()["error"]["fields"]["networks.nowhere"]
    )


def test_the_override_of_a_network_you_left_is_no_longer_shown(
    api: Any, owner: Any, member: Any
) -> None:
    network = make_network(owner, slug="left-one")
    add_member(network, member)
    client = api(member)
    client.patch(URL, {"networks": {"left-one": {"email": "daily"}}}, format="json")
    add_member(network, member, status=Membership.Status.LEFT)
    assert client.get(URL).json()["networks"] == {}


def test_anonymous_gets_401(api: Any) -> None:
    assert api(None).get(URL).status_code == 401
    assert api(None).patch(URL, {"email": "off"}, format="json").status_code == 401
