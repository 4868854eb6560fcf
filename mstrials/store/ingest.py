"""One run: studies in (from the API or from files), cache out, with a change history.

The same code path serves a live fetch and an offline import: every study goes through the
same validation, MS check, derivation and history. The run writes into a private copy of the
cache that replaces the live file only when the whole run succeeded.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

import orjson

from mstrials.store import cache
from mstrials.labels.derive import DERIVED_COLUMNS, derivation_signature, derive_columns, derived_values, warm_up
from mstrials.labels.ms_filter import is_ms_study
from mstrials.sources.ctgov_records import MalformedStudy, StudyRecord, normalise_study
from mstrials.sources.ctgov_files import SourceItem
from mstrials.sources.registries import CTGOV, v2_view
from mstrials.store.linking import stated_ids, stated_protocol
from mstrials.store.workers import BusyCoreSampler, ordered_map

INCREMENTAL_OVERLAP = timedelta(days=1)
# A full listing that would unlist more than this share of the listed MS trials needs confirmation:
# registries do not lose a tenth of a disease's trials overnight, broken answers do.
SUDDEN_DROP_SHARE = 0.10


class SuddenDrop(RuntimeError):
    """A full refresh would mark an implausible share of trials as no longer listed."""


@dataclass
class RunSummary:
    source: str
    mode: str
    registry: str = CTGOV  # whose listing a full run completes ("ctgov", "ctis"); imports: what came in
    pages: int = 0
    seen: int = 0
    ms_kept: int = 0
    non_ms: int = 0
    new: int = 0
    new_ms: int = 0  # of the new ones, how many are MS trials (the rest are stored, unlisted, non-MS studies)
    changed: int = 0
    unchanged: int = 0
    malformed: int = 0
    removed: int = 0
    duplicates: int = 0
    older_ignored: int = 0
    fuller_kept: int = 0  # same version as stored, but with fewer fields: the stored copy stays
    derived: int = 0  # studies whose labels this run worked out (unchanged ones keep theirs)
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"pages {self.pages}, studies seen {self.seen}, MS kept {self.ms_kept}, "
            f"non-MS left out {self.non_ms}, new {self.new} ({self.new_ms} of them MS), changed {self.changed}, "
            f"unchanged {self.unchanged}, no longer listed {self.removed}, malformed {self.malformed}"
            + (f", duplicates dropped {self.duplicates}" if self.duplicates else "")
            + (f", older copies ignored {self.older_ignored}" if self.older_ignored else "")
            + (f", fuller stored copies kept {self.fuller_kept} (the incoming copies of the same version held "
               "fewer fields)" if self.fuller_kept else "")
            + f", {self.seconds:.1f} s"
        )


# What a run consumes: a study (or its unparsed JSON text) and where it came from.
IncomingStudy = SourceItem


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _joined(values: Iterable[str]) -> str:
    return "|".join(values)


def record_values(record: StudyRecord, registry: str, registry_ids: str, protocol_code: str) -> tuple:
    """The record's values of cache.RECORD_COLUMNS, in that order."""
    return (
        record.title,
        record.official_title,
        record.acronym,
        record.status,
        _joined(record.phases),
        record.study_type,
        record.start_date,
        record.primary_completion_date,
        record.completion_date,
        record.first_posted,
        record.last_update,
        record.sponsor,
        record.sponsor_class,
        _joined(record.collaborators),
        _joined(record.conditions),
        _joined(record.keywords),
        _joined(record.interventions),
        _joined(record.intervention_types),
        _joined(record.countries),
        record.n_sites,
        record.enrollment,
        record.enrollment_type,
        int(record.has_results),
        record.url,
        registry,
        registry_ids,
        protocol_code,
    )


_RECORD_INDEX = {name: index for index, name in enumerate(cache.RECORD_COLUMNS)}
_STATUS, _LAST_UPDATE, _REGISTRY = _RECORD_INDEX["status"], _RECORD_INDEX["last_update"], _RECORD_INDEX["registry"]
_NOT_DERIVED = (None,) * len(DERIVED_COLUMNS)


# Content hashes of the listed studies whose stored labels are current, for the run under way.
# A module global, not an argument: forked workers inherit it once instead of receiving it with
# every batch. Empty outside run_ingest, so prepare_study on its own always derives.
_labelled_in_cache: frozenset[str] = frozenset()


