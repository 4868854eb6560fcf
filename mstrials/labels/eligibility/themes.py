"""`extract_eligibility`: one study's eligibility themes, with the words each came from.

Runs once per study at ingest. It never raises: a malformed or partial study gives empty
themes (None / empty) rather than an error, and a theme whose reading fails on some odd text
is left empty while the others are still read.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from .ages import age_to_years, parse_healthy_volunteers, parse_sex, parse_std_ages
from .ms_types import MS_TYPES, MsTypeResult, read_ms_types
from .text import CriteriaText, Sentence

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# Theme names used in `SourceSnippet.theme`.
EDSS = "edss"
MS_TYPES_THEME = "ms_types"
PRIOR_ANTI_CD20 = "prior_anti_cd20"
PRIOR_STEM_CELL_TRANSPLANT = "prior_stem_cell_transplant"
RELAPSE = "relapse"
STEROIDS = "steroids"

ROW_KEYS = (
    "edss_min", "edss_max", "min_age", "max_age", "sex", "healthy_volunteers",
    "ms_types_included", "ms_types_excluded", "prior_anti_cd20_excluded",
    "prior_stem_cell_transplant_excluded", "relapse_free_months", "steroid_free_days",
)


@dataclass(frozen=True)
class SourceSnippet:
    """The sentence or bullet a theme came from: `criteria[start:end] == text`."""

    theme: str
    text: str
    start: int
    end: int
    section: str


@dataclass(frozen=True)
class EligibilityThemes:
    """What one study's eligibility says, theme by theme. None / empty means "not stated"."""

    min_age: float | None = None  # years
    max_age: float | None = None
    min_age_text: str | None = None  # as the registry wrote it ("6 Months")
    max_age_text: str | None = None
    sex: str | None = None  # ALL, FEMALE, MALE
    healthy_volunteers: bool | None = None
    std_ages: tuple[str, ...] = ()
    edss_min: float | None = None
    edss_max: float | None = None
    ms_types_included: tuple[str, ...] = ()
    ms_types_excluded: tuple[str, ...] = ()
    prior_anti_cd20_excluded: bool | None = None
    prior_anti_cd20_window_months: int | None = None  # excluded only if used this recently
    prior_stem_cell_transplant_excluded: bool | None = None
    relapse_free_months: int | None = None
    steroid_free_days: int | None = None
    recent_steroids_excluded: bool | None = None  # also True for "currently on steroids"
    has_criteria_text: bool = False
    sources: tuple[SourceSnippet, ...] = field(default=())

    def sources_for(self, theme: str) -> tuple[SourceSnippet, ...]:
        return tuple(snippet for snippet in self.sources if snippet.theme == theme)

    def to_row(self) -> dict[str, Any]:
        """Flat values for export and the SQLite columns; MS types joined with '|'."""
        return {
            "edss_min": self.edss_min,
            "edss_max": self.edss_max,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "sex": self.sex,
            "healthy_volunteers": self.healthy_volunteers,
            "ms_types_included": "|".join(self.ms_types_included),
            "ms_types_excluded": "|".join(self.ms_types_excluded),
            "prior_anti_cd20_excluded": self.prior_anti_cd20_excluded,
            "prior_stem_cell_transplant_excluded": self.prior_stem_cell_transplant_excluded,
            "relapse_free_months": self.relapse_free_months,
            "steroid_free_days": self.steroid_free_days,
        }

    def to_json(self) -> str:
        payload: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if name == "sources":
                value = [
                    {"theme": s.theme, "text": s.text, "start": s.start, "end": s.end, "section": s.section}
                    for s in value
                ]
            elif isinstance(value, tuple):
                value = list(value)
            payload[name] = value
        return _THEMES_ENCODER.encode(payload)

    @classmethod
    def from_json(cls, data: str | bytes | None) -> EligibilityThemes:
        """Themes stored by `to_json`. Empty themes for missing or unreadable data."""
        try:
            payload = json.loads(data) if data else {}
        except (TypeError, ValueError):
            return cls()
        if not isinstance(payload, dict):
            return cls()
        values: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            if name not in payload:
                continue
            value = payload[name]
            if name == "sources":
                value = tuple(_snippet_from(s) for s in value if _snippet_from(s)) if isinstance(value, list) else ()
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return cls(**values)


_FIELD_NAMES = tuple(EligibilityThemes.__dataclass_fields__)
# Built once: json.dumps(payload, ensure_ascii=False, sort_keys=True) makes a new encoder per call.
_THEMES_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _snippet_from(stored: Any) -> SourceSnippet | None:
    try:
        return SourceSnippet(str(stored["theme"]), str(stored["text"]), int(stored["start"]), int(stored["end"]),
                             str(stored["section"]))
    except (TypeError, ValueError, KeyError):
        return None

T = TypeVar("T")


def _guarded(reader: Callable[[CriteriaText], T], text: CriteriaText, fallback: T) -> T:
    # The promise is to never raise at ingest; a reader failing on some odd text loses only
    # its own theme, and the log says which.
    try:
        return reader(text)
    except Exception:  # noqa: BLE001 - deliberate: one theme must not sink the study
        log.exception("eligibility reader %s failed", getattr(reader, "__name__", reader))
        return fallback


def _eligibility_module(study: Any) -> dict:
    if not isinstance(study, dict):
        return {}
    protocol = study.get("protocolSection")
    module = protocol.get("eligibilityModule") if isinstance(protocol, dict) else None
    if module is None:
        module = study.get("eligibilityModule")  # a bare protocolSection was passed
    return module if isinstance(module, dict) else {}


