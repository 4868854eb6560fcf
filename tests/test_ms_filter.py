"""Which studies count as MS studies."""
from __future__ import annotations

import pytest

from mstrials.labels.ms_filter import is_ms_study
from study_factory import make_study


@pytest.mark.parametrize(
    "conditions, title, keywords",
    [
        (("Multiple Sclerosis",), "A Study", ()),
        (("Sclerosis, Multiple",), "A Study", ()),
        (("Secondary Progressive Multiple Sclerosis",), "A Study", ()),
        (("RRMS",), "Quality of life with an oral therapy", ()),
        (("MS",), "Blood flow restriction training", ()),
        (("Clinically Isolated Syndrome",), "Imaging after a first attack", ()),
        (("Fatigue",), "Melatonin for fatigue in multiple sclerosis", ()),
        (("Spasticity",), "A study of a new tablet", ("multiple sclerosis", "spasticity")),
        (("Disseminated Sclerosis",), "Cognition study", ()),
        (("Esclerosis Múltiple",), "Estudio", ()),
        (("Relapsing Forms of MS",), "Real-world persistence", ()),
    ],
)
def test_ms_studies_are_recognised(conditions, title, keywords):
    study = make_study(conditions=conditions, title=title)
    study["protocolSection"]["conditionsModule"]["keywords"] = list(keywords)
    assert is_ms_study(study)


@pytest.mark.parametrize(
    "conditions, title, keywords",
    [
        (("Tuberous Sclerosis Complex",), "Everolimus for seizures", ()),
        (("Systemic Sclerosis",), "Exercise in scleroderma", ()),
        (("Amyotrophic Lateral Sclerosis",), "A drug for ALS", ("ALS",)),
        (("Adult Nodular Sclerosis Hodgkin Lymphoma", "Multiple Myeloma"), "Chemotherapy", ()),
        (("Multiple System Atrophy",), "Nasal drops for neurodegeneration", ()),
        (("Type 1 Diabetes",), "An antibody in new-onset diabetes", ("Multiple Sclerosis associated retrovirus",)),
        (("Healthy",), "Mass spectrometry (LC-MS/MS) of a vitamin", ()),
    ],
)
def test_other_diseases_are_left_out(conditions, title, keywords):
    study = make_study(conditions=conditions, title=title)
    study["protocolSection"]["conditionsModule"]["keywords"] = list(keywords)
    assert not is_ms_study(study)


def test_mesh_terms_count_when_present():
    study = make_study(conditions=("Demyelinating disease",), title="Imaging study")
    assert not is_ms_study(study)
    study["derivedSection"] = {"conditionBrowseModule": {"meshes": [{"id": "D009103", "term": "Multiple Sclerosis"}]}}
    assert is_ms_study(study)


@pytest.mark.parametrize("odd", [{}, [], None, "text", {"protocolSection": []}, {"protocolSection": {"conditionsModule": {"conditions": 5}}}])
def test_odd_records_are_simply_not_ms(odd):
    assert is_ms_study(odd) is False


def test_corpus_split_matches_the_team_reading(corpus_studies, corpus_non_ms_ids):
    judged_non_ms = {s["protocolSection"]["identificationModule"]["nctId"] for s in corpus_studies if not is_ms_study(s)}
    assert judged_non_ms == corpus_non_ms_ids
