"""The loopback API's answers (and so the client's assumptions) checked against the official spec."""
from __future__ import annotations

import re

import pytest
import requests
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from fake_api import FakeCtgovApi


@pytest.fixture(scope="module")
def spec_dict(ctgov_dir):
    with open(ctgov_dir / "openapi" / "ctg-oas-v2.yaml", encoding="utf-8") as spec_file:
        return yaml.safe_load(spec_file)


@pytest.fixture
def served(loopback_api, corpus_studies, spec_dict):
    fake = FakeCtgovApi(corpus_studies[:2500])
    loopback_api.expect_request(re.compile(r"^/api/v2/.*")).respond_with_handler(fake.handle)
    base_url = loopback_api.url_for("/api/v2")
    spec = dict(spec_dict, servers=[{"url": base_url}])
    return base_url, OpenAPI.from_dict(spec)


def checked_get(openapi: OpenAPI, url: str, params: dict | None = None) -> requests.Response:
    response = requests.get(url, params=params, timeout=30)
    openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
    return response


def test_paging_answers_follow_the_spec(served):
    base_url, openapi = served
    query = {"query.cond": "multiple sclerosis", "pageSize": "5000", "countTotal": "true", "format": "json"}
    first = checked_get(openapi, f"{base_url}/studies", query).json()
    assert len(first["studies"]) == 1000 and first["totalCount"] == 2500
    second = checked_get(openapi, f"{base_url}/studies", dict(query, pageToken=first["nextPageToken"])).json()
    assert "totalCount" not in second and len(second["studies"]) == 1000
    third = checked_get(openapi, f"{base_url}/studies", dict(query, pageToken=second["nextPageToken"])).json()
    assert len(third["studies"]) == 500 and "nextPageToken" not in third


def test_default_page_size_is_ten(served):
    base_url, openapi = served
    body = checked_get(openapi, f"{base_url}/studies", {"query.cond": "multiple sclerosis"}).json()
    assert len(body["studies"]) == 10


def test_version_and_single_study_follow_the_spec(served, corpus_studies):
    base_url, openapi = served
    version = checked_get(openapi, f"{base_url}/version").json()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", version["dataTimestamp"])
    nct_id = corpus_studies[0]["protocolSection"]["identificationModule"]["nctId"]
    study = checked_get(openapi, f"{base_url}/studies/{nct_id}").json()
    assert study == corpus_studies[0]


def test_errors_are_plain_text_as_the_spec_says(served):
    base_url, openapi = served
    unknown = checked_get(openapi, f"{base_url}/studies", {"query.cond": "ms", "filter.phase": "PHASE2"})
    assert unknown.status_code == 400 and unknown.headers["Content-Type"].startswith("text/plain")
    bad_token = checked_get(openapi, f"{base_url}/studies", {"pageToken": "not-a-token"})
    assert bad_token.status_code == 400
    missing = checked_get(openapi, f"{base_url}/studies/NCT00000000")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/plain")


def test_the_spec_check_catches_a_page_that_breaks_the_contract(spec_dict):
    from openapi_core.testing import MockRequest, MockResponse

    openapi = OpenAPI.from_dict(spec_dict)
    request = MockRequest("https://clinicaltrials.gov", "get", "/api/v2/studies")
    bad_status = b'{"studies": [{"protocolSection": {"statusModule": {"overallStatus": "OPEN"}}}]}'
    with pytest.raises(Exception, match="not valid"):
        openapi.validate_response(request, MockResponse(bad_status, status_code=200, content_type="application/json"))
