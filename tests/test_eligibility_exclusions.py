"""Key exclusions: prior anti-CD20 therapy, prior stem-cell transplant, recent relapse, recent
steroids. Texts are written in the registry's style; expected values come from reading them.
"""
from __future__ import annotations

import pytest

from mstrials.labels.eligibility import extract_eligibility
from mstrials.labels.eligibility.themes import PRIOR_ANTI_CD20, RELAPSE, STEROIDS


def themes_of(criteria: str):
    return extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})


def sections(inclusion: list[str], exclusion: list[str]) -> str:
    return ("Inclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in inclusion)
            + "\n\nExclusion Criteria:\n\n" + "\n".join(f"* {b}" for b in exclusion))


ANTI_CD20 = [
    ("named-drugs-any-time", sections(["Diagnosis of PPMS"], ["Previous treatment with ocrelizumab, rituximab or ofatumumab at any time"]), True, None),
    ("b-cell-depleting-within-window", sections(["Diagnosis of MS"], ["Prior B-cell depleting therapy within 12 months of screening"]), True, 12),
    ("anti-cd20-class", sections(["Diagnosis of MS"], ["Any prior anti-CD20 monoclonal antibody"]), True, None),
    ("naive-in-inclusion", sections(["Treatment-naive to anti-CD20 therapies"], ["Pregnancy"]), True, None),
    ("not-received-brand-and-generic", sections(["Participants who have not received any KESIMPTA® (ofatumumab) injection"], ["Pregnancy"]), True, None),
    ("currently-treated-is-allowed", sections(["Currently treated with ocrelizumab for at least 12 months"], ["Pregnancy"]), False, None),
    ("hypersensitivity-is-not-prior-use", sections(["Diagnosis of MS"], ["Hypersensitivity to ocrelizumab or any excipient"]), None, None),
    ("allowed-in-exclusion-section",
     sections(["Diagnosis of MS"], ["Previous treatment with rituximab is allowed if the last infusion was more than 12 months ago"]), False, None),
    ("other-drugs-only", sections(["Diagnosis of MS"], ["Prior treatment with alemtuzumab, cladribine, or mitoxantrone"]), None, None),
    ("future-treatment-is-not-prior", sections(["Eligible to receive ocrelizumab per the local label"], ["Pregnancy"]), None, None),
    ("vaccine-timing-anchor", sections(["Diagnosis of MS"], ["Live vaccines within 6 weeks before the first ocrelizumab infusion"]), None, None),
    ("exception-for-rituximab", sections(["Diagnosis of MS"], ["Any previous immunosuppressive therapy, with the exception of rituximab"]), False, None),
    ("not-stated", sections(["Diagnosis of MS"], ["Pregnancy"]), None, None),
    ("not-responding-means-taken", sections(["Active disease not responding to at least 6 months of ocrelizumab or rituximab"], ["Pregnancy"]), False, None),
    ("hypersensitivity-far-before-the-drug",
     sections(["Diagnosis of MS"], ["Known hypersensitivity to any component of the study cell product or to rituximab"]), None, None),
    ("clinically-inappropriate", sections(["Diagnosis of MS"], ["Patients for whom treatment with ofatumumab is medically inappropriate"]), None, None),
    # Class-wide wording excludes prior anti-CD20 use with every other DMT.
    ("no-prior-dmt", sections(["No prior MS disease-modifying therapy"], ["Pregnancy"]), True, None),
    ("treatment-naive", sections(["Treatment-naive RRMS"], ["Pregnancy"]), True, None),
    ("prior-dmt-in-exclusion", sections(["Diagnosis of CIS"], ["Prior disease-modifying treatment"]), True, None),
    ("any-dmt-within-a-window", sections(["Diagnosis of PPMS"], ["Treatment with any DMT approved for relapsing MS within 3 months"]), True, 3),
    ("therapeutic-antibody-except-another", sections(["Diagnosis of SPMS"], ["Any previous therapeutic monoclonal antibody other than natalizumab"]),
     True, None),
    ("dmt-except-an-anti-cd20", sections(["Diagnosis of MS"], ["Any previous DMT except ocrelizumab"]), False, None),
    ("previously-treated-not-eligible", "Adults with RRMS can join. People previously treated with any disease-modifying therapy are not eligible.",
     True, None),
    ("named-drug-cannot-take-part", "Adults with PPMS may join; those who have received rituximab or ocrelizumab cannot take part.", True, None),
    # ... but a change, a start, a failure, a stable or other DMT, or a reaction says nothing of prior use.
    ("dmt-change", sections(["Diagnosis of MS"], ["Start or change of disease-modifying therapy within 6 months", "Change in DMT in the previous 3 months"]),
     None, None),
    ("new-dmt", sections(["Diagnosis of MS"], ["Initiation of a new DMT within 3 months"]), None, None),
    ("no-dmt-or-the-same-dmt", sections(["Either no disease-modifying therapy for at least 6 months, or the same DMT for at least 6 months"], ["Pregnancy"]),
     None, None),
    ("despite-dmt", sections(["Two or more relapses in the past 2 years despite DMT"], ["Pregnancy"]), None, None),
    ("about-to-start", sections(["Patients with RRMS who are about to start a high-efficacy DMT"], ["Pregnancy"]), None, None),
    ("other-dmt-beside-required-anti-cd20", sections(["Treated with ocrelizumab for at least 12 months"], ["Any other disease-modifying therapy within 6 months"]),
     False, None),
    ("antibody-hypersensitivity", sections(["Diagnosis of MS"], ["Known hypersensitivity to monoclonal antibodies"]), None, None),
    ("dmt-during-the-study", sections(["Diagnosis of MS"], ["Use of any DMT during the study"]), None, None),
    ("naive-or-stable-dmt", sections(["DMT-naive or on a stable DMT for 6 months"], ["Pregnancy"]), None, None),
    ("naive-or-only-injectables", sections(["Treatment-naive or previously treated only with interferon beta"], ["Pregnancy"]), True, None),
    ("sdmt-is-a-test", sections(["SDMT score below the cut-off"], ["Prior SDMT practice sessions"]), None, None),
]


