"""The EDSS window a study admits, read from its criteria text.

How a window is read (decisions a reader of the results should know):

* Bounds are inclusive as written. A strict bound becomes the nearest valid score inside it,
  because the EDSS moves in steps of 0.5: "< 5.5" gives a maximum of 5.0, "> 2.0" a minimum
  of 2.5. A one-sided bound leaves the other side empty ("<= 5.5": minimum None); "0 to 5.5"
  gives a minimum of 0.
* Scores must lie on the scale (0 to 10 in steps of 0.5); anything else is not an EDSS window.
  "0 to 10" is the scale itself being described, not a window, and is ignored.
* Only the inclusion section states the window. In the exclusion section "EDSS > 6.5" is the
  same rule seen from the other side, so it fills a maximum of 6.5 (and "EDSS < 2.0" a minimum
  of 2.0) when the inclusion section left that side open and nothing contradicts it.
* Not windows: progression definitions ("an increase of >= 1.0 EDSS point", "1-point worsening
  for baseline EDSS <= 5.5"), changes, and conditions ("less than 10 years if EDSS > 5.0",
  "no more than 15 years for EDSS 5.5-6.5", "< 10 years (EDSS <= 5.0)"): there the EDSS picks
  out who gets another rule. Nor is a bound whose operator was lost in copying ("EDSS ?4.5").
* Several windows for subgroups ("2.0-5.5 for RMS, 3.0-6.5 for PPMS") give the overall span.
* A criterion that opens with the EDSS ("EDSS <= 6.5") outranks an EDSS buried inside another
  criterion ("... 1 relapse with severe residual symptoms and EDSS >= 3.0 OR ..."): the buried
  one is used only when nothing better exists.
* A later mention in the same criterion that offers another way in ("..., or EDSS 5.0-6.5 and
  ...", "... will also be included", "in which case EDSS >= 3.0 is accepted") is a subgroup
  window of that criterion; so is "2.0-6.5, or up to 7.0 for participants over 50", which
  widens one side of the range.
* Criteria labelled for different subgroups ("RMS: EDSS <= 5.5", "PPMS: EDSS 3.0-6.5") give the
  overall span, open on a side where one subgroup's window is open. A window written for one
  subgroup named after it beside a window for everyone ("EDSS <= 6.5; EDSS >= 2.0 for
  participants with SPMS") leaves the others with the window for everyone: 6.5 with no minimum.
* A score that picks out who must meet another rule ("participants with an EDSS <= 2.0 are
  eligible only if their disease duration is <= 10 years") is no window, like a predicate.
* A later bound that a condition limits to some ("<= 6.0 (<= 6.5 if aged >= 50)", "at most 5.0,
  and at least 2.0 if disease duration > 10 years") joins as a subgroup's window: it widens the
  side the first bound closes (6.5) and leaves an open side open (no minimum). An exception
  ("except patients under 40 who may enter with EDSS >= 4.0") is another way in.
* "Excluding" turns around only the EDSS in its own clause ("Relapsing MS, excluding patients
  with EDSS > 5.5"); "Any MS course excluding PPMS, with an EDSS <= 6.5" states the window.
* Citations and pointers in brackets after the scale's name ("EDSS (Kurtzke, 1983; see
  Appendix 2) <= 5.5"), full-width forms ("EDSS ＜ 6.0") and a vulgar half ("6½") are read through.
* Scores written as words count where a bound stands ("EDSS of six or less", "three to six and
  a half"); "four (4)" is one score. A lead-in line ("EDSS score at screening:") takes its
  window from the sub-items under it, read until an item states no score. A sub-item that names
  a limit ("- Minimum: 3.0 - Maximum: 6.5", "lower limit 2.0", "Max. score: 6.0") gives that
  side, on its own line or flattened onto the lead-in's ("• minimum 2.0 • maximum 6.5"); a
  lead-in may name a visit ("EDSS at Visit 1:").
* "= 5.5 or less" is read by its words (maximum 5.5); a bare "= 5.5" is one score. "Minor/major
  (than) or equal to" are read as less/greater. A footnote mark on the name ("EDSS^1", "EDSS¹")
  is no score, nor is a numbered cohort ("for participants in Part 2").
* A criterion headed by a subgroup ("Participants with PPMS: EDSS >= 3.5") beside a window for
  everyone is that subgroup's window, like "For PPMS: ...". A bracketed "(or >= 2.0 after a
  relapse)" after a bound is another way in that widens it; the chain goes on after the bracket.
* "1.0 <= x <= 5.5" is a range, so is "3.0 to <7.0" (a maximum of 6.5); "= or <" is "<="; "e"/"y" join two bounds as "and" does; a bound
  alone after a semicolon ("lower limit: 3.0; upper limit: 6.5") closes the window's open side.
* An exclusion that names the scores outside a range ("EDSS outside 2.0-6.5", "EDSS score not
  between 2.5 and 6.5", "disability outside an EDSS range of 3.0 to 6.5") states that range as the
  window; like other exclusions it fills only a side the inclusion section leaves open. "Outside
  2.0 and 6.5" names the two ends of that range. "EDSS of 0-1.5 or >= 7.0" (a bound after "or"
  beyond a gap) is two sets of scores, not a widening of the first.
* A subgroup's bound followed by the rule its people must meet ("0-5.5 (for patients with EDSS
  <= 2.0, disease duration must be <= 10 years)", "for EDSS 0-2.0: disease duration <= 10 years")
  picks them out and is no window; nor is a bound
  right after "by" ("must not differ from baseline by more than 1 point"), which gives a change.
* A bracketed bound for some people right after a bound ("2.0-6.5 (up to 7.0 for participants
  older than 55)", "(>= 3.0 if ...)") is another way in, as "(or ...)" is; one-sided after a full
  range, it widens that side only (2.0-7.0).
* A higher EDSS is a worse one: "worse than 6.5" is "> 6.5", "no worse than 6.5" is "<= 6.5",
  "better than 7.0" is "< 7.0"; "beyond" is "above".
* A part of the scale named right before it ("pyramidal functional system score of the EDSS >= 2",
  "... on the cerebellar section of the EDSS") bounds that part, not the EDSS. "Score of 2.0 to 6.0
  by EDSS" is a window written before the scale, like "... on the EDSS".
* An exclusion widened for some ("EDSS > 5.5 (or > 6.0 if aged over 50)") shuts out only the scores
  every version of it names, so the widest window anyone may have ends at 6.0, as an inclusion
  "<= 5.5 (or <= 6.0 if ...)" does. A bracket that names the other limit for some ("3.0-6.5 (the
  upper limit is 7.0 for participants in Part B)") widens that side, as "(up to 7.0 for ...)" does.
  Versions of one exclusion on the same side for different people ("EDSS above 5.5, or above 6.5 in
  participants with SPMS") give the loosest one (6.5); exclusions in different criteria all hold.
* An EDSS inside another criterion with a bare "allowed" after it ("Age 18-65 (EDSS up to 7.0
  allowed for participants aged 55 or older)") is another way in, like "... may also be included".
* A plus sign right before a number ("judged by the EDSS: baseline + 1.0 if ...") adds a change to a
  score; it is no window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .score_words import digits_for_words
from .text import EXCLUSION, INCLUSION, CriteriaText, Sentence

# "EDDS" is a common misspelling of the acronym in registry texts ("EDDS score 2-6.5").
KEYWORDS = ("edss", "edds", "expanded", "kurtzke", "disability status")

# The scale's names: "EDSS", "Expanded Disability Status Scale (EDSS)", "(Kurtzke) Expanded
# Disability Status Scale", "Expanded Kurtzke Disability Status Score", "Kurtzke scale", and the
# name with "Status" left out ("Expanded Disability Scale Score").
_SCALE = re.compile(
    r"(?:\(\s*kurtzke\s*\)\s*)?(?:"
    r"(?:kurtzke(?:'s|’s)?\s+)?expanded\s+(?:kurtzke\s+)?disability\s+(?:status\s+|scale\s+(?=score))(?:scale|score)s?"
    r"(?:\s+of\s+kurtzke|\s*\(\s*kurtzke\s*\))?(?:\s*\(\s*(?:edss|kurtzke)[^)]{0,12}\))?"
    r"|(?:kurtzke\s+)?\be(?:dss|dds)(?![a-z0-9])(?:\s*\(\s*(?:expanded\s+disability\s+status\s+(?:scale|score)|kurtzke)[^)]{0,12}\))?"
    r"|kurtzke(?:'s|’s)?\s+(?:disability\s+)?(?:scale|score)s?"
    r"|(?:kurtzke(?:'s|’s)?\s+)?(?:multiple\s+sclerosis\s+)?disability\s+status\s+(?:scale|score)s?"
    r"(?:\s*\(\s*(?:e?dss|kurtzke)[^)]{0,12}\))?"
    r")"
)

# Never a number cut short: "EDSS 5.5: able to walk 100 m" must not backtrack to read "5".
# "6½": the vulgar half some registries print after the whole number.
_NUM = r"(?<![0-9.,·])[0-9]{1,3}(?:[.,·][0-9]{1,2}|\s?½)?(?![0-9])(?![.,·][0-9])"

_GE_SYMBOL = r"(?:≥|⩾|≧|>\s*/?\s*=|=\s*/?\s*>|>\s*or\s*(?:=|equal(?:\s+to)?\b)|=\s*or\s*>)"
_LE_SYMBOL = r"(?:≤|⩽|≦|<\s*/?\s*=|=\s*/?\s*<|<\s*or\s*(?:=|equal(?:\s+to)?\b)|=\s*or\s*<)"
_GT_SYMBOL = r"(?:>|≻)"
_LT_SYMBOL = r"(?:<|≺)"
_GE_WORDS = (
    r"\b(?:(?:greater|more|higher|bigger|superior|major)\s+(?:than\s+)?or\s+equals?(?:\s+(?:to|than))?"
    r"|equal\s+to\s+or\s+(?:greater|higher|more|above)(?:\s+than)?|equals?\s+or\s+(?:greater|higher|more|superior)(?:\s+(?:than|to))?"
    r"|at\s+least|no[t]?\s+(?:less|lower|better)\s+than|not\s+(?:below|under)"
    # "Minimum: 3.0", "Minimum score: 2.0", "lower limit 3.5": a sub-item that names the limit it gives.
    r"|(?:(?:a\s+)?minimum(?:\s+(?:score\s+)?of)?|min\b\.?(?:\s+of)?|lower\s+limit(?:\s+of)?)(?:\s+score)?(?:\s*:)?"
    r"|minimally)"
)
_LE_WORDS = (
    r"\b(?:(?:less|lower|smaller|inferior|minor)\s+(?:than\s+)?or\s+equals?(?:\s+(?:to|than))?"
    r"|equal\s+to\s+or\s+(?:less|lower|smaller|below)(?:\s+than)?|equals?\s+or\s+(?:less|lower|inferior)(?:\s+(?:than|to))?"
    r"|no[t]?\s+(?:more|greater|higher|worse)\s+than|not\s+(?:exceeding|to\s+exceed|above|over|beyond)|does\s+not\s+exceed"
    r"|at\s+most|up\s+to(?:\s+and\s+including)?|maximally"
    r"|(?:(?:a\s+)?maximum(?:\s+(?:score\s+)?of)?|max\b\.?(?:\s+of)?|upper\s+limit(?:\s+of)?)(?:\s+score)?(?:\s*:)?)"
)
# A higher EDSS is a worse one: "worse than 6.5" is "> 6.5", "better than 7.0" is "< 7.0".
_GT_WORDS = r"\b(?:greater\s+than|more\s+than|higher\s+than|above|over|beyond|exceeding|exceeds|in\s+excess\s+of|superior\s+to|major\s+than|worse\s+than)"
_LT_WORDS = r"\b(?:less\s+than|lower\s+than|fewer\s+than|smaller\s+than|below|under|inferior\s+to|beneath|minor\s+than|better\s+than)"
# "greater than or equal to (>/=) 5.0": the registry sometimes repeats the symbol in brackets.
_BRACKETED_SYMBOL = rf"(?:\s*\(\s*(?:{_GE_SYMBOL}|{_LE_SYMBOL}|{_GT_SYMBOL}|{_LT_SYMBOL})\s*\))?"
_OP = (
    rf"(?P<ge>{_GE_WORDS}{_BRACKETED_SYMBOL}|{_GE_SYMBOL})"
    rf"|(?P<le>{_LE_WORDS}{_BRACKETED_SYMBOL}|{_LE_SYMBOL})"
    rf"|(?P<gt>{_GT_WORDS}{_BRACKETED_SYMBOL}|{_GT_SYMBOL})"
    rf"|(?P<lt>{_LT_WORDS}{_BRACKETED_SYMBOL}|{_LT_SYMBOL})"
)
_DASH = r"(?:-|–|—|‑|−|~|～)"  # "2.0 ~ 6.5": a tilde as the range sign in some registries
_SCALE_AGAIN = r"(?:(?:the\s+)?(?:edss|kurtzke)\s+(?:score\s+)?(?:of\s+)?)?"

_BETWEEN = re.compile(
    rf"(?:between|btw\.?)\s+(?:an?\s+)?{_SCALE_AGAIN}(?:score\s+)?(?:of\s+)?(?P<lo>{_NUM})\s*(?:points?\s+)?"
    rf"(?:and|to|{_DASH}|&|/)\s*(?:an?\s+)?{_SCALE_AGAIN}(?P<hi>{_NUM})"
)
_RANGE = re.compile(
    rf"(?P<lo>{_NUM})\s*(?:points?\s+)?(?:\(\s*inclusive\s*\)\s*)?"
    rf"(?:{_DASH}|to|through|thru|until|till|(?:and\s+)?up\s+to(?:\s+and\s+including)?)\s*(?:an?\s+)?{_SCALE_AGAIN}"
    # "3.0 to <7.0", "3.0 to ≤ 6.5": the top written with its own symbol; a strict one is one step inside.
    rf"(?:(?P<hi_le>{_LE_SYMBOL})|(?P<hi_lt>{_LT_SYMBOL}))?\s*(?P<hi>{_NUM})"
)
# "1.0 ≤ x ≤ 5.5", "2 < score <= 6.5": the score as a placeholder between two bounds.
_BETWEEN_SYMBOLS = re.compile(
    rf"(?P<lo>{_NUM})\s*(?:(?P<lo_le>{_LE_SYMBOL})|{_LT_SYMBOL})\s*(?:x|score|value)\s*"
    rf"(?:(?P<hi_le>{_LE_SYMBOL})|{_LT_SYMBOL})\s*(?P<hi>{_NUM})"
)
# ">= 3.0 to 8.0" (a redundant "at least"), and "= 3.0 to 8.0" where a copy lost the ">".
_GE_BEFORE_RANGE = re.compile(rf"(?:{_GE_WORDS}|{_GE_SYMBOL}|=)\s*")
_ONE_SIDED = re.compile(rf"(?:{_OP})\s*(?:an?\s+)?{_SCALE_AGAIN}(?:score\s+)?(?:of\s+|than\s+)?(?P<v>{_NUM})")
_POSTFIX = re.compile(
    rf"(?:=\s*|equals?\s+(?:to\s+)?)?(?P<v>{_NUM})\s*(?:points?\s+)?(?:"
    r"(?P<post_le>(?:or|and|&|/)\s*(?:less|lower|below|under|fewer|smaller|beneath|lesser)\b|(?:at\s+)?(?:the\s+)?(?:maximum|max\b\.?|most\b))"
    r"|(?P<post_ge>(?:or|and|&|/)\s*(?:more|greater|higher|above|over|upwards?)\b|\+(?![0-9])|(?:at\s+)?(?:the\s+)?(?:minimum|min\b\.?|least\b))"
    r")"
)
# A single value ("EDSS of 4.0"). Not when a colon follows: "EDSS 6.0: needs a cane to walk"
# defines a step of the scale.
_EQUAL = re.compile(rf"(?:=\s*|equals?\s+(?:to\s+)?)?(?P<v>{_NUM})(?!\s*(?::|{_DASH}\s*[0-9]|[0-9]))")

# Where a bound can begin after the scale's name.
_START = re.compile(
    r"\bbetween\b|\bbtw\b|(?<![0-9.,·])[0-9]|[≥≤⩽⩾≧≦<>=≻≺]"
    r"|\b(?:greater|more|higher|less|lower|fewer|smaller|worse|better|at\s+(?:least|most)|no[t]?\s+(?:less|lower|more|greater|higher|worse|better)"
    r"|not\s+(?:exceeding|to\s+exceed|above|below|over|under|beyond)|does\s+not\s+exceed|up\s+to|(?:a\s+)?maximum|(?:a\s+)?minimum"
    r"|max|min|maximally|minimally|above|below|over|under|beyond|exceed\w*|in\s+excess|superior|inferior|major|minor|beneath|equal\w*"
    r"|(?:lower|upper)\s+limit)\b"
)
# A number that names something else ("Visit 1", "Day 0", "Appendix 2") rather than a score.
_LABEL_BEFORE_NUMBER = re.compile(
    r"(?:visit|day|week|month|part|cohort|arm|group|appendix|section|table|criterion|item|phase|stage|grade|version|v|#|no\.?)\s*-?\s*$"
)
# A reference in brackets next to the scale's name or bound: "[5]", "[12-14]", "[ref. 5]", "(5)",
# "(ref 12)". A bare number in round brackets counts only alone: "(3-6)" may be a window.
_REF_WORD = r"(?:ref(?:erence)?s?\.?|see|cf\.?)\s*"
_REFERENCE = re.compile(
    rf"\[\s*(?:{_REF_WORD})?[0-9]{{1,3}}(?:\s*[,\-–]\s*[0-9]{{1,3}})*\s*\]"
    rf"|\(\s*(?:{_REF_WORD}[0-9]{{1,3}}(?:\s*[,\-–]\s*[0-9]{{1,3}})*|[0-9]{{1,3}})\s*\)"
)
# What may stand between the scale's name and its bound ("score", "at screening", "of").
_FILLER_STOP = re.compile(
    r"increas|worsen|progress|chang|decreas|improv|reduc|deteriorat|\bsteps?\b(?!\s*$)|\bpoints?\b|sustain|confirm"
    r"|\bdelta\b|\bdiffer|\bdrop|declin|\bmsss\b|\bfs\b|functional|pyramidal|subscore|t25|walk|9hpt|\bpeg\b|msfc|sdmt"
    # "... must not differ from baseline by more than 1 point": "by" right before a bound gives a change.
    r"|\bby\s*$"
    # "judged by the EDSS: baseline + 1.0 if ...": a plus sign right before the number adds a change to a score.
    r"|\+\s*$"
    r"|\bage\b|\baged\b|\byears?\b|duration|lesion|\bmri\b|\b(?:if|when|unless|whose)\b|;"
    # A "?" or replacement character where the operator should be ("EDSS ?4.5"): a symbol lost
    # in some copy of the record, so which side the bound is on cannot be known.
    r"|[?\ufffd]"
)
# Units after a number show it is not an EDSS score: "< 10 years", "> 20 %", "0 - 10 scale".
_UNIT_AFTER = re.compile(
    r"\s*(?:%|percent\b|per\s*cent\b|years?\b|yrs?\b|y/o\b|months?\b|mos?\b|weeks?\b|wks?\b|days?\b|hours?\b|hrs?\b"
    r"|minutes?\b|mins?\b|seconds?\b|secs?\b|s\b|mg\b|kg\b|g\b|m\b|meters?\b|metres?\b|km\b|feet\b|foot\b|ft\b|cm\b"
    r"|mm\b|ml\b|lesions?\b|relapses?\b|attacks?\b|episodes?\b|times\b|x\b|/\s*[0-9]|scale\b|steps?\b"
    r"|-?\s*points?\s+(?:of\s+)?(?:\w+\s+){0,2}(?:scale|increase|worsening|change|progression|decrease|improvement|reduction|deterioration)\b"
    r"|-\s*points?\b"
    r"|points?\s+(?:on|in)\s+(?!(?:the\s+)?(?:edss|kurtzke|expanded)))"
)
_POINTS_AFTER = re.compile(r"\s*-?\s*points?\b")
# Between chained bounds ("2.0-5.5 for RMS, 3.0-6.5 for PPMS", ">= 2.0 and <= 5.5").
_CHAIN_SKIP = re.compile(
    r"(?:\[\s*[0-9]{1,3}(?:\s*[,\-–]\s*[0-9]{1,3})*\s*\]"  # "≥ 4.5 [2], except ...": a citation after the bound
    r"|\((?![^()]*[0-9<>≤≥=])[^()\n]{1,40}\)"
    # "≥ 1.0 (excluding EDSS 0 at screening) and ≤ 5.5": a note about another score, read on its own.
    r"|\((?=[^()]*\b(?:edss|kurtzke)\b)[^()\n]{1,60}\)"
    r"|[\s,:()\[\]/&\-–—‑•▪◦]"
    # "for participants in Part 2": a numbered cohort or visit, tried before its word alone so that its
    # number is never read as a score.
    r"|\b(?:visit|day|week|part|cohort|arm|group)\s*-?\s*[0-9]+\b"
    r"|\bat\b(?!\s+(?:least|most)\b)"
    r"|\b(?:and|or|to|but|for|in|with|of|the|a|an|on|both|inclusive|inclusively|included|points?|respectively|e|y|et"
    r"|those|patients?|participants?|subjects?|people|individuals|persons|cohorts?|groups?|arms?|parts?"
    r"|screening|baseline|randomi[sz]ation|enrol?l?ment|entry|relapsing|remitting|primary|secondary|progressive"
    r"|active|non-?active|forms?|multiple|sclerosis|ms|rms|rrms|spms|ppms|pms|cis|nrspms|aspms|type|course|disease"
    r"|edss|score|scores|expanded|disability|status|scale|kurtzke)\b)*"
)
_NOTE_ON_A_SCORE = re.compile(r"\((?=[^()]*\b(?:edss|kurtzke)\b)[^()\n]{1,60}\)")
# Words that start a subgroup ("for RMS", "in the PPMS cohort"): bounds around them are
# separate windows, not two sides of one.
_SUBGROUP_WORDS = re.compile(
    r"\b(?:for|in|among|cohorts?|groups?|arms?|parts?|patients?|participants?|subjects?|those|people"
    r"|rms|rrms|spms|ppms|pms|cis|relapsing|progressive|primary|secondary)\b"
)
# "EDSS 6.0 or 6.5 must be able to walk 20 m": the score picks out who must meet another rule.
_PREDICATE_AFTER = re.compile(
    r"(?:\s*(?:or|and|,)\s*[0-9][0-9.,]*)*[\s,)]*(?:must|should|needs?\s+(?:to|an?|the|two|one|bilateral|unilateral|assistance)"
    r"|will\s+(?:need|have)|(?:is|are)\s+required|ha(?:ve|s)\s+to|require)\b"
)
# "Participants with an EDSS <= 2.0 at screening are eligible only if their disease duration is
# <= 10 years": the score picks out who must meet another rule, like a predicate.
_ONLY_IF_AFTER = re.compile(
    r"[^.;]{0,60}?\b(?:(?:is|are|will\s+be|would\s+be|can\s+be|may\s+be)\s+(?:only\s+)?"
    r"(?:eligible|included|enrolled|allowed|permitted|accepted)\s+only|only\s+(?:be\s+)?(?:eligible|included|enrolled))"
    r"\s+(?:if|when|provided|after|as\s+long\s+as)\b"
)
# A condition right after a bound: that bound holds only for some. Not "when assessed at
# screening", which says when the score is taken.
_CONDITION_AFTER_BOUND = re.compile(
    r"[^.;,]{0,30}?\b(?:if|when|whenever|unless|provided|in\s+case)\b"
    r"(?!\s+(?:it\s+is\s+|they\s+are\s+)?(?:assessed|measured|scored|rated|evaluated|examined|confirmed|tested|determined|done|performed))"
)
# After a subgroup's bound, the rule those people must meet: "(for patients with EDSS <= 2.0, disease
# duration must be <= 10 years)". The bound picks them out; it is no window.
_RULE_FOR_THOSE_AFTER = re.compile(
    r"[^.;:()]{0,40}?\b(?:must|should|needs?\s+to|(?:is|are)\s+required|ha(?:ve|s)\s+to)\b"
)
# A later bound in a chain that belongs to another measure: ">= 2.0 on the pyramidal FS".
_OTHER_MEASURE_AFTER = re.compile(
    r"\s*(?:on|in|of|for)?\s*(?:the\s+)?(?:\w+\s+){0,4}(?:functional|pyramidal|\bfs\b|system|subscore|sub-score|msss|sdmt|t25|walk|peg|test)"
)

# "progress" but not "progressive": "participants with progressive MS an EDSS 3.0-6.5" names a
# disease course, not a change in the score.
_PROGRESSION = re.compile(
    r"increas|worsen|progress(?!ive)|chang|decreas|improv|reduc|deteriorat|\bsteps?\b|\bpoints?\b|sustain|confirm"
    r"|\bdelta\b|\brise\b|\bgain\b|differen|\bdrop\b|declin|\btime\s+to\b|\breach"
)
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|whose|where)\b")
# "Participants with SPMS whose EDSS is 3.0 to 6.5": "whose" right after the people the criterion
# is about describes who may join; after another rule ("< 10 years for those whose EDSS ...") it
# picks out who gets that rule.
_SUBJECT_WHOSE = re.compile(
    r"\s*(?:(?:all|adult|male|female|eligible|ms)\s+)?(?:participants?|patients?|subjects?|people|persons|individuals|adults)"
    r"(?:\s+(?:with|having|who\s+have)\s+[a-z\s-]{0,40}?)?\s+whose\s*$"
)
_EXAMPLE = re.compile(r"\bfor\s+(?:example|instance)\b")
# "EDSS <= 5.5; for EDSS 0-2.0: disease duration <= 10 years": the EDSS heads another rule.
_FOR_THOSE_BEFORE = re.compile(
    r"\b(?:for|among)\s+(?:(?:those|participants?|patients?|subjects?|people|persons|individuals)\s+(?:with|having)\s+)?(?:an?\s+)?$"
)
_COLON_AFTER = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?:")
# A time limit (or another value) that applies to the people with the EDSS that follows: the EDSS
# picks out who gets that limit ("disease duration <= 15 years for EDSS 5.5-6.5", ">= 0.5 for
# EDSS >= 6.0"), it does not limit who may join.
_DURATION_FOR = re.compile(
    r"(?:[0-9]\s*(?:years?|yrs?|months?)\s*(?:\(|\bfor\b|\bin\b|\bamong\b|\bif\b|\bwhen\b)"
    # "... >= 0.5 for EDSS >= 6.0": a value that applies to the people with that EDSS.
    r"|[0-9]\s*(?:points?\s*)?(?:\bfor\b|\bif\b|\bwhen\b))"
    r"(?:\s*(?:those|participants|patients|subjects|people|persons|individuals))?(?:\s+(?:with|who\s+have|having))?"
    r"(?:\s+(?:an?|the|a\s+baseline|baseline|screening))?\s*$"
)
_ELIGIBLE_IF = re.compile(r"\b(?:eligible|included|enrolled|qualify|participate|considered)\s+(?:\w+\s+){0,2}(?:if|when)\b")
_SUBGROUP_CONDITION = re.compile(r"\b(?:in|for|among)\s+(?:those|patients|participants|subjects|people|individuals|persons)\b")
_NUMBER_RIGHT_BEFORE = re.compile(
    r"[0-9](?:[.,][0-9]+)?\s*(?:-?\s*points?\s*)?(?:(?:on|in|of)\s+(?:the\s+)?)?$"
)
_REVERSED_BOUND_BEFORE = re.compile(
    rf"(?P<v>{_NUM})\s*(?:(?P<le>{_LE_SYMBOL})|(?P<ge>{_GE_SYMBOL})|(?P<lt>{_LT_SYMBOL})|(?P<gt>{_GT_SYMBOL}))\s*$"
)
# "Maximum EDSS of 5.5", "a minimum EDSS score of 2.0": the limit's kind stands before the scale.
_LIMIT_WORD_BEFORE = re.compile(
    r"\b(?:(?P<max>maximum|max\.?|upper\s+limit(?:\s+of)?)|(?P<min>minimum|min\.?|lower\s+limit(?:\s+of)?))\s+(?:(?:the|an?)\s+)?$"
)
_VALUE_BEFORE_SCALE = re.compile(
    r"(?P<link>(?:\s*,?\s*\(?\s*(?:both\s+)?inclusive(?:ly)?\s*\)?,?)?(?:\s*(?:points?|score))?\s+(?:on|in|using|per|by|according\s+to|as\s+(?:measured|assessed|determined|rated|scored)\s+(?:by|on|with|using))\b)"
    r"[^0-9;<>≤≥=]{0,60}$"
)
# A criterion the EDSS is buried in, rather than one that opens with it.
_BURIED = re.compile(r"[0-9]|\bor\b|\brelapses?\b|\battacks?\b|\blesions?\b|\bmri\b|\bgadolinium\b|\bt2\b|\bmonths?\b")
_NEGATION = re.compile(r"\b(?:no|not|without|never|nor)\b")
# "EDSS outside 2.0-6.5", "EDSS score not between 2.5 and 6.5", "disability outside an EDSS range of
# 3.0 to 6.5": the range is the complement of what the rule names, so an exclusion of this kind
# states the window itself.
_OUTSIDE = re.compile(
    r"\b(?:outside|not\s+(?:[a-z]+\s+){0,2}?(?:within|between)|(?:not\s+in|out\s+of)\s+(?:the\s+)?(?:range|interval))\b[^0-9<>≤≥⩽⩾=;]{0,80}$"
    r"|\b(?:out\s+of|not\s+in)\s+(?:the\s+)?$"  # "EDSS out of the 2.0-6.5 range", "not in the 2.0-6.5 range"
)
_DIGIT = re.compile(r"[0-9]")


def _first_digit(low: str, start: int, end: int) -> int:
    digit = _DIGIT.search(low, start, end)
    return digit.start() if digit else end


# "Pyramidal functional system score of the EDSS >= 2", "... on the cerebellar section of the EDSS":
# a part of the scale named right before it, whose bound is no window for the total score.
_PART_OF_SCALE_BEFORE = re.compile(
    r"\b(?:functional\s+systems?|fs|fss|subscores?|sub-scores?|sub-scales?|subscales?|sections?|domains?|items?|components?)"
    r"\b[\"'’”)]?(?:\s+\w+){0,2}?\s+(?:of|on|in|from|within)\s+(?:the\s+)?$"
)

# Words that turn an inclusion criterion into an exclusion ("Patients with EDSS > 6.5 are
# excluded"). "Excluding" is left out: it excludes only what follows it in its own clause.
_EXCLUSION_CUE = re.compile(
    r"\bexclud(?!ing\b)|\bnot\s+(?:be\s+)?eligible|\bineligible|\bnot\s+(?:be\s+)?(?:included|enrolled|allowed|permitted)"
    r"|\bdisqualif"
)
# "Relapsing MS, excluding patients with EDSS > 5.5": the EDSS inside the "excluding" clause.
_EXCLUDING_BEFORE = re.compile(r"\bexcluding\b[^,;:()]*$")
_BRACKETED = re.compile(r"\([^()]*\)")


def _mention_section(low: str, start: int, end: int, section: str) -> str:
    """The section an EDSS bound at `start`-`end` of a sentence speaks for, after its own cues.

    A cue in brackets speaks only for what is in the same brackets: "EDSS 2.0-6.5 (participants
    using a wheelchair are excluded)" still states the window.
    """
    if section == EXCLUSION:
        return EXCLUSION
    def blank_unless_around(bracket: re.Match) -> str:
        return bracket.group() if bracket.start() < start < bracket.end() else " " * len(bracket.group())

    outside = _BRACKETED.sub(blank_unless_around, low)
    if _EXCLUSION_CUE.search(outside) or _EXCLUDING_BEFORE.search(outside, 0, start):
        return EXCLUSION
    return INCLUSION



# Full-width forms from East Asian registries ("EDSS ＜ 6.0", "３.０"): one character each, like
# the ASCII they stand for, so offsets stay valid.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _readable(low: str) -> str:
    """A sentence's lower-cased text as the bounds are read from it, offsets kept."""
    return digits_for_words(low.translate(_FULLWIDTH))


