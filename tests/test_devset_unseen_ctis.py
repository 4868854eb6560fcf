"""The frozen "unseen" mechanism split of the EU CTIS trials, and how the benches read it.

tests/devset/mechanism_unseen_ctis.csv labels every trial of the CTIS portal's CSV export
(../shared/ctis/ctis_ms_trials_2025-09-24.csv) by reading its title, conditions, products and
endpoints against the label contract (../shared/docs/mechanisms.md), before the classifier was
run on any of them. Its id column holds CTIS trial numbers; its studies are the export's rows read
through the product's own CTIS path (the import's reader, then the v2 view the classifier reads).

These tests check the file's shape and that it names the export's trials, and hold the split to
the score it measured when first scored; that score is looked at only as totals.
"""
from __future__ import annotations

import csv

import pytest

from conftest import SHARED_DIR, load_script, require_shared
from mstrials.sources.ctis_files import is_ctis_number
from mstrials.tooling.devset_scoring import (
    CORPUS_UNSEEN_PATHS,
    CTIS_EXPORT_NAME,
    CTIS_SPLIT_PATHS,
    UNSEEN_CTIS_PATH,
    UNSEEN_PATHS,
    DevsetError,
    ctis_split_studies,
    evaluate,
    load_devset,
)

CTIS_EXPORT = SHARED_DIR / "ctis" / CTIS_EXPORT_NAME


@pytest.fixture(scope="module")
def ctis_rows() -> list[dict]:
    with open(UNSEEN_CTIS_PATH, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_ctis_split_reads_with_the_bench_loader_and_is_scored_as_unseen(ctis_rows):
    labels = load_devset(UNSEEN_CTIS_PATH)
    assert [label.nct_id for label in labels] == [row["nct_id"] for row in ctis_rows]
    assert all(is_ctis_number(label.nct_id) for label in labels)
    assert [sorted(label.mechanisms) for label in labels] == [sorted(row["mechanisms"].split("|")) for row in ctis_rows]
    assert [label.progressive for label in labels] == [row["progressive"] == "true" for row in ctis_rows]
    assert UNSEEN_CTIS_PATH in UNSEEN_PATHS and UNSEEN_CTIS_PATH in CTIS_SPLIT_PATHS
    assert UNSEEN_CTIS_PATH not in CORPUS_UNSEEN_PATHS  # its studies are not corpus studies


def test_every_labelled_number_is_a_trial_of_the_export_read_as_the_product_reads_it(ctis_rows):
    studies = ctis_split_studies(require_shared(CTIS_EXPORT), warn=pytest.fail)
    labelled = [row["nct_id"] for row in ctis_rows]
    missing = sorted(set(labelled) - set(studies))
    assert not missing, f"labelled but not a trial of {CTIS_EXPORT.name} (or not its highest resubmission): {missing[:5]}"
    # Every trial of the export is labelled: the team read them all as MS trials (none listed as non-MS).
    assert sorted(studies) == sorted(labelled)
    # What the classifier reads: the v2 view, which carries the number as its CTIS secondary id.
    for number in labelled:
        identification = studies[number]["protocolSection"]["identificationModule"]
        assert {"type": "CTIS", "id": number} in identification["secondaryIdInfos"]


# What the split measured after rule round 7 (2026-12-02: macro-F1 0.746, 81/104 exact key sets, progressive
# 1.000; first scored before round 7 at 0.742 and 79/104), not the targets, which it misses: a drop
# below means a change made the classifier or the CTIS reader worse on EU trials nobody tuned on. Only totals
# are shown.
MIN_CTIS_MACRO_F1 = 0.74
MIN_CTIS_EXACT = 81
MIN_CTIS_PROGRESSIVE_ACCURACY = 0.99


def test_the_ctis_split_keeps_its_measured_floor():
    from mstrials.labels.classify import classify_study

    report = evaluate(load_devset(UNSEEN_CTIS_PATH), ctis_split_studies(require_shared(CTIS_EXPORT), warn=pytest.fail),
                      classify_study)
    assert report.macro_f1 >= MIN_CTIS_MACRO_F1, f"CTIS unseen macro-F1 {report.macro_f1:.3f}"
    assert report.exact_matches >= MIN_CTIS_EXACT, f"CTIS unseen exact {report.exact_matches}/{report.size}"
    assert report.progressive_accuracy >= MIN_CTIS_PROGRESSIVE_ACCURACY


def test_load_devset_takes_ctis_numbers_only_in_a_ctis_split(tmp_path):
    path = tmp_path / "split.csv"
    path.write_text("nct_id,mechanisms,progressive,why\n2024-513193-22-00,b_cell,false,a\n", encoding="utf-8")
    assert [label.nct_id for label in load_devset(path, ctis=True)] == ["2024-513193-22-00"]
    with pytest.raises(DevsetError, match="bad nct_id"):
        load_devset(path)  # any other file keeps its NCT ids
    for bad in ("NCT01234567", "2024-413193-22-00", "2024-513193-22", "2004-001234-56"):
        path.write_text(f"nct_id,mechanisms,progressive,why\n{bad},b_cell,false,a\n", encoding="utf-8")
        with pytest.raises(DevsetError, match="bad CTIS trial number"):
            load_devset(path, ctis=True)


def test_bench_gives_the_ctis_split_its_own_column():
    bench = load_script("bench_classify")
    from mstrials.tooling.devset_scoring import DevLabel

    class Result:
        def __init__(self, keys):
            self.mechanisms, self.progressive = keys, False

    dev = evaluate([DevLabel("NCT1", frozenset({"b_cell"}), False, "")], {"NCT1": ("b_cell",)}, Result)
    ctis = evaluate([DevLabel("2024-513193-22-00", frozenset({"cell_therapy"}), False, "")],
                    {"2024-513193-22-00": ("other",)}, Result)
    table = bench.side_by_side(dev, ctis, {"ctis": ctis})
    assert "ctis n" in table.splitlines()[0]
    cell_therapy = next(line for line in table.splitlines() if line.startswith("cell_therapy"))
    assert cell_therapy.split("|")[1].split() == ["-"] and cell_therapy.split("|")[3].split()[:2] == ["1", "0.000"]
    assert table.splitlines()[-3].split("|")[3].strip() == "0/1"  # exact key sets of the CTIS column


def test_bench_says_which_file_a_ctis_split_needs_when_it_is_missing(tmp_path, capsys):
    bench = load_script("bench_classify")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("", encoding="utf-8")
    missing = tmp_path / "no_export.csv"
    assert bench.main(["--corpus", str(corpus), "--ctis-export", str(missing), "--unseen", str(UNSEEN_CTIS_PATH)]) == 2
    error = capsys.readouterr().err
    assert "CTIS export not found" in error and str(missing) in error and UNSEEN_CTIS_PATH.name in error
