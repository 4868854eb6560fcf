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
import itertools
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

    `max_bytes` caps what the file may decompress to (default MAX_DECOMPRESSED_BYTES). JSON Lines
    (plain or gzip) are read line by line, so a file of any length costs the memory of a few lines;
    the other shapes are one JSON document and are read whole.
    """
    path = Path(path)
    label = path.name
    limit = MAX_DECOMPRESSED_BYTES if max_bytes is None else max_bytes
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
    with handle:
        try:
            is_zip = zipfile.is_zipfile(handle)
            handle.seek(0)
            is_gzip = handle.read(2) == b"\x1f\x8b"
        except OSError as error:
            raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
        if not is_zip:
            streamed = _streamed_json_lines(handle, is_gzip, label, limit)
            if streamed is not None:
                yield from streamed
                return
        try:
            handle.seek(0)
            raw = handle.read()
        except OSError as error:
            raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
    if is_zip:
        yield from _zip_items(raw, label, limit)
        return
    yield from _items_from_text(_decode(raw, label, limit, limit), label)


_JSON_WHITESPACE = b" \t\r\n"  # what the JSON grammar skips between values (str.strip skips more)


def _raw_lines(handle: io.BufferedIOBase, is_gzip: bool, label: str, limit: int) -> Iterator[bytes]:
    """The file's lines as bytes, decompressed on the fly; the size cap holds for gzip data as for
    a whole read (a line is never read past what the cap still allows)."""
    handle.seek(0)
    stream = gzip.GzipFile(fileobj=handle) if is_gzip else handle
    total = 0
    while True:
        try:
            line = stream.readline(limit - total + 1) if is_gzip else stream.readline()
        except _ARCHIVE_ERRORS as error:
            if is_gzip:
                raise SourceError(f"{label}: the gzip data is damaged ({_one_line(error)})") from error
            raise SourceError(f"{label}: cannot read ({_one_line(error)})") from error
        if not line:
            return
        total += len(line)
        if is_gzip and total > limit:
            raise SourceError(f"{label}: expands to more than {_size_words(limit)} when decompressed; not imported")
        yield line


def _text_of(line: bytes, label: str) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{label}: not UTF-8 text, so not a JSON download") from error


def _streamed_json_lines(handle: io.BufferedIOBase, is_gzip: bool, label: str, limit: int) -> Iterator[SourceItem] | None:
    """The items of a JSON Lines file read line by line, or None when the file does not start like
    one. It counts as JSON Lines exactly when a whole read would: its first value is an object that
    ends on its first line, and more than whitespace follows."""
    lines = _raw_lines(handle, is_gzip, label, limit)
    head: list[bytes] = []
    for line in lines:
        if not head and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]  # the byte-order mark a whole read drops as "utf-8-sig"
        head.append(line)
        if line.strip(_JSON_WHITESPACE):
            break
    else:
        return None
    first = head[-1].strip(_JSON_WHITESPACE)
    if not first.startswith(b"{"):
        return None
    try:
        json.loads(_text_of(first, label))
    except (ValueError, RecursionError):
        return None  # the whole read says what is wrong with it
    for line in lines:
        head.append(line)
        if line.strip(_JSON_WHITESPACE):
            break
    else:
        return None  # a single object: one document
    return _json_lines_from(head, lines, label)


def _json_lines_from(head: list[bytes], rest: Iterator[bytes], label: str) -> Iterator[SourceItem]:
    for number, raw in enumerate(itertools.chain(head, rest), start=1):
        line = _text_of(raw, label)
        if line.strip():
            yield SourceItem(f"{label} line {number}", text=line)


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
