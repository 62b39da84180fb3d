"""The engine with fakes of our own ports and a fake clock: reconciliation, dedup, restarts."""

from datetime import timedelta

import pytest

from tests.fakes import T0, FakeClock, FakeJoiner, FakeNotifier, FakeSource, event
from webinar_tray.core.settings import NotificationSettings, Settings
from webinar_tray.ports import SignInNeeded, SourceError
from webinar_tray.runtime.engine import PRESTART, Engine
from webinar_tray.runtime.store import Store


class Rig:
    def __init__(self, tmp_path, events=(), settings=Settings(), clock=None):
        self.tmp_path = tmp_path
        self.clock = clock or FakeClock()
        self.source = FakeSource(events)
        self.settings = settings
        self.new_engine()

    def new_engine(self):
        """A fresh engine on the same database: what a restart of the app is."""
        self.store = Store(self.tmp_path / "db.sqlite3")
        self.joiner = FakeJoiner(self.clock)
        self.notifier = FakeNotifier()
        self.engine = Engine(settings=self.settings, store=self.store, sources=[self.source],
                             joiner=self.joiner, notifier=self.notifier, clock=self.clock)
        return self.engine

    def tick(self, **advance):
        if advance:
            self.clock.advance(**advance)
        self.engine.due_check()

    def history(self):
        return self.store.attendances()

    def attending_for(self, minutes):
        """Refresh, join the first planned webinar on time and stay `minutes`; returns its job."""
        self.engine.refresh()
        self.tick()
        job = self.joiner.calls[0]
        self.clock.t = job.join_at
        self.joiner.joined(job.id)
        self.tick(minutes=minutes)
        return job


def test_a_join_planned_23_hours_ahead_fires_on_time(tmp_path):
    start = T0 + timedelta(hours=23)
    r = Rig(tmp_path, [event(start=start)])
    r.engine.refresh()
    # hourly refreshes and due checks for 22 hours: nothing fires
    for _ in range(22):
        r.clock.advance(hours=1)
        r.engine.refresh()
        r.engine.due_check()
    assert r.joiner.calls == []
    join_at = start - timedelta(seconds=r.settings.join.lead_seconds)
    assert r.engine.next_deadline() <= join_at - PRESTART
    r.clock.t = join_at - PRESTART - timedelta(seconds=1)
    r.tick()
    assert r.joiner.calls == []
    r.tick(seconds=1)
    assert len(r.joiner.calls) == 1 and r.joiner.calls[0].join_at == join_at


def test_two_refreshes_in_the_same_hour_join_once(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=1))])
    r.engine.refresh()
    r.tick()
    r.engine.refresh()
    r.tick(minutes=10)
    r.engine.refresh()
    r.tick(minutes=20)
    assert len(r.joiner.calls) == 1
    assert len(r.history()) == 1


def test_full_attendance_is_recorded_once_with_notifications(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=10))])
    r.engine.refresh()
    r.tick(minutes=5)  # reminder time
    assert r.notifier.kinds() == ["reminder"]
    r.tick(minutes=4)  # join_at - prestart passed
    job = r.joiner.calls[0]
    r.clock.t = job.join_at
    r.joiner.joined(job.id)
    assert r.store.get(job.id).state == "attending"
    r.clock.t = job.leave_at
    r.joiner.done(job.id)
    [a] = r.history()
    assert a.state == "attended" and a.joined_at == job.join_at and a.left_at == job.leave_at
    assert r.notifier.kinds() == ["reminder", "joined", "ended"]
    r.engine.refresh()
    r.tick(minutes=1)
    assert len(r.joiner.calls) == 1


def test_restart_mid_webinar_resumes_the_same_record_once(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=1))])
    job = r.attending_for(minutes=10)
    r.engine.close()  # the app is quit mid-webinar: pages closed, history written
    a = r.store.get(job.id)
    assert a.interrupted and a.left_at == r.clock.now()
    r.store.close()

    r.clock.advance(minutes=3)
    r.new_engine()
    r.engine.resume_interrupted()
    r.engine.due_check()
    r.engine.refresh()
    r.engine.due_check()
    assert len(r.joiner.calls) == 1, "one rejoin by the new engine, not two"
    r.joiner.joined(job.id)
    r.clock.t = job.leave_at
    r.joiner.done(job.id)
    [a] = r.history()
    assert a.joined_at == job.join_at
    assert len(a.gaps) == 1 and a.gaps[0]["why"] == "app not running"
    assert a.state == "attended"  # a 3-minute gap is within the tolerance

    r.store.close()
    r.new_engine()
    r.engine.resume_interrupted()
    r.tick(minutes=1)
    assert r.joiner.calls == [] and len(r.history()) == 1


