"""One row per trial across registries (mstrials/store/linking.py), on small hand-made records."""
from __future__ import annotations

from mstrials.store.linking import (
    LinkRecord, link_groups, merge_rows, possibly_same, protocol_key, stated_ids, stated_protocol,
)
from study_factory import make_study


def _ctgov(nct_id: str, *secondary: str, protocol: str | None = None, title: str = "") -> LinkRecord:
    study = make_study(nct_id=nct_id)
    identification = study["protocolSection"]["identificationModule"]
    identification["secondaryIdInfos"] = [{"type": "OTHER", "domain": "EU CT number", "id": s} for s in secondary]
    if protocol:
        identification["orgStudyIdInfo"] = {"id": protocol}
    return LinkRecord(nct_id, "ctgov", tuple(stated_ids(study, nct_id)), stated_protocol(study), (title,) if title else ())


def _ctis(number: str, *listed: str, protocol: str | None = None, title: str = "") -> LinkRecord:
    return LinkRecord(number, "ctis", (number, *listed), protocol, (title,) if title else ())


def _ids(records, groups):
    return [[records[i].trial_id for i in group] for group in groups]


def test_eu_numbers_are_found_by_pattern_also_in_the_short_form():
    study = make_study(nct_id="NCT00000001")
    study["protocolSection"]["identificationModule"]["secondaryIdInfos"] = [
        {"type": "OTHER", "domain": "EU CTR", "id": "2022-501332-42"},
        {"type": "OTHER", "domain": "WHO", "id": "U1111-1281-5433"},
        {"type": "EUDRACT_NUMBER", "id": "EudraCT 2019-001234-12"},
    ]
    assert stated_ids(study, "NCT00000001") == ["NCT00000001", "2022-501332-42", "2019-001234-12"]
    records = [_ctgov("NCT00000001", "2022-501332-42"), _ctis("2022-501332-42-00"), _ctis("2023-500001-11-00")]
    assert _ids(records, link_groups(records)) == [["NCT00000001", "2022-501332-42-00"], ["2023-500001-11-00"]]


def test_a_ctis_record_listing_the_nct_id_links_too():
    records = [_ctis("2023-500002-22-00", "NCT00000002"), _ctgov("NCT00000002")]
    assert _ids(records, link_groups(records)) == [["NCT00000002", "2023-500002-22-00"]]


def test_protocol_codes_link_without_case_spaces_or_dashes_but_only_real_codes():
    assert protocol_key("IM047-050") == protocol_key(" im047 050 ") == protocol_key("IM047–050") == "im047050"
    assert protocol_key("N/A") is None and protocol_key("1") is None and protocol_key("PROTOCOL") is None
    records = [_ctgov("NCT00000003", protocol="IM047-050"), _ctis("2022-500003-33-00", protocol="im047 050"),
               _ctgov("NCT00000004", protocol="N/A"), _ctis("2022-500004-44-00", protocol="N/A")]
    assert _ids(records, link_groups(records)) == [
        ["NCT00000003", "2022-500003-33-00"], ["NCT00000004"], ["2022-500004-44-00"]]


def test_a_protocol_code_shared_by_two_clinicaltrials_studies_links_nothing():
    records = [_ctgov("NCT00000005", protocol="ABC-12345"), _ctgov("NCT00000006", protocol="ABC-12345"),
               _ctis("2022-500005-55-00", protocol="ABC 12345")]
    assert _ids(records, link_groups(records)) == [["NCT00000005"], ["NCT00000006"], ["2022-500005-55-00"]]


def test_two_clinicaltrials_studies_are_never_one_row():
    records = [_ctis("2022-500007-77-00", "NCT00000007", "NCT00000008"), _ctgov("NCT00000007"), _ctgov("NCT00000008")]
    assert sorted(map(len, link_groups(records))) == [1, 1, 1]


def test_the_highest_resubmission_is_the_row():
    records = [_ctis("2022-500009-99-00"), _ctis("2022-500009-99-02"), _ctis("2022-500009-99-01")]
    assert _ids(records, link_groups(records)) == [["2022-500009-99-02", "2022-500009-99-01", "2022-500009-99-00"]]


def test_close_titles_alone_never_merge_but_give_a_hint():
    title = "A Randomised Trial of Drug X Versus Placebo in Progressive Multiple Sclerosis Patients"
    records = [_ctgov("NCT00000010", title=title), _ctis("2024-500010-10-00", title=title.upper() + " (PARTNER)"),
               _ctgov("NCT00000011", title="An Observational Registry of Pregnancy Outcomes in Women Treated")]
    groups = link_groups(records)
    assert _ids(records, groups) == [["NCT00000010"], ["2024-500010-10-00"], ["NCT00000011"]]
    assert possibly_same(records, groups) == {"2024-500010-10-00": ["NCT00000010"], "NCT00000010": ["2024-500010-10-00"]}


