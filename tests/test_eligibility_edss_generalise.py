"""EDSS patterns found while reading real registry criteria and writing the third batch of dev texts.

Every text here was written for these tests, in the style of registry pages, never copied. Each
group stands for one way of writing that the parser misread: full-width operators and digits from
East Asian registries; a vulgar half after the score ("6½"); a citation or pointer in brackets
after the scale's name (sometimes with a ";" inside, which must not end the sentence); a bound
that picks out who must meet another rule ("... are eligible only if ..."); "progressive" read as
a change in the score; "participants ... whose EDSS is" opening the criterion; a window written
for one named subgroup beside a window for everyone; a limit word whose chain closes the other
side ("a maximum EDSS of 6.5 and a minimum of 3.0"); a criterion that opens by naming its subgroup
("for participants aged > 50, EDSS up to 7.0"); a lead-in without a colon whose items are bare
bounds; a later bound in a chain that a condition limits to some ("and at least 2.0 if ..."); and
"excluding" or a bracketed "are excluded" that turned a whole inclusion criterion around; and an
exception later in the criterion ("except patients under 40 who may enter with EDSS >= 4.0").
Groups named NOT_... or ..._STAYS_... guard against reading too much. The expected values follow
the conventions in mstrials/labels/eligibility/edss.py.
"""
from __future__ import annotations

import pytest

from mstrials.labels.eligibility import extract_eligibility
from mstrials.labels.eligibility.text import CriteriaText


def window(criteria: str) -> tuple[float | None, float | None]:
    themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
    return themes.edss_min, themes.edss_max


