"""What the Trial page shows about one study, worked out from its stored registry record.

Registry text stays plain text here; the page decides how to show it safely. Highlight spans are
(start, end) offsets into the criteria text, as the eligibility parser reports its sources.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

from mstrials.explore.frame import readable_ms_type
from mstrials.markup_safety import REGISTRY_NAMES, registry_of_id, study_url
from mstrials.sources.registries import v2_view


def parse_raw(raw_json: str | None) -> dict:
    """A stored record as a v2 study: ClinicalTrials.gov records as they are, CTIS records mapped."""
    if not raw_json:
        return {}
    try:
        study = v2_view(json.loads(raw_json)).study
    except (ValueError, RecursionError):
        return {}
    return study if isinstance(study, dict) else {}


def rows_for_id(frame: pd.DataFrame, trial_id: str) -> pd.DataFrame:
    """The frame's row for a trial id: its key, else any id of the trial in another registry
    (a CTIS number of a trial listed under its NCT id)."""
    by_key = frame[frame["nct_id"] == trial_id]
    if not by_key.empty or "registry_ids" not in frame:
        return by_key
    return frame[frame["registry_ids"].fillna("").map(lambda joined: trial_id in joined.split("|"))]


def registry_links(registry_ids: object) -> list[tuple[str, str, str]]:
    """(registry name, id, address) for each id of the trial that we can link to; links are built
    by markup_safety.study_url from validated ids only (a EudraCT number has no page we link to)."""
    links = []
    for trial_id in (registry_ids.split("|") if isinstance(registry_ids, str) else []):
        url = study_url(trial_id)
        if url is not None:
            links.append((REGISTRY_NAMES[registry_of_id(trial_id)], trial_id, url))
    return links


def _module(study: dict, name: str) -> dict:
    protocol = study.get("protocolSection")
    module = protocol.get(name) if isinstance(protocol, dict) else None
    return module if isinstance(module, dict) else {}


def criteria_text(study: dict) -> str | None:
    text = _module(study, "eligibilityModule").get("eligibilityCriteria")
    return text if isinstance(text, str) and text.strip() else None


def brief_summary(study: dict) -> str | None:
    text = _module(study, "descriptionModule").get("briefSummary")
    return text if isinstance(text, str) and text.strip() else None


def collaborators(study: dict) -> list[str]:
    items = _module(study, "sponsorCollaboratorsModule").get("collaborators") or []
    return [str(item.get("name")) for item in items if isinstance(item, dict) and item.get("name")]


def _outcome_themes(measure: str, description: str | None) -> tuple[str, ...]:
    try:
        from mstrials.labels.outcomes import THEME_LABELS, outcome_themes
    except ImportError:
        return ()
    try:
        return tuple(THEME_LABELS.get(key, key) for key in outcome_themes(measure, description))
    except Exception:  # noqa: BLE001 - a tagging failure must not hide the outcome itself
        return ()


OUTCOME_KINDS = (("primaryOutcomes", "Primary"), ("secondaryOutcomes", "Secondary"), ("otherOutcomes", "Other"))


def outcome_measures(study: dict) -> pd.DataFrame:
    """One row per outcome measure: kind, measure, time frame and the themes it was tagged with."""
    module = _module(study, "outcomesModule")
    rows = []
    for field_name, kind in OUTCOME_KINDS:
        for item in module.get(field_name) or []:
            if not isinstance(item, dict) or not item.get("measure"):
                continue
            measure = str(item["measure"])
            rows.append({
                "kind": kind,
                "measure": measure,
                "time_frame": str(item.get("timeFrame") or ""),
                "themes": "; ".join(_outcome_themes(measure, item.get("description"))),
            })
    return pd.DataFrame(rows, columns=["kind", "measure", "time_frame", "themes"])


def study_locations(study: dict) -> pd.DataFrame:
    """The sites of a full record, with its geoPoint where the registry gives one."""
    rows = []
    for position, location in enumerate(_module(study, "contactsLocationsModule").get("locations") or []):
        if not isinstance(location, dict):
            continue
        point = location.get("geoPoint") if isinstance(location.get("geoPoint"), dict) else {}
        rows.append({
            "position": position, "facility": location.get("facility"), "city": location.get("city"),
            "state": location.get("state"), "country": location.get("country"), "status": location.get("status"),
            "latitude": point.get("lat"), "longitude": point.get("lon"),
        })
    return pd.DataFrame(rows, columns=["position", "facility", "city", "state", "country", "status", "latitude", "longitude"])


def evidence_rows(evidence_json: str | None) -> list[tuple[str, str]]:
    """(mechanism key, readable evidence) pairs from the classifier's structured evidence."""
    try:
        evidence = json.loads(evidence_json) if evidence_json else {}
    except ValueError:
        return []
    if not isinstance(evidence, dict):
        return []
    return [(str(key), _readable(value)) for key, value in evidence.items()]


