"""The web chat past the send budget, in a real browser: a server of its own with a small
budget (the other browser tests' server has a huge one, as every test server does)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import new_page, open_room, send, sign_in
from tests.web.live import LiveServer, live_server

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

BURST = 3


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHAT_SEND_BUDGET", f"{BURST} per 4 seconds")
        with live_server() as running:
            yield running


def test_messages_past_the_budget_wait_and_then_go_once_each(browser: Any, server: Any) -> None:
    amina, salma = new_page(browser, server), new_page(browser, server)
    sign_in(amina, "amina")
    sign_in(salma, "salma")
    open_room(amina)
    open_room(salma)
    texts = [f"Rappel {i} : réunion jeudi" for i in range(BURST + 2)]
    for text in texts:
        send(amina, text)
    # The ones past the budget are refused with retry_after: they stay pending (not
    # failed), go again once the wait is over, and arrive once each.
    for text in texts:
        expect(salma.locator(f"#messages .msg >> text={text}")).to_have_count(1, timeout=20_000)
        expect(amina.locator(f"#messages .msg >> text={text}")).to_have_count(1, timeout=20_000)
    expect(amina.locator(".msg.pending")).to_have_count(0)
    expect(amina.locator(".msg.failed")).to_have_count(0)
    assert amina.js_errors == [] and salma.js_errors == []
    amina.context.close()
    salma.context.close()
