"""The app's data layer: trials from the cache as one DataFrame, the filter state, and filtering.

Everything a filter change needs is prepared once at load time (lower-case search text, parsed
dates, readable labels and one boolean array per value of each multi-valued field), so that
applying filters is a handful of vectorised boolean operations even at 100,000 trials.
No Streamlit here: the pages call these functions and the tests call them directly.
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from mstrials.labels.study_terms import (  # noqa: F401 - re-exported: the pages read these words from the frame layer
    STAGE_OF_PHASES,
    OPEN_STATUSES,
    PHASE_LABELS,
    PHASE_STAGES,
    STATUS_LABELS,
    STUDY_TYPE_LABELS,
    readable_phases,
    readable_status,
)
from mstrials.labels.drug_classes import load_drug_classes
from mstrials.explore.search_terms import expand_query
from mstrials.markup_safety import REGISTRY_NAMES, spreadsheet_text, study_url
from mstrials.explore.registry_rows import LINK_COLUMNS, fill_registry_columns, link_frame

TRIAL_COLUMNS: tuple[str, ...] = (
    "nct_id", "title", "official_title", "acronym", "status", "phases", "study_type", "start_date",
    "primary_completion_date", "completion_date", "first_posted", "last_update", "sponsor",
    "sponsor_class", "collaborators", "conditions", "keywords", "interventions", "countries", "n_sites",
    "enrollment", "has_results", "url", "progressive", "ms_types", "mechanisms", "drug_classes", "edss_min",
    "edss_max", "min_age", "max_age", "sex", "healthy_volunteers", "ms_types_included", "ms_types_excluded",
    "removed_run", "registry_ids", "registries", "registry_keys", "possibly_same",
)

# The registry's sponsor classes, grouped the way people ask about them.
SPONSOR_GROUP_OF_CLASS: dict[str, str] = {
    "INDUSTRY": "industry",
    "OTHER": "academic",
    "NETWORK": "academic",
    "NIH": "government",
    "FED": "government",
    "OTHER_GOV": "government",
    "INDIV": "other",
    "AMBIG": "other",
    "UNKNOWN": "other",
}
SPONSOR_GROUP_LABELS: dict[str, str] = {
    "industry": "Industry (companies)",
    "academic": "Academic, hospital or non-profit",
    "government": "Government (e.g. NIH)",
    "other": "Individual or unknown",
}

MS_TYPE_LABELS: dict[str, str] = {
    "PPMS": "Primary progressive (PPMS)",
    "SPMS": "Secondary progressive (SPMS)",
    "PROGRESSIVE_UNSPECIFIED": "Progressive, type not stated",
    "RRMS": "Relapsing-remitting (RRMS)",
    "RMS": "Relapsing (RMS)",
    "CIS": "Clinically isolated syndrome (CIS)",
    "RIS": "Radiologically isolated syndrome (RIS)",
}

RESULTS_CHOICES: dict[str, str] = {"any": "Any", "yes": "Results posted", "no": "No results yet"}

# Fields holding several "|"-joined values; each gets one boolean array per value at load time.
MULTI_VALUED: tuple[str, ...] = ("mechanisms", "drug_classes", "phases", "countries", "ms_types", "registry_keys")
SEARCHED_COLUMNS: tuple[str, ...] = (
    "nct_id", "title", "official_title", "acronym", "conditions", "keywords", "interventions",
    "registry_ids",  # a trial's numbers in the other registries find it too
)
NUMERIC_COLUMNS: tuple[str, ...] = ("edss_min", "edss_max", "min_age", "max_age", "enrollment", "n_sites", "removed_run")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100

# Whether this copy holds the trial's eligibility criteria text. Read from the stored eligibility themes
# (a small JSON per trial) rather than the raw record; where the themes are missing, damaged or older
# than the field, the raw record answers. Malformed JSON counts as "no text" instead of failing the load.
HAS_CRITERIA_SQL = (
    "coalesce(CASE WHEN json_valid(eligibility_json) THEN json_extract(eligibility_json, '$.has_criteria_text') END, "
    "CASE WHEN json_valid(raw_json) THEN length(trim(coalesce(json_extract(raw_json, "
    "'$.protocolSection.eligibilityModule.eligibilityCriteria'), ''))) > 0 END, 0)"
)


def drug_class_label(key: str) -> str:
    return load_drug_classes().label(key)


def readable_ms_type(key: str) -> str:
    return MS_TYPE_LABELS.get(key, key)


def split_values(joined: str | None) -> list[str]:
    return [value for value in (joined or "").split("|") if value]


@dataclass
class TrialTable:
    """All MS trials in the cache, ready for filtering. Treat as read-only: it is shared between sessions."""

    frame: pd.DataFrame
    # members[field][value] is a boolean array over frame's rows: which trials carry that value.
    members: dict[str, dict[str, np.ndarray]]
    # Every trial's lower-case search text in one string, separated by NUL, and where each starts:
    # one C-speed scan of this string finds a word in all trials at once.
    search_blob: str = ""
    search_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.frame)

    def values_of(self, field_name: str) -> list[str]:
        return sorted(self.members[field_name])

    def rows_containing(self, word: str) -> np.ndarray:
        """Which trials' search text contains `word` (already lower case)."""
        mask = np.zeros(len(self.frame), dtype=bool)
        if not word or "\0" in word:
            return mask
        blob, starts = self.search_blob, self.search_starts_list
        rows: list[int] = []
        position = blob.find(word)
        while position >= 0:
            row = bisect.bisect_right(starts, position) - 1
            rows.append(row)
            # One hit per trial is enough: go on from the next trial's text.
            if row + 1 >= len(starts):
                break
            position = blob.find(word, starts[row + 1])
        mask[rows] = True
        return mask

    def __post_init__(self) -> None:
        # A plain list for bisect, made once here: the table is shared read-only between sessions.
        self.search_starts_list: list[int] = self.search_starts.tolist()


