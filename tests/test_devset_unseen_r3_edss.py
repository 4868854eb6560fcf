"""Format checks for the third round of the frozen "unseen" EDSS split (issue 10, section 1).

tests/devset/eligibility_edss_unseen_r3.jsonl holds 45 eligibility-criteria texts written for the
project, by a writer who did not look at the eligibility parser, its tests or the dev texts, in the
style of real registry pages (ClinicalTrials.gov mirrors, EU CTR, journal protocol tables) read
beforehand. Each row carries the EDSS window a careful clinician reads from the text:
inclusive bounds as written; strict bounds moved by one 0.5 step ("< 6.0" is 5.5, "> 2.0" is
2.5); an exclusion bound closes that side ("EDSS > 6.5" excluded is a maximum of 6.5); the union
of subgroup windows; null on a side the text leaves open, and on both sides when EDSS appears only
in progression definitions, outcomes, stratification or disease-duration band rules.

These tests check only the file's shape, its spread of window kinds and notations, and that it
shares no text with any other devset file. They deliberately do not run the eligibility parser:
the score on an unseen split is looked at once per round of rule changes, never tuned on.
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
EDSS_R3 = DEVSET_DIR / "eligibility_edss_unseen_r3.jsonl"


def normalised(text: str) -> str:
    """Whitespace and case folded, so a text re-wrapped or re-indented still counts as the same text."""
    return " ".join(text.split()).casefold()


def shared_texts(texts: set[str], path: Path) -> set[str]:
    """The texts that `path` already holds: inside a criteria value of a JSONL split, or anywhere in another file."""
    content = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        held = [normalised(json.loads(line)["criteria"]) for line in content.splitlines() if line.strip()]
    else:
        held = [normalised(content)]
    return {text for text in texts if any(normalised(text) in other for other in held)}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_edss_split(EDSS_R3)


def test_r3_is_a_well_formed_split_of_at_least_40_texts(rows):
    # read_edss_split already rejects bad keys, non-step values, min above max and repeated texts.
    assert len(rows) >= 40


def test_r3_covers_closed_open_and_absent_windows(rows):
    windows = Counter((row["edss_min"] is not None, row["edss_max"] is not None) for row in rows)
    assert sum(count for (low, high), count in windows.items() if not (low and high)) >= 8
    assert windows[(True, True)] >= 20
    assert windows[(False, True)] >= 3 and windows[(True, False)] >= 2
    assert windows[(False, False)] >= 3
    # Windows reach both ends of the scale the trials use, not only the common 3.0-6.5.
    assert any(row["edss_min"] == 0.0 for row in rows)
    assert any((row["edss_max"] or 0.0) >= 8.0 for row in rows)


def test_r3_varies_its_notation_and_length(rows):
    texts = [row["criteria"] for row in rows]
    assert any("≤" in text or "≥" in text for text in texts)
    assert any("<=" in text or ">=" in text for text in texts)
    assert any(re.search(r"EDSS[^\n]{0,20}\d,\d", text) for text in texts), "no decimal-comma score"
    assert any(re.search(r"EDSS\s*\[\d+\]", text) for text in texts), "no bracketed reference after the score name"
    line_counts = [len(text.splitlines()) for text in texts]
    assert min(line_counts) <= 3 and max(line_counts) >= 25


def test_r3_shares_no_text_with_any_other_devset_file(rows):
    texts = {row["criteria"] for row in rows}
    others = [path for path in sorted(DEVSET_DIR.iterdir()) if path.is_file() and path != EDSS_R3]
    assert any(path.name == "eligibility_edss_dev.jsonl" for path in others)
    for path in others:
        shared = shared_texts(texts, path)
        assert not shared, f"{path.name} already holds {sorted(shared)[:1]}"


# ---------------------------------------------------------------------------
# The checks themselves catch what they are meant to catch
# ---------------------------------------------------------------------------

TEXT = "Inclusion Criteria:\n\n* SPMS\n* EDSS 3.0 to 6.5 at screening"


def test_shared_texts_finds_a_copy_even_when_rewrapped(tmp_path):
    split = tmp_path / "other.jsonl"
    rewrapped = "Inclusion criteria:\n* SPMS\n*   EDSS 3.0 to 6.5 at screening\n* Age 18-60"
    split.write_text(json.dumps({"criteria": rewrapped, "edss_min": 3.0, "edss_max": 6.5}) + "\n", encoding="utf-8")
    assert shared_texts({TEXT, "EDSS 0 to 5.5"}, split) == {TEXT}
    notes = tmp_path / "notes.txt"
    notes.write_text("copied here: " + TEXT.replace("\n\n", "\n"), encoding="utf-8")
    assert shared_texts({TEXT}, notes) == {TEXT}
    notes.write_text("Inclusion Criteria: PPMS, EDSS 2.0 to 6.5", encoding="utf-8")
    assert shared_texts({TEXT}, notes) == set()


def test_the_reader_rejects_a_strict_bound_left_unstepped(tmp_path):
    # "EDSS < 6.0" must be written as 5.5; a 5.75 or a string slips past a careless label.
    path = tmp_path / "split.jsonl"
    path.write_text('{"criteria": "EDSS < 6.0", "edss_min": null, "edss_max": 5.75}\n', encoding="utf-8")
    with pytest.raises(SplitError, match="EDSS step"):
        read_edss_split(path)
