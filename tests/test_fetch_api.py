"""The fetch script against a loopback copy of the API, over real HTTP."""
from __future__ import annotations

import copy
import hashlib
import math
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import load_script
from fake_api import FakeCtgovApi, Fault
from mstrials.store.cache import connect_readonly
from mstrials.store.export import export_rows
from study_factory import make_study, nct_id_of

fetch_trials = load_script("fetch_trials")


def serve(server, fake: FakeCtgovApi) -> str:
    server.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(fake.handle)
    return server.url_for("/api/v2")


def run_fetch(cache: Path, base_url: str, *extra: str) -> int:
    return fetch_trials.main(
        ["--cache", str(cache), "--registry", "ctgov", "--base-url", base_url, "--quiet", "--min-interval", "0", "--backoff", "0.01", *extra]
    )


def exported_ids(cache: Path) -> set[str]:
    connection = connect_readonly(cache)
    try:
        return {row["nct_id"] for row in export_rows(connection)}
    finally:
        connection.close()


def changes(cache: Path, run_id: int) -> set[tuple]:
    with sqlite3.connect(cache) as connection:
        return set(connection.execute(
            "SELECT nct_id, kind, old_value, new_value FROM changes WHERE run_id = ?", (run_id,)
        ))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def small_studies(count: int = 25) -> list[dict]:
    return [make_study(nct_id=f"NCT{90000000 + i:08d}", last_update="2025-01-10") for i in range(count)]


@pytest.fixture
def seeded_cache(tmp_path, loopback_api) -> Path:
    """A cache filled by one successful fetch of 25 small studies."""
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, FakeCtgovApi(small_studies()))) == 0
    loopback_api.clear()
    return cache


def test_full_fetch_of_the_real_corpus_keeps_exactly_the_ms_studies(
    tmp_path, loopback_api, corpus_studies, corpus_non_ms_ids
):
    fake = FakeCtgovApi(corpus_studies)
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0

    page_requests = fake.study_requests()
    assert len(page_requests) == math.ceil(len(corpus_studies) / 1000)
    assert all(params["pageSize"] == "1000" for params in page_requests)
    assert page_requests[0]["countTotal"] == "true" and "pageToken" not in page_requests[0]
    assert all("pageToken" in params and "countTotal" not in params for params in page_requests[1:])
    all_ids = {nct_id_of(study) for study in corpus_studies}
    assert corpus_non_ms_ids <= all_ids
    assert exported_ids(cache) == all_ids - corpus_non_ms_ids
    with sqlite3.connect(cache) as connection:
        run = connection.execute("SELECT mode, data_timestamp, seen, non_ms, new FROM runs").fetchall()
    assert run == [("full", fake.data_timestamp, len(all_ids), len(corpus_non_ms_ids), len(all_ids))]


def test_incremental_run_with_nothing_changed_makes_two_requests_and_records_nothing(
    tmp_path, loopback_api, corpus_studies
):
    fake = FakeCtgovApi(corpus_studies)
    cache = tmp_path / "trials.sqlite"
    base_url = serve(loopback_api, fake)
    assert run_fetch(cache, base_url) == 0
    fake.requests.clear()

    assert run_fetch(cache, base_url) == 0

    assert len(fake.requests) <= 2
    assert fake.study_requests()[0]["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2025-09-24,MAX]"
    assert changes(cache, 2) == set()
    with sqlite3.connect(cache) as connection:
        assert connection.execute("SELECT mode, changed, new FROM runs WHERE run_id = 2").fetchone() == (
            "incremental", 0, 0,
        )


def test_run_after_changes_records_exactly_those_changes(tmp_path, loopback_api, corpus_studies, corpus_non_ms_ids):
    studies = copy.deepcopy(corpus_studies)
    fake = FakeCtgovApi(studies)
    cache = tmp_path / "trials.sqlite"
    base_url = serve(loopback_api, fake)
    assert run_fetch(cache, base_url) == 0

    ms_studies = [s for s in studies if nct_id_of(s) not in corpus_non_ms_ids]
    stopped, delayed, both = ms_studies[10], ms_studies[20], ms_studies[30]
    expected = set()
    for study in (stopped, both):
        status = study["protocolSection"]["statusModule"]
        expected.add((nct_id_of(study), "status", status["overallStatus"], "TERMINATED"))
        status["overallStatus"] = "TERMINATED"
    for study in (delayed, both):
        struct = study["protocolSection"]["statusModule"]["primaryCompletionDateStruct"]
        expected.add((nct_id_of(study), "primary_completion_date", struct["date"], "2031-12"))
        struct["date"] = "2031-12"
    for study in (stopped, delayed, both):
        study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2025-10-02"
    fresh = make_study(nct_id="NCT99999999", last_update="2025-10-02")
    studies.append(fresh)
    expected.add(("NCT99999999", "new", None, "RECRUITING"))
    fake.data_timestamp = "2025-10-03T09:00:00"

    assert run_fetch(cache, base_url) == 0

    assert changes(cache, 2) == expected
    assert "NCT99999999" in exported_ids(cache)


def test_full_refresh_notices_studies_no_longer_listed(tmp_path, loopback_api):
    studies = small_studies()
    fake = FakeCtgovApi(studies)
    cache = tmp_path / "trials.sqlite"
    base_url = serve(loopback_api, fake)
    assert run_fetch(cache, base_url) == 0
    gone = {nct_id_of(studies.pop(3)), nct_id_of(studies.pop(7))}

    assert run_fetch(cache, base_url, "--full") == 0

    assert changes(cache, 2) == {(nct_id, "no_longer_listed", None, None) for nct_id in gone}
    assert exported_ids(cache) == {nct_id_of(s) for s in studies}


def test_429_with_retry_after_is_waited_out(tmp_path, loopback_api):
    fake = FakeCtgovApi(small_studies(), faults=[Fault(status=429, headers={"Retry-After": "1"})])
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    first, second = fake.request_times[:2]
    assert second - first >= 0.95
    assert len(exported_ids(cache)) == 25


def test_503_is_retried(tmp_path, loopback_api):
    fake = FakeCtgovApi(small_studies(), faults=[Fault(status=503), Fault(status=502)])
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    assert len(fake.requests) == 4  # two faults, then /version and the one page
    assert len(exported_ids(cache)) == 25


def test_persistent_503_fails_and_leaves_the_cache_untouched(seeded_cache, loopback_api, capsys):
    before = file_digest(seeded_cache)
    fake = FakeCtgovApi(small_studies(30), faults=[Fault(status=503)] * 10)
    assert run_fetch(seeded_cache, serve(loopback_api, fake), "--retries", "2") == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "503" in error[0]
    assert file_digest(seeded_cache) == before


def test_slow_response_beyond_the_timeout_is_retried(tmp_path, loopback_api):
    fake = FakeCtgovApi(small_studies(), faults=[Fault(delay_seconds=2.0)])
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake), "--timeout", "0.5") == 0
    assert len(exported_ids(cache)) == 25


