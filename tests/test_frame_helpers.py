"""The small app-logic modules: pipeline tables, site maps, quick check, trial details, history."""
from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from mstrials.explore import frame as F
from mstrials.store import history
from mstrials.explore import pipeline, site_map, trial_detail
from mstrials.labels.eligibility import EligibilityThemes, SourceSnippet
from mstrials.labels.mechanism_catalogue import FALLBACK_GROUP, load_catalogue
from mstrials.explore.patient_match import (
    VERDICT_EXCLUDED, VERDICT_NOT_STATED, VERDICT_OK, PatientProfile, check_trials,
)


def trials_frame(*specs: dict) -> pd.DataFrame:
    base = {"nct_id": None, "title": "t", "status": "RECRUITING", "phases": "PHASE2", "start_date": "2020-01",
            "primary_completion_date": "2022-01", "mechanisms": "other", "countries": "", "progressive": 1}
    return F.prepare_trials(pd.DataFrame([{**base, **s} for s in specs])).frame


# ---------------------------------------------------------------- pipeline


def test_mechanism_phase_table_counts_each_label_and_lists_trials():
    trials = trials_frame(
        {"nct_id": "NCT1", "mechanisms": "b_cell|microglia", "phases": "PHASE2", "title": "BTK <b>bold</b>"},
        {"nct_id": "NCT2", "mechanisms": "b_cell", "phases": "PHASE3"},
        {"nct_id": "NCT3", "mechanisms": "b_cell", "phases": "PHASE3"},
    )
    table = pipeline.mechanism_phase_table(trials, ["microglia", "b_cell"], str.upper)
    matrix = pipeline.count_matrix(table)
    assert list(matrix.index) == ["MICROGLIA", "B_CELL"]  # the catalogue's order
    assert matrix.loc["B_CELL", "Phase 3"] == 2
    assert matrix.loc["B_CELL", "Phase 2"] == 1
    assert matrix.loc["MICROGLIA", "Phase 2"] == 1
    assert matrix.to_numpy().sum() == 4  # NCT1 counts in both of its rows
    hover = table.set_index(["mechanism", "stage"]).loc[("b_cell", "Phase 2"), "trials"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in hover and "<b>" not in hover


def test_hover_lists_are_capped():
    trials = trials_frame(*({"nct_id": f"NCT{i:02d}", "mechanisms": "b_cell"} for i in range(20)))
    hover = pipeline.mechanism_phase_table(trials, ["b_cell"], str).query("stage == 'Phase 2'")["trials"].iloc[0]
    assert hover.count("<br>") == pipeline.HOVER_LIMIT
    assert hover.endswith(f"… and {20 - pipeline.HOVER_LIMIT} more")


def test_timeline_rows_need_both_dates():
    trials = trials_frame(
        {"nct_id": "NCT1", "start_date": "2020-01", "primary_completion_date": "2023-06", "status": "COMPLETED",
         "title": "Drug <i>A</i> in " + "progressive MS " * 10},
        {"nct_id": "NCT2", "start_date": "2021-01", "primary_completion_date": None},
        {"nct_id": "NCT3", "start_date": "2024-01", "primary_completion_date": "2023-01"},  # ends before it starts
        {"nct_id": "NCT4", "start_date": "2022-05", "primary_completion_date": "2027", "status": "WITHDRAWN"},
    )
    rows, missing = pipeline.timeline_rows(trials)
    assert list(rows["nct_id"]) == ["NCT1", "NCT4"]
    assert list(rows["status_group"]) == ["Completed", "Stopped or withdrawn"]
    assert missing == 2
    title = rows["title"].iloc[0]  # for the hover: escaped for Plotly, cut at 90 characters
    assert title.startswith("Drug &lt;i&gt;A&lt;/i&gt; in progressive MS") and title.endswith("…")
    assert len(title) == 90 + len("&lt;&gt;&lt;/&gt;") - len("<></>")
    limited, _ = pipeline.timeline_rows(trials, limit=1)
    assert list(limited["nct_id"]) == ["NCT4"]  # the newest start is kept


def test_starts_per_year():
    trials = trials_frame(
        {"nct_id": "NCT1", "start_date": "2020-01", "mechanisms": "b_cell|microglia"},
        {"nct_id": "NCT2", "start_date": "2020-07-01", "mechanisms": "b_cell"},
        {"nct_id": "NCT3", "start_date": None, "mechanisms": "b_cell"},
    )
    starts = pipeline.starts_per_year(trials, str.upper).set_index(["year", "mechanism_label"])["count"]
    assert starts.to_dict() == {(2020, "B_CELL"): 2, (2020, "MICROGLIA"): 1}


# ---------------------------------------------------------------- sites


def test_open_sites_include_unstated_sites_of_open_trials():
    trials = trials_frame({"nct_id": "NCT1", "status": "RECRUITING"}, {"nct_id": "NCT2", "status": "COMPLETED"})
    sites = pd.DataFrame({
        "nct_id": ["NCT1", "NCT1", "NCT1", "NCT2", "NCT9"],
        "status": ["RECRUITING", "COMPLETED", None, None, "RECRUITING"],
        "city": ["Basel", "Bern", "Zurich", "Paris", "Oslo"], "state": None,
        "country": ["Switzerland", "Switzerland", "Switzerland", "France", "Norway"],
        "latitude": [47.56, None, None, None, None], "longitude": [7.59, None, None, None, None],
    })
    open_sites = site_map.sites_of(sites, trials, open_only=True)
    assert list(open_sites["city"]) == ["Basel", "Zurich"]
    assert list(site_map.sites_of(sites, trials, open_only=False)["city"]) == ["Basel", "Bern", "Zurich", "Paris"]


def test_place_and_count():
    sites = pd.DataFrame({
        "nct_id": ["NCT1"] * 3, "status": ["RECRUITING", None, None], "city": ["Basel", "Zurich", None],
        "state": None, "country": ["Switzerland", "Switzerland", "Atlantis"],
        "latitude": [47.56, None, None], "longitude": [7.59, None, None],
    })
    placed = site_map.place(sites)
    counts = site_map.placement_counts(placed)
    assert counts == {"total": 3, "site": 1, "city": 1, "country": 0, "not_placed": 1}
    assert list(placed["placed_by_label"]) == ["the registry's own map point", "the city name", "could not be placed"]
    assert list(placed["status_label"]) == ["Recruiting", "Not stated", "Not stated"]


# ---------------------------------------------------------------- patient quick check


def eligibility_frame() -> pd.DataFrame:
    return trials_frame(
        {"nct_id": "NCT1", "min_age": 18, "max_age": 55, "sex": "ALL", "countries": "Germany|France"},
        {"nct_id": "NCT2", "min_age": 18, "max_age": 65, "sex": "FEMALE", "countries": "Germany"},
        {"nct_id": "NCT3", "min_age": None, "max_age": None, "sex": None, "countries": ""},
        {"nct_id": "NCT4", "min_age": 25, "max_age": None, "sex": "ALL", "edss_min": 3.0, "edss_max": 6.5,
         "ms_types_included": "PPMS", "countries": "Italy"},
    ).set_index("nct_id", drop=False)


def test_quick_check_verdicts_and_reasons():
    checks = check_trials(eligibility_frame(), PatientProfile(age=60, sex="MALE"))
    assert list(checks["verdict"]) == [VERDICT_EXCLUDED, VERDICT_EXCLUDED, VERDICT_NOT_STATED, VERDICT_OK]
    assert "55" in checks.loc["NCT1", "explanation"] and "60" in checks.loc["NCT1", "explanation"]
    assert "women" in checks.loc["NCT2", "explanation"]
    assert checks.loc["NCT3", "explanation"].startswith("Not stated: age, sex")


def test_quick_check_ms_type_edss_and_country():
    frame = eligibility_frame()
    spms = check_trials(frame, PatientProfile(ms_type="SPMS"))
    assert spms.loc["NCT4", "verdict"] == VERDICT_EXCLUDED
    edss = check_trials(frame, PatientProfile(edss=7.0))
    assert edss.loc["NCT4", "verdict"] == VERDICT_EXCLUDED and "6.5" in edss.loc["NCT4", "explanation"]
    assert check_trials(frame, PatientProfile(edss=4.0)).loc["NCT4", "verdict"] == VERDICT_OK
    country = check_trials(frame, PatientProfile(country="France"))
    assert list(country["verdict"]) == [VERDICT_OK, VERDICT_EXCLUDED, VERDICT_NOT_STATED, VERDICT_EXCLUDED]


def test_empty_profile():
    assert PatientProfile().is_empty
    assert not PatientProfile(edss=0.0).is_empty


# ---------------------------------------------------------------- trial details


def test_highlight_segments_cover_the_text_once():
    text = "Inclusion: EDSS 3.0 to 6.5. Exclusion: relapse in 30 days."
    segments = trial_detail.highlight_segments(text, [(11, 27), (39, 58), (20, 25), (100, 120), (5, 5)])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.mark) for s in segments if s.mark] == [("EDSS 3.0 to 6.5.", 1), ("relapse in 30 days.", 2)]


