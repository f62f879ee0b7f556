"""The chat composer in a real browser (issue 17, defect 1): a message past the limit is
refused before it is sent, in the page's language, and stays in the box; a draft and the
sends not yet stored survive a reload, and a send is stored once however often it goes
again; a message too big for one socket frame goes over REST and arrives once."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.browser import (
    new_page,
    open_room,
    send,
    sign_in,
)

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

COMPOSER = "[data-testid=composer]"
COUNT = "[data-testid=composer-count]"


def room_id(page: Any) -> int:
    return int(page.get_attribute("#chat", "data-room"))


def reload_room(page: Any) -> None:
    page.reload()
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")


def two_in_the_room(browser: Any, server: Any) -> tuple[Any, Any]:
    """Amina and Salma, signed in, in the Germany network's first room, live."""
    amina, salma = new_page(browser, server), new_page(browser, server)
    for page, name in ((amina, "amina"), (salma, "salma")):
        sign_in(page, name)
        open_room(page)
    return amina, salma


def leave(*pages: Any) -> None:
    for page in pages:
        assert page.js_errors == []
        page.context.close()


def test_a_message_past_the_limit_is_refused_in_french_before_sending_and_kept(
    browser: Any,
    server: Any,
) -> None:
    amina = new_page(browser, server, lang="fr")
    sign_in(amina, "amina")
    open_room(amina)
    text = "Très long compte rendu de la réunion. " * 300  # 11,400 characters
    amina.fill(COMPOSER, text)
    counter = amina.locator(COUNT)
    expect(counter).to_be_visible()
    expect(counter).to_have_class(re.compile("danger"))
    said = counter.inner_text()
    assert "caractères" in said and re.sub(r"\D", "", said).startswith("11399")  # trimmed
    assert "10" in said and "000" in said  # the limit, in the page's numbers
    amina.press(COMPOSER, "Enter")
    expect(amina.locator(".msg.pending")).to_have_count(0)
    assert amina.input_value(COMPOSER) == text  # nothing sent, nothing cleared
    reload_room(amina)
    assert amina.input_value(COMPOSER) == text  # the draft, across a reload
    amina.fill(COMPOSER, "")
    reload_room(amina)
    assert amina.input_value(COMPOSER) == ""
    expect(amina.locator(COUNT)).to_be_hidden()
    assert amina.js_errors == []
    amina.context.close()


def test_a_message_too_big_for_one_frame_goes_over_rest_and_arrives_once(
    browser: Any,
    server: Any,
) -> None:
    amina, salma = two_in_the_room(browser, server)
    text = "طويلة-1 " + "مرحبا بكم في شبكة ألمانيا. " * 360  # 9,728 characters, 17 KiB
    assert len(text) <= 10_000 and len(text.encode()) > 16 * 1024
    send(amina, text)
    for page in (amina, salma):
        expect(page.locator("#messages .msg >> text=طويلة-1")).to_have_count(1)
    expect(amina.locator(".msg.pending")).to_have_count(0)
    expect(amina.locator(".msg.failed")).to_have_count(0)
    assert amina.input_value(COMPOSER) == ""
    reload_room(amina)
    expect(amina.locator("#messages .msg >> text=طويلة-1")).to_have_count(1)
    assert amina.input_value(COMPOSER) == ""  # sent: no draft left behind
    leave(amina, salma)


def test_a_send_left_unstored_by_a_reload_goes_after_it_and_is_stored_once(
    browser: Any,
    server: Any,
) -> None:
    amina, salma = two_in_the_room(browser, server)
    # What the page keeps when it is closed between Enter and the server's answer.
    unsent = json.dumps([{"client_id": "kept-across-reload-1", "body": "Message gardé 1"}])
    key = f"shabaka.unsent.room.{room_id(amina)}"
    for _ in range(2):  # the second time, the server already holds it
        amina.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, unsent])
        reload_room(amina)
        expect(amina.locator(".msg.pending")).to_have_count(0)
        expect(amina.locator("#messages .msg >> text=Message gardé 1")).to_have_count(1)
        expect(salma.locator("#messages .msg >> text=Message gardé 1")).to_have_count(1)
        assert amina.evaluate("(k) => localStorage.getItem(k)", key) is None
    leave(amina, salma)
