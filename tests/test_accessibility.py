"""Accessibility, measured: axe-core (WCAG 2.1 A and AA rules) on every page, at desktop and phone widths.

axe-core comes from npm (tests/browser/package.json, installed by .ci/run) and is injected into the
real app in Chromium. The test fails on any violation whose nodes are the app's own content; the
few rules that only ever fire on Streamlit's own chrome are listed in STREAMLIT_CHROME with the reason.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from test_browser import FULL_RECORD, app_url, browser, corpus_cache, open_page, wait_until_idle  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = REPO_ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = REPO_ROOT / "test-artifacts" / "axe"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = {
    "explore": "/",
    "explore-cards": "/?view=cards&open=1",
    "trial": f"/trial?nct={FULL_RECORD}",
    "compare": f"/compare?compare={FULL_RECORD}&compare=NCT06113666",
    "pipeline": "/pipeline",
    "map": "/map",
    "changes": "/changes",
    "about": "/about",
}
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
# Elements that Streamlit draws around every app, not content we write.
STREAMLIT_CHROME: tuple[str, ...] = (
    '[data-testid="stToolbar"]',
    '[data-testid="stDecoration"]',
    '[data-testid="stStatusWidget"]',
)


def require_axe() -> Path:
    if AXE.exists():
        return AXE
    message = f"{AXE} is missing: run `npm ci --prefix tests/browser`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def app_violations(page) -> list[dict]:
    page.add_script_tag(path=str(require_axe()))
    result = page.evaluate(
        """async ([tags, chrome]) => {
            const outcome = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return outcome.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes
                    .filter(n => !n.target.some(t => chrome.some(c => document.querySelector(c)?.contains(document.querySelector(t)))))
                    .map(n => ({target: n.target, html: n.html.slice(0, 200), summary: n.failureSummary})),
            })).filter(v => v.nodes.length > 0);
        }""",
        [WCAG_TAGS, list(STREAMLIT_CHROME)],
    )
    return result


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(browser, app_url, name, width):  # noqa: F811
    require_axe()
    size = WIDTHS[width]
    page = open_page(browser, f"{app_url}{PAGES[name]}", *size)
    try:
        page.locator("h1").first.wait_for(state="visible", timeout=60_000)
        wait_until_idle(page)
        violations = app_violations(page)
    finally:
        page.close()
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}-{width}.json").write_text(json.dumps(violations, indent=1))
    assert violations == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html']}"
        for v in violations
    )


# Page links wherever Streamlit draws the navigation (the sidebar, or the top bar).
NAV_LINK = '[data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"]'
# On a phone the sidebar, with the page links, starts closed behind this button.
OPEN_SIDEBAR = '[data-testid="stExpandSidebarButton"]'
FOCUS = """([nav, opener]) => {
    const element = document.activeElement;
    const box = element.getBoundingClientRect();
    return {nav: element.closest(nav) !== null, opener: element.closest(opener) !== null,
            on_screen: box.width > 0 && box.right > 0 && box.left < window.innerWidth
                       && box.bottom > 0 && box.top < window.innerHeight,
            what: element.tagName + ' ' + (element.getAttribute('aria-label') || element.innerText || '').slice(0, 40)};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_tab_reaches_the_page_navigation_within_three_presses(browser, app_url, width):  # noqa: F811
    """From page load, Tab reaches a page link (or, on a phone, the button that shows them) in ≤ 3 presses,
    and every stop on the way is on screen: a closed sidebar's links are not stops in the dark."""
    viewport = WIDTHS[width]
    page = open_page(browser, f"{app_url}/pipeline?scope=all", *viewport)
    try:
        # Every filter and help icon drawn first: they are the tab stops that used to come before the pages.
        page.get_by_text("Reset filters", exact=True).wait_for(state="attached", timeout=60_000)
        wait_until_idle(page)
        visited = []
        for _ in range(3):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS, [NAV_LINK, OPEN_SIDEBAR])
            visited.append(focus["what"])
            assert focus["on_screen"], f"focus went out of sight: {visited}"
            if focus["nav"] or focus["opener"]:
                break
        else:
            pytest.fail(f"three Tab presses visit {visited}, no page link")
        if focus["opener"]:
            page.keyboard.press("Enter")
            # The sidebar slides in: wait until the first page link is wholly on screen.
            page.wait_for_function("""(selector) => {
                const link = document.querySelector(selector);
                if (!link || getComputedStyle(link).visibility !== 'visible') return false;
                const box = link.getBoundingClientRect();
                return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
            }""", arg=NAV_LINK, timeout=10_000)
    finally:
        page.close()


def test_typing_a_phase_finds_that_phase_and_no_other(browser, app_url):  # noqa: F811
    page = open_page(browser, f"{app_url}/?scope=all")
    try:
        phase = page.get_by_role("combobox", name="Phase", exact=True)
        phase.click()
        page.keyboard.type("Phase 2")
        page.locator('[role="option"]').first.wait_for(timeout=10_000)
        page.wait_for_timeout(500)
        shown = [text.strip() for text in page.locator('[role="option"]').all_inner_texts()]
    finally:
        page.close()
    suggestions = [text for text in shown if not text.startswith("Select ")]  # "Select all / N matches"
    assert suggestions and suggestions[0].startswith("Phase 2 ("), shown
    # The counts stay in the labels, but their digits no longer make other phases match.
    assert all("phase 2" in text.lower() for text in suggestions), shown
