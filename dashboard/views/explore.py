"""Explore: the filtered list of trials, downloads, and the patient quick check."""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

import app_support
import filters_sidebar
import near_place
import quick_check_answers
import trial_cards
from mstrials.explore import frame as trial_frame
from mstrials.explore.search_terms import expand_query
from mstrials.explore.patient_match import (VERDICT_EXCLUDED, VERDICT_NOT_STATED, VERDICT_OK, check_trials,
                                            criteria_registry)

HIDDEN_LISTED = 50  # a long list helps no one; the count says how many
ALSO_SEARCHED_SHOWN = 12
ELIGIBILITY_COLUMNS = {"edss_window": "EDSS window", "ages": "Ages", "ms_types_accepted": "MS types accepted"}

trial_cards.open_chosen_trial()  # a row ticked in the table on the previous run: open its page now
context = app_support.current()
catalogue = context.catalogue

st.title("Multiple sclerosis trials")
app_support.show_data_as_of(context.data)
st.markdown(
    "Find clinical trials for multiple sclerosis, with a focus on **progressive MS**. "
    "Narrow the list with the filters on the left (on a phone: tap **»** at the top left)."
)
st.caption("Looking for a trial to join? Tick “Recruiting or not yet recruiting” on the left, "
           "then open “Could I qualify?” below.")

person = quick_check_answers.ask(context.table.values_of("countries"))
trials = trial_frame.people_first_order(context.filtered())
nearest_text = None
if context.near is not None and not trials.empty:
    # Nearest first: the reason someone typed a place.
    distances, nearest_text = near_place.nearest_words(context.data, trials, context.near, context.nearest)
    order = np.argsort(distances.to_numpy(), kind="stable")
    trials, nearest_text = trials.iloc[order], nearest_text.iloc[order]
if context.near is not None:
    country_only = near_place.country_only_count(context.data, trial_frame.filter_mask(context.table, context.state),
                                                 context.near)
    if country_only:
        country = app_support.escape_markdown(context.near.place.country)
        st.caption(f"{country_only:,} more trial{'' if country_only == 1 else 's'} list {country} without a site "
                   "address (common in EU CTIS records), so the distance is unknown and "
                   f"{'it is' if country_only == 1 else 'they are'} not in this list.")
        st.button(f"Show all trials in {country} instead of near the place", icon=":material/public:",
                  on_click=filters_sidebar.show_country_instead_of_place, args=(context.near.place.country,))
if context.state.accepts_edss is not None and not trials.empty:
    silent = trial_frame.edss_silent_count(trials)
    if silent:
        st.caption(f"{silent:,} of these {len(trials):,} trials state no EDSS window in this copy: they are kept, "
                   "since silence excludes no one, but the EDSS filter could not check them.")
hidden = 0
if person is not None:
    checks = check_trials(trials, person)
    excluded = (checks["verdict"] == VERDICT_EXCLUDED).to_numpy()
    hidden = int(excluded.sum())
    hidden_trials, hidden_checks = trials[excluded], checks[excluded]
    trials = trials[~excluded]
    checks = checks.loc[trials.index]
    without_text = int((~checks["criteria_in_copy"]).sum())
    # Name the registry whose page has the criteria: CTIS for EU trials, ClinicalTrials.gov for NCT ones.
    registries_without_text = sorted({criteria_registry(trial_id)
                                      for trial_id in trials.loc[~checks["criteria_in_copy"], "nct_id"]})
    st.info(
        f"Your quick check is on: {hidden:,} trial{'' if hidden == 1 else 's'} hidden because a stated "
        f"criterion excludes you; {len(trials):,} left. “{VERDICT_OK}” still means you must confirm with "
        "the study team."
        + (f" {without_text:,} trial{' has' if without_text == 1 else 's have'} no criteria text here: "
           f"read them on {' or '.join(registries_without_text)}." if without_text else ""),
        icon=":material/person_check:",
    )
    if hidden:
        # Named, with the criterion's words, so a person can check the reading (or ask the team) themselves.
        with st.expander(f"Which trial{' was' if hidden == 1 else 's were'} hidden, and why"):
            md = app_support.escape_markdown
            lines = [f"- **{md(title)}** ({md(trial_id)}): {md(why)}" for trial_id, title, why in zip(
                hidden_trials["nct_id"].head(HIDDEN_LISTED), hidden_trials["title"].fillna("").head(HIDDEN_LISTED),
                hidden_checks["explanation"].head(HIDDEN_LISTED))]
            more = hidden - len(lines)
            st.markdown("\n".join(lines) + (f"\n\n… and {more:,} more." if more > 0 else ""))
            st.caption("Open a trial's page (search for its number) to read the criterion in full.")
else:
    checks = None

