"""Mechanism rules, round 8 (learnt from the dev set once the round-3 unseen split was retired
into it). Each test is a small corpus-shaped study (tests/study_factory.py) and names a pattern,
never a trial: vaccines or neo-antigens given beside a DMT the titles name are the challenge that
measures the DMT's effect on immune responses, not a second product tested; an `other` or
unknown product tested against a DMT's side effect the titles name is symptomatic, and the DMT
is background."""
from __future__ import annotations

import pytest

from tests.test_classify_round4 import keys

# ---------------------------------------------------------------------------
# Vaccine challenge beside a DMT the titles name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("vaccine", [
    "Tetanus diphtheria toxoid vaccine (Td)", "Keyhole limpet hemocyanin (KLH)", "23-valent pneumococcal vaccine",
    "Seasonal influenza vaccine", "mRNA-1273",
])
@pytest.mark.parametrize("dmt, title, key", [
    ("BG00002 (natalizumab)", "Effects of Tysabri on Vaccination Responses in Relapsing MS", "anti_inflammatory"),
    ("Dimethyl fumarate", "Immune Response to Vaccines in Dimethyl Fumarate-Treated Patients", "anti_inflammatory"),
    ("OCR", "Effects of Ocrelizumab on Immune Responses in Relapsing MS", "b_cell"),
    ("Ofatumumab", "Long-term Extension Study of Ofatumumab in Relapsing MS", "b_cell"),
])
def test_vaccines_beside_a_dmt_the_titles_name_are_a_challenge_not_a_product_tested(vaccine, dmt, title, key):
    assert keys(("BIOLOGICAL", dmt), ("BIOLOGICAL", vaccine), title=title) == {key}


def test_a_vaccine_the_study_gives_without_a_named_dmt_stays_other():
    # the DMT is not listed: the vaccine is what is given and followed
    assert keys(("BIOLOGICAL", "Seasonal influenza vaccine"),
                title="Immune Response to Influenza Vaccine in Patients Receiving Ozanimod") == {"other"}
    # a DMT listed but never named by the titles (an immunosuppressant paused or continued)
    assert keys(("BIOLOGICAL", "BNT162b2"), ("DRUG", "Continue natalizumab"),
                title="COVID-19 Booster Vaccine in Poor Responders") >= {"other"}
    # observational: the study follows what people are given
    assert keys(("OTHER", "Ofatumumab"), ("OTHER", "COVID-19 vaccine"),
                title="Response to COVID-19 Vaccine in Participants Treated With Ofatumumab",
                study_type="OBSERVATIONAL") >= {"other"}


def test_a_non_vaccine_other_product_beside_a_named_dmt_is_not_dropped_as_a_challenge():
    assert "other" in keys(("DRUG", "Interferon beta-1a"), ("DRUG", "Doxycycline"),
                           title="Interferon Beta-1a and Doxycycline in Relapsing MS")


# ---------------------------------------------------------------------------
# A product tested against a DMT's side effect is symptomatic
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("product, dmt, title", [
    ("Montelukast", "Dimethyl fumarate",
     "Montelukast on Gastrointestinal Tolerability in Patients Receiving Dimethyl Fumarate"),
    ("Topical Preparation H arm", "Peginterferon beta-1a", "Preparation H on Erythema in Patients Treated With Plegridy"),
    ("Brimonidine tartrate", "Peginterferon beta-1a", "Brimonidine for the Treatment of Injection Related Erythema"),
])
def test_a_product_tested_against_a_dmt_side_effect_is_symptomatic_and_the_dmt_background(product, dmt, title):
    assert keys(("DRUG", product), ("DRUG", dmt), ("DRUG", "Placebo"), title=title) == {"symptomatic"}


def test_premedications_compared_against_infusion_reactions_are_symptomatic():
    assert keys(("DRUG", "Cetirizine"), ("DRUG", "Diphenhydramine"),
                title="Infusion-Related Reactions in Patients Premedicated With Cetirizine Before Ocrelizumab") == {"symptomatic"}
    assert keys(("DRUG", "Glatiramer acetate with oral cetirizine"), ("DRUG", "Glatiramer acetate with placebo"),
                title="An Oral Antihistamine on Injection Site Reactions With Glatiramer Acetate") == {"symptomatic"}


def test_without_a_side_effect_in_the_titles_the_other_product_stays_other():
    assert keys(("DRUG", "Montelukast"), ("DRUG", "Placebo"), title="Montelukast in Relapsing MS") == {"other"}


def test_dmt_formulations_compared_for_tolerability_are_not_read_as_relief():
    # no relief product listed: a DMT formulation left unrecognised is not a symptom treatment
    assert "symptomatic" not in keys(("DRUG", "Rebif new formulation"), ("DRUG", "Betaseron"),
                                     title="Injection Site Reactions With Two Interferon Formulations")


