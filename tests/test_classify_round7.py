"""Mechanism rules, round 7 (learnt from the dev set once the round-2 unseen split was retired
into it). Each test is a small corpus-shaped study (tests/study_factory.py) and names a pattern,
never a trial: a condition that is a cancer says nothing about the product; a placebo that names
what it stands in for makes that product the tested one; an `other` product tested to treat a
symptom is symptomatic; functions listed as interventions of a study relating or validating
measurements are measured; a DMT the titles name as the control is the comparator; albumin and
washout resins are not tested; a symptom drug among repair or neuroprotection drugs that the
titles say treat the disease, with no symptom named, is `other`; a randomised trial listing only
its measurements tests the non-drug approach its keywords name."""
from __future__ import annotations

import pytest

from tests.test_classify_round4 import keys


# ---------------------------------------------------------------------------
# A condition naming a cancer does not describe an unknown product
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("condition", [
    "Hematopoietic and Lymphoid Cell Neoplasm",
    "Haematopoietic Malignancies",
    "B-Cell Lymphoma",
    "Stem Cell Tumour",
])
def test_a_cancer_among_the_conditions_does_not_make_an_unknown_product_a_cell_or_b_cell_therapy(condition):
    assert keys(("BIOLOGICAL", "Zorbalimab"), title="Zorbalimab in Patients With Autoimmune Disease and Cancer",
                conditions=("Multiple Sclerosis", condition)) == {"other"}


def test_a_condition_that_describes_the_product_still_does():
    # not a cancer: the conditions still say what kind of product a code name is
    assert keys(("BIOLOGICAL", "QX-2211"), title="QX-2211 in Multiple Sclerosis",
                conditions=("Multiple Sclerosis", "Mesenchymal Stem Cell Transplantation")) == {"cell_therapy"}


# ---------------------------------------------------------------------------
# "Placebo (for X)": X is tested, a DMT no placebo stands in for is background
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("dmt", "placebo"), [
    ("Fingolimod", "Placebo (for Omega-3 fatty acids)"),
    ("Interferon beta-1a", "Placebo to match omega-3 fatty acids"),
    ("Dimethyl fumarate", "Omega-3 fatty acids-matching placebo"),
])
def test_a_dmt_beside_a_product_matched_by_a_placebo_is_background(dmt, placebo):
    listed = [("DRUG", dmt), ("DIETARY_SUPPLEMENT", "Omega-3 fatty acids"), ("DRUG", placebo)]
    # the titles name both, so only the placebo tells which one the arms compare
    assert keys(*listed, title=f"{dmt} With Omega-3 Fatty Acids in Relapsing MS") == {"other"}


def test_a_plain_placebo_does_not_say_which_product_it_stands_in_for():
    # nothing names the supplement as the tested product: both stay
    listed = [("DRUG", "Fingolimod"), ("DIETARY_SUPPLEMENT", "Omega-3 fatty acids"), ("DRUG", "Placebo")]
    assert keys(*listed, title="Fingolimod With Omega-3 Fatty Acids in Relapsing MS") == {"anti_inflammatory", "other"}


def test_a_dmt_the_placebo_stands_in_for_is_tested():
    listed = [("DRUG", "Teriflunomide"), ("DRUG", "Placebo (for teriflunomide)"), ("DIETARY_SUPPLEMENT", "Omega-3 fatty acids")]
    assert "anti_inflammatory" in keys(*listed, title="A Trial in Relapsing MS")


# ---------------------------------------------------------------------------
# An `other` product tested to treat a symptom is symptomatic
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "Omega-3 Fatty Acids for the Treatment of Fatigue in MS",
    "Treating Neuropathic Pain With Omega-3 Fatty Acids in Multiple Sclerosis",
])
def test_a_drug_filed_under_other_that_the_titles_say_treats_a_symptom_is_symptomatic(title):
    assert keys(("DRUG", "Omega-3 fatty acids"), ("DRUG", "Placebo"), title=title) == {"symptomatic"}


def test_an_other_product_beside_a_symptom_drug_for_a_symptom_the_titles_name_is_symptomatic():
    assert keys(("DRUG", "Modafinil"), ("DIETARY_SUPPLEMENT", "Omega-3 fatty acids"),
                title="Central Fatigue in Multiple Sclerosis: a Pilot") == {"symptomatic"}


