"""The one cleaner of calendar text for terminals, logs, menus and notifications.

Calendar titles, descriptions and error texts are written by strangers. Printed raw, an escape
sequence can write the clipboard (OSC 52), erase the line or forge a new one, and a bidi override
can make text read backwards. `clean_line` keeps one line of plain text:

- C0/C1 control characters out (ESC, BEL, NUL, DEL, CSI…): line breaks, tabs and the other
  separators become a space, the rest is dropped;
- format characters out (Unicode category Cf: bidi embeddings, overrides and isolates, marks,
  zero-width characters), and lone surrogates (they cannot even be written as UTF-8);
- whitespace runs made one space, none at either end; `limit` cuts with "…".

`clean_lines` is its multi-line variant for blocks such as tracebacks: the same characters go,
line breaks are kept (as "\\n") and so is indentation. Both are idempotent. Pure and stdlib only.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"

# controls that separate text: they become a space, so words do not run together
_SPACING = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")
_DROPPED = frozenset(("Cc", "Cf", "Cs"))


def _plain(text: str) -> str:
    """`text` with control, format and surrogate characters out (separators made spaces)."""
    if text.isprintable():  # no Cc/Cf/Cs/Z* but the ASCII space: the common case, fast
        return text
    out = []
    for ch in text:
        if ch in _SPACING:
            out.append(" ")
        elif unicodedata.category(ch) not in _DROPPED:
            out.append(ch)
    return "".join(out)


def clean_line(text: object, limit: int | None = None, *, utf16: bool = False) -> str:
    """One line of plain text (see the module's docstring); None gives "". With `limit`, cut to
    that many characters (UTF-16 code units when `utf16`: Windows' measure) ending in "…"."""
    if text is None:
        return ""
    s = " ".join(_plain(str(text)).split())
    return cut(s, limit, utf16=utf16) if limit is not None else s


def clean_lines(text: object) -> str:
    """Several lines of plain text: like `clean_line` for each line, but line breaks are kept as
    "\\n" and leading indentation stays (a traceback keeps its shape); trailing spaces and blank
    lines at the end go."""
    if text is None:
        return ""
    lines = []
    for line in str(text).splitlines():  # splits on every separator _SPACING knows of too
        lines.append(_plain(line.expandtabs(4)).rstrip())
    return "\n".join(lines).rstrip("\n")


def _units(ch: str, utf16: bool) -> int:
    return (2 if ord(ch) > 0xFFFF else 1) if utf16 else 1


def cut(s: str, limit: int, *, utf16: bool = False) -> str:
    """`s` when it fits in `limit` characters (UTF-16 code units when `utf16`), else its head and
    an ellipsis, `limit` in total: never inside a surrogate pair, never leaving a base character
    without its combining marks, no space before the "…"."""
    if sum(_units(ch, utf16) for ch in s) <= limit:
        return s
    room, used, n = limit - 1, 0, 0
    for ch in s:
        w = _units(ch, utf16)
        if used + w > room:
            break
        used += w
        n += 1
    while n and unicodedata.combining(s[n]):
        n -= 1
    return s[:n].rstrip() + ELLIPSIS