def parse_partial_dates(values: pd.Series) -> pd.Series:
    """Registry dates are "2024", "2024-03" or "2024-03-15": read each as its first day."""
    text = values.fillna("").astype(str)
    lengths = text.str.len()
    text = text.where(lengths != 7, text + "-01").where(lengths != 4, text + "-01-01")
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _memberships(joined: pd.Series, blank_value: str | None = None) -> dict[str, np.ndarray]:
    count = len(joined)
    exploded = joined.fillna("").astype(str).str.split("|").explode()
    positions = np.arange(count).repeat(exploded.groupby(level=0, sort=False).size().to_numpy()) if count else np.array([], int)
    values = exploded.to_numpy()
    result: dict[str, np.ndarray] = {}
    for value in pd.unique(values):
        key = value if value else blank_value
        if key is None:
            continue
        mask = np.zeros(count, dtype=bool)
        mask[positions[values == value]] = True
        result[key] = mask
    return result


def prepare_trials(frame: pd.DataFrame) -> TrialTable:
    """Add the precomputed columns and value arrays to raw study rows (one per trial)."""
    frame = frame.reset_index(drop=True).copy()
    for name in TRIAL_COLUMNS:
        if name not in frame.columns:
            frame[name] = None
    text_columns = [c for c in TRIAL_COLUMNS if frame[c].dtype == object or str(frame[c].dtype).startswith("str")]
    for name in text_columns:
        if name not in NUMERIC_COLUMNS:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    for name in NUMERIC_COLUMNS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    frame = fill_registry_columns(frame)
    frame["listed"] = frame["removed_run"].isna()
    frame["progressive"] = frame["progressive"].fillna(0).astype(int).astype(bool)
    frame["has_results"] = frame["has_results"].fillna(0).astype(int).astype(bool)
    # Rows built without the column (not from a cache) are not known to lack criteria: no claim is made.
    if "has_criteria_text" not in frame.columns:
        frame["has_criteria_text"] = None
    frame["has_criteria_text"] = frame["has_criteria_text"].astype(object).where(
        frame["has_criteria_text"].notna(), True).astype(int).astype(bool)
    search = frame["nct_id"].fillna("").astype(str)
    for name in SEARCHED_COLUMNS[1:]:
        search = search + "\n" + frame[name].fillna("").astype(str)
    frame["search_text"] = search.str.lower()
    texts = frame["search_text"].tolist()
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    search_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(texts) else np.zeros(0, dtype=np.int64)
    # Shown on every card, table row and trial page: a registry title is at most 600 characters, so a
    # far longer one (a broken or hostile record) is cut for display, where it would stall a browser.
    # The search above still reads it whole.
    for name, limit in DISPLAY_LIMITS.items():
        if name in frame:
            too_long = (frame[name].str.len() > limit).fillna(False).to_numpy(dtype=bool)
            if too_long.any():
                frame.loc[too_long, name] = [_cut_for_display(text, limit) for text in frame.loc[too_long, name]]
    frame["start"] = parse_partial_dates(frame["start_date"])
    frame["primary_completion"] = parse_partial_dates(frame["primary_completion_date"])
    # CTIS states only the trial's end: the timeline falls back to it where no primary completion is given.
    frame["completion"] = (parse_partial_dates(frame["completion_date"]) if "completion_date" in frame
                           else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"))
    frame["start_year"] = frame["start"].dt.year.astype("Int64")
    frame["start_year_number"] = frame["start"].dt.year.astype(float)  # NaN when unknown: fast comparisons
    # Few distinct values each: map the distinct values once, and keep them as categories.
    frame["status"] = frame["status"].fillna("").astype("category")
    frame["status_label"] = _map_distinct(frame["status"], readable_status)
    frame["phase_stage"] = _map_distinct(frame["phases"].fillna(""), lambda p: STAGE_OF_PHASES.get(p, readable_phases(p)))
    frame["sponsor_group"] = _map_distinct(frame["sponsor_class"].fillna(""), lambda c: SPONSOR_GROUP_OF_CLASS.get(c, "other"))
    frame["study_type"] = frame["study_type"].fillna("UNKNOWN").astype("category")
    frame["countries_text"] = _map_distinct(frame["countries"].fillna(""), lambda c: c.replace("|", ", ")).astype(object)
    members = {name: _memberships(frame[name], blank_value="NA" if name == "phases" else None) for name in MULTI_VALUED}
    return TrialTable(frame=frame, members=members, search_blob="\0".join(texts), search_starts=search_starts)


def _map_distinct(values: pd.Series, function) -> pd.Series:
    """`function` applied once per distinct value, as a categorical column."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    labels = [function(value) for value in uniques]
    distinct = list(dict.fromkeys(labels))
    position = {label: index for index, label in enumerate(distinct)}
    return pd.Series(pd.Categorical.from_codes(np.array([position[label] for label in labels], dtype=np.int64)[codes]
                                               if len(codes) else np.zeros(0, dtype=np.int64), categories=distinct),
                     index=values.index)


def load_trials(connection: sqlite3.Connection) -> TrialTable:
    """Every MS trial in the cache, including those no longer listed (column `listed`)."""
    present = {row[1] for row in connection.execute("PRAGMA table_info(studies)")}
    selected = list(dict.fromkeys(c for c in (*TRIAL_COLUMNS, *LINK_COLUMNS) if c in present))
    if {"eligibility_json", "raw_json"} <= present:
        selected.append(f"({HAS_CRITERIA_SQL}) AS has_criteria_text")
    frame = pd.read_sql_query(f"SELECT {', '.join(selected)} FROM studies WHERE is_ms = 1 ORDER BY nct_id", connection)
    return prepare_trials(link_frame(frame))  # one row per trial across registries


# ---------------------------------------------------------------- filter state and the address bar


DISPLAY_LIMITS: dict[str, int] = {"title": 1_000, "official_title": 1_000, "acronym": 100}


def _cut_for_display(text: str, limit: int) -> str:
    return text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class FilterState:
    """What the person chose in the sidebar; round-trips through the page address."""

    mechanisms: tuple[str, ...] = ()
    drug_classes: tuple[str, ...] = ()
    progressive_only: bool = True
    ms_types: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    # A trial's stage exactly ("Phase 2" leaves out "Phase 2/3"), as a Pipeline cell counts it; the
    # phase filter instead keeps a trial that lists any chosen phase.
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    open_only: bool = False
    study_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sponsor_groups: tuple[str, ...] = ()
    start_from: int | None = None
    start_to: int | None = None
    results: str = "any"
    text: str = ""
    accepts_edss: float | None = None  # keep trials whose stated EDSS window includes this score
    registries: tuple[str, ...] = ()  # "ctgov", "ctis": trials listed in any of these registries

    def replace(self, **changes) -> "FilterState":
        return dataclasses.replace(self, **changes)


# One short address parameter per filter field; lists repeat the parameter (country names contain commas).
PARAM_OF_FIELD: dict[str, str] = {
    "mechanisms": "mech", "drug_classes": "class", "progressive_only": "scope", "ms_types": "mstype", "phases": "phase",
    "stages": "stage", "statuses": "status", "open_only": "open", "study_types": "type", "countries": "country",
    "sponsor_groups": "sponsor", "start_from": "from", "start_to": "to", "results": "results", "text": "q",
    "accepts_edss": "edss", "registries": "registry",
}
FILTER_PARAMS = frozenset(PARAM_OF_FIELD.values())
MAX_TEXT_LENGTH = 200


@dataclass(frozen=True)
class ParsedFilters:
    state: FilterState
    notices: tuple[str, ...] = ()


NOTICE_VALUE_LENGTH = 40


def quoted_address_value(value: str) -> str:
    """An address value as a notice repeats it: quoted, and cut short, since a pasted paragraph
    would bury the notice's point."""
    return repr(value if len(value) <= NOTICE_VALUE_LENGTH else value[:NOTICE_VALUE_LENGTH] + "…")


def _edss_score(text: str) -> float | None:
    """An EDSS score from the address: 0 to 10 in half steps."""
    try:
        score = float(text)
    except ValueError:
        return None
    if not 0 <= score <= 10 or score * 2 != int(score * 2):
        return None
    return score + 0.0  # "-0" reads as -0.0, which the filter's choices (shown as "0.0") would not match


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def parse_query_params(params: Mapping[str, str | Sequence[str]], allowed: Mapping[str, Iterable[str]]) -> ParsedFilters:
    """Read the filters from the address; anything not understood is dropped and explained.

    `allowed` gives the valid values of each list field (by field name); the address never
    makes the app fail, it only loses the parts that do not fit.
    """
    notices: list[str] = []
    values: dict = {}
    # Addresses are typed and shared by people: `registry=CTIS` means the `ctis` key, so list values
    # are matched without regard to case and stored as the canonical option.
    canonical_of = {name: {str(option).casefold(): option for option in options} for name, options in allowed.items()}
    for field_name, param in PARAM_OF_FIELD.items():
        if param not in params:
            continue
        raw = [item.strip() for item in _as_list(params[param])]
        if field_name in {"progressive_only", "open_only", "results"}:
            raw = [item.casefold() for item in raw]
        default = getattr(FilterState(), field_name)
        if isinstance(default, tuple):
            items = [item for part in raw for item in [part] if item]
            canonical = canonical_of.get(field_name)
            kept = [item if canonical is None else canonical[item.casefold()]
                    for item in items if canonical is None or item.casefold() in canonical]
            dropped = [item for item in items if canonical is not None and item.casefold() not in canonical]
            if dropped:
                notices.append(f"Ignored unknown {param} value(s) in the address: {', '.join(map(quoted_address_value, dropped[:5]))}")
            values[field_name] = tuple(dict.fromkeys(kept))
        elif field_name == "progressive_only":
            if raw[-1] in {"all", "progressive"}:
                values[field_name] = raw[-1] == "progressive"
            else:
                notices.append(f"Ignored scope={quoted_address_value(raw[-1])} in the address (use 'progressive' or 'all')")
        elif field_name == "open_only":
            if raw[-1] in {"1", "0", "true", "false"}:
                values[field_name] = raw[-1] in {"1", "true"}
            else:
                notices.append(f"Ignored open={quoted_address_value(raw[-1])} in the address (use 1 or 0)")
        elif field_name in {"start_from", "start_to"}:
            try:
                year = int(raw[-1])
            except ValueError:
                year = None
            if year is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
                notices.append(f"Ignored {param}={quoted_address_value(raw[-1])} in the address (expected a year)")
            else:
                values[field_name] = year
        elif field_name == "results":
            if raw[-1] in RESULTS_CHOICES:
                values[field_name] = raw[-1]
            else:
                notices.append(f"Ignored results={quoted_address_value(raw[-1])} in the address (use yes, no or any)")
        elif field_name == "accepts_edss":
            score = _edss_score(raw[-1])
            if score is None:
                notices.append(f"Ignored edss={quoted_address_value(raw[-1])} in the address (expected an EDSS score from 0 to 10"
                               " in half steps, such as 4.5)")
            else:
                values[field_name] = score
        elif field_name == "text":
            values[field_name] = raw[-1][:MAX_TEXT_LENGTH]
            if len(raw[-1]) > MAX_TEXT_LENGTH:  # said, so a pasted paragraph does not silently search for less
                notices.append(f"Searched for the first {MAX_TEXT_LENGTH} characters of the address's q= only (it was longer)")
    state = FilterState(**values)
    if state.start_from is not None and state.start_to is not None and state.start_from > state.start_to:
        notices.append("Swapped the start years in the address: 'from' was after 'to'")
        state = state.replace(start_from=state.start_to, start_to=state.start_from)
    return ParsedFilters(state=state, notices=tuple(notices))


def to_query_params(state: FilterState) -> dict[str, str | list[str]]:
    """The address parameters for a state; defaults are left out so plain views keep plain links."""
    default = FilterState()
    params: dict[str, str | list[str]] = {}
    for field_name, param in PARAM_OF_FIELD.items():
        value = getattr(state, field_name)
        if value == getattr(default, field_name):
            continue
        if isinstance(value, tuple):
            params[param] = list(value)
        elif field_name == "progressive_only":
            params[param] = "progressive" if value else "all"
        elif isinstance(value, bool):
            params[param] = "1" if value else "0"
        else:
            params[param] = str(value)
    return params


def allowed_values(table: TrialTable, mechanism_keys: Iterable[str] = (), class_keys: Iterable[str] = ()) -> dict[str, list[str]]:
    """The values the address may name for each list field."""
    return {
        "mechanisms": sorted(set(table.members["mechanisms"]) | set(mechanism_keys)),
        "drug_classes": sorted(set(table.members["drug_classes"]) | set(class_keys)),
        "ms_types": sorted(set(table.members["ms_types"]) | set(MS_TYPE_LABELS)),
        "phases": list(PHASE_LABELS),
        "stages": list(PHASE_STAGES),
        "statuses": list(STATUS_LABELS),
        "study_types": sorted(set(STUDY_TYPE_LABELS) | set(table.frame["study_type"].dropna().unique())),
        "countries": table.values_of("countries"),
        "sponsor_groups": list(SPONSOR_GROUP_LABELS),
        "registries": list(REGISTRY_NAMES),
    }


# ---------------------------------------------------------------- filtering and counts

FACETS: tuple[str, ...] = (
    "listed", "mechanisms", "drug_classes", "progressive_only", "ms_types", "phases", "stages", "statuses", "study_types",
    "countries", "sponsor_groups", "start_years", "results", "text", "accepts_edss", "registries",
)


def _any_of(members: dict[str, np.ndarray], chosen: Sequence[str], size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for value in chosen:
        if value in members:
            mask |= members[value]
    return mask


def facet_masks(table: TrialTable, state: FilterState, include_removed: bool = False) -> dict[str, np.ndarray]:
    """One boolean array per active filter; inactive filters are left out."""
    frame, size = table.frame, len(table.frame)
    masks: dict[str, np.ndarray] = {}
    if not include_removed:
        masks["listed"] = frame["listed"].to_numpy()
    if state.mechanisms:
        masks["mechanisms"] = _any_of(table.members["mechanisms"], state.mechanisms, size)
    if state.drug_classes:
        masks["drug_classes"] = _any_of(table.members["drug_classes"], state.drug_classes, size)
    if state.progressive_only:
        masks["progressive_only"] = frame["progressive"].to_numpy()
    if state.ms_types:
        masks["ms_types"] = _any_of(table.members["ms_types"], state.ms_types, size)
    if state.phases:
        masks["phases"] = _any_of(table.members["phases"], state.phases, size)
    if state.stages:
        masks["stages"] = frame["phase_stage"].isin(state.stages).to_numpy()
    statuses = set(state.statuses) | (set(OPEN_STATUSES) if state.open_only else set())
    if statuses:
        masks["statuses"] = frame["status"].isin(statuses).to_numpy()
    if state.study_types:
        masks["study_types"] = frame["study_type"].isin(state.study_types).to_numpy()
    if state.countries:
        masks["countries"] = _any_of(table.members["countries"], state.countries, size)
    if state.sponsor_groups:
        masks["sponsor_groups"] = frame["sponsor_group"].isin(state.sponsor_groups).to_numpy()
    if state.registries:
        masks["registries"] = _any_of(table.members["registry_keys"], state.registries, size)
    if state.start_from is not None or state.start_to is not None:
        years = frame["start_year_number"].to_numpy()
        with np.errstate(invalid="ignore"):  # unknown years (NaN) compare as False: they drop out
            mask = ~np.isnan(years)
            if state.start_from is not None:
                mask &= years >= state.start_from
            if state.start_to is not None:
                mask &= years <= state.start_to
        masks["start_years"] = mask
    if state.results != "any":
        has = frame["has_results"].to_numpy()
        masks["results"] = has if state.results == "yes" else ~has
    if state.accepts_edss is not None:
        # A trial whose criteria state no window stays in: only a stated bound may leave a trial out.
        low, high = frame["edss_min"].to_numpy(dtype=float), frame["edss_max"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            masks["accepts_edss"] = ~(low > state.accepts_edss) & ~(high < state.accepts_edss)
    groups = expand_query(state.text).groups
    if groups:
        # Every typed word (or drug name) must match; a drug name matches by any of its names.
        mask = np.ones(size, dtype=bool)
        for alternatives in groups:
            found = np.zeros(size, dtype=bool)
            for alternative in alternatives:
                found |= table.rows_containing(alternative)
            mask &= found
        masks["text"] = mask
    return masks


def combine(masks: dict[str, np.ndarray], size: int, leave_out: str | None = None) -> np.ndarray:
    result = np.ones(size, dtype=bool)
    for name, mask in masks.items():
        if name != leave_out:
            result &= mask
    return result


def filter_mask(table: TrialTable, state: FilterState, include_removed: bool = False) -> np.ndarray:
    return combine(facet_masks(table, state, include_removed), len(table))


def filter_trials(table: TrialTable, state: FilterState, include_removed: bool = False) -> pd.DataFrame:
    return table.frame[filter_mask(table, state, include_removed)]


# How to undo each active filter, in words, for the "no trials match" message.
WIDENING_STEPS: dict[str, str] = {
    "progressive_only": "Turn off “Progressive MS only”",
    "mechanisms": "Clear “Mechanism”",
    "drug_classes": "Clear “Drug class”",
    "ms_types": "Clear “MS type the trial includes”",
    "phases": "Clear “Phase”",
    "stages": "Clear “Phase stage”",
    "study_types": "Clear “Study type”",
    "countries": "Clear “Country with a study site”",
    "sponsor_groups": "Clear “Sponsor”",
    "start_years": "Widen “Start year” (trials without a start date come back too)",
    "results": "Set “Results” to “Any”",
    "text": "Clear the search words",
    "accepts_edss": "Clear “Accepts EDSS”",
    "registries": "Clear “Registry”",
}


def _status_step(state: FilterState) -> str:
    if state.open_only and state.statuses:
        return "Untick “Recruiting or not yet recruiting” and clear “Recruitment status”"
    if state.open_only:
        return "Untick “Recruiting or not yet recruiting”"
    return "Clear “Recruitment status”"


def widening_steps(table: TrialTable, state: FilterState, include_removed: bool = False) -> list[tuple[str, int]]:
    """For each active filter: what to do to drop it, and how many trials would then match.

    Most matches first, so the most useful step leads. Empty when no filter is active.
    """
    steps = [(step, int(mask.sum())) for step, mask in widening_masks(table, state, include_removed)]
    return sorted(steps, key=lambda item: -item[1])


def widening_masks(table: TrialTable, state: FilterState, include_removed: bool = False) -> list[tuple[str, np.ndarray]]:
    """For each active filter: what to do to drop it, and the rows that would then match (in filter order),
    so a caller can narrow them further (by a place) before counting."""
    masks = facet_masks(table, state, include_removed)
    return [(_status_step(state) if name == "statuses" else WIDENING_STEPS[name],
             combine(masks, len(table), leave_out=name)) for name in masks if name != "listed"]


@dataclass(frozen=True)
class FacetCounts:
    """For each filter, how many trials each option would give with every *other* filter applied."""

    total: int
    by_facet: dict[str, dict[str, int]] = field(default_factory=dict)

    def of(self, facet: str, value: str) -> int:
        return self.by_facet.get(facet, {}).get(value, 0)


def facet_counts(table: TrialTable, state: FilterState) -> FacetCounts:
    masks = facet_masks(table, state)
    size = len(table)
    frame = table.frame
    counts: dict[str, dict[str, int]] = {}
    for facet, member_field in (("mechanisms", "mechanisms"), ("drug_classes", "drug_classes"), ("ms_types", "ms_types"),
                                ("phases", "phases"), ("countries", "countries"), ("registries", "registry_keys")):
        base = combine(masks, size, leave_out=facet)
        counts[facet] = {value: int(np.count_nonzero(base & arr)) for value, arr in table.members[member_field].items()}
    for facet, column in (("statuses", "status"), ("study_types", "study_type"), ("sponsor_groups", "sponsor_group")):
        base = combine(masks, size, leave_out=facet)
        categories = frame[column].cat
        tallies = np.bincount(categories.codes.to_numpy()[base], minlength=len(categories.categories))
        counts[facet] = {str(k): int(v) for k, v in zip(categories.categories, tallies) if v}
    base = combine(masks, size, leave_out="stages")
    stage_tallies = frame["phase_stage"][base].value_counts()
    counts["stages"] = {str(stage): int(count) for stage, count in stage_tallies.items()}
    base = combine(masks, size, leave_out="progressive_only")
    progressive = frame["progressive"].to_numpy()
    counts["progressive_only"] = {"progressive": int(np.count_nonzero(base & progressive)), "all": int(np.count_nonzero(base))}
    base = combine(masks, size, leave_out="results")
    has = frame["has_results"].to_numpy()
    counts["results"] = {"any": int(np.count_nonzero(base)), "yes": int(np.count_nonzero(base & has)),
                         "no": int(np.count_nonzero(base & ~has))}
    total = int(np.count_nonzero(combine(masks, size)))
    return FacetCounts(total=total, by_facet=counts)


def year_bounds(table: TrialTable) -> tuple[int, int]:
    years = table.frame["start_year"].dropna()
    if years.empty:
        this_year = dt.date.today().year
        return this_year - 1, this_year
    return int(years.min()), int(years.max())


def trials_matching(count: int) -> str:
    return f"{count:,} trial matches" if count == 1 else f"{count:,} trials match"


def describe_filters(state: FilterState, mechanism_label=lambda key: key, class_label=None) -> list[str]:
    """Short phrases naming the active filters, for the line above the results."""
    class_label = class_label or drug_class_label
    parts: list[str] = ["progressive MS" if state.progressive_only else "all MS"]
    if state.mechanisms:
        parts.append("mechanism: " + ", ".join(mechanism_label(k) for k in state.mechanisms))
    if state.drug_classes:
        parts.append("drug class: " + ", ".join(class_label(k) for k in state.drug_classes))
    if state.ms_types:
        parts.append("MS type: " + ", ".join(readable_ms_type(k) for k in state.ms_types))
    if state.phases:
        parts.append("phase: " + ", ".join(PHASE_LABELS.get(p, p) for p in state.phases))
    if state.stages:
        parts.append("phase stage: " + ", ".join(state.stages))
    if state.open_only:
        parts.append("recruiting or not yet recruiting")
    if state.statuses:
        parts.append("status: " + ", ".join(readable_status(s) for s in state.statuses))
    if state.study_types:
        parts.append("type: " + ", ".join(STUDY_TYPE_LABELS.get(s, s).split(" (")[0] for s in state.study_types))
    if state.countries:
        parts.append("in " + ", ".join(state.countries))
    if state.sponsor_groups:
        parts.append("sponsor: " + ", ".join(SPONSOR_GROUP_LABELS[g].split(" (")[0] for g in state.sponsor_groups))
    if state.start_from is not None or state.start_to is not None:
        parts.append(f"started {state.start_from or '…'}–{state.start_to or '…'}")
    if state.results != "any":
        parts.append(RESULTS_CHOICES[state.results].lower())
    if state.registries:
        parts.append("listed in " + " or ".join(REGISTRY_NAMES.get(r, r) for r in state.registries))
    if state.accepts_edss is not None:
        parts.append(f"accepting EDSS {state.accepts_edss:.1f} (or not saying)")
    if state.text:
        parts.append(f"matching “{state.text}”")
    return parts


def edss_silent_count(trials: pd.DataFrame) -> int:
    """How many of these trials state no EDSS window at all: "accepts EDSS x" keeps them (silence never
    excludes), so the page says how many of the matches it could not actually check."""
    return int((trials["edss_min"].isna() & trials["edss_max"].isna()).sum())


# ---------------------------------------------------------------- the results table and downloads

# The id shown for our own trial links (study_url): the NCT id or the CTIS number at the end of the address.
TRIAL_LINK_TEXT = r"^https://(?:clinicaltrials\.gov/study/|euclinicaltrials\.eu/search-for-clinical-trials/\?lang=en&EUCT=)([0-9A-Z-]+)$"

RESULT_COLUMNS: dict[str, str] = {
    "nct_id": "Trial",
    "registries_text": "Registry",
    "title": "Title",
    "mechanism_labels": "Mechanisms",
    "phase_stage": "Phase",
    "status_label": "Status",
    "start_date": "Start",
    "primary_completion_date": "Primary completion",
    "sponsor": "Sponsor",
    "countries_text": "Countries",
    "edss_window": "EDSS window",
    "ages": "Ages",
    "ms_types_accepted": "MS types accepted",
}


def results_view(trials: pd.DataFrame, mechanism_label=lambda key: key) -> pd.DataFrame:
    """The rows shown in the results table, with readable values."""
    view = pd.DataFrame({
        "link": trials["nct_id"].map(study_url),  # built by us, from validated ids only
        "nct_id": trials["nct_id"],
        "registries_text": _map_distinct(trials["registries"].fillna(""), lambda r: " + ".join(split_values(r))).astype(object),
        "title": trials["title"].fillna(""),
        "mechanism_labels": _map_distinct(trials["mechanisms"].fillna(""),
                                          lambda j: ", ".join(mechanism_label(k) for k in split_values(j))).astype(object),
        "phase_stage": trials["phase_stage"].astype(object),
        "status_label": trials["status_label"].astype(object),
        "start_date": trials["start_date"].fillna(""),
        "primary_completion_date": trials["primary_completion_date"].fillna(""),
        "sponsor": trials["sponsor"].fillna(""),
        "countries_text": trials["countries_text"],
        "edss_window": [edss_window_text(low, high) for low, high in zip(trials["edss_min"], trials["edss_max"])],
        "ages": [age_range_text(low, high) for low, high in zip(trials["min_age"], trials["max_age"])],
        "ms_types_accepted": _map_distinct(trials["ms_types_included"].fillna(""), _ms_types_text).astype(object),
    })
    return view.reset_index(drop=True)


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value))


def edss_window_text(low, high) -> str:
    """The EDSS window in words: "3.0–6.5", "up to 6.5", "4.0 or more", "not stated"."""
    if _known(low) and _known(high):
        return f"{float(low):.1f}–{float(high):.1f}"
    if _known(high):
        return f"up to {float(high):.1f}"
    if _known(low):
        return f"{float(low):.1f} or more"
    return "not stated"


def age_range_text(low, high) -> str:
    if _known(low) and _known(high):
        return f"{float(low):g}–{float(high):g}"
    if _known(low):
        return f"{float(low):g} or older"
    if _known(high):
        return f"up to {float(high):g}"
    return "not stated"


def _ms_types_text(joined: str) -> str:
    keys = split_values(joined)
    return ", ".join(key if key in ("PPMS", "SPMS", "RRMS", "RMS", "CIS", "RIS") else readable_ms_type(key)
                     for key in keys) or "not stated"


def people_first_order(trials: pd.DataFrame) -> pd.DataFrame:
    """Trials people can join first, then by newest start: the order patients most often want."""
    is_open = trials["status"].isin(OPEN_STATUSES)
    keys = pd.DataFrame({"closed": ~is_open, "start": trials["start"]}, index=trials.index)
    order = keys.sort_values(["closed", "start"], ascending=[True, False], na_position="last").index
    return trials.loc[order]


DOWNLOAD_COLUMNS: tuple[str, ...] = (
    "nct_id", "title", "status", "phases", "study_type", "start_date", "primary_completion_date",
    "completion_date", "last_update", "sponsor", "sponsor_class", "conditions", "interventions", "countries",
    "enrollment", "has_results", "url", "progressive", "ms_types", "mechanisms", "drug_classes", "edss_min",
    "edss_max", "min_age", "max_age", "sex", "registry_ids", "registries",
)


def download_frame(trials: pd.DataFrame) -> pd.DataFrame:
    return trials[[c for c in DOWNLOAD_COLUMNS if c in trials.columns]].reset_index(drop=True)


def to_csv_bytes(trials: pd.DataFrame) -> bytes:
    shown = download_frame(trials)
    for column in shown.select_dtypes(include=["object", "string"]).columns:
        shown[column] = shown[column].map(spreadsheet_text)  # registry text never becomes a formula
    return shown.to_csv(index=False).encode("utf-8")


def to_json_bytes(trials: pd.DataFrame) -> bytes:
    return download_frame(trials).to_json(orient="records", force_ascii=False, indent=1).encode("utf-8")