# The eligibility module's fields that extract_eligibility reads: the themes depend on nothing else.
_READ_FIELDS = ("minimumAge", "maximumAge", "sex", "healthyVolunteers", "stdAges", "eligibilityCriteria")


def eligibility_inputs(study: Any) -> tuple | None:
    """What extract_eligibility(study) depends on, as a hashable key (each value with its type, so
    that True and 1 differ); None when a field holds something that cannot be a key."""
    module = _eligibility_module(study)
    key = []
    for name in _READ_FIELDS:
        value = module.get(name)
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                return None
            value = tuple(value)
        elif not (value is None or isinstance(value, (str, bool, int, float))):
            return None
        key.append((value.__class__, value))
    return tuple(key)


def _snippets(theme: str, text: CriteriaText, sentences: tuple[Sentence, ...]) -> list[SourceSnippet]:
    return [SourceSnippet(theme, text.snippet(s.start, s.end), s.start, s.end, s.section) for s in sentences]


def _criteria_readers() -> tuple[Callable, ...]:
    """The EDSS and prior-therapy readers, imported with the first criteria text: their hundred
    regular expressions take a quarter of an ingest worker's start-up, and records without
    criteria text (search overviews, reduced downloads) never need them."""
    from .edss import edss_window
    from .exclusions import read_prior_anti_cd20, read_prior_stem_cell_transplant, read_relapse_window, read_steroid_window

    return edss_window, read_prior_anti_cd20, read_prior_stem_cell_transplant, read_relapse_window, read_steroid_window


def themes_from_text(criteria: str) -> dict[str, Any]:
    """The text themes of one criteria text, unguarded: tests use it to see real errors."""
    edss_window, read_prior_anti_cd20, read_prior_stem_cell_transplant, read_relapse_window, read_steroid_window = (
        _criteria_readers())
    text = CriteriaText(criteria)
    edss = edss_window(text)
    types = read_ms_types(text)
    cd20 = read_prior_anti_cd20(text)
    stem = read_prior_stem_cell_transplant(text)
    relapse = read_relapse_window(text)
    steroids = read_steroid_window(text)
    return _text_values(text, edss, types, cd20, stem, relapse, steroids)


def _text_values(text, edss, types, cd20, stem, relapse, steroids) -> dict[str, Any]:
    sources = (
        _snippets(EDSS, text, edss.sources)
        + _snippets(MS_TYPES_THEME, text, types.sources)
        + _snippets(PRIOR_ANTI_CD20, text, cd20.sources)
        + _snippets(PRIOR_STEM_CELL_TRANSPLANT, text, stem.sources)
        + _snippets(RELAPSE, text, relapse.sources)
        + _snippets(STEROIDS, text, steroids.sources)
    )
    return {
        "edss_min": edss.minimum,
        "edss_max": edss.maximum,
        "ms_types_included": types.included,
        "ms_types_excluded": types.excluded,
        "prior_anti_cd20_excluded": cd20.excluded,
        "prior_anti_cd20_window_months": cd20.window_months,
        "prior_stem_cell_transplant_excluded": stem.excluded,
        "relapse_free_months": relapse.value,
        "steroid_free_days": steroids.value,
        "recent_steroids_excluded": steroids.flagged,
        "sources": tuple(sources),
    }


def extract_eligibility(study: dict) -> EligibilityThemes:
    """The eligibility themes of one raw ClinicalTrials.gov v2 study. Never raises."""
    try:
        module = _eligibility_module(study)
        values: dict[str, Any] = {
            "min_age": age_to_years(module.get("minimumAge")),
            "max_age": age_to_years(module.get("maximumAge")),
            "min_age_text": module.get("minimumAge") if isinstance(module.get("minimumAge"), str) else None,
            "max_age_text": module.get("maximumAge") if isinstance(module.get("maximumAge"), str) else None,
            "sex": parse_sex(module.get("sex")),
            "healthy_volunteers": parse_healthy_volunteers(module.get("healthyVolunteers")),
            "std_ages": parse_std_ages(module.get("stdAges")),
        }
        criteria = module.get("eligibilityCriteria")
        if isinstance(criteria, str) and criteria.strip():
            from .edss import EdssResult
            from .exclusions import PriorTherapyResult, WindowResult

            edss_window, read_prior_anti_cd20, read_prior_stem_cell_transplant, read_relapse_window, read_steroid_window = (
                _criteria_readers())
            text = CriteriaText(criteria)
            values["has_criteria_text"] = True
            values.update(_text_values(
                text,
                _guarded(edss_window, text, EdssResult(None, None, ())),
                _guarded(read_ms_types, text, MsTypeResult((), (), ())),
                _guarded(read_prior_anti_cd20, text, PriorTherapyResult(None, None, ())),
                _guarded(read_prior_stem_cell_transplant, text, PriorTherapyResult(None, None, ())),
                _guarded(read_relapse_window, text, WindowResult(None, None, ())),
                _guarded(read_steroid_window, text, WindowResult(None, None, ())),
            ))
        return EligibilityThemes(**values)
    except Exception:  # noqa: BLE001 - the ingest of thousands of studies must not stop on one
        log.exception("eligibility extraction failed")
        return EligibilityThemes()


__all__ = [
    "EligibilityThemes", "SourceSnippet", "extract_eligibility", "eligibility_inputs", "themes_from_text", "ROW_KEYS", "MS_TYPES",
    "EDSS", "MS_TYPES_THEME", "PRIOR_ANTI_CD20", "PRIOR_STEM_CELL_TRANSPLANT", "RELAPSE", "STEROIDS",
]
