"""Clinicians' view: EDSS window, ages and MS types as columns, and "accepts EDSS x" as a filter."""
from __future__ import annotations

import numpy as np
import pytest

from mstrials.explore import frame as F
from test_frame import rows


@pytest.fixture
def table() -> F.TrialTable:
    return F.prepare_trials(rows(
        {"nct_id": "NCT00000101", "edss_min": 3.0, "edss_max": 6.5, "min_age": 18, "max_age": 65,
         "ms_types_included": "PPMS|SPMS"},
        {"nct_id": "NCT00000102", "edss_min": 0.0, "edss_max": 5.5, "min_age": 18, "max_age": np.nan,
         "ms_types_included": "SPMS"},
        {"nct_id": "NCT00000103", "edss_min": np.nan, "edss_max": np.nan, "min_age": np.nan, "max_age": np.nan,
         "ms_types_included": ""},
        {"nct_id": "NCT00000104", "edss_min": 6.5, "edss_max": np.nan, "min_age": 25, "max_age": 55,
         "ms_types_included": "PROGRESSIVE_UNSPECIFIED"},
    ))


@pytest.mark.parametrize("score, expected", [
    (6.0, {"NCT00000101", "NCT00000103"}),
    (3.0, {"NCT00000101", "NCT00000102", "NCT00000103"}),
    (7.0, {"NCT00000103", "NCT00000104"}),
    (6.5, {"NCT00000101", "NCT00000103", "NCT00000104"}),
])
def test_accepts_edss_keeps_windows_that_include_the_score_and_those_that_do_not_say(table, score, expected):
    state = F.FilterState(progressive_only=False, accepts_edss=score)
    assert set(F.filter_trials(table, state)["nct_id"]) == expected


def test_the_edss_filter_round_trips_through_the_address(table):
    state = F.FilterState(accepts_edss=6.0)
    params = F.to_query_params(state)
    assert params == {"edss": "6.0"}
    parsed = F.parse_query_params(params, F.allowed_values(table))
    assert parsed.state == state and parsed.notices == ()


@pytest.mark.parametrize("bad", ["6.3", "11", "-1", "six", "nan"])
def test_a_bad_edss_in_the_address_is_ignored_with_a_notice(table, bad):
    parsed = F.parse_query_params({"edss": bad}, F.allowed_values(table))
    assert parsed.state.accepts_edss is None
    assert len(parsed.notices) == 1 and "edss" in parsed.notices[0]
    assert "half steps" in parsed.notices[0]  # 6.3 is a number, so say why it is not a score


def test_eligibility_columns_in_words(table):
    view = F.results_view(table.frame).set_index("nct_id")
    assert view.loc["NCT00000101", "edss_window"] == "3.0–6.5"
    assert view.loc["NCT00000102", "edss_window"] == "0.0–5.5"
    assert view.loc["NCT00000103", "edss_window"] == "not stated"
    assert view.loc["NCT00000104", "edss_window"] == "6.5 or more"
    assert view.loc["NCT00000101", "ages"] == "18–65"
    assert view.loc["NCT00000102", "ages"] == "18 or older"
    assert view.loc["NCT00000103", "ages"] == "not stated"
    assert view.loc["NCT00000101", "ms_types_accepted"] == "PPMS, SPMS"
    assert view.loc["NCT00000103", "ms_types_accepted"] == "not stated"


def test_the_filter_is_described_and_can_be_widened(table):
    state = F.FilterState(progressive_only=False, accepts_edss=9.5)
    assert "accepting EDSS 9.5 (or not saying)" in F.describe_filters(state)
    steps = dict(F.widening_steps(table, state))
    assert steps["Clear “Accepts EDSS”"] == 4
