"""mailer.mime writes the bytes Django's EmailMultiAlternatives writes: the same headers
in the same order and folding, the same parts, for ASCII and non-ASCII text, Arabic and
French subjects, long headers; what it cannot write the same is left to Django."""

from __future__ import annotations

import random
from email import message_from_bytes
from email import policy as email_policy
from email.generator import BytesGenerator
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import BadHeaderError, SafeMIMEMultipart
from hypothesis import given, settings
from hypothesis import strategies as st

from mailer import mime

DATE = "Fri, 04 Dec 2026 01:29:49 -0000"
MSGID = "<179634773913.10695.6936813665328119068@shabaka.example>"
UNSUBSCRIBE = (
    "<https://shabaka.example/notifications/unsubscribe/"
    "eyJ1IjoyLCJkIjoiZGFpbHkifQ:1xZI7R:O_3pTqosioICtVeIyZHaibfpJVYQABhivzR3hmCXU00/>"
)


@pytest.fixture(autouse=True)
def fixed_date_and_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("mailer.mime", "django.core.mail.message"):
        monkeypatch.setattr(f"{module}.formatdate", lambda localtime=False: DATE)
        monkeypatch.setattr(f"{module}.make_msgid", lambda domain=None: MSGID)


def both(**fields: Any) -> tuple[mime.Message, EmailMultiAlternatives]:
    html = fields.pop("html", "<p>Hello</p>")
    ours, django = mime.Message(**fields), EmailMultiAlternatives(**fields)
    if html is not None:
        for message in (ours, django):
            message.attach_alternative(html, "text/html")
    return ours, django


def assert_same_bytes(ours: mime.Message, django: EmailMultiAlternatives) -> None:
    flat = ours.message()
    assert isinstance(flat, mime.Flat)
    for linesep in ("\r\n", "\n"):
        mine = flat.as_bytes(linesep=linesep)
        theirs = django.message()
        boundary = message_from_bytes(mine).get_boundary()
        theirs.set_boundary(boundary)  # the only random part
        assert mine == theirs.as_bytes(linesep=linesep)


DIGEST_TEXT = "Your daily digest\n\n== Réseau ==\n- يبحث عن خبراء (Amina)\n  https://x/t/1/\n"


@pytest.mark.parametrize(
    "fields",
    [
        # A digest as notifications.mail makes it, in the three languages.
        {
            "subject": "Your daily digest from Shabaka",
            "body": DIGEST_TEXT,
            "to": ["m0@bench.example"],
            "headers": {
                "Content-Language": "en",
                "Auto-Submitted": "auto-generated",
                "List-Unsubscribe": UNSUBSCRIBE,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Message-ID": MSGID,
            },
            "html": '<html lang="ar" dir="rtl"><p>يبحث عن خبراء</p></html>\n',
        },
        {"subject": "ملخصك اليومي من شبكة", "body": DIGEST_TEXT, "to": ["a@example.org"]},
        {"subject": "Votre résumé quotidien de Shabaka", "body": "é\n", "to": ["b@example.org"]},
        # ASCII parts (7bit), line ends of every kind, no trailing newline.
        {"subject": "Plain", "body": "one\r\ntwo\rthree\nfour", "to": ["c@example.org"]},
        # Long headers that fold, and a long non-ASCII subject (several encoded words).
        {"subject": "A subject " * 20, "body": "x", "to": [f"{'n' * 70}@example.org"]},
        {"subject": "عنوان طويل جدا " * 12, "body": "x", "to": ["d@example.org"]},
        # Addresses with names, non-ASCII names and domains, Cc and Reply-To.
        {
            "subject": "Hi",
            "body": "x",
            "from_email": "Shabaka — شبكة <no-reply@shabaka.example>",
            "to": ["Amina Benali <amina@example.org>", "e@bücher.example"],
            "cc": ["f@example.org"],
            "reply_to": ["Équipe <team@example.org>"],
        },
        # Headers given explicitly (To, Date, lower-case names), which Django honours.
        {
            "subject": "Hi",
            "body": "x",
            "to": ["g@example.org"],
            "headers": {"To": "Someone <h@example.org>", "date": DATE, "X-Tag": "café"},
        },
        # A body line that looks like a boundary but is not the one chosen.
        {"subject": "Hi", "body": "--===============\n--\n", "to": ["i@example.org"]},
    ],
)
def test_the_bytes_are_the_ones_django_writes(fields: dict[str, Any]) -> None:
    assert_same_bytes(*both(**fields))


