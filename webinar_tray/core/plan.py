"""The planner: events + settings + per-event choices + now -> the plan. Pure and repeatable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
