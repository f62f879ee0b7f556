"""The web client on a phone, 375 px wide, in a real browser (issue 17, defect 2): the top
bar is one row, a chat room is its messages with the composer at the bottom of the
screen and the room list a tap away, the moderation table keeps names whole, and no
page scrolls sideways — in English, French (the longest words) and Arabic."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import (
    PAGES,
    SCREENSHOTS,
    new_page,
    overflow,
    sign_in,
    visit,
)

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

PHONE = 375
HEIGHT = 800  # new_page's viewport
ONE_ROW = 60  # px: a 34 px mark with its padding; two rows measured 96 and more

# Names in the moderation table broken between words at most, never inside one: an
# inline link laid over lines has a client rectangle per line.
NAMES_WHOLE = """() => [...document.querySelectorAll("table.data .person a.name")]
  .every((a) => a.getClientRects().length <= a.textContent.trim().split(/\\s+/).length)"""


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_on_a_phone_the_bar_is_one_row_and_a_room_is_its_messages_and_composer(
    browser: Any,
    server: Any,
    lang: str,
) -> None:
    page = new_page(browser, server, width=PHONE, lang=lang)
    sign_in(page, "youssef")
    for name, path in PAGES:
        visit(page, name, path)
        assert box(page, "header.topbar")["height"] <= ONE_ROW, f"the bar wraps on {name}"
        assert overflow(page) <= 0, f"{name} scrolls sideways at {PHONE} px in {lang}"
        if name == "moderation":
            assert page.evaluate(NAMES_WHOLE), f"a member's name is broken in {lang}"
            page.screenshot(path=str(SCREENSHOTS / f"moderation-phone-{lang}.png"))
    visit(page, "chat", "/networks/germany/chat/")
    composer = box(page, "[data-testid=composer]")
    assert composer["y"] + composer["height"] <= HEIGHT  # on screen, without scrolling
    assert composer["y"] >= HEIGHT - 120  # at the bottom
    assert page.evaluate("window.scrollY") == 0
    timeline = box(page, "#timeline")
    assert timeline["height"] >= HEIGHT / 2  # the messages take the screen
    expect(page.locator("#chat-side")).to_be_hidden()
    expect(page.locator(".net-head")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / f"chat-phone-{lang}.png"))
    toggle = page.locator("[data-testid=rooms-toggle]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#chat-side")).to_be_visible()
    expect(page.locator("#chat-side a[aria-current=page]")).to_be_visible()
    expect(page.locator("#chat-side .side-network")).to_be_visible()  # the network, a tap away
    page.screenshot(path=str(SCREENSHOTS / f"chat-phone-rooms-{lang}.png"))
    page.locator("[data-testid=rooms-close]").click()
    expect(page.locator("#chat-side")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    toggle.click()
    page.keyboard.press("Escape")
    expect(page.locator("#chat-side")).to_be_hidden()
    assert page.js_errors == []
    page.context.close()


def test_at_1280_px_the_room_list_and_the_network_header_stay_in_place(
    browser: Any,
    server: Any,
) -> None:
    page = new_page(browser, server)
    sign_in(page, "youssef")
    visit(page, "chat", "/networks/germany/chat/")
    expect(page.locator("#chat-side")).to_be_visible()
    expect(page.locator(".net-head")).to_be_visible()
    expect(page.locator("[data-testid=rooms-toggle]")).to_be_hidden()
    assert box(page, "header.topbar .me > span[dir]")["width"] > 40  # the name is shown
    page.context.close()