def test_crash_mid_webinar_then_restart_after_the_end_is_judged_not_rejoined(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=1), minutes=30)])
    r.engine.refresh()
    r.tick()
    job = r.joiner.calls[0]
    r.joiner.joined(job.id)
    r.tick(minutes=1)  # heartbeat
    r.store.close()  # crash: no close(), the row stays "attending"
    r.clock.advance(hours=2)
    r.new_engine()
    r.engine.resume_interrupted()
    r.engine.due_check()
    assert r.joiner.calls == []
    [a] = r.history()
    assert a.state == "partial" and a.left_at is not None


def test_a_moved_event_joins_at_its_new_time_only(tmp_path):
    ev = event(start=T0 + timedelta(hours=2))
    r = Rig(tmp_path, [ev])
    r.engine.refresh()
    moved = event(start=T0 + timedelta(hours=3))
    assert moved.event_id == ev.event_id
    r.source.events = [moved]
    r.engine.refresh()
    r.clock.t = ev.start
    r.tick()
    assert r.joiner.calls == []
    r.clock.t = moved.start - timedelta(seconds=60)
    r.tick()
    assert [j.start for j in r.joiner.calls] == [moved.start]


def test_a_removed_event_is_not_joined(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(hours=1))])
    r.engine.refresh()
    r.source.events = []
    r.engine.refresh()
    r.tick(hours=1)
    assert r.joiner.calls == []


def test_a_failed_refresh_keeps_the_last_good_events(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(hours=1))])
    r.engine.refresh()
    r.source.error = SourceError("network down")
    result = r.engine.refresh()
    assert result.failed and len(r.engine.current_plan) == 1
    r.tick(hours=1)
    assert len(r.joiner.calls) == 1


def test_signin_needed_is_notified_once_and_exposed(tmp_path):
    r = Rig(tmp_path, [event()])
    r.engine.refresh()
    r.source.error = SignInNeeded("token revoked")
    r.engine.refresh()
    r.engine.refresh()
    assert r.engine.signin_needed and r.notifier.kinds().count("signin") == 1


def test_failure_to_join_is_recorded_with_the_reason(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=1))])
    r.engine.refresh()
    r.tick()
    job = r.joiner.calls[0]
    r.joiner.done(job.id, error="join button: no Enter/Join/Watch button appeared within 60 s")
    [a] = r.history()
    assert a.state == "failed" and "join button" in a.error
    assert r.notifier.sent[-1][0] == "failed" and "join button" in r.notifier.sent[-1][2]


def test_webinar_that_ran_while_the_app_was_off_is_missed(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(hours=1))])
    r.engine.refresh()
    r.store.close()
    r.clock.advance(hours=3)
    r.new_engine()
    r.engine.resume_interrupted()
    r.engine.due_check()
    [a] = r.history()
    assert a.state == "missed" and r.joiner.calls == []


def test_late_join_after_a_resume_from_sleep(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=5))])
    r.engine.refresh()
    r.tick(minutes=25)  # slept through the start
    assert len(r.joiner.calls) == 1


def test_late_join_off_does_not_join_a_running_webinar(tmp_path):
    from dataclasses import replace
    s = Settings()
    s = replace(s, join=replace(s.join, late_join=False))
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=5))], settings=s)
    r.engine.refresh()
    r.tick(minutes=25)
    assert r.joiner.calls == []


def test_turning_auto_join_off_and_join_now(tmp_path):
    ev = event(start=T0 + timedelta(hours=1))
    r = Rig(tmp_path, [ev])
    r.engine.refresh()
    r.engine.set_auto_join(ev.calendar_id, ev.event_id, False)
    r.tick(hours=1)
    assert r.joiner.calls == []
    [p] = r.engine.current_plan
    assert p.reason == "turned-off"
    assert "joining" in r.engine.join_now(p.id)
    assert len(r.joiner.calls) == 1 and r.joiner.calls[0].join_at == r.clock.now()


