"""Where things live: the API to fetch from and the cache file, shared by scripts and app."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://clinicaltrials.gov/api/v2"
DEFAULT_CTIS_BASE_URL = "https://euclinicaltrials.eu/ctis-public-api"
DEFAULT_CACHE_PATH = REPO_ROOT / "data" / "cache" / "trials.sqlite"
API_ENV_VAR = "MSTRIALS_API"
CTIS_API_ENV_VAR = "MSTRIALS_CTIS_API"
CACHE_ENV_VAR = "MSTRIALS_CACHE"


def api_base_url(explicit: str | None = None) -> str:
    """The API root: the command-line value, else $MSTRIALS_API, else the public registry."""
    url = explicit or os.environ.get(API_ENV_VAR) or DEFAULT_API_BASE_URL
    return url.rstrip("/")


def ctis_base_url(explicit: str | None = None) -> str:
    """The CTIS public API root: the command-line value, else $MSTRIALS_CTIS_API, else the EU portal's."""
    url = explicit or os.environ.get(CTIS_API_ENV_VAR) or DEFAULT_CTIS_BASE_URL
    return url.rstrip("/")


def cache_path(explicit: str | os.PathLike | None = None) -> Path:
    """The SQLite cache: the command-line value, else $MSTRIALS_CACHE, else data/cache/trials.sqlite."""
    value = explicit or os.environ.get(CACHE_ENV_VAR)
    return Path(value).expanduser() if value else DEFAULT_CACHE_PATH
