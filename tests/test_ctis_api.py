"""The CTIS client over real loopback HTTP, against tests/fake_ctis_api.py fed with the real records."""
from __future__ import annotations

import copy
import json
import re
import time

import pytest

from mstrials.sources.ctgov_api import ApiError, Listing
from mstrials.sources.ctis_api import CtisClient, ctis_settings, fetch_search_pages, fetch_trial
from tests.conftest import SHARED_DIR, require_shared
from tests.fake_ctis_api import API_PREFIX, FakeCtisApi, Fault

RETRIEVE_DIR = SHARED_DIR / "ctis" / "retrieve"


@pytest.fixture(scope="module")
def real_records() -> list[dict]:
    folder = require_shared(RETRIEVE_DIR)
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def _many(records: list[dict], count: int) -> list[dict]:
    """`count` records cloned from the real ones, each with its own trial number."""
    clones = []
    for index in range(count):
        record = copy.deepcopy(records[index % len(records)])
        record["ctNumber"] = f"2024-5{index:05d}-11-00"
        clones.append(record)
    return clones


def _serve(server, fake: FakeCtisApi) -> CtisClient:
    server.expect_request(f"{API_PREFIX}/search").respond_with_handler(fake.handle)
    server.expect_request(re.compile(f"{API_PREFIX}/retrieve/.*")).respond_with_handler(fake.handle)
    return CtisClient(ctis_settings(base_url=server.url_for(API_PREFIX), min_interval_seconds=0.05,
                                    backoff_factor=0.05, page_size=3, deadline_seconds=5.0))


def test_pages_through_total_records(loopback_api, real_records):
    fake = FakeCtisApi(_many(real_records, 8))
    listing = Listing()
    with _serve(loopback_api, fake) as client:
        pages = list(fetch_search_pages(client, listing=listing))
    assert [len(page.trials) for page in pages] == [3, 3, 2]
    assert [body["pagination"]["page"] for body in fake.search_bodies()] == [1, 2, 3]
    assert all(body["pagination"]["size"] == 3 and body["searchCriteria"] for body in fake.search_bodies())
    assert listing.total_count == 8 and len(listing.ids) == 8
    assert all(method == "POST" for method, path, _ in fake.requests)


def test_short_answer_is_an_error(loopback_api, real_records):
    fake = FakeCtisApi(_many(real_records, 8), short_by=3)
    with _serve(loopback_api, fake) as client, pytest.raises(ApiError, match="answered with 5 of 8"):
        list(fetch_search_pages(client))


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_then_succeeds(loopback_api, real_records, status):
    fake = FakeCtisApi(_many(real_records, 2), faults=[Fault(status=status, headers={"Retry-After": "0"}), Fault(status=status)])
    with _serve(loopback_api, fake) as client:
        pages = list(fetch_search_pages(client))
    assert sum(len(page.trials) for page in pages) == 2
    assert len(fake.requests) == 3
    gaps = [b - a for a, b in zip(fake.request_times, fake.request_times[1:])]
    assert min(gaps) >= 0.04  # never sooner than the politeness interval


def test_persistent_failure_gives_one_line(loopback_api, real_records):
    fake = FakeCtisApi(_many(real_records, 2), faults=[Fault(status=502)] * 10)
    settings = ctis_settings(base_url=loopback_api.url_for(API_PREFIX), min_interval_seconds=0.01, backoff_factor=0.01, retries=2)
    _serve(loopback_api, fake).close()
    with CtisClient(settings) as client, pytest.raises(ApiError) as caught:
        list(fetch_search_pages(client))
    assert "\n" not in str(caught.value) and ("502" in str(caught.value) or "retries" in str(caught.value))


def test_deadline_is_respected(loopback_api, real_records):
    fake = FakeCtisApi(_many(real_records, 2), faults=[Fault(delay_seconds=5.0)])
    _serve(loopback_api, fake).close()
    settings = ctis_settings(base_url=loopback_api.url_for(API_PREFIX), min_interval_seconds=0.01, deadline_seconds=1.0, timeout_seconds=30)
    started = time.monotonic()
    with CtisClient(settings) as client, pytest.raises(ApiError, match="within 1 s"):
        list(fetch_search_pages(client))
    assert time.monotonic() - started < 3.0


def test_retrieve_by_number(loopback_api, real_records):
    fake = FakeCtisApi(real_records)
    with _serve(loopback_api, fake) as client:
        record = fetch_trial(client, "2024-510663-34-00")
        assert record["ctNumber"] == "2024-510663-34-00"
        assert record["authorizedApplication"]["authorizedPartsII"]
        with pytest.raises(ApiError, match="404"):
            fetch_trial(client, "2024-599999-34-00")
        with pytest.raises(ApiError, match="not a CTIS trial number"):
            fetch_trial(client, "../search")
    assert all("search" not in path for _, path, _ in fake.requests)
