"""Format checks for the fourth round of the frozen "unseen" EDSS split (issue 10, section 1).

tests/devset/eligibility_edss_unseen_r4.jsonl holds 56 eligibility-criteria texts written for the
project by a writer who did not open the eligibility parser, its tests, its bench or the dev texts.
They are written in the style of real registry pages read beforehand through the search tool
(ClinicalTrials.gov mirrors, trial-finder pages, journal protocol tables, a reimbursement rule),
never pasted from them. Each row carries the EDSS window a careful clinician reads from the text:
inclusive bounds as written; strict bounds moved by one 0.5 step ("< 2.5" is 2.0, "> 3.0" is
3.5); an exclusion bound closes that side ("EDSS > 6.5" excluded is a maximum of 6.5, "EDSS below
3.0" excluded a minimum of 3.0); the union of subgroup windows; null on a side the text leaves
open, and on both sides when EDSS appears only in functional-system scores, outcome or
progression definitions, stratification, or when only another scale (MSSS) is bounded.

These tests check only the file's shape, its spread of window kinds and notations, and that it
neither repeats nor rewords a text of any other devset file. They deliberately do not run the
eligibility parser: the score on an unseen split is looked at once per round of rule changes,
never tuned on.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.test_devset_unseen_r2 import SplitError, read_edss_split

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVSET_DIR = REPO_ROOT / "tests" / "devset"
EDSS_R4 = DEVSET_DIR / "eligibility_edss_unseen_r4.jsonl"
# Above this share of word 4-grams in common, a text is a rewording of another, not a new text.
REWORDING_OVERLAP = 0.4


def normalised(text: str) -> str:
    """Whitespace and case folded, so a re-wrapped or re-indented copy still counts as the same text."""
    return " ".join(text.split()).casefold()


def word_grams(text: str, size: int = 4) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[index:index + size]) for index in range(len(words) - size + 1)}


def overlap(text: str, other: str) -> float:
    """Share of `text`'s word 4-grams that `other` also has (0 for texts too short to have any)."""
    grams = word_grams(text)
    return len(grams & word_grams(other)) / len(grams) if grams else 0.0


def texts_held_by(path: Path) -> list[str]:
    """The criteria values of a JSONL split, or the whole content of any other file."""
    content = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line)["criteria"] for line in content.splitlines() if line.strip()]
    return [content]


def copied_texts(texts: set[str], path: Path) -> set[str]:
    """Texts of ours that `path` holds, or that hold one of the criteria texts of a JSONL `path`."""
    held = [normalised(text) for text in texts_held_by(path)]
    copied = {text for text in texts if any(normalised(text) in other for other in held)}
    if path.suffix == ".jsonl":
        copied |= {text for text in texts if any(other in normalised(text) for other in held)}
    return copied


def reworded_texts(texts: set[str], path: Path) -> set[str]:
    """Texts of ours sharing more than REWORDING_OVERLAP of their 4-grams with one criteria text of a JSONL `path`."""
    if path.suffix != ".jsonl":
        return set()
    held = texts_held_by(path)
    return {text for text in texts if any(overlap(text, other) > REWORDING_OVERLAP for other in held)}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_edss_split(EDSS_R4)


def test_r4_is_a_well_formed_split_of_at_least_50_texts(rows):
    # read_edss_split already rejects bad keys, non-step values, min above max and repeated texts.
    assert len(rows) >= 50
    # Not even re-wrapped repeats inside the file.
    assert len({normalised(row["criteria"]) for row in rows}) == len(rows)


def test_r4_covers_closed_open_and_absent_windows(rows):
    windows = Counter((row["edss_min"] is not None, row["edss_max"] is not None) for row in rows)
    assert sum(count for (low, high), count in windows.items() if not (low and high)) >= 10
    assert windows[(True, True)] >= 25
    assert windows[(False, True)] >= 5 and windows[(True, False)] >= 3
    assert windows[(False, False)] >= 5
    # Windows reach both ends of the range trials use, not only the common 3.0-6.5.
    assert any(row["edss_min"] == 0.0 for row in rows)
    assert any((row["edss_max"] or 0.0) >= 8.0 for row in rows)
    assert any((row["edss_min"] or 0.0) >= 6.0 for row in rows)


PLAIN_RANGE = re.compile(r"EDSS (\d+(?:[.,]\d)?) ?(?:-|–|to) ?(\d+(?:[.,]\d)?)")


def plain_ranges_checked(rows: list[dict]) -> int:
    """Assert that each row written "EDSS a to b", with nothing else bounding EDSS, carries exactly
    a and b; return how many rows were checked. This catches a slip in hand labelling (for instance
    a strict-bound step applied to an inclusive range)."""
    checked = 0
    for row in rows:
        found = PLAIN_RANGE.findall(row["criteria"])
        if len(found) == 1 and row["criteria"].count("EDSS") == 1:
            low, high = (float(value.replace(",", ".")) for value in found[0])
            assert (row["edss_min"], row["edss_max"]) == (low, high), row["criteria"][:80]
            checked += 1
    return checked


