"""What taking part involves, in plain words, from a trial's design, arms and description.

Each answer carries the record's own words it came from (`source`), or says "not stated". The
sentences are ours; the quotes are short snippets of the registry text (shown as text, untrusted).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterator

NOT_STATED = "not stated"
SNIPPET_CHARACTERS = 180

PLACEBO_ARM_TYPES = ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR")
OPEN_MASKING = "NONE"
MASKING_WORDS = {"SINGLE": "single-blind", "DOUBLE": "double-blind", "TRIPLE": "triple-blind",
                 "QUADRUPLE": "quadruple-blind"}
WHO_MASKED_WORDS = {"PARTICIPANT": "you", "CARE_PROVIDER": "the doctors and nurses giving the treatment",
                    "INVESTIGATOR": "the researchers", "OUTCOMES_ASSESSOR": "the people who measure the results"}

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                 "fifteen": 15, "sixteen": 16, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30,
                 "thirty-six": 36, "forty-eight": 48, "fifty-two": 52}
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")"
_DURATION = re.compile(_NUMBER + r"[\s-]*(?:\(\d+\)\s*)?(day|week|month|year)s?\b", re.IGNORECASE)
_DURATION_CUES = re.compile(
    r"participation|participate|take part|taking part|in the study for|treatment period|treatment phase|"
    r"study duration|duration of (?:the )?(?:study|trial|treatment|participation)|will last|total duration",
    re.IGNORECASE)
_CUE_WINDOW = 90  # characters either side of a cue in which a duration counts as belonging to it
_VISIT_COUNT = re.compile(
    _NUMBER + r"\s+(?:(?:study|clinic|clinical|in-person|on-site|site|outpatient|scheduled|separate|research|"
    r"follow-up|hospital|office)\s+)?visits\b", re.IGNORECASE)
_NUMBERED_VISIT = re.compile(r"\bvisit\s+(\d{1,2})\b", re.IGNORECASE)
_EXTENSION = re.compile(r"open[\s-]label extension|\bOLE\b|extension (?:period|phase|study|part|treatment)",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Fact:
    answer: str               # our plain sentence, or "not stated"
    source: str | None = None  # the record's words it came from (a short snippet), None when not stated
    where: str | None = None   # which part of the record: "arms", "design", "detailed description", ...

    @property
    def stated(self) -> bool:
        return self.source is not None


@dataclass(frozen=True)
class Participation:
    placebo: Fact
    blinding: Fact
    duration: Fact
    visits: Fact
    extension: Fact

    def items(self) -> list[tuple[str, Fact]]:
        return [("Chance of placebo or sham", self.placebo), ("Blinding", self.blinding),
                ("How long you take part", self.duration), ("Number of visits", self.visits),
                ("Open-label extension", self.extension)]


def _module(study: dict, name: str) -> dict:
    section = study.get("protocolSection") if isinstance(study, dict) else None
    module = section.get(name) if isinstance(section, dict) else None
    return module if isinstance(module, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else float(_NUMBER_WORDS[word.lower()])


def _snippet(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], cut to about SNIPPET_CHARACTERS, whitespace collapsed."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    left = 0 if left < 0 else left + 1
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    if right - left > SNIPPET_CHARACTERS:
        half = (SNIPPET_CHARACTERS - (end - start)) // 2
        left, right = max(left, start - max(half, 20)), min(right, end + max(half, 20))
    snippet = " ".join(text[left:right].split())
    return snippet.rstrip(".") if snippet.count(".") == 1 and snippet.endswith(".") else snippet


def _texts(study: dict) -> Iterator[tuple[str, str]]:
    """(where, text) for the free-text parts of the record, most specific to the person first."""
    description = _module(study, "descriptionModule")
    for where, value in (("detailed description", description.get("detailedDescription")),
                         ("brief summary", description.get("briefSummary"))):
        if _text(value):
            yield where, value
    for arm in _arms(study):
        if _text(arm.get("description")):
            yield f"arm \"{_text(arm.get('label')) or 'unnamed'}\"", arm["description"]
    design = _module(study, "designModule").get("designInfo")
    if isinstance(design, dict) and _text(design.get("interventionModelDescription")):
        yield "design", design["interventionModelDescription"]
    official = _text(_module(study, "identificationModule").get("officialTitle"))
    if official:
        yield "official title", official


def _arms(study: dict) -> list[dict]:
    arms = _module(study, "armsInterventionsModule").get("armGroups")
    return [arm for arm in arms if isinstance(arm, dict)] if isinstance(arms, list) else []


def _design(study: dict) -> dict:
    design = _module(study, "designModule").get("designInfo")
    return design if isinstance(design, dict) else {}


def _chance(placebo: int, total: int) -> str:
    divisor = math.gcd(placebo, total)
    return f"{placebo // divisor} in {total // divisor}"


def placebo_fact(study: dict) -> Fact:
    design_module = _module(study, "designModule")
    if design_module.get("studyType") == "OBSERVATIONAL":
        return Fact("no placebo: this study observes, it gives no study treatment",
                    "study type: observational", "design")
    arms = _arms(study)
    design = _design(study)
    if not arms:
        names = [_text(i.get("name")) for i in _module(study, "armsInterventionsModule").get("interventions") or []
                 if isinstance(i, dict)]
        dummy = [name for name in names if name and re.search(r"placebo|sham", name, re.IGNORECASE)]
        if dummy:
            return Fact("some participants get placebo or sham; the chance is not stated",
                        f"intervention: {dummy[0]}", "interventions")
        return Fact(NOT_STATED)
    labels = [f"{_text(arm.get('label')) or 'unnamed'} ({str(arm.get('type') or 'type not given').lower().replace('_', ' ')})"
              for arm in arms]
    source = "groups: " + "; ".join(labels)
    dummy = [arm for arm in arms if arm.get("type") in PLACEBO_ARM_TYPES]
    if dummy:
        kind = "placebo" if any(arm.get("type") == "PLACEBO_COMPARATOR" for arm in dummy) else "sham"
        if design.get("interventionModel") == "CROSSOVER":
            return Fact(f"everyone may get {kind} for part of the study: groups swap treatments (crossover)", source, "arms")
        chance = _chance(len(dummy), len(arms))
        return Fact(f"{chance} chance of {kind} ({len(dummy)} of {len(arms)} groups; "
                    "if the groups are the same size)", source, "arms")
    others = [arm for arm in arms if arm.get("type") in ("ACTIVE_COMPARATOR", "NO_INTERVENTION", "OTHER")]
    if not others:
        return Fact("no placebo: everyone gets the study treatment", source, "arms")
    if any(arm.get("type") == "NO_INTERVENTION" for arm in others):
        return Fact(f"no placebo, but {len(others)} of {len(arms)} groups get no study treatment or a "
                    "different one", source, "arms")
    return Fact(f"no placebo; {len(others)} of {len(arms)} groups get a comparison treatment instead of the "
                "study treatment", source, "arms")


def blinding_fact(study: dict) -> Fact:
    masking_info = _design(study).get("maskingInfo")
    masking_info = masking_info if isinstance(masking_info, dict) else {}
    masking = masking_info.get("masking")
    who = [w for w in masking_info.get("whoMasked") or [] if w in WHO_MASKED_WORDS] \
        if isinstance(masking_info.get("whoMasked"), list) else []
    description = _text(masking_info.get("maskingDescription"))
    if not masking:
        return Fact(NOT_STATED)
    source = f"masking: {str(masking).lower()}"
    if who:
        source += " (" + ", ".join(w.lower().replace("_", " ") for w in who) + ")"
    if description:
        source += f"; \"{_snippet(description, 0, min(len(description), 40))}\""
    if masking == OPEN_MASKING:
        return Fact("open label: you and the study team know which treatment you get", source, "design")
    words = MASKING_WORDS.get(masking, str(masking).lower())
    if not who:
        return Fact(f"{words}: someone does not know who gets which treatment (who is not stated)", source, "design")
    others = [WHO_MASKED_WORDS[w] for w in who if w != "PARTICIPANT"]
    if "PARTICIPANT" in who:
        sentence = f"{words}: you will not know which treatment you get"
        if others:
            sentence += ", and neither will " + _join(others)
    else:
        sentence = f"{words}: you will know which treatment you get, but " + _join(others) + " will not"
    return Fact(sentence, source, "design")


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def duration_fact(study: dict) -> Fact:
    for where, text in _texts(study):
        for cue in _DURATION_CUES.finditer(text):
            window_start, window_end = max(0, cue.start() - _CUE_WINDOW), min(len(text), cue.end() + _CUE_WINDOW)
            found = [m for m in _DURATION.finditer(text, window_start, window_end)]
            if not found:
                continue
            nearest = min(found, key=lambda m: min(abs(m.start() - cue.end()), abs(cue.start() - m.end())))
            amount, unit = _number(nearest.group(1)), nearest.group(2).lower()
            shown = f"{amount:g} {unit}{'' if amount == 1 else 's'}"
            return Fact(f"about {shown}", _snippet(text, min(cue.start(), nearest.start()),
                                                   max(cue.end(), nearest.end())), where)
    return Fact(NOT_STATED)


def visits_fact(study: dict) -> Fact:
    for where, text in _texts(study):
        found = _VISIT_COUNT.search(text)
        if found:
            count = _number(found.group(1))
            return Fact(f"{count:g} visit{'' if count == 1 else 's'}", _snippet(text, found.start(), found.end()), where)
    for where, text in _texts(study):
        numbered = list(_NUMBERED_VISIT.finditer(text))
        if numbered:
            last = max(numbered, key=lambda m: int(m.group(1)))
            if int(last.group(1)) >= 2:
                return Fact(f"at least {int(last.group(1))} visits (the text numbers them)",
                            _snippet(text, last.start(), last.end()), where)
    return Fact(NOT_STATED)


def extension_fact(study: dict) -> Fact:
    for where, text in _texts(study):
        for found in _EXTENSION.finditer(text):
            if found.group().upper() == "OLE" and found.group() != "OLE":
                continue  # the abbreviation only in capitals; "ole" is something else
            return Fact("yes: an extension follows, where participants can go on with the study treatment",
                            _snippet(text, found.start(), found.end()), where)
    return Fact(NOT_STATED)


def taking_part(study: dict) -> Participation:
    """What joining this trial involves: placebo chance, blinding, duration, visits, extension."""
    return Participation(placebo=placebo_fact(study), blinding=blinding_fact(study), duration=duration_fact(study),
                         visits=visits_fact(study), extension=extension_fact(study))
