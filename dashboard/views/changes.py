"""What changed: the registry changes recorded between fetches, newest first."""
from __future__ import annotations

import streamlit as st

import app_support
import filters_sidebar
from mstrials.explore import frame as trial_frame
from mstrials.explore.registry_rows import row_keys
from mstrials.store.history import CHANGE_KIND_LABELS
from mstrials.markup_safety import study_url

context = app_support.current()
data = context.data
catalogue = context.catalogue

st.title("What changed")
app_support.show_data_as_of(data)
st.caption("Follows the filters on the left (including trials no longer listed): "
           + app_support.describe_filters_markdown(context))

changes = app_support.load_changes(*app_support.cache_version(data.cache_path))
matching = trial_frame.filter_trials(data.table, context.state, include_removed=True)
first_run = int(data.runs["run_id"].min()) if not data.runs.empty else None
if len(data.runs) <= 1:
    st.info("Only one fetch so far: every trial arrived with it. Changes show up here after the next refresh "
            f"(`{app_support.REFRESH_COMMAND}`).")

# A multiselect, not pills: chosen kinds show as labelled chips, not only as a change of colour.
kinds = st.multiselect("Kinds of change", list(CHANGE_KIND_LABELS), format_func=CHANGE_KIND_LABELS.get, default=["new", "status", "phases", "primary_completion_date", "completion_date",
                                "no_longer_listed", "listed_again"], key="changes_kinds")
include_first = st.checkbox("Include the trials of the very first fetch as “new”", value=False, key="changes_first",
                            help="The first fetch lists every trial as new, which hides the real news.")
# A trial in both registries has a history per record: both count under the trial's row.
row_key = row_keys(data.table.frame)
changes = changes.assign(trial=changes["nct_id"].map(row_key).fillna(changes["nct_id"]))
of_matching = changes[changes["trial"].isin(set(matching["nct_id"]))]
first_fetch_new = (of_matching["run_id"] == first_run) & (of_matching["kind"] == "new")
shown = of_matching[of_matching["kind"].isin(kinds)]
if not include_first and first_run is not None:
    shown = shown[~first_fetch_new.loc[shown.index]]
dated = len(shown)
if not shown.empty:
    earliest, latest = shown["when"].min().date(), shown["when"].max().date()
    picked = st.date_input("Fetched between", value=(earliest, latest), min_value=earliest, max_value=latest,
                           key="changes_dates")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        start, end = picked
        day = shown["when"].dt.date
        shown = shown[(day >= start) & (day <= end)]

st.header(f"{len(shown):,} change{'' if len(shown) == 1 else 's'}")
if shown.empty:
    if matching.empty:
        filters_sidebar.show_no_matches(context, include_removed=True)
        st.stop()
    # Say which of this page's own choices hides what, with how many changes each would bring back.
    steps = []
    if dated:
        steps.append(f"Widen “Fetched between”: {dated:,} change{'' if dated == 1 else 's'} in all")
    other_kinds = of_matching[~of_matching["kind"].isin(kinds) & ~first_fetch_new]
    if len(other_kinds):
        steps.append(f"Add kinds of change: {len(other_kinds):,} change{'' if len(other_kinds) == 1 else 's'} "
                     "of other kinds")
    if not include_first and first_fetch_new.any():
        arrived = int(first_fetch_new.sum())
        steps.append(f"Tick “Include the trials of the very first fetch”: {arrived:,} "
                     f"trial{' arrived' if arrived == 1 else 's arrived'} with it")
    steps.append("Widen the filters on the left (on a phone: tap **»** at the top left)")
    st.info("**Nothing to show for these choices.** To see more:\n" + "\n".join(f"- {step}" for step in steps),
            icon=":material/filter_alt_off:")
    st.stop()
titles = data.table.frame.set_index("nct_id")
view = shown.assign(
    title=shown["trial"].map(titles["title"]),
    mechanism=shown["trial"].map(titles["mechanisms"]).map(
        lambda joined: ", ".join(catalogue.label(k) for k in trial_frame.split_values(joined))),
    link=shown["nct_id"].map(study_url),
)
st.dataframe(
    view[["when", "change", "link", "before", "after", "title", "mechanism"]], hide_index=True, width="stretch",
    column_config={
        "when": st.column_config.DatetimeColumn("Fetched", format="D MMM YYYY"),
        "change": "Change", "title": "Title", "before": "Before", "after": "After", "mechanism": "Mechanisms",
        "link": st.column_config.LinkColumn("Trial", display_text=trial_frame.TRIAL_LINK_TEXT),
    },
)