@dataclass(frozen=True)
class Window:
    low: float | None
    high: float | None
    # When a bound was widened by another bound for some ("> 5.5 (or > 6.0 if aged over 50)"), the
    # scores that both exclude: read in an exclusion, the rule shuts out only those (> 6.0), so the
    # widest window anyone may have ends at 6.0. None when nothing widened the bound.
    excluded_by_all: Window | None = field(default=None, compare=False)


def _excluded_by_both(first: Window, second: Window) -> Window | None:
    """The scores two excluding bounds both name (their intersection), or None if none are shared."""
    lows = [value for value in (first.low, second.low) if value is not None]
    highs = [value for value in (first.high, second.high) if value is not None]
    low, high = (max(lows) if lows else None), (min(highs) if highs else None)
    if low is not None and high is not None and low > high:
        return None
    return Window(low, high)


def _widened(window: Window, previous: Window, other: Window) -> Window:
    """`window` (the union of `previous` and `other`) remembering the scores both exclude."""
    excluded = _excluded_by_both(previous.excluded_by_all or previous, other)
    return Window(window.low, window.high, excluded)


@dataclass(frozen=True)
class EdssFinding:
    """One statement about the EDSS, with the windows it gives and where it stands."""

    sentence: Sentence
    windows: tuple[Window, ...]
    section: str  # inclusion or exclusion, after reading the sentence's own cues
    leading: bool  # the criterion opens with the EDSS (not buried in another criterion)
    subgroup: str = ""  # the disease type or cohort named before the EDSS ("rms", "ppms"), if any
    # The window is written for a subgroup named after it ("EDSS >= 2.0 for participants with SPMS").
    for_subgroup: bool = False
    # The rule names the scores outside the window ("EDSS outside 2.0-6.5").
    outside: bool = False


