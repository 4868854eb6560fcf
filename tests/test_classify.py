"""Unit tests for the mechanism / progressive / MS-type classifier and its vocabulary.

Every study here is a small hand-written record in the ClinicalTrials.gov v2 key layout.
"""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from mstrials.labels.classify import Classification, classify_study, evidence_text
from mstrials.labels.vocabulary import (
    DEFAULT_VOCABULARY_PATH,
    GROUP_NAMES,
    MECHANISM_KEYS,
    VocabularyError,
    load_vocabulary,
    normalise_text,
    vocabulary_hash,
)


def make_study(
    interventions=(),
    *,
    title="A Study in Multiple Sclerosis",
    official_title=None,
    conditions=("Multiple Sclerosis",),
    keywords=(),
    study_type="INTERVENTIONAL",
    arms=None,
    eligibility=None,
    meshes=None,
    with_interventions_module=True,
):
    """A v2 study. `interventions` items are (type, name) or (type, name, arm labels) or dicts;
    `arms` items are (label, type)."""
    items = []
    for item in interventions:
        if isinstance(item, dict):
            items.append(item)
            continue
        entry = {"type": item[0], "name": item[1]}
        if len(item) > 2:
            entry["armGroupLabels"] = list(item[2])
        items.append(entry)
    protocol = {
        "identificationModule": {"nctId": "NCT09999999", "briefTitle": title},
        "conditionsModule": {"conditions": list(conditions), "keywords": list(keywords)},
        "designModule": {"studyType": study_type},
    }
    if official_title:
        protocol["identificationModule"]["officialTitle"] = official_title
    if with_interventions_module:
        module = {"interventions": items}
        if arms is not None:
            module["armGroups"] = [{"label": label, "type": arm_type} for label, arm_type in arms]
        protocol["armsInterventionsModule"] = module
    if eligibility is not None:
        protocol["eligibilityModule"] = {"eligibilityCriteria": eligibility}
    study = {"protocolSection": protocol, "hasResults": False}
    if meshes is not None:
        study["derivedSection"] = {"conditionBrowseModule": {"meshes": [{"id": "D0", "term": term} for term in meshes]}}
    return study


def keys(*interventions, **kwargs):
    return classify_study(make_study(interventions, **kwargs)).mechanisms


# ---------------------------------------------------------------------------
# Vocabulary: contract, hash, validation
# ---------------------------------------------------------------------------

CONTRACT_GROUPS = {
    "Neuroprotection": {"ibudilast", "mitochondrial", "sodium_channel", "neuroprotection_other"},
    "Repair": {"remyelination"},
    "Immune (inside the CNS)": {"b_cell", "microglia"},
    "Glial support": {"astrocyte"},
    "Anti-inflammatory DMTs": {"anti_inflammatory"},
    "Other": {"cell_therapy", "symptomatic", "non_drug", "other"},
}


def test_mechanism_keys_are_the_contract_in_order():
    assert MECHANISM_KEYS == (
        "b_cell", "microglia", "ibudilast", "mitochondrial", "sodium_channel", "neuroprotection_other",
        "remyelination", "astrocyte", "anti_inflammatory", "cell_therapy", "symptomatic", "non_drug", "other",
    )


def test_shipped_vocabulary_has_labels_groups_and_explanations_for_every_key():
    vocabulary = load_vocabulary()
    assert list(vocabulary.mechanisms) == list(MECHANISM_KEYS)
    for key, mechanism in vocabulary.mechanisms.items():
        assert mechanism.label.strip() and mechanism.group in GROUP_NAMES
        sentences = [part for part in mechanism.explanation.split(". ") if part.strip()]
        assert 2 <= len(sentences) <= 3, (key, mechanism.explanation)
    assert {group: set(members) for group, members in vocabulary.groups.items()} == CONTRACT_GROUPS
    assert list(vocabulary.groups) == list(GROUP_NAMES)


def test_vocabulary_hash_is_sha256_of_the_file_and_follows_edits(tmp_path):
    assert vocabulary_hash() == hashlib.sha256(DEFAULT_VOCABULARY_PATH.read_bytes()).hexdigest()
    copy = tmp_path / "mechanisms.toml"
    copy.write_bytes(DEFAULT_VOCABULARY_PATH.read_bytes())
    before = vocabulary_hash(copy)
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert vocabulary_hash(copy) != before


