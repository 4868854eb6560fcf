"""EDSS windows from criteria texts written in the registry's style.

Every text here was written for these tests after reading real MS eligibility criteria; the
expected window of each was worked out by reading the text, following the conventions in
mstrials/eligibility/edss.py (inclusive bounds as written, strict bounds moved one 0.5 step
inside, one-sided bounds leave the other side None, exclusions fill an open side).
"""
from __future__ import annotations

import pytest

from mstrials.labels.eligibility import extract_eligibility
from mstrials.labels.eligibility.themes import EDSS


def study(criteria: str) -> dict:
    return {"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}}


def inclusion(*bullets: str, exclusion: tuple[str, ...] = ("Pregnancy or breastfeeding",)) -> str:
    text = "Inclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in bullets)
    return text + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in exclusion)


def window(criteria: str) -> tuple[float | None, float | None]:
    themes = extract_eligibility(study(criteria))
    return themes.edss_min, themes.edss_max


RANGES = [
    ("between-and-inclusive", inclusion("Expanded Disability Status Scale (EDSS) score between 3.0 and 6.5, inclusive, at screening"), (3.0, 6.5)),
    ("of-to-inclusive-brackets", inclusion("EDSS score of 2.0 to 6.0 (inclusive) at the Screening Visit"), (2.0, 6.0)),
    ("numbered-short-dash", "Inclusion Criteria:\n\n1. Age 18 to 60 years\n2. EDSS of 3-6.5 at baseline\n\nExclusion Criteria:\n\n1. Pregnancy", (3.0, 6.5)),
    ("en-dash-from-zero", inclusion("EDSS 0–5.5"), (0.0, 5.5)),
    ("comma-decimals", inclusion("EDSS score from 2,5 to 6,5 points (inclusive)"), (2.5, 6.5)),
    ("through", inclusion("Have an EDSS score of 1.0 through 5.0"), (1.0, 5.0)),
    ("whole-numbers", inclusion("EDSS between 4 and 7"), (4.0, 7.0)),
    ("kurtzke-long-name", inclusion("Kurtzke Expanded Disability Status Scale score of 3.5 - 6.5"), (3.5, 6.5)),
    ("at-screening-and-baseline", inclusion("Expanded Disability Status Scale (EDSS) 2.0-6.5 at screening and baseline"), (2.0, 6.5)),
    ("in-the-range-of", inclusion("EDSS score in the range of 0 to 4.0"), (0.0, 4.0)),
    ("value-before-scale", inclusion("Score of 2.5 to 6.5 on the Expanded Disability Status Scale"), (2.5, 6.5)),
    ("acronym-then-long-name", inclusion("EDSS (Expanded Disability Status Scale) 3.0 to 6.0"), (3.0, 6.0)),
    ("hyphenated-score-comma", inclusion("EDSS-score 1,5 – 5,5"), (1.5, 5.5)),
    ("label-before", inclusion("Disability level: EDSS 4.5 to 6.5"), (4.5, 6.5)),
    ("ranging-from", inclusion("EDSS ranging from 2.0 to 5.5"), (2.0, 5.5)),
    ("colon-after-scale", inclusion("EDSS: 2.0 – 6.5"), (2.0, 6.5)),
    ("visit-number-is-not-a-score", inclusion("EDSS at Visit 1 between 2.0 and 6.5"), (2.0, 6.5)),
    ("kurtzke-score", inclusion("Kurtzke score 3.0-6.0"), (3.0, 6.0)),
    ("points", inclusion("EDSS at screening from 3.0 to 6.5 points"), (3.0, 6.5)),
    ("expanded-kurtzke-score", inclusion("Expanded Kurtzke Disability Status Score (EDSS) 2.0 - 6.5 inclusive"), (2.0, 6.5)),
    ("both-inclusive-escaped-hyphen-bullet",
     "Inclusion Criteria:\n\n* Diagnosis of RRMS\n\n\\- Has an EDSS score of 0 to 5.5, both inclusive.\n\nExclusion Criteria:\n\n* None", (0.0, 5.5)),
    ("value-before-scale-assessment",
     inclusion("Score between 4.0 and 6.5 on an assessment called “the Expanded Disability Status Scale”"), (4.0, 6.5)),
]

