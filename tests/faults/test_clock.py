"""Time going wrong under a running engine, on the injected ShiftClock (the engine's Clock and
the browser session's wall clock): a suspend across the start, the clock set back an hour after a
join, a DST change inside the lookahead window."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import ics
from tests.timezones import local_zone
from tests.faults.harness import assert_history_sound, ics_config, soon, wait_for, z


def one_webinar(feed, site, slug: str, start, end) -> None:
    feed.body = ics({"uid": f"{slug}@faults", "start": start, "end": end, "title": f"{slug} webinar",
                     "description": f"Join: {site.url_for(slug)}"})


def test_suspend_across_the_start_joins_late_once_and_judges_it_partial(
        make_rig, feed, site, clock, notifier, caplog):
    start = soon(20, clock)
    end = start + timedelta(minutes=6, seconds=5)
    one_webinar(feed, site, "slept", start, end)
    rig = make_rig(ics_config(feed.url))
    wait_for(lambda: rig.engine.last_refresh, 30, what="the first refresh")
    assert site.visits_of("slept") == [], "nothing is opened 20 s early"
    clock.jump(timedelta(minutes=6))  # the PC slept across the start; the loop's sleep returns
    [rec] = rig.wait_final(90)
    assert rec.state == "partial", rec  # late_join (the default): joined, > 5 min late
    assert rec.joined_at - start > timedelta(minutes=5), rec
    assert rec.error is None and rec.left_at >= end
    assert len(site.visits_of("slept", "page")) == 1, "joined late, once"
    assert [n[2] for n in notifier.of("joined")] == ["slept webinar"]
    assert [n[0] for n in notifier.of("ended")] == ["ended"] and "(partial)" in notifier.of("ended")[0][2]
    assert f"joining {rec.id}" in caplog.text
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_suspend_across_the_start_with_late_join_off_records_missed_saying_why(
        make_rig, feed, site, clock, notifier, caplog):
    start = soon(20, clock)
    end = start + timedelta(minutes=5, seconds=50)
    one_webinar(feed, site, "slept-off", start, end)
    rig = make_rig(ics_config(feed.url), join="late_join = false\n")
    wait_for(lambda: rig.engine.last_refresh, 30, what="the first refresh")
    clock.jump(timedelta(minutes=6))  # woke 5+ min after the start: too late with late_join off
    rig.due_check()
    [p] = rig.engine.current_plan
    assert not p.auto_join and p.reason == "ended", p
    [rec] = rig.wait_final(90)  # judged once the webinar is over (the 30 s due-check tick)
    assert rec.state == "missed" and rec.joined_at is None, rec
    assert "slept through the webinar" in rec.error, rec.error
    assert site.visits_of("slept-off") == [], "never opened"
    assert notifier.of("joined") == [] and notifier.of("failed") == []
    assert f"missed {rec.id}" in caplog.text
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_clock_set_back_an_hour_after_a_join_never_joins_the_same_id_again(
        make_rig, feed, site, clock, notifier, caplog):
    start = soon(20, clock)
    end = start + timedelta(seconds=6)
    one_webinar(feed, site, "once", start, end)
    rig = make_rig(ics_config(feed.url))
    [rec] = rig.wait_final(60)
    assert rec.state == "attended", rec
    clock.jump(timedelta(hours=-1))  # the clock is set back: the webinar looks an hour ahead again
    for _ in range(3):
        rig.due_check()
    assert [p.id for p in rig.engine.current_plan] == [rec.id], "planned again, under the same id"
    clock.set(start - timedelta(seconds=20))  # ...and the hour is lived again up to its start
    deadline = time.monotonic() + 25  # the loop wakes for join_at - 15 s, and for the start
    while time.monotonic() < deadline:
        rig.due_check()
        time.sleep(1)
    assert len(site.visits_of("once", "page")) == 1, "joined once, never again"
    assert caplog.text.count(f"joining {rec.id}") == 1
    assert len(notifier.of("joined")) == 1
    [again] = rig.records()
    assert (again.state, again.joined_at, again.left_at) == (rec.state, rec.joined_at, rec.left_at), \
        "the record is untouched"
    rig.stop()
    assert_history_sound(rig.paths.database)


@pytest.fixture
def new_york_tz():
    """The process's local zone is America/New_York for the test, then restored exactly."""
    with local_zone("America/New_York"):
        yield


DST_ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//webinar-tray faults//EN
BEGIN:VEVENT
UID:dst-daily@faults
DTSTAMP:{stamp}
DTSTART;TZID=America/New_York:20270312T093020
DTEND;TZID=America/New_York:20270312T093040
RRULE:FREQ=DAILY;COUNT=5
SUMMARY:Daily DST webinar
DESCRIPTION:Join: {url}
END:VEVENT
END:VCALENDAR
"""


def test_dst_change_inside_the_window_joins_at_the_right_instant_once(
        make_rig, feed, site, clock, new_york_tz):
    # US clocks go forward on 2027-03-14 at 02:00 EST: 09:30:20 local is 14:30:20Z before the
    # change and 13:30:20Z after it. The engine wakes at 13:30:00Z on the 14th; the change is
    # 6.5 h behind it, inside the window it fetches and plans.
    right = datetime(2027, 3, 14, 13, 30, 20, tzinfo=timezone.utc)
    assert datetime(2027, 3, 14, 9, 30, 20).astimezone().astimezone(timezone.utc) == right, "TZ in force"
    feed.body = DST_ICS.replace("\n", "\r\n").format(stamp=z(datetime.now(timezone.utc)),
                                                     url=site.url_for("dst"))
    clock.set(right - timedelta(seconds=20))
    rig = make_rig(ics_config(feed.url))
    [rec] = rig.wait_final(60)
    assert rec.start == right and rec.end == right + timedelta(seconds=20), rec
    assert rec.state == "attended", rec
    [opened] = site.visits_of("dst", "page")
    join_at = right - timedelta(seconds=2)  # lead_seconds
    assert join_at <= clock.to_clock(opened.at) < rec.end, "opened at the right instant, not an hour off"
    later = {p.start for p in rig.engine.current_plan}
    assert right + timedelta(days=1) in later, "the next day's instance is also 13:30:20Z"
    rig.stop()
    assert_history_sound(rig.paths.database)
    assert len(rig.records()) == 1, "one record: the instance before the change was before the first run"
