"""CTIS (EU Clinical Trials Information System) files and records, mapped to the v2 study shape.

Reads three kinds of file, recognised by content: the public portal's CSV export (BOM, DD/MM/YYYY,
"N/A" for empty, quoted multi-line cells), a search answer page of the CTIS API
(`{"pagination": ..., "data": [...]}`) and retrieve records (one object with `ctNumber`, or a list).
Items come as `sources.SourceItem` holding the record as received; `to_v2_study` turns any of the
three record kinds into a ClinicalTrials.gov-v2-shaped study for the rest of the product.
"""
from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

from mstrials.markup_safety import CTIS_STUDY_URL
from mstrials.sources.ctis_vocab import ctis_phases, ctis_sponsor_class, ctis_status, ctis_status_label
from mstrials.sources.ctgov_files import _ARCHIVE_ERRORS, MAX_DECOMPRESSED_BYTES, SourceError, SourceItem, _decode

CTIS_NUMBER = re.compile(r"([0-9]{4})-(5[0-9]{5})-([0-9]{2})-([0-9]{2})", re.ASCII)
EUDRACT_NUMBER = re.compile(r"[0-9]{4}-[0-9]{6}-[0-9]{2}", re.ASCII)
CTIS_TRIAL_URL = CTIS_STUDY_URL + "{number}"
CSV_REQUIRED_COLUMNS = ("Trial number", "Title of the trial", "Overall trial status")


# --- numbers ---------------------------------------------------------------------------------

def is_ctis_number(text: object) -> bool:
    return isinstance(text, str) and CTIS_NUMBER.fullmatch(text) is not None


def is_eudract_number(text: object) -> bool:
    return isinstance(text, str) and EUDRACT_NUMBER.fullmatch(text) is not None


def ctis_url(number: str) -> str:
    """The public portal page of a trial; ValueError unless `number` is a valid CTIS number."""
    if not is_ctis_number(number):
        raise ValueError(f"not a CTIS trial number: {number!r:.40}")
    return CTIS_TRIAL_URL.format(number=number)


def latest_resubmissions(numbers: Iterable[str]) -> list[str]:
    """Valid CTIS numbers with only the highest resubmission suffix of each trial, in first-seen order."""
    best: dict[str, str] = {}
    for number in numbers:
        if not is_ctis_number(number):
            continue
        base = number[:-3]
        if base not in best or number[-2:] > best[base][-2:]:
            best[base] = number
    return list(best.values())


# --- small readers of CTIS cell values --------------------------------------------------------

