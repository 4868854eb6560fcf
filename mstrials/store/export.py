"""Export layer: one row per MS study still listed by the registry, as CSV or JSON."""
from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, TextIO

from mstrials.markup_safety import spreadsheet_text
from mstrials.store.linking import merge_rows

# Column order is part of the export's contract; lists are joined with "|".
EXPORT_COLUMNS: tuple[str, ...] = (
    "nct_id", "title", "status", "phases", "study_type", "start_date", "primary_completion_date",
    "completion_date", "last_update", "sponsor", "sponsor_class", "conditions", "interventions",
    "countries", "enrollment", "has_results", "url",
    "progressive", "ms_types", "mechanisms", "drug_classes", "mechanism_evidence",
    "edss_min", "edss_max", "min_age", "max_age", "sex", "ms_types_included", "ms_types_excluded",
    "prior_anti_cd20_excluded", "registry_ids", "registries",
)
# Read for linking registries (store/linking.py), not exported as such.
_LINK_COLUMNS: tuple[str, ...] = ("registry", "protocol_code", "official_title")
_BOOLEAN_COLUMNS = {"has_results", "progressive", "prior_anti_cd20_excluded"}


def export_rows(connection: sqlite3.Connection) -> Iterator[dict]:
    """One row per trial: a trial in both registries comes once, under its NCT id, with every id in
    `registry_ids` and ClinicalTrials.gov's values where both registries give one."""
    stored = [column for column in EXPORT_COLUMNS if column != "registries"]
    selected = [*stored, *_LINK_COLUMNS]
    query = (
        f"SELECT {', '.join(selected)} FROM studies "
        "WHERE is_ms = 1 AND removed_run IS NULL ORDER BY nct_id"
    )
    for linked in merge_rows([dict(zip(selected, values)) for values in connection.execute(query)]):
        row = {column: linked.get(column) for column in EXPORT_COLUMNS}
        for column in _BOOLEAN_COLUMNS:
            if row[column] is not None:
                row[column] = bool(row[column])
        yield row


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_text(value)


def write_csv(rows: Iterable[dict], out: TextIO, columns: Sequence[str] = EXPORT_COLUMNS) -> int:
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _csv_value(value) for key, value in row.items()})
        count += 1
    return count


def write_json(rows: Iterator[dict], out: TextIO) -> int:
    items = list(rows)
    json.dump(items, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(items)


def write_replacing(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write through a temporary file beside `path` that replaces it only when `write` succeeded,
    so a failed export leaves the previous file as it was and never a half-written one."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write(out)
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return count