def test_custom_vocabulary_path_is_used_for_matching(tmp_path):
    text = DEFAULT_VOCABULARY_PATH.read_text(encoding="utf-8")
    edited = text.replace('generic = [\n    "clemastine",', 'generic = [\n    "zorbalimab", "clemastine",', 1)
    assert edited != text
    path = tmp_path / "mechanisms.toml"
    path.write_text(edited, encoding="utf-8")
    study = make_study([("DRUG", "Zorbalimab 10 mg/kg")])
    assert classify_study(study).mechanisms == ("other",)
    assert classify_study(study, load_vocabulary(path)).mechanisms == ("remyelination",)


def _broken_copy(tmp_path, old, new):
    text = DEFAULT_VOCABULARY_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mechanisms.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[mechanisms.astrocyte]", "[mechanisms.astrocytes]", "missing mechanism keys: astrocyte"),
        ("schema_version = 1", "schema_version = 1\n[mechanisms.tau]\nlabel = 'x'", "unknown mechanism keys: tau"),
        ('group = "Repair"', 'group = "Myelin"', "group 'Myelin' is not one of"),
        ("{ regex = '\\bstatins?\\b'", "{ regex = '\\bstatins?(\\b'", "invalid regular expression"),
        ('"clemastine", "opicinumab"', '"clemastine", "ocrelizumab", "opicinumab"', "also listed under"),
        ('label = "Cell therapy"', 'label = ""', "label must be a non-empty string"),
        ("schema_version = 1", "schema_version = 1\n[[[", "invalid TOML"),
    ],
)
def test_bad_vocabulary_files_are_rejected_with_a_clear_message(tmp_path, old, new, message):
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(VocabularyError, match="mechanisms.toml") as error:
        load_vocabulary(path)
    assert message in str(error.value)


def test_missing_vocabulary_file_is_a_vocabulary_error(tmp_path):
    with pytest.raises(VocabularyError, match="cannot read"):
        load_vocabulary(tmp_path / "absent.toml")
    with pytest.raises(VocabularyError):
        vocabulary_hash(tmp_path / "absent.toml")


# ---------------------------------------------------------------------------
# Normalisation of intervention names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["MN-166", "MN 166", "MN166", "mn-166 (ibudilast)"])
def test_code_name_spelling_variants(name):
    assert keys(("DRUG", name)) == ("microglia", "ibudilast")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Clemastine Fumarate 4 mg", ("remyelination",)),
        ("Amantadine Hydrochloride 100 mg (milligrams) Oral Capsule", ("symptomatic",)),
        ("Ocrelizumab 600 mg IV", ("b_cell",)),
        ("Ofatumumab 20mg/kg", ("b_cell",)),
        ("Ocrevus®", ("b_cell",)),
        ("Tecfidera™ capsules", ("anti_inflammatory",)),
        ("Interferon β-1a 30 µg", ("anti_inflammatory",)),
        ("KYV-101 (Biological) - 0.33 ×10^8 cells", ("b_cell", "cell_therapy")),
        ("ONO-2506PO", ("astrocyte",)),
        ("Gileyna", ("anti_inflammatory",)),  # one swapped letter in a brand name
        ("Ofatunumab", ("b_cell",)),
    ],
)
def test_salts_doses_trademarks_and_misspellings(name, expected):
    assert keys(("DRUG", name)) == expected


def test_normalise_text_joins_code_names_and_drops_doses():
    assert normalise_text("SAR-442168 60 mg") == normalise_text("SAR442168") == "sar442168"
    assert normalise_text("Fingolimod 0.5 mg/day PO") == "fingolimod po"
    assert normalise_text(None) == "" and normalise_text(12) == ""


def test_other_names_identify_a_coded_product():
    study = make_study([{"type": "DRUG", "name": "Study drug XR-7", "otherNames": ["tolebrutinib"]}])
    result = classify_study(study)
    assert result.mechanisms == ("b_cell", "microglia")
    assert result.mechanism_evidence["b_cell"] == [{"intervention": "Study drug XR-7", "matched": "tolebrutinib"}]


# ---------------------------------------------------------------------------
# Which interventions count
# ---------------------------------------------------------------------------


def test_arm_groups_exclude_placebo_and_active_comparator_arms():
    interventions = [
        ("DRUG", "Tolebrutinib", ["Tolebrutinib"]),
        ("DRUG", "Teriflunomide", ["Teriflunomide"]),
        ("DRUG", "Placebo", ["Placebo"]),
    ]
    arms = [("Tolebrutinib", "EXPERIMENTAL"), ("Teriflunomide", "ACTIVE_COMPARATOR"), ("Placebo", "PLACEBO_COMPARATOR")]
    assert keys(*interventions, arms=arms) == ("b_cell", "microglia")
    # Without arm groups the same teriflunomide would count (no title says it is a comparator).
    assert keys(*(item[:2] for item in interventions)) == ("b_cell", "microglia", "anti_inflammatory")


