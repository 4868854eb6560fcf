"""Pipeline summaries: trials per mechanism and phase, timelines, and starts per year.

A trial with several mechanism labels counts once under each of them, so rows of the
mechanism × phase table can add up to more than the number of trials.
"""
from __future__ import annotations

from typing import Callable, Sequence

import pandas as pd

from mstrials.explore.frame import PHASE_STAGES
from mstrials.markup_safety import hover_text

HOVER_LIMIT = 12

# Status groups for the timeline: each gets a colour *and* a bar pattern (mstrials.explore.chart_colours)
# and a word in the legend.
STATUS_GROUPS: dict[str, str] = {
    "RECRUITING": "Open", "NOT_YET_RECRUITING": "Open", "ENROLLING_BY_INVITATION": "Open",
    "ACTIVE_NOT_RECRUITING": "Running, not recruiting",
    "COMPLETED": "Completed",
    "TERMINATED": "Stopped or withdrawn", "WITHDRAWN": "Stopped or withdrawn", "SUSPENDED": "Stopped or withdrawn",
}
STATUS_GROUP_ORDER = ("Open", "Running, not recruiting", "Completed", "Stopped or withdrawn", "Unknown")


def by_mechanism(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per (trial, mechanism) pair."""
    pairs = trials.assign(mechanism=trials["mechanisms"].fillna("").str.split("|")).explode("mechanism")
    return pairs[pairs["mechanism"] != ""]


def _hover_list(group: pd.DataFrame) -> str:
    lines = [f"{nct} – {str(title)[:70]}" for nct, title in zip(group["nct_id"], group["title"].fillna(""))][:HOVER_LIMIT]
    if len(group) > HOVER_LIMIT:
        lines.append(f"… and {len(group) - HOVER_LIMIT} more")
    # Plotly hover text understands a few HTML tags; registry text must not bring its own.
    return "<br>".join(hover_text(line) for line in lines)


def mechanism_phase_table(trials: pd.DataFrame, mechanism_order: Sequence[str],
                          label: Callable[[str], str]) -> pd.DataFrame:
    """Counts of trials per mechanism (rows, in the given order) and phase stage (columns), with hover lists."""
    pairs = by_mechanism(trials)
    rows = []
    present = set(pairs["mechanism"])
    order = [key for key in mechanism_order if key in present] + sorted(present - set(mechanism_order))
    grouped = {key: group for key, group in pairs.groupby(["mechanism", "phase_stage"], sort=False)}
    for key in order:
        for stage in PHASE_STAGES:
            group = grouped.get((key, stage))
            count = 0 if group is None else len(group)
            rows.append({"mechanism": key, "mechanism_label": label(key), "stage": stage, "count": count,
                         "trials": "" if group is None else _hover_list(group)})
    return pd.DataFrame(rows, columns=["mechanism", "mechanism_label", "stage", "count", "trials"])


def count_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The mechanism × phase counts as a wide table with readable headings."""
    if table.empty:
        return pd.DataFrame()
    wide = table.pivot(index="mechanism_label", columns="stage", values="count")
    labels = list(dict.fromkeys(table["mechanism_label"]))
    return wide.reindex(index=labels, columns=list(PHASE_STAGES)).fillna(0).astype(int)


def status_group(status: str | None) -> str:
    return STATUS_GROUPS.get(status or "", "Unknown")


def timeline_rows(trials: pd.DataFrame, limit: int = 150) -> tuple[pd.DataFrame, int]:
    """Trials with a start and a primary completion date (or, where none is given, the completion date: CTIS
    states only that), newest starts first; also how many lacked dates. `ends_at` says which date each bar ends at."""
    end = trials["primary_completion"]
    ends_at = pd.Series("primary completion", index=trials.index)
    if "completion" in trials:
        ends_at = ends_at.where(end.notna(), "completion")
        end = end.fillna(trials["completion"])
    trials = trials.assign(end_date=end, ends_at=ends_at)
    dated = trials.dropna(subset=["start", "end_date"])
    dated = dated[dated["end_date"] >= dated["start"]]
    missing = len(trials) - len(dated)
    dated = dated.sort_values("start", ascending=False).head(limit).sort_values("start")
    rows = pd.DataFrame({
        "nct_id": dated["nct_id"],
        "label": dated["nct_id"].map(hover_text) + " · " + dated["title"].fillna("").str.slice(0, 48).map(hover_text),
        # For the hover: the axis shows only the trial number, so the bars keep their room on a phone.
        "title": dated["title"].fillna("").map(lambda t: hover_text(t if len(t) <= 90 else t[:89] + "…")),
        "start": dated["start"],
        "end": dated["end_date"],
        "ends_at": dated["ends_at"],
        "status_group": dated["status"].map(status_group),
        "status": dated["status_label"].map(hover_text),
        "phase": dated["phase_stage"].map(hover_text),
    })
    return rows.reset_index(drop=True), missing


def starts_per_year(trials: pd.DataFrame, label: Callable[[str], str]) -> pd.DataFrame:
    """How many trials started each year, per mechanism (long form: year, mechanism, mechanism_label, count)."""
    pairs = by_mechanism(trials).dropna(subset=["start_year"])
    if pairs.empty:
        return pd.DataFrame(columns=["year", "mechanism", "mechanism_label", "count"])
    counts = pairs.groupby(["start_year", "mechanism"]).size().reset_index(name="count")
    counts["year"] = counts["start_year"].astype(int)
    counts["mechanism_label"] = counts["mechanism"].map(label)
    return counts[["year", "mechanism", "mechanism_label", "count"]]


def class_phase_counts(trials: pd.DataFrame, mechanism_order: Sequence[str],
                       classes_under: Callable[[str], Sequence[str]]) -> pd.DataFrame:
    """Trial counts per (mechanism, drug class under it) row and phase stage column.

    A trial counts in a row when it carries both the mechanism and the class, so a BTK inhibitor
    trial appears under B cells and under microglia, but never in the anti-CD20 row. Rows are in
    mechanism order, then in the class file's order; rows without trials are left out.
    """
    pairs = by_mechanism(trials)
    pairs = pairs.assign(drug_class=pairs["drug_classes"].fillna("").str.split("|")).explode("drug_class")
    pairs = pairs[pairs["drug_class"] != ""]
    present = set(pairs["mechanism"])
    rows = []
    for mechanism in [key for key in mechanism_order if key in present]:
        of_mechanism = pairs[pairs["mechanism"] == mechanism]
        for drug_class in classes_under(mechanism):
            stages = of_mechanism.loc[of_mechanism["drug_class"] == drug_class, "phase_stage"].astype(str)
            if stages.empty:
                continue
            counts = stages.value_counts()
            rows.append({"mechanism": mechanism, "drug_class": drug_class,
                         **{stage: int(counts.get(stage, 0)) for stage in PHASE_STAGES}})
    return pd.DataFrame(rows, columns=["mechanism", "drug_class", *PHASE_STAGES])
