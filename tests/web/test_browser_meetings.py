"""Meetings in a real browser (issue 14): a moderator announces one with a single seat
from the form, one member takes it, the next waits; when the first gives it up, the
second is told live (the bell, over the page's socket) and finds themselves going; the
month calendar reads right to left in Arabic."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browser import LIVE_TIMEOUT, expect, new_page, sign_in

pytest.importorskip("playwright.sync_api")


def answer(page: Any, label: str) -> None:
    page.click(f"[data-testid=meeting] form button:text-is('{label}')")
    page.wait_for_load_state()


def test_a_freed_seat_reaches_the_waitlisted_member_live(browser: Any, server: Any) -> None:
    organizer = new_page(browser, server)
    sign_in(organizer, "youssef")
    organizer.goto("/networks/germany/meetings/new/")
    organizer.fill("#id_title", "Café mentorat à Francfort")
    organizer.fill("#id_starts_at", "2031-06-12T19:00")
    organizer.fill("#id_ends_at", "2031-06-12T21:00")
    organizer.select_option("#id_timezone", "Europe/Berlin")
    organizer.fill("#id_city", "Frankfurt am Main")
    organizer.fill("#id_capacity", "1")
    organizer.click("[data-testid=meeting-form] button[type=submit]")
    organizer.wait_for_url(re.compile(r".*/meetings/\d+/$"))
    url = organizer.url

    first = new_page(browser, server)
    sign_in(first, "salma")
    first.goto(url)
    answer(first, "Going")
    expect(first.locator("[data-testid=my-rsvp]")).to_contain_text("Going")

    second = new_page(browser, server)
    sign_in(second, "karim")
    second.goto(url)
    answer(second, "Going")
    expect(second.locator("[data-testid=my-rsvp]")).to_contain_text("waitlist")
    bell = second.locator("[data-bell-count]")
    before = int(bell.text_content() or 0) if bell.is_visible() else 0

    answer(first, "Not going")
    expect(bell).to_have_text(str(before + 1), timeout=LIVE_TIMEOUT)  # live, no reload
    second.reload()
    expect(second.locator("[data-testid=my-rsvp]")).to_contain_text("Going")
    expect(second.locator("[data-testid=seats]")).to_contain_text("1 going / 1")
    for page in (organizer, first, second):
        page.context.close()


def test_the_month_calendar_in_arabic_reads_right_to_left(browser: Any, server: Any) -> None:
    page = new_page(browser, server, lang="ar")
    sign_in(page, "karim")
    page.goto("/networks/germany/meetings/calendar/?month=2031-06")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("section.card h1")).to_contain_text("يونيو 2031")
    table = page.locator("[data-testid=calendar]")
    first_th = table.locator("th").first.bounding_box()
    last_th = table.locator("th").last.bounding_box()
    assert first_th is not None and last_th is not None
    assert first_th["x"] > last_th["x"]  # the week runs from the right
    page.context.close()
