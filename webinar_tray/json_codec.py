"""JSON for the bulk paths (a heavy calendar's 25,000 items: Google's pages, the mirror file, the
cache rows, `list --json`): orjson where it gives what the standard library gives, the
standard library for everything else.

orjson encodes 5-10 times faster (decodes about 1.3 times); where it differs from the standard
library:
- `loads`: it refuses NaN/Infinity, numbers out of a double's range and lone surrogates
  (`"\\ud800"`), which `json.loads` reads: those texts go to `json.loads`. It reads an integer
  past 64 bits as a float (Google's fields that the app asks for hold no number).
- `dumps`: it refuses lone surrogates, integers past 64 bits and non-text keys: those values go
  to `json.dumps`, ASCII-escaped as before (a surrogate never reaches a UTF-8 file). It writes
  NaN as null (no JSON the app reads or writes holds one). Datetimes are never given to it (it
  cuts an offset's seconds).
Without orjson (a platform with no wheel) everything is the standard library's."""

from __future__ import annotations

import json
from itertools import chain

try:
    import orjson
except ImportError:  # pragma: no cover - every supported platform has a wheel
    orjson = None


def loads(text: str | bytes):
    """`json.loads(text)`, faster (ValueError for what is not JSON)."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # what only the standard library reads (or an error it words)
    return json.loads(text)


def dumps(obj) -> str:
    """Compact JSON (`separators=(",", ":")`): UTF-8 text as it is, or ASCII-escaped when it
    holds what orjson refuses."""
    if orjson is not None:
        try:
            return orjson.dumps(obj).decode("utf-8")
        except TypeError:
            pass
    return json.dumps(obj, separators=(",", ":"))


def dumps_indented(obj) -> str:
    """`json.dumps(obj, indent=2, ensure_ascii=False)`, character for character (orjson writes
    some floats otherwise, 1e-05 as 0.00001: a value holding a float is the library's)."""
    data = dumps_indented_utf8(obj)
    return data.decode("utf-8") if data is not None else json.dumps(obj, indent=2, ensure_ascii=False)


def dumps_indented_utf8(obj) -> bytes | None:
    """`dumps_indented(obj)` encoded as UTF-8, when orjson writes it; else None (the standard
    library's text, which may hold what UTF-8 cannot carry: a lone surrogate)."""
    if orjson is not None and not _has_float(obj):
        try:
            return orjson.dumps(obj, option=orjson.OPT_INDENT_2)
        except TypeError:
            pass
    return None


_SCALARS = frozenset({str, bool, int, type(None)})
_ROW = frozenset({dict})


def _has_float(obj, depth: int = 0) -> bool:
    """Whether `obj` holds a float or anything but JSON's own types (then the library prints
    it). The types are looked at in C (`issuperset` over `map(type, …)`): a Python test per
    value took 23 ms of the 30 of printing 25,000 plan rows."""
    t = type(obj)
    if t in _SCALARS:
        return False
    if depth > 100:
        return True  # the library's own recursion handling
    if t is dict:
        values = obj.values()
    elif t is list or t is tuple:
        values = obj
        if _ROW.issuperset(map(type, obj)) and _SCALARS.issuperset(
                map(type, chain.from_iterable(map(dict.values, obj)))):
            return False  # flat rows (the plan's): every value at once
    else:
        return True  # not JSON's: the library says so
    if _SCALARS.issuperset(map(type, values)):  # a flat row: one pass
        return False
    return any(_has_float(v, depth + 1) for v in values)
