"""Registry words for people: the study status, phase and study-type vocabularies in plain language.

Below both the store (its change history speaks these words) and the app's data layer.
"""
from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "RECRUITING": "Recruiting",
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "COMPLETED": "Completed",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Stopped early (terminated)",
    "WITHDRAWN": "Withdrawn before enrolling",
    "UNKNOWN": "Status unknown (not updated)",
    "AVAILABLE": "Expanded access: available",
    "NO_LONGER_AVAILABLE": "Expanded access: no longer available",
    "TEMPORARILY_NOT_AVAILABLE": "Expanded access: temporarily unavailable",
    "APPROVED_FOR_MARKETING": "Approved for marketing",
    "WITHHELD": "Withheld",
}
OPEN_STATUSES: tuple[str, ...] = ("RECRUITING", "NOT_YET_RECRUITING")

PHASE_LABELS: dict[str, str] = {
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4 (after approval)",
    "NA": "No phase (not a drug trial)",
}
# The combined labels a trial can carry, in pipeline order (used as the pipeline's phase axis).
PHASE_STAGES: tuple[str, ...] = (
    "Early phase 1", "Phase 1", "Phase 1/2", "Phase 2", "Phase 2/3", "Phase 3", "Phase 4", "No phase",
)
STAGE_OF_PHASES: dict[str, str] = {
    "EARLY_PHASE1": "Early phase 1", "PHASE1": "Phase 1", "PHASE1|PHASE2": "Phase 1/2", "PHASE2": "Phase 2",
    "PHASE2|PHASE3": "Phase 2/3", "PHASE3": "Phase 3", "PHASE4": "Phase 4", "": "No phase", "NA": "No phase",
}

STUDY_TYPE_LABELS: dict[str, str] = {
    "INTERVENTIONAL": "Interventional (tests a treatment)",
    "OBSERVATIONAL": "Observational (watches, no treatment given)",
    "EXPANDED_ACCESS": "Expanded access (treatment outside a trial)",
}


def readable_status(status: str | None) -> str:
    if not isinstance(status, str) or not status:
        return "Not stated"
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def readable_phases(phases: str | None) -> str:
    if not phases:
        return "No phase"
    return STAGE_OF_PHASES.get(phases) or " / ".join(PHASE_LABELS.get(p, p) for p in phases.split("|"))
