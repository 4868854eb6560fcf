"""Fetch history for the app: the runs, "data as of", and the change log in readable form."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pandas as pd

from mstrials.labels.study_terms import STATUS_LABELS, readable_phases, readable_status

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


STALE_AFTER = pd.Timedelta(days=14)


@dataclass(frozen=True)
class DataAsOf:
    """How current the data is, in words for the banner on every page.

    `data_timestamp` is the data's own date: the API's `dataTimestamp` for a fetch, and for an
    import the newest registry version date (or last update) among its MS records. `fetched_at`
    is when this machine got the data.
    """

    data_timestamp: str | None
    fetched_at: str | None
    source_kind: str | None  # "api" or "import"
    # When the listed trials come from runs of different dates (a later small import of a few
    # newer records, say), the newest of them; `data_timestamp` is then the date most trials are
    # current to, so one fresh file cannot make an old listing look up to date.
    newest_timestamp: str | None = None

    def data_time(self) -> pd.Timestamp | None:
        for stamp in (self.data_timestamp, self.fetched_at if self.source_kind == "api" else None):
            parsed = pd.to_datetime(stamp, errors="coerce", utc=True) if stamp else None
            if parsed is not None and not pd.isna(parsed):
                return parsed
        return None

    def sentence(self) -> str:
        if self.fetched_at is None:
            return "No data fetched yet"
        got = "fetched" if self.source_kind == "api" else "imported"
        when_got = readable_day(self.fetched_at)
        data_time = self.data_time()
        if data_time is None:
            return f"Registry data of unknown date ({got} {when_got})"
        newest = pd.to_datetime(self.newest_timestamp, errors="coerce", utc=True) if self.newest_timestamp else None
        if newest is not None and not pd.isna(newest) and newest.date() > data_time.date():
            return (f"Registry data up to {data_time.strftime('%-d %b %Y')} for most trials "
                    f"(newest record {newest.strftime('%-d %b %Y')}; {got} {when_got})")
        return f"Registry data up to {data_time.strftime('%-d %b %Y')} ({got} {when_got})"

    def is_stale(self, now: pd.Timestamp | None = None) -> bool:
        data_time = self.data_time()
        if data_time is None:
            return self.fetched_at is not None
        now = now if now is not None else pd.Timestamp.now(tz="UTC")
        return now - data_time > STALE_AFTER

    def age_in_days(self, now: pd.Timestamp | None = None) -> int | None:
        data_time = self.data_time()
        if data_time is None:
            return None
        now = now if now is not None else pd.Timestamp.now(tz="UTC")
        return max(0, (now - data_time).days)


def readable_time(timestamp: str) -> str:
    parsed = pd.to_datetime(timestamp, errors="coerce", utc=True)
    if pd.isna(parsed):
        return timestamp
    return parsed.strftime("%-d %b %Y, %H:%M UTC")


def readable_day(timestamp: str) -> str:
    parsed = pd.to_datetime(timestamp, errors="coerce", utc=True)
    if pd.isna(parsed):
        return timestamp
    return parsed.strftime("%-d %b %Y")


def load_runs(connection: sqlite3.Connection) -> pd.DataFrame:
    return pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", connection)


def newest_record_date(connection: sqlite3.Connection) -> str | None:
    """The newest last-update date among listed MS studies: the data date of caches whose import
    runs predate recording one."""
    row = connection.execute(
        "SELECT MAX(last_update) FROM studies WHERE is_ms = 1 AND removed_run IS NULL"
    ).fetchone()
    return row[0] if row else None


API_MODES = ("full", "incremental")


def listing_dates(connection: sqlite3.Connection) -> tuple[str | None, str | None]:
    """(typical, newest) data date of the listed MS trials.

    Each trial is current to the data date of the run that last brought it, and every trial to
    the date of the latest fetch from the API (a fetch, full or incremental, brings all changes up
    to its date). `typical` is the median of those dates: the date at least half the listing is
    current to. Runs without a data date count by when they ran."""
    # One row per run, with how many listed trials it last brought: a few rows, even at 100k trials.
    per_run = connection.execute(
        "SELECT COALESCE(NULLIF(r.data_timestamp, ''), r.finished_at), COUNT(*) FROM studies s "
        "JOIN runs r ON r.run_id = s.last_seen_run WHERE s.is_ms = 1 AND s.removed_run IS NULL GROUP BY r.run_id"
    ).fetchall()
    fetched = connection.execute(
        f"SELECT COALESCE(NULLIF(data_timestamp, ''), finished_at) FROM runs WHERE mode IN {API_MODES} "
        "ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    counts = pd.Series([count for _, count in per_run], dtype="int64",
                       index=pd.to_datetime(pd.Series([stamp for stamp, _ in per_run], dtype="object"),
                                            errors="coerce", utc=True, format="ISO8601"))
    counts = counts[counts.index.notna()]
    if counts.empty:
        return None, None
    if fetched is not None:
        floor = pd.to_datetime(fetched[0], errors="coerce", utc=True, format="ISO8601")
        if not pd.isna(floor):
            counts.index = counts.index.where(counts.index >= floor, floor)
    counts = counts.groupby(level=0).sum().sort_index()
    # The lower median over trials: a date some trial really has.
    typical = counts.index[int((counts.cumsum() > (counts.sum() - 1) // 2).argmax())]
    return typical.isoformat(), counts.index[-1].isoformat()


def data_as_of(runs: pd.DataFrame, newest_record: str | None = None,
               listing: tuple[str | None, str | None] = (None, None)) -> DataAsOf:
    """How current the data is. `listing` is `listing_dates` of the cache; without it (older
    callers) the last run's own data date is used."""
    if runs.empty:
        return DataAsOf(None, None, None)
    last = runs.iloc[-1]
    stamp = last["data_timestamp"] if isinstance(last["data_timestamp"], str) and last["data_timestamp"] else None
    kind = "api" if last["mode"] in API_MODES else "import"
    if stamp is None and kind == "import":
        stamp = newest_record
    typical, newest = listing
    if typical is not None:
        return DataAsOf(typical, last["finished_at"], kind, newest_timestamp=newest)
    return DataAsOf(stamp, last["finished_at"], kind)


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