def _readable(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and {"intervention", "matched"} <= value.keys():
        treatment, matched = str(value["intervention"]), str(value["matched"])
        if not treatment.strip():  # read from the titles or the study type, not from a listed treatment
            return matched.strip().strip("()") or "no listed treatment"
        if treatment.strip().lower() == matched.strip().lower():
            return f"the treatment “{treatment}” is listed under this mechanism"
        return f"the treatment “{treatment}” matched “{matched}”"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_readable(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_readable(item) for item in value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Segment:
    text: str
    mark: int | None  # the 1-based number of the highlight this text belongs to, or None
    opens_mark: bool = True  # False for the later pieces of a highlight cut into lines


def merged_highlights(spans: Iterable[tuple[int, int]], length: int) -> tuple[list[tuple[int, int]], list[int | None]]:
    """Source spans clamped to the text, overlaps merged, in text order; and for each source span
    the 1-based number of the merged highlight that shows it (None when it falls outside the text).

    Numbering the merged highlights, not the sources, keeps the theme table's citations and the
    numbers in the text the same set: two overlapping sources cite one highlight.
    """
    clamped = []
    for index, (start, end) in enumerate(spans):
        start, end = max(0, int(start)), min(length, int(end))
        clamped.append((start, end, index))
    numbers: list[int | None] = [None] * len(clamped)
    merged: list[list[int]] = []
    for start, end, index in sorted(item for item in clamped if item[0] < item[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
        numbers[index] = len(merged)
    return [(start, end) for start, end in merged], numbers


def highlight_segments(text: str, spans: Iterable[tuple[int, int]]) -> list[Segment]:
    """Cut `text` into plain and highlighted pieces, the highlights numbered 1, 2, … in text order."""
    merged, _ = merged_highlights(spans, len(text))
    segments: list[Segment] = []
    position = 0
    for number, (start, end) in enumerate(merged, start=1):
        if position < start:
            segments.append(Segment(text[position:start], None))
        segments.append(Segment(text[start:end], number))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], None))
    return segments


_REGISTRY_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=])")


def registry_unescape(text: str) -> str:
    """The registry's criteria come with markdown backslash escapes (`6\\.`, `\\<`): the characters alone."""
    return _REGISTRY_ESCAPE.sub(r"\1", text)


