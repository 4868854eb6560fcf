"""Network layer for CTIS: its public search (POST, JSON body, numbered pages) and retrieve endpoints.

Same manners as `api.py` for ClinicalTrials.gov: urllib3 retries with the politeness interval as the
shortest wait, a whole-request deadline, a body-size cap, no redirects to another host, and a listing
that counts only when it matches the registry's `totalRecords`. Yields what came back; no saving here.
"""
from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

from requests.adapters import HTTPAdapter

from mstrials.sources.ctgov_api import (
    MAX_BODY_BYTES, RETRY_STATUSES, ApiClient, ApiError, FetchSettings, Listing, PoliteRetry, Politeness,
    _DeadlineReached, _SameHostSession, printable,
)
from mstrials.sources.ctis_files import is_ctis_number

CTIS_BASE_URL = "https://euclinicaltrials.eu/ctis-public-api"
CTIS_PAGE_SIZE = 100  # the portal's own page size; larger pages are not known to work
CTIS_SEARCH_LIMIT = 10_000  # the search serves no record past this many
MS_CRITERIA = {"medicalCondition": "multiple sclerosis"}


def ctis_settings(base_url: str = CTIS_BASE_URL, **overrides: Any) -> FetchSettings:
    return FetchSettings(base_url=base_url, page_size=overrides.pop("page_size", CTIS_PAGE_SIZE), **overrides)


@dataclass(frozen=True)
class CtisPage:
    number: int
    trials: list[Any]
    total_records: int | None


class CtisClient(ApiClient):
    """ApiClient's session, retries and deadline, for POST as well as GET (the search only reads)."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.politeness = Politeness(settings.min_interval_seconds)
        self.session = _SameHostSession()
        self.session.max_redirects = 5
        self.session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
        self._retry = PoliteRetry(
            min_backoff=settings.min_interval_seconds, total=settings.retries, connect=settings.retries,
            read=settings.retries, status=settings.retries, other=0, status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}), backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max_seconds, respect_retry_after_header=True, raise_on_status=False,
            retry_after_cap=settings.retry_after_cap_seconds,
        )
        self._adapter = HTTPAdapter(max_retries=self._retry)
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)

    def post_json(self, path: str, body: dict) -> Any:
        return self._request_json("POST", path, body)

    def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self._request_json("GET", path, None, params)

    def _request_json(self, method: str, path: str, body: dict | None, params: dict[str, str] | None = None) -> Any:
        url = f"{self.settings.base_url}{path}"
        self.politeness.wait()
        deadline = time.monotonic() + self.settings.deadline_seconds
        self._adapter.max_retries = self._retry.with_deadline(deadline)
        outcome: dict[str, Any] = {}
        cancelled = threading.Event()

        def attempt() -> None:
            try:
                outcome["value"] = self._body(method, url, body, params, deadline, cancelled)
            except BaseException as error:  # handed to the waiting thread below
                outcome["error"] = error

        # As in ApiClient.get_json: a daemon thread, so no server can hold the run past the deadline.
        worker = threading.Thread(target=attempt, name="ctis-request", daemon=True)
        worker.start()
        worker.join(max(0.0, deadline - time.monotonic()) + 0.5)
        self.politeness.done()
        if worker.is_alive():
            cancelled.set()
            raise ApiError(f"{url}: no complete answer within {self.settings.deadline_seconds:g} s; giving up")
        if "error" in outcome:
            raise self._as_api_error(url, outcome["error"]) from outcome["error"]
        status, reason, raw = outcome["value"]
        if status != 200:
            detail = printable(raw.decode("utf-8", "replace"))
            raise ApiError(f"{url} answered HTTP {status}: {detail or printable(reason or '')}")
        try:
            return json.loads(raw)
        except RecursionError as error:
            raise ApiError(f"{url} sent JSON nested too deeply to be a registry answer") from error
        except ValueError as error:
            raise ApiError(f"{url} sent a response that is not complete JSON ({printable(str(error))})") from error

    def _body(self, method: str, url: str, body: dict | None, params: dict[str, str] | None, deadline: float,
              cancelled: threading.Event) -> tuple[int, str, bytes]:
        response = self.session.request(
            method, url, json=body, params=params, stream=True,
            timeout=(self.settings.connect_timeout_seconds, self.settings.timeout_seconds),
        )
        with response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(chunk_size=1 << 16):
                if cancelled.is_set() or time.monotonic() > deadline:
                    raise _DeadlineReached()
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ApiError(f"{url} sent more than {MAX_BODY_BYTES >> 20} MB for one answer; stopping")
                chunks.append(chunk)
            return response.status_code, response.reason, b"".join(chunks)


def search_body(page: int, size: int, criteria: dict | None = None) -> dict:
    """The JSON the search expects: criteria, a 1-based page, and the portal's default order."""
    return {
        "pagination": {"page": page, "size": size},
        "sort": {"property": "decisionDate", "direction": "DESC"},
        "searchCriteria": dict(MS_CRITERIA if criteria is None else criteria),
    }


def _total_records(body: dict) -> int | None:
    total = body.get("pagination", {}).get("totalRecords") if isinstance(body.get("pagination"), dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None


def fetch_search_pages(client: CtisClient, criteria: dict | None = None, listing: Listing | None = None) -> Iterator[CtisPage]:
    """Yield every page of the search for `criteria`, pages 1, 2, … until `totalRecords` are served.

    Ends on an empty page or when the total is reached. A page of only trials already served is a
    loop (ApiError); more than 10,000 matches cannot be listed by this search (ApiError, nothing
    yielded). After the last page the listing must match the total (`Listing.check_complete`)."""
    listing = listing if listing is not None else Listing()
    size = client.settings.page_size
    page = 1
    while True:
        body = client.post_json("/search", search_body(page, size, criteria))
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ApiError("/search returned something other than a page of trials")
        listing.pages += 1
        if page == 1:
            listing.total_count = _total_records(body)
            if listing.total_count is not None and listing.total_count > CTIS_SEARCH_LIMIT:
                raise ApiError(f"the CTIS search matches {listing.total_count:,} trials, more than the "
                               f"{CTIS_SEARCH_LIMIT:,} it will list; narrow the search; nothing changed")
        trials = body["data"]
        if not trials:
            break
        numbers = [t.get("ctNumber") if isinstance(t, dict) else None for t in trials]
        fresh = {n for n in numbers if is_ctis_number(n)} - listing.ids
        listing.without_id += sum(not is_ctis_number(n) for n in numbers)
        if not fresh and page > 1:
            raise ApiError(f"the CTIS search kept sending trials it had already sent (page {page}); "
                           "stopping to avoid an endless loop; nothing changed")
        listing.ids |= fresh
        yield CtisPage(number=page, trials=trials, total_records=listing.total_count)
        if listing.total_count is None or listing.served >= listing.total_count:
            break
        if page >= math.ceil(listing.total_count / size) + 2:
            break  # the total says there is no further page; the check below reports the shortfall
        page += 1
    listing.check_complete()


def fetch_trial(client: CtisClient, number: str) -> dict:
    """GET the full record of one trial; the number must be a valid CTIS number (it goes into the URL)."""
    if not is_ctis_number(number):
        raise ApiError(f"not a CTIS trial number: {printable(str(number), 40)!r}")
    body = client.get_json(f"/retrieve/{number}")
    if not isinstance(body, dict) or body.get("ctNumber") != number:
        raise ApiError(f"/retrieve/{number} did not return that trial's record")
    return body
