"""The engine keeps the OS wake at the next auto-join: through a recording fake of our Waker
port, with a fake clock, a real store and a fake source. The waker hears only of changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.fakes import T0, FakeClock, FakeJoiner, FakeNotifier, FakeSource, FakeWaker, event
from webinar_tray.core.settings import Settings, WakeSettings
from webinar_tray.runtime.engine import Engine
from webinar_tray.runtime.store import Store

H = timedelta(hours=1)
BEFORE = timedelta(seconds=60) + timedelta(minutes=3)  # lead_seconds, then [wake] minutes_before


def rig(tmp_path, events, settings=Settings()):
    clock = FakeClock()
    source, waker = FakeSource(events), FakeWaker()
    engine = Engine(settings=settings, store=Store(tmp_path / "db.sqlite3"), sources=[source],
                    joiner=FakeJoiner(clock), notifier=FakeNotifier(), clock=clock, waker=waker)
    return engine, source, waker, clock


def test_the_wake_follows_the_plan_and_the_os_hears_only_of_changes(tmp_path):
    first = event("Night webinar", start=T0 + 17 * H, event_id="night")
    engine, source, waker, clock = rig(tmp_path, [first])
    engine.due_check()  # before any refresh: nothing cached, nothing ahead (an old wake removed)
    assert waker.calls == [(None, "")]
    engine.refresh()
    engine.due_check()
    assert waker.calls[-1] == (first.start - BEFORE, "Night webinar")
    for _ in range(20):  # due checks every 30 s: no further OS call
        clock.advance(seconds=30)
        engine.due_check()
    assert len(waker.calls) == 2

    moved = replace(first, start=first.start + H, end=first.end + H)  # the organiser moved it
    source.events = [moved]
    engine.refresh()  # the refresh's events move the wake at once
    assert waker.calls[-1] == (moved.start - BEFORE, "Night webinar") and len(waker.calls) == 3
    engine.due_check()
    assert len(waker.calls) == 3

    earlier = event("Early webinar", start=T0 + 3 * H, event_id="early")
    source.events = [moved, earlier]
    engine.refresh()
    engine.due_check()
    assert waker.calls[-1] == (earlier.start - BEFORE, "Early webinar")

    engine.set_auto_join(earlier.calendar_id, earlier.event_id, False)  # the user turned it off
    engine.due_check()
    assert waker.calls[-1] == (moved.start - BEFORE, "Night webinar")

    source.events = []  # cancelled: no auto-join ahead, the wake is removed
    engine.refresh()
    engine.due_check()
    assert waker.calls[-1] == (None, "") and len(waker.calls) == 6
    engine.close()
    assert waker.closed


def test_the_next_webinar_is_woken_for_once_the_first_is_under_way(tmp_path):
    a = event("A webinar", start=T0 + 2 * H, event_id="a")
    b = event("B webinar", start=T0 + 8 * H, event_id="b")
    engine, source, waker, clock = rig(tmp_path, [a, b])
    engine.refresh()
    engine.due_check()
    assert waker.calls[-1] == (a.start - BEFORE, "A webinar")
    clock.t = a.start - BEFORE  # the wake time of A: the PC is awake, B is next
    engine.due_check()
    assert waker.calls[-1] == (b.start - BEFORE, "B webinar")


def test_wake_settings_apply_at_the_next_due_check(tmp_path):
    a = event("A webinar", start=T0 + 5 * H)
    engine, _, waker, _ = rig(tmp_path, [a])
    engine.refresh()
    engine.due_check()
    engine.apply_settings(replace(Settings(), wake=WakeSettings(minutes_before=10)))
    engine.due_check()
    assert waker.calls[-1] == (a.start - timedelta(seconds=60) - timedelta(minutes=10), "A webinar")
    engine.apply_settings(replace(Settings(), wake=WakeSettings(enabled=False)))
    engine.due_check()
    assert waker.calls[-1] == (None, "")
    engine.due_check()
    assert len(waker.calls) == 3


def test_an_engine_without_a_waker_runs_as_before(tmp_path):
    clock = FakeClock()
    engine = Engine(settings=Settings(), store=Store(tmp_path / "db.sqlite3"),
                    sources=[FakeSource([event(start=T0 + H)])], joiner=FakeJoiner(clock),
                    notifier=FakeNotifier(), clock=clock)
    engine.refresh()
    engine.due_check()
    engine.close()
    assert engine.wake.waker is None and engine.wake.told is not None  # never told anything


def test_the_waker_hears_a_clean_title(tmp_path):
    a = event("Evil\x1b[2J\nwebinar\u202e", start=T0 + 5 * H)
    engine, _, waker, _ = rig(tmp_path, [a])
    engine.refresh()
    engine.due_check()
    assert waker.calls[-1] == (a.start - BEFORE, "Evil[2J webinar")
