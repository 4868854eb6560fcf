"""Database layer: the SQLite trial cache.

One file holds each study's raw JSON as received, the flat columns the app needs, the derived
labels, one row per successful run, and a per-study change history. Writers never modify the
live file: `CacheWriter` works on a private copy and publishes it with an atomic rename, so a
failed or killed run leaves the previous cache byte-for-byte as it was and readers never see
half a refresh.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from mstrials.labels.derive import DERIVED_COLUMNS
from mstrials.store.linking import stated_ids, stated_protocol

SCHEMA_VERSION = 3

# Columns copied from the registry record (see mstrials.sources.ctgov_records.StudyRecord).
RECORD_COLUMNS: dict[str, str] = {
    "title": "TEXT",
    "official_title": "TEXT",
    "acronym": "TEXT",
    "status": "TEXT",
    "phases": "TEXT",
    "study_type": "TEXT",
    "start_date": "TEXT",
    "primary_completion_date": "TEXT",
    "completion_date": "TEXT",
    "first_posted": "TEXT",
    "last_update": "TEXT",
    "sponsor": "TEXT",
    "sponsor_class": "TEXT",
    "collaborators": "TEXT",
    "conditions": "TEXT",
    "keywords": "TEXT",
    "interventions": "TEXT",
    "intervention_types": "TEXT",
    "countries": "TEXT",
    "n_sites": "INTEGER",
    "enrollment": "INTEGER",
    "enrollment_type": "TEXT",
    "has_results": "INTEGER",
    "url": "TEXT",
    # Format 3: which registry the record is from ("ctgov", "ctis"), the ids it states ("|"-joined,
    # its own first) and the sponsor's protocol code: what store/linking.py joins registries by.
    "registry": "TEXT NOT NULL DEFAULT 'ctgov'",
    "registry_ids": "TEXT",
    "protocol_code": "TEXT",
}
RECORD_COLUMNS_ADDED: dict[int, tuple[str, ...]] = {3: ("registry", "registry_ids", "protocol_code")}
_V1_RECORD_COLUMNS = {name: sql_type for name, sql_type in RECORD_COLUMNS.items()
                      if name not in {n for names in RECORD_COLUMNS_ADDED.values() for n in names}}

# The fields whose changes the history records, as (change kind, column).
TRACKED_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", "status"),
    ("phases", "phases"),
    ("enrollment", "enrollment"),
    ("start_date", "start_date"),
    ("primary_completion_date", "primary_completion_date"),
    ("completion_date", "completion_date"),
    ("sites", "n_sites"),
)


# Derived columns added after format 1, by the format that adds them: format 1's script must not
# create them, so that an old cache and a new one end with the same table.
DERIVED_COLUMNS_ADDED: dict[int, tuple[str, ...]] = {2: ("drug_classes",)}
_LATER_COLUMNS = {name for names in DERIVED_COLUMNS_ADDED.values() for name in names}
_V1_DERIVED_COLUMNS = {name: sql_type for name, sql_type in DERIVED_COLUMNS.items() if name not in _LATER_COLUMNS}


def _columns_sql(columns: dict[str, str]) -> str:
    return ",\n    ".join(f"{name} {sql_type}" for name, sql_type in columns.items())


SCHEMA_V1 = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    source TEXT NOT NULL,
    mode TEXT NOT NULL,
    api_version TEXT,
    data_timestamp TEXT,
    pages INTEGER NOT NULL,
    seen INTEGER NOT NULL,
    ms_kept INTEGER NOT NULL,
    non_ms INTEGER NOT NULL,
    new INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    malformed INTEGER NOT NULL,
    removed INTEGER NOT NULL
);
CREATE TABLE studies (
    nct_id TEXT PRIMARY KEY,
    is_ms INTEGER NOT NULL,
    raw_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL,
    last_seen_run INTEGER NOT NULL,
    removed_run INTEGER,
    {_columns_sql(_V1_RECORD_COLUMNS)},
    {_columns_sql(_V1_DERIVED_COLUMNS)}
);
CREATE TABLE sites (
    nct_id TEXT NOT NULL REFERENCES studies(nct_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    facility TEXT,
    city TEXT,
    state TEXT,
    country TEXT,
    status TEXT,
    latitude REAL,
    longitude REAL,
    PRIMARY KEY (nct_id, position)
);
CREATE TABLE changes (
    run_id INTEGER NOT NULL,
    nct_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX changes_by_study ON changes (nct_id);
CREATE INDEX changes_by_run ON changes (run_id);
"""