@dataclass(frozen=True)
class EdssResult:
    minimum: float | None
    maximum: float | None
    sources: tuple[Sentence, ...]


def _score(raw: str) -> float | None:
    """A number as an EDSS score, or None when it is not on the scale."""
    if raw.endswith("½"):
        value = float(raw[:-1]) + 0.5
    else:
        value = float(raw.replace(",", ".").replace("·", "."))
    doubled = value * 2
    if 0 <= value <= 10 and abs(doubled - round(doubled)) < 1e-9:
        return round(doubled) / 2
    return None


def _bound(kind: str, raw: str) -> Window | None:
    value = _score(raw)
    if value is None:
        return None
    if kind == "ge":
        return Window(value, None)
    if kind == "gt":
        return Window(value + 0.5, None) if value + 0.5 <= 10 else None
    if kind == "le":
        return Window(None, value)
    if kind == "lt":
        return Window(None, value - 0.5) if value - 0.5 >= 0 else None
    return Window(value, value)


def _parse_one(low: str, at: int, limit: int) -> tuple[Window | None, int] | None:
    """One bound or range starting exactly at `at`.

    Returns None when nothing parses there, (None, end) when something parses but is not an
    EDSS window (a value off the scale, a unit after it), and (window, end) otherwise.
    """
    sandwich = _BETWEEN_SYMBOLS.match(low, at, limit)
    if sandwich:
        low_bound = _bound("ge" if sandwich.group("lo_le") else "gt", sandwich.group("lo"))
        high_bound = _bound("le" if sandwich.group("hi_le") else "lt", sandwich.group("hi"))
        if low_bound is None or high_bound is None or low_bound.low > high_bound.high:
            return None, sandwich.end()
        return Window(low_bound.low, high_bound.high), sandwich.end()
    match = _BETWEEN.match(low, at, limit) or _RANGE.match(low, at, limit)
    if not match:
        # ">= 3.0 to 8.0, inclusive": a range with a redundant "at least" before it.
        opener = _GE_BEFORE_RANGE.match(low, at, limit)
        match = _RANGE.match(low, opener.end(), limit) if opener else None
    if match:
        low_value, high_value = _score(match.group("lo")), _score(match.group("hi"))
        if high_value is not None and match.groupdict().get("hi_lt"):
            high_value = high_value - 0.5 if high_value >= 0.5 else None
        if _UNIT_AFTER.match(low, match.end(), limit):
            return None, match.end()
        if low_value is None or high_value is None or low_value > high_value:
            return None, match.end()
        if low_value == 0 and high_value == 10:
            return None, match.end()  # the whole scale described, not a window
        return Window(low_value, high_value), match.end()
    match = _ONE_SIDED.match(low, at, limit)
    if match:
        kind = next(name for name in ("ge", "le", "gt", "lt") if match.group(name))
        if _UNIT_AFTER.match(low, match.end(), limit):
            return None, match.end()
        return _bound(kind, match.group("v")), match.end()
    match = _POSTFIX.match(low, at, limit)
    if match:
        if _UNIT_AFTER.match(low, match.end(), limit):
            return None, match.end()
        return _bound("le" if match.group("post_le") else "ge", match.group("v")), match.end()
    match = _EQUAL.match(low, at, limit)
    if match:
        if _UNIT_AFTER.match(low, match.end(), limit) or _POINTS_AFTER.match(low, match.end(), limit):
            return None, match.end()
        return _bound("eq", match.group("v")), match.end()
    return None


