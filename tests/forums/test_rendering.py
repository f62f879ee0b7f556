"""Post bodies render to HTML that cannot execute anything, and keep every script (Arabic too)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community.forums.models import Mention, Post
from community.rendering import render_markdown
from tests.factories.forums import make_post

ALLOWED_TAGS = {
    "p", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "a", "br", "hr",
    "strong", "em", "del", "s", "code", "pre", "ul", "ol", "table", "thead", "tbody", "tr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "title", "rel", "dir", "start", "align"}
SAFE_SCHEMES = {"http", "https", "mailto"}
C0_AND_SPACE = "".join(map(chr, range(0x21)))
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](<java\tscript:alert(1)>)",
    "[click](\x01javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](VBScript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '[click](https://example.org/" onmouseover="alert(1))',
    "[click]\n\n[click]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![img](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:red}</style>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img """><script>alert(1)</script>">',
    "<!--<script>alert(1)//--><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<table><tr><td onmouseover=alert(1)>x</td></tr></table>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "**<script>alert(1)</script>**",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "- [x](javascript:alert(1))\n  - <svg/onload=alert(1)>",
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    "[x](//evil.example/steal)",
]


class Inspector(HTMLParser):
    """Collects every tag and attribute as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))

    handle_startendtag = handle_starttag


def assert_inert(body_html: str) -> None:
    inspector = Inspector()
    inspector.feed(body_html)
    inspector.close()
    assert set(inspector.tags) <= ALLOWED_TAGS, body_html
    for tag, name, value in inspector.attributes:
        assert name in ALLOWED_ATTRIBUTES, (tag, name, body_html)
        assert not name.startswith("on"), body_html
        if name == "href":
            # The URL as a browser parses it (WHATWG URL): entities decoded, leading and
            # trailing controls and spaces trimmed, tabs and newlines removed anywhere.
            url = re.sub(r"[\t\n\r]", "", html.unescape(value).strip(C0_AND_SPACE))
            scheme = SCHEME.match(url)
            assert scheme is None or scheme.group(1).lower() in SAFE_SCHEMES, (url, body_html)


def test_the_corpus_is_large_enough():
    assert len(XSS_CORPUS) >= 30


def link_every_mention(names):
    """A resolver that treats every @name as a member: the mention path is exercised too."""
    return {name: f"/profiles/{name}/" for name in names}


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payload_renders_inert(payload):
    assert_inert(render_markdown(payload))
    assert_inert(render_markdown(f"@{payload} @x{payload}", mentions=link_every_mention))


@pytest.mark.django_db
def test_the_whole_corpus_posted_through_the_api_is_stored_as_sent_and_served_inert(
    api, public_forum, member
):
    client = api(member)
    url = f"/api/v1/topics/{public_forum.topic.pk}/posts/"
    for payload in XSS_CORPUS:
        response = client.post(url, {"body": payload}, format="json")
        assert response.status_code == 201, payload
        assert response.json()["body"] == payload  # the source is kept as sent
    served = client.get(f"{url}?limit=200").json()["results"]
    assert len(served) == len(XSS_CORPUS) + 2
    for post in served:
        assert_inert(post["body_html"])
    for post in Post.objects.filter(topic=public_forum.topic):
        assert_inert(post.body_html)


def test_the_inspector_does_catch_executable_html():
    # The assertions above are only worth something if they fail on a real attack.
    for bad in [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<p onclick="x()">x</p>',
        '<img src="x">',
    ]:
        with pytest.raises(AssertionError):
            assert_inert(bad)


@pytest.mark.django_db
def test_links_get_nofollow_and_keep_safe_urls(public_forum, member):
    post = make_post(public_forum.topic, member, "[Souss](https://example.org/souss?a=1&b=2)")
    assert 'href="https://example.org/souss?a=1&amp;b=2"' in post.body_html
    assert 'rel="nofollow noopener noreferrer"' in post.body_html


TEXTS = [
    "مرحبا بكم في شبكة الكفاءات المغربية بالخارج",
    "Le projet «سوس ماسة» démarre en 2026 — who wants to invest? 🚀",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ ⴰⵎⴰⵣⵉⵖ and العربية and français",
    "Famille 👨‍👩‍👧‍👦, drapeau 🇲🇦, peau 👋🏽, cœur ❤️‍🔥, clé 1️⃣",
    "Right-to-left mark \u200f and left-to-right mark \u200e stay",
]


def _text_of(body_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", body_html)).strip()


@pytest.mark.django_db
def test_arabic_mixed_direction_and_emoji_text_survive(api, public_forum, member):
    client = api(member)
    for text in TEXTS:
        response = client.post(
            f"/api/v1/topics/{public_forum.topic.pk}/posts/", {"body": text}, format="json"
        )
        assert response.status_code == 201
        data = response.json()
        assert data["body"] == text
        assert _text_of(data["body_html"]) == text
        assert data["body_html"].startswith('<p dir="auto">')
        assert Post.objects.get(pk=data["id"]).body == text


@pytest.mark.django_db
def test_arabic_title_survives(api, public_forum, member):
    title = "استثمار في جهة سوس ماسة 🌴"
    url = f"/api/v1/networks/germany/categories/{public_forum.category.pk}/topics/"
    response = api(member).post(url, {"title": title, "body": "تفاصيل"}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == title
    assert api(member).get(url).json()["results"][0]["title"] == title


# --- mentions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_mentions_of_members_become_links_and_are_recorded(public_forum, member, moderator):
    post = make_post(public_forum.topic, member, "Merci @Moderator et @moderator !")
    # The profile page (directory's `web:profile`), not the API's /profiles/ path.
    assert 'href="/people/moderator/"' in post.body_html
    assert ">@Moderator</a>" in post.body_html
    assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [
        moderator.pk
    ]


@pytest.mark.django_db
def test_mentions_of_people_outside_the_network_stay_plain_text(
    public_forum, member, outsider, banned, pending
):
    post = make_post(public_forum.topic, member, "Hello @outsider @banned @pending @nobody")
    assert "<a" not in post.body_html
    assert "@outsider" in post.body_html
    assert not Mention.objects.filter(post=post).exists()


@pytest.mark.django_db
def test_mentions_in_code_links_and_email_addresses_are_not_mentions(public_forum, member):
    body = "`@moderator` [@moderator](https://example.org) moderator@example.org\n\n    @moderator"
    post = make_post(public_forum.topic, member, body)
    assert "/people/" not in post.body_html
    assert not Mention.objects.filter(post=post).exists()


@pytest.mark.django_db
def test_editing_updates_the_recorded_mentions(public_forum, member, moderator, owner):
    from community.forums import actions

    post = make_post(public_forum.topic, member, "cc @moderator")
    actions.do_edit_post(member, post, "cc @owner instead")
    assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [owner.pk]
    assert 'href="/people/owner/"' in Post.objects.get(pk=post.pk).body_html


PIECES = [
    *"<>\"'`=/:;&#[]()!*_-~|\\ \n\tajvscriptoneldgfmhbJS0123456789",
    "javascript:",
    "<script>",
    "<svg",
    "onerror=",
    "&#",
    "](",
    "data:",
    "<a href=",
    "@",
]
MARKUP = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@given(MARKUP)
@settings(max_examples=300, deadline=None)
def test_any_mix_of_markup_characters_renders_inert(source):
    assert_inert(render_markdown(source, mentions=link_every_mention))


@pytest.mark.django_db
def test_every_link_rendered_markdown_makes_to_the_site_opens(public_forum, member, moderator):
    """Mentions, and any other site link a post renders, lead somewhere (they were 404)."""
    from django.test import Client

    post = make_post(
        public_forum.topic, member, "Merci @moderator, voir [le sujet](/networks/germany/) !"
    )
    links = re.findall(r'href="(/[^"]*)"', post.body_html)
    assert "/people/moderator/" in links
    client = Client()
    client.force_login(member)
    for link in links:
        assert client.get(link).status_code == 200, link