@pytest.mark.parametrize("criteria, excluded, window", [c[1:] for c in ANTI_CD20], ids=[c[0] for c in ANTI_CD20])
def test_prior_anti_cd20(criteria, excluded, window):
    themes = themes_of(criteria)
    assert themes.prior_anti_cd20_excluded is excluded
    assert themes.prior_anti_cd20_window_months == window


STEM_CELL = [
    ("ahsct-in-exclusion", sections(["Diagnosis of MS"], ["Prior autologous hematopoietic stem cell transplantation (aHSCT)"]), True),
    ("bone-marrow", sections(["Diagnosis of MS"], ["History of bone marrow transplantation"]), True),
    ("negated-in-inclusion", sections(["No previous HSCT"], ["Pregnancy"]), True),
    ("earlier-transplant-required", sections(["Underwent AHSCT at least 2 years before screening"], ["Pregnancy"]), False),
    ("future-transplant", sections(["Willing to undergo HSCT if randomized to the transplant arm"], ["Pregnancy"]), None),
    ("contraindication", sections(["Diagnosis of MS"], ["Contraindication to autologous stem cell transplantation"]), None),
    ("brainstem-and-system-words", sections(["Diagnosis of MS"], ["Brainstem lesions on MRI", "Disease of the immune system other than MS"]), None),
    ("organ-tissue-or-stem-cell", sections(["Diagnosis of MS"], ["Prior organ, tissue, or stem cell transplant within 3 years"]), True),
]


@pytest.mark.parametrize("criteria, excluded", [c[1:] for c in STEM_CELL], ids=[c[0] for c in STEM_CELL])
def test_prior_stem_cell_transplant(criteria, excluded):
    assert themes_of(criteria).prior_stem_cell_transplant_excluded is excluded


