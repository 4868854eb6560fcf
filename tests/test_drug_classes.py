"""Drug classes under the mechanisms: the vocabulary, the derived column, cache upgrade, export, Pipeline."""
from __future__ import annotations

import collections
import csv
import io
import sqlite3
from pathlib import Path

import pytest

from conftest import load_script
from study_factory import make_study
from mstrials.labels.classify import classify_study
from mstrials.labels.derive import derive_columns
from mstrials.labels.drug_classes import DrugClassError, classes_from_evidence, load_drug_classes
from mstrials.labels.vocabulary import MECHANISM_KEYS
from mstrials.store.cache import SCHEMA_VERSION

fetch_trials = load_script("fetch_trials")
export_trials = load_script("export_trials")

ISSUE_CLASSES = (
    "anti_cd20", "anti_cd19", "btk_inhibitor", "car_t", "s1p_modulator", "interferon_beta", "glatiramer",
    "fumarate", "anti_cd52", "anti_integrin", "purine_analogue", "anti_cd40l", "ahsct", "mesenchymal_stem_cells",
    "opc_differentiation", "antioxidant_mitochondrial", "sodium_channel_blocker", "statin",
    "potassium_channel_blocker", "cannabinoid", "antispasticity", "rehabilitation", "neuromodulation",
)


def classes_of(study: dict) -> tuple[str, ...]:
    return classes_from_evidence(classify_study(study).mechanism_evidence)


def with_arms(arms: list[tuple[str, str, str]], **kwargs) -> dict:
    """A study whose arms are (arm type, intervention type, intervention name)."""
    study = make_study(interventions=tuple((kind, name) for _, kind, name in arms), **kwargs)
    study["protocolSection"]["armsInterventionsModule"]["armGroups"] = [
        {"label": f"Arm {i}", "type": arm_type, "interventionNames": [f"{kind.title()}: {name}"]}
        for i, (arm_type, kind, name) in enumerate(arms)
    ]
    return study


# ---------------------------------------------------------------- the vocabulary


def test_every_class_the_issue_asks_for_sits_under_real_mechanisms():
    vocabulary = load_drug_classes()
    assert set(ISSUE_CLASSES) <= set(vocabulary.keys)
    for drug_class in vocabulary.classes.values():
        assert drug_class.label and drug_class.explanation and drug_class.members
        assert set(drug_class.mechanisms) <= set(MECHANISM_KEYS)
    assert vocabulary.classes["btk_inhibitor"].mechanisms == ("b_cell", "microglia")
    assert "b_cell" in vocabulary.classes["anti_cd20"].mechanisms


@pytest.mark.parametrize("text, problem", [
    ("classes = 3", "no \\[classes"),
    ('[classes.x]\nlabel = "X"\nexplanation = "E"\nmechanisms = ["not_a_key"]\nmembers = [{ generic = "a" }]', "mechanism keys"),
    ('[classes.x]\nlabel = "X"\nexplanation = "E"\nmechanisms = ["b_cell"]\nmembers = []', "no members"),
    ('[classes.x]\nlabel = "X"\nexplanation = "E"\nmechanisms = ["b_cell"]\ncolour = "red"\nmembers = [{ generic = "a" }]', "unknown field"),
    ("[classes.x\n", "not valid TOML"),
])
def test_a_malformed_class_file_is_one_clear_error(tmp_path, text, problem):
    path = tmp_path / "drug_classes.toml"
    path.write_text(text)
    with pytest.raises(DrugClassError, match=problem):
        load_drug_classes(path)


# ---------------------------------------------------------------- classes of invented studies


@pytest.mark.parametrize("name, expected", [
    ("Tolebrutinib", "btk_inhibitor"),
    ("SAR442168", "btk_inhibitor"),
    ("Tolebrutnib", "btk_inhibitor"),  # one letter missing
    ("Kesimpta", "anti_cd20"),
    ("RO-4964913", "anti_cd20"),
    ("Ocrevus", "anti_cd20"),
    ("Siponimod (BAF312)", "s1p_modulator"),
    ("Simvastatin 80 mg", "statin"),
    ("Dalfampridine extended release", "potassium_channel_blocker"),
])
def test_names_brands_and_codes_give_the_class(name, expected):
    assert classes_of(make_study(interventions=(("DRUG", name), ("DRUG", "Placebo")))) == (expected,)


