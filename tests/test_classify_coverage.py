"""Vocabulary coverage for the repair and neuroprotection keys (issue #10 §1, round 2).

Each case is a small made-up record whose only investigational product is written the way
registries write it: a brand, a code name, a class phrase or a national spelling. Every name
here fell to `other` before the vocabulary knew it; the key it must get follows
../shared/docs/mechanisms.md, and where the contract is silent, how the dev set labels drugs
of the same kind."""
from __future__ import annotations

import pytest

from mstrials.labels.classify import classify_study
from mstrials.labels.drug_classes import classes_from_evidence


def study(*interventions, title="A Study in Multiple Sclerosis"):
    return {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT09999997", "briefTitle": title},
            "conditionsModule": {"conditions": ["Multiple Sclerosis"]},
            "designModule": {"studyType": "INTERVENTIONAL"},
            "armsInterventionsModule": {"interventions": [{"type": kind, "name": name} for kind, name in interventions]},
        }
    }


def keys_of(name: str, kind: str = "DRUG") -> set[str]:
    return set(classify_study(study((kind, name), ("DRUG", "Placebo"))).mechanisms)


# ---------------------------------------------------------------------------
# Myelin repair
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        # clemastine, metformin, liothyronine, domperidone, bazedoxifene, benztropine, guanabenz brands
        "Tavegil 2 mg", "Tavegyl", "Glumetza extended release", "Fortamet", "Riomet oral solution",
        "Triostat", "Motilium 10 mg", "Conbriza", "Cogentin", "Wytensin",
        # the INN of IFB-088 / Sephin1
        "Icerguastat",
    ],
)
def test_brands_of_repurposed_repair_drugs_are_remyelination(name):
    assert keys_of(name) == {"remyelination"}


@pytest.mark.parametrize(
    "name",
    [
        "Anti-RGMa monoclonal antibody",
        "anti-HERV-W Env antibody",
        "Anti-SEMA4D antibody",
        "Oral RXR agonist",
        "Retinoid X receptor gamma agonist",
        "Thyroid hormone receptor beta agonist",
        "CNS-penetrant thyromimetic",
        "Selective M1 muscarinic receptor antagonist",
        "OPC differentiation compound",
        "Oligodendrocyte progenitor differentiation enhancer",
    ],
)
def test_repair_targets_named_by_class_are_remyelination(name):
    assert keys_of(name) == {"remyelination"}


@pytest.mark.parametrize("name", ["rhIGF-1", "IGF-1 (CEP-151)", "Recombinant insulin-like growth factor 1", "Mecasermin", "Increlex"])
def test_insulin_like_growth_factor_is_remyelination(name):
    assert keys_of(name, "BIOLOGICAL") == {"remyelination"}


@pytest.mark.parametrize("name", ["IgM22 antibody", "Myelin-regenerating antibody", "Pro-myelinating compound A"])
def test_repair_antibody_spellings_and_describing_words_are_remyelination(name):
    assert keys_of(name, "BIOLOGICAL") == {"remyelination"}


def test_a_bare_label_in_a_myelin_regeneration_trial_is_remyelination():
    record = study(("DRUG", "Study drug"), ("DRUG", "Placebo"), title="Myelin Regeneration After Optic Neuritis")
    assert classify_study(record).mechanisms == ("remyelination",)


def test_transplanted_precursor_cells_stay_a_cell_therapy():
    # a guard for the OPC-differentiation phrase: the cells themselves are not a repair drug
    assert keys_of("Oligodendrocyte progenitor cells", "BIOLOGICAL") == {"cell_therapy"}


def test_an_m3_bladder_anticholinergic_is_not_a_repair_drug():
    # the M1 class phrase must not catch the bladder anticholinergics
    assert keys_of("Darifenacin (M3 muscarinic receptor antagonist)") == {"symptomatic"}


