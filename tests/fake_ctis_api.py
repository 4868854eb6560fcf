"""A loopback stand-in for the CTIS public API, served over real HTTP in tests.

Follows the publicly described shape (PROVENANCE.md): `POST /search` with a JSON body
`{"pagination": {"page", "size"}, "sort", "searchCriteria"}` answering
`{"pagination": {"page", "size", "totalPages", "totalRecords", ...}, "data": [overviews]}`, a GET
there gets 403 (the search is POST-only), and `GET /retrieve/{ctNumber}` answers the full record or 404.
Faults (429 with Retry-After, 5xx, slow answers) are queued per request; `short_by` makes the search
claim more records than it serves, to exercise the completeness check.
"""
from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

API_PREFIX = "/ctis-public-api"
OVERVIEW_KEYS = (
    "ctNumber", "ctStatus", "ctTitle", "shortTitle", "trialCountries", "decisionDateOverall", "sponsorType",
    "trialPhase", "ageGroup", "gender", "totalNumberEnrolled", "lastUpdated", "startDateEU",
)


def overview_of(record: dict) -> dict:
    """The search-answer view of a full record: its overview keys, with title and conditions from part I."""
    overview = {key: record[key] for key in OVERVIEW_KEYS if key in record}
    part_one = record.get("authorizedApplication", {}).get("authorizedPartI", {})
    overview["ctTitle"] = part_one.get("trialDetails", {}).get("clinicalTrialIdentifiers", {}).get("fullTitle")
    overview["conditions"] = ", ".join(m.get("medicalCondition", "") for m in part_one.get("medicalConditions", []))
    overview["product"] = ", ".join(p.get("productName", "") for p in part_one.get("products", []))
    return overview


@dataclass
class Fault:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


@dataclass
class FakeCtisApi:
    records: list[dict]  # full retrieve records; the search serves their overviews
    short_by: int = 0  # serve this many fewer overviews than totalRecords claims
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, JSON body)
    request_times: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def search_bodies(self) -> list[dict]:
        return [body for method, path, body in self.requests if path == f"{API_PREFIX}/search"]

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.method == "POST" else None
        with self._lock:
            self.requests.append((request.method, request.path, body))
            self.request_times.append(time.monotonic())
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            if fault.delay_seconds:
                time.sleep(fault.delay_seconds)
            if fault.status is not None:
                return Response(f"fault {fault.status}", status=fault.status, headers=fault.headers, content_type="text/plain")
        if request.path == f"{API_PREFIX}/search":
            if request.method != "POST":
                return Response("Forbidden", status=403, content_type="text/plain")
            return self._search(body)
        prefix = f"{API_PREFIX}/retrieve/"
        if request.method == "GET" and request.path.startswith(prefix):
            number = request.path[len(prefix):]
            for record in self.records:
                if record.get("ctNumber") == number:
                    return Response(json.dumps(record), content_type="application/json")
            return Response("Not Found", status=404, content_type="text/plain")
        return Response("Not Found", status=404, content_type="text/plain")

    def _search(self, body: Any) -> Response:
        pagination = body.get("pagination") if isinstance(body, dict) else None
        page, size = (pagination or {}).get("page"), (pagination or {}).get("size")
        if not isinstance(page, int) or not isinstance(size, int) or page < 1 or not 1 <= size <= 100:
            return Response("Bad Request", status=400, content_type="text/plain")
        overviews = [overview_of(record) for record in self.records]
        total = len(overviews)
        served = overviews[: total - self.short_by]
        data = served[(page - 1) * size: page * size]
        total_pages = math.ceil(total / size)
        answer = {
            "pagination": {
                "page": page, "size": size, "totalPages": total_pages, "totalRecords": total,
                "nextPage": page < total_pages, "previousPage": page > 1,
            },
            "data": data,
        }
        return Response(json.dumps(answer), content_type="application/json")
