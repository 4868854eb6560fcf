"""Mechanism rules, round 4: patterns that miss on unseen real trials, each tested on a small
study built with tests/study_factory.py (corpus-shaped: titles, conditions, keywords and
intervention (type, name) pairs, no arm groups). Each test names a pattern, never a trial."""
from __future__ import annotations

import pytest

from mstrials.labels.classify import classify_study
from tests.study_factory import make_study


def keys(*interventions, title="A Study in Multiple Sclerosis", official_title=None, conditions=("Multiple Sclerosis",),
         keywords=(), study_type="INTERVENTIONAL") -> set[str]:
    extra = {"conditionsModule": {"conditions": list(conditions), "keywords": list(keywords)}}
    study = make_study(title=title, conditions=conditions, interventions=tuple(interventions), **extra)
    identification = study["protocolSection"]["identificationModule"]
    if official_title:
        identification["officialTitle"] = official_title
    study["protocolSection"]["designModule"]["studyType"] = study_type
    return set(classify_study(study).mechanisms)


# ---------------------------------------------------------------------------
# `other` (or `non_drug`) added beside a real key by a co-intervention
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("supplement", ["Vitamin D3", "Calcium", "Protein shake"])
def test_supplement_the_titles_do_not_name_beside_a_treatment_they_name_adds_nothing(supplement):
    assert keys(("DRUG", "Ocrelizumab"), ("DIETARY_SUPPLEMENT", supplement), title="Ocrelizumab in Primary Progressive MS") == {"b_cell"}
    assert keys(("BEHAVIORAL", "Aerobic exercise"), ("DIETARY_SUPPLEMENT", supplement), title="Aerobic Exercise in MS") == {"non_drug"}


def test_supplement_the_titles_name_or_describe_is_still_tested():
    assert keys(("DRUG", "Ocrelizumab"), ("DIETARY_SUPPLEMENT", "Vitamin D3"),
                title="Vitamin D3 in People Treated With Ocrelizumab") == {"other"}
    # "loading", "supplementation": the supplement is what is studied, whatever the titles call it
    assert keys(("DIETARY_SUPPLEMENT", "Beta-alanine"), ("BEHAVIORAL", "Exercise training"),
                title="Carnosine Loading and Exercise Training in MS") == {"non_drug", "other"}


def test_ordinary_drug_beside_a_named_new_therapy_is_given_alongside():
    # an active placebo, a hormone protecting the endometrium: not a second thing tested
    assert keys(("DRUG", "Ketamine"), ("DRUG", "Midazolam"), title="Ketamine for Fatigue in MS") == {"symptomatic"}


@pytest.mark.parametrize("item", [("DEVICE", "Wearable sensor"), ("PROCEDURE", "Leukapheresis")])
def test_device_or_procedure_known_by_type_beside_a_named_drug_is_a_study_procedure(item):
    assert keys(("DRUG", "Ocrelizumab"), item, title="Ocrelizumab in Progressive MS") == {"b_cell"}
    # named in the titles, it is tested alongside
    assert "non_drug" in keys(("DRUG", "Baclofen"), ("DEVICE", "Wearable sensor"), title="Baclofen and a Wearable Sensor")


@pytest.mark.parametrize("support", ["Dimetindene", "Levocetirizine", "Metamizole", "Cotrimoxazole", "Fluconazole"])
def test_premedication_and_infection_prophylaxis_beside_an_infused_therapy_add_nothing(support):
    assert keys(("BIOLOGICAL", "Ocrelizumab"), ("DRUG", support)) == {"b_cell"}
    assert keys(("DRUG", "Alemtuzumab"), ("DRUG", support)) == {"anti_inflammatory"}


# ---------------------------------------------------------------------------
# Cell therapies named generically
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["XYZ-101 cells", "ABC12 T-cells", "Intrathecal autologous neural progenitors", "Dendritic cell vaccine"]
)
def test_cell_products_named_generically_are_cell_therapy(name):
    assert keys(("BIOLOGICAL", name), title="A Phase 1 Study in Progressive MS") == {"cell_therapy"}


@pytest.mark.parametrize(
    "name", ["NK cells", "Adipose-derived regenerative cells", "Amniotic epithelial cells", "Haploidentical transplant",
             "Bone marrow concentrate", "Cellular product"],
)
def test_more_generic_cell_products_are_cell_therapy(name):
    assert keys(("BIOLOGICAL", name)) == {"cell_therapy"}


def test_gene_modified_cells_registered_as_genetic_are_the_therapy_not_a_gene_test():
    assert keys(("GENETIC", "CD19 CAR T cells"), ("DRUG", "Fludarabine")) == {"b_cell", "cell_therapy"}
    assert keys(("GENETIC", "Autologous mesenchymal stem cells")) == {"cell_therapy"}
    # a gene test is still a test
    assert keys(("GENETIC", "Genotyping")) == {"other"}
    assert keys(("GENETIC", "HLA-DRB1 typing"), ("DRUG", "Ocrelizumab")) == {"b_cell"}


def test_unnamed_transplant_takes_the_cell_therapy_the_titles_name():
    assert keys(("PROCEDURE", "Transplantation"), title="Autologous Haematopoietic Transplantation in Aggressive MS") == {"cell_therapy"}
    # a transplant of something else the titles do not call cells stays what its type says
    assert keys(("PROCEDURE", "Transplantation"), title="A Surgical Study in MS") == {"non_drug"}


