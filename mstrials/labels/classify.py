"""Classify one raw ClinicalTrials.gov v2 study: mechanism keys, progressive relevance, MS types.

`classify_study(study)` takes the study dict exactly as the API returns it (it may be partial
or malformed; it never raises) and returns a frozen `Classification`.

Mechanisms
    Only investigational interventions count. With arm groups, an intervention counts when one of
    its arms is EXPERIMENTAL or OTHER (ACTIVE_COMPARATOR arms count only when the trial has no
    experimental arm at all, as in single-arm studies labelled that way). Without arm groups,
    placebo/sham/usual-care/"no intervention" items are left out by name, and the titles are used
    for three narrow decisions: an approved drug named after "compared with/versus" in an
    active-controlled design is the comparator (so are approved DMTs named before it when what
    follows is a new kind of treatment, "ocrelizumab or alemtuzumab compared with aHSCT"); a drug
    named after "added to"/"in patients treated with" is background therapy; partner drugs of a
    drug-interaction study are probes. Infusion premedication and transplant conditioning do not
    count beside the therapy they support. Each intervention is matched against the curated
    vocabulary (data/mechanisms.toml); what matches nothing falls back by intervention type:
    behavioural, device and procedure items are `non_drug`, diagnostics and unknown drugs are
    `other`. A measuring word inside a treatment the vocabulary names, or guiding it ("MRI-guided
    focused ultrasound"), is not an assessment. Assessments and imaging agents only give `other`
    when the trial tests nothing else (and its titles do not name a non-drug treatment and what it
    does, "the effects of FES on walking"); so does a device or procedure known only by its type
    (or a digital tool) when the titles say the study is about diagnosis, biomarkers or validation,
    and a device that only delivers the tested drug (an inhaler, a pen, a pump) adds nothing, or
    takes the keys of the drug the titles name when no drug is listed. An unrecognised item
    registered as OTHER beside a recognised treatment is a study procedure, not a second thing
    tested; an unknown product known by code name is described by the titles, conditions or
    keywords (a cell product, an anti-inflammatory) and the named product it is compared with in a
    title is its reference. A record listing only its control is read from its titles. Three or
    more standard probe substrates beside a product are an interaction cocktail. A
    neuroprotection-group drug becomes `symptomatic` when a condition is a symptom or the titles
    say it is tested for one, and nothing names the disease course; a symptom drug becomes
    `neuroprotection_other` when the titles or keywords say the trial protects nerve tissue and no
    symptom is named. Without arm groups, the titles also name what is tested: an established DMT
    they do not name (nor its class) beside a drug they do name is a reference (a parent trial's
    comparator, a comparison cohort), and a supplement, or a device or procedure known only by its
    type, that they do not name beside a treatment they name is given alongside. Therapies
    registered as GENETIC (CAR-T, modified cells) are read as therapies, gene tests as tests. Every
    study gets at least one key.

Progressive relevance and MS types
    Read from conditions, keywords, titles, MeSH condition terms and the inclusion part of the
    eligibility criteria. "Relapsing forms of MS" alone counts as RRMS, not progressive: regulators
    include active SPMS in that phrase, but a trial is only flagged progressive when it names SPMS,
    PPMS or progressive MS itself, so that relapsing-only trials do not flood the progressive view.
    Negated mentions ("non-progressive", "excluding PPMS"), exclusion criteria, progressive
    multifocal leukoencephalopathy and "progressive" describing something else (resistance
    training, muscle relaxation, weakness) do not count. Eligibility text adds progressive types;
    it adds RRMS/CIS only when the other fields name no type, because SPMS inclusion criteria
    routinely describe the earlier relapsing course.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from mstrials.labels.vocabulary import (
    MECHANISM_KEYS,
    TermMatch,
    Vocabulary,
    WordPatterns,
    default_vocabulary,
    normalise_text,
    within_one_edit,
)

log = logging.getLogger(__name__)

MS_TYPES: tuple[str, ...] = ("PPMS", "SPMS", "RRMS", "CIS", "PROGRESSIVE_UNSPECIFIED")
PROGRESSIVE_MS_TYPES = frozenset({"PPMS", "SPMS", "PROGRESSIVE_UNSPECIFIED"})

_KEY_ORDER = {key: index for index, key in enumerate(MECHANISM_KEYS)}


@dataclass(frozen=True)
class Classification:
    mechanisms: tuple[str, ...]
    mechanism_evidence: dict[str, list[dict[str, str]]]
    progressive: bool
    ms_types: tuple[str, ...]


def classify_study(study: Any, vocabulary: Vocabulary | None = None) -> Classification:
    """Classify one raw v2 study dict. Never raises: an unreadable record becomes `other`."""
    vocabulary = vocabulary or default_vocabulary()
    try:
        return _classify(study, vocabulary)
    except Exception:  # a record we failed to anticipate must not stop an ingest of thousands
        log.exception("could not classify study %r", _nct_id(study))
        return Classification(
            mechanisms=("other",),
            mechanism_evidence={"other": [{"intervention": "", "matched": "(record could not be read)"}]},
            progressive=False,
            ms_types=(),
        )


def evidence_text(evidence: Any) -> str:
    """One readable line for exports, e.g. `b_cell: "Ocrelizumab 600 mg" ~ ocrelizumab; ...`.

    Accepts a Classification or its `mechanism_evidence` mapping; keys in MECHANISM_KEYS order.
    """
    if isinstance(evidence, Classification):
        evidence = evidence.mechanism_evidence
    if not isinstance(evidence, Mapping):
        return ""
    parts = []
    for key in sorted(evidence, key=lambda k: (_KEY_ORDER.get(k, len(_KEY_ORDER)), str(k))):
        items = []
        for item in evidence[key] or ():
            if not isinstance(item, Mapping):
                continue
            name = str(item.get("intervention", "") or "").replace('"', "'")
            name = name if name.strip() else ""  # a blank name (stored evidence) is not quoted as ""
            matched = str(item.get("matched", "") or "")
            items.append(f'"{name}" ~ {matched}' if name else matched)
        parts.append(f"{key}: {', '.join(items)}" if items else str(key))
    return "; ".join(parts)


# ---------------------------------------------------------------------------
# Reading the record defensively
# ---------------------------------------------------------------------------


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in _list(value) if isinstance(item, str) and item.strip()]


def _nct_id(study: Any) -> str:
    if not isinstance(study, dict):
        return ""
    return _text(_dict(_dict(study.get("protocolSection")).get("identificationModule")).get("nctId"))


@dataclass
class _Record:
    study_type: str
    titles: list[str]
    conditions: list[str]
    keywords: list[str]
    mesh_terms: list[str]
    eligibility: str
    interventions: list[dict]
    arm_groups: list[dict]
    primary_outcomes: Sequence[str] = ()


def _read_record(study: Any) -> _Record:
    study = _dict(study)
    protocol = _dict(study.get("protocolSection"))
    identification = _dict(protocol.get("identificationModule"))
    conditions_module = _dict(protocol.get("conditionsModule"))
    arms_module = _dict(protocol.get("armsInterventionsModule"))
    browse = _dict(_dict(study.get("derivedSection")).get("conditionBrowseModule"))
    return _Record(
        study_type=_text(_dict(protocol.get("designModule")).get("studyType")).strip().upper(),
        titles=[
            title
            for title in (
                _text(identification.get("briefTitle")),
                _text(identification.get("officialTitle")),
                _text(identification.get("acronym")),
            )
            if title.strip()
        ],
        conditions=_texts(conditions_module.get("conditions")),
        keywords=_texts(conditions_module.get("keywords")),
        mesh_terms=[_text(mesh.get("term")) for mesh in _list(browse.get("meshes")) if isinstance(mesh, dict) and _text(mesh.get("term"))],
        eligibility=_text(_dict(protocol.get("eligibilityModule")).get("eligibilityCriteria")),
        interventions=[item for item in _list(arms_module.get("interventions")) if isinstance(item, dict)],
        arm_groups=[item for item in _list(arms_module.get("armGroups")) if isinstance(item, dict)],
        primary_outcomes=[
            _text(outcome.get("measure"))
            for outcome in _list(_dict(protocol.get("outcomesModule")).get("primaryOutcomes"))
            if isinstance(outcome, dict) and _text(outcome.get("measure")).strip()
        ],
    )


def _classify(study: Any, vocabulary: Vocabulary) -> Classification:
    record = _read_record(study)
    evidence = _mechanism_evidence(record, vocabulary)
    ms_types = _ms_types(record)
    return Classification(
        mechanisms=tuple(evidence),
        mechanism_evidence=evidence,
        progressive=bool(PROGRESSIVE_MS_TYPES.intersection(ms_types)),
        ms_types=ms_types,
    )


# ---------------------------------------------------------------------------
# Mechanisms
# ---------------------------------------------------------------------------

# What a finding is, which decides whether it survives next to other findings.
_ENTRY = "entry"  # a vocabulary entry or pattern
_DIAGNOSTIC = "diagnostic"  # assessment, sampling, imaging: dropped when anything else is tested
_PLACEHOLDER = "placeholder"  # a bare label or unknown product: `other` unless the titles say more
_TYPE_DEFAULT = "type_default"  # decided by the intervention type alone

_DRUG_LIKE_TYPES = frozenset({"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT"})
_DIAGNOSTIC_TYPES = frozenset({"DIAGNOSTIC_TEST", "GENETIC"})
_NON_DRUG_DEFAULT = {"BEHAVIORAL": "(behavioural intervention)", "DEVICE": "(device)", "PROCEDURE": "(procedure)"}
_INVESTIGATIONAL_ARM_TYPES = frozenset({"EXPERIMENTAL", "OTHER", ""})
_APPROVED_DMT_KEYS = frozenset({"anti_inflammatory", "b_cell"})
_PROBE_KEYS = frozenset({"other", "symptomatic"})

# Commas are not connectors: "Placebo tablet identical to metformin, up to 4 tablets a day".
_CONNECTOR = re.compile(
    r"(\s+(?:in combination with|combined with|followed by|and/or|with|plus|and|or|then|versus|vs\.?)\s+"
    r"|\s*[+/;&]\s*|\s+-\s+|\bcross ?over to\b)",
    re.IGNORECASE,
)
_SIMULTANEOUS_CONNECTOR = re.compile(r"^\s*(?:with|plus|and|in combination with|combined with|\+)\s*$", re.IGNORECASE)
_SEQUENCE_WORDS = re.compile(r"\b(?:then|followed|cross ?over|open[ -]label|delayed|switch\w*|after|before|visit)\b", re.IGNORECASE)
_TITLE_CLAUSE_END = re.compile(r"\b(?:in|for|among|during|as|at|on|to|from|when|who|using|after|before|versus|vs|compared)\b")


@dataclass(frozen=True)
class _Finding:
    key: str
    matched: str  # shown as evidence
    entries: frozenset[str]  # normalised vocabulary text behind it (empty for fallbacks)
    kind: str


@dataclass(frozen=True)
class _Intervention:
    name: str
    type: str
    normalised: str  # of the part that may count (comparator segments removed)
    findings: tuple[_Finding, ...]
    placebo_partner: bool = False  # "X with placebo": X is given in the control arm

    def with_findings(self, findings: Iterable[_Finding]) -> _Intervention:
        return _Intervention(self.name, self.type, self.normalised, tuple(findings), self.placebo_partner)


def _display_name(item: dict) -> str:
    name = _text(item.get("name")).strip()
    if name:
        return name
    other_names = _texts(item.get("otherNames"))
    return other_names[0].strip() if other_names else ""


def _is_bare_label(normalised: str, vocabulary: Vocabulary) -> bool:
    """A label that names no product: "Study drug", "Formulation B", "Experimental group"."""
    generic = vocabulary.rules.generic_label_words
    return all(word in generic or len(word) <= 1 or word.isdigit() for word in normalised.split())


# Whole-word lookups of one normalised name; the same names ("Placebo", "Cyclophosphamide")
# come back in study after study.
@lru_cache(maxsize=16384)
def _names_placebo(normalised: str, vocabulary: Vocabulary) -> bool:
    return vocabulary.rules.placebo.contains_any(normalised.split())


@lru_cache(maxsize=16384)
def _names_conditioning(normalised: str, vocabulary: Vocabulary) -> bool:
    return vocabulary.rules.conditioning.contains_any(normalised.split())


def _is_comparator(normalised: str, vocabulary: Vocabulary) -> bool:
    rules = vocabulary.rules
    return bool(normalised) and (rules.placebo.contains_any(normalised.split()) or bool(rules.comparator.search(normalised)))


def _without_comparators(name: str, vocabulary: Vocabulary) -> tuple[str, bool]:
    """The part of an intervention name that may count, and whether it is a product given
    together with a placebo ("glatiramer acetate with placebo": the control arm)."""
    if not _is_comparator(normalise_text(name), vocabulary):
        return name, False
    parts = _CONNECTOR.split(name)
    segments, connectors = parts[0::2], parts[1::2]
    kept = [
        segment
        for segment in segments
        if normalise_text(segment)
        and not _is_comparator(normalise_text(segment), vocabulary)
        and not _is_bare_label(normalise_text(segment), vocabulary)  # "Phase 2; Placebo"
    ]
    placebo_partner = (
        len(segments) == 2
        and len(kept) == 1
        and bool(_SIMULTANEOUS_CONNECTOR.match(connectors[0]))
        and not _SEQUENCE_WORDS.search(name)
    )
    return " ; ".join(kept), placebo_partner


def _casefolded(text: str) -> str:
    return " ".join(text.casefold().split())


def _arm_decisions(record: _Record) -> tuple[list[bool], list[bool]]:
    """Per intervention: may it count according to its arm groups, and is it given in every
    arm, control arms included (see _given_to_every_arm)? Interventions are linked to arms by
    their armGroupLabels, or by the arms' interventionNames ("Drug: Ocrelizumab")."""
    nothing_everywhere = [False] * len(record.interventions)
    arm_types: dict[str, str] = {}
    arm_types_by_intervention: dict[str, list[str]] = {}
    for arm in record.arm_groups:
        label = _casefolded(_text(arm.get("label")))
        arm_type = _text(arm.get("type")).strip().upper()
        if label:
            arm_types[label] = arm_type
        for listed in _texts(arm.get("interventionNames")):
            name = _casefolded(listed.split(":", 1)[1] if ":" in listed else listed)
            arm_types_by_intervention.setdefault(name, []).append(arm_type)
    if not arm_types and not arm_types_by_intervention:
        return [True] * len(record.interventions), nothing_everywhere
    counting = set(_INVESTIGATIONAL_ARM_TYPES)
    all_types = set(arm_types.values()) | {t for types in arm_types_by_intervention.values() for t in types}
    if not all_types & counting:
        counting.add("ACTIVE_COMPARATOR")  # no experimental arm: the "comparator" is what is studied
    decisions = []
    linked_arms: list[set[str]] = []
    for item in record.interventions:
        labels = [_casefolded(label) for label in _texts(item.get("armGroupLabels"))]
        linked = [arm_types[label] for label in labels if label in arm_types]
        arms = {label for label in labels if label in arm_types}
        if not linked:
            name = _casefolded(_display_name(item))
            linked = arm_types_by_intervention.get(name, [])
            arms = {
                _casefolded(_text(arm.get("label")))
                for arm in record.arm_groups
                if name in {_casefolded(n.split(":", 1)[1] if ":" in n else n) for n in _texts(arm.get("interventionNames"))}
            }
        decisions.append(any(arm_type in counting for arm_type in linked) if linked else True)
        linked_arms.append(arms)
    if not any(decisions):
        return [True] * len(record.interventions), nothing_everywhere
    return decisions, _given_to_every_arm(linked_arms, arm_types, counting)


