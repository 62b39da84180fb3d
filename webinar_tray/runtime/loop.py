"""The engine's thread: our own `schedule.Scheduler()` for the periodic jobs, plus a wake-up at
the plan's next deadline. It sleeps on an Event (a command wakes it at once) and never longer
than MAX_SLEEP, because the clock a sleep waits on stops during suspend: a resumed PC is
noticed within seconds and what is still running is joined late."""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from datetime import datetime
from typing import Callable

import schedule

from webinar_tray.runtime.engine import Engine

log = logging.getLogger(__name__)

MAX_SLEEP = 30.0
TICK_SECONDS = 30


class EngineLoop:
    def __init__(self, engine: Engine, extra_jobs: list[tuple[int, str, Callable[[], None]]] = ()):
        self.engine = engine
        self.scheduler = schedule.Scheduler()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._commands: queue.Queue[tuple[Callable, Future]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._extra = list(extra_jobs)
        self._refresh_job = None
        # Whether the plan's next deadline must be read again: anything but a job that says it
        # changed nothing (returns False: the config watch that found no change, every 5 s) may
        # have moved it. Deadlines do not move with time alone, so it is kept meanwhile.
        self._dirty = True

    # ---- control --------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()

    def call(self, fn: Callable, *args, **kwargs) -> Future:
        """Run fn on the engine thread (menu clicks, CLI hand-overs); returns a Future."""
        fut: Future = Future()
        self._commands.put((lambda: fn(*args, **kwargs), fut))
        self.wake()
        return fut

    def wake(self) -> None:
        self._dirty = True
        self._wake.set()

    def stop(self, timeout: float = 20.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def reschedule_refresh(self, every_minutes: int) -> None:
        if self._refresh_job is not None:
            self.scheduler.cancel_job(self._refresh_job)
        self._refresh_job = self.scheduler.every(every_minutes).minutes.do(self._safe, "refresh", self.engine.start_refresh)

    # ---- the loop -------------------------------------------------------------------------
    def _safe(self, name: str, fn: Callable) -> None:
        try:
            if fn() is not False:
                self._dirty = True
        except Exception:
            self._dirty = True
            log.exception("job %s failed; the loop goes on", name)

    def _run(self) -> None:
        e = self.engine
        e.post = self.call  # refresh outcomes are applied on this thread
        self._safe("resume", e.resume_interrupted)
        self._safe("due-check", e.due_check)  # first from the cache: no waiting on the network
        self.reschedule_refresh(e.settings.refresh.every_minutes)
        self.scheduler.every(TICK_SECONDS).seconds.do(self._safe, "due-check", e.due_check)
        for seconds, name, fn in self._extra:
            self.scheduler.every(seconds).seconds.do(self._safe, name, fn)
        first = True
        while not self._stop.is_set():
            self._drain()
            self.scheduler.run_pending()
            now = e.clock.now()
            if self._dirty:
                self._dirty = False
                deadline = e.next_deadline()
            if deadline is not None and deadline <= now:
                self._safe("due-check", e.due_check)
                deadline = e.next_deadline()
            if first:  # bench/start_time.py measures the start up to this line
                log.info("loop running: next deadline %s", deadline.isoformat() if deadline else "none")
                first = False
                # the first refresh, in the background, once the loop answers: its thread
                # imports the calendar parsers, which would hold the GIL the start needs
                self._safe("refresh", e.start_refresh)
            self._wake.wait(self._sleep_for(now, deadline))
            self._wake.clear()
        self._drain()

    def _sleep_for(self, now: datetime, deadline: datetime | None) -> float:
        waits = [MAX_SLEEP]
        idle = self.scheduler.idle_seconds
        if idle is not None:
            waits.append(max(0.0, idle))
        if deadline is not None:
            left = (deadline - self.engine.clock.now()).total_seconds()
            # still due right after a due check: something is stuck; retry soon, don't spin
            waits.append(left if left > 0 else 1.0)
        return max(0.05, min(waits))

    def _drain(self) -> None:
        while True:
            try:
                fn, fut = self._commands.get_nowait()
            except queue.Empty:
                return
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except Exception as exc:
                log.exception("command failed")
                fut.set_exception(exc)
