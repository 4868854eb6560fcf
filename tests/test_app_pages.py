"""Every page of the Streamlit app, run headless with AppTest against caches built in the test."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO_ROOT, load_script
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
APP = str(REPO_ROOT / "dashboard" / "app.py")
EVIL_TITLE = "Trial <script>alert('x')</script> of **bold** [click](https://evil.example)"

STUDIES = [
    make_study(nct_id="NCT00000011", title="Ibudilast in progressive MS", status="RECRUITING", phases=("PHASE2",),
               countries=("United States", "Canada"), start="2021-05",
               eligibilityModule={"minimumAge": "18 Years", "maximumAge": "55 Years", "sex": "ALL"}),
    make_study(nct_id="NCT00000012", title="Completed biotin study", status="COMPLETED", phases=("PHASE3",),
               countries=("France",), start="2015-01", interventions=(("DRUG", "MD1003"),),
               # The one record here with criteria text: the others show how a missing text is reported.
               eligibilityModule={"minimumAge": "18 Years", "maximumAge": "75 Years", "sex": "ALL",
                                  "eligibilityCriteria": "Inclusion Criteria:\n\n* Aged 18 to 75 years"}),
    make_study(nct_id="NCT00000013", title=EVIL_TITLE, status="NOT_YET_RECRUITING", phases=("PHASE1", "PHASE2"),
               countries=("Germany",), start="2026-01", interventions=(("DRUG", "Clemastine"),)),
    # Returned by the registry search but not about MS: kept out of every page, counted on About.
    make_study(nct_id="NCT00000019", title="Chemotherapy schedules in breast cancer", conditions=("Breast Cancer",),
               status="RECRUITING", interventions=(("DRUG", "Docetaxel"),)),
]


def import_studies(cache: Path, studies: list[dict], name: str = "studies.json") -> None:
    source = cache.parent / name
    source.write_text(json.dumps(studies))
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0


@pytest.fixture(scope="module")
def small_cache(tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("app") / "trials.sqlite"
    import_studies(cache, STUDIES)
    # A second import in which one trial finished: the history then has a status change.
    changed = [make_study(nct_id="NCT00000011", title="Ibudilast in progressive MS", status="COMPLETED",
                          phases=("PHASE2",), countries=("United States", "Canada"), start="2021-05",
                          eligibilityModule={"minimumAge": "18 Years", "maximumAge": "55 Years", "sex": "ALL"})]
    import_studies(cache, changed, name="update.json")
    return cache


# Each AppTest run starts from empty Streamlit caches (the cache file differs from test to test).
pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")


def app_for(cache: Path, monkeypatch, page: str | None = None, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    if page:
        at.switch_page(f"views/{page}.py")
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def match_heading(at: AppTest) -> str:
    return next(s.value for s in at.header if s.value.endswith(("trials match", "trial matches")))


def table_ids(at: AppTest) -> list[str]:
    return sorted(at.dataframe[0].value["nct_id"])


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "subheader", "title", "header", "code")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# ---------------------------------------------------------------- no cache


def test_empty_state_without_a_cache(tmp_path, monkeypatch):
    at = app_for(tmp_path / "missing.sqlite", monkeypatch)
    no_errors(at)
    assert "No trial cache" in at.info[0].value
    assert any("scripts/fetch_trials.py" in block.value for block in at.code)
    assert not at.dataframe


def test_empty_state_for_a_file_that_is_not_a_cache(tmp_path, monkeypatch):
    broken = tmp_path / "trials.sqlite"
    broken.write_text("not a database")
    at = app_for(broken, monkeypatch, page="pipeline")
    no_errors(at)
    assert "could not be read" in at.info[0].value
    assert any("scripts/fetch_trials.py" in block.value for block in at.code)


# ---------------------------------------------------------------- Explore


def test_filters_change_the_table_and_counts(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    no_errors(at)
    assert match_heading(at) == "3 trials match"
    assert table_ids(at) == ["NCT00000011", "NCT00000012", "NCT00000013"]
    open_box = at.checkbox(key="f_open")
    assert open_box.label.endswith("(1)")  # only NCT00000013 is still open after the update
    open_box.check().run()
    assert match_heading(at) == "1 trial matches"
    assert table_ids(at) == ["NCT00000013"]
    assert at.query_params["open"] == "1"
    open_box = at.checkbox(key="f_open")
    open_box.uncheck().run()
    at.multiselect(key="f_phases").select("PHASE3").run()
    assert table_ids(at) == ["NCT00000012"]
    assert "Filters · 1 trial matches" in all_text(at)
    at.text_input(key="f_text").input("clemastine").run()
    assert match_heading(at) == "0 trials match"
    assert any("No trials match" in info.value for info in at.info)


def test_mechanism_filter_with_plain_language_help(small_cache, monkeypatch):
    # docs/mechanisms.md: ibudilast is labelled `ibudilast` (and `microglia`); MD1003 is high-dose biotin.
    at = app_for(small_cache, monkeypatch, scope="all", mech="ibudilast")
    no_errors(at)
    assert table_ids(at) == ["NCT00000011"]
    mechanisms = at.multiselect(key="f_mechanisms")
    assert mechanisms.value == ["ibudilast"]
    assert mechanisms.format_func("ibudilast").endswith("(1)")
    mechanisms.set_value(["mitochondrial"]).run()
    assert table_ids(at) == ["NCT00000012"]
    assert at.query_params["mech"] == "mitochondrial"
    explained = " ".join(m.value for m in at.sidebar.markdown)
    assert "Ibudilast" in explained and "biotin" in explained.lower()


def test_address_restores_the_view(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all", status="COMPLETED", country="France")
    no_errors(at)
    assert at.toggle(key="f_progressive").value is False
    assert at.multiselect(key="f_statuses").value == ["COMPLETED"]
    assert at.multiselect(key="f_countries").value == ["France"]
    assert table_ids(at) == ["NCT00000012"]
    assert not at.warning and not [e for e in at.expander if "page address" in e.label]


def as_read(markdown_source: str) -> str:
    """What a person reads of escaped markdown: backslash escapes resolved, invisible word joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown_source).replace("\u2060", "")


