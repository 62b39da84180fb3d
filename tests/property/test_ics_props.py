"""Properties of ICS parsing (adapters.calendar.ics.parse.events_from_ics, the real icalendar /
recurring_ical_events / x_wr_timezone) over generated calendars, junk included: the only
exception it raises is SourceError; every event it gives has an aware start before its end and
overlaps the window.

The rules are kept cheap on purpose (COUNT on sub-daily ones, month days 1–28): the unbounded and
never-occurring rules that cost seconds of CPU are the fault suite's (bounded expansion), not a
property to sample 150 times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from tests.property.strategies import hostile_text
from webinar_tray.adapters.calendar.ics.parse import events_from_ics
from webinar_tray.ports import SourceError

WIN_START = datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)
WIN_END = WIN_START + timedelta(hours=48)

def _one_line(text: str) -> str:
    """A property value as a calendar writes it: line breaks escaped (everything else kept)."""
    return "\\n".join(text.splitlines())  # splitlines: every separator a parser may split on


stamps = st.one_of(
    st.integers(min_value=-72, max_value=96).map(
        lambda h: (WIN_START + timedelta(hours=h)).strftime("%Y%m%dT%H%M%SZ")),
    st.integers(min_value=-3, max_value=4).map(lambda d: (WIN_START + timedelta(days=d)).strftime("%Y%m%d")),
    st.sampled_from(["20261125T100000", "garbage", "", "20261340T250000Z", "2026-11-25", "99999999T999999Z"]),
)
date_props = st.tuples(
    st.sampled_from(["DTSTART", "DTSTART;VALUE=DATE", "DTSTART;TZID=Europe/Berlin", "DTSTART;TZID=Nowhere/Junk",
                     "DTEND", "DTEND;TZID=America/New_York", "RECURRENCE-ID", "EXDATE", "RDATE"]),
    stamps,
).map(lambda t: f"{t[0]}:{t[1]}")

rrule_parts = st.sampled_from([
    "FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=HOURLY;COUNT=30", "FREQ=MINUTELY;COUNT=20",
    "FREQ=FOO", "FREQ=", "INTERVAL=0", "INTERVAL=-1", "INTERVAL=3", "COUNT=5", "COUNT=-1", "COUNT=x",
    "UNTIL=20261126T000000Z", "UNTIL=garbage", "UNTIL=20261126", "BYDAY=MO,WE,FR", "BYDAY=XX", "BYDAY=+1MO",
    "BYMONTHDAY=15", "BYMONTHDAY=0", "BYMONTHDAY=32", "BYHOUR=25", "BYMINUTE=30", "WKST=SU", "BYSETPOS=1",
    "X-JUNK=1", ";;", "=",
])
rrules = st.lists(rrule_parts, min_size=1, max_size=4).map(lambda parts: "RRULE:" + ";".join(parts))

other_props = st.one_of(
    date_props, rrules,
    st.sampled_from(["DURATION:PT1H", "DURATION:-PT1H", "DURATION:junk", "DURATION:P1D", "STATUS:CANCELLED",
                     "TRANSP:TRANSPARENT", "ORGANIZER:mailto:events@isc2.org", "ORGANIZER:junk",
                     "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com", "LOCATION:BrightTALK",
                     "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij", "SEQUENCE:x",
                     "DESCRIPTION:Join https://us02web.zoom.us/j/1?pwd=x\\n<a href='javascript:x'>x</a>",
                     "UID:same", "UID:"]),
    hostile_text.map(lambda t: "SUMMARY:" + _one_line(t)),
    hostile_text.map(lambda t: "DESCRIPTION:" + _one_line(t)),
    hostile_text.map(lambda t: "X-" + _one_line(t)),
)


@st.composite
def vevents(draw):
    lines = ["BEGIN:VEVENT"]
    if draw(st.booleans()):
        lines.append(f"UID:{draw(st.sampled_from(['a', 'b', 'c', 'same']))}")
    if draw(st.integers(0, 9)):  # mostly a usable start
        lines.append(f"DTSTART:{(WIN_START + timedelta(hours=draw(st.integers(-72, 60)))).strftime('%Y%m%dT%H%M%SZ')}")
    lines += draw(st.lists(other_props, max_size=6))
    if draw(st.integers(0, 39)):  # rarely cut short
        lines.append("END:VEVENT")
    return lines


@st.composite
def calendars(draw):
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//property tests//EN"]
    head += draw(st.lists(st.sampled_from(["X-WR-TIMEZONE:Europe/Berlin", "X-WR-TIMEZONE:Junk/Zone",
                                           "X-WR-CALNAME:me@example.com", "CALSCALE:GREGORIAN",
                                           "METHOD:PUBLISH"]), max_size=3))
    if not draw(st.integers(0, 19)):
        head.append("CALSCALE:HEBREW")
    body = [line for ev in draw(st.lists(vevents(), max_size=5)) for line in ev]
    if not draw(st.integers(0, 4)):  # a junk line or a stray BEGIN/END somewhere
        junk = st.one_of(hostile_text, st.sampled_from(["BEGIN:VALARM", "END:VALARM", "BEGIN:VEVENT", "END:VEVENT"]))
        body.insert(draw(st.integers(0, len(body))), draw(junk))
    tail = ["END:VCALENDAR"] if draw(st.integers(0, 29)) else []
    text = "\r\n".join(head + body + tail) + "\r\n"
    if not draw(st.integers(0, 14)):
        text = draw(hostile_text)  # not a calendar at all
    return text.encode("utf-8", errors="surrogatepass" if draw(st.booleans()) else "replace")


@given(calendars())
def test_parsing_any_calendar_raises_only_source_error(data):
    try:
        events = events_from_ics(data, WIN_START, WIN_END, "ICS property test", "ics:00000000")
    except SourceError as e:
        assert str(e).startswith("ICS property test: ")
        return
    for ev in events:
        assert ev.start.tzinfo is not None and ev.end.tzinfo is not None
        assert ev.start < ev.end
        assert ev.start < WIN_END and ev.end > WIN_START
    assert [(e.start, e.event_id) for e in events] == sorted((e.start, e.event_id) for e in events)


def test_an_rrule_whose_interval_is_zero_is_skipped_not_expanded_for_ever(caplog):
    """Found by the property above: INTERVAL=0 never advances, the expansion looped for ever."""
    data = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
            "BEGIN:VEVENT\r\nUID:loop\r\nSUMMARY:Loop webinar\r\nDTSTART:20261125T100000Z\r\n"
            "RRULE:FREQ=DAILY;INTERVAL=0\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:fine\r\nSUMMARY:Fine webinar\r\nDTSTART:20261125T120000Z\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n").encode()
    events = events_from_ics(data, WIN_START, WIN_END, "ICS property test", "ics:00000000")
    assert [e.event_id for e in events] == ["fine"]
    assert "Loop webinar" in caplog.text and "INTERVAL" in caplog.text
