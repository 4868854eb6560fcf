"""The curated mechanism vocabulary (data/mechanisms.toml): loading, validation and matching.

The TOML file is product data reviewed like code. This module turns it into an immutable
`Vocabulary` with everything the classifier needs precompiled (word indexes, regular
expressions), so that classifying thousands of studies costs no further compilation.

Public names other modules rely on: MECHANISM_KEYS, GROUP_NAMES, load_vocabulary,
default_vocabulary, vocabulary_hash, Vocabulary, Mechanism, VocabularyError, normalise_text.
"""
from __future__ import annotations

import hashlib
import re
import threading
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator

DEFAULT_VOCABULARY_PATH = Path(__file__).resolve().parent.parent.parent / "data" / "mechanisms.toml"

# The stable keys of the contract (docs/mechanisms.md), in display order.
MECHANISM_KEYS: tuple[str, ...] = (
    "b_cell",
    "microglia",
    "ibudilast",
    "mitochondrial",
    "sodium_channel",
    "neuroprotection_other",
    "remyelination",
    "astrocyte",
    "anti_inflammatory",
    "cell_therapy",
    "symptomatic",
    "non_drug",
    "other",
)

# Group names for the interface, in the order the contract lists them.
GROUP_NAMES: tuple[str, ...] = (
    "Neuroprotection",
    "Repair",
    "Immune (inside the CNS)",
    "Glial support",
    "Anti-inflammatory DMTs",
    "Other",
)

_TERM_LIST_FIELDS = ("generic", "brands", "codes")
_MECHANISM_FIELDS = {"label", "group", "explanation", "patterns", *_TERM_LIST_FIELDS}
_SHARED_FIELDS = {"keys", "why", "patterns", *_TERM_LIST_FIELDS}

# Every rule list, and whether it holds plain terms or regular expressions.
_RULE_TERM_LISTS = ("placebo_terms", "supportive_terms", "conditioning_terms", "generic_label_words")
_RULE_PATTERN_LISTS = (
    "comparator_patterns",
    "car_t_patterns",
    "b_cell_target_title_patterns",
    "transplant_title_patterns",
    "imaging_agent_patterns",
    "assessment_patterns",
    "background_title_patterns",
    "comparator_title_patterns",
    "comparator_design_patterns",
    "interaction_title_patterns",
)
_RULE_KEY_LISTS = ("supportive_dropped_alongside", "conditioning_dropped_alongside")

# Only one-word entries (and words) this long are matched despite a one-letter slip;
# shorter words have too many real neighbours to guess safely.
_FUZZY_MIN_LENGTH = 7


class VocabularyError(ValueError):
    """The vocabulary file is missing, unreadable or breaks the contract."""


# ---------------------------------------------------------------------------
# Text normalisation (shared by the vocabulary and the classifier)
# ---------------------------------------------------------------------------