def test_eligibility_table_numbers_sources():
    themes = EligibilityThemes(
        min_age=18, max_age=None, min_age_text="18 Years", sex="FEMALE", edss_min=2.0, edss_max=6.5,
        relapse_free_months=1,
        sources=(SourceSnippet("edss", "EDSS 2-6.5", 0, 10, "inclusion"), SourceSnippet("relapse", "no relapse", 20, 30, "exclusion")),
    )
    table = trial_detail.eligibility_table(themes).set_index("Theme")
    assert table.loc["Age", "What the study states"] == "18 Years to no upper limit"
    assert table.loc["Sex", "What the study states"] == "women only"
    assert table.loc["EDSS (disability score)", "What the study states"] == "2 to 6.5"
    assert table.loc["EDSS (disability score)", "Source"] == "[1]"
    assert table.loc["Time without relapses", "What the study states"] == "at least 1 month"
    assert table.loc["Time without relapses", "Source"] == "[2]"
    assert table.loc["Earlier anti-CD20 treatment (the criteria say which drugs)", "What the study states"] == "not stated"


def test_eligibility_table_spells_out_ms_types():
    themes = EligibilityThemes(ms_types_included=("SPMS", "PPMS"), ms_types_excluded=("RRMS",))
    table = trial_detail.eligibility_table(themes).set_index("Theme")
    assert table.loc["MS types taken", "What the study states"] == "Secondary progressive (SPMS), Primary progressive (PPMS)"
    assert table.loc["MS types not taken", "What the study states"] == "Relapsing-remitting (RRMS)"


