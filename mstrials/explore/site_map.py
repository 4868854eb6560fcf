"""Sites for the maps: which sites of which trials, placed on the map, with readable words."""
from __future__ import annotations

import numpy as np
import pandas as pd

from mstrials.explore.frame import readable_status

PLACED_BY_LABELS = {
    "site": "the registry's own map point",
    "city": "the city name",
    "country": "the country only (approximate)",
}
OPEN_SITE_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")


def place(sites: pd.DataFrame) -> pd.DataFrame:
    """Sites plus lat, lon, placed_by; uses the offline gazetteer when it is available."""
    try:
        from mstrials.explore.places import place_sites
    except ImportError:
        place_sites = None
    if place_sites is not None:
        placed = place_sites(sites)
    else:
        placed = sites.copy()
        placed["lat"] = pd.to_numeric(sites.get("latitude"), errors="coerce")
        placed["lon"] = pd.to_numeric(sites.get("longitude"), errors="coerce")
        placed["placed_by"] = np.where(placed["lat"].notna(), "site", None)
    placed["status_label"] = placed["status"].map(readable_status)
    placed["placed_by_label"] = placed["placed_by"].map(PLACED_BY_LABELS).fillna("could not be placed")
    return placed


def sites_of(sites: pd.DataFrame, trials: pd.DataFrame, open_only: bool) -> pd.DataFrame:
    """The sites of the given trials; with `open_only`, those recruiting or about to.

    Many records give no per-site status; such a site counts as open when its trial is.
    """
    chosen = sites[sites["nct_id"].isin(set(trials["nct_id"]))]
    if open_only:
        trial_status = chosen["nct_id"].map(trials.set_index("nct_id")["status"])
        site_open = chosen["status"].isin(OPEN_SITE_STATUSES)
        unstated = chosen["status"].isna() | (chosen["status"] == "")
        chosen = chosen[site_open | (unstated & trial_status.isin(OPEN_SITE_STATUSES))]
    return chosen.reset_index(drop=True)


def placement_counts(placed: pd.DataFrame) -> dict[str, int]:
    counts = placed["placed_by"].value_counts(dropna=True).to_dict()
    return {
        "total": len(placed),
        "site": int(counts.get("site", 0)),
        "city": int(counts.get("city", 0)),
        "country": int(counts.get("country", 0)),
        "not_placed": int(placed["placed_by"].isna().sum()),
    }