ONE_SIDED = [
    ("le-symbol", inclusion("EDSS ≤ 5.5"), (None, 5.5)),
    ("escaped-le", inclusion("EDSS score \\<= 6.0 at screening"), (None, 6.0)),
    ("equals-less", inclusion("EDSS =< 4.5"), (None, 4.5)),
    ("escaped-strict-less", inclusion("EDSS \\< 6"), (None, 5.5)),
    ("less-than-words", inclusion("EDSS score less than 7.0"), (None, 6.5)),
    ("or-less", inclusion("EDSS score of 6.5 or less"), (None, 6.5)),
    ("or-lower", inclusion("EDSS of 5.0 or lower at screening"), (None, 5.0)),
    ("or-below", inclusion("EDSS 4.0 or below"), (None, 4.0)),
    ("no-more-than", inclusion("EDSS no more than 6.0"), (None, 6.0)),
    ("not-more-than", inclusion("An EDSS score not more than 5.5"), (None, 5.5)),
    ("maximum-before-scale", inclusion("Maximum EDSS score of 6.5"), (None, 6.5)),
    ("up-to", inclusion("EDSS up to 7.0"), (None, 7.0)),
    ("below", inclusion("EDSS below 6.0"), (None, 5.5)),
    ("ge-symbol", inclusion("EDSS ≥ 3.0"), (3.0, None)),
    ("escaped-ge", inclusion("EDSS score \\>= 2.0"), (2.0, None)),
    ("at-least", inclusion("EDSS score of at least 4.0"), (4.0, None)),
    ("escaped-strict-greater", inclusion("EDSS \\> 3.5"), (4.0, None)),
    ("greater-than-words", inclusion("EDSS greater than 2.5"), (3.0, None)),
    ("above-whole-number", inclusion("EDSS score above 4"), (4.5, None)),
    ("or-higher", inclusion("EDSS of 3.0 or higher"), (3.0, None)),
    ("words-and-bracketed-symbol", inclusion("EDSS score greater than or equal to (\\>=) 3.0"), (3.0, None)),
    ("less-than-or-equal-words", inclusion("EDSS less than or equal to 5.5"), (None, 5.5)),
    ("slash-equals", inclusion("EDSS score \\>/= 2.0"), (2.0, None)),
    ("long-name-comma-decimal", inclusion("Expanded Disability Status Scale score ≤6,5"), (None, 6.5)),
    ("below-long-name", inclusion("An expanded disability status scale (EDSS) below 5.5"), (None, 5.0)),
    ("before-the-relapse", inclusion("EDSS before the current relapse \\<6.5"), (None, 6.0)),
    ("reasons-after-full-stop",
     inclusion("Expanded Disability Status Scale (EDSS) score of \\<7. The EDSS is a 0 - 10 scale used to grade disability. "
               "A score of \\<7 was chosen because people with a score of ≥7 mostly use a wheelchair."), (None, 6.5)),
    ("kurtzke-in-brackets", inclusion("(Kurtzke) Expanded Disability Status Scale (EDSS) ≤ 6.0 at the time of randomization (Day 0)"), (None, 6.0)),
]

TWO_SIDED = [
    ("ge-and-le", inclusion("EDSS ≥ 2.0 and ≤ 6.5"), (2.0, 6.5)),
    ("escaped-ge-and-le", inclusion("EDSS \\>= 3.0 and \\<= 6.5 at screening"), (3.0, 6.5)),
    ("strict-both-words", inclusion("EDSS greater than 2.0 and less than 6.0"), (2.5, 5.5)),
    ("score-between-symbols", inclusion("3.0 ≤ EDSS ≤ 6.5"), (3.0, 6.5)),
    ("at-least-but-not-more", inclusion("EDSS score at least 2.0 but not more than 5.5"), (2.0, 5.5)),
    ("strict-both-symbols-visit", inclusion("(Kurtzke) EDSS score \\> 2.5 and \\< 7.0 at Visit 1"), (3.0, 6.5)),
    ("kurtzke-ge-le", inclusion("(Kurtzke) Expanded Disability Status Scale (EDSS) ≥ 2.0 and ≤ 5.5 at the time of randomization (Day 0)"), (2.0, 5.5)),
    ("two-bullets", inclusion("EDSS score at screening of at least 3.0.", "EDSS score at screening no higher than 6.5."), (3.0, 6.5)),
]

