"""Tagging outcome measures by theme (EDSS, walking, hand function, NfL, imaging...)."""
from __future__ import annotations

import json
import re

import pytest

from mstrials.labels.outcomes import THEME_LABELS, THEMES, outcome_themes, trial_outcome_themes


def test_themes_come_in_the_fixed_order_with_a_plain_label_each():
    assert THEMES == (
        "EDSS", "T25FW", "9HPT", "SDMT", "MSFC",
        "brain_volume", "myelin_imaging", "NfL", "relapses_lesions", "quality_of_life",
    )
    assert list(THEME_LABELS) == list(THEMES)
    assert all(label.strip() and label != key for key, label in THEME_LABELS.items())


@pytest.mark.parametrize(
    "measure, theme",
    [
        ("Expanded Disability Status Scale (EDSS)", "EDSS"),
        ("Change in EDSS score from baseline to week 48", "EDSS"),
        ("Neurostatus-EDSS", "EDSS"),
        ("Time to 12-week confirmed disability progression (CDP)", "EDSS"),
        ("Proportion of patients with 6M-CDP", "EDSS"),
        ("Time to Onset of 24-week Composite Confirmed Disability Progression (cCDP24)", "EDSS"),
        ("Time to 3 month Confirmed Disability Worsening (CDW)", "EDSS"),
        ("Time to Disability Status Scale (DSS) 3", "EDSS"),
        ("Timed 25-Foot Walk", "T25FW"),
        ("T25-FW", "T25FW"),
        ("T25FWT (seconds)", "T25FW"),
        ("25 foot walk", "T25FW"),
        ("Timed 25 feet walk test", "T25FW"),
        ("Time to walk 25 feet (TW25)", "T25FW"),
        ("Change in T25W", "T25FW"),
        ("Nine-Hole Peg Test", "9HPT"),
        ("9-HPT", "9HPT"),
        ("9HPT-D and 9HPT-ND", "9HPT"),
        ("Fine coordination (NHPT; time in seconds)", "9HPT"),
        ("9 hole peg board test", "9HPT"),
        ("Symbol Digit Modalities Test", "SDMT"),
        ("Symbol Digit Modality Test score", "SDMT"),
        ("oral SDMT", "SDMT"),
        ("MS Functional Composite", "MSFC"),
        ("Multiple Sclerosis Functional Composite (MSFC) z-score", "MSFC"),
        ("MSFC-4", "MSFC"),
        ("percent brain volume change (PBVC)", "brain_volume"),
        ("brain atrophy", "brain_volume"),
        ("whole brain volume", "brain_volume"),
        ("grey matter volume", "brain_volume"),
        ("Normalized gray matter volume", "brain_volume"),
        ("Thalamic atrophy", "brain_volume"),
        ("Brain parenchymal fraction (BPF)", "brain_volume"),
        ("Spinal cord atrophy", "brain_volume"),
        ("Atrophy", "brain_volume"),
        ("magnetization transfer ratio (MTR)", "myelin_imaging"),
        ("Magnetisation Transfer Ratio in normal appearing white matter", "myelin_imaging"),
        ("myelin water fraction", "myelin_imaging"),
        ("Change from baseline in lesion MWF", "myelin_imaging"),
        ("Myelin content measured by PET", "myelin_imaging"),
        ("Degree of remyelination visualized by MRI", "myelin_imaging"),
        ("neurofilament light chain (NfL/sNfL)", "NfL"),
        ("Serum NfL", "NfL"),
        ("sNfL concentration", "NfL"),
        ("Serum Neurofilament Light Chain (NFL) levels", "NfL"),
        ("NF-L level in serum", "NfL"),
        ("Relative reduction of CSF neurofilament levels", "NfL"),
        ("annualized relapse rate", "relapses_lesions"),
        ("ARR at month 12", "relapses_lesions"),
        ("Proportion of relapse-free participants", "relapses_lesions"),
        ("Number of new T2 lesions", "relapses_lesions"),
        ("gadolinium-enhancing lesions", "relapses_lesions"),
        ("Number of Gd+ lesions", "relapses_lesions"),
        ("new or enlarging T2 hyperintense lesions", "relapses_lesions"),
        ("Combined unique active lesions (CUAL)", "relapses_lesions"),
        ("No evidence of disease activity (NEDA-3)", "relapses_lesions"),
        ("Percentage of Participants Free From Magnetic Resonance Imaging (MRI) Activity", "relapses_lesions"),
        ("MSQOL-54", "quality_of_life"),
        ("MSIS-29 physical score", "quality_of_life"),
        ("Multiple Sclerosis Impact Scale", "quality_of_life"),
        ("EQ-5D-5L", "quality_of_life"),
        ("EuroQol visual analogue scale", "quality_of_life"),
        ("quality of life", "quality_of_life"),
        ("Health-related QoL (HRQoL)", "quality_of_life"),
        ("Short Form 36 Health Survey", "quality_of_life"),
        ("Neuro-QoL Short Form", "quality_of_life"),
    ],
)
def test_real_phrasings_get_their_theme(measure, theme):
    assert theme in outcome_themes(measure)


