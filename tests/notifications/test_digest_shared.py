"""Digests rendered once for everyone who gets the same news (mailer.compose `shared`):
each mail still carries its own recipient's unsubscribe link and no one else's, in their
own language, and is what the templates give for that recipient."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mailer import compose, links
from notifications import digest, preferences, unsubscribe
from tests._smtp import html_part, text_part
from tests.factories.forums import make_category, make_topic
from tests.factories.networks import add_member, make_network
from tests.factories.users import make_user
from tests.notifications._mail import later, speaks

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/notifications/unsubscribe/[^\s\"<>/]+/")


def test_readers_of_the_same_news_each_get_their_own_link_and_no_one_elses(
    jobs: Any, smtp_sink: Any, owner: Any
) -> None:
    network = make_network(owner, slug="alpha")
    make_topic(make_category(network), owner, "News of Alpha")
    languages = {}
    for language in ("fr", "fr", "fr", "ar", "ar", "en"):
        user = make_user()
        add_member(network, user)
        speaks(user, language)
        preferences.do_update_settings(user, {"email": "daily"})
        languages[user.email] = (user.pk, language)
    digest.send_due("daily", now=later(1))
    jobs.run_pending(now=later(1))
    messages = smtp_sink.wait_for(6)
    assert len(messages) == 6
    subjects = {}
    for message in messages:
        user_id, language = languages[message["To"]]
        own = str(message["List-Unsubscribe"]).strip().strip("<>")
        # The link in both parts is the header's, and it unsubscribes this recipient.
        assert set(LINK.findall(text_part(message))) == {own}
        assert set(LINK.findall(html_part(message))) == {own}
        signed = own.rstrip("/").rsplit("/", 1)[1]
        found = unsubscribe.parse(signed)
        assert found is not None and found.user_id == user_id
        assert f'lang="{language}"' in html_part(message)
        assert ('dir="rtl"' in html_part(message)) == (language == "ar")
        subjects.setdefault(language, set()).add(str(message["Subject"]))
    # One subject per language, a different one in each.
    assert all(len(s) == 1 for s in subjects.values())
    assert len(set.union(*subjects.values())) == 3


def _parts(language: str, url: str, shared: Any) -> tuple[str, str]:
    message = compose.message(
        to="someone@example.org",
        subject="Your daily digest from Shabaka",
        template="notifications/mail/digest",
        context={"blocks": [], "mode": "daily", "settings_url": "https://x.example/s/"},
        language=language,
        unsubscribe_url=url,
        shared=shared,
    )
    html = message.alternatives[0].content
    assert isinstance(html, str)
    return message.body, html


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_parts_from_the_shared_render_are_what_the_templates_give_that_recipient(
    language: str,
) -> None:
    first = "https://x.example/notifications/unsubscribe/first:abc:def/"
    second = "https://x.example/notifications/unsubscribe/second-one:ghi:jkl_mn/"
    key = ("test", language, "same news")
    assert _parts(language, first, key) == _parts(language, first, None)
    shared = _parts(language, second, key)  # from the parts kept for `key`
    assert shared == _parts(language, second, None)
    assert first not in shared[0] + shared[1]
    assert shared[0].count(second) == shared[1].count(second) == 1


def test_a_template_that_does_more_than_print_the_link_is_rendered_for_each_mail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def shouting(template: str, context: dict[str, Any]) -> tuple[str, str]:
        return f"Stop: {context['unsubscribe_url'].upper()}", "<p>html</p>"

    monkeypatch.setattr(compose, "_render", shouting)
    key = ("shouting",)
    for url in ("https://x.example/u/one/", "https://x.example/u/two/"):
        message = compose.message(
            to="a@example.org",
            subject="S",
            template="t",
            context={},
            language="en",
            unsubscribe_url=url,
            shared=key,
        )
        assert message.body == f"Stop: {url.upper()}"


def test_a_link_is_made_again_when_the_site_moves(settings: Any) -> None:
    settings.SITE_URL = "https://one.example"
    assert links.url("web:network", "alpha") == "https://one.example/networks/alpha/"
    settings.SITE_URL = "https://two.example"
    assert links.url("web:network", "alpha") == "https://two.example/networks/alpha/"
