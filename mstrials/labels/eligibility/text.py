"""Reading a criteria text: its inclusion/exclusion sections, its sentences, and source snippets.

Every offset handed out here indexes the ORIGINAL criteria text, so the app can highlight the
exact words a theme came from. That is why the working copies below keep the original length:
registry escapes ("\\<=", "\\>", "\\[") become a space plus the symbol instead of being removed,
and lower-casing avoids the few characters whose lower case is longer.

Nothing here scans a large text with a slow case-insensitive regex: the themes first find their
keywords with `str.find` on the lower-cased copy (C speed), then look closely at the one
sentence around each hit. A 10 MB text therefore costs a few passes of `find`, not minutes.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

INCLUSION = "inclusion"
EXCLUSION = "exclusion"
UNKNOWN = "unknown"  # before any section header, or a text without headers

# How far a sentence may reach either side of a keyword. Real criteria sentences are far
# shorter; the cap keeps a text without any punctuation from making every look-up scan megabytes.
_SENTENCE_REACH = 700
# Up to this size all sentence breaks are found in one pass and looked up by bisection; a
# larger text is only scanned around each keyword hit.
_WHOLE_TEXT_BREAKS = 300_000


# Section headers. With a colon they may stand anywhere (flattened copies put everything on one
# line: "... Exclusion Criteria: * ..."); without one they must fill their own line, so that
# "see Inclusion Criterion #5" or "Other protocol-defined Inclusion/Exclusion criteria may apply"
# never switch sections.
_HEADER_WORDS = (
    r"(?:(?:key|main|major|principal|general|specific|additional|important|selected|study)\s+)?"
    r"(?:(?P<non>non[\s-]?)?(?P<kind>inclusion|exclusion)"
    r"|criteria\s+(?:for|of)\s+(?P<non2>non[\s-]?)?(?P<kind2>inclusion|exclusion))"
)
_HEADER_WITH_COLON = re.compile(
    r"(?<![\w/-])" + _HEADER_WORDS + r"(?:(?:\s+criteri(?:a|on|as)\b)(?P<tail>[^:\n]{0,40}?)|s?)\s*:"
)
_HEADER_OWN_LINE = re.compile(
    r"(?:^|(?<=\n))[ \t*#_>]*" + _HEADER_WORDS
    + r"(?:\s+criteri(?:a|on|as)\b)?[ \t]*(?:\([^)\n]{0,40}\))?[ \t*_]*(?=\n|$)"
)

# A whole line that introduces a section without naming it: "Patients meeting any of the
# following will be excluded:", "Participants must meet all of the following:".
_HEADER_SENTENCE = re.compile(
    r"[ \t*#_>]*[^\n:]{0,120}?\b(?P<cue>will\s+(?:not\s+)?be\s+(?:excluded|included|eligible)|are\s+(?:not\s+)?(?:excluded|eligible|included)"
    r"|is\s+(?:not\s+)?(?:excluded|eligible)|ineligible|must\s+(?:not\s+)?(?:meet|have|fulfil+|satisfy)\s+(?:all|any|none|each|one)\b"
    # patient-facing pages: "You can take part if:", "You cannot take part if:", "Who can't join:"
    r"|(?:can|may|could)(?:\s*not|n?[\'’]t)?\s+(?:take\s+part|join|participate)\b)"
    r"[^\n:]{0,80}:[ \t*_]*$"
)

# Where one sentence ends and the next begins. A newline only breaks a sentence when the next
# line starts a new item (a bullet, a number, a capital letter): legacy texts hard-wrap long
# criteria, and "... if EDSS greater than\n(>) 5.0" must stay one sentence.
# How far a bracket may reach around a ";" for the ";" to stay inside it rather than end a sentence.
_BRACKET_REACH = 60
_BOUNDARY = re.compile(
    r"\n[ \t]*\n"
    r"|\n(?=[ \t]*(?:[*•▪◦·+\-–—]|\(?[0-9]{1,3} ?[.)](?![0-9])|\(?[ivxIVX]{1,5}[.)]\s|\(?[a-hA-H][.)]\s|[A-Z\"“]))"
    r"|;"
    r"|(?<=\s)\*(?=\s)"  # an inline markdown bullet in a flattened copy
    # An inline dash bullet in a flattened copy ("... 2 years - EDSS of 3.0 to 6.5 - Age"): after a
    # word and before a capital, never between numbers ("2.0 - 6.5").
    r"|(?<=[A-Za-z)\].,;:])[ \t]+[-–](?=[ \t]+[A-Z])"
    r"|[.!?](?=[ \t]+[*•\-–(\"“]|[ \t]+[0-9]{1,3}[.)]|[ \t]+[A-Z]|[ \t]*\n|[ \t]*$)"
)
# Words after which a full stop does not end the sentence.
_NO_BREAK_BEFORE_DOT = re.compile(
    r"(?:\b(?:e\.g|i\.e|vs|approx|incl|no|nos|dr|st|ca|cf|fig|ref|resp|min|max|mg|ml|sec|yr|yrs)|\b[A-Za-z])$",
    re.IGNORECASE,
)
# Bullets, numbers and roman numerals that start an item; not part of what we show.
_ITEM_MARKER = re.compile(
    r"[ \t]*(?:(?:[*•▪◦·+\-–—]|\(?[0-9]{1,3} ?[.)](?![0-9])|\(?[ivxIVX]{1,5}[.)]|\(?[a-hA-H][.)])[ \t]+)*"
)
_LINE_IS_ITEM = re.compile(r"[ \t]*(?:[*•▪◦·+\-–—]|\(?[0-9]{1,3} ?[.)](?![0-9])|\(?[ivxIVX]{1,5}[.)]|\(?[a-hA-H][.)])\s")


def lower_same_length(text: str) -> str:
    """`text.lower()`, guaranteed to keep every character at its offset."""
    # U+0130 (capital I with dot) is the one character whose lower case is two characters long.
    lowered = text.replace("\u0130", "i").lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low) == 1 else char for char, low in ((c, c.lower()) for c in text))


@dataclass(frozen=True)
class Sentence:
    """One sentence (or bullet) of the criteria, located in the original text."""

    start: int  # first character after the item marker
    end: int
    section: str
    text: str  # escape-blanked original case, same offsets as the original from `start`
    low: str  # the same, lower-cased


class CriteriaText:
    """A criteria text prepared once, then asked about sentences around keyword hits."""

    def __init__(self, original: str):
        self.original = original
        # The registry puts a backslash before markdown punctuation ("\\<", "\\>=", "1\\.", "\\[").
        # Every backslash becomes a space: one fast pass, and none carries meaning for us.
        self.norm = original.replace("\\", " ")
        self.low = lower_same_length(self.norm)
        self._header_starts: list[int] = []
        self._header_ends: list[int] = []
        self._header_kinds: list[str] = []
        self._find_headers()
        self._sentences: dict[int, Sentence] = {}
        self._positions: dict[str, tuple[list[int], int]] = {}
        self._break_starts: list[int] | None = None
        self._break_ends: list[int] = []

    # -- sections -----------------------------------------------------------------------------
    def _find_headers(self, limit: int = 2_000) -> None:
        found: dict[int, tuple[int, str]] = {}
        for word in ("inclusion", "exclusion"):
            candidates = 0
            at = self.low.find(word)
            while at != -1 and candidates < limit:
                candidates += 1
                # Back up over a qualifier ("Key", "Main", "non-", "criteria for") to anchor the match.
                window_start = max(0, at - 24)
                for regex in (_HEADER_WITH_COLON, _HEADER_OWN_LINE):
                    for match in regex.finditer(self.low, window_start, min(len(self.low), at + 80)):
                        if match.start("kind") != at and match.start("kind2") != at:
                            continue
                        negated = bool(match.group("non") or match.group("non2"))
                        kind = (match.group("kind") or match.group("kind2"))
                        section = EXCLUSION if negated or kind == "exclusion" else INCLUSION
                        found.setdefault(match.start(), (match.end(), section))
                        break
                at = self.low.find(word, at + len(word))
        self._find_sentence_headers(found, limit)
        for start in sorted(found):
            end, kind = found[start]
            if self._header_ends and start < self._header_ends[-1]:
                continue
            self._header_starts.append(start)
            self._header_ends.append(end)
            self._header_kinds.append(kind)

    def _find_sentence_headers(self, found: dict[int, tuple[int, str]], limit: int) -> None:
        """Lines such as "Patients meeting any of the following will be excluded:"."""
        seen_lines: set[int] = set()
        for word in ("exclud", "eligib", "includ", "must", "take part", "join", "participate"):
            candidates = 0
            at = self.low.find(word)
            while at != -1 and candidates < limit:
                candidates += 1
                line_start = self.low.rfind("\n", 0, at) + 1
                if line_start not in seen_lines and at - line_start <= 140:
                    seen_lines.add(line_start)
                    line_end = self.low.find("\n", at)
                    line_end = len(self.low) if line_end == -1 else line_end
                    match = _HEADER_SENTENCE.match(self.low, line_start, line_end)
                    if match:
                        cue = match.group("cue")
                        excluding = any(word in cue for word in ("exclud", "not", "'t", "’t", "inelig", "none"))
                        found.setdefault(line_start, (match.end(), EXCLUSION if excluding else INCLUSION))
                at = self.low.find(word, at + len(word))

    @property
    def has_headers(self) -> bool:
        return bool(self._header_kinds)

    def section_at(self, pos: int) -> str:
        index = bisect.bisect_right(self._header_ends, pos) - 1
        return self._header_kinds[index] if index >= 0 else UNKNOWN

    def _section_limits(self, pos: int) -> tuple[int, int]:
        """The stretch of text between the headers around `pos` (sentences never cross one)."""
        index = bisect.bisect_right(self._header_ends, pos) - 1
        low_limit = self._header_ends[index] if index >= 0 else 0
        next_index = bisect.bisect_right(self._header_starts, pos)
        high_limit = self._header_starts[next_index] if next_index < len(self._header_starts) else len(self.norm)
        return low_limit, high_limit

    # -- sentences ----------------------------------------------------------------------------
    def sentence_at(self, pos: int) -> Sentence:
        low_limit, high_limit = self._section_limits(pos)
        if len(self.norm) <= _WHOLE_TEXT_BREAKS:
            start, end = self._bounds_from_all_breaks(pos)
        else:
            start, end = self._bounds_from_local_breaks(pos, low_limit, high_limit)
        start = max(start, low_limit, pos - _SENTENCE_REACH)
        end = min(end, high_limit, pos + _SENTENCE_REACH)
        start = _ITEM_MARKER.match(self.norm, start, end).end() if start < end else start
        while start < end and self.norm[start].isspace():
            start += 1
        while end > start and self.norm[end - 1].isspace():
            end -= 1
        cached = self._sentences.get(start)
        if cached is not None and cached.end == end:
            return cached
        sentence = Sentence(start, end, self.section_at(pos), self.norm[start:end], self.low[start:end])
        self._sentences[start] = sentence
        return sentence

    def _bounds_from_all_breaks(self, pos: int) -> tuple[int, int]:
        if self._break_starts is None:
            starts: list[int] = []
            ends: list[int] = []
            for match in _BOUNDARY.finditer(self.norm):
                if self._is_break(match):
                    starts.append(match.start())
                    ends.append(match.end())
            self._break_starts, self._break_ends = starts, ends
        index = bisect.bisect_left(self._break_starts, pos)
        start = self._break_ends[index - 1] if index > 0 else 0
        if index < len(self._break_starts):
            break_at = self._break_starts[index]
            end = break_at + (1 if self.norm[break_at] in ".!?" else 0)
        else:
            end = len(self.norm)
        return start, end

    def _bounds_from_local_breaks(self, pos: int, low_limit: int, high_limit: int) -> tuple[int, int]:
        # For a huge text only the neighbourhood of `pos` is scanned. The backward search runs a
        # little past `pos` so a line break's look-ahead can see the line it opens.
        window_start = max(low_limit, pos - _SENTENCE_REACH)
        start = window_start
        for match in _BOUNDARY.finditer(self.norm, window_start, min(high_limit, pos + 4)):
            if match.start() >= pos:
                break
            if self._is_break(match):
                start = match.end()
        end = min(high_limit, pos + _SENTENCE_REACH)
        for match in _BOUNDARY.finditer(self.norm, pos, end):
            if self._is_break(match):
                end = match.start() + (1 if match.group() in ".!?" else 0)
                break
        return start, end

    def _is_break(self, match: re.Match) -> bool:
        if match.group() == ";":
            return not self._inside_brackets(match.start())
        if match.group() not in ".!?":
            return True
        before = self.norm[max(0, match.start() - 8): match.start()]
        # A citation in a short bracket ("(Kurtzke JF. Neurology 1983)") is one note, as for ";".
        return not _NO_BREAK_BEFORE_DOT.search(before) and not self._inside_brackets(match.start())

    def _inside_brackets(self, pos: int) -> bool:
        """Whether `pos` lies in a short bracket on one line: "(EDSS; Kurtzke 1983)" is one note."""
        line_start = max(self.norm.rfind("\n", 0, pos) + 1, pos - _BRACKET_REACH)
        opened = self.norm.rfind("(", line_start, pos)
        if opened < 0 or self.norm.find(")", opened, pos) >= 0:
            return False
        line_end = self.norm.find("\n", pos, pos + _BRACKET_REACH)
        closed = self.norm.find(")", pos, line_end if line_end >= 0 else pos + _BRACKET_REACH)
        return closed >= 0 and self.norm.find("(", pos, closed) < 0

    def lead_in(self, sentence: Sentence, reach: int = 1500) -> str:
        """The lower-cased line that introduces a sub-item, when the sub-item has one.

        Registry texts nest items under a line ending in ':' ("Either of the following within
        one month prior to randomization:"), and the time window lives only in that line.
        """
        line_start = self.norm.rfind("\n", 0, sentence.start) + 1
        if line_start <= 0:
            return ""
        own_line = self.norm[line_start: sentence.start]
        own_indent = len(own_line) - len(own_line.lstrip(" \t"))
        position = line_start - 1
        floor = max(0, sentence.start - reach)
        while position > floor:
            previous_start = self.norm.rfind("\n", 0, position) + 1
            line = self.norm[previous_start:position]
            stripped = line.strip()
            position = previous_start - 1
            if not stripped:
                continue
            indent = len(line) - len(line.lstrip(" \t"))
            if stripped.endswith(":"):
                if self.section_at(previous_start) != self.section_at(sentence.start):
                    return ""
                if _HEADER_WITH_COLON.search(self.low, previous_start, previous_start + len(line)):
                    return ""
                return self.low[previous_start: previous_start + len(line)]
            if indent >= own_indent and (indent > 0 or _LINE_IS_ITEM.match(line)):
                continue  # a sibling item; keep looking up for the shared lead-in
            return ""
        return ""

    # -- keyword hits -------------------------------------------------------------------------
    def positions(self, keyword: str, limit: int) -> list[int]:
        """Where a lower-case keyword occurs (at most `limit` places), cached across themes.

        A keyword written "^cis" only counts at the start of a word, so that short acronyms do
        not hit "decision" or "forms" and pull every sentence into a theme's reading.
        """
        cached = self._positions.get(keyword)
        if cached is not None and (len(cached[0]) < cached[1] or cached[1] >= limit):
            return cached[0][:limit]
        word_start = keyword.startswith("^")
        needle = keyword[1:] if word_start else keyword
        found: list[int] = []
        at = self.low.find(needle)
        while at != -1 and len(found) < limit:
            if not word_start or at == 0 or not self.low[at - 1].isalnum():
                found.append(at)
            at = self.low.find(needle, at + 1)
        self._positions[keyword] = (found, limit)
        return found

    def sentences_with(self, keywords: tuple[str, ...], limit: int = 150) -> list[Sentence]:
        """The distinct sentences containing any keyword, in text order (at most `limit`).

        Real criteria mention one theme in a few dozen sentences at most; the limit only bites
        on pathological input (a text repeating itself for megabytes) and keeps it fast.
        """
        hits = sorted({pos for keyword in keywords for pos in self.positions(keyword, limit)})
        result: list[Sentence] = []
        seen: set[tuple[int, int]] = set()
        covered_until = -1
        for pos in hits:
            if pos < covered_until:
                continue
            sentence = self.sentence_at(pos)
            covered_until = sentence.end
            key = (sentence.start, sentence.end)
            if key in seen:
                continue
            seen.add(key)
            result.append(sentence)
            if len(result) >= limit:
                break
        return result

    def snippet(self, start: int, end: int) -> str:
        return self.original[start:end]