_AND = re.compile(r"\band\b")


def _shares_bound(windows: list[Window], window: Window, joiner: str) -> bool:
    """Whether `window` closes, for all subgroup windows before it, the side they all leave open."""
    tail = joiner[max(joiner.rfind(","), joiner.rfind(")")) + 1:]
    if not _AND.search(tail) or _SUBGROUP_WORDS.search(tail):
        return False
    if window.low is None and window.high is not None:
        return all(w.high is None and w.low is not None and w.low <= window.high for w in windows)
    if window.high is None and window.low is not None:
        return all(w.low is None and w.high is not None and w.high >= window.low for w in windows)
    return False


def _merge_chain(parts: list[tuple[Window, str]]) -> tuple[Window, ...]:
    """Join ">= 2.0 and <= 5.5" into one window; keep subgroup windows apart."""
    windows: list[Window] = []
    for window, joiner in parts:
        if len(windows) >= 2 and _shares_bound(windows, window, joiner):
            # ">= 2.0 (RMS) or >= 3.0 (PMS), and <= 6.5": one upper bound for every subgroup.
            windows = [Window(w.low if w.low is not None else window.low, w.high if w.high is not None else window.high)
                       for w in windows]
            continue
        if windows and not _SUBGROUP_WORDS.search(joiner):
            previous = windows[-1]
            opens_low = previous.low is not None and previous.high is None and window.low is None and window.high is not None
            opens_high = previous.high is not None and previous.low is None and window.high is None and window.low is not None
            if opens_low or opens_high:
                merged = Window(previous.low if previous.low is not None else window.low,
                                previous.high if previous.high is not None else window.high)
                if merged.low <= merged.high:
                    windows[-1] = merged
                    continue
        windows.append(window)
    return tuple(windows)


