"""CTIS files and the mapping to the v2 study shape, on the real export and retrieve records."""
from __future__ import annotations

import copy
import json

import pytest

from mstrials.labels.classify import classify_study
from mstrials.sources.ctis_files import (
    age_limits, clean_product_name, ctis_url, is_ctis_number, is_eudract_number, iso_date, latest_resubmissions,
    looks_like_ctis, parse_country_statuses, read_ctis_file, split_products, to_v2_study,
)
from mstrials.sources.ctis_vocab import ctis_phases, ctis_sponsor_class, ctis_status
from mstrials.sources.ctgov_files import SourceError
from tests.conftest import SHARED_DIR, require_shared

CSV_FILE = SHARED_DIR / "ctis" / "ctis_ms_trials_2025-09-24.csv"
RETRIEVE_DIR = SHARED_DIR / "ctis" / "retrieve"


@pytest.fixture(scope="module")
def csv_items():
    return list(read_ctis_file(require_shared(CSV_FILE), warn=pytest.fail))


@pytest.fixture(scope="module")
def csv_studies(csv_items):
    return {item.study["Trial number"]: to_v2_study(item.study) for item in csv_items}


def _ids(study: dict) -> dict[str, str]:
    return {i["type"]: i["id"] for i in study["protocolSection"]["identificationModule"]["secondaryIdInfos"]}


def test_all_104_trials_parse_with_mapped_status_and_phase(csv_items, csv_studies):
    assert len(csv_items) == 104 and len(csv_studies) == 104
    statuses = {n: s["protocolSection"]["statusModule"]["overallStatus"] for n, s in csv_studies.items()}
    assert "UNKNOWN" not in statuses.values()
    assert all(s["protocolSection"]["designModule"].get("phases") for s in csv_studies.values())
    raw = {item.study["Trial number"]: item.study for item in csv_items}
    expected = {"Ongoing, recruiting": "RECRUITING", "Authorised, recruiting": "RECRUITING",
                "Authorised, recruitment pending": "NOT_YET_RECRUITING", "Ongoing, recruitment ended": "ACTIVE_NOT_RECRUITING",
                "Ended": "COMPLETED", "Temporarily halted": "SUSPENDED"}
    assert all(statuses[n] == expected[raw[n]["Overall trial status"]] for n in raw)


def test_known_trial_fields(csv_studies):
    study = csv_studies["2022-501332-42-00"]["protocolSection"]
    assert study["identificationModule"]["orgStudyIdInfo"]["id"] == "IM047-050"
    assert study["identificationModule"]["nctId"] is None
    assert _ids(csv_studies["2022-501332-42-00"])["CTIS"] == "2022-501332-42-00"
    assert study["designModule"]["phases"] == ["PHASE3"]
    assert study["statusModule"]["startDateStruct"]["date"] == "2025-02-26"
    assert study["statusModule"]["lastUpdatePostDateStruct"]["date"] == "2025-04-16"
    assert study["sponsorCollaboratorsModule"]["leadSponsor"] == {"name": "Celgene International II S.a.r.l.", "class": "INDUSTRY"}
    places = {(loc["country"], loc["status"]) for loc in study["contactsLocationsModule"]["locations"]}
    assert places == {("Spain", "RECRUITING"), ("Poland", "RECRUITING"), ("Portugal", "RECRUITING"),
                      ("Italy", "RECRUITING"), ("Romania", "RECRUITING")}
    assert study["eligibilityModule"]["minimumAge"] == "0 Years" and study["eligibilityModule"]["maximumAge"] == "17 Years"


def test_ocrevus_trial_product_name_and_label(csv_studies):
    study = copy.deepcopy(csv_studies["2024-513193-22-00"])
    names = [i["name"] for i in study["protocolSection"]["armsInterventionsModule"]["interventions"]]
    assert names == ["Ocrevus"]
    assert study["protocolSection"]["eligibilityModule"]["minimumAge"] == "18 Years"
    assert "maximumAge" not in study["protocolSection"]["eligibilityModule"]
    assert study["protocolSection"]["eligibilityModule"]["sex"] == "ALL"
    # The title names ocrelizumab; take it away so only the product name can give the label.
    identification = study["protocolSection"]["identificationModule"]
    identification.update(nctId="NCT00000000", briefTitle="A trial", officialTitle="A trial")
    assert "b_cell" in classify_study(study).mechanisms


