"""A download of fewer fields (the API's `fields=`, a reduced export) must not thin out a stored
copy of the same version: the criteria, arms and sites a full fetch brought stay."""
from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

from conftest import load_script
from mstrials.store.ingest import field_paths
from study_factory import make_study

fetch_trials = load_script("fetch_trials")

CRITERIA = "Inclusion Criteria:\n\n* EDSS 3.0 to 6.5\n\nExclusion Criteria:\n\n* Pregnancy"


def _full(last_update: str = "2025-01-15") -> dict:
    return make_study(nct_id="NCT00000021", last_update=last_update,
                      eligibilityModule={"eligibilityCriteria": CRITERIA, "minimumAge": "18 Years"})


def _without_criteria(study: dict) -> dict:
    thinner = copy.deepcopy(study)
    del thinner["protocolSection"]["eligibilityModule"]
    del thinner["protocolSection"]["contactsLocationsModule"]
    return thinner


def _import(tmp_path: Path, cache: Path, study: dict, name: str, capsys) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(study))
    assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(path)]) == 0
    return capsys.readouterr().out


def _stored(cache: Path) -> tuple[dict, float | None, int]:
    with sqlite3.connect(cache) as connection:
        raw, edss_min = connection.execute("SELECT raw_json, edss_min FROM studies").fetchone()
        changes = connection.execute("SELECT COUNT(*) FROM changes WHERE kind != 'new'").fetchone()[0]
    return json.loads(raw), edss_min, changes


def test_a_thinner_copy_of_the_same_version_keeps_the_stored_one(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    full = _full()
    _import(tmp_path, cache, full, "full", capsys)
    out = _import(tmp_path, cache, _without_criteria(full), "thin", capsys)
    raw, edss_min, changes = _stored(cache)
    assert raw == full
    assert edss_min == 3.0
    assert changes == 0
    assert "fuller stored copies kept 1" in out


def test_a_thinner_copy_of_a_newer_version_replaces_the_stored_one(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    _import(tmp_path, cache, _full(), "full", capsys)
    newer = _without_criteria(_full(last_update="2025-03-01"))
    out = _import(tmp_path, cache, newer, "newer", capsys)
    raw, edss_min, _ = _stored(cache)
    assert raw == newer
    assert edss_min is None
    assert "fuller stored copies kept" not in out


def test_a_fuller_copy_of_the_same_version_replaces_a_thinner_stored_one(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    full = _full()
    _import(tmp_path, cache, _without_criteria(full), "thin", capsys)
    _import(tmp_path, cache, full, "full", capsys)
    raw, edss_min, _ = _stored(cache)
    assert raw == full
    assert edss_min == 3.0


def test_a_same_version_copy_with_other_values_but_no_fewer_fields_replaces_the_stored_one(tmp_path, capsys):
    cache = tmp_path / "trials.sqlite"
    full = _full()
    _import(tmp_path, cache, full, "full", capsys)
    corrected = copy.deepcopy(full)
    corrected["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    _import(tmp_path, cache, corrected, "corrected", capsys)
    raw, _, changes = _stored(cache)
    assert raw == corrected
    assert changes == 1


def test_field_paths_stop_at_lists_and_at_the_depth():
    study = {"a": {"b": {"c": {"d": 1}}, "e": [{"f": 1}]}}
    assert field_paths(study) == {("a",), ("a", "b"), ("a", "b", "c"), ("a", "e")}
    assert field_paths(study, depth=1) == {("a",)}
    assert field_paths(["not", "a", "dict"]) == frozenset()
