"""What every page shares: the cached data, the sidebar filters, and the "data as of" line.

The pages read `current()` for the loaded data and the filter state the entrypoint computed on
this run; they never reload or refilter on their own.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from mstrials.explore import frame as trial_frame
from mstrials.store import history
from mstrials import markup_safety, settings
from mstrials.store.cache import CacheError, connect_readonly
from mstrials.explore.frame import FilterState, TrialTable
from mstrials.labels.mechanism_catalogue import MechanismCatalogue, load_catalogue

REFRESH_COMMAND = ".venv/bin/python scripts/fetch_trials.py"
IMPORT_COMMAND = ".venv/bin/python scripts/fetch_trials.py --from-file ctg-studies.json.zip"
CTIS_IMPORT_COMMAND = ".venv/bin/python scripts/fetch_trials.py --from-file CTIS_trials.csv"
DISCLAIMER = (
    "This is not medical advice. Automatic labels can be wrong: always confirm with the study team "
    "and the registry entry (ClinicalTrials.gov or the EU's CTIS)."
)


@dataclass
class LoadedData:
    table: TrialTable
    catalogue: MechanismCatalogue
    runs: pd.DataFrame
    as_of: history.DataAsOf
    cache_path: Path
    non_ms_count: int = 0  # studies the registry search returned that are not about MS


@dataclass
class AppContext:
    data: LoadedData
    state: FilterState
    mask: np.ndarray  # which rows of data.table.frame pass the filters
    counts: trial_frame.FacetCounts
    near: object = None  # near_place.NearQuery when a place is set
    nearest: pd.DataFrame | None = None  # the kept trials' nearest sites, measured once per run

    @property
    def table(self) -> TrialTable:
        return self.data.table

    @property
    def catalogue(self) -> MechanismCatalogue:
        return self.data.catalogue

    def filtered(self) -> pd.DataFrame:
        return self.data.table.frame[self.mask]


def cache_file() -> Path:
    return settings.cache_path()


def cache_version(path: Path) -> tuple[str, int] | None:
    """The cache's identity for st.cache_data: its path and modification time (None when absent)."""
    try:
        return str(path.resolve()), os.stat(path).st_mtime_ns
    except OSError:
        return None


# The big, read-only tables are shared with st.cache_resource rather than st.cache_data: cache_data
# hands every rerun its own unpickled copy, which costs 1.7 s per filter change at 100,000 trials
# (see scripts/bench_app.py). Both key on the file's path and modification time, so a new fetch
# is picked up on the next run. Nothing in the app modifies these objects.
@st.cache_resource(show_spinner="Loading trials…", max_entries=2)
def _load_table(path: str, modified_ns: int) -> tuple[TrialTable, pd.DataFrame, int, tuple[str | None, str | None]]:
    connection = connect_readonly(Path(path))
    try:
        non_ms = connection.execute("SELECT count(*) FROM studies WHERE is_ms = 0").fetchone()[0]
        return (trial_frame.load_trials(connection), history.load_runs(connection), int(non_ms),
                history.listing_dates(connection))
    finally:
        connection.close()


@st.cache_resource(show_spinner=False, max_entries=2)
def load_changes(path: str, modified_ns: int) -> pd.DataFrame:
    connection = connect_readonly(Path(path))
    try:
        return history.load_changes(connection)
    finally:
        connection.close()


@st.cache_resource(show_spinner=False, max_entries=2)
def load_sites(path: str, modified_ns: int) -> pd.DataFrame:
    connection = connect_readonly(Path(path))
    try:
        return pd.read_sql_query(
            "SELECT s.nct_id, s.position, s.facility, s.city, s.state, s.country, s.status, s.latitude, s.longitude "
            "FROM sites s JOIN studies t USING (nct_id) WHERE t.is_ms = 1 ORDER BY s.nct_id, s.position",
            connection,
        )
    finally:
        connection.close()


DETAIL_COLUMNS = ("raw_json", "mechanism_evidence", "mechanism_evidence_json", "eligibility_json")


@st.cache_data(show_spinner=False, max_entries=256)
def load_study_details(path: str, modified_ns: int, nct_id: str) -> dict | None:
    """The heavy per-trial columns the table does not carry, for the Trial page."""
    connection = connect_readonly(Path(path))
    try:
        present = {row[1] for row in connection.execute("PRAGMA table_info(studies)")}
        columns = [c for c in DETAIL_COLUMNS if c in present]
        row = connection.execute(f"SELECT {', '.join(columns)} FROM studies WHERE nct_id = ?", (nct_id,)).fetchone()
        return dict(zip(columns, row)) if row else None
    finally:
        connection.close()


