"""The planner: events + settings + per-event choices + now -> the plan. Pure and repeatable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Iterable, Mapping

from webinar_tray.core.events import CalendarEvent, fast_constructor, in_utc, override_key, utc_stamp
from webinar_tray.core.links import candidates
from webinar_tray.core.rules import host_in, host_of, webinar_rule
from webinar_tray.core.unwrap import is_wrapper
from webinar_tray.core.settings import Settings


@dataclass(frozen=True, slots=True)  # slots: the planner holds one per cached event
class PlannedJoin:
    id: str  # <calendar_id>/<event_id>/<UTC start>
    calendar_id: str
    event_id: str
    title: str
    start: datetime
    end: datetime
    join_url: str | None
    provider: str | None  # the catalogue's service name
    auto_join: bool
    reason: str | None  # None when auto-joined, else one short code (see CONTRACT.md)
    join_at: datetime | None  # None when not auto-joined
    leave_at: datetime  # end + grace
    is_webinar: bool = False
    steps: str = "generic"  # which provider join steps to run
    organizer: str = ""  # the event's organizer (e-mail address): kept in the attendance record


# PlannedJoin(*values) by plain stores: the planner makes one per cached event (events.py says
# why; tests/core/test_plan.py compares the two constructions)
_Unfrozen = fast_constructor(PlannedJoin)


# A webinar that started less than this long ago is still joined "on time" when late_join is off
# (the PC woke a little late, the refresh ran a few seconds after the start).
ON_TIME_TOLERANCE = timedelta(minutes=2)


def plan(
    events: Iterable[CalendarEvent],
    settings: Settings,
    overrides: Mapping[str, bool],
    now: datetime,
) -> list[PlannedJoin]:
    """Every event that has a join link or matches a rule and has not ended, soonest first.
    Pure: the same inputs give the same plan (ids included)."""
    horizon = now + timedelta(hours=settings.refresh.lookahead_hours)
    out: dict[str, PlannedJoin] = {}
    ctx = _Ctx(settings)
    for event in events:
        if event.end <= now or event.start >= horizon:
            continue
        p = _plan_event(event, settings, overrides.get(override_key(event.calendar_id, event.event_id)), now,
                        ctx)
        if p is not None and p.id not in out:
            out[p.id] = p
    return sorted(out.values(), key=lambda p: (p.start, p.title, p.id))


class _Ctx:
    """What planning reads from the settings for every event, worked out once per call, and
    the memos of a batch: for the one Settings it was made with."""

    def __init__(self, settings: Settings):
        self.before = -timedelta(seconds=settings.join.lead_seconds)  # join at start + before
        self.grace = timedelta(seconds=settings.join.grace_seconds)
        # links to the hosts the user named rank with the catalogue's join links
        self.preferred = settings.join.allowed_hosts + settings.match.hosts
        self.stamps: dict[tuple, str] = {}  # (start, offset) -> UTC stamp: sessions share starts
        self.shifted: dict[tuple, datetime] = {}  # (t, its offset, by) -> t + by, shared
        self.starts: dict[int, tuple] = {}  # id(start) -> (start, its stamp, its join time)
        self.ends: dict[int, tuple] = {}  # id(end) -> (end, its leave time)
        self.late_join = settings.join.late_join
        self.judged: dict[tuple, tuple | None] = {}  # see _plan_event: one per series and choice

    def forget(self) -> None:
        """Ends a batch: the plans keep what they share, the memos go."""
        self.stamps.clear()
        self.shifted.clear()
        self.starts.clear()
        self.ends.clear()
        self.judged.clear()


def _shift(ctx: _Ctx, t: datetime, by: timedelta) -> datetime:
    """The instant `by` after t, in UTC: adding to a zone's wall time is off by an hour when a
    DST change falls between (a 03:00 session on spring-forward day would join at 02:59 wall
    time, which that zone reads as 07:59 UTC instead of 06:59), and the two 01:30s of a
    fall-back night are `==` as wall times. One object for every plan of a batch that has it
    (a heavy calendar's sessions share their starts and ends: 1.7 MB of equal datetimes at
    25,000 events)."""
    key = (t, t.utcoffset(), by)  # with the offset: the two 01:30s of a fall-back night are ==
    got = ctx.shifted.get(key)
    if got is None:
        got = ctx.shifted[key] = in_utc(t) + by
    return got


def plan_event(
    event: CalendarEvent, settings: Settings, override: bool | None, now: datetime
) -> PlannedJoin | None:
    """The plan for one event (ended or not), or None when it has no link and matches no rule."""
    return _plan_event(event, settings, override, now, _Ctx(settings))


def _plan_event(event: CalendarEvent, settings: Settings, override: bool | None, now: datetime,
                ctx: _Ctx) -> PlannedJoin | None:
    # Everything but the times and ids depends on these fields alone (with the batch's settings),
    # and a series' instances share them: judged once per batch. `is` as _reason tests it.
    key = (event.conference_links, event.hangout_link, event.location, event.description, event.title,
           event.organizer, event.calendar_id, event.status, event.all_day, event.response,
           override is True, override is False)
    judged = ctx.judged.get(key, _UNJUDGED)
    if judged is _UNJUDGED:
        judged = ctx.judged[key] = _judge(event, settings, override, ctx)
    if judged is None:
        return None
    url, provider, steps, reason, is_webinar = judged
    if reason is None and not ctx.late_join and now - ON_TIME_TOLERANCE > event.start:  # instants
        reason = "ended"  # _reason's last check, the one that reads the time
    start, end = event.start, event.end
    # the events of a batch share their start and end objects: their figures are looked up by
    # the object (kept in the memo, so its id is not reused), the value memos behind
    got = ctx.starts.get(id(start))
    if got is None or got[0] is not start:
        # keyed with the offset: the two 01:30s of a fall-back night are `==` in one zone
        skey = (start, start.utcoffset())
        stamp = ctx.stamps.get(skey)
        if stamp is None:
            stamp = ctx.stamps[skey] = utc_stamp(start)
        got = ctx.starts[id(start)] = (start, stamp, _shift(ctx, start, ctx.before))
    leave = ctx.ends.get(id(end))
    if leave is None or leave[0] is not end:
        leave = ctx.ends[id(end)] = (end, _shift(ctx, end, ctx.grace))
    auto = reason is None
    return _Unfrozen(  # a PlannedJoin
        f"{event.calendar_id}/{event.event_id}/{got[1]}",  # plan_id(calendar_id, event_id, start)
        event.calendar_id, event.event_id, event.title, start, end,
        url, provider, auto, reason, got[2] if auto else None, leave[1],
        is_webinar, steps, event.organizer,
    )


_UNJUDGED = object()


def _judge(event: CalendarEvent, settings: Settings, override: bool | None, ctx: _Ctx) -> tuple | None:
    """(join url, provider, steps, reason not to join but "ended", is a webinar) of `event`, or
    None when it has no link and matches no rule."""
    cands, link, host, wrapper = _links_of(event.conference_links, event.hangout_link, event.location,
                                           event.description, ctx.preferred)
    service = link.service if link else None
    rule = webinar_rule(event, link.url if link else None, service.kind if service else None, settings.match,
                        host)
    if link is None and rule is None and not cands:
        return None
    reason = _reason(event, settings, link, cands, rule, override, host, wrapper)
    return (link.url if link else None, service.name if service else None,
            service.steps if service else "generic", reason, rule is not None)


@dataclass(frozen=True)
class _LinkFields:
    """The parts of an event link detection reads (what `candidates` is given)."""

    conference_links: tuple[str, ...]
    hangout_link: str
    location: str
    description: str


@lru_cache(maxsize=4096)
def _links_of(conference_links, hangout_link, location, description, preferred_hosts=()):
    """(every candidate link, the best safe one, its host, whether it is a redirector we could
    not see through) of an event's texts."""
    """Link detection is the costly part of planning and depends on these texts and the hosts
    the user named alone (so a changed setting is a new key): every instance of a series shares
    them (and its sources share the one description string), so it runs once per series, not
    once per instance and due check."""
    cands = candidates(_LinkFields(conference_links, hangout_link, location, description),
                       preferred_hosts=tuple(preferred_hosts))
    link = next((c for c in cands if c.safe), None)
    if link is None:
        return cands, None, "", False
    return cands, link, host_of(link.url), is_wrapper(link.url)


