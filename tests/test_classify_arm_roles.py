"""Which interventions count, read from full-shape records: arm groups (type and
interventionNames), intervention descriptions, a description module and outcome measures.
The reduced corpus has none of these, so the records here are written in the style of full
registry records (see ../shared/ctgov/studies/) to exercise the rules that read them."""
from __future__ import annotations

import pytest

from mstrials.labels.classify import classify_study


def arm(label, arm_type, *names, description=""):
    return {"label": label, "type": arm_type, "description": description, "interventionNames": list(names)}


def full_study(interventions, arms, *, title="A Randomised Study in Multiple Sclerosis", official_title=None,
               conditions=("Multiple Sclerosis",), keywords=(), summary="", primary_outcomes=()):
    identification = {"nctId": "NCT09999990", "briefTitle": title}
    if official_title:
        identification["officialTitle"] = official_title
    return {
        "protocolSection": {
            "identificationModule": identification,
            "conditionsModule": {"conditions": list(conditions), "keywords": list(keywords)},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
            "descriptionModule": {"briefSummary": summary},
            "armsInterventionsModule": {
                "armGroups": list(arms),
                "interventions": [
                    {"type": kind, "name": name, "description": description, "armGroupLabels": list(labels)}
                    for kind, name, description, labels in interventions
                ],
            },
            "outcomesModule": {"primaryOutcomes": [{"measure": measure, "timeFrame": "Week 24"} for measure in primary_outcomes]},
        }
    }


def keys(record) -> set[str]:
    return set(classify_study(record).mechanisms)


# ---------------------------------------------------------------------------
# A DMT or supplement given in every arm, control arms included, is background therapy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "background_kind, background, tested_kind, tested, expected",
    [
        ("DRUG", "Ocrelizumab", "DRUG", "Clemastine fumarate", {"remyelination"}),
        ("DRUG", "Dimethyl fumarate", "DRUG", "Simvastatin", {"neuroprotection_other"}),
        ("DIETARY_SUPPLEMENT", "Vitamin D3", "DRUG", "Lipoic acid", {"mitochondrial"}),
        ("DRUG", "Interferon beta-1a", "DRUG", "Riluzole", {"sodium_channel"}),
        ("DIETARY_SUPPLEMENT", "Calcium and vitamin D", "DRUG", "Ocrelizumab", {"b_cell"}),
    ],
)
def test_intervention_in_every_arm_beside_placebo_is_background(background_kind, background, tested_kind, tested, expected):
    record = full_study(
        [
            (tested_kind, tested, "", ["Active"]),
            ("DRUG", "Placebo", "Matching tablets", ["Control"]),
            (background_kind, background, "", ["Active", "Control"]),
        ],
        [
            arm("Active", "EXPERIMENTAL", f"Drug: {tested}", f"Drug: {background}"),
            arm("Control", "PLACEBO_COMPARATOR", "Drug: Placebo", f"Drug: {background}"),
        ],
    )
    assert keys(record) == expected


def test_background_found_through_the_arms_intervention_names_alone():
    # No armGroupLabels on the interventions: the arms' "Type: Name" lists link them.
    record = full_study(
        [("DRUG", "Opicinumab", "", []), ("DRUG", "Placebo", "", []), ("BIOLOGICAL", "Natalizumab", "", [])],
        [
            arm("Opicinumab plus natalizumab", "EXPERIMENTAL", "Drug: Opicinumab", "Biological: Natalizumab"),
            arm("Placebo plus natalizumab", "PLACEBO_COMPARATOR", "Drug: Placebo", "Biological: Natalizumab"),
        ],
    )
    assert keys(record) == {"remyelination"}


def test_add_on_against_the_dmt_alone_counts_only_the_add_on():
    record = full_study(
        [("DRUG", "Ibudilast", "", ["Add-on"]), ("DRUG", "Glatiramer acetate", "", ["Add-on", "Standard"])],
        [
            arm("Add-on", "EXPERIMENTAL", "Drug: Ibudilast", "Drug: Glatiramer acetate"),
            arm("Standard", "ACTIVE_COMPARATOR", "Drug: Glatiramer acetate"),
        ],
    )
    assert keys(record) == {"ibudilast", "microglia"}


def test_crossover_where_every_arm_gets_both_products_keeps_both():
    # Sequence arms without a control arm: both products are tested.
    record = full_study(
        [("DRUG", "Fampridine", "", ["A then B", "B then A"]), ("DRUG", "Amantadine", "", ["A then B", "B then A"])],
        [arm("A then B", "EXPERIMENTAL", "Drug: Fampridine", "Drug: Amantadine"),
         arm("B then A", "EXPERIMENTAL", "Drug: Amantadine", "Drug: Fampridine")],
    )
    assert keys(record) == {"symptomatic"}


