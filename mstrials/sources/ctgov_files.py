"""File layer: read ClinicalTrials.gov downloads and recorded API responses.

Accepted shapes, each optionally gzip-compressed (`.gz`):
- a JSON array of studies (the website's "Download → JSON"),
- a `{"studies": [...]}` page as the API returns it,
- a single study object (the shape of GET /studies/{nctId}),
- JSON Lines, one study per line,
- a `.zip` of any of the above (the website's zipped download holds one study per file).
Each item comes with its position ("file.json item 3", "file.jsonl line 12") so a malformed
record can be reported precisely and skipped. JSON Lines are handed on as text, so that the
parsing, like the rest of the per-study work, happens in the ingest's worker processes.
"""
from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator


# What one input file (a zip: all its members together) may decompress to. The 2,712-study corpus
# expands to 5 MB and 100,000 full records to about 2-3 GB; a bomb stops here instead of taking
# the machine's memory.
MAX_DECOMPRESSED_BYTES = 4 * 1024**3

# Errors a damaged or unsupported archive raises while being read.
_ARCHIVE_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError)


class SourceError(ValueError):
    """A file that cannot be read as studies at all; one line for the person running the import."""


@dataclass(frozen=True)
class SourceItem:
    position: str
    study: Any = None  # parsed JSON
    text: str | None = None  # or the JSON text of one study, parsed later (JSON Lines: in the ingest workers)

    def parsed(self) -> Any:
        """The study as parsed JSON; raises json.JSONDecodeError for a line that is not JSON."""
        return json.loads(self.text) if self.text is not None else self.study


def _size_words(count: int) -> str:
    return f"{count / 1024**3:g} GiB" if count >= 1024**3 else f"{count / 1024**2:g} MiB"


def _read_capped(stream: io.BufferedIOBase, allowed: int, label: str, limit: int) -> bytes:
    """Read a decompressing stream in chunks, refusing it once it passes the `allowed` bytes left
    of the file's `limit`."""
    chunks, total = [], 0
    while chunk := stream.read(1024 * 1024):
        total += len(chunk)
        if total > allowed:
            raise SourceError(f"{label}: expands to more than {_size_words(limit)} when decompressed; not imported")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes, label: str, allowed: int, limit: int) -> str:
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
                raw = _read_capped(stream, allowed, label, limit)
        except _ARCHIVE_ERRORS as error:
            raise SourceError(f"{label}: the gzip data is damaged ({_one_line(error)})") from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{label}: not UTF-8 text, so not a JSON download") from error


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def _looks_like_json_lines(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return len(lines) > 1 and all(line[0] == "{" and line[-1] == "}" for line in lines)


def _items_from_text(text: str, label: str) -> Iterator[SourceItem]:
    stripped = text.lstrip()
    if not stripped:
        raise SourceError(f"{label}: the file is empty")
    if stripped[0] not in "[{":
        raise SourceError(f"{label}: not JSON (it starts with {stripped[:20]!r})")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if stripped[0] == "{" and error.msg == "Extra data":
            yield from _json_lines(text, label)
            return
        raise SourceError(f"{label}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from error
    except RecursionError as error:
        # A JSON Lines file whose first line is nested too deeply: each line is judged on its own.
        if stripped[0] == "{" and _looks_like_json_lines(text):
            yield from _json_lines(text, label)
            return
        raise SourceError(f"{label}: the JSON is nested too deeply to read") from error
    except ValueError as error:  # e.g. a number too long to convert
        raise SourceError(f"{label}: not valid JSON ({_one_line(error)})") from error
    yield from _items_from_document(document, label)


def _items_from_document(document: Any, label: str) -> Iterator[SourceItem]:
    if isinstance(document, list):
        studies = document
    elif isinstance(document, dict) and "studies" in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            raise SourceError(f"{label}: 'studies' is not a list")
    elif isinstance(document, dict) and "protocolSection" in document:
        studies = [document]
    else:
        raise SourceError(f"{label}: JSON, but neither a list of studies, a page of studies nor a study")
    for index, study in enumerate(studies, start=1):
        yield SourceItem(f"{label} item {index}", study)


def _json_lines(text: str, label: str) -> Iterator[SourceItem]:
    for number, line in enumerate(io.StringIO(text), start=1):
        if line.strip():
            yield SourceItem(f"{label} line {number}", text=line)


def read_study_file(path: str | Path, max_bytes: int | None = None) -> Iterator[SourceItem]:
    """Yield every study-like item in a download file, in file order.

    `max_bytes` caps what the file may decompress to (default MAX_DECOMPRESSED_BYTES).
    """
    path = Path(path)
    label = path.name
    limit = MAX_DECOMPRESSED_BYTES if max_bytes is None else max_bytes
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
    if zipfile.is_zipfile(io.BytesIO(raw)):
        yield from _zip_items(raw, label, limit)
        return
    yield from _items_from_text(_decode(raw, label, limit, limit), label)


def _zip_items(raw: bytes, label: str, limit: int) -> Iterator[SourceItem]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except _ARCHIVE_ERRORS as error:
        raise SourceError(f"{label}: the zip archive is damaged ({_one_line(error)})") from error
    with archive:
        members = [name for name in sorted(archive.namelist()) if not name.endswith("/")]
        if not members:
            raise SourceError(f"{label}: the zip archive is empty")
        remaining = limit  # the cap is for the whole archive, not each member
        for name in members:
            member_label = f"{label}:{name}"
            try:
                with archive.open(name) as stream:
                    data = _read_capped(stream, remaining, label, limit)
            except SourceError:
                raise
            except _ARCHIVE_ERRORS as error:
                raise SourceError(f"{member_label}: cannot be unpacked ({_one_line(error)})") from error
            remaining -= len(data)
            yield from _items_from_text(_decode(data, member_label, remaining, limit), member_label)
