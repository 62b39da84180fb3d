"""Waking the PC for the next auto-join (`[wake]`; the port is ports.Waker).

`platform_waker(home, env)` picks one by `env.platform`: on Windows a Task Scheduler task
(windows.py) set from a thread of its own (`BackgroundWaker`: the engine thread never waits on
schtasks, and only the latest wanted time is carried out); elsewhere `AdminOnlyWaker`, which
changes nothing (pmset and rtcwake need admin rights: posix.py builds the commands doctor
prints) and says so once in the log. The power plan checks are in powercfg.py."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from webinar_tray.env import Env

log = logging.getLogger(__name__)

__all__ = ["AdminOnlyWaker", "BackgroundWaker", "platform_waker"]

_NOTHING = object()


class BackgroundWaker:
    """ports.Waker over a synchronous target (`apply(at, title)`): each wake_at is carried out
    on one worker thread, later wishes replacing earlier ones not yet carried out."""

    def __init__(self, target):
        self.target = target
        self._cond = threading.Condition()
        self._pending: object = _NOTHING
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def wake_at(self, at: datetime | None, title: str = "") -> None:
        with self._cond:
            if self._closed:
                return
            self._pending = (at, title)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="waker", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                while self._pending is _NOTHING and not self._closed:
                    self._cond.wait()
                if self._pending is _NOTHING:
                    return
                job, self._pending, self._busy = self._pending, _NOTHING, True
            try:
                self.target.apply(*job)
            except Exception:  # a waker never takes the app down
                log.exception("waking: the OS call failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def idle(self, timeout: float) -> bool:
        """Wait until every wish was carried out; False when `timeout` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is _NOTHING and not self._busy, timeout)

    def close(self, timeout: float = 10.0) -> None:
        self.wake_at(None)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.idle(timeout)


class AdminOnlyWaker:
    """macOS and Linux: setting a wake needs admin rights; the app only says so (once) in the
    log, and `webinar-tray doctor` prints the command for the next webinar."""

    def __init__(self, platform: str):
        self.platform = platform
        self._told = False

    def wake_at(self, at: datetime | None, title: str = "") -> None:
        if at is None:
            return
        from webinar_tray.adapters.desktop.wake.posix import admin_command

        level = logging.DEBUG if self._told else logging.INFO
        self._told = True
        log.log(level, "waking the PC for %s at %s needs admin rights here (not done by the app): %s",
                title or "the next webinar", at.astimezone().strftime("%a %d %b %H:%M"),
                admin_command(self.platform, at))

    def close(self, timeout: float = 10.0) -> None:
        pass


def platform_waker(home: Path | None, env: Env, data_dir: Path | None = None):
    """This OS's waker for the app running with this (forced) home folder."""
    if env.windows:
        from webinar_tray.adapters.desktop.wake.runner import SubprocessRunner
        from webinar_tray.adapters.desktop.wake.windows import TaskSchedulerWaker

        return BackgroundWaker(TaskSchedulerWaker(SubprocessRunner(env), env, home, workdir=data_dir))
    return AdminOnlyWaker(env.platform)
