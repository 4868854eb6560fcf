"""The extractor over the real records in ../shared/ctgov/studies*/.

The expected values were worked out by reading each record's eligibility text:

* NCT03569618: "MS or CIS" takes every type of MS and CIS (issue 9); "A clinical relapse within the last 30
  days" and "Steroid treatment ... within the last 30 days" are exclusions; no EDSS.
* NCT06113666: "Currently in an attack phase of MS and/or on treatment with steroids" excludes
  current steroid use, with no time window; nothing else of ours.
* NCT06136923: a digital-therapeutics study with none of our themes in its text.
* NCT04047628: "EDSS <= 6.0"; relapsing MS taken, "primary progressive MS" excluded ("progressive
  multifocal leukoencephalopathy" is not an MS type); anti-CD20 drugs are qualifying prior
  therapies (allowed); "Prior history of AHSCT" excluded; relapse and IV methylprednisolone
  within one month (the window is in the lead-in line of the nested items).
* NCT06408259: "EDSS score of 0 to 5.5, both inclusive" on an escaped-hyphen line; relapsing
  remitting course taken, "progressive forms of MS" excluded; the relapses it names are
  requirements, not exclusions.
* NCT06433752: "have not received any BRIUMVI (ublituximab-xiiy) infusion": prior anti-CD20 use
  excludes; the vaccine timing "prior to first BRIUMVI administration" is not prior use.
* NCT06441617: "No MS relapse / no steroid treatment in the 4 weeks prior to answering".
* NCT06655896 (in the recorded search response; scleroderma, not MS): none of our themes.
"""
from __future__ import annotations

import json

import pytest

from mstrials.labels.eligibility import extract_eligibility

EXPECTED = {
    "NCT03569618": dict(edss_min=None, edss_max=None, min_age=18.0, max_age=71.0, sex="ALL", healthy_volunteers=False,
                        ms_types_included="PPMS|SPMS|RRMS|CIS", ms_types_excluded="", prior_anti_cd20_excluded=None,
                        prior_stem_cell_transplant_excluded=None, relapse_free_months=1, steroid_free_days=30),
    "NCT06113666": dict(edss_min=None, edss_max=None, min_age=18.0, max_age=None, sex="ALL", healthy_volunteers=False,
                        ms_types_included="", ms_types_excluded="", prior_anti_cd20_excluded=None,
                        prior_stem_cell_transplant_excluded=None, relapse_free_months=None, steroid_free_days=None),
    "NCT06136923": dict(edss_min=None, edss_max=None, min_age=22.0, max_age=65.0, sex="ALL", healthy_volunteers=False,
                        ms_types_included="", ms_types_excluded="", prior_anti_cd20_excluded=None,
                        prior_stem_cell_transplant_excluded=None, relapse_free_months=None, steroid_free_days=None),
    "NCT04047628": dict(edss_min=None, edss_max=6.0, min_age=18.0, max_age=55.0, sex="ALL", healthy_volunteers=False,
                        ms_types_included="RRMS", ms_types_excluded="PPMS", prior_anti_cd20_excluded=False,
                        prior_stem_cell_transplant_excluded=True, relapse_free_months=1, steroid_free_days=30),
    "NCT06408259": dict(edss_min=0.0, edss_max=5.5, min_age=10.0, max_age=17.0, sex="ALL", healthy_volunteers=False,
                        ms_types_included="RRMS", ms_types_excluded="PROGRESSIVE_UNSPECIFIED", prior_anti_cd20_excluded=None,
                        prior_stem_cell_transplant_excluded=None, relapse_free_months=None, steroid_free_days=None),
    "NCT06433752": dict(edss_min=None, edss_max=None, min_age=18.0, max_age=None, sex="ALL", healthy_volunteers=False,
                        ms_types_included="", ms_types_excluded="", prior_anti_cd20_excluded=True,
                        prior_stem_cell_transplant_excluded=None, relapse_free_months=None, steroid_free_days=None),
    "NCT06441617": dict(edss_min=None, edss_max=None, min_age=22.0, max_age=None, sex="ALL", healthy_volunteers=False,
                        ms_types_included="", ms_types_excluded="", prior_anti_cd20_excluded=None,
                        prior_stem_cell_transplant_excluded=None, relapse_free_months=1, steroid_free_days=28),
}


def load_records(ctgov_dir):
    files = sorted((ctgov_dir / "studies").glob("NCT*.json")) + sorted((ctgov_dir / "studies_partial").glob("NCT*.json"))
    return {path.stem: json.loads(path.read_text()) for path in files}


def test_every_real_record_is_covered(ctgov_dir):
    assert set(load_records(ctgov_dir)) == set(EXPECTED)


@pytest.mark.parametrize("nct_id", sorted(EXPECTED))
def test_real_record_themes(ctgov_dir, nct_id):
    themes = extract_eligibility(load_records(ctgov_dir)[nct_id])
    assert themes.to_row() == EXPECTED[nct_id]


def test_real_sources_are_exact_substrings(ctgov_dir):
    for nct_id, record in load_records(ctgov_dir).items():
        criteria = record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
        for snippet in extract_eligibility(record).sources:
            assert criteria[snippet.start:snippet.end] == snippet.text, nct_id


def test_real_record_details(ctgov_dir):
    records = load_records(ctgov_dir)
    steroids = extract_eligibility(records["NCT06113666"])
    assert steroids.recent_steroids_excluded is True
    assert [s.text for s in steroids.sources_for("steroids")] == [
        "Currently in an attack phase of MS and/or on treatment with steroids,"
    ]
    beat = extract_eligibility(records["NCT04047628"])
    assert [s.text for s in beat.sources_for("edss")] == ["EDSS ≤ 6.0 at the time of randomization (Day 0)."]
    assert [s.text for s in beat.sources_for("prior_stem_cell_transplant")] == ["Prior history of AHSCT."]
    pediatric = extract_eligibility(records["NCT06408259"])
    (edss,) = pediatric.sources_for("edss")
    assert edss.text == "Has an Expanded Disability Status Scale (EDSS) score of 0 to 5.5, both inclusive."


def test_the_recorded_search_response(ctgov_dir):
    payload = json.loads((ctgov_dir / "responses" / "search_ms_recruiting_portland50mi_fields-subset.json").read_text())
    records = load_records(ctgov_dir)
    for raw in payload["studies"]:
        nct_id = raw["protocolSection"]["identificationModule"]["nctId"]
        themes = extract_eligibility(raw)
        if nct_id in records:
            assert themes == extract_eligibility(records[nct_id])
        else:
            # NCT06655896, a scleroderma study: "hypersensitivity ... to rituximab" and "treatment
            # with rituximab is clinically inappropriate" are not prior-therapy exclusions, and
            # "progressive systemic sclerosis" is not progressive MS.
            assert nct_id == "NCT06655896"
            assert themes.to_row() == dict(
                edss_min=None, edss_max=None, min_age=18.0, max_age=70.0, sex="ALL", healthy_volunteers=False,
                ms_types_included="", ms_types_excluded="", prior_anti_cd20_excluded=None,
                prior_stem_cell_transplant_excluded=None, relapse_free_months=None, steroid_free_days=None,
            )
