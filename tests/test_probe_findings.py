"""Bugs a browser probe of the app found, each as a test that fails until it is fixed.

- One very long word in an intervention name costs memory in proportion to its length squared
  (the near-miss lookup builds every deletion variant of the word), so a single hostile or broken
  registry record can stall or kill an import.
- A Pipeline cell's link ("Phase 2: 1 trial") opened Explore with more trials than the cell counts
  when there were trials of a combined phase (Phase 1/2, Phase 2/3): the phase filter matches any
  phase a trial lists, the cell counts the trial's stage. Links now filter by the stage itself.
- The notices for `within=` and `units=` repeat a long bad value in full, so the notice is cut
  before its hint, as the other address notices were before they quoted values in part.
"""
from __future__ import annotations

import random
import re
import tracemalloc
from urllib.parse import parse_qsl

import pytest

from conftest import REPO_ROOT, load_script
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
APP = str(REPO_ROOT / "dashboard" / "app.py")

pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")


def _import(cache, studies) -> None:
    import json

    source = cache.parent / "studies.json"
    source.write_text(json.dumps(studies))
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0


# ---------------------------------------------------------------- a long word in an intervention name

@pytest.mark.parametrize("length", [3_000, 6_000])
def test_a_long_one_word_intervention_costs_memory_in_proportion_to_its_length(length):
    from mstrials.labels.classify import classify_study

    classify_study(make_study())  # vocabularies loaded and compiled before measuring
    letters = random.Random(length)
    word = "".join(letters.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))
    study = make_study(nct_id="NCT00000301", interventions=(("DRUG", word), ("DRUG", "Placebo")))
    tracemalloc.start()
    try:
        classify_study(study)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # No vocabulary word is longer than a few dozen letters, so nothing longer can be one edit
    # from one; a budget of a few hundred bytes per letter is generous for a linear reading.
    assert peak < 400 * length, f"{peak / 1e6:.1f} MB to classify one {length}-letter word"


# ---------------------------------------------------------------- Pipeline cell links

def test_a_pipeline_cell_link_opens_exactly_the_trials_it_counts(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    cache = tmp_path / "trials.sqlite"
    _import(cache, [
        make_study(nct_id="NCT00000311", phases=("PHASE2",), interventions=(("DRUG", "Tolebrutinib"), ("DRUG", "Placebo"))),
        make_study(nct_id="NCT00000312", phases=("PHASE1", "PHASE2"), interventions=(("DRUG", "Fenebrutinib"),)),
        make_study(nct_id="NCT00000313", phases=("PHASE2", "PHASE3"), interventions=(("DRUG", "Evobrutinib"),)),
    ])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    pipeline = AppTest.from_file(APP, default_timeout=60)
    pipeline.switch_page("views/pipeline.py")
    pipeline = pipeline.run()
    assert not pipeline.exception, [e.value for e in pipeline.exception]
    # Every cell of the BTK-inhibitor row, the combined phases (1/2, 2/3) included, and of its mechanism rows.
    links = [(link.proto.label, link.proto.query_string) for link in pipeline.get("page_link")
             if "class=btk_inhibitor" in link.proto.query_string or "mech=b_cell" in link.proto.query_string]
    assert links, "no cell links for the BTK inhibitor row"
    for label, query in links:
        counted = int(re.search(r": (\d+) trials?$", label).group(1))
        explore = AppTest.from_file(APP, default_timeout=60)
        params: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):  # as the browser decodes the link
            params.setdefault(name, []).append(value)
        for name, values in params.items():
            explore.query_params[name] = values
        explore = explore.run()
        assert not explore.exception
        shown = sorted(explore.dataframe[0].value["nct_id"]) if explore.dataframe else []
        assert len(shown) == counted, f"the cell link “{label}” ({query}) opens {len(shown)} trials: {shown}"


# ---------------------------------------------------------------- notices for within= and units=

@pytest.mark.parametrize("param, hint", [("within", "use one of 25, 50, 100, 250, 500"), ("units", "use km or mi")])
def test_a_long_bad_distance_value_keeps_the_notices_hint(tmp_path, monkeypatch, param, hint):
    from streamlit.testing.v1 import AppTest

    cache = tmp_path / "trials.sqlite"
    _import(cache, [make_study(nct_id="NCT00000321")])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["near"] = "Boston"
    at.query_params[param] = "9" * 5_000
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [e for e in at.expander if "of the page address" in e.label]
    assert len(boxes) == 1, [e.label for e in at.expander]
    read = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in boxes[0].markdown)).replace("\u2060", "")
    assert hint in read, read[:300]


def test_a_shared_links_unknown_place_is_said_on_the_page_not_only_in_the_sidebar(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    cache = tmp_path / "trials.sqlite"
    _import(cache, [make_study(nct_id="NCT00000331")])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["near"] = "Zzzqxv, Nowhereland"
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [e for e in at.expander if "of the page address" in e.label]
    assert len(boxes) == 1, [e.label for e in at.expander]
    read = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in boxes[0].markdown)).replace("\u2060", "")
    assert "near=" in read and "no such place" in read, read[:300]


def test_a_found_place_in_the_address_gives_no_notice(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    cache = tmp_path / "trials.sqlite"
    _import(cache, [make_study(nct_id="NCT00000332")])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["near"] = "Boston, United States"
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.expander if "of the page address" in e.label]


@pytest.mark.parametrize("view, noticed", [("<b>grid</b>", True), ("x" * 5_000, True), ("table", False)])
def test_a_bad_view_in_the_address_is_said(tmp_path, monkeypatch, view, noticed):
    from streamlit.testing.v1 import AppTest

    cache = tmp_path / "trials.sqlite"
    _import(cache, [make_study(nct_id="NCT00000341")])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = view
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [e for e in at.expander if "of the page address" in e.label]
    assert len(boxes) == int(noticed), [e.label for e in at.expander]
    if noticed:
        read = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in boxes[0].markdown)).replace("\u2060", "")
        assert "view=" in read and "use cards or table" in read, read[:300]


def test_a_search_longer_than_the_limit_is_cut_and_said_not_dropped(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from mstrials.explore.frame import MAX_TEXT_LENGTH

    cache = tmp_path / "trials.sqlite"
    _import(cache, [make_study(nct_id="NCT00000351", title="Clemastine in Progressive Multiple Sclerosis"),
                    make_study(nct_id="NCT00000352", title="Walking in Progressive Multiple Sclerosis")])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(APP, default_timeout=60).run()
    pasted = "clemastine " + "x" * (MAX_TEXT_LENGTH + 100)
    at.text_input(key="f_text").input(pasted).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="f_text").value == pasted  # kept whole in the box, not dropped
    assert any(f"first {MAX_TEXT_LENGTH} characters" in caption.value for caption in at.sidebar.caption)
    assert at.query_params["q"] == pasted[:MAX_TEXT_LENGTH].strip()


def test_the_trial_page_says_a_running_status_past_its_completion_date_may_be_out_of_date(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    cache = tmp_path / "trials.sqlite"
    _import(cache, [make_study(nct_id="NCT00000361", status="RECRUITING", primary_completion="2020-06",
                               last_update="2025-01-15"),
                    make_study(nct_id="NCT00000362", status="RECRUITING", primary_completion="2027-06",
                               last_update="2025-01-15")])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    shown = {}
    for nct_id in ("NCT00000361", "NCT00000362"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["nct"] = nct_id
        at.switch_page("views/trial.py")
        at = at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown[nct_id] = any("may be out of date" in warning.value for warning in at.warning)
    assert shown == {"NCT00000361": True, "NCT00000362": False}
