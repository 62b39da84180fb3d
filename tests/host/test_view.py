"""build_view() then tray_status(): the engine and a real sqlite store -> the host's EngineView ->
what the menu shows (core.menu.TrayStatus). The engine runs with fakes of our own ports
(calendar, joiner, notifier, clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.fakes import T0, FakeClock, FakeJoiner, FakeNotifier, FakeSource, event
from webinar_tray.core.settings import Settings
from webinar_tray.ports import SourceError
from webinar_tray.runtime.engine import Engine
from webinar_tray.runtime.store import Attendance, Store
from webinar_tray.host.view import build_view
from webinar_tray.ui.status import FAILURE_SHOWN_FOR, tray_status


@pytest.fixture
def rig(tmp_path):
    clock = FakeClock()
    store = Store(tmp_path / "db.sqlite3")
    source = FakeSource([
        event("Alpha webinar", start=T0 + timedelta(minutes=30)),
        event("Beta webinar", start=T0 + timedelta(minutes=40),
              url="https://www.brighttalk.com/webcast/5385/700002"),
        event("Gamma webinar", start=T0 + timedelta(hours=5),
              url="https://www.brighttalk.com/webcast/5385/700003"),
    ])
    joiner = FakeJoiner(clock)
    engine = Engine(settings=Settings(), store=store, sources=[source], joiner=joiner,
                    notifier=FakeNotifier(), clock=clock)
    engine.refresh()
    yield engine, source, joiner, clock
    store.close()


class Account:
    """A signed-in account as ports.Account shows it."""

    configured = True

    def __init__(self, who):
        self.who = who

    def name(self, sources):
        return self.who


def status(engine, clock, *, dismissed=frozenset(), account=None, demo=False, autostart=None):
    view = build_view(engine, account=account, demo=demo, dismissed=frozenset(dismissed))
    return tray_status(view, now=clock.now(), autostart=autostart)


def failed_row(id, title, end, error="step 'enter' timed out"):
    return Attendance(id=id, title=title, provider="BrightTALK", join_url="https://www.brighttalk.com/webcast/1/2",
                      start=end - timedelta(hours=1), end=end, state="failed", error=error)


def test_a_fresh_engine_shows_no_one_attending_and_its_settings(rig):
    engine, _, _, clock = rig
    s = status(engine, clock)
    assert s.attending == () and s.joining == frozenset() and s.failures == ()
    assert s.last_refresh == clock.now() and s.refresh_error is None and not s.signin_needed
    assert s.headless is False and s.notifications is True
    new = replace(engine.settings, join=replace(engine.settings.join, headless=True),
                  notifications=replace(engine.settings.notifications, enabled=False))
    engine.apply_settings(new)  # as the host applies settings: to the engine and its adapters
    engine.joiner.update_settings(new)
    engine.notifier.enabled = False
    s = status(engine, clock)
    assert s.headless is True and s.notifications is False


def test_attending_and_joining_are_told_apart(rig):
    engine, _, joiner, clock = rig
    alpha, beta, gamma = engine.current_plan
    assert engine.join_now(alpha.id).startswith("joining")
    assert engine.join_now(beta.id).startswith("joining")
    clock.advance(minutes=1)
    joiner.joined(alpha.id)  # the page is in; beta's join steps still run

    s = status(engine, clock)
    assert [(a.id, a.title, a.joined_at) for a in s.attending] == [(alpha.id, "Alpha webinar", clock.now())]
    assert s.joining == frozenset({beta.id})
    assert s.states == {alpha.id: "attending", beta.id: "joining"}

    joiner.done(beta.id, error="step 'enter' timed out")  # beta failed while being joined
    s = status(engine, clock)
    assert [a.id for a in s.attending] == [alpha.id] and s.joining == frozenset()
    assert s.states[beta.id] == "failed"
    assert [(f.id, f.title, f.reason) for f in s.failures] == [(beta.id, "Beta webinar", "step 'enter' timed out")]
    assert gamma.id not in s.states


def test_failures_are_shown_for_a_while_after_their_end_unless_dismissed(rig):
    engine, _, _, clock = rig
    now = clock.now()
    store = engine.store
    rows = [
        failed_row("c/recent/1", "Recent", now - timedelta(minutes=10)),
        failed_row("c/edge/1", "At the edge", now - FAILURE_SHOWN_FOR),
        failed_row("c/old/1", "Too old", now - FAILURE_SHOWN_FOR - timedelta(minutes=1)),
        failed_row("c/seen/1", "Seen already", now - timedelta(minutes=20)),
    ]
    for a in rows:
        assert store.claim(a, now)
    store.claim(replace(failed_row("c/ok/1", "Went fine", now - timedelta(minutes=5)), state="attended",
                        joined_at=now - timedelta(hours=1), error=None), now)

    s = status(engine, clock, dismissed={"c/seen/1"})
    assert [f.title for f in s.failures] == ["Recent", "At the edge"]
    assert s.failures[0].reason == "step 'enter' timed out" and s.failures[0].id == "c/recent/1"
    assert [f.title for f in status(engine, clock).failures] == ["Recent", "Seen already", "At the edge"]


def test_at_most_three_failures_newest_first(rig):
    engine, _, _, clock = rig
    now = clock.now()
    for n in range(5):
        engine.store.claim(failed_row(f"c/f{n}/1", f"F{n}", now - timedelta(minutes=10 * n)), now)
    s = status(engine, clock)
    assert [f.title for f in s.failures] == ["F0", "F1", "F2"]


def test_a_failed_refresh_is_told_with_each_sources_message(rig):
    engine, source, _, clock = rig
    other = FakeSource([], name="ICS file /home/me/cal.ics")
    engine.sources = [source, other]
    source.error = SourceError("HTTP 503 from www.example.com")
    other.error = SourceError("not found")
    clock.advance(minutes=5)
    engine.refresh()
    s = status(engine, clock)
    assert s.refresh_error == "fake calendar: HTTP 503 from www.example.com; ICS file /home/me/cal.ics: not found"
    assert s.last_refresh == clock.now()
    source.error = other.error = None
    engine.refresh()
    assert status(engine, clock).refresh_error is None


def test_account_google_autostart_and_demo_are_passed_through(rig):
    engine, _, _, clock = rig
    s = status(engine, clock, account=Account("me@example.com"), autostart=True, demo=True)
    assert (s.google, s.account, s.autostart, s.demo) == (True, "me@example.com", True, True)
    s = status(engine, clock, account=None, autostart=False, demo=False)
    assert (s.google, s.account, s.autostart, s.demo) == (False, None, False, False)
    engine.signin_needed = True
    assert status(engine, clock).signin_needed is True
