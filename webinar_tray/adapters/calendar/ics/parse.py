"""From iCalendar bytes to CalendarEvents: the mapping half of the ICS source (adapters/calendar/ics/source.py
reads the bytes).

Steps: parse with icalendar, apply X-WR-TIMEZONE (x_wr_timezone), repair or drop broken VEVENTs
before expansion, expand recurrences with recurring_ical_events, then map each instance (ids,
times, all-day, organizer, status, response, conference links, description cap).

`source_name` is only used in log lines and error messages; it must already be secret-safe
(IcsSource.name is). Error details taken from the parser go through `scrub` first.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

import icalendar
import x_wr_timezone

from webinar_tray.adapters.calendar.ics.bounds import bound_series
from webinar_tray.adapters.calendar.ics.expand import aware as _aware
from webinar_tray.adapters.calendar.ics.expand import describe as _describe
from webinar_tray.adapters.calendar.ics.expand import expand as _expand
from webinar_tray.adapters.calendar.ics.expand import local_midnight as _local_midnight
from webinar_tray.adapters.calendar.ics.expand import summary as _summary
from webinar_tray.adapters.calendar.ics.prefilter import Feed
from webinar_tray.adapters.calendar.ics.zones import speed_up
from webinar_tray.adapters.calendar.ics.conference import as_list as _list
from webinar_tray.adapters.calendar.ics.conference import conference_links
from webinar_tray.adapters.calendar.ics.conference import values as _values
from webinar_tray.core.events import DEFAULT_DURATION, CalendarEvent, fix_end, utc_stamp
from webinar_tray.core.links import extract_urls
from webinar_tray.core.settings import RefreshSettings
from webinar_tray.ports import Deadline, SourceError

# The ICS source's logger, as before the split: log configuration and tests keep working.
log = logging.getLogger("webinar_tray.adapters.calendar.ics.source")

# A description longer than this (in UTF-8 bytes) is cut; a 1 MB description is not useful
# for finding a join link and would bloat the cache and the UI.
# Invites with a huge HTML body keep the join link at the bottom: keep 2 MiB, cut only beyond.
MAX_DESCRIPTION_BYTES = 2 * 1024 * 1024

_RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
# Outlook and Lotus put the invitation's HTML here; a link may be only there.
ALT_DESC = "X-ALT-DESC"


def events_from_ics(
    data: bytes | Feed,
    start: datetime,
    end: datetime,
    source_name: str,
    calendar_id: str,
    scrub: Callable[[str], str] | None = None,
    limits: RefreshSettings = RefreshSettings(),
    deadline: Deadline | None = None,
    prefilter: bool = True,
) -> list[CalendarEvent]:
    """The events of the calendar `data` overlapping [start, end), sorted by start then id.

    Naive `start`/`end` are local time. Raises SourceError when `data` is not a usable
    calendar (SourceTimeout past `deadline`); a broken event is logged and skipped. At most
    `limits.max_instances_per_series` instances per series and `limits.max_events_per_source`
    events are kept, each cut logged once. `data` may be a Feed (the bytes cut into VEVENT
    blocks, kept by the source between refreshes); VEVENTs that cannot touch the window are
    dropped before parsing (adapters/calendar/ics/prefilter.py) unless `prefilter` is false."""
    start = _aware(start)
    end = _aware(end)
    name = source_name
    deadline = deadline or Deadline(limits.timeout_seconds, name)
    if isinstance(data, bytes):
        text = data.decode("utf-8-sig", errors="replace")
        data = Feed(text) if prefilter else text
    text, recurring = (data.text(start, end), data.recurring) if isinstance(data, Feed) else (data, frozenset())
    cal = _parse(text, name, scrub or (lambda s: s))
    speed_up(cal)
    deadline.check()
    cal = _standard_time_zones(cal, name)
    _sanitize(cal, name)
    cap = limits.max_instances_per_series
    for comp in cal.subcomponents:
        if comp.name == "VEVENT" and "RRULE" in comp and "RECURRENCE-ID" not in comp:
            bound_series(comp, start.astimezone(timezone.utc), end.astimezone(timezone.utc), cap, name)
    deadline.check()
    events = _events(cal, start, end, calendar_id, name, cap, deadline, recurring)
    if len(events) > limits.max_events_per_source:
        log.warning("%s: %d events in the window; only the first %d are kept "
                    "([refresh] max_events_per_source)", name, len(events), limits.max_events_per_source)
        events = events[: limits.max_events_per_source]
    return events


# ---- steps -------------------------------------------------------------------------------------


def _events(cal: icalendar.Calendar, start: datetime, end: datetime, calendar_id: str, name: str,
            cap: int, deadline: Deadline, recurring: frozenset[str]) -> list[CalendarEvent]:
    """Every instance of `cal` overlapping [start, end) as an event, sorted by start then id;
    a broken one is logged and skipped. `recurring`: UIDs with overrides the pre-pass dropped."""
    recurring_uids = set(recurring) | {
        str(c.get("UID"))
        for c in cal.subcomponents
        if c.name == "VEVENT" and any(p in c for p in _RECURRENCE_PROPERTIES)
    }
    calname = str(cal.get("X-WR-CALNAME") or "").strip()
    # Google's secret-address export names the calendar after its owner's e-mail address.
    owner = _address(calname) if "@" in calname else ""

    # recurring_ical_events compares floating and all-day times by their wall-clock values
    # with the window's, so ask for a day more on each side and filter on the real instants.
    lo = start.astimezone(timezone.utc) - timedelta(days=1)
    hi = end.astimezone(timezone.utc) + timedelta(days=1)
    out: dict[tuple[str, datetime], CalendarEvent] = {}
    texts: dict[tuple, str] = {}  # one description string per series, not one per instance
    for comp in _expand(cal, lo, hi, (start, end), name, cap, deadline):
        try:
            ev = _to_event(comp, recurring_uids, calname or name, owner, calendar_id, name, texts)
        except Exception as e:
            log.warning("%s: skipping event %s: %s", name, _describe(comp), e)
            continue
        if ev.start < end and ev.end > start:
            out.setdefault((ev.event_id, ev.start), ev)
    return sorted(out.values(), key=lambda e: (e.start, e.event_id))


def _standard_time_zones(cal: icalendar.Calendar, name: str) -> icalendar.Calendar:
    """X-WR-TIMEZONE applied to floating times (Google's and Apple's exports rely on it)."""
    try:
        return x_wr_timezone.to_standard(cal)
    except Exception as e:
        log.warning(
            "%s: cannot apply X-WR-TIMEZONE (%s); floating times are read as local time",
            name,
            e,
        )
        return cal


def _parse(text: str, name: str, scrub: Callable[[str], str]) -> icalendar.Calendar:
    try:
        cal = _merged(icalendar.Calendar.from_ical(text, multiple=True))
    except Exception as e:  # icalendar raises ValueError mostly, but be safe
        detail = scrub(str(e).splitlines()[0] if str(e) else type(e).__name__)
        if len(detail) > 120:
            detail = detail[:120] + "…"
        raise SourceError(f"{name}: not a valid iCalendar file ({detail})") from None
    if getattr(cal, "name", None) != "VCALENDAR":
        raise SourceError(f"{name}: not an iCalendar calendar (no VCALENDAR)")
    if str(cal.get("CALSCALE", "GREGORIAN")).upper() != "GREGORIAN":
        raise SourceError(f"{name}: only Gregorian calendars are supported")
    return cal


def _merged(cals: list) -> icalendar.Calendar:
    """A file may hold several VCALENDARs (some exports write one per event): one calendar with
    every component, the first calendar's properties (its name, X-WR-TIMEZONE) kept."""
    cals = [c for c in cals if getattr(c, "name", None) == "VCALENDAR"] or cals
    if not cals:
        raise ValueError("no calendar in the file")
    first = cals[0]
    for other in cals[1:]:
        first.subcomponents.extend(other.subcomponents)
    return first


