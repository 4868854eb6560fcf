""""Near a place": the sidebar's place box and distance, their address parameters, and the near-me filter.

The place is a city with its country, found offline in the same gazetteer the map uses; the
distances come from mstrials.explore.near_me. A country-level guess never counts as "within".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import app_support
from mstrials.explore import frame as trial_frame
from mstrials.explore import near_me
from mstrials.markup_safety import plain_label

PLACE_KEY, WITHIN_KEY, UNITS_KEY = "f_near", "f_within", "f_units"
NEAR_PARAMS = {"near": PLACE_KEY, "within": WITHIN_KEY, "units": UNITS_KEY}
DEFAULT_WITHIN, DEFAULT_UNITS = 100, "km"
MAX_PLACE_LENGTH = 120


@dataclass(frozen=True)
class NearQuery:
    place: near_me.Place
    within: float      # in `units`
    units: str

    @property
    def within_km(self) -> float:
        return near_me.to_km(self.within, self.units)

    def words(self) -> str:
        return f"within {self.within:g} {self.units} of {self.place.name}"


@st.cache_resource(show_spinner="Placing the trial sites…", max_entries=2)
def site_index(path: str, modified_ns: int) -> near_me.SiteIndex:
    from pathlib import Path

    from mstrials.store.cache import connect_readonly

    connection = connect_readonly(Path(path))
    try:
        return near_me.load_site_index(connection)
    finally:
        connection.close()


def keep_state() -> None:
    for key in NEAR_PARAMS.values():
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def init_from_address(notices: list[str]) -> None:
    """Set the place box from `near`, `within` and `units` in the address (first run only)."""
    place = st.query_params.get("near")
    if place:
        st.session_state[PLACE_KEY] = place[:MAX_PLACE_LENGTH]
        # Said on the page too, not only in the sidebar, which a phone keeps closed: a shared link's
        # place that is not found would otherwise quietly show trials everywhere.
        try:
            near_me.find_place(place[:MAX_PLACE_LENGTH].strip())
        except near_me.UnknownPlace:
            suggestions = near_me.suggest_places(place[:MAX_PLACE_LENGTH].split(",")[0].strip(), limit=3)
            hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else "; try “Town, Country”"
            notices.append(f"Ignored near={trial_frame.quoted_address_value(place)} in the address: no such place "
                           f"found, so trials are shown wherever they are{hint}")
    units = st.query_params.get("units")
    if units in near_me.UNITS:
        st.session_state[UNITS_KEY] = units
    elif units:
        notices.append(f"Ignored units={trial_frame.quoted_address_value(units)} in the address (use km or mi)")
    within = st.query_params.get("within")
    if within:
        try:
            value = float(within)
        except ValueError:
            value = None
        if value in near_me.DISTANCE_CHOICES_KM:
            st.session_state[WITHIN_KEY] = int(value)
        else:
            notices.append(f"Ignored within={trial_frame.quoted_address_value(within)} in the address (use one of 25, 50, 100, 250, 500)")


def address_params() -> dict[str, str]:
    text = (st.session_state.get(PLACE_KEY) or "").strip()
    if not text:
        return {}
    params = {"near": text}
    if st.session_state.get(WITHIN_KEY, DEFAULT_WITHIN) != DEFAULT_WITHIN:
        params["within"] = str(st.session_state[WITHIN_KEY])
    if st.session_state.get(UNITS_KEY, DEFAULT_UNITS) != DEFAULT_UNITS:
        params["units"] = st.session_state[UNITS_KEY]
    return params


def current_query() -> NearQuery | None:
    """The place chosen in the sidebar, read without drawing it (for pages without the filters)."""
    text = (st.session_state.get(PLACE_KEY) or "").strip()
    if not text:
        return None
    try:
        place = near_me.find_place(text)
    except near_me.UnknownPlace:
        return None
    return NearQuery(place=place, within=float(st.session_state.get(WITHIN_KEY, DEFAULT_WITHIN)),
                     units=st.session_state.get(UNITS_KEY, DEFAULT_UNITS))


def place_options(current: str | None) -> list[str]:
    """The place box's suggestions: the gazetteer's larger cities, with the place already chosen first."""
    known = near_me.well_known_places()
    return [current, *known] if current and current not in set(known) else list(known)


def render() -> NearQuery | None:
    """The sidebar's place box; returns the query when a place is set and found.

    A selectbox that accepts typing: the larger cities are suggested as you type, and any other town
    can be typed in full and confirmed with Enter (it is then looked up like the suggestions).
    """
    current = (st.session_state.get(PLACE_KEY) or "").strip()[:MAX_PLACE_LENGTH] or None
    st.session_state[PLACE_KEY] = current  # "" (reset, an old session) means no place, as None does
    st.selectbox("Near a place (city, country)", place_options(current), index=None, key=PLACE_KEY,
                 accept_new_options=True, format_func=plain_label,
                 placeholder="Type a city, e.g. Boston, United States",
                 help="Keeps trials with a site within the distance, nearest first. Larger cities are suggested "
                      "as you type; for a smaller town type “Town, Country” and press Enter. Found offline; "
                      "sites known only by their country never count as near.")
    left, right = st.columns([3, 2])
    st.session_state.setdefault(WITHIN_KEY, DEFAULT_WITHIN)
    left.selectbox("Within", near_me.DISTANCE_CHOICES_KM, key=WITHIN_KEY)
    right.radio("Units", near_me.UNITS, key=UNITS_KEY, horizontal=True,
                format_func=lambda unit: "km" if unit == "km" else "miles")
    text = (st.session_state.get(PLACE_KEY) or "").strip()
    if not text:
        return None
    try:
        place = near_me.find_place(text)
    except near_me.UnknownPlace as error:
        suggestions = near_me.suggest_places(text.split(",")[0], limit=5)
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        st.warning(app_support.escape_markdown(f"{str(error).capitalize()}.{hint}"), icon=":material/location_off:")
        return None
    st.caption(app_support.escape_markdown(f"Using {place.name}" + (f" ({place.note})" if place.note else "")))
    return NearQuery(place=place, within=float(st.session_state.get(WITHIN_KEY, DEFAULT_WITHIN)),
                     units=st.session_state.get(UNITS_KEY, DEFAULT_UNITS))


def nearest(data: app_support.LoadedData, trials: pd.DataFrame, query: NearQuery) -> pd.DataFrame:
    """nearest_sites for `trials`, indexed like `trials`."""
    index = site_index(*app_support.cache_version(data.cache_path))
    result = near_me.nearest_sites(trials, index, query.place, within_km=query.within_km, units=query.units)
    result.index = trials.index
    return result


def narrow(data: app_support.LoadedData, mask: np.ndarray, query: NearQuery) -> tuple[np.ndarray, pd.DataFrame]:
    """The filter mask keeping only trials with a site within the distance, and the nearest sites of
    those trials (indexed like the frame), so the pages need not measure them again."""
    frame = data.table.frame
    chosen = frame[mask]
    if chosen.empty:
        return mask, pd.DataFrame(columns=near_me.NEAREST_COLUMNS)
    found = nearest(data, chosen, query)
    within = found["within"].to_numpy(dtype=bool)
    narrowed = mask.copy()
    narrowed[np.flatnonzero(mask)[~within]] = False
    return narrowed, found[within]


def nearest_words(data: app_support.LoadedData, trials: pd.DataFrame, query: NearQuery,
                  measured: pd.DataFrame | None = None) -> tuple[pd.Series, pd.Series]:
    """Per trial (indexed like `trials`): the distance to its nearest open site, and that in words.
    `measured` (from `narrow`) is reused when it covers the trials."""
    if measured is not None and trials.index.isin(measured.index).all():
        result = measured.loc[trials.index]
    else:
        result = nearest(data, trials, query)
    words = pd.Series([near_me.describe_nearest(row, query.place, query.units) for row in result.to_dict("records")],
                      index=trials.index)
    return result["nearest_distance"].astype(float), words


def country_only_count(data: app_support.LoadedData, mask: np.ndarray, query: NearQuery) -> int:
    """How many trials passing `mask` (the filters without the place) have a site in the place's country that
    only its country places (no city or coordinates, as in EU CTIS listings): they can never count as near,
    so the page says how many there are instead of leaving them silently out."""
    chosen = data.table.frame[mask]
    if chosen.empty:
        return 0
    found = nearest(data, chosen, query)
    return int((found["unplaced_in_country"].astype(bool) & ~found["within"].astype(bool)).sum())
