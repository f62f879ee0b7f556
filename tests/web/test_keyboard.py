"""The keyboard alone (issue 17): on every main page, Tab reaches every control a mouse
could use, in order and without a trap, and each one shows where the focus is (an
outline or a ring, on an element that is not transparent); live regions are polite."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import PAGES, new_page, sign_in, visit

pytest.importorskip("playwright.sync_api")

# Every control shown on the page, numbered in document order.
MARK = """() => {
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
    .filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0
      && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[inert]')
      // What a closed <details> holds waits for its summary (opened in a second walk).
      && !(e.tagName !== 'SUMMARY' && e.closest('details:not([open])'))
      && !(e.tagName === 'SUMMARY' && e.parentElement.closest('details:not([open])')))
    // A radio group is one stop: Tab reaches its checked radio (or its first), arrows the rest.
    .filter((e) => e.type !== 'radio' || e === (document.querySelector(
      `input[type=radio][name="${e.name}"]:checked`) || document.querySelector(
      `input[type=radio][name="${e.name}"]`)));
  controls.forEach((e, i) => { e.dataset.kbd = String(i); });
  return controls.length;
}"""

# The focused control: its number, and whether the focus can be seen on it.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  // The site's focus ring is an outline (:focus-visible), which nothing has at rest.
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  let opacity = 1;
  for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
    opacity *= parseFloat(getComputedStyle(n).opacity);
  }
  const box = e.getBoundingClientRect();
  return {index: e.dataset.kbd ?? null, ring, visible: opacity > 0.5 && box.width > 0,
          what: e.outerHTML.slice(0, 90)};
}"""


OPEN_ALL = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
SHOW = "(i) => document.querySelector(`[data-kbd='${i}']`).outerHTML"


START = """() => {
  let start = document.getElementById('kbd-start');
  if (!start) {
    start = document.createElement('span');
    start.id = 'kbd-start';
    start.tabIndex = -1;
    document.body.prepend(start);
  }
  start.focus();
  window.scrollTo(0, 0);
}"""


def walk(page: Any, count: int) -> tuple[set[str], list[str]]:
    """Tab through the page once (and a little more); what was reached, what hid its focus
    or came out of the page's order (Tab follows the document, as it is read)."""
    reached: set[str] = set()
    last = -1
    unseen: list[str] = []
    # Start where a freshly loaded page does: before everything (Tab goes to the first).
    page.evaluate(START)
    first = None
    for _ in range(2 * count + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["index"] is not None:
            if focused["index"] == first:
                break  # round the page once: the rest would repeat
            first = first or focused["index"]
            reached.add(focused["index"])
            if int(focused["index"]) < last:
                unseen.append(f"out of order: {focused['what']}")
            last = int(focused["index"])
        if not (focused["ring"] and focused["visible"]):
            unseen.append(focused["what"])
    return reached, unseen


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_control_is_reached_by_tab_and_shows_its_focus(
    browser: Any, server: Any, lang: str
) -> None:
    page = new_page(browser, server, lang=lang)
    sign_in(page, "youssef")
    problems: dict[str, Any] = {}
    for name, path in PAGES:
        visit(page, name, path)
        for state in ("as loaded", "every <details> opened"):
            if state != "as loaded":
                page.evaluate(OPEN_ALL)
            count = page.evaluate(MARK)
            assert count > 5, f"{name}: hardly any control found"
            reached, unseen = walk(page, count)
            missed = sorted(set(map(str, range(count))) - reached, key=int)
            if missed:
                problems[f"{name} ({state}): not reached"] = [
                    page.evaluate(SHOW, i)[:90] for i in missed[:5]
                ]
            if unseen:
                problems[f"{name} ({state}): focus not shown or out of order"] = unseen[:5]
    assert problems == {}, problems
    page.context.close()


def test_live_regions_are_polite(browser: Any, server: Any) -> None:
    page = new_page(browser, server)
    sign_in(page, "youssef")
    visit(page, "chat", "/networks/germany/chat/")
    for selector in ("#timeline", "#typing", "#conn", "#toasts"):
        assert page.get_attribute(selector, "aria-live") == "polite", selector
    page.context.close()