def _sanitize(cal: icalendar.Calendar, name: str) -> None:
    """Drop VEVENTs that cannot be expanded (logging each), give UID-less ones a UID, and
    give every timed event a positive length (recurring_ical_events would treat a missing
    DTEND as zero length, and swaps DTSTART/DTEND when the end is before the start)."""
    kept = []
    for comp in cal.subcomponents:
        if comp.name != "VEVENT":
            kept.append(comp)
            continue
        try:
            _sanitize_event(comp, name)
        except Exception as e:
            log.warning("%s: skipping event %s: %s", name, _describe(comp), e)
            continue
        kept.append(comp)
    cal.subcomponents[:] = kept


def _sanitize_event(comp, name: str) -> None:
    if comp.get("DTSTART") is None:
        raise ValueError("no DTSTART")
    if isinstance(comp.get("DTSTART"), list):
        raise ValueError("it has more than one DTSTART")
    start = comp["DTSTART"].dt
    if not isinstance(start, date):
        raise ValueError(f"DTSTART is not a date or time: {start!r}")
    if comp.get("RECURRENCE-ID") is not None:
        rid = comp["RECURRENCE-ID"].dt
        if not isinstance(rid, date):
            raise ValueError(f"RECURRENCE-ID is not a date or time: {rid!r}")

    _normalise_rrules(comp)
    for rule in _list(comp.get("RRULE")):
        # INTERVAL=0 never advances: the expansion loops for ever (found by tests/property)
        if any(not isinstance(n, int) or n < 1 for n in rule.get("INTERVAL", [1])):
            raise ValueError("its RRULE has an INTERVAL that is not a positive number")

    if not str(comp.get("UID") or "").strip():
        raw = comp["DTSTART"].to_ical()
        raw = raw.decode() if isinstance(raw, bytes) else str(raw)
        digest = hashlib.sha256(f"{comp.get('SUMMARY', '')}\x00{raw}".encode()).hexdigest()[:16]
        uid = f"nouid-{digest}"
        log.warning("%s: event %r has no UID; using %s", name, _summary(comp), uid)
        if "UID" in comp:
            del comp["UID"]
        comp.add("UID", uid)

    end = None
    if "DTEND" in comp:
        try:
            end = comp["DTEND"].dt
            if not isinstance(end, date):
                raise ValueError(repr(end))
        except Exception as e:
            log.debug("%s: event %s: unusable DTEND (%s), ignored", name, _describe(comp), e)
            del comp["DTEND"]
            end = None
    if end is not None and _le(end, start):
        del comp["DTEND"]
        end = None
    if end is None and "DURATION" in comp:
        try:
            dur = comp["DURATION"].dt
            ok = isinstance(dur, timedelta) and dur > timedelta(0)
        except Exception:
            ok = False
        if ok:
            return
        del comp["DURATION"]
    if end is None and "DURATION" not in comp:
        if isinstance(start, datetime):
            comp.add("DURATION", DEFAULT_DURATION)
        # an all-day event without an end lasts one day (RFC 5545; the expander does that)