def test_btk_inhibitor_and_anti_cd20_trials_get_different_classes_though_both_are_b_cell():
    btk = classes_of(make_study(interventions=(("DRUG", "Fenebrutinib"), ("DRUG", "Placebo"))))
    cd20 = classes_of(make_study(interventions=(("DRUG", "Ublituximab"), ("DRUG", "Placebo"))))
    assert btk == ("btk_inhibitor",) and cd20 == ("anti_cd20",)


def test_the_comparator_arm_gives_no_class():
    study = with_arms([("EXPERIMENTAL", "DRUG", "Tolebrutinib"), ("ACTIVE_COMPARATOR", "DRUG", "Dimethyl fumarate")])
    assert classes_of(study) == ("btk_inhibitor",)


def test_a_drug_of_no_listed_class_gets_none():
    assert classes_of(make_study(interventions=(("DRUG", "Ibudilast"), ("DRUG", "Placebo")))) == ()


def test_a_class_needs_its_mechanism_not_only_the_name():
    # A name of a class in evidence under an unrelated mechanism key is not that class.
    evidence = {"other": [{"intervention": "ocrelizumab", "matched": "ocrelizumab"}]}
    assert classes_from_evidence(evidence) == ()
    assert classes_from_evidence({"b_cell": [{"intervention": "Drug: X", "matched": "ocrelizumab"}]}) == ("anti_cd20",)


def test_odd_evidence_does_not_raise():
    assert classes_from_evidence({"b_cell": [None, {"matched": 3}]}) == ()
    assert classes_from_evidence(None) == ()  # type: ignore[arg-type]


def test_non_drug_words_get_no_misspelling_tolerance():
    assert classes_of(make_study(interventions=(("BEHAVIORAL", "Exercise training"),))) == ("rehabilitation",)
    evidence = {"non_drug": [{"intervention": "Trainings", "matched": "(behavioural intervention)"}]}
    assert classes_from_evidence(evidence) == ()


def test_derived_row_carries_the_classes():
    row = derive_columns(make_study(interventions=(("DRUG", "Evobrutinib"), ("DRUG", "Ocrelizumab"))))
    assert row["drug_classes"] == "anti_cd20|btk_inhibitor"


# ---------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def corpus_classes(corpus_studies) -> dict[str, tuple[str, ...]]:
    return {study["protocolSection"]["identificationModule"]["nctId"]: classes_of(study) for study in corpus_studies}


def test_real_btk_and_anti_cd20_trials_are_told_apart(corpus_classes):
    counts = collections.Counter(key for keys in corpus_classes.values() for key in keys)
    both = sum(1 for keys in corpus_classes.values() if {"btk_inhibitor", "anti_cd20"} <= set(keys))
    assert counts["btk_inhibitor"] >= 15 and counts["anti_cd20"] >= 80
    assert both <= 3


def test_every_class_is_found_in_the_real_corpus(corpus_classes):
    found = {key for keys in corpus_classes.values() for key in keys}
    assert set(ISSUE_CLASSES) <= found


def test_real_btk_inhibitor_trials_carry_the_b_cell_mechanism(corpus_studies):
    for study in corpus_studies:
        classification = classify_study(study)
        keys = classes_from_evidence(classification.mechanism_evidence)
        if "btk_inhibitor" in keys or "anti_cd20" in keys:
            assert "b_cell" in classification.mechanisms or "microglia" in classification.mechanisms


# ---------------------------------------------------------------- cache, upgrade and export


def _import(cache: Path, studies: list[dict]) -> None:
    import json

    source = cache.parent / "studies.json"
    source.write_text(json.dumps(studies))
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0


STUDIES = [
    make_study(nct_id="NCT00000101", interventions=(("DRUG", "Tolebrutinib"), ("DRUG", "Placebo"))),
    make_study(nct_id="NCT00000102", interventions=(("DRUG", "Ocrevus"),)),
]


