"""Trial concept layer: one raw v2 study → the flat values the cache, export and app use.

Each function names the registry fields it reads. A record whose identity is missing, or
whose fields have the wrong JSON types, is malformed: `normalise_study` raises
`MalformedStudy` with a one-line reason so the caller can report it and carry on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mstrials.markup_safety import study_url

NCT_ID = re.compile(r"NCT[0-9]{8}")  # used with fullmatch: ASCII digits, no trailing newline
STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"


class MalformedStudy(ValueError):
    """A record that cannot be read as a study; the message says why, in one line."""


@dataclass(frozen=True)
class Site:
    facility: str | None
    city: str | None
    state: str | None
    country: str | None
    status: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class StudyRecord:
    nct_id: str
    title: str
    official_title: str | None
    acronym: str | None
    status: str | None
    phases: tuple[str, ...]
    study_type: str | None
    start_date: str | None
    primary_completion_date: str | None
    completion_date: str | None
    first_posted: str | None
    last_update: str | None
    sponsor: str | None
    sponsor_class: str | None
    collaborators: tuple[str, ...]
    conditions: tuple[str, ...]
    keywords: tuple[str, ...]
    interventions: tuple[str, ...]
    intervention_types: tuple[str, ...]
    enrollment: int | None
    enrollment_type: str | None
    has_results: bool
    sites: tuple[Site, ...] = field(default=())

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({site.country for site in self.sites if site.country}))

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def url(self) -> str:
        # The record's own registry page: ClinicalTrials.gov for an NCT id, the CTIS portal for a CTIS number.
        return study_url(self.nct_id) or STUDY_URL.format(nct_id=self.nct_id)


def _module(parent: dict, name: str, where: str) -> dict:
    value = parent.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedStudy(f"{where}.{name} should be an object, not {type(value).__name__}")
    return value


def _text(module: dict, name: str, where: str) -> str | None:
    value = module.get(name)
    if value is None or isinstance(value, str):
        return value or None
    raise MalformedStudy(f"{where}.{name} should be text, not {type(value).__name__}")


def _text_list(module: dict, name: str, where: str) -> tuple[str, ...]:
    value = module.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedStudy(f"{where}.{name} should be a list of text")
    return tuple(value)


def _date(module: dict, name: str, where: str) -> str | None:
    struct = _module(module, name, where)
    return _text(struct, "date", f"{where}.{name}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _sites(contacts: dict) -> tuple[Site, ...]:
    where = "contactsLocationsModule"
    locations = contacts.get("locations")
    if locations is None:
        return ()
    if not isinstance(locations, list):
        raise MalformedStudy(f"{where}.locations should be a list")
    sites = []
    for location in locations:
        if not isinstance(location, dict):
            raise MalformedStudy(f"{where}.locations should hold objects")
        point = location.get("geoPoint") if isinstance(location.get("geoPoint"), dict) else {}
        sites.append(
            Site(
                facility=_text(location, "facility", where),
                city=_text(location, "city", where),
                state=_text(location, "state", where),
                country=_text(location, "country", where),
                status=_text(location, "status", where),
                latitude=_number(point.get("lat")),
                longitude=_number(point.get("lon")),
            )
        )
    return tuple(sites)


def study_nct_id(study: Any) -> str:
    """The study's NCT id, or MalformedStudy when the record has none."""
    if not isinstance(study, dict):
        raise MalformedStudy(f"a study should be a JSON object, not {type(study).__name__}")
    protocol = study.get("protocolSection")
    if not isinstance(protocol, dict):
        raise MalformedStudy("no protocolSection")
    identification = protocol.get("identificationModule")
    nct_id = identification.get("nctId") if isinstance(identification, dict) else None
    if not isinstance(nct_id, str) or not NCT_ID.fullmatch(nct_id):
        raise MalformedStudy(f"no valid protocolSection.identificationModule.nctId (got {nct_id!r:.40})")
    return nct_id


def normalise_study(study: Any, trial_id: str | None = None) -> StudyRecord:
    """Flatten the registry fields the product shows; raise MalformedStudy on a bad record.

    `trial_id` is the key of a v2-shaped study made from another registry's record (a CTIS number),
    which has no NCT id of its own; without it the study must carry a valid NCT id."""
    if trial_id is not None and isinstance(study, dict) and isinstance(study.get("protocolSection"), dict):
        nct_id = trial_id
    else:
        nct_id = study_nct_id(study)
    protocol = study["protocolSection"]
    identification = protocol["identificationModule"]
    status = _module(protocol, "statusModule", "statusModule")
    sponsors = _module(protocol, "sponsorCollaboratorsModule", "sponsorCollaboratorsModule")
    lead = _module(sponsors, "leadSponsor", "sponsorCollaboratorsModule")
    collaborators = sponsors.get("collaborators") or []
    if not isinstance(collaborators, list) or not all(isinstance(c, dict) for c in collaborators):
        raise MalformedStudy("sponsorCollaboratorsModule.collaborators should be a list of objects")
    conditions = _module(protocol, "conditionsModule", "conditionsModule")
    design = _module(protocol, "designModule", "designModule")
    enrollment = _module(design, "enrollmentInfo", "designModule")
    count = enrollment.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise MalformedStudy("designModule.enrollmentInfo.count should be a whole number")
    arms = _module(protocol, "armsInterventionsModule", "armsInterventionsModule")
    interventions = arms.get("interventions") or []
    if not isinstance(interventions, list) or not all(isinstance(i, dict) for i in interventions):
        raise MalformedStudy("armsInterventionsModule.interventions should be a list of objects")
    has_results = study.get("hasResults", False)
    if not isinstance(has_results, bool):
        raise MalformedStudy("hasResults should be true or false")
    title = _text(identification, "briefTitle", "identificationModule")
    official_title = _text(identification, "officialTitle", "identificationModule")
    return StudyRecord(
        nct_id=nct_id,
        title=title or official_title or nct_id,
        official_title=official_title,
        acronym=_text(identification, "acronym", "identificationModule"),
        status=_text(status, "overallStatus", "statusModule"),
        phases=_text_list(design, "phases", "designModule"),
        study_type=_text(design, "studyType", "designModule"),
        start_date=_date(status, "startDateStruct", "statusModule"),
        primary_completion_date=_date(status, "primaryCompletionDateStruct", "statusModule"),
        completion_date=_date(status, "completionDateStruct", "statusModule"),
        first_posted=_date(status, "studyFirstPostDateStruct", "statusModule"),
        last_update=_date(status, "lastUpdatePostDateStruct", "statusModule"),
        sponsor=_text(lead, "name", "leadSponsor"),
        sponsor_class=_text(lead, "class", "leadSponsor"),
        collaborators=tuple(c["name"] for c in collaborators if isinstance(c.get("name"), str)),
        conditions=_text_list(conditions, "conditions", "conditionsModule"),
        keywords=_text_list(conditions, "keywords", "conditionsModule"),
        interventions=tuple(i["name"] for i in interventions if isinstance(i.get("name"), str)),
        intervention_types=tuple(i["type"] for i in interventions if isinstance(i.get("type"), str)),
        enrollment=count,
        enrollment_type=_text(enrollment, "type", "designModule.enrollmentInfo"),
        has_results=has_results,
        sites=_sites(_module(protocol, "contactsLocationsModule", "contactsLocationsModule")),
    )
