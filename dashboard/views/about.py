"""About the data: where it comes from, how fresh it is, how to refresh it, and what the labels mean."""
from __future__ import annotations

import streamlit as st

import app_support
from mstrials.store import history

RUN_MODES = {"full": "full fetch", "incremental": "update fetch", "import": "import of downloaded files"}

context = app_support.current()
data = context.data
frame = data.table.frame
md = app_support.escape_markdown

st.title("About the data")
app_support.show_data_as_of(data)

listed = frame[frame["listed"]]
last = data.runs.iloc[-1] if not data.runs.empty else None
cols = st.columns(4)
cols[0].metric("MS trials listed", f"{len(listed):,}")
cols[1].metric("Of which progressive MS", f"{int(listed['progressive'].sum()):,}")
cols[2].metric("Non-MS studies left out", f"{data.non_ms_count:,}",
               help="Studies the registry search for multiple sclerosis returned that are not about MS "
                    "(for example, other diseases that only mention MS). They are kept out of every page.")
cols[3].metric("No longer listed", f"{int((~frame['listed']).sum()):,}")

st.header("Where the data comes from")
st.markdown(
    "Trials come from two public registries, each searched for the condition *multiple sclerosis*: "
    "**ClinicalTrials.gov**, run by the US National Library of Medicine (through its API, version 2), and the "
    "EU's **Clinical Trials Information System (CTIS)**, where every trial in the EU has been registered since "
    "2023 (through its public search, or its portal's CSV export). A trial registered in both is listed once, with "
    "both numbers. The explorer keeps a local copy, so it works offline and stays fast."
)
if last is not None:
    st.markdown(
        f"- {md(data.as_of.sentence())}\n"
        f"- Last run: {RUN_MODES.get(last['mode'], md(str(last['mode'])))}, finished "
        f"{md(history.readable_time(str(last['finished_at'])))}; registry data timestamp: "
        f"{md(history.readable_time(str(last['data_timestamp']))) if last['data_timestamp'] else 'not given (file import)'}\n"
        f"- {len(data.runs)} fetches or imports recorded"
    )
    with st.expander("All fetches"):
        st.dataframe(data.runs[["run_id", "finished_at", "mode", "api_version", "data_timestamp", "seen", "ms_kept",
                                "non_ms", "new", "changed", "removed"]], hide_index=True, width="stretch")

st.header("How to refresh or import")
st.markdown("Get what changed on ClinicalTrials.gov since the last fetch (a full fetch the first time):")
st.code(app_support.REFRESH_COMMAND, language="bash", wrap_lines=True)
st.markdown("Fetch everything again:")
st.code(app_support.REFRESH_COMMAND + " --full", language="bash", wrap_lines=True)
st.markdown("Import studies downloaded from ClinicalTrials.gov instead (JSON, JSON Lines, the zip download; .gz ok):")
st.code(app_support.IMPORT_COMMAND, language="bash", wrap_lines=True)
st.markdown("Import the CSV export of a CTIS portal search (or CTIS API answers) the same way:")
st.code(app_support.CTIS_IMPORT_COMMAND, language="bash", wrap_lines=True)
st.markdown("Re-label stored trials after the mechanism list changed (no network):")
st.code(app_support.REFRESH_COMMAND + " --reclassify", language="bash", wrap_lines=True)
st.caption(f"This app reads {md(str(data.cache_path))} (set MSTRIALS\\_CACHE to use another file) and picks up a "
           "new fetch on the next page load.")

st.header("What the mechanisms mean")
catalogue = context.catalogue
per_mechanism = {key: int(mask[frame["listed"].to_numpy()].sum()) for key, mask in data.table.members["mechanisms"].items()}
for group, keys in catalogue.groups.items():
    st.subheader(md(group))
    for key in keys:
        explanation = catalogue.explanation(key) or "No explanation yet."
        st.markdown(f"**{md(catalogue.label(key))}** ({per_mechanism.get(key, 0):,} trials): {md(explanation)}")

st.header("Limitations")
st.markdown(
    "- **Labels are automatic.** Mechanisms, “progressive MS” and eligibility themes are worked out by rules from "
    "the registry text. They can be wrong or miss things. Always confirm on the registry entry.\n"
    "- **The registry is only as good as what sponsors enter.** Statuses can be out of date; “Status unknown” means "
    "the sponsor has not confirmed the status for two years.\n"
    "- **Eligibility is summarised, not judged.** The quick check only looks at what the criteria state. "
    "Only the study team can tell whether you can take part.\n"
    "- **Map positions can be approximate.** Sites without the registry's own map point are placed by city or, "
    "failing that, at the middle of the country.\n"
    "- **This is not medical advice.** Talk to your neurologist before making decisions about treatment."
)