summary = app_support.describe_filters_markdown(context)
st.header(trial_frame.trials_matching(len(trials)))
st.caption(f"Showing: {summary}")
also_searched = expand_query(context.state.text).also_searched
if also_searched:
    # The vocabulary's names, not the typed text, but escaped all the same (one helper for all).
    shown = ", ".join(app_support.escape_markdown(name) for name in also_searched[:ALSO_SEARCHED_SHOWN])
    more = len(also_searched) - ALSO_SEARCHED_SHOWN
    st.caption(f"Also searched for: {shown}" + (f" and {more} more names" if more > 0 else ""))

if trials.empty and hidden:
    st.info(f"Your quick check answers rule out {'the one trial' if hidden == 1 else f'all {hidden:,} trials'} "
            "that match the filters. "
            "Check your answers, clear the ones you are unsure of, or widen the filters on the left.",
            icon=":material/person_off:")
elif trials.empty:
    filters_sidebar.show_no_matches(context)
else:
    view = trial_frame.results_view(trials, catalogue.label).drop(columns=["link"])
    column_config = {
        "nct_id": st.column_config.TextColumn("Trial", width=150, help="Tick a row to open the trial's details"),
        "registries_text": st.column_config.TextColumn("Registry", width="medium",
                                                       help="ClinicalTrials.gov, the EU's CTIS, or both"),
        "title": st.column_config.TextColumn("Title", width="large"),
        "mechanism_labels": st.column_config.TextColumn("Mechanisms"),
        "phase_stage": st.column_config.TextColumn("Phase", width="small"),
        "status_label": st.column_config.TextColumn("Status"),
        "start_date": st.column_config.TextColumn("Start", width="small"),
        "primary_completion_date": st.column_config.TextColumn("Primary completion", width="small"),
        "sponsor": st.column_config.TextColumn("Sponsor"),
        "countries_text": st.column_config.TextColumn("Countries"),
        "edss_window": st.column_config.TextColumn("EDSS window", help="From the criteria text; check the record"),
        "ages": st.column_config.TextColumn("Ages", width="small"),
        "ms_types_accepted": st.column_config.TextColumn("MS types accepted"),
    }
    if nearest_text is not None:
        view.insert(1, "nearest", nearest_text.loc[trials.index].to_numpy())
        column_config["nearest"] = st.column_config.TextColumn(
            f"Nearest open site ({context.near.units})", width="medium",
            help="Distance from the place you chose to the trial's nearest recruiting site")
    if checks is not None:
        view.insert(2, "quick_check", checks.loc[trials.index, "explanation"].to_numpy())
        column_config["quick_check"] = st.column_config.TextColumn("Your quick check", width="medium")
    shown_as = trial_cards.choose_view()
    if shown_as == "cards":
        st.caption("Open or about-to-open trials first, newest start first. Tap a trial's title to see its details.")
        trial_cards.show_cards(view)
    else:
        st.caption("Open or about-to-open trials first, newest start first; click a column heading to sort. "
                   "Tick the box at the start of a row to open that trial's details.")
        extra_columns = st.multiselect(
            "More columns", list(ELIGIBILITY_COLUMNS), key="explore_extra_columns",
            format_func=ELIGIBILITY_COLUMNS.get, placeholder="Add eligibility columns (EDSS window, ages, MS types)",
        )
        # Status straight after the trial number: on a narrow screen only the first columns fit.
        order = ["nct_id", "status_label", *(["nearest"] if nearest_text is not None else []),
                 *(["quick_check"] if checks is not None else []), "registries_text", "title", "phase_stage",
                 "mechanism_labels", *extra_columns, "start_date", "primary_completion_date", "sponsor",
                 "countries_text"]
        key = trial_cards.table_key(view["nct_id"])
        st.dataframe(
            view, hide_index=True, width="stretch", column_config=column_config, column_order=order,
            on_select=functools.partial(trial_cards.table_selected, key, view["nct_id"].tolist()),
            selection_mode="single-row", height=min(38 + 35 * len(view), 560), key=key,
        )

    # The files are built only when a button is pressed: at 100,000 trials that takes a moment.
    stamp = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("Download CSV", icon=":material/download:", data=lambda: trial_frame.to_csv_bytes(trials),
                         on_click="ignore", file_name=f"ms-trials-{stamp}.csv",
                         mime="text/csv", width="stretch")
    right.download_button("Download JSON", icon=":material/download:", data=lambda: trial_frame.to_json_bytes(trials),
                          on_click="ignore", file_name=f"ms-trials-{stamp}.json",
                          mime="application/json", width="stretch")

st.caption(":material/medical_information: " + app_support.DISCLAIMER + f" “{VERDICT_NOT_STATED}” means the registry data we hold does not say.")