@pytest.mark.parametrize(("kind", "title"), [
    ("DIETARY_SUPPLEMENT", "Omega-3 Fatty Acids for the Treatment of Fatigue in MS"),  # a supplement, not a drug
    ("DRUG", "Omega-3 Fatty Acids for the Prevention of Urinary Infections in MS"),  # prevents, treats nothing
    ("DRUG", "Omega-3 Fatty Acids to Treat Fatigue and Slow Disability Progression in MS"),  # disease course too
    ("DRUG", "Omega-3 Fatty Acids and Fatigue in MS"),  # no treatment aim stated
])
def test_other_products_without_a_symptom_treatment_aim_are_not_symptomatic(kind, title):
    assert "symptomatic" not in keys((kind, "Omega-3 fatty acids"), ("DRUG", "Placebo"), title=title)


def test_an_other_product_beside_a_drug_of_another_key_is_left_alone():
    # the repair drug is what the trial is about; the product filed under `other` stays other
    assert keys(("DRUG", "Clemastine"), ("DRUG", "Omega-3 fatty acids"),
                title="Clemastine With Omega-3 Fatty Acids for the Treatment of Fatigue in MS") == {"remyelination", "other"}


# ---------------------------------------------------------------------------
# Items named by a function (balance, gait, walking speed) in a study relating or validating
# measurements are what is measured
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "The Relationship Between Trunk Control and Balance in People With MS",
    "Correlation of Hand Grip Strength With Walking Speed in Multiple Sclerosis",
    "Validation of a Wrist Sensor for Gait in MS",
])
def test_functions_named_as_interventions_of_a_measurement_study_are_other(title):
    assert keys(("OTHER", "Balance"), ("BEHAVIORAL", "Fast walking speed"), title=title) == {"other"}


@pytest.mark.parametrize(("name", "title"), [
    ("Balance", "Balance in People With MS: a Pilot Trial"),  # no measuring aim in the titles
    ("Exercise training", "The Relationship Between Exercise Training and Fatigue in MS"),  # a programme
    ("Balance training", "Correlation of Balance Training Dose With Falls in MS"),
])
def test_functions_and_programmes_outside_a_measurement_study_stay_non_drug(name, title):
    assert keys(("OTHER", name), title=title) == {"non_drug"}


# ---------------------------------------------------------------------------
# "Placebo and Avonex controlled": a DMT the titles name as the control is the comparator
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("official_title", [
    "A Placebo and Rebif Controlled Dose Finding Study of Ublituximab in RRMS",
    "An Interferon Beta-1a-Controlled Study of Ublituximab in Relapsing MS",
])
def test_a_dmt_named_as_the_control_of_the_design_is_the_comparator(official_title):
    listed = [("DRUG", "Placebo"), ("DRUG", "Ublituximab"), ("DRUG", "Rebif" if "Rebif" in official_title else "Interferon beta-1a")]
    assert keys(*listed, title="Ublituximab in Relapsing MS", official_title=official_title) == {"b_cell"}


def test_placebo_controlled_alone_leaves_two_listed_dmts_a_head_to_head_design():
    listed = [("DRUG", "Placebo"), ("DRUG", "Ublituximab"), ("DRUG", "Rebif")]
    assert keys(*listed, title="Ublituximab and Rebif in Relapsing MS",
                official_title="A Randomized Placebo-Controlled Study of Ublituximab and Rebif in RRMS") == {"b_cell", "anti_inflammatory"}


# ---------------------------------------------------------------------------
# Vocabulary: albumin is a placebo or replacement fluid; a resin washing the drug out is support
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("albumin", ["Albumin (Human) 5%", "Human albumin solution"])
def test_albumin_is_the_placebo_of_an_immunoglobulin_trial(albumin):
    assert keys(("BIOLOGICAL", "Intravenous immunoglobulin"), ("DRUG", albumin), title="IVIG in Relapsing MS") == {"anti_inflammatory"}
    # the replacement fluid of plasma exchange adds nothing to the exchange
    assert keys(("PROCEDURE", f"Plasma exchange with {albumin.lower()}"), title="Plasma Exchange for Severe Relapses") == keys(
        ("PROCEDURE", "Plasma exchange"), title="Plasma Exchange for Severe Relapses")


