"""Registry text and the page address never become markup, on any page (AppTest, headless).

A study with every string field poisoned is imported into a temporary cache; every page is drawn
with it, once with a hostile address and once with filters that select it; then the source of every
markdown-rendered element, every widget label and tooltip, and every chart spec is checked.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO_ROOT, load_script
from hostile_study import (
    HOSTILE_ADDRESS, HOSTILE_CTIS, HOSTILE_HOST, HOSTILE_NCT, OUR_LINK_TARGET, hostile_ctis_row, hostile_study,
    markup_problems, poison, write_ctis_csv,
)
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
APP = str(REPO_ROOT / "dashboard" / "app.py")
PAGES = ("explore", "trial", "pipeline", "map", "changes", "about")
MARKDOWN_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header",
                  "latex")
WIDGET_KINDS = ("multiselect", "selectbox", "radio", "checkbox", "toggle", "text_input", "number_input", "slider",
                "button", "date_input")


def import_studies(cache: Path, studies: list[dict]) -> None:
    source = cache.parent / f"import-{time.monotonic_ns()}.json"
    source.write_text(json.dumps(studies))
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0


@pytest.fixture(scope="module")
def hostile_cache(tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("hostile") / "trials.sqlite"
    import_studies(cache, [hostile_study(), make_study(nct_id="NCT00000067", title="A plain neighbour")])
    changed = hostile_study()
    changed["protocolSection"]["statusModule"]["overallStatus"] = poison("newstatus")
    import_studies(cache, [changed])  # a second import, so What changed lists poisoned before/after values
    # A hostile CTIS trial too, from a portal CSV export: CTIS text is as untrusted as any registry's.
    ctis = write_ctis_csv(cache.parent / "ctis.csv", [hostile_ctis_row()])
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(ctis)]) == 0
    return cache


# Each AppTest run starts from empty Streamlit caches (the cache file differs from test to test).
pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")


def run_page(cache: Path, monkeypatch, page: str, params: dict) -> AppTest:
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_sources(at: AppTest) -> list[tuple[str, str]]:
    sources = [(kind, str(e.value)) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    sources += [("expander label", e.label) for e in at.expander]
    sources += [("page link label", link.proto.label) for link in at.get("page_link")]
    for kind in WIDGET_KINDS:
        for widget in getattr(at, kind):
            sources.append((f"{kind} label", str(widget.label)))
            sources.append((f"{kind} help", str(getattr(widget, "help", "") or "")))
            if kind == "radio":  # radio options are rendered as markdown
                sources += [("radio option", str(option)) for option in widget.options]
    return sources


def chart_strings(at: AppTest) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str):
            found.append((key, value))

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


def assert_nothing_live(at: AppTest, where: str) -> None:
    problems = [(where, kind, problem, source[:120]) for kind, source in markdown_sources(at)
                for problem in markup_problems(source)]
    assert not problems, problems
    for key, text in chart_strings(at):
        assert not re.search(r"<\s*(a|script|img|i|iframe|svg)\b", text, re.IGNORECASE), (where, key, text[:200])
        if key not in {"hovertemplate", "texttemplate"}:  # the templates are ours; data must not add fields
            assert "%{" not in text, (where, key, text[:200])
    for frame in (d.value for d in at.dataframe):
        if "link" in getattr(frame, "columns", []):
            assert all(link is None or re.fullmatch(OUR_LINK_TARGET, link)
                       for link in frame["link"]), (where, list(frame["link"]))


@pytest.mark.parametrize("page", PAGES)
def test_hostile_address_renders_as_text(hostile_cache, monkeypatch, page):
    at = run_page(hostile_cache, monkeypatch, page, {**HOSTILE_ADDRESS, "nct": HOSTILE_NCT})
    assert_nothing_live(at, f"{page} with a hostile address")
    if page in {"explore", "pipeline", "map", "changes"}:
        # The search words are still shown, as text; the ignored parts in one collapsed notice.
        assert any("Verify your eligibility here" in source for _, source in markdown_sources(at))
        notices = [e for e in at.expander if "of the page address" in e.label]
        assert len(notices) == 1 and not notices[0].proto.expanded
        assert not at.warning


@pytest.mark.parametrize("page", PAGES)
def test_hostile_study_renders_as_text(hostile_cache, monkeypatch, page):
    # Selected by its poisoned country and study type, so those reach the filter captions as well.
    params = {"scope": "all", "country": poison("country"), "type": poison("studytype"), "nct": HOSTILE_NCT}
    at = run_page(hostile_cache, monkeypatch, page, params)
    assert_nothing_live(at, f"{page} with the hostile study")
    shown = " ".join(source for _, source in markdown_sources(at))
    if page == "trial":
        for field in ("title", "newstatus", "phase", "sponsor", "condition", "intervention", "criteria"):
            assert f"evil\\.example\\/{field}\\)" in shown.lower(), field  # shown, escaped
        assert any(f"clinicaltrials.gov/study/{HOSTILE_NCT}" in str(b.proto) for b in at.get("link_button"))
    if page == "pipeline":
        assert len(at.get("plotly_chart")) == 3
        assert any("status" in text and "&lt;script&gt;" in text for _, text in chart_strings(at))
    if page in {"explore", "map", "pipeline"}:
        assert "in country \\[Verify" in shown  # the poisoned country in the filter caption, escaped


def test_hostile_study_on_a_card_renders_as_text(hostile_cache, monkeypatch):
    params = {"scope": "all", "country": poison("country"), "type": poison("studytype"), "view": "cards"}
    at = run_page(hostile_cache, monkeypatch, "explore", params)
    at.number_input(key="qc_age").set_value(40).run()  # the card then shows the quick-check verdict too
    assert not at.exception, [e.value for e in at.exception]
    links = [link.proto for link in at.get("page_link")]
    assert [link.query_string for link in links] == [f"nct={HOSTILE_NCT}"]
    assert "evil\\.example\\/title\\)" in links[0].label  # the poisoned title, shown escaped
    card = next(m.value for m in at.markdown if HOSTILE_NCT in m.value)
    assert "Your quick check" in card and "evil\\.example\\/newstatus\\)" in card.lower()
    assert_nothing_live(at, "explore cards with the hostile study")


@pytest.mark.parametrize("page", PAGES)
def test_hostile_ctis_trial_renders_as_text(hostile_cache, monkeypatch, page):
    params = {"scope": "all", "registry": "ctis", "nct": HOSTILE_CTIS}
    at = run_page(hostile_cache, monkeypatch, page, params)
    assert_nothing_live(at, f"{page} with the hostile CTIS trial")
    if page == "explore":
        table = at.dataframe[0].value
        assert list(table["nct_id"]) == [HOSTILE_CTIS] and table["registries_text"].iloc[0] == "CTIS"
        assert "evil.example/ctistitle" in table["title"].iloc[0]  # plain text in the table
    if page == "trial":
        shown = " ".join(source for _, source in markdown_sources(at)).lower()
        for field in ("ctistitle", "ctissponsor", "ctiscondition"):
            assert f"evil\\.example\\/{field}\\)" in shown, field  # shown, escaped
        assert [b.proto.url for b in at.get("link_button")] == [
            f"https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={HOSTILE_CTIS}"]


def test_many_bad_address_parts_give_one_short_notice(hostile_cache, monkeypatch):
    bad = {f"unknown{n}": f"[x{n}](https://{HOSTILE_HOST}/{n})" for n in range(8)}
    at = run_page(hostile_cache, monkeypatch, "explore", {**bad, "from": "soon", "to": "later", "open": "maybe"})
    notices = [e for e in at.expander if "of the page address" in e.label]
    assert len(notices) == 1 and not at.warning
    assert_nothing_live(at, "explore with many bad parts")


def test_ten_megabyte_criteria_show_the_first_part_and_a_link(tmp_path, monkeypatch):
    line = "- Participants must not have taken part in another interventional study within 30 days [x](y)\n"
    criteria = "Inclusion Criteria:\n\n- EDSS 3.0 to 6.5\n" + line * (10_000_000 // len(line))
    study = make_study(nct_id="NCT00000077", title="A trial with very long criteria",
                       eligibilityModule={"eligibilityCriteria": criteria})
    cache = tmp_path / "trials.sqlite"
    import_studies(cache, [study])
    at = run_page(cache, monkeypatch, "trial", {"nct": "NCT00000077"})
    sources = [m.value for m in at.markdown]
    shown = next(s for s in sources if "Inclusion Criteria" in s)
    assert len(shown) < 100_000  # the first part only, not ten megabytes
    assert "EDSS 3\\.0 to 6\\.5" in shown.replace(":orange-background[", "").replace("]", "")
    link = next(s for s in sources if "Read the full criteria on ClinicalTrials.gov" in s)
    assert "(https://clinicaltrials.gov/study/NCT00000077)" in link
    assert f"{len(criteria):,} characters" in link
    assert_nothing_live(at, "trial with long criteria")
