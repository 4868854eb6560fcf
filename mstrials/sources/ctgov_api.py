"""Network layer: talk to the ClinicalTrials.gov API v2 and nothing else.

`fetch_*` functions only make requests and yield what came back; saving is the cache's job.
Retries are configuration (urllib3 `Retry` mounted on a requests session), politeness is a
minimum interval between requests, and paging is one small class for the token scheme.
"""
from __future__ import annotations

import email.utils
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

MS_CONDITION = "multiple sclerosis"
MAX_PAGE_SIZE = 1000  # the API silently coerces larger page sizes down to this
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Longest Retry-After we sit out; past it we stop and tell the person when to come back.
RETRY_AFTER_CAP_SECONDS = 120.0
# Studies may be added or withdrawn while a listing is paged through; this many (of the total) may differ.
COMPLETENESS_TOLERANCE = 0.01
MAX_PAGES_WITHOUT_TOTAL = 1000  # the whole registry is under 1,000 pages of 1,000
MAX_BODY_BYTES = 1 << 30  # a page of 1,000 full studies is tens of MB; anything near this is not the API


class ApiError(RuntimeError):
    """The API could not be used; the message is one line a person can act on."""


class _RetryAfterTooLong(Exception):
    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


class _DeadlineReached(Exception):
    """Raised inside the retry loop when the next wait would end past the request's deadline."""


_CONTROL_CHARACTERS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x1f\x7f-\x9f]")


def printable(text: str, limit: int = 200) -> str:
    """Server-sent text made safe for a terminal: escape sequences and control characters removed,
    whitespace folded to single spaces, cut to `limit` characters."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", text).split())[:limit]


@dataclass(frozen=True)
class FetchSettings:
    base_url: str
    timeout_seconds: float = 60.0
    connect_timeout_seconds: float = 10.0
    min_interval_seconds: float = 1.0  # robots.txt asks for a crawl delay of 1 s
    retries: int = 5
    backoff_factor: float = 2.0
    backoff_max_seconds: float = 120.0
    page_size: int = MAX_PAGE_SIZE
    # Whole-request bound (retries, Retry-After waits and a slowly dripping body included): a read
    # timeout alone never trips on a server that sends one byte every few seconds.
    deadline_seconds: float = 100.0
    retry_after_cap_seconds: float = RETRY_AFTER_CAP_SECONDS
    user_agent: str = "ms-trial-explorer (+https://github.com/; open-source research tool)"


@dataclass(frozen=True)
class StudyPage:
    number: int
    studies: list[Any]
    total_count: int | None


class Politeness:
    """Keeps at least `min_interval` seconds between the end of one request and the start of the next."""

    def __init__(self, min_interval: float):
        self.min_interval = min_interval
        self._last_end: float | None = None

    def wait(self) -> None:
        if self._last_end is not None:
            delay = self._last_end + self.min_interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def done(self) -> None:
        self._last_end = time.monotonic()


class PoliteRetry(Retry):
    """urllib3's Retry, but never sooner than the politeness interval (its first retry is instant),
    never waiting past the request's deadline, and never sitting out an absurd Retry-After: one over
    `retry_after_cap` ends the request; one that cannot be parsed falls back to the normal backoff."""

    def __init__(self, *args: Any, min_backoff: float = 0.0, retry_after_cap: float = RETRY_AFTER_CAP_SECONDS,
                 deadline: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.min_backoff = min_backoff
        self.retry_after_cap = retry_after_cap
        self.deadline = deadline  # time.monotonic() value

    def new(self, **kwargs: Any) -> "PoliteRetry":
        retry = super().new(**kwargs)
        retry.min_backoff = self.min_backoff
        retry.retry_after_cap = self.retry_after_cap
        retry.deadline = self.deadline
        return retry

    def with_deadline(self, deadline: float) -> "PoliteRetry":
        retry = self.new()
        retry.deadline = deadline
        return retry

    def get_backoff_time(self) -> float:
        return max(self.min_backoff, super().get_backoff_time())

    def parse_retry_after(self, retry_after: str) -> float:
        # urllib3 would clamp a huge value silently; we want to know it, to stop and say so.
        if re.fullmatch(r"\s*[0-9]{1,12}\s*", retry_after):
            seconds = float(int(retry_after))
        else:
            parsed = email.utils.parsedate_tz(retry_after)
            if parsed is None:
                return 0.0  # unparseable: fall back to the backoff
            seconds = email.utils.mktime_tz(parsed) - time.time()
        seconds = max(seconds, 0.0)
        if seconds > self.retry_after_cap:
            raise _RetryAfterTooLong(seconds)
        return seconds

    def sleep(self, response: Any = None) -> None:
        planned = 0.0
        if self.respect_retry_after_header and response is not None:
            planned = self.get_retry_after(response) or 0.0
        if not planned:
            planned = self.get_backoff_time()
        if self.deadline is not None and time.monotonic() + planned > self.deadline:
            raise _DeadlineReached()
        super().sleep(response)


class PageTokenPaginator:
    """The API's paging: repeat the query with `pageToken` until no `nextPageToken` comes back."""

    def __init__(self) -> None:
        self.next_token: str | None = None
        self.has_next = True
        self._seen_tokens: set[str] = set()

    def page_params(self) -> dict[str, str]:
        return {"pageToken": self.next_token} if self.next_token else {}

    def update(self, body: dict) -> None:
        token = body.get("nextPageToken")
        if token is None:
            self.has_next = False
            return
        if not isinstance(token, str) or not token:
            raise ApiError(f"the API sent an unusable nextPageToken: {token!r:.60}")
        if token in self._seen_tokens:
            raise ApiError("the API sent the same nextPageToken twice; stopping to avoid an endless loop")
        self._seen_tokens.add(token)
        self.next_token = token


