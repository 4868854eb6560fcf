"""Progressive MS Trial Explorer: the Streamlit entrypoint.

Run with `streamlit run dashboard/app.py`. This file loads the cache once per change of the file,
owns the sidebar filters (so every page sees the same selection) and keeps the page address in
step with them, so a copied link reproduces the view.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the pages import the shared helpers next to this file
    sys.path.insert(0, str(HERE))

import app_support  # noqa: E402
import filters_sidebar  # noqa: E402
import quick_check_answers  # noqa: E402
import trial_cards  # noqa: E402

st.set_page_config(page_title="Progressive MS Trial Explorer", page_icon=":material/explore:", layout="wide")
# Streamlit only moves a collapsed sidebar off screen, so Tab still went through its page links and filters
# with the focus out of sight (on a phone that is every visit). Hidden, they leave the tab order until opened.
st.html("<style>section[data-testid='stSidebar'][data-collapsed='true'], "
        "section[data-testid='stSidebar'][data-collapsed='true'] * { visibility: hidden !important; }"
        # A trial card's title is its link: Streamlit cuts link labels to one line, so on a phone most of a
        # title was hidden behind an ellipsis. Cards let it wrap.
        ".st-key-trial_cards [data-testid='stPageLink-NavLink'] span, "
        ".st-key-trial_cards [data-testid='stPageLink-NavLink'] p "
        "{ white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }</style>")

PAGES = {
    "explore": st.Page(str(HERE / "views" / "explore.py"), title="Explore trials", icon=":material/search:", url_path="trials", default=True),
    "trial": st.Page(str(HERE / "views" / "trial.py"), title="Trial details", icon=":material/description:", url_path="trial"),
    "compare": st.Page(str(HERE / "views" / "compare.py"), title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    "pipeline": st.Page(str(HERE / "views" / "pipeline.py"), title="Pipeline", icon=":material/bar_chart:", url_path="pipeline"),
    "map": st.Page(str(HERE / "views" / "map.py"), title="Map", icon=":material/map:", url_path="map"),
    "changes": st.Page(str(HERE / "views" / "changes.py"), title="What changed", icon=":material/notifications:", url_path="changes"),
    "about": st.Page(str(HERE / "views" / "about.py"), title="About the data", icon=":material/info:", url_path="about"),
}
PAGES_WITH_FILTERS = {"explore", "pipeline", "map", "changes"}

data = app_support.load_data()
if isinstance(data, str):
    # No cache yet: one friendly page with the command to run, whatever page was asked for.
    st.navigation([st.Page(lambda: app_support.show_empty_state(data), title="Getting started", url_path="start")],
                  position="hidden").run()
    st.stop()

# In the sidebar, above the filters: Streamlit puts the sidebar before the top bar in the page, so a top
# navigation came after every filter and help icon for someone moving with Tab (on a phone Streamlit already
# moves it here). Now it is the first thing after "Skip to main content".


def _open_explore() -> None:
    """`/explore` is the address people type or share for Explore, which Streamlit serves at `/`."""
    st.switch_page(PAGES["explore"], query_params={name: st.query_params.get_all(name) for name in st.query_params})


# Hidden, so the menu lists Explore once; reachable by its address (and `/trials`, Explore's own name).
EXPLORE_ADDRESS = st.Page(_open_explore, title="Explore trials", url_path="explore", visibility="hidden")
page = st.navigation([*PAGES.values(), EXPLORE_ADDRESS], position="sidebar", expanded=True)
# Before any page runs, the alias included: a run that renders none of the widgets would otherwise
# drop their state, and the filters, answers and view would be lost on the way to Explore.
filters_sidebar.keep_filter_state()
quick_check_answers.keep_answers()
trial_cards.keep_view()
if page.url_path == EXPLORE_ADDRESS.url_path:
    page.run()  # switches to Explore with the same address
page_name = next(name for name, candidate in PAGES.items() if candidate.url_path == page.url_path)

notices = filters_sidebar.init_from_address(data, page_name)
if page_name in PAGES_WITH_FILTERS:
    context = filters_sidebar.render(data, notices)
    filters_sidebar.write_address(context.state)
else:
    context = filters_sidebar.context_without_widgets(data)
st.session_state["app_context"] = context
page.run()
