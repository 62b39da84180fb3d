"""The CPE report: credits per attended webinar, totals per month and per year.

Pure: attendance records in, a report value out. A webinar counts when it was attended or partly
attended; its minutes are core/outcome's (joined to left, less the gaps, one decimal), its
credits those minutes / `[history] minutes_per_credit`, rounded down to a multiple of
`credit_step`. Months and years add up the webinars' credits (never recomputed from minutes, so
the totals are what a claim form adds up). Dates are local: a webinar belongs to the local date,
month and year of its start, and `first`/`last` bound those dates inclusively. Arithmetic is on
exact fractions of the decimal values, so 18 minutes at 60 a credit is 0.3 at a step of 0.1 (not
0.2 from a binary rounding)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction
from typing import Iterable

from webinar_tray.core.attendance import ATTENDED, PARTIAL, Attendance
from webinar_tray.core.outcome import TOLERANCE, gap_seconds, minutes_attended
from webinar_tray.core.settings import HistorySettings

COUNTED = (ATTENDED, PARTIAL)


@dataclass(frozen=True)
class CpeWebinar:
    id: str
    title: str
    provider: str | None
    organizer: str
    start: datetime  # as stored; shown in local time
    minutes: float
    credits: float
    outcome: str
    reason: str | None  # why a webinar is only partial (None when attended)
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class CpeTotal:
    period: str  # "YYYY-MM" for a month, "YYYY" for a year
    webinars: int
    minutes: float
    credits: float


@dataclass(frozen=True)
class CpeReport:
    webinars: tuple[CpeWebinar, ...]  # oldest first
    months: tuple[CpeTotal, ...]
    years: tuple[CpeTotal, ...]
    minutes_per_credit: float
    credit_step: float

    @property
    def credits(self) -> float:
        return _sum(y.credits for y in self.years)


def _exact(x: float) -> Fraction:
    """A float as the decimal it was written as (0.1 is 1/10, not the nearest binary fraction)."""
    return Fraction(repr(float(x)))


def credits_for(minutes: float, minutes_per_credit: float, step: float) -> float:
    """minutes / minutes_per_credit, rounded down to a multiple of step."""
    if minutes <= 0:
        return 0.0
    steps = math.floor(_exact(minutes) / _exact(minutes_per_credit) / _exact(step))
    return float(steps * _exact(step))


def _sum(values: Iterable[float]) -> float:
    return float(sum((_exact(v) for v in values), Fraction(0)))


def _whole_minutes(d: timedelta) -> int:
    return round(d.total_seconds() / 60)


def partial_reason(a: Attendance) -> str | None:
    """Why a record is not a full attendance, in words: late, gaps, left early, an error."""
    if a.state != PARTIAL or a.joined_at is None:
        return None
    parts = []
    late = a.joined_at - a.start
    if late >= timedelta(minutes=1):
        parts.append(f"joined {_whole_minutes(late)} min late")
    gaps = timedelta(seconds=gap_seconds([g.to_json() for g in a.gaps]))
    if gaps >= timedelta(minutes=1):
        whys = ", ".join(dict.fromkeys(g.why for g in a.gaps))
        parts.append(f"{_whole_minutes(gaps)} min of gaps ({whys})")
    if not a.ended_by_page and a.left_at is not None and a.end - a.left_at >= timedelta(minutes=1):
        parts.append(f"left {_whole_minutes(a.end - a.left_at)} min before the end")
    if a.error:
        parts.append(a.error)
    return "; ".join(parts) or f"away {_whole_minutes(TOLERANCE)} min or more in all"


def webinar(a: Attendance, settings: HistorySettings) -> CpeWebinar:
    minutes = minutes_attended(a.joined_at, a.left_at, [g.to_json() for g in a.gaps])
    return CpeWebinar(
        id=a.id, title=a.title, provider=a.provider, organizer=a.organizer, start=a.start,
        minutes=minutes, credits=credits_for(minutes, settings.minutes_per_credit, settings.credit_step),
        outcome=a.state, reason=partial_reason(a), evidence=tuple(a.evidence),
    )


def _totals(webinars: list[CpeWebinar], key) -> tuple[CpeTotal, ...]:
    groups: dict[str, list[CpeWebinar]] = {}
    for w in webinars:
        groups.setdefault(key(w), []).append(w)
    return tuple(
        CpeTotal(period, len(ws), round(_sum(w.minutes for w in ws), 1), _sum(w.credits for w in ws))
        for period, ws in sorted(groups.items())
    )


def report(records: Iterable[Attendance], settings: HistorySettings, *, first: date | None = None,
           last: date | None = None, tz: tzinfo | None = None) -> CpeReport:
    """The CPE report of the attended and partial records whose local start date is within
    first..last (both inclusive; None: unbounded). `tz`: the local zone (None: the system's)."""
    def local(w: CpeWebinar | Attendance) -> datetime:
        return w.start.astimezone(tz)

    chosen = [a for a in records if a.state in COUNTED
              and (first is None or local(a).date() >= first)
              and (last is None or local(a).date() <= last)]
    webinars = [webinar(a, settings) for a in sorted(chosen, key=lambda a: (a.start, a.id))]
    return CpeReport(
        webinars=tuple(webinars),
        months=_totals(webinars, lambda w: f"{local(w):%Y-%m}"),
        years=_totals(webinars, lambda w: f"{local(w):%Y}"),
        minutes_per_credit=settings.minutes_per_credit, credit_step=settings.credit_step,
    )