def _cell(value: Any) -> str | None:
    """A cell's text with "N/A" and blanks as None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if not text or text.upper() == "N/A" else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def iso_date(value: Any) -> str | None:
    """DD/MM/YYYY (or an ISO date or timestamp) as YYYY-MM-DD; None when it is neither."""
    text = _cell(value)
    if text is None:
        return None
    match = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text, re.ASCII)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = re.match(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:$|[T ])", text, re.ASCII)
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()  # 31/02 is no day: not stored as one
    except ValueError:
        return None


# The CSV's date columns: a cell that holds text but no readable date makes its row unreadable (skipped
# and reported), since an unreadable "Last updated" would otherwise let an older copy replace a newer one.
CSV_DATE_COLUMNS = ("Decision date", "Start date", "End date", "Global end of the trial", "Last updated")


def _split_top_level(text: str) -> list[str]:
    """Split on ", " or new lines outside parentheses."""
    parts, depth, current = [], 0, []
    index = 0
    while index < len(text):
        char = text[index]
        depth += (char == "(") - (char == ")")
        if depth <= 0 and (char == "\n" or (char == "," and text[index + 1:index + 2] in (" ", ""))):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return [_one_line(part) for part in parts if part.strip()]


def split_conditions(text: Any) -> list[str]:
    """A conditions cell as a list: split only when it reads as a list of names (each part capitalised)."""
    cell = _cell(text)
    if cell is None:
        return []
    parts = _split_top_level(cell)
    if len(parts) > 1 and all(part[:1].isupper() for part in parts):
        return list(dict.fromkeys(parts))
    return [_one_line(cell)]


_STRENGTH = re.compile(r"[0-9]")
_DOSE_FORM_WORDS = re.compile(
    r"\b(?:concentrate|solution|powder|suspension|tablets?|capsules?|injection|infusion|film-coated|"
    r"gastro-resistant|prolonged-release|hard|soft|oral|pre-filled|syringe|pen|cream|gel|emulsion|"
    r"comprimate?|oplossing|for)\b.*$",
    re.IGNORECASE,
)


def clean_product_name(name: str) -> str:
    """A CTIS product name without strength and dose form: "Ocrevus 300 mg concentrate …" -> "Ocrevus"."""
    words = _one_line(name).split(" ")
    kept: list[str] = []
    for word in words:
        if _STRENGTH.match(word):
            break
        kept.append(word)
    cleaned = " ".join(kept)
    without_form = _DOSE_FORM_WORDS.sub("", cleaned).strip(" ,.-")
    return without_form or cleaned.strip(" ,.-") or _one_line(name)


# A comma between products, but not a decimal comma ("Clariscan 0,5 mmol/ml").
_PRODUCT_COMMA = re.compile(r"(?<![0-9]),|,(?![0-9])")
_LETTER = re.compile(r"[^\W\d_]")


def split_products(text: Any) -> list[str]:
    """A Product cell as product names. Commas also occur inside names ("20 mg/ml, oplossing voor …",
    "(adsorbé, à teneur réduite)"): a lower-case piece after a piece that already carries a strength,
    and any piece while a bracket is still open, belongs to the piece before. Pieces with no letter
    ("-", the portal's blank) are no product."""
    cell = _cell(text)
    if cell is None:
        return []
    pieces = [_one_line(piece) for piece in _PRODUCT_COMMA.split(cell)]
    products: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if products and (products[-1].count("(") > products[-1].count(")")
                         or piece[:1].islower() and _STRENGTH.search(products[-1])):
            products[-1] = f"{products[-1]}, {piece}"
        else:
            products.append(piece)
    return list(dict.fromkeys(product.rstrip(" .") for product in products if _LETTER.search(product)))


_COUNTRY_START = re.compile(r"(?:^|[,\n])\s*([^:,\n]+?)\s*:")


def parse_country_statuses(text: Any) -> list[tuple[str, str | None]]:
    """ "Spain:Authorised, recruiting, Poland:Ongoing, recruiting" -> [(country, status words)].
    Status words contain commas but never a colon, so each "Name:" starts a country."""
    cell = _cell(text)
    if cell is None:
        return []
    starts = list(_COUNTRY_START.finditer(cell))
    result = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(cell)
        status = _one_line(cell[match.end():end]).strip(" ,") or None
        result.append((_one_line(match.group(1)), status))
    return result


_AGE_RANGE = re.compile(r"([0-9]{1,3})\s*(?:-\s*([0-9]{1,3})|(\+))\s*years", re.ASCII | re.IGNORECASE)


def _age_ranges(text: Any) -> list[tuple[int, int | None]]:
    cell = _cell(text) if isinstance(text, str) else None
    if cell is None:
        return []
    return [(int(low), None if plus else int(high)) for low, high, plus in _AGE_RANGE.findall(cell)]


def age_limits(age_group: Any, secondary: Any = None) -> dict[str, Any]:
    """stdAges / minimumAge / maximumAge from CTIS age groups; finer secondary ranges narrow the group
    they fall in ("0-17 years" with "6-11 years, 12-17 years" -> from 6)."""
    groups = _age_ranges(age_group)
    finer = _age_ranges(secondary)
    if not groups:
        return {}
    bounds = []
    for low, high in groups:
        inside = [(lo, hi) for lo, hi in finer if lo >= low and (high is None or (hi is not None and hi <= high))]
        if inside:
            highs = [hi for _, hi in inside]
            bounds.append((min(lo for lo, _ in inside), None if None in highs else max(highs)))
        else:
            bounds.append((low, high))
    minimum = min(low for low, _ in bounds)
    highs = [high for _, high in bounds]
    maximum = None if None in highs else max(highs)
    std_ages = []
    if minimum < 18:
        std_ages.append("CHILD")
    if (maximum is None or maximum >= 18) and minimum < 65:
        std_ages.append("ADULT")
    if maximum is None or maximum >= 65:
        std_ages.append("OLDER_ADULT")
    limits: dict[str, Any] = {"minimumAge": f"{minimum} Years", "stdAges": std_ages}
    if maximum is not None:
        limits["maximumAge"] = f"{maximum} Years"
    return limits


def sex_of(gender: Any, female: Any = None, male: Any = None) -> str | None:
    words = {word.strip().casefold() for word in (_cell(gender) or "").split(",")}
    has_female = "female" in words or female is True
    has_male = "male" in words or male is True
    if has_female and has_male:
        return "ALL"
    return "FEMALE" if has_female else "MALE" if has_male else None


def split_endpoints(text: Any) -> list[str]:
    """Numbered endpoint lists ("1. …, 2. …") as separate items; anything else as one item."""
    cell = _cell(text)
    if cell is None:
        return []
    pieces = re.split(r"(?:^|,\s*|\n\s*)(?=[0-9]{1,2}\.\s*\S)", cell)
    items = [re.sub(r"^[0-9]{1,2}\.\s*", "", _one_line(piece)).strip(" ,") for piece in pieces]
    items = [item for item in items if item]
    return items if len(items) > 1 else [_one_line(cell)]


def _whole_number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _cell(value) if isinstance(value, str) else None
    return int(text) if text and re.fullmatch(r"[0-9]{1,9}", text, re.ASCII) else None


# --- one record -> a v2-shaped study ----------------------------------------------------------

def record_kind(record: Any) -> str | None:
    """"csv" (an export row), "retrieve" (full record), "overview" (search answer row) or None."""
    if not isinstance(record, dict):
        return None
    if "Trial number" in record:
        return "csv"
    if isinstance(record.get("ctNumber"), str):
        return "retrieve" if isinstance(record.get("authorizedApplication"), dict) else "overview"
    return None


def ctis_number_of(record: Any) -> str | None:
    kind = record_kind(record)
    number = record.get("Trial number") if kind == "csv" else record.get("ctNumber") if kind else None
    number = number.strip() if isinstance(number, str) else None
    return number if is_ctis_number(number) else None


def _date_struct(date: str | None) -> dict | None:
    return {"date": date} if date else None


def _drop_empty(module: dict) -> dict:
    return {key: value for key, value in module.items() if value not in (None, [], {}, "")}


# A retrieve record's product role (part1MpRoleTypeCode): 1 test, 2 comparator, 3 placebo, 4 auxiliary
# (premedication, rescue or challenge medicine). CTIS has no arms, so a product that is not tested
# says so in its name, the way ClinicalTrials.gov records write "Comparator: ..." or "Placebo".
_ROLE_NAME_PREFIX = {"2": "Comparator", "3": "Placebo", "4": "Auxiliary product"}


def _product_role(product: dict) -> str | None:
    role = product.get("part1MpRoleTypeCode", product.get("mpRoleInTrial"))
    return str(role).strip() if isinstance(role, (str, int)) and not isinstance(role, bool) else None


def _role_named(name: str, role: str | None) -> str:
    prefix = _ROLE_NAME_PREFIX.get(role or "")
    if prefix is None or (role == "3" and re.search(r"placebo|dummy|vehicle", name, re.IGNORECASE)):
        return name
    return f"{prefix}: {name}"


def _interventions(products: list[tuple[str, list[str], str | None]]) -> list[dict]:
    interventions = []
    seen: set[str] = set()
    for full_name, substances, role in products:
        if full_name.casefold() in seen:
            continue
        seen.add(full_name.casefold())
        cleaned = clean_product_name(full_name)
        other_names = [name for name in dict.fromkeys([full_name, *substances]) if name != cleaned]
        interventions.append(_drop_empty(
            {"type": "DRUG", "name": _role_named(cleaned, role), "description": full_name, "otherNames": other_names}
        ))
    return interventions


def _location(country: str, status_words: str | None, **site: Any) -> dict:
    status = ctis_status(status_words) if status_words else None
    return _drop_empty({**site, "country": country, "status": status if status != "UNKNOWN" else None})


def _country_code_statuses(entries: Any) -> list[tuple[str, str | None]]:
    """API "Spain:4" entries as (country, status words)."""
    result = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str) and ":" in entry:
            country, _, code = entry.rpartition(":")
            result.append((_one_line(country), ctis_status_label(code.strip())))
    return result