def eligibility_table(themes, citation_numbers: Sequence[int | None] | None = None) -> pd.DataFrame:
    """The eligibility themes as readable rows; "Source" lists the numbers of the highlights in the text.

    `citation_numbers` gives each source's highlight number (see merged_highlights); without it the
    sources are numbered against the whole criteria text.
    """
    if citation_numbers is None:
        _, citation_numbers = merged_highlights([(s.start, s.end) for s in themes.sources], 1 << 62)
    numbers: dict[str, list[int]] = {}
    for source, number in zip(themes.sources, citation_numbers):
        if number is not None and number not in numbers.get(source.theme, []):
            numbers.setdefault(source.theme, []).append(number)

    # What the study states about everyone, not a verdict on the reader (who may have answered nothing).
    def yes_no(value: bool | None, yes: str) -> str | None:
        return None if value is None else (yes if value else "not excluded")

    def both(low, high, unit: str = "") -> str | None:
        if low is None and high is None:
            return None
        if high is None:
            return f"{low:g}{unit} or more"
        if low is None:
            return f"up to {high:g}{unit}"
        return f"{low:g}{unit} to {high:g}{unit}"

    ages = None
    if themes.min_age is not None or themes.max_age is not None:
        ages = " to ".join(text for text in (themes.min_age_text or (f"{themes.min_age:g} years" if themes.min_age is not None else "any"),
                                             themes.max_age_text or (f"{themes.max_age:g} years" if themes.max_age is not None else "no upper limit")))
    rows = [
        ("age", "Age", ages),
        ("sex", "Sex", {"ALL": "women and men", "FEMALE": "women only", "MALE": "men only"}.get(themes.sex or "")),
        ("healthy_volunteers", "Healthy volunteers", None if themes.healthy_volunteers is None else
         ("accepted" if themes.healthy_volunteers else "not accepted")),
        ("edss", "EDSS (disability score)", both(themes.edss_min, themes.edss_max)),
        ("ms_types", "MS types taken", ", ".join(map(readable_ms_type, themes.ms_types_included)) or None),
        ("ms_types", "MS types not taken", ", ".join(map(readable_ms_type, themes.ms_types_excluded)) or None),
        ("prior_anti_cd20", "Earlier anti-CD20 treatment (the criteria say which drugs)", yes_no(themes.prior_anti_cd20_excluded, "people treated before are excluded")),
        ("prior_stem_cell_transplant", "Earlier stem cell transplant",
         yes_no(themes.prior_stem_cell_transplant_excluded, "people who had one are excluded")),
        ("relapse", "Time without relapses", None if themes.relapse_free_months is None else
         f"at least {themes.relapse_free_months} month{'s' if themes.relapse_free_months != 1 else ''}"),
        ("steroids", "Time without steroids", None if themes.steroid_free_days is None else
         f"at least {themes.steroid_free_days} day{'s' if themes.steroid_free_days != 1 else ''}"),
        ("steroids", "Recent steroids", yes_no(themes.recent_steroids_excluded, "people who had them recently are excluded")),
    ]
    table = [
        {"Theme": label, "What the study states": value or "not stated",
         "Source": ", ".join(f"[{n}]" for n in numbers.get(key, [])) or ""}
        for key, label, value in rows
    ]
    listed_keys = {key for key, _, _ in rows}
    for theme, theme_numbers in numbers.items():
        if theme not in listed_keys:
            table.append({"Theme": theme.replace("_", " ").capitalize(), "What the study states": "see source",
                          "Source": ", ".join(f"[{n}]" for n in theme_numbers)})
    return pd.DataFrame(table, columns=["Theme", "What the study states", "Source"])


CRITERIA_SHOWN_CHARACTERS = 20_000


def criteria_excerpt(text: str, limit: int = CRITERIA_SHOWN_CHARACTERS) -> tuple[str, bool]:
    """The first part of a long criteria text, cut at a line end where one is near; and whether it was cut.

    A registry text can be megabytes long; the page shows this part and links to the full record.
    """
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit], True


def highlight_lines(text: str, spans: Iterable[tuple[int, int]]) -> list[list[Segment]]:
    """The highlight segments of `text`, cut into its lines (any line break, `\\r` included).

    Each piece of text is split once, so the work stays linear in the length of the text.
    """
    from mstrials.markup_safety import LINE_BREAKS

    lines: list[list[Segment]] = [[]]
    for segment in highlight_segments(text, spans):
        opens = True
        for index, piece in enumerate(LINE_BREAKS.split(segment.text)):
            if index:
                lines.append([])
            if piece:
                lines[-1].append(Segment(piece, segment.mark, opens))
                opens = False
    return lines


MAX_COMPARED = 5


def participation_words(fact) -> str:
    """One "what taking part involves" answer for a table cell: the answer, then the words it came from."""
    if not fact.stated:
        return fact.answer
    return f"{fact.answer} (from {fact.where or 'the record'}: “{fact.source}”)"


