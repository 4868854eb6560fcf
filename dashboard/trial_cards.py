"""The Explore list as cards (for phones) or as a table, the switch between them, and opening a trial.

A phone shows only the first two columns of the table, so narrow screens get one card per trial:
title, status, phase, the nearest site when a place is set and the quick-check verdict when answers
are given. Each card's title is a link to our Trial page (a real link: reachable with Tab, opened with
Enter). In the table, ticking a row opens that trial's page at once. ClinicalTrials.gov stays one
explicit link away, on the Trial page.

Which of the two shows is kept in the address (`view=cards` or `view=table`). Without it, a browser
that calls itself a phone or tablet gets cards and everything else the table; the switch is always
shown, because a browser's own description is not a reliable measure of its width.
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from mstrials.markup_safety import is_trial_id, markdown_text

VIEW_PARAM, VIEW_KEY = "view", "explore_view"
VIEWS = {"cards": "Cards", "table": "Table"}
CARDS_STEP = 25
SHOWN_KEY = "explore_cards_shown"
OPEN_KEY, OPENED_KEY, HANDLED_KEY = "explore_open_trial", "explore_opened_count", "explore_tables_opened"
TRIAL_PAGE = "views/trial.py"
# "Mobi" is what phone browsers put in their description (Android phones, iPhone Safari, Firefox for phones).
_PHONE_AGENT = re.compile(r"Mobi|Android|iPhone|iPad", re.IGNORECASE)


def view_for_agent(agent: str) -> str:
    return "cards" if _PHONE_AGENT.search(agent or "") else "table"


def default_view() -> str:
    try:
        agent = st.context.headers.get("User-Agent") or ""
    except Exception:  # noqa: BLE001 - no request headers (e.g. under AppTest): the table, as on a desktop
        agent = ""
    return view_for_agent(agent)


def init_view() -> None:
    """On a session's first visit to Explore: the view from the address, else the default for the device."""
    if VIEW_KEY in st.session_state and st.session_state[VIEW_KEY] in VIEWS:
        return
    asked = st.query_params.get(VIEW_PARAM)
    st.session_state[VIEW_KEY] = asked if asked in VIEWS else default_view()


def keep_view() -> None:
    """Keep the choice while other pages are shown (Streamlit forgets the values of widgets it did not draw)."""
    if VIEW_KEY in st.session_state:
        st.session_state[VIEW_KEY] = st.session_state[VIEW_KEY]


def choose_view() -> str:
    """The Cards / Table switch; the choice goes into the address so a shared link opens the same way."""
    init_view()
    # A radio group rather than a segmented control: the latter's chosen segment is pink on pink at
    # 4.47:1, just under WCAG AA; radios also move with the arrow keys like any radio group.
    chosen = st.radio("Show the trials as", list(VIEWS), format_func=VIEWS.get, key=VIEW_KEY, horizontal=True,
                      help="Cards suit a phone; the table shows more columns.")
    chosen = chosen if chosen in VIEWS else default_view()
    if st.query_params.get(VIEW_PARAM) != chosen:
        st.query_params[VIEW_PARAM] = chosen
    return chosen


def open_chosen_trial() -> None:
    """Go to the Trial page of a row ticked on the previous run (see `table_selected`)."""
    chosen = st.session_state.pop(OPEN_KEY, None)
    if is_trial_id(chosen):
        st.switch_page(TRIAL_PAGE, query_params={"nct": chosen})


def table_key(ids: pd.Series) -> str:
    # A new key after each opened trial, so coming back shows the list untouched (not the old tick);
    # the key also changes with the list, so a tick can never point at another trial after a filter change.
    import hashlib

    digest = hashlib.sha1("|".join(ids).encode()).hexdigest()[:16]
    return f"results_table_{digest}_{st.session_state.get(OPENED_KEY, 0)}"


def table_selected(key: str, ids: list[str]) -> None:
    """on_select of the results table: remember the ticked trial; the page then opens it.

    Once per table: coming back to Explore, the browser can report the old tick again, and that must
    not send the person straight back to the trial they just left.
    """
    handled = st.session_state.setdefault(HANDLED_KEY, set())
    state = st.session_state.get(key)
    rows = state.selection.rows if state is not None else []
    if key in handled or not rows or not 0 <= rows[0] < len(ids):
        return
    handled.add(key)
    st.session_state[OPEN_KEY] = ids[rows[0]]
    st.session_state[OPENED_KEY] = st.session_state.get(OPENED_KEY, 0) + 1


def _more_cards() -> None:
    st.session_state[SHOWN_KEY] = st.session_state.get(SHOWN_KEY, CARDS_STEP) + CARDS_STEP


def show_cards(view: pd.DataFrame) -> None:
    """One card per trial; `view` has nct_id, title, status_label, phase_stage and, when set, nearest and
    quick_check. Every registry value is escaped before it enters the card's markdown."""
    md = markdown_text
    shown = min(len(view), max(st.session_state.get(SHOWN_KEY, CARDS_STEP), CARDS_STEP))
    with st.container(key="trial_cards"):
        for row in view.head(shown).itertuples(index=False):
            nct_id = row.nct_id
            if not is_trial_id(nct_id):
                continue  # only validated numbers (NCT or CTIS) become links to our page
            with st.container(border=True):
                st.page_link(TRIAL_PAGE, label=md(row.title) or nct_id, query_params={"nct": nct_id},
                             icon=":material/description:")
                facts = [f"**{md(row.status_label) or 'Status not stated'}**", md(row.phase_stage) or "phase not stated",
                         nct_id]
                registries = getattr(row, "registries_text", None)
                if isinstance(registries, str) and registries:
                    facts.append(md(registries))
                lines = [" · ".join(facts)]
                nearest = getattr(row, "nearest", None)
                if isinstance(nearest, str) and nearest:
                    lines.append(f"Nearest open site: {md(nearest)}")
                verdict = getattr(row, "quick_check", None)
                if isinstance(verdict, str) and verdict:
                    lines.append(f"Your quick check: {md(verdict)}")
                st.markdown("  \n".join(lines))
    if shown < len(view):
        st.button(f"Show {min(CARDS_STEP, len(view) - shown):,} more of {len(view) - shown:,} trials",
                  on_click=_more_cards, icon=":material/expand_more:", key="explore_more_cards")
