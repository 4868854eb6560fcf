"""Format checks for the third round's frozen "unseen" mechanism split (issue 10, section 1).

tests/devset/mechanism_unseen_r3.csv holds 220 corpus trials labelled by reading each record
against the label contract (../shared/docs/mechanisms.md), never by running or reading the
classifier. Partition rule: only trials whose NCT number ends in an odd digit and that no
earlier tests/devset file names (corpus_non_ms.txt, mechanism_devset.csv, mechanism_unseen.csv,
mechanism_unseen_r2.csv). Half of the rows are a seeded random sample of that pool,
random.Random(20261203).sample(sorted(pool), 110); the other half were picked from the rest of
the pool by searching record text for hard kinds (comparator and background DMTs, add-on
designs, co-interventions such as scans, vaccines and assessments, symptomatic and side-effect
drugs, devices and neuromodulation, withdrawal strategies, imaging agents, non-MS studies).

These tests check only the file's shape and its independence from the other splits. They
deliberately do not run the classifier or the bench loader: the score on an unseen split is
looked at once per round of rule changes, never tuned on.
"""
from __future__ import annotations

import csv
import gzip
import json
import random
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVSET_DIR = REPO_ROOT / "tests" / "devset"
MECHANISM_R3 = DEVSET_DIR / "mechanism_unseen_r3.csv"
# The files that named trials when r3 was frozen: the pool is the odd-digit corpus trials none of them names.
FILES_BEFORE_R3 = tuple(DEVSET_DIR / name for name in (
    "corpus_non_ms.txt", "mechanism_devset.csv", "mechanism_unseen.csv", "mechanism_unseen_r2.csv"))
RANDOM_SEED = 20261203
RANDOM_DRAW = 110
COLUMNS = ["nct_id", "mechanisms", "progressive", "why"]
NCT_ID = re.compile(r"NCT\d{8}")


class SplitError(ValueError):
    """A split file breaks its format."""


def vocabulary_keys() -> set[str]:
    """The mechanism keys of the curated vocabulary, read from data/ (not from the classifier)."""
    with open(REPO_ROOT / "data" / "mechanisms.toml", "rb") as handle:
        return set(tomllib.load(handle)["mechanisms"])