def test_adhoc_join_refuses_unsafe_links(tmp_path):
    r = Rig(tmp_path)
    with pytest.raises(ValueError):
        r.engine.join_url("javascript:alert(1)", 10)
    p = r.engine.join_url("https://www.brighttalk.com/webcast/1/2", 10)
    assert p.id.startswith("adhoc/") and r.joiner.calls == [p]


def test_reminder_whose_time_passed_fires_at_once_while_start_is_ahead(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=3))])
    r.engine.refresh()
    r.tick()
    assert r.notifier.kinds()[:1] == ["reminder"]


def test_notifications_off_sends_no_reminder(tmp_path):
    from dataclasses import replace
    s = replace(Settings(), notifications=NotificationSettings(enabled=False))
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=3))], settings=s)
    r.engine.refresh()
    r.tick()
    assert "reminder" not in r.notifier.kinds()


def test_a_deadline_that_passed_unnoticed_is_still_due(tmp_path):
    """The loop may wake a moment after a deadline: it must still see it as due."""
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=30))])
    r.engine.refresh()
    deadline = r.engine.next_deadline()
    r.clock.t = deadline + timedelta(seconds=2)
    assert r.engine.next_deadline() <= r.clock.now()
    r.tick(minutes=20)  # the reminder and the join are both due now
    assert len(r.joiner.calls) == 1
    assert r.engine.next_deadline() is None


def test_a_webinar_turned_off_gets_a_reminder_that_says_so(tmp_path):
    ev = event(start=T0 + timedelta(minutes=30))
    r = Rig(tmp_path, [ev])
    r.engine.refresh()
    r.engine.set_auto_join(ev.calendar_id, ev.event_id, False)
    assert r.engine.next_deadline() == ev.start - timedelta(minutes=5)
    r.clock.t = ev.start - timedelta(minutes=5)
    r.tick()
    assert r.notifier.kinds() == ["reminder"] and "Join now" in r.notifier.sent[0][2]
    assert r.joiner.calls == [] and r.engine.next_deadline() is None


def test_join_now_again_after_leaving_keeps_one_record_with_a_gap(tmp_path):
    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=1))])
    job = r.attending_for(minutes=10)
    r.joiner.leave(job.id)  # the user left
    r.tick(minutes=3)
    r.engine.join_now(job.id)
    r.joiner.joined(job.id)
    r.clock.t = job.leave_at
    r.joiner.done(job.id)
    [a] = r.history()
    assert [g["why"] for g in a.gaps] == ["left and joined again"] and a.state == "attended"


def test_a_due_check_plans_nothing_again_and_a_refresh_replans_only_what_changed(tmp_path, monkeypatch):
    from webinar_tray.core import planner as planner_module

    evs = [event(f"W{i} webinar", start=T0 + timedelta(hours=i + 1), event_id=f"w{i}") for i in range(20)]
    r = Rig(tmp_path, evs)
    r.engine.refresh()
    planned = []
    real = planner_module._plan_event
    monkeypatch.setattr(planner_module, "_plan_event", lambda e, *a: planned.append(e.event_id) or real(e, *a))
    for _ in range(5):
        r.tick(minutes=1)
        r.engine.next_deadline()
    assert planned == [], "due checks read the plan; they do not plan"
    r.source.events[3] = event("W3 webinar moved", start=evs[3].start, event_id="w3")
    r.engine.refresh()
    assert planned == ["w3"]
    assert sorted(e.title for e in r.store.events()) == sorted(e.title for e in r.engine.planner.events())
    assert "W3 webinar moved" in [p.title for p in r.engine.current_plan]


def test_the_organizer_reaches_the_attendance_record_and_the_cpe_report(tmp_path):
    from webinar_tray.core.cpe import report

    r = Rig(tmp_path, [event(start=T0 + timedelta(minutes=1), organizer="events@isc2.org")])
    job = r.attending_for(30)
    assert r.store.get(job.id).organizer == "events@isc2.org"  # from the claim on
    r.clock.t = job.leave_at
    r.joiner.done(job.id)
    r.tick()
    [w] = report(r.history(), r.settings.history).webinars
    assert (w.organizer, w.outcome) == ("events@isc2.org", "attended")
