"""A fetch never believes a short answer, never waits without bound, and fails in one line.

Every case runs the real fetch script over real HTTP against loopback servers that misbehave
the way broken proxies, overloaded registries and hostile hosts do.
"""
from __future__ import annotations

import gzip
import re
import json
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from conftest import load_script
from fake_api import FakeCtgovApi, Fault
from mstrials.sources import ctgov_api as api
from study_factory import make_study, nct_id_of
from test_fetch_api import changes, exported_ids, file_digest, run_fetch, serve, small_studies

fetch_trials = load_script("fetch_trials")


def one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:")
    return lines[0]


def serve_pages(server, answer) -> str:
    """Serve /version normally and /studies with `answer(params) -> dict` (as JSON)."""
    def handler(request):
        if request.path.endswith("/version"):
            return Response(json.dumps({"apiVersion": "2.0.5", "dataTimestamp": "2025-09-25T09:00:00"}),
                            mimetype="application/json")
        return Response(json.dumps(answer(dict(request.args))), mimetype="application/json")

    server.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(handler)
    return server.url_for("/api/v2")


@pytest.fixture
def seeded(tmp_path, loopback_api) -> Path:
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, FakeCtgovApi(small_studies()))) == 0
    loopback_api.clear()
    return cache


@pytest.fixture
def imported_only(tmp_path) -> Path:
    """A cache that so far only had an import (its next fetch is taken as a full one)."""
    cache = tmp_path / "trials.sqlite"
    source = tmp_path / "download.json"
    source.write_text(json.dumps(small_studies()))
    assert fetch_trials.main(["--cache", str(cache), "--from-file", str(source), "--quiet"]) == 0
    return cache


# --- 1. completeness ---------------------------------------------------------------------------

@pytest.mark.parametrize("served", [0, 10])
@pytest.mark.parametrize("mode", ["--full", "first fetch after imports"])
def test_a_short_listing_changes_nothing(seeded, imported_only, loopback_api, capsys, served, mode):
    cache = seeded if mode == "--full" else imported_only
    before = file_digest(cache)
    studies = small_studies()[:served]
    base_url = serve_pages(loopback_api, lambda params: {"studies": studies, "totalCount": 2712})
    extra = ("--full",) if mode == "--full" else ()

    assert run_fetch(cache, base_url, *extra) == 1

    line = one_error_line(capsys)
    assert f"answered with {served} of 2,712 studies" in line and "nothing changed" in line
    assert file_digest(cache) == before
    assert len(exported_ids(cache)) == 25


def test_a_listing_without_a_total_is_not_taken_as_complete(seeded, loopback_api, capsys):
    before = file_digest(seeded)
    base_url = serve_pages(loopback_api, lambda params: {"studies": small_studies()[:3]})
    assert run_fetch(seeded, base_url, "--full") == 1
    assert "totalCount" in one_error_line(capsys)
    assert file_digest(seeded) == before


def test_a_few_studies_changing_during_the_run_are_tolerated(tmp_path, loopback_api):
    studies = [make_study(nct_id=f"NCT{70000000 + i:08d}") for i in range(300)]
    # The registry counted 302 (two were withdrawn while we paged): within 1 %.
    base_url = serve_pages(loopback_api, lambda params: {"studies": studies, "totalCount": 302})
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, base_url) == 0
    assert len(exported_ids(cache)) == 300


def test_a_sudden_drop_needs_accept_removals(seeded, loopback_api, capsys):
    before = file_digest(seeded)
    remaining = small_studies()[:20]  # 5 of 25 (20 %) would go
    fake = FakeCtgovApi(remaining)
    base_url = serve(loopback_api, fake)

    assert run_fetch(seeded, base_url, "--full") == 1
    line = one_error_line(capsys)
    assert "5 of 25" in line and "--accept-removals" in line
    assert file_digest(seeded) == before

    assert run_fetch(seeded, base_url, "--full", "--accept-removals") == 0
    gone = {nct_id_of(s) for s in small_studies()[20:]}
    assert changes(seeded, 2) == {(nct_id, "no_longer_listed", None, None) for nct_id in gone}


def test_imports_never_mark_trials_as_no_longer_listed(imported_only, tmp_path):
    smaller = tmp_path / "smaller.json"
    smaller.write_text(json.dumps(small_studies()[:3]))
    assert fetch_trials.main(["--cache", str(imported_only), "--from-file", str(smaller), "--quiet"]) == 0
    with sqlite3.connect(imported_only) as connection:
        assert connection.execute("SELECT COUNT(*) FROM changes WHERE kind = 'no_longer_listed'").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM studies WHERE removed_run IS NOT NULL").fetchone() == (0,)


