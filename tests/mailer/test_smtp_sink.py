"""The outbox over a real SMTP connection (tests/_smtp.py): what arrives, and what a
server that refuses or drops the connection does to a row."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives

from mailer import compose, outbox, registry
from mailer.models import Mail
from tests._smtp import html_part, links, text_part

pytestmark = pytest.mark.django_db


@registry.renderer("test.sink")
def _sink_mail(mail: Mail) -> EmailMultiAlternatives | None:
    return compose.message(
        to=mail.to_address,
        subject="Bonjour",
        template="mailer/test_sink",
        context={"url": mail.payload["url"]},
        language=mail.language,
        unsubscribe_url=mail.payload["url"],
    )


@pytest.fixture(autouse=True)
def _templates(settings: Any, tmp_path: Any) -> None:
    (tmp_path / "mailer").mkdir()
    (tmp_path / "mailer" / "test_sink.txt").write_text("Open {{ url }}")
    (tmp_path / "mailer" / "test_sink.html").write_text(
        '{% extends "mailer/base.html" %}{% block content %}<a href="{{ url }}">open</a>'
        "{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_a_mail_arrives_at_the_server_parsed_with_both_parts_and_headers(
    smtp_sink: Any, jobs: Any
) -> None:
    row = outbox.queue(
        "test.sink", to="a@example.org", language="ar", payload={"url": "http://t/x/"}
    )
    jobs.run_pending()
    [message] = smtp_sink.wait_for(1)
    assert message["Message-ID"] == row.message_id
    assert message["Content-Language"] == "ar"
    assert message["List-Unsubscribe"] == "<http://t/x/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert links(message) == ["http://t/x/"]
    assert text_part(message).strip() == "Open http://t/x/"
    assert 'dir="rtl"' in html_part(message)
    row.refresh_from_db()
    assert row.status == Mail.Status.SENT


@pytest.mark.parametrize("trouble", ["refuse", "drop"])
def test_a_refused_or_dropped_delivery_stays_pending_and_goes_once_on_retry(
    smtp_sink: Any, jobs: Any, trouble: str
) -> None:
    if trouble == "refuse":
        smtp_sink.refuse("451 4.3.0 try again later")
    else:
        smtp_sink.drop()
    row = outbox.queue("test.sink", to="a@example.org", language="en", payload={"url": "http://t/"})
    jobs.run_pending()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Mail.Status.PENDING, 1)
    assert smtp_sink.messages == []
    assert outbox.deliver([row.pk]) == 0  # not due yet: its backoff has not passed
    Mail.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert outbox.deliver([row.pk]) == 1
    assert len(smtp_sink.wait_for(1)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Mail.Status.SENT, 2)
