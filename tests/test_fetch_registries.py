"""`fetch_trials.py --registry ctgov|ctis|all` over real loopback HTTP: both registries, each in its own
run, so that a failing CTIS never costs the ClinicalTrials.gov part (and the other way round)."""
from __future__ import annotations

import copy
import json
import re
import socket
import sqlite3

import pytest

from conftest import SHARED_DIR, load_script, require_shared
from fake_api import FakeCtgovApi
from fake_ctis_api import API_PREFIX, FakeCtisApi, Fault
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
RETRIEVE_DIR = SHARED_DIR / "ctis" / "retrieve"


@pytest.fixture(scope="module")
def real_records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(require_shared(RETRIEVE_DIR).glob("*.json"))]


def ms_records(real_records: list[dict], count: int) -> list[dict]:
    """Real retrieve records, each with its own number and an MS condition (the real ones are not MS trials)."""
    records = []
    for index in range(count):
        record = copy.deepcopy(real_records[index % len(real_records)])
        record["ctNumber"] = f"2024-5{index:05d}-21-00"
        part_one = record["authorizedApplication"]["authorizedPartI"]
        part_one["medicalConditions"] = [{"medicalCondition": "Primary progressive multiple sclerosis"}]
        records.append(record)
    return records


def serve_both(server, ctgov: FakeCtgovApi, ctis: FakeCtisApi | None) -> tuple[str, str]:
    server.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(ctgov.handle)
    if ctis is not None:
        server.expect_request(re.compile(f"^{API_PREFIX}/.*")).respond_with_handler(ctis.handle)
    return server.url_for("/api/v2"), server.url_for(API_PREFIX)


def run(cache, ctgov_url: str, ctis_url: str, *extra: str) -> int:
    return fetch_trials.main(["--cache", str(cache), "--base-url", ctgov_url, "--ctis-base-url", ctis_url, "--quiet",
                              "--min-interval", "0", "--backoff", "0.01", "--retries", "1", *extra])


def stored(cache) -> dict[str, tuple]:
    with sqlite3.connect(cache) as connection:
        return {row[0]: row[1:] for row in connection.execute("SELECT nct_id, registry, removed_run, raw_json FROM studies")}


def free_port_url() -> str:
    with socket.socket() as probe:  # free a moment ago, so nothing listens there
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}{API_PREFIX}"


def ctgov_fake() -> FakeCtgovApi:
    return FakeCtgovApi([make_study(nct_id=f"NCT{95000000 + i:08d}") for i in range(4)])


def test_all_fetches_both_registries_with_one_line_each(tmp_path, loopback_api, real_records, capsys):
    ctis = FakeCtisApi(ms_records(real_records, 5))
    cache = tmp_path / "trials.sqlite"
    assert run(cache, *serve_both(loopback_api, ctgov_fake(), ctis)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["ClinicalTrials.gov", "CTIS"]
    assert "MS kept 5" in lines[1]
    rows = stored(cache)
    assert sorted(r[0] for r in rows.values()) == ["ctgov"] * 4 + ["ctis"] * 5
    # The full record of each trial is fetched and kept as received.
    assert {json.loads(rows[r["ctNumber"]][2])["ctNumber"] for r in ctis.records} == {r["ctNumber"] for r in ctis.records}
    assert all("authorizedApplication" in json.loads(rows[r["ctNumber"]][2]) for r in ctis.records)


def test_an_unchanged_trial_is_not_retrieved_again(tmp_path, loopback_api, real_records, capsys):
    ctis = FakeCtisApi(ms_records(real_records, 3))
    urls = serve_both(loopback_api, ctgov_fake(), ctis)
    cache = tmp_path / "trials.sqlite"
    assert run(cache, *urls, "--registry", "ctis") == 0
    ctis.requests.clear()
    ctis.records[0]["lastUpdated"] = "30/09/2025"  # one trial updated since
    capsys.readouterr()
    assert run(cache, *urls, "--registry", "ctis") == 0
    retrieved = [path for method, path, _ in ctis.requests if "/retrieve/" in path]
    assert retrieved == [f"{API_PREFIX}/retrieve/{ctis.records[0]['ctNumber']}"]
    assert "changed 1, unchanged 2" in capsys.readouterr().out


@pytest.mark.parametrize("failure", ["offline", "server_error", "short_listing"])
def test_a_failing_ctis_leaves_its_trials_and_lets_ctgov_land(tmp_path, loopback_api, real_records, capsys, failure):
    cache = tmp_path / "trials.sqlite"
    first = FakeCtisApi(ms_records(real_records, 3))
    server = loopback_api
    ctgov = FakeCtgovApi([make_study(nct_id="NCT95000001")])
    ctgov_url, ctis_url = serve_both(server, ctgov, first)
    assert run(cache, ctgov_url, ctis_url) == 0
    ctis_before = {k: v for k, v in stored(cache).items() if v[0] == "ctis"}
    ctgov.studies = [make_study(nct_id="NCT95000001"), make_study(nct_id="NCT95000002", last_update="2026-11-30")]
    first.records = ms_records(real_records, 4)
    if failure == "offline":
        ctis_url = free_port_url()
    elif failure == "server_error":
        first.faults = [Fault(status=503)] * 10
    else:
        first.short_by = 2
    capsys.readouterr()
    assert run(cache, ctgov_url, ctis_url) == 1
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert errors[0].startswith("error: CTIS:") and "CTIS failed" in errors[-1] and len(errors) == 2
    assert captured.out.startswith("ClinicalTrials.gov ")  # its line, and the part that landed
    rows = stored(cache)
    assert {k for k, v in rows.items() if v[0] == "ctgov"} == {"NCT95000001", "NCT95000002"}
    assert {k: v for k, v in rows.items() if v[0] == "ctis"} == ctis_before


def test_a_failing_ctgov_still_lets_ctis_land_and_says_so(tmp_path, loopback_api, real_records, capsys):
    ctis = FakeCtisApi(ms_records(real_records, 2))
    _, ctis_url = serve_both(loopback_api, ctgov_fake(), ctis)
    cache = tmp_path / "trials.sqlite"
    assert run(cache, free_port_url().replace(API_PREFIX, "/api/v2"), ctis_url) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0].startswith("error: ClinicalTrials.gov:") and "ClinicalTrials.gov failed" in errors[-1]
    assert sorted(v[0] for v in stored(cache).values()) == ["ctis", "ctis"]


def test_each_full_listing_unlists_only_its_own_registrys_trials(tmp_path, loopback_api, real_records):
    ctis = FakeCtisApi(ms_records(real_records, 3))
    ctgov = ctgov_fake()
    urls = serve_both(loopback_api, ctgov, ctis)
    cache = tmp_path / "trials.sqlite"
    assert run(cache, *urls) == 0
    dropped = ctis.records.pop()["ctNumber"]
    assert run(cache, *urls, "--full", "--accept-removals") == 0
    removed = {k for k, v in stored(cache).items() if v[1] is not None}
    assert removed == {dropped}


def test_if_older_than_is_judged_per_registry(tmp_path, loopback_api, real_records):
    ctis = FakeCtisApi(ms_records(real_records, 2))
    ctgov = ctgov_fake()
    urls = serve_both(loopback_api, ctgov, ctis)
    cache = tmp_path / "trials.sqlite"
    assert run(cache, *urls, "--registry", "ctgov") == 0
    ctgov.requests.clear()
    assert run(cache, *urls, "--if-older-than", "24") == 0
    assert ctgov.requests == [] and ctis.search_bodies()  # ClinicalTrials.gov is fresh; CTIS was never fetched
