"""Mechanism rules for patterns that unseen trials showed (issue #10 §1), on small hand-written
records shaped like the corpus: titles, conditions, keywords and intervention (type, name) pairs,
no arm groups. Each test names a pattern, never a trial."""
from __future__ import annotations

import pytest

from mstrials.labels.classify import classify_study, evidence_text


def study(*interventions, title="A Study in Multiple Sclerosis", official_title=None, conditions=("Multiple Sclerosis",),
          keywords=(), study_type="INTERVENTIONAL"):
    identification = {"nctId": "NCT09999998", "briefTitle": title}
    if official_title:
        identification["officialTitle"] = official_title
    return {
        "protocolSection": {
            "identificationModule": identification,
            "conditionsModule": {"conditions": list(conditions), "keywords": list(keywords)},
            "designModule": {"studyType": study_type},
            "armsInterventionsModule": {"interventions": [{"type": kind, "name": name} for kind, name in interventions]},
        }
    }


def keys(*interventions, **kwargs) -> set[str]:
    return set(classify_study(study(*interventions, **kwargs)).mechanisms)


# ---------------------------------------------------------------------------
# `other` beside a real key because a co-intervention matched nothing
# ---------------------------------------------------------------------------


def test_refresher_booster_sessions_of_a_programme_are_not_vaccines():
    assert keys(("BEHAVIORAL", "Aerobic training"), ("BEHAVIORAL", "Aerobic training booster sessions"),
                title="Booster Sessions After Exercise Therapy") == {"non_drug"}


@pytest.mark.parametrize("name", ["COVID-19 booster dose", "Booster vaccination against influenza", "mRNA booster"])
def test_vaccine_boosters_are_still_vaccines(name):
    assert keys(("BIOLOGICAL", name), title="Immune Response in People With MS") == {"other"}


@pytest.mark.parametrize("name", ["PEAK", "Routine visit EDI", "Peanut butter snack"])
def test_unrecognised_item_listed_as_other_beside_a_recognised_treatment_adds_nothing(name):
    assert keys(("DRUG", "Ocrelizumab"), ("OTHER", name)) == {"b_cell"}
    assert keys(("BEHAVIORAL", "Balance training"), ("OTHER", name)) == {"non_drug"}


def test_unrecognised_item_on_its_own_is_still_other():
    assert keys(("OTHER", "PEAK"), title="An Exploratory Study") == {"other"}


@pytest.mark.parametrize("kind", ["DRUG", "BIOLOGICAL", "DIETARY_SUPPLEMENT"])
def test_unknown_product_beside_a_known_drug_still_counts(kind):
    # An unknown drug or supplement is usually the new product itself.
    assert keys(("DRUG", "Ocrelizumab"), (kind, "ZQX-4471")) == {"b_cell", "other"}


def test_participants_newly_diagnosed_do_not_make_a_programme_an_assessment():
    assert keys(("BEHAVIORAL", "Physical activity behavioural programme for persons newly diagnosed with MS")) == {"non_drug"}
    assert keys(("OTHER", "Preventive complex programme for newly diagnosed people")) == {"non_drug"}
    # a diagnosis is still an assessment
    assert keys(("OTHER", "Diagnostic work-up")) == {"other"}


@pytest.mark.parametrize(
    "title",
    [
        "Repositioning Manoeuvre in People With MS Diagnosed With Positional Vertigo",
        "Relaxation Technique for Anxiety in People With a New Diagnosis of Multiple Sclerosis",
        "Development and Validation of a Fall Management Program",
    ],
)
def test_titles_describing_participants_or_a_validated_programme_are_not_diagnostic_studies(title):
    assert keys(("PROCEDURE", "Manoeuvre A"), ("PROCEDURE", "Manoeuvre B"), title=title) == {"non_drug"}


def test_a_device_in_a_measurement_validation_study_is_still_a_diagnostic():
    assert keys(("DEVICE", "Wrist sensor"), title="Validation of a Wrist Sensor to Measure Tremor") == {"other"}


def test_a_code_named_drug_taken_fasting_is_a_product_not_a_diet():
    assert keys(("DRUG", "200 mg QRT4410 (fasting)"), ("DRUG", "200 mg QRT4410 (fed)"),
                title="Safety and Pharmacokinetics of QRT4410 in Healthy Adults") == {"other"}
    # a fasting programme listed as a drug-like item still counts as one
    assert keys(("COMBINATION_PRODUCT", "Intermittent fasting")) == {"non_drug"}