def test_r4_never_labels_a_window_wider_than_a_plain_inclusive_range_in_its_text(rows):
    assert plain_ranges_checked(rows) >= 5


def test_r4_varies_its_notation_and_length(rows):
    texts = [row["criteria"] for row in rows]
    assert any("≤" in text or "≥" in text for text in texts)
    assert any("<=" in text or ">=" in text for text in texts)
    assert any("–" in text for text in texts)
    assert sum(bool(re.search(r"\d,\d", text)) for text in texts) >= 3, "too few decimal-comma scores"
    assert any(re.search(r"EDSS\s*\[\d+\]", text) for text in texts), "no bracketed reference after the score name"
    assert any("Kurtzke" in text for text in texts)
    assert any(" | " in text for text in texts), "no table flattened to text"
    assert any("Key Inclusion Criteria: *" in text for text in texts), "no run-on bullet text"
    line_counts = [len(text.splitlines()) for text in texts]
    assert min(line_counts) <= 3 and max(line_counts) >= 35


def test_r4_neither_repeats_nor_rewords_a_text_of_any_other_devset_file(rows):
    texts = {row["criteria"] for row in rows}
    others = [path for path in sorted(DEVSET_DIR.iterdir()) if path.is_file() and path != EDSS_R4]
    assert {"eligibility_edss_dev.jsonl", "eligibility_edss_unseen_r3.jsonl"} <= {path.name for path in others}
    for path in others:
        copied = copied_texts(texts, path)
        assert not copied, f"{path.name} already holds {sorted(copied)[:1]}"
        reworded = reworded_texts(texts, path)
        assert not reworded, f"{path.name} holds a near copy of {sorted(reworded)[:1]}"


# ---------------------------------------------------------------------------
# The checks themselves catch what they are meant to catch
# ---------------------------------------------------------------------------

TEXT = "Inclusion Criteria:\n\n* PPMS\n* EDSS 3.0 to 6.5 at screening\n* Age 18 to 65 years"


def test_copied_texts_finds_copies_either_way_and_rewrapped(tmp_path):
    split = tmp_path / "other.jsonl"
    longer = "Inclusion criteria:\n* PPMS\n*   EDSS 3.0 to 6.5 at screening\n* Age 18 to 65 years\n* No relapse"
    split.write_text(json.dumps({"criteria": longer, "edss_min": 3.0, "edss_max": 6.5}) + "\n", encoding="utf-8")
    assert copied_texts({TEXT, "EDSS 0 to 5.5"}, split) == {TEXT}
    # An earlier text pasted inside a longer text of ours counts too.
    split.write_text(json.dumps({"criteria": "EDSS 3.0 to 6.5", "edss_min": 3.0, "edss_max": 6.5}) + "\n", encoding="utf-8")
    assert copied_texts({TEXT}, split) == {TEXT}
    notes = tmp_path / "notes.txt"
    notes.write_text("Inclusion Criteria: SPMS, EDSS 2.0 to 6.5", encoding="utf-8")
    assert copied_texts({TEXT}, notes) == set()


def test_reworded_texts_finds_a_light_rewording_but_not_a_new_text(tmp_path):
    split = tmp_path / "other.jsonl"
    reworded = "Inclusion Criteria:\n- PPMS\n- EDSS 3.0 to 6.5 at the screening visit\n- Age 18 to 65 years"
    split.write_text(json.dumps({"criteria": reworded, "edss_min": 3.0, "edss_max": 6.5}) + "\n", encoding="utf-8")
    assert overlap(TEXT, reworded) > REWORDING_OVERLAP
    assert reworded_texts({TEXT}, split) == {TEXT}
    fresh = "Eligibility: adults with relapsing MS whose disability score is no more than 5.5"
    assert reworded_texts({fresh}, split) == set()
    assert reworded_texts({TEXT}, tmp_path / "notes.txt") == set()


def test_the_reader_rejects_an_unstepped_strict_bound_and_a_reversed_window(tmp_path):
    path = tmp_path / "split.jsonl"
    path.write_text('{"criteria": "EDSS < 2.5", "edss_min": null, "edss_max": 2.25}\n', encoding="utf-8")
    with pytest.raises(SplitError, match="EDSS step"):
        read_edss_split(path)
    path.write_text('{"criteria": "EDSS 6 to 7", "edss_min": 7.0, "edss_max": 6.0}\n', encoding="utf-8")
    with pytest.raises(SplitError, match="above"):
        read_edss_split(path)
