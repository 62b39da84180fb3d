"""What one recurring series may cost: an RRULE written by a stranger is made cheap to expand
before the expander (recurring_ical_events over dateutil) sees it.

dateutil walks a rule from DTSTART and does not stop at the window: a rule whose days never occur
(`FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30`) is walked day by day to the year 9999 (14 s of CPU), a
`FREQ=SECONDLY` rule started a year ago is walked second by second to the window, and one in the
window yields 216,000 instances. So, per series, before expansion:

1. Days: every BY* day part (BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYDAY's weekday) holds for
   every instance whatever the frequency (expansions and limits alike), so a rule none of whose
   window days pass them has no instance in the window: its RRULE is dropped (RDATEs and DTSTART
   stay). So is a rule whose UNTIL is before the window.
2. Start: a rule without COUNT and of frequency WEEKLY or finer repeats on a fixed grid of
   INTERVAL x unit from DTSTART, so DTSTART (and DTEND) move forward by whole grid steps to just
   before the window: the same instances in the window, none of the walk before it.
3. Count: a plain grid (no BY* part) finer than daily gets an UNTIL after `cap` instances in the
   window; other rules are cut while expanding (`parse` via `expand`), lazily, at `cap` instances.

Each change is logged once per series, naming the calendar and the series' title.
"""

from __future__ import annotations

import calendar as _cal
import logging
import math
from datetime import date, datetime, timedelta, timezone

log = logging.getLogger("webinar_tray.adapters.calendar.ics.source")

_UNIT = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}
_SUBDAILY = ("SECONDLY", "MINUTELY", "HOURLY")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BY_PARTS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY", "BYHOUR", "BYMINUTE",
             "BYSECOND", "BYSETPOS")
MAX_SPAN = timedelta(days=400)  # longer events are checked as if this long (the check stays cheap)


def bound_series(comp, lo: datetime, hi: datetime, cap: int, source: str) -> None:
    """Make the master VEVENT `comp`'s RRULE cheap to expand in [lo, hi] (aware UTC), in place.
    Never raises for a rule it cannot read: the expander then judges it (and cuts it at `cap`)."""
    rules = comp.get("RRULE")
    if rules is None:
        return
    rules = rules if isinstance(rules, list) else [rules]
    try:
        start = comp["DTSTART"].dt
        span = min(_duration(comp, start), MAX_SPAN)
    except Exception:
        return
    kept = [r for r in rules if _may_occur(r, lo - span, hi, comp, source)]
    if len(kept) != len(rules):
        del comp["RRULE"]
        for r in kept:
            comp.add("RRULE", r)
    if len(kept) != 1:
        return
    try:
        _move_start(comp, kept[0], start, span, lo)
        _cap_plain_grid(comp, kept[0], lo, hi, cap, source)
    except Exception as e:  # an unusual rule: left to the expander (and its cut)
        log.debug("%s: series %s: rule left as written (%s)", source, _title(comp), e)


# ---- 1. days --------------------------------------------------------------------------------


def _may_occur(rule, lo: datetime, hi: datetime, comp, source: str) -> bool:
    try:
        until = _first(rule, "UNTIL")
        if until is not None and _instant(until) < lo - timedelta(days=1):
            log.debug("%s: series %s ended before the window", source, _title(comp))
            return False
        test = _day_test(rule)
    except Exception:
        return True  # unreadable: let the expander judge it
    if test is None:
        return True
    day = (lo - timedelta(days=2)).date()
    last = (hi + timedelta(days=2)).date()
    while day <= last:
        if test(day):
            return True
        day += timedelta(days=1)
    log.info("%s: series %s has no day in the window (%s); not expanded", source, _title(comp),
             rule.to_ical().decode(errors="replace")[:120])
    return False