# ---------------------------------------------------------------------------
# Stopping unnamed DMTs is a strategy, not an anti-inflammatory product
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("listed, title", [
    (("DRUG", "Discontinuation of disease modifying therapy"), "Discontinuation of Disease Modifying Therapies in MS"),
    (("OTHER", "DMT withdrawal"), "Disease Modifying Therapies Withdrawal in Inactive Secondary Progressive MS"),
    (("DRUG", "DMT"), "Discontinuing Disease-modifying Therapies in Stable Multiple Sclerosis"),
    (("DRUG", "Continue DMT"), "Stopping Disease Modifying Treatment in Older People With MS"),
])
def test_stopping_unnamed_dmts_is_a_strategy_tested_not_an_anti_inflammatory_product(listed, title):
    assert keys(listed, title=title) == {"other"}


def test_a_named_dmt_stopped_or_unnamed_dmts_given_stay_anti_inflammatory():
    assert keys(("DRUG", "Natalizumab"), title="Natalizumab Temporary Discontinuation in Relapsing MS") == {"anti_inflammatory"}
    assert keys(("DRUG", "DMT"), title="Early Disease Modifying Therapy in Relapsing MS") == {"anti_inflammatory"}


# ---------------------------------------------------------------------------
# Beta-2 agonists are the contract's astrocyte drugs, whichever one is listed
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("agonist", ["Isoxsuprine hydrochloride", "Ritodrine", "Fenoterol"])
def test_a_beta2_agonist_listed_by_its_own_name_is_an_astrocyte_drug(agonist):
    assert keys(("DRUG", agonist), title=f"{agonist.split()[0]} in Relapsing MS") == {"astrocyte"}


def test_motivational_interview_named_either_way_is_a_behavioural_programme():
    for name in ("Motivational Interview", "Motivational interviewing"):
        assert keys(("BEHAVIORAL", name), ("OTHER", "Video attention control"), title="Adherence in Paediatric MS") == {"non_drug"}


@pytest.mark.parametrize("dmt, title, key", [
    ("Teriflunomide", "Immune Response to Influenza Vaccine in Patients With Multiple Sclerosis on Teriflunomide",
     "anti_inflammatory"),
    ("BAF312", "Response to mRNA Vaccines in Participants With SPMS Treated With Mayzent (Siponimod)", "anti_inflammatory"),
])
def test_a_dmt_the_titles_name_as_what_participants_receive_is_what_a_vaccine_challenge_measures(dmt, title, key):
    # "in patients on X" would make X background beside a tested product; beside vaccines alone
    # it is the therapy whose effect on the response is studied
    assert keys(("DRUG", dmt), ("BIOLOGICAL", "Influenza vaccine"), title=title) == {key}
    assert keys(("DRUG", dmt), ("BIOLOGICAL", "Influenza vaccine"), title=title, study_type="OBSERVATIONAL") == {"other"}


# ---------------------------------------------------------------------------
# A DMT listed in the same item as the add-on the titles name is background
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("add_on, title, key", [
    ("atorvastatin", "Atorvastatin in Relapsing-Remitting Multiple Sclerosis", "neuroprotection_other"),
    ("clemastine", "Clemastine for Myelin Repair in Relapsing MS", "remyelination"),
])
def test_a_dmt_in_the_same_item_as_the_add_on_the_titles_name_is_background(add_on, title, key):
    assert keys(("DRUG", f"interferon beta treatment to add-on {add_on} treatment"),
                ("DRUG", f"untreated to {add_on} treatment"), title=title) == {key}


def test_a_dmt_the_titles_name_beside_the_add_on_still_counts():
    found = keys(("DRUG", "interferon beta treatment to add-on atorvastatin treatment"),
                 title="Atorvastatin Added to Interferon Beta in Relapsing MS")
    assert "neuroprotection_other" in found
    # by name, or by class ("Copaxone" named, "glatiramer" listed): the combination is what is tested
    assert keys(("DRUG", "Glatiramer acetate with atorvastatin"),
                title="Copaxone and Atorvastatin Combination in Relapsing MS") == {"anti_inflammatory", "neuroprotection_other"}


def test_hiit_by_its_abbreviation_is_a_training_programme_even_where_biomarkers_are_measured():
    assert keys(("BEHAVIORAL", "HIIT"), ("BEHAVIORAL", "MCT"),
                title="High-Intensity Interval Training Compared to Continuous Training on Fitness and Biomarkers") == {"non_drug"}
    # a dosing interval is not a programme
    assert keys(("DRUG", "Natalizumab extended interval dosing"), title="Natalizumab Dosing Intervals in RRMS") == {"anti_inflammatory"}
