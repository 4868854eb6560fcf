"""Issue 9 §2: the quick check over a table never wrongly says "excluded"."""
from __future__ import annotations

import pandas as pd

from mstrials import frame as F
from mstrials.patient_match import VERDICT_EXCLUDED, VERDICT_NOT_STATED, PatientProfile, check_trials


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
