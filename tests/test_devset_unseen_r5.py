"""Format checks for the fifth corpus round's frozen "unseen" mechanism split.

tests/devset/mechanism_unseen_r5.csv holds 170 corpus trials labelled by reading each record
(titles, conditions, keywords, interventions and their types, primary outcomes, study type) against
the label contract (../shared/docs/mechanisms.md), never by running or reading the classifier or
its curated data. Partition rule: trials whose NCT number ends in an odd digit and that neither a
mechanism split (mechanism_*.csv) nor corpus_non_ms.txt named when r5 was frozen; that pool held 310
trials. The split is a seeded random draw from it, random.Random(20261204).sample(sorted(pool), 170),
and nothing else: no hard picks. None of the drawn studies was a non-MS study (every one names MS
among its conditions or in its title), so corpus_non_ms.txt did not change.

What is left in the corpus after four rounds is almost all rehabilitation, behavioural, device and
observational studies, so the split is dominated by non_drug and other; it mostly checks that the
classifier does not invent drug keys for them, and reads the few observational DMT studies right.
Rows whose reading is genuinely open say "(ambiguous: ...)" in `why`.

These tests check only the file's shape and its independence from the other splits. They
deliberately do not run the classifier or the benches: the score on an unseen split is looked at
once per round of rule changes, never tuned on.
"""
from __future__ import annotations

import csv
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import SHARED_DIR, require_shared

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVSET_DIR = REPO_ROOT / "tests" / "devset"
MECHANISM_R5 = DEVSET_DIR / "mechanism_unseen_r5.csv"
# The files whose trials were out of the pool when r5 was frozen (the brief's rule: every mechanism
# split and the non-MS list). The EDSS texts named no odd-digit corpus trial outside these.
FILES_BEFORE_R5 = tuple(DEVSET_DIR / name for name in (
    "corpus_non_ms.txt", "mechanism_devset.csv", "mechanism_unseen.csv", "mechanism_unseen_ctis.csv",
    "mechanism_unseen_r2.csv", "mechanism_unseen_r3.csv", "mechanism_unseen_r4.csv"))
CONTRACT_FILE = SHARED_DIR / "docs" / "mechanisms.md"
CONTRACT_KEY_ROW = re.compile(r"^\| (\w+) \|", re.MULTILINE)
RANDOM_SEED = 20261204
RANDOM_DRAW = 170
POOL_SIZE = 310
AMBIGUOUS_NOTE = re.compile(r"\(ambiguous: [^()]+\)")
# The split format and the pool rule are round 3's: one reader, tested there.
from test_devset_unseen_r3 import corpus_ids, ids_named_in, partition_pool, read_mechanism_split  # noqa: E402


def vocabulary_keys() -> set[str]:
    """The mechanism keys of the label contract: the first column of its key table."""
    text = require_shared(CONTRACT_FILE).read_text(encoding="utf-8")
    return set(CONTRACT_KEY_ROW.findall(text)) - {"key"}


@pytest.fixture(scope="module")
def mechanism_rows() -> list[dict]:
    return read_mechanism_split(MECHANISM_R5, vocabulary_keys())


@pytest.fixture(scope="module")
def pool(corpus_file: Path) -> set[str]:
    excluded = set().union(*(ids_named_in(path) for path in FILES_BEFORE_R5))
    return partition_pool(corpus_ids(corpus_file), excluded)


# ---------------------------------------------------------------------------
# The file itself
# ---------------------------------------------------------------------------


def test_mechanism_r5_has_the_draw_size_and_the_expected_mix(mechanism_rows):
    assert len(mechanism_rows) == RANDOM_DRAW
    support = Counter(key for row in mechanism_rows for key in row["mechanisms"].split("|"))
    assert all(support[key] >= 10 for key in ("non_drug", "other"))
    assert support["anti_inflammatory"] >= 1
    assert sum(row["progressive"] == "true" for row in mechanism_rows) >= 3
    assert sum(row["progressive"] == "false" for row in mechanism_rows) >= 100


def test_mechanism_r5_is_exactly_the_seeded_draw_from_the_pool(mechanism_rows, pool):
    assert len(pool) == POOL_SIZE, (
        f"the pool has {len(pool)} trials, not {POOL_SIZE}: an earlier devset file changed since r5 was frozen")
    drawn = set(random.Random(RANDOM_SEED).sample(sorted(pool), RANDOM_DRAW))
    r5_ids = {row["nct_id"] for row in mechanism_rows}
    assert r5_ids == drawn, f"missing {sorted(drawn - r5_ids)[:5]}, extra {sorted(r5_ids - drawn)[:5]}"


def test_mechanism_r5_ambiguity_notes_are_well_formed(mechanism_rows):
    # A row that flags its reading as open says why, in one parenthesis, so the flags can be counted.
    for row in mechanism_rows:
        if "ambiguous" in row["why"]:
            assert AMBIGUOUS_NOTE.search(row["why"]), row["nct_id"]


def test_mechanism_r5_is_registered_as_a_corpus_unseen_split(mechanism_rows):
    from mstrials.tooling.devset_scoring import CORPUS_UNSEEN_PATHS, UNSEEN_PATHS, UNSEEN_R5_PATH, load_devset

    assert UNSEEN_R5_PATH.resolve() == MECHANISM_R5.resolve()
    assert MECHANISM_R5.resolve() in {path.resolve() for path in UNSEEN_PATHS}
    assert MECHANISM_R5.resolve() in {path.resolve() for path in CORPUS_UNSEEN_PATHS}
    # The bench loader reads every row as written (it only reads; nothing is classified here).
    labels = load_devset(MECHANISM_R5)
    assert [label.nct_id for label in labels] == [row["nct_id"] for row in mechanism_rows]
    assert [sorted(label.mechanisms) for label in labels] == [sorted(row["mechanisms"].split("|")) for row in mechanism_rows]
    assert [label.progressive for label in labels] == [row["progressive"] == "true" for row in mechanism_rows]


def test_mechanism_r5_shares_no_trial_with_any_other_devset_file(mechanism_rows):
    r5_ids = {row["nct_id"] for row in mechanism_rows}
    for path in sorted(DEVSET_DIR.iterdir()):
        if path != MECHANISM_R5 and path.is_file():
            assert not r5_ids & ids_named_in(path), f"{path.name} already names {sorted(r5_ids & ids_named_in(path))[:5]}"
    # The earlier mechanism splits, read as splits, are disjoint too (not just as text).
    for path in FILES_BEFORE_R5:
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as handle:
                assert not r5_ids & {row["nct_id"] for row in csv.DictReader(handle)}


def test_mechanism_r5_trials_are_in_the_corpus(mechanism_rows, corpus_file: Path):
    missing = sorted({row["nct_id"] for row in mechanism_rows} - corpus_ids(corpus_file))
    assert not missing, f"not in the corpus: {missing[:5]}"

