"""Properties of the one cleaner (core.text) and of the log filter that applies it."""

from __future__ import annotations

import logging
import re

from hypothesis import given
from hypothesis import strategies as st

from tests.property.strategies import forbidden, hostile_text, link_text
from webinar_tray.core.redact import SafeUrl, cut_urls
from webinar_tray.core.text import clean_line, clean_lines, cut
from webinar_tray.logsetup import ScrubFilter, ScrubFormatter


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@given(hostile_text)
def test_clean_line_leaves_no_control_or_bidi_characters_and_is_idempotent(text):
    out = clean_line(text)
    assert forbidden(out) == []
    assert out == out.strip() and "  " not in out
    assert clean_line(out) == out
    out.encode("utf-8")  # printable, never a lone surrogate


@given(hostile_text, st.integers(min_value=1, max_value=80), st.booleans())
def test_clean_line_with_a_limit_fits_it(text, limit, utf16):
    out = clean_line(text, limit, utf16=utf16)
    assert (_utf16(out) if utf16 else len(out)) <= limit
    assert forbidden(out) == []
    assert clean_line(out, limit, utf16=utf16) == out


@given(hostile_text, st.integers(min_value=1, max_value=80))
def test_cut_is_a_prefix_and_an_ellipsis(text, limit):
    s = clean_line(text)
    out = cut(s, limit)
    assert out == s or (out.endswith("…") and s.startswith(out[:-1]))


@given(hostile_text)
def test_clean_lines_keeps_only_line_breaks_and_is_idempotent(text):
    out = clean_lines(text)
    assert forbidden(out.replace("\n", "")) == []
    assert clean_lines(out) == out


_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_CUT = re.compile(r"[^/?#@]*(/…|/)?[.,;:!?)\]}]*")  # host[:port], then "/…" or "/" at most


@given(link_text)
def test_cut_urls_leaves_every_url_as_scheme_and_host(text):
    out = cut_urls(clean_line(text))
    assert cut_urls(out) == out
    for m in _URL.finditer(out):
        rest = m.group(0).split("://", 1)[1]
        assert _CUT.fullmatch(rest), (m.group(0), out)


@given(hostile_text, hostile_text)
def test_a_log_line_is_one_clean_line_and_keeps_safeurls(title, error):
    record = logging.LogRecord("webinar_tray.test", logging.INFO, __file__, 1, "joining %s (%s) at %s: %s",
                               (title, error, "10:00", SafeUrl("https://us02web.zoom.us/j/812?pwd=SECRET")), None)
    assert ScrubFilter().filter(record)
    line = ScrubFormatter("%(levelname)s %(message)s").format(record)
    assert "\n" not in line and forbidden(line) == []
    assert line.endswith("https://us02web.zoom.us/j/812")
    assert "SECRET" not in line.replace(clean_line(title), "").replace(clean_line(error), "")
