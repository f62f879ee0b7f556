"""Meetings in the digests: a meeting announced since the last digest is listed under its
network, with its page's address; a cancelled one is not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from meetings import actions
from notifications import digest, preferences
from tests._smtp import text_part
from tests.factories.networks import add_member, make_network
from tests.notifications._mail import later

pytestmark = pytest.mark.django_db


def a_meeting(network: Any, organizer: Any, title: str) -> Any:
    start = later(3 * 86_400)  # in three days
    return actions.do_create_meeting(
        organizer,
        network,
        {
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "timezone": "Europe/Paris",
            "city": "Lyon",
        },
    )


def test_the_digest_lists_new_meetings_and_not_cancelled_ones(
    jobs: Any, smtp_sink: Any, owner: Any, member: Any
) -> None:
    preferences.do_update_settings(member, {"email": "daily"})
    network = make_network(owner, name="France", slug="france")
    add_member(network, member)
    kept = a_meeting(network, owner, "Rencontre des juristes")
    dropped = a_meeting(network, owner, "Atelier annulé")
    actions.do_cancel_meeting(owner, dropped)
    assert digest.send_due("daily", now=later(1)) == 1
    jobs.run_pending(now=later(1))
    [message] = smtp_sink.wait_for(1)
    text = text_part(message)
    assert "Rencontre des juristes (Lyon)" in text and f"/meetings/{kept.pk}/" in text
    assert "Atelier annulé" not in text
