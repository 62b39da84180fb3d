"""The pre-pass that drops VEVENTs which cannot touch the window (adapters/calendar/ics/prefilter.py)
never changes what is found: the events read with and without it are the same, over the big
look-alike feed (tests/feeds.py `big_feed`), over hand-written edge cases and over generated
calendars (hypothesis), the property tests' junk calendars included. Speed is bench/bigfeed.py's."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.feeds import big_feed
from tests.property.test_ics_props import WIN_END, WIN_START
from tests.property.test_ics_props import calendars as junk_calendars
from webinar_tray.adapters.calendar.ics import prefilter
from webinar_tray.adapters.calendar.ics.parse import events_from_ics
from webinar_tray.ports import SourceError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


def both(data: bytes, start: datetime, end: datetime):
    """(events with the pre-pass, events without): each a list, or the SourceError's text."""
    out = []
    for pre in (True, False):
        try:
            out.append(events_from_ics(data, start, end, "ICS test", "ics:00000000", prefilter=pre))
        except SourceError as e:
            out.append(str(e))
    return out


def cal(*blocks: str, head: str = "") -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + head + "".join(blocks)
            + "END:VCALENDAR\r\n").encode()


def ev(*lines: str) -> str:
    return "BEGIN:VEVENT\r\n" + "".join(line + "\r\n" for line in lines) + "END:VEVENT\r\n"


def test_the_look_alike_feed_gives_the_same_events_with_and_without_the_pre_pass():
    data = big_feed(NOW)
    start, end = NOW - timedelta(hours=12), NOW + timedelta(hours=48)
    kept = prefilter.read(data).text(start, end)
    assert kept.count("BEGIN:VEVENT") < data.count(b"BEGIN:VEVENT") // 4  # it does drop most
    with_pre, without = both(data, start, end)
    assert with_pre == without and len(with_pre) > 50


@pytest.mark.parametrize("days", [-700, -30, 3, 200])
def test_a_smaller_look_alike_agrees_in_other_windows(days):
    data = big_feed(NOW, seed=days, series=80, one_offs=50, overrides=400)
    start = NOW + timedelta(days=days)
    with_pre, without = both(data, start, start + timedelta(hours=60))
    assert with_pre == without