def test_export_has_the_drug_classes_column(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(cache, STUDIES)
    capsys.readouterr()
    assert export_trials.main(["--cache", str(cache), "--format", "csv"]) == 0
    rows = {row["nct_id"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["NCT00000101"]["drug_classes"] == "btk_inhibitor"
    assert rows["NCT00000102"]["drug_classes"] == "anti_cd20"


def test_a_cache_of_the_previous_format_is_upgraded_and_relabelled(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(cache, STUDIES)
    # Make it what the previous release wrote: format 1, no drug_classes column, older signature.
    with sqlite3.connect(cache) as connection:
        connection.execute("ALTER TABLE studies DROP COLUMN drug_classes")
        connection.execute("UPDATE meta SET value = 'old' WHERE key = 'derivation_signature'")
        connection.execute("PRAGMA user_version = 1")
    assert fetch_trials.main(["--cache", str(cache), "--reclassify"]) == 0
    with sqlite3.connect(cache) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        values = dict(connection.execute("SELECT nct_id, drug_classes FROM studies WHERE is_ms = 1"))
    assert values == {"NCT00000101": "btk_inhibitor", "NCT00000102": "anti_cd20"}


def test_a_fresh_cache_and_an_upgraded_one_have_the_same_columns(tmp_path):
    from mstrials.store import cache as trial_cache

    def columns(connection: sqlite3.Connection) -> list[str]:
        return sorted(row[1] for row in connection.execute("PRAGMA table_info(studies)"))

    fresh = sqlite3.connect(":memory:")
    trial_cache.migrate(fresh)
    old = sqlite3.connect(":memory:")
    old.executescript(trial_cache.MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    assert "drug_classes" not in columns(old)
    trial_cache.migrate(old)
    assert columns(old) == columns(fresh) and "drug_classes" in columns(fresh)


# ---------------------------------------------------------------- the Pipeline page


def test_pipeline_shows_btk_inhibitors_apart_from_anti_cd20(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from conftest import REPO_ROOT

    cache = tmp_path / "trials.sqlite"
    _import(cache, [
        make_study(nct_id="NCT00000201", phases=("PHASE2",), interventions=(("DRUG", "Tolebrutinib"), ("DRUG", "Placebo"))),
        make_study(nct_id="NCT00000202", phases=("PHASE2",), interventions=(("DRUG", "Fenebrutinib"), ("DRUG", "Placebo"))),
        make_study(nct_id="NCT00000203", phases=("PHASE3",), interventions=(("DRUG", "Ocrelizumab"),)),
    ])
    monkeypatch.setenv("MSTRIALS_CACHE", str(cache))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.switch_page("views/pipeline.py")
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    from mstrials.labels.vocabulary import default_vocabulary

    table = next(d.value for d in at.dataframe if "Drug class" in (d.value.index.names or []))
    b_cell = table.xs(default_vocabulary().label("b_cell"), level="Mechanism")
    btk = b_cell.loc[load_drug_classes().label("btk_inhibitor")]
    cd20 = b_cell.loc[load_drug_classes().label("anti_cd20")]
    assert int(btk["Phase 2"]) == 2 and int(btk.sum()) == 2
    assert int(cd20["Phase 3"]) == 1 and int(cd20.sum()) == 1
    from urllib.parse import parse_qs

    class_links = {(query["mech"][0], query["class"][0], link.proto.label): query
                   for link in at.get("page_link")
                   if "class" in (query := parse_qs(link.proto.query_string))}
    btk_link = class_links[("b_cell", "btk_inhibitor", "Phase 2: 2 trials")]
    assert btk_link["stage"] == ["Phase 2"]
    assert class_links[("b_cell", "anti_cd20", "Phase 3: 1 trial")]["stage"] == ["Phase 3"]
    # The link opens Explore filtered to exactly that cell.
    explore = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=60)
    for name, values in btk_link.items():
        explore.query_params[name] = values[0]
    explore = explore.run()
    assert not explore.exception
    assert sorted(explore.dataframe[0].value["nct_id"]) == ["NCT00000201", "NCT00000202"]
