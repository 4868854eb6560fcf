"""Mechanism rules, round 6: the study's purpose decides `other` (something measures or is
measured) against `non_drug` (a device, app or procedure is the treatment tested). Each test is
a small corpus-shaped study (tests/study_factory.py) and names a pattern, never a trial."""
from __future__ import annotations

import pytest

from mstrials.labels.classify import evidence_text
from tests.test_classify_round4 import keys


# ---------------------------------------------------------------------------
# A measuring word inside a named treatment, or guiding it, is not a test
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["MRI guided focused ultrasound thalamotomy", "Ultrasound-guided dry needling", "Focused ultrasound"])
def test_named_treatment_containing_a_measuring_word_is_non_drug(name):
    assert keys(("PROCEDURE", name), title="A Procedure for Tremor in MS") == {"non_drug"}


@pytest.mark.parametrize("name", ["Focused ultrasound and MRI scan", "Ultrasound assessment of dry needling sites"])
def test_measuring_word_outside_the_treatment_still_counts(name):
    assert keys(("PROCEDURE", name), title="A Study in MS") == {"other"}


# ---------------------------------------------------------------------------
# A trial listing only its measurements tests the non-drug treatment its titles name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "The Effects of Functional Electrical Stimulation on Walking in MS",
    "Neuromuscular Electrical Stimulation to Treat Foot Drop in MS",
    "Remote Therapeutic Monitoring of Home Exercise in MS",
])
def test_measurements_only_with_a_treatment_named_by_the_titles_are_non_drug(title):
    assert keys(("OTHER", "Incremental shuttle walk test"), title=title) == {"non_drug"}


@pytest.mark.parametrize("title", [
    "Physical Activity Levels Measured With Accelerometers in People With MS Who Exercise",  # no effect named
    "The Effects of Fatigue on Balance in MS",  # balance is what is measured
])
def test_measurements_only_without_a_named_treatment_effect_stay_other(title):
    assert keys(("OTHER", "Incremental shuttle walk test"), title=title) == {"other"}


def test_named_treatment_in_the_title_is_not_read_in_an_observational_study():
    assert keys(("OTHER", "Incremental shuttle walk test"), title="The Effects of Exercise Training on Walking in MS",
                study_type="OBSERVATIONAL") == {"other"}


# ---------------------------------------------------------------------------
# Vocabulary: resistance of a body or a disease is not resistance training; exposures recorded
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Treatment of insulin resistance as usual", "Drug resistance screening"])
def test_resistance_that_is_not_training_is_not_exercise(name):
    assert keys(("OTHER", name), title="Metabolism in MS", study_type="OBSERVATIONAL") == {"other"}
    assert keys(("OTHER", "Resistance training"), title="Metabolism in MS") == {"non_drug"}


@pytest.mark.parametrize("name", ["Lifestyle factors", "Lifestyle and dietary factors"])
def test_recorded_factors_are_an_exposure_not_a_programme(name):
    assert keys(("OTHER", name), title="Lifestyle and the Risk of MS", study_type="OBSERVATIONAL") == {"other"}


@pytest.mark.parametrize("name", ["cerebro-spinal fluid", "Cerebro spinal fluid collection", "Cerebrospinal fluid"])
def test_spinal_fluid_sampling_is_sampling_however_spelt(name):
    # the keywords describe the cells studied, not a product given
    assert keys(("BIOLOGICAL", "blood sample"), ("BIOLOGICAL", name), title="B and T Cell Subsets in MS",
                keywords=("B cells", "CD4 T cells")) == {"other"}


@pytest.mark.parametrize("name", ["Continuous quality improvement", "Far infrared sauna sessions"])
def test_care_programmes_and_physical_agents_are_non_drug(name):
    assert keys(("OTHER", name), title="A Trial in MS") == {"non_drug"}


# ---------------------------------------------------------------------------
# Evidence text never quotes a blank intervention name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", " ", "\t\n", "\u00a0"])
def test_evidence_text_does_not_quote_a_blank_name(name):
    text = evidence_text({"other": [{"intervention": name, "matched": "(assessment or sampling)"}]})
    assert text == "other: (assessment or sampling)"
    assert '"' not in text


# ---------------------------------------------------------------------------
# Established DMTs named first in a comparison with a new kind of treatment are the reference
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "dmts"), [
    ("Ocrelizumab or Alemtuzumab Compared With Autologous Haematopoietic Stem Cell Transplantation in MS", ("Ocrelizumab", "Alemtuzumab")),
    ("Natalizumab Versus Autologous Stem Cell Transplantation in Aggressive MS", ("Natalizumab",)),
])
def test_dmts_named_before_a_new_kind_of_treatment_they_are_compared_with_are_the_reference(title, dmts):
    listed = [("DRUG", "Autologous haematopoietic stem cell transplantation"), *(("DRUG", dmt) for dmt in dmts)]
    assert keys(*listed, title=title) == {"cell_therapy"}


def test_dmt_against_dmt_stays_a_head_to_head_comparison():
    assert keys(("DRUG", "Ocrelizumab"), ("DRUG", "Natalizumab"), title="Ocrelizumab Compared With Natalizumab in RRMS") == {
        "b_cell", "anti_inflammatory"}


def test_factors_a_programme_sets_out_to_change_are_that_programme():
    assert keys(("BEHAVIORAL", "Modifiable lifestyle factors"), title="Lifestyle Coaching in MS") == {"non_drug"}
