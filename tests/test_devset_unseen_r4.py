"""Format checks for the fourth round's frozen "unseen" mechanism split.

tests/devset/mechanism_unseen_r4.csv holds 160 corpus trials labelled by reading each record
against the label contract (../shared/docs/mechanisms.md), never by running or reading the
classifier or its curated data. Partition rule: only trials whose NCT number ends in an odd digit
and that no earlier tests/devset file names (every file present when r4 was frozen). Half of the
rows are a seeded random sample of that pool, random.Random(20261202).sample(sorted(pool), 80);
the other half were picked from the rest of the pool by searching record text for hard kinds
(rare neuroprotection and repair drugs, cell therapies, code-named products, comparator and
background DMTs, co-interventions, devices and neuromodulation, non-MS studies). The pool held
almost no rare-key trials, so most hard picks are code-named or comparator-arm DMT trials.

These tests check only the file's shape and its independence from the other splits. They
deliberately do not run the classifier or the bench loader: the score on an unseen split is
looked at once per round of rule changes, never tuned on.
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
MECHANISM_R4 = DEVSET_DIR / "mechanism_unseen_r4.csv"
# The files that named trials when r4 was frozen: the pool is the odd-digit corpus trials none of them names.
FILES_BEFORE_R4 = tuple(DEVSET_DIR / name for name in (
    "corpus_non_ms.txt", "eligibility_edss_dev.jsonl", "eligibility_edss_unseen.jsonl",
    "eligibility_edss_unseen_r2.jsonl", "eligibility_edss_unseen_r3.jsonl", "eligibility_edss_unseen_r4.jsonl",
    "mechanism_devset.csv", "mechanism_unseen.csv", "mechanism_unseen_r2.csv", "mechanism_unseen_r3.csv"))
CONTRACT_FILE = SHARED_DIR / "docs" / "mechanisms.md"
CONTRACT_KEY_ROW = re.compile(r"^\| (\w+) \|", re.MULTILINE)
RANDOM_SEED = 20261202
RANDOM_DRAW = 80
# The split format and the pool rule are round 3's: one reader, tested there.
from test_devset_unseen_r3 import COLUMNS, corpus_ids, ids_named_in, partition_pool, read_mechanism_split  # noqa: E402,F401


def vocabulary_keys() -> set[str]:
    """The mechanism keys of the label contract: the first column of its key table."""
    text = require_shared(CONTRACT_FILE).read_text(encoding="utf-8")
    return set(CONTRACT_KEY_ROW.findall(text)) - {"key"}


# ---------------------------------------------------------------------------
# The file itself
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mechanism_rows() -> list[dict]:
    return read_mechanism_split(MECHANISM_R4, vocabulary_keys())


def test_mechanism_r4_is_large_and_varied(mechanism_rows):
    assert len(mechanism_rows) == 2 * RANDOM_DRAW
    support = Counter(key for row in mechanism_rows for key in row["mechanisms"].split("|"))
    assert all(support[key] >= 10 for key in ("anti_inflammatory", "non_drug", "other"))
    assert support["b_cell"] >= 1
    assert sum(row["progressive"] == "true" for row in mechanism_rows) >= 5


def test_mechanism_r4_holds_the_seeded_draw_and_as_many_hard_picks(mechanism_rows, corpus_file: Path):
    excluded = set().union(*(ids_named_in(path) for path in FILES_BEFORE_R4))
    pool = partition_pool(corpus_ids(corpus_file), excluded)
    r4_ids = {row["nct_id"] for row in mechanism_rows}
    drawn = set(random.Random(RANDOM_SEED).sample(sorted(pool), RANDOM_DRAW))
    assert not drawn - r4_ids, (
        "the seeded draw is not all in the split; if an earlier devset file changed, the pool did too: "
        f"{sorted(drawn - r4_ids)[:5]}")
    assert len(r4_ids - drawn) == RANDOM_DRAW
    assert r4_ids <= pool


def test_mechanism_r4_reads_with_the_bench_loader_and_is_scored_by_default(mechanism_rows):
    # Added by the lead, not the labeller (who never imported the scoring code): the bench must
    # read every row as written, and score this split with the earlier ones by default.
    from mstrials.tooling.devset_scoring import UNSEEN_PATHS, load_devset

    labels = load_devset(MECHANISM_R4)
    assert [label.nct_id for label in labels] == [row["nct_id"] for row in mechanism_rows]
    assert [sorted(label.mechanisms) for label in labels] == [sorted(row["mechanisms"].split("|")) for row in mechanism_rows]
    assert [label.progressive for label in labels] == [row["progressive"] == "true" for row in mechanism_rows]
    assert MECHANISM_R4.resolve() in {path.resolve() for path in UNSEEN_PATHS}


def test_mechanism_r4_shares_no_trial_with_any_other_devset_file(mechanism_rows):
    r4_ids = {row["nct_id"] for row in mechanism_rows}
    for path in sorted(DEVSET_DIR.iterdir()):
        if path != MECHANISM_R4 and path.is_file():
            assert not r4_ids & ids_named_in(path), f"{path.name} already names {sorted(r4_ids & ids_named_in(path))[:5]}"
    # The earlier mechanism splits, read as splits, are disjoint too (not just as text).
    for path in FILES_BEFORE_R4:
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as handle:
                assert not r4_ids & {row["nct_id"] for row in csv.DictReader(handle)}


def test_mechanism_r4_trials_are_in_the_corpus(mechanism_rows, corpus_file: Path):
    missing = sorted({row["nct_id"] for row in mechanism_rows} - corpus_ids(corpus_file))
    assert not missing, f"not in the corpus: {missing[:5]}"


def test_vocabulary_keys_come_from_the_contract():
    keys = vocabulary_keys()
    assert {"b_cell", "microglia", "cell_therapy", "symptomatic", "non_drug", "other"} <= keys
    assert len(keys) == 13