def sections(inclusion: list[str], exclusion: tuple[str, ...] = ("Pregnancy",)) -> str:
    return ("Inclusion Criteria:\n\n" + "\n".join(f"* {item}" for item in inclusion)
            + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {item}" for item in exclusion))


FULL_WIDTH = [
    ("fullwidth-less-than", sections(["Relapsing MS", "EDSS ＜ 6.0 at screening"]), (None, 5.5)),
    ("fullwidth-greater-than-and-le", sections(["EDSS ＞ 3.0 and ≦ 6.5"]), (3.5, 6.5)),
    ("fullwidth-digits", sections(["EDSS score ３.０ to ６.５ inclusive"]), (3.0, 6.5)),
    ("fullwidth-equals-after-less", sections(["EDSS <＝ 5.5"]), (None, 5.5)),
    ("fullwidth-in-exclusion", sections(["Progressive MS"], ("EDSS ＞ 6.5",)), (None, 6.5)),
]

VULGAR_HALF = [
    ("half-after-digit", sections(["EDSS between 3 and 6½"]), (3.0, 6.5)),
    ("half-as-upper-bound", sections(["EDSS ≤ 5½ at baseline"]), (None, 5.5)),
    ("half-with-space", sections(["EDSS score of 2 ½ to 6 ½"]), (2.5, 6.5)),
    ("half-strict", sections(["EDSS < 6½"]), (None, 6.0)),
]

NOTES_AFTER_SCALE = [
    ("author-year-with-semicolon", sections(["Expanded Disability Status Scale (EDSS; Kurtzke 1983) score of 2.0 to 6.0"]),
     (2.0, 6.0)),
    ("author-year-and-appendix", sections(["EDSS (Kurtzke, 1983; see Appendix 2) ≤ 5.5"]), (None, 5.5)),
    ("see-table", sections(["EDSS (see Table 4; Neurostatus scoring) between 3.0 and 6.5"]), (3.0, 6.5)),
    ("et-al-year-and-appendix-letter", sections(["EDSS score (Kurtzke et al., 1983; Appendix B) of 4.0 or less"]), (None, 4.0)),
    ("two-notes", sections(["EDSS (Kurtzke 1983) (see note 3) ≥ 2.0 and ≤ 6.5"]), (2.0, 6.5)),
]

# A bracket that holds a score is no note: it is the window.
BRACKETS_THAT_ARE_WINDOWS = [
    ("bracketed-range", sections(["EDSS (3.0-6.5) at screening"]), (3.0, 6.5)),
    ("bracketed-range-with-year-word", sections(["EDSS score (2.0–5.5, 2017 criteria)"]), (2.0, 5.5)),
]

ONLY_IF_AFTER = [
    ("eligible-only-if-duration", sections([
        "EDSS score of 0 to 5.5 at baseline. Participants with an EDSS score ≤ 2.0 at screening are eligible "
        "only if their disease duration is no more than 10 years"]), (0.0, 5.5)),
    ("included-only-when", sections([
        "EDSS 1.0–6.0", "Patients with EDSS ≥ 5.5 will be included only when they can walk 100 m"]), (1.0, 6.0)),
    ("eligible-only-if-walking", sections([
        "EDSS 2.0 to 6.5 inclusive", "Participants with an EDSS of 6.0 or more are eligible only if they walk 20 m unaided"]),
     (2.0, 6.5)),
    ("eligible-only-provided", sections([
        "EDSS 1.5–5.0", "Those with an EDSS of 1.0 are eligible only provided they had a relapse within 12 months"]),
     (1.5, 5.0)),
]

PROGRESSIVE_IS_A_COURSE = [
    ("elliptical-subgroup", sections([
        "Participants with relapsing MS must have an EDSS ≤ 5.0; participants with progressive MS an EDSS between 3.0 and 6.5"]),
     (None, 6.5)),
    ("course-then-scale", sections(["Primary progressive MS EDSS 3.0 to 6.5"]), (3.0, 6.5)),
    ("secondary-progressive-course-then-scale", sections(["Secondary progressive MS EDSS ≤ 6.5"]), (None, 6.5)),
    ("progressive-people", sections(["People with progressive disease an EDSS of 4.0 to 7.0"]), (4.0, 7.0)),
]

# A change in the score is still not a window.
PROGRESSION_STAYS_A_CHANGE = [
    ("progression-of-points", sections(["EDSS 3.0–6.5", "EDSS progression of ≥ 1.0 point in the prior 2 years"]), (3.0, 6.5)),
    ("progressed-by", sections(["Progressive MS", "EDSS progressed by ≥ 0.5 in the last year"]), (None, None)),
]

WHOSE_OPENS_THE_CRITERION = [
    ("participants-with-type-whose", sections(["Participants with SPMS whose EDSS is 3.0 to 6.5, inclusive, at screening"]),
     (3.0, 6.5)),
    ("patients-whose", sections(["Patients whose EDSS is ≤ 5.5"]), (None, 5.5)),
    ("adults-having-whose", sections(["Adults having relapsing MS whose EDSS score is between 1.0 and 5.0"]), (1.0, 5.0)),
]

# "whose" after another rule still picks out who gets that rule.
WHOSE_AFTER_A_RULE = [
    ("duration-for-those-whose", sections([
        "EDSS 3.0 to 6.5", "Disease duration below 10 years for participants whose EDSS is ≤ 5.0"]), (3.0, 6.5)),
]

FOR_A_SUBGROUP_BESIDE_EVERYONE = [
    ("lower-bound-for-spms", sections([
        "Expanded Disability Status Scale (EDSS) ≤ 6.5 at screening; EDSS ≥ 2.0 for participants with secondary "
        "progressive disease"]), (None, 6.5)),
    ("range-for-ppms-cohort", sections(["EDSS ≤ 6.0", "EDSS 3.0-6.0 in the PPMS cohort"]), (None, 6.0)),
    ("upper-bound-for-rms", sections(["EDSS ≥ 2.0 at screening", "EDSS ≤ 5.5 for relapsing participants"]), (2.0, None)),
]

# A window for the only subgroup there is, or windows for subgroups that cover everyone, are read as before.
SUBGROUPS_WITHOUT_A_SHARED_WINDOW = [
    ("only-a-subgroup-window", sections(["Primary progressive MS", "EDSS 3.0-6.5 for PPMS"]), (3.0, 6.5)),
    ("two-subgroup-windows", sections(["EDSS 2.0-5.5 for RMS, 3.0-6.5 for PPMS"]), (2.0, 6.5)),
    ("subgroup-widens-the-shared-window", sections(["EDSS 1.0–5.5", "EDSS up to 6.5 for those with progressive MS"]),
     (1.0, 6.5)),
]


LIMIT_WORDS_BOTH_SIDES = [
    ("maximum-then-minimum", sections(["A maximum EDSS of 6.5 and a minimum of 3.0"]), (3.0, 6.5)),
    ("minimum-then-maximum", sections(["Minimum EDSS score of 2.0 and a maximum of 6.0 at screening"]), (2.0, 6.0)),
    ("maximum-then-at-least", sections(["Maximum EDSS of 7.0, at least 4.0"]), (4.0, 7.0)),
]

# A limit followed by something else keeps its one side.
LIMIT_WORD_ALONE = [
    ("maximum-then-fs", sections(["Maximum EDSS of 6.5 and a pyramidal functional system score of at least 2"]), (None, 6.5)),
    ("minimum-then-relapses", sections(["Minimum EDSS of 2.0 and 1 relapse in the last year"]), (2.0, None)),
]

SUBGROUP_OPENS_THE_CRITERION = [
    ("for-older-participants", sections(["EDSS 3.0–6.5 (inclusive); for participants aged > 50, EDSS up to 7.0"]), (3.0, 7.0)),
    ("in-patients-over", sections(["EDSS 2.0-5.5", "In patients over 45 years: EDSS 2.0-6.0"]), (2.0, 6.0)),
    ("among-those-with-duration", sections(["EDSS ≤ 5.0", "Among those with disease duration over 10 years, EDSS ≤ 6.0"]),
     (None, 6.0)),
]

LEAD_IN_WITHOUT_COLON = [
    ("lettered-bounds", "Inclusion Criteria:\n\n* MS\n* EDSS score at screening\n  a. ≥ 2.0\n  b. ≤ 6.0\n* Age 18-55"
     "\n\nExclusion Criteria:\n\n* Pregnancy", (2.0, 6.0)),
    ("bulleted-words", "Inclusion Criteria:\n\n- Expanded Disability Status Scale\n  - at least 3.0\n  - at most 6.5"
     "\n- Age 25-65\n\nExclusion Criteria:\n\n- Pregnancy", (3.0, 6.5)),
    ("numbered-symbols", "Inclusion Criteria:\n\n1. EDSS at baseline\n   1. > 2.0\n   2. < 7.0\n2. Age 18-60"
     "\n\nExclusion Criteria:\n\n1. Pregnancy", (2.5, 6.5)),
]

# Without a colon, items that are not bare bounds are not read as the EDSS window.
NOT_A_LEAD_IN = [
    ("next-item-is-age", "Inclusion Criteria:\n\n* EDSS assessed at screening\n* 18 to 60 years of age"
     "\n\nExclusion Criteria:\n\n* Pregnancy", (None, None)),
    ("next-item-is-a-count", "Inclusion Criteria:\n\n* EDSS recorded by a certified rater\n* 2 relapses in 24 months"
     "\n\nExclusion Criteria:\n\n* Pregnancy", (None, None)),
]

# A later bound with a condition after it holds only for the people the condition names.
CONDITIONAL_BOUND_IN_A_CHAIN = [
    ("at-least-if-duration", sections(["EDSS of at most 5.0 at screening, and at least 2.0 if disease duration > 10 years"]),
     (None, 5.0)),
    ("upper-when-older", sections(["EDSS ≥ 2.0 and ≤ 5.5 when the participant is over 50"]), (2.0, None)),
    ("lower-unless-active", sections(["EDSS ≤ 6.5 and ≥ 3.0 unless there was a relapse in the last year"]), (None, 6.5)),
]

# Not a condition: when the score is taken; nor an alternative way in.
NOT_A_CONDITIONAL_BOUND = [
    ("when-assessed", sections(["EDSS ≥ 2.0 and ≤ 6.5 when assessed at screening"]), (2.0, 6.5)),
    ("or-if-able", sections(["EDSS score 2.0-6.5 inclusive, or EDSS 7.0 if able to walk 20 m with aid"]), (2.0, 7.0)),
]

# "Excluding" excludes what follows it in its own clause, and a cue in brackets speaks for what is
# in the brackets; neither turns the whole inclusion criterion into an exclusion.
EXCLUDING_IN_AN_INCLUSION_CRITERION = [
    ("excluding-a-type-then-window", sections(["Any MS course excluding PPMS, with an EDSS ≤ 6.5"]), (None, 6.5)),
    ("excluding-note-in-brackets", sections(["EDSS 2.0-6.5 (excluding participants who use a wheelchair)"]), (2.0, 6.5)),
    ("excluding-after-window", sections(["EDSS ≤ 6.0, excluding those with a relapse in 30 days"]), (None, 6.0)),
    ("excluded-in-brackets", sections(["EDSS 2.0-6.5 (participants using a wheelchair are excluded)"]), (2.0, 6.5)),
]

# The cue still turns the bound around where it governs the EDSS.
EXCLUSION_CUES_THAT_GOVERN_THE_EDSS = [
    ("excluding-the-edss", sections(["Relapsing MS, excluding patients with EDSS > 5.5"]), (None, 5.5)),
    ("are-not-eligible", sections(["Patients with EDSS > 6.5 are not eligible"]), (None, 6.5)),
    ("excluded-colon", sections(["Excluded: patients with EDSS ≥ 7.0"]), (None, 6.5)),
    ("excluded-in-brackets-with-the-edss", sections(["Ambulatory MS (patients with EDSS ≥ 7.0 are excluded)"]), (None, 6.5)),
]

# A bracket about another score does not end the chain, and is read on its own up to its end.
NOTE_ABOUT_ANOTHER_SCORE_IN_BRACKETS = [
    ("excluding-zero-inside", sections(["EDSS ≥ 1.0 (excluding EDSS 0 at screening) and ≤ 5.5"]), (1.0, 5.5)),
    ("definition-inside", sections(["EDSS ≥ 2.0 (an EDSS of 2.0 means minimal disability in one FS) and ≤ 6.5"]), (2.0, 6.5)),
    ("equals-inside", sections(["EDSS 3.0 or more (EDSS 3.0 = moderate disability) and 6.5 or less"]), (3.0, 6.5)),
]

# A bracket that only names the scale still lets the bound after it count.
BRACKET_THAT_NAMES_THE_SCALE = [
    ("acronym-in-brackets", sections(["Your disability score (EDSS) is 6.5 or less"]), (None, 6.5)),
    ("acronym-and-word-in-brackets", sections(["Disability (EDSS score) between 2.0 and 6.0"]), (2.0, 6.0)),
]

# An exception later in the criterion is another way in; a one-sided window there widens that side.
EXCEPTION_IS_ANOTHER_WAY_IN = [
    ("except-younger-lower", sections(["EDSS ≥ 4.5 (Kurtzke 1983), except patients under 40 who may enter with EDSS ≥ 4.0"]),
     (4.0, None)),
    ("except-older-higher", sections(["EDSS 3.0–6.0, except for participants aged 50 or more, who may have an EDSS up to 6.5"]),
     (3.0, 6.5)),
    ("exception-for-whom", sections(["EDSS ≤ 5.0, with the exception of participants with SPMS, for whom EDSS ≤ 6.0 applies"]),
     (None, 6.0)),
]

# Two full ranges joined as alternatives still give their span.
ALTERNATIVE_FULL_RANGES = [
    ("or-second-range", sections(["EDSS 2.0-5.5, or EDSS 6.0-6.5 if able to walk 100 m"]), (2.0, 6.5)),
]

# A conditional later bound on a side the first bound closes widens it: the union of the subgroups.
CONDITIONAL_BOUND_WIDENS_ITS_SIDE = [
    ("bracketed-if-older", sections(["EDSS ≤ 6.0 (≤ 6.5 if aged ≥ 50)"]), (None, 6.5)),
    ("bracketed-range-if-type", sections(["EDSS 2.0-5.5 (3.0-6.5 if PPMS)"]), (2.0, 6.5)),
    ("and-if-duration", sections(["EDSS ≤ 5.0, and ≤ 6.0 if disease duration is over 10 years"]), (None, 6.0)),
]

# A subgroup named before its window ("For PPMS: EDSS >= 3.0") beside a window for everyone.
FOR_A_SUBGROUP_NAMED_FIRST = [
    ("for-type-comma", sections(["EDSS ≤ 6.5 at screening and baseline (Day 1); for SPMS, EDSS ≥ 3.0"]), (None, 6.5)),
    ("for-type-colon-item", sections(["EDSS ≤ 5.5", "For PPMS: EDSS ≥ 3.0"]), (None, 5.5)),
    ("in-cohort-colon-item", sections(["EDSS ≥ 2.0", "In the relapsing cohort: EDSS ≤ 5.5"]), (2.0, None)),
]


@pytest.mark.parametrize(
    ("name", "criteria", "expected"),
    CONDITIONAL_BOUND_WIDENS_ITS_SIDE + FOR_A_SUBGROUP_NAMED_FIRST + EXCEPTION_IS_ANOTHER_WAY_IN + ALTERNATIVE_FULL_RANGES + NOTE_ABOUT_ANOTHER_SCORE_IN_BRACKETS + BRACKET_THAT_NAMES_THE_SCALE + EXCLUDING_IN_AN_INCLUSION_CRITERION + EXCLUSION_CUES_THAT_GOVERN_THE_EDSS + CONDITIONAL_BOUND_IN_A_CHAIN + NOT_A_CONDITIONAL_BOUND + LIMIT_WORDS_BOTH_SIDES + LIMIT_WORD_ALONE + SUBGROUP_OPENS_THE_CRITERION + LEAD_IN_WITHOUT_COLON + NOT_A_LEAD_IN,
)
def test_edss_window_more(name: str, criteria: str, expected: tuple[float | None, float | None]) -> None:
    assert window(criteria) == expected, name


@pytest.mark.parametrize(
    ("name", "criteria", "expected"),
    FULL_WIDTH + VULGAR_HALF + NOTES_AFTER_SCALE + BRACKETS_THAT_ARE_WINDOWS + ONLY_IF_AFTER + PROGRESSIVE_IS_A_COURSE
    + PROGRESSION_STAYS_A_CHANGE + WHOSE_OPENS_THE_CRITERION + WHOSE_AFTER_A_RULE + FOR_A_SUBGROUP_BESIDE_EVERYONE
    + SUBGROUPS_WITHOUT_A_SHARED_WINDOW,
)
def test_edss_window(name: str, criteria: str, expected: tuple[float | None, float | None]) -> None:
    assert window(criteria) == expected, name


def test_semicolon_inside_a_bracket_does_not_end_the_sentence() -> None:
    text = CriteriaText("Inclusion Criteria:\n\n* EDSS (EDSS; Kurtzke 1983) score of 2.0 to 6.0\n* Age 18-60; able to consent")
    sentences = [sentence.text for sentence in text.sentences_with(("edss", "age"))]
    assert "EDSS (EDSS; Kurtzke 1983) score of 2.0 to 6.0" in sentences
    # A ";" outside brackets still ends one.
    assert "Age 18-60" in sentences


FLATTENED_DASH_LISTS = [
    ("dash-list-with-progression-item",
     "Principal inclusion criteria: - Secondary progressive MS with disability progression in the previous 2 years"
     " - EDSS of 3.0 to 6.5 inclusive Principal exclusion criteria: - Pregnancy", (3.0, 6.5)),
    ("dash-list-with-walk-item",
     "Inclusion Criteria: - Confirmed MS - EDSS 6.0 or less - Timed 25-Foot Walk 8-40 seconds Exclusion Criteria: - Pregnancy",
     (None, 6.0)),
    ("en-dash-list", "Inclusion Criteria: – Progressive MS with worsening over 2 years – EDSS 4.0–6.5 Exclusion Criteria: – Pregnancy",
     (4.0, 6.5)),
]

# A dash between numbers stays a range sign.
DASHES_THAT_ARE_RANGES = [
    ("spaced-range", "Inclusion Criteria: - EDSS 2.0 - 6.5 - Age 18 - 65 Exclusion Criteria: - Pregnancy", (2.0, 6.5)),
]


@pytest.mark.parametrize(("name", "criteria", "expected"), FLATTENED_DASH_LISTS + DASHES_THAT_ARE_RANGES)
def test_edss_window_in_flattened_dash_lists(name: str, criteria: str, expected: tuple[float | None, float | None]) -> None:
    assert window(criteria) == expected, name