# ---------------------------------------------------------------------------
# Other neuroprotection
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        # erythropoietin and its long-acting form
        "rhEPO 40,000 IU", "Darbepoetin alfa", "NeoRecormon", "Aranesp", "Retacrit", "Binocrit",
        # sex hormones (the contract is silent; the dev set files estriol and testosterone gel here)
        "Trimesta", "Ovestin", "Testim", "Nebido", "Testogel",
        # bile acids, calcium-channel blocker, GLP-1 agonists
        "Ursofalk", "Actigall", "Nimotop", "Byetta", "Bydureon", "Wegovy", "Rybelsus", "Trulicity",
    ],
)
def test_brands_and_forms_of_other_neuroprotective_drugs(name):
    assert keys_of(name) == {"neuroprotection_other"}


@pytest.mark.parametrize(
    "name",
    ["Diazoxide", "Flupirtine maleate", "Citicoline", "Cerebrolysin", "Intranasal insulin", "Tirzepatide", "Mounjaro",
     "Neuro-protective compound B",
     # iron chelators
     "Deferiprone", "Deferoxamine mesylate", "Desferrioxamine", "Oral iron chelator",
     # drug classes written out
     "HMG-CoA reductase inhibitor", "GLP-1 agonist"],
)
def test_axon_protecting_drugs_without_a_listed_route_are_other_neuroprotection(name):
    assert keys_of(name) == {"neuroprotection_other"}


def test_a_bare_label_in_a_trial_written_neuro_protection_is_other_neuroprotection():
    record = study(("DRUG", "Study drug"), ("DRUG", "Placebo"), title="Neuro-Protection in Progressive MS")
    assert classify_study(record).mechanisms == ("neuroprotection_other",)


def test_insulin_without_the_nasal_route_is_not_neuroprotection():
    assert "neuroprotection_other" not in keys_of("Insulin glargine")


def test_a_hormone_brand_is_neuroprotection_for_the_disease_course_and_symptomatic_for_a_symptom():
    course = study(("DRUG", "Testim"), ("DRUG", "Placebo"), title="Hormone Gel and Brain Atrophy in Men With Progressive MS")
    symptom = study(("DRUG", "Testim"), ("DRUG", "Placebo"), title="Hormone Gel to Treat Fatigue in Men With MS")
    assert classify_study(course).mechanisms == ("neuroprotection_other",)
    assert classify_study(symptom).mechanisms == ("symptomatic",)


# ---------------------------------------------------------------------------
# Energy and mitochondria, sodium channels, microglia
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Biotine haute dose",  # French spelling, too short for the misspelling rule
        "Nanocrystalline gold", "Thioctacid 600", "Ubidecarenone", "Glutathione",
        "N-acetyl-L-cysteine", "Fluimucil", "Mucomyst", "Sunphenon 90D",
        "ECGC capsules",  # transposed EGCG, too short for the misspelling rule
        "TRO19622", "MTP-131", "Urolithin A",
    ],
)
def test_energy_and_antioxidant_products_are_mitochondrial(name):
    assert keys_of(name, "DIETARY_SUPPLEMENT") == {"mitochondrial"}


@pytest.mark.parametrize(("name", "expected"), [("Antioxidant-rich diet", {"non_drug"}), ("Vitamin E (antioxidant)", {"other"})])
def test_the_word_antioxidant_alone_does_not_make_a_diet_or_vitamin_mitochondrial(name, expected):
    # "antioxidant" describes diets and vitamins as often as energy-boosting drugs, so it is no evidence
    assert keys_of(name, "DIETARY_SUPPLEMENT") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Epanutin", {"sodium_channel"}), ("Sodium channel antagonist", {"sodium_channel"}), ("Phenytek", {"sodium_channel"}), ("Dynacin", {"microglia"}),
     # "sodium" in a drug's name is not a sodium-channel blocker
     ("Sodium oxybate", {"symptomatic"}), ("Xyrem", {"symptomatic"}),
     # beta-2 agonists restore noradrenergic support to astrocytes
     ("Vilanterol", {"astrocyte"}), ("Indacaterol", {"astrocyte"}), ("Levalbuterol", {"astrocyte"})],
)
def test_brands_of_sodium_channel_microglia_sleep_and_astrocyte_drugs(name, expected):
    assert keys_of(name) == expected


