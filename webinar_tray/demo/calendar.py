"""The built-in demo calendar (`--demo`): three events relative to launch, whose links point to
the demo webinar site the app serves itself on 127.0.0.1 (demo/site.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.settings import DemoSettings

CALENDAR_ID = "demo"
MANUAL_EVENT_ID = "demo-webinar-manual"  # auto-join off, to try "Join now"


class DemoCalendar:
    name = "demo calendar"
    key = "demo calendar"
    key = "demo"

    def __init__(self, site, demo: DemoSettings, launched_at: datetime, lead_seconds: int):
        self.site = site
        # "auto-joins start_after_seconds after launch": the join happens lead_seconds early.
        start = launched_at + timedelta(seconds=demo.start_after_seconds + lead_seconds)
        start = start.replace(microsecond=0)
        end = start + timedelta(seconds=demo.duration_seconds)
        later = start + timedelta(minutes=10)
        self.events = [
            self._event("demo-webinar-auto", "Demo webinar: Zero trust for the night shift",
                        start, end, "auto", location="BrightTALK"),
            self._event(MANUAL_EVENT_ID, "Demo webinar: Cloud incident response (auto-join off)",
                        later, later + (end - start), "manual", location="BrightTALK"),
            self._event("demo-meeting", "Team sync (a meeting: listed, not joined)",
                        later + timedelta(minutes=20), later + timedelta(minutes=50), "meeting",
                        location="Room 4"),
        ]

    def _event(self, event_id, title, start, end, slug, location) -> CalendarEvent:
        url = self.site.url_for(slug, ends_at=end, title=title)
        return CalendarEvent(
            calendar_id=CALENDAR_ID, event_id=event_id, title=title, start=start, end=end,
            location=location, description=f"Join here: {url}", organizer="events@demo.invalid",
            calendar_name="Demo", source="demo",
        )

    def fetch(self, start: datetime, end: datetime, deadline=None) -> list[CalendarEvent]:
        return [e for e in self.events if e.end > start and e.start < end]
