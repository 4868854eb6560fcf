"""Shared test fixtures.

Tests that need the real ClinicalTrials.gov material read it from ../shared (beside the
repository). Outside CI a missing ../shared skips those tests with a clear reason; in CI
(where it must be present) a missing ../shared is a failure, so nothing is silently skipped.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("MSTRIALS_SHARED", REPO_ROOT.parent / "shared"))
CTGOV_DIR = SHARED_DIR / "ctgov"
CORPUS_FILE = CTGOV_DIR / "corpus" / "ms_studies_2025-09-25.jsonl.gz"


def require_shared(path: Path) -> Path:
    """Return `path`, or skip (fail in CI) when the shared real-data folder is absent."""
    if path.exists():
        return path
    message = f"real-data file {path} is missing: put the project's shared/ folder beside the repository"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def ctgov_dir() -> Path:
    return require_shared(CTGOV_DIR)


@pytest.fixture(scope="session")
def corpus_file() -> Path:
    return require_shared(CORPUS_FILE)


@pytest.fixture(scope="session")
def corpus_studies(corpus_file: Path) -> list[dict]:
    """The 2,712 real studies the API returned for query.cond=multiple sclerosis."""
    import gzip
    import json

    with gzip.open(corpus_file, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def corpus_non_ms_ids() -> set[str]:
    """Corpus studies the team read and judged not to be about MS (tests/devset/corpus_non_ms.txt)."""
    path = REPO_ROOT / "tests" / "devset" / "corpus_non_ms.txt"
    return {line.split()[0] for line in path.read_text().splitlines() if line.startswith("NCT")}


def load_script(name: str):
    """Import a command-line script from scripts/ as a module, to call its main() in-process."""
    import importlib.util

    path = REPO_ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def loopback_api():
    """A threaded loopback HTTP server; tests attach a FakeCtgovApi to it with `serve`."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture
def fresh_streamlit_cache():
    """Empty Streamlit caches before and after an app test, for modules that run the app on their own caches."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