def _normalise_rrules(comp) -> None:
    """Outlook writes `BYDAY=MO, TU, WE`: icalendar cannot read it (a vBroken value). Spaces
    have no meaning in a RECUR value (RFC 5545 3.3.10), so they are removed and the rule read
    again; a rule still unreadable is reported as such."""
    rules = _list(comp.get("RRULE"))
    if not any(isinstance(r, icalendar.prop.vBroken) for r in rules):
        return
    fixed = []
    for r in rules:
        if isinstance(r, icalendar.prop.vBroken):
            raw = str(r)
            try:
                r = icalendar.vRecur.from_ical(re.sub(r"\s+", "", raw))
            except Exception as e:
                raise ValueError(f"its RRULE cannot be read ({str(e)[:80]}): {raw[:80]!r}") from None
        fixed.append(r)
    del comp["RRULE"]
    for r in fixed:
        comp.add("RRULE", r)


def _to_event(
    comp, recurring_uids: set[str], calname: str, owner: str, calendar_id: str, name: str,
    texts: dict[tuple, str],
) -> CalendarEvent:
    uid = str(comp["UID"])
    start_v = comp["DTSTART"].dt
    start, end, all_day = _times(comp, start_v)

    if uid in recurring_uids:
        rid = comp.get("RECURRENCE-ID")
        event_id = f"{uid}_{utc_stamp(_id_instant(rid.dt if rid is not None else start_v))}"
    else:
        event_id = uid

    key = (str(comp.get("DESCRIPTION") or ""), tuple(_values(comp, "URL")), str(comp.get(ALT_DESC) or ""))
    description = texts.get(key)
    if description is None:
        description = texts[key] = _description(*key, name, comp)

    organizers = _values(comp, "ORGANIZER")
    status = str(comp.get("STATUS") or "").strip().upper()
    return CalendarEvent(
        calendar_id=calendar_id,
        event_id=event_id,
        title=str(comp.get("SUMMARY") or "").strip() or "(no title)",
        start=start,
        end=end,
        all_day=all_day,
        location=str(comp.get("LOCATION") or "").strip(),
        description=description,
        organizer=_address(organizers[0]) if organizers else "",
        conference_links=conference_links(comp),
        status={"CANCELLED": "cancelled", "TENTATIVE": "tentative"}.get(status, "confirmed"),
        response=_response(comp, owner),
        calendar_name=calname,
        source="ics",
    )


