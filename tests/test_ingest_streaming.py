"""An import streams: files are read line by line and studies are written while later ones are still
being read, so a run of any size holds a bounded number of studies; a copy of a study that comes
again later in the same run still ends the run as if only the newest copy had come."""
from __future__ import annotations

import gzip
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstrials.sources.ctgov_files import SourceError, read_study_file
from mstrials.store.ingest import IncomingStudy, RunSummary, run_ingest
from mstrials.store.refresh import import_files
from study_factory import make_study


def _jsonl(studies: list[dict]) -> bytes:
    return b"".join(json.dumps(study).encode() + b"\n" for study in studies)


def test_a_json_lines_file_yields_studies_before_it_is_read_to_the_end(tmp_path):
    path = tmp_path / "download.jsonl.gz"
    compressed = gzip.compress(_jsonl([make_study(nct_id=f"NCT{n:08d}") for n in range(300)]))
    path.write_bytes(compressed[:-200])  # the end of the gzip data is cut off
    items = read_study_file(path)
    first = next(items)  # a whole-file read fails here, before any study
    assert first.position == "download.jsonl.gz line 1"
    assert json.loads(first.text)["protocolSection"]["identificationModule"]["nctId"] == "NCT00000000"
    with pytest.raises(SourceError, match="gzip data is damaged"):
        list(items)


def test_a_streamed_file_keeps_the_size_cap(tmp_path):
    path = tmp_path / "big.jsonl.gz"
    lines = _jsonl([make_study(nct_id=f"NCT{n:08d}") for n in range(40)])
    path.write_bytes(gzip.compress(lines))
    with pytest.raises(SourceError, match="expands to more than"):
        list(read_study_file(path, max_bytes=len(lines) - 1))
    assert len(list(read_study_file(path, max_bytes=len(lines)))) == 40


def test_studies_are_written_while_later_ones_are_still_being_read(tmp_path):
    rows_written_when_the_last_study_was_asked_for = []

    def studies(writer):
        for number in range(1500):
            yield IncomingStudy(f"item {number}", make_study(nct_id=f"NCT{number:08d}"))
        rows_written_when_the_last_study_was_asked_for.append(
            writer.connection.execute("SELECT COUNT(*) FROM studies").fetchone()[0])

    summary = run_ingest(tmp_path / "trials.sqlite", studies, RunSummary(source="test", mode="import"), workers=1)
    assert summary.new == 1500
    # Holding every study until the end would leave nothing written at this point.
    assert rows_written_when_the_last_study_was_asked_for[0] >= 1000


def _row(cache, nct_id):
    with sqlite3.connect(cache) as connection:
        connection.row_factory = sqlite3.Row
        row = dict(connection.execute("SELECT * FROM studies WHERE nct_id = ?", (nct_id,)).fetchone())
        sites = connection.execute("SELECT * FROM sites WHERE nct_id = ? ORDER BY position", (nct_id,)).fetchall()
        changes = connection.execute("SELECT run_id, kind FROM changes WHERE nct_id = ? ORDER BY rowid", (nct_id,)).fetchall()
    return row, [tuple(site) for site in sites], [tuple(change) for change in changes]


def test_a_later_copy_equal_to_the_cached_study_undoes_an_earlier_changed_copy(tmp_path):
    cached = make_study(nct_id="NCT00000031", status="RECRUITING", last_update="2024-05-01")
    edited = make_study(nct_id="NCT00000031", status="COMPLETED", last_update="2024-05-01")
    cache = tmp_path / "trials.sqlite"
    (tmp_path / "cached.json").write_text(json.dumps(cached))
    import_files(cache, [tmp_path / "cached.json"])
    before, sites_before, changes_before = _row(cache, "NCT00000031")
    # Same update date: the later copy wins, and it is what the cache already holds.
    (tmp_path / "both.jsonl").write_bytes(_jsonl([edited, make_study(nct_id="NCT00000032"), cached]))
    summary = import_files(cache, [tmp_path / "both.jsonl"])
    assert (summary.seen, summary.duplicates, summary.new, summary.changed, summary.unchanged) == (2, 1, 1, 0, 1)
    after, sites_after, changes_after = _row(cache, "NCT00000031")
    assert after["status"] == "RECRUITING"
    assert {**after, "last_seen_run": None} == {**before, "last_seen_run": None}
    assert after["last_seen_run"] == 2
    assert sites_after == sites_before
    assert changes_after == changes_before  # no status change recorded for run 2


def test_a_newer_copy_later_in_the_run_replaces_an_earlier_new_one(tmp_path):
    older = make_study(nct_id="NCT00000033", status="RECRUITING", last_update="2024-01-01")
    newer = make_study(nct_id="NCT00000033", status="COMPLETED", last_update="2025-01-01")
    cache = tmp_path / "trials.sqlite"
    (tmp_path / "run.jsonl").write_bytes(_jsonl([older, newer, older]))
    summary = import_files(cache, [tmp_path / "run.jsonl"])
    assert (summary.seen, summary.duplicates, summary.new, summary.changed) == (1, 2, 1, 0)
    row, _, changes = _row(cache, "NCT00000033")
    assert row["status"] == "COMPLETED"
    assert changes == [(1, "new")]


def _state(cache):
    with sqlite3.connect(cache) as connection:
        studies = sorted(connection.execute("SELECT * FROM studies").fetchall())
        sites = sorted(connection.execute("SELECT * FROM sites").fetchall())
        changes = sorted(connection.execute("SELECT * FROM changes").fetchall(), key=repr)
    return studies, sites, changes


def _newest_copies(studies):
    """What the run should amount to: one copy per study, the most recently updated (the later
    one on a tie), at the place of the study's first copy."""
    kept, place = [], {}
    for study in studies:
        nct_id = study["protocolSection"]["identificationModule"]["nctId"]
        last_update = study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
        if nct_id not in place:
            place[nct_id] = len(kept)
            kept.append((last_update, study))
        elif last_update >= kept[place[nct_id]][0]:
            kept[place[nct_id]] = (last_update, study)
    return [study for _, study in kept]


_versions = st.builds(
    lambda number, status, last_update, countries: make_study(
        nct_id=f"NCT0000005{number}", status=status, last_update=last_update, countries=countries),
    st.integers(0, 2), st.sampled_from(["RECRUITING", "COMPLETED"]),
    st.sampled_from(["2024-01-01", "2024-06-01", "2025-01-01"]),
    st.sampled_from([("France",), ("France", "Italy"), ()]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cached=st.lists(_versions, max_size=3), incoming=st.lists(_versions, max_size=6))
def test_a_run_with_repeated_studies_ends_as_if_only_the_newest_copies_came(tmp_path_factory, cached, incoming):
    folder = tmp_path_factory.mktemp("run")
    results = []
    for name, studies in (("streamed", incoming), ("deduplicated", _newest_copies(incoming))):
        cache = folder / f"{name}.sqlite"
        for run_studies in (_newest_copies(cached), studies):
            summary = run_ingest(cache, lambda writer, run_studies=run_studies: (
                IncomingStudy(f"item {n}", study) for n, study in enumerate(run_studies)),
                RunSummary(source="test", mode="import"), workers=1)
        counts = (summary.seen, summary.new, summary.changed, summary.unchanged, summary.older_ignored,
                  summary.ms_kept)
        results.append((counts, _state(cache)))
    assert results[0] == results[1]
