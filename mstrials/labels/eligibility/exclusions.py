"""Key exclusions: prior anti-CD20 therapy, prior stem-cell transplant, a recent relapse,
recent steroids.

Each is read sentence by sentence. A statement counts as an exclusion when it stands in the
exclusion section, or when the inclusion section negates it ("no relapse in the 30 days before
screening", "naive to ocrelizumab"). Requirements in the inclusion section ("at least one relapse
in the previous 12 months", "receiving ocrelizumab for 6 months") are not exclusions: for the
anti-CD20 and transplant themes they say the prior therapy is allowed (False); for relapses and
steroids they say nothing about a relapse-free or steroid-free window.

A time window that the sentence itself lacks is taken from the line that introduces it, since
registry texts nest items under a lead-in such as "Either of the following within one month
prior to randomization:".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .ms_types import EXCLUSION_LEAD
from .text import EXCLUSION, CriteriaText, Sentence

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "eighteen": 18, "twenty": 20, "twenty-four": 24, "twenty four": 24, "thirty": 30,
    "forty-five": 45, "forty five": 45, "sixty": 60, "ninety": 90,
}
_N = (
    r"(?:[0-9]{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen"
    r"|twenty[\s-]four|twenty|thirty|forty[\s-]five|sixty|ninety|an?|single)"
)
_U = r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?)"
_WINDOW = re.compile(
    rf"\b(?:within|in|during|over|for|since|inside)\s+(?:the\s+|a\s+)?(?:last|past|previous|preceding|prior|recent"
    rf"|most\s+recent|immediately\s+preceding)\s+(?:(?P<n1>{_N})[\s-]*)?(?P<u1>{_U})\b"
    rf"|\b(?:within(?:\s+the)?|inside|in\s+the|during\s+the|over\s+the)\s+(?P<n2>{_N})[\s-]*(?P<u2>{_U})\b"
    rf"|\b(?P<n3>{_N})[\s-]*(?P<u3>{_U})\s+(?:prior|before|preceding|of|from|since)\b"
    # "during the year before inclusion"
    rf"|\b(?:within|during|in|over)\s+the\s+(?P<u4>year|month|week)\s+(?:before|prior\s+to|preceding)\b"
    # "Relapse <= 60 days", "Corticosteroid treatment < 30 days"
    rf"|(?:≤|<\s*/?\s*=|=\s*<|<)\s*(?P<n5>{_N})[\s-]*(?P<u5>{_U})\b"
)
_DAYS_PER_UNIT = {"d": 1, "w": 7, "m": 30, "y": 365}


def _window_days(match: re.Match) -> tuple[float, str] | None:
    for number_group, unit_group in (("n1", "u1"), ("n2", "u2"), ("n3", "u3"), (None, "u4"), ("n5", "u5")):
        unit = match.group(unit_group)
        if unit is None:
            continue
        raw = match.group(number_group) if number_group else None
        if raw is None:
            count = 1
        elif raw.isdigit():
            count = int(raw)
        else:
            count = _NUMBER_WORDS.get(re.sub(r"\s+", " ", raw), None)
            if count is None:
                return None
        if count <= 0:
            return None
        return float(count), unit[0]
    return None


def months_of(count: float, unit: str) -> int:
    """A window in whole months, rounded up so a person inside the window is never told 'ok'.

    A small tolerance keeps the usual round figures exact: 30 days, 4 weeks and 28 days are one
    month, 90 days and 12 weeks are three, 52 weeks is twelve.
    """
    if unit == "m":
        return int(count)
    if unit == "y":
        return int(count * 12)
    days = count * _DAYS_PER_UNIT[unit]
    return max(1, math.ceil(days / 30.4375 - 0.05))


def days_of(count: float, unit: str) -> int:
    return int(count * _DAYS_PER_UNIT[unit])


def _nearest_window(low: str, term_start: int, term_end: int, lead_in: str) -> tuple[float, str] | None:
    """The time window that belongs to a term: the nearest after it, else before it, else the lead-in."""
    after: list[tuple[int, tuple[float, str]]] = []
    before: list[tuple[int, tuple[float, str]]] = []
    for match in _WINDOW.finditer(low):
        value = _window_days(match)
        if value is None:
            continue
        if match.start() >= term_end:
            after.append((match.start() - term_end, value))
        elif match.end() <= term_start:
            before.append((term_start - match.end(), value))
    if after:
        return min(after)[1]
    if before:
        return min(before)[1]
    for match in _WINDOW.finditer(lead_in):
        value = _window_days(match)
        if value is not None:
            return value
    return None


def _excludes(sentence: Sentence) -> bool:
    """The sentence states exclusions: it stands in the exclusion section, or is a prose sentence
    that says so itself ("Exclusion criteria were progressive MS, a relapse in the last 30 days, ...")."""
    return sentence.section == EXCLUSION or EXCLUSION_LEAD.match(sentence.low) is not None


# "People who received corticosteroids in the past 2 weeks are not eligible": an exclusion said
# after the term, in a sentence outside the exclusion section.
_EXCLUDED_AFTER = re.compile(
    r"[^.;]{0,80}?\b(?:(?:is|are|will\s+be)\s+(?:not\s+(?:be\s+)?(?:eligible|allowed|permitted|included|enrol?led)|excluded|ineligible)"
    r"|cannot\s+(?:take\s+part|participate|enrol|be\s+(?:included|enrol?led)))"
)


def _clause_before(low: str, at: int, reach: int = 90) -> str:
    chunk = low[max(0, at - reach):at]
    cut = max(chunk.rfind(character) for character in ",;:")
    clause = chunk[cut + 1:] if cut >= 0 else chunk
    return re.split(r"\band\b", clause)[-1]


# -- relapses ----------------------------------------------------------------------------------
RELAPSE_KEYWORDS = ("relaps", "exacerbation", "^attack", "^flare", "^bout")
_RELAPSE = re.compile(
    r"\brelapse[\s-]*free\b|\brelapses?\b|\bexacerbations?\b|\bflare[\s-]?ups?\b|\battacks?\b|\bbouts?\b"
)
_NOT_MS_ATTACK = re.compile(r"(?:heart|panic|anxiety|asthma|isch(?:a)?emic|gout)\s+(?:\w+\s+)?$")
_NOT_MS_RELAPSE_AFTER = re.compile(  # "relapse of (major) depression"
    r"\s+of\s+(?:[a-z]+\s+)?(?:depress|cancer|malignan|alcohol|drug|substance|infection|tb\b|tubercul|hepatitis|psych|lymphoma|leuk)"
)
_RELAPSE_NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|without|free\s+(?:of|from)|absence\s+of|absent|none|nor|neither|never|stable|since)\b"
)
# "... or one relapse in the prior year (but not within 30 days prior to screening)".
_RELAPSE_NEGATED_AFTER = re.compile(
    r"[^.;]{0,60}?\b(?:(?:is|are)\s+not\s+(?:allowed|permitted|eligible)|excluded|ineligible|cannot\s+(?:take\s+part|participate)"
    r"|(?P<not_within>not\s+(?:within|in|during)\b))"
)
# An exclusion of "SPMS without relapses in the last 2 years" asks for relapses: no relapse-free window.
_WITHOUT_BEFORE = re.compile(r"\b(?:without|free\s+(?:of|from)|absence\s+of)\s+(?:\w+\s+){0,2}$")
_COUNT_REQUIREMENT = re.compile(r"\b(?:fewer|less)\s+than\b|<|\bat\s+least\b|≥|>=|\bminimum\b|\bmore\s+than\b")


@dataclass(frozen=True)
class WindowResult:
    value: int | None
    flagged: bool | None  # the exclusion is stated, with or without a window
    sources: tuple[Sentence, ...]


def read_relapse_window(text: CriteriaText) -> WindowResult:
    months: list[int] = []
    sources: list[Sentence] = []
    for sentence in text.sentences_with(RELAPSE_KEYWORDS):
        low = sentence.low
        lead_in: str | None = None
        for match in _RELAPSE.finditer(low):
            word = match.group()
            if word.startswith("attack") and _NOT_MS_ATTACK.search(low[:match.start()]):
                continue
            if _NOT_MS_RELAPSE_AFTER.match(low, match.end()):
                continue
            clause = _clause_before(low, match.start())
            negated_after = _RELAPSE_NEGATED_AFTER.match(low, match.end())
            window_from = match.end()
            if negated_after and negated_after.group("not_within"):
                # "(but not within 30 days of screening)": the window is the one after "not".
                window_from = negated_after.start("not_within")
            if _excludes(sentence):
                if _COUNT_REQUIREMENT.search(clause) or _WITHOUT_BEFORE.search(clause):
                    continue
            elif not ("free" in word or _RELAPSE_NEGATED_BEFORE.search(clause) or negated_after):
                continue
            elif negated_after and not negated_after.group("not_within") and _COUNT_REQUIREMENT.search(clause):
                continue  # "people with fewer than 2 relapses in the past 2 years are not eligible" asks for relapses
            if lead_in is None:
                lead_in = text.lead_in(sentence)
            window = _nearest_window(low, match.start(), window_from, lead_in)
            if window is None:
                continue
            months.append(months_of(*window))
            if sentence not in sources:
                sources.append(sentence)
    return WindowResult(max(months) if months else None, True if months else None, tuple(sources))


# -- steroids ----------------------------------------------------------------------------------
STEROID_KEYWORDS = ("steroid", "cortic", "prednis", "dexameth", "^acth", "medrol", "^ivmp")
_STEROID = re.compile(
    r"(?<!non)(?<!non-)(?<!non\s)\b(?:cortico)?steroid(?:s|al)?\b|\bcorticosteroid\w*|\bcorticoids?\b|\bglucocorticoid\w*"
    r"|\bmethyl-?prednisolone\b|\bprednisone\b|\bprednisolone\b|\bdexamethasone\b|\bacth\b|\badrenocorticotrop\w*"
    r"|\bsolu-?medrol\b|\bmedrol\b|\bivmp\b"
)
_CURRENT_USE = re.compile(
    r"\bcurrent(?:ly)?\b|\bongoing\b|\bconcurrent\b|\bon\s+(?:treatment|therapy)\b|\breceiving\b|\btaking\b|\brecent(?:ly)?\b"
    r"|\bat\s+(?:the\s+time\s+of\s+)?(?:screening|baseline|enrol?l?ment|inclusion)\b|\bunder\s+treatment\b|\bin\s+treatment\b"
)
_NOT_RECENT_USE = re.compile(
    r"\brequir\w*|\bmay\s+need\b|\bneed\s+for\b|\bchronic\b|\blong[\s-]+term\b|\bmaintenance\b|contraindicat|hypersensitiv|allerg|intoleran"
)
_STEROID_NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|without|free\s+(?:of|from)|absence\s+of|none|nor|neither|never|off)\b|\bsince\b"
)


def read_steroid_window(text: CriteriaText) -> WindowResult:
    days: list[int] = []
    flagged = False
    sources: list[Sentence] = []
    for sentence in text.sentences_with(STEROID_KEYWORDS):
        low = sentence.low
        lead_in: str | None = None
        for match in _STEROID.finditer(low):
            clause = _clause_before(low, match.start())
            if not (_excludes(sentence) or _STEROID_NEGATED_BEFORE.search(clause) or _EXCLUDED_AFTER.match(low, match.end())):
                continue
            if lead_in is None:
                lead_in = text.lead_in(sentence)
            window = _nearest_window(low, match.start(), match.end(), lead_in)
            if window is not None:
                days.append(days_of(*window))
            elif _CURRENT_USE.search(low) and not _NOT_RECENT_USE.search(low):
                flagged = True
            else:
                continue
            if sentence not in sources:
                sources.append(sentence)
    stated = bool(days) or flagged
    return WindowResult(max(days) if days else None, True if stated else None, tuple(sources))


# -- prior therapies (anti-CD20, stem-cell transplant) ----------------------------------------
ANTI_CD20_KEYWORDS = (  # "mab" finds every generic (ocrelizumab, rituximab, ...) and MabThera
    "cd20", "cd-20", "^b-cell", "^b cell", "mab", "ocrev", "rituxan", "kesimpta", "arzerra", "briumvi", "gazyva",
    "uplizna", "truxima", "ruxience", "riabni",
)
_ANTI_CD20 = re.compile(
    r"\banti[\s-]?cd[\s-]?20\b|\bcd[\s-]?20\+?[\s-]*(?:monoclonal|antibod\w*|therap\w*|agents?|drugs?|depleting|targeted|targeting|directed|mabs?)"
    r"|\bb[\s-]?cells?[\s-]*(?:depleting|depletion|depleters?|targeted|targeting|directed)"
    r"|ocrelizumab|ocrevus|rituximab|rituxan|mabthera|truxima|ruxience|riabni|ofatumumab|kesimpta|arzerra"
    r"|ublituximab|briumvi|obinutuzumab|gazyva|inebilizumab|uplizna"
)
# Class-wide wording that covers anti-CD20 antibodies among others: "no prior disease-modifying
# therapy", "treatment-naive", "any previous therapeutic monoclonal antibody other than
# natalizumab", "treatment with any DMT approved for relapsing MS within 3 months". Read only as
# an exclusion (True); a class allowed or required says nothing of anti-CD20 in particular.
ANTI_CD20_CLASS_KEYWORDS = ("modif", "^dmt", "^dmd", "monoclonal", "naive", "naïve")
_DMT_CLASS = re.compile(
    r"\bdisease[\s-]+modif(?:y|ying|ication)\s+(?:therap(?:y|ies)|treatments?|drugs?|agents?|medications?)\b|\bdm[td]s?\b"
    r"|\b(?:therapeutic|any)\s+monoclonal\s+antibod(?:y|ies)\b"
)
_NAIVE = re.compile(r"\b(?:treatment|therapy|dmt)[\s-]*na[iï]ve\b(?![\s-]+to\b)")
# Not about having taken the class: a change or start, a failure on it, a stable or other one, a reaction.
_CLASS_NOT_PRIOR_BEFORE = re.compile(
    r"chang|switch|start|initiat|\bnew\b|escalat|despite|fail|respon|stable|\bsame\b|\bother\b|another|additional|concomitant"
    r"|current|about\s+to|plann|\bwill\b|eligible|candidate|hypersens|allerg|reaction|contraindic|intoleran|except|apart\s+from|\bon\b"
)
_CLASS_PRIOR_CUE = re.compile(r"\b(?:prior|previous(?:ly)?|history|any|treat(?:ment|ed)\s+with|use\s+of|exposure|exposed|received|receipt)\b")
_NO_PRIOR_BEFORE = re.compile(r"\b(?:no|without)\s+(?:prior|previous|earlier)\s+(?:ms\s+)?$|\bnot\s+(?:been\s+)?previously\s+(?:been\s+)?treated\s+with\s+(?:an?y?\s+)?$")
_EXCEPTED_AFTER = re.compile(r"\s*(?:,\s*)?(?:other\s+than|except(?:\s+for)?|with\s+the\s+exception\s+of|apart\s+from|besides)\b([^.;]{0,80})")
_CLASS_CHANGE_AFTER = re.compile(r"\s*(?:changes?|switch\w*|dose)\b")
# "any DMT during the study" is concomitant use; "DMT-naive or on a stable DMT" takes treated people too.
_DURING_STUDY_AFTER = re.compile(r"[^.;]{0,40}?\b(?:during|throughout)\s+(?:the\s+)?(?:study|trial|treatment\s+period)\b")
_OR_TREATED_AFTER = re.compile(
    r"[^.;]{0,60}?\bor\b[^.;]{0,40}?\b(?:stable|on\s+(?:an?\s+)?(?:dmt|disease|treatment|therapy)|receiving|currently\s+treated"
    r"|treated\s+with\s+(?:an?y?\s+)?(?:dmt|disease))"
)


def _class_exclusion(sentence: Sentence) -> list[tuple[int, int]]:
    """Spans of class-wide DMT wording that excludes prior anti-CD20 use with the rest."""
    low = sentence.low
    spans: list[tuple[int, int]] = []
    for match in _NAIVE.finditer(low):
        if sentence.section != EXCLUSION and not _OR_TREATED_AFTER.match(low, match.end()):  # "treatment-naive" asked for
            spans.append(match.span())
    for match in _DMT_CLASS.finditer(low):
        clause = _clause_before(low, match.start())
        after = low[match.end():]
        if (_CLASS_NOT_PRIOR_BEFORE.search(clause) or _CLASS_CHANGE_AFTER.match(after) or _ALLOWED_AFTER.match(after)
                or _DURING_STUDY_AFTER.match(after)):
            continue
        excepted = _EXCEPTED_AFTER.match(after)
        if excepted and _ANTI_CD20.search(excepted.group(1)):
            continue  # "any DMT except ocrelizumab": the named drug's own reading says it
        if _excludes(sentence):
            if _CLASS_PRIOR_CUE.search(clause):
                spans.append(match.span())
        elif _NO_PRIOR_BEFORE.search(low[:match.start()][-60:]) or _EXCLUDED_AFTER.match(after):
            spans.append(match.span())
    return spans


STEM_CELL_KEYWORDS = ("stem cell", "stem-cell", "hsct", "bone marrow", "poietic", "^asct")
_STEM_CELL = re.compile(
    r"\b(?:a|auto|allo)?-?hscts?\b|\bascts?\b|bone[\s-]+marrow\s+(?:transplant\w*|grafts?)"
    r"|(?:ha?ematopoietic|hemopoietic)\s+(?:stem\s+|progenitor\s+)?cells?\s+(?:transplant\w*|therap\w*|rescue)"
    r"|stem[\s-]+cells?\s+(?:transplant\w*|therap\w*|treatment|infusion|rescue|grafts?)"
)
# Mentions that are not about having had the therapy.
_NOT_PRIOR_USE_BEFORE = re.compile(
    r"hypersensitiv|allerg|contraindicat|intoleran|reactions?\s+(?:to|with)\s+(?:\w+\s+)?$"
    r"|(?:prior\s+to|before|until)\s+(?:the\s+)?(?:(?:first|initial|start\s+of|next)\s+)?(?:dose\s+of\s+|infusion\s+of\s+)?(?:[^\s(]+\s*\(\s*)?$"
    # The study drug's start: "no corticosteroids within 7 days of first ocrelizumab treatment"
    # times another rule; it is not prior use. ("since the last dose of rituximab" is, so "last"
    # is not read here.)
    r"|\b(?:of|after|from|following)\s+(?:the\s+)?(?:first|initial)\s+(?:(?:dose|infusion|administration|course)\s+of\s+)?(?:study\s+)?$"
    r"|eligible\s+(?:to|for)|candida\w*|plann\w*|intend\w*|schedul\w*|willing\w*|will\s+(?:receive|start|undergo|be\s+treated)"
    r"|\bstart\w*\s+(?:treatment\s+with\s+)?$|initiat\w*|prescri\w*|\bto\s+receive|randomi[sz]ed\s+to|refer\w*\s+for|label|insert|uspi|smpc"
)
# Contraindications and reactions stated anywhere in the clause before the drug.
_REACTION_IN_CLAUSE = re.compile(r"hypersensitiv|allerg|contraindicat|intoleran|anaphyla")
# "treatment with rituximab is clinically inappropriate": a contraindication, not prior use.
_UNSUITABLE_AFTER = re.compile(
    r"[^.;]{0,30}?\b(?:is|are|would\s+be)\s+(?:clinically\s+|medically\s+)?(?:inappropriate|contraindicated|not\s+(?:appropriate|indicated|suitable|tolerated))"
)
_ALLOWED_AFTER = re.compile(
    r"^[^.;]{0,80}?(?<!not\s)\b(?:(?:is|are)\s+(?:allowed|permitted|acceptable)|may\s+(?:be\s+)?(?:enrol|includ|participat)"
    r"|can\s+be\s+(?:included|enrolled))"
)
_NOT_ALLOWED_AFTER = re.compile(r"^[^.;]{0,80}?\b(?:not\s+(?:be\s+)?(?:allowed|permitted)|excluded|ineligible)\b")
_EXCEPT_BEFORE = re.compile(r"(?:except|other\s+than|with\s+the\s+exception\s+of|apart\s+from|besides)\s+(?:\w+[\s,/]+){0,4}$")
_NEGATED_BEFORE = re.compile(r"\b(?:no|not|never|naive|naïve|without|nor|neither|free\s+of)\b")
_NEGATED_AFTER = re.compile(r"^[^.;]{0,20}?[\s-](?:naive|naïve)\b|^[^.;]{0,60}?\b(?:ha(?:ve|s|d)\s+not|never)\b")
_PRIOR_USE = re.compile(
    r"previous|prior|history|current|receiv|received|treated|treatment\s+with|therapy\s+with|stable\s+on|on\s+(?:stable\s+)?(?:treatment|therapy|dose)"
    r"|switch\w*\s+from|transition\w*\s+from|following|underw|undergone|infusions?\b|doses?\b|cycles?\b|exposure|exposed"
    r"|use\s+of|qualifying"
)
# Contraception rules time themselves on the study drug ("for 12 months after the last dose of
# ocrelizumab"): a drug named there, after "after the last dose", is the one under study.
_CONTRACEPTION = re.compile(r"contracept|birth\s+control|abstinen|childbearing|child-bearing|pregnan")
_AFTER_LAST_DOSE_BEFORE = re.compile(r"\b(?:after|following|until)\s+(?:the\s+)?(?:last|final)\b[^.;]{0,40}$")
_FAILED_ON = re.compile(r"respon|\bfail|breakthrough|inadequate|suboptimal|despite|refractory")
_BRACKETED_REPEAT = re.compile(r"[®™\s]*\(\s*")
_ANY_TIME = re.compile(r"\b(?:at\s+)?any\s+time\b|\bever\b|\blifetime\b")


@dataclass(frozen=True)
class PriorTherapyResult:
    excluded: bool | None  # True: excluded; False: the text allows it; None: not stated
    window_months: int | None  # an exclusion limited to recent use ("within the past 6 months")
    sources: tuple[Sentence, ...]


def _read_prior_therapy(text: CriteriaText, keywords: tuple[str, ...], pattern: re.Pattern,
                        class_keywords: tuple[str, ...] = ()) -> PriorTherapyResult:
    verdicts: list[bool] = []
    windows: list[int | None] = []
    sources: list[Sentence] = []
    for sentence in text.sentences_with(keywords + class_keywords):
        if class_keywords:
            for start, end in _class_exclusion(sentence):
                verdicts.append(True)
                window = None if _ANY_TIME.search(sentence.low) else _nearest_window(sentence.low, start, end, "")
                windows.append(months_of(*window) if window else None)
                if sentence not in sources:
                    sources.append(sentence)
        low = sentence.low
        timed_on_study_drug = _CONTRACEPTION.search(low) is not None
        previous_end = -10
        for match in pattern.finditer(low):
            # "BRIUMVI® (ublituximab-xiiy)": the bracketed name repeats the one just read.
            repeats_previous = _BRACKETED_REPEAT.fullmatch(low, previous_end, match.start()) is not None
            previous_end = match.end()
            if repeats_previous:
                continue
            before = low[max(0, match.start() - 60):match.start()]
            after = low[match.end():]
            clause = _clause_before(low, match.start(), reach=160)
            if _NOT_PRIOR_USE_BEFORE.search(before[-45:]) or _REACTION_IN_CLAUSE.search(clause):
                continue
            if timed_on_study_drug and _AFTER_LAST_DOSE_BEFORE.search(before):
                continue
            if _UNSUITABLE_AFTER.match(after):
                continue
            if _NOT_ALLOWED_AFTER.match(after) or _EXCLUDED_AFTER.match(after):
                verdict = True
            elif _ALLOWED_AFTER.match(after):
                verdict = False
            elif _excludes(sentence):
                verdict = not _EXCEPT_BEFORE.search(before)
            elif _FAILED_ON.search(clause):
                verdict = False  # "not responding to ... ocrelizumab": the therapy was taken
            elif _NEGATED_BEFORE.search(clause) or _NEGATED_AFTER.match(after):
                verdict = True
            elif _PRIOR_USE.search(low[:match.start()]) or _PRIOR_USE.search(after[:40]):
                verdict = False
            else:
                continue
            verdicts.append(verdict)
            if verdict:
                window = None if _ANY_TIME.search(low) else _nearest_window(low, match.start(), match.end(), "")
                windows.append(months_of(*window) if window else None)
            if sentence not in sources:
                sources.append(sentence)
    if not verdicts:
        return PriorTherapyResult(None, None, ())
    if any(verdicts):
        # Any exclusion wins; it is lifelong unless every exclusion names a window.
        window_months = None if None in windows else max(w for w in windows if w is not None)
        return PriorTherapyResult(True, window_months, tuple(sources))
    return PriorTherapyResult(False, None, tuple(sources))


def read_prior_anti_cd20(text: CriteriaText) -> PriorTherapyResult:
    return _read_prior_therapy(text, ANTI_CD20_KEYWORDS, _ANTI_CD20, ANTI_CD20_CLASS_KEYWORDS)


def read_prior_stem_cell_transplant(text: CriteriaText) -> PriorTherapyResult:
    return _read_prior_therapy(text, STEM_CELL_KEYWORDS, _STEM_CELL)
