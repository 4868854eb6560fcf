"""The theme table's citations and the numbers in the highlighted criteria are the same set."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstrials.explore import trial_detail
from mstrials.labels.eligibility import extract_eligibility


def numbers_in_text(text: str, spans) -> set[int]:
    return {segment.mark for segment in trial_detail.highlight_segments(text, spans) if segment.mark is not None}


def cited(table) -> set[int]:
    return {int(n) for cell in table["Source"] for n in re.findall(r"\[(\d+)\]", cell)}


@given(st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=8), st.integers(0, 50))
def test_every_source_cites_a_highlight_that_is_shown(spans, length):
    text = "x" * length
    merged, numbers = trial_detail.merged_highlights(spans, length)
    shown = numbers_in_text(text, spans)
    assert shown == set(range(1, len(merged) + 1))
    assert {n for n in numbers if n is not None} == shown
    for (start, end), number in zip(spans, numbers):
        if number is not None:
            low, high = merged[number - 1]
            assert low <= max(0, start) and min(length, end) <= high


def test_overlapping_sources_cite_the_same_highlight():
    merged, numbers = trial_detail.merged_highlights([(10, 20), (0, 5), (15, 30), (40, 45)], 50)
    assert merged == [(0, 5), (10, 30), (40, 45)]
    assert numbers == [2, 1, 2, 3]


@pytest.mark.parametrize("raw, shown", [
    (r"6\. Age 18\-65", "6. Age 18-65"),
    (r"EDSS \< 6\.5 and \>= 3", "EDSS < 6.5 and >= 3"),
    (r"\* bullet with \[ref\]", "* bullet with [ref]"),
    ("a plain backslash \\ stays", "a plain backslash \\ stays"),
])
def test_registry_escapes_are_removed_for_reading(raw, shown):
    assert trial_detail.registry_unescape(raw) == shown


@pytest.mark.parametrize("nct_id", ["NCT03569618", "NCT06113666", "NCT06136923"])
def test_real_records_cite_only_numbers_the_text_shows(ctgov_dir, nct_id):
    study = json.loads((ctgov_dir / "studies" / f"{nct_id}.json").read_text())
    criteria = trial_detail.criteria_text(study)
    themes = extract_eligibility(study)
    spans = [(source.start, source.end) for source in themes.sources]
    _, numbers = trial_detail.merged_highlights(spans, len(criteria))
    table = trial_detail.eligibility_table(themes, numbers)
    assert cited(table) == numbers_in_text(criteria, spans)