def address_notice(at: AppTest):
    boxes = [e for e in at.expander if "of the page address" in e.label]
    assert len(boxes) == 1, [e.label for e in at.expander]
    return boxes[0]


def test_invalid_address_parameters_show_a_notice(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all", phase=["PHASE2", "PHASE9"], **{"from": "soon", "colour": "red"})
    no_errors(at)
    box = address_notice(at)
    assert box.label.startswith("Ignored 3 parts")
    notices = as_read(" ".join(m.value for m in box.markdown))
    assert "PHASE9" in notices and "from='soon'" in notices and "colour" in notices
    assert at.multiselect(key="f_phases").value == ["PHASE2"]
    assert table_ids(at) == ["NCT00000011", "NCT00000013"]


def test_quick_check_narrows_the_list(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    at.number_input(key="qc_age").set_value(60).run()
    no_errors(at)
    # NCT00000011 takes people up to 55; NCT00000013 states no ages (kept, "not stated").
    assert table_ids(at) == ["NCT00000012", "NCT00000013"]
    view = at.dataframe[0].value.set_index("nct_id")
    assert view.loc["NCT00000012", "quick_check"] == "No stated criterion excludes you"
    # NCT00000013's record has no criteria text: the trial and the summary both say so.
    assert view.loc["NCT00000013", "quick_check"].startswith("Not stated")
    assert view.loc["NCT00000013", "quick_check"].endswith(
        "The criteria are not in this copy: read them on ClinicalTrials.gov.")
    summary = " ".join(i.value for i in at.info)
    assert "1 trial hidden because a stated criterion excludes you; 2 left" in summary
    assert "1 trial has no criteria text here: read them on ClinicalTrials.gov." in summary
    assert list(at.dataframe[0].proto.column_order[:3]) == ["nct_id", "status_label", "quick_check"]
    assert "not medical advice" in all_text(at)
    assert "age" not in at.query_params and "qc_age" not in at.query_params  # health details stay out of links
    # The Trial page repeats the check theme by theme, from the same answers.
    at.switch_page("views/trial.py")
    at.query_params["nct"] = "NCT00000011"
    at.run()
    no_errors(at)
    themes = next(d.value for d in at.dataframe if "Question" in d.value.columns).set_index("Question")
    assert themes.loc["Age", "Result"] == "Excludes you" and "55" in themes.loc["Age", "Why"]
    at.switch_page("views/explore.py").run()
    assert at.number_input(key="qc_age").value == 60  # the answers survived the visit
    clear = next(b for b in at.button if b.label == "Clear my answers")
    clear.click().run()
    assert table_ids(at) == ["NCT00000011", "NCT00000012", "NCT00000013"]
    assert "quick_check" not in at.dataframe[0].value.columns


def test_no_matches_says_how_to_widen(small_cache, monkeypatch):
    # Phase 3 and recruiting: NCT00000012 is phase 3 but completed; the one open trial (NCT00000013; NCT00000011
    # completed in the second import) is phase 1/2.
    at = app_for(small_cache, monkeypatch, scope="all", phase="PHASE3", open="1")
    no_errors(at)
    assert match_heading(at) == "0 trials match"
    notice = " ".join(i.value for i in at.info)
    assert "No trials match these filters" in notice
    assert "Untick “Recruiting or not yet recruiting”: 1 trial would match" in notice
    assert "Clear “Phase”: 1 trial would match" in notice
    assert not at.dataframe
    next(b for b in at.button if b.label == "Reset all filters").click().run()
    no_errors(at)
    assert at.multiselect(key="f_phases").value == [] and at.checkbox(key="f_open").value is False
    assert "No trials match these filters" not in " ".join(i.value for i in at.info)
    # The Pipeline and Map pages give the same advice.
    for page in ("pipeline", "map"):
        at = app_for(small_cache, monkeypatch, page=page, scope="all", q="nosuchword")
        no_errors(at)
        assert "Clear the search words: 3 trials would match" in " ".join(i.value for i in at.info)


def test_quick_check_that_rules_out_everything_says_so(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all", phase="PHASE3")  # only NCT00000012, ages 18 to 75
    at.number_input(key="qc_age").set_value(80).run()
    no_errors(at)
    assert "rule out the one trial that match" in " ".join(i.value for i in at.info)
    assert "No trials match these filters" not in " ".join(i.value for i in at.info)


def test_quick_check_explains_edss_and_ms_types(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    edss = at.number_input(key="qc_edss")
    assert "Expanded Disability Status Scale" in edss.help and "EDSS" in edss.label
    assert any("disability score your neurologist uses" in c.value for c in at.caption)
    assert "Secondary progressive (SPMS)" in at.selectbox(key="qc_type").help
    assert "Primary progressive (PPMS)" in at.multiselect(key="f_ms_types").help


def test_no_pages_folder_next_to_the_entrypoint():
    # A `pages/` folder beside app.py, even an empty one, makes Streamlit start each server in its older
    # multipage mode: the first session opened on a deep link (/trial?nct=…) then shows "Page not found".
    assert not (REPO_ROOT / "dashboard" / "pages").exists()


def test_script_title_stays_text(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    titles = at.dataframe[0].value.set_index("nct_id")["title"]
    assert titles["NCT00000013"] == EVIL_TITLE  # dataframes show text as text
    at = app_for(small_cache, monkeypatch, page="trial", nct="NCT00000013")
    no_errors(at)
    heading = at.header[0].value
    assert "\\<script\\>" in heading and "\\[click\\]\\(https\\:" in heading and "\\*\\*bold\\*\\*" in heading
    for element in at.markdown:
        assert not element.proto.allow_html


# ---------------------------------------------------------------- Trial


def test_trial_page_for_a_full_real_record(ctgov_dir, tmp_path, monkeypatch):
    record_path = ctgov_dir / "studies" / "NCT03569618.json"
    record = json.loads(record_path.read_text())
    protocol = record["protocolSection"]
    cache = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(record_path)]) == 0
    at = app_for(cache, monkeypatch, page="trial", nct="NCT03569618")
    no_errors(at)
    assert protocol["identificationModule"]["briefTitle"].split()[0] in at.header[0].value
    frames = [d.value for d in at.dataframe]
    eligibility = next(f for f in frames if "Theme" in f.columns).set_index("Theme")
    minimum = protocol["eligibilityModule"]["minimumAge"]
    assert eligibility.loc["Age", "What the study states"].startswith(minimum)
    criteria = next(m.value for m in at.markdown if "Inclusion" in m.value)
    assert ":orange-background[" in criteria and "\\[1\\]" in criteria
    outcomes = next(f for f in frames if "Measure" in f.columns)
    assert outcomes["Measure"].iloc[0] == protocol["outcomesModule"]["primaryOutcomes"][0]["measure"]
    # Mechanisms as wrapped text (not a table that cuts the explanation off on a phone), with the reason.
    assert not any("Mechanism" in f.columns for f in frames)
    treatment = protocol["armsInterventionsModule"]["interventions"][0]["name"]
    assert any("Why we gave this label" in m.value and treatment in m.value.replace("\\", "") for m in at.markdown)
    sites = next(f for f in frames if "Site" in f.columns)
    assert len(sites) == len(protocol["contactsLocationsModule"]["locations"])
    assert any("clinicaltrials.gov/study/NCT03569618" in str(b.proto) for b in at.get("link_button"))


def test_trial_page_with_unknown_and_malformed_numbers(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="trial", nct="NCT99999999")
    no_errors(at)
    assert "not among" in at.warning[0].value
    at = app_for(small_cache, monkeypatch, page="trial", nct="<b>hello")
    no_errors(at)
    assert "is not a trial number" in at.warning[0].value


def test_trial_page_history(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="trial", nct="NCT00000011")
    no_errors(at)
    shown = next(d for d in at.dataframe if "Change" in d.value.columns)
    history = shown.value
    status_row = history[history["Change"] == "Status changed"].iloc[0]
    assert (status_row["Before"], status_row["After"]) == ("Recruiting", "Completed")
    # The run's time is shown as a day, not as a raw timestamp with seconds and zone.
    assert pd.api.types.is_datetime64_any_dtype(history["When"])
    assert json.loads(shown.proto.columns)["When"]["type_config"]["format"] == "D MMM YYYY"


# ---------------------------------------------------------------- Pipeline, Map, What changed, About


def test_pipeline_page(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="pipeline", scope="all")
    no_errors(at)
    assert len(at.get("plotly_chart")) == 3
    assert "3 trials" in all_text(at)
    timeline = next(d.value for d in at.dataframe if "Primary completion" in d.value.columns)
    titles = {study["protocolSection"]["identificationModule"]["nctId"]:
              study["protocolSection"]["identificationModule"]["briefTitle"] for study in STUDIES}
    assert len(timeline) and all(titles[row.Trial] == row.Title for row in timeline.itertuples())
    at = app_for(small_cache, monkeypatch, page="pipeline", scope="all", phase="PHASE3")
    matrix = at.dataframe[0].value
    assert int(matrix.to_numpy().sum()) == 1 and int(matrix["Phase 3"].sum()) == 1


def test_map_page_shows_open_sites_and_counts_placement(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="map", scope="all")
    no_errors(at)
    sites = at.dataframe[0].value
    assert list(sites["country"]) == ["Germany"]  # the one open trial; its site has no status of its own
    assert "could not be placed" in all_text(at)
    at.toggle(key="map_open_sites").set_value(False).run()
    assert sorted(at.dataframe[0].value["country"]) == ["Canada", "France", "Germany", "United States"]
    # One country narrows the map as well as the list: the quickest way to sites near you.
    assert len(json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]) == 4
    at.selectbox(key="map_country").set_value("Canada").run()
    no_errors(at)
    assert list(at.dataframe[0].value["country"]) == ["Canada"]
    points = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]
    assert len(points) == 1


def test_what_changed_page(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="changes", scope="all")
    no_errors(at)
    changes = at.dataframe[0].value
    assert "Status changed" in set(changes["change"])
    assert "New trial" not in set(changes["change"])  # the first fetch's "new" rows are hidden by default
    at.checkbox(key="changes_first").check().run()
    assert (at.dataframe[0].value["change"] == "New trial").sum() == 3
    # France: only NCT00000012, whose one change is its arrival with the first fetch (hidden by default).
    at = app_for(small_cache, monkeypatch, page="changes", scope="all", country="France")
    no_errors(at)
    notice = " ".join(i.value for i in at.info)
    assert "Nothing to show for these choices" in notice
    assert "Include the trials of the very first fetch”: 1 trial arrived with it" in notice
    at.checkbox(key="changes_first").check().run()
    assert list(at.dataframe[0].value["change"]) == ["New trial"]
    # No trial at all: the filters themselves are what to widen.
    at = app_for(small_cache, monkeypatch, page="changes", scope="all", q="nosuchword")
    assert "Clear the search words: 3 trials would match" in " ".join(i.value for i in at.info)


def test_about_page(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="about")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["MS trials listed"] == "3"
    assert metrics["Non-MS studies left out"] == "1"
    assert any("--from-file" in block.value for block in at.code)
    assert "Registry data up to" in all_text(at)
    assert "Labels are automatic" in all_text(at)


@pytest.mark.parametrize("page", ["explore", "trial", "pipeline", "map", "changes", "about"])
def test_every_page_says_how_fresh_the_data_is(small_cache, monkeypatch, page):
    at = app_for(small_cache, monkeypatch, page=page, scope="all", nct="NCT00000012")
    no_errors(at)
    assert any(c.value.startswith(":material/schedule: Registry data up to") for c in at.caption)


def test_old_data_gets_a_calm_notice_with_the_refresh_command(small_cache, monkeypatch, tmp_path):
    import shutil
    import sqlite3

    small_cache = Path(shutil.copy(small_cache, tmp_path / "copy.sqlite"))  # the shared cache stays as it was
    with sqlite3.connect(small_cache) as connection:
        connection.execute("UPDATE runs SET data_timestamp = '2025-09-25'")
    at = app_for(small_cache, monkeypatch, page="explore")
    no_errors(at)
    notices = [info.value for info in at.info if "days old" in info.value]
    from mstrials.markup_safety import markdown_text

    assert notices and markdown_text("scripts/fetch_trials.py") in notices[0]
    assert "check its registry page before you contact the team" in notices[0]
    assert any("Registry data up to 25 Sep 2025" in c.value for c in at.caption)


def test_near_a_place_keeps_trials_with_a_site_nearby_nearest_first(small_cache, monkeypatch, tmp_path):
    """Boston, 50 km: only trials with a site placed within 50 km, the nearest first, with the distance."""
    import shutil
    import sqlite3

    small_cache = Path(shutil.copy(small_cache, tmp_path / "copy.sqlite"))  # the shared cache stays as it was
    with sqlite3.connect(small_cache) as connection:
        ids = [row[0] for row in connection.execute("SELECT nct_id FROM studies WHERE is_ms = 1 ORDER BY nct_id")]
        connection.execute("DELETE FROM sites")
        # Cambridge MA (about 5 km from Boston), Worcester MA (about 60 km), a country-level-only site.
        rows = [(ids[0], 0, "Far Clinic", "Worcester", "Massachusetts", "United States", "RECRUITING", 42.2626, -71.8023),
                (ids[1], 0, "Near Hospital", "Cambridge", "Massachusetts", "United States", "RECRUITING", 42.3736, -71.1097),
                (ids[2], 0, "Somewhere", None, None, "United States", "RECRUITING", None, None)]
        connection.executemany("INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", near="Boston, United States", within="100")
    no_errors(at)
    table = at.dataframe[0].value
    assert list(table["nct_id"]) == [ids[1], ids[0]]
    assert table["nearest"].iloc[0].startswith("5 km") or table["nearest"].iloc[0].startswith("4 km")
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", near="Boston, United States", within="50")
    no_errors(at)
    assert list(at.dataframe[0].value["nct_id"]) == [ids[1]]
    # The card of the trial says how near its site is.
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", near="Boston, United States", within="50",
                 view="cards")
    no_errors(at)
    assert [query for _, query in page_links(at)] == [f"nct={ids[1]}"]
    card = next(m.value for m in at.markdown if ids[1] in m.value and "·" in m.value)
    assert re.search(r"Nearest open site: [45] km", as_read(card)) and "Near Hospital" in as_read(card)