RELAPSE_CASES = [
    ("within-30-days", sections(["Diagnosis of MS"], ["MS relapse within 30 days before screening"]), 1),
    ("past-2-years", sections(["Diagnosis of MS"], ["Relapse within the past 2 years"]), 24),
    ("in-the-3-months-prior", sections(["Diagnosis of MS"], ["Clinical relapse in the 3 months prior to randomization"]), 3),
    ("no-relapses-in-inclusion", sections(["No relapses in the last 24 months"], ["Pregnancy"]), 24),
    ("required-relapse-is-not-an-exclusion", sections(["At least one relapse in the previous 12 months"], ["Pregnancy"]), None),
    ("relapse-free-days", sections(["Relapse-free for at least 90 days before baseline"], ["Pregnancy"]), 3),
    ("no-evidence-weeks", sections(["Neurologically stable with no evidence of relapse within 8 weeks"], ["Pregnancy"]), 2),
    ("heart-attack", sections(["Diagnosis of MS"], ["Heart attack in the last 6 months"]), None),
    ("exacerbation-number-word", sections(["Diagnosis of MS"], ["Onset of an MS exacerbation within four weeks prior to Day 1"]), 1),
    ("too-few-relapses", sections(["Diagnosis of MS"], ["Fewer than 2 relapses in the previous 2 years"]), None),
    ("two-windows-longest-wins",
     sections(["Diagnosis of MS"], ["Relapse within 30 days prior to screening", "Relapse within 60 days prior to randomization"]), 2),
    ("not-ms-relapse", sections(["Diagnosis of MS"], ["Relapse of depression within 6 months"]), None),
    ("past-year-no-number", sections(["Diagnosis of MS"], ["A clinical relapse in the past year"]), 12),
    ("no-window-stated", sections(["Diagnosis of MS"], ["Currently experiencing a relapse"]), None),
    ("but-not-within", sections(["Two relapses in the last 2 years, or one relapse in the last year (but not within 30 days of screening)"], ["Pregnancy"]), 1),
    ("during-the-year-before", sections(["Diagnosis of MS"], ["Clinical evidence of a relapse during the year before inclusion"]), 12),
    ("symbol-and-days", "Inclusion Criteria:\n\n1. EDSS 3.0 - 6.5\n\nExclusion Criteria:\n\n1. Relapse \\<= 60 days\n2. Pregnancy", 2),
    ("absence-of-a-relapse", sections(["Absence of a relapse in the 3 months prior to baseline"], ["Pregnancy"]), 3),
    # A prose sentence that states the exclusions itself, and an exclusion said after the relapse.
    ("prose-exclusion-lead", "Adults with RRMS were eligible. Exclusion criteria were progressive MS, a relapse in the 60 days before screening, "
     "and pregnancy.", 2),
    ("not-eligible-after", sections(["People who had a relapse in the past 3 months are not eligible"], ["Pregnancy"]), 3),
    ("cannot-take-part-after", "Adults with MS may join. Those with a relapse within 6 weeks of baseline cannot take part.", 2),
    ("too-few-relapses-not-eligible", sections(["People with fewer than 2 relapses in the past 2 years are not eligible"], ["Pregnancy"]), None),
    # An excluded kind of MS "without relapses" asks for relapses: it is no relapse-free window.
    ("without-relapses-in-exclusion", sections(["Relapsing MS"], ["Progressive MS without relapses in the last 2 years"]), None),
    ("free-of-relapses-in-exclusion", sections(["Diagnosis of SPMS"], ["SPMS free of relapses for the past 24 months"]), None),
    ("no-relapse-bullet-in-exclusion-still-a-window", sections(["Diagnosis of MS"], ["No MS relapse within the last 30 days"]), 1),
    ("relapse-of-major-depression", sections(["Diagnosis of MS"], ["Relapse of major depression within 6 months", "MS relapse in the past 30 days"]), 1),
]


@pytest.mark.parametrize("criteria, months", [c[1:] for c in RELAPSE_CASES], ids=[c[0] for c in RELAPSE_CASES])
def test_relapse_free_months(criteria, months):
    assert themes_of(criteria).relapse_free_months == months