EDGE_CASES = {
    # a series of week-long instances whose last one started 6 days before the window
    "long series": ev("UID:long", "DTSTART:20261124T090000Z", "DTEND:20261201T090000Z",
                      "RRULE:FREQ=WEEKLY;UNTIL=20261124T090000Z", "SUMMARY:Long"),
    # an override moved far away: the master's instance it replaces is in the window
    "moved out": ev("UID:m", "DTSTART:20261101T090000Z", "DTEND:20261101T100000Z", "RRULE:FREQ=DAILY",
                    "SUMMARY:Daily") + ev("UID:m", "RECURRENCE-ID:20261130T090000Z",
                                          "DTSTART:20270105T090000Z", "DTEND:20270105T100000Z", "SUMMARY:Moved"),
    # moved into the window from long ago; its series ended long ago
    "moved in": ev("UID:i", "DTSTART:20240101T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=3",
                   "SUMMARY:Old") + ev("UID:i", "RECURRENCE-ID:20240108T090000Z", "DTSTART:20261130T100000Z",
                                       "DURATION:PT1H", "SUMMARY:Moved in"),
    # an override of a multi-day master, moved out, its RECURRENCE-ID 3 days before the window
    "long master": ev("UID:l", "DTSTART:20261101T090000Z", "DTEND:20261105T090000Z", "RRULE:FREQ=DAILY",
                      "SUMMARY:Long daily") + ev("UID:l", "RECURRENCE-ID:20261127T090000Z",
                                                 "DTSTART:20250101T090000Z", "DTEND:20250101T100000Z"),
    "this and future": ev("UID:f", "DTSTART:20250101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY",
                          "SUMMARY:Weekly") + ev("UID:f", "RECURRENCE-ID;RANGE=THISANDFUTURE:20250108T090000Z",
                                                 "DTSTART:20250108T100000Z", "DURATION:PT1H", "SUMMARY:Later"),
    "all-day and floating": ev("UID:a", "DTSTART;VALUE=DATE:20261201", "SUMMARY:All day")
    + ev("UID:fl", "DTSTART:20261202T230000", "DURATION:PT2H", "SUMMARY:Floating"),
    "zones": ev("UID:z", "DTSTART;TZID=Pacific/Kiritimati:20261202T060000", "DURATION:PT1H", "SUMMARY:Far east")
    + ev("UID:z2", "DTSTART;TZID=Pacific/Pago_Pago:20261129T200000", "DURATION:PT1H", "SUMMARY:Far west"),
    "an alarm's duration": ev("UID:al", "DTSTART:20261120T090000Z", "DTEND:20261201T090000Z", "SUMMARY:Alarm",
                              "BEGIN:VALARM", "ACTION:DISPLAY", "DURATION:PT5M", "REPEAT:1", "TRIGGER:-PT5M",
                              "END:VALARM"),
    "rdate": ev("UID:r", "DTSTART:20200101T090000Z", "DURATION:PT1H", "RDATE:20261130T090000Z", "SUMMARY:Rdate"),
    "count grid": ev("UID:c", "DTSTART:20261001T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=9;BYDAY=MO",
                     "SUMMARY:Nine Mondays")
    + ev("UID:c2", "DTSTART:20260101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;INTERVAL=30;COUNT=12",
         "SUMMARY:Monthly-ish"),
    "exdates": ev("UID:x", "DTSTART;TZID=Europe/Berlin:20250101T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY",
                  "EXDATE;TZID=Europe/Berlin:20250102T090000,20261130T090000", "EXDATE;TZID=Europe/Berlin:2025",
                  " 0103T090000", "SUMMARY:Daily but one"),
    "folded": ev("UID:fo", "DTSTART:2026113", " 0T090000Z", "DURATION:PT1H", "SUMMARY:Folded start"),
    "lower case": ev("uid:lc", "dtstart:20261130T090000Z", "duration:PT1H", "summary:lower"),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_agree(name):
    data = cal(EDGE_CASES[name], head="X-WR-TIMEZONE:Europe/Berlin\r\n" if name == "all-day and floating" else "")
    with_pre, without = both(data, NOW - timedelta(hours=12), NOW + timedelta(hours=48))
    assert with_pre == without
    assert isinstance(without, list) and without, "each case has an event in the window"
    if name == "exdates":  # the exceptions in the window still apply, the far ones went unparsed
        assert [e.start.day for e in without] == [1]


def test_an_event_with_two_starts_is_still_named_in_a_message_out_of_the_window(caplog):
    data = cal(ev("UID:dup", "DTSTART:20200101T090000Z", "DTSTART:20200102T090000Z", "SUMMARY:Twice"))
    with caplog.at_level(logging.WARNING, logger="webinar_tray.adapters.calendar.ics.source"):
        events_from_ics(data, NOW, NOW + timedelta(hours=48), "ICS test", "ics:00000000")
    assert "Twice" in caplog.text and "more than one DTSTART" in caplog.text


# ---- generated calendars ------------------------------------------------------------------------

def _stamp(hours: int, kind: str) -> str:
    t = WIN_START + timedelta(hours=hours)
    if kind == "date":
        return f";VALUE=DATE:{t:%Y%m%d}"
    if kind == "zone":
        return f";TZID=America/New_York:{t:%Y%m%dT%H%M%S}"
    return f":{t:%Y%m%dT%H%M%S}" + ("Z" if kind == "utc" else "")


hours = st.one_of(st.integers(-24 * 60, 24 * 60), st.integers(-24 * 800, 24 * 400))
kinds = st.sampled_from(["utc", "utc", "floating", "date", "zone"])


@st.composite
def structured_vevent(draw):
    uid = draw(st.sampled_from(["s1", "s2", "s3", "o1"]))
    kind = draw(kinds)
    lines = [f"UID:{uid}", "DTSTART" + _stamp(draw(hours), kind), "SUMMARY:" + uid]
    end = draw(st.sampled_from(["", "DTEND", "DURATION"]))
    if end == "DTEND":
        lines.append("DTEND" + _stamp(draw(hours), kind))
    elif end == "DURATION":
        lines.append(draw(st.sampled_from(["DURATION:PT1H", "DURATION:P3D", "DURATION:P2W", "DURATION:PT0S"])))
    role = draw(st.sampled_from(["single", "series", "override"]))
    if role == "series":
        rule = draw(st.sampled_from(["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY",
                                     "FREQ=WEEKLY;INTERVAL=2"]))
        limit = draw(st.sampled_from(["", "COUNT", "UNTIL"]))
        if limit == "COUNT":
            rule += f";COUNT={draw(st.integers(1, 60))}"
        elif limit == "UNTIL":
            rule += ";UNTIL=" + _stamp(draw(hours), "utc")[1:]
        lines.append("RRULE:" + rule)
        for _ in range(draw(st.integers(0, 3))):  # exceptions, near and far, one or two values
            values = [_stamp(draw(st.integers(-24 * 30, 24 * 30)), kind) for _ in range(draw(st.integers(1, 2)))]
            lines.append("EXDATE" + values[0] + "".join("," + v.rsplit(":", 1)[1] for v in values[1:]))
    elif role == "override":
        lines.append("RECURRENCE-ID" + _stamp(draw(hours), kind))
    return ev(*lines)


@settings(max_examples=150, deadline=None)
@given(st.lists(structured_vevent(), max_size=6))
def test_generated_calendars_agree(blocks):
    with_pre, without = both(cal(*blocks), WIN_START, WIN_END)
    assert with_pre == without


@settings(max_examples=100, deadline=None)
@given(junk_calendars())
def test_junk_calendars_agree(data):
    with_pre, without = both(data, WIN_START, WIN_END)
    assert with_pre == without


# ---- self-defined zones --------------------------------------------------------------------------

def test_a_sped_up_self_defined_zone_gives_the_rules_offsets():
    """zones.py answers each observance's "last onset" by bisection: the same offsets, names and
    DST as dateutil's own walk, across transitions, folds, and before and after the listed years."""
    import io

    from dateutil.tz import tzical

    from tests.feeds import _vtimezone
    from webinar_tray.adapters.calendar.ics.zones import _Onsets, _speed_up_zone

    for tzid in ("W. Europe Standard Time", "Pacific Standard Time"):
        text = _vtimezone(tzid).replace("\r\n", "\n")
        plain, fast = tzical(io.StringIO(text)).get(), tzical(io.StringIO(text)).get()
        _speed_up_zone(fast)
        assert all(isinstance(c.rrule, _Onsets) for c in fast._comps)
        days = [datetime(2026, 3, 8), datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2026, 11, 1)]
        times = [d + timedelta(minutes=15 * i) for d in days for i in range(96)]  # the transitions
        times += [datetime(y, m, 15, 12) for y in range(1500, 2300, 7) for m in (1, 7)]
        for t in times:
            for fold in (0, 1):
                a, b = t.replace(tzinfo=plain, fold=fold), t.replace(tzinfo=fast, fold=fold)
                assert (a.utcoffset(), a.dst(), a.tzname()) == (b.utcoffset(), b.dst(), b.tzname()), (tzid, t, fold)
