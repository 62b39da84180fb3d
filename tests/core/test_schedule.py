"""What is due (core/schedule), table-driven with a fixed `now` and hand-built plans."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.fakes import T0, event
from webinar_tray.core.attendance import Attendance
from webinar_tray.core.events import override_key, plan_id
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.schedule import (
    PRESTART, Missed, Remind, Resume, Conclude, Start, due, next_deadline, recover, wanted,
)
from webinar_tray.core.settings import JoinSettings, NotificationSettings, Settings

S = Settings()  # reminders 5 min ahead, join 60 s ahead, leave 300 s after the end, late join on
START = T0 + timedelta(minutes=30)
END = START + timedelta(hours=1)
JOIN_AT = START - timedelta(seconds=60)
LEAVE_AT = END + timedelta(seconds=300)
REMIND_AT = START - timedelta(minutes=5)
SEC = timedelta(seconds=1)


def pj(*, id="cal/ev/1", auto=True, reason=None, webinar=True, url="https://www.brighttalk.com/webcast/1/2",
       start=START, end=END) -> PlannedJoin:
    return PlannedJoin(
        id=id, calendar_id="cal", event_id=id.split("/")[1], title="Think Tank", start=start, end=end,
        join_url=url, provider="BrightTALK", auto_join=auto, reason=reason,
        join_at=start - timedelta(seconds=60) if auto else None, leave_at=end + timedelta(seconds=300),
        is_webinar=webinar, steps="brighttalk",
    )


def kinds(decisions) -> list[str]:
    return [type(d).__name__ for d in decisions]


# ---- wanted -----------------------------------------------------------------------------------

@pytest.mark.parametrize("p, expected", [
    (pj(), True),                                                   # an auto-join
    (pj(auto=False, reason="turned-off"), True),                    # one may join by hand
    (pj(auto=False, reason="unknown-host"), True),
    (pj(auto=False, reason="declined"), True),
    (pj(auto=False, reason="turned-off", url=None), False),         # nothing to join
    (pj(auto=False, reason="turned-off", webinar=False), False),    # not a webinar
    (pj(auto=False, reason="no-rule", webinar=False), False),
    (pj(auto=False, reason="cancelled"), False),
    (pj(auto=False, reason="all-day"), False),
    (pj(auto=False, reason="ended"), False),
])
def test_wanted(p, expected):
    assert wanted(p) is expected


def test_the_menu_uses_the_same_wanted():
    from webinar_tray.core import menu, schedule
    assert menu.wanted is schedule.wanted


# ---- reminders and starts -----------------------------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    (REMIND_AT - SEC, []),                      # before the reminder window
    (REMIND_AT, ["Remind"]),                    # its first instant
    (START - timedelta(minutes=2), ["Remind"]),
    (JOIN_AT - PRESTART - SEC, ["Remind"]),     # the browser not started yet
    (JOIN_AT - PRESTART, ["Remind", "Start"]),  # started PRESTART before join_at
    (START - SEC, ["Remind", "Start"]),         # the reminder's last instant
    (START, ["Start"]),                         # no reminder once it has begun
    (END, ["Start"]),                           # a late join, after the end but within the grace
    (LEAVE_AT - SEC, ["Start"]),                # late join until leave_at
    (LEAVE_AT, []),
])
def test_reminder_window_and_start_edges(now, expected):
    assert kinds(due([pj()], {}, now, S)) == expected


@pytest.mark.parametrize("now, minutes", [
    (REMIND_AT, 5), (START - timedelta(seconds=150), 2), (START - timedelta(seconds=89), 1), (START - SEC, 1),
])
def test_reminder_minutes_are_rounded_and_never_zero(now, minutes):
    [d] = [d for d in due([pj()], {}, now, S) if isinstance(d, Remind)]
    assert d.minutes == minutes and d.title == f"Webinar in {minutes} min"


@pytest.mark.parametrize("p, says", [
    (pj(), "joining automatically"),
    (pj(auto=False, reason="turned-off"), "not joined automatically: use Join now"),
])
def test_the_reminder_says_whether_it_joins(p, says):
    [d] = due([p], {}, REMIND_AT, S)
    assert isinstance(d, Remind) and d.message == f"Think Tank — {says}"


@pytest.mark.parametrize("case, kw, settings, expected", [
    ("reminded already", dict(reminded={"cal/ev/1"}), S, []),
    ("notifications off", {}, replace(S, notifications=NotificationSettings(enabled=False)), []),
    ("10-minute reminders", {}, replace(S, notifications=NotificationSettings(remind_minutes=10)), ["Remind"]),
    ("a record exists", dict(states={"cal/ev/1": "failed"}), S, []),
    ("being attended", dict(active={"cal/ev/1"}), S, []),
    ("another id reminded", dict(reminded={"cal/ev/2", "refresh-failing:x"}), S, ["Remind"]),
])
def test_reminders_only_once_and_only_when_wanted(case, kw, settings, expected):
    states = kw.pop("states", {})
    assert kinds(due([pj()], states, REMIND_AT, settings, **kw)) == expected, case


@pytest.mark.parametrize("p, now, expected", [
    (pj(auto=False, reason="turned-off"), JOIN_AT, ["Remind"]),   # reminded, never started
    (pj(auto=False, reason="turned-off"), START, []),
    (pj(auto=False, reason="no-rule", webinar=False), REMIND_AT, []),
    (pj(), JOIN_AT, ["Remind", "Start"]),
])
def test_only_auto_joins_start(p, now, expected):
    assert kinds(due([p], {}, now, S)) == expected


@pytest.mark.parametrize("states, active, expected", [
    ({}, (), ["Start", "Start"]),
    ({"cal/a/1": "joining"}, (), ["Start"]),
    ({}, {"cal/b/1"}, ["Start"]),
    ({"cal/a/1": "attended", "cal/b/1": "missed"}, (), []),
])
def test_taken_ids_are_skipped(states, active, expected):
    plan = [pj(id="cal/a/1", start=T0), pj(id="cal/b/1", start=T0)]
    assert kinds(due(plan, states, T0, S, active=active)) == expected


def test_decisions_keep_the_plan_order():
    a, b = pj(id="cal/a/1", start=START), pj(id="cal/b/1", start=START + timedelta(minutes=1))
    ds = due([a, b], {}, START - timedelta(seconds=10), S)
    assert [(type(d).__name__, d.plan.id) for d in ds] == [
        ("Remind", "cal/a/1"), ("Start", "cal/a/1"), ("Remind", "cal/b/1"), ("Start", "cal/b/1")]


# ---- missed ---------------------------------------------------------------------------------------

FIRST_RUN = T0
ENDED = event(start=T0 + timedelta(hours=1))  # 10:00-11:00
ENDED_ID = plan_id(ENDED.calendar_id, ENDED.event_id, ENDED.start)
AFTER = T0 + timedelta(hours=3)


def _missed(events=(ENDED,), states=None, now=AFTER, known_since=FIRST_RUN, settings=S, **kw):
    return [d for d in due([], states or {}, now, settings, events=events, known_since=known_since, **kw)]


def test_an_auto_join_that_ended_without_a_record_is_missed_as_planned_at_its_start():
    [d] = _missed()
    assert isinstance(d, Missed) and d.plan.auto_join and d.plan.start == ENDED.start
    assert d.plan.join_at == ENDED.start - timedelta(seconds=60)


@pytest.mark.parametrize("case, kw", [
    ("still running", dict(now=ENDED.end - SEC)),
    ("ended before the first run", dict(known_since=ENDED.start + SEC)),
    ("no first run known", dict(known_since=None)),
    ("has a record", dict(states={ENDED_ID: "failed"})),
    ("being attended", dict(active={ENDED_ID})),
    ("turned off", dict(overrides={override_key(ENDED.calendar_id, ENDED.event_id): False})),
    ("not a webinar", dict(events=(event("Weekly sync", start=T0, url="https://meet.google.com/a-b-c"),))),
    ("no events cached", dict(events=())),
])
def test_not_missed(case, kw):
    assert _missed(**kw) == [], case


@pytest.mark.parametrize("case, kw", [
    ("ended exactly now", dict(now=ENDED.end)),
    ("started at the first run", dict(known_since=ENDED.start)),
    ("late join off: planned as at its start", dict(settings=replace(S, join=JoinSettings(late_join=False)))),
    ("turned on by hand", dict(overrides={override_key(ENDED.calendar_id, ENDED.event_id): True})),
])
def test_missed(case, kw):
    assert kinds(_missed(**kw)) == ["Missed"], case


def test_an_event_cached_twice_is_missed_once_and_not_started():
    # ended, but still within its grace: without the missed record it would be a late join
    now = ENDED.end + timedelta(seconds=10)
    p = pj(id=ENDED_ID, start=ENDED.start, end=ENDED.end)
    ds = due([p], {}, now, S, events=(ENDED, ENDED), known_since=FIRST_RUN)
    assert kinds(ds) == ["Missed"] and ds[0].plan.id == p.id


# ---- records left by the last run -----------------------------------------------------------------

def rec(state="attending", interrupted=False, id="cal/ev/1") -> Attendance:
    return Attendance(id=id, title="Think Tank", provider="BrightTALK", join_url="https://x.example/w",
                      start=START, end=END, state=state, joined_at=START, interrupted=interrupted)


@pytest.mark.parametrize("case, record, plan, now, settings, expected", [
    ("crashed while attending, still running", rec(), [pj()], START + timedelta(minutes=20), S, "Resume"),
    ("crashed while joining", rec("joining"), [pj()], START, S, "Resume"),
    ("quit mid-webinar", rec("partial", interrupted=True), [pj()], START + timedelta(minutes=20), S, "Resume"),
    ("within the grace", rec(), [pj()], LEAVE_AT - SEC, S, "Resume"),
    ("after leave_at", rec(), [pj()], LEAVE_AT, S, "Conclude"),
    ("late join off", rec(), [pj()], START, replace(S, join=JoinSettings(late_join=False)), "Conclude"),
    ("no longer planned", rec(), [], START, S, "Conclude"),
    ("turned off since", rec(), [pj(auto=False, reason="turned-off")], START, S, "Conclude"),
    ("an ad-hoc join (never planned)", rec(id="adhoc/20261125T093000Z"), [pj()], START, S, "Conclude"),
    ("finished", rec("attended"), [pj()], START, S, None),
    ("failed", rec("failed"), [pj()], START, S, None),
])
def test_recover(case, record, plan, now, settings, expected):
    ds = recover([record], plan, now, settings)
    assert kinds(ds) == ([expected] if expected else []), case
    if expected:
        assert ds[0].record is record
    if expected == "Resume":
        assert ds[0].plan == replace(pj(), join_at=now)  # joined at once


def test_recover_skips_this_runs_own_jobs_and_keeps_the_order():
    a, b, c = rec(id="cal/a/1"), rec(id="cal/b/1"), rec("joining", id="cal/c/1")
    plan = [pj(id="cal/a/1"), pj(id="cal/c/1")]
    ds = recover([a, b, c], plan, START, S, active={"cal/a/1"})
    assert [(type(d), d.record.id) for d in ds] == [(Conclude, "cal/b/1"), (Resume, "cal/c/1")]


# ---- the next deadline ----------------------------------------------------------------------------

@pytest.mark.parametrize("case, p, now, kw, settings, expected", [
    ("the reminder first", pj(), T0, {}, S, REMIND_AT),
    ("reminded: the browser start", pj(), T0, dict(reminded={"cal/ev/1"}), S, JOIN_AT - PRESTART),
    ("notifications off", pj(), T0, {}, replace(S, notifications=NotificationSettings(enabled=False)),
     JOIN_AT - PRESTART),
    ("a passed deadline stays due", pj(), REMIND_AT + SEC, {}, S, REMIND_AT),
    ("running: the start (late join)", pj(), START, {}, S, JOIN_AT - PRESTART),
    ("not an auto-join: its reminder only", pj(auto=False, reason="turned-off"), T0, {}, S, REMIND_AT),
    ("not an auto-join, begun: nothing", pj(auto=False, reason="turned-off"), START, {}, S, None),
    ("not wanted: nothing", pj(auto=False, reason="no-rule", webinar=False), T0, {}, S, None),
    ("has a record", pj(), T0, dict(states={"cal/ev/1": "joining"}), S, None),
    ("being attended", pj(), T0, dict(active={"cal/ev/1"}), S, None),
    ("after leave_at", pj(), LEAVE_AT, {}, S, None),
])
def test_next_deadline(case, p, now, kw, settings, expected):
    states = kw.pop("states", {})
    assert next_deadline([p], states, now, settings, **kw) == expected, case


def test_next_deadline_is_the_earliest_of_the_plan_and_the_end_is_one():
    early, late = pj(id="cal/a/1", start=START), pj(id="cal/b/1", start=START + timedelta(hours=2))
    assert next_deadline([late, early], {}, T0, S) == REMIND_AT
    assert next_deadline([], {}, T0, S) is None
    # the end is a deadline too (a webinar nobody joined is judged at its end)
    only_end = replace(pj(), join_at=END + timedelta(hours=1))
    assert next_deadline([only_end], {}, START, S, reminded={"cal/ev/1"}) == END


def test_an_ordered_plan_is_read_only_as_far_as_an_earlier_deadline_can_come():
    from webinar_tray.core.schedule import reach

    plan = [pj(id=f"cal/e{i}/1", start=START + timedelta(hours=i), end=END + timedelta(hours=i)) for i in range(50)]
    read = []

    def reading():
        for p in plan:
            read.append(p.id)
            yield p

    assert next_deadline(reading(), {}, T0, S, ordered=True) == next_deadline(plan, {}, T0, S) == REMIND_AT
    assert len(read) == 2, "the second item starts too late to come earlier: reading stops"
    assert reach(S) == max(timedelta(minutes=5), timedelta(seconds=60) + PRESTART)


def test_ended_auto_joins_given_are_judged_as_the_events_are():
    ended = [replace(pj(id=ENDED_ID), start=ENDED.start, end=ENDED.end)]
    assert due([], {}, AFTER, S, ended=ended) == [Missed(ended[0])]
    assert due([], {ENDED_ID: "missed"}, AFTER, S, ended=ended) == []
    assert due([], {}, AFTER, S, ended=ended + ended) == [Missed(ended[0])], "once per id"


def test_the_reminder_of_a_session_just_after_spring_forward_comes_before_it():
    """An ICS session at 03:00 New York time on spring-forward day (07:00 UTC): its reminder is
    5 minutes before in real time, 06:55 UTC. Wall-time arithmetic gives 02:55, a time that day
    does not have, which reads as 07:55 UTC: after the start."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from webinar_tray.core.plan import plan

    start = datetime(2027, 3, 14, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    [p] = plan([event(start=start)], S, {}, start - timedelta(hours=3))
    remind_at = datetime(2027, 3, 14, 6, 55, tzinfo=timezone.utc)
    assert next_deadline([p], {}, start - timedelta(hours=1), S) == remind_at
    assert kinds(due([p], {}, remind_at, S)) == ["Remind"]
    assert kinds(due([p], {}, remind_at - SEC, S)) == []
