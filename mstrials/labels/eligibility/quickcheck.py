"""The patient quick-check: does anything a study states rule this person out?

Each theme (age, sex, MS type, EDSS, country) gets one verdict:
  "ok"        no stated criterion excludes you,
  "excluded"  a stated criterion does, with the reason in plain words,
  "unknown"   the study does not say, or you did not tell us.
Unknown is never shown as yes. The overall verdict is "excluded" if any theme excludes,
"ok" only if every theme is ok, and "unknown" otherwise (nothing rules you out, but something
could not be checked). The study team always makes the final decision; the messages say so
where it matters and stay short, because the people reading them are often ill and tired.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from .ms_types import CIS, PPMS, PROGRESSIVE_UNSPECIFIED, RRMS, SPMS
from .themes import EligibilityThemes

OK = "ok"
EXCLUDED = "excluded"
UNKNOWN = "unknown"

AGE, SEX, MS_TYPE, EDSS, COUNTRY = "age", "sex", "ms_type", "edss", "country"
THEMES = (AGE, SEX, MS_TYPE, EDSS, COUNTRY)

_TYPE_NAMES = {
    PPMS: "primary progressive MS",
    SPMS: "secondary progressive MS",
    RRMS: "relapsing-remitting MS",
    CIS: "clinically isolated syndrome (CIS)",
    PROGRESSIVE_UNSPECIFIED: "progressive MS",
}
_SEX_WORDS = {"FEMALE": ("women", "female"), "MALE": ("men", "male")}
_COUNTRY_ALIASES = {
    "usa": "united states", "us": "united states", "u.s.": "united states", "u.s.a.": "united states",
    "united states of america": "united states", "america": "united states",
    "uk": "united kingdom", "u.k.": "united kingdom", "great britain": "united kingdom", "britain": "united kingdom",
    "england": "united kingdom", "scotland": "united kingdom", "wales": "united kingdom",
    "northern ireland": "united kingdom", "holland": "netherlands", "the netherlands": "netherlands",
    "deutschland": "germany", "czechia": "czech republic", "russia": "russian federation",
    "south korea": "korea, republic of", "korea": "korea, republic of", "republic of korea": "korea, republic of",
    "turkey": "türkiye", "turkiye": "türkiye",
}


@dataclass(frozen=True)
class Person:
    """What a person tells the quick-check. Any field may be left as None."""

    age: float | None
    sex: str | None  # "FEMALE" or "MALE"
    ms_type: str | None = None  # one of the MS types, or None
    edss: float | None = None
    country: str | None = None


@dataclass(frozen=True)
class ThemeCheck:
    theme: str
    verdict: str
    message: str


@dataclass(frozen=True)
class QuickCheckResult:
    overall: str
    checks: tuple[ThemeCheck, ...]
    summary: str

    def check(self, theme: str) -> ThemeCheck:
        return next(check for check in self.checks if check.theme == theme)

    @property
    def excluded_themes(self) -> tuple[str, ...]:
        return tuple(check.theme for check in self.checks if check.verdict == EXCLUDED)

    @property
    def unknown_themes(self) -> tuple[str, ...]:
        return tuple(check.theme for check in self.checks if check.verdict == UNKNOWN)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _score(value: float) -> str:
    return f"{value:.1f}"


def _age_text(years: float | None, written: str | None) -> str:
    if years is None:
        return ""
    if years >= 1 and float(years).is_integer():
        return _number(years)
    return written.lower() if isinstance(written, str) and written else f"{years:.2g} years"


def _valid_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_age(themes: EligibilityThemes, person: Person) -> ThemeCheck:
    low = themes.min_age if _valid_number(themes.min_age) else None
    high = themes.max_age if _valid_number(themes.max_age) else None
    if low is None and high is None:
        return ThemeCheck(AGE, UNKNOWN, "The study does not state an age limit.")
    if not _valid_number(person.age):
        return ThemeCheck(AGE, UNKNOWN, "You did not enter your age.")
    low_text, high_text = _age_text(low, themes.min_age_text), _age_text(high, themes.max_age_text)
    if low is not None and high is not None:
        rule = f"The study takes people aged {low_text} to {high_text}"
    elif low is not None:
        rule = f"The study takes people aged {low_text} or older"
    else:
        rule = f"The study takes people aged up to {high_text}"
    # "Maximum age: 55 Years" admits people until their 56th birthday.
    too_old = high is not None and (math.floor(person.age) > high if high >= 1 and float(high).is_integer() else person.age > high)
    too_young = low is not None and person.age < low
    if too_old or too_young:
        return ThemeCheck(AGE, EXCLUDED, f"{rule}; you entered {_number(person.age)}.")
    return ThemeCheck(AGE, OK, f"{rule}. Your age fits.")


def _check_sex(themes: EligibilityThemes, person: Person) -> ThemeCheck:
    if themes.sex is None:
        return ThemeCheck(SEX, UNKNOWN, "The study does not say whether it takes women, men or both.")
    if themes.sex == "ALL":
        return ThemeCheck(SEX, OK, "The study takes women and men.")
    if themes.sex not in _SEX_WORDS:
        return ThemeCheck(SEX, UNKNOWN, "The study does not say whether it takes women, men or both.")
    group = _SEX_WORDS[themes.sex][0]
    if person.sex not in _SEX_WORDS:
        return ThemeCheck(SEX, UNKNOWN, f"The study takes {group} only. You did not enter your sex.")
    if person.sex != themes.sex:
        return ThemeCheck(SEX, EXCLUDED, f"The study takes {group} only; you entered {_SEX_WORDS[person.sex][1]}.")
    return ThemeCheck(SEX, OK, f"The study takes {group} only.")


def _check_ms_type(themes: EligibilityThemes, person: Person) -> ThemeCheck:
    # Only the types we know: stored themes from an older or newer version may hold others.
    included = {kind for kind in themes.ms_types_included if kind in _TYPE_NAMES}
    excluded = {kind for kind in themes.ms_types_excluded if kind in _TYPE_NAMES}
    if not included and not excluded:
        return ThemeCheck(MS_TYPE, UNKNOWN, "The study does not say which types of MS it takes.")
    if person.ms_type not in _TYPE_NAMES:
        return ThemeCheck(MS_TYPE, UNKNOWN, "You did not enter your type of MS.")
    mine = person.ms_type
    name = _TYPE_NAMES[mine]
    progressive = {PPMS, SPMS}

    if mine in excluded or (mine in progressive and PROGRESSIVE_UNSPECIFIED in excluded):
        return ThemeCheck(MS_TYPE, EXCLUDED, f"The study does not take people with {name}.")
    if mine == PROGRESSIVE_UNSPECIFIED and excluded & progressive:
        if progressive <= excluded:
            return ThemeCheck(MS_TYPE, EXCLUDED, "The study does not take people with progressive MS.")
        other = _TYPE_NAMES[next(iter(excluded & progressive))]
        return ThemeCheck(MS_TYPE, UNKNOWN, f"The study does not take people with {other}. "
                                            "Your type of progressive MS decides it.")
    if not included:
        return ThemeCheck(MS_TYPE, OK, "The study does not exclude your type of MS.")

    takes = " or ".join(_TYPE_NAMES[kind] for kind in themes.ms_types_included if kind in included)
    if mine in included or (mine in progressive and PROGRESSIVE_UNSPECIFIED in included):
        return ThemeCheck(MS_TYPE, OK, f"The study takes people with {takes}.")
    if mine == PROGRESSIVE_UNSPECIFIED and included & progressive:
        if progressive <= included:
            return ThemeCheck(MS_TYPE, OK, f"The study takes people with {takes}.")
        return ThemeCheck(MS_TYPE, UNKNOWN, f"The study takes people with {takes}. Your type of progressive MS decides it.")
    if mine in (SPMS, CIS) and RRMS in included:
        # "Relapsing forms of MS" often also covers CIS and SPMS that still has relapses.
        return ThemeCheck(MS_TYPE, UNKNOWN, f"The study is for relapsing MS. Some people with {name} can take part; "
                                            "the study team can tell you.")
    return ThemeCheck(MS_TYPE, EXCLUDED, f"The study is for people with {takes}; you entered {name}.")


def _check_edss(themes: EligibilityThemes, person: Person) -> ThemeCheck:
    low = themes.edss_min if _valid_number(themes.edss_min) else None
    high = themes.edss_max if _valid_number(themes.edss_max) else None
    if low is None and high is None:
        return ThemeCheck(EDSS, UNKNOWN, "The study does not state an EDSS range.")
    if low is not None and high is not None:
        rule = f"The study takes people with an EDSS score of {_score(low)} to {_score(high)}"
    elif low is not None:
        rule = f"The study takes people with an EDSS score of {_score(low)} or higher"
    else:
        rule = f"The study takes people with an EDSS score of {_score(high)} or lower"
    if not _valid_number(person.edss):
        return ThemeCheck(EDSS, UNKNOWN, f"{rule}. You did not enter your score.")
    if (low is not None and person.edss < low) or (high is not None and person.edss > high):
        return ThemeCheck(EDSS, EXCLUDED, f"{rule}; you entered {_score(person.edss)}.")
    return ThemeCheck(EDSS, OK, f"{rule}. Your score fits.")


def _country_key(name: str) -> str:
    cleaned = " ".join(name.strip().lower().split())
    return _COUNTRY_ALIASES.get(cleaned, cleaned)


def _check_country(person: Person, trial_countries: Iterable[str] | None) -> ThemeCheck:
    countries = [c for c in (trial_countries or ()) if isinstance(c, str) and c.strip()]
    if not countries:
        return ThemeCheck(COUNTRY, UNKNOWN, "The study does not list where it takes place.")
    if not isinstance(person.country, str) or not person.country.strip():
        return ThemeCheck(COUNTRY, UNKNOWN, "You did not enter your country.")
    if _country_key(person.country) in {_country_key(c) for c in countries}:
        return ThemeCheck(COUNTRY, OK, f"The study has a site in {person.country.strip()}.")
    return ThemeCheck(COUNTRY, EXCLUDED, f"The study lists no sites in {person.country.strip()}.")


_THEME_LABELS = {AGE: "age", SEX: "sex", MS_TYPE: "type of MS", EDSS: "EDSS score", COUNTRY: "country"}


def quick_check(themes: EligibilityThemes, person: Person, trial_countries: Iterable[str] | None = None) -> QuickCheckResult:
    """One verdict per theme and an overall verdict for `person` against a study's `themes`."""
    checks = (
        _check_age(themes, person),
        _check_sex(themes, person),
        _check_ms_type(themes, person),
        _check_edss(themes, person),
        _check_country(person, trial_countries),
    )
    verdicts = {check.verdict for check in checks}
    if EXCLUDED in verdicts:
        overall = EXCLUDED
        summary = "Something the study states rules you out; the reasons are listed below."
    elif verdicts == {OK}:
        overall = OK
        summary = "Nothing the study states rules you out. The study team makes the final decision."
    else:
        overall = UNKNOWN
        missing = ", ".join(_THEME_LABELS[check.theme] for check in checks if check.verdict == UNKNOWN)
        summary = f"Nothing the study states rules you out, but we could not check: {missing}."
    return QuickCheckResult(overall, checks, summary)
