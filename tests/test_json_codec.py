"""json_codec: orjson where it gives what the standard library gives, the standard library for
the rest. Hostile texts (a stranger's invitation) are read as json reads them and written so a
UTF-8 file can hold them; arbitrary JSON values round-trip and print as json prints them."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webinar_tray import json_codec
from webinar_tray.json_codec import dumps, dumps_indented, loads


def test_orjson_is_what_runs_here():
    assert json_codec.orjson is not None, "orjson is a dependency: uv sync installs it"


@pytest.mark.parametrize("text", [
    '"\\ud800 lone surrogate"',  # an escape json reads, orjson refuses
    '{"description": "x\\udfff"}',
    "NaN", "[Infinity, -Infinity]", "1e400",
    '{"a": 1, "a": 2}',
    '"caf\\u00e9 \\u2028 <b>"',
])
def test_loads_reads_what_json_reads(text):
    got, want = loads(text), json.loads(text)
    assert json.dumps(got) == json.dumps(want)  # NaN compares unequal to itself: compare texts
    assert loads(text.encode("utf-8")) is not None or want is None


def test_loads_refuses_what_json_refuses():
    for bad in ("", "{", '{"a":}', "[1,]", "\x00"):
        with pytest.raises(ValueError):
            loads(bad)


@pytest.mark.parametrize("value", [
    {"description": "x\ud800y"},  # a lone surrogate: written ASCII-escaped, never as UTF-8
    [2 ** 70], {1: "non-text key"},
])
def test_dumps_falls_back_and_stays_encodable(value):
    out = dumps(value)
    out.encode("utf-8")  # a file can hold it
    assert out == json.dumps(value, separators=(",", ":"))


def test_a_hostile_item_survives_the_mirror_file(tmp_path):
    """A description with a lone surrogate escape, as a stranger could send it: it is kept,
    written, and read back the same."""
    from webinar_tray.adapters.calendar.google.mirror import Mirror
    from webinar_tray.adapters.calendar.google.mirror_file import MirrorFile

    text = ('{"id":"evil","status":"confirmed","summary":"W\\ud83d","description":"a\\udc00b",'
            '"start":{"dateTime":"2026-12-07T10:00:00Z"},"end":{"dateTime":"2026-12-07T11:00:00Z"}}')
    m = Mirror()
    m.meta("tok", "cal", "UTC")
    m.apply(json.loads(text))
    f = MirrorFile(tmp_path / "m.jsonl", {"calendar": "c", "account": "a", "show_deleted": False})
    f.whole = True
    f.save(m, [], "cal")
    back = Mirror()
    assert f.load(back, "cal")
    assert loads(back.text(back.entries["evil"][2])) == json.loads(text)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value_round_trips_and_prints_as_json_prints_it(value):
    assert json.loads(dumps(value)) == value or _has_nan(value)
    assert loads(json.dumps(value)) == value
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
    assert dumps_indented([{"k": value, "s": "x"}]) == json.dumps([{"k": value, "s": "x"}], indent=2,
                                                                 ensure_ascii=False)


def _has_nan(v) -> bool:
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, list):
        return any(map(_has_nan, v))
    if isinstance(v, dict):
        return any(map(_has_nan, v.values()))
    return False


class _Text(str):
    """A str subclass: not JSON's own type, so the standard library prints it."""


ROW_VALUE = (st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63 - 1) | st.text()
             | st.floats(allow_nan=False, allow_infinity=False) | st.text().map(_Text)
             | st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=3), ROW_VALUE, max_size=5), max_size=6))
def test_rows_print_as_json_prints_them_whatever_a_row_holds(rows):
    """Flat rows (the plan's) are checked for floats all at once: a float, a subclass or a list
    in any row still sends the whole to the standard library."""
    assert dumps_indented(rows) == json.dumps(rows, indent=2, ensure_ascii=False)
    assert dumps_indented(tuple(rows)) == json.dumps(tuple(rows), indent=2, ensure_ascii=False)


def test_a_float_in_the_last_of_many_plan_rows_is_printed_as_json_prints_it():
    rows = [{"id": f"c/e{i}", "auto_join": False, "join_at": None} for i in range(1000)]
    rows[-1]["join_at"] = 1e-05  # orjson would write 0.00001
    assert dumps_indented(rows) == json.dumps(rows, indent=2, ensure_ascii=False)
    assert json_codec._has_float(rows) and not json_codec._has_float(rows[:-1])