def test_placebo_crossover_keeps_the_drug_given_in_every_arm():
    # The drug is in every arm, but nothing else distinguishes the arms: it is what is tested.
    record = full_study(
        [("DRUG", "Simvastatin", "", ["Drug first", "Placebo first"]), ("DRUG", "Placebo", "", ["Drug first", "Placebo first"])],
        [arm("Drug first", "EXPERIMENTAL", "Drug: Simvastatin", "Drug: Placebo"),
         arm("Placebo first", "PLACEBO_COMPARATOR", "Drug: Placebo", "Drug: Simvastatin")],
    )
    assert keys(record) == {"neuroprotection_other"}


def test_two_drug_head_to_head_keeps_both():
    record = full_study(
        [("DRUG", "Ocrelizumab", "", ["A"]), ("DRUG", "Natalizumab", "", ["B"])],
        [arm("A", "EXPERIMENTAL", "Drug: Ocrelizumab"), arm("B", "EXPERIMENTAL", "Drug: Natalizumab")],
    )
    assert keys(record) == {"b_cell", "anti_inflammatory"}


# ---------------------------------------------------------------------------
# An intervention whose own description says everyone keeps it is background
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "description",
    [
        "Participants remain on their current disease-modifying therapy throughout the study.",
        "All participants continue stable dose interferon beta as background therapy.",
        "Given to all subjects as standard of care; not the investigational product.",
        "Patients stay on their usual treatment in both arms.",
    ],
)
def test_dmt_described_as_given_to_everyone_is_background(description):
    record = full_study(
        [
            ("DRUG", "Metformin", "500 mg twice daily", ["Metformin"]),
            ("DRUG", "Interferon beta-1a", description, ["Metformin"]),
        ],
        [arm("Metformin", "EXPERIMENTAL", "Drug: Metformin", "Drug: Interferon beta-1a")],
    )
    assert keys(record) == {"remyelination"}


def test_a_description_naming_dosing_only_does_not_make_a_drug_background():
    record = full_study(
        [
            ("DRUG", "Metformin", "500 mg twice daily", ["Combination"]),
            ("DRUG", "Clemastine", "2 mg orally twice daily for 12 weeks", ["Combination"]),
        ],
        [arm("Combination", "EXPERIMENTAL", "Drug: Metformin", "Drug: Clemastine")],
    )
    assert keys(record) == {"remyelination"}
    record = full_study(
        [
            ("DRUG", "Simvastatin", "80 mg daily", ["Arm"]),
            ("DRUG", "Ocrelizumab", "600 mg intravenously every 24 weeks", ["Arm"]),
        ],
        [arm("Arm", "EXPERIMENTAL", "Drug: Simvastatin", "Drug: Ocrelizumab")],
    )
    assert keys(record) == {"neuroprotection_other", "b_cell"}


def test_background_description_on_every_intervention_changes_nothing():
    record = full_study(
        [("DRUG", "Fingolimod", "Patients continue their current treatment", ["Cohort"])],
        [arm("Cohort", "OTHER", "Drug: Fingolimod")],
    )
    assert keys(record) == {"anti_inflammatory"}


# ---------------------------------------------------------------------------
# An add-on inside one experimental arm: the arm's words say which drug is background
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "label, description",
    [
        ("Lipoic acid add-on", "Lipoic acid 1200 mg daily added to ongoing interferon beta-1a."),
        ("Open-label lipoic acid", "Lipoic acid in participants treated with interferon beta-1a for at least 6 months."),
        ("Lipoic acid arm", "Participants receiving interferon beta-1a take lipoic acid capsules daily."),
    ],
)
def test_drug_introduced_by_a_background_phrase_in_the_arm_is_background(label, description):
    record = full_study(
        [("DRUG", "Lipoic acid", "", [label]), ("DRUG", "Interferon beta-1a", "", [label])],
        [arm(label, "EXPERIMENTAL", "Drug: Lipoic acid", "Drug: Interferon beta-1a", description=description)],
    )
    assert keys(record) == {"mitochondrial"}


def test_title_add_on_phrase_counts_for_records_with_arm_groups():
    record = full_study(
        [("DRUG", "Clemastine", "", ["Single arm"]), ("DRUG", "Natalizumab", "", ["Single arm"])],
        [arm("Single arm", "EXPERIMENTAL", "Drug: Clemastine", "Drug: Natalizumab")],
        title="Clemastine as Add-on to Natalizumab in Relapsing MS",
    )
    assert keys(record) == {"remyelination"}


def test_arm_words_without_a_background_phrase_keep_a_combination():
    record = full_study(
        [("DRUG", "Lipoic acid", "", ["Combination"]), ("DRUG", "Interferon beta-1a", "", ["Combination"])],
        [arm("Combination", "EXPERIMENTAL", "Drug: Lipoic acid", "Drug: Interferon beta-1a",
             description="Lipoic acid and interferon beta-1a given together from day 1.")],
    )
    assert keys(record) == {"mitochondrial", "anti_inflammatory"}


def test_a_control_arms_words_do_not_make_the_tested_drug_background():
    # "Placebo in patients treated with clemastine" would be a control arm description: not read.
    record = full_study(
        [("DRUG", "Clemastine", "", ["Clemastine"]), ("DRUG", "Placebo", "", ["Placebo"])],
        [arm("Clemastine", "EXPERIMENTAL", "Drug: Clemastine"),
         arm("Placebo", "PLACEBO_COMPARATOR", "Drug: Placebo", description="Placebo after clemastine washout")],
    )
    assert keys(record) == {"remyelination"}


