"""A real engine for the tray's tests: a temp home with a config.toml and an ICS calendar file, a
Context loaded from it, and EngineHost.start() (the real engine thread, store, channel, config
watcher and an idle Playwright joiner: no event is due, so no browser is started). Only our own
ports are faked: the Notifier, and the icon standing in for TrayIcon."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.helpers import ics, wait_for
from tests.fakes import FakeNotifier
from webinar_tray.compose import Context
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


def new_host(notifier, on_change=None) -> EngineHost:
    return EngineHost(Context.load(resolve_paths()), notifier=notifier, on_change=on_change)


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


@pytest.fixture
def fake_xdg_open(tmp_path, monkeypatch):
    """A fake `xdg-open` first on PATH; returns the file where it writes each argument it got."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "xdg-open.txt"
    script = bin_dir / "xdg-open"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{record}'\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return record


def recorded(record: Path, n: int = 1) -> list[str]:
    """The arguments the fake program got, once it has been run `n` times."""
    return wait_for(lambda: record.exists() and len(record.read_text().splitlines()) >= n
                    and record.read_text().splitlines(), 30, every=0.05, what=f"{record.name}")


class StubIcon:
    """Stands in for adapters/desktop/tray/icon.TrayIcon: run() blocks until stop(); show() records."""

    backend = "stub"
    has_menu = True
    can_notify = False

    def __init__(self, dispatch, initial):
        self.dispatch = dispatch
        self.initial = initial
        self.shown = []  # (MenuState, thread name)
        self.shown_after_stop = 0
        self.stops = 0
        self._stopped = threading.Event()
        self._cond = threading.Condition()

    def run(self, on_ready, on_main_thread=None):
        on_ready()
        self._stopped.wait()

    def stop(self):
        with self._cond:
            self.stops += 1
        self._stopped.set()

    def show(self, state):
        with self._cond:
            self.shown_after_stop += self._stopped.is_set()
            self.shown.append((state, threading.current_thread().name))
            self._cond.notify_all()

    def notify(self, title, message):  # pragma: no cover - can_notify is False
        raise AssertionError("not asked: can_notify is False")

    def wait_shown(self, n: int, timeout: float = 30) -> list:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.shown) >= n, timeout), \
                f"{len(self.shown)} menus shown, waited for {n}"
            return list(self.shown)


class RunningTray:
    def __init__(self, app, thread, notifier):
        self.app, self.thread, self.notifier = app, thread, notifier

    @property
    def icon(self) -> StubIcon:
        return self.app.icon

    @property
    def host(self):
        return self.app.host


@pytest.fixture
def tray(configured, notifier):
    """TrayApp.run() on a thread of its own (the main thread's part is the stub icon's run(), so
    no signal handler is installed in the test process), with the engine's on_change wired to it
    as commands/tray.py does. Yields once the icon is up, the first refresh done and its menu
    shown."""
    from webinar_tray.ui.app import TrayApp

    app = None
    host = new_host(notifier, on_change=lambda: app and app.changed())
    app = TrayApp(host, notifier, icon_factory=StubIcon)
    errors = []

    def main():
        try:
            app.run()
        except BaseException as e:  # pragma: no cover - shown by the assertion below
            errors.append(e)

    thread = threading.Thread(target=main, name="tray-main", daemon=True)
    thread.start()
    try:
        wait_for(lambda: errors or (app.icon is not None and host.engine is not None
                                    and host.engine.last_refresh is not None), 30, every=0.05,
                 what="the tray to start")
        assert not errors, errors
        app.icon.wait_shown(1)
        yield RunningTray(app, thread, notifier)
    finally:
        app.quit()
        thread.join(60)
        assert not thread.is_alive(), "TrayApp.run() returned after quit()"
        assert not errors, errors
