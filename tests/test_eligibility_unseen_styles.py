"""Eligibility phrasings met in an independent check on fresh, real MS criteria texts.

Every text below was written for these tests (none is copied from a registry or a web page).
Each imitates a style seen in real texts that the earlier tests did not cover: the ones the
parser got wrong, the variants of them that broke it, and the styles it already read right but
that nothing guarded. The expected values come from reading each text with the conventions in
mstrials/eligibility/edss.py (inclusive bounds as written, strict bounds one 0.5 step inside,
one-sided bounds leave the other side None, exclusions only fill an open side).
"""
from __future__ import annotations

import pytest

from mstrials.labels.eligibility import extract_eligibility


def themes_of(criteria: str):
    return extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})


def sections(inclusion: list[str], exclusion: list[str] = ("Pregnant or nursing",)) -> str:
    return ("Inclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in inclusion)
            + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in exclusion))


def flattened(inclusion: list[str], exclusion: list[str]) -> str:
    """The one-line copy some registry mirrors serve: headers and bullets run together."""
    return "Inclusion Criteria: * " + " * ".join(inclusion) + " Exclusion Criteria: * " + " * ".join(exclusion)


# -- EDSS: phrasings the parser missed before this check ------------------------------------
EDSS_FIXED = [
    # The older Kurtzke name, without "Expanded", and without the EDSS acronym to lean on.
    ("kurtzke-ms-disability-status-scale",
     sections(["Graded on the Kurtzke Multiple Sclerosis Disability Status Scale with a score of at least 6.0"]), (6.0, None)),
    ("kurtzke-dss-acronym", sections(["Kurtzke Disability Status Scale (DSS) of 5 or less"]), (None, 5.0)),
    ("bare-disability-status-scale", sections(["Disability Status Scale score between 1 and 5"]), (1.0, 5.0)),
    # The value stands before the scale, with "inclusive" between them.
    ("value-inclusive-then-scale", sections(["A score of 2.0 to 5.5 inclusive on the EDSS at screening"]), (2.0, 5.5)),
    ("value-bracketed-inclusive-then-scale",
     sections(["Score of 1.5 - 6.0 (inclusive) on the Expanded Disability Status Scale"]), (1.5, 6.0)),
    # Two one-sided bounds with a short gloss or "at most" between them are one window.
    ("bounds-around-a-gloss", sections(["EDSS \\>= 2.5 (mild disability) and \\<= 6.5"]), (2.5, 6.5)),
    ("at-least-and-at-most", sections(["EDSS score of at least 3.0 and at most 7.0"]), (3.0, 7.0)),
]

# -- EDSS: real styles the parser already read right; kept so they stay right ---------------
EDSS_GUARDED = [
    # "\<= score 6.5 (Appendix B)": the word "score" after the operator, an appendix label after.
    ("operator-then-score-word", sections(["Expanded Disability Status Scale (EDSS) \\<= score 5.5 (Appendix C)"]), (None, 5.5)),
    # The window, then one bullet per allowed score spelling out what it means.
    ("window-then-step-definitions",
     sections(["Participants will have a score between 6.0 to 7.0 on the Kurtzke Expanded Disability Status Scale (EDSS).",
               "Score of 6.0: needs a cane to walk 100 meters",
               "Score of 6.5: needs two canes to walk 20 meters",
               "Score of 7.0: restricted to a wheelchair"]), (6.0, 7.0)),
    # Inclusion states the window by its steps; exclusion restates both edges from outside.
    ("step-window-with-both-edges-excluded",
     sections(["Expanded Disability Status Scale (EDSS) 5.5 to 6.5",
               "EDSS 5.5: able to walk 100 meters without aid",
               "EDSS 6.5: needs bilateral support to walk 20 meters"],
              ["EDSS 7.0 or greater: essentially restricted to a wheelchair",
               "EDSS 5.0 or less: able to walk 200 meters without aid"]), (5.5, 6.5)),
    # A strict bound, then the scale explained with its own range and a second mention of it.
    ("strict-bound-then-scale-explained",
     sections(["Expanded Disability Status Scale (EDSS) score of \\<6.5. The EDSS is a 0 - 10 scale of disability "
               "in MS. A score of \\<6.5 was chosen because people scoring ≥6.5 need two walking aids."]), (None, 6.0)),
    # Legacy free text: the window, then a progression rule with its own score ranges.
    ("window-then-progression-with-ranges",
     "INCLUSION CRITERIA: Men and women aged 18 to 65. Subject must have EDSS ranging from 2.0 to 6.0. "
     "Subject must have had a sustained increase of greater than or equal to 1.0 on the EDSS between 2.0 and 5.0 "
     "or greater than or equal to 0.5 between 5.0 and 6.0 in the preceding year.", (2.0, 6.0)),
    ("of-between", flattened(["A diagnosis of MS (McDonald 2017)", "EDSS of between 0 and 7.5"], ["Under 18 years of age"]), (0.0, 7.5)),
    ("window-inside-brackets-no-headers",
     "• Age between 18 and 70 years\n• Expanded Disability Status Scale (EDSS between 2 and 5.5 inclusive)\n"
     "• Berg Balance Scale (BBS ≥ 40)", (2.0, 5.5)),
    ("prose-value-on-the-scale-with-citation",
     "Patients were eligible if aged 18-55 with relapsing MS and a baseline score of 0-5.0 on the EDSS "
     "(Kurtzke, 1983). Exclusion criteria were progressive forms of MS and relapse within 30 days.", (0.0, 5.0)),
    ("prose-we-will-include", "We will include 60 MS patients with EDSS ≤ 5.5 and SDMT below the 25th percentile.", (None, 5.5)),
    ("only-exclusion-states-the-edge",
     flattened(["Diagnosis of RRMS or SPMS", "Smartphone access"], ["EDSS \\>6.0", "Visual acuity lower than 20/200"]), (None, 6.0)),
]