class PreparedStudy(NamedTuple):
    """Everything about one incoming study that can be worked out without the cache.

    A named tuple of plain values, not a dataclass of dicts: every one travels from a worker
    process to the writer, and a tuple pickles with neither field names nor column names."""

    position: str
    problem: str | None = None
    nct_id: str = ""
    is_ms: bool = False
    raw_json: str = ""
    content_hash: str = ""
    record: tuple = ()  # the values of cache.RECORD_COLUMNS, in that order
    sites: tuple = ()
    last_update: str = ""
    data_date: str = ""  # how current the record is: the registry's version date, else its last update
    derived: tuple = ()  # the values of DERIVED_COLUMNS in that order; () when not derived


def prepare_study(item: IncomingStudy) -> PreparedStudy:
    """Validate, flatten, check MS and derive labels for one study (pure: runs in worker processes)."""
    try:
        return _prepare(item)
    except RecursionError:
        return PreparedStudy(item.position, problem="nested too deeply to read")


def _read_fast(text: str) -> tuple[Any, bytes | None] | None:
    """A JSON line read by orjson, with its compact_json when that is orjson's own output, or None
    when orjson's reading may differ from json.loads's (then the line is read by json.loads).

    orjson reads and writes twice as fast, and its reading is json.loads's except where it refuses
    the text (NaN, lone surrogates, deep nesting: json.loads decides) and for integers past 64
    bits, which it reads as floats; it writes a float that large in exponent form ("1e+29"), so a
    text whose encoding holds "e+" anywhere is left to json.loads."""
    try:
        study = orjson.loads(text)
        encoded = orjson.dumps(study)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if b"e+" in encoded:
        return None
    return study, (encoded if b"null" not in encoded and _written_as_python_writes(encoded) else None)


def _prepare(item: IncomingStudy) -> PreparedStudy:
    encoded = None  # compact_json of the study as received, when already known
    try:
        fast = _read_fast(item.text) if item.text is not None else None
        study, encoded = fast if fast is not None else (item.parsed(), None)
    except json.JSONDecodeError as error:
        return PreparedStudy(item.position, problem=f"not JSON ({error.msg})")
    except ValueError as error:  # e.g. a number with more digits than Python converts
        return PreparedStudy(item.position, problem=f"not JSON ({' '.join(str(error).split())[:120]})")
    received = study  # kept as the registry sent it; the product reads its v2 view
    try:
        view = v2_view(received)
    except (TypeError, AttributeError, ValueError) as error:  # a CTIS record of a shape nobody described
        return PreparedStudy(item.position, problem=f"a CTIS record of an unexpected shape ({' '.join(str(error).split())[:80]})")
    study = view.study
    try:
        record = normalise_study(study, trial_id=view.trial_id)
    except MalformedStudy as error:
        return PreparedStudy(item.position, problem=str(error))
    # Kept as the registry sent it. A ClinicalTrials.gov study is `received` itself, read but never
    # changed since it was encoded; a CTIS record's v2 view is made from it, so it is encoded here.
    raw_bytes = encoded if encoded is not None and view.registry == CTGOV else compact_json(received)
    if raw_bytes is None:  # a lone surrogate escape such as "\ud800" cannot be stored as text
        return PreparedStudy(item.position, problem="holds text that is not valid Unicode")
    raw_json = raw_bytes.decode()
    is_ms = is_ms_study(study)
    content_hash = hashlib.sha1(raw_bytes).hexdigest()
    return PreparedStudy(
        position=item.position,
        nct_id=record.nct_id,
        is_ms=is_ms,
        raw_json=raw_json,
        content_hash=content_hash,
        record=record_values(record, view.registry, _joined(stated_ids(study, record.nct_id)), stated_protocol(study)),
        sites=tuple(
            (s.facility, s.city, s.state, s.country, s.status, s.latitude, s.longitude) for s in record.sites
        ),
        last_update=record.last_update or "",
        data_date=_version_date(study) or record.last_update or "",
        # A study the cache holds unchanged keeps its stored labels: they are current (see run_ingest).
        derived=derived_values(study) if is_ms and content_hash not in _labelled_in_cache else (),
    )


# orjson writes some small floats as "1e-7" or "0.00001" where Python writes "1e-07" and "1e-05".
_EXPONENT_OF_TEN = re.compile(rb"e-[0-9]")  # a literal start: searched fast, unlike a character class
_DIGITS = frozenset(b"0123456789")