def test_active_comparator_given_in_every_arm_is_background_to_the_add_on():
    # "Clemastine + DMF" against "DMF alone" compares clemastine; DMF is what everyone takes.
    interventions = [
        ("DRUG", "Dimethyl fumarate", ["Combination", "DMF alone"]),
        ("DRUG", "Clemastine", ["Combination"]),
    ]
    arms = [("Combination", "EXPERIMENTAL"), ("DMF alone", "ACTIVE_COMPARATOR")]
    assert keys(*interventions, arms=arms) == ("remyelination",)


def test_active_comparator_counts_when_also_given_alone_in_an_experimental_arm():
    # Here DMF is not in every arm: one experimental arm gives it alone, so it is tested too.
    interventions = [
        ("DRUG", "Dimethyl fumarate", ["Combination", "DMF arm"]),
        ("DRUG", "Clemastine", ["Combination", "Clemastine arm"]),
    ]
    arms = [("Combination", "EXPERIMENTAL"), ("DMF arm", "EXPERIMENTAL"), ("Clemastine arm", "EXPERIMENTAL")]
    assert keys(*interventions, arms=arms) == ("remyelination", "anti_inflammatory")


def test_other_arm_type_counts_and_sham_or_no_intervention_arms_do_not():
    interventions = [
        ("DEVICE", "Transcranial direct current stimulation", ["Active"]),
        ("DRUG", "Vitamin D3", ["Supplement"]),
        ("DEVICE", "Inactive headset", ["Sham"]),
        ("OTHER", "Waiting", ["Wait"]),
    ]
    arms = [("Active", "EXPERIMENTAL"), ("Supplement", "OTHER"), ("Sham", "SHAM_COMPARATOR"), ("Wait", "NO_INTERVENTION")]
    assert keys(*interventions, arms=arms) == ("non_drug", "other")


def test_arms_linked_through_their_intervention_names():
    study = make_study([("DRUG", "Siponimod"), ("DRUG", "Interferon beta-1a")])
    study["protocolSection"]["armsInterventionsModule"]["armGroups"] = [
        {"label": "A", "type": "EXPERIMENTAL", "interventionNames": ["Drug: Siponimod"]},
        {"label": "B", "type": "ACTIVE_COMPARATOR", "interventionNames": ["Drug: Interferon beta-1a"]},
    ]
    assert classify_study(study).mechanisms == ("anti_inflammatory",)
    assert classify_study(study).mechanism_evidence["anti_inflammatory"][0]["intervention"] == "Siponimod"


def test_study_without_experimental_arm_counts_its_single_active_comparator_arm():
    interventions = [("DEVICE", "Tablet-based game", ["Game 1", "Game 2"])]
    arms = [("Game 1", "ACTIVE_COMPARATOR"), ("Game 2", "PLACEBO_COMPARATOR")]
    assert keys(*interventions, arms=arms) == ("non_drug",)


@pytest.mark.parametrize(
    "comparator",
    [
        "Placebo", "Matching placebo", "Placebo matched to fenebrutinib", "Teriflunomide-matching placebo",
        "Sham stimulation", "Vehicle gel", "Standard of care", "Usual care", "Best supportive care",
        "Best Available Therapy (BAT)", "No intervention", "Wait list control", "Normal saline",
    ],
)
def test_comparators_are_left_out_by_name(comparator):
    assert keys(("DRUG", "Ibudilast"), ("OTHER", comparator)) == ("microglia", "ibudilast")


def test_drug_combined_with_placebo_in_a_crossover_still_counts():
    assert keys(("DRUG", "Dalfampridine/Placebo"), ("DRUG", "Placebo/Dalfampridine")) == ("symptomatic",)


def test_product_given_with_placebo_is_background_for_the_add_on():
    study = [("DRUG", "Glatiramer acetate with minocycline"), ("DRUG", "Glatiramer acetate with placebo")]
    assert keys(*study) == ("microglia",)


def test_infusion_premedication_does_not_count():
    premedicated = [
        ("DRUG", "Ocrelizumab"),
        ("DRUG", "Methylprednisolone IV"),
        ("DRUG", "Antihistamine"),
        ("DRUG", "Paracetamol"),
    ]
    result = classify_study(make_study(premedicated))
    assert result.mechanisms == ("b_cell",)
    assert keys(("DRUG", "Premedication with methylprednisolone and cetirizine"), ("DRUG", "Natalizumab")) == ("anti_inflammatory",)


def test_steroid_tested_on_its_own_counts():
    assert keys(("DRUG", "Methylprednisolone"), ("DRUG", "Placebo"), title="Oral Methylprednisolone for Relapses") == ("anti_inflammatory",)


