"""The app with trials from both registries: one row per trial, the Registry filter, links to both records."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstrials.markup_safety import is_ctis_number
from streamlit.testing.v1 import AppTest

from conftest import REPO_ROOT, SHARED_DIR, load_script, require_shared
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
APP = str(REPO_ROOT / "dashboard" / "app.py")
CTIS_CSV = SHARED_DIR / "ctis" / "ctis_ms_trials_2025-09-24.csv"
PAIRED_STUDY = SHARED_DIR / "ctgov" / "studies_partial" / "NCT06408259.json"
# A CTIS trial of the real export, and a ClinicalTrials.gov study of ours with nearly its title but no shared number.
CTIS_ONLY = "2023-505624-56-00"
# The same drug as the CTIS trial: lookalike titles of trials testing different kinds of drug give no hint.
LOOKALIKE = make_study(nct_id="NCT00000091", title="BIIB017 in children and adolescents",
                       interventions=(("DRUG", "Peginterferon beta-1a"),))
LOOKALIKE["protocolSection"]["identificationModule"]["officialTitle"] = (
    "An Open-Label, Randomized, Multicenter, Active-Controlled, Parallel-Group Study to Evaluate the Safety, "
    "Tolerability, and Efficacy of BIIB017 in Pediatric Participants Aged 10 to Less than 18 Years for the Treatment "
    "of Relapsing Remitting Multiple Sclerosis, with Optional Open-Label Extension")


@pytest.fixture(scope="module")
def both_registries(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("registries")
    own = folder / "own.json"
    own.write_text(json.dumps([LOOKALIKE, make_study(nct_id="NCT00000092", title="Only on ClinicalTrials.gov")]))
    cache = folder / "trials.sqlite"
    paths = [require_shared(PAIRED_STUDY), require_shared(CTIS_CSV), own]
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", *map(str, paths)]) == 0
    return cache


# Each AppTest run starts from empty Streamlit caches (the cache file differs from test to test).
pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")


def app_for(cache: Path, monkeypatch, page: str | None = None, **params) -> AppTest:
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    if page:
        at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def results(at: AppTest):
    return at.dataframe[0].value


def test_a_trial_in_both_registries_is_one_row_with_both_badges(both_registries, monkeypatch):
    table = results(app_for(both_registries, monkeypatch, scope="all"))
    assert len(table) == 104 + 2  # 105 CTIS and ClinicalTrials.gov records of the pair, one row for the pair
    pair = table[table["nct_id"] == "NCT06408259"]
    assert len(pair) == 1 and pair["registries_text"].iloc[0] == "ClinicalTrials.gov + CTIS"
    assert "2022-501332-42-00" not in set(table["nct_id"])
    ctis_row = table[table["nct_id"] == CTIS_ONLY].iloc[0]
    assert ctis_row["registries_text"] == "CTIS"
    # The registry records are one explicit link away, on the trial page (tested below); a tick opens that page.
    assert "link" not in table.columns


def test_the_registry_filter_comes_from_and_goes_to_the_address(both_registries, monkeypatch):
    at = app_for(both_registries, monkeypatch, scope="all", registry="ctgov")
    assert sorted(results(at)["nct_id"]) == ["NCT00000091", "NCT00000092", "NCT06408259"]
    widget = next(m for m in at.multiselect if m.label == "Registry")
    assert widget.value == ["ctgov"]
    widget.set_value(["ctis"]).run()
    assert at.query_params["registry"] in ("ctis", ["ctis"])
    shown = results(at)
    assert len(shown) == 104 and "NCT00000092" not in set(shown["nct_id"]) and "NCT06408259" in set(shown["nct_id"])


def test_the_trial_page_links_to_both_records_whichever_number_is_asked(both_registries, monkeypatch):
    for asked in ("NCT06408259", "2022-501332-42-00"):
        at = app_for(both_registries, monkeypatch, page="trial", nct=asked)
        buttons = [b.proto.url for b in at.get("link_button")]
        assert buttons == ["https://clinicaltrials.gov/study/NCT06408259",
                           "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT=2022-501332-42-00"]
        assert any("ClinicalTrials.gov (NCT06408259) · CTIS (2022-501332-42-00)" in m.value.replace("\\", "")
                   for m in at.markdown)


def test_a_ctis_trial_page_shows_its_record_and_a_possible_twin(both_registries, monkeypatch):
    at = app_for(both_registries, monkeypatch, page="trial", nct=CTIS_ONLY)
    assert [b.proto.url for b in at.get("link_button")] == [
        f"https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={CTIS_ONLY}"]
    assert any("Possibly the same trial as NCT00000091" in i.value for i in at.info)
    assert "BIIB017 in Pediatric Subjects" in at.header[0].value
    outcomes = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert len(outcomes) > 0  # endpoints from the CTIS export, read through the v2 view
    twin = app_for(both_registries, monkeypatch, page="trial", nct="NCT00000091")
    assert any(f"Possibly the same trial as {CTIS_ONLY}" in i.value for i in twin.info)


def test_compare_accepts_ctis_numbers(both_registries, monkeypatch):
    at = app_for(both_registries, monkeypatch, page="compare", compare=[CTIS_ONLY, "NCT00000092"])
    frames = [d.value for d in at.dataframe]
    assert any(CTIS_ONLY in frame.columns and "NCT00000092" in frame.columns for frame in frames)


def test_what_changed_lists_both_records_of_a_trial_under_its_row(both_registries, monkeypatch):
    at = app_for(both_registries, monkeypatch, page="changes", scope="all", registry="ctgov")
    next(c for c in at.checkbox if c.label.startswith("Include the trials")).check().run()
    table = next(d.value for d in at.dataframe if "title" in d.value.columns)
    pair = table[table["title"] == "Study to Evaluate the Effectiveness and Safety of Ozanimod Compared to Fingolimod "
                                   "in Children and Adolescents With Relapsing Remitting Multiple Sclerosis"]
    assert sorted(pair["link"]) == [
        "https://clinicaltrials.gov/study/NCT06408259",
        "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT=2022-501332-42-00"]


def test_cards_list_ctis_trials_with_their_registry_and_open_our_trial_page(both_registries, monkeypatch):
    at = app_for(both_registries, monkeypatch, scope="all", registry="ctis", view="cards")
    shown = [link.proto.query_string.removeprefix("nct=") for link in at.get("page_link")]
    # A CTIS number is a valid id for a card, as for the table: the first page of cards is all CTIS trials.
    # (the pair registered in both is listed by its NCT id)
    assert len(shown) == 25 and all(is_ctis_number(trial_id) or trial_id == "NCT06408259" for trial_id in shown)
    ctis_id = next(trial_id for trial_id in shown if is_ctis_number(trial_id))
    card = next(m.value for m in at.markdown if ctis_id in m.value)
    assert "CTIS" in card.replace(ctis_id, "")