@pytest.mark.parametrize(
    "title",
    ["Clemastine as Add-on to Natalizumab in Relapsing MS", "Clemastine as an Add-on Therapy to Natalizumab",
     "Clemastine as Add-on Treatment With Natalizumab"],
)
@pytest.mark.parametrize("with_arms", [True, False])
def test_as_add_on_to_names_the_background_drug(title, with_arms):
    arms = [arm("Single arm", "EXPERIMENTAL", "Drug: Clemastine", "Drug: Natalizumab")] if with_arms else []
    record = full_study([("DRUG", "Clemastine", "", ["Single arm"]), ("DRUG", "Natalizumab", "", ["Single arm"])], arms, title=title)
    assert keys(record) == {"remyelination"}


# ---------------------------------------------------------------------------
# The therapy participants already take or leave, named in the title
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "title",
    [
        "Simvastatin in People With MS Stable on Glatiramer Acetate",
        "Simvastatin After Switching From Glatiramer Acetate",
        "Simvastatin in Patients With an Inadequate Response to Glatiramer Acetate",
        "Simvastatin for Patients With Disease Activity Despite Glatiramer Acetate",
        "Simvastatin in Breakthrough Disease on Glatiramer Acetate",
    ],
)
@pytest.mark.parametrize("with_arms", [True, False])
def test_therapy_already_taken_or_left_is_background(title, with_arms):
    arms = [arm("Statin", "EXPERIMENTAL", "Drug: Simvastatin", "Drug: Glatiramer acetate")] if with_arms else []
    record = full_study([("DRUG", "Simvastatin", "", ["Statin"]), ("DRUG", "Glatiramer acetate", "", ["Statin"])], arms, title=title)
    assert keys(record) == {"neuroprotection_other"}


def test_switching_between_two_dmts_keeps_the_one_switched_to():
    record = full_study([("DRUG", "Ocrelizumab", "", []), ("DRUG", "Natalizumab", "", [])], [],
                        title="Switching From Natalizumab to Ocrelizumab in Relapsing MS")
    assert keys(record) == {"b_cell"}


# ---------------------------------------------------------------------------
# An unknown product described by its own intervention description
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kind, description, expected",
    [
        ("BIOLOGICAL", "Autologous bone marrow-derived mesenchymal stromal cells given intrathecally", {"cell_therapy"}),
        ("BIOLOGICAL", "Allogeneic umbilical cord derived cells, single intravenous infusion", {"cell_therapy"}),
        ("DRUG", "An oral Bruton tyrosine kinase inhibitor taken once daily", {"b_cell", "microglia"}),
        ("BIOLOGICAL", "A humanised monoclonal antibody against LINGO-1", {"remyelination"}),
        ("DRUG", "A small molecule that promotes remyelination", {"remyelination"}),
    ],
)
def test_unknown_code_named_product_is_read_from_its_description(kind, description, expected):
    record = full_study(
        [(kind, "QX-2207", description, ["QX-2207"]), ("DRUG", "Placebo", "", ["Placebo"])],
        [arm("QX-2207", "EXPERIMENTAL", f"{kind.title()}: QX-2207"), arm("Placebo", "PLACEBO_COMPARATOR", "Drug: Placebo")],
        title="A Phase 1 Study of QX-2207",
    )
    assert keys(record) == expected


@pytest.mark.parametrize("description", ["Tablets matched to teriflunomide, taken once daily", "30 mg capsules twice daily", ""])
def test_a_description_without_class_words_leaves_the_unknown_product_other(description):
    record = full_study(
        [("DRUG", "QX-2207", description, ["QX-2207"])],
        [arm("QX-2207", "EXPERIMENTAL", "Drug: QX-2207")],
        title="A Phase 1 Study of QX-2207",
    )
    assert keys(record) == {"other"}


def test_a_known_products_description_does_not_change_its_key():
    record = full_study(
        [("DRUG", "Ocrelizumab", "Anti-CD20 antibody; participants may have received stem cell transplantation before", ["A"])],
        [arm("A", "EXPERIMENTAL", "Drug: Ocrelizumab")],
    )
    assert keys(record) == {"b_cell"}



def test_drug_in_every_arm_stays_when_only_a_scan_is_given_in_the_investigational_arm_alone():
    # The drug is given in both arms (a delayed start); only an MRI differs: the drug is still tested.
    record = full_study(
        [("DRUG", "Simvastatin", "", ["Early", "Delayed"]), ("DRUG", "Placebo", "", ["Delayed"]),
         ("PROCEDURE", "Brain MRI", "", ["Early"])],
        [arm("Early", "EXPERIMENTAL", "Drug: Simvastatin", "Procedure: Brain MRI"),
         arm("Delayed", "PLACEBO_COMPARATOR", "Drug: Placebo", "Drug: Simvastatin")],
    )
    assert keys(record) == {"neuroprotection_other"}
