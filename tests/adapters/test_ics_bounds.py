"""What a recurring series may cost: hostile RRULEs are cut (and say so), ordinary ones give
exactly what the expander gives without the bounds, and a series' description is one string."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.feeds import calendar, description_calendar, hostile_calendars, vevent
from webinar_tray.adapters.calendar.ics.parse import events_from_ics
from webinar_tray.core.settings import RefreshSettings

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)
WINDOW = (NOW - timedelta(hours=12), NOW + timedelta(hours=48))


def read(data: bytes, **limits):
    return events_from_ics(data, *WINDOW, "ICS test calendar", "ics:00000000",
                           limits=RefreshSettings(**limits))


def test_an_unbounded_secondly_series_is_cut_at_max_instances_and_says_so(caplog):
    caplog.set_level(logging.INFO, "webinar_tray")
    t0 = time.process_time()
    events = read(hostile_calendars(NOW)["secondly"])
    cpu = time.process_time() - t0
    assert len(events) == 500
    assert [e.start for e in events] == sorted(e.start for e in events)
    assert events[0].start >= WINDOW[0] - timedelta(seconds=1)
    cut = [r.getMessage() for r in caplog.records if "max_instances_per_series" in r.getMessage()]
    assert len(cut) == 1 and "ICS test calendar" in cut[0] and "'Every second'" in cut[0], cut
    assert cpu < 60  # bounded at all (bench/refresh_faults.py prints the figure)


def test_a_series_whose_days_never_occur_is_not_walked(caplog):
    caplog.set_level(logging.INFO, "webinar_tray")
    assert read(hostile_calendars(NOW)["never"]) == []
    said = [r.getMessage() for r in caplog.records if "no day in the window" in r.getMessage()]
    assert len(said) == 1 and "'Never'" in said[0] and "ICS test calendar" in said[0]


def test_max_instances_is_a_setting_and_filtered_dense_rules_are_cut_lazily(caplog):
    caplog.set_level(logging.WARNING, "webinar_tray")
    data = calendar(vevent("dense", NOW - timedelta(days=30), rule="FREQ=SECONDLY;BYHOUR=9,10,11",
                           title="Dense", duration="PT1S"))
    events = read(data, max_instances_per_series=50)
    assert len(events) == 50
    assert any("Dense" in r.getMessage() and "max_instances_per_series" in r.getMessage() for r in caplog.records)


def test_max_events_per_source_keeps_the_soonest(caplog):
    caplog.set_level(logging.WARNING, "webinar_tray")
    data = calendar(*(vevent(f"e{i}", NOW + timedelta(minutes=i), title=f"E{i}") for i in range(30)))
    events = read(data, max_events_per_source=10)
    assert [e.title for e in events] == [f"E{i}" for i in range(10)]
    assert any("max_events_per_source" in r.getMessage() and "ICS test calendar" in r.getMessage()
               for r in caplog.records)


def test_a_series_shares_one_description_string():
    events = read(description_calendar(NOW, instances=400, description_bytes=50_000))
    assert len(events) > 350
    assert len({id(e.description) for e in events}) == 1
    assert len(events[0].description) == 50_000


# ---- ordinary rules: the bounds change nothing ------------------------------------------------

FREQS = ["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "MINUTELY"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def series(draw):
    freq = draw(st.sampled_from(FREQS))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 7)) * (15 if freq == 'MINUTELY' else 1)}"]
    if draw(st.booleans()):
        parts.append("BYDAY=" + ",".join(draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))))
    if freq in ("DAILY", "WEEKLY") and draw(st.booleans()):
        parts.append("BYHOUR=" + ",".join(map(str, draw(st.lists(st.integers(0, 23), min_size=1, max_size=3, unique=True)))))
    if draw(st.booleans()):
        parts.append(f"BYMONTH={NOW.month},{(NOW.month % 12) + 1}")
    start = NOW - timedelta(days=draw(st.integers(-2, 900)), minutes=draw(st.integers(0, 1439)))
    tz = draw(st.sampled_from(["", "Europe/London", "America/New_York", "Asia/Kolkata"]))
    minutes = draw(st.sampled_from([1, 30, 90, 24 * 60 + 5]))
    return ";".join(parts), start.replace(second=0), tz, minutes


def _ics(rule: str, start: datetime, tz: str, minutes: int) -> bytes:
    if tz:
        from zoneinfo import ZoneInfo

        local = start.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        dt = f"DTSTART;TZID={tz}:{local:%Y%m%dT%H%M%S}"
    else:
        dt = f"DTSTART:{start:%Y%m%dT%H%M%SZ}"
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\n"
            f"DTSTAMP:20260101T000000Z\r\n{dt}\r\nDURATION:PT{minutes}M\r\nRRULE:{rule}\r\n"
            f"SUMMARY:S\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def _unbounded(data: bytes) -> list[datetime]:
    cal = icalendar.Calendar.from_ical(data)
    out = set()
    for c in recurring_ical_events.of(cal).between(WINDOW[0] - timedelta(days=2), WINDOW[1] + timedelta(days=2)):
        s, e = c["DTSTART"].dt, c["DTEND"].dt
        if s < WINDOW[1] and e > WINDOW[0]:
            out.add(s.astimezone(timezone.utc))
    return sorted(out)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series())
def test_bounded_expansion_equals_the_unbounded_one_for_ordinary_rules(s):
    data = _ics(*s)
    got = [e.start.astimezone(timezone.utc) for e in read(data, max_instances_per_series=100_000)]
    assert got == _unbounded(data), s
