"""The web client in a real browser: Debian's chromium driven by Playwright, against daphne
(the fixtures and steps are tests/web/browser.py's). The screenshots in docs/screenshots/
(shown in the README) are taken here, in English and Arabic."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browser import (
    LIVE_TIMEOUT,
    PAGES,
    PROBLEMS,
    SCREENSHOTS,
    expect,
    new_page,
    open_room,
    overflow,
    send,
    sign_in,
    visit,
)
from tests.web.live import live_server
from tests.web.seed_browser import PASSWORD

pytest.importorskip("playwright.sync_api")


def test_arabic_is_right_to_left_and_fits_a_phone(browser, server):
    """At 375 px here; the screenshots test checks 1280 px in both languages."""
    page = new_page(browser, server, width=375)
    sign_in(page, "youssef")
    page.select_option("[data-testid=language]", "ar")
    page.wait_for_load_state()
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("nav.mainnav")).to_contain_text("الشبكات")
    for name, path in PAGES:
        visit(page, name, path)
        expect(html).to_have_attribute("dir", "rtl")
        assert overflow(page) <= 0, f"{name} overflows at 375px"
        if name == "chat":
            page.screenshot(path=str(SCREENSHOTS / "chat-mobile-ar.png"))
    assert page.js_errors == []
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_screenshots_of_the_main_pages_at_1280px(browser, server, lang):
    page = new_page(browser, server, lang=lang)
    sign_in(page, "youssef")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    for name, path in PAGES:
        visit(page, name, path)
        page.wait_for_timeout(100)  # let the facet names localize and fonts settle
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}.png"))
        assert overflow(page) <= 0, f"{name} overflows at 1280px in {lang}"
        if name == "network":
            # The sidebar's facts keep their words whole ("Geograph/ic" was cut in two).
            assert page.evaluate(ONE_LINE_FACTS), f"a fact wraps mid-word in {lang}"
    assert page.js_errors == []
    page.context.close()


# Every short fact of a network's sidebar (its kind, country, joining) on one line.
ONE_LINE_FACTS = """() => [...document.querySelectorAll("dl.facts dd")]
  .filter((dd) => dd.textContent.trim().split(/\\s+/).length === 1)
  .every((dd) => dd.getBoundingClientRect().height
                 < 1.5 * parseFloat(getComputedStyle(dd).lineHeight))"""


def test_sign_up_join_an_open_network_post_a_topic_and_see_it(browser, server):
    page = new_page(browser, server)
    page.goto("/signup/")
    page.fill("#id_username", "leila")
    page.fill("#id_display_name", "Leïla Amrani")
    page.fill("#id_email", "leila@example.org")
    page.fill("#id_password", "a long passphrase 42")
    page.click("form button[type=submit]")
    page.wait_for_url("**/profile/edit/?welcome=1")  # their profile comes first
    expect(page.locator("[data-testid=welcome]")).to_be_visible()

    page.goto("/networks/germany/")
    page.click("[data-testid=join]")
    expect(page.locator(".messages")).to_contain_text("You are now a member")
    page.click("nav.tabs >> text=Forums")
    page.click("text=Entraide")
    page.fill("#id_title", "Cherche colocation à Berlin")
    page.fill("#id_body", "Bonjour, je cherche une **colocation** près de la TU Berlin.")
    page.click("[data-testid=post-topic]")
    expect(page.locator("[data-testid=topic-title]")).to_have_text("Cherche colocation à Berlin")
    expect(page.locator(".post .prose strong")).to_have_text("colocation")

    page.go_back()
    page.reload()
    expect(page.locator(".topic-row >> text=Cherche colocation à Berlin")).to_be_visible()
    assert page.js_errors == []
    page.context.close()


def test_two_people_in_the_same_room_see_each_other_live(browser, server):
    amina, salma = new_page(browser, server), new_page(browser, server)
    sign_in(amina, "amina")
    sign_in(salma, "salma")
    open_room(amina)
    open_room(salma)

    amina.fill("[data-testid=composer]", "Qui vient")  # typing, not yet sent
    expect(salma.locator("#typing")).to_contain_text("Amina Benali")
    send(amina, "Qui vient à la rencontre de Francfort ?")
    expect(salma.locator("#messages")).to_contain_text("Qui vient à la rencontre de Francfort ?")
    send(salma, "Moi ! 🙋‍♀️")
    expect(amina.locator("#messages")).to_contain_text("Moi ! 🙋‍♀️")
    # The sender's own copy is confirmed, not left pending or doubled.
    expect(amina.locator(".msg.pending")).to_have_count(0)
    expect(amina.locator("#messages .msg >> text=Qui vient à la rencontre")).to_have_count(1)
    assert amina.js_errors == [] and salma.js_errors == []
    amina.context.close()
    salma.context.close()


def open_topic(page: Any) -> None:
    """The seeded Entraide topic, live."""
    page.goto("/networks/germany/forums/")
    page.click("text=Entraide")
    page.click("text=Reconnaissance du diplôme")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


# Every post's time on the page is the browser's Intl rendering in the page's language.
SAME_TIME_FORMAT = """() => {
  const format = new Intl.DateTimeFormat([document.documentElement.lang],
    {dateStyle: "medium", timeStyle: "short"});
  const times = [...document.querySelectorAll("#posts .post time")];
  return times.length > 1 && times.every(
    (t) => t.textContent === format.format(new Date(t.getAttribute("datetime"))));
}"""


def test_a_topic_shows_replies_edits_reactions_and_deletions_live(browser, server):
    amina, salma = new_page(browser, server), new_page(browser, server)
    sign_in(amina, "amina")
    sign_in(salma, "salma")
    open_topic(amina)
    open_topic(salma)
    salma.evaluate("window.stayedOpen = true")  # gone if her page ever reloads

    amina.fill("#id_body", "Je passe par l'**Anabin** : réponse en 3 semaines.")
    amina.click("[data-testid=reply-submit]")
    reply = salma.locator("#posts .post").last
    expect(reply.locator(".prose strong")).to_have_text("Anabin")
    expect(reply.locator(".who")).to_have_text("Amina Benali")
    # A post that arrived live is the page's own markup (forums/_post.html): it has the
    # reaction menu, its forms act on it, and its time reads like the others'.
    post_id = reply.get_attribute("data-post")
    expect(reply.locator(".reactions details summary")).to_be_visible()
    actions = reply.locator(".reactions form").evaluate_all("fs => fs.map(f => f.action)")
    assert actions and all(f"/posts/{post_id}/react/" in action for action in actions), actions
    assert salma.evaluate(SAME_TIME_FORMAT), "a live post's time is formatted unlike the others"
    mine = amina.locator(f"#post-{reply.get_attribute('data-post')}")

    mine.locator(".post-tools details summary").click()
    mine.locator(".post-tools textarea").fill("Je passe par l'Anabin : réponse en 2 semaines.")
    mine.locator(".post-tools details form button").click()
    expect(reply.locator(".prose")).to_have_text("Je passe par l'Anabin : réponse en 2 semaines.")
    expect(reply.locator(".edited")).to_be_visible()

    mine = amina.locator(f"#post-{reply.get_attribute('data-post')}")
    mine.locator(".reactions details summary").click()
    mine.locator(".reactions .menu-body button >> text=👍").click()
    expect(reply.locator(".reactions > form .reaction")).to_have_text("👍 1")
    expect(reply.locator(".reactions > form .reaction")).to_have_attribute("aria-pressed", "false")

    amina.on("dialog", lambda dialog: dialog.accept())
    amina.locator(
        f"#post-{reply.get_attribute('data-post')} .post-tools form.inline-form button"
    ).click()
    expect(reply).to_contain_text("This post was deleted.")
    expect(reply.locator(".prose")).to_have_count(0)
    expect(reply.locator(".reactions")).to_have_count(0)
    assert salma.evaluate("window.stayedOpen") is True
    expect(salma.locator("#live-state")).to_have_attribute("data-state", "live")
    assert amina.js_errors == [] and salma.js_errors == []
    amina.context.close()
    salma.context.close()


def test_a_topic_polls_while_its_socket_is_down_and_catches_up_on_reconnecting(browser, server):
    amina, salma = new_page(browser, server), new_page(browser, server)
    network = {"down": False}
    sockets: list[Any] = []

    def through_proxy(ws: Any) -> None:
        if network["down"]:
            ws.close()  # refused: the page keeps retrying with backoff
        else:
            ws.connect_to_server()
            sockets.append(ws)

    salma.route_web_socket(re.compile(r".*/ws/$"), through_proxy)
    sign_in(amina, "amina")
    sign_in(salma, "salma")
    open_topic(amina)
    open_topic(salma)

    network["down"] = True
    sockets[-1].close()
    expect(salma.locator("#live-state")).to_have_attribute("data-state", "reconnecting")
    amina.fill("#id_body", "Envoyé pendant la coupure.")
    amina.click("[data-testid=reply-submit]")
    reply = salma.locator("#posts .post").last
    expect(reply.locator(".prose")).to_have_text("Envoyé pendant la coupure.")  # by polling
    mine = amina.locator(f"#post-{reply.get_attribute('data-post')}")
    mine.locator(".post-tools details summary").click()
    mine.locator(".post-tools textarea").fill("Corrigé pendant la coupure.")
    mine.locator(".post-tools details form button").click()
    salma.wait_for_timeout(3500)  # a poll asks for new posts only: the edit waits
    expect(reply.locator(".prose")).to_have_text("Envoyé pendant la coupure.")

    network["down"] = False  # the next retry (backoff: up to 10 s by now) gets through
    expect(salma.locator("#live-state")).to_have_attribute(
        "data-state", "live", timeout=2 * LIVE_TIMEOUT
    )
    expect(reply.locator(".prose")).to_have_text("Corrigé pendant la coupure.")  # caught up
    expect(reply.locator(".edited")).to_be_visible()
    assert amina.js_errors == [] and salma.js_errors == []
    amina.context.close()
    salma.context.close()


@pytest.mark.allow_problems(r"403: GET .*/chat/$", r"status of 403 .*/chat/\)$")  # banned
def test_a_banned_members_open_room_stops_receiving(browser, server):
    karim, youssef = new_page(browser, server), new_page(browser, server)
    sign_in(karim, "karim")
    sign_in(youssef, "youssef")
    open_room(karim)
    open_room(youssef)
    send(youssef, "Avant le bannissement")
    expect(karim.locator("#messages")).to_contain_text("Avant le bannissement")

    moderation = youssef.context.new_page()
    moderation.goto("/networks/germany/manage/members/")
    row = moderation.locator("[data-testid=member-karim]")
    row.locator("summary").click()
    row.locator("[data-testid=ban-karim]").click()
    # A ban is asked first, on a page holding the reason the member will be told.
    confirm = moderation.locator("[data-testid=confirm-ban]")
    expect(confirm).to_contain_text("Ban")
    confirm.locator("textarea[name=reason]").fill("spam")
    confirm.locator("button[type=submit]").click()
    expect(moderation.locator(".messages")).to_contain_text("Member banned.")

    expect(karim.locator("#conn")).to_have_attribute("data-state", "closed")
    expect(karim.locator("#room-notice")).to_contain_text("no longer have access")
    expect(karim.locator("[data-testid=composer]")).to_be_disabled()
    send(youssef, "Après le bannissement")
    expect(youssef.locator("#messages")).to_contain_text("Après le bannissement")
    karim.wait_for_timeout(1000)
    expect(karim.locator("#messages")).not_to_contain_text("Après le bannissement")
    # And the room is gone for them on reload: the network's content is closed to a banned member.
    response = karim.goto("/networks/germany/chat/")
    assert response is not None and response.status in (403, 404)
    karim.context.close()
    youssef.context.close()


def test_the_policy_blocks_inline_script_and_the_tests_notice(browser, server):
    """The control of `no_csp_violations`: an injected inline script and style attribute
    are refused by Chromium, and reported; the pages themselves report nothing."""
    page = new_page(browser, server)
    page.goto("/signin/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.appendChild(s);
            document.body.insertAdjacentHTML("beforeend", '<p style="color:red" id="x">x</p>');
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert page.evaluate("getComputedStyle(document.getElementById('x')).color") != "rgb(255, 0, 0)"
    reported = [v for v in PROBLEMS if v.startswith("CSP:")]
    PROBLEMS.clear()  # provoked here, on purpose
    assert any("script-src" in v for v in reported), reported
    assert any("style-src" in v for v in reported), reported
    page.context.close()


def test_the_api_docs_and_the_admin_work_under_the_policy(browser, server):
    """Swagger UI (drf-spectacular-sidecar's files) lists the API, and the admin's
    pages open and save, with no CSP violation (checked at the end, as everywhere)."""
    server.run(
        "manage.py",
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as users; "
        "users().objects.filter(username='staff').update(is_superuser=True)",
    )
    page = new_page(browser, server)
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/networks/")
    page.locator(".opblock-summary").first.click()  # an operation opens
    expect(page.locator(".opblock-body").first).to_be_visible()

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/community/network/")
    page.click("#result_list tbody tr th a")
    expect(page.locator("#network_form")).to_be_visible()
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    page.goto("/admin/community/membership/?q=amina")
    expect(page.locator("#result_list")).to_be_visible()
    assert page.js_errors == []
    page.context.close()


def test_with_debug_off_every_page_has_its_styles_and_scripts(browser):
    """A deployment (DEBUG off, `collectstatic` run) serves its own CSS and JS: every
    page opens with no failed request (`page_problems`), its stylesheet applied and its
    scripts running."""
    with live_server(debug=False) as production:
        page = new_page(browser, production)  # its failed requests fail the test
        sign_in(page, "amina")
        for name, path in PAGES:
            visit(page, name, path)
            # shabaka.css sets the page's layout: a stylesheet of the site with its rules.
            rules = page.evaluate(
                "[...document.styleSheets].filter(s => s.href && s.href.includes('/static/'))"
                ".reduce((n, s) => n + s.cssRules.length, 0)"
            )
            assert rules > 50, (name, rules)
        # The chat page's script ran: its socket connected (checked by `visit`).
        assert page.js_errors == []
        page.context.close()
