"""Fetch history for the app: the runs, "data as of", and the change log in readable form."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pandas as pd

from mstrials.frame import STATUS_LABELS, readable_phases, readable_status

CHANGE_KIND_LABELS: dict[str, str] = {
    "new": "New trial",
    "status": "Status changed",
    "phases": "Phase changed",
    "enrollment": "Enrollment changed",
    "start_date": "Start date moved",
    "primary_completion_date": "Primary completion moved",
    "completion_date": "Completion date moved",
    "sites": "Number of sites changed",
    "no_longer_listed": "No longer listed",
    "listed_again": "Listed again",
}


@dataclass(frozen=True)
class DataAsOf:
    """When the data was current, in words for the banner on every page."""

    data_timestamp: str | None
    fetched_at: str | None
    source_kind: str | None  # "api" or "import"

    def sentence(self) -> str:
        if self.fetched_at is None:
            return "No data fetched yet"
        fetched = readable_time(self.fetched_at)
        if self.source_kind == "api" and self.data_timestamp:
            return f"Data as of {readable_time(self.data_timestamp)} (registry time), fetched {fetched}"
        if self.source_kind == "api":
            return f"Data as of {fetched} (fetched from ClinicalTrials.gov)"
        return f"Data as of {fetched} (imported from downloaded files)"


def readable_time(timestamp: str) -> str:
    parsed = pd.to_datetime(timestamp, errors="coerce", utc=True)
    if pd.isna(parsed):
        return timestamp
    return parsed.strftime("%-d %b %Y, %H:%M UTC")


def load_runs(connection: sqlite3.Connection) -> pd.DataFrame:
    return pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", connection)


def data_as_of(runs: pd.DataFrame) -> DataAsOf:
    if runs.empty:
        return DataAsOf(None, None, None)
    last = runs.iloc[-1]
    api_runs = runs[runs["mode"].isin(["full", "incremental"])]
    if not api_runs.empty and api_runs.iloc[-1]["run_id"] == last["run_id"]:
        return DataAsOf(api_runs.iloc[-1]["data_timestamp"], last["finished_at"], "api")
    return DataAsOf(None, last["finished_at"], "import")


def _readable_value(kind: str, value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "—"
    if kind == "status" or (kind in {"new", "listed_again"} and str(value) in STATUS_LABELS):
        return readable_status(str(value))
    if kind == "phases":
        return readable_phases(str(value))
    return str(value)


def load_changes(connection: sqlite3.Connection) -> pd.DataFrame:
    """Every recorded change, newest first, with the run's time and readable words."""
    frame = pd.read_sql_query(
        "SELECT c.rowid AS change_id, c.run_id, r.finished_at, c.nct_id, c.kind, c.old_value, c.new_value "
        "FROM changes c JOIN runs r USING (run_id) ORDER BY c.run_id DESC, c.rowid",
        connection,
    )
    frame["when"] = pd.to_datetime(frame["finished_at"], errors="coerce", utc=True)
    frame["change"] = frame["kind"].map(CHANGE_KIND_LABELS).fillna(frame["kind"])
    frame["before"] = [_readable_value(k, v) for k, v in zip(frame["kind"], frame["old_value"])]
    frame["after"] = [_readable_value(k, v) for k, v in zip(frame["kind"], frame["new_value"])]
    return frame


def changes_of(changes: pd.DataFrame, nct_id: str) -> pd.DataFrame:
    return changes[changes["nct_id"] == nct_id]