_GREEK_AND_SYMBOLS = {
    "β": " beta ",
    "ß": " beta ",  # registrants sometimes type the German sharp s for beta
    "α": " alpha ",
    "γ": " gamma ",
    "κ": " kappa ",
    "λ": " lambda ",
    "µ": "u",
    "μ": "u",
    "×": " x ",
}
_TRADEMARKS = re.compile(r"[®™©℠]|\((?:r|tm|c)\)", re.IGNORECASE)
_UNITS = (
    r"mg|mcg|ug|ng|g|grams?|milligrams?|micrograms?|kg|iu|miu|mu|ml|cc|mmol|meq|%|units?|unt|u"
    r"|ma|hz|mosm"
)
_PER_UNITS = r"kg|m2|day|d|dose|ml|week|wk|h|hr|hour|month|mo|l"
_DOSE = re.compile(
    rf"(?<![a-z0-9.])\d+(?:[.,]\d+)?\s*x\s*10\s*\^?\s*\d+(?:\s*cells?)?"  # cell counts, 1 x 10^8 cells
    rf"|(?<![a-z0-9.])\d+(?:[.,]\d+)?\s*(?:{_UNITS})(?![a-z])(?:\s*/\s*(?:{_PER_UNITS})(?![a-z]))*"
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ALNUM_RUN = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")
# "mn 166" -> "mn166": joins a short letter prefix to the number of a code name so that
# hyphen, space and no-space spellings meet. Applied identically to names and entries.
_CODE_JOIN = re.compile(r"\b([a-z]{1,5}) (\d[a-z0-9]*)\b")
# "ONO-2506PO", "MEDI-551IV": a route or release suffix glued to a code number.
_CODE_SUFFIX = re.compile(r"(?<=\d)(po|iv|sc|im|it|er|sr|xr|cr|hcl)\b")


def normalise_text(text: Any) -> str:
    """Lower-case alphanumeric words separated by single spaces; doses, units and
    trademarks removed; code names joined ("MN-166" -> "mn166"). Non-strings give ""."""
    if not isinstance(text, str) or not text:
        return ""
    return _normalise(text)


@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    if not text.isascii():
        text = _TRADEMARKS.sub(" ", text)  # before NFKD, which spells "™" as "TM"
        for symbol, replacement in _GREEK_AND_SYMBOLS.items():
            text = text.replace(symbol, replacement)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = _TRADEMARKS.sub(" ", text.lower())
    else:
        text = text.lower()
        if "(" in text:
            text = _TRADEMARKS.sub(" ", text)
    if _DIGIT.search(text) is None:
        # Most names and titles: the alphanumeric runs are the words (one regex pass).
        return " ".join(_ALNUM_RUN.findall(text))
    text = _DOSE.sub(" ", text)
    text = _NON_ALNUM.sub(" ", text)
    text = _CODE_JOIN.sub(r"\1\2", f" {text} ")
    text = _CODE_SUFFIX.sub(r" \1", text)
    return " ".join(text.split())


def _deletion_variants(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance <= 1 (one insertion, deletion, substitution
    or swap of neighbouring letters)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


# ---------------------------------------------------------------------------
# Matching structures
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermMatch:
    """One vocabulary entry found in a text."""

    keys: tuple[str, ...]
    matched: str  # the entry as written in the vocabulary, or a pattern's label
    normalised: str  # the entry's normalised form, or the text a pattern matched
    from_pattern: bool = False
    fuzzy: bool = False
    descriptor: bool = False  # a describing word, not a product: not read out of titles
    start: int = 0  # character span in the normalised text searched
    end: int = 0


class TermIndex:
    """Whole-word lookup of many (multi-word) terms in normalised text, plus a
    one-edit tolerant lookup for long single-word terms."""

    def __init__(self, items: Iterable[tuple[str, tuple[str, ...]]]):
        self._by_first_word: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]] = {}
        self._by_deletion: dict[str, set[str]] = {}
        self._single_words: dict[str, tuple[str, tuple[str, ...]]] = {}
        seen: set[str] = set()
        for written, keys in items:
            normalised = normalise_text(written)
            if not normalised or normalised in seen:
                continue
            seen.add(normalised)
            words = tuple(normalised.split())
            self._by_first_word.setdefault(words[0], []).append((words, written, keys))
            # Drug and product names are distinctive enough that a near miss is a typo; the
            # plain words of non-drug entries are not ("medication" is not "meditation").
            if len(words) == 1 and len(normalised) >= _FUZZY_MIN_LENGTH and normalised.isalpha() and keys != ("non_drug",):
                self._single_words[normalised] = (written, keys)
                for variant in _deletion_variants(normalised) | {normalised}:
                    self._by_deletion.setdefault(variant, set()).add(normalised)
        for candidates in self._by_first_word.values():
            candidates.sort(key=lambda item: -len(item[0]))
        self.normalised_terms: frozenset[str] = frozenset(seen)
        self._near_misses_by_word: dict[str, tuple[TermMatch, ...]] = {}
        # A word more than one letter longer than every entry cannot be one edit from one; its
        # deletion variants would cost time and memory in proportion to its length squared.
        self._longest_near_miss = max(map(len, self._single_words), default=0) + 1

    def find(self, words: Sequence[str]) -> list[TermMatch]:
        found: list[TermMatch] = []
        if self._by_first_word.keys().isdisjoint(words):  # the usual case, decided in C
            return found
        offset = 0
        for start, word in enumerate(words):
            for term_words, written, keys in self._by_first_word.get(word, ()):
                if tuple(words[start : start + len(term_words)]) == term_words:
                    text = " ".join(term_words)
                    found.append(TermMatch(keys, written, text, start=offset, end=offset + len(text)))
            offset += len(word) + 1
        return found

    def find_near_misses(self, words: Sequence[str]) -> list[TermMatch]:
        found: list[TermMatch] = []
        near_misses_of = self._near_misses_of
        for word in words:
            if (len(word) < _FUZZY_MIN_LENGTH or len(word) > self._longest_near_miss or not word.isalpha()
                    or word in self._single_words):
                continue
            found.extend(near_misses_of(word))
        return found

    def _near_misses_of(self, word: str) -> tuple[TermMatch, ...]:
        # The same long words ("sclerosis", "progressive") come back in almost every title,
        # and the deletion-variant lookup is the costly part: remember each word's answer.
        cached = self._near_misses_by_word.get(word)
        if cached is None:
            candidates: set[str] = set()
            for variant in _deletion_variants(word) | {word}:
                candidates |= self._by_deletion.get(variant, set())
            matches = []
            for candidate in sorted(candidates):
                if within_one_edit(word, candidate):
                    written, keys = self._single_words[candidate]
                    matches.append(TermMatch(keys, written, candidate, fuzzy=True))
            cached = tuple(matches)
            if len(self._near_misses_by_word) > 50_000:
                self._near_misses_by_word.clear()
            self._near_misses_by_word[word] = cached
        return cached

    def contains_any(self, words: Sequence[str]) -> bool:
        by_first_word = self._by_first_word
        if by_first_word.keys().isdisjoint(words):
            return False
        for start, word in enumerate(words):
            for term_words, _, _ in by_first_word.get(word, ()):
                if tuple(words[start : start + len(term_words)]) == term_words:
                    return True
        return False