SUBGROUPS = [
    ("per-type-one-bullet", inclusion("EDSS 2.0–5.5 for RMS, 3.0–6.5 for PPMS"), (2.0, 6.5)),
    ("per-cohort-brackets", inclusion("EDSS of 0-5.5 (relapsing cohort) or 3.0-6.5 (progressive cohort)"), (0.0, 6.5)),
    ("per-cohort-bullets", inclusion("RMS cohort: EDSS 1.0 to 5.5", "PPMS cohort: EDSS 3.0 to 6.5"), (1.0, 6.5)),
    ("older-participants-allowance", inclusion("EDSS ≤ 5.5 (or ≤ 6.0 in participants older than 40)"), (None, 6.0)),
]

LAYOUTS = [
    ("no-headers", "Patients aged 18-55 years with SPMS and an EDSS of 3.0 to 6.5.", (3.0, 6.5)),
    ("key-criteria-headers",
     "Key Inclusion Criteria:\n\n* SPMS\n* EDSS score 3.0 to 6.5, inclusive\n\nKey Exclusion Criteria:\n\n* Relapse within 3 months", (3.0, 6.5)),
    ("upper-case-headers-numbered",
     "INCLUSION CRITERIA\n\n1. Diagnosis of MS\n2. EDSS ≤ 6.0\n\nEXCLUSION CRITERIA\n\n1. Relapse in the last 30 days", (None, 6.0)),
    ("main-criteria-include",
     "Main inclusion criteria include:\n\n- EDSS score between 2.0 and 6.5\n\nMain exclusion criteria include:\n\n- Other neurological disease", (2.0, 6.5)),
    ("nested-sub-items",
     "Inclusion Criteria:\n\n1. Diagnosis of SPMS\n2. Disability at screening:\n\n   1. EDSS score of 3.0 to 6.5\n   2. Pyramidal functional system score ≥ 2\n\n"
     "Exclusion Criteria:\n\n1. Pregnancy", (3.0, 6.5)),
    ("legacy-hard-wrap",
     "Inclusion Criteria:\n\n  - Diagnosis of PPMS according to the revised McDonald\n    criteria\n  - EDSS at screening between 2.0\n    and 6.5 points\n\n"
     "Exclusion Criteria:\n\n  - Pregnancy", (2.0, 6.5)),
    ("flattened-one-line", "Inclusion Criteria: * EDSS \\<= 6.5 * Age 18-60 Exclusion Criteria: * EDSS \\< 2", (2.0, 6.5)),
    ("sentence-headers",
     "Participants must meet all of the following criteria:\n\n* Diagnosis of SPMS\n* EDSS 3.0 to 5.5\n\n"
     "Patients meeting any of the following will be excluded:\n\n* EDSS \\> 6.5\n* EDSS \\< 2.0", (3.0, 5.5)),
    ("sentence-header-exclusion-fills",
     "Participants must meet all of the following criteria:\n\n* Diagnosis of SPMS\n\n"
     "Patients meeting any of the following will be excluded:\n\n* EDSS \\> 6.5", (None, 6.5)),
    ("age-with-semicolon", inclusion("Age 18-65 years; EDSS ≤ 6.5"), (None, 6.5)),
    ("age-in-same-sentence", inclusion("Men and women aged 18 to 65 years with an EDSS of ≤ 6.0"), (None, 6.0)),
    ("single-value", inclusion("EDSS score of 4.0"), (4.0, 4.0)),
    ("ambulation-note", inclusion("Ambulatory, with EDSS ≤ 6.5 (able to walk 20 m with bilateral assistance)"), (None, 6.5)),
    ("step-definitions-ignored",
     inclusion("Expanded Disability Status Scale (EDSS) 5.5 to 7.0", "EDSS 6.0: walks 100 meters with a cane", "EDSS 7.0: uses a wheelchair most of the day"),
     (5.5, 7.0)),
    ("other-measure-after-range", inclusion("EDSS of 3.0 to 8.0 with at least one functional system scoring 3.0 or greater"), (3.0, 8.0)),
]

