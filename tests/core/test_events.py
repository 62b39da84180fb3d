"""The event value's JSON form (what the store keeps) is what dataclasses.asdict gave, built
without its deep copy (issue 13), and round-trips."""

from dataclasses import asdict
from datetime import datetime, timedelta, timezone

from webinar_tray.core.events import CalendarEvent

T = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_to_dict_is_asdict_with_iso_times_and_round_trips():
    e = CalendarEvent("c", "e", "Webinar", T, T + timedelta(hours=1), location="BrightTALK",
                      conference_links=("https://zoom.us/j/1", "https://zoom.us/j/2"),
                      extra={"recurring_event_id": "s1", "time_zone": "Europe/London"})
    d = e.to_dict()
    want = asdict(e)
    want.update(start=T.isoformat(), end=(T + timedelta(hours=1)).isoformat(),
                conference_links=["https://zoom.us/j/1", "https://zoom.us/j/2"])
    assert d == want
    d["extra"]["time_zone"] = "UTC"  # a copy: the event is unchanged
    assert e.extra["time_zone"] == "Europe/London"
    assert CalendarEvent.from_dict(e.to_dict()) == e