def test_head_to_head_of_two_treatments_gets_both_keys():
    interventions = [("DRUG", "Natalizumab", ["Natalizumab"]), ("DRUG", "Ocrelizumab", ["Ocrelizumab"])]
    arms = [("Natalizumab", "EXPERIMENTAL"), ("Ocrelizumab", "EXPERIMENTAL")]
    assert keys(*interventions, arms=arms) == ("b_cell", "anti_inflammatory")
    title = "Natalizumab Versus Ocrelizumab in Relapsing MS"
    assert keys(("DRUG", "Natalizumab"), ("DRUG", "Ocrelizumab"), title=title) == ("b_cell", "anti_inflammatory")


def test_title_named_active_comparator_is_excluded_without_arm_groups():
    title = "Study of Evobrutinib Compared With Interferon Beta-1a (Avonex) in Relapsing MS"
    study = [("DRUG", "Evobrutinib"), ("DRUG", "Avonex"), ("DRUG", "Avonex matched placebo")]
    assert keys(*study, title=title) == ("b_cell", "microglia")
    official = "A Randomized, Double-blind, Double-dummy Study of Ocrelizumab in Comparison to Interferon Beta-1a (Rebif)"
    assert keys(("DRUG", "Ocrelizumab"), ("DRUG", "Interferon beta-1a"), official_title=official) == ("b_cell",)


def test_title_named_background_therapy_is_excluded():
    title = "Oral Drug BIIB061 Added to Interferon-beta1 or Glatiramer Acetate in Relapsing MS"
    study = [("DRUG", "BIIB061"), ("BIOLOGICAL", "Interferon-beta1"), ("DRUG", "Glatiramer acetate"), ("DRUG", "Placebo")]
    assert keys(*study, title=title) == ("remyelination",)
    solar = "Cholecalciferol in Patients With Relapsing MS Treated With Subcutaneous Interferon Beta-1a"
    assert keys(("DIETARY_SUPPLEMENT", "Vitamin D3"), ("DRUG", "Rebif"), title=solar) == ("other",)


def test_probe_drugs_of_an_interaction_study_do_not_count():
    title = "Drug-drug Interaction Study of the Effects of Gemfibrozil and Rifampicin on SAR442168"
    assert keys(("DRUG", "Tolebrutinib"), ("DRUG", "gemfibrozil"), ("DRUG", "rifampicin"), title=title) == ("b_cell", "microglia")


def test_transplant_conditioning_belongs_to_the_cell_therapy():
    study = [("PROCEDURE", "Autologous hematopoietic stem cell transplantation"), ("DRUG", "Cyclophosphamide"), ("DRUG", "rATG"), ("DRUG", "G-CSF")]
    assert keys(*study) == ("cell_therapy",)
    # Only the regimen listed: the title names the transplant it conditions.
    assert keys(("DRUG", "Cyclophosphamide and ATG"), title="Autologous Haematopoietic Stem Cell Transplantation for RRMS") == ("cell_therapy",)
    assert keys(("DRUG", "Cyclophosphamide"), title="High-dose cyclophosphamide in relapsing MS") == ("anti_inflammatory",)


def test_lymphodepleting_antibodies_in_a_transplant_regimen_are_conditioning():
    # An invented transplant trial whose regimen lists the antibody as its own item.
    study = [("PROCEDURE", "Autologous marrow transplant"), ("DRUG", "Fludarabine"), ("DRUG", "Alemtuzumab")]
    assert keys(*study) == ("cell_therapy",)
    study = [("PROCEDURE", "Stem cell transplantation"), ("DRUG", "Cyclophosphamide/Rituximab")]
    assert keys(*study) == ("cell_therapy",)
    # Without a cell therapy the same antibody is the tested drug.
    assert keys(("DRUG", "Alemtuzumab"), ("DRUG", "Placebo")) == ("anti_inflammatory",)


@pytest.mark.parametrize(
    "name",
    [
        "Infusion of autologous EBV-specific cytotoxic T lymphocytes",
        "Allogeneic umbilical cord tissue derived cells",
        "Myelin peptide coupled red blood cells",
        "Intranasal BMSC",
        "Human fetal neural stem cells",
    ],
)
def test_cell_products_named_generically_are_cell_therapy(name):
    assert keys(("BIOLOGICAL", name)) == ("cell_therapy",)
    assert keys(("PROCEDURE", name)) == ("cell_therapy",)