def test_accept_removals_is_refused_for_imports(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        fetch_trials.main(["--cache", str(tmp_path / "c.sqlite"), "--from-file", "x.json", "--accept-removals"])
    assert exit_info.value.code == 2


# --- 3. bounded waits and loops -------------------------------------------------------------------

def test_an_absurd_retry_after_is_not_sat_out(seeded, loopback_api, capsys):
    before = file_digest(seeded)
    fake = FakeCtgovApi(small_studies(), faults=[Fault(status=429, headers={"Retry-After": "100000"})])
    started = time.monotonic()
    assert run_fetch(seeded, serve(loopback_api, fake), "--full") == 1
    assert time.monotonic() - started < 10
    line = one_error_line(capsys)
    assert "wait about 28 hours" in line and "UTC" in line
    assert file_digest(seeded) == before


def test_a_retry_after_within_the_cap_is_honoured_and_a_date_form_works(tmp_path, loopback_api):
    from email.utils import formatdate

    soon = formatdate(time.time() + 2, usegmt=True)
    fake = FakeCtgovApi(small_studies(), faults=[Fault(status=503, headers={"Retry-After": soon})])
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    assert fake.request_times[1] - fake.request_times[0] >= 0.9


def test_an_unparseable_retry_after_falls_back_to_the_backoff(tmp_path, loopback_api):
    fake = FakeCtgovApi(small_studies(), faults=[Fault(status=429, headers={"Retry-After": "soon-ish"})] * 2)
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve(loopback_api, fake)) == 0
    assert len(exported_ids(cache)) == 25


def test_a_body_dripping_one_byte_at_a_time_hits_the_deadline(seeded, loopback_api, capsys):
    before = file_digest(seeded)
    stop = threading.Event()

    def drip(request):
        def body():
            for byte in b'{"studies": [':
                if stop.wait(1.0):
                    return
                yield bytes([byte])
        return Response(body(), mimetype="application/json")

    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(drip)
    started = time.monotonic()
    try:
        code = run_fetch(seeded, loopback_api.url_for("/api/v2"), "--timeout", "5", "--deadline", "3")
    finally:
        stop.set()
    assert code == 1
    assert time.monotonic() - started < 8
    assert "within 3 s" in one_error_line(capsys)
    assert file_digest(seeded) == before


def test_headers_dripping_one_byte_at_a_time_hit_the_deadline(seeded, capsys):
    """A raw socket server that never finishes its status line: no read timeout ever trips."""
    before = file_digest(seeded)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve_forever():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                    if stop.wait(0.5):
                        break
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=serve_forever, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        code = run_fetch(seeded, f"http://127.0.0.1:{listener.getsockname()[1]}/api/v2",
                         "--timeout", "5", "--deadline", "2", "--retries", "0")
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    assert code == 1
    assert time.monotonic() - started < 6
    one_error_line(capsys)
    assert file_digest(seeded) == before


def test_retries_stop_at_the_deadline(seeded, loopback_api, capsys):
    fake = FakeCtgovApi(small_studies(), faults=[Fault(status=503)] * 50)
    started = time.monotonic()
    assert fetch_trials.main(["--cache", str(seeded), "--registry", "ctgov", "--base-url", serve(loopback_api, fake), "--quiet",
                              "--min-interval", "0", "--backoff", "1", "--retries", "20", "--deadline", "3"]) == 1
    assert time.monotonic() - started < 6
    one_error_line(capsys)


def test_default_waits_add_up_to_under_two_minutes():
    settings = api.FetchSettings(base_url="http://127.0.0.1:1")
    # The deadline bounds every request, retries and waits included; the join allows 0.5 s more.
    assert settings.deadline_seconds + 0.5 < 120
    assert settings.retry_after_cap_seconds <= 120


def test_same_studies_under_fresh_tokens_are_a_loop(seeded, loopback_api, capsys):
    before = file_digest(seeded)
    counter = iter(range(10_000))
    studies = small_studies()[:5]
    base_url = serve_pages(loopback_api, lambda params: {
        "studies": studies, "totalCount": 5000, "nextPageToken": f"t{next(counter)}"})
    assert run_fetch(seeded, base_url, "--full") == 1
    assert "already sent" in one_error_line(capsys)
    assert file_digest(seeded) == before


