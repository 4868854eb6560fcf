"""Small hand-written studies in the v2 key layout, for unit tests."""
from __future__ import annotations

import copy
from typing import Any


def make_study(
    nct_id: str = "NCT00000001",
    title: str = "A Study of Something in Progressive Multiple Sclerosis",
    conditions: tuple[str, ...] = ("Multiple Sclerosis, Primary Progressive",),
    status: str = "RECRUITING",
    phases: tuple[str, ...] = ("PHASE2",),
    interventions: tuple[tuple[str, str], ...] = (("DRUG", "Ibudilast"), ("DRUG", "Placebo")),
    last_update: str = "2025-01-15",
    start: str = "2024-03",
    primary_completion: str = "2026-06",
    countries: tuple[str, ...] = ("United States",),
    enrollment: int = 120,
    **extra_protocol: Any,
) -> dict:
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": nct_id, "briefTitle": title},
            "statusModule": {
                "overallStatus": status,
                "startDateStruct": {"date": start},
                "primaryCompletionDateStruct": {"date": primary_completion},
                "completionDateStruct": {"date": primary_completion},
                "lastUpdatePostDateStruct": {"date": last_update},
            },
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": "Example University", "class": "OTHER"}},
            "conditionsModule": {"conditions": list(conditions)},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": list(phases),
                "enrollmentInfo": {"count": enrollment, "type": "ESTIMATED"},
            },
            "armsInterventionsModule": {
                "interventions": [{"type": kind, "name": name} for kind, name in interventions]
            },
            "contactsLocationsModule": {
                "locations": [{"city": "Springfield", "country": country} for country in countries]
            },
        },
        "hasResults": False,
    }
    study["protocolSection"].update(copy.deepcopy(extra_protocol))
    return study


def nct_id_of(study: dict) -> str:
    return study["protocolSection"]["identificationModule"]["nctId"]