STEROID_CASES = [
    ("systemic-30-days", sections(["Diagnosis of MS"], ["Systemic corticosteroids within 30 days prior to screening"]), 30, True),
    ("named-steroids-weeks", sections(["Diagnosis of MS"], ["Treatment with IV methylprednisolone or oral prednisone in the last 4 weeks"]), 28, True),
    ("during-months-before", sections(["Diagnosis of MS"], ["Any corticosteroid treatment during the 3 months before inclusion"]), 90, True),
    ("no-steroids-in-inclusion", sections(["No steroid treatment within 2 weeks of the baseline visit"], ["Pregnancy"]), 14, True),
    ("relapse-treatment-requirement", sections(["Relapses must have been treated with corticosteroids"], ["Pregnancy"]), None, None),
    ("chronic-need-is-not-recent-use", sections(["Diagnosis of MS"], ["Conditions requiring chronic systemic corticosteroid therapy"]), None, None),
    ("current-use-without-window", sections(["Diagnosis of MS"], ["Currently receiving corticosteroids"]), None, True),
    ("nsaids-are-not-steroids", sections(["Diagnosis of MS"], ["Use of non-steroidal anti-inflammatory drugs within 7 days"]), None, None),
    ("acth-one-month", sections(["Diagnosis of MS"], ["ACTH or steroids within 1 month"]), 30, True),
    ("symbol-and-days", sections(["Diagnosis of MS"], ["Corticosteroid treatment \\<= 30 days"]), 30, True),
    ("days-prior-without-within", sections(["Diagnosis of MS"], ["Treatment with ACTH or any corticosteroid 60 days prior to screening"]), 60, True),
    ("contraindication-is-not-use", sections(["Diagnosis of MS"], ["Contraindications to or intolerance of oral or IV corticosteroids"]), None, None),
    ("prose-not-eligible", "Patients with CIS can take part. People who received corticosteroids in the past 2 weeks are not eligible.", 14, True),
    ("prose-exclusion-lead", "Exclusion criteria were a relapse in the 30 days before screening and treatment with corticosteroids within 30 days.",
     30, True),
    ("allowed-is-not-an-exclusion", sections(["Corticosteroids for a relapse within 30 days are allowed"], ["Pregnancy"]), None, None),
]


@pytest.mark.parametrize("criteria, days, excluded", [c[1:] for c in STEROID_CASES], ids=[c[0] for c in STEROID_CASES])
def test_steroid_window(criteria, days, excluded):
    themes = themes_of(criteria)
    assert themes.steroid_free_days == days
    assert themes.recent_steroids_excluded is excluded


def test_window_from_the_lead_in_of_nested_items():
    criteria = (
        "Inclusion Criteria:\n\n1. Diagnosis of MS\n\nExclusion Criteria:\n\n"
        "1. Any of the following within 60 days prior to randomization:\n\n"
        "   1. MS relapse\n   2. Systemic corticosteroids\n2. Pregnancy"
    )
    themes = themes_of(criteria)
    assert themes.relapse_free_months == 2
    assert themes.steroid_free_days == 60
    (relapse_source,) = themes.sources_for(RELAPSE)
    assert relapse_source.text == "MS relapse"
    assert criteria[relapse_source.start:relapse_source.end] == "MS relapse"
    (steroid_source,) = themes.sources_for(STEROIDS)
    assert steroid_source.text == "Systemic corticosteroids"


def test_anti_cd20_source_points_at_the_sentence():
    criteria = sections(["Diagnosis of PPMS"], ["Previous treatment with ocrelizumab at any time"])
    (snippet,) = themes_of(criteria).sources_for(PRIOR_ANTI_CD20)
    assert snippet.text == "Previous treatment with ocrelizumab at any time"
    assert snippet.start == criteria.index("Previous treatment")
    assert snippet.section == "exclusion"


@pytest.mark.parametrize("count, unit, months", [
    (30, "d", 1), (28, "d", 1), (31, "d", 1), (60, "d", 2), (90, "d", 3), (180, "d", 6), (365, "d", 12),
    (4, "w", 1), (6, "w", 2), (8, "w", 2), (12, "w", 3), (52, "w", 12), (3, "m", 3), (2, "y", 24),
])
def test_months_round_up_so_nobody_inside_the_window_is_told_ok(count, unit, months):
    from mstrials.labels.eligibility.exclusions import months_of

    assert months_of(count, unit) == months