# ---------------------------------------------------------------- widening an empty selection


def test_widening_steps_say_what_each_filter_costs():
    table = F.prepare_trials(pd.DataFrame([
        {"nct_id": "NCT1", "title": "a", "status": "RECRUITING", "phases": "PHASE2", "countries": "France", "progressive": 1},
        {"nct_id": "NCT2", "title": "b", "status": "COMPLETED", "phases": "PHASE3", "countries": "France", "progressive": 1},
        {"nct_id": "NCT3", "title": "c", "status": "COMPLETED", "phases": "PHASE2", "countries": "Spain", "progressive": 0},
    ]))
    # Phase 3, recruiting, in Spain: nothing. Without each one of the three filters:
    state = F.FilterState(progressive_only=False, phases=("PHASE3",), open_only=True, countries=("Spain",))
    assert F.filter_mask(table, state).sum() == 0
    steps = dict(F.widening_steps(table, state))
    assert steps == {
        "Clear “Phase”": 0,  # recruiting and in Spain: none
        "Untick “Recruiting or not yet recruiting”": 0,  # phase 3 in Spain: none
        "Clear “Country with a study site”": 0,  # recruiting phase 3: none
    }
    state = F.FilterState(progressive_only=True, phases=("PHASE2",), countries=("Spain",))
    steps = F.widening_steps(table, state)
    assert steps[0] == ("Turn off “Progressive MS only”", 1)  # NCT3, the most useful step first
    assert dict(steps)["Clear “Country with a study site”"] == 1  # NCT1
    assert dict(steps)["Clear “Phase”"] == 0
    assert F.widening_steps(table, F.FilterState(progressive_only=False)) == []


