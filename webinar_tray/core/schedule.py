"""What is due: the plan + the attendance states + now -> decisions. Pure.

    due(plan, states, now, settings, ...)     -> [Missed | Remind | Start]   every due check
    recover(records, plan, now, settings, ...) -> [Resume | Conclude]          once, at start
    next_deadline(plan, states, now, settings, ...) -> when `due` next has something to do
    reach(settings)                           -> how far ahead of its start an item can be due

Everything the engine knows besides the plan is an argument (the ids already reminded, the ids
a browser is on, the cached events and per-event choices, since when the app has run): no
store, no clock. The engine carries the decisions out: claims, joins, notifies, logs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Collection, Iterable, Mapping, Sequence

from webinar_tray.core.attendance import ACTIVE, Attendance
from webinar_tray.core.events import CalendarEvent, in_utc, override_key
from webinar_tray.core.plan import PlannedJoin, plan_event
from webinar_tray.core.settings import NotificationSettings, Settings

# The browser is started this long before join_at, so that the navigation happens on time.
PRESTART = timedelta(seconds=15)

# Not auto-joined, but a webinar one may still join by hand ("Join now"): worth a reminder.
_WANTED_REASONS = ("turned-off", "unknown-host", "declined")


def wanted(p: PlannedJoin) -> bool:
    """Sessions the user wants to hear about (reminders, the menu's next session): auto-joins,
    and webinars one may join by hand."""
    return p.auto_join or (p.is_webinar and p.join_url is not None and p.reason in _WANTED_REASONS)


# ---- decisions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Remind:
    """Tell the user a wanted session starts in `minutes`."""

    plan: PlannedJoin
    minutes: int

    @property
    def title(self) -> str:
        return f"Webinar in {self.minutes} min"

    @property
    def message(self) -> str:
        how = "joining automatically" if self.plan.auto_join else "not joined automatically: use Join now"
        return f"{self.plan.title} — {how}"


@dataclass(frozen=True)
class Start:
    """Claim and join `plan` now (on time, or late while it runs)."""

    plan: PlannedJoin


@dataclass(frozen=True)
class Missed:
    """An auto-join whose webinar ended with no attempt (the app off, the PC asleep): record it.
    `plan` is the event as it was planned at its start."""

    plan: PlannedJoin


@dataclass(frozen=True)
class Resume:
    """Rejoin a webinar the last run left while it still runs, into the same record; `plan`
    joins now."""

    record: Attendance
    plan: PlannedJoin


@dataclass(frozen=True)
class Conclude:
    """Judge a record the last run left unfinished as it stands."""

    record: Attendance


Decision = Remind | Start | Missed | Resume | Conclude


# ---- the due check --------------------------------------------------------------------------

def due(
    plan: Iterable[PlannedJoin],
    states: Mapping[str, str],
    now: datetime,
    settings: Settings,
    *,
    reminded: Collection[str] = (),
    active: Collection[str] = (),
    events: Iterable[CalendarEvent] = (),
    overrides: Mapping[str, bool] | None = None,
    known_since: datetime | None = None,
    ended: Iterable[PlannedJoin] | None = None,
) -> list[Decision]:
    """What to do now, in order: missed records first, then per planned join (soonest first)
    its reminder and its start. `states`: plan id -> stored state (any record means "taken");
    `active`: ids a browser is on; `reminded`: ids already reminded this run; `events`,
    `overrides` and `known_since` judge "missed" (None: nothing is judged missed). `ended`, in
    their place: the auto-joins as planned at their start that ended (core.planner's
    `Planner.ended`), so that no event is planned again. Only the items of `plan` that start
    within `reach(settings)` of now (or run) can be due: a caller may pass just those."""
    if ended is None:
        ended = _ended(events, now, settings, overrides or {}, known_since)
    out: list[Decision] = list(_missed(ended, states, active))
    taken = set(states) | set(active) | {d.plan.id for d in out}
    for p in plan:
        if p.id in taken:
            continue
        if _reminder_due(p, now, settings.notifications, reminded):
            out.append(Remind(p, max(1, round((p.start - now).total_seconds() / 60))))
        if p.auto_join and p.join_at - PRESTART <= now < p.leave_at:
            out.append(Start(p))
    return out


def _reminder_due(p: PlannedJoin, now: datetime, n: NotificationSettings, reminded: Collection[str]) -> bool:
    if not n.enabled or p.id in reminded or not wanted(p):
        return False
    return in_utc(p.start) - timedelta(minutes=n.remind_minutes) <= now < p.start


def _ended(events: Iterable[CalendarEvent], now: datetime, settings: Settings,
           overrides: Mapping[str, bool], known_since: datetime | None) -> Iterable[PlannedJoin]:
    """Auto-joins as planned at their start that ended by `now`, after `known_since`: webinars
    that ended before the app was first run are not "missed"."""
    if known_since is None:
        return
    for event in events:
        if event.end > now or event.start < known_since:
            continue
        override = overrides.get(override_key(event.calendar_id, event.event_id))
        p = plan_event(event, settings, override, event.start)
        if p is not None and p.auto_join:
            yield p


def _missed(ended: Iterable[PlannedJoin], states: Mapping[str, str],
            active: Collection[str]) -> Iterable[Missed]:
    """Those of the ended auto-joins with no record (once per id)."""
    seen: set[str] = set()
    for p in ended:
        if p.id in states or p.id in active or p.id in seen:
            continue
        seen.add(p.id)
        yield Missed(p)


def reach(settings: Settings) -> timedelta:
    """How long before its start a planned join can be due (its reminder, its browser start)."""
    lead = timedelta(seconds=settings.join.lead_seconds) + PRESTART
    return max(lead, timedelta(minutes=settings.notifications.remind_minutes))


def recover(
    records: Iterable[Attendance],
    plan: Sequence[PlannedJoin],
    now: datetime,
    settings: Settings,
    *,
    active: Collection[str] = (),
) -> list[Resume | Conclude]:
    """At start: records the last run left unfinished (interrupted, or still active after a
    crash). A webinar still planned for auto-join and still running is resumed when late_join
    is on; any other is settled as it stands. Ids in `active` are this run's own."""
    by_id = {p.id: p for p in plan}
    out: list[Resume | Conclude] = []
    for a in records:
        if not (a.interrupted or a.state in ACTIVE) or a.id in active:
            continue
        p = by_id.get(a.id)
        if p and p.auto_join and now < p.leave_at and settings.join.late_join:
            out.append(Resume(a, replace(p, join_at=now)))
        else:
            out.append(Conclude(a))
    return out


def next_deadline(
    plan: Iterable[PlannedJoin],
    states: Mapping[str, str],
    now: datetime,
    settings: Settings,
    *,
    reminded: Collection[str] = (),
    active: Collection[str] = (),
    ordered: bool = False,
) -> datetime | None:
    """The earliest time at which `due` has something to do for the plan; in the past when
    something is due now (a deadline is never dropped just because it has passed).
    `ordered`: the plan is sorted by start with the settings' join times (as core.plan and
    core.planner give it), so reading stops once no later item can come earlier."""
    best: datetime | None = None
    n = settings.notifications
    remind = timedelta(minutes=n.remind_minutes)
    ahead = reach(settings)
    for p in plan:
        if ordered and best is not None and in_utc(p.start) - ahead >= best:
            break
        if p.id in states or p.id in active or now >= p.leave_at:
            continue
        times = []
        if n.enabled and p.id not in reminded and wanted(p) and now < p.start:
            times.append(in_utc(p.start) - remind)
        if p.auto_join:
            times.append(p.join_at - PRESTART)
            if p.end > now:
                times.append(p.end)  # a webinar nobody joined is judged at its end
        for t in times:
            if best is None or t < best:
                best = t
    return best