EXCLUSION_SECTION = [
    ("exclusion-greater-fills-max", inclusion("Age 18-60", exclusion=("EDSS \\> 6.5 at screening",)), (None, 6.5)),
    ("exclusion-greater-than-words", inclusion("Diagnosis of MS", exclusion=("EDSS score greater than 7.0",)), (None, 7.0)),
    ("exclusion-ge-7", inclusion("Diagnosis of MS", exclusion=("EDSS score ≥ 7",)), (None, 6.5)),
    ("exclusion-less-fills-min", inclusion("EDSS ≤ 6.0", exclusion=("EDSS \\< 2.0",)), (2.0, 6.0)),
    ("inclusion-wins-over-exclusion", inclusion("EDSS 3.0-6.5", exclusion=("EDSS \\> 7.0",)), (3.0, 6.5)),
    ("exclusion-both-ends", inclusion("Diagnosis of MS", exclusion=("EDSS \\> 5.5 or \\< 1.0",)), (1.0, 5.5)),
    ("exclusion-or-greater-with-definition",
     inclusion("EDSS 6.0 to 7.0", exclusion=("EDSS 7.5 or greater: restricted to a wheelchair", "EDSS 5.5 or less: walks without aid")),
     (6.0, 7.0)),
    ("not-eligible-in-inclusion-section", inclusion("Diagnosis of MS", "Participants with an EDSS above 6.5 are not eligible."), (None, 6.5)),
]

TRAPS = [
    ("progression-increase-in-edss", inclusion("Confirmed disability progression, defined as an increase of ≥ 1.0 point in EDSS"), (None, None)),
    ("progression-if-baseline", inclusion("EDSS progression of ≥ 0.5 points if baseline EDSS ≥ 5.5"), (None, None)),
    ("worsening-edss-point", inclusion("Worsening of at least 1.0 EDSS point in the past 2 years"), (None, None)),
    ("change-in-edss", inclusion("Change in EDSS of 1.0 or more during the previous year"), (None, None)),
    ("duration-if-edss", inclusion("Disease duration \\< 10 years if EDSS \\> 5.0"), (None, None)),
    ("worsening-for-baseline",
     inclusion("Progression: 1-point worsening for baseline EDSS score ≤5.5, or 0.5-point worsening for baseline EDSS score \\>5.5"), (None, None)),
    ("window-plus-progression-definition",
     inclusion("EDSS 3.0-6.5", "Evidence of progression: EDSS increase of ≥1.0 (if baseline EDSS ≤5.5) or ≥0.5 (if baseline EDSS ≥6.0) over 2 years"), (3.0, 6.5)),
    ("buried-in-disease-activity",
     inclusion("EDSS ≤ 5.0", "Active disease: ≥2 relapses in 24 months OR 1 relapse in 12 months with EDSS ≥ 2.0"), (None, 5.0)),
    ("whole-scale-described", inclusion("The EDSS is a scale from 0 to 10 with higher scores meaning more disability"), (None, None)),
    ("off-step-value", inclusion("EDSS score ≤ 6.3"), (None, None)),
    ("off-scale-value", inclusion("EDSS \\< 12"), (None, None)),
    ("duration-conditions-legacy",
     "Inclusion Criteria:\n\n- EDSS at screening from 3.0 to 6.5 points\n- Disease duration from onset of MS symptoms less than 15 years if EDSS greater than\n"
     "(>) 5.0; <10 years if EDSS greater than or equal to (>/=) 5.0\n\nExclusion Criteria:\n\n- Pregnancy", (3.0, 6.5)),
    ("stable-without-worsening",
     inclusion("Stable disease without worsening of more than 1 Expanded Disability Status Scale (EDSS) point over the last 3 months", "EDSS \\< 2.5"),
     (None, 2.0)),
    ("exclusion-worsening", inclusion("Diagnosis of MS", exclusion=("EDSS worsening of more than 1.0 point in the last 6 months",)), (None, None)),
    ("progression-score-bullet",
     inclusion("EDSS score progression ≥1 point with no improvement during 2 years", "EDSS score between 3.0 to 6.0 (both inclusive) at screening"),
     (3.0, 6.0)),
    ("time-to-edss", inclusion("Time to EDSS 6.0 will be recorded"), (None, None)),
    ("no-edss-at-all", inclusion("Diagnosis of MS by a neurologist", "Able to walk 100 meters"), (None, None)),
]