# ---------------------------------------------------------------------------
# Comparator or background DMT counted as investigational
# ---------------------------------------------------------------------------


def test_named_product_compared_with_a_new_code_named_product_is_the_reference():
    found = keys(("DRUG", "Vivitrol injectable"), ("DRUG", "QRT4410"),
                 title="Pharmacokinetics of QRT4410 Versus Vivitrol (Naltrexone) in Healthy Subjects")
    assert found == {"other"}


def test_active_reference_drug_in_the_title_is_the_comparator():
    found = keys(("BIOLOGICAL", "Ocrelizumab"), ("DRUG", "Teriflunomide"),
                 title="Efficacy of Ocrelizumab Using an Active Reference Drug (Teriflunomide) in Multiple Sclerosis")
    assert found == {"b_cell"}


@pytest.mark.parametrize(
    "title",
    [
        "Montelukast for Gastrointestinal Tolerability in Patients With Relapsing MS Receiving Tecfidera",
        "Montelukast in People With Multiple Sclerosis Taking Dimethyl Fumarate",
        "Montelukast Tolerability in Patients With Multiple Sclerosis on Dimethyl Fumarate",
    ],
)
def test_dmt_the_participants_already_receive_is_background(title):
    # Since rule round 8 a product tested against a DMT side effect the titles name
    # ("gastrointestinal tolerability") is symptomatic; either way the DMT is background.
    expected = {"symptomatic"} if "Gastrointestinal" in title else {"other"}
    assert keys(("DRUG", "Dimethyl fumarate"), ("DRUG", "Montelukast"), ("DRUG", "Placebo"), title=title) == expected


def test_background_phrase_does_not_remove_the_tested_known_drug():
    found = keys(("DRUG", "Simvastatin"), ("DRUG", "Interferon beta-1a"),
                 title="Simvastatin in People With Multiple Sclerosis Receiving Interferon Beta-1a")
    assert found == {"neuroprotection_other"}


def test_vaccine_response_of_people_on_their_own_dmt_is_about_the_vaccine():
    # Since rule round 8 (dev gold made consistent): an interventional trial listing the DMT its
    # titles name studies what the DMT does to the vaccine response (the vaccine is the
    # challenge); an observational study follows the vaccination of people on their own DMT.
    title = "Immune Response to Influenza Vaccine in Patients With Multiple Sclerosis on Teriflunomide"
    listed = (("DRUG", "Teriflunomide"), ("BIOLOGICAL", "Influenza vaccine"))
    assert keys(*listed, title=title) == {"anti_inflammatory"}
    assert keys(*listed, title=title, study_type="OBSERVATIONAL") == {"other"}


def test_interferon_flu_like_symptom_relief_does_not_count():
    assert keys(("DRUG", "Peginterferon beta-1a"), ("DRUG", "Naproxen")) == {"anti_inflammatory"}
    # naproxen tested for pain on its own is still symptomatic
    assert keys(("DRUG", "Naproxen"), title="Naproxen for Pain in MS") == {"symptomatic"}


# ---------------------------------------------------------------------------
# Only the control listed: the titles say what is tested
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "title", "expected"),
    [
        ("Treatment as usual", "Feasibility of a Mindfulness Programme Delivered by Web", {"non_drug"}),
        ("Waiting list control", "Aquatic Exercise for Fatigue in MS", {"non_drug"}),
        ("Take Control", "A Randomised Trial of Two Formal Group Programs for MS", {"non_drug"}),
    ],
)
def test_record_listing_only_its_control_is_read_from_the_title(listed, title, expected):
    result = classify_study(study(("BEHAVIORAL", listed), title=title))
    assert set(result.mechanisms) == expected
    assert "[title]" in evidence_text(result)


def test_observational_record_listing_only_a_control_stays_other():
    assert keys(("OTHER", "Healthy controls"), title="Exercise Habits in MS", study_type="OBSERVATIONAL") == {"other"}


# ---------------------------------------------------------------------------
# Cell therapies named generically or by code name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("PROCEDURE", "Autologous transplantation"),
        ("PROCEDURE", "Allogeneic bone marrow graft"),
        ("BIOLOGICAL", "Syngeneic transplant"),
    ],
)
def test_transplantation_wording_is_cell_therapy(kind, name):
    assert keys((kind, name)) == {"cell_therapy"}