_OR = re.compile(r"\bor\b")
_ADVERB = re.compile(r"\b[a-z]{3,}ly\b")
_ITEM_NUMBER = re.compile(r"[0-9]{1,2}\s*[.)](?=\s|$)")


# "≥ 3.0 (or ≥ 2.0 after a relapse in the past year) and ≤ 6.5": another way in, in brackets right
# after a bound; the chain goes on after the bracket.
_BRACKETED_ALTERNATIVE = re.compile(
    r"\s*\(\s*(?P<or>or\s+)?"
    # "3.0-6.5 (the upper limit is 7.0 for participants in Part B)": the limit named, then its score.
    r"(?:(?:the\s+)?(?:(?P<upper>upper|maximum)|(?P<lower>lower|minimum))\s+(?:limit|bound|score|value)?\s*"
    r"(?:is|will\s+be|becomes|of|:|=)\s*)?"
)
_BRACKET_REST = re.compile(r"[^()]{0,80}\)")
# "2.0-6.5 (up to 7.0 for participants older than 55)": without "or", the bracket names the people
# its bound is for, right after the bound.
_BRACKET_REST_FOR_SOME = re.compile(r"\s*,?\s*(?:for|in|among|if|when|after|provided)\b[^()]{0,80}\)")


def _widen_by_alternative(previous: Window, alternative: Window) -> Window:
    """The union of a bound and another way in: wider on each side both close, open where one is open.

    A one-sided way in after a full range widens that side only, as "2.0-6.5, or up to 7.0 for ..."
    does in a chain: "2.0-6.5 (up to 7.0 for participants older than 55)" is 2.0-7.0.
    """
    if None not in (previous.low, previous.high) and (alternative.low is None) != (alternative.high is None):
        return Window(previous.low if alternative.low is None else min(previous.low, alternative.low),
                      previous.high if alternative.high is None else max(previous.high, alternative.high))
    return Window(
        None if previous.low is None or alternative.low is None else min(previous.low, alternative.low),
        None if previous.high is None or alternative.high is None else max(previous.high, alternative.high),
    )


def _parse_chain(low: str, at: int, limit: int) -> tuple[tuple[Window, ...], int] | None:
    first = _parse_one(low, at, limit)
    if first is None or first[0] is None:
        return None
    parts: list[tuple[Window, str]] = [(first[0], "")]
    end = first[1]
    while end < limit:
        alternative_opening = _BRACKETED_ALTERNATIVE.match(low, end, limit)
        if alternative_opening:
            alternative = _parse_one(low, alternative_opening.end(), limit)
            if alternative and alternative[0] and alternative[0].low == alternative[0].high:
                # "(the upper limit is 7.0 for ...)": a bare score after the limit's name bounds that side.
                value = alternative[0].low
                if alternative_opening.group("upper"):
                    alternative = (Window(None, value), alternative[1])
                elif alternative_opening.group("lower"):
                    alternative = (Window(value, None), alternative[1])
            rest = _BRACKET_REST if alternative_opening.group("or") else _BRACKET_REST_FOR_SOME
            closing = rest.match(low, alternative[1], limit) if alternative and alternative[0] else None
            if closing:
                widened = _widen_by_alternative(parts[-1][0], alternative[0])
                if widened.low is not None or widened.high is not None:
                    parts[-1] = (_widened(widened, parts[-1][0], alternative[0]), parts[-1][1])
                    end = closing.end()
                    continue
        skip_end = _CHAIN_SKIP.match(low, end, limit).end()
        if _ITEM_NUMBER.match(low, skip_end, limit):
            break  # "..., inclusive, 3. Disease duration": the next item's number in a flattened list
        following = _parse_one(low, skip_end, limit) if skip_end < limit else None
        if following is None or following[0] is None:
            break
        if _OTHER_MEASURE_AFTER.match(low, following[1], limit):
            break
        # A note about another score in brackets is read on its own: its words join nothing.
        joiner = _NOTE_ON_A_SCORE.sub(" ", low[end:skip_end])
        if _SUBGROUP_WORDS.search(joiner) and _RULE_FOR_THOSE_AFTER.match(low, following[1], limit):
            break  # "0-5.5 (for patients with EDSS <= 2.0, disease duration must be <= 10 years)": who gets another rule
        if not _OR.search(joiner) and _CONDITION_AFTER_BOUND.match(low, following[1], limit):
            # A later bound that holds only for the people a condition names: the overall window
            # is the union of theirs and everyone else's. It widens a side the first bound closes
            # ("<= 6.0 (<= 6.5 if aged >= 50)" is 6.5) and leaves open a side it left open ("at
            # most 5.0, and at least 2.0 if disease duration > 10 years" has no minimum).
            previous, conditional = parts[-1][0], following[0]
            widened = Window(
                None if previous.low is None or conditional.low is None else min(previous.low, conditional.low),
                None if previous.high is None or conditional.high is None else max(previous.high, conditional.high),
            )
            if widened.low is not None or widened.high is not None:
                parts[-1] = (_widened(widened, previous, conditional), parts[-1][1])
                end = following[1]
            break
        previous = parts[-1][0]
        one_sided = (following[0].low is None) != (following[0].high is None)
        apart = ((following[0].low is not None and following[0].low > previous.high + 0.5) if previous.high is not None else False) or (
            (following[0].high is not None and following[0].high < previous.low - 0.5) if previous.low is not None else False)
        if previous.low is not None and previous.high is not None and one_sided and _OR.search(joiner) and apart:
            # "EDSS of 0-1.5 or >= 7.0": a bound apart from the range, on the other side of a gap, is a
            # second set of scores (the two ends an exclusion names), not a widening.
            parts.append((following[0], joiner))
            end = following[1]
            continue
        if previous.low is not None and previous.high is not None and one_sided and _OR.search(joiner):
            # "2.0-6.5, or up to 7.0 for participants over 50": another way in that widens one side.
            extended = Window(
                following[0].low if following[0].low is not None and following[0].low < previous.low else previous.low,
                following[0].high if following[0].high is not None and following[0].high > previous.high else previous.high,
            )
            if extended == previous:
                break
            parts[-1] = (extended, parts[-1][1])
            end = following[1]
            continue
        if previous.low is not None and previous.high is not None and one_sided and not _SUBGROUP_WORDS.search(joiner):
            break  # "3.0-6.5, with >= 2 on ...": a lone bound after a full range belongs to something else
        parts.append((following[0], joiner))
        end = following[1]
    return _merge_chain(parts), end


# "EDSS score (0-10) <= 6.0", "EDSS (range 0-10) between 2 and 6": the scale's own range in brackets.
_SCALE_RANGE_GLOSS = re.compile(
    r"\s*(?:score\s*)?\(\s*(?:range\s*(?:of\s*)?|scale\s*(?:of\s*)?|from\s*)?0(?:[.,]0)?\s*(?:-|–|—|to)\s*10(?:[.,]0)?\s*(?:points?\s*)?\)"
)


