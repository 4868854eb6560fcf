"""Placing trial sites on the map: registry geoPoints first, then city, then country."""
from __future__ import annotations

import json
import math
import time

import pandas as pd
import pytest

from mstrials.explore.places import country_code, place_sites, placement_summary, study_sites


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def sites_frame(*rows: dict) -> pd.DataFrame:
    columns = ["city", "state", "country", "latitude", "longitude"]
    return pd.DataFrame([{column: row.get(column) for column in columns} | row for row in rows])


def place_one(city=None, state=None, country=None, latitude=None, longitude=None) -> pd.Series:
    row = dict(city=city, state=state, country=country, latitude=latitude, longitude=longitude)
    return place_sites(sites_frame(row)).iloc[0]


@pytest.mark.parametrize(
    "name, code",
    [
        ("United States", "US"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Russian Federation", "RU"),
        ("Russia", "RU"),
        ("Iran, Islamic Republic of", "IR"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Turkey (Türkiye)", "TR"),
        ("Taiwan", "TW"),
        ("Hong Kong", "HK"),
        ("Viet Nam", "VN"),
        ("Moldova, Republic of", "MD"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Macedonia, The Former Yugoslav Republic of", "MK"),
        ("Former Serbia and Montenegro", "RS"),
        ("Côte d'Ivoire", "CI"),
        ("Puerto Rico", "PR"),
        ("united kingdom", "GB"),
        ("  GERMANY ", "DE"),
    ],
)
def test_country_code_reads_registry_spellings(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize("name", ["Atlantis", "", "   ", None, float("nan"), "Korea"])
def test_country_code_is_none_for_unknown_or_ambiguous_names(name):
    assert country_code(name) is None


def test_a_registry_geopoint_wins_over_the_city_name():
    placed = place_one("Paris", None, "France", latitude=45.0, longitude=-93.0)
    assert placed["placed_by"] == "site"
    assert (placed["lat"], placed["lon"]) == (45.0, -93.0)


@pytest.mark.parametrize(
    "city, state, country, expected_lat, expected_lon",
    [
        ("Paris", None, "France", 48.857, 2.352),
        ("Montréal", "Quebec", "Canada", 45.50, -73.57),
        ("MONTREAL", None, "Canada", 45.50, -73.57),
        ("São Paulo", None, "Brazil", -23.55, -46.63),
        ("Sao Paulo", None, "Brazil", -23.55, -46.63),
        ("Zürich", None, "Switzerland", 47.37, 8.54),
        ("zurich", None, "Switzerland", 47.37, 8.54),
        ("Köln", None, "Germany", 50.94, 6.96),
        ("Cologne", None, "Germany", 50.94, 6.96),
        ("München", None, "Germany", 48.14, 11.58),
        ("Roma", None, "Italy", 41.90, 12.50),
        ("St. Louis", "Missouri", "United States", 38.63, -90.20),
        ("Saint Louis", "Missouri", "United States", 38.63, -90.20),
        ("St Louis", None, "United States", 38.63, -90.20),
        ("St. Gallen", None, "Switzerland", 47.42, 9.37),
        ("Sankt Gallen", None, "Switzerland", 47.42, 9.37),
        ("Saint-Étienne", None, "France", 45.43, 4.39),
        ("St. John's", "Newfoundland and Labrador", "Canada", 47.56, -52.71),
        ("Washington D.C.", "District of Columbia", "United States", 38.90, -77.04),
        ("Seoul", None, "Korea, Republic of", 37.57, 126.98),
        ("Moscow", None, "Russian Federation", 55.76, 37.62),
        ("Tehran", None, "Iran, Islamic Republic of", 35.69, 51.39),
        ("Brno", None, "Czechia", 49.20, 16.61),
        ("Istanbul", None, "Turkey (Türkiye)", 41.01, 28.98),
        ("Izmir", None, "Türkiye", 38.42, 27.14),
        ("Taipei", None, "Taiwan", 25.03, 121.56),
        ("Hong Kong", None, "Hong Kong", 22.30, 114.17),
        ("Bodø", None, "Norway", 67.28, 14.40),
        ("Łódź", None, "Poland", 51.76, 19.46),
        # registry decorations around the city name
        ("Aarhus C", None, "Denmark", 56.16, 10.21),
        ("Amiens Cedex 1", None, "France", 49.89, 2.30),
        ("Praha 2", None, "Czechia", 50.08, 14.43),
        ("Suita, Osaka", None, "Japan", 34.76, 135.52),
        ("Moscow, Volokolamskoe Shosse, 80", None, "Russia", 55.76, 37.62),
    ],
)
def test_cities_are_found_whatever_the_spelling(city, state, country, expected_lat, expected_lon):
    placed = place_one(city, state, country)
    assert placed["placed_by"] == "city"
    assert km_between(placed["lat"], placed["lon"], expected_lat, expected_lon) < 15


@pytest.mark.parametrize(
    "city, state, country, expected_lat, expected_lon",
    [
        ("Portland", "Maine", "United States", 43.66, -70.26),
        ("Portland", "Oregon", "United States", 45.52, -122.68),
        ("Portland", "OR", "United States", 45.52, -122.68),
        ("Rochester", "Minnesota", "United States", 44.02, -92.47),
        ("Rochester", "New York", "United States", 43.16, -77.61),
        ("London", "Ontario", "Canada", 42.98, -81.25),
        ("London", None, "United Kingdom", 51.51, -0.13),
        ("Perth", "Western Australia", "Australia", -31.95, 115.86),
        ("Perth", "Tasmania", "Australia", -41.57, 147.17),
        ("Richmond", "Virginia", "United States", 37.54, -77.44),
        ("Richmond", "British Columbia", "Canada", 49.17, -123.14),
    ],
)
def test_state_or_province_picks_between_namesakes(city, state, country, expected_lat, expected_lon):
    placed = place_one(city, state, country)
    assert placed["placed_by"] == "city"
    assert km_between(placed["lat"], placed["lon"], expected_lat, expected_lon) < 15


@pytest.mark.parametrize(
    "city, country, expected_lat, expected_lon",
    [
        ("Portland", "United States", 45.52, -122.68),  # Oregon's is the larger Portland
        ("Birmingham", "United Kingdom", 52.48, -1.90),
        ("Valencia", "Spain", 39.47, -0.38),
    ],
)
def test_without_a_state_the_most_populous_namesake_wins(city, country, expected_lat, expected_lon):
    placed = place_one(city, None, country)
    assert placed["placed_by"] == "city"
    assert km_between(placed["lat"], placed["lon"], expected_lat, expected_lon) < 15


def test_a_city_missing_from_its_state_falls_back_to_the_country_not_to_a_namesake_elsewhere():
    placed = place_one("Seattle", "Florida", "United States")
    assert placed["placed_by"] == "country"
    assert km_between(placed["lat"], placed["lon"], 47.61, -122.33) > 1000


@pytest.mark.parametrize(
    "city, country, lat_range, lon_range",
    [
        ("Multiple Locations", "Germany", (47.3, 55.1), (5.9, 15.1)),
        (None, "France", (42.3, 51.1), (-4.8, 8.3)),
        ("Nowhereville", "Korea, Republic of", (33.1, 38.7), (124.6, 130.0)),
        ("Many Locations", "Italy", (36.6, 47.1), (6.6, 18.6)),
        ("Nowhereville", "United States", (24.5, 49.4), (-125.0, -66.9)),
    ],
)
def test_unknown_cities_fall_back_to_a_point_inside_the_country(city, country, lat_range, lon_range):
    placed = place_one(city, None, country)
    assert placed["placed_by"] == "country"
    assert lat_range[0] < placed["lat"] < lat_range[1]
    assert lon_range[0] < placed["lon"] < lon_range[1]


@pytest.mark.parametrize(
    "row",
    [
        dict(city="Paris", country="Atlantis"),
        dict(city="Paris"),
        dict(),
        dict(city=float("nan"), state=float("nan"), country=float("nan")),
    ],
)
def test_sites_without_a_recognisable_country_or_geopoint_are_not_placed(row):
    placed = place_one(**row)
    assert placed["placed_by"] is None
    assert math.isnan(placed["lat"]) and math.isnan(placed["lon"])


@pytest.mark.parametrize("latitude, longitude", [(0.0, 0.0), (None, 2.35), (91.0, 2.35), (48.85, 181.0), ("", "")])
def test_placeholder_or_impossible_geopoints_are_ignored(latitude, longitude):
    placed = place_one("Paris", None, "France", latitude=latitude, longitude=longitude)
    assert placed["placed_by"] == "city"
    assert km_between(placed["lat"], placed["lon"], 48.857, 2.352) < 15


def test_other_columns_and_the_index_pass_through_and_the_input_is_left_alone():
    sites = sites_frame(
        dict(nct_id="NCT1", facility="Hôpital A", city="Lyon", country="France"),
        dict(nct_id="NCT2", facility="Clinic B", city="Oslo", country="Norway", latitude=59.91, longitude=10.75),
    )
    sites.index = [10, 20]
    before = sites.copy()
    placed = place_sites(sites)
    pd.testing.assert_frame_equal(sites, before)
    assert list(placed.index) == [10, 20]
    assert list(placed["nct_id"]) == ["NCT1", "NCT2"]
    assert list(placed["facility"]) == ["Hôpital A", "Clinic B"]
    assert list(placed["placed_by"]) == ["city", "site"]
    assert set(placed.columns) == set(sites.columns) | {"lat", "lon", "placed_by"}


def test_missing_coordinate_and_state_columns_are_treated_as_empty():
    placed = place_sites(pd.DataFrame({"city": ["Lyon"], "country": ["France"]}))
    assert placed.loc[0, "placed_by"] == "city"
    assert km_between(placed.loc[0, "lat"], placed.loc[0, "lon"], 45.76, 4.84) < 15


def test_an_empty_frame_gives_an_empty_frame_with_the_new_columns():
    placed = place_sites(sites_frame())
    assert len(placed) == 0
    assert {"lat", "lon", "placed_by"} <= set(placed.columns)


def test_placement_summary_counts_each_method():
    placed = place_sites(
        sites_frame(
            dict(city="Oslo", country="Norway", latitude=59.91, longitude=10.75),
            dict(city="Lyon", country="France"),
            dict(city="Lille", country="France"),
            dict(city="Multiple Locations", country="Germany"),
            dict(city="Paris", country="Atlantis"),
        )
    )
    assert placement_summary(placed) == {"site": 1, "city": 2, "country": 1, "not_placed": 1, "total": 5}


def test_study_sites_survives_partial_records():
    assert study_sites({}) == []
    assert study_sites(None) == []
    assert study_sites({"protocolSection": {"contactsLocationsModule": {"locations": "oops"}}}) == []
    rows = study_sites({"protocolSection": {"contactsLocationsModule": {"locations": [{"city": "Lyon"}, "junk"]}}})
    assert rows == [
        {"facility": None, "city": "Lyon", "state": None, "zip": None, "country": None,
         "status": None, "latitude": None, "longitude": None}
    ]


def test_100k_rows_are_placed_in_a_couple_of_seconds():
    distinct = sites_frame(
        *[dict(city=f"Town {number}", country="France") for number in range(2000)],
        dict(city="Paris", country="France"),
        dict(city="Portland", state="Maine", country="United States"),
        dict(city="Lyon", country="France", latitude=45.76, longitude=4.84),
    )
    sites = pd.concat([distinct] * 50, ignore_index=True)
    place_sites(distinct.head(1))  # the one-time gazetteer build is not what this measures
    started = time.perf_counter()
    placed = place_sites(sites)
    elapsed = time.perf_counter() - started
    assert len(placed) == len(sites) > 100_000
    assert elapsed < 3.0


# --- real registry records -------------------------------------------------------------


def real_full_record_sites(ctgov_dir) -> pd.DataFrame:
    rows = []
    for path in sorted([*(ctgov_dir / "studies").glob("NCT*.json"), *(ctgov_dir / "studies_partial").glob("NCT*.json")]):
        rows.extend(study_sites(json.loads(path.read_text(encoding="utf-8"))))
    return pd.DataFrame(rows)


def test_real_sites_with_a_geopoint_are_placed_by_site(ctgov_dir):
    sites = real_full_record_sites(ctgov_dir)
    with_point = sites.dropna(subset=["latitude", "longitude"])
    assert len(with_point) >= 150  # 3 full + 4 partial records, 155 sites
    placed = place_sites(with_point)
    assert (placed["placed_by"] == "site").all()
    assert (placed["lat"] == with_point["latitude"].astype(float)).all()
    assert (placed["lon"] == with_point["longitude"].astype(float)).all()


def test_real_sites_without_their_geopoint_are_placed_by_city_where_the_registry_put_them(ctgov_dir):
    # These cities all exist (the registry geocoded every one), so each must be found by name,
    # and the registry's own geoPoint says where the right namesake is.
    sites = real_full_record_sites(ctgov_dir)
    placed = place_sites(sites.drop(columns=["latitude", "longitude"]))
    assert list(placed["placed_by"].unique()) == ["city"]
    distances = [
        km_between(*point)
        for point in zip(placed["lat"], placed["lon"], sites["latitude"].astype(float), sites["longitude"].astype(float))
    ]
    far = [(city, state, km) for city, state, km in zip(sites["city"], sites["state"], distances) if km > 10]
    assert far == []


def corpus_first_sites(corpus_studies) -> pd.DataFrame:
    return pd.DataFrame([site for study in corpus_studies for site in study_sites(study)])


def test_corpus_first_sites_are_placed_at_city_or_country_level(corpus_studies):
    sites = corpus_first_sites(corpus_studies)
    assert len(sites) > 2000
    summary = placement_summary(place_sites(sites))
    assert summary["site"] == 0  # the corpus carries no geoPoints
    # Measured on the 2025-09-25 corpus: 97.9% by city, 2.1% by country, none left unplaced.
    assert (summary["city"] + summary["country"]) / summary["total"] >= 0.95
    assert summary["city"] / summary["total"] >= 0.95


def test_corpus_sites_land_in_the_right_place_for_cities_we_know(corpus_studies):
    known = {
        ("Paris", "France"): (48.857, 2.352),
        ("Ankara", "Turkey (Türkiye)"): (39.93, 32.86),
        ("Milan", "Italy"): (45.46, 9.19),
        ("Toronto", "Canada"): (43.65, -79.38),
        ("Boston", "United States"): (42.36, -71.06),
        ("Birmingham", "United States"): (33.52, -86.80),  # Alabama, not England
        ("London", "Canada"): (42.98, -81.25),  # Ontario, not England
    }
    placed = place_sites(corpus_first_sites(corpus_studies))
    checked = 0
    for (city, country), (lat, lon) in known.items():
        rows = placed[(placed["city"] == city) & (placed["country"] == country)]
        assert len(rows) > 0, (city, country)
        for row in rows.itertuples():
            assert row.placed_by == "city"
            assert km_between(row.lat, row.lon, lat, lon) < 15, (city, country, row.state)
            checked += 1
    assert checked > 100
