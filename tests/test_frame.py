"""The app's data layer without Streamlit: loading, filtering, counts and the address round trip."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

from conftest import load_script
from mstrials.explore import frame as F
from mstrials.store.cache import connect_readonly
from study_factory import make_study

fetch_trials = load_script("fetch_trials")


def rows(*specs: dict) -> pd.DataFrame:
    base = {
        "nct_id": None, "title": "", "status": "COMPLETED", "phases": "", "study_type": "INTERVENTIONAL",
        "start_date": None, "primary_completion_date": None, "sponsor": "", "sponsor_class": "OTHER",
        "conditions": "Multiple Sclerosis", "interventions": "", "countries": "", "has_results": 0,
        "progressive": 1, "mechanisms": "other", "ms_types": "", "removed_run": None,
    }
    return pd.DataFrame([{**base, **spec} for spec in specs])


@pytest.fixture
def table() -> F.TrialTable:
    return F.prepare_trials(rows(
        {"nct_id": "NCT00000001", "title": "Ibudilast in Progressive MS", "status": "RECRUITING", "phases": "PHASE2",
         "start_date": "2019-03", "primary_completion_date": "2024-06", "sponsor_class": "INDUSTRY",
         "interventions": "Ibudilast|Placebo", "countries": "United States|Korea, Republic of",
         "mechanisms": "ibudilast|microglia", "ms_types": "PPMS|SPMS"},
        {"nct_id": "NCT00000002", "title": "Clemastine for myelin repair", "status": "NOT_YET_RECRUITING",
         "phases": "PHASE1|PHASE2", "start_date": "2026-01-15", "sponsor_class": "NIH",
         "countries": "Germany", "mechanisms": "remyelination"},
        {"nct_id": "NCT00000003", "title": "Walking training", "status": "COMPLETED", "phases": "",
         "study_type": "OBSERVATIONAL", "start_date": "2010", "has_results": 1, "progressive": 0,
         "countries": "", "mechanisms": "non_drug", "ms_types": "RRMS"},
        {"nct_id": "NCT00000004", "title": "Old delisted trial of biotin", "status": "TERMINATED", "phases": "PHASE3",
         "start_date": "2015-05-05", "mechanisms": "mitochondrial", "removed_run": 3, "countries": "France"},
        {"nct_id": "NCT00000005", "title": "Ocrelizumab <script>alert(1)</script>", "status": "ACTIVE_NOT_RECRUITING",
         "phases": "PHASE3", "start_date": None, "sponsor_class": "INDIV", "conditions": "Primary Progressive MS",
         "countries": "United States", "mechanisms": "b_cell"},
    ))


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["nct_id"])


ALL_MS = F.FilterState(progressive_only=False)


def test_default_view_is_progressive_trials_still_listed(table):
    assert ids(F.filter_trials(table, F.FilterState())) == ["NCT00000001", "NCT00000002", "NCT00000005"]


def test_removed_trials_only_when_asked(table):
    assert "NCT00000004" not in ids(F.filter_trials(table, ALL_MS))
    assert "NCT00000004" in ids(F.filter_trials(table, ALL_MS, include_removed=True))


@pytest.mark.parametrize("change, expected", [
    ({"mechanisms": ("microglia",)}, ["NCT00000001"]),
    ({"mechanisms": ("remyelination", "b_cell")}, ["NCT00000002", "NCT00000005"]),
    ({"phases": ("PHASE2",)}, ["NCT00000001", "NCT00000002"]),  # a phase 1/2 trial is also a phase 2 trial
    ({"phases": ("NA",)}, ["NCT00000003"]),
    ({"open_only": True}, ["NCT00000001", "NCT00000002"]),
    ({"statuses": ("COMPLETED",)}, ["NCT00000003"]),
    ({"open_only": True, "statuses": ("COMPLETED",)}, ["NCT00000001", "NCT00000002", "NCT00000003"]),
    ({"countries": ("Korea, Republic of",)}, ["NCT00000001"]),
    ({"countries": ("Korea",)}, []),  # whole country names only, not substrings
    ({"sponsor_groups": ("government",)}, ["NCT00000002"]),
    ({"sponsor_groups": ("other",)}, ["NCT00000005"]),
    ({"study_types": ("OBSERVATIONAL",)}, ["NCT00000003"]),
    ({"ms_types": ("SPMS",)}, ["NCT00000001"]),
    ({"start_from": 2011}, ["NCT00000001", "NCT00000002"]),  # undated trials drop out of a year range
    ({"start_from": 2010, "start_to": 2019}, ["NCT00000001", "NCT00000003"]),
    ({"results": "yes"}, ["NCT00000003"]),
    ({"results": "no"}, ["NCT00000001", "NCT00000002", "NCT00000005"]),
    ({"text": "IBUDILAST progressive"}, ["NCT00000001"]),
    ({"text": "placebo"}, ["NCT00000001"]),  # interventions are searched
    ({"text": "nct00000003"}, ["NCT00000003"]),
    ({"text": "primary progressive"}, ["NCT00000005"]),  # conditions are searched
    ({"text": "<script>"}, ["NCT00000005"]),
    ({"text": "ibudilast walking"}, []),  # every word must match
])
def test_each_filter(table, change, expected):
    assert ids(F.filter_trials(table, ALL_MS.replace(**change))) == expected


def test_word_search_finds_every_trial_once_and_never_across_trials(table):
    assert ids(table.frame[table.rows_containing("multiple sclerosis")]) == [
        "NCT00000001", "NCT00000002", "NCT00000003", "NCT00000004"]
    assert ids(table.frame[table.rows_containing("ms")]) == ["NCT00000001", "NCT00000005"]  # the last trial too
    assert not table.rows_containing("placebo\nnct00000002").any()  # where trial 1 ends and trial 2 begins
    assert not table.rows_containing("").any()


def test_facet_counts_leave_out_their_own_filter(table):
    state = ALL_MS.replace(phases=("PHASE3",), open_only=True)
    counts = F.facet_counts(table, state)
    assert counts.total == 0
    # Phase counts apply the open filter but not the phase filter itself.
    assert counts.of("phases", "PHASE2") == 2
    assert counts.of("phases", "PHASE1") == 1
    assert counts.of("phases", "PHASE3") == 0
    # Status counts apply the phase filter but not the status filter (the delisted trial never counts).
    assert counts.by_facet["statuses"] == {"ACTIVE_NOT_RECRUITING": 1}
    assert counts.of("progressive_only", "all") == 0


def test_facet_counts_without_filters(table):
    counts = F.facet_counts(table, ALL_MS)
    assert counts.total == 4
    assert counts.of("countries", "United States") == 2
    assert counts.of("mechanisms", "mitochondrial") == 0  # only on the delisted trial
    assert counts.of("progressive_only", "progressive") == 3
    assert counts.by_facet["results"] == {"any": 4, "yes": 1, "no": 3}
    assert counts.of("sponsor_groups", "industry") == 1


def test_partial_dates():
    parsed = F.parse_partial_dates(pd.Series(["2024", "2024-03", "2024-03-15", None, "soon"]))
    assert list(parsed[:3]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-15")]
    assert parsed[3:].isna().all()


def test_readable_labels(table):
    frame = table.frame.set_index("nct_id")
    assert frame.loc["NCT00000002", "phase_stage"] == "Phase 1/2"
    assert frame.loc["NCT00000003", "phase_stage"] == "No phase"
    assert frame.loc["NCT00000001", "status_label"] == "Recruiting"
    assert F.readable_status("SOMETHING_NEW") == "Something new"
    assert F.readable_status(float("nan")) == "Not stated"


def test_people_first_order_puts_open_trials_first_newest_start_first(table):
    ordered = F.people_first_order(F.filter_trials(table, ALL_MS))
    assert list(ordered["nct_id"]) == ["NCT00000002", "NCT00000001", "NCT00000003", "NCT00000005"]


# ---------------------------------------------------------------- the address

ALLOWED = {
    "mechanisms": ["b_cell", "ibudilast", "microglia"], "ms_types": ["PPMS", "SPMS"], "phases": list(F.PHASE_LABELS),
    "statuses": list(F.STATUS_LABELS), "study_types": ["INTERVENTIONAL"], "countries": ["Korea, Republic of", "France"],
    "sponsor_groups": list(F.SPONSOR_GROUP_LABELS),
}


def test_default_state_has_an_empty_address():
    assert F.to_query_params(F.FilterState()) == {}


def test_address_round_trip():
    state = F.FilterState(
        mechanisms=("ibudilast", "b_cell"), progressive_only=False, ms_types=("PPMS",), phases=("PHASE2",),
        statuses=("COMPLETED",), open_only=True, study_types=("INTERVENTIONAL",), countries=("Korea, Republic of",),
        sponsor_groups=("industry",), start_from=2015, start_to=2020, results="yes", text="walking speed",
    )
    params = F.to_query_params(state)
    assert params["country"] == ["Korea, Republic of"]  # a list, never comma-joined
    assert params["scope"] == "all"
    parsed = F.parse_query_params(params, ALLOWED)
    assert parsed.state == state
    assert parsed.notices == ()


def test_start_years_keep_the_whole_range_and_drop_unknown_years(table):
    state = ALL_MS.replace(start_from=2015, start_to=2015)
    assert ids(F.filter_trials(table, state, include_removed=True)) == ["NCT00000004"]


def test_bad_address_values_are_dropped_with_notices():
    parsed = F.parse_query_params(
        {"mech": ["b_cell", "magic"], "phase": "PHASE9", "from": "last year", "to": "3000", "scope": "some",
         "results": "maybe", "open": "yes", "q": "x" * 500},
        ALLOWED,
    )
    assert parsed.state.mechanisms == ("b_cell",)
    assert parsed.state.phases == ()
    assert parsed.state.start_from is None and parsed.state.start_to is None
    assert parsed.state.progressive_only is True
    assert parsed.state.results == "any"
    assert parsed.state.open_only is False
    assert len(parsed.state.text) == F.MAX_TEXT_LENGTH
    joined = " ".join(parsed.notices)
    for fragment in ("'magic'", "'PHASE9'", "from='last year'", "to='3000'", "scope='some'", "results='maybe'", "open='yes'"):
        assert fragment in joined
    assert f"first {F.MAX_TEXT_LENGTH} characters" in joined


def test_a_long_bad_value_is_repeated_in_the_notice_only_in_part():
    parsed = F.parse_query_params({"edss": "9" * 5000, "mech": "z" * 5000}, ALLOWED)
    assert len(parsed.notices) == 2
    assert all(len(notice) < 200 for notice in parsed.notices)
    assert any("9" * F.NOTICE_VALUE_LENGTH + "…'" in notice for notice in parsed.notices)
    short = F.parse_query_params({"open": "yes"}, ALLOWED)
    assert "open='yes'" in short.notices[0]  # short values are repeated whole


def test_a_search_that_fits_gets_no_notice():
    parsed = F.parse_query_params({"q": "x" * F.MAX_TEXT_LENGTH}, ALLOWED)
    assert parsed.state.text == "x" * F.MAX_TEXT_LENGTH and parsed.notices == ()


def test_reversed_years_are_swapped():
    parsed = F.parse_query_params({"from": "2020", "to": "2010"}, ALLOWED)
    assert (parsed.state.start_from, parsed.state.start_to) == (2010, 2020)
    assert parsed.notices


def test_trials_matching_reads_well():
    assert [F.trials_matching(n) for n in (0, 1, 2, 12345)] == [
        "0 trials match", "1 trial matches", "2 trials match", "12,345 trials match"]


def test_describe_filters():
    words = F.describe_filters(F.FilterState(open_only=True, countries=("France",), text="NfL"), str.upper)
    assert words == ["progressive MS", "recruiting or not yet recruiting", "in France", "matching “NfL”"]


# ---------------------------------------------------------------- table and downloads


def test_results_view_and_downloads(table):
    trials = F.filter_trials(table, ALL_MS.replace(text="ibudilast"))
    view = F.results_view(trials, mechanism_label=lambda key: key.upper())
    assert view.loc[0, "link"] == "https://clinicaltrials.gov/study/NCT00000001"
    assert view.loc[0, "mechanism_labels"] == "IBUDILAST, MICROGLIA"
    assert view.loc[0, "countries_text"] == "United States, Korea, Republic of"
    csv_text = F.to_csv_bytes(trials).decode()
    assert csv_text.splitlines()[0].startswith("nct_id,title,status,phases")
    assert '"United States|Korea, Republic of"' in csv_text
    records = json.loads(F.to_json_bytes(trials))
    assert [r["nct_id"] for r in records] == ["NCT00000001"]
    assert records[0]["mechanisms"] == "ibudilast|microglia"


# ---------------------------------------------------------------- from a real cache file


def test_load_trials_from_a_cache(tmp_path):
    studies = [
        make_study(nct_id="NCT00000101", title="First", start="2021-02", countries=("Canada", "France")),
        make_study(nct_id="NCT00000102", title="Second", status="COMPLETED", phases=("PHASE1", "PHASE2"), start="2018"),
    ]
    source = tmp_path / "studies.json"
    source.write_text(json.dumps(studies))
    cache = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0
    connection = connect_readonly(cache)
    try:
        table = F.load_trials(connection)
    finally:
        connection.close()
    frame = table.frame.set_index("nct_id")
    assert list(frame.index) == ["NCT00000101", "NCT00000102"]
    assert frame.loc["NCT00000101", "start_year"] == 2021
    assert frame.loc["NCT00000102", "phase_stage"] == "Phase 1/2"
    assert frame["listed"].all()
    assert table.values_of("countries") == ["Canada", "France", "United States"]
    assert np.count_nonzero(table.members["countries"]["France"]) == 1
    assert "first" in frame.loc["NCT00000101", "search_text"]


def test_frame_says_which_trials_have_criteria_text_in_this_copy(tmp_path):
    import sqlite3

    studies = [
        make_study(nct_id="NCT00000111", eligibilityModule={"eligibilityCriteria": "Inclusion Criteria:\n* EDSS 3 to 6.5"}),
        make_study(nct_id="NCT00000112", eligibilityModule={"minimumAge": "18 Years"}),  # ages, but no text
        make_study(nct_id="NCT00000113", eligibilityModule={"eligibilityCriteria": "   \n  "}),  # blank text
        make_study(nct_id="NCT00000114", eligibilityModule={"eligibilityCriteria": "Inclusion Criteria:\n* PPMS"}),
        make_study(nct_id="NCT00000115", eligibilityModule={"eligibilityCriteria": "Inclusion Criteria:\n* PPMS"}),
        make_study(nct_id="NCT00000116", eligibilityModule={"eligibilityCriteria": "Inclusion Criteria:\n* PPMS"}),
    ]
    source = tmp_path / "studies.json"
    source.write_text(json.dumps(studies))
    cache = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0
    with sqlite3.connect(cache) as connection:
        # No stored themes (a cache from before they were kept): the raw record answers.
        connection.execute("UPDATE studies SET eligibility_json = NULL WHERE nct_id = 'NCT00000114'")
        # Damaged themes: the raw record answers; both damaged: no text claimed, and the load does not fail.
        connection.execute("UPDATE studies SET eligibility_json = '{not json' WHERE nct_id IN ('NCT00000115', 'NCT00000116')")
        connection.execute("UPDATE studies SET raw_json = '[' WHERE nct_id = 'NCT00000116'")
    connection = connect_readonly(cache)
    try:
        frame = F.load_trials(connection).frame.set_index("nct_id")
    finally:
        connection.close()
    assert frame["has_criteria_text"].to_dict() == {
        "NCT00000111": True, "NCT00000112": False, "NCT00000113": False, "NCT00000114": True, "NCT00000115": True,
        "NCT00000116": False}
    # Rows not read from a cache make no claim that the text is missing.
    assert F.prepare_trials(rows({"nct_id": "NCT00000117"})).frame["has_criteria_text"].tolist() == [True]


def test_app_logic_modules_do_not_import_streamlit():
    import subprocess
    import sys

    modules = "mstrials.explore.frame, mstrials.store.history, mstrials.explore.patient_match, mstrials.explore.pipeline, mstrials.explore.site_map, " \
              "mstrials.explore.trial_detail, mstrials.labels.mechanism_catalogue"
    code = f"import sys, {modules}; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_csv_download_never_hands_a_spreadsheet_a_formula(table):
    trials = F.filter_trials(table, ALL_MS).head(1).copy()
    trials["title"] = '=HYPERLINK("http://evil.example","x")'
    trials["sponsor"] = "@SUM(1+1)"
    rows = list(csv.DictReader(io.StringIO(F.to_csv_bytes(trials).decode())))
    assert rows[0]["title"] == "'" + '=HYPERLINK("http://evil.example","x")' and rows[0]["sponsor"] == "'@SUM(1+1)"
    assert not [v for v in rows[0].values() if v.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_address_values_typed_in_another_case_still_apply():
    # People type and share addresses by hand: `registry=CTIS` or `phase=phase2` mean the same filter.
    allowed = {**ALLOWED, "registries": ["ctgov", "ctis"]}
    parsed = F.parse_query_params(
        {"registry": "CTIS", "phase": ["phase2", "PHASE3"], "mech": "B_Cell", "scope": "ALL", "open": "TRUE",
         "results": "Yes"},
        allowed,
    )
    assert parsed.state.registries == ("ctis",)
    assert parsed.state.phases == ("PHASE2", "PHASE3")
    assert parsed.state.mechanisms == ("b_cell",)
    assert (parsed.state.progressive_only, parsed.state.open_only, parsed.state.results) == (False, True, "yes")
    assert parsed.notices == ()


def test_the_same_value_in_two_cases_is_kept_once():
    parsed = F.parse_query_params({"phase": ["PHASE2", "phase2"]}, ALLOWED)
    assert parsed.state.phases == ("PHASE2",)
    assert parsed.notices == ()


def test_an_address_edss_of_minus_zero_is_zero():
    # float("-0") is -0.0, which the filter's choices (formatted "0.0") would not show as 0.0.
    score = F.parse_query_params({"edss": "-0"}, ALLOWED).state.accepts_edss
    assert score == 0.0 and str(score) == "0.0"


def test_a_title_far_longer_than_any_registry_allows_is_cut_for_display_but_searched_whole():
    long_title = "Lorem ipsum " * 100_000 + "zebrafinch"
    table = F.prepare_trials(rows(
        {"nct_id": "NCT00000011", "title": long_title, "official_title": "x" * 5_000, "acronym": "A" * 500},
        {"nct_id": "NCT00000012", "title": "A Short Title", "official_title": None, "acronym": None},
    ))
    shown = table.frame.set_index("nct_id")
    assert len(shown.loc["NCT00000011", "title"]) == F.DISPLAY_LIMITS["title"]
    assert shown.loc["NCT00000011", "title"].endswith("…")
    assert len(shown.loc["NCT00000011", "official_title"]) == F.DISPLAY_LIMITS["official_title"]
    assert len(shown.loc["NCT00000011", "acronym"]) == F.DISPLAY_LIMITS["acronym"]
    assert shown.loc["NCT00000012", "title"] == "A Short Title"
    assert shown.loc["NCT00000012", "official_title"] is None
    found = F.filter_trials(table, F.FilterState(progressive_only=False, text="zebrafinch"))
    assert list(found["nct_id"]) == ["NCT00000011"]
