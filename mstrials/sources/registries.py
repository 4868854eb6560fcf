"""Which registry a record comes from, and the ClinicalTrials.gov-v2-shaped view the product reads.

The cache keeps every record exactly as its registry sent it; everything downstream (MS check,
labels, eligibility, columns) reads the v2 shape. ClinicalTrials.gov records already have it; CTIS
records (portal CSV rows, search overviews, retrieve records) are mapped by `ctis_files.to_v2_study`.
Recognised by content, never by where the record came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mstrials.sources.ctis_files import ctis_number_of, record_kind, to_v2_study

CTGOV = "ctgov"
CTIS = "ctis"
REGISTRIES: tuple[str, ...] = (CTGOV, CTIS)


@dataclass(frozen=True)
class RegistryView:
    registry: str
    trial_id: str | None  # the CTIS number for a CTIS record; None for ClinicalTrials.gov (read from the study)
    study: Any  # the v2-shaped study


def registry_of(record: Any) -> str:
    """"ctis" for a CTIS record of any of its three kinds, else "ctgov"."""
    return CTIS if record_kind(record) is not None else CTGOV


def v2_view(record: Any) -> RegistryView:
    """The record as a v2 study with its registry. A CTIS record without a valid trial number is
    returned as it is, so the ClinicalTrials.gov checks report it as malformed."""
    if registry_of(record) == CTIS:
        number = ctis_number_of(record)
        if number is not None:
            return RegistryView(CTIS, number, to_v2_study(record))
    return RegistryView(CTGOV, None, record)
