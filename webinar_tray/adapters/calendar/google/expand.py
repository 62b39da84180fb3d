"""Google's recurring series expanded locally, as `events.list?singleEvents=true` would list their
instances: the mirror (mirror.py) holds each series as its master (`recurrence` lines) and its
exceptions (moved or changed instances, cancelled instances as stubs), both keyed by the
instance's original start.

The ICS side's expander does the RFC 5545 work (adapters/calendar/ics/expand.py over
icalendar + recurring_ical_events, with its per-series cap and deadline checks, and
ics/bounds.py's cheap-series rewrite): each master becomes a VEVENT whose DTSTART/DTEND carry
the event's own zone as TZID (Google's `start.timeZone`, an IANA name icalendar resolves
without a VTIMEZONE), followed by the master's RRULE/EXRULE/RDATE/EXDATE lines verbatim. The
occurrences come back unmodified; an exception replaces the occurrence with the same original
start here (it is listed on its own, by its own times), so a cancelled instance disappears and a
moved one is where it was moved to.

An instance is the master's fields with Google's instance id `<master id>_<original start>`
(`20261125T150000Z` in UTC, or `20261125` for an all-day series), its own start/end in the
series' zone, `recurringEventId` and `originalStartTime`."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from webinar_tray.core.settings import RefreshSettings
from webinar_tray.ports import Deadline

log = logging.getLogger(__name__)

UTC = timezone.utc
CAP = RefreshSettings().max_instances_per_series
_RECURRENCE = ("RRULE", "EXRULE", "RDATE", "EXDATE")


def original_key(when: dict | None):
    """The key of an original start: its UTC instant, or its date for an all-day series."""
    if not isinstance(when, dict):
        return None
    try:
        if when.get("dateTime"):
            t = datetime.fromisoformat(str(when["dateTime"]).replace("z", "Z"))
            if t.tzinfo is None:
                t = t.replace(tzinfo=ZoneInfo(when.get("timeZone") or "UTC"))
            return t.astimezone(UTC)
        if when.get("date"):
            return date.fromisoformat(str(when["date"]))
    except (ValueError, TypeError, KeyError):
        return None
    return None


def instances(masters: dict[str, dict], overridden: dict[str, set], start: datetime, end: datetime,
              name: str, deadline: Deadline | None = None) -> list[dict]:
    """The unmodified instances of `masters` (id -> master item) that may overlap [start, end)
    (a day's slack for all-day series: judged exactly by the caller), minus those whose original
    start is in `overridden[master id]` (an exception stands for them)."""
    if not masters:
        return []
    import icalendar

    from webinar_tray.adapters.calendar.ics.bounds import bound_series
    from webinar_tray.adapters.calendar.ics.expand import expand

    deadline = deadline or Deadline(3600.0, name)
    cal = icalendar.Calendar()
    for mid, master in masters.items():
        try:
            comp = _vevent(mid, master)
        except Exception as e:  # one unreadable series must not hide the others
            log.warning("%s: skipped recurring event %s: %s", name, mid[:200], type(e).__name__)
            continue
        if "RRULE" in comp:
            bound_series(comp, start.astimezone(UTC), end.astimezone(UTC), CAP, name)
        cal.add_component(comp)
    lo, hi = start - timedelta(days=1), end + timedelta(days=1)
    out: list[dict] = []
    for occ in expand(cal, lo, hi, (start, end), name, CAP, deadline):
        mid = str(occ.get("UID"))
        master = masters.get(mid)
        if master is None:
            continue
        first = occ["DTSTART"].dt
        key = first.astimezone(UTC) if isinstance(first, datetime) else first
        if key in overridden.get(mid, ()):
            continue
        last = occ["DTEND"].dt if "DTEND" in occ else first
        out.append(_instance(mid, master, first, last, key))
    return out


def _vevent(mid: str, master: dict):
    import icalendar

    lines = ["BEGIN:VEVENT", f"UID:{mid}", _ical_when("DTSTART", master["start"])]
    if isinstance(master.get("end"), dict) and master["end"]:
        lines.append(_ical_when("DTEND", master["end"]))
    for line in master.get("recurrence") or []:
        line = str(line).strip()
        if line.split(":", 1)[0].split(";", 1)[0].upper() in _RECURRENCE and "\n" not in line:
            lines.append(line)
    lines.append("END:VEVENT")
    return icalendar.Event.from_ical("\r\n".join(lines) + "\r\n")


def _ical_when(prop: str, when: dict) -> str:
    if when.get("dateTime"):
        t = datetime.fromisoformat(str(when["dateTime"]).replace("z", "Z"))
        zone = when.get("timeZone")
        if zone:
            local = t.astimezone(ZoneInfo(zone)) if t.tzinfo else t
            return f"{prop};TZID={zone}:{local:%Y%m%dT%H%M%S}"
        if t.tzinfo is None:
            t = t.astimezone()
        return f"{prop}:{t.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    d = date.fromisoformat(str(when["date"]))
    return f"{prop};VALUE=DATE:{d:%Y%m%d}"


def _instance(mid: str, master: dict, first, last, key) -> dict:
    item = {k: v for k, v in master.items() if k != "recurrence"}
    if isinstance(first, datetime):
        zone = (master.get("start") or {}).get("timeZone")
        stamp = f"{key:%Y%m%dT%H%M%SZ}"
        start, end = _json_when(first, zone), _json_when(last, zone)
    else:
        stamp = f"{first:%Y%m%d}"
        start, end = {"date": first.isoformat()}, {"date": last.isoformat()}
    item.update(id=f"{mid}_{stamp}", start=start, end=end, recurringEventId=mid,
                originalStartTime=dict(start))
    return item


def _json_when(t: datetime, zone: str | None) -> dict:
    if zone:
        return {"dateTime": t.astimezone(ZoneInfo(zone)).isoformat(), "timeZone": zone}
    return {"dateTime": t.isoformat()}
