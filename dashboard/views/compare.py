"""Compare: 2–5 trials' eligibility and what taking part involves side by side, shareable by the address (`?compare=NCT…&compare=NCT…`)."""
from __future__ import annotations

import streamlit as st

import app_support
import near_place
from mstrials.explore import trial_detail
from mstrials.markup_safety import is_trial_id, markdown_text, plain_label

context = app_support.current()
data = context.data
frame = data.table.frame

st.title("Compare trials side by side")
app_support.show_data_as_of(data)
st.markdown("Pick two to five trials to see their eligibility themes next to each other: EDSS window, MS types, "
            "ages, key exclusions and what they measure first, and what taking part involves (chance of placebo, "
            "blinding, how long, visits, an open-label extension). The page address keeps your choice, so you can "
            "share it.")

# Typed and shared addresses: "nct06113666" means NCT06113666. What cannot be compared is said.
asked = {value.strip().upper(): value for value in st.query_params.get_all("compare")}  # key: as the cache spells ids
listed = set(frame["nct_id"])
known = [nct for nct in asked if is_trial_id(nct) and nct in listed][: trial_detail.MAX_COMPARED]
left_out = [typed for nct, typed in asked.items() if nct not in known]
if left_out and "compare_choice" not in st.session_state:
    app_support.show_address_notices((
        f"Left out {len(left_out)} trial id(s) from compare= that are not trials listed here, or past the "
        f"{trial_detail.MAX_COMPARED} that can be compared: {', '.join(map(repr, left_out[:5]))}",))
if "compare_choice" not in st.session_state:
    st.session_state["compare_choice"] = known
filtered_ids = list(context.filtered()["nct_id"])
options = list(dict.fromkeys([*st.session_state["compare_choice"], *filtered_ids]))
titles = frame.set_index("nct_id")["title"]
chosen = st.multiselect(
    "Trials to compare (the list follows the filters on the Explore page)", options, key="compare_choice",
    max_selections=trial_detail.MAX_COMPARED, placeholder="Type an NCT number or a title",
    format_func=lambda nct: plain_label(f"{nct} · {str(titles.get(nct, ''))[:90]}"),
)
if st.query_params.get_all("compare") != chosen:
    st.query_params["compare"] = chosen

if len(chosen) < 2:
    st.info("Choose at least two trials above.", icon=":material/compare_arrows:")
    st.stop()

version = app_support.cache_version(data.cache_path)
details = {nct: app_support.load_study_details(*version, nct) or {} for nct in chosen}
trials = frame.set_index("nct_id").loc[chosen].reset_index()
nearest = None
if context.near is not None:
    _, words = near_place.nearest_words(data, trials, context.near)
    nearest = dict(zip(trials["nct_id"], words))
table = trial_detail.comparison_table(trials, details, nearest)
# A dataframe shows registry text as plain text; nothing in it is rendered as markup.
st.dataframe(table, width="stretch", height=38 + 35 * len(table))
# The table's cells cut long answers and a phone shows one trial's column at a time, so the same
# answers can also be read in full, one trial after another.
if st.toggle("Show every answer in full, one trial after another",
             help="The table cuts long answers; this list shows all of each, and reads well on a small screen."):
    for nct_id in table.columns:
        st.header(nct_id)
        st.markdown("\n".join(f"- **{markdown_text(aspect)}:** {markdown_text(answer)}"
                              for aspect, answer in table[nct_id].items()))
st.caption(":material/medical_information: " + app_support.DISCLAIMER)
