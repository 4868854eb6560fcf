"""Issue 9 §2: the quick check over a table never wrongly says "excluded"."""
from __future__ import annotations

import pandas as pd

from mstrials.explore import frame as F
from mstrials.explore.patient_match import VERDICT_EXCLUDED, VERDICT_NOT_STATED, PatientProfile, check_trials


def trials(*specs: dict) -> pd.DataFrame:
    base = {"nct_id": None, "title": "t", "status": "RECRUITING", "phases": "PHASE2", "start_date": "2020-01",
            "primary_completion_date": "2022-01", "mechanisms": "other", "countries": "", "progressive": 1}
    return F.prepare_trials(pd.DataFrame([{**base, **s} for s in specs])).frame.set_index("nct_id", drop=False)


def test_conditions_answer_the_type_when_criteria_are_silent_and_never_exclude():
    frame = trials({"nct_id": "NCT1", "title": "A drug in Secondary Progressive MS", "ms_types": "SPMS"},
                   {"nct_id": "NCT2", "ms_types": "PPMS|SPMS"},
                   {"nct_id": "NCT3", "ms_types": "SPMS", "ms_types_included": "RRMS|SPMS"})
    ppms = check_trials(frame, PatientProfile(ms_type="PPMS"))
    assert ppms.loc["NCT1", "verdict"] == VERDICT_NOT_STATED
    assert "Likely not" in ppms.loc["NCT1", "explanation"] and "list SPMS" in ppms.loc["NCT1", "explanation"]
    assert ppms.loc["NCT2", "verdict"] == VERDICT_NOT_STATED and "list PPMS, SPMS" in ppms.loc["NCT2", "explanation"]
    assert VERDICT_EXCLUDED not in set(ppms.loc[["NCT1", "NCT2"], "verdict"])
    # The criteria's own statement still decides when there is one.
    assert ppms.loc["NCT3", "verdict"] == VERDICT_EXCLUDED


# Written in the registry's style; by our reading none of them rules out a 50-year-old woman
# with PPMS and EDSS 6.0.
_WRITTEN = [
    "Inclusion Criteria:\n\n1. Diagnosed with multiple sclerosis (MS) or clinically isolated syndrome (CIS)\n"
    "2. Age 18 to 70 years\n\nExclusion Criteria:\n\n1. A clinical relapse within the last 30 days",
    "Inclusion Criteria:\n\n* Any form of MS\n* EDSS [2] score of <= 6.5\n\nExclusion Criteria:\n\n* Pregnancy",
    "Inclusion Criteria:\n\n* Progressive MS (primary or secondary)\n* EDSS >= 3.0 to 8.0, inclusive\n"
    "* Disease duration <= 20 years if EDSS 7.0 - 8.0; <= 15 years if EDSS 5.5 - 6.5\n\n"
    "Exclusion Criteria:\n\n* Relapse within 3 months",
    "Inclusion Criteria:\n\n* PPMS, SPMS or RRMS per the 2017 McDonald criteria\n* EDSS from 3.5 to 6.5 inclusive. "
    "Progression is an increase of 1.0 if baseline EDSS <= 5.5\n\nExclusion Criteria:\n\n* Pregnancy",
    "Inclusion Criteria:\n\n* Men and women aged 18-60\n* People with multiple sclerosis and/or CIS\n\n"
    "Exclusion Criteria:\n\n* Other neurological disease",
]


def test_written_texts_give_no_false_exclusion_for_ppms_edss_6_age_50():
    from mstrials.labels.eligibility import EXCLUDED, Person, extract_eligibility, quick_check

    person = Person(age=50, sex="FEMALE", ms_type="PPMS", edss=6.0)
    for criteria in _WRITTEN:
        themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
        assert quick_check(themes, person).overall != EXCLUDED, criteria


def test_a_trial_without_criteria_text_says_so_and_keeps_its_verdict():
    frame = trials({"nct_id": "NCT1", "max_age": 55, "has_criteria_text": False},
                   {"nct_id": "NCT2", "has_criteria_text": False},
                   {"nct_id": "NCT3", "edss_max": 6.5, "has_criteria_text": True})
    checks = check_trials(frame, PatientProfile(age=60, edss=6.0))
    # The age limit is a field of the record, not criteria text: it still excludes.
    assert checks.loc["NCT1", "verdict"] == VERDICT_EXCLUDED
    assert checks.loc["NCT2", "verdict"] == VERDICT_NOT_STATED
    for nct in ("NCT1", "NCT2"):
        assert checks.loc[nct, "explanation"].endswith(
            ". The criteria are not in this copy: read them on ClinicalTrials.gov.")
        assert not checks.loc[nct, "criteria_in_copy"]
    assert "not in this copy" not in checks.loc["NCT3", "explanation"] and checks.loc["NCT3", "criteria_in_copy"]


def test_a_likely_not_answer_leads_and_is_not_also_called_not_stated():
    frame = trials({"nct_id": "NCT1", "title": "A drug in Secondary Progressive MS", "ms_types": "SPMS"})
    explanation = check_trials(frame, PatientProfile(ms_type="PPMS", edss=6.0)).loc["NCT1", "explanation"]
    assert explanation.startswith("Likely not:"), explanation
    assert "Nothing stated excludes you" not in explanation  # read with "Likely not", that contradicted itself
    assert "Also not stated: EDSS" in explanation and "type of MS" not in explanation.split("Also not stated:")[1]


def test_a_ctis_trial_without_criteria_text_points_to_ctis():
    frame = trials({"nct_id": "2023-504359-29-01", "has_criteria_text": False},
                   {"nct_id": "NCT04047628", "has_criteria_text": False})
    checks = check_trials(frame, PatientProfile(age=50))
    assert checks.loc["2023-504359-29-01", "explanation"].endswith("read them on CTIS.")
    assert checks.loc["NCT04047628", "explanation"].endswith("read them on ClinicalTrials.gov.")
