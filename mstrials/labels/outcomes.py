"""Tag a trial's outcome measures by what they measure (EDSS, walking, NfL, brain volume...).

The patterns were written against the ~21,000 outcome measures of the 2,712-study MS corpus,
so they cover the registry's real spellings ("T25-FW", "Timed 25 feet walk", "9HPT-D",
"Symbol Digit Modality Test", "PBVC", "sNfL", "Gd+ lesions", "MSQoL-54"...).

Only the measure title is tagged when it names something; the first sentence of the free-text
description is read only when the title names nothing ("Disability" -> "...assessed by the EDSS"). Descriptions
often list a composite's parts ("the MSFC comprises the T25FW, 9HPT and PASAT"), and tagging
those would make every MSFC outcome look like a walking and a hand test too.
"""
from __future__ import annotations

import re
from typing import Any

THEME_LABELS: dict[str, str] = {
    "EDSS": "Disability (EDSS) and confirmed disability progression",
    "T25FW": "Walking speed (Timed 25-Foot Walk)",
    "9HPT": "Hand and arm function (Nine-Hole Peg Test)",
    "SDMT": "Processing speed (Symbol Digit Modalities Test)",
    "MSFC": "MS Functional Composite",
    "brain_volume": "Brain or spinal cord volume (atrophy)",
    "myelin_imaging": "Myelin imaging (MTR, myelin water, myelin PET)",
    "NfL": "Neurofilament light chain (NfL) in blood or spinal fluid",
    "relapses_lesions": "Relapses and MRI lesions",
    "quality_of_life": "Quality of life",
}
THEMES: tuple[str, ...] = tuple(THEME_LABELS)