# Each entry upgrades a cache from version N to N + 1; an old cache is migrated on the next write.
# The new columns stay empty until the ingest re-derives every study, which it does because the
# derivation signature changes with the columns (DERIVATION_CODE_VERSION).
def _add_registries(connection: sqlite3.Connection) -> None:
    """Format 2 -> 3: every stored study so far came from ClinicalTrials.gov; its stated ids and
    protocol code are read once from the raw record kept as received."""
    def present(table: str) -> set[str]:
        return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}

    # Only what is missing: a cache that was downgraded by hand may already hold some of them.
    study_columns, run_columns = present("studies"), present("runs")
    connection.executescript(
        "".join(f"ALTER TABLE studies ADD COLUMN {name} {RECORD_COLUMNS[name]};\n"
                for name in RECORD_COLUMNS_ADDED[3] if name not in study_columns)
        + ("ALTER TABLE runs ADD COLUMN registry TEXT NOT NULL DEFAULT 'ctgov';\n" if "registry" not in run_columns else "")
    )
    updates = []
    for nct_id, raw_json in connection.execute("SELECT nct_id, raw_json FROM studies").fetchall():
        try:
            study = json.loads(raw_json)
        except (ValueError, RecursionError):
            study = None
        updates.append(("|".join(stated_ids(study, nct_id)), stated_protocol(study), nct_id))
    connection.executemany("UPDATE studies SET registry_ids = ?, protocol_code = ? WHERE nct_id = ?", updates)


MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    0: SCHEMA_V1,
    1: "".join(f"ALTER TABLE studies ADD COLUMN {name} {DERIVED_COLUMNS[name]};\n" for name in DERIVED_COLUMNS_ADDED[2]),
    2: _add_registries,
}


class CacheError(RuntimeError):
    """The cache cannot be used as asked; one line for the person at the keyboard."""


CACHE_TABLES = frozenset({"meta", "runs", "studies", "sites", "changes"})


def not_a_cache(path: Path, why: str) -> CacheError:
    return CacheError(f"{path} could not be read: it is not a trial cache ({why}); move it away or pass --cache")


def newer_release(path: Path, version: int) -> CacheError:
    return CacheError(
        f"{path} was written by a newer release of this tool (cache format {version}, this one knows "
        f"{SCHEMA_VERSION}): update this tool"
    )