@pytest.mark.parametrize(
    ("title", "keywords"),
    [
        ("Safety of QRT-881 Stem Cells in Progressive Multiple Sclerosis", ()),
        ("Intrathecal QRT-881 in Progressive MS", ("Mesenchymal stromal cells", "Intrathecal")),
        ("QRT-881, an Autologous Expanded Regulatory Cell Product, in Multiple Sclerosis", ()),
        ("A Cell Therapy Study of QRT-881 in MS", ()),
    ],
)
def test_cell_product_known_by_code_name_is_read_from_titles_and_keywords(title, keywords):
    assert keys(("BIOLOGICAL", "QRT-881"), title=title, keywords=keywords) == {"cell_therapy"}


def test_code_named_product_without_cell_wording_stays_other():
    assert keys(("BIOLOGICAL", "QRT-881"), title="Safety of QRT-881 in Multiple Sclerosis", keywords=("Safety",)) == {"other"}


def test_apheresis_is_an_anti_inflammatory_treatment():
    assert keys(("OTHER", "Apheresis therapy with a tubing set"),
                title="Immunoadsorption or Plasma Exchange for Steroid-Refractory Relapses") == {"anti_inflammatory"}


# ---------------------------------------------------------------------------
# A repurposed drug tested for a symptom
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("condition", ["Fatigue", "Neuropathic Pain", "Depression", "Urinary Incontinence"])
def test_symptom_named_as_a_condition_makes_a_neuroprotective_drug_symptomatic(condition):
    result = classify_study(study(("DRUG", "Simvastatin"), title="Simvastatin in MS", conditions=("Multiple Sclerosis", condition)))
    assert result.mechanisms == ("symptomatic",)
    assert "[condition]" in evidence_text(result)


def test_disease_course_wording_keeps_the_neuroprotective_key_despite_a_symptom_condition():
    found = keys(("DRUG", "Simvastatin"), title="Simvastatin to Slow Progression in SPMS",
                 conditions=("Secondary Progressive Multiple Sclerosis", "Fatigue"))
    assert found == {"neuroprotection_other"}


def test_fluoxetine_for_depression_is_symptomatic_only():
    assert keys(("DRUG", "Fluoxetine"), title="Fluoxetine to Treat Depression in Multiple Sclerosis") == {"symptomatic"}
    assert keys(("DRUG", "Fluoxetine"), title="Fluoxetine in Progressive Multiple Sclerosis") == {"neuroprotection_other", "astrocyte"}


def test_symptom_drug_tested_to_protect_nerve_tissue_is_neuroprotection():
    found = keys(("DRUG", "Acetazolamide"), ("DRUG", "Placebo"), title="Raising Cerebral Blood Flow in Established MS",
                 keywords=("Acetazolamide", "Neurodegeneration"))
    assert found == {"neuroprotection_other"}
    assert keys(("DRUG", "Dronabinol"), title="Dronabinol to Slow Progression of Progressive MS") == {"neuroprotection_other"}


@pytest.mark.parametrize(
    ("title", "conditions"),
    [
        ("Memantine for Memory in MS: Neuroprotective Drug Repurposed", ("Multiple Sclerosis",)),
        ("Memantine in Neurodegeneration", ("Multiple Sclerosis", "Memory Impairment")),
        ("Memantine in Multiple Sclerosis", ("Multiple Sclerosis",)),
    ],
)
def test_symptom_drug_stays_symptomatic_when_a_symptom_is_named_or_no_neuroprotection_aim(title, conditions):
    assert keys(("DRUG", "Memantine"), title=title, conditions=conditions) == {"symptomatic"}


# ---------------------------------------------------------------------------
# Items registered under a misleading type, probes, unknown products described by the titles
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Serious game", "Balance training", "Cognitive rehabilitation", "Home exercise"])
def test_programme_registered_as_a_diagnostic_test_is_non_drug(name):
    assert keys(("DIAGNOSTIC_TEST", name)) == {"non_drug"}


@pytest.mark.parametrize("name", ["Smartphone app", "Balance", "Gait", "Balance training assessment"])
def test_measurement_tools_registered_as_diagnostic_tests_stay_diagnostics(name):
    assert keys(("DIAGNOSTIC_TEST", name)) == {"other"}


def test_probe_cocktail_beside_the_tested_drug_does_not_count():
    found = keys(("BIOLOGICAL", "Daclizumab"), ("DRUG", "Midazolam"), ("OTHER", "Caffeine"), ("DRUG", "S-warfarin"),
                 ("DRUG", "Omeprazole"), ("DRUG", "Dextromethorphan"), title="Pharmacokinetics of a Prefilled Syringe")
    assert found == {"anti_inflammatory"}