MORE_WORDINGS = [
    ("less-or-equal-without-to", inclusion("EDSS less or equal 6.5"), (None, 6.5)),
    ("greater-or-equal-without-to", inclusion("EDSS greater or equal 3"), (3.0, None)),
    ("inferior-or-equal", inclusion("EDSS inferior or equal to 5.5"), (None, 5.5)),
    ("less-or-equals-sign", inclusion("EDSS < or = 6.5"), (None, 6.5)),
    ("max-abbreviation", inclusion("EDSS: max 6.5"), (None, 6.5)),
    ("minimum-before-scale", inclusion("Minimum EDSS of 3.0 at screening"), (3.0, None)),
    ("two-single-values", inclusion("EDSS score of 2.0 or 2.5"), (2.0, 2.5)),
    ("no-spaces", inclusion("EDSS≤6.5"), (None, 6.5)),
    ("score-on-the-edss", inclusion("Score on the EDSS of 6.5 or less"), (None, 6.5)),
    ("value-before-edss-at-screening", inclusion("A score of 2.0 to 6.5 on the EDSS at screening"), (2.0, 6.5)),
    ("escaped-bracket-number", inclusion("1\\) EDSS 3-6.5"), (3.0, 6.5)),
    ("eligible-if", inclusion("Participants are eligible if they have an EDSS score of 3.0 to 6.5"), (3.0, 6.5)),
    ("subgroup-label-first", inclusion("For participants with PPMS: EDSS 3.0 to 6.5"), (3.0, 6.5)),
    ("points-on-the-kurtzke-scale", inclusion("EDSS of 3.0–6.5 points on the Kurtzke scale"), (3.0, 6.5)),
    ("citation-year", inclusion("EDSS score ≤5.5 (Kurtzke, 1983)"), (None, 5.5)),
    ("markdown-table-cell", inclusion("| EDSS | 3.0-6.5 |"), (3.0, 6.5)),
    ("wrapped-before-the-number", "Inclusion Criteria:\n\n- EDSS score of 3.0 to\n6.5 at screening\n\nExclusion Criteria:\n\n- None", (3.0, 6.5)),
    ("pyramidal-points-after-range", inclusion("EDSS 3.0 to 6.5 points inclusive, with ≥ 2 points on the pyramidal FS"), (3.0, 6.5)),
    ("timed-walk-after", inclusion("Expanded Disability Status Scale (EDSS) score of ≤ 5.5 at screening, and a Timed 25-Foot Walk of ≤ 30 seconds"), (None, 5.5)),
    ("disease-duration-after", inclusion("EDSS ≤ 5.5 and disease duration ≤ 10 years"), (None, 5.5)),
    ("relapse-count-after", inclusion("EDSS score 2-6.5 inclusive, and no more than 1 relapse in the last year"), (2.0, 6.5)),
    ("age-after", inclusion("EDSS 2.0–6.5 inclusive for participants aged ≥ 18"), (2.0, 6.5)),
    ("lone-bound-for-another-subgroup", inclusion("EDSS 0–5.5 for RMS and ≤ 6.5 for PPMS"), (None, 6.5)),
    ("negated-in-inclusion", inclusion("Not have an EDSS score greater than 6.5"), (None, 6.5)),
    ("score-picks-who-must", inclusion("EDSS ≤ 6.5 at the screening visit", "Patients with EDSS of 6.0 or 6.5 must walk 20 m"), (None, 6.5)),
    ("progression-required-too", inclusion("EDSS score of 3.0–6.5 inclusive, and a documented EDSS progression in the past 2 years"), (3.0, 6.5)),
    ("exclusion-outside-both-ends", inclusion("Diagnosis of MS", exclusion=("EDSS score \\< 2.0 or \\> 6.5",)), (2.0, 6.5)),
    ("operator-before-value-before-scale", inclusion("Have a score of \\<=5.0 on the Expanded Disability Status Scale (EDSS)"), (None, 5.0)),
    ("operator-then-the-word-score", inclusion("Expanded Disability Status Scale (EDSS) \\<= score 6.0 (see Appendix 2)"), (None, 6.0)),
    ("point-increase-after-lower-bound", inclusion("EDSS ≥ 3.0 and no more than 1 point EDSS increase in the past year"), (3.0, None)),
    ("worsening-points-after-range", inclusion("EDSS between 2.0 and 6.5 (inclusive) at screening and at least 1.0 point of documented EDSS worsening"), (2.0, 6.5)),
    ("sustained-increase-on-the-edss",
     "* INCLUSION CRITERIA: Adults aged 18 to 65. Subject must have an EDSS ranging from 2.0 to 6.0. Subject must have had a sustained "
     "(greater than or equal to 3 months) increase of greater than or equal to 1.0 on the EDSS between 2.0 and 5.5 in the preceding year.",
     (2.0, 6.0)),
    ("condition-with-bracketed-symbol-in-exclusion",
     inclusion("Expanded Disability Status Scale (EDSS) score 0 to 5.0 inclusive",
               exclusion=("Disease duration of more than 10 years in patients with EDSS score less than or equal to (\\</=) 2.0 at screening",)),
     (0.0, 5.0)),
    ("spms-definition-with-edss-steps",
     inclusion("SPMS defined as a progressive increase in disability (EDSS increase ≥1.0 if EDSS ≤5.5 or ≥0.5 if EDSS ≥6.0) for at least 6 months"),
     (None, None)),
]

