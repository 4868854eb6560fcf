"""What taking part involves: placebo chance, blinding, duration, visits, extension, with their source words."""
from __future__ import annotations

import json

import pytest

from mstrials.explore.participation import NOT_STATED, taking_part
from study_factory import make_study


def arm(label, kind, description=None):
    group = {"label": label, "type": kind}
    if description:
        group["description"] = description
    return group


def study(arms=(), masking=None, who=(), model="PARALLEL", allocation="RANDOMIZED", detailed=None, brief=None,
          official_title=None, study_type="INTERVENTIONAL"):
    design = {"studyType": study_type, "phases": ["PHASE2"],
              "designInfo": {"allocation": allocation, "interventionModel": model}}
    if masking:
        design["designInfo"]["maskingInfo"] = {"masking": masking, **({"whoMasked": list(who)} if who else {})}
    extra = {"designModule": design,
             "armsInterventionsModule": {"armGroups": list(arms), "interventions": [{"type": "DRUG", "name": "X"}]}}
    description = {key: value for key, value in (("detailedDescription", detailed), ("briefSummary", brief)) if value}
    if description:
        extra["descriptionModule"] = description
    record = make_study(**extra)
    if official_title:
        record["protocolSection"]["identificationModule"]["officialTitle"] = official_title
    return record


@pytest.mark.parametrize("arms, expected", [
    ([arm("Drug", "EXPERIMENTAL"), arm("Dummy", "PLACEBO_COMPARATOR")], "1 in 2 chance of placebo"),
    ([arm("Low", "EXPERIMENTAL"), arm("High", "EXPERIMENTAL"), arm("Dummy", "PLACEBO_COMPARATOR")],
     "1 in 3 chance of placebo"),
    ([arm("A", "EXPERIMENTAL"), arm("B", "EXPERIMENTAL"), arm("P1", "PLACEBO_COMPARATOR"),
      arm("P2", "PLACEBO_COMPARATOR")], "1 in 2 chance of placebo"),
    ([arm("Real", "EXPERIMENTAL"), arm("Fake stimulation", "SHAM_COMPARATOR")], "1 in 2 chance of sham"),
])
def test_placebo_chance_is_placebo_arms_out_of_all_arms(arms, expected):
    fact = taking_part(study(arms)).placebo
    assert fact.answer.startswith(expected)
    assert fact.stated and all(a["label"] in fact.source for a in arms)


def test_no_placebo_arm_means_everyone_gets_the_study_treatment():
    fact = taking_part(study([arm("Open drug", "EXPERIMENTAL")], allocation="NA", model="SINGLE_GROUP")).placebo
    assert fact.answer == "no placebo: everyone gets the study treatment"
    assert "Open drug (experimental)" in fact.source


def test_an_active_comparator_is_not_called_everyone_gets_the_study_treatment():
    fact = taking_part(study([arm("New", "EXPERIMENTAL"), arm("Usual drug", "ACTIVE_COMPARATOR")])).placebo
    assert fact.answer.startswith("no placebo") and "everyone" not in fact.answer and "1 of 2" in fact.answer


def test_crossover_with_placebo_means_everyone_may_get_placebo():
    fact = taking_part(study([arm("Drug then placebo", "EXPERIMENTAL"), arm("Placebo then drug", "PLACEBO_COMPARATOR")],
                             model="CROSSOVER")).placebo
    assert "everyone may get placebo" in fact.answer


def test_without_arms_the_placebo_chance_is_not_stated():
    fact = taking_part(study([])).placebo
    assert fact.answer == NOT_STATED and fact.source is None and not fact.stated


@pytest.mark.parametrize("masking, who, words, absent", [
    ("NONE", (), "open label", "not know"),
    ("DOUBLE", ("PARTICIPANT", "INVESTIGATOR"), "you will not know which treatment you get", "you will know"),
    ("SINGLE", ("OUTCOMES_ASSESSOR",), "you will know which treatment you get", "you will not know"),
    ("QUADRUPLE", (), "who is not stated", "open label"),
])
def test_blinding_in_plain_words(masking, who, words, absent):
    fact = taking_part(study([arm("A", "EXPERIMENTAL")], masking=masking, who=who)).blinding
    assert words in fact.answer and absent not in fact.answer
    assert fact.source.startswith(f"masking: {masking.lower()}")


def test_blinding_not_given_is_not_stated():
    assert taking_part(study([arm("A", "EXPERIMENTAL")])).blinding.answer == NOT_STATED


def test_duration_visits_and_extension_come_with_their_words():
    text = ("Participants will take part for about 18 months. There are 7 study visits in all. "
            "After the double-blind part, everyone may enter a 2-year open-label extension.")
    facts = taking_part(study([arm("A", "EXPERIMENTAL")], detailed=text))
    assert facts.duration.answer == "about 18 months"
    assert "take part for about 18 months" in facts.duration.source and facts.duration.where == "detailed description"
    assert facts.visits.answer == "7 visits" and "7 study visits" in facts.visits.source
    assert facts.extension.answer.startswith("yes") and "open-label extension" in facts.extension.source


def test_durations_and_visits_in_words_and_other_phrasings():
    facts = taking_part(study([arm("A", "EXPERIMENTAL", "The treatment period is twelve weeks, with four clinic visits.")],
                              official_title="A Study With an Extension Period (OLE)"))
    assert facts.duration.answer == "about 12 weeks" and facts.duration.where == 'arm "A"'
    assert facts.visits.answer == "4 visits"
    assert facts.extension.stated and facts.extension.where == "official title"


def test_a_number_far_from_any_duration_cue_is_not_taken_as_the_duration():
    text = ("The drug was approved 10 years ago. " + "Background sentence. " * 10 +
            "Your participation is voluntary.")
    facts = taking_part(study([arm("A", "EXPERIMENTAL")], detailed=text))
    assert facts.duration.answer == NOT_STATED and facts.duration.source is None
    assert facts.extension.answer == NOT_STATED and facts.visits.answer == NOT_STATED


def test_lowercase_ole_is_not_the_abbreviation():
    facts = taking_part(study([arm("A", "EXPERIMENTAL")], brief="Patients from the ole village clinic."))
    assert facts.extension.answer == NOT_STATED


def test_observational_studies_give_no_placebo():
    fact = taking_part(study([], study_type="OBSERVATIONAL")).placebo
    assert fact.answer.startswith("no placebo") and "observ" in fact.answer


def test_real_record_nct03569618(ctgov_dir):
    record = json.loads((ctgov_dir / "studies" / "NCT03569618.json").read_text())
    facts = taking_part(record)
    # Two groups, "Game 2" is the placebo comparator.
    assert facts.placebo.answer.startswith("1 in 2 chance of placebo") and "Game 2 (placebo comparator)" in facts.placebo.source
    # Triple masking with the participant among those masked.
    assert facts.blinding.answer.startswith("triple-blind: you will not know")
    # The description numbers Visit 1 to Visit 3.
    assert facts.visits.answer.startswith("at least 3 visits") and facts.visits.source.startswith("Visit 3")
    assert facts.extension.answer == NOT_STATED


def test_real_partial_records(ctgov_dir):
    observational = taking_part(json.loads((ctgov_dir / "studies_partial" / "NCT06433752.json").read_text()))
    assert observational.placebo.answer.startswith("no placebo")
    assessor_blind = taking_part(json.loads((ctgov_dir / "studies_partial" / "NCT04047628.json").read_text()))
    assert assessor_blind.blinding.answer.startswith("single-blind: you will know")