def test_titles_keep_multi_line_cells_as_one_line(csv_studies):
    title = csv_studies["2024-513193-22-00"]["protocolSection"]["identificationModule"]["briefTitle"]
    assert title.endswith("(BLOOMS): a randomized controlled trial") and "\n" not in title


@pytest.mark.parametrize("name", ["2023-505613-24-00", "2024-510663-34-00"])
def test_retrieve_records_map_with_countries_and_sites(name):
    path = require_shared(RETRIEVE_DIR / f"{name}.json")
    assert looks_like_ctis(path)
    (item,) = list(read_ctis_file(path))
    study = to_v2_study(item.study)
    section = study["protocolSection"]
    locations = section["contactsLocationsModule"]["locations"]
    sites = [loc for loc in locations if loc.get("facility")]
    raw_sites = sum(len(p["trialSites"]) for p in item.study["authorizedApplication"]["authorizedPartsII"])
    assert len(sites) == raw_sites > 0 and all(site.get("city") for site in sites)
    assert {p["mscInfo"]["countryName"] for p in item.study["authorizedApplication"]["authorizedPartsII"]} <= {loc["country"] for loc in locations}
    ids = _ids(study)
    assert ids["CTIS"] == name and is_eudract_number(ids["EUDRACT_NUMBER"]) and ids["REGISTRY"].startswith("NCT")
    assert section["statusModule"]["overallStatus"] == "RECRUITING"  # public status code 4
    assert section["designModule"]["phases"] == ["PHASE2"]
    assert "Inclusion Criteria:" in section["eligibilityModule"]["eligibilityCriteria"]
    assert section["outcomesModule"]["primaryOutcomes"]


def test_search_page_and_record_list_files(tmp_path):
    records = [json.loads(p.read_text()) for p in sorted(require_shared(RETRIEVE_DIR).glob("*.json"))]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"pagination": {"page": 1, "totalRecords": 2}, "data": [
        {"ctNumber": "2024-512345-10-00", "ctStatus": 5, "ctTitle": "A trial", "trialPhase": "Therapeutic use (Phase IV)",
         "trialCountries": ["Spain:4", "France:8"], "product": "Kesimpta 20 mg solution for injection in pre-filled pen"},
        {"ctNumber": "not a number"}]}))
    warnings = []
    items = list(read_ctis_file(page, warn=warnings.append))
    assert len(items) == 1 and len(warnings) == 1 and "item 2" in warnings[0]
    section = to_v2_study(items[0].study)["protocolSection"]
    assert section["statusModule"]["overallStatus"] == "ACTIVE_NOT_RECRUITING"
    assert {(loc["country"], loc["status"]) for loc in section["contactsLocationsModule"]["locations"]} == {("Spain", "RECRUITING"), ("France", "COMPLETED")}
    assert section["armsInterventionsModule"]["interventions"][0]["name"] == "Kesimpta"
    listed = tmp_path / "records.json"
    listed.write_text(json.dumps(records))
    assert [i.study["ctNumber"] for i in read_ctis_file(listed)] == [r["ctNumber"] for r in records]


def test_malformed_csv_rows_are_skipped_and_other_files_refused(tmp_path):
    text = require_shared(CSV_FILE).read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    broken = tmp_path / "export.csv"
    broken.write_text("\ufeff" + header + "\nnot-a-number,x,y\n" + rest, encoding="utf-8")
    warnings = []
    assert len(list(read_ctis_file(broken, warn=warnings.append))) == 104
    assert len(warnings) == 1 and "line 2" in warnings[0]
    other = tmp_path / "studies.json"
    other.write_text(json.dumps({"studies": []}))
    assert not looks_like_ctis(other)
    with pytest.raises(SourceError, match="studies.json") as caught:
        list(read_ctis_file(other))
    assert "\n" not in str(caught.value)
    assert not looks_like_ctis(b"NCT id,Title\nNCT1,x\n")


