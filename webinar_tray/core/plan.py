"""The planner: events + settings + per-event choices + now -> the plan. Pure and repeatable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Iterable, Mapping

from webinar_tray.core.events import CalendarEvent, override_key, plan_id, utc_stamp
from webinar_tray.core.links import best_link, candidates
from webinar_tray.core.rules import host_in, host_of, webinar_rule
from webinar_tray.core.unwrap import is_wrapper
from webinar_tray.core.settings import Settings


@dataclass(frozen=True)
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
    for event in events:
        if event.end <= now or event.start >= horizon:
            continue
        p = plan_event(event, settings, overrides.get(override_key(event.calendar_id, event.event_id)), now)
        if p is not None and p.id not in out:
            out[p.id] = p
    return sorted(out.values(), key=lambda p: (p.start, p.title, p.id))


def plan_event(
    event: CalendarEvent, settings: Settings, override: bool | None, now: datetime
) -> PlannedJoin | None:
    """The plan for one event (ended or not), or None when it has no link and matches no rule."""
    cands, link = _links(event)
    service = link.service if link else None
    rule = webinar_rule(event, link.url if link else None, service.kind if service else None, settings.match)
    if link is None and rule is None and not cands:
        return None
    reason = _reason(event, settings, link, cands, rule, override, now)
    auto = reason is None
    grace = timedelta(seconds=settings.join.grace_seconds)
    return PlannedJoin(
        id=plan_id(event.calendar_id, event.event_id, event.start),
        calendar_id=event.calendar_id,
        event_id=event.event_id,
        title=event.title,
        start=event.start,
        end=event.end,
        join_url=link.url if link else None,
        provider=service.name if service else None,
        auto_join=auto,
        reason=reason,
        join_at=event.start - timedelta(seconds=settings.join.lead_seconds) if auto else None,
        leave_at=event.end + grace,
        is_webinar=rule is not None,
        steps=service.steps if service else "generic",
    )


@lru_cache(maxsize=2048)
def _links(event: CalendarEvent):
    """Link detection is the costly part of planning and depends on the event alone: the
    engine replans every 30 s, so it is remembered per (immutable) event value."""
    return candidates(event), best_link(event)


def _reason(event, settings, link, cands, rule, override, now) -> str | None:
    if event.status == "cancelled":
        return "cancelled"
    if event.all_day:
        return "all-day"
    if link is None:
        return "unsafe-link" if cands else "no-link"
    if override is False:
        return "turned-off"
    if is_wrapper(link.url):  # a redirector we could not see through: where it leads is unknown
        return "unknown-host"
    if override is not True:
        if event.response == "declined":
            return "declined"
        if rule is None:
            return "no-rule"
        # Only a catalogue join link (not any other page of its site) or an allowed host.
        joins = link.service is not None and not link.service.fallback
        if not joins and not host_in(host_of(link.url), settings.join.allowed_hosts):
            return "unknown-host"
    if not settings.join.late_join and now > event.start + ON_TIME_TOLERANCE:
        return "ended"
    return None


def adhoc(url: str, title: str, now: datetime, minutes: float, provider: str | None = None,
          steps: str = "generic") -> PlannedJoin:
    """A join the user asked for by hand (`join URL`, "Join now")."""
    end = now + timedelta(minutes=minutes)
    return PlannedJoin(
        id=f"adhoc/{utc_stamp(now)}", calendar_id="adhoc", event_id=utc_stamp(now), title=title,
        start=now, end=end, join_url=url, provider=provider, auto_join=True, reason=None,
        join_at=now, leave_at=end, is_webinar=True, steps=steps,
    )
