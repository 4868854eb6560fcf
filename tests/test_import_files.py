"""Offline import of every supported file shape, through the same path as a fetch."""
from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import load_script
from mstrials.store.cache import connect_readonly
from mstrials.store.export import export_rows
from study_factory import make_study, nct_id_of

fetch_trials = load_script("fetch_trials")

TWO_STUDIES = [make_study(nct_id="NCT00000011"), make_study(nct_id="NCT00000012", status="COMPLETED")]


def run_import(cache: Path, *paths: Path) -> int:
    return fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", *map(str, paths)])


def cached_ids(cache: Path, ms_only: bool = True) -> set[str]:
    connection = connect_readonly(cache)
    try:
        if ms_only:
            return {row["nct_id"] for row in export_rows(connection)}
        return {row[0] for row in connection.execute("SELECT nct_id FROM studies")}
    finally:
        connection.close()


def write_array(path: Path) -> Path:
    path.write_text(json.dumps(TWO_STUDIES))
    return path


def write_page(path: Path) -> Path:
    path.write_text(json.dumps({"studies": TWO_STUDIES, "nextPageToken": "abc", "totalCount": 9}))
    return path


def write_lines(path: Path) -> Path:
    path.write_text("".join(json.dumps(s) + "\n" for s in TWO_STUDIES))
    return path


def write_gzip_lines(path: Path) -> Path:
    with gzip.open(path, "wt") as out:
        out.writelines(json.dumps(s) + "\n" for s in TWO_STUDIES)
    return path


def write_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for study in TWO_STUDIES:
            archive.writestr(f"{nct_id_of(study)}.json", json.dumps(study, indent=2))
    return path


@pytest.mark.parametrize(
    "writer, name",
    [(write_array, "download.json"), (write_page, "page.json"), (write_lines, "studies.jsonl"),
     (write_gzip_lines, "studies.jsonl.gz"), (write_zip, "ctg-studies.json.zip")],
)
def test_each_file_shape_imports_the_same_studies(tmp_path, writer, name):
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, writer(tmp_path / name)) == 0
    assert cached_ids(cache) == {"NCT00000011", "NCT00000012"}


def test_gzip_json_array(tmp_path):
    path = tmp_path / "download.json.gz"
    path.write_bytes(gzip.compress(json.dumps(TWO_STUDIES).encode()))
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, path) == 0
    assert cached_ids(cache) == {"NCT00000011", "NCT00000012"}


def test_a_file_that_is_not_json_fails_in_one_line_and_leaves_the_cache(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, write_array(tmp_path / "good.json")) == 0
    before = hashlib.sha256(cache.read_bytes()).hexdigest()
    bad = tmp_path / "report.csv"
    bad.write_text("nct_id,title\nNCT1,Something\n")
    capsys.readouterr()

    assert run_import(cache, bad) == 1

    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "report.csv" in error[0] and "not JSON" in error[0]
    assert hashlib.sha256(cache.read_bytes()).hexdigest() == before


def test_a_broken_line_in_json_lines_is_reported_and_skipped(tmp_path, capsys):
    path = tmp_path / "studies.jsonl"
    path.write_text(json.dumps(TWO_STUDIES[0]) + "\n{\"protocolSection\": \n" + json.dumps(TWO_STUDIES[1]) + "\n")
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, path) == 0
    assert "studies.jsonl line 2" in capsys.readouterr().err
    assert cached_ids(cache) == {"NCT00000011", "NCT00000012"}


def test_unknown_fields_are_kept_in_the_raw_json(tmp_path):
    study = make_study(nct_id="NCT00000013")
    study["futureSection"] = {"somethingNew": [1, 2, 3]}
    study["protocolSection"]["identificationModule"]["newField"] = "kept"
    path = tmp_path / "one.json"
    path.write_text(json.dumps(study))
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, path) == 0
    with sqlite3.connect(cache) as connection:
        raw = json.loads(connection.execute("SELECT raw_json FROM studies").fetchone()[0])
    assert raw == study


def test_an_older_download_does_not_roll_a_study_back(tmp_path):
    newer = make_study(nct_id="NCT00000014", status="COMPLETED", last_update="2025-06-01")
    older = make_study(nct_id="NCT00000014", status="RECRUITING", last_update="2024-01-01")
    cache = tmp_path / "trials.sqlite"
    (tmp_path / "new.json").write_text(json.dumps(newer))
    (tmp_path / "old.json").write_text(json.dumps(older))
    assert run_import(cache, tmp_path / "new.json") == 0
    assert run_import(cache, tmp_path / "old.json") == 0
    with sqlite3.connect(cache) as connection:
        assert connection.execute("SELECT status FROM studies").fetchone() == ("COMPLETED",)


def test_real_full_and_partial_records_import(tmp_path, ctgov_dir):
    files = sorted((ctgov_dir / "studies").glob("*.json")) + sorted((ctgov_dir / "studies_partial").glob("*.json"))
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, *files) == 0
    # Every one of these real records is an MS study (see PROVENANCE.md).
    assert cached_ids(cache) == {path.stem for path in files}
    with sqlite3.connect(cache) as connection:
        sites = connection.execute("SELECT COUNT(*) FROM sites WHERE latitude IS NOT NULL").fetchone()[0]
    assert sites > 0  # the full records carry geoPoints


def test_real_recorded_responses_import(tmp_path, ctgov_dir, capsys):
    responses = ctgov_dir / "responses"
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, *sorted(responses.glob("*.json"))) == 0
    ms_ids = cached_ids(cache)
    all_ids = cached_ids(cache, ms_only=False)
    # The Portland search returned four MS studies and a scleroderma one (PROVENANCE.md); the
    # pagination pair, the age/sex shapes and the single study are not MS studies.
    assert ms_ids == {"NCT06441617", "NCT06408259", "NCT06433752", "NCT04047628"}
    assert {"NCT06655896", "NCT06251323"} <= all_ids - ms_ids
    summary = capsys.readouterr().out
    assert "malformed 0" in summary


def test_the_newest_copy_wins_when_files_overlap(tmp_path):
    older = make_study(nct_id="NCT00000015", status="RECRUITING", last_update="2024-01-01")
    newer = make_study(nct_id="NCT00000015", status="COMPLETED", last_update="2025-06-01")
    (tmp_path / "a.json").write_text(json.dumps([older]))
    (tmp_path / "b.json").write_text(json.dumps([newer]))
    for order in (("a.json", "b.json"), ("b.json", "a.json")):
        cache = tmp_path / f"{order[0]}.sqlite"
        assert run_import(cache, *(tmp_path / name for name in order)) == 0
        with sqlite3.connect(cache) as connection:
            assert connection.execute("SELECT status FROM studies").fetchall() == [("COMPLETED",)]


def test_the_summary_says_how_many_new_studies_are_ms_trials(tmp_path, capsys):
    from mstrials.store.refresh import import_files

    studies = [make_study(nct_id="NCT00000011"), make_study(nct_id="NCT00000012"),
               make_study(nct_id="NCT00000013", title="Knee surgery recovery", conditions=("Osteoarthritis, Knee",),
                          interventions=(("PROCEDURE", "Physiotherapy"),)),
               # A later copy of the first trial in the same file: counted once.
               make_study(nct_id="NCT00000011", last_update="2025-03-01")]
    source = tmp_path / "mixed.json"
    source.write_text(json.dumps(studies))
    summary = import_files(tmp_path / "trials.sqlite", [source])
    assert (summary.new, summary.new_ms, summary.ms_kept, summary.non_ms) == (3, 2, 2, 1)
    assert "new 3 (2 of them MS)" in summary.line()
