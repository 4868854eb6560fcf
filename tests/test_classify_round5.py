"""Mechanism rules, round 5: patterns from the retired round-1 split, each tested on a small
study built with tests/study_factory.py (corpus-shaped: titles, conditions, keywords and
intervention (type, name) pairs, no arm groups). Each test names a pattern, never a trial."""
from __future__ import annotations

import pytest

# The same small corpus-shaped study as round 4's tests.
from tests.test_classify_round4 import keys


# ---------------------------------------------------------------------------
# The DMT whose side effects are studied is background, not tested
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "Warm Compress Prior to Daily Injections of Copaxone",
    "Skin Reactions From Glatiramer Acetate Injections",
])
def test_dmt_whose_injection_reactions_are_relieved_is_background(title):
    assert keys(("DRUG", "glatiramer acetate"), ("PROCEDURE", "Warm compress prior to injection of glatiramer acetate"),
                title=title) == {"non_drug"}


def test_drug_preventing_a_dmt_induced_toxicity_is_what_is_tested():
    assert keys(("DRUG", "Cardioshieldamine plus Mitoxantrone"), ("DRUG", "Placebo plus Mitoxantrone"),
                title="Reduction of Mitoxantrone-induced Cardiotoxicity in MS") == {"other"}


def test_dmt_named_without_side_effect_words_is_still_tested():
    # "injection of" alone describes how the DMT itself is given
    assert keys(("DRUG", "GA Depot 40mg"), title="Monthly Intramuscular Injection of Glatiramer Acetate (GA Depot) in PPMS") == {
        "anti_inflammatory"}
    assert keys(("DRUG", "Mitoxantrone"), ("DRUG", "Placebo"), title="Mitoxantrone in Secondary Progressive MS") == {
        "anti_inflammatory"}


# ---------------------------------------------------------------------------
# A device that records or quantifies function is a measuring instrument
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "Wearable Biosensor to Track and Quantify Limb Dysfunction in MS",
    "An Armband to Record Upper Limb Movement in MS",
])
def test_device_that_records_or_quantifies_is_other(title):
    assert keys(("DEVICE", "Armband XY"), title=title) == {"other"}


def test_therapeutic_device_stays_non_drug():
    assert keys(("DEVICE", "Armband XY"), title="Home Use of an Armband Device for Arm Function in MS") == {"non_drug"}


# ---------------------------------------------------------------------------
# Hormones repurposed for myelin repair
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("drug", ["Adrenocorticotropic hormone (ACTH) gel", "repository corticotropin injection", "vaginal estriol"])
def test_hormone_tested_for_myelination_is_remyelination(drug):
    assert keys(("DRUG", drug), title="Hormone Effects on Myelination in MS") == {"remyelination"}
    assert keys(("DRUG", drug), title="Hormone Add-on in RRMS", keywords=("remyelination",)) == {"remyelination"}


def test_hormone_without_a_repair_aim_keeps_its_class():
    assert keys(("DRUG", "repository corticotropin injection"), title="ACTH for MS Relapses") == {"anti_inflammatory"}
    assert keys(("DRUG", "Estriol"), title="Estriol in Women With MS") == {"neuroprotection_other"}


# ---------------------------------------------------------------------------
# A combination partner the titles name but the record does not list
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "Immunotherapy With XY-3009 Alone or Combined With Atorvastatin in MS",
    "Early Interferon Beta-1a and Simvastatin Combination Therapy in CIS",
])
def test_repair_or_protection_partner_named_in_a_combination_title_is_added(title):
    assert keys(("BIOLOGICAL", "Rebif"), title=title) == {"anti_inflammatory", "neuroprotection_other"}


def test_partner_named_without_a_combination_or_of_a_dmt_class_is_not_added():
    assert keys(("DRUG", "Rebif"), title="Interferon Beta-1a in Patients Previously Given Atorvastatin") == {"anti_inflammatory"}
    assert keys(("DRUG", "Clemastine"), title="Clemastine Combined With Fingolimod") == {"remyelination"}


# ---------------------------------------------------------------------------
# Unnamed "DMTs": background of a device trial, or what an observational study measures
# ---------------------------------------------------------------------------


def test_unnamed_dmts_beside_a_tested_device_are_background():
    assert keys(("PROCEDURE", "Implant procedure"), ("DRUG", "Disease-Modifying Therapies (DMTs)"),
                ("DEVICE", "Active stimulation"), title="A Nerve Stimulator in RRMS") == {"non_drug"}


@pytest.mark.parametrize("name", ["Side effects of orally used DMDs", "Delay between MS onset and introduction of first line DMT"])
def test_observational_measure_about_unnamed_dmts_is_other(name):
    assert keys(("OTHER", name), title="Use of Therapies in MS", study_type="OBSERVATIONAL") == {"other"}


def test_unnamed_dmts_themselves_still_count():
    assert keys(("DRUG", "Disease-Modifying Therapies (DMTs)"), title="Outcomes of MS Therapy",
                study_type="OBSERVATIONAL") == {"anti_inflammatory"}
    assert keys(("DRUG", "Ocrelizumab"), ("DRUG", "Other disease modifying therapies"), title="Ocrelizumab in MS") >= {"b_cell"}
