"""Registry-neutral vocabularies (status, phase, sponsor class) and how CTIS words map onto them.

The neutral words are ClinicalTrials.gov v2's enums, because the rest of the product already reads
them. Each registry's own words are mapped here and nowhere else; pure functions, no I/O.
A value nobody mapped becomes "UNKNOWN" (status) or no phase, never a guess.
"""
from __future__ import annotations

import re

OVERALL_STATUSES: tuple[str, ...] = (
    "RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "COMPLETED",
    "SUSPENDED", "TERMINATED", "WITHDRAWN", "UNKNOWN",
)
PHASES: tuple[str, ...] = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
SPONSOR_CLASSES: tuple[str, ...] = ("NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN")

# CTIS public trial status (portal wording) -> neutral status. Keys are casefolded, spaces folded.
CTIS_STATUS: dict[str, str] = {
    "under evaluation": "NOT_YET_RECRUITING",
    "authorised, recruitment pending": "NOT_YET_RECRUITING",
    "authorised, not started": "NOT_YET_RECRUITING",
    "authorised, recruiting": "RECRUITING",
    "ongoing, recruiting": "RECRUITING",
    "ongoing, recruitment ended": "ACTIVE_NOT_RECRUITING",
    "temporarily halted": "SUSPENDED",
    "suspended": "SUSPENDED",
    "ended": "COMPLETED",
    "halted": "TERMINATED",  # halted for good: stopped early
    "revoked": "TERMINATED",  # authorisation withdrawn by the authority
    "expired": "WITHDRAWN",  # authorised but never started in time
    "not authorised": "WITHDRAWN",
    "cancelled": "WITHDRAWN",
    "withdrawn": "WITHDRAWN",
}
# The number CTIS's API uses for the same public status (search `ctStatus`, retrieve
# `ctPublicStatusCode`, per country in `trialCountries` "Spain:4" and `mscPublicStatusCode`),
# as the portal lists them.
CTIS_STATUS_CODES: dict[int, str] = {
    1: "Under evaluation",
    2: "Authorised, recruitment pending",
    3: "Authorised, recruiting",
    4: "Ongoing, recruiting",
    5: "Ongoing, recruitment ended",
    6: "Temporarily halted",
    7: "Suspended",
    8: "Ended",
    9: "Expired",
    10: "Revoked",
    11: "Not authorised",
    12: "Cancelled",
}

# CTIS trial phase wording (the part before any "- First administration to humans"-style detail).
CTIS_PHASES: dict[str, tuple[str, ...]] = {
    "human pharmacology (phase i)": ("PHASE1",),
    "therapeutic exploratory (phase ii)": ("PHASE2",),
    "therapeutic confirmatory (phase iii)": ("PHASE3",),
    "therapeutic use (phase iv)": ("PHASE4",),
    "phase i and phase ii (integrated)": ("PHASE1", "PHASE2"),
    "phase ii and phase iii (integrated)": ("PHASE2", "PHASE3"),
    "phase iii and phase iv (integrated)": ("PHASE3", "PHASE4"),
}
_ROMAN_PHASE = {"i": "PHASE1", "ii": "PHASE2", "iii": "PHASE3", "iv": "PHASE4"}

# CTIS organisation types -> v2 sponsor class.
CTIS_SPONSOR_CLASS: dict[str, str] = {
    "pharmaceutical company": "INDUSTRY",
    "hospital/clinic/other health care facility": "OTHER",
    "laboratory/research/testing facility": "OTHER",
    "educational institution": "OTHER",
    "health care": "OTHER",
    "patient organisation/association": "OTHER",
    "public authority": "OTHER_GOV",
    "individual": "INDIV",
    "other": "OTHER",
}


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def ctis_status_label(value: object) -> str | None:
    """The portal's wording for a CTIS status given as words or as the API's number; None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return CTIS_STATUS_CODES.get(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[0-9]{1,3}", text):
            return CTIS_STATUS_CODES.get(int(text))
        return text or None
    return None


def ctis_status(value: object) -> str:
    """Neutral overall status for a CTIS status (words or number); "UNKNOWN" when not mapped."""
    label = ctis_status_label(value)
    return CTIS_STATUS.get(_key(label), "UNKNOWN") if label else "UNKNOWN"


def ctis_phases(text: object) -> tuple[str, ...]:
    """Neutral phases for a CTIS phase text; () when it names none."""
    if not isinstance(text, str) or not text.strip():
        return ()
    head = _key(text).split(")-")[0].split(") -")[0]
    head = head if head.endswith(")") else head + ")" if "(" in head else head
    if head in CTIS_PHASES:
        return CTIS_PHASES[head]
    # Wording not in the table: read the Roman numerals after "phase".
    found = {_ROMAN_PHASE[n] for n in re.findall(r"\bphase\s+(iv|iii|ii|i)\b", _key(text))}
    return tuple(phase for phase in PHASES if phase in found)


def ctis_sponsor_class(sponsor_type: object, commercial: object = None) -> str:
    """v2 sponsor class for a CTIS organisation type (the first if several); the commercial flag decides
    when the type is unmapped."""
    if isinstance(sponsor_type, str) and sponsor_type.strip():
        first = sponsor_type.split(", ")[0]
        mapped = CTIS_SPONSOR_CLASS.get(_key(first))
        if mapped:
            return mapped
    if commercial is True:
        return "INDUSTRY"
    if commercial is False:
        return "OTHER"
    return "UNKNOWN"