@settings(max_examples=150, deadline=None)
@given(
    subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=120),
    body=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
    html=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
    local=st.from_regex(r"[a-z0-9.]{1,80}", fullmatch=True),
)
def test_the_bytes_are_the_ones_django_writes_for_any_text(
    subject: str, body: str, html: str, local: str
) -> None:
    subject = subject.replace("\n", " ").replace("\r", " ")
    fields = {"subject": subject, "body": body, "to": [f"{local}@example.org"], "html": html}
    ours, django = both(**fields)
    if ours._flat() is None:  # a line over 998 bytes: Django builds it
        assert isinstance(ours.message(), SafeMIMEMultipart)
        return
    assert_same_bytes(ours, django)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["To", "Message-ID", "List-Unsubscribe", "X-A-Rather-Long-Header-Name"]),
    value=st.one_of(
        st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=100),
        st.from_regex(r"[!-~]{40,90}", fullmatch=True),  # around the 78 characters
    ),
)
def test_a_header_is_folded_as_the_email_package_folds_it(name: str, value: str) -> None:
    def outcome(fold: Any, *args: str) -> Any:
        try:
            return fold(*args)
        except Exception as error:  # e.g. a line break before "x:", an embedded header
            return type(error)

    for linesep in ("\r\n", "\n"):
        policy = email_policy.compat32.clone(linesep=linesep)
        ours = outcome(mime._folded, name, value, linesep)
        assert ours == outcome(policy.fold_binary, name, value)


def test_the_boundary_is_the_generators_even_when_a_part_has_it_as_a_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "randrange", lambda _n: 42)
    taken = BytesGenerator._make_boundary()
    parts = f"text\n--{taken}\n--{taken}.0--\nmore".encode()
    assert mime._boundary(parts) == BytesGenerator._make_boundary(parts) == f"{taken}.1"
    # With CRLF line ends the generator's `$` never matches before the CR: it keeps its
    # first choice, and so does mime (the same bytes, not a better check).
    crlf = parts.replace(b"\n", b"\r\n")
    assert mime._boundary(crlf) == BytesGenerator._make_boundary(crlf) == taken
    assert mime._boundary(b"no boundary here") == taken


def test_two_messages_get_their_own_boundary_date_and_headers() -> None:
    first = mime.Message(subject="Hi", body="x", to=["a@example.org"])
    second = mime.Message(subject="Hi", body="x", to=["b@example.org"])
    for message in (first, second):
        message.attach_alternative("<p>x</p>", "text/html")
    one, two = (message_from_bytes(m.message().as_bytes()) for m in (first, second))
    assert one.get_boundary() != two.get_boundary()
    assert (one["To"], two["To"]) == ("a@example.org", "b@example.org")


@pytest.mark.parametrize(
    "change",
    ["a line over 998 bytes", "an attachment", "no alternative", "another charset"],
)
def test_other_shapes_are_built_by_django(change: str) -> None:
    message = mime.Message(subject="Hi", body="x", to=["a@example.org"])
    if change != "no alternative":
        message.attach_alternative("<p>x</p>", "text/html")
    if change == "a line over 998 bytes":
        message.body = "y" * 1000
    elif change == "an attachment":
        message.attach("a.txt", "content", "text/plain")
    elif change == "another charset":
        message.encoding = "iso-8859-1"
    assert not isinstance(message.message(), mime.Flat)


def test_a_line_break_in_a_header_is_refused_as_django_refuses_it() -> None:
    message = mime.Message(subject="Hi\nBcc: x@example.org", body="x", to=["a@example.org"])
    message.attach_alternative("<p>x</p>", "text/html")
    with pytest.raises(BadHeaderError):
        message.message()


def test_what_a_backend_reads_besides_the_bytes_is_the_message_itself() -> None:
    message = mime.Message(subject="ملخص", body="نص", to=["a@example.org"])
    message.attach_alternative('<p dir="rtl">نص</p>', "text/html")
    flat = message.message()
    parsed = message_from_bytes(flat.as_bytes(), policy=email_policy.default)
    assert parsed["Subject"] == "ملخص" and flat.get_charset() is None
    assert [p.get_content_type() for p in flat.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert parsed.get_body(("html",)).get_content() == '<p dir="rtl">نص</p>'
