"""Accessibility checked by a real engine (issue 17): axe-core (through
axe-playwright-python, which ships it) over every main page in English and Arabic, in
Debian's chromium. No violation of impact serious or critical is allowed; the figures
per page are written to docs/accessibility.md when the screenshots are kept
(`make screenshots`), so the document changes only when someone means it to."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import (
    PAGES,
    new_page,
    sign_in,
    visit,
)

pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

BLOCKING = {"serious", "critical"}
REPORT = Path(__file__).resolve().parents[2] / "docs" / "accessibility.md"
FIGURES: dict[tuple[str, str], dict[str, Any]] = {}


def violations(page: Any) -> list[dict[str, Any]]:
    results = axe_playwright.Axe().run(page)
    return list(results.response["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: "
        + ", ".join(n["target"][0] for n in v["nodes"][:3])
        + ")"
        for v in found
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_main_page_has_no_serious_or_critical_violation(
    browser: Any,
    server: Any,
    lang: str,
) -> None:
    page = new_page(browser, server, lang=lang)
    sign_in(page, "youssef")
    blocking: dict[str, str] = {}
    for name, path in PAGES:
        visit(page, name, path)
        found = violations(page)
        FIGURES[(name, lang)] = {
            **{
                impact: sum(1 for v in found if v["impact"] == impact)
                for impact in ("critical", "serious", "moderate", "minor")
            },
            "rules": ", ".join(f"`{v['id']}` ({v['impact']})" for v in found) or "—",
        }
        serious = [v for v in found if v["impact"] in BLOCKING]
        if serious:
            blocking[name] = describe(serious)
    if os.environ.get("SHABAKA_SCREENSHOTS") == "1":
        write_report()
    assert blocking == {}, f"axe-core in {lang}: {blocking}"
    page.context.close()


def write_report() -> None:
    rows = [
        f"| {name} | {lang} | "
        + " | ".join(str(counts[i]) for i in ("critical", "serious", "moderate", "minor", "rules"))
        + " |"
        for (name, lang), counts in sorted(FIGURES.items())
    ]
    REPORT.write_text(
        "# Accessibility\n\n"
        "axe-core (the version axe-playwright-python ships) over the main pages of the "
        "seeded site, signed in, at 1,280 px, in Debian's chromium: rules violated per "
        "page and impact (`tests/web/test_accessibility.py`; `make screenshots` rewrites "
        "this table). Serious and critical fail the test.\n\n"
        "| page | language | critical | serious | moderate | minor | rules |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
