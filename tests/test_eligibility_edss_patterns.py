"""EDSS patterns found while writing the second batch of registry-style dev texts.

Every text here was written for these tests. Each case stands for a way real criteria state the
window that the parser misread: scores written as words, a lead-in line whose sub-items carry
the numbers, one-sided windows for different subgroups, a second way in offered later in the
same criterion, a window after a bracketed condition, an operator lost in copying ("EDSS ?5.0"),
an example ("for example patients with EDSS > 6.5") that is not a rule, and the acronym
misspelt "EDDS". The expected values follow the
conventions in mstrials/labels/eligibility/edss.py.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstrials.labels.eligibility import Person, extract_eligibility, quick_check
from mstrials.labels.eligibility.score_words import digits_for_words


def window(criteria: str) -> tuple[float | None, float | None]:
    themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
    return themes.edss_min, themes.edss_max


def sections(inclusion: list[str], exclusion: tuple[str, ...] = ("Breastfeeding",)) -> str:
    return ("Inclusion Criteria:\n\n" + "\n".join(f"* {item}" for item in inclusion)
            + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {item}" for item in exclusion))


WORDS_FOR_NUMBERS = [
    ("word-or-less", sections(["Ambulatory, with an EDSS score of five or less"]), (None, 5.0)),
    ("word-strict", sections(["EDSS of less than seven at the screening visit"]), (None, 6.5)),
    ("words-between", sections(["EDSS between three and six, inclusive"]), (3.0, 6.0)),
    ("and-a-half", sections(["EDSS score of two to five and a half"]), (2.0, 5.5)),
    ("point-five", sections(["EDSS not higher than six point five"]), (None, 6.5)),
    ("word-then-digit-in-brackets", sections(["An EDSS score of four (4) or lower"]), (None, 4.0)),
    ("digit-then-digit-in-brackets", sections(["EDSS score of 6.0 (6) or less at baseline"]), (None, 6.0)),
    ("digit-then-word-in-brackets", sections(["EDSS score of 5.0 (five) or less at baseline"]), (None, 5.0)),
    ("bracketed-count-after-window", sections(["EDSS 3.0–6.5 (two assessments)"]), (3.0, 6.5)),
]

# Number words that count something else must stay words.
WORDS_THAT_ARE_NOT_SCORES = [
    ("count-after-window", sections(["EDSS 2.0 to 6.5 at two consecutive visits"]), (2.0, 6.5)),
    ("two-of-the-following", sections(["EDSS 3.0 to 6.5 and two of the following criteria"]), (3.0, 6.5)),
    ("one-of-the-following", sections(["EDSS of 3.0 to 6.0 and one of the following: a relapse or a new lesion"]), (3.0, 6.0)),
    ("one-relapse-after-bound", sections(["EDSS ≤ 5.5 with at least one relapse in the last year"]), (None, 5.5)),
    ("word-count-without-bound", sections(["EDSS assessed by two raters"]), (None, None)),
]

LEAD_INS = [
    ("labelled-sub-items",
     "Inclusion Criteria:\n\n* Expanded Disability Status Scale (EDSS) score at screening:\n  * RMS participants: 1.0 to 5.5\n"
     "  * PMS participants: 3.0 to 6.5\n* Age 18-55\n\nExclusion Criteria:\n\n* Pregnancy", (1.0, 6.5)),
    ("numbered-sub-items",
     "Inclusion Criteria:\n\n1. EDSS score as follows:\n   1. 2.5 - 5.5 for RRMS\n   2. 3.0 - 7.0 for SPMS\n2. Age 18-60\n\n"
     "Exclusion Criteria:\n\n1. Pregnancy", (2.5, 7.0)),
    ("minimum-and-maximum-items",
     "Inclusion Criteria:\n\n- EDSS:\n- minimum 2.0\n- maximum 6.0\n\nExclusion Criteria:\n\n- Pregnancy", (2.0, 6.0)),
    # Items that are not score windows: a schedule under an assessment line, a count of visits.
    ("assessment-schedule-is-not-a-lead-in",
     "Inclusion Criteria:\n\n* EDSS will be assessed at:\n  * 2 visits before randomization\n\nExclusion Criteria:\n\n* None",
     (None, None)),
    ("count-of-visits-under-a-lead-in",
     "Inclusion Criteria:\n\n* EDSS score:\n  * 2 visits before randomization\n\nExclusion Criteria:\n\n* None", (None, None)),
    # The first item that states no score ends the list: "3 relapses" is a count, "18 to 60" an age.
    ("list-ends-at-other-items",
     "Inclusion Criteria:\n\n- EDSS score:\n- 2.0 to 6.5\n- 3 relapses in the past two years\n- 18 to 60 years of age\n\n"
     "Exclusion Criteria:\n\n- Pregnancy", (2.0, 6.5)),
]

SUBGROUP_BULLETS = [
    # One subgroup's window is open below, so the overall window is too.
    ("open-low-for-one-type", sections(["RMS: EDSS ≤ 5.5", "PPMS: EDSS 3.0-6.5"]), (None, 6.5)),
    ("open-high-for-one-cohort", sections(["Cohort A: EDSS 0 to 4.0", "Cohort B: EDSS ≥ 2.0"]), (0.0, None)),
    # The subgroup named after the window, and one subgroup's window in two halves.
    ("labels-after-the-window", sections(["EDSS ≤ 5.5 (RMS cohort)", "EDSS 3.0-6.5 (PPMS cohort)"]), (None, 6.5)),
    ("one-subgroup-in-halves", sections(["EDSS ≤ 5.5 for RMS", "EDSS ≥ 3.0 for PPMS", "EDSS ≤ 6.5 for PPMS"]), (None, 6.5)),
    # A bound stated for everyone still closes the side the subgroup windows leave open.
    ("shared-bound-for-labelled-subgroups", sections(["PPMS with EDSS ≥ 3.0", "SPMS with EDSS ≥ 3.5", "EDSS ≤ 6.5"]), (3.0, 6.5)),
    # Two halves of one window, no subgroups: still one window.
    ("same-label-halves", sections(["Relapsing MS with EDSS ≥ 1.5", "Relapsing MS with EDSS ≤ 5.0"]), (1.5, 5.0)),
]

ALTERNATIVES = [
    ("or-up-to-after-range",
     sections(["EDSS score between 2.0 and 6.5 (inclusive), or up to 7.0 for participants older than 50"]), (2.0, 7.0)),
    ("or-second-window-in-same-criterion",
     sections(["Patients with EDSS ≤ 4.5 and disease duration ≤ 10 years, or EDSS 5.0–6.5 and disease duration ≤ 15 years"]),
     (None, 6.5)),
    ("also-included-after-a-reference",
     sections(["Disability shown by an EDSS (ref. [3]) ≥5.0 reached more than a year ago *(patients with marked ataxia and an "
               "EDSS of 3.5 to 4.5 will also be included)"]), (3.5, None)),
    ("allowance-in-the-next-sentence",
     sections(["EDSS ≤ 5.5. Patients with EDSS 6.0 may also be included after approval by the sponsor"]), (None, 6.0)),
    ("allowance-for-a-cohort-after-a-semicolon",
     sections(["EDSS score of 3.0 to 6.5; in Cohort 2, EDSS score of 2.0 to 5.5 is also accepted"]), (2.0, 6.5)),
    ("in-which-case-accepted",
     sections(["EDSS score ≥ 4.5 (see reference 7), unless the participant has severe cerebellar signs, in which case "
               "EDSS ≥ 3.0 is accepted"]), (3.0, None)),
]

AFTER_A_BRACKETED_CONDITION = [
    ("window-after-progression-bracket",
     sections(["Worsening in the last 2 years (≥1.0 point if EDSS ≤5.5; ≥0.5 point if EDSS ≥6.0) and an EDSS from 3.0 "
               "to 6.5 at screening"]), (3.0, 6.5)),
]

# Neither is a rule about who may join: a lost operator, and an example of someone else's rule.
NOT_A_WINDOW = [
    ("operator-lost-as-question-mark", sections(["Disability shown by an EDSS ?4.5 reached over a year ago"]), (None, None)),
    ("example-of-another-trials-rule",
     sections(["Not eligible for the main trial, for example patients with EDSS >6.5 or disease duration >20 years"]), (None, None)),
]

# The acronym misspelt as registry texts sometimes do.
MISSPELT = [
    ("edds-range", "Inclusion Criteria\n\nConfirmed SPMS\nEDDS score 2-6.5\nleg spasticity\n\nExclusion Criteria\n\nrelapse", (2.0, 6.5)),
    ("edds-exclusion", sections(["Relapsing MS"], exclusion=("EDDS > 5.5 at screening",)), (None, 5.5)),
    ("name-without-status", sections(["Expanded Disability Scale Score of 4.0-6.5"]), (4.0, 6.5)),
]

# References next to the scale's name or after the bound: never a score.
REFERENCES = [
    ("superscript-after-acronym", sections(["EDSS¹ ≤ 5.5"]), (None, 5.5)),
    ("number-in-round-brackets", sections(["EDSS (5) ≤ 5.5"]), (None, 5.5)),
    ("ref-in-round-brackets", sections(["EDSS (ref. 12) score ≤ 6.0"]), (None, 6.0)),
    ("ref-in-square-brackets", sections(["EDSS [ref. 5] ≤ 5.5"]), (None, 5.5)),
    ("citation-after-the-bound", sections(["EDSS score ≥ 4.5 [2], except patients in the extension phase"]), (4.5, None)),
    # A window in round brackets is still a window.
    ("window-in-round-brackets", sections(["EDSS (3-6) at screening"]), (3.0, 6.0)),
]

# Small wordings that hid the bound.
WORDINGS = [
    ("scale-range-in-brackets", sections(["EDSS score (0-10) ≤ 6.0"]), (None, 6.0)),
    ("range-of-the-scale-then-between", sections(["EDSS (range 0 to 10) between 2 and 6"]), (2.0, 6.0)),
    ("symbol-or-equal-to", sections(["EDSS < or equal to 5.5 at baseline"]), (None, 5.5)),
    ("maximally", sections(["EDSS of maximally 6.5"]), (None, 6.5)),
    ("tilde-as-range-sign", sections(["EDSS score 2.0 ~ 6.5"]), (2.0, 6.5)),
    ("fullwidth-tilde", sections(["EDSS 2.0～6.0"]), (2.0, 6.0)),
    # An unknown word where the operator stands: no guess at an exact score.
    ("unknown-adverb-before-value", sections(["EDSS of ideally 4.0"]), (None, None)),
    ("step-as-a-label", sections(["EDSS step 6.0 or less"]), (None, 6.0)),
    # A copy that lost the ">" of ">=", in a flattened numbered list whose next item number follows.
    ("equals-before-range-then-item-number",
     "1. PPMS by the McDonald criteria, 2. EDSS score at screening = 3.5 to 7.0, inclusive, 3. Disease duration under 20 years",
     (3.5, 7.0)),
    ("one-upper-bound-for-two-subgroups", sections(["EDSS ≥ 2.0 (RMS) or ≥ 3.0 (PMS), and ≤ 6.5"]), (2.0, 6.5)),
    # Still a progression, not a window, when "step" is what changes.
    ("one-step-increase", sections(["EDSS increase of one step in the past year"]), (None, None)),
]

# An EDSS that picks out who gets another rule limits nobody's entry, so no window may come of
# it: quick-check would otherwise tell people they are excluded by a rule the text does not have.
RULES_FOR_A_BAND = [
    ("duration-for-a-band", sections(["Disease duration ≤ 10 years for EDSS < 5.5"]), (None, None)),
    ("duration-bands-in-brackets", sections(["Time since onset: < 10 years (EDSS ≤ 5.0) or < 15 years (EDSS 5.5–6.5)"]), (None, None)),
    ("duration-bands-separated-by-semicolons",
     sections(["Disease duration: ≤ 20 years for EDSS 7.0–8.0; ≤ 15 years for EDSS 5.5–6.5; ≤ 10 years for EDSS ≤ 5.0"]), (None, None)),
    ("duration-bands-after-the-window",
     sections(["EDSS >= 3.0 to 8.0, inclusive, with disease duration of no more than 20 years for EDSS 7.0–8.0, 15 years for "
               "EDSS 5.5–6.5 and 10 years for EDSS ≤ 5.0"]), (3.0, 8.0)),
    ("progression-sub-bands-before-the-window",
     sections(["Evidence of disability progression in the prior 2 years (EDSS increase ≥ 1.0 for EDSS ≤ 5.5, ≥ 0.5 for EDSS ≥ 6.0), "
               "and EDSS of 3.0 to 6.5 at screening"]), (3.0, 6.5)),
    ("band-that-needs-an-aid", sections(["Walking: participants with EDSS 6.0 to 6.5 need a cane"]), (None, None)),
    # An age in years before the EDSS is not a time limit for a band.
    ("age-in-years-then-window", sections(["Adults aged 18 to 60 years with an EDSS of 2.0 to 6.0"]), (2.0, 6.0)),
]

CASES = REFERENCES + RULES_FOR_A_BAND + WORDINGS + MISSPELT + NOT_A_WINDOW + WORDS_FOR_NUMBERS + WORDS_THAT_ARE_NOT_SCORES + LEAD_INS + SUBGROUP_BULLETS + ALTERNATIVES + AFTER_A_BRACKETED_CONDITION


@pytest.mark.parametrize("criteria, expected", [(c, e) for _, c, e in CASES], ids=[name for name, _, _ in CASES])
def test_edss_window(criteria, expected):
    assert window(criteria) == expected


def test_lead_in_source_is_the_lead_in_line():
    criteria = LEAD_INS[0][1]
    themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
    (snippet,) = themes.sources_for("edss")
    assert snippet.text == "Expanded Disability Status Scale (EDSS) score at screening:"
    assert criteria[snippet.start:snippet.end] == snippet.text


@pytest.mark.parametrize("criteria", [c for _, c, e in RULES_FOR_A_BAND if e == (None, None)],
                         ids=[name for name, _, e in RULES_FOR_A_BAND if e == (None, None)])
@pytest.mark.parametrize("score", [2.0, 6.0, 7.5])
def test_quick_check_never_excludes_on_a_rule_for_a_band(criteria, score):
    themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
    check = quick_check(themes, Person(age=40, sex="FEMALE", edss=score)).check("edss")
    assert check.verdict != "excluded"


SCORE_WORDS = {1.0: "one", 2.0: "two", 3.0: "three", 4.0: "four", 5.0: "five", 6.0: "six", 7.0: "seven", 8.0: "eight"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ()-.,:;<>=0123456789") + [
    " one ", " two ", " six ", "four (4)", " and a half", " point five", " of ", " or less", " to "]), max_size=60))
def test_scores_in_words_keep_every_offset(pieces):
    text = "".join(pieces)
    assert len(digits_for_words(text)) == len(text)


@settings(max_examples=80, deadline=None)
@given(low=st.sampled_from(sorted(SCORE_WORDS)), width=st.sampled_from([1.0, 2.0, 3.0]), half=st.booleans())
def test_a_range_in_words_reads_as_the_same_range_in_digits(low, width, half):
    high = low + width
    if high not in SCORE_WORDS:
        return
    high_words = SCORE_WORDS[high] + (" and a half" if half else "")
    high_value = high + (0.5 if half else 0.0)
    in_words = window(sections([f"EDSS score from {SCORE_WORDS[low]} to {high_words}"]))
    in_digits = window(sections([f"EDSS score from {low} to {high_value}"]))
    assert in_words == in_digits == (low, high_value)


@settings(max_examples=80, deadline=None)
@given(years=st.integers(5, 25), low=st.sampled_from([0.0, 2.0, 3.5, 5.5, 7.0]), width=st.sampled_from([0.5, 1.0, 1.5]),
       wording=st.sampled_from(["no more than {y} years for EDSS {a}-{b}", "< {y} years (EDSS {a} to {b})",
                                "disease duration under {y} years in patients with an EDSS of {a}–{b}"]),
       score=st.sampled_from([1.0, 4.0, 6.5, 8.0]))
def test_quick_check_never_excludes_on_a_time_limit_for_a_band(years, low, width, wording, score):
    criteria = sections(["Diagnosis of MS", wording.format(y=years, a=low, b=low + width)])
    themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
    assert (themes.edss_min, themes.edss_max) == (None, None)
    assert quick_check(themes, Person(age=40, sex="FEMALE", edss=score)).check("edss").verdict != "excluded"
