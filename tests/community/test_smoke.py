import pytest

pytestmark = pytest.mark.django_db


def test_member_sees_public_network_with_their_membership(api, member, public_network):
    response = api(member).get("/api/v1/networks/germany/")
    assert response.status_code == 200
    assert response.json()["my_membership"]["role"] == "member"
