"""Trial concept "is this an MS study?".

The registry's condition search is a relevance search: asking for "multiple sclerosis" also
returns tuberous sclerosis, systemic sclerosis, ALS, epilepsy and lymphoma studies. A study
counts as an MS study when its conditions, keywords, titles or condition MeSH terms name MS.

Fields used: protocolSection.conditionsModule.{conditions,keywords},
identificationModule.{briefTitle,officialTitle,acronym}, derivedSection.conditionBrowseModule
(meshes, ancestors, browseLeaves).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator

# Written-out names of MS (English, MeSH inverted order, and a few languages registries use).
_MS_NAME = re.compile(
    r"multiple\s+sclerosis(?![\s-]+associated\s+retrovirus)|sclerosis,?\s+multiple|disseminated\s+sclerosis|"
    r"encephalomyelitis\s+disseminata|escleros[ei]s\s+m[uú]ltiple|scl[ée]rose\s+en\s+plaques|"
    r"sclerosi\s+multipla|multiple\s+sklerose|clinically\s+isolated\s+syndrome|"
    r"\b(?:rr|sp|pp|nrsp|asp|r|ci)ms\b|relapsing[- ]remitting\s+ms\b|"
    r"(?:relapsing|progressive)\s+(?:forms?\s+of\s+)?ms\b",
    re.IGNORECASE,
)
# A bare "MS" is only trusted in the condition and keyword lists (titles use it for mass
# spectrometry too), and only in capitals.
_BARE_MS = re.compile(r"(?<![\w/-])MS(?![\w/-])")


# Conditions, keywords and MeSH terms repeat across studies ("Multiple Sclerosis"): the
# answers for each text are remembered.
@lru_cache(maxsize=16384)
def _names_ms(text: str) -> bool:
    return _MS_NAME.search(text) is not None


@lru_cache(maxsize=16384)
def _lists_ms(text: str) -> bool:
    """A condition or keyword naming MS, where a bare capital "MS" counts too."""
    return _MS_NAME.search(text) is not None or _BARE_MS.search(text) is not None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item


def _get(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _mesh_terms(study: dict) -> Iterator[str]:
    browse = _get(study, "derivedSection", "conditionBrowseModule")
    if not isinstance(browse, dict):
        return
    for list_name in ("meshes", "ancestors", "browseLeaves"):
        entries = browse.get(list_name)
        if isinstance(entries, list):
            for entry in entries:
                term = entry.get("term") if isinstance(entry, dict) else None
                if isinstance(term, str):
                    yield term


def is_ms_study(study: dict) -> bool:
    """True when the study is about multiple sclerosis (including CIS), by its own wording."""
    protocol = study.get("protocolSection") if isinstance(study, dict) else None
    conditions_module = _get(protocol, "conditionsModule")
    listed = [*_strings(_get(conditions_module, "conditions")), *_strings(_get(conditions_module, "keywords"))]
    if any(_lists_ms(text) for text in listed):
        return True
    identification = _get(protocol, "identificationModule")
    titles = [
        *_strings(_get(identification, "briefTitle")),
        *_strings(_get(identification, "officialTitle")),
        *_strings(_get(identification, "acronym")),
    ]
    if any(_MS_NAME.search(text) for text in titles):  # titles rarely repeat: not remembered
        return True
    return any(_names_ms(term) for term in _mesh_terms(study))
