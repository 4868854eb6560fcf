"""The patient quick check over a whole table of trials.

Each trial's verdict comes from mstrials.labels.eligibility.quick_check, so the list and the Trial page
always agree. To stay fast on large tables it runs once per distinct set of stated criteria (and
once per distinct country list), not once per trial: most trials share the same few values.
Only the themes the person answered count: a question they skipped is neither a yes nor a no.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from mstrials.labels.eligibility import EXCLUDED, UNKNOWN, EligibilityThemes, Person, quick_check
from mstrials.explore.frame import split_values
from mstrials.markup_safety import REGISTRY_NAMES, registry_of_id

VERDICT_OK = "No stated criterion excludes you"
VERDICT_EXCLUDED = "Excluded"
VERDICT_NOT_STATED = "Not stated"


def criteria_registry(trial_id: object) -> str:
    """The registry whose page has a trial's criteria, by name: CTIS for an EU number, else ClinicalTrials.gov."""
    return REGISTRY_NAMES[registry_of_id(trial_id) or "ctgov"]


def no_criteria_text(trial_id: object) -> str:
    """Said on every trial whose criteria text this copy lacks: only the registry's own page can answer then."""
    return f"The criteria are not in this copy: read them on {criteria_registry(trial_id)}."


NO_CRITERIA_TEXT = no_criteria_text(None)  # the ClinicalTrials.gov wording

CRITERIA_COLUMNS = ("min_age", "max_age", "sex", "edss_min", "edss_max", "ms_types_included", "ms_types_excluded")
THEME_WORDS = {"age": "age", "sex": "sex", "ms_type": "type of MS", "edss": "EDSS", "country": "country"}


@dataclass(frozen=True)
class PatientProfile:
    age: float | None = None
    sex: str | None = None  # "FEMALE" or "MALE"
    ms_type: str | None = None  # one of mstrials.labels.eligibility.MS_TYPES
    edss: float | None = None
    country: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in (self.age, self.sex, self.ms_type, self.edss, self.country))

    def answered(self) -> tuple[str, ...]:
        given = {"age": self.age, "sex": self.sex, "ms_type": self.ms_type, "edss": self.edss, "country": self.country}
        return tuple(theme for theme, value in given.items() if value is not None)

    def as_person(self) -> Person:
        # Plain floats: widgets and numpy hand over number types the checker does not accept.
        return Person(age=_number(self.age), sex=self.sex, ms_type=self.ms_type, edss=_number(self.edss),
                      country=self.country)


def _number(value) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def themes_from_row(values: tuple) -> EligibilityThemes:
    min_age, max_age, sex, edss_min, edss_max, included, excluded = values
    return EligibilityThemes(
        min_age=_number(min_age), max_age=_number(max_age), sex=sex or None,
        edss_min=_number(edss_min), edss_max=_number(edss_max),
        ms_types_included=tuple(split_values(included)), ms_types_excluded=tuple(split_values(excluded)),
    )


def summarise(checks: dict[str, tuple[str, str]], answered: tuple[str, ...]) -> tuple[str, str]:
    """(verdict, plain explanation) from the answered themes' (verdict, message) pairs."""
    excluded = [checks[t][1] for t in answered if checks[t][0] == EXCLUDED]
    if excluded:
        return VERDICT_EXCLUDED, "Excluded: " + " ".join(excluded)
    unknown = [t for t in answered if checks[t][0] == UNKNOWN]
    if unknown:
        hints = [checks[t][1] for t in unknown if "conditions and title" in checks[t][1]]
        unlikely = [checks[t][1] for t in unknown if checks[t][1].startswith("Likely not")]
        if unlikely:
            # The warning first, and the theme it answers not also called "not stated": read together,
            # "Nothing stated excludes you. Likely not: …" contradicted itself.
            rest = [THEME_WORDS[t] for t in unknown if not checks[t][1].startswith("Likely not")]
            return VERDICT_NOT_STATED, " ".join([*unlikely, *([f"Also not stated: {', '.join(rest)}."] if rest else [])])
        words = ", ".join(THEME_WORDS[t] for t in unknown)
        return VERDICT_NOT_STATED, " ".join([f"Not stated: {words}. Nothing stated excludes you.", *hints])
    return VERDICT_OK, VERDICT_OK


