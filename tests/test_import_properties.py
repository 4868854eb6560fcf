"""Property: whatever bytes an import is given, it either succeeds with the right studies, or fails
with one line on stderr and exit 1, leaving the cache byte-identical."""
from __future__ import annotations

import contextlib
import gzip
import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import load_script
from study_factory import make_study, nct_id_of

fetch_trials = load_script("fetch_trials")

BASELINE = make_study(nct_id="NCT00000090")
STUDIES = [make_study(nct_id=f"NCT0000009{i}", status=status)
           for i, status in ((1, "RECRUITING"), (2, "COMPLETED"), (3, "NOT_YET_RECRUITING"))]
DEEP = "[" * 5_000 + "]" * 5_000

# Wrong JSON types inside one record: each makes that record malformed and nothing else.
BREAKAGES = [
    lambda s: s["protocolSection"].update(statusModule=[]),
    lambda s: s["protocolSection"]["designModule"].update(phases="PHASE2"),
    lambda s: s["protocolSection"]["designModule"]["enrollmentInfo"].update(count="many"),
    lambda s: s.update(hasResults="no"),
    lambda s: s["protocolSection"]["identificationModule"].update(nctId=12345),
    lambda s: s["protocolSection"]["contactsLocationsModule"].update(locations={"city": "x"}),
]


def encode(studies: list, shape: str, texts: list[str] | None = None) -> bytes:
    texts = texts if texts is not None else [json.dumps(study) for study in studies]
    if shape == "array":
        return ("[" + ", ".join(texts) + "]").encode()
    lines = "".join(text + "\n" for text in texts).encode()
    if shape == "jsonl":
        return lines
    if shape == "jsonl.gz":
        return gzip.compress(lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, text in enumerate(texts):
            archive.writestr(f"study{number}.json", text)
    return buffer.getvalue()


def _baseline_cache() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source, cache = Path(folder) / "base.json", Path(folder) / "trials.sqlite"
        source.write_text(json.dumps(BASELINE))
        assert fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)]) == 0
        return cache.read_bytes()


BASELINE_CACHE = _baseline_cache()


def run_import(data: bytes, shape: str) -> tuple[int, list[str], bytes, dict[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "trials.sqlite"
        cache.write_bytes(BASELINE_CACHE)
        source = Path(folder) / f"input.{shape if shape != 'zip' else 'json.zip'}"
        source.write_bytes(data)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = fetch_trials.main(["--cache", str(cache), "--quiet", "--from-file", str(source)])
        with contextlib.closing(sqlite3.connect(cache)) as connection:
            rows = dict(connection.execute("SELECT nct_id, status FROM studies"))
        return code, err.getvalue().splitlines(), cache.read_bytes(), rows


SHAPES = st.sampled_from(["array", "jsonl", "jsonl.gz", "zip"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=SHAPES, broken=st.sets(st.integers(0, 2), max_size=3), breakage=st.sampled_from(range(len(BREAKAGES))))
def test_records_with_wrong_types_are_skipped_and_the_rest_imported(shape, broken, breakage):
    studies = json.loads(json.dumps(STUDIES))
    for index in broken:
        BREAKAGES[breakage](studies[index])
    code, err, _, rows = run_import(encode(studies, shape), shape)
    assert code == 0, err
    expected = {nct_id_of(BASELINE): "RECRUITING"}
    expected.update({nct_id_of(s): s["protocolSection"]["statusModule"]["overallStatus"]
                     for i, s in enumerate(STUDIES) if i not in broken})
    assert rows == expected
    assert len(err) == len(broken) and all(line.startswith("skipped malformed record") for line in err)


@st.composite
def mutated_input(draw):
    shape = draw(SHAPES)
    kind = draw(st.sampled_from(["truncate", "flip", "insert_deep", "deep_record"]))
    if kind == "deep_record":
        texts = [json.dumps(s) for s in STUDIES]
        texts[draw(st.integers(0, 2))] = '{"a": ' + DEEP + "}"
        return shape, encode(STUDIES, shape, texts)
    data = bytearray(encode(STUDIES, shape))
    position = draw(st.integers(0, len(data) - 1))
    if kind == "truncate":
        return shape, bytes(data[:position])
    if kind == "flip":
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return shape, bytes(data)
    return shape, bytes(data[:position]) + DEEP.encode() + bytes(data[position:])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_input())
def test_any_mutation_gives_the_right_data_or_one_line_and_an_untouched_cache(case):
    shape, data = case
    code, err, cache_bytes, rows = run_import(data, shape)
    if code == 0:
        assert rows[nct_id_of(BASELINE)] == "RECRUITING"
        # Every study imported is one the input names, with a status the valid records hold
        # (a flipped byte may land inside a string but must never invent a study out of nothing).
        text = data if shape in ("array", "jsonl") else b""
        known = {nct_id_of(s): s["protocolSection"]["statusModule"]["overallStatus"] for s in STUDIES}
        for nct_id, status in rows.items():
            if nct_id == nct_id_of(BASELINE) or nct_id not in known:
                if nct_id != nct_id_of(BASELINE):
                    assert text and nct_id.encode() in text, (nct_id, data[:200])
                continue
            if status != known[nct_id]:
                assert text and (status or "").encode() in text
        assert all(line.startswith("skipped malformed record") for line in err), err
    else:
        assert code == 1
        assert len(err) == 1 and "Traceback" not in err[0], err
        assert cache_bytes == BASELINE_CACHE
