"""Search words that know drug names: "Ocrevus" also finds "ocrelizumab" and "RO4964913".

`expand_query(text)` splits the typed text into words, as the search always did, and turns each
word (or run of words) that names something in data/drug_classes.toml into a group of
alternatives: a drug's generic name, brands and code names stand for each other, and a class
word ("BTK", "anti-CD20", "S1P") stands for every name of every member of the class. A trial
matches when, for every group, its text contains one of the group's alternatives. One
misspelling of a long single-word drug name (8+ letters) still counts as that name; class words
and non-drug programme words must be typed as written.

The alternatives are lower-case substrings of the search text. Code names are also searched
with a hyphen, a space and nothing between letters and digits ("RO-4964913", "RO 4964913").
Very short names from the file ("TMS", "T3", "NAC") are searched only when typed, because as
substrings they would match unrelated words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mstrials.labels.drug_classes import DrugClasses, load_drug_classes
from mstrials.labels.vocabulary import normalise_text, within_one_edit

_MIN_FUZZY_LENGTH = 8
_MIN_EXPANDED_LENGTH = 4
_MAX_PHRASE_WORDS = 5
_LETTERS_THEN_DIGITS = re.compile(r"^([a-z]{1,6})[- ]?(\d[a-z0-9]*)$")


@dataclass(frozen=True)
class ExpandedQuery:
    # One tuple per typed word or phrase: any of its alternatives matches that word.
    groups: tuple[tuple[str, ...], ...]
    # The names searched besides what was typed, as the vocabulary writes them, for display.
    also_searched: tuple[str, ...]


@dataclass(frozen=True)
class _Lookup:
    # normalised name -> the names it stands for (written forms), for drug and class names
    names_of: dict[str, tuple[str, ...]]
    single_words: tuple[str, ...]  # normalised single-word names long enough for a misspelling


def _add(target: dict[str, list[str]], key: str, names: list[str]) -> None:
    bucket = target.setdefault(key, [])
    for name in names:
        if name not in bucket:
            bucket.append(name)


@lru_cache(maxsize=4)
def _lookup(vocabulary: DrugClasses) -> _Lookup:
    names_of: dict[str, list[str]] = {}
    for drug_class in vocabulary.classes.values():
        every_name = [name for member in drug_class.members for name in member.names]
        for member in drug_class.members:
            for name in member.names:
                _add(names_of, normalise_text(name), list(member.names))
        for word in drug_class.class_words:
            _add(names_of, normalise_text(word), [*drug_class.class_words, *every_name])
    names_of.pop("", None)
    # Misspellings are forgiven for drug names only: class words and programme words are plain
    # words, and their near neighbours are other words ("demyelinating" is not "remyelinating").
    drug_names = {normalise_text(name) for drug_class in vocabulary.classes.values()
                  if drug_class.mechanisms != ("non_drug",) for member in drug_class.members for name in member.names}
    single = tuple(sorted(n for n in drug_names if " " not in n and n.isalpha() and len(n) >= _MIN_FUZZY_LENGTH))
    return _Lookup({key: tuple(names) for key, names in names_of.items()}, single)


def _spellings(name: str) -> list[str]:
    """The lower-case substrings a registry text may use for one vocabulary name."""
    lowered = name.lower()
    spellings = [lowered]
    code = _LETTERS_THEN_DIGITS.match(lowered)
    if code:
        letters, digits = code.groups()
        spellings += [f"{letters}{digits}", f"{letters}-{digits}", f"{letters} {digits}"]
    elif "-" in lowered:
        spellings += [lowered.replace("-", " "), lowered.replace("-", "")]
    return list(dict.fromkeys(spellings))


def _near_miss(word: str, lookup: _Lookup) -> str | None:
    if len(word) < _MIN_FUZZY_LENGTH or not word.isalpha():
        return None
    close = [name for name in lookup.single_words if abs(len(name) - len(word)) <= 1 and within_one_edit(word, name)]
    return close[0] if len(close) == 1 else None  # two equally close names: do not guess


def _group(typed: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    alternatives = [typed]
    shown: list[str] = []
    typed_normalised = normalise_text(typed)
    for name in names:
        spellings = [s for s in _spellings(name) if len(s) >= _MIN_EXPANDED_LENGTH]
        new = [s for s in spellings if s not in alternatives]
        alternatives += new
        if new and normalise_text(name) != typed_normalised:
            shown.append(name)
    return tuple(alternatives), shown


@lru_cache(maxsize=1024)
def _expand(text: str, vocabulary: DrugClasses) -> ExpandedQuery:
    lookup = _lookup(vocabulary)
    words = text.lower().split()
    groups: list[tuple[str, ...]] = []
    shown: list[str] = []
    position = 0
    while position < len(words):
        # The longest run of typed words that is a known name ("interferon beta", "BTK inhibitor").
        for length in range(min(_MAX_PHRASE_WORDS, len(words) - position), 0, -1):
            typed = " ".join(words[position : position + length])
            names = lookup.names_of.get(normalise_text(typed))
            if names is None and length == 1:
                corrected = _near_miss(normalise_text(typed), lookup)
                names = lookup.names_of.get(corrected) if corrected else None
            if names is not None:
                group, names_shown = _group(typed, names)
                groups.append(group)
                shown += [name for name in names_shown if name.lower() not in {s.lower() for s in shown}]
                position += length
                break
        else:
            groups.append((words[position],))
            position += 1
    return ExpandedQuery(groups=tuple(groups), also_searched=tuple(shown))


def expand_query(text: str, vocabulary: DrugClasses | None = None) -> ExpandedQuery:
    """The search groups for typed text (see the module docstring); empty text gives no groups."""
    if not isinstance(text, str) or not text.strip() or "\0" in text:
        return ExpandedQuery(groups=tuple((word,) for word in (text or "").lower().split()), also_searched=())
    return _expand(text, vocabulary or load_drug_classes())