def _day_test(rule):
    """A function date -> bool true for every day an instance can fall on, or None (no day
    parts). Lenient where the RFC's rules are subtle (week numbers near the new year)."""
    months = _ints(rule, "BYMONTH")
    monthdays = _ints(rule, "BYMONTHDAY")
    yeardays = _ints(rule, "BYYEARDAY")
    weeknos = _ints(rule, "BYWEEKNO") if str(_first(rule, "WKST") or "MO").upper() == "MO" else set()
    weekdays = {_WEEKDAYS.index(str(d).upper()[-2:]) for d in rule.get("BYDAY", [])
                if str(d).upper()[-2:] in _WEEKDAYS}
    if not (months or monthdays or yeardays or weeknos or weekdays):
        return None

    def test(d: date) -> bool:
        if months and d.month not in months:
            return False
        if monthdays:
            n = _cal.monthrange(d.year, d.month)[1]
            if d.day not in monthdays and d.day - n - 1 not in monthdays:
                return False
        if yeardays:
            n = 366 if _cal.isleap(d.year) else 365
            y = d.timetuple().tm_yday
            if y not in yeardays and y - n - 1 not in yeardays:
                return False
        if weeknos and not (d.month == 1 and d.day <= 7 or d.month == 12 and d.day >= 25):
            w = d.isocalendar()[1]
            n = date(d.year, 12, 28).isocalendar()[1]
            if w not in weeknos and w - n - 1 not in weeknos:
                return False
        return not weekdays or d.weekday() in weekdays

    return test


# ---- 2. start -------------------------------------------------------------------------------


def _move_start(comp, rule, start, span: timedelta, lo: datetime) -> None:
    freq = str(_first(rule, "FREQ") or "").upper()
    if freq not in _UNIT or _first(rule, "COUNT") is not None:
        return
    if not isinstance(start, datetime) and freq in _SUBDAILY:
        return
    period = _UNIT[freq] * int(_first(rule, "INTERVAL") or 1)
    # the new start: a grid step at or before this instant (a day early for all-day and floating
    # times, which the expander compares by their wall-clock values)
    target = lo - span - (timedelta(days=1) if freq not in _SUBDAILY else timedelta(0))
    if _instant(start) >= target - period:
        return
    steps = math.floor((target - _instant(start)) / period)
    new = start + steps * period  # wall-clock arithmetic, as the rule itself steps
    over = _instant(new) - target
    if over > timedelta(0):  # a daylight-saving change between the two: step back over it
        new -= math.ceil(over / period) * period
    delta = new - start
    comp["DTSTART"].dt = new
    if comp.get("DTEND") is not None:
        comp["DTEND"].dt = comp["DTEND"].dt + delta


# ---- 3. count -------------------------------------------------------------------------------


def _cap_plain_grid(comp, rule, lo: datetime, hi: datetime, cap: int, source: str) -> None:
    """A plain sub-daily grid gets an UNTIL after `cap` instances in the window, so dateutil
    never lists the other 200,000 (filtered or coarser rules are cut while expanding)."""
    freq = str(_first(rule, "FREQ") or "").upper()
    if freq not in _SUBDAILY or any(rule.get(p) for p in _BY_PARTS) or _first(rule, "COUNT") is not None:
        return
    period = _UNIT[freq] * int(_first(rule, "INTERVAL") or 1)
    start = comp["DTSTART"].dt
    span = min(_duration(comp, start), MAX_SPAN)
    first = max(0, math.floor((lo - span - _instant(start)) / period) + 1)
    in_window = (hi - lo + span) / period
    if in_window <= cap:
        return
    until = _instant(start + (first + cap - 1) * period).astimezone(timezone.utc)
    old = _first(rule, "UNTIL")
    if old is None or _instant(old) > until:
        rule["UNTIL"] = [until]
    log.warning("%s: series %s repeats %s (about %d times in the window); only the first %d are "
                "kept ([refresh] max_instances_per_series)", source, _title(comp), freq.lower(),
                int(in_window), cap)


# ---- helpers --------------------------------------------------------------------------------


def _first(rule, key):
    v = rule.get(key)
    return v[0] if v else None


def _ints(rule, key) -> set[int]:
    out = set()
    for v in rule.get(key, []):
        try:
            out.add(int(str(v)))
        except ValueError:  # e.g. RFC 7529 leap months ("5L"): no check on this part
            return set()
    return out


def _instant(v) -> datetime:
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else v.astimezone()
    return datetime(v.year, v.month, v.day, tzinfo=timezone.utc)


def _duration(comp, start) -> timedelta:
    end = comp.get("DTEND")
    if end is not None:
        d = _instant(end.dt) - _instant(start)
        return d if d > timedelta(0) else timedelta(0)
    dur = comp.get("DURATION")
    if dur is not None and isinstance(dur.dt, timedelta):
        return max(dur.dt, timedelta(0))
    return timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)


def _title(comp) -> str:
    s = " ".join(str(comp.get("SUMMARY") or "").split())
    return repr(s if len(s) <= 80 else s[:80] + "…")