class _SameHostSession(requests.Session):
    """A session that refuses redirects to another host: the tool talks only to the host it was given."""

    def get_redirect_target(self, response: requests.Response) -> str | None:
        target = super().get_redirect_target(response)
        if target is not None:
            origin, destination = urlsplit(response.url), urlsplit(urljoin(response.url, target))
            if (origin.scheme, origin.netloc) != (destination.scheme, destination.netloc):
                raise ApiError(
                    f"{printable(response.url)} redirected to another host ({printable(destination.netloc or target, 80)}); "
                    "this tool only talks to the host it was given (check --base-url)"
                )
        return target


class ApiClient:
    # Methods urllib3 may repeat: reads only (CTIS's search is a POST that only reads).
    RETRIED_METHODS = frozenset({"GET"})

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.politeness = Politeness(settings.min_interval_seconds)
        self.session = _SameHostSession()
        self.session.max_redirects = 5
        self.session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
        retry = PoliteRetry(
            min_backoff=settings.min_interval_seconds,
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=self.RETRIED_METHODS,
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
            retry_after_cap=settings.retry_after_cap_seconds,
        )
        self._retry = retry
        self._adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET `path` and return its JSON, within the request deadline, or raise ApiError (one line)."""
        return self.request_json("GET", path, params=params)

    def request_json(self, method: str, path: str, params: dict[str, str] | None = None,
                     body: dict | None = None) -> Any:
        """`method` `path` (with a JSON `body` if given) and return the answer's JSON, within the deadline."""
        url = f"{self.settings.base_url}{path}"
        self.politeness.wait()
        deadline = time.monotonic() + self.settings.deadline_seconds
        self._adapter.max_retries = self._retry.with_deadline(deadline)
        outcome: dict[str, Any] = {}
        cancelled = threading.Event()

        def attempt() -> None:
            try:
                outcome["value"] = self._read_answer(method, url, params, body, deadline, cancelled)
            except BaseException as error:  # handed to the waiting thread below
                outcome["error"] = error

        # The request runs in a daemon thread so that no server, however slow its headers or body,
        # can hold the run past the deadline; the thread is abandoned (and its socket closed) if it must be.
        worker = threading.Thread(target=attempt, name="api-request", daemon=True)
        worker.start()
        worker.join(max(0.0, deadline - time.monotonic()) + 0.5)
        self.politeness.done()
        if worker.is_alive():
            cancelled.set()
            raise ApiError(f"{url}: no complete answer within {self.settings.deadline_seconds:g} s; giving up")
        if "error" in outcome:
            raise self._as_api_error(url, outcome["error"]) from outcome["error"]
        status, reason, body = outcome["value"]
        if status != 200:
            detail = printable(body.decode("utf-8", "replace"))
            raise ApiError(f"{url} answered HTTP {status}: {detail or printable(reason or '')}")
        try:
            return json.loads(body)
        except RecursionError as error:
            raise ApiError(f"{url} sent JSON nested too deeply to be a registry answer") from error
        except ValueError as error:
            raise ApiError(f"{url} sent a response that is not complete JSON ({printable(str(error))})") from error

    def _read_answer(self, method: str, url: str, params: dict[str, str] | None, body: dict | None,
                     deadline: float, cancelled: threading.Event) -> tuple[int, str, bytes]:
        response = self.session.request(
            method,
            url,
            params=params,
            json=body,
            timeout=(self.settings.connect_timeout_seconds, self.settings.timeout_seconds),
            stream=True,
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

    def _as_api_error(self, url: str, error: BaseException) -> ApiError:
        settings = self.settings
        if isinstance(error, ApiError):
            return error
        if isinstance(error, _RetryAfterTooLong):
            back = datetime.now(timezone.utc) + timedelta(seconds=error.seconds)
            return ApiError(
                f"{url}: the registry asks us to wait {_duration(error.seconds)} (until {back:%Y-%m-%d %H:%M} UTC) "
                f"before asking again, more than the {settings.retry_after_cap_seconds:g} s this tool waits; "
                "try again then"
            )
        if isinstance(error, _DeadlineReached):
            return ApiError(f"{url}: no complete answer within {settings.deadline_seconds:g} s; giving up")
        if isinstance(error, requests.exceptions.RetryError):
            return ApiError(f"{url}: still failing after {settings.retries} retries ({_reason(error)})")
        if isinstance(error, requests.exceptions.Timeout):
            return ApiError(f"{url}: no answer within {settings.timeout_seconds:g} s, after retries")
        if isinstance(error, requests.exceptions.ConnectionError):
            return ApiError(f"cannot reach {url}: {_reason(error)}")
        if isinstance(error, (requests.exceptions.RequestException, OSError)):
            return ApiError(f"{url}: {_reason(error)}")
        return ApiError(f"{url}: {printable(type(error).__name__ + ': ' + str(error))}")


def _duration(seconds: float) -> str:
    if seconds >= 2 * 3600:
        return f"about {seconds / 3600:.0f} hours"
    if seconds >= 120:
        return f"about {seconds / 60:.0f} minutes"
    return f"{seconds:.0f} seconds"


_PLAIN_CAUSES = {
    "NameResolutionError": "the host name could not be resolved (is this machine offline?)",
    "NewConnectionError": "the connection was refused or the host is unreachable",
    "ConnectTimeoutError": "connecting timed out",
    "ReadTimeoutError": "no answer in time",
    "ProtocolError": "the connection broke off",
    "SSLError": "the secure connection failed",
}


def _reason(error: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, on one short line."""
    # requests wraps urllib3's MaxRetryError, whose `reason` is the real cause.
    while True:
        reason = getattr(error, "reason", None)
        inner = reason if isinstance(reason, BaseException) else (
            error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        )
        if inner is None:
            break
        error = inner
    plain = _PLAIN_CAUSES.get(type(error).__name__)
    if plain:
        return plain
    return printable(str(error)) or type(error).__name__


def fetch_version(client: ApiClient) -> dict:
    """GET /version: {apiVersion, dataTimestamp}."""
    body = client.get_json("/version")
    if not isinstance(body, dict):
        raise ApiError("/version did not return a JSON object")
    return body


def study_query(updated_since: str | None = None, condition: str = MS_CONDITION) -> dict[str, str]:
    """The query every page repeats: all studies for the condition, optionally only recent updates."""
    params = {"query.cond": condition, "format": "json"}
    if updated_since:
        params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{updated_since},MAX]"
    return params


@dataclass
class Listing:
    """What one paged listing served, to tell a complete answer from an empty or cut-short one."""

    total_count: int | None = None
    ids: set[str] = field(default_factory=set)
    without_id: int = 0
    pages: int = 0

    @property
    def served(self) -> int:
        return len(self.ids) + self.without_id

    def check_complete(self) -> None:
        """Raise ApiError unless the studies served match the registry's own count (within tolerance)."""
        if self.total_count is None:
            raise ApiError(f"the registry did not say how many studies match (no totalCount); "
                           f"{self.served:,} studies were served; nothing changed")
        shortfall = self.total_count - self.served
        if shortfall > math.floor(self.total_count * COMPLETENESS_TOLERANCE):
            raise ApiError(f"the registry answered with {self.served:,} of {self.total_count:,} studies; nothing changed")


def _study_id(study: Any) -> str | None:
    try:
        nct_id = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return nct_id if isinstance(nct_id, str) else None


def _page_limit(total_count: int | None, page_size: int) -> int:
    # Two spare pages: the empty-page quirk, and studies added while paging.
    if total_count is None:
        return MAX_PAGES_WITHOUT_TOTAL
    return math.ceil(total_count / page_size) + 2


def fetch_study_pages(client: ApiClient, query: dict[str, str], listing: Listing | None = None) -> Iterator[StudyPage]:
    """Yield every page of GET /studies for `query`, following page tokens to the end.

    The listing ends normally when no `nextPageToken` comes back, or on an empty page: the real API
    sends a token after a page that happened to hold the last studies, and following it gives an
    empty page. It is a loop (ApiError) when a page brings only studies already served, or when
    more pages come than the total allows. After the last page the listing must be complete
    (`Listing.check_complete`); `listing` is filled in as pages arrive.
    """
    listing = listing if listing is not None else Listing()
    paginator = PageTokenPaginator()
    page_size = client.settings.page_size
    while paginator.has_next:
        params = dict(query, pageSize=str(page_size))
        if listing.pages == 0:
            params["countTotal"] = "true"  # only the first page carries the total
        params.update(paginator.page_params())
        body = client.get_json("/studies", params)
        if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
            raise ApiError("/studies returned something other than a page of studies")
        listing.pages += 1
        studies = body["studies"]
        total = body.get("totalCount")
        if listing.pages == 1:
            listing.total_count = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
        if not studies:
            break  # the normal end after the quirk described above
        ids = [_study_id(study) for study in studies]
        fresh = {nct_id for nct_id in ids if nct_id is not None} - listing.ids
        listing.without_id += sum(nct_id is None for nct_id in ids)
        if not fresh and listing.pages > 1 and body.get("nextPageToken"):
            raise ApiError(f"the registry kept sending pages of studies it had already sent (page {listing.pages}); "
                           "stopping to avoid an endless loop; nothing changed")
        listing.ids |= fresh
        if listing.pages > _page_limit(listing.total_count, page_size):
            raise ApiError(f"the registry sent {listing.pages} pages for {listing.total_count:,} studies; "
                           "stopping to avoid an endless loop; nothing changed")
        paginator.update(body)
        yield StudyPage(number=listing.pages, studies=studies, total_count=listing.total_count)
    listing.check_complete()
