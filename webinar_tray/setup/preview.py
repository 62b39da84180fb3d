"""The rules' live preview: which upcoming events the [match] rules (as typed, not yet saved)
select, and why the others are not joined — the planner's own reasons (core/plan.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable, Sequence

from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.plan import plan
from webinar_tray.core.rules import webinar_rule
from webinar_tray.core.settings import MatchSettings, Settings
from webinar_tray.output import REASON_TEXT

RULE_TEXT = {
    "keyword": "its title has a keyword",
    "location": "its location matches",
    "organizer": "its organizer matches",
    "calendar": "its calendar counts every linked event",
    "host": "its link's host is in [match] hosts",
    "catalogue": "its link is a webinar site's",
}
MAX_ROWS = 50


@dataclass(frozen=True)
class PreviewRow:
    title: str
    start: datetime
    provider: str | None
    joined: bool
    why: str

    def as_dict(self) -> dict:
        return {"title": self.title, "start": self.start.isoformat(), "provider": self.provider,
                "joined": self.joined, "why": self.why}


def lines(text: str) -> tuple[str, ...]:
    """A textarea's lines (or commas) as a list of values, blanks dropped."""
    out = []
    for line in text.replace(",", "\n").splitlines():
        if line.strip():
            out.append(line.strip())
    return tuple(out)


def with_rules(settings: Settings, keywords: Sequence[str], locations: Sequence[str],
               organizers: Sequence[str]) -> Settings:
    match = replace(settings.match, keywords=tuple(keywords), locations=tuple(locations),
                    organizers=tuple(o.lower() for o in organizers))
    return replace(settings, match=match)


def preview(events: Iterable[CalendarEvent], settings: Settings, now: datetime) -> tuple[list[PreviewRow], int]:
    """(a row per planned event, soonest first, at most MAX_ROWS; how many events are neither
    linked nor matched, and so not listed)."""
    events = list(events)
    planned = plan(events, settings, {}, now)
    by_key = {(e.calendar_id, e.event_id): e for e in events}
    rows = []
    for p in planned[:MAX_ROWS]:
        event = by_key.get((p.calendar_id, p.event_id))
        if p.auto_join:
            why = "joined: " + _rule_text(event, p.is_webinar, settings.match)
        else:
            why = "not joined: " + REASON_TEXT.get(p.reason or "", p.reason or "")
        rows.append(PreviewRow(p.title, p.start, p.provider, p.auto_join, why))
    upcoming = sum(1 for e in events if e.end > now)
    return rows, max(0, upcoming - len(planned))


def _rule_text(event: CalendarEvent | None, is_webinar: bool, match: MatchSettings) -> str:
    rule = webinar_rule(event, None, None, match) if event is not None else None
    if rule is None:
        return RULE_TEXT["catalogue"] if is_webinar else "turned on for it"
    return RULE_TEXT[rule]