def test_trial_page_shows_what_taking_part_involves_and_whom_to_contact(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="trial", nct="NCT00000012")
    no_errors(at)
    headers = [h.value for h in at.header]
    assert "What taking part involves" in headers and "Who to contact" in headers
    assert "Chance of placebo or sham" in all_text(at)


def test_compare_puts_trials_side_by_side_from_the_address(small_cache, monkeypatch):
    import sqlite3

    with sqlite3.connect(small_cache) as connection:
        ids = [row[0] for row in connection.execute(
            "SELECT nct_id FROM studies WHERE is_ms = 1 AND removed_run IS NULL ORDER BY nct_id")][:2]
    at = app_for(small_cache, monkeypatch, page="compare", compare=ids)
    no_errors(at)
    table = at.dataframe[0].value
    assert list(table.columns) == ids
    assert {"EDSS window", "MS types taken", "Ages", "Key exclusions", "Primary outcome themes"} <= set(table.index)
    assert at.query_params["compare"] == ids


def test_compare_shows_every_answer_in_full_as_escaped_text(small_cache, monkeypatch):
    import sqlite3

    with sqlite3.connect(small_cache) as connection:
        ids = [row[0] for row in connection.execute(
            "SELECT nct_id FROM studies WHERE is_ms = 1 AND removed_run IS NULL ORDER BY nct_id")][:2]
        ids = ["NCT00000013", *[nct for nct in ids if nct != "NCT00000013"]][:2]
    at = app_for(small_cache, monkeypatch, page="compare", compare=ids)
    no_errors(at)
    assert [s.value for s in at.header] == []
    at.toggle[0].set_value(True).run()
    no_errors(at)
    assert [s.value for s in at.header] == ids
    full = "\n".join(m.value for m in at.markdown)
    # Each trial's whole title is there, and the registry's markup in it stays text.
    assert "Trial \\<script\\>alert" in full and "\\[click\\]" in full and "<script>" not in full
    assert full.count("- **EDSS window:**") == 2


