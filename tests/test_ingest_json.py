"""The ingest's fast JSON re-encoding stores exactly the text the standard encoder writes, so the
stored raw JSON and its content hash do not change with the encoder."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mstrials.store.ingest import _read_fast, compact_json


def standard(value) -> bytes | None:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return None


numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 5, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-7, 1.5e-05, 2.5e-300, 1e16, 1e22, -0.0, 5e-324]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=12))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_stored_text_is_what_the_standard_encoder_writes(value):
    parsed = json.loads(json.dumps(value))
    assert compact_json(parsed) == standard(parsed)


def test_numbers_that_parse_to_non_finite_floats_are_kept():
    for text in ('{"a": 1e400}', '{"a": -1e400}', '{"a": NaN}', '{"a": ' + "9" * 400 + '.0}'):
        parsed = json.loads(text)
        assert compact_json(parsed) == standard(parsed)
        assert b"null" not in compact_json(parsed)


def test_text_that_is_not_valid_unicode_gives_none():
    assert compact_json(json.loads('{"a": "\\ud800"}')) is None


def test_floats_of_every_magnitude_are_written_as_python_writes_them():
    floats = [mantissa * 10.0**exponent for exponent in range(-330, 309)
              for mantissa in (1.0, 1.5, 1.2345678901234567, 3.0000000000000004, 9.99)]
    for value in floats:
        parsed = json.loads(json.dumps({"value": value}))
        assert compact_json(parsed) == standard(parsed), value


@settings(max_examples=400, deadline=None)
@given(values)
def test_a_json_line_read_fast_is_what_json_loads_reads(value):
    # orjson reads a JSON line for the ingest only where its reading is json.loads's: integers past
    # 64 bits (which it reads as floats), NaN and the like go to json.loads.
    text = json.dumps(value)
    fast = _read_fast(text)
    if fast is None:
        return
    study, encoded = fast
    assert standard(study) == standard(json.loads(text))
    assert encoded is None or encoded == compact_json(json.loads(text))


def test_an_integer_past_64_bits_is_read_as_the_integer_it_is():
    text = '{"count": 123456789012345678901234567890}'
    assert _read_fast(text) is None  # orjson would read 1.2345678901234568e+29
