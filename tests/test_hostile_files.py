"""Hostile and damaged inputs and caches: one line on stderr, exit 1, the cache untouched."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT, load_script
from mstrials.sources import ctgov_files as sources
from mstrials.store.cache import SCHEMA_VERSION, CacheError, staged_copy
from study_factory import make_study

fetch_trials = load_script("fetch_trials")
export_trials = load_script("export_trials")

GOOD = [make_study(nct_id="NCT00000041"), make_study(nct_id="NCT00000042")]
DEEP = "[" * 10_000 + "]" * 10_000


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_import(cache: Path, *paths: Path) -> int:
    return fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", *map(str, paths)])


def ids_in(cache: Path) -> set[str]:
    with sqlite3.connect(cache) as connection:
        return {row[0] for row in connection.execute("SELECT nct_id FROM studies")}


@pytest.fixture
def cache(tmp_path) -> Path:
    path = tmp_path / "trials.sqlite"
    source = tmp_path / "good.json"
    source.write_text(json.dumps(GOOD))
    assert run_import(path, source) == 0
    return path


def assert_one_line_failure(capsys, *words: str) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    for word in words:
        assert word in err[0], err[0]
    return err[0]


def test_a_deeply_nested_json_lines_line_is_skipped_and_the_run_goes_on(tmp_path, capsys):
    path = tmp_path / "studies.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n" + '{"a": ' + DEEP + "}\n" + json.dumps(GOOD[1]) + "\n")
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, path) == 0
    assert "studies.jsonl line 2" in capsys.readouterr().err
    assert ids_in(cache) == {"NCT00000041", "NCT00000042"}


def test_a_deeply_nested_first_json_lines_line_is_skipped_too(tmp_path, capsys):
    path = tmp_path / "studies.jsonl"
    path.write_text('{"a": ' + DEEP + "}\n" + json.dumps(GOOD[0]) + "\n")
    cache = tmp_path / "trials.sqlite"
    assert run_import(cache, path) == 0
    assert "studies.jsonl line 1" in capsys.readouterr().err
    assert ids_in(cache) == {"NCT00000041"}


def test_deep_nesting_inside_a_parsed_study_is_a_malformed_record(tmp_path, capsys):
    # Deep enough for normalise/dumps to recurse too far, shallow enough for json.loads to build it.
    from mstrials.store.ingest import prepare_study
    from mstrials.sources.ctgov_files import SourceItem

    study = make_study(nct_id="NCT00000043")
    nested: list = []
    for _ in range(5_000):
        nested = [nested]
    study["futureSection"] = nested  # unknown fields are kept, so the raw JSON must be written out
    prepared = prepare_study(SourceItem("x item 1", study))
    assert prepared.problem == "nested too deeply to read"


@pytest.mark.parametrize("text", [DEEP, '{"studies": [' + DEEP + "]}", "[" + json.dumps(GOOD[0]) + ", " + DEEP + "]"])
def test_a_whole_file_nested_too_deeply_fails_in_one_line(cache, tmp_path, capsys, text):
    before = digest(cache)
    path = tmp_path / "deep.json"
    path.write_text(text)
    capsys.readouterr()
    assert run_import(cache, path) == 1
    assert_one_line_failure(capsys, "deep.json", "nested too deeply")
    assert digest(cache) == before


def _damaged_gzip(tmp_path: Path) -> Path:
    data = bytearray(gzip.compress(json.dumps(GOOD).encode() * 20))
    data[len(data) // 2] ^= 0xFF
    data[len(data) // 2 + 1] ^= 0x55
    path = tmp_path / "damaged.json.gz"
    path.write_bytes(bytes(data))
    return path


def _truncated_gzip(tmp_path: Path) -> Path:
    data = gzip.compress(json.dumps(GOOD).encode())
    path = tmp_path / "damaged.json.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_with(tmp_path: Path, method: int = zipfile.ZIP_DEFLATED) -> tuple[Path, bytearray]:
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        archive.writestr("NCT00000041.json", json.dumps(GOOD[0]))
    return path, bytearray(path.read_bytes())


def _bad_crc_zip(tmp_path: Path) -> Path:
    path, data = _zip_with(tmp_path, zipfile.ZIP_STORED)
    offset = data.index(b"NCT00000041", 30 + len("NCT00000041.json"))  # inside the stored content
    data[offset] = ord("X")
    path.write_bytes(bytes(data))
    return path


def _encrypted_zip(tmp_path: Path) -> Path:
    path, data = _zip_with(tmp_path)
    struct.pack_into("<H", data, 6, struct.unpack_from("<H", data, 6)[0] | 1)  # local header flag
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, struct.unpack_from("<H", data, central + 8)[0] | 1)
    path.write_bytes(bytes(data))
    return path


def _unknown_method_zip(tmp_path: Path) -> Path:
    path, data = _zip_with(tmp_path)
    struct.pack_into("<H", data, 8, 99)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 10, 99)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("make", [_damaged_gzip, _truncated_gzip, _bad_crc_zip, _encrypted_zip, _unknown_method_zip])
def test_a_damaged_archive_fails_in_one_line_naming_the_file(cache, tmp_path, capsys, make):
    before = digest(cache)
    path = make(tmp_path)
    capsys.readouterr()
    assert run_import(cache, path) == 1
    assert_one_line_failure(capsys, path.name)
    assert digest(cache) == before


def test_a_gzip_bomb_stops_at_the_cap(cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]"))
    before = digest(cache)
    capsys.readouterr()
    assert run_import(cache, path) == 1
    assert_one_line_failure(capsys, "bomb.json.gz", "more than 1 MiB")
    assert digest(cache) == before


def test_a_zip_bomb_stops_at_the_cap_over_all_members(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(4):
            archive.writestr(f"part{index}.json", "[" + " " * (1024 * 1024) + "]")
    assert path.stat().st_size < 100_000
    with pytest.raises(sources.SourceError, match="more than 3 MiB"):
        list(sources.read_study_file(path, max_bytes=3 * 1024 * 1024))
    assert len(list(sources.read_study_file(path, max_bytes=5 * 1024 * 1024))) == 0


def test_the_real_corpus_passes_the_default_cap(corpus_file):
    assert sum(1 for _ in sources.read_study_file(corpus_file)) == 2712


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is a text file that someone named trials.sqlite\n" * 50)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:200])


def _other_database(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('soup')")


def _tables_missing(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (x)")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@pytest.mark.parametrize("damage", [_not_sqlite, _truncated, _other_database, _tables_missing])
@pytest.mark.parametrize("command", ["import", "export", "reclassify"])
def test_a_file_that_is_not_a_trial_cache_is_refused_and_left_alone(cache, tmp_path, capsys, damage, command):
    damage(cache)
    before = digest(cache)
    source = tmp_path / "more.json"
    source.write_text(json.dumps([make_study(nct_id="NCT00000049")]))
    capsys.readouterr()
    if command == "import":
        code = run_import(cache, source)
    elif command == "export":
        code = export_trials.main(["--cache", str(cache), "--output", str(tmp_path / "out.csv")])
    else:
        code = fetch_trials.main(["--cache", str(cache), "--reclassify"])
    assert code == 1
    line = assert_one_line_failure(capsys, str(cache))
    assert "not a trial cache" in line or "cannot be read" in line
    assert digest(cache) == before
    assert not list(tmp_path.glob("trials.sqlite.partial-*"))
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("command", ["import", "export", "reclassify"])
def test_a_cache_from_a_newer_release_says_update_this_tool(cache, tmp_path, capsys, command):
    with sqlite3.connect(cache) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = digest(cache)
    source = tmp_path / "more.json"
    source.write_text(json.dumps([make_study(nct_id="NCT00000049")]))
    capsys.readouterr()
    if command == "import":
        code = run_import(cache, source)
    elif command == "export":
        code = export_trials.main(["--cache", str(cache)])
    else:
        code = fetch_trials.main(["--cache", str(cache), "--reclassify"])
    assert code == 1
    line = assert_one_line_failure(capsys, "newer release", "update this tool")
    assert "to upgrade" not in line
    assert digest(cache) == before


def test_an_older_cache_format_tells_export_to_run_the_fetch(cache, capsys):
    with sqlite3.connect(cache) as connection:
        connection.execute("PRAGMA user_version = 0")
        for table in ("changes", "sites", "studies", "runs", "meta"):
            connection.execute(f"DROP TABLE {table}")
    capsys.readouterr()
    assert export_trials.main(["--cache", str(cache)]) == 1
    assert_one_line_failure(capsys, "fetch_trials.py", "upgrade")


@pytest.mark.parametrize("where", ["folder", "under_a_file"])
def test_a_cache_path_that_cannot_be_a_file_fails_in_one_line(tmp_path, capsys, where):
    source = tmp_path / "good.json"
    source.write_text(json.dumps(GOOD))
    if where == "folder":
        target = tmp_path / "adir"
        target.mkdir()
    else:
        (tmp_path / "x.txt").write_text("notes")
        target = tmp_path / "x.txt" / "trials.sqlite"
    for run in (lambda: run_import(target, source), lambda: export_trials.main(["--cache", str(target)]),
                lambda: fetch_trials.main(["--cache", str(target), "--reclassify"])):
        capsys.readouterr()
        assert run() == 1
        assert_one_line_failure(capsys, str(target))
    if where == "folder":
        assert target.is_dir() and not any(target.iterdir())
    else:
        assert (tmp_path / "x.txt").read_text() == "notes"


def _limit_file_size(limit: int):
    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes then fail with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("headroom", [-4096, 64 * 1024])
def test_disk_full_fails_in_one_line_and_leaves_no_partial_copy(cache, tmp_path, headroom):
    before = digest(cache)
    many = tmp_path / "many.json"
    many.write_text(json.dumps([make_study(nct_id=f"NCT{60000000 + i:08d}") for i in range(600)]))
    limit = cache.stat().st_size + headroom
    finished = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "fetch_trials.py"), "--cache", str(cache), "--quiet",
         "--from-file", str(many)],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size(limit),
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert finished.returncode == 1, finished.stderr
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0], finished.stderr
    assert digest(cache) == before
    assert not list(tmp_path.glob("trials.sqlite.partial-*"))


def test_a_symlinked_cache_stays_a_link_to_the_updated_file(cache, tmp_path):
    link = tmp_path / "link.sqlite"
    link.symlink_to(cache)
    more = tmp_path / "more.json"
    more.write_text(json.dumps([make_study(nct_id="NCT00000044")]))
    assert run_import(link, more) == 0
    assert link.is_symlink() and link.resolve() == cache.resolve()
    assert ids_in(cache) == {"NCT00000041", "NCT00000042", "NCT00000044"}
    assert not list(tmp_path.glob("link.sqlite*[!e]"))  # no lock or copy beside the link


def test_writers_through_a_link_and_the_real_path_share_one_lock(cache, tmp_path):
    link = tmp_path / "link.sqlite"
    link.symlink_to(cache)
    with staged_copy(cache):
        with pytest.raises(CacheError, match="already writing"):
            with staged_copy(link):
                pass


def test_export_failure_keeps_the_previous_output_and_leaves_no_half_file(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    many = tmp_path / "many.json"
    many.write_text(json.dumps([make_study(nct_id=f"NCT{61000000 + i:08d}") for i in range(400)]))
    assert run_import(cache, many) == 0
    output = tmp_path / "trials.csv"
    output.write_text("previous export\n")
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])  # the header is intact, the study pages are cut off
    capsys.readouterr()
    assert export_trials.main(["--cache", str(cache), "--output", str(output)]) == 1
    assert_one_line_failure(capsys, str(cache))
    assert output.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == ["many.json", "trials.csv", "trials.sqlite"]


def test_export_to_a_file_replaces_it_on_success(cache, tmp_path, capsys):
    output = tmp_path / "trials.csv"
    output.write_text("previous export\n")
    assert export_trials.main(["--cache", str(cache), "--output", str(output)]) == 0
    assert output.read_text().startswith("nct_id,")
    assert export_trials.main(["--cache", str(cache), "--output", "-"]) == 0
    assert capsys.readouterr().out.startswith("nct_id,")
