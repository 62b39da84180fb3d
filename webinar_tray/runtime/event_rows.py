"""How a cached event becomes a row of the store's `events` table and back. A description longer
than LONG_TEXT is kept once in `texts` (a series' instances share one) and referred to by hash."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Callable, Iterable

from webinar_tray.core.events import CalendarEvent, shared_extra, shared_text
from webinar_tray.json_codec import dumps, loads

LONG_TEXT = 256


def row_key(e: CalendarEvent) -> tuple:
    """An event's row within its source (the primary key after `source`)."""
    return e.calendar_id, e.event_id, e.start


def rows_of(source: str, events: Iterable[CalendarEvent], ts: Callable) -> tuple[list[tuple], dict[str, str]]:
    """The rows of `events` (source, calendar_id, event_id, start, data, text_ref), and the long
    descriptions they refer to (text -> hash; the same string object is hashed once)."""
    rows, texts = [], {}
    for e in events:
        d = e.to_dict()
        ref = None
        if len(e.description) > LONG_TEXT:
            ref = texts.get(e.description)
            if ref is None:
                ref = texts[e.description] = hashlib.sha256(e.description.encode()).hexdigest()
            d["description"] = ""
        rows.append((source, e.calendar_id, e.event_id, ts(e.start), dumps(d), ref))
    return rows, texts


def event_of(data: str, text_ref: str | None, texts: dict[str, str],
             memo: dict | None = None) -> CalendarEvent:
    """The event of a row (ValueError, TypeError or KeyError when it is unreadable). `memo`:
    what the events read together share (as a Google listing's do, mapping.py): one string
    per repeated text, one datetime per time text, one `extra` dict per equal content. A
    25,000-event cache read at start kept each event's own copies."""
    d = loads(data)
    if text_ref is not None:
        d["description"] = texts[text_ref]  # one string shared by the series
    if memo is not None and type(d) is dict:
        _share(d, memo)
    return CalendarEvent.from_dict(d)


_SHARED = ("calendar_id", "title", "location", "description", "organizer", "hangout_link", "status",
           "response", "calendar_name", "source")


def _share(d: dict, memo: dict) -> None:
    for k in _SHARED:
        if k in d:
            d[k] = shared_text(memo, d[k])
    for k in ("start", "end"):
        v = d.get(k)
        if type(v) is str:
            t = memo.get(("t", v))
            if t is None:
                t = memo[("t", v)] = datetime.fromisoformat(v)
            d[k] = t
    if type(d.get("extra")) is dict:
        d["extra"] = shared_extra(memo, d["extra"])