def test_outcomes_and_locations_from_a_record():
    study = {"protocolSection": {
        "outcomesModule": {
            "primaryOutcomes": [{"measure": "Time to confirmed disability progression on EDSS", "timeFrame": "2 years"}],
            "secondaryOutcomes": [{"measure": "Serum neurofilament light chain"}, {"timeFrame": "no measure"}],
        },
        "contactsLocationsModule": {"locations": [
            {"facility": "Clinic", "city": "Basel", "country": "Switzerland", "geoPoint": {"lat": 47.5, "lon": 7.6}}]},
    }}
    outcomes = trial_detail.outcome_measures(study)
    assert list(outcomes["kind"]) == ["Primary", "Secondary"]
    assert "EDSS" in outcomes.loc[0, "themes"]
    assert "Neurofilament" in outcomes.loc[1, "themes"]
    locations = trial_detail.study_locations(study)
    assert locations.loc[0, "latitude"] == 47.5
    assert trial_detail.parse_raw("not json") == {} and trial_detail.parse_raw("[1]") == {}


def test_evidence_rows():
    evidence = {"b_cell": [{"intervention": "Ocrevus 600 mg", "matched": "Ocrevus"}],
                "microglia": [{"intervention": "Masitinib", "matched": "masitinib"}], "other": ["free text"]}
    assert trial_detail.evidence_rows(json.dumps(evidence)) == [
        ("b_cell", "the treatment “Ocrevus 600 mg” matched “Ocrevus”"),
        ("microglia", "the treatment “Masitinib” is listed under this mechanism"),
        ("other", "free text"),
    ]
    assert trial_detail.evidence_rows("{broken") == []


# ---------------------------------------------------------------- history and mechanisms


def test_data_as_of_is_the_data_date_not_the_import_time():
    runs = pd.DataFrame({"run_id": [1, 2], "mode": ["import", "incremental"], "finished_at":
                         ["2026-12-01T10:00:00+00:00", "2026-12-02T08:30:00+00:00"],
                         "data_timestamp": ["2025-09-25", "2026-12-01T21:00:00"]})
    assert history.data_as_of(runs).sentence() == "Registry data up to 1 Dec 2026 (fetched 2 Dec 2026)"
    imported = history.data_as_of(runs.iloc[:1])
    assert imported.sentence() == "Registry data up to 25 Sep 2025 (imported 1 Dec 2026)"
    assert imported.is_stale(pd.Timestamp("2026-12-01", tz="UTC"))
    assert imported.age_in_days(pd.Timestamp("2026-12-01", tz="UTC")) == 432
    assert not history.data_as_of(runs).is_stale(pd.Timestamp("2026-12-03", tz="UTC"))
    assert history.data_as_of(runs.iloc[:0]).sentence() == "No data fetched yet"


def test_an_old_import_run_without_a_data_date_uses_the_newest_record():
    runs = pd.DataFrame({"run_id": [1], "mode": ["import"], "finished_at": ["2026-12-01T10:00:00+00:00"],
                         "data_timestamp": [None]})
    assert history.data_as_of(runs, "2025-09-24").sentence() == "Registry data up to 24 Sep 2025 (imported 1 Dec 2026)"


