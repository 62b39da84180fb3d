"""doctor's `wake` check: will the PC be awake for the next auto-join?

The next auto-join comes from the cached plan (the store's events and the Google mirrors, as
`list --offline` reads them; nothing is fetched, and no database is created). On Windows: the power plan (does the PC
sleep on AC power, and before that webinar? are wake timers allowed?) and the Task Scheduler
task the running app keeps; ok is False only when the PC sleeps and wake timers are off (the
fix turns them on). On macOS and Linux waking needs admin rights, so the check does not apply
(ok None, doctor still passes) and its detail is the exact command for the next webinar."""

from __future__ import annotations

from datetime import datetime

from webinar_tray.core.diagnosis import SKIPPED_CONFIG, Result, State
from webinar_tray.core.text import clean_line
from webinar_tray.core.wake import WakeFor, next_wake


def cached_next_wake(s: State, now: datetime) -> WakeFor | None:
    if not s.paths.database.exists():
        return None
    from webinar_tray.compose import cached_events
    from webinar_tray.core.plan import plan
    from webinar_tray.runtime.store import Store

    store = Store(s.paths.database)
    try:
        events, overrides = cached_events(s.settings, s.paths, store, now), store.overrides()
    finally:
        store.close()
    return next_wake(plan(events, s.settings, overrides, now), now, s.settings.wake)


def when(t: datetime) -> str:
    return t.astimezone().strftime("%a %d %b %H:%M")


def next_text(w: WakeFor | None) -> str:
    if w is None:
        return "no auto-join ahead in the cached plan"
    return f"next auto-join {when(w.plan.join_at)} ({clean_line(w.plan.title, 60)}), wake at {when(w.at)}"


def wake(s: State, runner=None) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if s.paths.demo:
        return None, "not used with --demo", None
    if not s.settings.wake.enabled:
        return None, "off ([wake] enabled = false)", None
    from webinar_tray.compose import wake_report

    now = s.env.clock.now()
    w = cached_next_wake(s, now)
    return wake_report(s.env, s.paths.home, w, now, next_text(w), runner=runner)