# "EDSS (Kurtzke, 1983; see Appendix 2) <= 5.5", "EDSS (EDSS; Kurtzke 1983) score of 2.0 to 6.0":
# a citation or pointer in brackets after the scale's name (or its "score"). Its numbers are years or what an
# "appendix", "table" or "note" is numbered; a bracket with a score in it ("(3.0-6.5)") is no note.
_NOTE_AFTER_SCALE = re.compile(r"\s*(?:scores?\s*)?\((?P<inner>[^()<>≤≥⩽⩾=]{1,60})\)")
_NOTE_CUE = re.compile(r"\b(?:19|20)[0-9]{2}\b|\b(?:see|cf|ref|refs|reference|appendix|annex|table|section|note|footnote|version|et\s+al)\b")
_NOTE_NUMBER = re.compile(
    r"\b[0-9]{1,4}\s*(?:\([0-9]{1,3}\))?\s*:\s*[0-9]{1,5}(?:\s*[-–]\s*[0-9]{1,5})?\b"
    r"|\b(?:19|20)[0-9]{2}\b|\b(?:ref|refs|reference|appendix|annex|table|section|note|footnote|version|page|p)\.?\s*[0-9]{1,3}[a-z]?\b"
)


def _skip_notes(low: str, start: int, limit: int) -> int:
    """Where the text goes on after any citation-like notes in brackets at `start`."""
    while True:
        note = _NOTE_AFTER_SCALE.match(low, start, limit)
        if not note or not _NOTE_CUE.search(note.group("inner")):
            return start
        if re.search(r"[0-9]", _NOTE_NUMBER.sub(" ", note.group("inner"))):
            return start  # a number that is neither a year nor a pointer's: maybe a score
        start = note.end()


# "EDSS^1 of 2.0 to 5.5", "EDSS¹", "EDSS†": a footnote mark right on the scale's name; its number is
# the footnote's, not a score.
_FOOTNOTE_MARK = re.compile(r"(?:\^\s*[0-9]{1,2}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[*†‡]+)(?![0-9.,·])")


def _parse_after(low: str, start: int, limit: int) -> tuple[tuple[Window, ...], int, int] | None:
    """The first bound after the scale's name, with what is chained to it."""
    footnote = _FOOTNOTE_MARK.match(low, start, limit)
    if footnote:
        start = footnote.end()
    start = _skip_notes(low, start, limit)
    gloss = _SCALE_RANGE_GLOSS.match(low, start, limit)
    if gloss:
        start = gloss.end()
    position = start
    while position < limit:
        match = _START.search(low, position, limit)
        if not match:
            return None
        filler = low[start:match.start()]
        if len(filler) > 80 or _FILLER_STOP.search(filler):
            return None
        if match.group()[0].isdigit():
            # "EDSS [5] score of < 5.5", "EDSS (ref. 12) <= 5.5": a reference number, not a score.
            bracket = max(low.rfind("(", start, match.start()), low.rfind("[", start, match.start()))
            reference = _REFERENCE.match(low, bracket, limit) if bracket >= 0 and match.start() - bracket <= 14 else None
            if reference and reference.end() > match.start():
                position = reference.end()
                continue
        if match.group()[0].isdigit():
            digits = re.match(r"[0-9]+", low[match.start():limit]).group()
            if len(digits) >= 4 or _LABEL_BEFORE_NUMBER.search(low, max(start, match.start() - 16), match.start()):
                position = match.start() + len(digits)
                continue
        parsed = _parse_chain(low, match.start(), limit)
        if parsed:
            return parsed[0], match.start(), parsed[1]
        if match.group()[0].isdigit() or not match.group()[0].isalpha():
            return None  # a number or a symbol we cannot read as a score: do not guess past it
        position = match.end()
    return None


def _clause_before(low: str, start: int, at: int, cuts: str) -> str:
    chunk_start = max(start, at - 160)
    chunk = low[chunk_start:at]
    cut = max(chunk.rfind(character) for character in cuts)
    return chunk[cut + 1:] if cut >= 0 else chunk


# Splits a clause into the phrases joined by "and", "or", "with"; not the "or" of "than or equal".
_PHRASE_JOINER = re.compile(r"\band\b|\bwith\b|(?<!than\s)(?<!greater\s)(?<!less\s)\bor\b(?!\s*(?:=|equal))")


def _words_clause_before(low: str, start: int, at: int) -> str:
    clause = _clause_before(low, start, at, ",;:(")
    return _PHRASE_JOINER.split(clause)[-1]


def _is_condition(low: str, start: int, at: int) -> bool:
    # A closing bracket ends the clause inside it: "(... if EDSS >= 6.0) and an EDSS from 3.0 to
    # 6.5" is a window after a bracketed condition, not part of it.
    clause = _clause_before(low, start, at, ",;:()")
    if _EXAMPLE.search(clause):
        return True  # "not eligible for our other trial, for example patients with EDSS > 6.5"
    if _DURATION_FOR.search(low, max(start, at - 80), at):
        return True  # "no more than 15 years for EDSS 5.5-6.5", "< 10 years (EDSS <= 5.0)"
    if _CONDITION.search(clause) and not _ELIGIBLE_IF.search(clause) and not _SUBJECT_WHOSE.fullmatch(clause):
        return True
    subgroup = _SUBGROUP_CONDITION.search(clause)
    return bool(subgroup and clause[:subgroup.start()].strip())


def _read_mention(low: str, match: re.Match) -> tuple[tuple[Window, ...], int, int] | None:
    """The windows one mention of the scale states, with the span they cover (sentence offsets).

    `low` is the sentence's lower-cased text with scores in words turned into digits.
    """
    mention_start, mention_end = match.start(), match.end()
    if _PROGRESSION.search(_words_clause_before(low, 0, mention_start)) or _is_condition(low, 0, mention_start):
        return None
    if _PART_OF_SCALE_BEFORE.search(low, max(0, mention_start - 80), mention_start):
        return None  # "the pyramidal functional system score of the EDSS >= 2": a subscore, not the EDSS

    before = low[:mention_start]
    value_before = _VALUE_BEFORE_SCALE.search(before)
    if value_before and "point" not in value_before.group("link"):
        link_start = value_before.start()
        for candidate in _START.finditer(low, max(0, link_start - 80), link_start):
            parsed = _parse_chain(low, candidate.start(), link_start)
            if parsed and parsed[1] == link_start:
                if _PROGRESSION.search(_words_clause_before(low, 0, candidate.start())):
                    return None
                return parsed[0], candidate.start(), mention_end

    reversed_bound = _REVERSED_BOUND_BEFORE.search(before)
    lead: Window | None = None
    span_start = mention_start
    if reversed_bound:
        flipped = {"le": "ge", "lt": "gt", "ge": "le", "gt": "lt"}
        kind = next(name for name in ("le", "ge", "lt", "gt") if reversed_bound.group(name))
        lead = _bound(flipped[kind], reversed_bound.group("v"))
        span_start = reversed_bound.start()
    elif _NUMBER_RIGHT_BEFORE.search(before):
        return None  # "1.0 EDSS point": a change, not a score

    # A mention inside brackets with a score of its own ("(excluding EDSS 0 at screening)") is read
    # up to their end; a bracket that only names the scale ("disability score (EDSS) is ...") is not.
    opened, closed = low.rfind("(", 0, mention_start), low.find(")", mention_end)
    inside = (opened >= 0 and closed >= 0 and low.find(")", opened, mention_start) < 0
              and low.find("(", mention_end, closed) < 0 and re.search(r"[0-9<>≤≥⩽⩾=]", low[mention_end:closed]) is not None)
    after = _parse_after(low, mention_end, closed if inside else len(low))
    if after is None:
        return ((lead,), span_start, mention_end) if lead else None
    windows, bound_start, end = after
    if _PREDICATE_AFTER.match(low, end) or _ONLY_IF_AFTER.match(low, end):
        return None
    if _COLON_AFTER.match(low, end) and _FOR_THOSE_BEFORE.search(low, max(0, mention_start - 60), mention_start):
        return None  # "for EDSS 0-2.0: disease duration <= 10 years": a heading that picks out who gets a rule
    if len(windows) == 1 and windows[0].low == windows[0].high and _ADVERB.search(low, mention_end, bound_start):
        return None  # "EDSS of ideally 4.0": a word we cannot read stands where the operator would
    limit_word = _LIMIT_WORD_BEFORE.search(before)
    if limit_word and len(windows) == 1 and windows[0].low == windows[0].high:
        value = windows[0].low
        windows = (Window(None, value) if limit_word.group("max") else Window(value, None),)
        span_start = limit_word.start()
        # "A maximum EDSS of 6.5 and a minimum of 3.0": a limit of the other kind may follow.
        other = _parse_one(low, _CHAIN_SKIP.match(low, end).end(), len(low))
        if other and other[0] and not _OTHER_MEASURE_AFTER.match(low, other[1]):
            merged = _merge_chain([(windows[0], ""), (other[0], "")])
            if len(merged) == 1 and merged[0] != windows[0] and None not in (merged[0].low, merged[0].high):
                windows, end = merged, other[1]
    if lead is not None:
        windows = _merge_chain([(lead, ""), *((window, "") for window in windows[:1])]) + windows[1:]
    return windows, span_start, end


