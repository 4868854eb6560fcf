"""The app in a real browser: `streamlit run` against the real corpus, driven by Playwright + Chromium.

Saves a screenshot of every page (desktop 1280×800 and phone width) to test-artifacts/screenshots/.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPO_ROOT, load_script
from hostile_study import HOSTILE_ADDRESS, HOSTILE_HOST, HOSTILE_NCT, hostile_study, poison
from mstrials.explore.frame import trials_matching
from study_factory import make_study

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
STREAMLIT = Path(sys.executable).with_name("streamlit")
FULL_RECORD = "NCT03569618"
COUNT_PATTERN = re.compile(r"^([\d,]+) trials? match(?:es)?$")


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def corpus_cache(corpus_file, ctgov_dir, tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("browser") / "trials.sqlite"
    fetch_trials = load_script("fetch_trials")
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(corpus_file)]) == 0
    # The full records in a second import, so they replace the corpus versions and the history has changes.
    records = sorted(str(p) for p in (ctgov_dir / "studies").glob("*.json"))
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", *records]) == 0
    return cache


@pytest.fixture(scope="module")
def app_url(corpus_cache, browser, tmp_path_factory):
    with streamlit_server(corpus_cache, tmp_path_factory) as url:
        warm_up(browser, url)
        yield url


@contextmanager
def streamlit_server(cache: Path, tmp_path_factory):
    require_chromium()
    port = free_loopback_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {**os.environ, "MSTRIALS_CACHE": str(cache)}
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(STREAMLIT), "run", str(REPO_ROOT / "dashboard" / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--client.toolbarMode", "minimal"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


FIRST_SESSION: dict[str, object] = {}


def warm_up(browser, url: str) -> None:
    """The server's very first session, opened on a deep link, as someone following a shared link would.

    Streamlit showed a "Page not found" dialog here while an (empty) dashboard/pages/ folder sat next to
    app.py: the first run then goes through Streamlit's older pages-folder mode, which knows no /trial.
    What the session saw is kept for test_first_session_on_a_deep_link.
    """
    page = browser.new_page()
    try:
        page.goto(f"{url}/trial?nct={FULL_RECORD}")
        page.get_by_text("not medical advice").first.wait_for(state="attached", timeout=60_000)
        wait_until_idle(page)
        page.wait_for_timeout(1000)
        FIRST_SESSION["page_not_found"] = page.get_by_text("Page not found").count()
        FIRST_SESSION["heading"] = page.locator("h1").first.inner_text()
        FIRST_SESSION["url"] = page.url
    finally:
        page.close()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, url: str, width: int = 1280, height: int = 800):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    wait_until_idle(page)
    return page


def wait_until_idle(page, timeout_ms: int = 30_000) -> None:
    # Streamlit shows a "running" status widget while the script runs; wait for it to go away.
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    page.wait_for_timeout(500)


def match_count(page) -> int:
    heading = page.get_by_text(COUNT_PATTERN).first
    heading.wait_for()
    return int(COUNT_PATTERN.match(heading.inner_text().strip()).group(1).replace(",", ""))


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def expected_counts(cache: Path) -> tuple[int, int]:
    """(all MS trials listed, of which recruiting or not yet recruiting), straight from the cache file."""
    connection = sqlite3.connect(cache)
    try:
        listed = "is_ms = 1 AND removed_run IS NULL"
        total = connection.execute(f"SELECT count(*) FROM studies WHERE {listed}").fetchone()[0]
        open_count = connection.execute(
            f"SELECT count(*) FROM studies WHERE {listed} AND status IN ('RECRUITING', 'NOT_YET_RECRUITING')"
        ).fetchone()[0]
        return total, open_count
    finally:
        connection.close()


def test_filter_changes_the_table_and_the_address(browser, app_url, corpus_cache):
    total, open_count = expected_counts(corpus_cache)
    page = open_page(browser, f"{app_url}/?scope=all")
    assert match_count(page) == total
    shoot(page, "explore-all-ms")
    page.get_by_text("Recruiting or not yet recruiting").first.click()
    page.wait_for_function(
        "(text) => [...document.querySelectorAll('h2, h3')].some(h => h.innerText.trim() === text)",
        arg=trials_matching(open_count), timeout=20_000)
    wait_until_idle(page)
    assert match_count(page) == open_count
    assert "open=1" in page.url and "scope=all" in page.url
    shoot(page, "explore-recruiting")
    page.get_by_text("Could I qualify? Quick check").first.click()
    page.get_by_text("Your age (years)").first.wait_for()
    shoot(page, "explore-quick-check")

    # The copied address reproduces the view in a fresh tab.
    again = open_page(browser, page.url)
    assert match_count(again) == open_count
    again.close()
    page.close()


def test_invalid_address_shows_a_notice(browser, app_url):
    page = open_page(browser, f"{app_url}/?scope=all&phase=PHASE9")
    notice = page.get_by_text("Ignored 1 part of the page address").first
    assert notice.is_visible()
    notice.click()  # collapsed until asked for
    page.get_by_text("Ignored unknown phase value").first.wait_for(state="visible", timeout=10_000)
    page.close()


LONG_CRITERIA_NCT = "NCT00000077"


@pytest.fixture(scope="module")
def hostile_url(browser, tmp_path_factory):
    cache = tmp_path_factory.mktemp("hostile-browser") / "trials.sqlite"
    line = "- Participants must not have taken part in another interventional study within 30 days\n"
    long_criteria = "Inclusion Criteria:\n\n" + line * (10_000_000 // len(line))
    studies = [hostile_study(), make_study(nct_id=LONG_CRITERIA_NCT, title="A trial with very long criteria",
                                           eligibilityModule={"eligibilityCriteria": long_criteria})]
    source = cache.parent / "studies.json"
    source.write_text(json.dumps(studies))
    assert load_script("fetch_trials").main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0
    with streamlit_server(cache, tmp_path_factory) as url:
        yield url


def assert_no_markup_from_the_data(page) -> None:
    assert page.locator(f'a[href*="{HOSTILE_HOST}"]').count() == 0
    assert page.locator(f'img[src*="{HOSTILE_HOST}"]').count() == 0
    assert page.locator(f'[src*="{HOSTILE_HOST}"], [href*="{HOSTILE_HOST}"]').count() == 0
    scripts = page.locator("script").evaluate_all("nodes => nodes.map(n => n.textContent)")
    assert not any("alert(1)" in (text or "") for text in scripts)
    assert page.locator("i", has_text="slanted").count() == 0
    assert page.locator(".katex, math").count() == 0  # no maths typeset from `$…$`
    assert page.get_by_text("alarm").count() == 0 or page.locator('span[style*="red"]', has_text="alarm").count() == 0


@pytest.mark.parametrize("path", [
    f"/trial?nct={HOSTILE_NCT}",
    "/?" + urllib.parse.urlencode({"scope": "all", "country": poison("country"), "type": poison("studytype")}),
    "/?" + urllib.parse.urlencode(HOSTILE_ADDRESS),
    "/pipeline?" + urllib.parse.urlencode({"scope": "all", "country": poison("country")}),
])
def test_hostile_text_is_shown_as_text_in_the_browser(browser, hostile_url, path):
    page = open_page(browser, hostile_url + path)
    page.get_by_text("Verify your eligibility here").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(1500)
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()  # the collapsed address notice and the criteria, opened
    page.wait_for_timeout(500)
    assert not page.locator('[data-testid="stException"]').count()
    assert_no_markup_from_the_data(page)
    # The registry text is still there to read, as written.
    assert f"https://{HOSTILE_HOST}/" in page.evaluate("document.body.innerText").replace("\u2060", "")
    page.close()


def test_ten_megabyte_criteria_do_not_freeze_the_trial_page(browser, hostile_url):
    page = open_page(browser, f"{hostile_url}/trial?nct={LONG_CRITERIA_NCT}")
    page.get_by_text("Read the full criteria on ClinicalTrials.gov").first.wait_for(timeout=60_000)
    link = page.get_by_role("link", name="Read the full criteria on ClinicalTrials.gov")
    assert link.get_attribute("href") == f"https://clinicaltrials.gov/study/{LONG_CRITERIA_NCT}"
    page.get_by_text("not medical advice").first.wait_for(state="attached", timeout=30_000)
    page.close()


def test_first_session_on_a_deep_link(app_url):
    assert FIRST_SESSION["page_not_found"] == 0
    assert FIRST_SESSION["heading"].strip() == "Trial details"
    assert FIRST_SESSION["url"].endswith(f"/trial?nct={FULL_RECORD}")


def test_zero_matches_say_how_to_widen(browser, app_url):
    page = open_page(browser, f"{app_url}/?scope=all&q=nosuchwordanywhere", 390, 844)
    assert match_count(page) == 0
    page.get_by_text("No trials match these filters").first.wait_for()
    assert page.get_by_text(re.compile(r"Clear the search words: [\d,]+ trials would match")).first.is_visible()
    shoot(page, "explore-no-matches-phone")
    page.get_by_role("button", name="Reset all filters").click()
    wait_until_idle(page)
    assert match_count(page) > 0 and "q=" not in page.url
    page.close()


@pytest.mark.parametrize("name, path, last_text", [
    ("explore", "/", "the registry data we hold does not say"),
    ("trial", f"/trial?nct={FULL_RECORD}", "not medical advice"),
    ("pipeline", "/pipeline?scope=all", "Trials started per year"),
    ("map", "/map?scope=all", "Sites in one country"),
    ("changes", "/changes?scope=all", "Kinds of change"),
    ("about", "/about", "Limitations"),
])
def test_every_page_renders(browser, app_url, name, path, last_text):
    for label, (width, height) in {"desktop": (1280, 800), "phone": (390, 844)}.items():
        page = open_page(browser, app_url + path, width, height)
        page.get_by_text(last_text).first.wait_for(state="attached", timeout=30_000)
        assert page.get_by_text("Registry data up to").first.is_visible()
        assert not page.locator('[data-testid="stException"]').count()
        page.wait_for_timeout(2500)  # tables, charts and maps draw after the script ends
        shoot(page, f"{name}-{label}")
        page.close()


# ---------------------------------------------------------------- the patient's path on a phone

IPHONE_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Version/17.5 Mobile/15E148 Safari/604.1")
TRIAL_URL = re.compile(r"/trial\?nct=(NCT\d{8})$")


def wait_for_trial_page(page) -> str:
    """The NCT number of the Trial page the browser moved to (fails if it did not move)."""
    page.wait_for_url(TRIAL_URL, timeout=30_000)
    page.get_by_role("heading", name="Trial details").first.wait_for(timeout=30_000)
    wait_until_idle(page)
    return TRIAL_URL.search(page.url).group(1)


def test_phone_gets_cards_and_the_keyboard_opens_a_trial(browser, app_url):
    page = browser.new_page(viewport={"width": 390, "height": 844}, user_agent=IPHONE_AGENT, is_mobile=True)
    try:
        page.goto(f"{app_url}/?open=1")
        cards = page.locator(".st-key-trial_cards")
        cards.wait_for(timeout=60_000)
        wait_until_idle(page)
        assert "view=cards" in page.url and not page.locator('[data-testid="stDataFrame"]').count()
        first = cards.get_by_role("link").first
        title = first.inner_text().strip()
        target = re.search(r"nct=(NCT\d{8})", first.get_attribute("href")).group(1)
        assert title and title != target  # the title to read, not just the number
        box = first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen, not cut off to the right
        # Every card's whole title can be read: Streamlit cuts link labels to one line with an ellipsis.
        cut_titles = cards.get_by_role("link").evaluate_all(
            "links => links.flatMap(a => [...a.querySelectorAll('span, p')])"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
        assert not cut_titles, cut_titles
        shoot(page, "explore-cards-phone")
        # From the Cards / Table switch, Tab reaches the first card's link and Enter opens our page.
        page.locator(".st-key-explore_view input:checked").first.focus()
        for _ in range(6):
            page.keyboard.press("Tab")
            if page.evaluate("() => !!document.activeElement.closest('.st-key-trial_cards')"):
                break
        assert page.evaluate("() => document.activeElement.getAttribute('href')") == first.get_attribute("href")
        page.keyboard.press("Enter")
        assert wait_for_trial_page(page) == target
        # ClinicalTrials.gov is one explicit link away from there.
        assert page.get_by_role("link", name="Open on ClinicalTrials.gov").get_attribute("href") == \
            f"https://clinicaltrials.gov/study/{target}"
    finally:
        page.close()


def test_ticking_a_table_row_opens_that_trial(browser, app_url, corpus_cache):
    page = open_page(browser, f"{app_url}/?view=table&scope=all&q={FULL_RECORD}")
    assert match_count(page) == 1
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    wait_until_idle(page)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the tick box at the start of the first row
    assert wait_for_trial_page(page) == FULL_RECORD
    # Back on Explore the list is shown again, not the trial reopened.
    page.get_by_role("link", name="Explore trials").first.click()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    wait_until_idle(page)
    page.wait_for_timeout(1500)
    assert "/trial" not in page.url and "view=table" in page.url
    page.close()


def test_place_box_suggests_cities_as_you_type(browser, app_url):
    page = open_page(browser, f"{app_url}/?scope=all&view=cards")
    box = page.get_by_role("combobox", name="Near a place (city, country)")
    box.click()
    box.press_sequentially("Bosto", delay=50)
    option = page.get_by_role("option", name="Boston, Massachusetts, United States").first
    option.wait_for(timeout=10_000)
    shoot(page, "explore-place-suggestions")
    option.click()
    page.wait_for_url(re.compile(r"near=Boston"), timeout=30_000)
    wait_until_idle(page)
    assert page.get_by_text("Using Boston, Massachusetts, United States").first.is_visible()
    # Cards (not the table's canvas) put the distance in the page's text.
    assert match_count(page) > 0
    page.get_by_text(re.compile(r"Nearest open site: [\d,]+ km")).first.wait_for(timeout=10_000)
    page.close()


def test_the_explore_address_people_type_opens_explore_with_its_filters(browser, app_url):
    # Streamlit serves the default page at "/", so "/explore" showed "Page not found" over Explore.
    page = open_page(browser, f"{app_url}/explore?scope=all&q=sclerosis", 1280, 800)
    page.wait_for_timeout(1000)
    assert page.get_by_text("Page not found").count() == 0
    assert "q=sclerosis" in page.url
    assert match_count(page) > 0
    page.close()