def _times(comp, start_v) -> tuple[datetime, datetime, bool]:
    """(start, end, all day) of an instance: aware instants, local midnights for all-day events
    (one day long when their end is missing or not after the start)."""
    end_v = comp["DTEND"].dt if comp.get("DTEND") is not None else None
    if end_v is None and comp.get("DURATION") is not None:
        end_v = start_v + comp["DURATION"].dt

    all_day = not isinstance(start_v, datetime)
    start = _local_midnight(start_v) if all_day else _aware(start_v)
    end = None if end_v is None else _aware(end_v) if isinstance(end_v, datetime) else _local_midnight(end_v)
    if all_day and (end is None or end <= start):
        end = _local_midnight(start_v + timedelta(days=1))
    else:
        end = fix_end(start, end)
    return start, end, all_day


def _response(comp, owner: str) -> str:
    """The owner's answer: "declined" when the calendar's owner (named by a Google export's
    X-WR-CALNAME) declined the invitation, else ""."""
    response = ""
    if owner:
        for att in _list(comp.get("ATTENDEE")):
            if _address(str(att)) == owner:
                partstat = str(getattr(att, "params", {}).get("PARTSTAT", "")).upper()
                if partstat == "DECLINED":
                    response = "declined"
    return response


def _description(description: str, urls: tuple[str, ...], alt_desc: str, name: str, comp) -> str:
    """The event's description, cut to MAX_DESCRIPTION_BYTES, with its URL properties after it,
    then the links found only in its HTML form (X-ALT-DESC;FMTTYPE=text/html). Computed once
    per series: every instance shares the one string."""
    if alt_desc and "html" in str(getattr(comp.get(ALT_DESC), "params", {}).get("FMTTYPE", "")).lower():
        known = set(extract_urls(description)) | set(urls)
        extra = [u for u in extract_urls(alt_desc)  # hrefs and bare links, entities decoded
                 if u.lower().startswith(("https://", "http://")) and u not in known]
        urls = tuple(urls) + tuple(extra)
    if len(description) * 4 > MAX_DESCRIPTION_BYTES:  # only then can the UTF-8 form be too long
        raw = description.encode("utf-8")
        if len(raw) > MAX_DESCRIPTION_BYTES:
            log.debug("%s: event %s: description of %d bytes cut to %d", name, _describe(comp),
                      len(raw), MAX_DESCRIPTION_BYTES)
            description = raw[:MAX_DESCRIPTION_BYTES].decode("utf-8", errors="ignore")
    for url in urls:
        description = f"{description}\n\n{url}" if description else url
    return description


# ---- helpers -------------------------------------------------------------------------------


def _id_instant(v) -> datetime:
    """The instant used in an instance id. Dates are taken as UTC midnight, so all-day ids do
    not depend on the machine's time zone."""
    if isinstance(v, datetime):
        return _aware(v)
    return datetime.combine(v, time(), tzinfo=timezone.utc)


def _le(a, b) -> bool:
    """a <= b for date/datetime values of possibly different kinds."""
    if isinstance(a, datetime) != isinstance(b, datetime):
        return False  # mixed date and time: leave it to the mapping step
    if isinstance(a, datetime):
        return _aware(a) <= _aware(b)
    return a <= b


def _address(v: str) -> str:
    v = v.strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    return v.strip().lower()