def test_changes_in_words():
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE runs (run_id INTEGER, finished_at TEXT);"
        "CREATE TABLE changes (run_id INTEGER, nct_id TEXT, kind TEXT, old_value TEXT, new_value TEXT);"
        "INSERT INTO runs VALUES (1, '2025-01-01T00:00:00+00:00'), (2, '2025-02-01T00:00:00+00:00');"
        "INSERT INTO changes VALUES (1, 'NCT1', 'new', NULL, 'RECRUITING'), (2, 'NCT1', 'status', 'RECRUITING', 'COMPLETED'),"
        " (2, 'NCT1', 'phases', 'PHASE2', 'PHASE2|PHASE3');"
    )
    changes = history.load_changes(connection)
    assert list(changes["run_id"]) == [2, 2, 1]  # newest first
    assert list(changes["change"]) == ["Status changed", "Phase changed", "New trial"]
    assert list(changes["before"]) == ["Recruiting", "Phase 2", "—"]
    assert list(changes["after"]) == ["Completed", "Phase 2/3", "Recruiting"]


def test_catalogue_keeps_keys_missing_from_the_vocabulary():
    catalogue = load_catalogue(["b_cell", "made_up_key"])
    assert "made_up_key" in catalogue.ordered_keys()
    assert catalogue.label("made_up_key") == "Made up key"
    assert catalogue.group_of("made_up_key") == FALLBACK_GROUP


def test_timeline_falls_back_to_the_completion_date_where_no_primary_completion_is_given():
    # CTIS states only the trial's end; a primary completion, where given, still wins.
    trials = trials_frame(
        {"nct_id": "NCT1", "start_date": "2023-01", "primary_completion_date": None, "completion_date": "2026-03"},
        {"nct_id": "NCT2", "start_date": "2022-01", "primary_completion_date": "2024-01", "completion_date": "2025-01"},
        {"nct_id": "NCT3", "start_date": "2021-01", "primary_completion_date": None, "completion_date": None},
    )
    rows, missing = pipeline.timeline_rows(trials)
    by_id = rows.set_index("nct_id")
    assert sorted(by_id.index) == ["NCT1", "NCT2"] and missing == 1
    assert by_id.loc["NCT1", "end"] == pd.Timestamp("2026-03-01") and by_id.loc["NCT1", "ends_at"] == "completion"
    assert by_id.loc["NCT2", "end"] == pd.Timestamp("2024-01-01") and by_id.loc["NCT2", "ends_at"] == "primary completion"


def _import(cache, folder, name, studies):
    from mstrials.store.refresh import import_files

    path = folder / name
    path.write_text(json.dumps(studies))
    import_files(cache, [path])


def test_a_later_small_import_does_not_make_an_old_listing_look_fresh(tmp_path):
    from study_factory import make_study

    cache = tmp_path / "trials.sqlite"
    _import(cache, tmp_path, "old.json", [make_study(nct_id=f"NCT0000010{n}", last_update=f"2025-09-2{n}")
                                          for n in range(5)])
    _import(cache, tmp_path, "new.json", [make_study(nct_id="NCT00000200", last_update="2026-11-30")])
    with sqlite3.connect(cache) as connection:
        typical, newest = history.listing_dates(connection)
        runs = history.load_runs(connection)
    assert (typical[:10], newest[:10]) == ("2025-09-24", "2026-11-30")  # the old import is current to its newest record
    as_of = history.data_as_of(runs, listing=(typical, newest))
    sentence = as_of.sentence()
    assert sentence.startswith("Registry data up to 24 Sep 2025 for most trials (newest record 30 Nov 2026;")
    assert as_of.is_stale(pd.Timestamp("2026-12-02", tz="UTC"))  # most of the listing is over a year old


