"""The structured fields: ages in every unit the registry uses, sex, healthy volunteers."""
from __future__ import annotations

import json

import pytest

from mstrials.labels.eligibility import age_to_years, extract_eligibility

DAY = 1 / 365.25


@pytest.mark.parametrize("raw, years", [
    ("18 Years", 18.0),
    ("1 Year", 1.0),
    ("65 years", 65.0),
    (" 18 Years ", 18.0),
    ("1.5 Years", 1.5),
    ("6 Months", 0.5),
    ("24 Months", 2.0),
    ("1 Month", 1 / 12),
    ("2 Weeks", 14 * DAY),
    ("27 Weeks", 27 * 7 * DAY),
    ("28 Days", 28 * DAY),
    ("3 Days", 3 * DAY),
    ("12 Hours", 0.5 * DAY),
    ("72 Hours", 3 * DAY),
    ("30 Minutes", DAY / 48),
])
def test_age_units(raw, years):
    assert age_to_years(raw) == pytest.approx(years, rel=1e-12)


@pytest.mark.parametrize("raw", [None, "", "N/A", "n/a", "NA", "18", 18, 18.0, True, "Years", "eighteen years", "18 Parsecs", ["18 Years"], {"v": 1}])
def test_unreadable_or_missing_age_is_none(raw):
    assert age_to_years(raw) is None


def module(**fields) -> dict:
    return {"protocolSection": {"eligibilityModule": fields}}


def test_structured_fields_of_a_study():
    themes = extract_eligibility(module(minimumAge="6 Months", maximumAge="17 Years", sex="FEMALE", healthyVolunteers=True,
                                        stdAges=["CHILD"]))
    assert (themes.min_age, themes.max_age) == (0.5, 17.0)
    assert (themes.min_age_text, themes.max_age_text) == ("6 Months", "17 Years")
    assert themes.sex == "FEMALE"
    assert themes.healthy_volunteers is True
    assert themes.std_ages == ("CHILD",)


@pytest.mark.parametrize("fields, sex, healthy", [
    ({"sex": "ALL", "healthyVolunteers": False}, "ALL", False),
    ({"sex": "MALE"}, "MALE", None),
    ({"sex": "female"}, "FEMALE", None),
    ({"sex": "Both"}, "ALL", None),
    ({"sex": "UNKNOWN", "healthyVolunteers": "maybe"}, None, None),
    ({"sex": None, "healthyVolunteers": None}, None, None),
    ({"sex": 3, "healthyVolunteers": 1}, None, None),
    ({}, None, None),
])
def test_sex_and_healthy_volunteers(fields, sex, healthy):
    themes = extract_eligibility(module(**fields))
    assert themes.sex == sex
    assert themes.healthy_volunteers is healthy


def test_missing_bounds_are_none():
    themes = extract_eligibility(module(minimumAge="18 Years", maximumAge="N/A"))
    assert (themes.min_age, themes.max_age) == (18.0, None)
    themes = extract_eligibility(module())
    assert (themes.min_age, themes.max_age) == (None, None)


# Read from the real response: the shapes of minimumAge / maximumAge / sex per NCT id.
REAL_SHAPES = {
    "NCT02706561": (21.0, None, "MALE", False),
    "NCT06096870": (18.0, 120.0, "MALE", False),
    "NCT07000786": (18.0, 56.0, "FEMALE", True),
    "NCT01066728": (27 * 7 * DAY, 32 * 7 * DAY, "ALL", False),
    "NCT02210026": (6 / 24 * DAY, 3 * DAY, "ALL", False),
    "NCT00113191": (3 * DAY, 5 * DAY, "ALL", False),
    "NCT01271491": (None, 2.0, "ALL", False),
    "NCT06737159": (5 * 7 * DAY, 2.0, "ALL", False),
    "NCT02138032": (None, None, "ALL", False),
    "NCT00157079": (2.0, None, "ALL", False),
    "NCT00132080": (0.5, 18.0, "ALL", False),
}


def test_real_odd_age_and_sex_shapes(ctgov_dir):
    payload = json.loads((ctgov_dir / "responses" / "filter_ids_age_sex_shapes_fields-subset.json").read_text())
    seen = set()
    for raw in payload["studies"]:
        nct_id = raw["protocolSection"]["identificationModule"]["nctId"]
        low, high, sex, healthy = REAL_SHAPES[nct_id]
        themes = extract_eligibility(raw)
        assert themes.min_age == (pytest.approx(low, rel=1e-12) if low is not None else None), nct_id
        assert themes.max_age == (pytest.approx(high, rel=1e-12) if high is not None else None), nct_id
        assert themes.sex == sex, nct_id
        assert themes.healthy_volunteers is healthy, nct_id
        seen.add(nct_id)
    assert seen == set(REAL_SHAPES)