def test_always_slow_api_fails_cleanly(seeded_cache, loopback_api, capsys):
    before = file_digest(seeded_cache)
    fake = FakeCtgovApi(small_studies(), faults=[Fault(delay_seconds=1.5)] * 5)
    assert run_fetch(seeded_cache, serve(loopback_api, fake), "--timeout", "0.3", "--retries", "1") == 1
    assert "error:" in capsys.readouterr().err
    assert file_digest(seeded_cache) == before


def test_connection_refused_fails_with_one_line(seeded_cache, capsys):
    before = file_digest(seeded_cache)
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago, so nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert run_fetch(seeded_cache, f"http://127.0.0.1:{port}/api/v2", "--retries", "1") == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error:") and "127.0.0.1" in error[0]
    assert file_digest(seeded_cache) == before


def test_truncated_json_body_fails_and_leaves_the_cache_untouched(seeded_cache, loopback_api, capsys):
    before = file_digest(seeded_cache)
    fake = FakeCtgovApi(small_studies(30), faults=[Fault(), Fault(truncate_body=True)])
    assert run_fetch(seeded_cache, serve(loopback_api, fake), "--full") == 1
    assert "not complete JSON" in capsys.readouterr().err
    assert file_digest(seeded_cache) == before


def test_malformed_studies_in_a_page_are_reported_and_skipped(tmp_path, loopback_api, capsys):
    studies = small_studies(5)
    no_id = make_study()
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    wrong_type = make_study(nct_id="NCT91111111")
    wrong_type["protocolSection"]["conditionsModule"]["conditions"] = "Multiple Sclerosis"
    fake = FakeCtgovApi([studies[0], no_id, *studies[1:3], wrong_type, *studies[3:]])
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    err = capsys.readouterr().err
    assert "page 1 item 2" in err and "nctId" in err
    assert "page 1 item 5" in err and "conditions" in err
    assert exported_ids(cache) == {nct_id_of(s) for s in studies}
    with sqlite3.connect(cache) as connection:
        assert connection.execute("SELECT malformed, seen FROM runs").fetchone() == (2, 7)


def test_duplicate_studies_across_pages_are_kept_once(tmp_path, loopback_api):
    studies = [make_study(nct_id=f"NCT{80000000 + i:08d}") for i in range(2500)]
    fake = FakeCtgovApi(studies, duplicate_across_pages=True)
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    assert len(fake.study_requests()) == 3
    assert exported_ids(cache) == {nct_id_of(s) for s in studies}
    with sqlite3.connect(cache) as connection:
        assert connection.execute("SELECT seen, new FROM runs").fetchone() == (2500, 2500)
        assert connection.execute("SELECT COUNT(*) FROM changes WHERE kind = 'new'").fetchone() == (2500,)


def test_unknown_parameter_gets_a_plain_text_400_reported_in_one_line(loopback_api):
    from mstrials.sources.ctgov_api import ApiClient, ApiError, FetchSettings

    base_url = serve(loopback_api, FakeCtgovApi(small_studies()))
    with ApiClient(FetchSettings(base_url=base_url, min_interval_seconds=0, retries=0)) as client:
        with pytest.raises(ApiError, match=r"HTTP 400: Unknown parameter: query\.bogus"):
            client.get_json("/studies", {"query.bogus": "x"})


def test_requests_are_spaced_by_the_politeness_interval_even_when_retrying(tmp_path, loopback_api):
    studies = [make_study(nct_id=f"NCT{60000000 + i:08d}") for i in range(2100)]
    fake = FakeCtgovApi(studies, faults=[Fault(), Fault(status=503)])
    cache = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache), "--registry", "ctgov", "--base-url", serve(loopback_api, fake), "--quiet",
                              "--min-interval", "0.4", "--backoff", "0"]) == 0
    times = fake.request_times
    assert len(times) == 5  # /version, a 503, then three pages
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= 0.38