def test_two_probe_drugs_are_not_a_cocktail():
    found = keys(("DRUG", "Rosuvastatin"), ("DRUG", "Dextromethorphan"), ("DRUG", "Placebo"), title="A Study in Progressive MS")
    assert found == {"neuroprotection_other", "symptomatic"}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("A Chimeric Anti-CD4 Antibody in Multiple Sclerosis", {"anti_inflammatory"}),
        ("ZQX-4471, an Immunomodulatory Agent, in Relapsing MS", {"anti_inflammatory"}),
        ("ZQX-4471 in Relapsing MS", {"other"}),
    ],
)
def test_unknown_product_described_by_its_class_in_the_title(title, expected):
    assert keys(("DRUG", "ZQX-4471"), title=title) == expected


def test_drug_pump_takes_the_keys_of_the_drug_the_titles_name():
    found = keys(("DEVICE", "Programmable implantable pump system"),
                 title="Continuous Intrathecal Baclofen Infusion for Chronic Spasticity")
    assert found == {"symptomatic"}
    # listed with the drug it delivers, the pump adds nothing
    assert keys(("DEVICE", "Infusion pump"), ("DRUG", "Baclofen")) == {"symptomatic"}
    # a pump in a title naming no drug stays a device
    assert keys(("DEVICE", "Programmable implantable pump system"), title="Pump Refill Intervals") == {"non_drug"}


@pytest.mark.parametrize("name", ["MRI 7T", "Laser speckle flowgraphy", "Electrical impedance myography", "Spirometry"])
def test_measuring_techniques_are_assessments(name):
    assert keys(("DEVICE", name), title="Tissue Changes in Multiple Sclerosis") == {"other"}


def test_app_in_a_validation_study_is_a_measurement():
    assert keys(("DEVICE", "Qorvi app R2.1"), title="Qorvi - Validation Study of a Smartphone Tool") == {"other"}
    # an app tested as a programme stays non-drug
    assert keys(("DEVICE", "Walking coach app"), title="A Mobile Application to Improve Walking") == {"non_drug"}


def test_approved_dmt_in_an_active_controlled_design_is_the_control_beside_a_btk_inhibitor():
    listed = (("DRUG", "Tolebrutinib"), ("DRUG", "Teriflunomide"), ("DRUG", "Placebo"))
    assert keys(*listed, title="Tolebrutinib Alone or With Teriflunomide",
                official_title="An Active-Controlled, Double-Dummy Phase 2 Study of Tolebrutinib in Relapsing MS") == {"b_cell", "microglia"}
    # without a design word the two disease-modifying drugs are a head-to-head comparison
    assert keys(*listed, title="Tolebrutinib Alone or With Teriflunomide") == {"b_cell", "microglia", "anti_inflammatory"}


@pytest.mark.parametrize("keywords", [("Symptomatic", "Known mutation"), ("Neuroprotective", "Anti-inflammatory pathways")])
def test_loose_keywords_do_not_describe_an_unknown_product(keywords):
    assert keys(("DRUG", "ZQX-4471"), ("DRUG", "Placebo"), title="First in Human Study of ZQX-4471", keywords=keywords) == {"other"}


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        (("Remyelination", "PET"), {"remyelination"}),
        (("Depression", "Anxiety"), {"symptomatic"}),
        (("Nonsteroidal anti-inflammatory drug", "Contrast enhancing lesions"), {"anti_inflammatory"}),
    ],
)
def test_keywords_pointing_one_way_describe_an_unknown_product(keywords, expected):
    assert keys(("DRUG", "ZQX-4471"), title="First in Human Study of ZQX-4471", keywords=keywords) == expected


@pytest.mark.parametrize("name", ["Vitamin D3 for all participants", "Calcium supplement given to all patients", "Background supplementation with vitamin D"])
def test_supplement_given_to_everyone_does_not_count_beside_the_tested_drug(name):
    assert keys(("DRUG", "Ocrelizumab"), ("DIETARY_SUPPLEMENT", name), ("DRUG", "Placebo")) == {"b_cell"}


def test_a_sensor_in_a_study_of_monitoring_or_prediction_is_a_measurement():
    assert keys(("DEVICE", "Sensor dot kit"), title="Prediction and Monitoring of Progression in MS") == {"other"}
    assert keys(("DEVICE", "Sensor dot kit"), title="Sensor Feedback to Increase Activity in MS") == {"non_drug"}
