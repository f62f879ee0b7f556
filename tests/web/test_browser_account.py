"""The account in a real browser (issue 17): a photo uploaded from the profile editor is
shown in the top bar under the page's CSP, the archive downloads as JSON, and a deleted
account signs out and cannot sign in again."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.web.browser import expect, new_page, sign_in
from tests.web.seed_browser import PASSWORD

pytest.importorskip("playwright.sync_api")


def a_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_photo_uploaded_shows_in_the_bar_and_goes_back_to_initials(
    browser: Any, server: Any
) -> None:
    page = new_page(browser, server)
    sign_in(page, "karim")
    page.goto("/profile/edit/")
    page.set_input_files(
        "#photo-file", files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}]
    )
    page.click(".photo-editor button[type=submit]")
    expect(page.locator("ul.messages")).to_contain_text("Your photo is saved.")
    bar = page.locator("header .me .avatar img")
    expect(bar).to_be_visible()
    loaded = "(img) => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=bar.element_handle())  # served under the CSP
    assert page.evaluate("(img) => img.naturalWidth", bar.element_handle()) == 96
    page.click("text=Remove my photo")
    expect(page.locator("header .me .avatar img")).to_have_count(0)
    expect(page.locator("header .me .avatar")).to_have_text("K")
    page.context.close()


def test_the_archive_downloads_and_a_deleted_account_cannot_come_back(
    browser: Any, server: Any
) -> None:
    page = new_page(browser, server)
    sign_in(page, "nadia")
    page.goto("/account/")
    with page.expect_download() as download:
        page.click("[data-testid=your-data] a[download]")
    archive = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert archive["account"]["username"] == "nadia"
    page.click("text=Delete my account…")
    page.check("input[name=content][value=erase]")
    page.fill("#id_password", PASSWORD)
    page.check("#id_understood")
    page.click("[data-testid=delete-account] button[type=submit]")
    expect(page.locator("ul.messages")).to_contain_text("Your account is deleted.")
    page.goto("/signin/")
    page.fill("#id_username", "nadia")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("form .errorlist")).to_be_visible()  # refused, still on the page
    assert "/signin/" in page.url
    page.context.close()