def test_compare_asks_for_two_trials_and_ignores_bad_ids(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="compare", compare=["NCT1", "javascript:alert(1)"])
    no_errors(at)
    assert not at.dataframe
    assert any("at least two" in info.value for info in at.info)
    notice = "\n".join(m.value for e in at.expander if "page address" in e.label for m in e.markdown)
    assert "NCT1" in notice and "javascript" in notice  # said, as typed (and escaped)


def test_compare_reads_lower_case_ids_from_a_typed_address(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, page="compare", compare=["nct00000011", " NCT00000012 "])
    no_errors(at)
    assert list(at.dataframe[0].value.columns) == ["NCT00000011", "NCT00000012"]
    assert not [e for e in at.expander if "page address" in e.label]  # nothing was left out


def test_choosing_ppms_says_how_many_trials_do_not_state_the_type(small_cache, monkeypatch, tmp_path):
    import shutil
    import sqlite3

    small_cache = Path(shutil.copy(small_cache, tmp_path / "copy.sqlite"))  # the shared cache stays as it was
    with sqlite3.connect(small_cache) as connection:
        first = connection.execute("SELECT nct_id FROM studies WHERE is_ms = 1 AND removed_run IS NULL "
                                   "ORDER BY nct_id LIMIT 1").fetchone()[0]
        connection.execute("UPDATE studies SET ms_types = 'PROGRESSIVE_UNSPECIFIED', progressive = 1 "
                           "WHERE nct_id = ?", (first,))
    at = app_for(small_cache, monkeypatch, mstype="PPMS")
    no_errors(at)
    hints = [c.value for c in at.sidebar.caption if "type not stated" in c.value]
    assert len(hints) == 1 and hints[0].startswith("1 more trial ")
    at = app_for(small_cache, monkeypatch, mstype=["PPMS", "PROGRESSIVE_UNSPECIFIED"])
    no_errors(at)
    assert not [c.value for c in at.sidebar.caption if "type not stated" in c.value]


