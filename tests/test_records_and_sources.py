"""Flattening a raw study, and reading files, with their error messages."""
from __future__ import annotations

import json

import pytest

from mstrials.sources.ctgov_records import MalformedStudy, normalise_study
from mstrials.sources.ctgov_files import SourceError, read_study_file
from study_factory import make_study


def test_normalise_flattens_the_fields_the_app_shows():
    study = make_study(nct_id="NCT01234567", phases=("PHASE1", "PHASE2"), countries=("Spain", "Italy", "Spain"))
    study["protocolSection"]["contactsLocationsModule"]["locations"][0]["geoPoint"] = {"lat": 41.39, "lon": 2.17}
    record = normalise_study(study)
    assert record.nct_id == "NCT01234567"
    assert record.phases == ("PHASE1", "PHASE2")
    assert record.countries == ("Italy", "Spain")
    assert record.n_sites == 3
    assert (record.sites[0].latitude, record.sites[0].longitude) == (41.39, 2.17)
    assert record.interventions == ("Ibudilast", "Placebo")
    assert record.start_date == "2024-03" and record.last_update == "2025-01-15"
    assert record.url == "https://clinicaltrials.gov/study/NCT01234567"


def test_title_falls_back_to_the_official_title_then_the_id():
    study = make_study(nct_id="NCT01234567")
    del study["protocolSection"]["identificationModule"]["briefTitle"]
    assert normalise_study(study).title == "NCT01234567"
    study["protocolSection"]["identificationModule"]["officialTitle"] = "Official"
    assert normalise_study(study).title == "Official"


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda s: s.pop("protocolSection"), "protocolSection"),
        (lambda s: s["protocolSection"]["identificationModule"].update(nctId="12345"), "nctId"),
        (lambda s: s["protocolSection"].update(statusModule=[]), "statusModule"),
        (lambda s: s["protocolSection"]["designModule"].update(phases="PHASE2"), "phases"),
        (lambda s: s["protocolSection"]["designModule"]["enrollmentInfo"].update(count="many"), "count"),
        (lambda s: s.update(hasResults="no"), "hasResults"),
        (lambda s: s["protocolSection"]["contactsLocationsModule"].update(locations={"city": "x"}), "locations"),
    ],
)
def test_malformed_records_say_what_is_wrong(breakage, message):
    study = make_study()
    breakage(study)
    with pytest.raises(MalformedStudy, match=message):
        normalise_study(study)


@pytest.mark.parametrize("content, message", [
    ("", "empty"),
    ("nct_id,title\n", "not JSON"),
    ('{"studies": 5}', "not a list"),
    ('{"something": 1}', "neither"),
    ('[{"a": 1}, ', "not valid JSON"),
])
def test_unreadable_files_get_one_clear_error(tmp_path, content, message):
    path = tmp_path / "input.json"
    path.write_text(content)
    with pytest.raises(SourceError, match=message) as raised:
        list(read_study_file(path))
    assert "\n" not in str(raised.value)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="cannot read"):
        list(read_study_file(tmp_path / "absent.json"))


def test_positions_name_the_item(tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"studies": [make_study(), {"broken": True}]}))
    positions = [item.position for item in read_study_file(path)]
    assert positions == ["page.json item 1", "page.json item 2"]