def test_background_drug_after_treated_with_is_dropped_beside_a_programme():
    # No product before the phrase: the tested programme is behavioural, the DMT is background.
    title = "Memory Training Games for Adults With MS Treated With Natalizumab"
    assert keys(("BEHAVIORAL", "Memory training games"), ("DRUG", "Natalizumab"), title=title) == ("non_drug",)
    # When the drug is all there is, it stays.
    assert keys(("DRUG", "Natalizumab"), title="Quality of Life in People Treated With Natalizumab") == ("anti_inflammatory",)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Lamotrigine for Central Pain in Multiple Sclerosis", ("symptomatic",)),
        ("Effect of Riluzole as a Symptomatic Approach to Tremor", ("symptomatic",)),
        ("Simvastatin to Improve Fatigue in People With MS", ("symptomatic",)),
        # the disease course named: still neuroprotection
        ("Lamotrigine for Neuroprotection and Pain in MS", ("sodium_channel",)),
        ("Simvastatin in Secondary Progressive MS: Effects on Fatigue", ("neuroprotection_other",)),
        ("A Study of Riluzole in Multiple Sclerosis", ("sodium_channel",)),
    ],
)
def test_neuroprotective_drug_tested_for_a_symptom_is_symptomatic(title, expected):
    name = title.split()[0] if title.split()[0] not in ("Effect", "A") else "Riluzole"
    assert keys(("DRUG", name), ("DRUG", "Placebo"), title=title) == expected


def test_device_known_only_by_type_is_a_diagnostic_in_a_diagnostic_study():
    assert keys(("PROCEDURE", "xVOG-3"), title="Diagnostic Value of a Video Recorder in White Matter Lesions") == ("other",)
    assert keys(("DEVICE", "WristPal"), title="Validation of a Wrist Sensor in MS") == ("other",)
    # beside a treatment the diagnostic adds nothing
    assert keys(("DEVICE", "WristPal"), ("DRUG", "Fampridine"), title="Biomarkers of Fampridine Response") == ("symptomatic",)
    # a therapy device is still non_drug
    assert keys(("DEVICE", "WristPal"), title="A Wrist Device for Tremor in MS") == ("non_drug",)


def test_drug_delivery_device_does_not_add_non_drug():
    assert keys(("DRUG", "Medical cannabis"), ("DEVICE", "Metered-dose inhaler"), title="Cannabis for Pain") == ("symptomatic",)
    # without a drug the device is what is tested
    assert keys(("DEVICE", "Metered-dose inhaler"), title="An Inhaler Training Study") == ("non_drug",)


def test_approved_dmt_beside_a_placebo_controlled_add_on_is_not_tested():
    title = "A Combination Trial of Glatiramer Plus Estriol in RRMS"
    assert keys(("DRUG", "Estriol"), ("DRUG", "Placebo"), ("DRUG", "Copaxone"), title=title) == ("neuroprotection_other",)
    # no placebo: both are given as a combination and both count
    assert keys(("DRUG", "Estriol"), ("DRUG", "Copaxone"), title=title) == ("neuroprotection_other", "anti_inflammatory")
    # a disease-modifying new drug against a DMT is head-to-head
    assert "anti_inflammatory" in keys(("DRUG", "Tolebrutinib"), ("DRUG", "Placebo"), ("DRUG", "Teriflunomide"))


def test_single_reference_dmt_of_a_double_dummy_design_is_not_tested():
    design = [("BIOLOGICAL", "Ublituximab"), ("DRUG", "Teriflunomide"), ("DRUG", "Oral placebo"), ("DRUG", "IV placebo")]
    assert keys(*design) == ("b_cell",)
    # one placebo only: no double-dummy signal, both counted
    assert keys(("BIOLOGICAL", "Ublituximab"), ("DRUG", "Teriflunomide"), ("DRUG", "Placebo"), title="A Study of Two Drugs") == ("b_cell", "anti_inflammatory")
    # two DMTs of the same class: the tested one cannot be told from the reference, both stay
    two = [("DRUG", "Ofatumumab"), ("DRUG", "Siponimod"), ("DRUG", "Fingolimod"), ("DRUG", "Oral placebo"), ("DRUG", "Injection placebo")]
    assert keys(*two) == ("b_cell", "anti_inflammatory")


def test_car_t_products_are_b_cell_and_cell_therapy():
    assert keys(("BIOLOGICAL", "KYV-101"), ("DRUG", "Standard lymphodepletion regimen")) == ("b_cell", "cell_therapy")
    assert keys(("BIOLOGICAL", "CD19 CAR-T cells")) == ("b_cell", "cell_therapy")
    untargeted = "Universal CAR-T Cells Targeting CD19/BCMA in Refractory Neurological Autoimmune Diseases"
    assert keys(("BIOLOGICAL", "UCAR T-cell"), title=untargeted) == ("b_cell", "cell_therapy")
    assert keys(("BIOLOGICAL", "UCAR T-cell"), title="Universal CAR-T cells in autoimmune disease") == ("cell_therapy",)


