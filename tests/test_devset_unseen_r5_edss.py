"""Format checks for the fifth round of the frozen "unseen" EDSS split.

tests/devset/eligibility_edss_unseen_r5.jsonl holds 70 eligibility-criteria texts written for the
project by a writer who did not open the eligibility parser, its tests, its bench or the dev texts.
They follow the style of real registry pages read beforehand through the search tool, never
pasted from them. Each row carries the EDSS window a careful clinician reads from the text:
inclusive bounds as written; strict bounds moved by one 0.5 step ("< 6" is 5.5, "> 3.5" is 4.0);
an exclusion bound closes that side ("EDSS > 5.5" excluded is a maximum of 5.5, "EDSS lower than
3.0" excluded a minimum of 3.0); the union of cohort windows; null on a side the text leaves open,
and on both sides when EDSS appears only in functional-system scores, outcome or progression
definitions, stratification, registry data collection, or when only another scale (MSSS, T25FW,
SDMT) is bounded. Comparators escaped as registry exports print them ("EDSS \\< 3.0") read as plain ones.

These tests check only the file's shape, its spread of window kinds and notations, and that it
neither repeats nor rewords a text of any other devset file. They deliberately do not run the
eligibility parser: an unseen split is scored once per round of rule changes, never tuned on.
The copy and rewording detectors are shared with round 4, whose own tests show they can fail.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.test_devset_unseen_r2 import read_edss_split
from tests.test_devset_unseen_r4_edss import copied_texts, normalised, plain_ranges_checked, reworded_texts

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVSET_DIR = REPO_ROOT / "tests" / "devset"
EDSS_R5 = DEVSET_DIR / "eligibility_edss_unseen_r5.jsonl"
# Whole criteria sections, not single rules: short enough to read, long enough to hold distractors.
SHORTEST_TEXT, LONGEST_TEXT = 400, 2500


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_edss_split(EDSS_R5)


def test_r5_is_a_well_formed_split_of_at_least_60_whole_sections(rows):
    # read_edss_split already rejects bad keys, non-step values, min above max and repeated texts.
    assert len(rows) >= 60
    assert len({normalised(row["criteria"]) for row in rows}) == len(rows)
    lengths = [len(row["criteria"]) for row in rows]
    assert SHORTEST_TEXT <= min(lengths) and max(lengths) <= LONGEST_TEXT
    # Each text is a whole section: it names its exclusions as well as its inclusions.
    assert all(re.search(r"exclu|non-inclusion|not be enrolled|cannot take part|not eligible", row["criteria"], re.I)
               for row in rows)


def test_r5_spreads_its_windows_over_every_kind(rows):
    windows = Counter((row["edss_min"] is not None, row["edss_max"] is not None) for row in rows)
    total = len(rows)
    # Roughly 15% absent, 15% only a maximum, 10% only a minimum, the rest closed on both sides.
    assert windows[(False, False)] >= 0.12 * total
    assert windows[(False, True)] >= 0.12 * total
    assert windows[(True, False)] >= 0.08 * total
    assert windows[(True, True)] >= 0.5 * total
    # Windows reach both ends of the range trials use, not only the common 3.0-6.5.
    assert any(row["edss_min"] == 0.0 for row in rows)
    assert any((row["edss_max"] or 0.0) >= 8.0 for row in rows)
    assert any((row["edss_min"] or 0.0) >= 7.0 for row in rows)


def test_r5_texts_without_a_window_still_mention_the_scale(rows):
    # An absent window must be a trap (EDSS named but not bounded), not simply a text without EDSS.
    absent = [row["criteria"] for row in rows if row["edss_min"] is None and row["edss_max"] is None]
    assert absent and all("EDSS" in text for text in absent)


def test_r5_labels_a_plain_inclusive_range_exactly_as_written(rows):
    assert plain_ranges_checked(rows) >= 5


def test_r5_steps_strict_bounds_by_half_a_point(rows):
    # "a < EDSS < b" and "EDSS > a and < b" are strict on both sides: the window is a + 0.5 to b - 0.5.
    strict_pair = re.compile(r"(\d+(?:[.,]\d)?) < EDSS < (\d+(?:[.,]\d)?)|EDSS score > (\d+(?:[.,]\d)?) and < (\d+(?:[.,]\d)?)")
    checked = 0
    for row in rows:
        match = strict_pair.search(row["criteria"])
        if match:
            low, high = (float(value.replace(",", ".")) for value in match.groups() if value)
            assert (row["edss_min"], row["edss_max"]) == (low + 0.5, high - 0.5), row["criteria"][:80]
            checked += 1
    assert checked >= 2


def test_r5_varies_its_notation_and_layout(rows):
    texts = [row["criteria"] for row in rows]
    assert any("≤" in text or "≥" in text for text in texts)
    assert any("<=" in text or ">=" in text for text in texts)
    assert any("–" in text for text in texts)
    assert sum(bool(re.search(r"\d,\d", text)) for text in texts) >= 4, "too few decimal-comma scores"
    assert any(re.search(r"EDSS\s*\[\d+\]", text) for text in texts), "no bracketed reference after the score name"
    assert any("Kurtzke" in text for text in texts)
    assert any(" | " in text for text in texts), "no table flattened to text"
    assert any("Key Inclusion Criteria: *" in text for text in texts), "no run-on bullet text"
    assert any("Criteria:- " in text for text in texts), "no list whose newlines were lost"
    assert any("•" in text for text in texts), "no round-bullet list"
    # ClinicalTrials.gov exports escape comparators with a backslash ("EDSS \\< 2.5").
    assert sum(bool(re.search(r"EDSS(?: score)? \\[<>]", text)) for text in texts) >= 3, "too few escaped comparators"
    assert any(re.search(r"\b(?:T25FW|9HPT|MSFC|MSSS)\b", text) for text in texts), "no neighbouring scale"
    line_counts = [len(text.splitlines()) for text in texts]
    assert min(line_counts) <= 3 and max(line_counts) >= 35


def test_r5_neither_repeats_nor_rewords_a_text_of_any_other_devset_file(rows):
    texts = {row["criteria"] for row in rows}
    others = [path for path in sorted(DEVSET_DIR.iterdir()) if path.is_file() and path != EDSS_R5]
    assert {"eligibility_edss_dev.jsonl", "eligibility_edss_unseen_r4.jsonl"} <= {path.name for path in others}
    for path in others:
        copied = copied_texts(texts, path)
        assert not copied, f"{path.name} already holds {sorted(copied)[:1]}"
        reworded = reworded_texts(texts, path)
        assert not reworded, f"{path.name} holds a near copy of {sorted(reworded)[:1]}"
