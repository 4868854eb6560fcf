"""Where things live: the API to fetch from and the cache file, shared by scripts and app."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE_URL = "https://clinicaltrials.gov/api/v2"
DEFAULT_CACHE_PATH = REPO_ROOT / "data" / "cache" / "trials.sqlite"
API_ENV_VAR = "MSTRIALS_API"
CACHE_ENV_VAR = "MSTRIALS_CACHE"


def api_base_url(explicit: str | None = None) -> str:
    """The API root: the command-line value, else $MSTRIALS_API, else the public registry."""
    url = explicit or os.environ.get(API_ENV_VAR) or DEFAULT_API_BASE_URL
    return url.rstrip("/")


def cache_path(explicit: str | os.PathLike | None = None) -> Path:
    """The SQLite cache: the command-line value, else $MSTRIALS_CACHE, else data/cache/trials.sqlite."""
    value = explicit or os.environ.get(CACHE_ENV_VAR)
    return Path(value).expanduser() if value else DEFAULT_CACHE_PATH