ALL_CASES = RANGES + ONE_SIDED + TWO_SIDED + SUBGROUPS + LAYOUTS + EXCLUSION_SECTION + TRAPS + MORE_WORDINGS


def test_there_are_many_phrasings():
    assert len(ALL_CASES) >= 60


@pytest.mark.parametrize("criteria, expected", [(c, e) for _, c, e in ALL_CASES], ids=[name for name, _, _ in ALL_CASES])
def test_edss_window(criteria, expected):
    assert window(criteria) == expected


def test_source_snippet_is_the_bullet_in_the_original_text():
    criteria = "Inclusion Criteria:\n\n* Age 18 to 55\n* EDSS \\<= 5.5 at screening\n\nExclusion Criteria:\n\n* Pregnancy"
    themes = extract_eligibility(study(criteria))
    (snippet,) = themes.sources_for(EDSS)
    assert snippet.text == "EDSS \\<= 5.5 at screening"
    assert snippet.start == criteria.index("EDSS")
    assert criteria[snippet.start:snippet.end] == snippet.text
    assert snippet.section == "inclusion"


def test_source_snippet_is_the_sentence_not_the_explanation_after_it():
    criteria = inclusion("Expanded Disability Status Scale (EDSS) score of \\<7. The EDSS is a 0 - 10 scale.")
    (snippet,) = extract_eligibility(study(criteria)).sources_for(EDSS)
    assert snippet.text == "Expanded Disability Status Scale (EDSS) score of \\<7."


def test_exclusion_source_is_kept_when_it_fills_the_window():
    criteria = inclusion("Age 18-60", exclusion=("EDSS \\> 6.5 at screening",))
    (snippet,) = extract_eligibility(study(criteria)).sources_for(EDSS)
    assert snippet.text == "EDSS \\> 6.5 at screening"
    assert snippet.section == "exclusion"


def test_progression_sentence_is_not_a_source():
    criteria = inclusion("EDSS 3.0-6.5", "Confirmed progression: an increase of ≥ 1.0 EDSS point")
    sources = extract_eligibility(study(criteria)).sources_for(EDSS)
    assert [s.text for s in sources] == ["EDSS 3.0-6.5"]