@dataclass(frozen=True)
class LabelledPattern:
    regex: str
    label: str
    keys: tuple[str, ...]
    descriptor: bool = False


def _structure(regex: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth before it) for each character of `regex` from `start` that is
    structure: not escaped and not inside a character class. The one scanner both helpers below read."""
    depth, in_class, escaped = 0, False, False
    for index in range(start, len(regex)):
        ch = regex[index]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            yield index, ch, depth
            depth += (ch == "(") - (ch == ")")


def _top_level_alternatives(regex: str) -> list[str]:
    """Split a regular expression on its top-level `|`."""
    cuts = [index for index, ch, depth in _structure(regex) if ch == "|" and depth == 0]
    bounds = [-1, *cuts, len(regex)]
    return [regex[left + 1:right] for left, right in zip(bounds, bounds[1:])]


_QUANTIFIERS = "?*+{"
_METACHARACTERS = "\\[](){}.*+?|^$"


def _literal_prefix(regex: str) -> str:
    """The literal text every match of `regex` starts with ("" if none can be told)."""
    prefix = []
    for index, ch in enumerate(regex):
        if ch in _METACHARACTERS:
            break
        if index + 1 < len(regex) and regex[index + 1] in _QUANTIFIERS:
            break
        prefix.append(ch)
    return "".join(prefix)


def _closing_parenthesis(regex: str, opening: int) -> int:
    """Index of the `)` closing the group opened at `opening` (-1 if none)."""
    return next((index for index, ch, depth in _structure(regex, opening) if ch == ")" and depth == 1), -1)


def required_literals(regex: str) -> tuple[str, ...] | None:
    """Literal texts one of which every match of `regex` (one top-level alternative) contains,
    or None when none can be told. A text containing none of them cannot match, so the cheap
    `in` tests spare a regex scan over most texts. Read from the start, after any `\\b` or `^`:
    a literal prefix ("brutinib", "car t cell"), the literal after an optional first letter or
    group ("a?hsct", "(?:active )?reference"), or the prefixes of a leading group's alternatives
    ("(?:autologous|allogeneic)(?: [\\w-]+){0,5} ...")."""
    body = regex
    while body.startswith(("\\b", "^")):
        body = body[2:] if body.startswith("\\b") else body[1:]
    prefix = _literal_prefix(body)
    if prefix:
        return (prefix,)
    if len(body) > 2 and body[0] not in _METACHARACTERS and body[1] in "?*":
        return _literal_after_optional(body[1:])
    if not body.startswith("(?:"):
        return None
    closing = _closing_parenthesis(body, 0)
    if closing < 0:
        return None
    if body[closing + 1 : closing + 2] in ("?", "*"):
        return _literal_after_optional(body[closing + 1 :])
    if body[closing + 1 : closing + 2] in tuple(_QUANTIFIERS):
        return None  # "+" or "{m,n}": kept simple
    # An alternative that is all literal continues with the literal after the group:
    # "(?:treated|receiving) with" needs "treated with" or "receiving with", not just "with".
    following = _literal_prefix(body[closing + 1 :])
    literals = []
    for alternative in _top_level_alternatives(body[3:closing]):
        literal = _literal_prefix(alternative)
        if not literal:
            return None
        literals.append(literal + following if literal == alternative else literal)
    return tuple(dict.fromkeys(literals))


def _literal_after_optional(rest: str) -> tuple[str, ...] | None:
    """`rest` starts with the `?` or `*` of an optional item; what follows is in every match."""
    if rest[1:2] in ("?", "+"):  # lazy or possessive: kept simple
        return None
    following = _literal_prefix(rest[1:])
    return (following,) if following else None


def _lacks_all(text: str, literals: tuple[str, ...] | None) -> bool:
    """True when `text` contains none of `literals` (never true without literals)."""
    if literals is None:
        return False
    for literal in literals:
        if literal in text:
            return False
    return True


class _WordStartIndex:
    """Alternatives of the form `\\b<literal>...`, found by looking up each word's first
    letters instead of letting the regex engine try every alternative at every position."""

    def __init__(self) -> None:
        self._by_two: dict[str, list[tuple[str, re.Pattern[str], Any]]] = {}
        self._by_one: dict[str, list[tuple[str, re.Pattern[str], Any]]] = {}
        # By a word's first two letters: the alternatives indexed under them and under their
        # first letter, joined once here instead of for every word of every text.
        self._by_start: dict[str, tuple[tuple[str, re.Pattern[str], Any], ...]] = {}

    def add(self, prefix: str, compiled: re.Pattern[str], payload: Any) -> None:
        index = self._by_two if len(prefix) >= 2 else self._by_one
        index.setdefault(prefix[:2], []).append((prefix, compiled, payload))
        self._by_start = {
            first_two: (*candidates, *self._by_one.get(first_two[:1], ()))
            for first_two, candidates in self._by_two.items()
        }

    def matches(self, text: str, first_only: bool = False) -> list[tuple[re.Match[str], Any]]:
        found = []
        position = 0
        by_start, by_one = self._by_start, self._by_one
        for word in text.split(" "):
            candidates = by_start.get(word[:2])
            if candidates is None:
                candidates = by_one.get(word[:1])
                if candidates is None:
                    position += len(word) + 1
                    continue
            for prefix, compiled, payload in candidates:
                if len(prefix) <= 2 or text.startswith(prefix, position):
                    match = compiled.match(text, position)
                    if match:
                        found.append((match, payload))
                        if first_only:
                            return found
            position += len(word) + 1
        return found


def _split_for_index(regex: str) -> list[tuple[str, str]]:
    """(literal prefix or "", expression) for each top-level alternative; a prefix is given
    only for alternatives that start at a word boundary, whose `\\b` is then dropped."""
    parts = []
    for alternative in _top_level_alternatives(regex):
        if alternative.startswith("\\b"):
            body = alternative[2:]
            prefix = _literal_prefix(body)
            if prefix:
                parts.append((prefix, body))
                continue
        parts.append(("", alternative))
    return parts


class PatternSet:
    """Labelled regular expressions, matched fast.

    Python's regex engine scans slowly for alternations that start with `\\b` (it cannot
    skip ahead on a literal prefix). Most vocabulary patterns are "word starting with some
    literal text", so each such alternative is indexed by its literal prefix and tried only
    at word starts that begin with it. The rest are searched normally. Matches are widened
    to whole words, so "-brutinib" reports "tolebrutinib"."""

    def __init__(self, patterns: Sequence[LabelledPattern]):
        self._index = _WordStartIndex()
        self._anywhere: list[tuple[re.Pattern[str], LabelledPattern, tuple[str, ...] | None]] = []
        for pattern in patterns:
            for prefix, body in _split_for_index(pattern.regex):
                if prefix:
                    self._index.add(prefix, re.compile(body), pattern)
                else:
                    self._anywhere.append((re.compile(body), pattern, required_literals(body)))

    def find(self, text: str) -> list[TermMatch]:
        spans = [(match.start(), match.end(), pattern) for match, pattern in self._index.matches(text)]
        for compiled, pattern, literals in self._anywhere:
            if _lacks_all(text, literals):
                continue
            for match in compiled.finditer(text):
                spans.append((match.start(), match.end(), pattern))
        found: list[TermMatch] = []
        for start, end, pattern in spans:
            while start > 0 and text[start - 1] != " ":
                start -= 1
            while end < len(text) and text[end] != " ":
                end += 1
            found.append(
                TermMatch(
                    pattern.keys,
                    pattern.label,
                    text[start:end].strip(),
                    from_pattern=True,
                    descriptor=pattern.descriptor,
                    start=start,
                    end=end,
                )
            )
        return found


class WordPatterns:
    """A list of regular expressions searched together over normalised text; `search` and
    `finditer` return re.Match objects of the individual expressions.

    Long lists use the word-start index of PatternSet. Short lists are faster as one regex
    of the alternatives with their leading `\\b` removed, checked for a word start after
    matching (the removed `\\b` is what defeats the engine's literal scan)."""

    _INDEX_ABOVE = 20  # alternatives; measured crossover between the two strategies

    def __init__(self, regexes: Sequence[str]):
        at_word_start: list[tuple[str, str]] = []
        anywhere: list[str] = []
        for regex in regexes:
            for prefix, body in _split_for_index(regex):
                (at_word_start.append((prefix, body)) if prefix else anywhere.append(body))
        self._index: _WordStartIndex | None = None
        self._word_start_regex: re.Pattern[str] | None = None
        if len(at_word_start) > self._INDEX_ABOVE:
            self._index = _WordStartIndex()
            for prefix, body in at_word_start:
                self._index.add(prefix, re.compile(body), None)
        elif at_word_start:
            self._word_start_regex = re.compile("|".join(f"(?:{body})" for _, body in at_word_start))
        self._anywhere = re.compile("|".join(f"(?:{regex})" for regex in anywhere)) if anywhere else None
        # The combined expression can only match a text holding a literal of one alternative.
        literals = [required_literals(regex) for regex in anywhere]
        self._anywhere_literals = None if None in literals else tuple(dict.fromkeys(text for found in literals for text in found))
        self._searched: dict[str, re.Match[str] | None] = {}

    def _word_start_matches(self, text: str, first_only: bool) -> list[re.Match[str]]:
        if self._index is not None:
            return [match for match, _ in self._index.matches(text, first_only=first_only)]
        found = []
        if self._word_start_regex is not None:
            for match in self._word_start_regex.finditer(text):
                if match.start() == 0 or text[match.start() - 1] == " ":
                    found.append(match)
                    if first_only:
                        break
        return found

    def finditer(self, text: str) -> list[re.Match[str]]:
        matches = self._word_start_matches(text, first_only=False)
        if self._anywhere is not None and not _lacks_all(text, self._anywhere_literals):
            matches.extend(self._anywhere.finditer(text))
        matches.sort(key=lambda match: (match.start(), -match.end()))
        return matches

    def search(self, text: str) -> re.Match[str] | None:
        # Intervention names repeat across studies ("Placebo", "Ocrelizumab"): remember answers.
        if text in self._searched:
            return self._searched[text]
        match = None
        if self._anywhere is not None and not _lacks_all(text, self._anywhere_literals):
            match = self._anywhere.search(text)
        if match is None:
            found = self._word_start_matches(text, first_only=True)
            match = found[0] if found else None
        if len(self._searched) > 50_000:
            self._searched.clear()
        self._searched[text] = match
        return match


def _word_patterns(regexes: Sequence[str]) -> WordPatterns:
    return WordPatterns(regexes)


# ---------------------------------------------------------------------------
# The loaded vocabulary
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mechanism:
    key: str
    label: str
    group: str
    explanation: str
    terms: tuple[str, ...]  # generic names, brands and code names as written
    pattern_labels: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Rules:
    """Compiled [rules] section: which interventions count, and title heuristics."""

    placebo: TermIndex
    generic_label_words: frozenset[str]
    supportive: TermIndex
    conditioning: TermIndex
    supportive_dropped_alongside: frozenset[str]
    conditioning_dropped_alongside: frozenset[str]
    comparator: WordPatterns
    car_t: WordPatterns
    b_cell_target_title: WordPatterns
    transplant_title: WordPatterns
    imaging_agent: WordPatterns
    assessment: WordPatterns
    background_title: WordPatterns
    comparator_title: WordPatterns
    comparator_design: WordPatterns
    interaction_title: WordPatterns
    title_cues: Mapping[str, WordPatterns]


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """An immutable, validated vocabulary.

    `mechanisms[key].label / .group / .explanation` serve the interface; `groups` maps each
    group name (contract order) to its keys (MECHANISM_KEYS order).
    """

    path: Path
    sha256: str
    mechanisms: Mapping[str, Mechanism]
    groups: Mapping[str, tuple[str, ...]]
    rules: Rules = field(repr=False)
    _terms: TermIndex = field(repr=False)
    _patterns: PatternSet = field(repr=False)

    _found: dict[str, tuple[TermMatch, ...]] = field(default_factory=dict, repr=False)

    def label(self, key: str) -> str:
        return self.mechanisms[key].label

    def find(self, normalised: str) -> list[TermMatch]:
        """Every entry (terms and patterns) found in already-normalised text; when no
        exact entry is present, near misses of long one-word entries instead."""
        cached = self._found.get(normalised)
        if cached is None:
            words = normalised.split()
            found = self._terms.find(words) + self._patterns.find(normalised)
            cached = tuple(found or self._terms.find_near_misses(words))
            if len(self._found) > 100_000:  # names repeat across studies; titles within one
                self._found.clear()
            self._found[normalised] = cached
        return list(cached)


def _check_table(table: Any, allowed_fields: set[str], where: str, path: Path) -> None:
    if not isinstance(table, dict):
        raise _problem(path, f"{where} must be a table")
    extra = set(table) - allowed_fields
    if extra:
        raise _problem(path, f"{where}: unknown fields {', '.join(sorted(extra))}")


def _problem(path: Path, message: str) -> VocabularyError:
    return VocabularyError(f"{path}: {message}")


def _string_list(value: Any, where: str, path: Path) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise _problem(path, f"{where} must be a list of non-empty strings")
    return list(value)


def _check_regex(regex: str, where: str, path: Path) -> str:
    try:
        re.compile(regex)
    except re.error as error:
        raise _problem(path, f"{where}: invalid regular expression {regex!r}: {error}") from None
    return regex


def _labelled_patterns(value: Any, keys: tuple[str, ...], where: str, path: Path) -> list[LabelledPattern]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _problem(path, f"{where}.patterns must be a list of {{ regex, label }} tables")
    patterns = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not {"regex", "label"} <= set(item) <= {"regex", "label", "descriptor"}:
            raise _problem(path, f"{where}.patterns[{index}] must have the fields regex, label and optionally descriptor")
        regex, label, descriptor = item["regex"], item["label"], item.get("descriptor", False)
        if not isinstance(regex, str) or not regex or not isinstance(label, str) or not label.strip():
            raise _problem(path, f"{where}.patterns[{index}] needs a non-empty regex and label")
        if not isinstance(descriptor, bool):
            raise _problem(path, f"{where}.patterns[{index}].descriptor must be true or false")
        patterns.append(LabelledPattern(_check_regex(regex, f"{where}.patterns[{index}]", path), label, keys, descriptor))
    return patterns


def _parse(data: Mapping[str, Any], path: Path, sha256: str) -> Vocabulary:
    unknown_top = set(data) - {"schema_version", "mechanisms", "shared", "rules"}
    if unknown_top:
        raise _problem(path, f"unknown top-level entries: {', '.join(sorted(unknown_top))}")
    if data.get("schema_version") != 1:
        raise _problem(path, "schema_version must be 1")

    mechanisms_table = data.get("mechanisms")
    if not isinstance(mechanisms_table, dict):
        raise _problem(path, "missing [mechanisms.<key>] tables")
    missing = [key for key in MECHANISM_KEYS if key not in mechanisms_table]
    unknown = sorted(set(mechanisms_table) - set(MECHANISM_KEYS))
    if missing or unknown:
        details = []
        if missing:
            details.append(f"missing mechanism keys: {', '.join(missing)}")
        if unknown:
            details.append(f"unknown mechanism keys: {', '.join(unknown)} (the keys are a fixed contract)")
        raise _problem(path, "; ".join(details))

    term_items: list[tuple[str, tuple[str, ...]]] = []
    patterns: list[LabelledPattern] = []
    owner_of_term: dict[str, tuple[tuple[str, ...], str]] = {}

    def add_terms(written_terms: list[str], keys: tuple[str, ...], where: str) -> None:
        for written in written_terms:
            normalised = normalise_text(written)
            if not normalised:
                raise _problem(path, f"{where}: entry {written!r} is empty after normalisation")
            previous = owner_of_term.get(normalised)
            if previous is not None and previous[0] != keys:
                raise _problem(
                    path,
                    f"{where}: entry {written!r} is also listed under {previous[1]}; an entry that "
                    "belongs to several mechanisms goes in one [[shared]] table",
                )
            owner_of_term[normalised] = (keys, where)
            term_items.append((written, keys))

    mechanisms: dict[str, Mechanism] = {}
    for key in MECHANISM_KEYS:
        table = mechanisms_table[key]
        where = f"[mechanisms.{key}]"
        _check_table(table, _MECHANISM_FIELDS, where, path)
        for text_field in ("label", "group", "explanation"):
            if not isinstance(table.get(text_field), str) or not table[text_field].strip():
                raise _problem(path, f"{where}: {text_field} must be a non-empty string")
        if table["group"] not in GROUP_NAMES:
            raise _problem(path, f"{where}: group {table['group']!r} is not one of {', '.join(GROUP_NAMES)}")
        written_terms = [term for name in _TERM_LIST_FIELDS for term in _string_list(table.get(name), f"{where}.{name}", path)]
        add_terms(written_terms, (key,), where)
        key_patterns = _labelled_patterns(table.get("patterns"), (key,), where, path)
        patterns.extend(key_patterns)
        mechanisms[key] = Mechanism(
            key=key,
            label=table["label"].strip(),
            group=table["group"],
            explanation=" ".join(table["explanation"].split()),
            terms=tuple(written_terms),
            pattern_labels=tuple(pattern.label for pattern in key_patterns),
        )

    shared = data.get("shared", [])
    if not isinstance(shared, list):
        raise _problem(path, "[[shared]] must be an array of tables")
    for index, table in enumerate(shared):
        where = f"[[shared]] #{index + 1}"
        _check_table(table, _SHARED_FIELDS, where, path)
        keys = _string_list(table.get("keys"), f"{where}.keys", path)
        bad_keys = [key for key in keys if key not in MECHANISM_KEYS]
        if len(keys) < 2 or bad_keys or len(set(keys)) != len(keys):
            raise _problem(path, f"{where}: keys must name at least two distinct mechanism keys (bad: {bad_keys})")
        ordered_keys = tuple(key for key in MECHANISM_KEYS if key in keys)
        written_terms = [term for name in _TERM_LIST_FIELDS for term in _string_list(table.get(name), f"{where}.{name}", path)]
        add_terms(written_terms, ordered_keys, where)
        shared_patterns = _labelled_patterns(table.get("patterns"), ordered_keys, where, path)
        patterns.extend(shared_patterns)
        for key in ordered_keys:
            current = mechanisms[key]
            mechanisms[key] = Mechanism(
                key=current.key,
                label=current.label,
                group=current.group,
                explanation=current.explanation,
                terms=current.terms + tuple(written_terms),
                pattern_labels=current.pattern_labels + tuple(pattern.label for pattern in shared_patterns),
            )

    rules = _parse_rules(data.get("rules"), path)
    groups = {
        group: tuple(key for key in MECHANISM_KEYS if mechanisms[key].group == group)
        for group in GROUP_NAMES
    }
    return Vocabulary(
        path=path,
        sha256=sha256,
        mechanisms=MappingProxyType(mechanisms),
        groups=MappingProxyType({group: keys for group, keys in groups.items() if keys}),
        rules=rules,
        _terms=TermIndex(term_items),
        _patterns=PatternSet(patterns),
    )


def _parse_rules(table: Any, path: Path) -> Rules:
    if not isinstance(table, dict):
        raise _problem(path, "missing [rules] table")
    known = set(_RULE_TERM_LISTS) | set(_RULE_PATTERN_LISTS) | set(_RULE_KEY_LISTS) | {"title_cues"}
    extra = set(table) - known
    if extra:
        raise _problem(path, f"[rules]: unknown fields {', '.join(sorted(extra))}")
    missing = sorted(known - set(table))
    if missing:
        raise _problem(path, f"[rules]: missing fields {', '.join(missing)}")

    terms = {name: _string_list(table[name], f"[rules].{name}", path) for name in _RULE_TERM_LISTS}
    compiled = {}
    for name in _RULE_PATTERN_LISTS:
        regexes = [_check_regex(regex, f"[rules].{name}", path) for regex in _string_list(table[name], f"[rules].{name}", path)]
        compiled[name] = _word_patterns(regexes)
    key_sets = {}
    for name in _RULE_KEY_LISTS:
        keys = _string_list(table[name], f"[rules].{name}", path)
        unknown = [key for key in keys if key not in MECHANISM_KEYS]
        if unknown:
            raise _problem(path, f"[rules].{name}: unknown mechanism keys {', '.join(unknown)}")
        key_sets[name] = frozenset(keys)

    cues_table = table["title_cues"]
    if not isinstance(cues_table, dict):
        raise _problem(path, "[rules.title_cues] must be a table of key = [regex, ...]")
    unknown = [key for key in cues_table if key not in MECHANISM_KEYS]
    if unknown:
        raise _problem(path, f"[rules.title_cues]: unknown mechanism keys {', '.join(unknown)}")
    title_cues = {
        key: _word_patterns(
            [_check_regex(regex, f"[rules.title_cues].{key}", path) for regex in _string_list(cues_table[key], f"[rules.title_cues].{key}", path)]
        )
        for key in MECHANISM_KEYS
        if key in cues_table
    }
    return Rules(
        placebo=TermIndex((term, ("placebo",)) for term in terms["placebo_terms"]),
        generic_label_words=frozenset(normalise_text(word) for word in terms["generic_label_words"]),
        supportive=TermIndex((term, ("supportive",)) for term in terms["supportive_terms"]),
        conditioning=TermIndex((term, ("conditioning",)) for term in terms["conditioning_terms"]),
        supportive_dropped_alongside=key_sets["supportive_dropped_alongside"],
        conditioning_dropped_alongside=key_sets["conditioning_dropped_alongside"],
        comparator=compiled["comparator_patterns"],
        car_t=compiled["car_t_patterns"],
        b_cell_target_title=compiled["b_cell_target_title_patterns"],
        transplant_title=compiled["transplant_title_patterns"],
        imaging_agent=compiled["imaging_agent_patterns"],
        assessment=compiled["assessment_patterns"],
        background_title=compiled["background_title_patterns"],
        comparator_title=compiled["comparator_title_patterns"],
        comparator_design=compiled["comparator_design_patterns"],
        interaction_title=compiled["interaction_title_patterns"],
        title_cues=MappingProxyType(title_cues),
    )


def _resolve(path: str | Path | None) -> Path:
    return Path(path) if path is not None else DEFAULT_VOCABULARY_PATH


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise VocabularyError(f"{path}: cannot read the vocabulary file ({error.strerror or error})") from None


def vocabulary_hash(path: str | Path | None = None) -> str:
    """sha256 hex digest of the vocabulary file's bytes (the ingest re-classifies when it changes)."""
    return hashlib.sha256(_read_bytes(_resolve(path))).hexdigest()


_cache_lock = threading.Lock()
_cache: dict[tuple[str, str], Vocabulary] = {}


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load and validate a vocabulary file (default: data/mechanisms.toml in the repository).

    Parsed vocabularies are cached by path and content hash, so repeated calls are cheap and
    an edited file is picked up. Raises VocabularyError with a readable message on a bad file.
    """
    resolved = _resolve(path)
    raw = _read_bytes(resolved)
    sha256 = hashlib.sha256(raw).hexdigest()
    cache_key = (str(resolved.resolve()), sha256)
    with _cache_lock:
        cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _problem(resolved, f"not UTF-8 text ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise _problem(resolved, f"invalid TOML: {error}") from None
    vocabulary = _parse(data, resolved, sha256)
    with _cache_lock:
        _cache[cache_key] = vocabulary
    return vocabulary


_default_lock = threading.Lock()
_default: Vocabulary | None = None


def default_vocabulary() -> Vocabulary:
    """The repository's vocabulary, loaded once per process (the hot path of the ingest)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = load_vocabulary(None)
    return _default