@pytest.mark.parametrize(
    "measure, absent",
    [
        ("Number of participants who need a wheelchair (needs assessment)", "EDSS"),
        ("FEEDSSCORE questionnaire", "EDSS"),
        ("Gait Velocity: Timed Walking", "T25FW"),
        ("6-minute walk test", "T25FW"),
        ("MS Walking Scale (MSWS-12)", "T25FW"),
        ("Timed Up and Go", "T25FW"),
        ("Purdue Pegboard Test", "9HPT"),
        ("Symbol Search Test", "SDMT"),
        ("Composite Autonomic Symptom Score", "MSFC"),
        ("T2 lesion volume", "brain_volume"),
        ("Retinal nerve fibre layer atrophy", "brain_volume"),
        ("Unified Multiple System Atrophy Rating Scale", "brain_volume"),
        ("Forced expiratory volume in one second (FEV1)", "brain_volume"),
        ("Anti-myelin oligodendrocyte glycoprotein (MOG) antibodies", "myelin_imaging"),
        ("Myelin-reactive T cells in blood", "myelin_imaging"),
        ("Change in Retinal Nerve Fiber Layer Thickness (RNFL)", "NfL"),
        ("Corneal nerve fiber length (CNFL)", "NfL"),
        ("CSF Neurofilament Heavy Chain", "NfL"),
        ("Concussions among NFL football players", "NfL"),
        ("T cell metabolism in relapsing-remitting multiple sclerosis", "relapses_lesions"),
        ("Time to disability progression independent of relapse activity (PIRA)", "relapses_lesions"),
        ("Modified Fatigue Impact Scale (MFIS)", "quality_of_life"),
        ("Pittsburgh Sleep Quality Index", "quality_of_life"),
    ],
)
def test_lookalikes_do_not_get_the_theme(measure, absent):
    assert absent not in outcome_themes(measure)


@pytest.mark.parametrize(
    "measure",
    ["Number of participants with adverse events", "Cmax of ocrelizumab", "Fatigue Severity Scale", "", "   "],
)
def test_measures_outside_every_theme_get_none(measure):
    assert outcome_themes(measure) == ()


def test_progression_on_a_named_test_is_about_that_test_not_the_edss():
    assert outcome_themes("Proportion of patients with 6M-CDP in SDMT") == ("SDMT",)
    assert outcome_themes("Time to 24-week CDP in 9-HPT") == ("9HPT",)
    assert outcome_themes("Time to 24-week CDP in EDSS") == ("EDSS",)


def test_several_themes_come_back_in_theme_order():
    measure = "Change in MSQOL-54, sNfL, brain volume, 9HPT, T25FW and EDSS"
    assert outcome_themes(measure) == ("EDSS", "T25FW", "9HPT", "brain_volume", "NfL", "quality_of_life")


def test_the_description_is_read_only_when_the_measure_names_no_theme():
    assert outcome_themes("Disability", "Assessed with the Expanded Disability Status Scale.") == ("EDSS",)
    assert outcome_themes("SDMT", "Also reported alongside the EDSS.") == ("SDMT",)
    # Later sentences cite other scales for comparison; they are not what was measured.
    described = "Assessed with the OQ-45.2. It correlates well with the SF-36 and the EDSS."
    assert outcome_themes("Mental health status", described) == ()
    assert outcome_themes("Mental health status", None) == ()


def test_non_string_input_gives_no_themes():
    assert outcome_themes(None) == ()  # type: ignore[arg-type]
    assert outcome_themes(42, 7) == ()  # type: ignore[arg-type]


def study_with_outcomes(**lists) -> dict:
    return {"protocolSection": {"outcomesModule": lists}}


