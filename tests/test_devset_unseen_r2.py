"""Format checks for the second round of frozen "unseen" splits (issue 10, section 1).

tests/devset/mechanism_unseen_r2.csv holds corpus trials labelled by reading each record
against the label contract (../shared/docs/mechanisms.md), never by running the classifier.
Partition rule: only trials whose NCT number ends in an odd digit, none that any earlier
tests/devset file already names. About 60 % are a seeded random sample of that pool
(random.Random(20261202).sample over the sorted pool); the rest were picked from hard kinds
(cell products, symptomatic drugs, non-drug trials, comparators and background DMTs,
co-interventions, non-MS studies). tests/devset/eligibility_edss_unseen_r2.jsonl holds criteria
texts written for the project in the style of real registry pages, with the EDSS window a
careful reader gets.

These tests check only the files' shape and their independence from the other splits. They
deliberately do not run the classifier or the eligibility parser: the scores on an unseen
split are looked at once per round of rule changes, never tuned on.
"""
from __future__ import annotations

import csv
import gzip
import json
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVSET_DIR = REPO_ROOT / "tests" / "devset"
MECHANISM_R2 = DEVSET_DIR / "mechanism_unseen_r2.csv"
EDSS_R2 = DEVSET_DIR / "eligibility_edss_unseen_r2.jsonl"
EARLIER_MECHANISM_SPLITS = (DEVSET_DIR / "mechanism_devset.csv", DEVSET_DIR / "mechanism_unseen.csv")
EARLIER_EDSS_SPLITS = (DEVSET_DIR / "eligibility_edss_dev.jsonl", DEVSET_DIR / "eligibility_edss_unseen.jsonl")
COLUMNS = ["nct_id", "mechanisms", "progressive", "why"]
NCT_ID = re.compile(r"NCT\d{8}")
EDSS_KEYS = {"criteria", "edss_min", "edss_max"}


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
        rows, seen = [], set()
        for line, row in enumerate(reader, start=2):
            nct_id = row["nct_id"] or ""
            labels = (row["mechanisms"] or "").split("|")
            if not NCT_ID.fullmatch(nct_id):
                raise SplitError(f"line {line}: bad nct_id {nct_id!r}")
            if int(nct_id[-1]) % 2 == 0:
                raise SplitError(f"line {line}: {nct_id} ends in an even digit (the r2 partition takes odd ones)")
            if nct_id in seen:
                raise SplitError(f"line {line}: {nct_id} is labelled twice")
            if not all(labels) or set(labels) - keys or len(set(labels)) != len(labels):
                raise SplitError(f"line {line}: mechanisms {row['mechanisms']!r} are not distinct vocabulary keys joined by '|'")
            if row["progressive"] not in ("true", "false"):
                raise SplitError(f"line {line}: progressive must be true or false, not {row['progressive']!r}")
            if not (row["why"] or "").strip():
                raise SplitError(f"line {line}: the why column is empty")
            seen.add(nct_id)
            rows.append(row)
    return rows


def is_edss_step(value) -> bool:
    return isinstance(value, float) and 0.0 <= value <= 10.0 and (value * 2).is_integer()


def read_edss_split(path: Path) -> list[dict]:
    """Rows of an EDSS-window split, or SplitError naming the first bad line."""
    rows, seen = [], set()
    for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise SplitError(f"line {line}: not JSON ({error.msg})") from None
        if not isinstance(row, dict) or set(row) != EDSS_KEYS:
            raise SplitError(f"line {line}: keys must be {sorted(EDSS_KEYS)}")
        criteria, low, high = row["criteria"], row["edss_min"], row["edss_max"]
        if not isinstance(criteria, str) or not criteria.strip():
            raise SplitError(f"line {line}: criteria must be non-empty text")
        for name, value in (("edss_min", low), ("edss_max", high)):
            if value is not None and not is_edss_step(value):
                raise SplitError(f"line {line}: {name} {value!r} is not null or a 0-10 EDSS step of 0.5")
        if low is not None and high is not None and low > high:
            raise SplitError(f"line {line}: edss_min {low} is above edss_max {high}")
        if criteria in seen:
            raise SplitError(f"line {line}: the same criteria text appears twice")
        seen.add(criteria)
        rows.append(row)
    return rows