def _any_of(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


# Kurtzke's older Disability Status Scale (DSS) is the same instrument's predecessor.
_EDSS_NAMED = _any_of(r"\bEDSS\b", r"\bdisability\s+status\s+(?:scale|score)", r"\bkurtzke\b")
# Progression measured "in the T25FW" or "by the SDMT" is about that test, not the EDSS; the
# generic phrases only count for the EDSS when no other test is named.
_DISABILITY_GENERIC = _any_of(
    r"\b(?:confirmed|sustained|composite)\s+(?:\d+[- ]?(?:weeks?|months?)\s+)?disability\s+(?:progression|worsening|improvement)",
    r"\bdisability\s+(?:progression|worsening|accumulation|improvement)",
    r"(?:progression|worsening)\s+of\s+disability",
    # Abbreviations case-sensitively: lower-case "cdi" or "pira" are other words.
    r"(?-i:\b(?:\d+[WM]-?)?c?CD[PWI]\d*\b)",
    r"(?-i:\bPIRA\b)",
)
_OTHER_FUNCTIONAL_TESTS = ("T25FW", "9HPT", "SDMT", "MSFC")

_PATTERNS: dict[str, re.Pattern[str]] = {
    "T25FW": _any_of(
        r"\bT-?\s?25\s?-?\s?(?:F\s?-?\s?W|W\b|WT\b)",
        r"\bTW-?25\b",
        r"(?<!\d)(?:25|twenty[- ]five)[-\s]*(?:foot|feet|ft)\b[-\s]*(?:timed\s+)?walk",
        r"\btimed[-\s]+25[-\s]*(?:foot|feet|ft)\b",
        r"\bwalk\s+25\s+(?:foot|feet|ft)\b",
    ),
    "9HPT": _any_of(
        r"\b(?:9|nine)[-\s]*hol\w*[-\s]*peg",
        r"\b(?:9|N)\s?-?\s?HPT",
    ),
    "SDMT": _any_of(r"SDMT\b", r"\bsymbol[-\s]+digit"),
    "MSFC": _any_of(r"\bMSFC", r"\bfunctional\s+composite"),
    "brain_volume": _any_of(
        r"\b(?:brain|cerebral|parenchymal?|gr[ae]y[-\s]+matter|white[-\s]+matter|cortical|cortex|thalamic|thalamus"
        r"|thalami|deep\s+gr[ae]y|hippocampal|ventricular|spinal\s+cord|cord|GM|WM|CGM|DGM)"
        r"(?:\s+matter)?\s+(?:volumes?\b|atrophy|fraction\b|loss\b|tissue\s+loss\b)",
        r"\b(?:whole|total|normali[sz]ed|regional|percent(?:age)?)[-\s]+brain\s+volume",
        r"\bbrain\s+volume",
        r"\bPBVC\b", r"\bBPF\b", r"\bSIENAX?\b", r"\bvolume\s+loss\b",
        r"\bcord\s+(?:cross[-\s]sectional\s+)?area\b",
    ),
    "myelin_imaging": _any_of(
        r"\bMTR\b", r"\bmagneti[sz]ation[-\s]+transfer",
        r"\bMWF\b", r"\bmyelin[-\s]+water",
        r"\bmyelin\s+(?:map|maps|mapping|imaging|content|density|integrity|index|fraction|PET|volume)",
        r"\bmyelin(?:ation)?\s+in\s+\S+\s+PET\b",
        r"\bremyelinat[^.;]{0,40}\b(?:MRI|PET|imaging|MTR|MWF)\b",
        r"\b(?:MRI|PET|imaging|MTR|MWF)\b[^.;]{0,40}\bremyelinat",
    ),
    "NfL": _any_of(
        r"\bneuro[-\s]?fila?ments?\b(?!\s+heavy)",
        r"\b[sp]?-?NF-?L\b",
    ),
    "relapses_lesions": _any_of(
        r"\brelapse[sd]?\b", r"\brelapse[-\s]free", r"\bARR\b", r"\bNEDA",
        r"(?<!skin )(?<!cutaneous )\blesions?(?![a-z])", r"\bgadolinium", r"\bGd\s?[+E-]", r"\bCUAL?s?\b",
        r"\bT[12]\s*(?:-?\s*weighted\s+)?(?:hyper|hypo)intens",
        r"\bblack\s+holes?\b",
        r"\b(?:MRI\)?|radiological|radiologic|magnetic\s+resonance\s+imaging)\s+(?:disease\s+)?activity",
    ),
    "quality_of_life": _any_of(
        r"\bquality\s+of\s+life", r"\b(?:HR|MS|neuro-?|peds)?-?QO?L\b", r"\bMSQO?L", r"\bMSIS(?:-?\s?29)?\b", r"\bsclerosis\s+impact\s+scale",
        r"\bEQ-?\s?5D", r"\bEuroQo?L", r"\bSF-?\s?(?:36|12)\b", r"\bshort[-\s]form[-\s]*(?:36|12)\b", r"\bVR-?12\b", r"\bHAQUAMS\b", r"\bFAMS\b",
        r"\bPROMIS-?(?:29|\s+global)",
    ),
}

# "Progression independent of relapse activity" is about progression, not relapses.
_INDEPENDENT_OF_RELAPSE = re.compile(r"independent\s+of\s+(?:protocol[-\s]defined\s+)?relapses?(?:\s+activity)?", re.IGNORECASE)
# Atrophy of the retina, the optic nerve or a muscle is not brain atrophy.
_BARE_ATROPHY = re.compile(r"\b(?:pseudo-?)?atrophy\b", re.IGNORECASE)
_NOT_BRAIN_ATROPHY = re.compile(
    r"retin|RNFL|ganglion|nuclear\s+layer|plexiform|optic|muscle|muscular|multiple\s+system\s+atrophy", re.IGNORECASE
)
_FOOTBALL = re.compile(r"\bfootball\b|\bNational\s+Football\s+League\b", re.IGNORECASE)
_NEUROFILAMENT_WORD = re.compile(r"\bneuro[-\s]?fila?ments?\b(?!\s+heavy)", re.IGNORECASE)


def _themes_in(text: str) -> tuple[str, ...]:
    found = {theme for theme, pattern in _PATTERNS.items() if pattern.search(text)}
    if "relapses_lesions" in found and not _PATTERNS["relapses_lesions"].search(_INDEPENDENT_OF_RELAPSE.sub(" ", text)):
        found.discard("relapses_lesions")
    if "brain_volume" not in found and _BARE_ATROPHY.search(text) and not _NOT_BRAIN_ATROPHY.search(text):
        found.add("brain_volume")
    if "NfL" in found and _FOOTBALL.search(text) and not _NEUROFILAMENT_WORD.search(text):
        found.discard("NfL")
    if _EDSS_NAMED.search(text) or (
        _DISABILITY_GENERIC.search(text) and not found.intersection(_OTHER_FUNCTIONAL_TESTS)
    ):
        found.add("EDSS")
    return tuple(theme for theme in THEMES if theme in found)


# Descriptions name the instrument in their first sentence ("Assessed with the ISI, ..."); later
# sentences cite other scales for comparison ("...correlated with the SF-36").
_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z(])")


def outcome_themes(measure: str, description: str | None = None) -> tuple[str, ...]:
    """Theme keys (in `THEMES` order) an outcome measure is about; () when none.

    The description (its first sentence) is only consulted when the measure title names no theme.
    """
    themes = _themes_in(measure) if isinstance(measure, str) else ()
    if not themes and isinstance(description, str):
        themes = _themes_in(_SENTENCE_END.split(description.strip(), maxsplit=1)[0])
    return themes


_OUTCOME_LISTS = ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")


def trial_outcome_themes(study: Any) -> dict[str, list[str]]:
    """Theme -> the study's outcome measures with that theme (themes in `THEMES` order, each
    measure once, primary outcomes first). Partial or odd records give what they can, or {}."""
    section = study.get("protocolSection") if isinstance(study, dict) else None
    module = section.get("outcomesModule") if isinstance(section, dict) else None
    if not isinstance(module, dict):
        return {}
    measures_by_theme: dict[str, list[str]] = {}
    for list_name in _OUTCOME_LISTS:
        outcomes = module.get(list_name)
        for outcome in outcomes if isinstance(outcomes, list) else []:
            if not isinstance(outcome, dict) or not isinstance(outcome.get("measure"), str):
                continue
            measure = outcome["measure"].strip()
            for theme in outcome_themes(measure, outcome.get("description")):
                listed = measures_by_theme.setdefault(theme, [])
                if measure not in listed:
                    listed.append(measure)
    return {theme: measures_by_theme[theme] for theme in THEMES if theme in measures_by_theme}