def test_numbers_and_links():
    assert is_ctis_number("2022-501332-42-00")
    assert not is_ctis_number("2022-401332-42-00") and not is_ctis_number("2022-501332-42")
    assert not is_ctis_number("２022-501332-42-00")  # full-width digit
    assert is_eudract_number("2019-003842-34") and not is_eudract_number("2019-003842-34-00")
    assert latest_resubmissions(["2022-501332-42-00", "2023-500001-11-00", "2022-501332-42-02", "2022-501332-42-01"]) == [
        "2022-501332-42-02", "2023-500001-11-00"]
    assert ctis_url("2022-501332-42-00") == "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT=2022-501332-42-00"
    with pytest.raises(ValueError):
        ctis_url("2022-501332-42-00&x=<script>")


def test_vocabularies():
    assert ctis_status("Ongoing, recruiting") == ctis_status("Authorised, recruiting") == ctis_status(4) == "RECRUITING"
    assert ctis_status("Authorised, recruitment pending") == ctis_status(2) == "NOT_YET_RECRUITING"
    assert ctis_status("Ongoing, recruitment ended") == "ACTIVE_NOT_RECRUITING"
    assert ctis_status("Ended") == ctis_status("8") == "COMPLETED"
    assert ctis_status("Temporarily halted") == "SUSPENDED"
    assert ctis_status("Revoked") == "TERMINATED" and ctis_status("Cancelled") == "WITHDRAWN"
    assert ctis_status("Something new") == ctis_status(99) == ctis_status(True) == "UNKNOWN"
    assert ctis_phases("Therapeutic confirmatory  (Phase III)") == ("PHASE3",)
    assert ctis_phases("Phase I and Phase II (Integrated)- First administration to humans") == ("PHASE1", "PHASE2")
    assert ctis_phases("Phase III and phase IV (Integrated)") == ("PHASE3", "PHASE4")
    assert ctis_phases("Human Pharmacology (Phase I)- Bioequivalence Study") == ("PHASE1",)
    assert ctis_phases("Therapeutic exploratory (Phase II)") == ("PHASE2",)
    assert ctis_phases("Therapeutic use (Phase IV)") == ("PHASE4",)
    assert ctis_phases("N/A") == ()
    assert ctis_sponsor_class("Pharmaceutical company, Pharmaceutical company") == "INDUSTRY"
    assert ctis_sponsor_class("Hospital/Clinic/Other health care facility") == "OTHER"
    assert ctis_sponsor_class("Unheard-of type", commercial=True) == "INDUSTRY"


def test_cell_parsers():
    assert clean_product_name("Ocrevus 300 mg concentrate for solution for infusion") == "Ocrevus"
    assert clean_product_name("AUBAGIO 14 mg film-coated tablets") == "AUBAGIO"
    assert clean_product_name("Fenebrutinib") == "Fenebrutinib"
    assert split_products("Glatiramyl 40 mg/ml, oplossing voor injectie, Zeposia 0.92 mg hard capsules, Zeposia 0.92 mg hard capsules") == [
        "Glatiramyl 40 mg/ml, oplossing voor injectie", "Zeposia 0.92 mg hard capsules"]
    assert parse_country_statuses("Belgium:Ongoing, recruitment ended, France:Ended\nAustria:Authorised, recruiting") == [
        ("Belgium", "Ongoing, recruitment ended"), ("France", "Ended"), ("Austria", "Authorised, recruiting")]
    assert age_limits("18-64 years, 65+ years") == {"minimumAge": "18 Years", "stdAges": ["ADULT", "OLDER_ADULT"]}
    assert age_limits("65+ years, 18-64 years", "65-84 years") == {"minimumAge": "18 Years", "maximumAge": "84 Years", "stdAges": ["ADULT", "OLDER_ADULT"]}
    assert age_limits("0-17 years", "6-11 years, 12-17 years") == {"minimumAge": "6 Years", "maximumAge": "17 Years", "stdAges": ["CHILD"]}
    assert age_limits("N/A") == {}