_CONTROL_ARM_TYPES = frozenset({"PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "ACTIVE_COMPARATOR", "NO_INTERVENTION"})


def _given_to_every_arm(linked_arms: list[set[str]], arm_types: dict[str, str], counting: set[str]) -> list[bool]:
    """Interventions given in every arm of a trial with a control arm (a DMT or supplement all
    participants stay on, "Placebo + ocrelizumab" against "Drug X + ocrelizumab"). They are
    background therapy when something else is tested in the investigational arms: that one is
    what the trial compares (decided in _read_interventions, where the findings are known)."""
    arms = set(arm_types)
    has_control = any(arm_type in _CONTROL_ARM_TYPES and arm_type not in counting for arm_type in arm_types.values())
    if len(arms) < 2 or not has_control:
        return [False] * len(linked_arms)
    return [bool(linked) and linked >= arms for linked in linked_arms]


def _rank(match: TermMatch) -> tuple[bool, bool, int]:
    return (not match.fuzzy, not match.from_pattern, len(match.normalised))


def _findings_from_matches(matches: Iterable[TermMatch], suffix: str = "") -> list[_Finding]:
    """One finding per key: the most specific entry is shown, all matched entries are kept."""
    best: dict[str, TermMatch] = {}
    entries: dict[str, set[str]] = {}
    for match in matches:
        for key in match.keys:
            entries.setdefault(key, set()).add(match.normalised)
            if key not in best or _rank(match) > _rank(best[key]):
                best[key] = match
    return [_Finding(key, best[key].matched + suffix, frozenset(entries[key]), _ENTRY) for key in best]


def _findings_for_text(normalised: str, intervention_type: str, vocabulary: Vocabulary) -> list[_Finding]:
    rules = vocabulary.rules
    if not normalised:
        return []
    if rules.imaging_agent.search(normalised):
        return [_Finding("other", "(imaging or tracer agent)", frozenset(), _DIAGNOSTIC)]
    matches = vocabulary.find(normalised)
    if intervention_type == "GENETIC":
        # Gene-modified cells and gene therapies are registered as GENETIC as often as gene
        # tests are: a named therapy ("CD19 CAR T cells", "KYV-101") is that therapy.
        genetic_therapy = [match for match in matches if not set(match.keys) <= {"non_drug", "other"}]
        if genetic_therapy and not rules.assessment.search(normalised):
            return _findings_from_matches(genetic_therapy)
    if intervention_type in _DIAGNOSTIC_TYPES:
        # A programme registered as a diagnostic test ("Serious game", "Balance training") is
        # still a programme when its name measures nothing.
        programme = [match for match in matches if set(match.keys) == {"non_drug"} and _names_a_programme(match)]
        if programme and not _measuring_words(normalised, programme, vocabulary):
            return _findings_from_matches(programme)
        return [_Finding("other", "(diagnostic test)", frozenset(), _DIAGNOSTIC)]

    therapy = [match for match in matches if set(match.keys) != {"non_drug"}]
    programme = [match for match in matches if set(match.keys) == {"non_drug"}]
    measured = _measuring_words(normalised, programme, vocabulary)
    assessment = [_Finding("other", "(assessment or sampling)", frozenset(), _DIAGNOSTIC)] if measured else []

    if intervention_type in _DRUG_LIKE_TYPES or not intervention_type:
        # A product listed as a drug is judged by the product; programme words only count alone,
        # and not beside a code name ("FHND1002 (fasting)" is an unknown product taken fasting).
        chosen = therapy or ([] if _CODE_NAME.search(normalised) else programme)
        if chosen:
            return _findings_from_matches(chosen)
        return assessment or [_Finding("other", "(unrecognised product)", frozenset(), _PLACEHOLDER)]
    if therapy:
        return _findings_from_matches(therapy + programme)
    if assessment:
        return assessment
    if programme:
        return _findings_from_matches(programme)
    if intervention_type in _NON_DRUG_DEFAULT:
        return [_Finding("non_drug", _NON_DRUG_DEFAULT[intervention_type], frozenset(), _TYPE_DEFAULT)]
    if intervention_type == "RADIATION":
        return [_Finding("other", "(radiation)", frozenset(), _TYPE_DEFAULT)]
    return [_Finding("other", "(unrecognised intervention)", frozenset(), _PLACEHOLDER)]


# "MRI-guided", "ultrasound guided": the imaging word says how a procedure is aimed.
_GUIDED = re.compile(r"\b[a-z0-9]+ guided\b")


def _measuring_words(normalised: str, programme: Sequence[TermMatch], vocabulary: Vocabulary) -> bool:
    """Does the name hold an assessment, sampling or imaging word outside the treatment words
    the vocabulary names? A named treatment containing a measuring word ("focused ultrasound",
    "MRI-guided thalamotomy") is that treatment, not a scan."""
    assessment = vocabulary.rules.assessment
    if not assessment.search(normalised):
        return False
    named = [(match.start, match.end) for match in programme if not match.from_pattern and match.end > match.start]
    text = _GUIDED.sub(lambda hit: " " * len(hit.group(0)), normalised)
    return any(
        not any(start <= hit.start() and hit.end() <= end for start, end in named) for hit in assessment.finditer(text)
    )


# Pattern labels that name a programme; the others ("exercise" from "balance", "walking or
# cycling programme" from "gait") are also the words of tests and measurements.
_PROGRAMME_LABELS = frozenset({"training", "rehabilitation", "cognitive programme", "structured programme", "behavioural intervention"})


# Digital tools carry tests as often as programmes ("DigiCog app", "Konectom smartphone").
_DIGITAL_TOOLS = frozenset({
    "app", "mobile app", "smartphone", "mobile application", "website", "web based", "online", "internet", "telehealth", "telemedicine",
})


def _names_a_programme(match: TermMatch) -> bool:
    if match.from_pattern:
        return match.matched in _PROGRAMME_LABELS or match.normalised.startswith("exercis")
    return match.normalised not in _DIGITAL_TOOLS


# A code name as normalise_text writes it: letters joined to digits ("fhnd1002", "ivl3004").
_CODE_NAME = re.compile(r"\b[a-z]{1,6}\d{2,}[a-z]?\b")


def _merge_findings(findings: Iterable[_Finding]) -> list[_Finding]:
    """Per key, a vocabulary finding wins over a fallback; entries of the same key are pooled."""
    merged: dict[str, _Finding] = {}
    for finding in findings:
        current = merged.get(finding.key)
        if current is None or (current.kind != _ENTRY and finding.kind == _ENTRY):
            merged[finding.key] = finding
        elif current.kind == _ENTRY and finding.kind == _ENTRY:
            merged[finding.key] = _Finding(current.key, current.matched, current.entries | finding.entries, _ENTRY)
    if any(finding.kind == _ENTRY for finding in merged.values()):
        return [finding for finding in merged.values() if finding.kind == _ENTRY]
    return list(merged.values())


# An intervention's own description saying every participant keeps it, whatever the arm:
# "participants remain on their stable dose of ocrelizumab", "given to all subjects".
_BACKGROUND_DESCRIPTION = re.compile(
    r"\bbackground (?:therapy|treatment|medication|dmt)\b|\bstandard of care\b|\busual care\b"
    r"|\b(?:stable|unchanged|existing|ongoing) (?:dose|doses|regimen|treatment|therapy|dmt)\b"
    r"|\b(?:remain|remains|stay|stays|continue|continues|continuing|maintained|kept) (?:on )?(?:their |his or her |the )?"
    r"(?:current|stable|usual|existing|ongoing|prescribed)\b"
    r"|\b(?:given|administered|provided|offered) to (?:all|every|each) (?:participants?|patients?|subjects?|arms?|groups?)\b"
    r"|\b(?:all|every|each|both) (?:participants?|patients?|subjects?|arms?|groups?) (?:will )?(?:receive|take|get|continue)\w*\b"
    r"|\bin (?:both|all) (?:arms|groups)\b|\bnot (?:the )?(?:study|investigational) (?:drug|product|treatment)\b"
)


def _described_product(intervention: _Intervention, description: str, vocabulary: Vocabulary) -> _Intervention:
    """An unknown product ("XYZ-101") whose own description says what kind of product it is
    ("autologous bone marrow-derived mesenchymal cells", "an oral BTK inhibitor"): the class
    words of that description decide its keys. Product names in it are not used, as a
    description often names the comparator ("matched to teriflunomide")."""
    if not description.strip() or not any(finding.kind == _PLACEHOLDER for finding in intervention.findings):
        return intervention
    normalised = normalise_text(description)
    matches = [
        match
        for match in vocabulary.find(normalised)
        if match.from_pattern and not match.fuzzy and not set(match.keys) <= {"other", "non_drug"}
    ]
    found = _findings_from_matches(matches, " [description]")
    if not found:
        found = [
            _Finding(key, f"{hit.group(0)} [description]", frozenset(), _ENTRY)
            for key, cue in vocabulary.rules.title_cues.items()
            if (hit := cue.search(normalised))
        ]
    if not found:
        return intervention
    kept = [finding for finding in intervention.findings if finding.kind != _PLACEHOLDER]
    return intervention.with_findings(kept + found)


def _read_interventions(record: _Record, vocabulary: Vocabulary) -> list[_Intervention]:
    """The interventions that may count. Those given in every arm, or described as what every
    participant keeps, are background when something else non-diagnostic is tested."""
    interventions = []
    background = []
    decisions, in_every_arm = _arm_decisions(record)
    for item, counts, everywhere in zip(record.interventions, decisions, in_every_arm):
        if not counts:
            continue
        intervention = _read_intervention(
            _display_name(item), _text(item.get("type")).strip().upper(), tuple(_texts(item.get("otherNames"))), vocabulary
        )
        if intervention is not None:
            intervention = _described_product(intervention, _text(item.get("description")), vocabulary)
            interventions.append(intervention)
            background.append(everywhere or bool(_BACKGROUND_DESCRIPTION.search(_casefolded(_text(item.get("description"))))))
    if any(background) and not all(background):
        tested = [intervention for intervention, given_to_all in zip(interventions, background) if not given_to_all]
        if _counts(tested):
            return tested
    return interventions


@lru_cache(maxsize=16384)
def _read_intervention(
    name: str, intervention_type: str, other_names: tuple[str, ...], vocabulary: Vocabulary
) -> _Intervention | None:
    """One intervention as the classifier sees it, or None when nothing of it may count.

    A pure function of these fields (the _Intervention is immutable), and the same entries
    ("Placebo", "Ocrelizumab") recur across many studies, so answers are remembered."""
    kept, placebo_partner = _without_comparators(name, vocabulary)
    kept_normalised = normalise_text(kept)
    if not kept_normalised:
        return None
    texts = [kept]
    if kept == name:  # other names describe the same product; a comparator's are not needed
        texts += [other for other in other_names if not _is_comparator(normalise_text(other), vocabulary)]
    findings = _merge_findings(
        finding for text in texts for finding in _findings_for_text(normalise_text(text), intervention_type, vocabulary)
    )
    return _Intervention(name, intervention_type, kept_normalised, tuple(findings), placebo_partner)


def _counts(interventions: Iterable[_Intervention]) -> bool:
    """Does anything other than diagnostics remain?"""
    return any(finding.kind != _DIAGNOSTIC for intervention in interventions for finding in intervention.findings)


def _without_products(interventions: list[_Intervention], products: set[str], keys: set[str] = frozenset()) -> list[_Intervention]:
    """Remove findings for the given products, or of the given keys (background or comparator
    drugs, matched by name or, when their class differs from the tested drug's, by class, so
    that "Rebif" is recognised in "treated with interferon beta-1a"). Unchanged if that would
    leave the trial with nothing tested."""
    if not products and not keys:
        return interventions
    result = []
    for intervention in interventions:
        remaining = [
            finding
            for finding in intervention.findings
            if not (finding.kind == _ENTRY and (finding.entries & products or finding.key in keys))
        ]
        if remaining:
            result.append(intervention.with_findings(remaining))
    return result if _counts(result) else interventions


def _is_support_only(intervention: _Intervention, support_entries: frozenset[str], text_hit: bool) -> bool:
    """Every vocabulary finding is support medication, and there is at least one such sign."""
    entry_findings = [finding for finding in intervention.findings if finding.kind == _ENTRY]
    if any(not finding.entries or not finding.entries <= support_entries for finding in entry_findings):
        return False
    return bool(entry_findings) or text_hit


def _without_support(
    interventions: list[_Intervention],
    support_entries: frozenset[str],
    text_hit: Callable[[_Intervention], bool],
    alongside: frozenset[str],
) -> list[_Intervention]:
    """Drop premedication or conditioning when the trial gives a therapy of `alongside` keys."""
    # Most trials list no support medication: then nothing below would drop or change a finding.
    if (
        all(intervention.findings for intervention in interventions)
        and not any(finding.entries and finding.entries <= support_entries for i in interventions for finding in i.findings)
        and not any(text_hit(intervention) for intervention in interventions)
    ):
        return interventions
    support_only = [_is_support_only(intervention, support_entries, text_hit(intervention)) for intervention in interventions]
    anchored = any(
        not only and any(finding.key in alongside and finding.kind == _ENTRY for finding in intervention.findings)
        for intervention, only in zip(interventions, support_only)
    )
    if not anchored:
        return interventions
    result = []
    for intervention, only in zip(interventions, support_only):
        if only:
            continue
        remaining = [finding for finding in intervention.findings if not (finding.entries and finding.entries <= support_entries)]
        if remaining:
            result.append(intervention.with_findings(remaining))
    return result


def _is_product(match: TermMatch) -> bool:
    """A therapy product named in a title; describing words and near misses are not."""
    return bool(match.normalised) and not match.fuzzy and not match.descriptor and set(match.keys) != {"non_drug"}


def _title_roles(titles: Sequence[str], phrase: WordPatterns, vocabulary: Vocabulary) -> list[tuple[dict, dict, str]]:
    """For each occurrence of `phrase` in a title: the products named before it, those named
    after it up to the end of that clause (normalised entry -> keys), and the title text
    before it."""
    roles = []
    for title in titles:
        roles.extend(_roles_in_title(title, phrase, vocabulary))
    return roles


@lru_cache(maxsize=16384)
def _roles_in_title(title: str, phrase: WordPatterns, vocabulary: Vocabulary) -> tuple[tuple[dict, dict, str], ...]:
    """_title_roles of one title: a pure function of the title, asked once per role phrase for
    every record without arm groups, so answers are remembered (callers only read the dicts)."""
    normalised = normalise_text(title)
    if not normalised or not phrase.search(normalised):
        return ()
    roles = []
    products = [match for match in vocabulary.find(normalised) if _is_product(match)]
    for occurrence in phrase.finditer(normalised):
        clause_end = _TITLE_CLAUSE_END.search(normalised, occurrence.end())
        stop = clause_end.start() if clause_end else len(normalised)
        before = {match.normalised: match.keys for match in products if match.end <= occurrence.end()}
        after = {
            match.normalised: match.keys
            for match in products
            if occurrence.end() <= match.start and match.end <= stop and match.normalised not in before
        }
        roles.append((before, after, normalised[: occurrence.start()]))
    return tuple(roles)


def _keys_of(products: Mapping[str, tuple[str, ...]]) -> set[str]:
    return {key for keys in products.values() for key in keys}


def _apply_arm_text_roles(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Records with arm groups: arm types already set comparators apart, but an add-on given
    inside one experimental arm ("Ibudilast added to ongoing interferon beta") is only told
    apart by words. The titles and each investigational arm's label and description are read
    for background phrases, as the titles are for records without arm groups."""
    texts = record.titles[:2] + [
        f"{_text(arm.get('label'))} {_text(arm.get('description'))}"
        for arm in record.arm_groups
        if _text(arm.get("type")).strip().upper() in _INVESTIGATIONAL_ARM_TYPES
    ]
    return _unless_only_a_vaccine_challenge_is_left(
        record, interventions, _without_background_named_in(texts, interventions, vocabulary), vocabulary)


def _unless_only_a_vaccine_challenge_is_left(
        record: _Record, interventions: list[_Intervention], result: list[_Intervention], vocabulary: Vocabulary,
) -> list[_Intervention]:
    """"Response to influenza vaccine in patients on teriflunomide": in an interventional trial
    that lists the DMT the titles name, the phrase names the therapy whose effect on the vaccine
    response is studied, not a background beside a tested product. When removing it
    would leave only vaccines, it stays (the vaccines are then dropped as the challenge, see
    _without_vaccine_challenge)."""
    if result is interventions or record.study_type == "OBSERVATIONAL" or not result:
        return result
    if not all(_is_vaccine(intervention) for intervention in result):
        return result
    listed_dmt_keys = {
        finding.key for intervention in interventions for finding in intervention.findings if finding.key in _APPROVED_DMT_KEYS}
    title_keys = {finding.key for finding in _title_findings(record, vocabulary, drugs=True, programmes=False, cues=False)}
    return interventions if listed_dmt_keys & title_keys else result


def _unknown_product_finder(interventions: list[_Intervention]) -> Callable[[str], bool]:
    """Whether a text names one of the listed products the vocabulary does not know ("Montelukast",
    "IVL3004"), as whole words."""
    unknown_products = [
        f" {intervention.normalised} "
        for intervention in interventions
        if intervention.normalised and any(finding.kind == _PLACEHOLDER for finding in intervention.findings)
    ]

    def names_unknown_product(text: str) -> bool:
        padded = f" {text} "
        return any(name in padded for name in unknown_products)

    return names_unknown_product


def _without_background_named_in(texts: Sequence[str], interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Remove the products that a background phrase ("added to", "in patients treated with")
    introduces in these texts, unless that would leave nothing tested."""
    names_unknown_product = _unknown_product_finder(interventions)

    background: set[str] = set()
    background_keys: set[str] = set()
    for tested, named_after, text_before in _title_roles(texts, vocabulary.rules.background_title, vocabulary):
        if not tested and named_after and names_unknown_product(text_before):
            # "Montelukast ... in patients receiving Tecfidera": the listed "dimethyl fumarate"
            # is the same background drug under another name, so its class goes too.
            background_keys |= _keys_of(named_after) - {"other"}
        if named_after:
            # "Cognitive training in adults treated with fingolimod": the tested programme is
            # no product, yet the drug after the phrase is still the background therapy. Then
            # only that drug is removed, not its whole class.
            background |= set(named_after)
            if tested:
                background_keys |= _keys_of(named_after) - _keys_of(tested)
    return _without_products(interventions, background, background_keys)


# A title about the side effects of a therapy ("skin reactions from glatiramer acetate
# injections", "mitoxantrone-induced cardiotoxicity", "fumarate-related GI symptoms") tests
# what relieves or prevents them; the therapy causing them is given to everyone.
_HARM_WORDS = r"(?:\w*toxicity|symptoms?|reactions?|side effects?|adverse \w+|flushing|intolerance|lymphopenia|pain)"
_HARM_AFTER_PRODUCT = re.compile(rf"^ (?:\w+ ){{0,2}}?(?:induced|related|associated)(?: \w+){{0,3}}? {_HARM_WORDS}\b")
_HARM_BEFORE_PRODUCT = re.compile(
    rf"\b(?:{_HARM_WORDS} (?:from|to|of|with|after|caused by)|(?:prior to|before) (?:\w+ )?injections? of)(?: \w+){{0,2}}? $"
)
# Both patterns need a harm word or "injection": a title with none of these substrings is not
# searched for products (most titles; finding the products in every title was a third of the
# classifier's time). Substrings, not a regex: `\w*toxicity` tried at every position is slow.
_HARM_HINTS = ("toxicity", "symptom", "reaction", "side effect", "adverse", "flushing", "intolerance",
               "lymphopenia", "pain", "injection")


def _without_side_effect_source(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Remove the disease-modifying therapy whose side effects the titles say are studied; what
    is left of an intervention naming it ("Warm compress prior to injection of glatiramer",
    "Dexrazoxane plus mitoxantrone") is read again on its own. Unchanged if nothing would count."""
    sources: set[str] = set()
    source_keys: set[str] = set()
    for title in record.titles[:2]:
        normalised = normalise_text(title)
        if not normalised or not any(hint in normalised for hint in _HARM_HINTS):
            continue
        for match in vocabulary.find(normalised):
            if not _is_product(match) or not set(match.keys) <= _APPROVED_DMT_KEYS:
                continue
            if _HARM_AFTER_PRODUCT.search(normalised[match.end :]) or _HARM_BEFORE_PRODUCT.search(normalised[: match.start]):
                sources.add(match.normalised)
                source_keys |= set(match.keys)
    if not sources:
        return interventions
    # The titles may use a brand ("Copaxone") for the listed generic ("glatiramer acetate").
    named_in_list = any(finding.entries & sources for i in interventions for finding in i.findings)

    def is_source(finding: _Finding) -> bool:
        return finding.kind == _ENTRY and bool(finding.entries & sources if named_in_list else finding.key in source_keys)

    result = []
    for intervention in interventions:
        source_findings = [finding for finding in intervention.findings if is_source(finding)]
        if not source_findings:
            result.append(intervention)
            continue
        kept = [finding for finding in intervention.findings if not is_source(finding)]
        if not kept:
            remainder = f" {intervention.normalised} "
            for entry in sorted({entry for finding in source_findings for entry in finding.entries}, key=len, reverse=True):
                remainder = remainder.replace(f" {entry} ", " ")
            words = [word for word in remainder.split() if word not in _FUNCTION_WORDS and word not in _COMBINING_WORDS]
            kept = _findings_for_text(" ".join(words), intervention.type, vocabulary) if words else []
        if kept:
            result.append(intervention.with_findings(kept))
    return result if _counts(result) else interventions


_COMBINING_WORDS = frozenset({"plus", "with", "and", "or", "in", "combination", "combined", "injection", "injections"})


def _apply_title_roles(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Records without arm groups: remove background therapy and active comparators named as
    such in the titles, and the probe drugs of interaction studies."""
    rules = vocabulary.rules
    titles = record.titles[:2]

    # A listed product the vocabulary does not know ("Montelukast", "IVL3004"), named in a title
    # before a role phrase, is the product tested there.
    names_unknown_product = _unknown_product_finder(interventions)

    interventions = _unless_only_a_vaccine_challenge_is_left(
        record, interventions, _without_background_named_in(titles, interventions, vocabulary), vocabulary)
    interventions = _without_named_controls(titles, interventions, vocabulary)
    interventions = _without_dmt_beside_placebo_add_on(record, interventions, vocabulary)
    interventions = _without_double_dummy_reference(record, interventions, vocabulary)
    interventions = _without_unnamed_reference_dmts(record, interventions, vocabulary)

    comparators: set[str] = set()
    comparator_only_keys: set[str] = set()
    comparisons = []
    for tested, named_after, text_before in _title_roles(titles, rules.comparator_title, vocabulary):
        if not named_after:
            continue
        if tested:
            comparisons.append((tested, named_after))
        elif names_unknown_product(text_before):
            # "IVL3004 versus Vivitrol": a new product the vocabulary does not know is what is
            # tested, and the named product it is compared with is the reference, whatever its class.
            comparators |= set(named_after)
    if comparisons:  # most titles compare nothing: only then are the design signals read
        design_signal = any(rules.comparator_design.search(normalise_text(title)) for title in titles)
        placebo_names = [
            f" {normalise_text(_display_name(item))} "
            for item in record.interventions
            if _names_placebo(normalise_text(_display_name(item)), vocabulary)
        ]
    for tested, named_after in comparisons:
        tested_keys, comparator_keys = _keys_of(tested), _keys_of(named_after)
        # "Placebo to match teriflunomide": a double-dummy design with teriflunomide as control.
        # A placebo listed beside two drugs of different classes compared in a title ("X vs
        # teriflunomide", "Placebo") blinds that comparison: the drug named second is the control.
        dummy_matched = any(f" {entry} " in name for entry in named_after for name in placebo_names) or (
            bool(placebo_names) and not comparator_keys & tested_keys
        )
        # Without a design word, only a new kind of treatment tested against an established
        # DMT is read as active-controlled; DMT against DMT is a head-to-head comparison.
        new_against_standard = (
            comparator_keys <= _APPROVED_DMT_KEYS
            and not tested_keys <= _APPROVED_DMT_KEYS
            and not comparator_keys & tested_keys
        )
        if design_signal or dummy_matched or new_against_standard:
            comparators |= set(named_after)
            comparator_only_keys |= comparator_keys - tested_keys
        elif (
            tested_keys <= _APPROVED_DMT_KEYS
            and not comparator_keys <= _APPROVED_DMT_KEYS
            and not comparator_keys & tested_keys
        ):
            # "Ocrelizumab or alemtuzumab compared with aHSCT": named the other way round, the
            # established DMTs are still the reference for the new kind of treatment.
            comparators |= set(tested)
            comparator_only_keys |= tested_keys - comparator_keys
    interventions = _without_products(interventions, comparators, comparator_only_keys)

    if any(rules.interaction_title.search(normalise_text(title)) for title in titles):
        def studied(intervention: _Intervention) -> bool:
            return any(finding.key not in _PROBE_KEYS | {"non_drug"} for finding in intervention.findings if finding.kind == _ENTRY)

        if any(studied(intervention) for intervention in interventions):
            interventions = [
                intervention
                for intervention in interventions
                if studied(intervention) or not {finding.key for finding in intervention.findings} <= _PROBE_KEYS
            ]
    return interventions


_WORD_BEFORE_CONTROLLED = re.compile(r"(?:^|\s)(\w+) controlled\b")
_DESIGN_WORDS = frozenset({
    "placebo", "sham", "vehicle", "saline", "active", "randomized", "randomised", "randomly", "blind", "blinded", "single",
    "double", "triple", "quasi", "non", "self", "a", "and", "group", "study", "trial", "multicenter", "multicentre",
    "center", "centre", "prospective", "parallel", "crossover", "pilot", "open", "label", "clinical",
})


def _without_named_controls(titles: Sequence[str], interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Records without arm groups: an established DMT a title names as the control of the design
    ("Placebo and Avonex controlled study of ocrelizumab", "an interferon beta-1a-controlled
    trial") is the comparator, not what is tested. Unchanged if nothing else would count."""
    controls: set[str] = set()
    for title in titles:
        if "ontrolled" not in title and "ONTROLLED" not in title:  # cheap: most titles are not controlled
            continue
        normalised = normalise_text(title)
        # Most titles are not controlled by a product ("placebo controlled", "randomized controlled"):
        # only a title where another word comes before "controlled" is searched for products.
        if " controlled" not in normalised or all(
            hit.group(1) in _DESIGN_WORDS for hit in _WORD_BEFORE_CONTROLLED.finditer(normalised)
        ):
            continue
        for match in vocabulary.find(normalised):
            if _is_product(match) and set(match.keys) <= _APPROVED_DMT_KEYS and normalised.startswith(" controlled", match.end):
                controls.add(match.normalised)
    return _without_products(interventions, controls) if controls else interventions


def _without_dmt_beside_placebo_add_on(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Records without arm groups that list a placebo, a new drug of another class and an
    approved DMT ("Estriol", "Placebo", "Copaxone"): the placebo stands in for the new drug, so
    the DMT is either background therapy every arm receives or the reference arm. Either way it
    is not what is tested."""
    if not any(_names_placebo(normalise_text(_display_name(item)), vocabulary) for item in record.interventions):
        return interventions

    def entry_keys(intervention: _Intervention) -> set[str]:
        return {finding.key for finding in intervention.findings if finding.kind == _ENTRY}

    dmt_only = [intervention for intervention in interventions if entry_keys(intervention) and entry_keys(intervention) <= _APPROVED_DMT_KEYS]
    if not dmt_only:
        return interventions
    placebo_names = [
        f" {name} " for item in record.interventions
        if _names_placebo(name := normalise_text(_display_name(item)), vocabulary)
    ]

    def matched_by_placebo(intervention: _Intervention) -> bool:
        return bool(intervention.normalised) and any(f" {intervention.normalised} " in name for name in placebo_names)

    # "Placebo (for fish oil)": the placebo names what it stands in for, so that product is
    # tested, whatever its class, and a DMT no placebo stands in for is what every arm takes.
    partner_tested = any(matched_by_placebo(i) and i not in dmt_only and i.findings for i in interventions)
    if partner_tested and (unmatched := [i for i in dmt_only if not matched_by_placebo(i)]):
        products = {entry for intervention in unmatched for finding in intervention.findings for entry in finding.entries}
        return _without_products(interventions, products)
    # A new drug that is itself disease-modifying (a BTK inhibitor beside teriflunomide) makes a
    # head-to-head design, where both count, unless the titles call the design active-controlled
    # ("an active-controlled study of BIIB091 alone or with DRF"): then the DMT of another class
    # is the control.
    design_signal = any(vocabulary.rules.comparator_design.search(normalise_text(title)) for title in record.titles[:2])
    dmt_keys = {key for intervention in dmt_only for key in entry_keys(intervention)}
    new_drug = any(
        entry_keys(intervention) - {"non_drug", "other"}
        and (not entry_keys(intervention) & _APPROVED_DMT_KEYS or (design_signal and not entry_keys(intervention) & dmt_keys))
        for intervention in interventions
    )
    if not dmt_only or not new_drug:
        return interventions
    products = {entry for intervention in dmt_only for finding in intervention.findings for entry in finding.entries}
    return _without_products(interventions, products)


_EXTENSION_TITLE = re.compile(
    r"\bextension\b|\brollover\b|\broll over\b|\blong term follow ?up\b|\bparent (?:stud\w*|trials?)\b|\bcore stud\w*"
)


def _dmt_only(intervention: _Intervention) -> bool:
    keys = {finding.key for finding in intervention.findings if finding.kind == _ENTRY}
    return bool(keys) and keys <= _APPROVED_DMT_KEYS


# Design words that make a listed DMT the control; "non-inferiority" is left out, as strategy
# trials ("maintenance versus de-escalation") use it too.
_ACTIVE_CONTROL_DESIGN = re.compile(r"\bdouble dummy\b|\bactive (?:control\w*|comparator)\b|\bactive reference\b")


def _without_unnamed_reference_dmts(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Titles name the drug a trial is about. An established DMT they do not name, listed
    beside a drug they do name, is a reference: the parent trials' comparator in an extension
    study ("Long-term extension of tolebrutinib" listing "Teriflunomide"), a comparison cohort
    ("Pregnancy outcomes in women exposed to diroximel fumarate" listing five other DMTs),
    premedication or the therapy participants already take, or the control of an
    active-controlled design. The drug named may be a new product the vocabulary does not know
    ("XYZ-123"). Titles that compare strategies ("maintenance versus de-escalation") name the
    arms by other words, so there the listed DMTs stay, unless the study is an extension or the
    titles call it active-controlled."""
    if len(interventions) < 2 or not any(_dmt_only(intervention) for intervention in interventions):
        return interventions
    rules = vocabulary.rules
    titles = [normalise_text(title) for title in record.titles[:2]]
    if (
        any(rules.comparator_title.search(title) for title in titles)
        and not any(_EXTENSION_TITLE.search(title) or _ACTIVE_CONTROL_DESIGN.search(title) for title in titles)
    ):
        return interventions
    title_words = set(" ".join(titles).split())
    padded_titles = [f" {title} " for title in titles]

    def named_in_title(intervention: _Intervention) -> bool:
        if any(entry and set(entry.split()) <= title_words for finding in intervention.findings for entry in finding.entries):
            return True
        # an unknown product, by its whole listed name
        return (
            any(finding.kind == _PLACEHOLDER for finding in intervention.findings)
            and bool(intervention.normalised)
            and not _is_bare_label(intervention.normalised, vocabulary)
            and any(f" {intervention.normalised} " in title for title in padded_titles)
        )

    unnamed_dmts = [intervention for intervention in interventions if _dmt_only(intervention) and not named_in_title(intervention)]
    if not unnamed_dmts:
        return interventions
    named = [intervention for intervention in interventions if named_in_title(intervention)]
    if not any(finding.kind in (_ENTRY, _PLACEHOLDER) for intervention in named for finding in intervention.findings):
        return interventions
    # A DMT of a class the titles name is that drug under another name ("Copaxone" for
    # "glatiramer"), or a head-to-head partner of the same class: not a reference of another kind.
    title_keys = {key for title in titles for match in vocabulary.find(title) if _is_product(match) for key in match.keys}
    references = {
        entry
        for intervention in unnamed_dmts
        if not {finding.key for finding in intervention.findings} & title_keys
        for finding in intervention.findings
        for entry in finding.entries
    }
    return _without_products(interventions, references)


def _without_double_dummy_reference(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Records without arm groups listing two or more placebos ("Oral placebo", "IV placebo"):
    a double-dummy design, where an established anti-inflammatory DMT beside a drug of another
    class is the reference arm, not what is tested."""
    placebos = {
        normalise_text(_display_name(item))
        for item in record.interventions
        if _names_placebo(normalise_text(_display_name(item)), vocabulary)
    }
    if len(placebos) < 2:
        return interventions

    def entry_keys(intervention: _Intervention) -> set[str]:
        return {finding.key for finding in intervention.findings if finding.kind == _ENTRY}

    reference = [intervention for intervention in interventions if entry_keys(intervention) == {"anti_inflammatory"}]
    other_class = any(entry_keys(intervention) - {"anti_inflammatory", "non_drug", "other"} for intervention in interventions)
    products = {entry for intervention in reference for finding in intervention.findings for entry in finding.entries}
    # Two DMTs of that class (a new S1P modulator against fingolimod) cannot be told apart here.
    if len(products) != 1 or not other_class:
        return interventions
    return _without_products(interventions, products)


def _title_findings(record: _Record, vocabulary: Vocabulary, *, drugs: bool, programmes: bool, cues: bool) -> list[_Finding]:
    """Keys the titles reveal for a bare intervention label (or for a record listing none)."""
    title_text = " ".join(normalise_text(title) for title in record.titles[:2])
    matches = [match for match in vocabulary.find(title_text) if not match.fuzzy and not match.descriptor] if title_text else []
    if drugs:
        found = _findings_from_matches(
            [match for match in matches if not set(match.keys) <= {"other", "non_drug"}], " [title]"
        )
        if found:
            return found
    if programmes:
        found = _findings_from_matches([match for match in matches if set(match.keys) == {"non_drug"}], " [title]")
        if found:
            return found
    if cues:
        # A condition names the disease studied, not the product: "Hematopoietic and Lymphoid Cell
        # Neoplasm" or "Stromal tumour" says nothing about a cell product, so cancers are left out.
        cue_text = " ".join([title_text] + [
            normalised for condition in record.conditions
            if not _CANCER_WORDS.search(normalised := normalise_text(condition))])
        found = []
        for key, cue in vocabulary.rules.title_cues.items():
            hit = cue.search(cue_text)
            if hit:
                found.append(_Finding(key, f"{hit.group(0)} [title]", frozenset(), _ENTRY))
        if found or not record.keywords:
            return found
        # Keywords are loose tags: they describe the product only when they point one way
        # ("Remyelination", "Mesenchymal stem cells"), not when they list several mechanisms or
        # call the participants "symptomatic".
        keyword_text = _PARTICIPANT_SYMPTOM_WORDS.sub(" ", " ; ".join(normalise_text(keyword) for keyword in record.keywords))
        from_keywords = []
        for key, cue in vocabulary.rules.title_cues.items():
            hit = cue.search(keyword_text)
            if hit:
                from_keywords.append(_Finding(key, f"{hit.group(0)} [keywords]", frozenset(), _ENTRY))
        return from_keywords if len(from_keywords) == 1 else []
    return []


_CANCER_WORDS = re.compile(
    r"\bneoplas\w*|\bmalignan\w*|\bcancers?\b|\btumou?rs?\b|\bleuka?emi\w*|\blymphomas?\b|\bmyelomas?\b"
    r"|\bcarcinoma\w*|\bsarcomas?\b|\bmetasta\w*|\bmyelodysplas\w*"
)
_PARTICIPANT_SYMPTOM_WORDS = re.compile(r"\b(?:a|pre|pauci)?symptomatic\b")


_REPAIR_AND_PROTECTION_KEYS = frozenset(
    {"remyelination", "mitochondrial", "sodium_channel", "neuroprotection_other", "astrocyte", "microglia", "ibudilast"}
)


def _title_repair_classes(record: _Record, vocabulary: Vocabulary) -> list[_Finding]:
    """Drug classes of repair and neuroprotection the titles name in words ("an M1 muscarinic
    antagonist", "a beta-2 agonist", "a sodium channel blocker"), not product names."""
    title_text = " ; ".join(normalise_text(title) for title in record.titles[:2])
    if not title_text:
        return []
    matches = [
        match
        for match in vocabulary.find(title_text)
        if match.from_pattern and not match.fuzzy and set(match.keys) <= _REPAIR_AND_PROTECTION_KEYS
    ]
    return _findings_from_matches(matches, " [title]")


def _resolve_placeholders(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    if record.study_type == "OBSERVATIONAL":
        return interventions
    result = []
    for intervention in interventions:
        if not any(finding.kind == _PLACEHOLDER for finding in intervention.findings):
            result.append(intervention)
            continue
        drug_like = intervention.type in _DRUG_LIKE_TYPES or not intervention.type
        if _is_bare_label(intervention.normalised, vocabulary):
            replacement = _title_findings(record, vocabulary, drugs=True, programmes=True, cues=drug_like)
        elif drug_like:
            # An unknown product: a drug the title names is more likely background or
            # comparator than this product, so only the title's description of its purpose is used,
            # then the drug classes of repair and neuroprotection it names ("ABC-12, an M1
            # antagonist"): those are not the classes of background or comparator drugs.
            replacement = _title_findings(record, vocabulary, drugs=False, programmes=False, cues=True)
            replacement = replacement or _title_repair_classes(record, vocabulary)
        else:
            replacement = _title_findings(record, vocabulary, drugs=False, programmes=True, cues=False)
        if replacement:
            kept = [finding for finding in intervention.findings if finding.kind != _PLACEHOLDER]
            intervention = intervention.with_findings(kept + replacement)
        result.append(intervention)
    return result


def _add_transplant_from_title(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Trials listing only the conditioning regimen of a transplant or CAR-T treatment: the
    titles name the treatment, which becomes the cell_therapy finding."""
    rules = vocabulary.rules
    if any(finding.key == "cell_therapy" for intervention in interventions for finding in intervention.findings):
        return interventions
    for index, intervention in enumerate(interventions):
        text_hit = _names_conditioning(intervention.normalised, vocabulary)
        if not _is_support_only(intervention, rules.conditioning.normalised_terms, text_hit):
            continue
        for title in record.titles[:2]:
            hit = rules.transplant_title.search(normalise_text(title))
            if hit:
                transplant = _Finding("cell_therapy", f"{hit.group(0)} [title]", frozenset(), _ENTRY)
                updated = list(interventions)
                updated[index] = intervention.with_findings(intervention.findings + (transplant,))
                return updated
    return interventions


_TRANSPLANT_WORD = re.compile(r"\btransplant\w*|\bgraft\w*|\bengraft\w*")


def _transplant_named_by_title(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A transplant the vocabulary does not know ("Transplantation", "Autologous graft
    infusion", a procedure known only by its type) is the cell therapy the titles name
    ("Autologous haematopoietic transplantation in aggressive MS")."""
    def unnamed_transplant(intervention: _Intervention) -> bool:
        return bool(_TRANSPLANT_WORD.search(intervention.normalised)) and not any(
            finding.kind == _ENTRY for finding in intervention.findings
        )

    if not any(unnamed_transplant(intervention) for intervention in interventions):
        return interventions
    title_cells = [
        finding
        for finding in _title_findings(replace(record, conditions=[]), vocabulary, drugs=True, programmes=False, cues=False)
        if finding.key == "cell_therapy"
    ]
    if not title_cells:
        return interventions
    return [
        intervention.with_findings(title_cells) if unnamed_transplant(intervention) else intervention
        for intervention in interventions
    ]


def _add_car_t_targets(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A CAR-T product named without its target is a B-cell therapy when the titles or
    keywords say it targets CD19, CD20 or BCMA."""
    rules = vocabulary.rules
    if not any(finding.key == "cell_therapy" for intervention in interventions for finding in intervention.findings):
        return interventions
    context = " ".join(normalise_text(text) for text in record.titles[:2] + record.keywords)
    target = rules.b_cell_target_title.search(context)
    if not target:
        return interventions
    result = []
    for intervention in interventions:
        keys = {finding.key for finding in intervention.findings}
        if "cell_therapy" in keys and "b_cell" not in keys and rules.car_t.search(intervention.normalised):
            intervention = intervention.with_findings(
                intervention.findings + (_Finding("b_cell", f"{target.group(0)} [title]", frozenset(), _ENTRY),)
            )
        result.append(intervention)
    return result


def _mechanism_evidence(record: _Record, vocabulary: Vocabulary) -> dict[str, list[dict[str, str]]]:
    rules = vocabulary.rules
    if not record.interventions:
        return _evidence_without_interventions(record, vocabulary)

    interventions = _read_interventions(record, vocabulary)
    if not interventions and record.study_type != "OBSERVATIONAL":
        # Only the control is listed ("Treatment as usual"): the titles name what is tested.
        probe = replace(record, conditions=[])
        found = _title_findings(probe, vocabulary, drugs=True, programmes=True, cues=False)
        if found:
            return _assemble([_Intervention(record.titles[0], "", "", tuple(found))])
    interventions = _without_probe_cocktail(interventions)
    interventions = _add_car_t_targets(record, interventions, vocabulary)

    # "X with placebo" puts X in the control arm: X is background wherever else it appears.
    background = {entry for i in interventions if i.placebo_partner for f in i.findings for entry in f.entries}
    if background:
        partners = [intervention for intervention in interventions if not intervention.placebo_partner]
        without_background = _without_products(partners, background)
        if without_background is not partners:
            interventions = without_background

    interventions = _add_transplant_from_title(record, interventions, vocabulary)
    interventions = _transplant_named_by_title(record, interventions, vocabulary)
    interventions = _without_support(
        interventions,
        rules.conditioning.normalised_terms,
        lambda intervention: _names_conditioning(intervention.normalised, vocabulary),
        rules.conditioning_dropped_alongside,
    )
    interventions = _without_support(
        interventions, rules.supportive.normalised_terms, lambda intervention: False, rules.supportive_dropped_alongside
    )
    if not record.arm_groups:
        interventions = _apply_title_roles(record, interventions, vocabulary)
    else:
        interventions = _apply_arm_text_roles(record, interventions, vocabulary)
    interventions = _without_side_effect_source(record, interventions, vocabulary)
    interventions = _resolve_placeholders(record, interventions, vocabulary)
    interventions = _without_unrecognised_co_interventions(record, interventions)
    interventions = _without_unnamed_co_interventions(record, interventions)
    interventions = _symptom_tested(record, interventions, vocabulary)
    interventions = _other_product_tested_for_symptom(record, interventions, vocabulary)
    interventions = _disease_course_tested(record, interventions, vocabulary)
    interventions = _symptom_drug_among_disease_drugs(record, interventions, vocabulary)
    interventions = _other_product_tested_for_repair(record, interventions, vocabulary)
    interventions = _hormone_tested_for_repair(record, interventions)
    interventions = _add_combination_partner_from_title(record, interventions, vocabulary)
    interventions = _diagnostic_devices(record, interventions)
    interventions = _treatment_named_by_title(record, interventions, vocabulary)
    interventions = _generic_dmt_in_context(record, interventions)
    interventions = _without_delivery_devices(record, interventions, vocabulary)
    interventions = _without_unnamed_dmt_beside_named_add_on(record, interventions, vocabulary)
    interventions = _without_vaccine_challenge(record, interventions, vocabulary)
    interventions = _side_effect_relief_tested(record, interventions, vocabulary)
    return _assemble(interventions)


# A DMT's side effect named as what a trial studies: injection-site and skin reactions, infusion
# reactions, gastrointestinal tolerability, flu-like symptoms, flushing.
_SIDE_EFFECT_STUDIED = re.compile(
    r"\binjection (?:site|related)\b|\bskin reactions?\b|\berythema\b|\binfusion (?:related )?reactions?\b|\birrs?\b"
    r"|\bgastrointestinal (?:tolerability|symptoms?|adverse)|\bgi (?:tolerability|symptoms?|adverse)\b|\bflu like\b|\bflushing\b")


def _side_effect_relief_tested(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A product the vocabulary files under `other` (or does not know) that a trial tests
    against a DMT's side effect its titles name ("Montelukast on gastrointestinal tolerability in
    patients receiving Tecfidera", "cetirizine vs diphenhydramine prior to ocrelizumab: infusion
    reactions", "Preparation H on erythema ... treated with Plegridy") treats a symptom: it is
    `symptomatic`, and the DMT whose side effect it eases is background. A trial comparing DMT
    formulations for tolerability lists no such product and is left alone."""
    def relief_product(intervention: _Intervention) -> bool:
        return (intervention.type in _SUPPORT_CANDIDATE_TYPES and bool(intervention.findings)
                and all(finding.key == "other" and finding.kind in (_ENTRY, _PLACEHOLDER) for finding in intervention.findings))

    if not any(relief_product(intervention) for intervention in interventions):
        return interventions
    if not any(_SIDE_EFFECT_STUDIED.search(normalise_text(title)) for title in record.titles[:2]):
        return interventions

    def names_a_dmt(intervention: _Intervention) -> bool:
        # "Rebif new formulation" left unrecognised once the DMT was read as the harm's source
        return all(finding.kind == _PLACEHOLDER for finding in intervention.findings) and any(
            set(match.keys) & _APPROVED_DMT_KEYS for match in vocabulary.find(intervention.normalised))

    relief = [relief_product(intervention) and not names_a_dmt(intervention) for intervention in interventions]
    if not any(relief):
        return interventions
    result = []
    for intervention, is_relief in zip(interventions, relief):
        if is_relief:
            intervention = intervention.with_findings(
                _Finding("symptomatic", f"{finding.matched} for a side effect [title]", finding.entries, finding.kind)
                for finding in intervention.findings)
        else:
            kept = [finding for finding in intervention.findings if finding.key not in _APPROVED_DMT_KEYS]
            if not kept:
                continue
            intervention = intervention.with_findings(kept)
        result.append(intervention)
    return result


def _without_unnamed_dmt_beside_named_add_on(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """One listed item may hold the DMT participants already take and the drug added to it
    ("interferon beta treatment to add-on atorvastatin", beside "untreated to atorvastatin"):
    when the titles name the added drug (of a key other than the DMTs') and neither name nor
    class of the DMT, the DMT is background there, as it is when listed on its own (see
    _without_unnamed_reference_dmts)."""
    def mixed(intervention: _Intervention) -> bool:
        found = {finding.key for finding in intervention.findings if finding.kind == _ENTRY}
        return bool(found & _APPROVED_DMT_KEYS) and bool(found - _APPROVED_DMT_KEYS - {"other"})

    # Most items hold one finding: decided without building any key set.
    if not any(len(intervention.findings) > 1 and mixed(intervention) for intervention in interventions):
        return interventions
    titles = [normalise_text(title) for title in record.titles[:2]]
    if any(vocabulary.rules.comparator_title.search(title) for title in titles):
        return interventions
    title_words = set(" ".join(titles).split())
    title_keys = {key for title in titles for match in vocabulary.find(title) if _is_product(match) for key in match.keys}

    def named(finding: _Finding) -> bool:
        return any(entry and set(entry.split()) <= title_words for entry in finding.entries)

    result = []
    for intervention in interventions:
        if mixed(intervention) and any(
                finding.kind == _ENTRY and finding.key not in _APPROVED_DMT_KEYS and finding.key != "other" and named(finding)
                for finding in intervention.findings):
            intervention = intervention.with_findings(
                finding for finding in intervention.findings
                if not (finding.kind == _ENTRY and finding.key in _APPROVED_DMT_KEYS
                        and not named(finding) and finding.key not in title_keys))
        result.append(intervention)
    return result


# Vaccines and neo-antigens given to measure an immune response ("Td", "23-PPV", "KLH", "mRNA-1273").
_VACCINE_NAME = re.compile(
    r"\bvaccin\w*|\btoxoids?\b|\binfluenza\b|\bkeyhole limpet\b|\bklh\b|\bneo ?antigens?\b|\bbnt162\w*"
    r"|\bmrna ?\d+|\bpcv\d*\b|\bppsv?\d*\b|\bppv\d*\b|\bcov ?2\b|\bad26\b|\bcovid\w*|\bsars cov\w*")


def _is_vaccine(intervention: _Intervention) -> bool:
    return (bool(intervention.findings) and all(finding.key == "other" for finding in intervention.findings)
            and bool(_VACCINE_NAME.search(intervention.normalised)))


def _without_vaccine_challenge(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """An interventional trial that gives an approved DMT its titles name ("Effects of Tysabri on
    vaccination response", "Ocrelizumab ... immune responses", "Ofatumumab extension" with a
    vaccine substudy) and lists vaccines or neo-antigens beside it tests the DMT: the vaccines are
    the challenge that measures what it does to immune responses, given to everyone, not a second
    product tested (`other`). Where no DMT is listed and named, or in an observational study, the
    vaccine is what the study gives and follows: it stays."""
    if record.study_type == "OBSERVATIONAL" or len(interventions) < 2:
        return interventions

    vaccines = [intervention for intervention in interventions if _is_vaccine(intervention)]
    if not vaccines or len(vaccines) == len(interventions):
        return interventions
    listed_dmt_keys = {
        finding.key for intervention in interventions for finding in intervention.findings
        if finding.kind == _ENTRY and finding.key in _APPROVED_DMT_KEYS}
    if not listed_dmt_keys:
        return interventions
    # Named by any of its names ("Tysabri" in the title, "BG00002 (natalizumab)" listed).
    title_keys = {finding.key for finding in _title_findings(record, vocabulary, drugs=True, programmes=False, cues=False)}
    if not listed_dmt_keys & title_keys:
        return interventions
    kept = [intervention for intervention in interventions if intervention not in vaccines]
    return kept if _counts(kept) else interventions


# Standard probe substrates of drug-interaction studies (one or two per enzyme or transporter).
# Three or more of them beside another product are a "cocktail" that measures how the tested
# drug changes their handling; they are not tested themselves.
_PROBE_SUBSTRATES = re.compile(
    r"\b(?:midazolam|caffeine|warfarin|omeprazole|dextromethorphan|metoprolol|digoxin|rosuvastatin|bupropion"
    r"|repaglinide|flurbiprofen|tolbutamide|debrisoquine|losartan|efavirenz|montelukast|pitavastatin|dabigatran"
    r"|fexofenadine|furosemide|ethinylestradiol|levonorgestrel|vitamin k)\b"
)


def _without_probe_cocktail(interventions: list[_Intervention]) -> list[_Intervention]:
    if len(interventions) < 4:  # three probes and the product they probe
        return interventions
    is_probe = [bool(_PROBE_SUBSTRATES.search(intervention.normalised)) for intervention in interventions]
    if sum(is_probe) < 3:
        return interventions
    others = [intervention for intervention, probe in zip(interventions, is_probe) if not probe]
    return others if _counts(others) else interventions


_SUPPORT_CANDIDATE_TYPES = _DRUG_LIKE_TYPES | {"DIETARY_SUPPLEMENT", ""}
# International nonproprietary name stems of new biologics and targeted drugs ("foralumab",
# "xyztinib", "abcimod"): an unknown name built like this is a new product under test.
_NEW_DRUG_STEM = re.compile(r"\b\w+(?:mab|cept|tinib|rutinib|imod|siran|rsen|leucel|gene|tide)\b")


def _without_unrecognised_co_interventions(record: _Record, interventions: list[_Intervention]) -> list[_Intervention]:
    """Drop an unrecognised item registered as OTHER ("PEAK", "EDI", "Peanut butter") when the
    trial also tests a recognised treatment: such items are study procedures, questionnaires or
    foods given alongside, not a second thing tested. An unknown DRUG, BIOLOGICAL or supplement
    is dropped too when it has an ordinary name, a recognised therapy other than an established
    DMT is tested, and no title names it. It stays when it is known by a code name or a
    new-drug name stem, when the titles name it, or beside an established DMT or steroid
    ("isoxsuprine with high-dose steroids", "brimonidine for peginterferon injection
    erythema"): then it is usually the new product, and the DMT the background."""
    def recognised(finding: _Finding) -> bool:
        return finding.kind in (_ENTRY, _TYPE_DEFAULT)

    if not any(recognised(finding) for intervention in interventions for finding in intervention.findings):
        return interventions
    # A recognised therapy (not a fallback for "other" or "non_drug") makes an unknown product
    # known by an ordinary name ("Norethindrone", "Calcium carbonate") a support or safety
    # medicine given alongside; an unknown code name ("ZQX-4471") is still the new product.
    therapy_keys = {
        finding.key for i in interventions for finding in i.findings if finding.kind == _ENTRY and finding.key not in ("other", "non_drug")
    }
    therapy_tested = bool(therapy_keys) and not therapy_keys & _APPROVED_DMT_KEYS
    title_words = set(" ".join(normalise_text(title) for title in record.titles[:2]).split()) if therapy_tested else set()

    def named_in_title(intervention: _Intervention) -> bool:
        return any(len(word) >= 4 and word in title_words for word in intervention.normalised.split())

    result = []
    for intervention in interventions:
        unnamed_support = (
            therapy_tested
            and intervention.type in _SUPPORT_CANDIDATE_TYPES
            and any(finding.kind == _PLACEHOLDER for finding in intervention.findings)
            and not _CODE_NAME.search(intervention.normalised)
            and not _NEW_DRUG_STEM.search(intervention.normalised)
            and not named_in_title(intervention)
        )
        if intervention.type == "OTHER" or unnamed_support:
            kept = [finding for finding in intervention.findings if finding.kind != _PLACEHOLDER]
            if not kept:
                continue
            intervention = intervention.with_findings(kept)
        result.append(intervention)
    return result


_ALONGSIDE_PRODUCT_FINDINGS = frozenset({(_ENTRY, "other"), (_PLACEHOLDER, "other")})


def _may_be_given_alongside(intervention: _Intervention) -> bool:
    """The shape of a co-intervention: an `other` or unknown supplement or drug, or a device or
    procedure known only by its type."""
    if not intervention.findings:
        return False
    if intervention.type in ("DIETARY_SUPPLEMENT", "DRUG"):
        return {(finding.kind, finding.key) for finding in intervention.findings} <= _ALONGSIDE_PRODUCT_FINDINGS
    if intervention.type in ("DEVICE", "PROCEDURE"):
        return all(finding.kind == _TYPE_DEFAULT for finding in intervention.findings)
    return False


_FUNCTION_WORDS = frozenset({"the", "and", "for", "with", "use", "using", "per", "day", "from", "into", "its", "via"})
# Titles, conditions or keywords saying that a supplement is what is given and studied.
_SUPPLEMENTING = re.compile(r"\bsupplement\w*|\bloading\b|\bintake\b|\bnutraceutical\w*|\bfortif\w*")


def _without_unnamed_co_interventions(record: _Record, interventions: list[_Intervention]) -> list[_Intervention]:
    """The titles name what a trial tests. When they name a recognised treatment listed in it
    ("Ocrelizumab in PPMS", "Aerobic exercise in MS"), a supplement the vocabulary files under
    `other` or does not know ("Vitamin D3", "Calcium", "Protein shake"), and a device or
    procedure known only by its type ("Wearable sensor", "Leukapheresis") beside a drug, that
    the titles do not name, are given alongside or are study procedures: not a second thing
    tested. Code names and new-drug stems stay (a new product), and so do vaccines and other
    biologicals (a vaccine challenge is part of what such trials study)."""
    # Most trials list no such item: decided from the findings alone, before any title is read.
    if len(interventions) < 2 or not any(_may_be_given_alongside(intervention) for intervention in interventions):
        return interventions
    title_text = " ".join(normalise_text(title) for title in record.titles[:2])
    title_words = set(title_text.split()) - _FUNCTION_WORDS
    if not title_words:
        return interventions

    def named_in_title(intervention: _Intervention) -> bool:
        if any(entry and set(entry.split()) <= title_words for finding in intervention.findings for entry in finding.entries):
            return True
        return any(len(word) >= 3 and word in title_words for word in intervention.normalised.split())

    def treatment_keys(intervention: _Intervention) -> set[str]:
        return {finding.key for finding in intervention.findings if finding.kind == _ENTRY and finding.key != "other"}

    named_treatments = [i for i in interventions if treatment_keys(i) and named_in_title(i)]
    if not named_treatments:
        return interventions
    drug_named = any(treatment_keys(i) - {"non_drug"} for i in named_treatments)
    non_dmt_named = any(treatment_keys(i) - _APPROVED_DMT_KEYS for i in named_treatments)
    supplementing = any(
        _SUPPLEMENTING.search(normalise_text(text)) for text in record.titles[:2] + record.conditions + record.keywords
    )

    def alongside(intervention: _Intervention) -> bool:
        if not _may_be_given_alongside(intervention) or named_in_title(intervention):
            return False
        if _CODE_NAME.search(intervention.normalised) or _NEW_DRUG_STEM.search(intervention.normalised):
            return False
        if intervention.type in ("DIETARY_SUPPLEMENT", "DRUG"):
            if supplementing:  # "Carnosine loading and training": the supplement is tested under another name
                return False
            # An unknown drug beside an established DMT or steroid is usually the add-on tested
            # ("potassium chloride with high-dose steroids"), the DMT background: it stays.
            return intervention.type == "DIETARY_SUPPLEMENT" or non_dmt_named
        return drug_named  # a device or procedure known only by its type

    kept = [intervention for intervention in interventions if not alongside(intervention)]
    return kept if _counts(kept) else interventions


# Devices that only give a drug ("RYAH inhaler", "autoinjector pen"): part of the drug tested.
_DELIVERY_DEVICE = re.compile(r"\b(?:inhalers?|nebuli[sz]ers?|auto ?injectors?|injector pens?|pens?|syringes?|infusion pumps?|pumps?|vapori[sz]ers?|spacers?)\b")


def _without_delivery_devices(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A device known only by its type whose name says it delivers a drug is part of that drug:
    dropped when the trial lists the drug, and given the drug's keys when only the titles name
    it ("Implantable pump system" in "Continuous intrathecal baclofen infusion for spasticity")."""
    def is_delivery(intervention: _Intervention) -> bool:
        return (
            intervention.type.upper() == "DEVICE"
            and bool(_DELIVERY_DEVICE.search(normalise_text(intervention.name)))
            and all(finding.kind == _TYPE_DEFAULT for finding in intervention.findings)
        )

    if not any(is_delivery(intervention) for intervention in interventions):
        return interventions
    drug_tested = any(finding.kind == _ENTRY and finding.key not in ("non_drug", "other") for i in interventions for finding in i.findings)
    if drug_tested:
        return [intervention for intervention in interventions if not is_delivery(intervention)]
    title_drugs = _title_findings(replace(record, conditions=[]), vocabulary, drugs=True, programmes=False, cues=False)
    title_drugs = [finding for finding in title_drugs if finding.key not in ("non_drug", "other")]
    if not title_drugs:
        return interventions
    return [intervention.with_findings(title_drugs) if is_delivery(intervention) else intervention for intervention in interventions]


# Titles of studies that test how well something measures or detects, not a treatment.
_DIAGNOSTIC_TITLE = re.compile(
    r"\bdiagnos(?!ed\b)\w*|\bbiomarkers?\b|\bvalidat\w*|\bvalidity\b|\breliability\b|\bdetect\w*|\baccuracy\b"
    r"|\bmonitoring of\b|\bprediction\b"
    # instruments that record or quantify function: "a wearable biosensor to track and quantify
    # limb dysfunction", "a balance board to record balance parameters", "outcomes analysis"
    r"|\bquantif\w*|\brecord(?:s|ing|ings)?\b|\btrack (?:and|or)\b|\boutcomes? analys[ie]s\b"
    # studies relating one measurement to another: "correlation between the nine hole peg test and ...",
    # "the relationship between core stability and balance"
    r"|\bcorrelat\w*|\b(?:relationships?|relations?|associations?|agreement) between\b"
)
# Diagnostic words that describe who takes part or what is validated, not a measurement study:
# "people with a new diagnosis of MS", "validation of a fall management programme".
_NOT_DIAGNOSTIC_TITLE = re.compile(
    r"\b(?:new|newly|recent|recently|first) diagnos\w*"
    r"|\bvalidat\w* of (?:an? |the )?(?:\w+ ){0,4}(?:program\w*|intervention|therapy|training|treatment|rehabilitation)\b"
)


def _is_diagnostic_title(title: str) -> bool:
    normalised = normalise_text(title)
    if _NOT_DIAGNOSTIC_TITLE.search(normalised):
        normalised = _NOT_DIAGNOSTIC_TITLE.sub(" ", normalised)
    return bool(_DIAGNOSTIC_TITLE.search(normalised))


# A title saying what a treatment does: "the effects of FES", "to treat foot drop".
_EFFECT_TITLE = re.compile(r"\beffects?\b|\btreat\w*|\btherap\w*|\bmanag\w*|\beffective\w*|\befficacy\b|\binterventions?\b")


def _treatment_named_by_title(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A trial listing only its measurements ("Incremental shuttle walk test", "Activity
    monitoring") whose titles name a non-drug treatment and what it does ("The effects of FES
    ... to treat foot drop") tests that treatment. Only words that name a programme count:
    "balance" or "gait" in a title are as often what is measured. A randomised trial listing only
    its measurements tests the non-drug approach its keywords name ("Patient education",
    "Telemedicine"), the names of functions ("Balance", "Gait") aside."""
    if record.study_type == "OBSERVATIONAL" or not interventions:
        return interventions
    if any(finding.kind != _DIAGNOSTIC for intervention in interventions for finding in intervention.findings):
        return interventions
    titles = [normalise_text(title) for title in record.titles[:2]]
    found = []
    if any(_EFFECT_TITLE.search(title) for title in titles):
        matches = [
            match
            for match in vocabulary.find(" ; ".join(titles))
            if not match.fuzzy and not match.descriptor and set(match.keys) == {"non_drug"} and _names_a_programme(match)
        ]
        found = _findings_from_matches(matches, " [title]")
    if not found and record.keywords and any(_RANDOMISED_DESIGN.search(title) for title in titles):
        # A randomised trial that lists only its measurements assigns something: keywords naming
        # one non-drug approach ("Patient education", "Telemedicine") say what.
        matches = [
            match
            for match in vocabulary.find(" ; ".join(normalise_text(keyword) for keyword in record.keywords))
            if not match.fuzzy and not match.descriptor and set(match.keys) == {"non_drug"}
            and match.matched not in _FUNCTION_LABELS
        ]
        found = _findings_from_matches(matches, " [keywords]")
    if not found:
        return interventions
    return [*interventions, _Intervention(record.titles[0], "", "", tuple(found))]


_RANDOMISED_DESIGN = re.compile(r"\brandomi[sz]ed\b|\brandomly\b")


# Pattern labels given to words that also name what is measured ("balance", "strength", "gait",
# "walking velocity"); "exercise" itself ("exercis...") names the programme.
_FUNCTION_LABELS = frozenset({"exercise", "walking or cycling programme"})


def _names_a_measured_function(finding: _Finding) -> bool:
    """A non_drug finding read only from the name of a function (balance, gait, core stability)."""
    label = finding.matched.removesuffix(" [title]")
    return label in _FUNCTION_LABELS and not any(entry.startswith("exercis") for entry in finding.entries)


def _diagnostic_devices(record: _Record, interventions: list[_Intervention]) -> list[_Intervention]:
    """A device, procedure or task known only by its type ("eVOG", "Smartwatch"), a digital
    tool ("dreaMS app"), or an item named only by a function ("Balance", "Fast walking
    velocity"), is a diagnostic when the titles say the study is about diagnosis, biomarkers,
    validation or how measurements relate ("correlation between", "relationship between")."""
    def measuring(finding: _Finding) -> bool:
        if finding.key != "non_drug":
            return False
        return finding.kind == _TYPE_DEFAULT or (finding.kind == _ENTRY and bool(finding.entries) and (
            finding.entries <= _DIGITAL_TOOLS or _names_a_measured_function(finding)))

    if not any(measuring(finding) for i in interventions for finding in i.findings):
        return interventions
    if not any(_is_diagnostic_title(title) for title in record.titles[:2]):
        return interventions
    return [
        intervention.with_findings(
            _Finding("other", f"{finding.matched} in a diagnostic study [title]", finding.entries, _DIAGNOSTIC)
            if measuring(finding)
            else finding
            for finding in intervention.findings
        )
        for intervention in interventions
    ]


# The vocabulary's words for "some disease-modifying therapy" that name no product.
_GENERIC_DMT_WORDS = frozenset({
    "disease modifying therapy", "disease modifying therapies", "disease modifying treatment",
    "disease modifying treatments", "disease modifying drug", "disease modifying drugs",
    "dmt", "dmts", "dmd", "dmds", "msdmds",
})
# "Side effects of orally used DMDs", "Delay between MS onset and introduction of first line DMT":
# the therapy is what a measurement is about.
_MEASURED_ABOUT = re.compile(r"\b(?:of|between|for|to)\b")


# Titles saying the trial stops treatment ("Discontinuing ...", "Therapies Withdrawal", "Stopping ...").
_DMT_WITHDRAWAL_TITLE = re.compile(r"\bdiscontinu\w*|\bwithdraw\w*|\bstop(?:s|ping)?\b|\bcessation\b")


def _generic_dmt_in_context(record: _Record, interventions: list[_Intervention]) -> list[_Intervention]:
    """Unnamed "DMTs" are the background of a trial testing a device, procedure or programme,
    and, in an observational study, the subject of what is measured when a phrase is about
    them: `other`. In an interventional trial whose titles say it stops them, with no DMT
    named, stopping is the strategy tested: `other` too. Elsewhere they stay the
    anti-inflammatory therapy they refer to."""
    def generic(finding: _Finding) -> bool:
        return finding.kind == _ENTRY and bool(finding.entries) and finding.entries <= _GENERIC_DMT_WORDS

    if not any(generic(finding) for i in interventions for finding in i.findings):
        return interventions
    if record.study_type == "OBSERVATIONAL":
        result = []
        for intervention in interventions:
            first = min(
                (intervention.normalised.find(entry) for f in intervention.findings if generic(f) for entry in f.entries),
                default=-1,
            )
            if first > 0 and _MEASURED_ABOUT.search(intervention.normalised[:first]):
                intervention = intervention.with_findings(
                    _Finding("other", f"{f.matched} (what is measured)", f.entries, _DIAGNOSTIC) if generic(f) else f
                    for f in intervention.findings
                )
            result.append(intervention)
        return result
    if any(_DMT_WITHDRAWAL_TITLE.search(normalise_text(title)) for title in record.titles[:2]) and not any(
            finding.key in _APPROVED_DMT_KEYS and not generic(finding) for i in interventions for finding in i.findings):
        # "Discontinuation of Disease Modifying Therapies", "DMT withdrawal in inactive SPMS": stopping
        # unnamed DMTs is a strategy tested, no anti-inflammatory product: `other`.
        return [
            intervention.with_findings(
                _Finding("other", f"{f.matched} (withdrawal strategy) [title]", f.entries, _ENTRY) if generic(f) else f
                for f in intervention.findings)
            for intervention in interventions
        ]
    tested_non_drug = any(
        finding.key == "non_drug" and intervention.type not in _DRUG_LIKE_TYPES
        for intervention in interventions
        for finding in intervention.findings
    )
    if not tested_non_drug:
        return interventions
    result = [
        intervention.with_findings(f for f in intervention.findings if not generic(f))
        for intervention in interventions
    ]
    return [intervention for intervention in result if intervention.findings]


# Neuroprotective drugs repurposed for a symptom ("riluzole as a symptomatic approach to
# ataxia", "lamotrigine for central pain") are symptomatic there.
_NEUROPROTECTION_KEYS = frozenset({"neuroprotection_other", "sodium_channel", "astrocyte"})
_DISEASE_COURSE_WORDS = re.compile(
    r"\bneuroprotect\w*|\bneurodegenerat\w*|\bprogression\b|\bprogressive\b|\bdisease (?:course|activity|modif\w*)"
    r"|\bremyelinat\w*|\b(?:brain|cord|retinal) atrophy\b|\boptic neuritis\b|\brelapses?\b|\bdisability\b"
)
_MS_WORDS = re.compile(r"\bmultiple sclerosis\b|\bms\b|\bsclerosis\b|\bdemyelinat\w*")
_SYMPTOM_PURPOSE = re.compile(r"\b(?:for|treat\w*|reliev\w*|reduc\w*|improv\w*|manag\w*|symptomatic)\b")
# A symptom that directly follows "with", "in" or "and" (up to two describing words between).
_SYMPTOM_JUST_NAMED = re.compile(r"\b(?:with|in|and|against)(?: \w+){0,2} $")
# "Effect of X on cognition": what the drug is tested for, unless the title is about progressive
# MS, where a neuroprotective drug's effect on a symptom is a side question of a disease-course trial.
_SYMPTOM_EFFECT = re.compile(r"\b(?:on|upon)(?: \w+){0,2} $")
_PROGRESSIVE_TITLE = re.compile(r"\bprogressive\b|\bspms\b|\bppms\b|\bpms\b")


def _names_symptom_purpose(normalised: str, start: int, end: int, progressive: bool | None = None) -> bool:
    """Does a title say its drug is tested for the symptom matched at [start, end)?
    `progressive`: whether the whole title is about progressive MS (read from `normalised` when
    not given, for callers that keep the MS type in it)."""
    before = normalised[:start]
    if _SYMPTOM_PURPOSE.search(normalised[:end]) or _SYMPTOM_JUST_NAMED.search(before):
        return True
    if progressive is None:
        progressive = bool(_PROGRESSIVE_TITLE.search(normalised))
    return bool(_SYMPTOM_EFFECT.search(before)) and not progressive


# Who takes part ("in secondary progressive MS", "relapsing-remitting"), not what is tested for.
_MS_TYPE_PHRASE = re.compile(
    r"\b(?:(?:secondary|primary|chronic) )?progressive (?:relapsing )?(?:forms? of )?(?:multiple sclerosis|ms|forms?|phase|course)\b"
    r"|\b(?:secondary|primary|chronic) progressive\b|\bspms\b|\bppms\b|\bpms\b|\brelapsing(?: remitting)?\b"
)
# Primary outcomes that measure the disease course, whatever symptom scale sits beside them.
_DISEASE_COURSE_OUTCOME = re.compile(
    r"\bedss\b|\bexpanded disability\b|\batrophy\b|\bbrain volume\b|\blesions?\b|\bmri\b|\brelapses?\b"
    r"|\bprogression\b|\bdisability\b|\bneurofilament\b|\bnfl\b|\bretinal\b|\boct\b|\bmagnetization transfer\b"
    r"|\bremyelinat\w*|\bevoked potentials?\b"
)
# Primary outcomes that say nothing about what a drug is for: safety and drug levels.
_NEUTRAL_OUTCOME = re.compile(r"\bsafety\b|\badverse (?:events?|effects?|reactions?)\b|\btolerab\w*|\bpharmacokinetic\w*|\bside effects?\b")


def _without_ms_type(normalised: str) -> str:
    return _MS_TYPE_PHRASE.sub(" ", normalised)


def _symptom_in_primary_outcomes(record: _Record, symptom_cues: Any) -> str | None:
    """A symptom the primary outcomes are about ("Modified Fatigue Impact Scale", "pain
    intensity"), every other primary outcome being safety or drug levels: the trial tests the
    drug for that symptom."""
    if not symptom_cues or not record.primary_outcomes:
        return None
    hit = None
    for measure in record.primary_outcomes:
        normalised = normalise_text(measure)
        if _DISEASE_COURSE_OUTCOME.search(normalised):
            return None
        found = symptom_cues.search(normalised)
        if found:
            hit = hit or found.group(0)
        elif not _NEUTRAL_OUTCOME.search(normalised):
            return None
    return f"{hit} [primary outcome]" if hit else None


def _symptom_tested(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A neuroprotection-group drug (or fluoxetine's astrocyte key) becomes `symptomatic` when a
    condition is a symptom, the titles say the trial treats one, or every primary outcome
    measures one, and nothing names the disease course. Naming who takes part ("in SPMS",
    "progressive MS") is not a disease-course aim."""
    if not any(finding.key in _NEUROPROTECTION_KEYS for intervention in interventions for finding in intervention.findings):
        return interventions
    symptom_cues = vocabulary.rules.title_cues.get("symptomatic")
    # Conditions and keywords naming a course of worsening mean a disease-course trial.
    if any(_DISEASE_COURSE_WORDS.search(_without_ms_type(normalise_text(text))) for text in record.conditions + record.keywords):
        return interventions
    symptom = None
    # A condition that is itself a symptom ("Fatigue", "Neuropathic Pain", "Depression") says
    # what the drug is tested for, with no purpose word needed.
    for condition in record.conditions:
        normalised = normalise_text(condition)
        hit = symptom_cues.search(normalised) if symptom_cues else None
        if hit and not _MS_WORDS.search(normalised):
            symptom = f"{hit.group(0)} [condition]"
            break
    for title in record.titles[:2]:
        whole_title = normalise_text(title)
        normalised = _without_ms_type(whole_title)
        if _DISEASE_COURSE_WORDS.search(normalised):
            return interventions
        hit = symptom_cues.search(normalised) if symptom_cues else None
        # "for fatigue", "to treat pain", "as a symptomatic approach"; or the symptom named as
        # what the participants have or what is studied with the drug ("in patients with
        # depression", "Nimodipine and cognition", "effect on cognition")
        progressive = bool(_PROGRESSIVE_TITLE.search(whole_title))
        if hit and symptom is None and _names_symptom_purpose(normalised, hit.start(), hit.end(), progressive):
            symptom = f"{hit.group(0)} [title]"
    symptom = symptom or _symptom_in_primary_outcomes(record, symptom_cues)
    if symptom is None:
        return interventions
    result = []
    for intervention in interventions:
        findings = [
            _Finding("symptomatic", f"{finding.matched} for {symptom}", finding.entries, finding.kind)
            if finding.key in _NEUROPROTECTION_KEYS
            else finding
            for finding in intervention.findings
        ]
        result.append(intervention.with_findings(findings))
    return result


# "for the treatment of depression", "to relieve pain", "adjunct therapy for fatigue".
_TREATS_SYMPTOM = re.compile(r"\btreat\w*|\breliev\w*|\btherapy for\b")


def _other_product_tested_for_symptom(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A product the vocabulary files under `other` is `symptomatic` when the trial tests it to
    treat a symptom and nothing names the disease course: beside a symptom drug, when the titles
    name a symptom ("Carbidopa" and "L-histidine" for central fatigue: tested together), and a
    product registered as a DRUG when the titles say it treats one ("Fish oil for the treatment
    of depression"). Supplements taken for their general effect on a function ("lutein
    supplementation on cognition") and products that prevent something ("cranberry for the
    prevention of urinary infections") stay `other`, and so does any product beside a
    recognised drug of another key, which is then what the trial is about."""
    def other_product(intervention: _Intervention) -> bool:
        return (
            intervention.type in _SUPPORT_CANDIDATE_TYPES
            and bool(intervention.findings)
            and all(finding.kind == _ENTRY and finding.key == "other" for finding in intervention.findings)
        )

    if not any(other_product(intervention) for intervention in interventions):
        return interventions
    keys = {finding.key for i in interventions for finding in i.findings if finding.kind == _ENTRY}
    if keys - {"other", "non_drug", "symptomatic"}:
        return interventions
    beside_symptom_drug = "symptomatic" in keys
    if not beside_symptom_drug and not any(i.type == "DRUG" and other_product(i) for i in interventions):
        return interventions
    symptom_cues = vocabulary.rules.title_cues.get("symptomatic")
    if not symptom_cues:
        return interventions
    if any(_DISEASE_COURSE_WORDS.search(_without_ms_type(normalise_text(text))) for text in record.conditions + record.keywords):
        return interventions
    symptom = None
    for title in record.titles[:2]:
        normalised = _without_ms_type(normalise_text(title))
        if _DISEASE_COURSE_WORDS.search(normalised):
            return interventions
        hit = symptom_cues.search(normalised)
        if hit and symptom is None and (beside_symptom_drug or _TREATS_SYMPTOM.search(normalised[: hit.start()])):
            symptom = f"{hit.group(0)} [title]"
    if symptom is None:
        return interventions
    return [
        intervention.with_findings(
            _Finding("symptomatic", f"{finding.matched} for {symptom}", finding.entries, _ENTRY) for finding in intervention.findings
        )
        if other_product(intervention) and (beside_symptom_drug or intervention.type == "DRUG")
        else intervention
        for intervention in interventions
    ]


# Titles saying the drugs treat the disease itself: "in the treatment of multiple sclerosis",
# "combination therapies of MS", "targeting residual (disease) activity".
_TREATS_THE_DISEASE = re.compile(
    r"\b(?:treatment|treatments|therapy|therapies|treating) (?:of|for) (?:the )?(?:multiple sclerosis|ms)\b"
    r"|\b(?:residual|disease) activity\b"
)


def _symptom_drug_among_disease_drugs(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A drug the vocabulary knows for symptoms (ginkgo, dantrolene), listed beside repair or
    neuroprotection drugs in a trial whose titles say the drugs treat the disease ("Natural
    antioxidants in the treatment of MS", "combination therapies of MS targeting residual
    activity") and that names no symptom anywhere (titles, conditions, keywords, primary
    outcomes), is tested for the disease with them, not for a symptom: it fits no key of its own
    there and is `other`."""
    def symptom_drug(intervention: _Intervention) -> bool:
        entries = [finding for finding in intervention.findings if finding.kind == _ENTRY]
        return bool(entries) and all(finding.key == "symptomatic" for finding in entries)

    if not any(symptom_drug(intervention) for intervention in interventions):
        return interventions
    if not any(
        finding.kind == _ENTRY and finding.key in _REPAIR_AND_PROTECTION_KEYS
        for intervention in interventions if not symptom_drug(intervention) for finding in intervention.findings
    ):
        return interventions
    if not any(_TREATS_THE_DISEASE.search(normalise_text(title)) for title in record.titles[:2]):
        return interventions
    symptom_cues = vocabulary.rules.title_cues.get("symptomatic")
    if not symptom_cues:
        return interventions
    texts = record.titles[:2] + record.keywords + list(record.primary_outcomes)
    texts += [condition for condition in record.conditions if not _MS_WORDS.search(normalise_text(condition))]
    if any(symptom_cues.search(_PARTICIPANT_SYMPTOM_WORDS.sub(" ", normalise_text(text))) for text in texts):
        return interventions
    return [
        intervention.with_findings(
            _Finding("other", f"{finding.matched} (no symptom named)", finding.entries, _ENTRY) if finding.key == "symptomatic" else finding
            for finding in intervention.findings
        )
        if symptom_drug(intervention)
        else intervention
        for intervention in interventions
    ]


# Words that say a trial tests protection of nerve tissue, whatever drug it repurposes.
_NEUROPROTECTION_AIM = re.compile(
    r"\bneuroprotect\w*|\bneurodegenerat\w*|\bslow\w* (?:the |down )?(?:disease |disability )?progression\b"
    r"|\b(?:brain|cord|retinal|grey matter|gray matter|cortical) atrophy\b|\baxonal (?:loss|damage|degeneration|injury|protection)\b"
)


def _stated_aim(record: _Record, aim: re.Pattern) -> re.Match | None:
    """The first words in the titles or keywords that state the trial's aim, if any do."""
    for text in record.titles[:2] + record.keywords:
        if found := aim.search(normalise_text(text)):
            return found
    return None


def _disease_course_tested(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A drug known for symptoms (acetazolamide, dronabinol, memantine) becomes
    `neuroprotection_other` when the titles or keywords say the trial aims to protect nerve
    tissue and neither the titles nor the conditions name a symptom it treats."""
    if not any(finding.key == "symptomatic" and finding.kind == _ENTRY for i in interventions for finding in i.findings):
        return interventions
    aim = _stated_aim(record, _NEUROPROTECTION_AIM)
    if aim is None:
        return interventions
    symptom_cues = vocabulary.rules.title_cues.get("symptomatic")
    if symptom_cues:
        for condition in record.conditions:
            normalised = normalise_text(condition)
            if symptom_cues.search(normalised) and not _MS_WORDS.search(normalised):
                return interventions
        for title in record.titles[:2]:
            normalised = normalise_text(title)
            hit = symptom_cues.search(normalised)
            if hit and _names_symptom_purpose(normalised, hit.start(), hit.end()):
                return interventions
    return [
        intervention.with_findings(
            _Finding("neuroprotection_other", f"{finding.matched} for {aim.group(0)}", finding.entries, finding.kind)
            if finding.key == "symptomatic" and finding.kind == _ENTRY
            else finding
            for finding in intervention.findings
        )
        for intervention in interventions
    ]


def _other_product_tested_for_repair(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """A drug or supplement the vocabulary files under `other` (vitamin D, omega-3, a
    repurposed antibiotic) takes the key of the aim the titles give it: `remyelination` for
    myelin repair, `neuroprotection_other` for protecting nerve tissue ("other drugs tested to
    slow neurodegeneration"), unless a recognised drug in the trial carries that aim already."""
    if any(finding.kind == _ENTRY and finding.key not in ("other", "non_drug") for i in interventions for finding in i.findings):
        return interventions

    def other_product(intervention: _Intervention) -> bool:
        return (
            intervention.type in _SUPPORT_CANDIDATE_TYPES
            and bool(intervention.findings)
            and all(finding.kind == _ENTRY and finding.key == "other" for finding in intervention.findings)
        )

    if not any(other_product(intervention) for intervention in interventions):
        return interventions
    title_text = " ; ".join(normalise_text(title) for title in record.titles[:2])
    repair_cue = vocabulary.rules.title_cues.get("remyelination")
    hit = repair_cue.search(title_text) if repair_cue else None
    key = "remyelination"
    if hit is None:
        hit, key = _NEUROPROTECTION_AIM.search(_without_ms_type(title_text)), "neuroprotection_other"
    if hit is None:
        return interventions
    return [
        intervention.with_findings(
            _Finding(key, f"{finding.matched} for {hit.group(0)} [title]", finding.entries, _ENTRY) for finding in intervention.findings
        )
        if other_product(intervention)
        else intervention
        for intervention in interventions
    ]


# Hormones repurposed for myelin repair: ACTH acts on melanocortin receptors of
# oligodendrocytes, estriol and testosterone on their hormone receptors. Otherwise they are
# filed as the anti-inflammatory or neuroprotective drugs they usually are.
_REPAIR_HORMONES = frozenset(
    {"corticotropin", "adrenocorticotropic hormone", "acth", "acthar", "estriol", "oestriol", "testosterone", "progesterone"}
)
_MYELIN_AIM = re.compile(r"\b(?:re ?)?myelinat\w*|\bmyelin (?:repair|regenerat\w*)")


def _hormone_tested_for_repair(record: _Record, interventions: list[_Intervention]) -> list[_Intervention]:
    """A repurposed hormone becomes `remyelination` when the titles or keywords give the trial
    a myelin-repair aim ("ACTH effects on myelination", "estriol ... and re-myelination")."""
    def hormone(finding: _Finding) -> bool:
        return finding.kind == _ENTRY and bool(finding.entries) and finding.entries <= _REPAIR_HORMONES

    if not any(hormone(finding) for i in interventions for finding in i.findings):
        return interventions
    aim = _stated_aim(record, _MYELIN_AIM)
    if aim is None:
        return interventions
    return [
        intervention.with_findings(
            _Finding("remyelination", f"{finding.matched} for {aim.group(0)}", finding.entries, _ENTRY) if hormone(finding) else finding
            for finding in intervention.findings
        )
        for intervention in interventions
    ]


_COMBINATION_WORD = re.compile(r"\bcombin\w*")


def _add_combination_partner_from_title(record: _Record, interventions: list[_Intervention], vocabulary: Vocabulary) -> list[_Intervention]:
    """Records listing one drug of a combination the titles name ("X Alone or Combined With
    Atorvastatin", "IFN and Atorvastatin Combination Therapy") give the unlisted partner too,
    when it is a repair or neuroprotection drug: those are not the background drugs of a trial."""
    titles = [normalise_text(title) for title in record.titles[:2]]
    if not any("combin" in title and _COMBINATION_WORD.search(title) for title in titles):  # substring first: cheap
        return interventions
    listed_entries = {entry for i in interventions for finding in i.findings for entry in finding.entries}
    listed_keys = {finding.key for i in interventions for finding in i.findings}
    if not listed_entries:
        return interventions
    partners = []
    for title in titles:
        if not _COMBINATION_WORD.search(title):
            continue
        for match in vocabulary.find(title):
            if not _is_product(match) or match.from_pattern or not set(match.keys) <= _REPAIR_AND_PROTECTION_KEYS:
                continue
            if match.normalised in listed_entries or set(match.keys) & listed_keys:
                continue
            partners.extend(
                _Finding(key, f"{match.matched} [title combination]", frozenset({match.normalised}), _ENTRY) for key in match.keys
            )
            listed_keys |= set(match.keys)
    if not partners:
        return interventions
    return [*interventions, _Intervention(record.titles[0], "", "", tuple(partners))]


def _evidence_without_interventions(record: _Record, vocabulary: Vocabulary) -> dict[str, list[dict[str, str]]]:
    if record.study_type == "OBSERVATIONAL":
        return {"other": [{"intervention": "", "matched": "(observational study without listed interventions)"}]}
    # A record fetched without its interventions (or registered without any): the titles,
    # then the keywords, are the only description of what is tested.
    for source in (record.titles[:2], ["; ".join(record.keywords)] if record.keywords else []):
        if not source:
            continue
        probe = replace(record, titles=source, conditions=[])
        findings = _title_findings(probe, vocabulary, drugs=True, programmes=True, cues=False)
        if findings:
            return _assemble([_Intervention(source[0], "", "", tuple(findings))])
    return {"other": [{"intervention": "", "matched": "(no interventions listed)"}]}


def _assemble(interventions: list[_Intervention]) -> dict[str, list[dict[str, str]]]:
    findings = [(intervention.name, finding) for intervention in interventions for finding in intervention.findings]
    if any(finding.kind != _DIAGNOSTIC for _, finding in findings):
        findings = [(name, finding) for name, finding in findings if finding.kind != _DIAGNOSTIC]
    if not findings:
        return {"other": [{"intervention": "", "matched": "(no investigational intervention identified)"}]}
    # One pass groups the findings by key (in finding order, without repeats); the keys are
    # then laid out in MECHANISM_KEYS order.
    items_by_key: dict[str, list[dict[str, str]]] = {}
    for name, finding in findings:
        items = items_by_key.setdefault(finding.key, [])
        item = {"intervention": name, "matched": finding.matched}
        if item not in items:
            items.append(item)
    return {key: items_by_key[key] for key in MECHANISM_KEYS if key in items_by_key}


# ---------------------------------------------------------------------------
# Progressive relevance and MS types
# ---------------------------------------------------------------------------

_TYPO_TARGETS = ("progressive", "secondary", "primary", "relapsing", "remitting", "sclerosis", "multiple")


@lru_cache(maxsize=8192)
def _corrected_word(word: str) -> str:
    if len(word) < 7 or word in _TYPO_TARGETS:
        return word
    for target in _TYPO_TARGETS:
        if word[0] == target[0] and within_one_edit(word, target):
            return target
    return word


def _disease_text(text: str) -> str:
    """Lower-case words; sentence punctuation kept as ' . ' so phrases do not run across it."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Sentence punctuation becomes "." (runs of it one "."), then words and "." are read
    # in one pass; this is what replacing breaks by " . " and splitting on the rest gave.
    text = _SENTENCE_BREAK.sub(".", text.lower())
    words = _WORD_OR_BREAK.findall(text)
    if any(_corrected_word(word) != word for word in set(_LONG_WORD.findall(text))):
        words = [_corrected_word(word) for word in words]
    return " ".join(words)


_SENTENCE_BREAK = re.compile(r"[.;:!?\n]+")
_WORD_OR_BREAK = re.compile(r"[a-z0-9]+|\.")
_LONG_WORD = re.compile(r"\b[mprs][a-z]{5,11}\b")  # candidates for the typo targets below


_MS = r"(?:multiple sclerosis|ms)"
_BETWEEN_PROGRESSIVE_AND_MS = (
    r"(?:forms?|types?|subtypes?|phases?|course|stages?|onset|disease|of|the|and|or|relapsing|remitting"
    r"|active|inactive|non|nonactive|nonrelapsing|chronic|refractory|treatment|resistant|early|late"
    r"|spinal|cerebellar|sustained|patients|people|persons|with|in)"
)
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "PPMS",
        re.compile(
            r"\b(?:primary progressive|primarily progressive|primary chronic progressive|ppms|pp ms"
            # Progressive-relapsing MS was folded into active PPMS by the 2013 phenotype revision.
            r"|progressive relapsing|prms|pr ms)\b"
            r"|\bprimary (?:or|and|and or) (?:(?:non )?active |nonactive |relapse free |non relapsing |nonrelapsing )?secondary progressive\b"
        ),
    ),
    ("SPMS", re.compile(r"\b(?:secondary progressive|secondary chronic progressive|(?:nr|na|a|r)?spms|sp ms)\b")),
    (
        "RRMS",
        re.compile(
            r"\b(?:relapsing remitting|relapsing remittent|relapse remitting|remitting relapsing|rrms|rr ms|rms|r ms)\b"
            rf"|(?<!progressive )\brelapsing (?:forms? (?:of )?|onset |course |type )?{_MS}\b"
            rf"|(?<!progressive )\brelapsing (?:and|or) (?:\w+ ){{0,2}}(?:forms? (?:of )?)?{_MS}\b"
            rf"|\b{_MS} (?:acute )?relapsing\b"
        ),
    ),
    ("CIS", re.compile(r"\b(?:clinically isolated syndromes?|cis)\b")),
    (
        "PROGRESSIVE_UNSPECIFIED",
        re.compile(
            rf"\bprogressive (?:{_BETWEEN_PROGRESSIVE_AND_MS} ){{0,4}}{_MS}\b"
            rf"|\b{_MS} (?:(?:acute|and|chronic|remittent|relapsing|remitting|active|non|inactive) ){{0,3}}progressive"
            r"(?= *(?:$|\.|forms?\b|types?\b|subtypes?\b|course\b|phases?\b|disease\b|ms\b|multiple sclerosis\b|with relapses\b))"
            rf"|\badvanced (?:stages? (?:of )?|phase (?:of )?)?{_MS}\b"
            r"|\bchronic progressive(?= *(?:$|\.))"
        ),
    ),
)
_WHOLE_FIELD_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("PROGRESSIVE_UNSPECIFIED", re.compile(r"^(?:progressive|progressive forms?|progressive with relapses|chronic progressive)$")),
    ("RRMS", re.compile(r"^(?:relapsing|relapsing forms?)$")),
)
_NOT_MS = re.compile(r"\bprogressive multifocal leu[ck]o ?encephalopathy\b|\bpml\b")
_NEGATED = re.compile(
    r"(?:\bnon|\bnot|\bwithout|\bexcluding|\bexclude[sd]?|\bexclusion of|\bexcept|\bother than|\bno|\bnor|\bneither)"
    r" (?:(?:patients|participants|subjects|people|persons|those|individuals|with|of|a|an|the|any|forms?|types?"
    r"|diagnosed|diagnosis|having|history|clinical|evidence)\s){0,3}$"
)
_INELIGIBLE_LINE = re.compile(
    r"\bexclu\w*|\bnot (?:be )?(?:eligible|included|enrolled|allowed|permitted)\b|\bineligible\b|\bmust not\b|\bcannot\b"
)
_INCLUSION_HEADER = re.compile(r"inclusion\s+criteria", re.IGNORECASE)
_EXCLUSION_HEADER = re.compile(r"exclusion\s+criteria|^\s*[\W\d]*exclusions?\s*:", re.IGNORECASE | re.MULTILINE)


# Cheap literal checks that rule a type out before its regular expression runs.
_TYPE_HINTS = {
    "PPMS": re.compile("prim|ppms|pp ms|progressive relapsing|prms|pr ms"),
    "SPMS": re.compile("second|spms|sp ms"),
    "RRMS": re.compile("relaps|remit|rms|r ms"),
    "CIS": re.compile("cis|isolated"),
    "PROGRESSIVE_UNSPECIFIED": re.compile("progressive|advanced"),
}


# Most fields name no MS type at all: one search for any hint rules them all out at once.
_ANY_TYPE_HINT = re.compile("|".join(f"(?:{hint.pattern})" for hint in _TYPE_HINTS.values()))


def _types_in(text: str) -> set[str]:
    if "pml" in text or "multifocal" in text:
        text = _NOT_MS.sub(" . ", text)
    found = set()
    if not _ANY_TYPE_HINT.search(text):
        return found
    for ms_type, pattern in _TYPE_PATTERNS:
        if not _TYPE_HINTS[ms_type].search(text):
            continue
        for match in pattern.finditer(text):
            if not _NEGATED.search(text[max(0, match.start() - 80) : match.start()]):
                found.add(ms_type)
                break
    return found


@lru_cache(maxsize=16384)
def _types_in_field(value: str) -> frozenset[str]:
    """MS types named in one condition, keyword, title or MeSH term (these repeat a lot)."""
    text = _disease_text(value)
    stripped = text.strip(" .")
    found = {ms_type for ms_type, pattern in _WHOLE_FIELD_TYPES if pattern.match(stripped)}
    return frozenset(found | _types_in(text))


def _inclusion_lines(criteria: str) -> list[str]:
    start = _INCLUSION_HEADER.search(criteria)
    body = criteria[start.end() :] if start else criteria
    end = _EXCLUSION_HEADER.search(body)
    body = body[: end.start()] if end else body
    lines = []
    for line in body.splitlines():
        text = _disease_text(line)
        if text and not _INELIGIBLE_LINE.search(text):
            lines.append(text)
    return lines


def _ms_types(record: _Record) -> tuple[str, ...]:
    found: set[str] = set()
    for value in record.conditions + record.keywords + record.titles + record.mesh_terms:
        found |= _types_in_field(value)
    if record.eligibility:
        from_criteria: set[str] = set()
        for line in _inclusion_lines(record.eligibility):
            from_criteria |= _types_in(line)
        found |= from_criteria & PROGRESSIVE_MS_TYPES
        if not found:
            found |= from_criteria
    if found & {"PPMS", "SPMS"}:
        found.discard("PROGRESSIVE_UNSPECIFIED")
    return tuple(ms_type for ms_type in MS_TYPES if ms_type in found)
