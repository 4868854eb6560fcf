"""Network layer: talk to the ClinicalTrials.gov API v2 and nothing else.

`fetch_*` functions only make requests and yield what came back; saving is the cache's job.
Retries are configuration (urllib3 `Retry` mounted on a requests session), politeness is a
minimum interval between requests, and paging is one small class for the token scheme.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

MS_CONDITION = "multiple sclerosis"
MAX_PAGE_SIZE = 1000  # the API silently coerces larger page sizes down to this
RETRY_STATUSES = (429, 500, 502, 503, 504)


class ApiError(RuntimeError):
    """The API could not be used; the message is one line a person can act on."""


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
    """urllib3's Retry, but never sooner than the politeness interval (its first retry is instant)."""

    def __init__(self, *args: Any, min_backoff: float = 0.0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.min_backoff = min_backoff

    def new(self, **kwargs: Any) -> "PoliteRetry":
        retry = super().new(**kwargs)
        retry.min_backoff = self.min_backoff
        return retry

    def get_backoff_time(self) -> float:
        return max(self.min_backoff, super().get_backoff_time())


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


class ApiClient:
    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.politeness = Politeness(settings.min_interval_seconds)
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
        retry = PoliteRetry(
            min_backoff=settings.min_interval_seconds,
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=settings.backoff_factor,
            backoff_max=settings.backoff_max_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        url = f"{self.settings.base_url}{path}"
        self.politeness.wait()
        try:
            response = self.session.get(
                url,
                params=params,
                timeout=(self.settings.connect_timeout_seconds, self.settings.timeout_seconds),
            )
            self.politeness.done()
        except requests.exceptions.RetryError as error:
            raise ApiError(f"{url}: still failing after {self.settings.retries} retries ({_reason(error)})") from error
        except requests.exceptions.Timeout as error:
            raise ApiError(f"{url}: no answer within {self.settings.timeout_seconds:g} s, after retries") from error
        except requests.exceptions.ConnectionError as error:
            raise ApiError(f"cannot reach {url}: {_reason(error)}") from error
        except requests.exceptions.RequestException as error:
            raise ApiError(f"{url}: {_reason(error)}") from error
        if response.status_code != 200:
            detail = " ".join(response.text.split())[:200]
            raise ApiError(f"{url} answered HTTP {response.status_code}: {detail or response.reason}")
        try:
            return response.json()
        except (ValueError, requests.exceptions.RequestException) as error:
            raise ApiError(f"{url} sent a response that is not complete JSON ({_reason(error)})") from error


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
    text = " ".join(str(error).split())
    return text[:200] or type(error).__name__


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


def fetch_study_pages(client: ApiClient, query: dict[str, str]) -> Iterator[StudyPage]:
    """Yield every page of GET /studies for `query`, following page tokens to the end."""
    paginator = PageTokenPaginator()
    number = 0
    while paginator.has_next:
        params = dict(query, pageSize=str(client.settings.page_size))
        if number == 0:
            params["countTotal"] = "true"  # only the first page carries the total
        params.update(paginator.page_params())
        body = client.get_json("/studies", params)
        if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
            raise ApiError("/studies returned something other than a page of studies")
        number += 1
        paginator.update(body)
        total = body.get("totalCount")
        yield StudyPage(
            number=number,
            studies=body["studies"],
            total_count=total if isinstance(total, int) else None,
        )