# "... or EDSS 5.0-6.5 and ...", "..., in which case EDSS >= 3.0 is accepted": a later mention in
# the same criterion that offers another way in, so its window joins the first as a subgroup.
_ALTERNATIVE_BETWEEN = re.compile(
    r"\bor\b|\balso\b|\bin\s+which\s+case\b|\botherwise\b|\balternatively\b"
    # "EDSS >= 4.5, except patients under 40 who may enter with EDSS >= 4.0": an exception is another way in.
    r"|\bexcept\b|\bexceptions?\b"
)
_ALLOWANCE_AFTER = re.compile(
    r"[^.;]{0,40}?\b(?:is|are|will|may|can|would)\s+(?:also\s+)?(?:be\s+)?(?:accepted|allowed|permitted|eligible|included|enrolled)\b"
)
# "Age 18-65 (EDSS up to 7.0 allowed for participants aged 55 or older)": an EDSS inside another
# criterion followed by a bare "allowed" is another way in, like "... may also be included".
_BARE_ALLOWANCE_AFTER = re.compile(r"[^.;()]{0,12}?\b(?:allowed|permitted|accepted)\b")
# A mention that only introduces sub-items: "EDSS score at screening:" followed by
# "RMS participants: 0 to 5.5" and "PMS participants: 3.0 to 6.5" on their own lines.
# "EDSS at Visit 1:" is a lead-in too: the number names the visit.
_LEAD_IN_AFTER = re.compile(
    r"(?![^:]*\b(?:assess|measur|perform|record|collect|evaluat|test|done)\w*)"
    r"(?:[^0-9<>≤≥⩽⩾=;.]|(?:(?<=visit )|(?<=week )|(?<=day ))[0-9]{1,3}\b){0,50}:\s*$"
)
# What may follow the window in a sub-item: a subgroup, "inclusive", a note in brackets; anything
# else ("2 visits before randomization") means the item is not a score window.
_SUB_ITEM_REST = re.compile(
    r"(?:[\s,.;:]|\([^()]*\)|\b(?:inclusive|inclusively|included|both|points?|for|in|the|with|and|or|at|of|screening|baseline"
    r"|participants?|patients?|subjects?|people|cohorts?|groups?|arms?|parts?|rms|rrms|spms|ppms|pms|cis|relapsing|remitting"
    r"|primary|secondary|progressive|active|forms?|type|course|ms|multiple|sclerosis|disease|[a-h])\b)*"
)
# "EDSS score at screening" with no colon, then items "a. >= 2.0" and "b. <= 6.0": a lead-in too,
# when each item under it is nothing but a bound.
_LEAD_IN_WITHOUT_COLON = re.compile(
    r"(?![^:]*\b(?:assess|measur|perform|record|collect|evaluat|test|done)\w*)[^0-9<>≤≥⩽⩾=;.:]{0,40}$"
)
_BARE_BOUND_ITEM = re.compile(r"\s*(?:[<>≤≥⩽⩾=]|at\s+(?:least|most)\b|min|max|(?:lower|upper)\s+limit\b|up\s+to\b|no\s+(?:more|less)\b)")
# A sub-item's label names a subgroup ("RMS participants:"), never the limit the item gives ("Minimum:",
# "Upper limit:", "Max. score:"): that is its operator.
_SUB_ITEM_LABEL = re.compile(
    r"(?!\s*(?:(?:a\s+)?(?:minimum|maximum)|min\b|max\b|(?:lower|upper)\s+limit)[^:]{0,12}:)[^0-9:;<>≤≥⩽⩾=]{1,40}:\s*"
)
_MAX_SUB_ITEMS = 8
_BARE_ITEM_MARKER = re.compile(r"[\s*•▪◦·+\-–—]*(?:\(?(?:[0-9]{1,3}|[ivx]{1,5}|[a-h])[.)])?[\s*•▪◦·+\-–—]*")
# Disease types and cohorts that label a criterion as one subgroup's rule ("RMS: EDSS <= 5.5").
_TYPE_LABEL = re.compile(
    r"\b(?:rms|rrms|spms|ppms|pms|cis|nrspms|aspms|relapsing|progressive|paediatric|pediatric|adolescents?"
    r"|(?:cohort|group|arm|part)\s+[a-z0-9]{1,3})\b"
)
# "EDSS <= 5.5 (RMS cohort)", "EDSS 3.0-6.5 for PPMS": the subgroup named right after the window.
_LABEL_AFTER = re.compile(r"\s*(?:\([^()]{0,30}\)|(?:for|in)\s+[^,;.()]{0,30})")
# "EDSS <= 6.5; EDSS >= 2.0 for participants with secondary progressive disease": a window written
# for the people named after it, who are not everyone the criteria admit.
_SUBGROUP_TYPES = r"(?:rms|rrms|spms|ppms|pms|cis|nrspms|aspms|relapsing|progressive|paediatric|pediatric|adolescents?|cohort|group|arm|part)"
_FOR_SUBGROUP_AFTER = re.compile(rf"\s*,?\s*(?:only\s+)?(?:for|in|among)\s+(?:the\s+)?(?:[^,;.()]{{0,50}}?\b{_SUBGROUP_TYPES}\b)")
# "EDSS <= 5.5" then "For PPMS: EDSS >= 3.0": the same, with the subgroup named first.
# "Participants with SPMS: EDSS >= 3.0", "Cohort B (SPMS): EDSS 3.0-6.5": a criterion headed by the
# subgroup it is written for, without "for"; only a heading that opens the criterion, so that "SPMS,
# EDSS 3.0-6.5" (the disease everyone has) stays a window for all.
_FOR_SUBGROUP_BEFORE = re.compile(
    rf"(?:^|[,;:]\s*)(?:for|in|among)\s+(?:the\s+)?[^,:;]{{0,40}}?\b{_SUBGROUP_TYPES}\b[^,:;]{{0,20}}[,:]\s*$"
    rf"|^\s*[^,:;]{{0,40}}?\b{_SUBGROUP_TYPES}\b[^,:;]{{0,20}}:\s*$"
)


def _read_sub_items(text: CriteriaText, lead_in: Sentence, bare_bounds: bool = False) -> tuple[Window, ...] | None:
    """The windows the items under a lead-in line state, read until an item states none.

    With `bare_bounds` (a lead-in without a colon) every item must open with the bound itself.
    """
    parts: list[tuple[Window, str]] = []
    position = lead_in.end
    items = 0
    for _ in range(4 * _MAX_SUB_ITEMS):
        while position < len(text.norm) and text.norm[position].isspace():
            position += 1
        if position >= len(text.norm) or items >= _MAX_SUB_ITEMS:
            break
        item = text.sentence_at(position)
        if item.end <= position or _BARE_ITEM_MARKER.fullmatch(item.low):
            # A bullet or item number the sentence reader leaves on its own ("*", "1."): step over it.
            position = max(position + 1, item.end)
            continue
        if item.section != lead_in.section or any(word in item.low for word in KEYWORDS):
            break
        items += 1
        low = _readable(item.low)
        label = None if bare_bounds else _SUB_ITEM_LABEL.match(low)
        at = label.end() if label else 0
        if bare_bounds and not _BARE_BOUND_ITEM.match(low):
            break
        parsed = _parse_chain(low, at, len(low))
        if parsed is None:
            break
        windows, end = parsed
        if not _SUB_ITEM_REST.fullmatch(low, end):
            break
        joiner = (label.group() if label else "") + " " + low[end:]
        parts.extend((window, joiner) for window in windows)
        position = item.end
    return _merge_chain(parts) if parts else None


_AFTER_SEMICOLON = re.compile(r"[\s;]*;[\s*•▪◦·+\-–—]*(?:and\s+)?")


def _other_side_after_semicolon(text: CriteriaText, sentence: Sentence, windows: tuple[Window, ...]) -> tuple[Window, ...]:
    """A one-sided window whose other side follows a semicolon.

    "EDSS (at screening): - lower limit: 3.0; - upper limit: 6.5": the semicolon ends the sentence,
    but what follows is nothing but the bound on the other side, so it belongs to the same window.
    """
    if len(windows) != 1 or (windows[0].low is None) == (windows[0].high is None):
        return windows
    joint = _AFTER_SEMICOLON.match(text.norm, sentence.end, min(len(text.norm), sentence.end + 20))
    if not joint:
        return windows
    following = text.sentence_at(joint.end())
    if following.start <= sentence.start or following.section != sentence.section or any(word in following.low for word in KEYWORDS):
        return windows
    low = _readable(following.low)
    start = re.match(r"(?:and\s+)?", low).end()
    if not _BARE_BOUND_ITEM.match(low, start):
        return windows
    parsed = _parse_chain(low, start, len(low))
    if parsed is None or len(parsed[0]) != 1 or low[parsed[1]:].strip(" ,.;"):
        return windows
    merged = _merge_chain([(windows[0], ""), (parsed[0][0], "")])
    return merged if len(merged) == 1 and None not in (merged[0].low, merged[0].high) else windows


