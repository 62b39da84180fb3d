"""One Calendar v3 event item as a CalendarEvent (`to_event`), and the instants of an item's
start/end (`when`, `span`), shared by the windowed listing (api.py) and the mirror's local
expansion (mirror.py, expand.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime

from webinar_tray.core.events import CalendarEvent, fix_end

# Event types that are never meetings: dropped entirely.
IGNORED_EVENT_TYPES = frozenset({"workingLocation", "outOfOffice", "focusTime"})



def to_event(calendar_id: str, item: dict, calendar_name: str = "",
             instants: dict | None = None) -> CalendarEvent | None:
    """One events.list item as a CalendarEvent; None for events that are never meetings
    (working location, out of office, focus time) and for bare deleted stubs. Raises
    ValueError/KeyError/TypeError for an item that cannot be read. `instants`: the times (and
    lower-cased addresses) already read in this listing, by their text (the events of a busy
    calendar share their starts, ends and organizers: one object each instead of one per event)."""
    event_type = item.get("eventType") or "default"
    if event_type in IGNORED_EVENT_TYPES:
        return None
    event_id = item["id"]
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("no event id")
    status = item.get("status") or "confirmed"
    if status == "cancelled" and "start" not in item:
        return None  # a deleted instance: Google sends only its id and status
    start, all_day = _when(item["start"], instants)
    end_raw = item.get("end")
    end = _when(end_raw, instants)[0] if end_raw else None
    if all_day and (end is None or end <= start):  # an all-day event lasts at least its day
        end = _local_midnight(date.fromisoformat(str(item["start"]["date"])) + timedelta(days=1))
    end = fix_end(start, end)

    organizer, response = _people(item, instants)
    links: list[str] = []
    for ep in (item.get("conferenceData") or {}).get("entryPoints") or []:
        if isinstance(ep, dict) and ep.get("entryPointType") == "video" and ep.get("uri"):
            uri = str(ep["uri"]).strip()
            if uri not in links:
                links.append(uri)
    extra: dict = {"event_type": event_type}
    tz = (item["start"] or {}).get("timeZone")
    if tz:
        extra["time_zone"] = tz
    if item.get("recurringEventId"):
        extra["recurring_event_id"] = item["recurringEventId"]
    original = item.get("originalStartTime")
    if isinstance(original, dict):
        extra["original_start"] = original.get("dateTime") or original.get("date") or ""
    return CalendarEvent(
        calendar_id=calendar_id,
        event_id=event_id,
        title=(item.get("summary") or "").strip() or "(no title)",
        start=start,
        end=end,
        all_day=all_day,
        location=item.get("location") or "",
        description=item.get("description") or "",
        organizer=organizer,
        conference_links=tuple(links),
        hangout_link=item.get("hangoutLink") or "",
        status=status,
        response=response,
        calendar_name=calendar_name,
        source="google",
        extra=extra,
    )


def _people(item: dict, memo: dict | None) -> tuple[str, str]:
    """(the organizer's address in lower case, the user's own answer) of an item."""
    organizer = ((item.get("organizer") or {}).get("email") or "").strip()
    if not organizer.islower():  # lower() makes a new string even of one already in lower case
        organizer = _lower(organizer, memo)
    for a in item.get("attendees") or []:
        if isinstance(a, dict) and a.get("self"):
            return organizer, a.get("responseStatus") or ""
    return organizer, ""


def _lower(text: str, memo: dict | None) -> str:
    """text.lower(), one string for every event of a listing that has it (`memo`)."""
    if memo is None:
        return text.lower()
    key = ("lower", text)
    got = memo.get(key)
    if got is None:
        got = memo[key] = text.lower()
    return got


def _when(when: dict, instants: dict | None = None) -> tuple[datetime, bool]:
    """(aware instant, all_day) of a start/end object: dateTime keeps its own offset (timeZone is
    for display only); a date is local midnight of that day."""
    if not isinstance(when, dict):
        raise TypeError("start/end is not an object")
    raw = when.get("dateTime")
    if raw:
        t = instants.get(raw) if instants is not None and type(raw) is str else None
        if t is not None:
            return t, False
        t = datetime.fromisoformat(str(raw).replace("z", "Z"))
        if t.tzinfo is None:  # not sent by Google; if it ever is, the event's zone says where
            return _in_zone(t, when.get("timeZone")), False
        if instants is not None and type(raw) is str:  # its own offset: the text says it all
            instants[raw] = t
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