def test_bare_cells_label_is_read_from_the_titles():
    assert keys(("OTHER", "Cells"), title="Autologous Mesenchymal Stem Cells in MS") == {"cell_therapy"}


# ---------------------------------------------------------------------------
# Comparator or background DMT counted as investigational
# ---------------------------------------------------------------------------


def test_extension_study_lists_the_parent_trials_comparator():
    assert keys(("DRUG", "Tolebrutinib"), ("DRUG", "Placebo"), ("DRUG", "Teriflunomide"),
                title="Long-term Extension Study of Tolebrutinib in MS") == {"b_cell", "microglia"}


def test_comparison_cohorts_of_an_observational_study_are_references():
    assert keys(("DRUG", "Diroximel fumarate"), ("DRUG", "Ocrelizumab"), ("DRUG", "Fingolimod"),
                title="Pregnancy Outcomes in Women Exposed to Diroximel Fumarate", study_type="OBSERVATIONAL") == {"anti_inflammatory"}


def test_listed_dmts_stay_when_the_titles_compare_strategies_or_name_their_class():
    assert keys(("DRUG", "Ocrelizumab"), ("DRUG", "Teriflunomide"),
                title="Anti-CD20 Maintenance Versus De-escalation in RRMS") == {"b_cell", "anti_inflammatory"}
    # "Copaxone" is the glatiramer the title names
    assert keys(("DRUG", "Estriol"), ("DRUG", "Copaxone"), title="Glatiramer Plus Estriol in RRMS") == {
        "neuroprotection_other", "anti_inflammatory"}


def test_dmt_beside_a_code_named_product_the_titles_name_is_the_reference():
    assert keys(("DRUG", "XYZ-123"), ("DRUG", "Teriflunomide"), ("DRUG", "Placebo"),
                title="Study of XYZ-123 in Relapsing MS") == {"other"}


def test_active_controlled_design_makes_the_unnamed_dmt_the_control():
    assert keys(("DRUG", "Ublituximab"), ("DRUG", "Teriflunomide"), title="Ublituximab in Relapsing MS",
                official_title="A Phase 3, Active-Controlled Study of Ublituximab in Relapsing MS") == {"b_cell"}
    # "non-inferiority" alone is also the design of strategy trials: the DMTs stay
    assert keys(("DRUG", "Ocrelizumab"), ("DRUG", "Teriflunomide"),
                title="A Non-inferiority Trial Comparing Anti-CD20 Maintenance Versus De-escalation") == {"b_cell", "anti_inflammatory"}


def test_placebo_beside_a_cross_class_comparison_blinds_the_comparator():
    assert keys(("DRUG", "Ublituximab"), ("DRUG", "Teriflunomide"), ("DRUG", "Placebo"),
                title="Ublituximab vs Teriflunomide in Relapsing MS") == {"b_cell"}


# ---------------------------------------------------------------------------
# A repurposed neuroprotective drug tested for a symptom
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drug", "title"),
    [
        ("Nimodipine", "Nimodipine and Cognition in Multiple Sclerosis"),
        ("Oxcarbazepine", "Oxcarbazepine in Paroxysmal Symptoms of MS"),
        ("Fluoxetine", "Fluoxetine in MS Patients With Major Depressive Disorder"),
        ("Lamotrigine", "Lamotrigine for Trigeminal Neuralgia in MS"),
        ("Ursodiol", "Ursodiol for Pruritus in MS"),
        ("Phenytoin", "Phenytoin for Tonic Spasms in MS"),
        ("Fluoxetine", "Fluoxetine in the Treatment of Pathological Laughing and Crying"),
        ("Atorvastatin", "Atorvastatin Effect on Bladder Overactivity in MS"),
        ("Riluzole", "Riluzole on Spasticity in Multiple Sclerosis"),
    ],
)
def test_neuroprotective_drug_named_with_a_symptom_is_symptomatic(drug, title):
    assert keys(("DRUG", drug), ("DRUG", "Placebo"), title=title) == {"symptomatic"}


def test_effect_on_a_symptom_in_a_progressive_ms_trial_is_a_side_question():
    # a neuroprotective drug tested in progressive MS: its effect on a symptom does not make it symptomatic
    assert keys(("DRUG", "Simvastatin"), ("DRUG", "Placebo"),
                title="Effect of Simvastatin on Cognitive Function in Secondary Progressive MS") == {"neuroprotection_other"}


# ---------------------------------------------------------------------------
# Rare keys for products known by a code name and class words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Study of ABC-12, an M1 Muscarinic Antagonist, in MS", {"remyelination"}),
        ("ABC-12, an Antioxidant, in Progressive MS", {"mitochondrial"}),
        ("ABC-12 to Enhance Energy Metabolism in MS", {"mitochondrial"}),
        ("ABC-12, a Beta-2 Adrenergic Agonist, in Progressive MS", {"astrocyte"}),
        ("ABC-12 to Slow Neurodegeneration in Progressive MS", {"neuroprotection_other"}),
    ],
)
def test_code_named_product_takes_the_repair_or_protection_class_the_titles_give(title, expected):
    assert keys(("DRUG", "ABC-12"), ("DRUG", "Placebo"), title=title) == expected


def test_class_words_of_a_dmt_in_the_titles_do_not_name_a_code_product():
    # "interferon beta" in a title is the comparator's class, not the code product's
    assert keys(("DRUG", "ABC-12"), title="ABC-12 Versus Interferon Beta in RRMS") == {"other"}
