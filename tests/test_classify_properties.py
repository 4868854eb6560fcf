"""Property tests: the classifier never crashes, whatever shape a (partial or broken) record has,
and its output always keeps the contract."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstrials.labels.classify import MS_TYPES, PROGRESSIVE_MS_TYPES, _classify, classify_study, evidence_text
from mstrials.labels.vocabulary import MECHANISM_KEYS, default_vocabulary

# Words the classifier reacts to, so generated text reaches the interesting branches.
VOCABULARY_WORDS = [
    "placebo", "ocrelizumab", "MN-166", "tolebrutinib", "progressive", "secondary progressive", "PPMS",
    "non-progressive", "relapsing", "CIS", "exercise", "questionnaire", "[18F]", "600 mg", "β-1a", "®",
    "versus", "compared with", "added to", "treated with", "stem cell transplantation", "cyclophosphamide",
    "CAR-T", "CD19", "Exclusion Criteria:", "Inclusion Criteria:", "with placebo", "/", "+", "(", ")",
    "premedication", "Study drug", "progressive multifocal leukoencephalopathy", "MS", "\n", "", " ",
]
INTERVENTION_TYPES = ["DRUG", "BIOLOGICAL", "DEVICE", "BEHAVIORAL", "PROCEDURE", "OTHER", "DIETARY_SUPPLEMENT",
                      "DIAGNOSTIC_TEST", "RADIATION", "GENETIC", "COMBINATION_PRODUCT", "", "drug"]
ARM_TYPES = ["EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION", "OTHER", ""]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20))
texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(VOCABULARY_WORDS), max_size=8).map(" ".join),
)
junk = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


def maybe(strategy):
    """The value, or something of the wrong type, or nothing at all."""
    return st.one_of(strategy, junk)


text_lists = maybe(st.lists(maybe(texts), max_size=4))

interventions = st.fixed_dictionaries(
    {},
    optional={
        "type": maybe(st.sampled_from(INTERVENTION_TYPES)),
        "name": maybe(texts),
        "otherNames": text_lists,
        "armGroupLabels": maybe(st.lists(maybe(st.sampled_from(["A", "B", "Placebo", "a "])), max_size=3)),
    },
)
arm_groups = st.fixed_dictionaries({}, optional={"label": maybe(st.sampled_from(["A", "B", "Placebo"])), "type": maybe(st.sampled_from(ARM_TYPES))})

protocol_sections = st.fixed_dictionaries(
    {},
    optional={
        "identificationModule": maybe(st.fixed_dictionaries({}, optional={"nctId": maybe(texts), "briefTitle": maybe(texts), "officialTitle": maybe(texts), "acronym": maybe(texts)})),
        "conditionsModule": maybe(st.fixed_dictionaries({}, optional={"conditions": text_lists, "keywords": text_lists})),
        "designModule": maybe(st.fixed_dictionaries({}, optional={"studyType": maybe(st.sampled_from(["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS", ""]))})),
        "armsInterventionsModule": maybe(
            st.fixed_dictionaries({}, optional={"interventions": maybe(st.lists(maybe(interventions), max_size=4)), "armGroups": maybe(st.lists(maybe(arm_groups), max_size=3))})
        ),
        "eligibilityModule": maybe(st.fixed_dictionaries({}, optional={"eligibilityCriteria": maybe(texts)})),
    },
)
studies = st.one_of(
    junk,
    st.fixed_dictionaries(
        {},
        optional={
            "protocolSection": maybe(protocol_sections),
            "derivedSection": maybe(
                st.fixed_dictionaries({}, optional={"conditionBrowseModule": maybe(st.fixed_dictionaries({}, optional={"meshes": maybe(st.lists(maybe(st.fixed_dictionaries({}, optional={"term": maybe(texts)})), max_size=3))}))})
            ),
            "hasResults": scalars,
        },
    ),
)


def assert_contract(result):
    assert result.mechanisms, "every study gets at least one key"
    assert list(result.mechanisms) == [key for key in MECHANISM_KEYS if key in result.mechanisms]
    assert list(result.mechanism_evidence) == list(result.mechanisms)
    for items in result.mechanism_evidence.values():
        assert items and all(set(item) == {"intervention", "matched"} for item in items)
        assert all(isinstance(item["intervention"], str) and isinstance(item["matched"], str) for item in items)
    assert list(result.ms_types) == [ms_type for ms_type in MS_TYPES if ms_type in result.ms_types]
    assert result.progressive == bool(PROGRESSIVE_MS_TYPES & set(result.ms_types))
    assert isinstance(evidence_text(result), str)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies)
def test_never_crashes_and_keeps_the_contract(study):
    # The internal entry point has no safety net, so a crash here is a real bug rather than
    # something classify_study's last-resort fallback would quietly hide.
    assert_contract(_classify(study, default_vocabulary()))
    assert_contract(classify_study(study))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(INTERVENTION_TYPES), texts), min_size=1, max_size=5), texts)
def test_any_intervention_list_in_a_well_formed_record(items, title):
    study = {
        "protocolSection": {
            "identificationModule": {"briefTitle": title},
            "designModule": {"studyType": "INTERVENTIONAL"},
            "armsInterventionsModule": {"interventions": [{"type": kind, "name": name} for kind, name in items]},
        }
    }
    assert_contract(_classify(study, default_vocabulary()))


@settings(max_examples=100, deadline=None)
@given(texts)
def test_classification_does_not_depend_on_earlier_calls(name):
    study = {"protocolSection": {"armsInterventionsModule": {"interventions": [{"type": "DRUG", "name": name}]}}}
    first = classify_study(study)
    classify_study({"protocolSection": {"armsInterventionsModule": {"interventions": [{"type": "DRUG", "name": name + " placebo"}]}}})
    assert classify_study(study) == first


# ---------------------------------------------------------------------------
# Patterns found on real trials, as properties over invented studies
# ---------------------------------------------------------------------------

NEUROPROTECTIVE_DRUGS = ["Riluzole", "Lamotrigine", "Phenytoin", "Amiloride", "Simvastatin", "Oxcarbazepine"]
SYMPTOMS = ["Fatigue", "Central Pain", "Spasticity", "Tremor", "Depression", "Bladder Dysfunction", "Ataxia", "Insomnia"]
PURPOSES = ["for", "to Treat", "to Improve", "to Reduce", "in the Treatment of"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(NEUROPROTECTIVE_DRUGS), st.sampled_from(SYMPTOMS), st.sampled_from(PURPOSES), st.booleans())
def test_neuroprotective_drug_tested_for_a_symptom_is_symptomatic_unless_the_course_is_named(drug, symptom, purpose, course):
    from tests.study_factory import make_study

    title = f"{drug} {purpose} {symptom} in Multiple Sclerosis" + (": Neuroprotection Study" if course else "")
    study = make_study(title=title, conditions=("Multiple Sclerosis",), interventions=(("DRUG", drug), ("DRUG", "Placebo")))
    result = classify_study(study)
    neuroprotection = {"sodium_channel", "neuroprotection_other"} & set(result.mechanisms)
    if course:
        assert neuroprotection and "symptomatic" not in result.mechanisms
    else:
        assert result.mechanisms == ("symptomatic",)


CONDITIONING_ANTIBODIES = ["Alemtuzumab", "Rituximab", "rATG", "Cyclophosphamide", "Fludarabine"]
TRANSPLANTS = ["Autologous hematopoietic stem cell transplantation", "Autologous bone marrow transplant", "Stem cell transplantation"]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(TRANSPLANTS), st.lists(st.sampled_from(CONDITIONING_ANTIBODIES), min_size=1, max_size=4, unique=True))
def test_transplant_regimen_parts_never_add_their_own_keys(transplant, regimen):
    from tests.study_factory import make_study

    items = (("PROCEDURE", transplant),) + tuple(("DRUG", name) for name in regimen)
    study = make_study(title="Transplantation in Multiple Sclerosis", interventions=items)
    assert classify_study(study).mechanisms == ("cell_therapy",)


APPROVED_DMTS = {"Copaxone": "anti_inflammatory", "Interferon beta-1a": "anti_inflammatory", "Fingolimod": "anti_inflammatory",
                 "Natalizumab": "anti_inflammatory", "Ocrelizumab": "b_cell", "Dimethyl fumarate": "anti_inflammatory"}
NEW_DRUGS = {"Estriol": "neuroprotection_other", "Simvastatin": "neuroprotection_other", "Clemastine": "remyelination",
             "Lipoic acid": "mitochondrial", "Fampridine": "symptomatic", "Amiloride": "sodium_channel"}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(APPROVED_DMTS)), st.sampled_from(sorted(NEW_DRUGS)), st.permutations([0, 1, 2]))
def test_approved_dmt_listed_beside_placebo_and_a_new_drug_is_never_counted(dmt, new_drug, order):
    from tests.study_factory import make_study

    items = [("DRUG", new_drug), ("DRUG", "Placebo"), ("DRUG", dmt)]
    study = make_study(title="A Study in Multiple Sclerosis", interventions=tuple(items[index] for index in order))
    assert classify_study(study).mechanisms == (NEW_DRUGS[new_drug],)