# ---------------------------------------------------------------------------
# Multi-label products and classes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fenebrutinib", ("b_cell", "microglia")),
        ("GDC-0853", ("b_cell", "microglia")),
        ("Zorobrutinib", ("b_cell", "microglia")),  # an unseen BTK inhibitor, by its suffix
        ("Ibudilast", ("microglia", "ibudilast")),
        ("Fluoxetine", ("neuroprotection_other", "astrocyte")),
        ("Anti-CD20 monoclonal antibody", ("b_cell",)),
        ("Mesenchymal stem cells", ("cell_therapy",)),
        ("aHSCT", ("cell_therapy",)),
        ("ATA188", ("cell_therapy",)),
        ("MD1003 100mg capsule", ("mitochondrial",)),
        ("Lamotrigine", ("sodium_channel",)),
        ("Simvastatin", ("neuroprotection_other",)),
        ("PIPE-307", ("remyelination",)),
        ("Salbutamol", ("astrocyte",)),
        ("Siponimod", ("anti_inflammatory",)),
        ("Sativex oromucosal spray", ("symptomatic",)),
        ("Vitamin D3", ("other",)),
    ],
)
def test_products_map_to_their_mechanisms(name, expected):
    assert keys(("DRUG", name)) == expected


def test_evidence_names_intervention_and_vocabulary_entry_per_key():
    result = classify_study(make_study([("DRUG", "Tolebrutinib 60 mg"), ("DRUG", "Placebo")]))
    assert result.mechanism_evidence == {
        "b_cell": [{"intervention": "Tolebrutinib 60 mg", "matched": "tolebrutinib"}],
        "microglia": [{"intervention": "Tolebrutinib 60 mg", "matched": "tolebrutinib"}],
    }
    assert evidence_text(result) == 'b_cell: "Tolebrutinib 60 mg" ~ tolebrutinib; microglia: "Tolebrutinib 60 mg" ~ tolebrutinib'
    assert evidence_text(result.mechanism_evidence) == evidence_text(result)
    assert evidence_text({"other": [{"intervention": "", "matched": "(no interventions listed)"}]}) == "other: (no interventions listed)"
    assert evidence_text(None) == ""


# ---------------------------------------------------------------------------
# Intervention types, fallbacks and studies without interventions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intervention_type", "name", "expected"),
    [
        ("BEHAVIORAL", "Mindfulness-based stress reduction", ("non_drug",)),
        ("BEHAVIORAL", "MAPSS-MS", ("non_drug",)),
        ("DEVICE", "Exopulse Mollii suit", ("non_drug",)),
        ("DEVICE", "ZX-4000 headset", ("non_drug",)),
        ("PROCEDURE", "Venous angioplasty", ("non_drug",)),
        ("OTHER", "Home-based aerobic exercise programme", ("non_drug",)),
        ("OTHER", "Smartphone app for fatigue", ("non_drug",)),
        ("DIETARY_SUPPLEMENT", "Ketogenic diet", ("non_drug",)),
        ("DIETARY_SUPPLEMENT", "Probiotics (Visbiome)", ("other",)),
        ("OTHER", "Questionnaires", ("other",)),
        ("DIAGNOSTIC_TEST", "7T MRI", ("other",)),
        ("RADIATION", "Low-dose radiation", ("other",)),
        # a physical-agent therapy given by a device is non_drug whatever the type (contract: devices)
        ("RADIATION", "Far infrared radiation", ("non_drug",)),
        ("DRUG", "[18F]-FDG PET", ("other",)),
        ("DRUG", "11C-BMS-986196", ("other",)),  # a BTK PET tracer is a diagnostic, not a BTK inhibitor
        ("DRUG", "XYZ-999", ("other",)),
        ("BIOLOGICAL", "Seasonal influenza vaccine", ("other",)),
    ],
)
def test_type_fallbacks_and_non_drug_programmes(intervention_type, name, expected):
    assert keys((intervention_type, name)) == expected


def test_assessments_do_not_add_other_to_a_treatment_trial():
    assert keys(("DRUG", "Ocrelizumab"), ("OTHER", "Brain MRI"), ("OTHER", "Blood sampling")) == ("b_cell",)
    assert keys(("OTHER", "Blood sampling"), ("OTHER", "Questionnaire")) == ("other",)