def read_mechanism_split(path: Path, keys: set[str]) -> list[dict]:
    """Rows of a mechanism split, or SplitError naming the first bad line."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise SplitError(f"columns must be {COLUMNS}, found {reader.fieldnames}")
        rows, seen, previous = [], set(), ""
        for line, row in enumerate(reader, start=2):
            nct_id = row["nct_id"] or ""
            labels = (row["mechanisms"] or "").split("|")
            if not NCT_ID.fullmatch(nct_id):
                raise SplitError(f"line {line}: bad nct_id {nct_id!r}")
            if int(nct_id[-1]) % 2 == 0:
                raise SplitError(f"line {line}: {nct_id} ends in an even digit (unseen partitions take odd ones)")
            if nct_id in seen:
                raise SplitError(f"line {line}: {nct_id} is labelled twice")
            if nct_id < previous:
                raise SplitError(f"line {line}: {nct_id} is out of order (rows are sorted by nct_id)")
            if not all(labels) or set(labels) - keys or len(set(labels)) != len(labels):
                raise SplitError(f"line {line}: mechanisms {row['mechanisms']!r} are not distinct vocabulary keys joined by '|'")
            if row["progressive"] not in ("true", "false"):
                raise SplitError(f"line {line}: progressive must be true or false, not {row['progressive']!r}")
            if not (row["why"] or "").strip():
                raise SplitError(f"line {line}: the why column is empty")
            seen.add(nct_id)
            previous = nct_id
            rows.append(row)
    return rows


def ids_named_in(path: Path) -> set[str]:
    return set(NCT_ID.findall(path.read_text(encoding="utf-8")))


def corpus_ids(corpus_file: Path) -> set[str]:
    with gzip.open(corpus_file, "rt", encoding="utf-8") as lines:
        return {json.loads(line)["protocolSection"]["identificationModule"]["nctId"] for line in lines}


def partition_pool(all_ids: set[str], excluded: set[str]) -> set[str]:
    """The r3 pool: odd final digit, not named by any earlier devset file."""
    return {nct_id for nct_id in all_ids if int(nct_id[-1]) % 2 == 1 and nct_id not in excluded}


# ---------------------------------------------------------------------------
# The file itself
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mechanism_rows() -> list[dict]:
    return read_mechanism_split(MECHANISM_R3, vocabulary_keys())


def test_mechanism_r3_is_large_and_varied(mechanism_rows):
    assert len(mechanism_rows) == 2 * RANDOM_DRAW
    support = Counter(key for row in mechanism_rows for key in row["mechanisms"].split("|"))
    assert all(support[key] >= 10 for key in ("anti_inflammatory", "non_drug", "other"))
    assert support["symptomatic"] >= 5
    assert sum(row["progressive"] == "true" for row in mechanism_rows) >= 10


def test_mechanism_r3_holds_the_seeded_draw_and_as_many_hard_picks(mechanism_rows, corpus_file: Path):
    excluded = set().union(*(ids_named_in(path) for path in FILES_BEFORE_R3))
    pool = partition_pool(corpus_ids(corpus_file), excluded)
    r3_ids = {row["nct_id"] for row in mechanism_rows}
    drawn = set(random.Random(RANDOM_SEED).sample(sorted(pool), RANDOM_DRAW))
    assert not drawn - r3_ids, (
        "the seeded draw is not all in the split; if an earlier devset file changed, the pool did too: "
        f"{sorted(drawn - r3_ids)[:5]}")
    assert len(r3_ids - drawn) == RANDOM_DRAW
    assert r3_ids <= pool


def test_mechanism_r3_reads_with_the_bench_loader_and_is_scored_by_default(mechanism_rows):
    # Added by the lead, not the labeller (who never imported the scoring code): the bench must
    # read every row as written, and score this split by default. Scored as unseen in rule rounds
    # 4-7, it was retired into dev on 2026-12-02 (the oldest frozen split then), so it is now
    # scored with the dev files and never as unseen.
    from mstrials.tooling.devset_scoring import DEV_PATHS, RETIRED_UNSEEN_PATHS, UNSEEN_PATHS, load_devset

    labels = load_devset(MECHANISM_R3)
    assert [label.nct_id for label in labels] == [row["nct_id"] for row in mechanism_rows]
    assert [sorted(label.mechanisms) for label in labels] == [sorted(row["mechanisms"].split("|")) for row in mechanism_rows]
    assert [label.progressive for label in labels] == [row["progressive"] == "true" for row in mechanism_rows]
    assert MECHANISM_R3.resolve() in {path.resolve() for path in RETIRED_UNSEEN_PATHS}
    assert MECHANISM_R3.resolve() in {path.resolve() for path in DEV_PATHS}
    assert MECHANISM_R3.resolve() not in {path.resolve() for path in UNSEEN_PATHS}


def test_mechanism_r3_shares_no_trial_with_any_other_devset_file(mechanism_rows):
    r3_ids = {row["nct_id"] for row in mechanism_rows}
    for path in sorted(DEVSET_DIR.iterdir()):
        if path != MECHANISM_R3 and path.is_file():
            assert not r3_ids & ids_named_in(path), f"{path.name} already names {sorted(r3_ids & ids_named_in(path))[:5]}"
    # The earlier mechanism splits, read as splits, are disjoint too (not just as text).
    for path in FILES_BEFORE_R3:
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as handle:
                assert not r3_ids & {row["nct_id"] for row in csv.DictReader(handle)}


def test_mechanism_r3_trials_are_in_the_corpus(mechanism_rows, corpus_file: Path):
    missing = sorted({row["nct_id"] for row in mechanism_rows} - corpus_ids(corpus_file))
    assert not missing, f"not in the corpus: {missing[:5]}"


# ---------------------------------------------------------------------------
# The checks themselves catch what they are meant to catch
# ---------------------------------------------------------------------------

GOOD_ROW = "NCT01234567,b_cell|microglia,false,BTK inhibitor"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["NCT01234567,b_cel,false,typo"], "vocabulary keys"),
        (["NCT01234567,b_cell|,false,dangling bar"], "vocabulary keys"),
        (["NCT01234567,other|other,false,repeated key"], "vocabulary keys"),
        (["NCT01234567,b_cell,True,capitalised flag"], "progressive"),
        (["NCT0123456,b_cell,false,short id"], "bad nct_id"),
        (["NCT01234568,b_cell,false,even last digit"], "even digit"),
        (["NCT01234567,b_cell,false,"], "why"),
        (["NCT01234567,b_cell,false,one", "NCT01234561,other,false,two"], "out of order"),
        ([GOOD_ROW, GOOD_ROW], "twice"),
    ],
)
def test_mechanism_reader_rejects_bad_rows(tmp_path, rows, message):
    path = tmp_path / "split.csv"
    path.write_text(",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SplitError, match=message):
        read_mechanism_split(path, vocabulary_keys())


def test_mechanism_reader_rejects_wrong_columns_and_accepts_a_good_row(tmp_path):
    path = tmp_path / "split.csv"
    path.write_text("nct_id,mechanisms,progressive\nNCT01234567,b_cell,false\n", encoding="utf-8")
    with pytest.raises(SplitError, match="columns"):
        read_mechanism_split(path, vocabulary_keys())
    path.write_text(",".join(COLUMNS) + "\n" + GOOD_ROW + "\n", encoding="utf-8")
    assert read_mechanism_split(path, vocabulary_keys()) == [
        {"nct_id": "NCT01234567", "mechanisms": "b_cell|microglia", "progressive": "false", "why": "BTK inhibitor"}]


def test_partition_pool_keeps_odd_unnamed_ids_only():
    ids = {"NCT00000011", "NCT00000013", "NCT00000014", "NCT00000020"}
    assert partition_pool(ids, excluded={"NCT00000013"}) == {"NCT00000011"}


def test_vocabulary_keys_come_from_the_data_file():
    keys = vocabulary_keys()
    assert {"b_cell", "microglia", "cell_therapy", "symptomatic", "non_drug", "other"} <= keys
    assert len(keys) == 13