# ---------------------------------------------------------------- the patient's path on a phone


def page_links(at: AppTest) -> list[tuple[str, str]]:
    """(label, query string) of every link to our own pages."""
    return [(link.proto.label, link.proto.query_string) for link in at.get("page_link")]


def test_cards_list_each_trial_with_a_link_to_its_page(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all", view="cards")
    no_errors(at)
    assert at.radio(key="explore_view").value == "cards"
    assert not at.dataframe  # cards instead of the table
    links = dict((query, label) for label, query in page_links(at))
    assert set(links) == {"nct=NCT00000011", "nct=NCT00000012", "nct=NCT00000013"}
    assert links["nct=NCT00000012"] == "Completed biotin study"
    # The hostile title is a link label, so it is escaped: no link, emphasis or HTML can form in it.
    assert "\\<script\\>" in links["nct=NCT00000013"] and "\\[click\\]\\(https\\:" in links["nct=NCT00000013"]
    cards = [m.value for m in at.markdown if "NCT00000012" in m.value]
    assert len(cards) == 1 and "**Completed**" in cards[0] and "Phase 3" in cards[0]
    assert "Your quick check" not in cards[0] and "Nearest open site" not in cards[0]
    # Quick-check answers add each trial's verdict to its card.
    at.number_input(key="qc_age").set_value(60).run()
    no_errors(at)
    cards = {query: next(m.value for m in at.markdown if query[4:] in m.value and "·" in m.value)
             for _, query in page_links(at)}
    assert set(cards) == {"nct=NCT00000012", "nct=NCT00000013"}  # NCT00000011 takes people up to 55
    assert "Your quick check: No stated criterion excludes you" in cards["nct=NCT00000012"]
    assert "criteria are not in this copy" in as_read(cards["nct=NCT00000013"])


def test_view_switch_is_kept_in_the_address(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    no_errors(at)
    assert at.radio(key="explore_view").value == "table"  # no phone browser here
    assert at.query_params["view"] == "table" and table_ids(at)
    at.radio(key="explore_view").set_value("cards").run()
    no_errors(at)
    assert at.query_params["view"] == "cards" and not at.dataframe and page_links(at)
    # Another page and back: still cards.
    at.switch_page("views/pipeline.py").run()
    at.switch_page("views/explore.py").run()
    no_errors(at)
    assert at.radio(key="explore_view").value == "cards" and at.query_params["view"] == "cards"
    # Changing a filter rewrites the address; the view stays in it.
    at.checkbox(key="f_open").check().run()
    assert at.query_params["view"] == "cards" and at.query_params["open"] == "1"
    # A bad value in the address is not an error; like every other address value, it is said.
    at = app_for(small_cache, monkeypatch, scope="all", view="<b>x</b>")
    no_errors(at)
    assert at.radio(key="explore_view").value == "table"
    assert len([e for e in at.expander if "page address" in e.label]) == 1


@pytest.mark.parametrize("agent, expected", [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "cards"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile "
     "Safari/537.36", "cards"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0", "cards"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "table"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/605.1.15", "table"),
    ("", "table"),
])
def test_a_phone_browser_gets_cards_by_default(agent, expected, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO_ROOT / "dashboard"))
    import trial_cards

    assert trial_cards.view_for_agent(agent) == expected


