"""The topic page's live wiring: what static/js/topic.js reads from the page it runs on.

The script subscribes over /ws/ with the ids below, renders live posts from the
`post-template`, builds reaction forms from `data-react-url`, and shows its states
and notices in the page's language from the `topic-strings` JSON. (Its behaviour in a
real browser is in test_browser.py.)
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from community.forums import actions as forums

pytestmark = pytest.mark.django_db


def attributes(html: str, element_id: str) -> dict[str, str]:
    tag = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)
    assert tag is not None, element_id
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(0)))


def strings(html: str) -> dict[str, str]:
    found = re.search(r'<script id="topic-strings" type="application/json">(.*?)</script>', html)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_topic_page_carries_what_the_live_script_needs(browse: Any, forum: dict[str, Any]) -> None:
    topic, first = forum["topic"], forum["post"]
    last = forums.do_reply(first.author, topic, "Deuxième message")
    html = browse("member").get(f"/topics/{topic.pk}/").content.decode()
    posts = attributes(html, "posts")
    assert posts["data-topic"] == str(topic.pk)
    assert posts["data-network"] == str(topic.network_id)
    assert (posts["data-first"], posts["data-last"]) == (str(first.pk), str(last.pk))
    assert posts["data-more"] == ""  # the last page: it takes new posts
    assert posts["data-me"] == str(first.author.pk)
    assert (posts["data-moderator"], posts["data-may-react"]) == ("", "1")
    assert posts["aria-live"] == "polite"
    # The script builds a post's reaction form address by replacing the 0.
    assert posts["data-react-url"].replace("/0/", "/77/") == reverse("web:react", args=[77])
    assert attributes(html, "live-state")["role"] == "status"
    assert attributes(html, "topic-notice")["role"] == "alert"
    assert 'id="topic-badges"' in html
    template = html[html.index('<template id="post-template">') :]
    template = template[: template.index("</template>")]
    assert 'class="prose" dir="auto"' in template and 'class="reactions"' in template
    # The template is forums/_post.html for post 0: a live post gets the reaction menu
    # (its forms' "/0/" replaced by the script) and a time the page formats as the others.
    assert f'action="{reverse("web:react", args=[0])}"' in template
    assert "data-local-time" in template
    assert 'js/topic.js"' in html


def test_moderators_get_the_moderator_flag_and_readers_without_posting_rights_none(
    browse: Any, forum: dict[str, Any]
) -> None:
    path = f"/topics/{forum['topic'].pk}/"
    moderator = attributes(browse("moderator").get(path).content.decode(), "posts")
    assert (moderator["data-moderator"], moderator["data-may-react"]) == ("1", "1")
    outsider = attributes(browse("outsider").get(path).content.decode(), "posts")
    assert (outsider["data-moderator"], outsider["data-may-react"]) == ("", "")


def test_the_live_strings_are_in_the_readers_language(browse: Any, forum: dict[str, Any]) -> None:
    client = browse("member")
    client.cookies["django_language"] = "fr"
    french = strings(client.get(f"/topics/{forum['topic'].pk}/").content.decode())
    assert set(french) == {
        "connecting",
        "live",
        "reconnecting",
        "closed",
        "edited",
        "editedByModerator",
        "deleted",
        "pinned",
        "locked",
        "topicDeleted",
        "revoked",
    }
    assert french["revoked"] == "Vous n'avez plus accès à ce sujet."
    assert french["deleted"] != "This post was deleted."
    assert french["editedByModerator"] == "modifié par un modérateur"
