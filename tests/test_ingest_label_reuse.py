"""A study that comes back unchanged keeps its stored labels instead of being classified again; a
change of vocabulary or derivation code still re-derives every stored study."""
from __future__ import annotations

import json
import sqlite3

from mstrials.labels.derive import DERIVED_COLUMNS
from mstrials.store.refresh import import_files
from study_factory import make_study

STUDIES = [make_study(nct_id=f"NCT000001{n:02d}", title=f"Trial {n} of ibudilast in progressive multiple sclerosis")
           for n in range(12)]


def _labels(cache):
    with sqlite3.connect(cache) as connection:
        return connection.execute(f"SELECT nct_id, {', '.join(DERIVED_COLUMNS)} FROM studies ORDER BY nct_id").fetchall()


def test_an_unchanged_refresh_derives_nothing_and_keeps_the_labels(tmp_path):
    source, cache = tmp_path / "studies.json", tmp_path / "trials.sqlite"
    source.write_text(json.dumps(STUDIES))
    first = import_files(cache, [source])
    assert first.ms_kept == 12 and first.derived == 12
    labels = _labels(cache)
    assert all(row[DERIVED_COLUMNS_INDEX["mechanisms"]] for row in labels)
    again = import_files(cache, [source])
    assert (again.unchanged, again.derived) == (12, 0)
    assert _labels(cache) == labels


def test_a_changed_study_is_derived_again(tmp_path):
    source, cache = tmp_path / "studies.json", tmp_path / "trials.sqlite"
    source.write_text(json.dumps(STUDIES))
    import_files(cache, [source])
    edited = [*STUDIES[:-1], make_study(nct_id="NCT00000111", interventions=(("DRUG", "Ocrelizumab"),),
                                        last_update="2025-02-01")]
    source.write_text(json.dumps(edited))
    again = import_files(cache, [source])
    assert (again.unchanged, again.changed, again.derived) == (11, 1, 1)
    with sqlite3.connect(cache) as connection:
        assert connection.execute("SELECT mechanisms FROM studies WHERE nct_id = 'NCT00000111'").fetchone()[0] == "b_cell"


def test_a_new_derivation_signature_re_derives_every_stored_study(tmp_path):
    source, cache = tmp_path / "studies.json", tmp_path / "trials.sqlite"
    source.write_text(json.dumps(STUDIES))
    import_files(cache, [source])
    labels = _labels(cache)
    with sqlite3.connect(cache) as connection:  # what an edited vocabulary or a code bump looks like
        connection.execute("UPDATE meta SET value = 'older' WHERE key = 'derivation_signature'")
        connection.execute("UPDATE studies SET mechanisms = NULL, eligibility_json = NULL")
    again = import_files(cache, [source])
    assert (again.unchanged, again.derived) == (12, 12)
    assert _labels(cache) == labels


DERIVED_COLUMNS_INDEX = {name: position for position, name in enumerate(DERIVED_COLUMNS, start=1)}
