"""The tray serves the setup page: a test run (or the sign-in window) would hold the app's browser
profile, so while a webinar's join is due within the test run's span, the test run is refused
with the webinar's name and time instead of making the real join fail ("profile in use")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import wait_for
from tests.host.conftest import a_display, calendar_events, configured, host, notifier, write_calendar  # noqa: F401
from webinar_tray.core import commands as c
from webinar_tray.setup.backend import for_host


def test_a_test_run_is_refused_while_a_join_is_due_and_allowed_otherwise(host):
    backend = for_host(host)
    assert backend.busy() is None  # the calendar's first join is hours away

    now = datetime.now(timezone.utc).replace(microsecond=0)
    soon = now + timedelta(minutes=2)  # joined a minute before its start ([join] lead_seconds = 60)
    write_calendar(host.paths.home, calendar_events(now) + [
        {"uid": "soon-1", "start": soon, "end": soon + timedelta(hours=1), "title": "Zero trust webinar",
         "description": "Join: https://www.brighttalk.com/webcast/5385/700001"}])
    host.send(c.Refresh())
    wait_for(lambda: any(p.title == "Zero trust webinar" for p in host.view().plan), 30, what="the new webinar")

    state = backend.test_run.start(backend.settings())
    at = (soon - timedelta(minutes=1)).astimezone().strftime("%H:%M")
    assert state.state == "failed", state
    assert state.message == (f"the app joins “Zero trust webinar” at {at} in its browser: "
                             "try again after that webinar")
    assert backend.open_profile() == state.message  # the sign-in window would hold the profile too