def test_trial_outcome_themes_groups_measures_by_theme_primary_first_without_repeats():
    study = study_with_outcomes(
        primaryOutcomes=[{"measure": "Annualized relapse rate"}, {"measure": "Change in EDSS"}],
        secondaryOutcomes=[
            {"measure": "Number of new T2 lesions"},
            {"measure": "Change in EDSS"},
            {"measure": "Adverse events"},
            {"measure": "Overall health", "description": "Measured with the EQ-5D."},
        ],
        otherOutcomes=[{"measure": "Serum NfL"}],
    )
    assert trial_outcome_themes(study) == {
        "EDSS": ["Change in EDSS"],
        "NfL": ["Serum NfL"],
        "relapses_lesions": ["Annualized relapse rate", "Number of new T2 lesions"],
        "quality_of_life": ["Overall health"],
    }


@pytest.mark.parametrize(
    "study",
    [
        None,
        {},
        [],
        {"protocolSection": None},
        {"protocolSection": {}},
        {"protocolSection": {"outcomesModule": None}},
        {"protocolSection": {"outcomesModule": {"primaryOutcomes": None}}},
        {"protocolSection": {"outcomesModule": {"primaryOutcomes": "EDSS"}}},
        {"protocolSection": {"outcomesModule": {"primaryOutcomes": [None, 3, {"measure": None}, {"description": "EDSS"}]}}},
    ],
)
def test_trial_outcome_themes_never_raises_on_partial_records(study):
    assert trial_outcome_themes(study) == {}


# --- real registry records -------------------------------------------------------------


def test_real_full_records(ctgov_dir):
    by_id = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (ctgov_dir / "studies").glob("NCT*.json")}
    # NCT03569618: a digital therapeutic whose primary outcome is processing speed on the SDMT.
    assert "SDMT" in trial_outcome_themes(by_id["NCT03569618"])
    # NCT06113666: insomnia therapy; quality of life by SF-12/EuroQol, disability by the EDSS
    # (named only in the descriptions), and nothing on walking, imaging or NfL.
    themes = trial_outcome_themes(by_id["NCT06113666"])
    assert {"EDSS", "quality_of_life"} <= set(themes)
    assert not {"T25FW", "9HPT", "brain_volume", "myelin_imaging", "NfL"} & set(themes)
    assert "Self reported quality of life at baseline" in themes["quality_of_life"]
    # The partial records have no outcomesModule at all.
    for path in (ctgov_dir / "studies_partial").glob("NCT*.json"):
        assert trial_outcome_themes(json.loads(path.read_text(encoding="utf-8"))) == {}


def corpus_measures(corpus_studies) -> list[str]:
    measures = []
    for study in corpus_studies:
        module = study.get("protocolSection", {}).get("outcomesModule") or {}
        for list_name in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"):
            measures.extend(outcome["measure"] for outcome in module.get(list_name) or [] if outcome.get("measure"))
    return measures


@pytest.mark.parametrize(
    "unmistakable, theme",
    [
        (r"\bEDSS\b|Expanded Disability Status Scale", "EDSS"),
        (r"\bT25FW|Timed 25[- ]Foot Walk", "T25FW"),
        (r"\b9HPT\b|Nine[- ]Hole Peg Test|9[- ]Hole Peg Test", "9HPT"),
        (r"\bSDMT\b|Symbol Digit Modalit", "SDMT"),
        (r"\bMSFC\b|Multiple Sclerosis Functional Composite", "MSFC"),
        (r"whole brain volume|brain atrophy|\bPBVC\b", "brain_volume"),
        (r"magneti[sz]ation transfer ratio|myelin water fraction", "myelin_imaging"),
        (r"\bs?NfL\b|neurofilament light", "NfL"),
        (r"relapse rate|gadolinium[- ]enhancing|T2 lesions", "relapses_lesions"),
        (r"quality of life|MSQOL|MSIS-29|EQ-5D", "quality_of_life"),
    ],
)
def test_every_corpus_measure_that_plainly_names_a_theme_gets_it(corpus_studies, unmistakable, theme):
    pattern = re.compile(unmistakable, re.IGNORECASE)
    named = [measure for measure in corpus_measures(corpus_studies) if pattern.search(measure)]
    assert len(named) >= 20
    missed = [measure for measure in named if theme not in outcome_themes(measure)]
    assert missed == []


def test_every_corpus_study_can_be_tagged(corpus_studies):
    tagged = [trial_outcome_themes(study) for study in corpus_studies]
    with_theme = sum(1 for themes in tagged if themes)
    # Measured on the 2025-09-25 corpus: 1,410 of 2,712 studies (52%) have a themed outcome.
    assert 0.4 < with_theme / len(corpus_studies) < 0.7
