"""Text as strangers write it, for the property tests: every kind of control, escape, bidi and
format character, lone surrogates, combining marks, wide characters, links and HTML pieces."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

NASTY = [
    "\x00", "\x07", "\x08", "\x1b", "\x1b[2K", "\x1b]52;c;ZXZpbA==\x07", "\x1b[31m", "\x9b", "\x9d", "\x85",
    "\r", "\n", "\r\n", "\t", "\v", "\f", "\x7f", "\x1c", "\x1f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
    "\u200f", "\u061c", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028", "\u2029", "\xa0", "\u3000",
    "\ud800", "\udfff", "\U000e0001", "e\u0301", "\u0301", "😀", "\U0001F468\u200d\U0001F469", "日本語",
    "\ue000", "\ue001", " ", "  ", "'", '"', "\\", "%", "%s", "-", "=", "+", "@",
]

# one character of any category, surrogates and unassigned ones included
any_char = st.characters(codec=None, categories=None, exclude_categories=())

hostile_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=6), any_char), max_size=40
).map("".join)

LINK_PIECES = [
    "https://", "http://", "HTTPS://", "ftp://", "file:///", "javascript:", "data:text/html,", "mailto:",
    "zoom.us/j/123?pwd=SECRET", "us02web.zoom.us", "www.brighttalk.com/webcast/1/2", "event.on24.com/wcc/r/1/KEY",
    "teams.microsoft.com/l/meetup-join/x", "www.youtube.com/redirect?q=", "https%3A%2F%2Fevil.example%2F",
    "nam02.safelinks.protection.outlook.com/?url=", "urldefense.com/v3/__https://x.example/__;!!", "evil.example",
    "<a href='", "<a href=\"", "'>", "\">", "</a>", "<area href=", "<script>", "</script>", "<style>", "<br>",
    "&amp;", "&#x3a;", "&colon;", "&#58;", "(", ")", "[", "]", "<", ">", "?", "#", "/", ":", "@", "%2F",
    "user:pw@", ":8443", "[::1]", "xn--n3h.example", "\u202e", "\n", " ", "\x00",
]

link_text = st.lists(
    st.one_of(st.sampled_from(LINK_PIECES), hostile_text), max_size=30
).map("".join)

FORBIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def forbidden(text: str) -> list[str]:
    """The characters of `text` no clean output may hold: controls (ESC…), format characters
    (bidi overrides, zero-width), surrogates, line/paragraph separators."""
    return [ch for ch in text if unicodedata.category(ch) in FORBIDDEN_CATEGORIES]
