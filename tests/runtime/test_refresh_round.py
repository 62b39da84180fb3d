"""Refresh off the engine thread: each source on its own thread with its own deadline, outcomes
applied on the engine thread, a slow source holding back neither the others nor a due join."""

from __future__ import annotations

import threading
from datetime import timedelta

from tests.e2e.helpers import wait_for
from tests.fakes import T0, FakeClock, FakeJoiner, FakeNotifier, FakeSource, event
from webinar_tray.core.settings import RefreshSettings, Settings
from webinar_tray.runtime import sync
from webinar_tray.runtime.engine import Engine
from webinar_tray.runtime.loop import EngineLoop
from webinar_tray.runtime.store import Store


class BlockedSource(FakeSource):
    """Answers only when `release` is set, checking its deadline while it waits (as a real source
    checks it while reading)."""

    def __init__(self, events=(), name="slow calendar", honour_deadline=True):
        super().__init__(events, name)
        self.release = threading.Event()
        self.started = threading.Event()
        self.honour_deadline = honour_deadline

    def fetch(self, start, end, deadline=None):
        self.started.set()
        while not self.release.wait(0.02):
            if self.honour_deadline and deadline is not None:
                deadline.check()
        return super().fetch(start, end)


def test_a_slow_source_does_not_hold_back_the_others():
    slow, quick = BlockedSource([event("Slow webinar")]), FakeSource([event("Quick webinar")], "quick")
    got, done = [], threading.Event()
    r = sync.Round([slow, quick], T0, RefreshSettings(timeout_seconds=30))
    r.start(lambda o: done.set() if o is None else got.append(o))
    wait_for(lambda: got, 10, every=0.02, what="the quick source's outcome")
    assert [o.source for o in got] == [quick] and not done.is_set()
    slow.release.set()
    assert done.wait(10)
    assert [o.source for o in got] == [quick, slow] and all(o.events for o in got)


def test_a_source_past_its_deadline_is_reported_and_its_late_answer_ignored():
    stuck = BlockedSource(honour_deadline=False)  # stuck in a library call: never checks
    busy: dict = {}
    outcomes = sync.Round([stuck], T0, RefreshSettings(timeout_seconds=1), busy).wait()
    assert len(outcomes) == 1 and outcomes[0].events is None
    assert "no answer within 1 s" in outcomes[0].error and "timeout_seconds" in outcomes[0].error
    # the next round does not start a second fetch of a source still stuck in the first
    again = sync.Round([stuck], T0, RefreshSettings(timeout_seconds=1), busy).wait()
    assert "still busy" in again[0].error and stuck.fetches == 0
    stuck.release.set()
    wait_for(lambda: not busy[sync.source_key(stuck)].is_alive(), 10, every=0.02, what="the stuck fetch")
    assert stuck.fetches == 1
    ok = sync.Round([stuck], T0, RefreshSettings(timeout_seconds=5), busy).wait()
    assert ok[0].error is None and stuck.fetches == 2


def test_a_source_that_checks_its_deadline_stops_with_a_timeout():
    slow = BlockedSource()
    [o] = sync.Round([slow], T0, RefreshSettings(timeout_seconds=1)).wait()
    assert o.events is None and "timeout_seconds" in o.error and slow.started.is_set()
    assert not slow.release.is_set() and slow.fetches == 0, "it stopped at the deadline, unreleased"


def test_the_engine_joins_and_answers_while_a_source_is_still_fetching(tmp_path):
    """The loop's refresh runs in the background: a due join starts and a command sent to the
    engine thread is answered while a source is still fetching; the slow source's events are
    applied when they arrive, the failed one keeps its cache."""
    clock = FakeClock(T0)
    due = event("Due webinar", start=T0 + timedelta(seconds=30))
    later = event("Later webinar", start=T0 + timedelta(hours=5))
    store = Store(tmp_path / "db.sqlite3")
    store.replace_events("quick", [due], T0)  # the cache from the last run
    slow = BlockedSource([later])
    joiner = FakeJoiner(clock)
    engine = Engine(settings=Settings(), store=store, sources=[slow, FakeSource([due], "quick")],
                    joiner=joiner, notifier=FakeNotifier(), clock=clock)
    loop = EngineLoop(engine)
    loop.start()
    try:
        assert slow.started.wait(10), "the first refresh started"
        wait_for(lambda: joiner.calls, 10, every=0.02, what="the due join while the refresh runs")
        assert joiner.calls[0].title == "Due webinar" and not slow.release.is_set()
        assert loop.call(lambda: "answered").result(5) == "answered"
        assert engine.refreshing
        assert "Later webinar" not in [p.title for p in engine.current_plan]
        slow.release.set()
        wait_for(lambda: not engine.refreshing, 10, every=0.02, what="the end of the refresh")
        assert "Later webinar" in [p.title for p in engine.current_plan]
        assert set(engine.last_refresh.ok) == {slow.name, "quick"} and not engine.last_refresh.failed
    finally:
        slow.release.set()
        loop.stop()
        store.close()


def test_two_ics_addresses_on_one_host_keep_their_own_events(tmp_path):
    """Issue 12: both secret addresses on one host read "ICS http://host/…"; the store keys
    them apart, so neither replaces the other's events. Rows cached under the old key (the name
    alone) are forgotten by the round, which has refilled them under the new keys."""
    from tests.feeds import ConditionalFeed, calendar, vevent
    from webinar_tray.adapters.calendar.ics.source import IcsSource

    feed = ConditionalFeed(calendar(vevent("a", T0 + timedelta(hours=2), title="A webinar")))
    feed.bodies["/private-b/basic.ics"] = calendar(vevent("b", T0 + timedelta(hours=3), title="B webinar"))
    try:
        a, b = IcsSource(feed.url("a"), tmp_path), IcsSource(feed.url("b"), tmp_path)
        store = Store(tmp_path / "db.sqlite3")
        store.replace_events(a.name, [event("Cached under the old key")], T0)  # before the upgrade
        for _ in range(2):  # the second round answers both from 304s
            result = sync.refresh([a, b], store, T0, RefreshSettings())
            assert sorted(result.ok) == [a.name, b.name] and not result.failed
            assert sorted(e.title for e in store.events()) == ["A webinar", "B webinar"]
        assert {s.source for s in store.sources()} == {a.key, b.key}
        assert feed.answers == {200: 2, 304: 2}
    finally:
        feed.close()
