"""Map: where the filtered trials have sites (recruiting sites by default)."""
from __future__ import annotations

import streamlit as st

import app_support
import filters_sidebar
from mstrials.explore import frame as trial_frame, site_map
from mstrials.markup_safety import plain_label, study_url

context = app_support.current()
data = context.data
trials = context.filtered()

st.title("Trial sites on a map")
app_support.show_data_as_of(data)
st.caption("Follows the filters on the left: " + app_support.describe_filters_markdown(context))
open_only = st.toggle("Only sites that are recruiting or about to", value=True, key="map_open_sites",
                      help="A site without its own status counts as open when its trial is recruiting. "
                           "Off: every site of the matching trials, including finished ones.")
sites = site_map.sites_of(app_support.load_sites(*app_support.cache_version(data.cache_path)), trials, open_only)
if trials.empty:
    filters_sidebar.show_no_matches(context)
    st.stop()
if sites.empty:
    st.info("No sites to show. " + ("Turn off “Only sites that are recruiting” to see every site, "
                                    "or widen the filters." if open_only else "Widen the filters on the left."))
    st.stop()

placed = site_map.place(sites)
counts = site_map.placement_counts(placed)
st.markdown(
    f"**{counts['total']:,} sites** of {sites['nct_id'].nunique():,} trials. "
    f"Placed by the registry's map point: {counts['site']:,} · by city: {counts['city']:,} · "
    f"by country only (approximate): {counts['country']:,} · **could not be placed: {counts['not_placed']:,}**."
)
# The country choice comes before the map: it is the quickest way to "sites near me", and on a phone
# the map fills the screen and catches the finger that scrolls.
country = st.selectbox("Sites in one country (to find sites near you)", ["", *sorted(placed["country"].dropna().unique())],
                       format_func=lambda c: plain_label(c) or "All countries", key="map_country")
listing = placed if not country else placed[placed["country"] == country]
on_map = listing.dropna(subset=["lat", "lon"])
near = context.near
if near is not None:
    # Centred on the chosen place, with the distance drawn as a ring around it.
    import pydeck

    sites_layer = pydeck.Layer("ScatterplotLayer", on_map[["lat", "lon"]], get_position="[lon, lat]",
                               get_radius=3000, radius_min_pixels=3, get_fill_color=[180, 30, 45, 200])
    ring = pydeck.Layer("ScatterplotLayer", [{"lat": near.place.latitude, "lon": near.place.longitude}],
                        get_position="[lon, lat]", get_radius=near.within_km * 1000, stroked=True, filled=False,
                        get_line_color=[20, 60, 160, 255], line_width_min_pixels=2)
    centre = pydeck.Layer("ScatterplotLayer", [{"lat": near.place.latitude, "lon": near.place.longitude}],
                          get_position="[lon, lat]", get_radius=1500, radius_min_pixels=5,
                          get_fill_color=[20, 60, 160, 255])
    zoom = 9 if near.within_km <= 30 else 8 if near.within_km <= 60 else 7 if near.within_km <= 120 else 5
    st.pydeck_chart(pydeck.Deck(layers=[sites_layer, ring, centre], map_style=None,
                                initial_view_state=pydeck.ViewState(latitude=near.place.latitude,
                                                                    longitude=near.place.longitude, zoom=zoom)),
                    height=380)
    st.caption(app_support.escape_markdown(f"The blue ring: {near.words()}."))
elif not on_map.empty:
    st.map(on_map, latitude="lat", longitude="lon", size=6000, height=380)
st.caption("Points placed by country sit at the country's population centre, not at the hospital. "
           "The list below the map has every site, including any that could not be placed.")
titles = trials.set_index("nct_id")["title"]
listing = listing.assign(title=listing["nct_id"].map(titles),
                         link=listing["nct_id"].map(study_url))
st.dataframe(
    listing[["link", "title", "facility", "city", "state", "country", "status_label", "placed_by_label"]],
    hide_index=True, width="stretch",
    column_config={
        "link": st.column_config.LinkColumn("Trial", display_text=trial_frame.TRIAL_LINK_TEXT),
        "title": "Title", "facility": "Site", "city": "City", "state": "State", "country": "Country",
        "status_label": "Site status", "placed_by_label": "Map position from",
    },
)
