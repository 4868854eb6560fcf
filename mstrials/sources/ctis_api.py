"""Network layer for CTIS: its public search (POST, JSON body, numbered pages) and retrieve endpoints.

Same manners as `api.py` for ClinicalTrials.gov: urllib3 retries with the politeness interval as the
shortest wait, a whole-request deadline, a body-size cap, no redirects to another host, and a listing
that counts only when it matches the registry's `totalRecords`. Yields what came back; no saving here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator


from mstrials.sources.ctgov_api import (
    ApiClient, ApiError, FetchSettings, Listing, printable,
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
    """ApiClient's session, retries, deadline and body cap, for the search's POST as well as GET."""

    RETRIED_METHODS = frozenset({"GET", "POST"})

    def post_json(self, path: str, body: dict) -> Any:
        return self.request_json("POST", path, body=body)


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
