"""Expanding an ICS calendar's series into instances, lazily and within bounds: at most `cap`
instances per series overlapping the window (the expander's occurrences become components only up
to the cut), the deadline checked between series and every 256 occurrences. A calendar one of whose
series the expander cannot read is expanded UID by UID, skipping the bad one.

The helpers at the end (local times, how an event is named in a message) are shared with the
mapping step, adapters/calendar/ics/parse.py."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import islice

import icalendar
import recurring_ical_events

from webinar_tray.ports import Deadline, SourceError

log = logging.getLogger("webinar_tray.adapters.calendar.ics.source")


def expand(cal: icalendar.Calendar, lo: datetime, hi: datetime, window: tuple[datetime, datetime],
           name: str, cap: int, deadline: Deadline) -> Iterator:
    """The instances in [lo, hi], series by series, at most `cap` per series overlapping
    `window` (cut lazily: the expander's occurrences become components only up to the cut)."""
    for query in _queries(cal, name):
        for series in query.series:
            deadline.check()
            try:
                occurrences = list(islice(_overlapping(series.between(lo, hi), window, deadline), cap + 1))
            except SourceError:
                raise
            except Exception as e:
                log.warning("%s: skipping event %s: %s", name, _describe_series(series), e)
                continue
            if len(occurrences) > cap:
                log.warning("%s: series %s has more than %d instances in the window; only the first "
                            "%d are kept ([refresh] max_instances_per_series)", name,
                            _describe_series(series), cap, cap)
                occurrences = occurrences[:cap]
            for occ in occurrences:
                yield occ.as_component(query.keep_recurrence_attributes)


def _overlapping(occurrences, window: tuple[datetime, datetime], deadline: Deadline) -> Iterator:
    """The occurrences that may overlap `window` (a day's slack for floating and all-day times,
    judged exactly after mapping)."""
    slack = timedelta(days=1)
    for i, occ in enumerate(occurrences):
        if i % 256 == 255:
            deadline.check()
        try:
            exact = isinstance(occ.start, datetime) and occ.start.tzinfo is not None
            pad = timedelta(0) if exact else slack
            if _instant(occ.end) <= window[0] - pad or _instant(occ.start) >= window[1] + pad:
                continue
        except Exception:
            pass  # unusual values: the mapping step judges them
        yield occ


def _instant(v) -> datetime:
    return aware(v) if isinstance(v, datetime) else local_midnight(v)


def _describe_series(series) -> str:
    try:
        return describe(series.components[0]._component)
    except Exception:
        return f"UID {str(getattr(series, 'uid', '?'))!r}"


def _queries(cal: icalendar.Calendar, name: str) -> list:
    """The expander over the whole calendar; when one bad series (e.g. an unreadable RRULE) makes
    that fail, one expander per UID, skipping the bad ones."""
    try:
        return [recurring_ical_events.of(cal)]
    except Exception as e:
        log.debug("%s: reading the whole calendar's series failed (%s); reading them one by one", name, e)
    zones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
    groups: dict[str, list] = {}
    for c in cal.subcomponents:
        if c.name == "VEVENT":
            groups.setdefault(str(c.get("UID")), []).append(c)
    out: list = []
    for comps in groups.values():
        sub = icalendar.Calendar()
        for k, v in cal.items():
            sub[k] = v
        sub.subcomponents.extend(zones)
        sub.subcomponents.extend(comps)
        try:
            out.append(recurring_ical_events.of(sub))
        except Exception as e:
            log.warning("%s: skipping event %s: %s", name, describe(comps[0]), e)
    return out


def aware(t: datetime) -> datetime:
    """Aware as is; a floating (naive) time is the machine's local time."""
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        return t.astimezone()
    return t


def local_midnight(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone()


def summary(comp) -> str:
    s = str(comp.get("SUMMARY") or "")
    return s if len(s) <= 80 else s[:80] + "…"


def describe(comp) -> str:
    return f"UID {str(comp.get('UID') or '?')!r} ({summary(comp)!r})"