@st.cache_data(show_spinner=False, max_entries=2)
def _load_catalogue(keys: tuple[str, ...]) -> MechanismCatalogue:
    return load_catalogue(keys)


def load_data() -> LoadedData | str:
    """The loaded cache, or a one-line reason why there is none."""
    path = cache_file()
    version = cache_version(path)
    if version is None:
        return f"No trial cache at {path} yet."
    try:
        table, runs, non_ms, listing = _load_table(*version)
    except CacheError as error:
        return str(error)
    except Exception as error:  # noqa: BLE001 - a damaged file must still give a friendly page
        return f"The trial cache at {path} could not be read ({type(error).__name__}: {error})."
    catalogue = _load_catalogue(tuple(table.values_of("mechanisms")))
    return LoadedData(table=table, catalogue=catalogue, runs=runs,
                      as_of=history.data_as_of(runs, newest_listed_update(table), listing), cache_path=path,
                      non_ms_count=non_ms)


def newest_listed_update(table: TrialTable) -> str | None:
    """The newest last-update date of a listed trial (the data date of an old import run)."""
    frame = table.frame
    dates = frame.loc[frame["listed"], "last_update"].dropna()
    return str(dates.max()) if not dates.empty else None


def current() -> AppContext:
    return st.session_state["app_context"]


def show_empty_state(reason: str) -> None:
    st.title("Progressive MS Trial Explorer")
    st.info(f"{escape_markdown(reason)} Fetch the multiple sclerosis trials from ClinicalTrials.gov once to get started.", icon=":material/info:")
    st.markdown("In a terminal, in the project folder, run:")
    st.code(REFRESH_COMMAND, language="bash", wrap_lines=True)
    st.markdown("Or import studies you downloaded from ClinicalTrials.gov (JSON, JSON Lines or the zip download):")
    st.code(IMPORT_COMMAND, language="bash", wrap_lines=True)
    st.caption("Then reload this page. The fetch takes a few minutes and is polite to the registry.")


def show_data_as_of(data: LoadedData) -> None:
    st.caption(f":material/schedule: {escape_markdown(data.as_of.sentence())} · {len(data.table.frame[data.table.frame['listed']]):,} MS trials listed")
    if data.as_of.is_stale():
        days = data.as_of.age_in_days()
        age = f"{days:,} days old" if days is not None else "of unknown date"
        # Said to patients first: what it means for them; the command is for whoever runs this copy.
        st.info(f"These registry data are {age}: a trial's status or sites may have changed since, so check its "
                "registry page before you contact the team. Whoever runs this copy of the app can update it "
                f"with {escape_markdown(REFRESH_COMMAND)} in the project folder.",
                icon=":material/update:")


# Registry or address text shown inside our own markdown (markdown, captions, notices, help, labels).
escape_markdown = markup_safety.markdown_text
MAX_NOTICE_LENGTH = 200
MAX_NOTICES_LISTED = 10


def describe_filters_markdown(context: AppContext) -> str:
    """The active filters as one escaped line: country, type and search words come from outside."""
    from mstrials.explore.frame import describe_filters

    parts = describe_filters(context.state, context.catalogue.label)
    if context.near is not None:
        parts.append(f"a site {context.near.words()}")
    return "; ".join(escape_markdown(part) for part in parts)


def show_address_notices(notices: tuple[str, ...]) -> None:
    """One short, collapsed notice for the parts of the address that were ignored, each part escaped."""
    if not notices:
        return
    count = len(notices)
    with st.expander(f"Ignored {count} part{'' if count == 1 else 's'} of the page address", icon=":material/warning:"):
        lines = [escape_markdown(notice if len(notice) <= MAX_NOTICE_LENGTH else notice[:MAX_NOTICE_LENGTH] + "…")
                 for notice in notices[:MAX_NOTICES_LISTED]]
        if count > MAX_NOTICES_LISTED:
            lines.append(f"and {count - MAX_NOTICES_LISTED} more")
        st.markdown("\n".join(f"- {line}" for line in lines))


def trial_sites(data: LoadedData, nct_id: str, study: dict) -> pd.DataFrame:
    """One trial's sites, placed: from the cache's site table, else from its stored record."""
    from mstrials.explore import site_map, trial_detail

    sites = load_sites(*cache_version(data.cache_path))
    mine = sites[sites["nct_id"] == nct_id]
    if mine.empty:
        mine = trial_detail.study_locations(study)
    return site_map.place(mine) if not mine.empty else mine
