"""Classifier quality on the hand-labelled dev set of real corpus trials.

tests/devset/mechanism_devset.csv was labelled by reading each record (titles, conditions,
keywords, interventions), before and independently of the classifier's output. Conventions:
  * only investigational products count: placebo, usual care, the control drug of an
    active-controlled design and background therapy every arm receives do not;
  * a head-to-head comparison of two treatments gets both;
  * conditioning chemotherapy belongs to the transplant or CAR-T treatment it prepares;
  * observational studies listing no real intervention are `other`;
  * progressive = the record names PPMS, SPMS, progressive or advanced MS (titles, conditions
    or keywords); "relapsing forms" alone is not progressive.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mstrials.labels.classify import classify_study
from mstrials.tooling.devset_scoring import (
    CORPUS_UNSEEN_PATHS,
    DEV_PATHS,
    DEVSET_PATH,
    RETIRED_UNSEEN_PATHS,
    UNSEEN_PATH,
    UNSEEN_PATHS,
    UNSEEN_R2_PATH,
    UNSEEN_R3_PATH,
    DevLabel,
    corpus_by_id,
    evaluate,
    load_devset,
)
from mstrials.labels.vocabulary import MECHANISM_KEYS

MIN_MACRO_F1 = 0.97
MIN_PROGRESSIVE_ACCURACY = 0.99

# The corpus unseen splits (rounds 4-5, CORPUS_UNSEEN_PATHS) are never tuned on. These floors are what they measured
# together on 2026-12-02 right after round 3 was retired into dev, before any rule of round 8 changed (330 trials:
# macro-F1 0.730, 313/330 exact key sets, progressive 1.000). Round 3 held most of the rare-key trials and scored
# lowest, so its retirement raised the macro-F1 (rounds 3-5 had measured 0.565 and 497/550 after rule round 7):
# the rise says which trials are left, not that the rules got better. These are not the targets
# (macro-F1 >= 0.95 with every key >= 0.85), which they still miss: a drop below them means a rule change made the
# classifier worse on trials nobody tuned on. (The macro-F1 is low mostly from keys with one or two gold trials
# there, where one trial swings a key between F1 0 and 1; see bench_classify.py. Round 1 was retired when rounds
# 2-4 measured 0.718 and 518/575; round 2 when rounds 3-4 measured 0.539 and 332/380.)
MIN_UNSEEN_MACRO_F1 = 0.72
MIN_UNSEEN_EXACT = 313
MIN_UNSEEN_PROGRESSIVE_ACCURACY = 0.99


def test_devset_is_well_formed_and_covers_every_key():
    labels = load_devset(DEVSET_PATH)
    assert len(labels) >= 160
    support = Counter(key for label in labels for key in label.mechanisms)
    assert set(support) == set(MECHANISM_KEYS)
    # The corpus holds only a couple of ibudilast and astrocyte trials; all others have >= 6.
    assert all(count >= 6 for key, count in support.items() if key not in ("ibudilast", "astrocyte"))
    assert sum(label.progressive for label in labels) >= 30
    assert sum(not label.progressive for label in labels) >= 30


def test_unseen_split_is_well_formed_and_disjoint_from_the_devset():
    unseen = load_devset(UNSEEN_PATH)
    assert len(unseen) >= 230
    assert not {label.nct_id for label in unseen} & {label.nct_id for label in load_devset(DEVSET_PATH)}
    support = Counter(key for label in unseen for key in label.mechanisms)
    assert all(support[key] >= 15 for key in ("anti_inflammatory", "cell_therapy", "symptomatic", "non_drug", "other"))
    assert sum(label.progressive for label in unseen) >= 10


def test_every_devset_file_on_disk_is_scored_by_the_benches():
    # A new round's file that nobody wires in would silently never be scored.
    from mstrials.tooling.devset_scoring import EDSS_DEV_FILES, EDSS_UNSEEN_FILES, THEMES_DEV_FILES, THEMES_UNSEEN_FILES

    folder = DEVSET_PATH.parent
    assert {path.name for path in folder.glob("eligibility_edss_*.jsonl")} == set(EDSS_DEV_FILES) | set(EDSS_UNSEEN_FILES)
    assert {path.name for path in folder.glob("eligibility_themes_*.jsonl")} == set(THEMES_DEV_FILES) | set(THEMES_UNSEEN_FILES)
    # Every eligibility file is one bench's: a new theme's file needs its own constants above.
    assert {path.name for path in folder.glob("eligibility_*.jsonl")} == (
        set(EDSS_DEV_FILES) | set(EDSS_UNSEEN_FILES) | set(THEMES_DEV_FILES) | set(THEMES_UNSEEN_FILES))
    assert {path.resolve() for path in folder.glob("mechanism_*.csv")} == {
        path.resolve() for path in (*DEV_PATHS, *UNSEEN_PATHS)}


def test_a_retired_split_is_scored_as_dev_and_never_as_unseen():
    assert UNSEEN_PATH in RETIRED_UNSEEN_PATHS and set(RETIRED_UNSEEN_PATHS) <= set(DEV_PATHS)
    # Round 2, the oldest frozen split after round 1, retired next (2026-12-02, scored in rounds 3-6).
    assert UNSEEN_R2_PATH in RETIRED_UNSEEN_PATHS and UNSEEN_R2_PATH not in CORPUS_UNSEEN_PATHS
    # Round 3 next (2026-12-02, scored in rounds 4-7), by age although it was also the lowest-scoring split.
    assert UNSEEN_R3_PATH in RETIRED_UNSEEN_PATHS and UNSEEN_R3_PATH not in CORPUS_UNSEEN_PATHS
    assert not set(RETIRED_UNSEEN_PATHS) & set(UNSEEN_PATHS) and DEVSET_PATH in DEV_PATHS
    assert len(UNSEEN_PATHS) >= 3  # frozen splits remain to say how the rules do on new trials


@pytest.fixture(scope="module")
def unseen_report(corpus_file: Path):
    return evaluate([label for path in CORPUS_UNSEEN_PATHS for label in load_devset(path)], corpus_by_id(corpus_file), classify_study)


def test_unseen_split_keeps_its_measured_floor(unseen_report):
    # Only the scores are shown: the unseen mistakes are never printed, so nobody tunes on them.
    assert unseen_report.macro_f1 >= MIN_UNSEEN_MACRO_F1, f"unseen macro-F1 {unseen_report.macro_f1:.3f}"
    assert unseen_report.exact_matches >= MIN_UNSEEN_EXACT, f"unseen exact {unseen_report.exact_matches}/{unseen_report.size}"
    assert unseen_report.progressive_accuracy >= MIN_UNSEEN_PROGRESSIVE_ACCURACY


@pytest.fixture(scope="module")
def devset_report(corpus_file: Path):
    return evaluate(load_devset(DEVSET_PATH), corpus_by_id(corpus_file), classify_study)


def test_macro_f1_on_the_devset(devset_report):
    assert devset_report.macro_f1 >= MIN_MACRO_F1, "\n" + devset_report.table()


def test_progressive_accuracy_on_the_devset(devset_report):
    assert devset_report.progressive_accuracy >= MIN_PROGRESSIVE_ACCURACY, "\n" + devset_report.table()


# ---------------------------------------------------------------------------
# The metric functions themselves
# ---------------------------------------------------------------------------


def test_key_scores_precision_recall_f1():
    from mstrials.tooling.devset_scoring import key_scores

    gold = [{"b_cell"}, {"b_cell", "microglia"}, {"other"}, {"non_drug"}]
    predicted = [{"b_cell"}, {"b_cell"}, {"b_cell"}, {"non_drug", "other"}]
    scores = key_scores(gold, predicted)
    assert (scores["b_cell"].true_positives, scores["b_cell"].false_positives, scores["b_cell"].false_negatives) == (2, 1, 0)
    assert scores["b_cell"].precision == pytest.approx(2 / 3) and scores["b_cell"].recall == 1.0
    assert scores["b_cell"].f1 == pytest.approx(0.8)
    assert scores["microglia"].recall == 0.0 and scores["microglia"].f1 == 0.0
    assert scores["other"].precision == 0.0 and scores["other"].recall == 0.0
    assert not scores["astrocyte"].present and scores["non_drug"].f1 == 1.0


def test_macro_f1_averages_only_keys_seen_in_gold_or_predictions():
    from mstrials.tooling.devset_scoring import key_scores, macro_f1

    scores = key_scores([{"b_cell"}, {"other"}], [{"b_cell"}, {"non_drug"}])
    # b_cell 1.0, other 0.0 (missed), non_drug 0.0 (spurious); the ten unseen keys do not count.
    assert macro_f1(scores) == pytest.approx(1 / 3)


def test_exact_matches_counts_trials_with_the_same_key_set():

    labels = [DevLabel("NCT1", frozenset({"b_cell"}), False, ""), DevLabel("NCT2", frozenset({"other"}), True, ""),
              DevLabel("NCT3", frozenset({"non_drug"}), False, "")]
    predictions = {"NCT1": ({"b_cell"}, True), "NCT2": ({"other", "non_drug"}, True), "NCT3": ({"non_drug"}, False)}

    class Result:
        def __init__(self, nct_id):
            self.mechanisms, self.progressive = predictions[nct_id]

    report = evaluate(labels, {nct_id: nct_id for nct_id in predictions}, Result)
    # NCT1 differs only in the progressive flag: its key set still matches.
    assert report.exact_matches == 2 and report.size == 3 and len(report.mistakes) == 2


def test_accuracy():
    from mstrials.tooling.devset_scoring import accuracy

    assert accuracy([True, False, True, False], [True, True, True, False]) == 0.75
    with pytest.raises(ValueError):
        accuracy([True], [])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("NCT01234567,b_cel,false,typo", "unknown"),
        ("NCT01234567,b_cell,maybe,bad flag", "progressive must be true or false"),
        ("12345,b_cell,true,bad id", "bad nct_id"),
    ],
)
def test_load_devset_rejects_bad_rows(tmp_path, row, message):
    from mstrials.tooling.devset_scoring import DevsetError

    path = tmp_path / "devset.csv"
    path.write_text("nct_id,mechanisms,progressive,why\n" + row + "\n", encoding="utf-8")
    with pytest.raises(DevsetError, match=message):
        load_devset(path)


def test_load_devset_rejects_duplicates(tmp_path):
    from mstrials.tooling.devset_scoring import DevsetError

    path = tmp_path / "devset.csv"
    path.write_text("nct_id,mechanisms,progressive,why\nNCT1,other,false,a\nNCT1,other,false,b\n", encoding="utf-8")
    with pytest.raises(DevsetError, match="twice"):
        load_devset(path)


def test_macro_f1_of_a_split_without_gold_support_for_a_key():
    from mstrials.tooling.devset_scoring import key_scores, macro_f1

    # astrocyte never gold in this split: predicted once it scores 0 and counts ...
    spurious = key_scores([{"b_cell"}, {"other"}], [{"b_cell"}, {"other", "astrocyte"}])
    assert spurious["astrocyte"].present and spurious["astrocyte"].f1 == 0.0
    assert macro_f1(spurious) == pytest.approx(2 / 3)
    # ... never predicted either, it is left out instead of scoring 0
    clean = key_scores([{"b_cell"}, {"other"}], [{"b_cell"}, {"other"}])
    assert not clean["astrocyte"].present
    assert macro_f1(clean) == 1.0


def _bench_classify():
    """scripts/bench_classify.py as a module (scripts are not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_classify", Path(__file__).resolve().parent.parent / "scripts" / "bench_classify.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


class Result:
    """A classification result as the scorer reads it."""

    def __init__(self, keys):
        self.mechanisms, self.progressive = keys, False


def test_bench_states_how_keys_absent_from_a_split_are_scored():
    bench = _bench_classify()

    dev = evaluate([DevLabel("NCT1", frozenset({"astrocyte"}), False, "")], {"NCT1": ("astrocyte",)}, Result)
    unseen = evaluate([DevLabel("NCT2", frozenset({"b_cell"}), False, "")], {"NCT2": ("b_cell",)}, Result)
    table = bench.side_by_side(dev, unseen)
    astrocyte_row = next(line for line in table.splitlines() if line.startswith("astrocyte"))
    assert astrocyte_row.split("|")[2].split()[0] == "-"  # absent from the unseen split, not scored 0 there
    assert "left out" in table and "predicted but never gold scores 0" in table
    assert unseen.macro_f1 == 1.0


def test_bench_names_thin_keys_as_context_without_changing_the_verdicts():
    bench = _bench_classify()

    # Six b_cell trials all right, one astrocyte trial missed (predicted other).
    labels = [DevLabel(f"NCT{n}", frozenset({"b_cell"}), False, "") for n in range(6)]
    labels.append(DevLabel("NCT9", frozenset({"astrocyte"}), False, ""))
    predicted = {**{f"NCT{n}": ("b_cell",) for n in range(6)}, "NCT9": ("other",)}
    lines = bench.target_lines(evaluate(labels, predicted, Result))
    assert lines[0].startswith("target unseen macro-F1 >= 0.95: MISSES")  # the verdict still counts every key
    assert "astrocyte (1 gold, F1 0.000)" in lines[-1] and "other (0 gold, F1 0.000)" in lines[-1]
    assert "b_cell" not in lines[-1] and lines[-1].endswith("macro-F1 over the other keys 1.000")


# The EDSS window on the frozen unseen criteria texts (r1-r6, 281 texts, written by people who never
# opened the parser): 265 exact when measured on 2026-12-02 after parser round 6 (the target,
# 95 %, is 267). Only the total is shown, never which texts miss.
MIN_EDSS_UNSEEN_EXACT = 265


def _edss_exact(names) -> tuple[int, int]:
    import json

    from mstrials.labels.eligibility import extract_eligibility

    right = total = 0
    for name in names:
        for line in (DEVSET_PATH.parent / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                themes = extract_eligibility({"protocolSection": {"eligibilityModule": {
                    "eligibilityCriteria": row["criteria"], "minimumAge": "18 Years"}}})
                right += (themes.edss_min, themes.edss_max) == (row["edss_min"], row["edss_max"])
                total += 1
    return right, total


def test_edss_windows_keep_their_measured_floor_on_unseen_texts_and_every_dev_text():
    from mstrials.tooling.devset_scoring import EDSS_DEV_FILES, EDSS_UNSEEN_FILES

    right, total = _edss_exact(EDSS_UNSEEN_FILES)
    assert total >= 281 and right >= MIN_EDSS_UNSEEN_EXACT, f"EDSS unseen exact {right}/{total}"
    dev_right, dev_total = _edss_exact(EDSS_DEV_FILES)
    assert dev_right == dev_total, f"EDSS dev exact {dev_right}/{dev_total}"
