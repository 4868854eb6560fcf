"""The structured eligibility fields: age bounds, sex and healthy volunteers.

The registry writes ages as "<number> <unit>" ("18 Years", "6 Months", "27 Weeks", "3 Days",
"72 Hours"), or "N/A", or leaves the field out. Everything is converted to years as a float so
ages can be compared; anything we cannot read is None, never a guess.
"""
from __future__ import annotations

import re
from typing import Any

_DAYS_PER_YEAR = 365.25
_YEARS_PER_UNIT = {
    "year": 1.0,
    "month": 1.0 / 12.0,
    "week": 7.0 / _DAYS_PER_YEAR,
    "day": 1.0 / _DAYS_PER_YEAR,
    "hour": 1.0 / (24.0 * _DAYS_PER_YEAR),
    "minute": 1.0 / (60.0 * 24.0 * _DAYS_PER_YEAR),
}
_UNIT_ALIASES = {
    "y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year",
    "m": "month", "mo": "month", "mos": "month", "month": "month", "months": "month",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
    "d": "day", "day": "day", "days": "day",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
}
_AGE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\.?\s*")

SEXES = ("ALL", "FEMALE", "MALE")


def age_to_years(value: Any) -> float | None:
    """A registry age such as "18 Years" or "6 Months" in years; None when absent or unreadable.

    A bare number without a unit is not read: the registry always gives a unit, and guessing
    years for "6" could turn six months into six years.
    """
    if isinstance(value, bool) or value is None:
        return None
    if not isinstance(value, str):
        return None
    match = _AGE.fullmatch(value)
    if not match:
        return None
    unit = _UNIT_ALIASES.get(match.group(2).lower())
    if unit is None:
        return None
    years = float(match.group(1)) * _YEARS_PER_UNIT[unit]
    return years if years < 200 else None


def parse_sex(value: Any) -> str | None:
    """ALL, FEMALE or MALE; None when the field is missing or holds something else."""
    if not isinstance(value, str):
        return None
    cleaned = value.strip().upper()
    if cleaned in SEXES:
        return cleaned
    if cleaned == "BOTH":  # the retired classic API's spelling of ALL
        return "ALL"
    return None


def parse_healthy_volunteers(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        cleaned = value.strip().lower()
        if cleaned in ("true", "yes", "accepts healthy volunteers"):
            return True
        if cleaned in ("false", "no"):
            return False
    return None


def parse_std_ages(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(item for item in value if isinstance(item, str))