def _flat_fields(record: dict, kind: str) -> dict[str, Any]:
    """The overview-level fields, whichever of the CSV row or API overview they come from."""
    if kind == "csv":
        return {
            "number": record.get("Trial number"), "protocol": record.get("Protocol code"),
            "title": record.get("Title of the trial"), "short_title": None,
            "status": record.get("Overall trial status"),
            "countries": parse_country_statuses(record.get("Location(s) and recruitment status")),
            "age_group": record.get("Age group"), "age_secondary": record.get("Age range secondary identifier"),
            "gender": record.get("Gender"), "enrolment": record.get("Number of participants enrolled"),
            "conditions": record.get("Medical conditions"), "phase": record.get("Trial phase"),
            "products": record.get("Product"), "primary": record.get("Primary endpoint"),
            "secondary": record.get("Secondary endpoints"), "decision": record.get("Decision date"),
            "start": record.get("Start date"), "end": record.get("End date"),
            "global_end": record.get("Global end of the trial"), "results": record.get("Trial results"),
            "sponsor": record.get("Sponsor/Co-Sponsors"), "sponsor_type": record.get("Sponsor type"),
            "updated": record.get("Last updated"),
        }
    status = record.get("ctPublicStatusCode", record.get("ctStatus"))
    secondary = record.get("ageRangeSecondary")
    return {
        "number": record.get("ctNumber"), "protocol": record.get("shortTitle"),
        "title": record.get("ctTitle"), "short_title": None,
        "status": status if not isinstance(status, str) or status.strip().isdigit() else None,
        "countries": _country_code_statuses(record.get("trialCountries")),
        "age_group": record.get("ageGroup"),
        "age_secondary": ", ".join(s for s in secondary if isinstance(s, str)) if isinstance(secondary, list) else None,
        "gender": record.get("gender"), "enrolment": record.get("totalNumberEnrolled"),
        "conditions": record.get("conditions"), "phase": record.get("trialPhase"),
        "products": record.get("product"), "primary": record.get("primaryEndPoint"),
        "secondary": record.get("endPoint"), "decision": record.get("decisionDateOverall"),
        "start": record.get("startDateEU"), "end": record.get("endDateEU") or record.get("endDate"),
        "global_end": None, "results": record.get("resultsFirstReceived"),
        "sponsor": record.get("sponsor"), "sponsor_type": record.get("sponsorType"),
        "updated": record.get("lastUpdated"),
    }


