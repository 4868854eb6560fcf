"""MS types a study includes and excludes, from texts written in the registry's style.

Expected values come from reading each text: a type named in the inclusion section is
included, one named in the exclusion section (or negated in the inclusion section) excluded.
"""
from __future__ import annotations

import pytest

from mstrials.labels.eligibility import extract_eligibility
from mstrials.labels.eligibility.themes import MS_TYPES_THEME


def themes_of(criteria: str):
    return extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})


def sections(inclusion: list[str], exclusion: list[str]) -> str:
    return ("Inclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in inclusion)
            + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in exclusion))


CASES = [
    ("ppms-in-others-out",
     sections(["Diagnosis of primary progressive MS (PPMS) per the 2017 McDonald criteria"],
              ["History of relapsing-remitting MS or secondary progressive MS"]),
     ("PPMS",), ("SPMS", "RRMS")),
    ("relapsing-forms", sections(["Diagnosis of relapsing forms of MS (RMS)"], ["Pregnancy"]), ("RRMS",), ()),
    ("spms-with-or-without-relapses", sections(["Secondary progressive multiple sclerosis, with or without relapses"], ["Pregnancy"]), ("SPMS",), ()),
    ("progressive-spelled-out", sections(["Progressive MS (PPMS or SPMS)"], ["Pregnancy"]), ("PPMS", "SPMS"), ()),
    ("progressive-unspecified", sections(["Diagnosis of progressive multiple sclerosis"], ["Pregnancy"]), ("PROGRESSIVE_UNSPECIFIED",), ()),
    ("pml-is-not-ms", sections(["Diagnosis of MS"], ["Progressive multifocal leukoencephalopathy (PML) or a history of PML"]), (), ()),
    ("non-progressive", sections(["Relapsing MS with a non-progressive course"], ["Pregnancy"]), ("RRMS",), ()),
    ("primary-or-secondary", sections(["Primary or secondary progressive MS"], ["Pregnancy"]), ("PPMS", "SPMS"), ()),
    ("hyphenated-primary-or-secondary", sections(["Primary- or secondary-progressive multiple sclerosis"], ["Pregnancy"]), ("PPMS", "SPMS"), ()),
    ("cis-and-rrms", sections(["Clinically isolated syndrome (CIS) or RRMS"], ["Pregnancy"]), ("RRMS", "CIS"), ()),
    ("negated-in-inclusion", sections(["Diagnosis of MS", "Participants must not have primary progressive MS"], ["Pregnancy"]), (), ("PPMS",)),
    ("not-eligible-in-inclusion", sections(["Diagnosis of SPMS", "PPMS patients are not eligible"], ["Pregnancy"]), ("SPMS",), ("PPMS",)),
    ("spms-definition-names-rrms",
     sections(["SPMS, defined as a relapsing-remitting course followed by progression for at least 6 months"], ["Pregnancy"]), ("SPMS",), ()),
    ("spms-following-initial-relapsing-course",
     sections(["SPMS defined as at least six months of progressive decline following an initial relapsing disease course"], ["Pregnancy"]),
     ("SPMS",), ()),
    ("drug-approval-is-not-a-type", sections(["Diagnosis of PPMS"], ["Treatment with any DMT approved for relapsing MS within 3 months"]), ("PPMS",), ()),
    ("carcinoma-in-situ", sections(["Diagnosis of MS"], ["History of malignancy, except carcinoma in situ (CIS) of the cervix"]), (), ()),
    ("cisplatin", sections(["Diagnosis of MS"], ["Prior cis-platin chemotherapy"]), (), ()),
    ("inclusion-wins-over-narrowing-exclusion", sections(["RRMS or SPMS course"], ["SPMS without disease activity"]), ("SPMS", "RRMS"), ()),
    ("other-than-in-exclusion", sections(["Diagnosis of MS"], ["Any form of MS other than RRMS"]), ("RRMS",), ()),
    ("primary-progressive-aphasia", sections(["Diagnosis of MS"], ["Primary progressive aphasia or another neurodegenerative disease"]), (), ()),
    ("prms-is-not-one-of-ours", sections(["Diagnosis of PPMS"], ["Progressive-relapsing MS (PRMS)"]), ("PPMS",), ()),
    ("non-active-spms-acronym", sections(["Non-active SPMS (nrSPMS) confirmed by the investigator"], ["Pregnancy"]), ("SPMS",), ()),
    ("progressive-forms-excluded", sections(["Relapsing remitting course of disease"], ["Diagnosis of progressive forms of MS"]), ("RRMS",), ("PROGRESSIVE_UNSPECIFIED",)),
    ("no-headers", "Adults with secondary progressive MS. People with primary progressive MS are excluded.", ("SPMS",), ("PPMS",)),
    ("numbered-sub-items",
     "Inclusion criteria:\n\n* Diagnosis of one of the following:\n\n  1. RRMS according to McDonald 2017\n  2. PPMS according to McDonald 2017\n"
     "  3. SPMS with at least six months of progression\n\nExclusion criteria:\n\n* Pregnancy",
     ("PPMS", "SPMS", "RRMS"), ()),
    ("secondary-or-primary", sections(["Secondary or primary progressive MS with spastic paraparesis"], ["Pregnancy"]), ("PPMS", "SPMS"), ()),
    ("forms-are-allowed", sections(["Relapsing-remitting, primary and secondary progressive MS forms are allowed"], ["Pregnancy"]),
     ("PPMS", "SPMS", "RRMS"), ()),
    ("another-type-than", sections(["Diagnosis of MS"], ["A manifestation of another type of MS than RRMS"]), ("RRMS",), ()),
    ("history-of-rrms-in-exclusion", sections(["Diagnosis of SPMS"], ["History of relapsing-remitting MS or of primary progressive MS"]),
     ("SPMS",), ("PPMS", "RRMS")),
    ("sentence-headers",
     "Participants must meet all of the following criteria:\n\n* Diagnosis of SPMS\n\nParticipants are not eligible if any of the following apply:\n\n"
     "* Diagnosis of PPMS", ("SPMS",), ("PPMS",)),
    ("no-type-stated", sections(["Diagnosis of multiple sclerosis by a neurologist"], ["Pregnancy"]), (), ()),
    # "Any type" said after the disease takes every type, as "any type of MS" does.
    ("ms-of-any-type", sections(["Diagnosis of MS of any type"], ["Pregnancy"]), ("PPMS", "SPMS", "RRMS"), ()),
    ("ms-comma-any-subtype", sections(["Diagnosis of MS, any subtype"], ["Pregnancy"]), ("PPMS", "SPMS", "RRMS"), ()),
    ("ms-bracket-any-course", sections(["Diagnosis of MS (any course) confirmed by a neurologist"], ["Pregnancy"]), ("PPMS", "SPMS", "RRMS"), ()),
    ("patients-any-phenotype", sections(["MS patients (any phenotype) with bladder symptoms"], ["Pregnancy"]), ("PPMS", "SPMS", "RRMS"), ()),
    ("criteria-then-all-types", sections(["Diagnosis of MS per the 2017 McDonald criteria, all types"], ["Pregnancy"]), ("PPMS", "SPMS", "RRMS"), ()),
    ("all-types-of-something-else", sections(["Diagnosis of MS, all types of relapse symptoms recorded"], ["Pregnancy"]), (), ()),
    ("any-type-in-exclusion-is-not-a-type", sections(["Diagnosis of SPMS"], ["MS of any type other than SPMS"]), ("SPMS",), ()),
    # "Progressive MS (primary or secondary)" spells out both progressive types.
    ("progressive-then-bracketed-kinds", sections(["Diagnosis of RRMS"], ["Progressive MS (primary or secondary)"]), ("RRMS",), ("PPMS", "SPMS")),
    ("progressive-then-bracketed-kinds-included", sections(["Progressive multiple sclerosis (secondary or primary progressive)"], ["Pregnancy"]),
     ("PPMS", "SPMS"), ()),
    # "Relapsing or progressive MS" takes relapsing MS as well as progressive MS.
    ("relapsing-or-progressive", sections(["Relapsing or progressive multiple sclerosis"], ["Pregnancy"]), ("RRMS", "PROGRESSIVE_UNSPECIFIED"), ()),
    ("relapsing-and-secondary-progressive", sections(["Relapsing and secondary progressive MS"], ["Pregnancy"]), ("SPMS", "RRMS"), ()),
    # A type set apart from "any type" is turned away, not taken with the rest.
    ("any-form-except", sections(["Multiple sclerosis of any form except PPMS"], ["Pregnancy"]), ("SPMS", "RRMS"), ("PPMS",)),
    ("any-form-of-ms-other-than", sections(["Any form of MS other than primary progressive MS"], ["Pregnancy"]), ("SPMS", "RRMS"), ("PPMS",)),
    ("any-type-and-named-type", sections(["Any type of MS; SPMS participants need an EDSS of 6.5 or less"], ["Pregnancy"]), ("PPMS", "SPMS", "RRMS"), ()),
    # "Clinically definite" defines nothing: the RRMS it names is a type taken, not SPMS's history.
    ("clinically-definite-rrms-or-spms", sections(["Clinically definite RRMS or SPMS"], ["PPMS"]), ("SPMS", "RRMS"), ("PPMS",)),
]