def test_ticking_a_row_opens_the_trial_page(small_cache, monkeypatch):
    """The table's on_select remembers the ticked trial; the next run opens its page (AppTest cannot tick a
    row, so the remembered trial is set as the callback sets it; the browser test ticks a real row)."""
    at = app_for(small_cache, monkeypatch, scope="all")
    at.session_state["explore_open_trial"] = "NCT00000012"
    at.run()
    no_errors(at)
    assert at.title[0].value == "Trial details" and at.query_params["nct"] == "NCT00000012"
    assert "Completed biotin study" in at.header[0].value
    # Anything but a valid NCT number is never followed.
    at = app_for(small_cache, monkeypatch, scope="all")
    at.session_state["explore_open_trial"] = "javascript:alert(1)"
    at.run()
    no_errors(at)
    assert at.title[0].value == "Multiple sclerosis trials"


def test_place_box_suggests_cities_and_keeps_the_place_in_the_address(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    box = at.selectbox(key="f_near")
    assert box.value is None
    assert "Boston, Massachusetts, United States" in box.options and "Paris, France" in box.options
    box.set_value("Boston, Massachusetts, United States").run()
    no_errors(at)
    assert at.query_params["near"] == "Boston, Massachusetts, United States"
    assert any("Using Boston, Massachusetts, United States" in c.value for c in at.sidebar.caption)
    # A town typed in full (not among the suggestions) from the address is offered as the current choice.
    at = app_for(small_cache, monkeypatch, scope="all", near="Cambridge, MA")
    no_errors(at)
    box = at.selectbox(key="f_near")
    assert box.value == "Cambridge, MA" and box.options[0] == "Cambridge, MA"
    # Reset clears it.
    next(b for b in at.sidebar.button if b.label == "Reset filters").click().run()
    no_errors(at)
    assert at.selectbox(key="f_near").value is None and "near" not in at.query_params


def test_compare_shows_what_taking_part_involves(tmp_path, monkeypatch):
    design = {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"], "enrollmentInfo": {"count": 90},
              "designInfo": {"allocation": "RANDOMIZED", "interventionModel": "PARALLEL",
                             "maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "INVESTIGATOR"]}}}
    placebo_trial = make_study(
        nct_id="NCT00000031", title="Drug A against placebo", designModule=design,
        armsInterventionsModule={
            "armGroups": [{"label": "Drug A low dose", "type": "EXPERIMENTAL"},
                          {"label": "Drug A high dose", "type": "EXPERIMENTAL"},
                          {"label": "Placebo", "type": "PLACEBO_COMPARATOR"}],
            "interventions": [{"type": "DRUG", "name": "Drug A"}, {"type": "DRUG", "name": "Placebo"}]},
        descriptionModule={"briefSummary": "Participants take part for 96 weeks, with 8 clinic visits. "
                                           "An open-label extension follows."})
    open_trial = make_study(
        nct_id="NCT00000032", title="Drug B for everyone",
        designModule={**design, "designInfo": {"interventionModel": "SINGLE_GROUP", "maskingInfo": {"masking": "NONE"}}},
        armsInterventionsModule={"armGroups": [{"label": "Drug B", "type": "EXPERIMENTAL"}],
                                 "interventions": [{"type": "DRUG", "name": "Drug B"}]})
    cache = tmp_path / "trials.sqlite"
    import_studies(cache, [placebo_trial, open_trial])
    at = app_for(cache, monkeypatch, page="compare", compare=["NCT00000031", "NCT00000032"])
    no_errors(at)
    table = at.dataframe[0].value
    rows = {"Chance of placebo or sham", "Blinding", "How long you take part", "Number of visits", "Open-label extension"}
    assert rows <= set(table.index)
    first, second = table["NCT00000031"], table["NCT00000032"]
    assert first["Chance of placebo or sham"].startswith("1 in 3 chance of placebo")
    assert "Placebo (placebo comparator)" in first["Chance of placebo or sham"]  # the record's words, quoted
    assert second["Chance of placebo or sham"].startswith("no placebo: everyone gets the study treatment")
    assert first["Blinding"].startswith("double-blind") and second["Blinding"].startswith("open label")
    assert first["How long you take part"].startswith("about 96 weeks") and "take part for 96 weeks" in first["How long you take part"]
    assert first["Number of visits"].startswith("8 visits")
    assert first["Open-label extension"].startswith("yes") and second["Open-label extension"] == "not stated"
    assert second["Number of visits"] == "not stated"


def test_no_matches_near_a_place_counts_with_the_place_and_offers_to_drop_it(small_cache, monkeypatch, tmp_path):
    import shutil
    import sqlite3

    small_cache = Path(shutil.copy(small_cache, tmp_path / "copy.sqlite"))  # the shared cache stays as it was
    with sqlite3.connect(small_cache) as connection:
        connection.execute("DELETE FROM sites")
        # NCT00000011 (phase 2) about 60 km from Boston, NCT00000012 (phase 3) about 5 km, NCT00000013 (phase 1/2)
        # placed only by its country.
        connection.executemany("INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            ("NCT00000011", 0, "Far Clinic", "Worcester", "Massachusetts", "United States", "RECRUITING", 42.2626, -71.8023),
            ("NCT00000012", 0, "Near Hospital", "Cambridge", "Massachusetts", "United States", "RECRUITING", 42.3736, -71.1097),
            ("NCT00000013", 0, "Somewhere", None, None, "Germany", "RECRUITING", None, None)])
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", phase="PHASE1",
                 near="Boston, United States", within="50")
    no_errors(at)
    assert match_heading(at) == "0 trials match"
    notice = " ".join(i.value for i in at.info)
    # Without the place, the phase 1 trial (in Germany) matches; without the phase, only the one near Boston does.
    assert re.search(r"Remove the place or widen the distance \(now within 50 km of Boston.*\): 1 trial would match", notice)
    assert "Clear “Phase”: 1 trial would match" in notice


def test_near_a_place_says_how_many_trials_in_that_country_give_no_site_address(small_cache, monkeypatch, tmp_path):
    import shutil
    import sqlite3

    small_cache = Path(shutil.copy(small_cache, tmp_path / "copy.sqlite"))  # the shared cache stays as it was
    with sqlite3.connect(small_cache) as connection:
        connection.execute("DELETE FROM sites")
        connection.executemany("INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            ("NCT00000012", 0, "Near Hospital", "Cambridge", "Massachusetts", "United States", "RECRUITING", 42.3736, -71.1097),
            # Listed by country only, as EU CTIS records are: never "near", but not silently dropped either.
            ("NCT00000013", 0, None, None, None, "United States", "RECRUITING", None, None),
            ("NCT00000011", 0, None, None, None, "Canada", "RECRUITING", None, None)])
        # The trial's own country list comes from the same record as its sites.
        connection.execute("UPDATE studies SET countries = 'United States' WHERE nct_id = 'NCT00000013'")
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", near="Boston, United States", within="50")
    no_errors(at)
    assert table_ids(at) == ["NCT00000012"]
    notes = [c.value for c in at.caption if "without a site address" in c.value]
    assert len(notes) == 1 and notes[0].startswith("1 more trial list United States"), notes
    # One click trades the place for its country, so the country-only trial shows too.
    (switch,) = [button for button in at.button if "Show all trials in United States" in button.label]
    switch.click().run()
    no_errors(at)
    assert "near" not in at.query_params and at.query_params["country"] in ("United States", ["United States"])
    assert "NCT00000013" in table_ids(at)  # it gives no site address, so no distance could keep it