def ids_named_in(path: Path) -> set[str]:
    return set(NCT_ID.findall(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------
# The two new files
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mechanism_rows() -> list[dict]:
    return read_mechanism_split(MECHANISM_R2, vocabulary_keys())


def test_mechanism_r2_is_large_and_varied(mechanism_rows):
    assert len(mechanism_rows) >= 150
    support = Counter(key for row in mechanism_rows for key in row["mechanisms"].split("|"))
    assert all(support[key] >= 10 for key in ("anti_inflammatory", "symptomatic", "non_drug", "other"))
    assert support["cell_therapy"] >= 1 and support["b_cell"] >= 1 and support["remyelination"] >= 1
    assert sum(row["progressive"] == "true" for row in mechanism_rows) >= 10


def test_mechanism_r2_reads_with_the_bench_loader(mechanism_rows):
    # scripts/bench_classify.py --unseen takes this file; its loader must accept every row as written.
    from mstrials.tooling.devset_scoring import load_devset

    labels = load_devset(MECHANISM_R2)
    assert [label.nct_id for label in labels] == [row["nct_id"] for row in mechanism_rows]
    assert [sorted(label.mechanisms) for label in labels] == [sorted(row["mechanisms"].split("|")) for row in mechanism_rows]
    assert [label.progressive for label in labels] == [row["progressive"] == "true" for row in mechanism_rows]


def test_mechanism_r2_shares_no_trial_with_any_earlier_devset_file(mechanism_rows):
    r2_ids = {row["nct_id"] for row in mechanism_rows}
    for path in sorted(DEVSET_DIR.iterdir()):
        if path != MECHANISM_R2 and path.is_file():
            assert not r2_ids & ids_named_in(path), f"{path.name} already names {sorted(r2_ids & ids_named_in(path))[:5]}"
    # The earlier mechanism splits, read as splits, are disjoint too (not just as text).
    for path in EARLIER_MECHANISM_SPLITS:
        with open(path, newline="", encoding="utf-8") as handle:
            assert not r2_ids & {row["nct_id"] for row in csv.DictReader(handle)}


def test_mechanism_r2_trials_are_in_the_corpus(mechanism_rows, corpus_file: Path):
    with gzip.open(corpus_file, "rt", encoding="utf-8") as lines:
        corpus_ids = {json.loads(line)["protocolSection"]["identificationModule"]["nctId"] for line in lines}
    missing = sorted({row["nct_id"] for row in mechanism_rows} - corpus_ids)
    assert not missing, f"not in the corpus: {missing[:5]}"


@pytest.fixture(scope="module")
def edss_rows() -> list[dict]:
    return read_edss_split(EDSS_R2)


def test_edss_r2_is_large_and_covers_open_and_closed_windows(edss_rows):
    assert len(edss_rows) >= 30
    windows = Counter((row["edss_min"] is not None, row["edss_max"] is not None) for row in edss_rows)
    # Two-sided windows, one-sided ones of both kinds, and texts with no EDSS window at all.
    assert windows[(True, True)] >= 10 and windows[(False, True)] >= 5 and windows[(True, False)] >= 2
    assert windows[(False, False)] >= 3


def test_edss_r2_shares_no_text_with_the_earlier_edss_splits(edss_rows):
    earlier = {json.loads(line)["criteria"] for path in EARLIER_EDSS_SPLITS
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert not earlier & {row["criteria"] for row in edss_rows}


# ---------------------------------------------------------------------------
# The checks themselves catch what they are meant to catch
# ---------------------------------------------------------------------------

GOOD_ROW = "NCT01234567,b_cell|microglia,false,BTK inhibitor"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("NCT01234567,b_cel,false,typo", "vocabulary keys"),
        ("NCT01234567,b_cell|,false,dangling bar", "vocabulary keys"),
        ("NCT01234567,other|other,false,repeated key", "vocabulary keys"),
        ("NCT01234567,b_cell,True,capitalised flag", "progressive"),
        ("NCT0123456,b_cell,false,short id", "bad nct_id"),
        ("NCT01234568,b_cell,false,even last digit", "even digit"),
        ("NCT01234567,b_cell,false,", "why"),
    ],
)
def test_mechanism_reader_rejects_bad_rows(tmp_path, row, message):
    path = tmp_path / "split.csv"
    path.write_text(",".join(COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(SplitError, match=message):
        read_mechanism_split(path, vocabulary_keys())


def test_mechanism_reader_rejects_duplicates_and_wrong_columns(tmp_path):
    path = tmp_path / "split.csv"
    path.write_text(",".join(COLUMNS) + "\n" + GOOD_ROW + "\n" + GOOD_ROW + "\n", encoding="utf-8")
    with pytest.raises(SplitError, match="twice"):
        read_mechanism_split(path, vocabulary_keys())
    path.write_text("nct_id,mechanisms,progressive\nNCT01234567,b_cell,false\n", encoding="utf-8")
    with pytest.raises(SplitError, match="columns"):
        read_mechanism_split(path, vocabulary_keys())


def test_vocabulary_keys_come_from_the_data_file():
    keys = vocabulary_keys()
    assert {"b_cell", "microglia", "cell_therapy", "symptomatic", "non_drug", "other"} <= keys
    assert len(keys) == 13


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"criteria": "EDSS 2-6", "edss_min": 6.0, "edss_max": 2.0}', "above"),
        ('{"criteria": "EDSS 2.3", "edss_min": 2.3, "edss_max": null}', "EDSS step"),
        ('{"criteria": "EDSS 12", "edss_min": null, "edss_max": 12.0}', "EDSS step"),
        ('{"criteria": "EDSS 6", "edss_min": null, "edss_max": "6.0"}', "EDSS step"),
        ('{"criteria": "EDSS 6", "edss_min": null, "edss_max": 6}', "EDSS step"),
        ('{"criteria": "EDSS 6", "edss_min": null, "edss_max": true}', "EDSS step"),
        ('{"criteria": "", "edss_min": null, "edss_max": null}', "non-empty"),
        ('{"criteria": "EDSS 6", "edss_max": 6.0}', "keys"),
        ('{"criteria": "EDSS 6", "edss_min": null, "edss_max": 6.0, "note": "x"}', "keys"),
        ("not json", "not JSON"),
    ],
)
def test_edss_reader_rejects_bad_lines(tmp_path, line, message):
    path = tmp_path / "split.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SplitError, match=message):
        read_edss_split(path)


def test_edss_reader_rejects_a_repeated_text_and_accepts_a_good_one(tmp_path):
    good = '{"criteria": "Inclusion Criteria:\\n\\n* EDSS 0 to 6.5", "edss_min": 0.0, "edss_max": 6.5}'
    path = tmp_path / "split.jsonl"
    path.write_text(good + "\n", encoding="utf-8")
    assert read_edss_split(path) == [{"criteria": "Inclusion Criteria:\n\n* EDSS 0 to 6.5", "edss_min": 0.0, "edss_max": 6.5}]
    path.write_text(good + "\n" + good + "\n", encoding="utf-8")
    with pytest.raises(SplitError, match="twice"):
        read_edss_split(path)
