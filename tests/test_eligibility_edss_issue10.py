"""The four EDSS patterns issue 10 found on unseen real criteria (texts written for these tests)."""
from __future__ import annotations

import pytest

from mstrials.labels.eligibility import extract_eligibility


def window(criteria: str) -> tuple[float | None, float | None]:
    themes = extract_eligibility({"protocolSection": {"eligibilityModule": {"eligibilityCriteria": criteria}}})
    return themes.edss_min, themes.edss_max


CASES = [
    # A citation bracket after the scale's name.
    ("Inclusion Criteria:\n\n1. Adults aged 18 to 60 years\n2. EDSS [5] score of < 5.5 at screening\n\n"
     "Exclusion Criteria:\n\n1. Pregnancy", (None, 5.0)),
    # An inclusion range in an item whose other sentences define progression sub-bands.
    ("Inclusion Criteria:\n\n* Progressive MS with an EDSS from 3.5 to 6.5 inclusive. Progression is defined as "
     "an increase of 1.0 point if baseline EDSS is <= 5.5, or 0.5 point if baseline EDSS is > 5.5.\n\n"
     "Exclusion Criteria:\n\n* Relapse in the last 30 days", (3.5, 6.5)),
    # A parenthetical reference plus an exception clause after the bound.
    ("Inclusion Criteria:\n\n* EDSS score ≥4.5 (Kurtzke, 1983 [2]), except for participants in the "
     "open-label extension, who may enter at any score\n\nExclusion Criteria:\n\n* EDSS > 6.5 at screening",
     (4.5, 6.5)),
    # A disease-duration rule listing EDSS bands must not override the main window.
    ("Inclusion Criteria:\n\n* EDSS >= 3.0 to 8.0, inclusive, at screening\n"
     "* Disease duration: no more than 20 years for EDSS 7.0 – 8.0; no more than 15 years for EDSS 5.5 – 6.5; "
     "no more than 10 years for EDSS <= 5.0\n\nExclusion Criteria:\n\n* Pregnancy", (3.0, 8.0)),
]


@pytest.mark.parametrize(("criteria", "expected"), CASES)
def test_issue10_patterns(criteria, expected):
    assert window(criteria) == expected
