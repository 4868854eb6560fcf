"""Everything the product works out from a raw study beyond copying fields: mechanism labels,
drug classes, progressive relevance and MS types, and eligibility themes.

Derived values are computed once at ingest and stored, so the app loads fast. They carry a
signature (the vocabulary files' hashes and the derivation code's version): when either changes,
the cache re-derives every stored study from its raw JSON.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from mstrials.labels.classify import classify_study, evidence_text
from mstrials.labels.drug_classes import classes_from_evidence, drug_classes_hash
from mstrials.labels.eligibility import eligibility_inputs, extract_eligibility
from mstrials.labels.vocabulary import vocabulary_hash

# Bump when the classifier's or the eligibility parser's code changes what they produce.
DERIVATION_CODE_VERSION = "8"  # 2: classifier patterns; 3: drug_classes; 4: EDSS and MS-type reading; 5: arm and description roles, symptom outcomes; 6: EDSS notes, subgroups, ";" in brackets; 7: mechanism co-interventions, transplants, parent-trial comparators, symptom wording; 8: side-effect sources, recording devices, hormones for myelin repair, title-named combination partners, unnamed DMTs in context

DERIVED_COLUMNS: dict[str, str] = {
    "progressive": "INTEGER",
    "ms_types": "TEXT",
    "mechanisms": "TEXT",
    "mechanism_evidence": "TEXT",  # readable one-liner, for the export
    "mechanism_evidence_json": "TEXT",  # structured, for the app
    "drug_classes": "TEXT",  # data/drug_classes.toml keys of the investigational interventions
    "edss_min": "REAL",
    "edss_max": "REAL",
    "min_age": "REAL",
    "max_age": "REAL",
    "sex": "TEXT",
    "healthy_volunteers": "INTEGER",
    "ms_types_included": "TEXT",
    "ms_types_excluded": "TEXT",
    "prior_anti_cd20_excluded": "INTEGER",
    "prior_stem_cell_transplant_excluded": "INTEGER",
    "relapse_free_months": "INTEGER",
    "steroid_free_days": "INTEGER",
    "eligibility_json": "TEXT",
}


# Built once: json.dumps(evidence, ensure_ascii=False) makes a new encoder per call.
_EVIDENCE_ENCODER = json.JSONEncoder(ensure_ascii=False)


def derivation_signature() -> str:
    return hashlib.sha256(f"{vocabulary_hash()}:{drug_classes_hash()}:{DERIVATION_CODE_VERSION}".encode()).hexdigest()[:16]


def _as_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return "|".join(sorted(str(item) for item in value)) if isinstance(value, (set, frozenset)) else "|".join(map(str, value))
    return value


# Criteria texts and age limits repeat across studies (sister trials, re-registrations, updates):
# their columns are remembered by what the eligibility reading depends on, never by the study.
_ELIGIBILITY_MEMO_SIZE = 8192
_eligibility_memo: dict[tuple, tuple[str, dict[str, Any]]] = {}


def _eligibility_columns(study: dict) -> tuple[str, dict[str, Any]]:
    """(eligibility_json, the other eligibility column values) for one study."""
    key = eligibility_inputs(study)
    cached = _eligibility_memo.get(key) if key is not None else None
    if cached is None:
        themes = extract_eligibility(study)
        values = {name: _as_sql(value) for name, value in themes.to_row().items() if name in DERIVED_COLUMNS}
        cached = (themes.to_json(), values)
        if key is not None:
            if len(_eligibility_memo) >= _ELIGIBILITY_MEMO_SIZE:
                _eligibility_memo.clear()
            _eligibility_memo[key] = cached
    return cached


def derive_columns(study: dict) -> dict[str, Any]:
    """The derived column values for one MS study (never raises on odd records)."""
    classification = classify_study(study)
    eligibility_json, eligibility_values = _eligibility_columns(study)
    row = {
        "progressive": int(classification.progressive),
        "ms_types": "|".join(classification.ms_types),
        "mechanisms": "|".join(classification.mechanisms),
        "mechanism_evidence": evidence_text(classification.mechanism_evidence),
        "mechanism_evidence_json": _EVIDENCE_ENCODER.encode(classification.mechanism_evidence),
        # From the evidence, so only what the classifier judged investigational gets a class.
        "drug_classes": "|".join(classes_from_evidence(classification.mechanism_evidence)),
        "eligibility_json": eligibility_json,
    }
    for name, value in eligibility_values.items():
        if name not in row:
            row[name] = value
    return {name: row.get(name) for name in DERIVED_COLUMNS}


def warm_up() -> None:
    """Load the vocabulary and compile its patterns once, before worker processes are forked."""
    derive_columns({"protocolSection": {"identificationModule": {"nctId": "NCT00000000"}}})