def test_empty_pages_under_fresh_tokens_end_the_listing(seeded, loopback_api, capsys):
    counter = iter(range(10_000))
    base_url = serve_pages(loopback_api, lambda params: {
        "studies": [], "totalCount": 25, "nextPageToken": f"t{next(counter)}"})
    assert run_fetch(seeded, base_url, "--full") == 1
    assert "answered with 0 of 25" in one_error_line(capsys)


def test_endless_new_studies_beyond_the_total_are_a_loop(seeded, loopback_api, capsys):
    counter = iter(range(10_000))

    def answer(params):
        page = next(counter)
        return {"studies": [make_study(nct_id=f"NCT{50000000 + page * 10 + i:08d}") for i in range(10)],
                "totalCount": 30, "nextPageToken": f"t{page}"}

    fetch = ["--cache", str(seeded), "--registry", "ctgov", "--base-url", serve_pages(loopback_api, answer), "--quiet",
             "--min-interval", "0", "--full"]
    api_settings_page_size = api.MAX_PAGE_SIZE
    assert api_settings_page_size >= 10
    assert fetch_trials.main(fetch) == 1
    assert "pages for 30 studies" in one_error_line(capsys)
    assert next(counter) <= 4  # ceil(30 / 1000) + 2 pages allowed, then stop


def test_the_empty_page_after_a_last_full_page_ends_normally(tmp_path, loopback_api):
    """The real API's quirk: a token after the page that held the last studies, then an empty page."""
    studies = [make_study(nct_id=f"NCT{40000000 + i:08d}") for i in range(2000)]

    def answer(params):
        if params.get("pageToken") == "second":
            return {"studies": studies[1000:], "nextPageToken": "third"}
        if params.get("pageToken") == "third":
            return {"studies": []}
        return {"studies": studies[:1000], "totalCount": 2000, "nextPageToken": "second"}

    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, serve_pages(loopback_api, answer)) == 0
    assert len(exported_ids(cache)) == 2000


# --- 5. redirects, control characters ----------------------------------------------------------------

def test_a_redirect_to_another_host_is_refused(seeded, loopback_api, capsys):
    before = file_digest(seeded)
    port = loopback_api.port
    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_response(
        Response("", status=302, headers={"Location": f"http://localhost:{port}/elsewhere"}))
    assert run_fetch(seeded, f"http://127.0.0.1:{port}/api/v2") == 1
    line = one_error_line(capsys)
    assert "another host" in line and "localhost" in line
    assert file_digest(seeded) == before


def test_a_redirect_on_the_same_host_is_followed(tmp_path, loopback_api):
    fake = FakeCtgovApi(small_studies())

    def handler(request):
        if request.path.startswith("/old/"):
            query = request.query_string.decode()
            return Response("", status=301, headers={"Location": request.path.replace("/old", "", 1) + "?" + query})
        return fake.handle(request)

    loopback_api.expect_request(re.compile(r"^/.*")).respond_with_handler(handler)
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, loopback_api.url_for("/old/api/v2")) == 0
    assert len(exported_ids(cache)) == 25


def test_error_bodies_lose_their_terminal_escape_codes(seeded, loopback_api, capsys):
    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_response(
        Response("\x1b[2J\x1b]0;owned\x07bad \x1b[31mrequest\x1b[0m\r\nmore\x00", status=400))
    assert run_fetch(seeded, loopback_api.url_for("/api/v2")) == 1
    line = one_error_line(capsys)
    assert "bad request more" in line
    assert not any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 for ch in line)


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"),
    ("a\x1b[1;31mb\x1b[0mc", "a b c"),
    ("tab\tand\nnewline", "tab and newline"),
    ("c1\x9bcontrol", "c1 control"),
    ("é and ü stay", "é and ü stay"),
])
def test_printable(text, expected):
    assert api.printable(text) == expected


def test_deeply_nested_json_from_the_api_is_one_line(seeded, loopback_api, capsys):
    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_response(
        Response("[" * 100_000 + "]" * 100_000, mimetype="application/json"))
    assert run_fetch(seeded, loopback_api.url_for("/api/v2")) == 1
    assert "nested too deeply" in one_error_line(capsys)


def test_gzip_is_still_accepted(tmp_path, loopback_api):
    """The streaming body reader must still decode Content-Encoding: gzip."""
    fake = FakeCtgovApi(small_studies())

    def handler(request):
        response = fake.handle(request)
        response.set_data(gzip.compress(response.get_data()))
        response.headers["Content-Encoding"] = "gzip"
        return response

    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(handler)
    cache = tmp_path / "trials.sqlite"
    assert run_fetch(cache, loopback_api.url_for("/api/v2")) == 0
    assert len(exported_ids(cache)) == 25
