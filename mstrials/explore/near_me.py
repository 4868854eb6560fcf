"""Trials near a place: find the place offline, measure to every site, keep the nearest per trial.

A place is a city with its country ("Boston, United States", "Boston, MA, USA", "Köln, Germany"),
looked up in the same GeoNames file the map uses (`mstrials.explore.places`). Distances are great-circle
(haversine) distances over all sites at once.

Which sites count:
* a site placed by its registry geoPoint ("site") or by its city name ("city") has a distance;
  a site placed only at its country's centre ("country") has none and never counts as within a
  distance: it is reported as "in <country>, distance unknown";
* the nearest site is the nearest *open* one (recruiting or not yet recruiting: the site's own
  status, or the trial's overall status where the record gives the site none). A trial with no
  open site at all (a finished trial, say) is measured to its nearest site of any status, and
  `nearest_site_open` says so.

Build a `SiteIndex` once per cache (placing a million sites takes seconds); each query after that
is a few vectorised passes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from mstrials.explore import places

KM_PER_MILE = 1.609344
EARTH_RADIUS_KM = 6371.0088
UNITS = ("km", "mi")
OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")
DISTANCE_CHOICES_KM = (25, 50, 100, 250, 500)

# US state codes are accepted in place of the state; so are these common country short forms.
_COUNTRY_SHORT_FORMS = {"usa": "US", "us": "US", "u s a": "US", "u s": "US", "america": "US"}


class UnknownPlace(ValueError):
    """A place name we cannot find; the message is one line for the person who typed it."""


@dataclass(frozen=True)
class Place:
    name: str            # as we show it: "Boston, Massachusetts, United States"
    country: str         # "United States"
    country_code: str    # "US"
    latitude: float
    longitude: float
    note: str | None = None  # set when the name was ambiguous and we chose the most populous


def _country_of(text: str) -> str | None:
    return _COUNTRY_SHORT_FORMS.get(places.fold(text)) or places.country_code(text)


def find_place(text: Any) -> Place:
    """The city named by `text`: "City, Country", "City, State, Country" or "City, US-state-code".

    Case and accents do not matter. Among several cities of that name the most populous wins and
    `note` says so. Raises UnknownPlace with a one-line reason otherwise.
    """
    if not isinstance(text, str) or not text.strip():
        raise UnknownPlace("no place given: type a city and its country, e.g. \"Boston, United States\"")
    parts = [part.strip() for part in text.split(",") if part.strip()]
    shown = ", ".join(parts)
    if len(parts) > 3:
        raise UnknownPlace(f"cannot read \"{shown}\" as a place: use \"City, Country\" or \"City, State, Country\"")
    city = parts[0]
    # Each way of reading the rest, tried in order: "MA" is both Massachusetts and Morocco's code,
    # so a US state is tried first and the country next, and the first that has the city wins.
    readings: list[tuple[str | None, str | None]] = []
    if len(parts) == 3:
        country = _country_of(parts[2])
        if country is None:
            raise UnknownPlace(f"unknown country \"{parts[2]}\" in \"{shown}\"")
        readings.append((parts[1], country))
    elif len(parts) == 2:
        if places.state_admin1("US", parts[1]) is not None:
            readings.append((parts[1], "US"))
        country = _country_of(parts[1])
        if country is not None:
            readings.append((None, country))
        if not readings:
            raise UnknownPlace(f"unknown country or US state \"{parts[1]}\" in \"{shown}\"")
    else:
        readings.append((None, None))
    matches, country = [], None
    for state, country in readings:
        matches = places.cities_named(city, country, state)
        if matches:
            break
    if not matches:
        where = f" in {', '.join(parts[1:])}" if len(parts) > 1 else ""
        raise UnknownPlace(f"no city called \"{city}\"{where} in the offline gazetteer (towns of 1,000 people or more)")
    chosen = matches[0]
    note = None
    others = {(m.latitude, m.longitude) for m in matches[1:]} - {(chosen.latitude, chosen.longitude)}
    if others:
        note = (f"{len(others) + 1} places are called {chosen.name}"
                f"{'' if country is None else ' in ' + chosen.country}: using the most populous, {chosen.display_name}")
    return Place(name=chosen.display_name, country=chosen.country, country_code=chosen.country_code,
                 latitude=chosen.latitude, longitude=chosen.longitude, note=note)


# Towns this big are offered as you type in the app's place box; smaller ones can still be typed in full.
SUGGESTED_POPULATION_FLOOR = 100_000


@lru_cache(maxsize=4)
def well_known_places(min_population: int = SUGGESTED_POPULATION_FLOOR) -> tuple[str, ...]:
    """ "City, [State, ]Country" names of the cities of at least `min_population`, most populous first, each once.

    Names are built as `find_place` shows them, so each is read back as itself; a city whose own name
    holds a comma is left out, as it could not be read back.
    """
    names = (city.display_name for city in places.populous_cities(min_population) if "," not in city.name)
    return tuple(dict.fromkeys(names))


def suggest_places(prefix: Any, limit: int = 10) -> list[str]:
    """Type-ahead: "City, [State, ]Country" names starting with `prefix`, most populous first.

    A comma narrows by country ("bos, united" -> Boston, Massachusetts, United States first).
    """
    if not isinstance(prefix, str) or not prefix.strip():
        return []
    city, _, rest = prefix.partition(",")
    country = None
    rest_folded = places.fold(rest)
    candidates = places.suggest_cities(city, None, limit=max(limit * 20, 200) if rest_folded else limit)
    if rest_folded:
        country = _country_of(rest)
        candidates = [c for c in candidates if c.country_code == country
                      or places.fold(c.country).startswith(rest_folded)
                      or (c.state and places.fold(c.state).startswith(rest_folded))]
    return [c.display_name for c in candidates[:limit]]


def to_km(distance: float, units: str) -> float:
    if units not in UNITS:
        raise ValueError(f"units must be km or mi, not {units!r}")
    return distance * KM_PER_MILE if units == "mi" else float(distance)


def from_km(km: np.ndarray | float, units: str) -> np.ndarray | float:
    if units not in UNITS:
        raise ValueError(f"units must be km or mi, not {units!r}")
    return km / KM_PER_MILE if units == "mi" else km


def haversine_km(lat: np.ndarray, lon: np.ndarray, place_lat: float, place_lon: float) -> np.ndarray:
    """Great-circle km from one point to many (degrees in, NaN where a coordinate is missing)."""
    lat2, lon2 = np.radians(np.asarray(lat, dtype="float64")), np.radians(np.asarray(lon, dtype="float64"))
    return _haversine_radians(lat2, lon2, np.cos(lat2), place_lat, place_lon)


def _haversine_radians(lat2: np.ndarray, lon2: np.ndarray, cos_lat2: np.ndarray, place_lat: float,
                       place_lon: float) -> np.ndarray:
    lat1, lon1 = np.radians(place_lat), np.radians(place_lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * cos_lat2 * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class SiteIndex:
    """All sites, placed once and grouped by trial, ready for near-me queries. Read-only."""

    trial_ids: pd.Index          # sorted unique NCT ids
    trial_of_site: np.ndarray    # int position into trial_ids, sites sorted by it
    lat: np.ndarray              # NaN where the site has no usable point (country-level or unplaced)
    lon: np.ndarray
    placed_by: np.ndarray        # "site" / "city" / "country" / None
    preferred: np.ndarray        # open site, or any site of a trial that has no open site
    open_site: np.ndarray
    country_code: np.ndarray     # ISO code of each site's country, "" when unknown
    facility: np.ndarray
    city: np.ndarray
    country: np.ndarray
    first_site: np.ndarray       # where each trial's sites start (for reduceat); -1 if none
    # Precomputed once so a query is only the distance formula and a per-trial minimum.
    lat_radians: np.ndarray = None
    lon_radians: np.ndarray = None
    cos_lat: np.ndarray = None

    def __post_init__(self) -> None:
        self.lat_radians = np.radians(self.lat)
        self.lon_radians = np.radians(self.lon)
        self.cos_lat = np.cos(self.lat_radians)
        # Per country code, the trials with a site placed only at that country's centre.
        country_level = self.placed_by == places.PLACED_BY_COUNTRY
        frame = pd.DataFrame({"code": self.country_code[country_level], "trial": self.trial_of_site[country_level]})
        self.country_level_trials = {code: group["trial"].unique() for code, group in frame.groupby("code") if code}
        self.usable = self.preferred & ~np.isnan(self.lat)

    def positions_of(self, ids: pd.Series) -> np.ndarray:
        """Row of each NCT id in trial_ids (-1 if absent); the last lookup is kept, as the app asks
        again and again for the same trials (comparing two id columns is far quicker than hashing)."""
        cached = getattr(self, "_last_lookup", None)
        if cached is not None and cached[0].equals(ids):
            return cached[1]
        rows = self.trial_ids.get_indexer(ids)
        self._last_lookup = (ids.copy(), rows)
        return rows

    @classmethod
    def build(cls, sites: pd.DataFrame, trial_status: Mapping[str, Any] | pd.Series | None = None) -> "SiteIndex":
        """`sites` has nct_id, facility, city, state, country, status, latitude, longitude;
        `trial_status` maps NCT id to overall status (used where a site has no status)."""
        placed = places.place_sites(sites.reset_index(drop=True))
        # Sorting integer codes is far quicker than sorting a million id strings.
        codes, uniques = pd.factorize(pd.Series(placed["nct_id"].to_numpy(dtype=object), dtype=object).astype(str),
                                      sort=True)
        order = np.argsort(codes, kind="stable")
        placed = placed.iloc[order].reset_index(drop=True)
        trial_of_site = codes[order]
        trial_ids = pd.Index(uniques)
        nct = np.asarray(uniques, dtype=object)[trial_of_site]
        placed_by = placed["placed_by"].to_numpy(dtype=object)
        exact_enough = np.isin(placed_by, (places.PLACED_BY_SITE, places.PLACED_BY_CITY))
        lat = np.where(exact_enough, placed["lat"].to_numpy(dtype="float64"), np.nan)
        lon = np.where(exact_enough, placed["lon"].to_numpy(dtype="float64"), np.nan)
        site_status = placed["status"].fillna("").astype(str).to_numpy() if "status" in placed else np.full(len(placed), "")
        if trial_status is None:
            overall = np.full(len(placed), "", dtype=object)
        else:
            status_map = pd.Series(trial_status) if not isinstance(trial_status, pd.Series) else trial_status
            overall = pd.Series(nct).map(status_map.astype(object)).fillna("").astype(str).to_numpy()
        effective = np.where(site_status != "", site_status, overall)
        open_site = np.isin(effective, OPEN_STATUSES)
        trial_has_open = np.zeros(len(trial_ids), dtype=bool)
        trial_has_open[trial_of_site[open_site]] = True
        preferred = open_site | ~trial_has_open[trial_of_site]
        codes, names = pd.factorize(pd.Series(placed["country"].to_numpy(dtype=object), dtype=object))
        country_codes = np.array([places.country_code(name) or "" for name in names] + [""], dtype=object)[codes]
        first_site = np.full(len(trial_ids), -1, dtype=np.int64)
        if len(nct):
            starts = np.flatnonzero(np.r_[True, trial_of_site[1:] != trial_of_site[:-1]])
            first_site[trial_of_site[starts]] = starts

        def text(column: str) -> np.ndarray:
            return placed[column].to_numpy(dtype=object) if column in placed else np.full(len(placed), None, dtype=object)

        return cls(trial_ids=trial_ids, trial_of_site=trial_of_site, lat=lat, lon=lon, placed_by=placed_by,
                   preferred=preferred, open_site=open_site, country_code=country_codes,
                   facility=text("facility"), city=text("city"), country=text("country"), first_site=first_site)


NEAREST_COLUMNS = ("nct_id", "nearest_distance", "nearest_site", "nearest_city", "nearest_country",
                   "nearest_placed_by", "nearest_exact", "nearest_site_open", "within", "unplaced_in_country")


def nearest_sites(trials: pd.DataFrame | Iterable[str], sites: SiteIndex | pd.DataFrame, place: Place,
                  within_km: float | None = None, units: str = "km") -> pd.DataFrame:
    """Per trial (in the order given), its nearest qualifying site to `place`.

    Columns: nct_id; nearest_distance (in `units`, NaN when no site of the trial can be measured);
    nearest_site / nearest_city / nearest_country; nearest_placed_by ("site" = registry point,
    "city" = placed by its city name); nearest_exact (True for a registry point);
    nearest_site_open; within (distance ≤ within_km; always True when within_km is None and a
    distance is known); unplaced_in_country (the trial has a site in the place's country that
    could be placed only at the country level: "in <country>, distance unknown").
    """
    if units not in UNITS:
        raise ValueError(f"units must be km or mi, not {units!r}")
    if isinstance(sites, pd.DataFrame):
        status = trials.set_index("nct_id")["status"] if isinstance(trials, pd.DataFrame) and "status" in trials else None
        sites = SiteIndex.build(sites, status)
    ids = trials["nct_id"] if isinstance(trials, pd.DataFrame) else pd.Series(list(trials))
    ids = ids.reset_index(drop=True)

    distance = _haversine_radians(sites.lat_radians, sites.lon_radians, sites.cos_lat, place.latitude, place.longitude)
    ranked = np.where(sites.usable, distance, np.inf)
    count = len(sites.trial_ids)
    best = np.full(count, np.inf)
    nearest_position = np.full(count, -1, dtype=np.int64)
    has_sites = sites.first_site >= 0
    if len(ranked):
        best[has_sites] = np.minimum.reduceat(ranked, sites.first_site[has_sites])
        finite = np.isfinite(ranked)
        hits = np.flatnonzero(finite & (ranked == best[sites.trial_of_site]))
        first_hit = hits[np.r_[True, sites.trial_of_site[hits][1:] != sites.trial_of_site[hits][:-1]]] if len(hits) else hits
        nearest_position[sites.trial_of_site[first_hit]] = first_hit
    unplaced_here = np.zeros(count, dtype=bool)
    unplaced_here[sites.country_level_trials.get(place.country_code, np.zeros(0, dtype=np.int64))] = True

    rows = sites.positions_of(ids)
    known = rows >= 0
    at = np.where(known, rows, 0)
    position = np.where(known, nearest_position[at], -1)
    found = position >= 0
    take = np.where(found, position, 0)
    km = np.where(found, best[at], np.nan)

    found_rows = np.flatnonzero(found)
    found_sites = position[found_rows]

    def pick(values: np.ndarray) -> np.ndarray:
        picked = np.full(len(ids), None, dtype=object)
        if len(found_rows):
            picked[found_rows] = values[found_sites]
        return picked

    placed_by = pick(sites.placed_by)
    within = found & (km <= within_km) if within_km is not None else found
    columns = {
        "nct_id": ids,
        "nearest_distance": from_km(km, units),
        "nearest_site": pick(sites.facility),
        "nearest_city": pick(sites.city),
        "nearest_country": pick(sites.country),
        "nearest_placed_by": placed_by,
        "nearest_exact": placed_by == places.PLACED_BY_SITE,
        "nearest_site_open": found & (sites.open_site[take] if len(sites.open_site) else False),
        "within": within,
        "unplaced_in_country": np.where(known, unplaced_here[at], False),
    }
    # Object columns stay object: converting 100,000 names to string arrays would be most of the query.
    return pd.DataFrame({name: pd.Series(values, dtype=object if np.asarray(values).dtype == object else None)
                         for name, values in columns.items()}, columns=NEAREST_COLUMNS)


def describe_nearest(row: Mapping[str, Any], place: Place, units: str = "km") -> str:
    """A short sentence for one nearest_sites row: "12 km: MGH, Boston" / "in Germany, distance unknown"."""
    value = row.get("nearest_distance")
    if value is not None and not pd.isna(value):
        # A missing facility reaches here as NaN from pandas (truthy), not None.
        where = ", ".join(str(v) for v in (row.get("nearest_site"), row.get("nearest_city"))
                          if isinstance(v, str) and v.strip())
        approx = "" if row.get("nearest_exact") else " (placed by city name)"
        return f"{value:,.0f} {units}: {where}{approx}" if where else f"{value:,.0f} {units}{approx}"
    if row.get("unplaced_in_country"):
        return f"in {place.country}, distance unknown"
    return "no site that can be placed"


# ---------------------------------------------------------------- the export's near-me step


def load_site_index(connection) -> SiteIndex:
    """A SiteIndex over the sites of the listed MS studies of an open cache connection."""
    sites = pd.read_sql_query(
        "SELECT s.nct_id, s.position, s.facility, s.city, s.state, s.country, s.status, s.latitude, s.longitude "
        "FROM sites s JOIN studies t USING (nct_id) WHERE t.is_ms = 1 AND t.removed_run IS NULL "
        "ORDER BY s.nct_id, s.position", connection)
    status = pd.read_sql_query("SELECT nct_id, status FROM studies WHERE is_ms = 1", connection)
    return SiteIndex.build(sites, status.set_index("nct_id")["status"])


def distance_column(units: str) -> str:
    return f"nearest_site_{units}"


def near_rows(rows: Iterable[dict], index: SiteIndex, place: Place, within_km: float | None,
              units: str = "km") -> list[dict]:
    """Export rows with `nearest_site_km` (or `_mi`, rounded to 0.1), nearest first.

    With `within_km`, only trials with a measured site within that distance are kept; without it
    every row is kept and those with no measurable site come last (empty distance).
    """
    rows = list(rows)
    nearest = nearest_sites([row["nct_id"] for row in rows], index, place, within_km, units)
    column = distance_column(units)
    kept = []
    for row, distance, within in zip(rows, nearest["nearest_distance"], nearest["within"]):
        if within_km is not None and not within:
            continue
        kept.append({**row, column: None if pd.isna(distance) else round(float(distance), 1)})
    kept.sort(key=lambda row: (row[column] is None, row[column] if row[column] is not None else 0.0))
    return kept
