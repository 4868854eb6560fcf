"""The remembered eligibility columns: studies that share an eligibility section share its columns,
and anything extract_eligibility reads that differs gives the columns of its own reading."""
from __future__ import annotations

import pytest

from mstrials.labels import derive
from mstrials.labels.eligibility import extract_eligibility
from tests.study_factory import make_study

CRITERIA = (
    "Inclusion Criteria:\n\n* Diagnosis of primary progressive multiple sclerosis\n"
    "* EDSS score between 3.0 and 6.5 inclusive at screening\n\n"
    "Exclusion Criteria:\n\n* Treatment with ocrelizumab or rituximab within 12 months before screening\n"
    "* Relapse within 30 days before baseline"
)
ELIGIBILITY_COLUMNS = ("eligibility_json", "edss_min", "edss_max", "min_age", "max_age", "sex",
                       "healthy_volunteers", "ms_types_included", "prior_anti_cd20_excluded")


def study_with(nct_id: str = "NCT00000001", **eligibility) -> dict:
    module = {"eligibilityCriteria": CRITERIA, "minimumAge": "18 Years", "maximumAge": "65 Years",
              "sex": "ALL", "healthyVolunteers": False, **eligibility}
    return make_study(nct_id=nct_id, eligibilityModule=module)


def unremembered(study: dict) -> dict:
    derive._eligibility_memo.clear()
    return derive.derive_columns(study)


@pytest.mark.parametrize("change", [
    {"sex": "FEMALE"},
    {"maximumAge": "55 Years"},
    {"healthyVolunteers": 1},  # not the same reading as False/True: the key keeps the type
    {"healthyVolunteers": True},
    {"eligibilityCriteria": CRITERIA.replace("6.5", "5.5")},
    {"stdAges": ["ADULT"]},
])
def test_a_study_differing_in_what_eligibility_reads_gets_its_own_columns(change):
    derive._eligibility_memo.clear()
    derive.derive_columns(study_with())  # remembered first
    changed = study_with("NCT00000002", **change)
    columns = derive.derive_columns(changed)
    assert columns == unremembered(changed)


def test_a_study_sharing_the_eligibility_section_gets_the_same_columns_as_its_own_reading():
    first = derive.derive_columns(study_with("NCT00000001"))
    second = derive.derive_columns(study_with("NCT00000002", extra="ignored by the reading"))
    assert {name: second[name] for name in ELIGIBILITY_COLUMNS} == {name: first[name] for name in ELIGIBILITY_COLUMNS}
    assert second["edss_min"] == 3.0 and second["edss_max"] == 6.5
    assert second["eligibility_json"] == extract_eligibility(study_with("NCT00000002")).to_json()


def test_a_section_holding_an_unhashable_value_is_read_without_the_memo():
    study = study_with(stdAges=[{"odd": "object"}])
    derive._eligibility_memo.clear()
    columns = derive.derive_columns(study)
    assert not derive._eligibility_memo
    assert columns["edss_max"] == 6.5