def find_edss_statements(text: CriteriaText) -> list[EdssFinding]:
    findings: list[EdssFinding] = []
    for sentence in text.sentences_with(KEYWORDS):
        low = sentence.low
        readable = _readable(low)
        consumed_until = -1
        previous_end = -1
        for match in _SCALE.finditer(low):
            if match.start() < consumed_until:
                continue
            read = _read_mention(readable, match)
            if read is None:
                with_colon = bool(_LEAD_IN_AFTER.match(readable, match.end()))
                bare = not with_colon and bool(_LEAD_IN_WITHOUT_COLON.match(readable, match.end()))
                if (with_colon or bare) and not _PROGRESSION.search(low):
                    windows = _read_sub_items(text, sentence, bare_bounds=bare)
                    if windows:
                        head = low[:match.start()]
                        leading = _is_leading(head)
                        section = _mention_section(low, match.start(), match.end(), sentence.section)
                        findings.append(EdssFinding(sentence, windows, section, leading, _type_label(head)))
                        consumed_until = len(low)
                continue
            windows, span_start, span_end = read
            if not low[span_end:].strip(" ,.;"):
                windows = _other_side_after_semicolon(text, sentence, windows)
            head = low[:span_start]
            leading = _is_leading(head)
            section = _mention_section(low, span_start, span_end, sentence.section)
            side = section
            # "EDSS outside 2.0-6.5": the words before the first number name the scores around the range.
            words_before_bound = _words_clause_before(low, 0, span_start) + " " + low[span_start:_first_digit(low, span_start, span_end)]
            outside = bool(_OUTSIDE.search(words_before_bound))
            if outside and len(windows) == 2 and all(w.low == w.high for w in windows) and windows[0].low < windows[1].low:
                windows = (Window(windows[0].low, windows[1].low),)  # "outside 2.0 and 6.5": the two ends of one range
            outside = outside and len(windows) == 1 and None not in (windows[0].low, windows[0].high)
            if _NEGATION.search(_words_clause_before(low, 0, span_start)) and not outside:
                # "Not have an EDSS greater than 6.5": the rule seen from the other side.
                side = INCLUSION if section == EXCLUSION else EXCLUSION
            last = findings[-1] if findings else None
            same_sentence = last is not None and last.sentence is sentence and previous_end >= 0
            allowance = _ALLOWANCE_AFTER.match(low, span_end) or (
                not leading and _BARE_ALLOWANCE_AFTER.match(low, span_end))
            # "... or EDSS 5.0-6.5 ..." in the same criterion, or "Patients with EDSS 6.0 may also be
            # included" after it: another way in, so a subgroup window of that criterion.
            if (last is not None and last.leading and last.section == side
                    and ((same_sentence and _ALTERNATIVE_BETWEEN.search(low, previous_end, span_start)) or allowance)):
                findings[-1] = EdssFinding(last.sentence, _another_way_in(last.windows, windows), side, True, last.subgroup)
            else:
                label_after = _LABEL_AFTER.match(low, span_end)
                label = _type_label(head + " " + (label_after.group() if label_after else ""))
                for_subgroup = _FOR_SUBGROUP_AFTER.match(low, span_end) or _FOR_SUBGROUP_BEFORE.search(head)
                if for_subgroup:
                    label = label or _type_label(for_subgroup.group())
                findings.append(EdssFinding(sentence, windows, side, leading, label, bool(for_subgroup), outside))
            consumed_until = previous_end = span_end
    return findings


# "For participants aged > 50, EDSS up to 7.0": a criterion that opens by naming its subgroup still
# opens with the EDSS rule; the subgroup's own numbers do not bury it.
_SUBGROUP_LEAD = re.compile(
    r"\s*(?:for|in|among)\s+(?:the\s+)?(?:those|participants?|patients?|subjects?|people|individuals|persons)\b[^,:;]{0,40}[,:]\s*"
)


def _is_leading(head: str) -> bool:
    """Whether a criterion whose text before the EDSS is `head` opens with the EDSS."""
    return len(head) <= 90 and (not _BURIED.search(head) or bool(_SUBGROUP_LEAD.fullmatch(head)))


def _another_way_in(windows: tuple[Window, ...], others: tuple[Window, ...]) -> tuple[Window, ...]:
    """The windows of a criterion with the windows of another way in added.

    One-sided windows after a single full range widen that side only, as within a chain: "EDSS
    3.0-6.0, except for participants aged 50 or more, who may have an EDSS up to 6.5" is 3.0-6.5.
    """
    if len(windows) == 1 and None not in (windows[0].low, windows[0].high) and others and all(
            (other.low is None) != (other.high is None) for other in others):
        low, high = windows[0].low, windows[0].high
        for other in others:
            low = min(low, other.low) if other.low is not None else low
            high = max(high, other.high) if other.high is not None else high
        return (Window(low, high),)
    return windows + others


def _type_label(head: str) -> str:
    """The subgroup a criterion is written for, from the words around its EDSS ("" if none)."""
    return " ".join(sorted(set(match.group() for match in _TYPE_LABEL.finditer(head))))


def _span(windows: tuple[Window, ...]) -> Window:
    """The overall window of subgroup windows: open on a side if any subgroup is open there."""
    lows = [window.low for window in windows]
    highs = [window.high for window in windows]
    return Window(None if None in lows else min(lows), None if None in highs else max(highs))


def _implied_by_exclusion(window: Window) -> Window:
    """The bound an exclusion of `window` implies for the people who remain."""
    if window.low is not None and (window.high is None or window.high >= 9.5) and window.low > 0:
        return Window(None, window.low - 0.5)
    if window.high is not None and (window.low is None or window.low == 0) and window.high < 10:
        return Window(window.high + 0.5, None)
    return Window(None, None)


def _subgroups_leave_open(inclusion: list[EdssFinding]) -> tuple[bool, bool]:
    """Whether criteria written for different subgroups leave the overall minimum / maximum open.

    "RMS: EDSS <= 5.5" and "PPMS: EDSS 3.0-6.5" are windows of different subgroups, so the overall
    window is open wherever one subgroup's window is, unless a criterion for everyone ("EDSS <=
    6.5" with no subgroup named) closes that side. One subgroup's criteria may come in halves
    ("PPMS: EDSS >= 3.0", "PPMS: EDSS <= 6.5").
    """
    labelled = [finding for finding in inclusion if finding.subgroup]
    if len({finding.subgroup for finding in labelled}) < 2:
        return False, False
    has_low: dict[str, bool] = {}
    has_high: dict[str, bool] = {}
    for finding in labelled:
        span = _span(finding.windows)
        has_low[finding.subgroup] = has_low.get(finding.subgroup, False) or span.low is not None
        has_high[finding.subgroup] = has_high.get(finding.subgroup, False) or span.high is not None
    shared = [_span(finding.windows) for finding in inclusion if not finding.subgroup]
    open_low = not all(has_low.values()) and all(span.low is None for span in shared)
    open_high = not all(has_high.values()) and all(span.high is None for span in shared)
    return open_low, open_high


def edss_window(text: CriteriaText) -> EdssResult:
    findings = find_edss_statements(text)
    inclusion = [finding for finding in findings if finding.section == INCLUSION]
    if any(finding.leading for finding in inclusion):
        inclusion = [finding for finding in inclusion if finding.leading]

    minimum: float | None = None
    maximum: float | None = None
    sources: list[Sentence] = []
    lows: list[float] = []
    highs: list[float] = []
    for finding in inclusion:
        span = _span(finding.windows)
        if span.low is not None:
            lows.append(span.low)
        if span.high is not None:
            highs.append(span.high)
        if span.low is not None or span.high is not None:
            sources.append(finding.sentence)
    if lows:
        minimum = min(lows)
    if highs:
        maximum = max(highs)
    open_low, open_high = _subgroups_leave_open(inclusion)
    shared = [_span(finding.windows) for finding in inclusion if not finding.subgroup]
    if shared and any(finding.for_subgroup for finding in inclusion):
        # A window for one named subgroup beside a window for everyone: the others keep the
        # window for everyone, so the overall span stays open wherever that one is.
        open_low = open_low or all(span.low is None for span in shared)
        open_high = open_high or all(span.high is None for span in shared)
    if open_low:
        minimum = None
    if open_high:
        maximum = None
    if minimum is not None and maximum is not None and minimum > maximum:
        # Statements that contradict each other: keep only the first, which is the one a
        # reader meets first and usually the real criterion.
        first = _span(inclusion[0].windows)
        minimum, maximum = first.low, first.high
        sources = [inclusion[0].sentence]

    implied_lows: list[tuple[float, Sentence]] = []
    implied_highs: list[tuple[float, Sentence]] = []
    for finding in findings:
        if finding.section != EXCLUSION:
            continue
        lows: list[float] = []
        highs: list[float] = []
        for window in finding.windows:
            # "EDSS outside 2.0-6.5" excludes the scores around the window: it states the window.
            # "> 5.5 (or > 6.0 if aged over 50)": only the scores every version of the rule excludes.
            implied = window if finding.outside else _implied_by_exclusion(window.excluded_by_all or window)
            if implied.low is not None:
                lows.append(implied.low)
            if implied.high is not None:
                highs.append(implied.high)
        # One rule's versions on the same side ("EDSS above 5.5, or above 6.5 in participants with
        # SPMS", "≥ 6.0 at screening (≥ 6.5 for those aged 50 and over)") are for different people:
        # the widest window anyone may have is the loosest of them. Rules in different criteria all hold.
        if lows:
            implied_lows.append((min(lows), finding.sentence))
        if highs:
            implied_highs.append((max(highs), finding.sentence))
    if minimum is None and implied_lows:
        candidate = max(value for value, _ in implied_lows)
        if maximum is None or candidate <= maximum:
            minimum = candidate
            sources.extend(sentence for _, sentence in implied_lows)
    if maximum is None and implied_highs:
        candidate = min(value for value, _ in implied_highs)
        if minimum is None or candidate >= minimum:
            maximum = candidate
            sources.extend(sentence for _, sentence in implied_highs)
    return EdssResult(minimum, maximum, tuple(sorted(set(sources), key=lambda s: s.start)))
