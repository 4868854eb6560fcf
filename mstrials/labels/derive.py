"""Everything the product works out from a raw study beyond copying fields: mechanism labels,
drug classes, progressive relevance and MS types, and eligibility themes.

Derived values are computed once at ingest and stored, so the app loads fast. They carry a
signature (the vocabulary files' hashes and the derivation code's version): when either changes,
the cache re-derives every stored study from its raw JSON.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

# Bump when the classifier's or the eligibility parser's code changes what they produce.
DERIVATION_CODE_VERSION = "13"  # 2: classifier patterns; 3: drug_classes; 4: EDSS and MS-type reading; 5: arm and description roles, symptom outcomes; 6: EDSS notes, subgroups, ";" in brackets; 7-8: mechanism co-interventions, transplants, parent-trial comparators, symptom wording, side-effect sources, recording devices, hormones for repair, title-named partners; 9: both, with EDSS limit names, operator words, footnote marks, colon-headed subgroups; 10: a full stop inside a short bracket does not end a criterion; 11: named treatments holding a measuring word, non-drug treatments named by the titles of measurement-only records; and MS types and key exclusions (any-type wording, class-wide DMT exclusions, prose exclusions); and EDSS ranges named as excluded, subgroup rules, bracketed bounds for some people; 12: cancers among conditions, placebos naming their product, symptom drugs by title, design-named controls; and EDSS bounds widened for some people, plus-sign changes; 13: vaccine challenges beside a title-named DMT, products tested against a DMT side effect, stopping unnamed DMTs, DMTs in the same item as a title-named add-on

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


# The classifier, the eligibility reader and the vocabulary take a tenth of a second to import and
# build, and only a process that derives needs them: an ingest's main process, which forks the
# workers that derive, never loads them, and the workers load them in parallel (see warm_up).
_derivers: tuple[Callable, ...] | None = None


def _load_derivers() -> tuple[Callable, ...]:
    global _derivers
    if _derivers is None:
        from mstrials.labels.classify import classify_study, evidence_text
        from mstrials.labels.drug_classes import classes_from_evidence
        from mstrials.labels.eligibility import eligibility_inputs, extract_eligibility

        _derivers = (classify_study, evidence_text, classes_from_evidence, eligibility_inputs, extract_eligibility)
    return _derivers


def derivation_signature() -> str:
    from mstrials.labels.drug_classes import drug_classes_hash
    from mstrials.labels.vocabulary import vocabulary_hash

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
    _, _, _, eligibility_inputs, extract_eligibility = _derivers or _load_derivers()
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


def _derived_row(study: dict) -> dict[str, Any]:
    classify_study, evidence_text, classes_from_evidence, _, _ = _derivers or _load_derivers()
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
    return row


def derive_columns(study: dict) -> dict[str, Any]:
    """The derived column values for one MS study (never raises on odd records)."""
    row = _derived_row(study)
    return {name: row.get(name) for name in DERIVED_COLUMNS}


def derived_values(study: dict) -> tuple:
    """derive_columns(study)'s values in DERIVED_COLUMNS order: what the ingest stores."""
    row = _derived_row(study)
    return tuple(row.get(name) for name in DERIVED_COLUMNS)


def warm_up() -> None:
    """Import the classifier and load the vocabulary with its compiled patterns: what each worker
    process does first, while the main process goes on reading studies."""
    derive_columns({"protocolSection": {"identificationModule": {"nctId": "NCT00000000"}}})