@pytest.mark.parametrize("resin", ["Cholestyramine", "Colestyramine powder", "Activated charcoal"])
def test_a_resin_washing_out_the_tested_drug_is_not_tested(resin):
    assert keys(("DRUG", "Teriflunomide"), ("DRUG", resin), title="Pharmacokinetics of Teriflunomide in Healthy Adults") == {
        "anti_inflammatory"}


# ---------------------------------------------------------------------------
# A symptom drug among repair or neuroprotection drugs, with no symptom named anywhere, is
# tested for the disease with them
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "Antioxidant Supplements in the Treatment of Multiple Sclerosis",
    "Precision Combination Therapies Targeting Residual Disease Activity in MS",
])
def test_a_symptom_drug_beside_repair_or_neuroprotection_drugs_naming_no_symptom_is_other(title):
    assert keys(("DRUG", "Ginkgo biloba"), ("DRUG", "Alpha-lipoic acid"), title=title) == {"mitochondrial", "other"}
    assert keys(("DRUG", "Dantrolene"), ("DRUG", "Clemastine"), title=title) == {"remyelination", "other"}


@pytest.mark.parametrize(("title", "keywords"), [
    ("Antioxidant Supplements for Fatigue in Multiple Sclerosis", ()),  # the titles name a symptom
    ("Antioxidant Supplements in the Treatment of Multiple Sclerosis", ("Cognition",)),  # the keywords do
])
def test_a_symptom_drug_stays_symptomatic_when_a_symptom_is_named(title, keywords):
    assert "symptomatic" in keys(("DRUG", "Ginkgo biloba"), ("DRUG", "Alpha-lipoic acid"), title=title, keywords=keywords)


def test_a_symptom_drug_stays_symptomatic_when_the_titles_do_not_say_the_drugs_treat_the_disease():
    assert keys(("DRUG", "Dantrolene"), ("DRUG", "Clemastine"), title="Dantrolene and Clemastine in Progressive MS") == {
        "remyelination", "symptomatic"}


def test_a_symptom_drug_alone_stays_symptomatic():
    # no repair or neuroprotection drug beside it: nothing says it is tested for the disease
    assert keys(("DRUG", "Ginkgo biloba"), ("DRUG", "Placebo"), title="Ginkgo Biloba in the Treatment of MS") == {"symptomatic"}


def test_a_symptom_drug_given_a_neuroprotective_aim_keeps_that_key():
    assert keys(("DRUG", "Memantine"), ("DRUG", "Riluzole"), title="Memantine and Riluzole for Neuroprotection in SPMS") == {
        "neuroprotection_other", "sodium_channel"}


# ---------------------------------------------------------------------------
# A randomised trial listing only its measurements assigns the non-drug approach its keywords name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Patient education", "Telemedicine", "Mindfulness"])
def test_a_randomised_trial_listing_only_measurements_tests_the_approach_its_keywords_name(keyword):
    assert keys(("OTHER", "EDSS"), ("OTHER", "Quality of life questionnaire"), title="Remote Care in MS",
                official_title="Remote Care in MS: a Randomized Controlled Trial", keywords=(keyword, "Multiple sclerosis")) == {"non_drug"}


@pytest.mark.parametrize(("official_title", "keywords", "study_type"), [
    ("Remote Care in MS: a Cross-sectional Study", ("Telemedicine",), "INTERVENTIONAL"),  # nothing is assigned
    ("Remote Care in MS: a Randomized Controlled Trial", ("Balance", "Gait"), "INTERVENTIONAL"),  # measured functions
    ("Remote Care in MS: a Randomized Controlled Trial", ("Telemedicine",), "OBSERVATIONAL"),
])
def test_measurements_only_stay_other_without_an_assigned_approach(official_title, keywords, study_type):
    assert keys(("OTHER", "EDSS"), ("OTHER", "Quality of life questionnaire"), title="Remote Care in MS",
                official_title=official_title, keywords=keywords, study_type=study_type) == {"other"}
