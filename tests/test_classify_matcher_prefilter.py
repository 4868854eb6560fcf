"""The literal prefilter in front of the vocabulary's unanchored regular expressions skips a
regex scan only where the regex cannot match: the matchers find exactly what an unfiltered
search finds, on texts built from the vocabulary's own words."""
from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstrials.labels.vocabulary import (
    Rules,
    WordPatterns,
    _top_level_alternatives,
    default_vocabulary,
    normalise_text,
    required_literals,
)


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        ("brutinib\\b", ("brutinib",)),
        ("car t cells?\\b", ("car t cell",)),
        ("\\b(?:vaccin\\w*|covid\\w*|dose) booster\\b", ("vaccin", "covid", "dose booster")),
        ("\\b(?:treated|on) with\\b", ("treated with", "on with")),  # the literal after the group counts
        ("(?:leucel|stemcel)\\b", ("leucel", "stemcel")),
        ("\\b(?:ab|ab|cd) x", ("ab x", "cd x")),  # repeats once
        ("\\bh?nscs?\\b", ("nsc",)),  # an optional first letter: what follows is certain
        ("\\bu?car ?t\\b", ("car",)),
        ("\\b(?:active )?reference (?:drug|arm)\\b", ("reference ",)),  # so is what follows an optional group
        ("(?:the )?\\d+", None),
        ("a??b", None),  # lazy: kept simple
        ("(?:the )?controls?\\b", ("control",)),
        ("(?:a|\\bb)c", None),  # one alternative starts with no literal
        ("^(?:the )?control", ("control",)),
        ("(?:ab)+c", None),  # a repeated group: kept simple
        ("\\d+ ?t\\b", None),
        ("(?i)placebo", None),  # inline flags: the letters may come in any case
    ],
)
def test_required_literals_of_hand_written_expressions(regex, expected):
    assert required_literals(regex) == expected


def test_required_literals_are_in_every_match():
    text = "an autologous haematopoietic stem cell graft and a covid booster"
    regex = "\\b(?:autologous|allogeneic)(?: [\\w-]+){0,5} (?:grafts?|cells?)\\b"
    match = re.search(regex, text)
    assert match is not None
    assert any(literal in match.group(0) for literal in required_literals(regex))


def _vocabulary_words() -> list[str]:
    """Words the unanchored patterns are written around: entries, the literals found, and the
    plain words of the expressions themselves ("booster", "transplant", "cells")."""
    vocabulary = default_vocabulary()
    words: set[str] = set()
    for compiled, _, literals in vocabulary._patterns._anywhere:
        words.update(literals or ())
        words.update(re.findall(r"[a-z]{2,}", compiled.pattern))
    for name in Rules.__dataclass_fields__:
        patterns = getattr(vocabulary.rules, name)
        if isinstance(patterns, WordPatterns) and patterns._anywhere is not None:
            words.update(re.findall(r"[a-z]{2,}|\d+", patterns._anywhere.pattern))
    for mechanism in vocabulary.mechanisms.values():
        words.update(normalise_text(term) for term in mechanism.terms[:5])
    return sorted(word for word in words if word)


WORDS = _vocabulary_words()
# Joined with spaces (normalised text) or glued, so that literals also turn up inside words.
texts = st.tuples(st.lists(st.sampled_from(WORDS + ["x", "1", "t", "cd20"]), max_size=10), st.sampled_from([" ", "", " ; "])).map(
    lambda parts: parts[1].join(parts[0])
)


def _unfiltered_patterns():
    patterns = copy.copy(default_vocabulary()._patterns)
    patterns._anywhere = [(compiled, pattern, None) for compiled, pattern, _ in patterns._anywhere]
    return patterns


def _unfiltered_word_patterns(patterns: WordPatterns) -> WordPatterns:
    unfiltered = copy.copy(patterns)
    unfiltered._anywhere_literals = None
    unfiltered._searched = {}
    return unfiltered


RULE_PATTERNS = [
    (name, getattr(default_vocabulary().rules, name))
    for name in Rules.__dataclass_fields__
    if isinstance(getattr(default_vocabulary().rules, name), WordPatterns)
] + [(f"title_cues.{key}", patterns) for key, patterns in default_vocabulary().rules.title_cues.items()]
UNFILTERED_RULE_PATTERNS = [(name, patterns, _unfiltered_word_patterns(patterns)) for name, patterns in RULE_PATTERNS]
UNFILTERED_PATTERNS = _unfiltered_patterns()


def test_the_vocabulary_has_prefiltered_expressions():
    # Otherwise the properties below would hold trivially.
    assert any(literals for _, _, literals in default_vocabulary()._patterns._anywhere)
    assert any(patterns._anywhere_literals for _, patterns in RULE_PATTERNS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_every_unanchored_alternative_contains_one_of_its_literals(text):
    vocabulary = default_vocabulary()
    alternatives = [compiled.pattern for compiled, _, _ in vocabulary._patterns._anywhere]
    for _, patterns in RULE_PATTERNS:
        if patterns._anywhere is not None:
            alternatives += [alternative[3:-1] for alternative in _top_level_alternatives(patterns._anywhere.pattern)]
    for alternative in alternatives:
        literals = required_literals(alternative)
        match = re.search(alternative, text)
        if literals is not None and match is not None:
            assert any(literal in match.group(0) for literal in literals), (alternative, text)


def _spans(matches):
    return [(match.start(), match.end(), match.group(0)) for match in matches]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_prefiltered_matchers_find_what_unfiltered_ones_find(text):
    normalised = normalise_text(text)
    for searched in {text, normalised}:
        assert default_vocabulary()._patterns.find(searched) == UNFILTERED_PATTERNS.find(searched)
        for name, patterns, unfiltered in UNFILTERED_RULE_PATTERNS:
            assert _spans(patterns.finditer(searched)) == _spans(unfiltered.finditer(searched)), name
            found, expected = patterns.search(searched), unfiltered.search(searched)
            assert _spans([found] if found else []) == _spans([expected] if expected else []), name
