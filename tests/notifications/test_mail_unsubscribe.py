"""RFC 8058 one-click unsubscribe from a mail that really arrived: a POST to the link,
signed out and without a CSRF token, turns that mail off; a GET only shows a button; a
tampered link is a 400 page that changes nothing."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from community.models import Network
from mailer.models import Mail
from notifications import digest, gather, preferences, unsubscribe
from tests.notifications._mail import later, mention

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def _path_of(message: Any) -> str:
    found = re.search(r"<([^>]+)>", str(message["List-Unsubscribe"]))
    assert found is not None
    return urlsplit(found.group(1)).path


def _one_click(path: str) -> Any:
    # A mail client: no session, no CSRF token, the RFC 8058 body.
    return Client(enforce_csrf_checks=True).post(
        path, ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )


def test_one_click_from_a_received_mail_signed_out_turns_that_kind_off(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any, public_network: Network
) -> None:
    mention(member, public_network, owner)
    gather.send_due(now=later(121))
    jobs.run_pending(now=later(121))
    [message] = smtp_sink.wait_for(1)
    path = _path_of(message)
    assert path in message.get_body(preferencelist=("plain",)).get_content()
    response = _one_click(path)
    assert response.status_code == 200
    assert preferences.read(member)["kinds"]["mention"] is False
    assert preferences.read(member)["kinds"]["reply"] is True
    # The next mentions are not mailed.
    mention(member, public_network, owner)
    assert gather.send_due(now=later(250)) == 0


def test_a_get_only_shows_a_button_and_changes_nothing(member: Any) -> None:
    path = urlsplit(unsubscribe.url(member.pk, kinds=["mention"])).path
    response = Client().get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page and "Mention" in page
    assert preferences.read(member)["kinds"]["mention"] is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_a_400_page_and_changes_nothing(member: Any, method: str) -> None:
    signed = unsubscribe.token(member.pk, kinds=["mention"])
    tampered = signed[:-3] + ("aaa" if not signed.endswith("aaa") else "bbb")
    response = getattr(Client(), method)(f"/notifications/unsubscribe/{tampered}/")
    assert response.status_code == 400
    assert 'data-testid="unsubscribe-invalid"' in response.content.decode()
    assert preferences.read(member)["kinds"]["mention"] is True


def test_a_link_signed_for_something_else_is_refused(member: Any) -> None:
    from django.core import signing

    other = signing.dumps({"u": member.pk, "k": ["mention"]}, salt="accounts.reset")
    assert Client().post(f"/notifications/unsubscribe/{other}/").status_code == 400


def test_a_digest_link_turns_that_digest_off(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any, public_network: Network
) -> None:
    from tests.factories.forums import make_category, make_topic

    preferences.do_update_settings(member, {"email": "daily"})
    make_topic(make_category(public_network), owner, "Housing in Berlin")
    digest.send_due("daily", now=later(1))
    jobs.run_pending(now=later(1))
    [message] = smtp_sink.wait_for(1)
    assert _one_click(_path_of(message)).status_code == 200
    assert preferences.read(member)["email"] == "off"
    assert Mail.objects.filter(kind=digest.KIND).count() == 1
