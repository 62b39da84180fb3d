"""The incremental planner (core/planner), example by example; tests/property/test_plan_props.py
compares it with a full rebuild through random edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.fakes import T0, event
from webinar_tray.core.plan import plan
from webinar_tray.core.planner import Planner
from webinar_tray.core.settings import JoinSettings, Settings

S = Settings()
URL = "https://www.brighttalk.com/webcast/288/1"


def ev(title="Quarterly webinar", start=T0 + timedelta(hours=1), minutes=60, **kw):
    return event(title, start=start, minutes=minutes, url=URL, **kw)


def test_the_plan_is_the_full_plans():
    a, b = ev("A webinar"), ev("B webinar", start=T0 + timedelta(hours=2), event_id="b")
    p = Planner(S)
    p.set_source("s", [b, a])
    assert p.plan(T0) == plan([b, a], S, {}, T0)
    assert [x.title for x in p.plan(T0)] == ["A webinar", "B webinar"]


def test_ended_is_applied_when_asked_not_when_planned():
    late_off = replace(S, join=JoinSettings(late_join=False))
    e = ev(start=T0)
    p = Planner(late_off)
    p.set_source("s", [e])
    assert p.plan(T0)[0].auto_join
    later = T0 + timedelta(minutes=3)
    [x] = p.plan(later)
    assert (x.auto_join, x.reason, x.join_at) == (False, "ended", None)
    assert p.plan(later) == plan([e], late_off, {}, later)


def test_a_change_replans_only_what_it_touches():
    a, b = ev("A webinar"), ev("B webinar", event_id="b")
    p = Planner(S)
    p.set_source("s", [a, b])
    before = p.plan(T0)
    p.set_override("cal@example.com/b", False)
    after = p.plan(T0)
    assert after[0] is before[0], "the untouched event's plan is the same object"
    assert after[1].reason == "turned-off"
    p.set_source("s", [a])
    assert [x.title for x in p.plan(T0)] == ["A webinar"]


def test_the_near_part_and_the_upcoming_ones():
    evs = [ev(f"W{i} webinar", start=T0 + timedelta(hours=i), event_id=f"e{i}") for i in range(5)]
    p = Planner(S)
    p.set_source("s", evs)
    assert [x.title for x in p.plan(T0, until=T0 + timedelta(hours=2))] == ["W0 webinar", "W1 webinar"]
    it = p.upcoming(T0 + timedelta(minutes=90))
    assert [next(it).title, next(it).title] == ["W1 webinar", "W2 webinar"], "the running one first"


def test_ended_auto_joins_are_judged_once_settled():
    e = ev(start=T0 - timedelta(hours=2))
    p = Planner(S, known_since=T0 - timedelta(hours=5))
    p.set_source("s", [e])
    [x] = p.ended(T0)
    assert x == plan([e], S, {}, e.start)[0]
    p.settle(x.id)
    assert p.ended(T0) == []
    assert Planner(S).ended(T0) == [], "no first run known: nothing is missed"


def test_a_long_event_still_running_is_planned():
    e = ev(start=T0 - timedelta(days=2), minutes=3 * 24 * 60)
    p = Planner(S)
    p.set_source("s", [e, ev(event_id="other")])
    assert [x.event_id for x in p.plan(T0)] == [x.event_id for x in plan([e, ev(event_id="other")], S, {}, T0)]
    assert p.plan(T0)[0].event_id == e.event_id
