"""Which MS types a study takes and which it turns away, read from its criteria text.

A type named in the inclusion section is included; one named in the exclusion section is
excluded; a negated mention in the inclusion section ("no diagnosis of PPMS", "PPMS patients
are not eligible") is excluded too. When a type ends up on both sides the inclusion wins: an
exclusion such as "SPMS without disease activity" only narrows a type the study takes.

Traps handled: "non-progressive", "progressive multifocal leukoencephalopathy", "primary
progressive aphasia", drug approvals ("approved for relapsing MS"), the old "progressive-
relapsing" label (PRMS, not one of our types), and SPMS definitions that name the relapsing
phase it follows ("SPMS defined as relapsing-remitting disease followed by progression").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import EXCLUSION, CriteriaText, Sentence

PPMS = "PPMS"
SPMS = "SPMS"
RRMS = "RRMS"
CIS = "CIS"
PROGRESSIVE_UNSPECIFIED = "PROGRESSIVE_UNSPECIFIED"
MS_TYPES = (PPMS, SPMS, RRMS, CIS, PROGRESSIVE_UNSPECIFIED)

# Short stems, shared with other themes where possible: each costs one pass over the text.
KEYWORDS = ("^any", "^all", "progressive", "relaps", "^rms", "^rrms", "^pms", "^ppms", "^spms", "^nrspms", "^aspms", "^cis", "isolated")

_TYPE = re.compile(
    # "any form of MS", "all types of MS", "multiple sclerosis (MS) or CIS": every type is taken.
    r"(?P<any>\b(?:any|all)\s+(?:(?:clinical|disease)\s+)?(?:forms?|types?|subtypes?|courses?|phenotypes?)\s+of\s+(?:multiple\s+sclerosis|ms)\b"
    r"|\bmultiple\s+sclerosis\s*(?:\(\s*ms\s*\)\s*)?(?:,\s*|\s+(?:or|and/or)\s+)(?=clinically[\s-]+isolated|cis\b)"
    # ... and the same said after the disease: "MS of any type", "MS, any subtype", "MS (all types)",
    # "MS patients (any phenotype)", "MS per the 2017 criteria, all types" (not "all types of relapse").
    r"|\b(?:multiple\s+sclerosis|ms)\b(?:[^.;:\n(),]{0,40}?[,(]\s*|\s+(?:patients?|participants?)?\s*\(\s*|\s+)(?:of\s+)?(?:any|all)\s+"
    r"(?:(?:clinical|disease)\s+)?(?:forms?|types?|subtypes?|courses?|phenotypes?)\b(?!\s+of\b))"
    r"|(?P<prms>progressive[\s-]+relapsing|\bprms\b)"
    r"|(?P<both>primary\s*(?:-\s*)?(?:or|and|and/or|/|,)\s*(?:-\s*)?secondary[\s-]*progressive"
    r"|secondary\s*(?:-\s*)?(?:or|and|and/or|/)\s*primary[\s-]*progressive"
    # "progressive MS (primary or secondary)"
    r"|progressive\s+(?:multiple\s+sclerosis|ms)\s*\(\s*(?:primary|secondary)\s*(?:or|and|and/or|/|,)\s*(?:primary|secondary)\b[^)]{0,20}\))"
    r"|(?P<ppms>\bppms\b|primary[\s-]*progressive(?![\s-]+(?:aphasia|supranuclear|apraxia|non-?fluent|lateral|ataxia)))"
    r"|(?P<spms>\b(?:nr|na|a|r)?-?spms\b|secondar(?:y|ily)[\s-]*progressive)"
    r"|(?P<rrms>\brrms\b|\brms\b|relapsing[\s-]*remitting|remitting[\s-]*relapsing"
    r"|relapsing[\s-]+(?:forms?|multiple\s+sclerosis|ms\b|disease|course|onset|type|phenotype)"
    # "relapsing or progressive MS": the progressive half is read on its own.
    r"|relapsing(?=\s*(?:or|and|and/or|/|,)\s*(?:(?:primary|secondary)[\s-]+)?progressive\s+(?:forms?\s+of\s+)?(?:multiple\s+sclerosis|ms\b)))"
    r"|(?P<cis>\bcis\b|clinically[\s-]+isolated[\s-]+syndromes?)"
    r"|(?P<progressive>\bpms\b|(?<!non)(?<!non-)(?<!non\s)progressive\s+(?:forms?\s+of\s+)?(?:multiple\s+sclerosis|ms\b|disease\s+course|course\s+of\s+ms)"
    r"|(?<!non)(?<!non-)(?<!non\s)progressive\s+forms?\b)"
)
# Acronyms that mean something else in lower case ("cis-platin", "rms" error, "pms").
_UPPER_ONLY = {"cis", "rms", "pms"}

_NEGATION_BEFORE = re.compile(r"\b(?:no|not|without|excluding|except|other\s+than|nor|neither|never)\b")
_NEGATION_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:is|are|will\s+be)\s+(?:not\s+(?:be\s+)?(?:eligible|allowed|permitted|included|enrolled)|excluded|ineligible))"
)
_OTHER_THAN_BEFORE = re.compile(r"(?:other\s+than|except(?:\s+for)?|besides|apart\s+from|another\s+(?:type|form)\s+of\s+(?:ms\s+)?than)\s+(?:\w+\s+){0,2}$")
_DRUG_CONTEXT_BEFORE = re.compile(
    r"(?:approved|indicated|licen[sc]ed|treatments?|therap(?:y|ies)|dmts?|drugs?|medications?|agents?)\s+(?:\w+\s+){0,3}?"
    r"(?:for|in)\s+(?:the\s+)?(?:treatment\s+of\s+)?(?:\w+\s+)?$"
)
# A prose sentence that states the exclusions itself, without a section header: "Exclusion
# criteria were progressive forms of MS, ...".
EXCLUSION_LEAD = re.compile(r"\W*(?:key\s+|main\s+|major\s+)?exclusion\s+criteri(?:a|on)\s+(?:were|are|was|is|include[ds]?|included|comprised?)\b")
_NON_RIGHT_BEFORE = re.compile(r"\bnon[\s-]?$")
_CARCINOMA_NEARBY = re.compile(r"carcinoma|in\s+situ|cervi[xc]")
# SPMS is defined by the relapsing phase it follows: that phase is history, not a type taken
# ("clinically definite RRMS or SPMS" defines nothing).
_HISTORY_BEFORE = re.compile(r"defin(?!ite)|initial|preced|onset|start|began|begin|evolv|transition|conver|follow")
_HISTORY_AFTER = re.compile(r"^\W*(?:\w+\W+){0,4}?(?:followed|then|subsequent|before|evolv|transition|convert)")


@dataclass(frozen=True)
class MsTypeResult:
    included: tuple[str, ...]
    excluded: tuple[str, ...]
    sources: tuple[Sentence, ...]


def _ordered(types: set[str]) -> tuple[str, ...]:
    return tuple(kind for kind in MS_TYPES if kind in types)


def _clause_before(low: str, at: int) -> str:
    chunk = low[max(0, at - 80):at]
    cut = max(chunk.rfind(character) for character in ",;:")
    clause = chunk[cut + 1:] if cut >= 0 else chunk
    return re.split(r"\b(?:and|with)\b", clause)[-1]


def _types_in(match: re.Match) -> tuple[str, ...]:
    if match.group("any"):
        return (PPMS, SPMS, RRMS)
    if match.group("both"):
        return (PPMS, SPMS)
    for group, kind in (("ppms", PPMS), ("spms", SPMS), ("rrms", RRMS), ("cis", CIS), ("progressive", PROGRESSIVE_UNSPECIFIED)):
        if match.group(group):
            return (kind,)
    return ()


def read_ms_types(text: CriteriaText) -> MsTypeResult:
    included: set[str] = set()
    excluded: set[str] = set()
    sources: list[Sentence] = []
    for sentence in text.sentences_with(KEYWORDS):
        low = sentence.low
        found_in: set[str] = set()
        found_out: set[str] = set()
        mentions: list[tuple[str, int, int, bool]] = []  # kind, span, named only by "any type of MS"
        for match in _TYPE.finditer(low):
            word = low[match.start():match.end()]
            if word in _UPPER_ONLY and sentence.text[match.start():match.end()] != word.upper():
                continue
            if word == "cis" and _CARCINOMA_NEARBY.search(low, max(0, match.start() - 40), match.end() + 30):
                continue
            if match.group("any") and (sentence.section == EXCLUSION or EXCLUSION_LEAD.match(low)):
                continue  # "any form of MS other than RRMS": the types that follow say it
            for kind in _types_in(match):
                mentions.append((kind, match.start(), match.end(), bool(match.group("any"))))
        if not mentions:
            continue
        named = {kind for kind, _, _, _ in mentions}
        taken_by_name: set[str] = set()  # included by a mention of the type itself
        for kind, start, end, by_any in mentions:
            before = low[:start]
            clause = _clause_before(low, start)
            if _DRUG_CONTEXT_BEFORE.search(before[-80:]) or _NON_RIGHT_BEFORE.search(before):
                continue
            if kind == RRMS and SPMS in named and (
                _HISTORY_BEFORE.search(clause) or _HISTORY_AFTER.search(low[end:end + 60])
            ):
                continue
            if sentence.section == EXCLUSION or EXCLUSION_LEAD.match(low):
                if _OTHER_THAN_BEFORE.search(before[-60:]):
                    found_in.add(kind)
                    taken_by_name.add(kind)
                else:
                    found_out.add(kind)
            else:
                if _NEGATION_BEFORE.search(clause) or _NEGATION_AFTER.search(low[end:]):
                    found_out.add(kind)
                else:
                    found_in.add(kind)
                    if not by_any:
                        taken_by_name.add(kind)
        # "MS of any type except PPMS": the type set apart is turned away, not taken with the rest.
        found_in -= found_out - taken_by_name
        # "progressive MS (PPMS or SPMS)": the general word is spelt out by the specific ones.
        for found in (found_in, found_out):
            if PROGRESSIVE_UNSPECIFIED in found and (PPMS in found or SPMS in found):
                found.discard(PROGRESSIVE_UNSPECIFIED)
        if found_in or found_out:
            included |= found_in
            excluded |= found_out
            sources.append(sentence)
    excluded -= included
    for found in (included, excluded):
        if {PPMS, SPMS} <= found:
            found.discard(PROGRESSIVE_UNSPECIFIED)
    return MsTypeResult(_ordered(included), _ordered(excluded), tuple(sources))