def test_the_trial_page_gives_the_same_overall_quick_check_as_explore(small_cache, monkeypatch):
    monkeypatch.setenv("MSTRIALS_CACHE", str(small_cache))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scope"] = "all"
    at.run()
    at.selectbox(key="qc_type").set_value("PPMS").run()
    row = at.dataframe[0].value.set_index("nct_id").loc["NCT00000011", "quick_check"]
    at.query_params["nct"] = "NCT00000011"
    at.switch_page("views/trial.py").run()
    no_errors(at)
    overall = next(m.value for m in at.markdown if m.value.startswith("**Overall:**"))
    assert as_read(overall.removeprefix("**Overall:**").strip()) == as_read(row)
    assert "sex" not in overall and "country" not in overall  # only the questions answered


def test_the_edss_filter_says_how_many_matches_it_could_not_check(small_cache, monkeypatch, tmp_path):
    import shutil
    import sqlite3

    small_cache = Path(shutil.copy(small_cache, tmp_path / "copy.sqlite"))  # the shared cache stays as it was
    with sqlite3.connect(small_cache) as connection:
        connection.execute("UPDATE studies SET edss_min = NULL, edss_max = NULL")
        connection.execute("UPDATE studies SET edss_min = 2.0, edss_max = 6.5 WHERE nct_id = 'NCT00000011'")
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", edss="6")
    no_errors(at)
    assert match_heading(at) == "3 trials match"
    notes = [c.value for c in at.caption if "state no EDSS window" in c.value]
    assert len(notes) == 1 and notes[0].startswith("2 of these 3 trials"), notes