def _path(record: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def _object(value: Any) -> dict:
    """A JSON object, or {} for anything else (a record of an unexpected shape reads as empty there)."""
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def to_v2_study(record: Any) -> dict:
    """A ClinicalTrials.gov-v2-shaped study for a CTIS record (CSV row, search overview or retrieve
    record). There is no nctId; the CTIS number is a secondary id of type CTIS. ValueError (one line)
    for a record without a valid CTIS number."""
    kind = record_kind(record)
    number = ctis_number_of(record)
    if kind is None or number is None:
        raise ValueError("not a CTIS trial record with a valid trial number")
    flat = _flat_fields(record, kind)
    part_one = _object(_path(record, "authorizedApplication", "authorizedPartI"))
    details = _object(_path(part_one, "trialDetails"))
    identifiers = _object(_path(details, "clinicalTrialIdentifiers"))
    information = _object(_path(details, "trialInformation"))

    secondary_ids = [{"type": "CTIS", "id": number}]
    eudract = _path(record, "authorizedApplication", "eudraCt", "eudraCtCode")
    if is_eudract_number(eudract):
        secondary_ids.append({"type": "EUDRACT_NUMBER", "id": eudract})
    nct = _path(identifiers, "secondaryIdentifyingNumbers", "nctNumber", "number")
    if isinstance(nct, str) and re.fullmatch(r"NCT[0-9]{8}", nct.strip(), re.ASCII):
        secondary_ids.append({"type": "REGISTRY", "domain": "ClinicalTrials.gov", "id": nct.strip()})

    protocol = _cell(flat["protocol"]) or _cell(identifiers.get("shortTitle"))
    full_title = _cell(identifiers.get("fullTitle")) or _cell(flat["title"])
    public_title = _cell(identifiers.get("publicTitle"))
    identification = _drop_empty({
        "nctId": None,
        "orgStudyIdInfo": {"id": protocol} if protocol else None,
        "secondaryIdInfos": secondary_ids,
        "briefTitle": _one_line(public_title or full_title or number),
        "officialTitle": _one_line(full_title) if full_title else None,
    })
    identification["nctId"] = None

    trial_duration = _object(_path(information, "trialDuration"))
    completion = iso_date(flat["global_end"]) or iso_date(flat["end"]) or iso_date(trial_duration.get("estimatedGlobalEndDate"))
    status_module = _drop_empty({
        "overallStatus": ctis_status(flat["status"]),
        "startDateStruct": _date_struct(iso_date(flat["start"])),
        "completionDateStruct": _date_struct(completion),
        "studyFirstPostDateStruct": _date_struct(iso_date(flat["decision"])),
        "lastUpdatePostDateStruct": _date_struct(iso_date(flat["updated"])),
    })

    sponsors = _dicts(part_one.get("sponsors"))
    if sponsors:
        lead = next((s for s in sponsors if s.get("primary") is True), sponsors[0])
        organisation = lead.get("organisation") if isinstance(lead.get("organisation"), dict) else {}
        lead_name = _cell(organisation.get("name"))
        lead_class = ctis_sponsor_class(organisation.get("type"), organisation.get("commercial"))
        collaborators = [
            {"name": name, "class": ctis_sponsor_class(_path(s, "organisation", "type"), _path(s, "organisation", "commercial"))}
            for s in sponsors if s is not lead and (name := _cell(_path(s, "organisation", "name")))
        ]
    else:
        names = _split_top_level(_cell(flat["sponsor"]) or "")
        types = (_cell(flat["sponsor_type"]) or "").split(", ")
        if len(names) != max(len(types), 1):
            names = [_one_line(_cell(flat["sponsor"]) or "")] if _cell(flat["sponsor"]) else []
        lead_name = names[0] if names else None
        lead_class = ctis_sponsor_class(flat["sponsor_type"])
        collaborators = [{"name": name, "class": ctis_sponsor_class(types[i] if i < len(types) else None)}
                         for i, name in enumerate(names[1:], start=1) if name != lead_name]
    sponsor_module = _drop_empty({
        "leadSponsor": _drop_empty({"name": lead_name, "class": lead_class}) if lead_name else None,
        "collaborators": collaborators,
    })

    conditions = [c for c in (_cell(m.get("medicalCondition")) for m in _dicts(part_one.get("medicalConditions"))) if c]
    conditions = list(dict.fromkeys(_one_line(c) for c in conditions)) or split_conditions(flat["conditions"])

    product_records = _dicts(part_one.get("products"))
    if product_records:
        # The sponsor's code ("MK-5592") names a product in development better than its form does.
        products = [
            (_one_line(name), [s.strip() for s in (_cell(p.get("jsonActiveSubstanceNames")) or "").split(",") if s.strip()]
             + [code for code in [_cell(p.get("sponsorProductCodeEdit"))] if code], _product_role(p))
            for p in product_records if (name := _cell(p.get("productName"))) and _LETTER.search(name)
        ]
    else:
        products = [(name, [], None) for name in split_products(flat["products"])]

    population = _object(_path(information, "populationOfTrialSubjects"))
    eligibility = _drop_empty({
        "sex": sex_of(flat["gender"], population.get("isFemaleSubjects"), population.get("isMaleSubjects")),
        "eligibilityCriteria": _criteria_text(_object(_path(information, "eligibilityCriteria"))),
        **age_limits(flat["age_group"], flat["age_secondary"]),
    })

    end_points = _object(_path(information, "endPoint"))
    primary = [e for e in (_cell(p.get("endPoint")) for p in _dicts(end_points.get("primaryEndPoints"))) if e]
    secondary = [e for e in (_cell(p.get("endPoint")) for p in _dicts(end_points.get("secondaryEndPoints"))) if e]
    outcomes = _drop_empty({
        "primaryOutcomes": [{"measure": _one_line(m)} for m in (primary or split_endpoints(flat["primary"]))],
        "secondaryOutcomes": [{"measure": _one_line(m)} for m in (secondary or split_endpoints(flat["secondary"]))],
    })

    enrolment = _whole_number(flat["enrolment"])
    design = _drop_empty({
        "studyType": "INTERVENTIONAL",
        "phases": list(ctis_phases(flat["phase"])),
        "enrollmentInfo": {"count": enrolment} if enrolment is not None else None,
    })

    protocol_section = _drop_empty({
        "identificationModule": identification,
        "statusModule": status_module,
        "sponsorCollaboratorsModule": sponsor_module,
        "conditionsModule": _drop_empty({"conditions": conditions}),
        "designModule": design,
        "armsInterventionsModule": _drop_empty({"interventions": _interventions(products)}),
        "outcomesModule": outcomes,
        "eligibilityModule": eligibility,
        "contactsLocationsModule": _drop_empty({"locations": _locations(record, flat)}),
    })
    results = _cell(flat["results"]) if isinstance(flat["results"], str) else None
    return {"protocolSection": protocol_section, "hasResults": (results or "").casefold() == "yes"}


def _criteria_text(criteria: dict) -> str | None:
    def items(key: str, field: str) -> list[str]:
        return [_one_line(t) for t in (_cell(c.get(field)) for c in _dicts(criteria.get(key))) if t]

    inclusion = items("principalInclusionCriteria", "principalInclusionCriteria")
    exclusion = items("principalExclusionCriteria", "principalExclusionCriteria")
    blocks = []
    if inclusion:
        blocks.append("Inclusion Criteria:\n\n" + "\n".join(f"* {item}" for item in inclusion))
    if exclusion:
        blocks.append("Exclusion Criteria:\n\n" + "\n".join(f"* {item}" for item in exclusion))
    return "\n\n".join(blocks) or None


def _locations(record: dict, flat: dict) -> list[dict]:
    """Sites (retrieve records) or one entry per country (CSV, overview), each with the country's status."""
    status_of = {country.casefold(): words for country, words in flat["countries"]}
    for state in _dicts(_path(record, "authorizedApplication", "memberStatesConcerned")):
        name, code = _cell(state.get("mscName")), state.get("mscPublicStatusCode")
        if name and ctis_status_label(code):
            status_of.setdefault(name.casefold(), ctis_status_label(code))
    locations = []
    with_sites: set[str] = set()
    for part in _dicts(_path(record, "authorizedApplication", "authorizedPartsII")):
        country_of_part = _cell(_path(part, "mscInfo", "countryName")) or _cell(_path(part, "mscInfo", "mscName"))
        for site in _dicts(part.get("trialSites")):
            address = _object(_path(site, "organisationAddressInfo", "address"))
            country = _cell(address.get("countryName")) or country_of_part
            if not country:
                continue
            with_sites.add(country.casefold())
            locations.append(_location(
                country, status_of.get(country.casefold()),
                facility=_cell(_path(site, "organisationAddressInfo", "organisation", "name")),
                city=_cell(address.get("city")), zip=_cell(address.get("postcode")),
            ))
    countries = [name for name, _ in flat["countries"]]
    countries += [c for c in (_cell(i.get("name")) for i in _dicts(_path(record, "authorizedApplication", "authorizedPartI", "rowCountriesInfo"))) if c]
    for country in dict.fromkeys(countries):
        if country.casefold() not in with_sites:
            with_sites.add(country.casefold())
            locations.append(_location(country, status_of.get(country.casefold())))
    return locations


# --- files -----------------------------------------------------------------------------------

def _looks_like_csv_export(text: str) -> bool:
    # Most of the portal's column names on the first line: a CTIS export, even when damaged (a column renamed,
    # another separator), so that its reader, not the JSON one, says what is wrong with it.
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return sum(column in header for column in CSV_COLUMNS) >= len(CSV_COLUMNS) // 2


# The columns of the portal's CSV export (of the 2025 portal).
CSV_COLUMNS = ("Trial number", "Protocol code", "Title of the trial", "Overall trial status",
               "Location(s) and recruitment status", "Age group", "Gender", "Trial region", "Medical conditions",
               "Trial phase", "Product", "Decision date", "Start date", "End date", "Sponsor/Co-Sponsors",
               "Sponsor type", "Last updated")


def _json_kind(document: Any) -> str | None:
    if isinstance(document, dict) and isinstance(document.get("pagination"), dict) and isinstance(document.get("data"), list):
        return "page"
    if isinstance(document, dict) and isinstance(document.get("ctNumber"), str):
        return "record"
    if isinstance(document, list) and document and all(isinstance(i, dict) and isinstance(i.get("ctNumber"), str) for i in document):
        return "records"
    return None


def looks_like_ctis(source: str | Path | bytes) -> bool:
    """Whether a file (path) or its bytes is a CTIS CSV export, search page or retrieve record(s)."""
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
        text = _decode(raw, "file", MAX_DECOMPRESSED_BYTES, MAX_DECOMPRESSED_BYTES)
    except (OSError, SourceError):
        return False
    if _looks_like_csv_export(text):
        return True
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        return _json_kind(json.loads(text)) is not None
    except (ValueError, RecursionError):
        return False


_SNIFF_BYTES = 64 * 1024


def is_ctis_file(path: str | Path) -> bool:
    """Whether an import file is CTIS rather than ClinicalTrials.gov, cheaply for the usual case: a
    ClinicalTrials.gov download names `protocolSection` in its first 64 KiB (a zip is never CTIS);
    only a file that does not is read in full by `looks_like_ctis`."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(_SNIFF_BYTES)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as stream:
                head = stream.read(_SNIFF_BYTES)
    except _ARCHIVE_ERRORS:
        return False  # the ClinicalTrials.gov reader reports an unreadable or damaged file
    if head[:4] == b"PK\x03\x04" or b'"protocolSection"' in head:
        return False
    return looks_like_ctis(Path(path))


def read_ctis_file(path: str | Path, warn=None) -> Iterator[SourceItem]:
    """Yield each CTIS trial in a file, as received, with its position. Malformed CSV rows are reported
    (through `warn`, default stderr) and skipped; a file of none of the known kinds raises SourceError."""
    path = Path(path)
    label = path.name
    warn = warn or (lambda line: print(line, file=sys.stderr))
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
    text = _decode(raw, label, MAX_DECOMPRESSED_BYTES, MAX_DECOMPRESSED_BYTES)
    if _looks_like_csv_export(text):
        yield from _csv_items(text.lstrip("\ufeff"), label, warn)
        return
    if text.lstrip()[:1] not in ("{", "["):
        raise SourceError(f"{label}: neither a CTIS CSV export nor CTIS API JSON")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise SourceError(f"{label}: not valid JSON ({str(error)[:80]})") from error
    kind = _json_kind(document)
    if kind == "page":
        records = document["data"]
    elif kind == "record":
        records = [document]
    elif kind == "records":
        records = document
    else:
        raise SourceError(f"{label}: JSON, but neither a CTIS search page nor CTIS trial records")
    for index, record in enumerate(records, start=1):
        if ctis_number_of(record) is None:
            warn(f"{label} item {index}: skipped, no valid CTIS trial number")
            continue
        yield SourceItem(f"{label} item {index}", record)


def _csv_items(text: str, label: str, warn) -> Iterator[SourceItem]:
    # One cell may be as long as the whole file may be (the csv module's own limit is 128 KiB).
    csv.field_size_limit(max(csv.field_size_limit(), MAX_DECOMPRESSED_BYTES))
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=False)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise SourceError(f"{label}: the CSV's first line cannot be read ({error})") from error
    missing = [column for column in CSV_REQUIRED_COLUMNS if header.count(column) != 1]
    if missing:
        problem = "twice" if any(header.count(column) > 1 for column in missing) else "missing"
        raise SourceError(f"{label}: not a CTIS CSV export as the portal writes it (comma-separated): "
                          f"column {', '.join(repr(c) for c in missing)} {problem}")
    reader.fieldnames = header
    header_size, rows, kept = len(header), 0, 0
    try:
        for row in reader:
            rows += 1
            position = f"{label} line {reader.line_num}"
            if None in row or any(value is None for value in row.values()) or len(row) != header_size:
                warn(f"{position}: skipped, the row has {len([v for v in row.values() if v is not None])} cells, not {header_size}")
                continue
            number = (row.get("Trial number") or "").strip()
            if not is_ctis_number(number):
                warn(f"{position}: skipped, {number[:40]!r} is not a CTIS trial number")
                continue
            unreadable = next((column for column in CSV_DATE_COLUMNS
                               if _cell(row.get(column)) is not None and iso_date(row.get(column)) is None), None)
            if unreadable:
                warn(f"{position}: skipped, {unreadable!r} is {_one_line(row[unreadable])[:20]!r}, not a DD/MM/YYYY date")
                continue
            kept += 1
            yield SourceItem(position, row)
    except csv.Error as error:
        raise SourceError(f"{label}: the CSV cannot be read from line {reader.line_num} on ({error})") from error
    if not kept:
        raise SourceError(f"{label}: a CTIS CSV export with no readable trial"
                          + (f" (all {rows:,} rows were skipped)" if rows else " (only the header line)"))
