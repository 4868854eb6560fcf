"""A loopback stand-in for the ClinicalTrials.gov API v2, served over real HTTP in tests.

It behaves the way the real API is documented and recorded to behave (see ../shared/ctgov):
`pageSize` defaults to 10 and is capped at 1000, `pageToken` is opaque, `totalCount` comes only
on the first page and only with `countTotal=true`, unknown parameters and bad tokens get a
plain-text 400, `/version` and `/studies/{nctId}` exist. Faults (429 with Retry-After, 5xx,
slow or truncated responses) can be queued per request to exercise the client's retries.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

API_PREFIX = "/api/v2"
KNOWN_STUDY_PARAMS = {
    "format", "markupFormat", "query.cond", "query.term", "query.locn", "query.titles", "query.intr",
    "query.outc", "query.spons", "query.lead", "query.id", "query.patient", "filter.overallStatus",
    "filter.geo", "filter.ids", "filter.advanced", "filter.synonyms", "postFilter.overallStatus",
    "postFilter.geo", "postFilter.ids", "postFilter.advanced", "postFilter.synonyms", "aggFilters",
    "geoDecay", "fields", "sort", "countTotal", "pageSize", "pageToken",
}
_LAST_UPDATE_RANGE = re.compile(r"^AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),\s*MAX\]$")


@dataclass
class Fault:
    """What to do instead of a normal answer to one request."""

    status: int | None = None  # answer with this status and a plain-text body
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0  # sleep before answering normally (or with `status`)
    truncate_body: bool = False  # answer 200 but cut the JSON body in half


@dataclass
class FakeCtgovApi:
    studies: list[dict]
    data_timestamp: str = "2025-09-25T09:00:00"
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)  # time.monotonic() of each arrival
    faults: list[Fault] = field(default_factory=list)  # consumed one per request, in order
    duplicate_across_pages: bool = False  # repeat the last study of each page at the start of the next

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def study_requests(self) -> list[dict[str, str]]:
        return [params for path, params in self.requests if path == f"{API_PREFIX}/studies"]

    # --- WSGI-ish entry point (pytest-httpserver hands us werkzeug Requests) ---
    def handle(self, request: Request) -> Response:
        params = {key: request.args.get(key) for key in request.args}
        with self._lock:
            self.requests.append((request.path, params))
            self.request_times.append(time.monotonic())
            fault = self.faults.pop(0) if self.faults else None
        if fault and fault.delay_seconds:
            time.sleep(fault.delay_seconds)
        if fault and fault.status:
            return Response(f"fault injected: HTTP {fault.status}", status=fault.status,
                            headers=fault.headers, mimetype="text/plain")
        response = self._route(request.path, params)
        if fault and fault.truncate_body and response.status_code == 200:
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return response

    def _route(self, path: str, params: dict[str, str]) -> Response:
        if path == f"{API_PREFIX}/version":
            return _json({"apiVersion": "2.0.5", "dataTimestamp": self.data_timestamp})
        if path == f"{API_PREFIX}/studies":
            return self._studies(params)
        match = re.fullmatch(rf"{API_PREFIX}/studies/(NCT\d{{8}})", path)
        if match:
            for study in self.studies:
                if study["protocolSection"]["identificationModule"]["nctId"] == match.group(1):
                    return _json(study)
            return _text(f"Study {match.group(1)} not found", 404)
        return _text(f"Not found: {path}", 404)

    def _studies(self, params: dict[str, str]) -> Response:
        unknown = sorted(set(params) - KNOWN_STUDY_PARAMS)
        if unknown:
            return _text(f"Unknown parameter: {unknown[0]}", 400)
        try:
            page_size = min(int(params.get("pageSize", "10")), 1000)
        except ValueError:
            return _text("pageSize must be an integer", 400)
        if page_size < 1:
            return _text("pageSize must be positive", 400)
        selected = self.studies
        advanced = params.get("filter.advanced")
        if advanced:
            match = _LAST_UPDATE_RANGE.match(advanced)
            if not match:
                return _text(f"this fake understands only LastUpdatePostDate ranges, not {advanced}", 400)
            since = match.group(1)
            selected = [s for s in selected if _last_update(s) >= since]
        query_key = json.dumps({k: v for k, v in sorted(params.items()) if k not in ("pageToken", "pageSize", "countTotal")})
        offset = 0
        if params.get("pageToken"):
            try:
                token = json.loads(base64.urlsafe_b64decode(params["pageToken"].encode()))
                offset, token_query = int(token["o"]), token["q"]
            except (ValueError, KeyError, TypeError):
                return _text("Invalid pageToken", 400)
            if token_query != query_key:
                return _text("pageToken does not belong to this query", 400)
        page = list(selected[offset : offset + page_size])
        if self.duplicate_across_pages and offset > 0:
            page.insert(0, selected[offset - 1])
        body: dict[str, Any] = {"studies": page}
        if offset + page_size < len(selected):
            body["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps({"o": offset + page_size, "q": query_key}).encode()
            ).decode()
        if params.get("countTotal") == "true" and not params.get("pageToken"):
            body["totalCount"] = len(selected)
        return _json(body)


def _last_update(study: dict) -> str:
    return study["protocolSection"]["statusModule"].get("lastUpdatePostDateStruct", {}).get("date", "")


def _json(body: Any) -> Response:
    return Response(json.dumps(body), status=200, mimetype="application/json")


def _text(message: str, status: int) -> Response:
    return Response(message, status=status, mimetype="text/plain")


def main() -> None:
    """Serve a file of studies on loopback, for trying the fetch script by hand:

    python tests/fake_api.py ../shared/ctgov/corpus/ms_studies_2025-09-25.jsonl.gz --port 8765
    python scripts/fetch_trials.py --base-url http://127.0.0.1:8765/api/v2 --cache /tmp/try.sqlite
    """
    import argparse
    import sys
    from pathlib import Path

    from werkzeug.serving import run_simple

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from mstrials.sources.ctgov_files import read_study_file

    parser = argparse.ArgumentParser(description="loopback stand-in for the ClinicalTrials.gov API v2")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    studies = [item.parsed() for path in args.files for item in read_study_file(path)]
    fake = FakeCtgovApi(studies)
    run_simple("127.0.0.1", args.port, Request.application(fake.handle), threaded=True)


if __name__ == "__main__":
    main()