def _reason(event, settings, link, cands, rule, override, host, wrapper) -> str | None:
    """Why `event` is not auto-joined, or None; all but "ended" (late_join off, already started:
    _plan_event checks that, as the last check, since it alone reads the time)."""
    if event.status == "cancelled":
        return "cancelled"
    if event.all_day:
        return "all-day"
    if link is None:
        return "unsafe-link" if cands else "no-link"
    if override is False:
        return "turned-off"
    if wrapper:  # a redirector we could not see through: where it leads is unknown
        return "unknown-host"
    if link.service is not None and not link.service.browser:  # FaceTime: no browser can join
        return "unknown-host"
    if override is not True:
        if event.response == "declined":
            return "declined"
        if rule is None:
            return "no-rule"
        # Only a catalogue join link (not any other page of its site) or an allowed host.
        joins = link.service is not None and not link.service.fallback
        if not joins and not host_in(host, settings.join.allowed_hosts):
            return "unknown-host"
    return None


MIN_ADHOC_MINUTES, MAX_ADHOC_MINUTES = 1, 1440


def adhoc_minutes(value: object) -> float:
    """How long an ad-hoc join may last: a finite number of minutes, 1-1440. ValueError naming
    what is wrong otherwise (the CLI's `--minutes` and the channel's `minutes`)."""
    if isinstance(value, bool):
        raise ValueError(f"minutes must be a number, not {value!r}")
    try:
        n = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"minutes must be a number, not {str(value)[:20]!r}") from None
    if not MIN_ADHOC_MINUTES <= n <= MAX_ADHOC_MINUTES:  # also False for nan
        raise ValueError(f"minutes must be from {MIN_ADHOC_MINUTES} to {MAX_ADHOC_MINUTES}, not {str(value)[:20]}")
    return n


def adhoc(url: str, title: str, now: datetime, minutes: float, provider: str | None = None,
          steps: str = "generic", n: int = 1) -> PlannedJoin:
    """A join the user asked for by hand (`join URL`, "Join now"). `n` > 1: the n-th one started
    in the same second, whose id gets the suffix `-n` (`adhoc/<UTC start>-2`)."""
    end = now + timedelta(minutes=minutes)
    stamp = utc_stamp(now) + (f"-{n}" if n > 1 else "")
    return PlannedJoin(
        id=f"adhoc/{stamp}", calendar_id="adhoc", event_id=stamp, title=title,
        start=now, end=end, join_url=url, provider=provider, auto_join=True, reason=None,
        join_at=now, leave_at=end, is_webinar=True, steps=steps,
    )