@pytest.mark.parametrize("criteria, included, excluded", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ms_types(criteria, included, excluded):
    themes = themes_of(criteria)
    assert themes.ms_types_included == included
    assert themes.ms_types_excluded == excluded


def test_types_keep_their_source_sentences():
    criteria = sections(["Diagnosis of SPMS", "Age 18-65"], ["Diagnosis of primary progressive MS"])
    snippets = themes_of(criteria).sources_for(MS_TYPES_THEME)
    assert [(s.text, s.section) for s in snippets] == [
        ("Diagnosis of SPMS", "inclusion"),
        ("Diagnosis of primary progressive MS", "exclusion"),
    ]
    for snippet in snippets:
        assert criteria[snippet.start:snippet.end] == snippet.text


def test_row_joins_types_with_a_bar():
    row = themes_of(sections(["Primary or secondary progressive MS"], ["Relapsing-remitting MS"])).to_row()
    assert row["ms_types_included"] == "PPMS|SPMS"
    assert row["ms_types_excluded"] == "RRMS"


# Issue 9 §2: "MS or CIS" and "any form of MS" take every type; a PPMS person is never turned away.

from hypothesis import given, strategies as st  # noqa: E402

from mstrials.labels.eligibility import extract_eligibility as _extract  # noqa: E402
from mstrials.labels.eligibility.quickcheck import EXCLUDED as _EXCLUDED, Person as _Person, quick_check as _quick_check  # noqa: E402


def _themes(criteria: str):
    return _extract({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})


@pytest.mark.parametrize("bullet", [
    "Diagnosed with multiple sclerosis (MS) or clinically isolated syndrome (CIS)",
    "A diagnosis of multiple sclerosis or CIS according to the 2017 McDonald criteria",
    "Any form of MS (relapsing or progressive)",
    "People with any type of multiple sclerosis, aged 18 to 65",
])
def test_generic_ms_lists_take_progressive_people(bullet):
    themes = _themes(f"Inclusion Criteria:\n\n* {bullet}\n\nExclusion Criteria:\n\n* Pregnancy")
    assert "PPMS" in themes.ms_types_included and "SPMS" in themes.ms_types_included
    check = _quick_check(themes, _Person(age=50, sex="FEMALE", ms_type="PPMS", edss=6.0)).check("ms_type")
    assert check.verdict != _EXCLUDED


_NAMES = {"PPMS": ["primary progressive MS", "PPMS", "primary-progressive multiple sclerosis"],
          "SPMS": ["secondary progressive MS", "SPMS", "secondary-progressive multiple sclerosis"],
          "RRMS": ["relapsing-remitting MS", "RRMS"], "CIS": ["clinically isolated syndrome (CIS)"]}


@given(mine=st.sampled_from(["PPMS", "SPMS", "RRMS"]), others=st.lists(st.sampled_from(list(_NAMES)), max_size=3),
       joiner=st.sampled_from([" or ", " and ", ", ", " / ", " and/or "]), pick=st.integers(0, 2),
       lead=st.sampled_from(["Diagnosis of ", "Participants with ", "Confirmed diagnosis of multiple sclerosis (MS): "]))
def test_own_type_in_an_inclusion_list_never_excludes(mine, others, joiner, pick, lead):
    names = [_NAMES[mine][pick % len(_NAMES[mine])]] + [_NAMES[o][0] for o in others if o != mine]
    criteria = f"Inclusion Criteria:\n\n* {lead}{joiner.join(names)}\n\nExclusion Criteria:\n\n* Pregnancy"
    check = _quick_check(_themes(criteria), _Person(age=50, sex="FEMALE", ms_type=mine, edss=6.0)).check("ms_type")
    assert check.verdict != _EXCLUDED, criteria
