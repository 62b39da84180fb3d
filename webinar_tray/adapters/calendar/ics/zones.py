"""Fast offsets for time zones a calendar defines itself (Outlook's "W. Europe Standard Time",
"Pacific Standard Time"…): icalendar turns such a VTIMEZONE into a dateutil `tzical` zone, which
finds the observance for a time by walking each observance's yearly rule from its onset (Outlook
writes 1601) up to that time, on every `utcoffset` call: about 0.35 ms a call, seconds over a big
calendar's series (bench/bigfeed.py).

`speed_up` gives each observance of such a zone the same onsets as a sorted list up to the year
2200 (found with the same rule, once per zone), answered by bisection, the rule itself beyond.
The answers are the rule's (`before`); a zone whose internals are not as expected, or whose rule
has more onsets than a yearly one would, is left as it is.
"""

from __future__ import annotations

import bisect
import logging
from datetime import datetime
from itertools import islice

import icalendar

log = logging.getLogger(__name__)

_HORIZON = datetime(2200, 1, 1)
_MAX_ONSETS = 4000  # a yearly rule from 1601 has ~600; more means an unusual rule: left alone


class _Onsets:
    """An observance rule's `before` from a sorted list of its onsets up to _HORIZON."""

    def __init__(self, rule, onsets: list[datetime]):
        self.rule, self.onsets = rule, onsets

    def before(self, dt: datetime, inc: bool = False):
        if dt >= _HORIZON:
            return self.rule.before(dt, inc=inc)
        i = bisect.bisect_right(self.onsets, dt) if inc else bisect.bisect_left(self.onsets, dt)
        return self.onsets[i - 1] if i else None


def speed_up(cal: icalendar.Calendar) -> None:
    """Give the self-defined zones `cal` uses fast observance look-ups (once per zone: icalendar
    keeps them between calendars)."""
    from dateutil.tz.tz import _tzicalvtz

    from icalendar.timezone import tzp

    for comp in cal.subcomponents:
        if comp.name != "VTIMEZONE":
            continue
        try:
            tz = tzp.timezone(str(comp["TZID"]))
        except Exception:
            continue
        if isinstance(tz, _tzicalvtz):
            _speed_up_zone(tz)


def _speed_up_zone(tz) -> None:
    try:
        comps = list(tz._comps)
        for c in comps:
            if isinstance(c.rrule, _Onsets):
                continue
            onsets = list(islice(_upto(c.rrule), _MAX_ONSETS + 1))
            if len(onsets) > _MAX_ONSETS:
                return
            c.rrule = _Onsets(c.rrule, onsets)
    except Exception as e:  # not dateutil's layout as known: left as it is
        log.debug("time zone %r left as it is (%s)", getattr(tz, "_tzid", "?"), e)


def _upto(rule):
    for t in rule:
        if t >= _HORIZON:
            return
        yield t