# A small export of our own, in the portal's layout (made-up trials).
OWN_HEADER = ("Trial number,Protocol code,Title of the trial,Overall trial status,Location(s) and recruitment status,"
              "Age group,Gender,Trial region,Medical conditions,Trial phase,Product,Decision date,Start date,End date,"
              "Sponsor/Co-Sponsors,Sponsor type,Last updated")


def _own_row(number: str, title: str = "A made-up trial in multiple sclerosis", updated: str = "16/06/2025",
             start: str = "01/02/2024") -> str:
    return (f'{number},N/A,"{title}","Ongoing, recruiting","Spain:Ongoing, recruiting","18-64 years",All,'
            f'Single country,Multiple sclerosis,"Therapeutic exploratory (Phase II)",Made-up product,'
            f'01/01/2024,{start},N/A,Made-up sponsor,Commercial,{updated}')


def _own_export(tmp_path, *rows: str, header: str = OWN_HEADER):
    path = tmp_path / "own_export.csv"
    path.write_text("\ufeff" + header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_damaged_export_header_is_named_in_one_line(tmp_path):
    row = _own_row("2024-500001-11-00")
    cases = {
        "semicolons": (OWN_HEADER.replace(",", ";"), row.replace(",", ";"), "comma-separated"),
        "renamed": (OWN_HEADER.replace("Trial number", "Trial ID"), row, "'Trial number' missing"),
        "twice": (OWN_HEADER + ",Trial number", row + ",2024-500001-11-00", "'Trial number' twice"),
    }
    for name, (header, line, expected) in cases.items():
        path = _own_export(tmp_path, line, header=header)
        assert looks_like_ctis(path), name  # read as a CTIS export, so its own reader says what is wrong
        with pytest.raises(SourceError) as caught:
            list(read_ctis_file(path, warn=lambda _: None))
        assert expected in str(caught.value) and "\n" not in str(caught.value), (name, str(caught.value))


def test_an_export_with_no_readable_trial_fails_instead_of_importing_nothing(tmp_path):
    with pytest.raises(SourceError, match="only the header"):
        list(read_ctis_file(_own_export(tmp_path), warn=lambda _: None))
    with pytest.raises(SourceError, match="all 1 rows were skipped"):
        list(read_ctis_file(_own_export(tmp_path, "not-a-number,x"), warn=lambda _: None))


def test_unreadable_or_impossible_dates_skip_their_row_and_a_huge_cell_is_read(tmp_path):
    warnings = []
    path = _own_export(tmp_path, _own_row("2024-500002-22-00", updated="17.09.2024"),
                       _own_row("2024-500003-33-00", start="31/02/2024"),
                       _own_row("2024-500004-44-00", title="multiple sclerosis " + "x" * 300_000),
                       _own_row("2024-500005-55-00", updated="N/A"))
    kept = [item.study["Trial number"] for item in read_ctis_file(path, warn=warnings.append)]
    assert kept == ["2024-500004-44-00", "2024-500005-55-00"]  # an empty date is allowed, a wrong one is not
    assert len(warnings) == 2 and "'Last updated'" in warnings[0] and "'Start date'" in warnings[1]


def test_dates_are_real_days():
    assert iso_date("29/02/2024") == "2024-02-29" and iso_date("29/02/2023") is None
    assert iso_date("2024-13-01") is None and iso_date("2024-02-30T10:00:00") is None
    assert iso_date("2024-02-03T10:00:00") == "2024-02-03" and iso_date("2024-02-031") is None


def test_product_cells_keep_bracketed_and_decimal_commas_and_drop_blank_markers():
    assert split_products("Rituximab, -, Ocrevus 300 mg concentrate for solution for infusion") == [
        "Rituximab", "Ocrevus 300 mg concentrate for solution for infusion"]
    assert split_products("-") == []
    assert split_products("Contrastol 0,5 mmol/ml solution for injection, Drugamab") == [
        "Contrastol 0,5 mmol/ml solution for injection", "Drugamab"]
    assert split_products("VACCIMAX suspension (adsorbed, reduced antigen content), Otherol") == [
        "VACCIMAX suspension (adsorbed, reduced antigen content)", "Otherol"]
    # a lower-case product after one without a strength stays its own product
    assert split_products("PARACETAMOL, ublituximab") == ["PARACETAMOL", "ublituximab"]


def test_a_retrieve_record_names_each_product_by_its_sponsor_code_too():
    record = {
        "ctNumber": "2024-500001-11-00",
        "authorizedApplication": {"authorizedPartI": {
            "trialDetails": {"clinicalTrialIdentifiers": {"fullTitle": "A trial in multiple sclerosis"}},
            "products": [
                {"productName": "Testinib 10 mg tablets", "jsonActiveSubstanceNames": "testinib",
                 "sponsorProductCodeEdit": "XY-1234"},
                {"productName": "-"},
            ],
        }},
    }
    interventions = to_v2_study(record)["protocolSection"]["armsInterventionsModule"]["interventions"]
    assert [item["name"] for item in interventions] == ["Testinib"]
    assert "XY-1234" in interventions[0]["otherNames"]


def _retrieve_with(products: list[dict]) -> dict:
    return {"ctNumber": "2024-500002-22-00", "authorizedApplication": {"authorizedPartI": {
        "trialDetails": {"clinicalTrialIdentifiers": {"fullTitle": "A trial of XY-1234 in relapsing multiple sclerosis"}},
        "medicalConditions": [{"medicalCondition": "Relapsing multiple sclerosis"}],
        "products": products}}}


def test_a_retrieve_record_names_comparator_placebo_and_auxiliary_products_by_their_role():
    study = to_v2_study(_retrieve_with([
        {"productName": "XY-1234 10 mg tablets", "part1MpRoleTypeCode": "1"},
        {"productName": "AUBAGIO 14 mg film-coated tablets", "part1MpRoleTypeCode": "2",
         "jsonActiveSubstanceNames": "teriflunomide"},
        {"productName": "Placebo to match XY-1234", "part1MpRoleTypeCode": "3"},
        {"productName": "Matching tablets", "part1MpRoleTypeCode": "3"},
        {"productName": "Solu-Medrol 125 mg powder", "part1MpRoleTypeCode": "4"},
        {"productName": "Unknownol 5 mg", "part1MpRoleTypeCode": "9"},
    ]))
    names = [item["name"] for item in study["protocolSection"]["armsInterventionsModule"]["interventions"]]
    assert names == ["XY-1234", "Comparator: AUBAGIO", "Placebo to match XY-1234", "Placebo: Matching",
                     "Auxiliary product: Solu-Medrol", "Unknownol"]


def test_products_that_are_not_tested_do_not_give_the_trial_their_mechanism():
    from mstrials.labels.classify import classify_study

    def keys(role: str) -> set[str]:
        record = _retrieve_with([
            {"productName": "XY-1234 10 mg tablets", "part1MpRoleTypeCode": "1"},
            {"productName": "AUBAGIO 14 mg film-coated tablets", "part1MpRoleTypeCode": role,
             "jsonActiveSubstanceNames": "teriflunomide"},
        ])
        record["authorizedApplication"]["authorizedPartI"]["trialDetails"]["clinicalTrialIdentifiers"]["fullTitle"] = (
            "A randomised trial in relapsing multiple sclerosis")
        return set(classify_study(to_v2_study(record)).mechanisms)

    assert "anti_inflammatory" in keys("1")  # registered as tested, it counts
    assert "anti_inflammatory" not in keys("2")
    assert "anti_inflammatory" not in keys("4")