def _written_as_python_writes(encoded: bytes) -> bool:
    if b"0.0000" in encoded:
        return False
    return not any(encoded[match.start() - 1] in _DIGITS for match in _EXPONENT_OF_TEN.finditer(encoded))


def compact_json(study: Any) -> bytes | None:
    """The study as compact UTF-8 JSON, byte for byte what `json.dumps(study, ensure_ascii=False,
    separators=(",", ":"))` writes, so that the stored text and its content hash do not depend on
    the encoder; None when it holds text that is not valid Unicode.

    orjson is ten times faster. Where it would write something else the standard encoder is used:
    for NaN and infinite floats, which orjson writes as null (registry records hold no null, so a
    null in its output is the sign to check), for small floats in its own notation, and for what it
    refuses (integers past 64 bits, deep nesting, lone surrogates).
    """
    try:
        encoded = orjson.dumps(study)
    except orjson.JSONEncodeError:
        pass
    else:
        if b"null" not in encoded and _written_as_python_writes(encoded):
            return encoded
    try:
        return json.dumps(study, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _version_date(study: dict) -> str | None:
    """The date the registry's copy was taken (`derivedSection.miscInfoModule.versionHolder`), if given."""
    try:
        holder = study["derivedSection"]["miscInfoModule"]["versionHolder"]
    except (KeyError, TypeError):
        return None
    return holder if isinstance(holder, str) and _ISO_DATE.fullmatch(holder) else None


_STUDY_COLUMNS = (
    "nct_id", "is_ms", "raw_json", "content_hash", "first_seen_run", "last_seen_run", "removed_run",
    *cache.RECORD_COLUMNS, *DERIVED_COLUMNS,
)
_UPSERT_STUDY = (
    f"INSERT OR REPLACE INTO studies ({', '.join(_STUDY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _STUDY_COLUMNS)})"
)
_TRACKED_COLUMNS = [column for _, column in cache.TRACKED_FIELDS]
_TRACKED_INDEXES = [_RECORD_INDEX[column] for column in _TRACKED_COLUMNS]


@dataclass(slots=True)  # one per cached study: kept small for 100k-study caches
class _Known:
    content_hash: str
    first_seen_run: int
    removed_run: int | None
    last_update: str | None
    tracked: tuple
    registry: str = CTGOV


@dataclass(frozen=True, slots=True)
class _Applied:
    """What `RunWriter.add` did with a study in this run, so that a newer copy later in the same
    run can take it back (the run is streamed: earlier copies are written before later ones arrive)."""

    last_update: str
    outcome: str  # the RunSummary counter it raised: new, changed, unchanged, older_ignored or fuller_kept
    is_ms: bool
    data_date: str


class RunWriter:
    """Applies incoming studies to an open (staged) cache connection and counts what happened.

    Studies are applied as they arrive, so a run holds only a batch of them at a time. When a
    study comes again in the same run (pages that shift while being read, overlapping files),
    the most recently updated copy wins, the later one on a tie: a winning copy first takes back
    what the earlier one did, so counts, history and rows end as if only the winner had come.
    """

    def __init__(self, connection: sqlite3.Connection, summary: RunSummary, report: Callable[[str], None]):
        self.connection = connection
        self.summary = summary
        self.report = report
        self.run_id = (connection.execute("SELECT COALESCE(MAX(run_id), 0) + 1 FROM runs").fetchone()[0])
        self.started_at = _now()
        self.known: dict[str, _Known] = {
            row[0]: _Known(row[1], row[2], row[3], row[4], tuple(row[6:]), row[5])
            for row in connection.execute(
                "SELECT nct_id, content_hash, first_seen_run, removed_run, last_update, registry, "
                f"{', '.join(_TRACKED_COLUMNS)} FROM studies"
            )
        }
        # A full listing speaks only for its own registry's trials.
        self._listed_ms_before = frozenset(row[0] for row in connection.execute(
            "SELECT nct_id FROM studies WHERE is_ms = 1 AND removed_run IS NULL AND registry = ?", (summary.registry,)))
        self.seen_ids: set[str] = set()
        self._applied: dict[str, _Applied] = {}
        # The state before this run of studies this run rewrote, for taking a copy back.
        self._known_before_run: dict[str, _Known] = {}
        self._saved_before_run: set[str] = set()  # their rows, copied to temp tables before the rewrite
        # Writes are batched (pending rows are never read before the next flush).
        self._study_rows: list[tuple] = []
        self._stale_site_owners: list[tuple[str]] = []
        self._site_rows: list[tuple] = []
        self._change_rows: list[tuple] = []
        self._unchanged: list[tuple[int, str]] = []
        self._to_save: list[tuple[str]] = []

    @property
    def newest_data_date(self) -> str:
        """How current the newest MS record of this run is: an import's "data as of"."""
        return max((applied.data_date for applied in self._applied.values() if applied.is_ms), default="")

    def _change(self, nct_id: str, kind: str, old: Any, new: Any) -> None:
        self._change_rows.append(
            (self.run_id, nct_id, kind, None if old is None else str(old), None if new is None else str(new))
        )

    def flush(self) -> None:
        execute_many = self.connection.executemany
        if self._to_save:
            self._save_before_run(self._to_save)
        execute_many(_UPSERT_STUDY, self._study_rows)
        execute_many("UPDATE studies SET last_seen_run = ? WHERE nct_id = ?", self._unchanged)
        execute_many("DELETE FROM sites WHERE nct_id = ?", self._stale_site_owners)
        execute_many(
            "INSERT INTO sites (nct_id, position, facility, city, state, country, status, latitude, longitude) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._site_rows,
        )
        execute_many("INSERT INTO changes (run_id, nct_id, kind, old_value, new_value) VALUES (?, ?, ?, ?, ?)",
                     self._change_rows)
        for pending in (self._study_rows, self._unchanged, self._stale_site_owners, self._site_rows,
                        self._change_rows, self._to_save):
            pending.clear()

    def _save_before_run(self, owners: list[tuple[str]]) -> None:
        if not self._saved_before_run:
            self.connection.execute("CREATE TEMP TABLE studies_before_run AS SELECT * FROM main.studies WHERE 0")
            self.connection.execute("CREATE TEMP TABLE sites_before_run AS SELECT * FROM main.sites WHERE 0")
        self.connection.executemany("INSERT INTO studies_before_run SELECT * FROM main.studies WHERE nct_id = ?", owners)
        self.connection.executemany("INSERT INTO sites_before_run SELECT * FROM main.sites WHERE nct_id = ?", owners)
        self._saved_before_run.update(owner for (owner,) in owners)

    def add(self, prepared: "PreparedStudy") -> None:
        if prepared.derived:
            self.summary.derived += 1
        if prepared.problem:
            self.summary.seen += 1
            self._malformed(prepared.position, prepared.problem)
            return
        earlier = self._applied.get(prepared.nct_id)
        if earlier is not None:
            self.summary.duplicates += 1
            if prepared.last_update < earlier.last_update:
                return
            self._take_back(prepared.nct_id, earlier)
        self._apply(prepared)

    def _take_back(self, nct_id: str, applied: _Applied) -> None:
        """Undo what an earlier copy of `nct_id` did in this run."""
        summary = self.summary
        summary.seen -= 1
        if applied.is_ms:
            summary.ms_kept -= 1
        else:
            summary.non_ms -= 1
        setattr(summary, applied.outcome, getattr(summary, applied.outcome) - 1)
        if applied.outcome == "new" and applied.is_ms:
            summary.new_ms -= 1
        del self._applied[nct_id]
        if applied.outcome not in ("new", "changed"):
            return  # only last_seen_run moved, and the winning copy sets it again
        self.flush()
        execute = self.connection.execute
        execute("DELETE FROM changes WHERE run_id = ? AND nct_id = ?", (self.run_id, nct_id))
        execute("DELETE FROM sites WHERE nct_id = ?", (nct_id,))
        execute("DELETE FROM studies WHERE nct_id = ?", (nct_id,))
        before = self._known_before_run.get(nct_id)
        if before is None:
            del self.known[nct_id]
            return
        execute("INSERT INTO main.studies SELECT * FROM studies_before_run WHERE nct_id = ?", (nct_id,))
        execute("INSERT INTO main.sites SELECT * FROM sites_before_run WHERE nct_id = ?", (nct_id,))
        self.known[nct_id] = before

    def _apply(self, prepared: "PreparedStudy") -> None:
        summary = self.summary
        summary.seen += 1
        nct_id = prepared.nct_id
        self.seen_ids.add(nct_id)
        if prepared.is_ms:
            summary.ms_kept += 1
        else:
            summary.non_ms += 1
        known = self.known.get(nct_id)
        record = prepared.record
        tracked = tuple(record[index] for index in _TRACKED_INDEXES)
        first_seen = self.run_id
        if known is None:
            outcome = "new"
            summary.new_ms += prepared.is_ms
            self._change(nct_id, "new", None, record[_STATUS])
        else:
            first_seen = known.first_seen_run
            if known.removed_run is not None:
                self._change(nct_id, "listed_again", None, record[_STATUS])
            last_update = record[_LAST_UPDATE]
            is_older = bool(known.last_update and last_update and last_update < known.last_update)
            if known.removed_run is None and (
                    known.content_hash == prepared.content_hash or is_older
                    or self._is_thinner_copy(nct_id, known, prepared)):
                # An import of an older download must not roll the cache back in time, nor a download
                # of fewer fields (the API's `fields=`) thin out a stored copy of the same version.
                outcome = ("older_ignored" if is_older else "unchanged"
                           if known.content_hash == prepared.content_hash else "fuller_kept")
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                self._applied[nct_id] = _Applied(prepared.last_update, outcome, prepared.is_ms, prepared.data_date)
                self._unchanged.append((self.run_id, nct_id))
                return
            outcome = "changed"
            for (kind, _), old, new in zip(cache.TRACKED_FIELDS, known.tracked, tracked):
                if old != new:
                    self._change(nct_id, kind, old, new)
            if nct_id not in self._known_before_run:
                self._known_before_run[nct_id] = known
                self._to_save.append((nct_id,))
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        self._applied[nct_id] = _Applied(prepared.last_update, outcome, prepared.is_ms, prepared.data_date)
        self._study_rows.append((nct_id, int(prepared.is_ms), prepared.raw_json, prepared.content_hash, first_seen,
                                 self.run_id, None, *record, *(prepared.derived or _NOT_DERIVED)))
        if known is not None:
            self._stale_site_owners.append((nct_id,))
        self._site_rows.extend((nct_id, position, *site) for position, site in enumerate(prepared.sites))
        self.known[nct_id] = _Known(prepared.content_hash, first_seen, None, record[_LAST_UPDATE], tracked,
                                    record[_REGISTRY])
        if len(self._study_rows) >= 500:
            self.flush()

    def _is_thinner_copy(self, nct_id: str, known: _Known, prepared: "PreparedStudy") -> bool:
        """Whether `prepared` is the stored study's own version (same last update) with fields left out.

        Same-version copies differ only when a download asked for fewer fields; a registry that
        changes a record moves its last-update date. Read only then, so a run seldom reads raw JSON."""
        last_update = prepared.record[_LAST_UPDATE]
        if not last_update or last_update != known.last_update or known.registry != CTGOV:
            return False
        row = self.connection.execute("SELECT raw_json FROM studies WHERE nct_id = ?", (nct_id,)).fetchone()
        if row is None:
            return False
        stored_paths = field_paths(orjson.loads(row[0]))
        incoming_paths = field_paths(orjson.loads(prepared.raw_json))
        return incoming_paths < stored_paths

    def _malformed(self, position: str, problem: str) -> None:
        self.summary.malformed += 1
        self.report(f"skipped malformed record at {position}: {problem}")

    def mark_unlisted(self, accept_removals: bool = False) -> None:
        """After a complete full listing: studies the registry no longer returns are flagged, never deleted.

        Raises SuddenDrop when more than SUDDEN_DROP_SHARE of the listed MS trials would go and
        `accept_removals` is not set.
        """
        self.flush()
        missing = [nct_id for nct_id, known in self.known.items()
                   if nct_id not in self.seen_ids and known.removed_run is None and known.registry == self.summary.registry]
        missing_ms = self._listed_ms_before - self.seen_ids
        listed_before = len(self._listed_ms_before)
        if missing_ms and len(missing_ms) > SUDDEN_DROP_SHARE * listed_before and not accept_removals:
            raise SuddenDrop(
                f"this full refresh would mark {len(missing_ms):,} of {listed_before:,} listed MS trials as no "
                f"longer listed (more than {SUDDEN_DROP_SHARE:.0%}); nothing changed. If the registry really "
                "dropped them, run again with --accept-removals"
            )
        for nct_id in missing:
            self.summary.removed += 1
            self.connection.execute("UPDATE studies SET removed_run = ? WHERE nct_id = ?", (self.run_id, nct_id))
            self._change(nct_id, "no_longer_listed", None, None)

    def finish(self, api_version: str | None, data_timestamp: str | None) -> None:
        self.flush()
        s = self.summary
        self.connection.execute(
            "INSERT INTO runs (run_id, started_at, finished_at, source, mode, api_version, data_timestamp, pages, seen, "
            "ms_kept, non_ms, new, changed, unchanged, malformed, removed, registry) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.run_id, self.started_at, _now(), s.source, s.mode, api_version, data_timestamp, s.pages, s.seen,
             s.ms_kept, s.non_ms, s.new, s.changed, s.unchanged, s.malformed, s.removed, s.registry),
        )


