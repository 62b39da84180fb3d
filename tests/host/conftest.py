"""The real engine host for its wiring tests: a temp home with a config.toml and an ICS calendar
file, a Context loaded from it, and the host compose.build_host makes, started (the real engine
thread, store, channel, config watcher and an idle Playwright joiner: no event is due, so no
browser is started). Only the Notifier, our own port, is faked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.helpers import ics, wait_for
from tests.fakes import FakeNotifier
from webinar_tray.compose import Context, build_host
from webinar_tray.config.paths import resolve_paths
from webinar_tray.host import EngineHost

CONFIG = """\
# my webinar-tray settings (this comment must survive the tray's toggles)
[ics]
urls = ["cal.ics"]   # the team calendar

[join]
headless = false     # I want to see the page
"""

WEBINAR_URL = "https://www.brighttalk.com/webcast/5385/612345?utm_source=cal&pwd=s3cr3t"


def calendar_events(now: datetime) -> list[dict]:
    """Nothing here is due: the first join is hours away, reminders come 5 minutes before."""
    start = now.replace(microsecond=0) + timedelta(hours=3)
    return [
        {"uid": "cloud-1", "start": start, "end": start + timedelta(hours=1),
         "title": "Cloud security webinar", "description": f"Join: {WEBINAR_URL}"},
        {"uid": "vendor-1", "start": start + timedelta(hours=1), "end": start + timedelta(hours=2),
         "title": "Vendor webinar", "description": "Register here: javascript:alert(1)"},
    ]


def write_calendar(home: Path, events: list[dict]) -> None:
    (home / "cal.ics").write_text(ics(*events))


@pytest.fixture
def configured(home):
    """A home with config.toml and cal.ics; returns the home."""
    write_calendar(home, calendar_events(datetime.now(timezone.utc)))
    (home / "config.toml").write_text(CONFIG)
    return home


def new_host(notifier, on_change=None, **kw) -> EngineHost:
    return build_host(Context.load(resolve_paths()), notifier=notifier, on_change=on_change, **kw)


def by_title(engine, title):
    hits = [p for p in engine.current_plan if p.title == title]
    assert len(hits) == 1, [p.title for p in engine.current_plan]
    return hits[0]


@pytest.fixture
def notifier():
    return FakeNotifier()


@pytest.fixture
def host(configured, notifier):
    """A started EngineHost whose first refresh has read the calendar."""
    h = new_host(notifier)
    h.start()
    try:
        wait_for(lambda: h.engine.last_refresh is not None, 30, every=0.05, what="the first refresh")
        assert h.engine.last_refresh.ok, h.engine.last_refresh
        yield h
    finally:
        h.stop()




@pytest.fixture(autouse=True)
def a_display(monkeypatch):
    """A display to show a browser on (none is started: nothing is due), so the headless mode in
    force follows config.toml; the no-display fallback has a test of its own."""
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
