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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator


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


def _decode(raw: bytes, label: str) -> str:
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise SourceError(f"{label}: the gzip data is damaged ({error})") from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{label}: not UTF-8 text, so not a JSON download") from error


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


def read_study_file(path: str | Path) -> Iterator[SourceItem]:
    """Yield every study-like item in a download file, in file order."""
    path = Path(path)
    label = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror or error})") from error
    if zipfile.is_zipfile(io.BytesIO(raw)):
        yield from _zip_items(raw, label)
        return
    yield from _items_from_text(_decode(raw, label), label)


def _zip_items(raw: bytes, label: str) -> Iterator[SourceItem]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = [name for name in sorted(archive.namelist()) if not name.endswith("/")]
        if not members:
            raise SourceError(f"{label}: the zip archive is empty")
        for name in members:
            member_label = f"{label}:{name}"
            yield from _items_from_text(_decode(archive.read(name), member_label), member_label)
