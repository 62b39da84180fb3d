"""How a cached event becomes a row of the store's `events` table and back. A description longer
than LONG_TEXT is kept once in `texts` (a series' instances share one) and referred to by hash."""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable

from webinar_tray.core.events import CalendarEvent
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


def event_of(data: str, text_ref: str | None, texts: dict[str, str]) -> CalendarEvent:
    """The event of a row (ValueError, TypeError or KeyError when it is unreadable)."""
    d = loads(data)
    if text_ref is not None:
        d["description"] = texts[text_ref]  # one string shared by the series
    return CalendarEvent.from_dict(d)
