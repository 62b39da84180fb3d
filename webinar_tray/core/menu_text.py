"""The menu's words: the text helpers of core.menu, pure functions of their arguments.

One-line plain text (`clean_text`: control, bidi and zero-width characters out, cut with "…" to
TITLE_MAX characters or a given limit, never inside a combining sequence), cuts by characters or
by UTF-16 code units (Windows' measure, for the tooltip), links shown as scheme://host/… only
(`redact`), and times as the menu says them: "in 2 h 05 min", "1 h 05 min", "Today"/"Thu 27 Nov",
"14:30" in the local zone (`tz` is an argument; None: the system's rules, per instant).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, tzinfo

from webinar_tray.core.redact import safe_url
from webinar_tray.core.text import clean_line
from webinar_tray.core.text import cut as text_cut

TITLE_MAX = 60  # characters of a title in the menu
ELLIPSIS = "…"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s\"'<>]+")


def clean_text(text: str | None, limit: int | None = TITLE_MAX) -> str:
    """One line of plain text, cut to `limit` characters with an ellipsis: core.text.clean_line
    (control, bidi and zero-width characters gone, whitespace runs made one space)."""
    return clean_line(text, limit)


def cut(s: str, limit: int) -> str:
    """`s` when it fits in `limit` characters, else its head and an ellipsis (limit in total)."""
    return text_cut(s, limit)


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def cut_utf16(s: str, limit: int) -> str:
    """Like `cut`, counting UTF-16 code units (Windows' measure): an emoji counts two."""
    return text_cut(s, limit, utf16=True)


def redact(text: str) -> str:
    """Links in a message shown as scheme://host/… only: a query holds Zoom's pwd or ON24's key,
    and the path of a secret iCal address is itself the secret."""
    def host_only(m: re.Match[str]) -> str:
        full = safe_url(m.group(0))
        scheme, _, rest = full.partition("://")
        host, slash, path = rest.partition("/")
        return f"{scheme}://{host}/…" if (path or m.group(0) != full) and scheme and host else full

    return _URL.sub(host_only, text)


def countdown_text(delta: timedelta) -> str:
    """"in 2 h 05 min", "in 4 min", "in 1 day 3 h", "now" (for a start not in the future).
    Minutes round up, so "in 1 min" lasts until the start."""
    secs = delta.total_seconds()
    if secs <= 0:
        return "now"
    minutes = math.ceil(secs / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        d = f"{days} day" + ("s" if days > 1 else "")
        return f"in {d} {hours} h" if hours else f"in {d}"
    if hours:
        return f"in {hours} h {mins:02d} min" if mins else f"in {hours} h"
    return f"in {mins} min"


def duration_text(delta: timedelta) -> str:
    """"12 min", "1 h 05 min" (whole minutes, rounded down; never negative)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def day_label(d: date, today: date) -> str:
    """"Today", "Tomorrow", "Yesterday", else "Thu 27 Nov" (with the year when not this year)."""
    delta = (d - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    label = f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"
    return label if d.year == today.year else f"{label} {d.year}"


def local_time(t: datetime, tz: tzinfo | None) -> datetime:
    # tz None: the system's own zone rules (astimezone() picks the offset of that very instant,
    # so a DST change inside the week is right; a fixed-offset tzinfo would not be).
    return t.astimezone(tz) if tz is not None else t.astimezone()


def hhmm(t: datetime, tz: tzinfo | None) -> str:
    """"14:30": `t` in the local zone."""
    return f"{local_time(t, tz):%H:%M}"


def when_text(start: datetime, now: datetime) -> str:
    """"in 2 h 05 min", or "started 12 min ago" once a minute has passed."""
    if start <= now - timedelta(minutes=1):
        return f"started {duration_text(now - start)} ago"
    return countdown_text(start - now)