@pytest.mark.parametrize("criteria, expected", [(c, e) for _, c, e in EDSS_FIXED + EDSS_GUARDED],
                         ids=[name for name, _, _ in EDSS_FIXED + EDSS_GUARDED])
def test_edss_window(criteria, expected):
    themes = themes_of(criteria)
    assert (themes.edss_min, themes.edss_max) == expected


def test_a_window_after_an_unrelated_disability_status_mention_is_still_read():
    # The new scale name must not swallow the window stated in the next bullet.
    themes = themes_of(sections(["Disability status stable for 3 months", "EDSS 2.0 to 6.0"]))
    assert (themes.edss_min, themes.edss_max) == (2.0, 6.0)


# -- MS types ---------------------------------------------------------------------------------
def test_prose_sentence_opening_with_exclusion_criteria_excludes_the_types_it_names():
    # No headers: the sentence itself says it lists exclusions.
    themes = themes_of("Eligible patients had relapsing-remitting MS with an EDSS of 0-5.0. "
                       "Exclusion criteria were secondary progressive MS, primary progressive MS and pregnancy.")
    assert themes.ms_types_included == ("RRMS",)
    assert themes.ms_types_excluded == ("PPMS", "SPMS")


def test_prose_inclusion_sentence_still_includes():
    themes = themes_of("Inclusion criteria were primary progressive MS and an EDSS of 3.0 to 6.5.")
    assert themes.ms_types_included == ("PPMS",)
    assert themes.ms_types_excluded == ()


# -- prior anti-CD20 therapy --------------------------------------------------------------------
@pytest.mark.parametrize("criteria, excluded", [
    # The study drug's first dose only times another rule.
    (sections(["No systemic steroids within 14 days of first ocrelizumab infusion"]), None),
    (sections(["Steroids are not allowed within 30 days after the first dose of ofatumumab"]), None),
    # Contraception is timed on the study drug, not on a prior therapy.
    (sections(["Women of childbearing potential must use contraception for 6 months after the last dose of rituximab"]), None),
    (sections(["Age 18-55"], ["Pregnancy, or unwilling to avoid pregnancy until 12 months after the final ocrelizumab infusion"]), None),
    # Real prior use is still read, including "since the last dose".
    (sections(["Age 18-55"], ["Less than 12 months since the last dose of rituximab"]), True),
    (sections(["No previous treatment with ocrelizumab or other anti-CD20 therapies"]), True),
    # A pregnancy rule in the same bullet does not hide a real prior-use exclusion.
    (sections(["Age 18-55"], ["Pregnancy, or any previous treatment with rituximab"]), True),
    (sections(["Treatment naive to ocrelizumab"]), True),
], ids=["first-infusion-timing", "after-first-dose-timing", "contraception-after-last-dose",
        "pregnancy-exclusion-after-final-infusion", "since-last-dose-is-prior-use", "no-previous-treatment", "pregnancy-and-prior-use-in-one-bullet", "naive"])
def test_prior_anti_cd20(criteria, excluded):
    assert themes_of(criteria).prior_anti_cd20_excluded is excluded