# ---------------------------------------------------------------------------
# Names that fell to `other` in the immune and cell keys
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rhIFN beta-1b", {"anti_inflammatory"}),  # "recombinant human" written into the word
        ("STI571", {"anti_inflammatory"}),  # imatinib's code name
        ("Glivec", {"anti_inflammatory"}),
        ("Tofacitinib", {"anti_inflammatory"}), ("Baricitinib", {"anti_inflammatory"}),  # JAK inhibitors
        ("Cenerimod", {"anti_inflammatory"}),  # S1P modulator
        ("NI-0401", {"anti_inflammatory"}),  # foralumab
        ("SAR339658", {"anti_inflammatory"}),  # vatelizumab
        ("APD334", {"anti_inflammatory"}),  # etrasimod
        ("4SC-101", {"neuroprotection_other"}),  # vidofludimus
        ("Kiovig", {"anti_inflammatory"}),
        ("Hizentra", {"anti_inflammatory"}),
        ("RO7010939", {"b_cell", "microglia"}),  # fenebrutinib
        ("PCI-32765", {"b_cell", "microglia"}),  # ibrutinib
        ("RO5024048", {"b_cell"}),  # ocrelizumab
        ("Tcelna", {"cell_therapy"}),  # T-cell vaccination product
    ],
)
def test_code_names_and_brands_of_immune_and_cell_products(name, expected):
    assert keys_of(name, "BIOLOGICAL") == expected


# ---------------------------------------------------------------------------
# The drug classes know the same brands
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brand", "drug_class"),
    [
        ("Tavegil", "opc_differentiation"), ("Glumetza", "opc_differentiation"), ("Cytomel", "opc_differentiation"),
        ("Motilium", "opc_differentiation"), ("Thioctacid", "antioxidant_mitochondrial"),
        ("Fluimucil", "antioxidant_mitochondrial"), ("Sunphenon", "antioxidant_mitochondrial"),
    ],
)
def test_new_brands_give_their_drug_class(brand, drug_class):
    assert classes_from_evidence(classify_study(study(("DRUG", brand))).mechanism_evidence) == (drug_class,)


# ---------------------------------------------------------------------------
# Round 3: class words and generically named cell products (issue #10 §1)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("GPR17 antagonist", {"remyelination"}),
        ("Oral GPR17 modulator", {"remyelination"}),
        ("Histamine H3 receptor antagonist", {"remyelination"}),
        ("H3 receptor inverse agonist tablets", {"remyelination"}),
        ("Selective estrogen receptor beta agonist", {"remyelination"}),
        ("Nurr1 activator", {"neuroprotection_other"}),
        ("Erythropoiesis stimulating agent", {"neuroprotection_other"}),
        ("Recombinant neurotrophic factor", {"neuroprotection_other"}),
        ("Potassium channel blocker, extended release", {"symptomatic"}),
    ],
)
def test_drug_classes_named_by_their_target_get_their_key(name, expected):
    assert keys_of(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Human umbilical cord derived cells",
        "Wharton's jelly derived stromal preparation",
        "Placenta-derived cells, intravenous",
        "Ex vivo expanded regulatory T lymphocytes",
        "Allogeneic natural killer cells",
        "Cytotoxic T lymphocytes specific for Epstein-Barr virus",
        "Engineered T cells",
        "Olfactory ensheathing cells",
        "Intrathecal cell suspension",
    ],
)
def test_cell_products_named_by_source_or_kind_are_cell_therapy(name):
    assert keys_of(name, "BIOLOGICAL") == {"cell_therapy"}


@pytest.mark.parametrize("name", ["Natural killer cell count", "Regulatory T cell counts in blood", "Engineered T cell assay"])
def test_measuring_those_cells_is_still_an_assessment(name):
    assert keys_of(name, "DIAGNOSTIC_TEST") == {"other"}


def test_bladder_antimuscarinic_is_not_an_h3_or_m1_repair_drug():
    assert keys_of("Oxybutynin") == {"symptomatic"}