def check_cache_file(path: Path) -> None:
    """Refuse a cache path that is a folder or lies under a regular file, before SQLite sees it."""
    if path.is_dir():
        raise not_a_cache(path, "it is a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CacheError(f"cannot keep a cache at {path}: {parent} is a file, not a folder")
            break


def cache_version(connection: sqlite3.Connection, path: Path) -> int:
    """The cache format, after checking the file is SQLite and holds our tables (CacheError if not)."""
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise not_a_cache(path, str(error)) from error
    if version > SCHEMA_VERSION:
        raise newer_release(path, version)
    if version == 0 and tables:
        raise not_a_cache(path, "a SQLite database of something else")
    if version > 0 and not CACHE_TABLES <= tables:
        raise not_a_cache(path, "its tables are missing")
    return version


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open the cache for reading only; raise CacheError when it is missing or not a cache."""
    check_cache_file(path)
    if not path.exists():
        raise CacheError(f"no trial cache at {path}; run scripts/fetch_trials.py first")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as error:
        raise not_a_cache(path, str(error)) from error
    try:
        version = cache_version(connection, path)
    except CacheError:
        connection.close()
        raise
    if version != SCHEMA_VERSION:
        connection.close()
        raise CacheError(
            f"{path} has cache format {version}, this version reads {SCHEMA_VERSION}: "
            "run scripts/fetch_trials.py once to upgrade it"
        )
    return connection


def migrate(connection: sqlite3.Connection, path: Path | None = None) -> None:
    version = cache_version(connection, path or Path("the cache"))
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        if callable(step):
            step(connection)
        else:
            connection.executescript(step)
        version += 1
        connection.execute(f"PRAGMA user_version = {version}")


def read_meta(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def write_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


@dataclass(frozen=True)
class RunRow:
    run_id: int
    started_at: str
    finished_at: str
    source: str
    mode: str
    api_version: str | None
    data_timestamp: str | None
    pages: int
    seen: int
    ms_kept: int
    non_ms: int
    new: int
    changed: int
    unchanged: int
    malformed: int
    removed: int


def last_api_run(connection: sqlite3.Connection, registry: str = "ctgov") -> RunRow | None:
    """The newest successful run that fetched `registry` from its API (file imports do not count)."""
    row = connection.execute(
        f"SELECT {', '.join(RunRow.__dataclass_fields__)} FROM runs "
        "WHERE mode IN ('full', 'incremental') AND registry = ? ORDER BY run_id DESC LIMIT 1", (registry,)
    ).fetchone()
    return RunRow(*row) if row else None


@contextlib.contextmanager
def writer_lock(path: Path, wait_seconds: float = 5.0) -> Iterator[None]:
    """Only one writer at a time; a second fetch fails (after a short wait) instead of racing.

    The short wait covers the moment after a writer was killed, while the kernel is still ending
    its forked workers, which share the lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as lock_file:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as error:
                if time.monotonic() >= deadline:
                    raise CacheError(f"another fetch or import is already writing {path}") from error
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return " ".join(str(error).split())[:200] or type(error).__name__


def _partial_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.partial-{os.getpid()}")


def _remove_stale_partials(path: Path) -> None:
    # Left behind by runs that were killed; safe to delete because we hold the writer lock.
    for stale in path.parent.glob(f"{path.name}.partial-*"):
        with contextlib.suppress(OSError):
            stale.unlink()


NEW_CACHE_PAGE_SIZE = 16384


@contextlib.contextmanager
def staged_copy(path: Path) -> Iterator[sqlite3.Connection]:
    """A writable private copy of the cache; published atomically only if the block succeeds.

    A symlinked cache is resolved once: the lock, the copy and the rename all happen at the real
    file, so the link stays a link and every writer, whichever name it used, takes the same lock.
    Problems with the cache file itself (not SQLite, disk full, unwritable folder) become one-line
    CacheErrors; the private copy is always removed.
    """
    check_cache_file(path)
    real = Path(os.path.realpath(path))
    check_cache_file(real)
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(writer_lock(real))
        except OSError as error:
            raise CacheError(f"cannot write a cache at {path} ({_one_line(error)})") from error
        partial = _partial_path(real)
        connection = None
        try:
            _remove_stale_partials(real)
            fresh = not real.exists()
            if not fresh:
                shutil.copyfile(real, partial)
            connection = sqlite3.connect(partial, isolation_level=None)
            if fresh:
                # Set before the first table exists (later only a VACUUM could change it). Most raw
                # records take 2-8 kB: on 4 kB pages each spills into overflow pages, on 16 kB
                # pages it fits; a 27k-study import writes 15 % less and spends 10 % less in SQLite.
                connection.execute(f"PRAGMA page_size = {NEW_CACHE_PAGE_SIZE}")
            cache_version(connection, path)  # before anything else touches a file that may not be a cache
            connection.execute("PRAGMA journal_mode = OFF")  # the copy is private: the rename is our journal
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection, path)
            connection.execute("BEGIN")
            yield connection
            connection.execute("COMMIT")
            connection.close()
            fd = os.open(partial, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(partial, real)
            _fsync_directory(real.parent)  # so the rename itself survives a power cut
        except (sqlite3.Error, OSError) as error:
            _discard(connection, partial)
            raise CacheError(f"cannot write the cache at {path} ({_one_line(error)})") from error
        except BaseException:
            _discard(connection, partial)
            raise


def _discard(connection: sqlite3.Connection | None, partial: Path) -> None:
    if connection is not None:
        with contextlib.suppress(sqlite3.Error):
            connection.close()
    with contextlib.suppress(OSError):
        partial.unlink()