def field_paths(study: Any, depth: int = 3) -> frozenset[tuple[str, ...]]:
    """The key paths of a record's nested objects, `depth` levels down (lists are not entered):
    ("protocolSection", "eligibilityModule", "eligibilityCriteria") and so on."""
    paths: set[tuple[str, ...]] = set()
    level = [((), study)]
    for _ in range(depth):
        deeper = []
        for prefix, value in level:
            if isinstance(value, dict):
                for key, inner in value.items():
                    path = (*prefix, str(key))
                    paths.add(path)
                    deeper.append((path, inner))
        level = deeper
    return frozenset(paths)


def _derive_stored(row: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    nct_id, raw_json = row
    return nct_id, derive_columns(v2_view(json.loads(raw_json)).study)


def rederive_if_stale(connection: sqlite3.Connection, force: bool = False, workers: int | None = None) -> int:
    """Re-run classification and eligibility on stored studies when the vocabulary or code changed."""
    signature = derivation_signature()
    if not force and cache.read_meta(connection, "derivation_signature") == signature:
        return 0
    assignments = ", ".join(f"{name} = ?" for name in DERIVED_COLUMNS)
    rows = connection.execute("SELECT nct_id, raw_json FROM studies WHERE is_ms = 1").fetchall()
    count = 0
    for nct_id, derived in ordered_map(_derive_stored, rows, workers, prepare=warm_up):
        connection.execute(
            f"UPDATE studies SET {assignments} WHERE nct_id = ?", [*(derived[n] for n in DERIVED_COLUMNS), nct_id]
        )
        count += 1
    cache.write_meta(connection, "derivation_signature", signature)
    return count


def incremental_since(run: cache.RunRow) -> str:
    """The date to ask for updates from: the last successful run's data date, less a day of overlap."""
    stamp = run.data_timestamp or run.started_at
    day = datetime.fromisoformat(stamp.replace("Z", "+00:00")).date() if "T" in stamp else date.fromisoformat(stamp[:10])
    return (day - INCREMENTAL_OVERLAP).isoformat()


def run_ingest(
    cache_path: Path,
    studies: Callable[[RunWriter], Iterator[IncomingStudy]],
    summary: RunSummary,
    report: Callable[[str], None] = lambda message: None,
    version: dict | None = None,
    workers: int | None = None,
    accept_removals: bool = False,
) -> RunSummary:
    """Apply one run's studies to the cache atomically and return what happened.

    `studies` is called with the writer (so a fetch can read the previous run before asking the
    API) and yields the incoming studies; any exception it raises aborts the run and leaves the
    cache untouched. Only a full refresh from the API (mode "full", known once the studies are
    consumed) can tell that a study is no longer listed; imports and incremental runs cannot.
    A full run's `studies` must raise unless its listing was complete.
    """
    global _labelled_in_cache
    started = time.monotonic()
    # Whether the cores are idle is sampled across the set-up below (tens of milliseconds)
    # instead of across sleeps before the first study.
    sampler = BusyCoreSampler()
    with cache.staged_copy(cache_path) as connection:
        summary.derived += rederive_if_stale(connection, workers=workers)
        sampler.sample()
        writer = RunWriter(connection, summary, report)
        # After rederive_if_stale every stored label is current: a study that comes back with the
        # same content (and is still listed, so the writer leaves its row alone) needs no new labels.
        _labelled_in_cache = frozenset(
            known.content_hash for known in writer.known.values() if known.removed_run is None)
        try:
            for prepared in ordered_map(prepare_study, studies(writer), workers, sampler, prepare=warm_up):
                writer.add(prepared)
        finally:
            _labelled_in_cache = frozenset()
        if summary.mode == "full":
            writer.mark_unlisted(accept_removals)
        version = version if version is not None else {}
        # A fetch knows the registry's own data time; an import knows only how current its records are.
        writer.finish(version.get("apiVersion"), version.get("dataTimestamp") or writer.newest_data_date or None)
        summary.seconds = time.monotonic() - started
    return summary