_SHORT_TYPE = {"PROGRESSIVE_UNSPECIFIED": "progressive MS", "RMS": "relapsing MS"}


def _type_from_conditions(listed: str, ms_type: str) -> tuple[str, str] | None:
    """A hedged type answer from the trial's conditions and title, for criteria that name no type.

    Never "excluded": only an explicit statement in the criteria may exclude.
    """
    types = split_values(listed)
    if not types:
        return None
    named = ", ".join(_SHORT_TYPE.get(kind, kind) for kind in types)
    progressive_person = ms_type in ("PPMS", "SPMS", "PROGRESSIVE_UNSPECIFIED")
    if ms_type in types or (progressive_person and "PROGRESSIVE_UNSPECIFIED" in types):
        return UNKNOWN, f"The criteria do not say which types of MS; the trial's conditions and title list {named}."
    if ms_type == "PROGRESSIVE_UNSPECIFIED" and {"PPMS", "SPMS"} & set(types):
        return UNKNOWN, f"The criteria do not say which types of MS; the trial's conditions and title list {named}."
    return UNKNOWN, (f"Likely not: the criteria do not say which types of MS, but the trial's conditions and title "
                     f"list {named}. Check with the team.")


def check_trials(trials: pd.DataFrame, profile: PatientProfile) -> pd.DataFrame:
    """Per trial (same index): verdict (one of the three VERDICT_ words), a plain explanation, and
    `criteria_in_copy` (False when this copy has no criteria text for the trial: the explanation says so).

    A missing text changes no verdict: ages and sex come from the record's own fields, and silence
    never excludes."""
    person = profile.as_person()
    answered = profile.answered()
    criteria = trials[list(CRITERIA_COLUMNS)].astype(object).where(trials[list(CRITERIA_COLUMNS)].notna(), None)
    criteria_keys = list(criteria.itertuples(index=False, name=None))
    by_criteria = {key: quick_check(themes_from_row(key), person) for key in set(criteria_keys)}
    # The trial's own conditions and title (mstrials.labels.classify), used when the criteria name no type.
    listed_types = (trials["ms_types"].fillna("").astype(str).tolist() if "ms_types" in trials
                    else [""] * len(trials))
    country_lists = trials["countries"].fillna("").astype(str).tolist()
    by_countries = {}
    if profile.country is not None:
        for joined in set(country_lists):
            # A trial listing no country at all states nothing about place: unknown, not excluded.
            countries = split_values(joined) or None
            by_countries[joined] = quick_check(EligibilityThemes(), person, trial_countries=countries).check("country")
    with_text = (trials["has_criteria_text"].fillna(True).astype(bool).tolist() if "has_criteria_text" in trials
                 else [True] * len(trials))
    trial_ids = trials["nct_id"].tolist() if "nct_id" in trials else list(trials.index)
    verdicts, explanations = [], []
    for key, joined, has_text, trial_id in zip(criteria_keys, country_lists, with_text, trial_ids):
        result = by_criteria[key]
        checks = {check.theme: (check.verdict, check.message) for check in result.checks}
        if profile.ms_type is not None and not key[5] and not key[6]:
            from_conditions = _type_from_conditions(listed_types[len(verdicts)], profile.ms_type)
            if from_conditions:
                checks["ms_type"] = from_conditions
        if profile.country is not None:
            country = by_countries[joined]
            checks["country"] = (country.verdict, country.message)
        verdict, explanation = summarise(checks, answered)
        if not has_text:
            explanation = f"{explanation.rstrip('.')}. {no_criteria_text(trial_id)}"
        verdicts.append(verdict)
        explanations.append(explanation)
    return pd.DataFrame({"verdict": verdicts, "explanation": explanations, "criteria_in_copy": with_text},
                        index=trials.index)


__all__ = ["PatientProfile", "check_trials", "summarise", "VERDICT_OK", "VERDICT_EXCLUDED", "VERDICT_NOT_STATED",
           "NO_CRITERIA_TEXT", "no_criteria_text", "criteria_registry"]
