"""`fetch_trials.py --from-file` with CTIS files: stored next to ClinicalTrials.gov studies, one row per trial."""
from __future__ import annotations

import copy
import csv
import io
import json
import sqlite3

import pytest

from conftest import SHARED_DIR, load_script, require_shared
from mstrials.sources.ctis_files import split_products
from mstrials.store import cache as trial_cache
from mstrials.store.cache import SCHEMA_VERSION
from mstrials.explore.frame import FilterState, filter_trials, load_trials
from study_factory import make_study
from fake_ctis_api import overview_of

fetch_trials = load_script("fetch_trials")
export_trials = load_script("export_trials")

CTIS_CSV = SHARED_DIR / "ctis" / "ctis_ms_trials_2025-09-24.csv"
RETRIEVE_DIR = SHARED_DIR / "ctis" / "retrieve"
PAIRED_STUDY = SHARED_DIR / "ctgov" / "studies_partial" / "NCT06408259.json"


def _import(cache, *paths, expect: int = 0) -> None:
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", *map(str, paths)]) == expect


def _export(cache, capsys) -> list[dict]:
    capsys.readouterr()
    assert export_trials.main(["--cache", str(cache), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _csv_rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def csv_file():
    return require_shared(CTIS_CSV)


def test_the_real_export_imports_all_104_trials_mapped_and_labelled(tmp_path, csv_file, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(cache, csv_file)
    assert "MS kept 104" in capsys.readouterr().out
    with sqlite3.connect(cache) as connection:
        rows = {row[0]: row[1:] for row in connection.execute(
            "SELECT nct_id, registry, status, phases, mechanisms, raw_json, url, is_ms FROM studies")}
        new = connection.execute("SELECT count(*) FROM changes WHERE kind = 'new'").fetchone()[0]
    assert len(rows) == 104 and new == 104
    assert {row[0] for row in rows.values()} == {"ctis"} and all(row[6] == 1 for row in rows.values())
    assert not {row[1] for row in rows.values()} & {"UNKNOWN", None, ""}
    assert all(row[2] for row in rows.values())
    received = {row["Trial number"]: row for row in _csv_rows(csv_file)}
    for number, row in rows.items():
        assert json.loads(row[4]) == received[number]  # kept as received
        assert row[5] == f"https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={number}"
    # CTIS names products by brand and strength: a trial of Ocrevus alone is a B-cell trial.
    ocrevus = [n for n, r in received.items() if (products := split_products(r["Product"]))
               and all(p.casefold().startswith("ocrevus") for p in products)]
    assert len(ocrevus) >= 5 and all("b_cell" in rows[n][3].split("|") for n in ocrevus)
    exported = _export(cache, capsys)
    assert len(exported) == 104 and {row["registries"] for row in exported} == {"CTIS"}
    assert all(row["registry_ids"] == row["nct_id"] for row in exported)


def test_importing_the_same_export_again_changes_nothing(tmp_path, csv_file, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(cache, csv_file)
    _import(cache, csv_file)
    assert "new 0 (0 of them MS), changed 0, unchanged 104" in capsys.readouterr().out


def test_the_real_pair_is_one_row_with_both_ids(tmp_path, csv_file, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(cache, require_shared(PAIRED_STUDY), csv_file)
    exported = _export(cache, capsys)
    assert len(exported) == 104  # 105 records, one trial in both registries
    pair = [row for row in exported if "2022-501332-42-00" in row["registry_ids"].split("|")]
    assert len(pair) == 1 and pair[0]["nct_id"] == "NCT06408259"
    assert pair[0]["registry_ids"] == "NCT06408259|2022-501332-42-00"
    assert pair[0]["registries"] == "ClinicalTrials.gov|CTIS"
    assert pair[0]["url"] == "https://clinicaltrials.gov/study/NCT06408259"
    connection = trial_cache.connect_readonly(cache)
    try:
        table = load_trials(connection)
    finally:
        connection.close()
    frame = table.frame
    rows = frame[frame["registry_ids"].str.contains("2022-501332-42-00", regex=False)]
    assert list(rows["nct_id"]) == ["NCT06408259"] and list(rows["registries"]) == ["ClinicalTrials.gov|CTIS"]
    assert len(frame) == 104
    found = filter_trials(table, FilterState(progressive_only=False, text="2022-501332-42-00"))
    assert list(found["nct_id"]) == ["NCT06408259"]  # its CTIS number finds it


def test_only_the_highest_resubmission_of_a_trial_is_stored(tmp_path, csv_file):
    rows = _csv_rows(csv_file)[:1]
    later = dict(rows[0], **{"Trial number": rows[0]["Trial number"][:-2] + "01"})
    path = tmp_path / "two.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([later, rows[0]])
    cache = tmp_path / "trials.sqlite"
    _import(cache, path)
    with sqlite3.connect(cache) as connection:
        assert [row[0] for row in connection.execute("SELECT nct_id FROM studies")] == [later["Trial number"]]


def test_api_json_is_recognised_by_content_whatever_the_name(tmp_path, capsys):
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(require_shared(RETRIEVE_DIR).glob("*.json"))]
    page = tmp_path / "download.json"  # a name a ClinicalTrials.gov download could have
    page.write_text(json.dumps({"pagination": {"page": 1, "size": 100, "totalRecords": 2},
                                "data": [overview_of(r) for r in records]}))
    single = tmp_path / "record.json"
    single.write_text(json.dumps(records[0]))
    cache = tmp_path / "trials.sqlite"
    _import(cache, page, single)
    out = capsys.readouterr().out
    assert "studies seen 2," in out and "malformed 0" in out and "duplicates dropped 1" in out
    with sqlite3.connect(cache) as connection:
        stored = dict(connection.execute("SELECT nct_id, registry FROM studies"))
    assert stored == {r["ctNumber"]: "ctis" for r in records}


def test_a_previous_format_cache_is_upgraded_with_registry_and_ids(tmp_path):
    study = make_study(nct_id="NCT00000031", orgStudyIdInfo=None)
    study["protocolSection"]["identificationModule"].update(
        orgStudyIdInfo={"id": "ABC-0031"}, secondaryIdInfos=[{"type": "OTHER", "domain": "CTIS", "id": "2023-500031-31"}])
    path = tmp_path / "one.json"
    path.write_text(json.dumps([study]))
    cache = tmp_path / "trials.sqlite"
    _import(cache, path)
    with sqlite3.connect(cache) as connection:  # make it what format 2 wrote
        for column in ("registry", "registry_ids", "protocol_code"):
            connection.execute(f"ALTER TABLE studies DROP COLUMN {column}")
        connection.execute("ALTER TABLE runs DROP COLUMN registry")
        connection.execute("PRAGMA user_version = 2")
    _import(cache, path)
    with sqlite3.connect(cache) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert connection.execute("SELECT registry, registry_ids, protocol_code FROM studies").fetchall() == [
            ("ctgov", "NCT00000031|2023-500031-31", "ABC-0031")]
        assert {row[0] for row in connection.execute("SELECT registry FROM runs")} == {"ctgov"}


def test_a_fresh_cache_and_an_upgraded_one_have_the_same_tables():
    def columns(connection, table):
        return sorted(row[1] for row in connection.execute(f"PRAGMA table_info({table})"))

    fresh = sqlite3.connect(":memory:")
    trial_cache.migrate(fresh)
    old = sqlite3.connect(":memory:")
    for version in range(2):
        old.executescript(trial_cache.MIGRATIONS[version])
    old.execute("PRAGMA user_version = 2")
    assert "registry" not in columns(old, "studies")
    trial_cache.migrate(old)
    for table in ("studies", "runs"):
        assert columns(old, table) == columns(fresh, table)


def test_a_status_change_in_a_later_export_goes_into_the_history(tmp_path, csv_file, capsys):
    rows = _csv_rows(csv_file)[:3]
    number = rows[0]["Trial number"]

    def write(path, selected):
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(selected)
        return path

    cache = tmp_path / "trials.sqlite"
    _import(cache, write(tmp_path / "first.csv", rows))
    later = [dict(rows[0], **{"Overall trial status": "Ended", "Last updated": "30/09/2025"}), *rows[1:]]
    _import(cache, write(tmp_path / "later.csv", later))
    assert "changed 1, unchanged 2" in capsys.readouterr().out
    with sqlite3.connect(cache) as connection:
        status_changes = connection.execute(
            "SELECT nct_id, new_value FROM changes WHERE kind = 'status'").fetchall()
    assert status_changes == [(number, "COMPLETED")]


def test_a_bad_row_is_skipped_with_its_line_and_a_file_that_is_not_text_stops(tmp_path, csv_file, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(cache, csv_file)
    header = csv_file.read_bytes().decode("utf-8-sig").splitlines()[0]
    first_trial = list(csv.reader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig"), newline="")))[1]
    written = io.StringIO(newline="")
    csv.writer(written).writerow(first_trial)
    short_row = tmp_path / "short.csv"
    short_row.write_bytes(("\ufeff" + header + "\n" + '"2024-512345-11-00","x"\n' + written.getvalue()).encode())
    capsys.readouterr()
    _import(cache, short_row)
    captured = capsys.readouterr()
    assert "short.csv line 2: skipped" in captured.err and "studies seen 1" in captured.out
    # A file of which no row can be read is a failed import: one line, the cache untouched.
    only_bad = tmp_path / "only_bad.csv"
    only_bad.write_bytes(("\ufeff" + header + "\n" + '"2024-512345-11-00","x"\n').encode())
    before = cache.read_bytes()
    _import(cache, only_bad, expect=1)
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no readable trial" in errors[0] and cache.read_bytes() == before
    not_text = tmp_path / "latin.csv"
    not_text.write_bytes(("\ufeff" + header + "\n").encode() + b"\xff\xfe\n")
    before = cache.read_bytes()
    _import(cache, not_text, expect=1)
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: latin.csv")
    assert cache.read_bytes() == before


def _paths(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path + (key,)
            yield from _paths(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:2]):
            yield path + (index,)
            yield from _paths(inner, path + (index,))


def test_a_retrieve_record_of_any_odd_shape_is_read_or_reported_never_a_crash():
    """Every field of a real record replaced, in turn, by values of the wrong JSON type: mapped and
    flattened, or refused as malformed, never an exception of another kind."""
    from mstrials.sources.ctgov_records import MalformedStudy, normalise_study
    from mstrials.sources.registries import v2_view

    record = json.loads(sorted(require_shared(RETRIEVE_DIR).glob("*.json"))[0].read_text(encoding="utf-8"))
    for path in _paths(record):
        if path == ("ctNumber",):
            continue
        for odd in (7, [1]):  # not an object, not text
            changed = copy.deepcopy(record)
            holder = changed
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = odd
            view = v2_view(changed)  # must not raise
            try:
                assert normalise_study(view.study, trial_id=view.trial_id).nct_id == record["ctNumber"]
            except MalformedStudy:
                pass
