"""Pipeline: where the trials are by mechanism and phase, and how they run over time."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import app_support
import filters_sidebar
from mstrials.explore import chart_colours, pipeline
from mstrials.explore import frame as trial_frame
from mstrials.labels.drug_classes import load_drug_classes
from mstrials.explore.frame import PHASE_STAGES
from mstrials.markup_safety import hover_text, plain_label

def on_page(figure: go.Figure) -> go.Figure:
    """The chart on the page's own white, with its text in the page's text colour.

    Streamlit's chart theme greys axis labels, titles and notes to 3.8:1 on white; text needs 4.5:1.
    """
    text = dict(color=chart_colours.CHART_TEXT)
    figure.update_layout(plot_bgcolor=chart_colours.PAGE_BACKGROUND, paper_bgcolor=chart_colours.PAGE_BACKGROUND,
                         font=text, legend_font=text, legend_title_font=text)
    figure.update_xaxes(tickfont=text, title_font=text)
    figure.update_yaxes(tickfont=text, title_font=text)
    figure.update_annotations(font=text)
    return figure


context = app_support.current()
catalogue = context.catalogue
trials = context.filtered()


st.title("Pipeline")
app_support.show_data_as_of(context.data)
st.caption("Follows the filters on the left: " + app_support.describe_filters_markdown(context))
if trials.empty:
    filters_sidebar.show_no_matches(context)
    st.stop()

st.header("Trials by mechanism and phase")
st.markdown(f"{len(trials):,} trials. A trial with two mechanisms is counted in both rows. "
            "Hover over (or tap) a cell to see its trials; the numbers are the trial counts.")
table = pipeline.mechanism_phase_table(trials, catalogue.ordered_keys(), catalogue.label)
matrix = pipeline.count_matrix(table)
hover = table.pivot(index="mechanism_label", columns="stage", values="trials").reindex(
    index=matrix.index, columns=list(PHASE_STAGES)).fillna("")
# zmin/zmax fixed so the colour of a count is known: the scale keeps the cell numbers at 4.5:1 on every cell.
heatmap = go.Figure(go.Heatmap(
    z=matrix.to_numpy(), x=list(matrix.columns), y=[hover_text(label) for label in matrix.index],
    text=[[str(v) if v else "·" for v in row] for row in matrix.to_numpy()],
    texttemplate="%{text}", textfont=dict(color=chart_colours.CHART_TEXT), customdata=hover.to_numpy(),
    colorscale=[list(stop) for stop in chart_colours.HEATMAP_COLOURSCALE], zmin=0,
    zmax=max(1, int(matrix.to_numpy().max())), showscale=False,
    hovertemplate="<b>%{y}</b> · %{x}: %{z} trials<br><br>%{customdata}<extra></extra>", xgap=2, ygap=2,
))
heatmap.update_layout(height=max(260, 48 * len(matrix) + 90), margin=dict(l=10, r=10, t=10, b=10),
                      yaxis=dict(autorange="reversed"), xaxis=dict(side="top"))
st.plotly_chart(on_page(heatmap), config={"displayModeBar": False}, width="stretch")
with st.expander("Show as a table"):
    st.dataframe(matrix, width="stretch")
base_params = trial_frame.to_query_params(context.state)
# Keyboard-reachable equivalent of clicking a cell: one link per cell that has trials, opening exactly
# the trials it counts (the mechanism, and the trial's phase stage as the column shows it).
with st.expander("Open the trials of one mechanism cell in Explore"):
    for key, rows in table[table["count"] > 0].groupby("mechanism", sort=False):
        st.markdown(f"**{app_support.escape_markdown(catalogue.label(key))}**")
        for stage, count in zip(rows["stage"], rows["count"]):
            st.page_link("views/explore.py", label=f"{stage}: {count} trial{'' if count == 1 else 's'}",
                         query_params={**base_params, "mech": [key], "stage": [stage]})

st.header("Drug classes within each mechanism")
drug_classes = load_drug_classes()
class_table = pipeline.class_phase_counts(trials, catalogue.ordered_keys(), drug_classes.under_mechanism)
if class_table.empty:
    st.info("None of these trials tests a drug of a listed class.")
else:
    st.markdown("The same trials split by the kind of drug tested, for example BTK inhibitors apart from anti-CD20 "
                "antibodies. Trials whose drugs belong to no listed class are not in this table.")
    class_matrix = class_table.assign(
        Mechanism=class_table["mechanism"].map(catalogue.label),
        **{"Drug class": class_table["drug_class"].map(drug_classes.label)},
    ).set_index(["Mechanism", "Drug class"])[list(PHASE_STAGES)]
    class_matrix = class_matrix.loc[:, class_matrix.sum() > 0]
    st.dataframe(class_matrix, width="stretch", key="class_phase_table")
    with st.expander("Open the trials of one drug-class cell in Explore"):
        for row in class_table.to_dict("records"):
            cells = [(stage, row[stage]) for stage in PHASE_STAGES if row[stage]]
            st.markdown(f"**{app_support.escape_markdown(catalogue.label(row['mechanism']))} › "
                        f"{app_support.escape_markdown(drug_classes.label(row['drug_class']))}**")
            for stage, count in cells:
                params = {**base_params, "mech": [row["mechanism"]], "class": [row["drug_class"]], "stage": [stage]}
                st.page_link("views/explore.py", label=f"{stage}: {count} trial{'' if count == 1 else 's'}",
                             query_params=params)

st.header("Timeline")
per_mechanism = pipeline.by_mechanism(trials)["mechanism"].value_counts()
keys_present = [k for k in catalogue.ordered_keys() if k in per_mechanism.index]
default = per_mechanism.idxmax()
mechanism = st.selectbox("Mechanism", keys_present, index=keys_present.index(default), format_func=lambda key: plain_label(catalogue.label(key)),
                         key="pipeline_mechanism")
of_mechanism = trials[trials["mechanisms"].fillna("").str.split("|").map(lambda keys: mechanism in keys)]
rows, undated = pipeline.timeline_rows(of_mechanism)
if rows.empty:
    st.info("None of these trials has both a start date and a (primary) completion date.")
else:
    st.markdown(f"From start to primary completion (or to the trial's end where only that is given, as in CTIS), "
                f"coloured and patterned by status; the dashed line is today. "
                f"Hover over (or tap) a bar for the trial's title. "
                f"Showing {len(rows)} of {len(of_mechanism)} trials"
                + (f" ({undated} have no usable dates)." if undated else "."))
    # Trial numbers alone on the axis: with titles there, a phone had no room left for the bars.
    status_styles = chart_colours.STATUS_STYLES
    gantt = px.timeline(rows, x_start="start", x_end="end", y="nct_id", color="status_group",
                        pattern_shape="status_group", category_orders={"status_group": list(pipeline.STATUS_GROUP_ORDER)},
                        color_discrete_map={group: style.colour for group, style in status_styles.items()},
                        pattern_shape_map={group: style.pattern for group, style in status_styles.items()},
                        hover_data={"title": True, "status": True, "phase": True, "nct_id": True, "ends_at": True, "status_group": False},
                        labels={"status_group": "Status", "nct_id": "Trial", "title": "Title", "status": "Status",
                                "phase": "Phase"})
    today = pd.Timestamp.now().normalize()
    gantt.add_vline(x=today, line_dash="dash", line_color="black")
    gantt.add_annotation(x=today, y=1.02, yref="paper", text="Today", showarrow=False)
    gantt.update_yaxes(autorange="reversed", title=None)
    # White pattern lines over the status colour: they contrast with the bar as much as the bar does with the page.
    gantt.update_traces(marker_pattern=chart_colours.PATTERN_OVERLAY)
    # A gap between rows, so a bar touches only the page (and its own pattern), never another status's colour.
    gantt.update_layout(height=max(300, 22 * len(rows) + 120), margin=dict(l=10, r=10, t=30, b=10), bargap=0.3,
                        legend=dict(orientation="h", y=-0.05 if len(rows) > 20 else -0.2))
    st.plotly_chart(on_page(gantt), config={"displayModeBar": False}, width="stretch")
    with st.expander("Show as a table"):
        # The titles from the trial list, not the hover copy (which is escaped for the chart).
        titles = trials.set_index("nct_id")["title"]
        st.dataframe(rows.assign(title=rows["nct_id"].map(titles))[["nct_id", "title", "status", "phase", "start", "end"]].rename(columns={
            "nct_id": "Trial", "title": "Title", "status": "Status", "phase": "Phase", "start": "Start",
            "end": "Primary completion"}),
            hide_index=True, width="stretch")

st.header("Trials started per year")
starts = pipeline.starts_per_year(trials, catalogue.label)
if starts.empty:
    st.info("None of these trials has a start date.")
else:
    st.markdown("Each mechanism has its own colour and bar pattern; the legend lists them in the order they are "
                "stacked, the top of the stack first.")
    # One trace per mechanism in the catalogue's order, styled from the one mechanism → style table.
    order = catalogue.ordered_keys() + sorted(set(starts["mechanism"]) - set(catalogue.ordered_keys()))
    styles = chart_colours.mechanism_styles(order)
    bars = go.Figure()
    for key in (k for k in order if k in set(starts["mechanism"])):
        of_key = starts[starts["mechanism"] == key]
        style = styles[key]
        # The legend and hover read labels as HTML: escaped copies for the chart, the table keeps the text.
        bars.add_bar(x=of_key["year"], y=of_key["count"], name=hover_text(catalogue.label(key)),
                     marker=dict(color=style.colour, pattern=dict(shape=style.pattern, **chart_colours.PATTERN_OVERLAY),
                                 line=dict(color=chart_colours.PAGE_BACKGROUND, width=1)),
                     hovertemplate="<b>%{fullData.name}</b><br>%{x}: %{y} trials started<extra></extra>")
    # The legend under the bars: beside them, its 13 names left a phone a few pixels for the chart.
    bars.update_layout(barmode="stack", height=560, margin=dict(l=10, r=10, t=10, b=10), bargap=0.1,
                       xaxis_title="Start year", yaxis_title="Trials started",
                       legend=dict(title="Mechanism", traceorder="reversed", orientation="h", y=-0.2,
                                   yanchor="top", x=0, xanchor="left"))
    st.plotly_chart(on_page(bars), config={"displayModeBar": False}, width="stretch")
    with st.expander("Show as a table"):
        st.dataframe(starts.pivot(index="year", columns="mechanism_label", values="count").fillna(0).astype(int),
                     width="stretch")
