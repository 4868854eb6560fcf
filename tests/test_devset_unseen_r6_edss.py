"""Format checks for the sixth round of the frozen "unseen" EDSS split.

tests/devset/eligibility_edss_unseen_r6.jsonl holds 60 eligibility-criteria texts written for the
project by a writer who did not open the eligibility parser, its tests, its bench or the dev texts.
Their style follows real registry pages read beforehand through the search tool (only trials whose
NCT id ends in an odd digit, or pages without one), and none of them was pasted. Each row carries
the EDSS window a careful clinician reads from the text, with the same reading as rounds 4 and 5:
inclusive bounds as written; strict bounds moved by one 0.5 step ("< 6" is 5.5, "> 3.5" is 4.0);
an exclusion bound closes that side ("EDSS > 6" under non-inclusion is a maximum of 6.0, "EDSS
lower than 2.0 are not eligible" a minimum of 2.0); an inclusion range narrowed by an exclusion
line keeps only what both allow; the union of the windows of cohorts or MS courses; null on a side
the text leaves open, and on both sides when EDSS appears only in functional-system scores,
progression definitions, stratification, data collection or visit schedules, or when only another
scale (T25FW, 9HPT, MSSS, MSWS-12) is bounded. Escaped comparators ("EDSS \\> 5.5") read as plain ones.

These tests check only the file's shape, its spread of window kinds and notations, and that it
neither repeats nor rewords a text of any other devset file. They do not run the eligibility
parser: an unseen split is scored once per round of rule changes, never tuned on.
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
EDSS_R6 = DEVSET_DIR / "eligibility_edss_unseen_r6.jsonl"
SHORTEST_TEXT, LONGEST_TEXT = 400, 2500
NUMBER = r"(\d+(?:[.,]\d)?)"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_edss_split(EDSS_R6)


def test_r6_is_a_well_formed_split_of_60_whole_sections(rows):
    # read_edss_split already rejects bad keys, non-step values, min above max and repeated texts.
    assert len(rows) == 60
    assert len({normalised(row["criteria"]) for row in rows}) == len(rows)
    lengths = [len(row["criteria"]) for row in rows]
    assert SHORTEST_TEXT <= min(lengths) and max(lengths) <= LONGEST_TEXT
    assert all(re.search(r"exclu|non-inclusion|not eligible", row["criteria"], re.I) for row in rows)


def test_r6_spreads_its_windows_over_every_kind(rows):
    windows = Counter((row["edss_min"] is not None, row["edss_max"] is not None) for row in rows)
    total = len(rows)
    assert windows[(False, False)] >= 0.15 * total
    assert windows[(False, True)] >= 0.15 * total
    assert windows[(True, False)] >= 0.08 * total
    assert windows[(True, True)] >= 0.5 * total
    assert any(row["edss_min"] == 0.0 for row in rows)
    assert any((row["edss_max"] or 0.0) >= 8.0 for row in rows)
    assert any((row["edss_min"] or 0.0) >= 7.0 for row in rows)


def test_r6_texts_without_a_window_still_mention_the_scale(rows):
    absent = [row["criteria"] for row in rows if row["edss_min"] is None and row["edss_max"] is None]
    assert absent and all("EDSS" in text for text in absent)


def test_r6_labels_a_plain_inclusive_range_exactly_as_written(rows):
    assert plain_ranges_checked(rows) >= 5


def test_r6_steps_strict_bounds_by_half_a_point(rows):
    strict_pair = re.compile(rf"{NUMBER} < EDSS < {NUMBER}|EDSS score > {NUMBER} and < {NUMBER}")
    checked = 0
    for row in rows:
        match = strict_pair.search(row["criteria"])
        if match:
            low, high = (float(value.replace(",", ".")) for value in match.groups() if value)
            assert (row["edss_min"], row["edss_max"]) == (low + 0.5, high - 0.5), row["criteria"][:80]
            checked += 1
    assert checked >= 2


def test_r6_reads_a_lone_exclusion_bound_as_closing_that_side(rows):
    # "Exclusion: EDSS greater than 6.5" alone in a text is a maximum of 6.5 and no minimum
    # (the same line under the inclusions, "EDSS > 3.5", would be a minimum instead).
    excluded_above = re.compile(rf"^\W*EDSS (?:greater than|\\?>) {NUMBER}\s*$", re.M)
    exclusion_heading = re.compile(r"(?:exclusion|non-inclusion) criteria", re.I)
    checked = 0
    for row in rows:
        text = row["criteria"]
        heading = exclusion_heading.search(text)
        found = excluded_above.findall(text[heading.end():]) if heading else []
        if len(found) == 1 and text.count("EDSS") == 1:
            assert (row["edss_min"], row["edss_max"]) == (None, float(found[0].replace(",", "."))), row["criteria"][:80]
            checked += 1
    assert checked >= 2


def test_r6_varies_its_notation_and_layout(rows):
    texts = [row["criteria"] for row in rows]
    assert any("≤" in text or "≥" in text for text in texts)
    assert any("<=" in text or ">=" in text for text in texts)
    assert sum("–" in text for text in texts) >= 5, "too few en-dash ranges"
    assert sum(bool(re.search(r"\d,\d", text)) for text in texts) >= 4, "too few decimal-comma numbers"
    assert any(re.search(r"EDSS\s*\[\d+\]", text) for text in texts), "no bracketed reference after the score name"
    assert any("Kurtzke" in text for text in texts)
    assert any(" | " in text for text in texts), "no table flattened to text"
    assert any("Key Inclusion Criteria: *" in text for text in texts), "no run-on bullet text"
    assert any("Criteria:- " in text for text in texts), "no list whose newlines were lost"
    assert any("•" in text for text in texts), "no round-bullet list"
    assert any("E.3 Principal inclusion criteria" in text for text in texts), "no EU register layout"
    assert any(re.search(r"up to \d|at least \d+(?:\.\d)? and no more than", text) for text in texts)
    assert sum(bool(re.search(r"EDSS(?: score)? \\[<>]", text)) for text in texts) >= 3, "too few escaped comparators"
    assert sum(bool(re.search(r"Cohort [AB]|Relapsing-remitting MS: EDSS", text)) for text in texts) >= 2, "no sub-bands"
    assert any(re.search(r"\b(?:T25FW|9HPT|MSFC|MSSS|Timed 25-Foot Walk)\b", text) for text in texts)
    line_counts = [len(text.splitlines()) for text in texts]
    assert min(line_counts) <= 3 and max(line_counts) >= 35


def test_r6_neither_repeats_nor_rewords_a_text_of_any_other_devset_file(rows):
    texts = {row["criteria"] for row in rows}
    others = [path for path in sorted(DEVSET_DIR.iterdir()) if path.is_file() and path != EDSS_R6]
    assert {"eligibility_edss_dev.jsonl", "eligibility_edss_unseen_r5.jsonl"} <= {path.name for path in others}
    for path in others:
        copied = copied_texts(texts, path)
        assert not copied, f"{path.name} already holds {sorted(copied)[:1]}"
        reworded = reworded_texts(texts, path)
        assert not reworded, f"{path.name} holds a near copy of {sorted(reworded)[:1]}"
