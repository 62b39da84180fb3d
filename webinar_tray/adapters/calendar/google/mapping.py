"""One Calendar v3 event item as a CalendarEvent (`to_event`), and the instants of an item's
start/end (`when`, `span`), shared by the windowed listing (api.py) and the mirror's local
expansion (mirror.py, expand.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime

from webinar_tray.core.events import CalendarEvent, fix_end, new_event, shared_extra_of, shared_text

# Event types that are never meetings: dropped entirely.
IGNORED_EVENT_TYPES = frozenset({"workingLocation", "outOfOffice", "focusTime"})



def to_event(calendar_id: str, item: dict, calendar_name: str = "",
             memo: dict | None = None) -> CalendarEvent | None:
    """One events.list item as a CalendarEvent; None for events that are never meetings
    (working location, out of office, focus time) and for bare deleted stubs. Raises
    ValueError/KeyError/TypeError for an item that cannot be read.

    `memo`: what the events of one listing share. Google sends every item with its own copy of
    each string (a series' description, "confirmed", the organizer, the zone, the Meet link,
    the time texts); a heavy calendar's events keep one of each (`shared_text`) and one datetime per
    time text instead of one per event (25,000 events kept about 10 MB of copies)."""
    if memo is None:
        memo = {}  # shared within this event only
    event_type = item.get("eventType") or "default"
    if event_type in IGNORED_EVENT_TYPES:
        return None
    event_id = item["id"]
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("no event id")
    status = item.get("status") or "confirmed"
    if status == "cancelled" and "start" not in item:
        return None  # a deleted instance: Google sends only its id and status
    start, all_day = _when(item["start"], memo)
    end_raw = item.get("end")
    end = _when(end_raw, memo)[0] if end_raw else None
    if all_day and (end is None or end <= start):  # an all-day event lasts at least its day
        end = _local_midnight(date.fromisoformat(str(item["start"]["date"])) + timedelta(days=1))
    end = fix_end(start, end)

    organizer, response = _people(item, memo)
    title = (item.get("summary") or "").strip() or "(no title)"
    conference = item.get("conferenceData")
    # CalendarEvent's fields in order (new_event: 25,000 events, the class's __init__ is 1.5 us
    # an event slower), each read in the order the class's keywords were (the same error first)
    return new_event(
        calendar_id, event_id, shared_text(memo, title), start, end, all_day,
        shared_text(memo, item.get("location") or ""),
        shared_text(memo, item.get("description") or ""),
        organizer,
        _video_links(conference, memo) if conference else (),
        shared_text(memo, item.get("hangoutLink") or ""),
        shared_text(memo, status),
        response, calendar_name, "google",
        _extra(item, event_type, memo),
    )


def _extra(item: dict, event_type: str, memo: dict) -> dict:
    """What the event keeps of Google's own fields. `original_start` only for an occurrence
    that was moved (an unmoved one starts at its original start), so a series' instances have
    equal extras, and a listing's events share one dict for each (never changed after)."""
    start = item["start"] or {}
    pairs = [("event_type", event_type)]
    if start.get("timeZone"):
        pairs.append(("time_zone", start["timeZone"]))
    if item.get("recurringEventId"):
        pairs.append(("recurring_event_id", item["recurringEventId"]))
    original = item.get("originalStartTime")
    if isinstance(original, dict):
        was = original.get("dateTime") or original.get("date") or ""
        if was != (start.get("dateTime") or start.get("date") or ""):
            pairs.append(("original_start", was))
    return shared_extra_of(memo, pairs)


def _video_links(conference, memo: dict) -> tuple[str, ...]:
    """The video entry points of an item's conference data, in order, each once."""
    links: list[str] = []
    for ep in conference.get("entryPoints") or []:
        if isinstance(ep, dict) and ep.get("entryPointType") == "video" and ep.get("uri"):
            uri = shared_text(memo, str(ep["uri"]).strip())
            if uri not in links:
                links.append(uri)
    return tuple(links)


def _people(item: dict, memo: dict) -> tuple[str, str]:
    """(the organizer's address in lower case, the user's own answer) of an item."""
    organizer = shared_text(memo, ((item.get("organizer") or {}).get("email") or "").strip().lower())
    for a in item.get("attendees") or []:
        if isinstance(a, dict) and a.get("self"):
            return organizer, a.get("responseStatus") or ""
    return organizer, ""


def _when(when: dict, memo: dict) -> tuple[datetime, bool]:
    """(aware instant, all_day) of a start/end object: dateTime keeps its own offset (timeZone is
    for display only); a date is local midnight of that day."""
    if not isinstance(when, dict):
        raise TypeError("start/end is not an object")
    raw = when.get("dateTime")
    if raw:
        key = ("t", raw) if type(raw) is str else None
        t = memo.get(key) if key else None
        if t is not None:
            return t, False
        t = datetime.fromisoformat(str(raw).replace("z", "Z"))
        if t.tzinfo is None:  # not sent by Google; if it ever is, the event's zone says where
            return _in_zone(t, when.get("timeZone")), False
        if key:  # its own offset: the text says it all
            memo[key] = t
        return t, False
    if when.get("date"):
        return _local_midnight(date.fromisoformat(str(when["date"]))), True
    raise ValueError("start/end has neither dateTime nor date")


def _in_zone(t: datetime, zone: str | None) -> datetime:
    if zone:
        try:
            from zoneinfo import ZoneInfo

            return t.replace(tzinfo=ZoneInfo(zone))
        except Exception:
            pass
    return t.astimezone()


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, dtime()).astimezone()


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.astimezone()


def aware(t: datetime) -> datetime:
    return _aware(t)


def span(item: dict, zone) -> tuple[datetime, datetime]:
    """The instants Google compares with timeMin/timeMax (end > timeMin, start < timeMax): the raw
    start and end (end defaults to start), an all-day date being midnight in the calendar's zone
    `zone` (a ZoneInfo). Raises for an item without a readable start."""
    lo = _instant(item["start"], zone)
    end = item.get("end")
    return lo, (_instant(end, zone) if isinstance(end, dict) and end else lo)


def _instant(when: dict, zone) -> datetime:
    if when.get("dateTime"):
        t = datetime.fromisoformat(str(when["dateTime"]).replace("z", "Z"))
        return t if t.tzinfo is not None else _in_zone(t, when.get("timeZone"))
    return datetime.combine(date.fromisoformat(str(when["date"])), dtime(), zone)