def test_bare_label_is_resolved_from_the_title():
    assert keys(("DRUG", "Study drug"), title="A Study of Ocrelizumab Given Subcutaneously") == ("b_cell",)
    assert keys(("OTHER", "Experimental group"), title="Effect of Pilates on Balance in MS") == ("non_drug",)
    # An unknown product is not replaced by a drug the title mentions for another reason (since
    # rule round 8 a product tested against a DMT's side effect is symptomatic, never the DMT)...
    assert keys(("DRUG", "Simethicone"), title="Dimethyl Fumarate Related Flushing Study") == ("symptomatic",)
    assert keys(("DRUG", "Simethicone"), title="Dimethyl Fumarate Related Study") == ("other",)
    # ...but the title may say what it is for.
    assert keys(("DRUG", "BX-77"), title="BX-77 in Spasticity Due to Multiple Sclerosis") == ("symptomatic",)


def test_observational_study_without_interventions_is_other():
    study = make_study([], title="Real-world Ocrelizumab Registry", study_type="OBSERVATIONAL", with_interventions_module=False)
    result = classify_study(study)
    assert result.mechanisms == ("other",)
    assert result.mechanism_evidence["other"][0]["intervention"] == ""


def test_interventional_record_fetched_without_interventions_uses_its_title():
    title = "Study to Evaluate Ozanimod Compared to Fingolimod in Children With Relapsing Remitting MS"
    assert keys(title=title, with_interventions_module=False) == ("anti_inflammatory",)
    assert keys(title="Confirmatory Trial for Fatigue in MS", with_interventions_module=False) == ("other",)


@pytest.mark.parametrize(
    "study",
    [
        {},
        {"protocolSection": None},
        {"protocolSection": {"armsInterventionsModule": {"interventions": [None, 3, {"name": None}]}}},
        {"protocolSection": {"armsInterventionsModule": {"interventions": [{"type": 5, "name": ["x"]}], "armGroups": "bad"}}},
        [],
        None,
        "NCT00000000",
    ],
)
def test_malformed_records_still_get_a_key(study):
    result = classify_study(study)
    assert result.mechanisms == ("other",)
    assert result.progressive is False and result.ms_types == ()


def test_classification_is_frozen_and_keys_are_in_contract_order():
    result = classify_study(make_study([("DRUG", "Vitamin D"), ("DRUG", "Ocrelizumab"), ("BEHAVIORAL", "Yoga")]))
    assert result.mechanisms == ("b_cell", "non_drug", "other")
    assert list(result.mechanism_evidence) == list(result.mechanisms)
    assert isinstance(result, Classification)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.progressive = True  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Progressive relevance and MS types
# ---------------------------------------------------------------------------


def classify_disease(**kwargs):
    result = classify_study(make_study([("DRUG", "Simvastatin")], **kwargs))
    return result.progressive, result.ms_types


@pytest.mark.parametrize(
    ("fields", "expected_types"),
    [
        ({"conditions": ["Primary Progressive Multiple Sclerosis"]}, ("PPMS",)),
        ({"conditions": ["PP-MS"]}, ("PPMS",)),
        ({"conditions": ["Non-relapsing Secondary Progressive Multiple Sclerosis"]}, ("SPMS",)),
        ({"keywords": ["nrSPMS"]}, ("SPMS",)),
        ({"title": "Simvastatin in Active SPMS"}, ("SPMS",)),
        ({"conditions": ["Progressive Multiple Sclerosis"]}, ("PROGRESSIVE_UNSPECIFIED",)),
        ({"conditions": ["Multiple Sclerosis, Progressive"]}, ("PROGRESSIVE_UNSPECIFIED",)),
        ({"conditions": ["Multiple Sclerosis, Chronic Progressive"]}, ("PROGRESSIVE_UNSPECIFIED",)),
        ({"title": "Drug X in Progressive Forms of MS"}, ("PROGRESSIVE_UNSPECIFIED",)),
        ({"title": "Inspiratory Muscle Training in Advanced Multiple Sclerosis"}, ("PROGRESSIVE_UNSPECIFIED",)),
        ({"title": "Drug X in Primary or Secondary Progressive MS"}, ("PPMS", "SPMS")),
        ({"keywords": ["Secondary progessive MS"]}, ("SPMS",)),  # a typo in a real record
        ({"meshes": ["Multiple Sclerosis, Chronic Progressive"]}, ("PROGRESSIVE_UNSPECIFIED",)),
    ],
)
def test_progressive_forms_are_recognised(fields, expected_types):
    assert classify_disease(**fields) == (True, expected_types)


def test_conditions_only_say_ms_while_the_title_says_spms():
    assert classify_disease(conditions=["Multiple Sclerosis"], title="Domperidone in Secondary Progressive Multiple Sclerosis (SPMS)") == (True, ("SPMS",))


