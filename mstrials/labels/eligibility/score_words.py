"""Scores written as words in criteria text ("EDSS of six or less"), read as digits.

Only the EDSS reader uses this: it turns "three to six and a half" into "3     to 6.5" in a
lower-cased working copy of a sentence, keeping every other character at its offset so the
spans it computes still point into the original text.
"""
from __future__ import annotations

import re

# Scores written as words ("EDSS of six or less", "three to six and a half"). A word only counts
# where a bound can stand (after "of", "than", "between", an operator...; before "or", "to",
# "and"), so "at two visits" or "one of the following" stay words. "One" counts only when a
# bound clearly follows it, because "one" is far more often a count than a score.
_NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10}
_WORD_NUMBER = re.compile(
    r"\b(?P<word>" + "|".join(_NUMBER_WORDS) + r")(?:\s+point\s+(?P<point>zero|five)\b|(?P<half>\s+and\s+a\s+half|-and-a-half))?\b"
)
_BOUND_BEFORE_WORD = re.compile(
    r"(?:\b(?:than|of|between|from|to|and|or|least|most|maximum|minimum|max|min|score|edss|scale|until|through"
    r"|exceeding|exceed|below|above|under|over|equals?)|[≤≥⩽⩾<>=:])\s*$"
)
_BOUND_AFTER_WORD = re.compile(r"\s*(?:\(|\bor\b|\bto\b|\band\b|\bthrough\b|[-–—]\s*[0-9a-z])")
_COUNT_AFTER_WORD = re.compile(r"\s+(?:of|out\s+of)\b")
_BOUND_AFTER_ONE = re.compile(r"\s*(?:\bto\b|\bthrough\b|[-–—]|\bor\s+(?:less|lower|below|fewer|more|greater|higher|above))")
# "four (4)", "6.0 (six)": the same score twice; the bracket is blanked so it reads as one.
_REPEATED_IN_BRACKETS = re.compile(
    r"(?P<value>[0-9]{1,2}(?:\.[0-9])?)(?P<gap>\s*)\(\s*(?P<again>[0-9]{1,2}(?:\.[0-9])?|" + "|".join(_NUMBER_WORDS) + r")\s*\)"
)


def digits_for_words(low: str) -> str:
    """`low` with scores written as words turned into digits, every other character kept in place.

    The digits are padded with spaces to the length of the words, so offsets into the sentence
    stay valid for the snippets and spans computed from it.
    """
    if not any(word in low for word in _NUMBER_WORDS):
        return _blank_repeated(low)
    pieces: list[str] = []
    last = 0
    for match in _WORD_NUMBER.finditer(low):
        word = match.group("word")
        before_ok = _BOUND_BEFORE_WORD.search(low, max(0, match.start() - 24), match.start())
        after = _BOUND_AFTER_ONE if word == "one" else _BOUND_AFTER_WORD
        after_ok = after.match(low, match.end())
        fraction = match.group("point") == "five" or match.group("half")
        if not fraction and _COUNT_AFTER_WORD.match(low, match.end()):
            continue  # "and two of the following": a count
        if word == "one" and not (after_ok or fraction):
            continue
        if not (before_ok or after_ok or fraction):
            continue
        value = str(_NUMBER_WORDS[word]) + (".5" if fraction else "")
        pieces.append(low[last:match.start()])
        pieces.append(value.ljust(match.end() - match.start()))
        last = match.end()
    pieces.append(low[last:])
    return _blank_repeated("".join(pieces))


def _blank_repeated(low: str) -> str:
    if "(" not in low:
        return low

    def blank(match: re.Match) -> str:
        again = match.group("again")
        if float(match.group("value")) != float(_NUMBER_WORDS.get(again, again)):
            return match.group()
        return match.group("value") + " " * (match.end() - match.start("gap"))

    return _REPEATED_IN_BRACKETS.sub(blank, low)