def test_a_fetch_from_the_api_brings_every_listed_trial_to_its_date(tmp_path):
    from study_factory import make_study

    cache = tmp_path / "trials.sqlite"
    _import(cache, tmp_path, "old.json", [make_study(nct_id=f"NCT0000010{n}", last_update="2025-09-25")
                                          for n in range(3)])
    with sqlite3.connect(cache) as connection:
        # An incremental fetch that found nothing new still says the listing is current to its date.
        connection.execute(
            "INSERT INTO runs (run_id, started_at, finished_at, source, mode, api_version, data_timestamp, pages, seen, "
            "ms_kept, non_ms, new, changed, unchanged, malformed, removed) "
            "VALUES (99, '2026-12-01T08:00:00+00:00', '2026-12-01T08:01:00+00:00', 'api', 'incremental', '2.0', "
            "'2026-11-30T21:00:00', 1, 0, 0, 0, 0, 0, 0, 0, 0)")
        typical, newest = history.listing_dates(connection)
        runs = history.load_runs(connection)
    assert typical[:10] == newest[:10] == "2026-11-30"
    assert history.data_as_of(runs, listing=(typical, newest)).sentence() == \
        "Registry data up to 30 Nov 2026 (fetched 1 Dec 2026)"


def test_an_empty_listing_has_no_dates():
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE runs (run_id INTEGER, mode TEXT, data_timestamp TEXT, finished_at TEXT);"
        "CREATE TABLE studies (nct_id TEXT, is_ms INTEGER, last_seen_run INTEGER, removed_run INTEGER);")
    assert history.listing_dates(connection) == (None, None)


def test_eligibility_table_states_exclusions_about_everyone_not_the_reader():
    themes = EligibilityThemes(prior_anti_cd20_excluded=True, prior_stem_cell_transplant_excluded=True,
                               recent_steroids_excluded=True)
    table = trial_detail.eligibility_table(themes).set_index("Theme")
    stated = table["What the study states"]
    assert stated["Earlier stem cell transplant"] == "people who had one are excluded"
    assert stated["Recent steroids"] == "people who had them recently are excluded"
    assert not any(" you" in f" {value}" for value in stated)  # nobody has answered anything on this table


def test_compare_lists_the_key_exclusions_a_trial_states():
    trials = pd.DataFrame([{"nct_id": "NCT00000071", "title": "t1"}, {"nct_id": "NCT00000072", "title": "t2"}])
    details = {
        "NCT00000071": {"eligibility_json": EligibilityThemes(prior_stem_cell_transplant_excluded=True,
                                                              recent_steroids_excluded=True).to_json()},
        "NCT00000072": {"eligibility_json": EligibilityThemes(prior_anti_cd20_excluded=False).to_json()},
    }
    table = trial_detail.comparison_table(trials, details)
    assert table.loc["Key exclusions", "NCT00000071"] == "Earlier stem cell transplant; Recent steroids"
    assert table.loc["Key exclusions", "NCT00000072"] == "none of the key ones stated"


def test_evidence_read_from_the_study_not_a_listed_treatment_does_not_quote_an_empty_name():
    evidence = {"other": [{"intervention": "", "matched": "(observational study without listed interventions)"}],
                "non_drug": [{"intervention": "  ", "matched": ""}]}
    rows = trial_detail.evidence_rows(json.dumps(evidence))
    assert rows == [("other", "observational study without listed interventions"), ("non_drug", "no listed treatment")]
    assert not any("“”" in text for _, text in rows)


@pytest.mark.parametrize("status, completion, expected", [
    ("RECRUITING", "2025-05-30", True),
    ("NOT_YET_RECRUITING", "2024", True),
    ("RECRUITING", "2025-09", False),  # partial: the end of September is not yet past on 20 Sep
    ("RECRUITING", "2025-08", True),
    ("RECRUITING", "2026-01-01", False),
    ("COMPLETED", "2020-01-01", False),
    ("RECRUITING", None, False),
    ("RECRUITING", "soon", False),
])
def test_a_running_status_past_its_completion_date_is_called_possibly_out_of_date(status, completion, expected):
    data_time = pd.Timestamp("2025-09-20", tz="UTC")
    note = trial_detail.stale_status_note(status, completion, data_time)
    assert (note is not None) == expected
    if expected:
        assert completion in note and "out of date" in note
    assert trial_detail.stale_status_note(status, completion, None) is None