def test_merged_rows_keep_clinicaltrials_values_and_fill_gaps_from_ctis():
    rows = [
        {"nct_id": "2022-501332-42-00", "registry": "ctis", "registry_ids": "2022-501332-42-00|2019-001234-12",
         "protocol_code": None, "title": "CTIS title", "sponsor": "CTIS sponsor", "enrollment": 40, "countries": "Spain"},
        {"nct_id": "NCT06408259", "registry": "ctgov", "registry_ids": "NCT06408259|2022-501332-42",
         "protocol_code": None, "title": "CT.gov title", "sponsor": "", "enrollment": None, "countries": "Italy"},
        {"nct_id": "NCT00000012", "registry": "ctgov", "registry_ids": "NCT00000012", "protocol_code": None,
         "title": "Other", "sponsor": "S", "enrollment": 1, "countries": ""},
    ]
    merged = merge_rows(rows)
    assert [row["nct_id"] for row in merged] == ["NCT06408259", "NCT00000012"]
    first = merged[0]
    assert (first["title"], first["sponsor"], first["enrollment"], first["countries"]) == (
        "CT.gov title", "CTIS sponsor", 40, "Italy")
    assert first["registry_ids"] == "NCT06408259|2022-501332-42-00|2019-001234-12"
    assert first["registries"] == "ClinicalTrials.gov|CTIS"
    assert (merged[1]["registry_ids"], merged[1]["registries"]) == ("NCT00000012", "ClinicalTrials.gov")


def test_two_ctis_trials_are_never_one_row_even_when_one_study_names_both():
    records = [_ctgov("NCT00000031", "2022-500031-31-00", "2023-500032-32-00"),
               _ctis("2022-500031-31-00"), _ctis("2023-500032-32-00")]
    assert _ids(records, link_groups(records)) == [["NCT00000031"], ["2022-500031-31-00"], ["2023-500032-32-00"]]
    # Resubmissions of one CTIS trial are one trial: they still join the study that names it.
    records = [_ctgov("NCT00000033", "2022-500033-33"), _ctis("2022-500033-33-00"), _ctis("2022-500033-33-01")]
    assert len(link_groups(records)) == 1


def test_close_titles_of_trials_of_different_kinds_of_drug_give_no_hint():
    # Phase 3 titles are boilerplate: a BTK-inhibitor trial and an anti-CD40L trial in the same population
    # can share almost every title word.
    from dataclasses import replace

    title = "A Phase 3 Randomized Double-blind Efficacy and Safety Study in Non-relapsing Secondary Progressive MS"
    btk = replace(_ctgov("NCT00000020", title=title), mechanisms=frozenset({"b_cell", "microglia"}))
    cd40l = replace(_ctis("2024-500020-20-00", title=title + " (TRIAL-B)"), mechanisms=frozenset({"anti_inflammatory"}))
    same_drug = replace(_ctis("2024-500021-21-00", title=title + " (TRIAL-A)"), mechanisms=frozenset({"microglia"}))
    unknown = _ctis("2024-500022-22-00", title=title + " (TRIAL-C)")  # what it tests is not known: still a hint
    only_other = replace(_ctis("2024-500023-23-00", title=title + " (TRIAL-D)"), mechanisms=frozenset({"other"}))
    records = [btk, cd40l, same_drug, unknown, only_other]
    hints = possibly_same(records, link_groups(records))
    assert sorted(hints["NCT00000020"]) == ["2024-500021-21-00", "2024-500022-22-00", "2024-500023-23-00"]
    assert "2024-500020-20-00" not in hints


def test_a_row_gives_linking_its_mechanisms():
    from mstrials.store.linking import record_of_row

    record = record_of_row({"nct_id": "NCT00000030", "registry": "ctgov", "mechanisms": "b_cell|microglia"})
    assert record.mechanisms == frozenset({"b_cell", "microglia"})
    assert record_of_row({"nct_id": "NCT00000031", "mechanisms": None}).mechanisms == frozenset()


def test_the_app_frame_passes_mechanisms_to_the_hints():
    import pandas as pd

    from mstrials.explore.registry_rows import link_frame

    title = "A Phase 3 Randomized Double-blind Efficacy and Safety Study in Non-relapsing Secondary Progressive MS"
    frame = pd.DataFrame([
        {"nct_id": "NCT00000040", "registry": "ctgov", "registry_ids": "NCT00000040", "protocol_code": None,
         "title": title, "official_title": None, "mechanisms": "b_cell|microglia"},
        {"nct_id": "2024-500040-40-00", "registry": "ctis", "registry_ids": "2024-500040-40-00", "protocol_code": None,
         "title": title + " (B)", "official_title": None, "mechanisms": "anti_inflammatory"},
    ])
    assert link_frame(frame)["possibly_same"].fillna("").eq("").all()
