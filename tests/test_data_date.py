""""Data as of" is the data's own date, never the moment of an import."""
from __future__ import annotations

import gzip
import json
import sqlite3

from conftest import load_script
from fake_api import FakeCtgovApi
from mstrials.store import history
from study_factory import make_study
from test_fetch_api import run_fetch, serve

fetch_trials = load_script("fetch_trials")


def last_data_timestamp(cache) -> str | None:
    with sqlite3.connect(cache) as connection:
        return connection.execute("SELECT data_timestamp FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()[0]


def test_an_import_of_the_real_corpus_is_dated_by_its_newest_record(tmp_path, corpus_file, corpus_non_ms_ids):
    cache = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache), "--from-file", str(corpus_file), "--quiet"]) == 0
    with gzip.open(corpus_file, "rt") as lines:
        studies = [json.loads(line) for line in lines]
    newest = max(
        s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] for s in studies
        if s["protocolSection"]["identificationModule"]["nctId"] not in corpus_non_ms_ids
    )
    assert last_data_timestamp(cache) == newest
    assert newest.startswith("2025-09")


def test_a_full_record_is_dated_by_its_version_holder(tmp_path, ctgov_dir):
    cache = tmp_path / "trials.sqlite"
    record = ctgov_dir / "studies" / "NCT03569618.json"
    assert fetch_trials.main(["--cache", str(cache), "--from-file", str(record), "--quiet"]) == 0
    assert last_data_timestamp(cache) == json.loads(record.read_text())["derivedSection"]["miscInfoModule"]["versionHolder"]


def test_a_fetch_is_dated_by_the_registry_timestamp(tmp_path, loopback_api):
    fake = FakeCtgovApi([make_study(nct_id="NCT00000011", last_update="2025-01-01")], data_timestamp="2025-09-30T21:00:00")
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    assert last_data_timestamp(cache) == "2025-09-30T21:00:00"


def test_if_older_than_skips_a_fresh_cache_and_fetches_a_stale_one(tmp_path, loopback_api, capsys):
    fake = FakeCtgovApi([make_study(nct_id="NCT00000012")])
    cache = tmp_path / "trials.sqlite"
    base_url = serve(loopback_api, fake)
    assert run_fetch(cache, base_url, "--if-older-than", "24") == 0  # no cache yet: fetches
    fake.requests.clear()
    assert run_fetch(cache, base_url, "--if-older-than", "24") == 0
    assert fake.requests == []
    with sqlite3.connect(cache) as connection:
        connection.execute("UPDATE runs SET finished_at = '2020-01-01T00:00:00+00:00'")
    assert run_fetch(cache, base_url, "--if-older-than", "24") == 0
    assert len(fake.study_requests()) == 1


def test_stale_data_is_recognised():
    fresh = history.DataAsOf("2026-11-25T09:00:00", "2026-11-26T09:00:00+00:00", "api")
    import pandas as pd

    assert not fresh.is_stale(pd.Timestamp("2026-12-01", tz="UTC"))
    assert fresh.is_stale(pd.Timestamp("2026-12-10", tz="UTC"))