def test_relapsing_trial_admitting_active_spms_is_progressive():
    official = "A Study in Relapsing Forms of Multiple Sclerosis, Including Active Secondary Progressive MS"
    assert classify_disease(conditions=["Relapsing Multiple Sclerosis"], official_title=official) == (True, ("SPMS", "RRMS"))
    criteria = "Inclusion Criteria:\n- Relapsing forms of MS, including active SPMS\n\nExclusion Criteria:\n- Pregnancy"
    assert classify_disease(conditions=["Relapsing Multiple Sclerosis"], eligibility=criteria) == (True, ("SPMS", "RRMS"))


def test_relapsing_forms_alone_are_not_progressive():
    assert classify_disease(conditions=["Relapsing Forms of Multiple Sclerosis"]) == (False, ("RRMS",))
    assert classify_disease(conditions=["Relapsing-Remitting Multiple Sclerosis"]) == (False, ("RRMS",))
    assert classify_disease(conditions=["RMS"]) == (False, ("RRMS",))


@pytest.mark.parametrize(
    "title",
    [
        "Drug X in Non-progressive Multiple Sclerosis",
        "Drug X in Relapsing MS, Excluding Progressive MS",
        "Drug X in MS Patients Who Are Not Progressive",
        "Drug X in Relapsing MS Without Progressive MS",
        "Risk of Progressive Multifocal Leukoencephalopathy in Natalizumab-treated MS",
        "Heavy Progressive Resistance Training in Multiple Sclerosis",
        "Progressive Muscle Relaxation for Sleep in MS",
        "Disability Progression in Multiple Sclerosis",
    ],
)
def test_progressive_traps(title):
    progressive, ms_types = classify_disease(title=title)
    assert progressive is False
    assert not {"PPMS", "SPMS", "PROGRESSIVE_UNSPECIFIED"} & set(ms_types)


def test_progressive_describing_a_symptom_of_another_disease_is_not_progressive_ms():
    result = classify_study(
        make_study(
            [("DRUG", "Riluzole")],
            title="Riluzole for Progressive Weakness in Amyotrophic Lateral Sclerosis",
            conditions=["Amyotrophic Lateral Sclerosis"],
        )
    )
    assert result.progressive is False and result.ms_types == ()


def test_exclusion_criteria_do_not_count_as_inclusion():
    criteria = (
        "Inclusion Criteria:\n1. Relapsing-remitting multiple sclerosis\n2. EDSS 0-5.5\n\n"
        "Exclusion Criteria:\n1. Diagnosis of primary progressive MS\n2. Secondary progressive MS\n"
    )
    assert classify_disease(conditions=["Multiple Sclerosis"], eligibility=criteria) == (False, ("RRMS",))


def test_inclusion_criteria_add_progressive_types_and_skip_negated_lines():
    criteria = "Inclusion Criteria:\n- Diagnosis of primary progressive MS (2017 McDonald)\n- Age 18-65\nExclusion Criteria:\n- Relapse in the last 30 days"
    assert classify_disease(conditions=["Multiple Sclerosis"], eligibility=criteria) == (True, ("PPMS",))
    criteria = "Inclusion Criteria:\n- Relapsing MS\n- Patients with progressive MS are not eligible\n"
    assert classify_disease(conditions=["Multiple Sclerosis"], eligibility=criteria) == (False, ("RRMS",))


def test_spms_eligibility_describing_the_earlier_relapsing_course_does_not_add_rrms():
    criteria = "Inclusion Criteria:\n- SPMS, defined as a relapsing-remitting course followed by progression"
    assert classify_disease(conditions=["Secondary Progressive Multiple Sclerosis"], eligibility=criteria) == (True, ("SPMS",))


def test_clinically_isolated_syndrome():
    assert classify_disease(conditions=["Clinically Isolated Syndrome"]) == (False, ("CIS",))
    assert classify_disease(conditions=["Multiple Sclerosis", "CIS"]) == (False, ("CIS",))


def test_generic_progressive_is_dropped_when_a_type_is_named():
    assert classify_disease(conditions=["Progressive Multiple Sclerosis", "Primary Progressive Multiple Sclerosis"]) == (True, ("PPMS",))


def test_full_record_shape_from_the_api(ctgov_dir: Path):
    import json

    record = json.loads((ctgov_dir / "studies_partial" / "NCT04047628.json").read_text(encoding="utf-8"))
    result = classify_study(record)
    assert result.mechanisms == ("cell_therapy",)  # best available therapy is the comparator
    assert result.progressive is True and "SPMS" in result.ms_types and "PPMS" not in result.ms_types
