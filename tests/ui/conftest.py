"""The tray front end's tests: a FakeHost stands in for the engine host (its two doors, `send`
and `view`), a StubIcon for the pystray icon; the desktop programs are real (a BROWSER script,
a fake xdg-open first on PATH, xclip under Xvfb). The real host has its own tests (tests/host/)
and the whole app its GUI tests (tests/e2e/test_tray_gui.py)."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.helpers import wait_for
from tests.fakes import FakeNotifier, event
from webinar_tray.adapters.desktop import open as desktop
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.plan import plan as make_plan
from webinar_tray.core.settings import Settings
from webinar_tray.env import Env
from webinar_tray.host import EngineView
from webinar_tray.ui.app import TrayApp

WEBINAR_URL = "https://www.brighttalk.com/webcast/5385/612345?utm_source=cal&pwd=s3cr3t"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def sessions(now: datetime = NOW):
    """Cloud (an auto-join with a link, 3 h away) and Vendor (no safe link)."""
    start = now + timedelta(hours=3)
    events = [
        event("Cloud security webinar", start=start, url=WEBINAR_URL),
        event("Vendor webinar", start=start + timedelta(hours=1), url=None,
              description="Register here: javascript:alert(1)"),
    ]
    return tuple(make_plan(events, Settings(), {}, now))


def by_title(view: EngineView, title: str):
    [p] = [p for p in view.plan if p.title == title]
    return p


class FakeHost:
    """send/view as host.EngineHost offers them. `view()` returns what the test set
    (`set_view(...)`); `send` records (command, thread) and answers from `answers`: a value, an
    exception to raise, or a callable(command)."""

    def __init__(self, paths, view: EngineView | None = None):
        self.paths = paths
        self.sent: list = []
        self.answers: dict = {}
        self._view = view or EngineView(plan=sessions(), last_refresh=NOW)
        self.started = self.stopped = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        self.started += 1
        self.set_view(running=True)

    def stop(self) -> None:
        self.stopped += 1
        self.set_view(running=False)

    def view(self) -> EngineView:
        with self._lock:
            return self._view

    def set_view(self, **changes) -> None:
        with self._lock:
            self._view = replace(self._view, **changes)

    def send(self, command, timeout: float = 30.0):
        self.sent.append((command, threading.current_thread().name))
        answer = self.answers.get(type(command))
        if isinstance(answer, BaseException):
            raise answer
        return answer(command) if callable(answer) else answer

    def commands(self) -> list:
        return [c for c, _ in self.sent]


@pytest.fixture
def notifier():
    return FakeNotifier()


@pytest.fixture
def fake_host(home):
    h = FakeHost(resolve_paths())
    h.set_view(running=True)
    return h


def new_app(host, notifier, **kw) -> TrayApp:
    kw.setdefault("icon_factory", StubIcon)
    kw.setdefault("desktop", desktop)
    kw.setdefault("env", Env.real())
    return TrayApp(host, notifier, **kw)


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
    def host(self) -> FakeHost:
        return self.app.host


@pytest.fixture
def tray(home, notifier):
    """TrayApp.run() on a thread of its own over a FakeHost (the main thread's part is the stub
    icon's run(), so no signal handler is installed in the test process). Yields once the icon is
    up and its first menu shown."""
    host = FakeHost(resolve_paths())
    app = new_app(host, notifier)
    errors = []

    def main():
        try:
            app.run()
        except BaseException as e:  # pragma: no cover - shown by the assertion below
            errors.append(e)

    thread = threading.Thread(target=main, name="tray-main", daemon=True)
    thread.start()
    try:
        wait_for(lambda: errors or app.icon is not None, 30, every=0.02, what="the tray to start")
        assert not errors, errors
        app.icon.wait_shown(1)
        yield RunningTray(app, thread, notifier)
    finally:
        app.quit()
        thread.join(60)
        assert not thread.is_alive(), "TrayApp.run() returned after quit()"
        assert not errors, errors
