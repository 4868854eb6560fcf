"""Search that knows drug names: brands, generics, code names and class words find the same trials."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import load_script
from mstrials.explore import frame as trial_frame
from mstrials.store.cache import connect_readonly
from mstrials.labels.drug_classes import load_drug_classes
from mstrials.explore.frame import FilterState, filter_trials, prepare_trials
from mstrials.explore.search_terms import expand_query

fetch_trials = load_script("fetch_trials")


def invented_table():
    rows = [
        ("NCT00000301", "Ocrevus in PPMS"),
        ("NCT00000302", "Ocrelizumab higher dose"),
        ("NCT00000303", "RO-4964913 extension"),
        ("NCT00000304", "Tolebrutinib in nrSPMS"),
        ("NCT00000305", "Fenebrutinib versus teriflunomide"),
        ("NCT00000306", "Kesimpta at home"),
        ("NCT00000307", "Ofatumumab autoinjector"),
        ("NCT00000308", "Exercise and walking"),
    ]
    frame = pd.DataFrame({"nct_id": [r[0] for r in rows], "title": [r[1] for r in rows],
                          "interventions": ["" for _ in rows], "progressive": 1, "mechanisms": "other"})
    return prepare_trials(frame)


def found(table, text: str) -> set[str]:
    return set(filter_trials(table, FilterState(text=text, progressive_only=False))["nct_id"])


OCRELIZUMAB = {"NCT00000301", "NCT00000302", "NCT00000303"}


@pytest.mark.parametrize("typed", ["Ocrevus", "ocrelizumab", "RO4964913", "ro 4964913", "OCRELIZUMAB", "ocrelizmab"])
def test_any_name_of_a_drug_finds_every_name(typed):
    assert found(invented_table(), typed) == OCRELIZUMAB


def test_brand_and_generic_of_ofatumumab():
    table = invented_table()
    assert found(table, "Kesimpta") == found(table, "ofatumumab") == {"NCT00000306", "NCT00000307"}


def test_a_class_word_finds_every_member():
    table = invented_table()
    assert found(table, "BTK") == {"NCT00000304", "NCT00000305"}
    assert found(table, "BTK inhibitors") == {"NCT00000304", "NCT00000305"}
    assert found(table, "anti-CD20") == OCRELIZUMAB | {"NCT00000306", "NCT00000307"}


def test_every_word_must_still_match():
    assert found(invented_table(), "ocrelizumab dose") == {"NCT00000302"}
    assert found(invented_table(), "ocrevus walking") == set()


def test_a_misspelling_counts_only_for_long_names():
    table = invented_table()
    assert found(table, "tolebrutinb") == {"NCT00000304"}  # 11 letters, one missing
    assert found(table, "ocrevs") == set()  # 6 letters: too short to guess


@pytest.mark.parametrize("word", ["demyelinating", "exercises", "mitochondria"])
def test_plain_words_near_a_class_word_are_searched_as_typed(word):
    # One letter from "remyelinating" (a class word), "exercise" and "mitochondrial": not misspellings.
    assert expand_query(word).groups == ((word,),)


def test_also_searched_names_the_other_names():
    shown = expand_query("Ocrevus").also_searched
    assert "ocrelizumab" in shown and "RO4964913" in shown and "Ocrevus" not in shown
    assert expand_query("walking").also_searched == ()
    assert expand_query("").groups == ()


def test_short_names_are_searched_only_when_typed():
    # "T3" (liothyronine) inside other words would match "T3" anywhere, e.g. "PHASE T3".
    alternatives = {alt for group in expand_query("liothyronine").groups for alt in group}
    assert "t3" not in alternatives and "liothyronine" in alternatives


def test_the_drug_class_filter_round_trips_through_the_address():
    table = invented_table()
    allowed = trial_frame.allowed_values(table, class_keys=load_drug_classes().keys)
    parsed = trial_frame.parse_query_params({"class": ["btk_inhibitor", "made_up"]}, allowed)
    assert parsed.state.drug_classes == ("btk_inhibitor",)
    assert any("made_up" in notice for notice in parsed.notices)
    assert trial_frame.to_query_params(parsed.state)["class"] == ["btk_inhibitor"]


def test_the_class_filter_keeps_only_that_class():
    frame = pd.DataFrame({"nct_id": ["NCT1", "NCT2", "NCT3"], "title": ["a", "b", "c"], "progressive": 1,
                          "mechanisms": ["b_cell|microglia", "b_cell", "other"],
                          "drug_classes": ["btk_inhibitor", "anti_cd20", None]})
    table = prepare_trials(frame)
    kept = filter_trials(table, FilterState(drug_classes=("btk_inhibitor",), progressive_only=False))
    assert list(kept["nct_id"]) == ["NCT1"]
    counts = trial_frame.facet_counts(table, FilterState(progressive_only=False))
    assert counts.of("drug_classes", "anti_cd20") == 1 and counts.of("drug_classes", "btk_inhibitor") == 1


# ---------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def corpus_table(corpus_file: Path, tmp_path_factory):
    cache = tmp_path_factory.mktemp("search") / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(corpus_file)]) == 0
    connection = connect_readonly(cache)
    try:
        return trial_frame.load_trials(connection)
    finally:
        connection.close()


@pytest.mark.parametrize("brand, generic", [("Ocrevus", "ocrelizumab"), ("Kesimpta", "ofatumumab"),
                                            ("RO4964913", "ocrelizumab"), ("Gilenya", "fingolimod")])
def test_real_brand_and_generic_find_the_same_trials(corpus_table, brand, generic):
    by_brand, by_generic = found(corpus_table, brand), found(corpus_table, generic)
    assert by_brand == by_generic
    assert len(by_generic) >= 10


def test_real_ocrevus_finds_more_than_the_word_alone(corpus_table):
    word_only = set(corpus_table.frame.loc[corpus_table.rows_containing("ocrevus"), "nct_id"])
    assert found(corpus_table, "Ocrevus") > word_only


def test_real_btk_finds_every_btk_inhibitor_trial(corpus_table):
    by_class_word = found(corpus_table, "BTK")
    members = load_drug_classes().classes["btk_inhibitor"].members
    for member in members:
        assert found(corpus_table, member.generic) <= by_class_word, member.generic
    assert found(corpus_table, "brutinib") <= by_class_word
    assert len(by_class_word) >= 20


def test_real_btk_inhibitor_and_anti_cd20_classes_barely_overlap(corpus_table):
    members = corpus_table.members["drug_classes"]
    btk, cd20 = members["btk_inhibitor"], members["anti_cd20"]
    assert btk.sum() >= 15 and cd20.sum() >= 80
    assert (btk & cd20).sum() <= 3