def comparison_table(trials: pd.DataFrame, details: dict[str, dict], nearest: dict[str, str] | None = None) -> pd.DataFrame:
    """2–5 trials side by side: one row per aspect, one column per trial (NCT id), plain text.

    `trials` are rows of the app's frame; `details` maps NCT id to its stored details
    (eligibility_json, raw_json); `nearest` maps NCT id to the nearest site in words, when a place is set.
    """
    from mstrials.explore.participation import Participation, taking_part
    from mstrials.labels.eligibility import EligibilityThemes

    columns: dict[str, list[str]] = {}
    aspects = ["Title", "Status", "Phase", "EDSS window", "MS types taken", "MS types not taken", "Ages",
               "Key exclusions", "Primary outcome themes"]
    if nearest is not None:
        aspects.append("Nearest open site")
    # What taking part involves, as on the Trial page, each answer with the record's words it came from.
    participation_rows = [question for question, _ in taking_part({}).items()]
    aspects += participation_rows
    for _, trial in trials.iterrows():
        nct_id = trial["nct_id"]
        own = details.get(nct_id) or {}
        themes = EligibilityThemes.from_json(own.get("eligibility_json"))
        eligibility = eligibility_table(themes).set_index("Theme")["What the study states"]
        # From the themes themselves, not from the table's wording (which states the rule in words).
        exclusions = [label for flag, label in (
            (themes.prior_anti_cd20_excluded, "Earlier anti-CD20 treatment (the criteria say which drugs)"),
            (themes.prior_stem_cell_transplant_excluded, "Earlier stem cell transplant"),
            (themes.recent_steroids_excluded, "Recent steroids"),
        ) if flag]
        for label in ("Time without relapses", "Time without steroids"):
            if eligibility.get(label, "not stated") != "not stated":
                exclusions.append(f"{label.lower()}: {eligibility[label]}")
        outcomes = outcome_measures(parse_raw(own.get("raw_json")))
        primary = outcomes[outcomes["kind"] == "Primary"]["themes"] if not outcomes.empty else pd.Series(dtype=str)
        primary_themes = sorted({theme for joined in primary for theme in joined.split("; ") if theme})
        values = [
            str(trial.get("title") or ""), str(trial.get("status_label") or ""), str(trial.get("phase_stage") or ""),
            str(eligibility.get("EDSS (disability score)", "not stated")),
            str(eligibility.get("MS types taken", "not stated")), str(eligibility.get("MS types not taken", "not stated")),
            str(eligibility.get("Age", "not stated")),
            "; ".join(exclusions) or "none of the key ones stated",
            ", ".join(primary_themes) or "not stated",
        ]
        if nearest is not None:
            values.append(nearest.get(nct_id, "no site that can be placed"))
        involved: Participation = taking_part(parse_raw(own.get("raw_json")))
        values += [participation_words(fact) for _, fact in involved.items()]
        columns[nct_id] = values
    return pd.DataFrame(columns, index=pd.Index(aspects, name="Aspect"))


# Statuses that say a trial is still to run or running: past its own completion date, they may be stale.
_RUNNING_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING"})


def stale_status_note(status: Any, completion_date: Any, data_time: pd.Timestamp | None) -> str | None:
    """A plain warning when the registry still calls a trial recruiting or running although the
    completion date it gave has passed by the data's own date; None otherwise.

    Sponsors often forget to update a status. Dates may be partial ("2025-05"): the end of that
    month (or year) is taken, so a trial is never called overdue early."""
    if status not in _RUNNING_STATUSES or data_time is None or not isinstance(completion_date, str):
        return None
    text = completion_date.strip()
    try:
        if len(text) == 4:
            ends = pd.Timestamp(f"{text}-12-31")
        elif len(text) == 7:
            ends = pd.Timestamp(f"{text}-01") + pd.offsets.MonthEnd(0)
        else:
            ends = pd.Timestamp(text[:10])
    except (ValueError, TypeError):
        return None
    if pd.isna(ends) or ends.date() >= data_time.date():
        return None
    return (f"The registry still gives this status, but the completion date it gave ({text}) had passed by the "
            "date of these data: the status may be out of date. Ask the trial's contact before you plan on it.")

