"""The cache file's format and the export script."""
from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from conftest import load_script
from mstrials.store.cache import SCHEMA_VERSION, CacheError, connect_readonly, staged_copy
from mstrials.store.export import EXPORT_COLUMNS
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
export_trials = load_script("export_trials")

REQUIRED_EXPORT_COLUMNS = (
    "nct_id title status phases study_type start_date primary_completion_date completion_date last_update "
    "sponsor sponsor_class conditions interventions countries enrollment has_results url progressive ms_types "
    "mechanisms mechanism_evidence edss_min edss_max min_age max_age sex ms_types_included ms_types_excluded "
    "prior_anti_cd20_excluded"
).split()


@pytest.fixture
def cache(tmp_path):
    studies = [
        make_study(nct_id="NCT00000021", phases=("PHASE1", "PHASE2"), countries=("Canada", "United States"),
                   interventions=(("DRUG", "Drug A"), ("DRUG", "Drug B"))),
        make_study(nct_id="NCT00000022", title="Tuberous Sclerosis Study", conditions=("Tuberous Sclerosis",)),
    ]
    path = tmp_path / "studies.json"
    path.write_text(json.dumps(studies))
    cache_path = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache_path), "--quiet", "--from-file", str(path)]) == 0
    return cache_path


def test_cache_records_its_format_version(cache):
    with sqlite3.connect(cache) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_a_cache_from_a_newer_release_is_refused_not_damaged(cache):
    with sqlite3.connect(cache) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = cache.read_bytes()
    with pytest.raises(CacheError, match="newer release"):
        with staged_copy(cache):
            pass
    with pytest.raises(CacheError, match="format"):
        connect_readonly(cache)
    assert cache.read_bytes() == before


def test_missing_cache_is_a_clear_error(tmp_path, capsys):
    assert export_trials.main(["--cache", str(tmp_path / "none.sqlite")]) == 1
    assert "no trial cache" in capsys.readouterr().err


def test_csv_export_has_the_promised_columns_and_only_ms_studies(cache, capsys):
    assert set(REQUIRED_EXPORT_COLUMNS) <= set(EXPORT_COLUMNS)
    assert export_trials.main(["--cache", str(cache), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["nct_id"] for row in rows] == ["NCT00000021"]
    row = rows[0]
    assert list(row) == list(EXPORT_COLUMNS)
    assert row["phases"] == "PHASE1|PHASE2"
    assert row["countries"] == "Canada|United States"
    assert row["interventions"] == "Drug A|Drug B"
    assert row["url"] == "https://clinicaltrials.gov/study/NCT00000021"
    assert row["has_results"] == "false"


def test_json_export_to_a_file(cache, tmp_path):
    out = tmp_path / "trials.json"
    assert export_trials.main(["--cache", str(cache), "--format", "json", "--output", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [row["nct_id"] for row in rows] == ["NCT00000021"]
    assert rows[0]["enrollment"] == 120 and rows[0]["has_results"] is False


def test_usage_errors_exit_2(cache):
    with pytest.raises(SystemExit) as exited:
        export_trials.main(["--format", "xml"])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        fetch_trials.main(["--from-file", "x.json", "--full"])
    assert exited.value.code == 2


def test_a_reader_never_sees_half_a_refresh(cache, tmp_path):
    reader = connect_readonly(cache)
    try:
        before = reader.execute("SELECT COUNT(*) FROM studies").fetchone()[0]
        more = [make_study(nct_id=f"NCT{50000000 + i:08d}") for i in range(300)]
        (tmp_path / "more.json").write_text(json.dumps(more))
        assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(tmp_path / "more.json")]) == 0
        # The open connection keeps reading the snapshot it started with ...
        assert reader.execute("SELECT COUNT(*) FROM studies").fetchone()[0] == before
    finally:
        reader.close()
    # ... and a new one sees the whole refresh.
    fresh = connect_readonly(cache)
    try:
        assert fresh.execute("SELECT COUNT(*) FROM studies").fetchone()[0] == before + 300
    finally:
        fresh.close()


def test_reclassify_relabels_only_when_the_signature_changed(cache, capsys):
    assert fetch_trials.main(["--cache", str(cache), "--reclassify"]) == 0
    assert "up to date" in capsys.readouterr().out
    with sqlite3.connect(cache) as connection:
        connection.execute("UPDATE meta SET value = 'old' WHERE key = 'derivation_signature'")
        connection.execute("UPDATE studies SET mechanisms = NULL")
    assert fetch_trials.main(["--cache", str(cache), "--reclassify"]) == 0
    assert "re-labelled 1 MS studies" in capsys.readouterr().out
    with sqlite3.connect(cache) as connection:
        assert connection.execute("SELECT mechanisms FROM studies WHERE is_ms = 1").fetchone()[0]


def test_a_study_listed_again_after_removal_is_recorded(tmp_path):
    from mstrials.store.ingest import IncomingStudy, RunSummary, run_ingest

    cache_path = tmp_path / "trials.sqlite"
    one, two = make_study(nct_id="NCT00000031"), make_study(nct_id="NCT00000032")

    def run(mode, studies):
        return run_ingest(cache_path, lambda writer: (IncomingStudy(f"item {i}", s) for i, s in enumerate(studies)),
                          RunSummary(source="test", mode=mode), accept_removals=True)

    run("full", [one, two])
    assert run("full", [one]).removed == 1
    run("full", [one, two])
    with sqlite3.connect(cache_path) as connection:
        kinds = connection.execute("SELECT run_id, kind FROM changes WHERE nct_id = 'NCT00000032' ORDER BY run_id").fetchall()
        removed = connection.execute("SELECT removed_run FROM studies WHERE nct_id = 'NCT00000032'").fetchone()[0]
    assert kinds == [(1, "new"), (2, "no_longer_listed"), (3, "listed_again")]
    assert removed is None


def test_csv_export_never_hands_a_spreadsheet_a_formula(tmp_path, capsys):
    studies = [make_study(nct_id="NCT00000023", title='=HYPERLINK("http://evil.example","x") multiple sclerosis',
                          interventions=(("DRUG", "@SUM(1+1)"), ("DRUG", "-2+3")))]
    studies[0]["protocolSection"]["sponsorCollaboratorsModule"]["leadSponsor"]["name"] = "+cmd|' /C calc'!A0"
    source = tmp_path / "studies.json"
    source.write_text(json.dumps(studies))
    cache_path = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache_path), "--quiet", "--from-file", str(source)]) == 0
    capsys.readouterr()
    assert export_trials.main(["--cache", str(cache_path), "--format", "csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    formula_starts = ("=", "+", "-", "@", "\t", "\r")
    assert not [value for value in row.values() if value.startswith(formula_starts)], row
    assert row["title"] == "'" + studies[0]["protocolSection"]["identificationModule"]["briefTitle"]  # kept, as text
    assert row["sponsor"].startswith("'+cmd")