def test_a_mechanism_whose_group_has_its_own_name_is_not_named_twice(tmp_path, monkeypatch):
    cache = tmp_path / "trials.sqlite"
    import_studies(cache, [make_study(nct_id="NCT00000041", title="Interferon beta-1a in relapsing MS",
                                      interventions=(("DRUG", "Interferon beta-1a"),))])
    at = app_for(cache, monkeypatch, page="trial", nct="NCT00000041")
    no_errors(at)
    from mstrials.markup_safety import markdown_text

    label = markdown_text("Anti-inflammatory DMTs")  # as the page writes it
    named = [m.value for m in at.markdown if m.value.startswith(f"**{label}**")]
    assert named, [m.value[:60] for m in at.markdown]
    assert not named[0].startswith(f"**{label}** ({label})"), named


def test_the_quick_check_names_the_trials_it_hides_and_why(small_cache, monkeypatch):
    at = app_for(small_cache, monkeypatch, scope="all")
    at.number_input(key="qc_age").set_value(60).run()
    no_errors(at)
    hidden = next(e for e in at.expander if e.label.startswith("Which trial"))
    listed = " ".join(m.value for m in hidden.markdown)
    # NCT00000011 takes people up to 55: named, with the reason; the trials still shown are not listed.
    assert "NCT00000011" in listed and "55" in listed and "Excluded" in listed
    assert "NCT00000012" not in listed and "NCT00000013" not in listed


def test_trial_page_shows_directions_as_a_note_and_counts_sites_without_contacts(tmp_path, monkeypatch):
    cache = tmp_path / "trials.sqlite"
    study = make_study(nct_id="NCT00000051", title="Simvastatin in secondary progressive MS", contactsLocationsModule={
        "centralContacts": [{"name": "Please e-mail first and put the site number in the subject line",
                             "email": "trials@example.org"}],
        "locations": [
            {"facility": "North Hospital", "city": "Leeds", "country": "United Kingdom",
             "contacts": [{"name": "Dr A Patel", "role": "PRINCIPAL_INVESTIGATOR"}]},
            {"facility": "South Hospital", "city": "Exeter", "country": "United Kingdom"},
        ],
    })
    import_studies(cache, [study])
    at = app_for(cache, monkeypatch, page="trial", nct="NCT00000051")
    no_errors(at)
    central = next(m.value for m in at.markdown if "trials@example.org" in m.value)
    assert as_read(central).startswith("- Contact")
    assert "the registry notes: Please e-mail first" in as_read(central)
    assert any("1 of 2 sites name a contact" in expander.label for expander in at.expander)


def test_a_link_inside_the_app_that_carries_filters_sets_them(small_cache, monkeypatch):
    """A Pipeline cell's link (or the browser's Back button) brings filters in the address mid-session:
    they replace the ones on screen; a page change that drops the address keeps them."""
    at = app_for(small_cache, monkeypatch, page="explore", scope="all")
    no_errors(at)
    everything = set(table_ids(at))
    at.query_params["mech"] = "ibudilast"  # what the link's address adds
    at.switch_page("views/explore.py").run()
    no_errors(at)
    ibudilast_only = set(table_ids(at))
    assert ibudilast_only and ibudilast_only < everything
    assert at.query_params["mech"] in ("ibudilast", ["ibudilast"])
    for name in list(at.query_params.keys()):
        del at.query_params[name]
    at.switch_page("views/explore.py").run()
    no_errors(at)
    assert set(table_ids(at)) == ibudilast_only


def test_a_site_given_by_country_only_shows_blanks_not_none(tmp_path, monkeypatch):
    cache = tmp_path / "trials.sqlite"
    import_studies(cache, [make_study(nct_id="NCT00000061", contactsLocationsModule={
        "locations": [{"country": "Germany"}, {"facility": "Klinik Nord", "city": "Hamburg", "country": "Germany"}]})])
    at = app_for(cache, monkeypatch, page="trial", nct="NCT00000061")
    no_errors(at)
    sites = next(frame.value for frame in at.dataframe if "Site" in frame.value.columns)
    first = sites.iloc[0]
    assert first["Country"] == "Germany"
    assert (first["Site"], first["City"], first["State"]) == ("", "", "")


@pytest.mark.parametrize("address_score, shown", [("-0", 0.0), ("10", 10.0), ("4.5", 4.5)])
def test_every_edss_score_the_address_accepts_is_the_filters_choice(small_cache, monkeypatch, address_score, shown):
    # The address takes 0 to 10 in half steps without a notice: each must then be what the
    # "Accepts EDSS" filter shows and what the address keeps, never a silent "Any EDSS".
    at = app_for(small_cache, monkeypatch, page="explore", scope="all", edss=address_score)
    no_errors(at)
    assert not [e for e in at.expander if "of the page address" in e.label]
    assert at.selectbox(key="f_accepts_edss").value == shown
    assert at.query_params["edss"] == str(shown)
