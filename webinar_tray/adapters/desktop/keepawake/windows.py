"""Windows: SetThreadExecutionState. The state belongs to the calling THREAD (and ends with it),
so one small thread of ours sets it, waits for release(), then clears it with ES_CONTINUOUS."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from webinar_tray.adapters.desktop.keepawake import KeepAwake

log = logging.getLogger(__name__)

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_AWAYMODE_REQUIRED = 0x00000040
AWAKE = ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_AWAYMODE_REQUIRED
AWAKE_NO_AWAYMODE = ES_CONTINUOUS | ES_SYSTEM_REQUIRED  # when away mode is refused
CLEAR = ES_CONTINUOUS


def real_set_state(flags: int) -> int:
    """kernel32.SetThreadExecutionState: the previous state, 0 on failure."""
    import ctypes

    fn = ctypes.windll.kernel32.SetThreadExecutionState  # type: ignore[attr-defined]
    fn.argtypes = [ctypes.c_uint32]
    fn.restype = ctypes.c_uint32
    return int(fn(flags))


class WindowsKeepAwake(KeepAwake):
    def __init__(self, set_state: Callable[[int], int] | None = None) -> None:
        super().__init__()
        self._set_state = set_state or real_set_state
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop: threading.Event | None = None

    @property
    def held(self) -> bool:
        t = self._thread
        return t is not None and t.is_alive()

    def acquire(self, reason: str) -> None:
        try:
            with self._lock:
                if self._thread is not None and self._thread.is_alive():
                    return
                stop, started = threading.Event(), threading.Event()
                t = threading.Thread(target=self._hold, args=(stop, started, reason),
                                     name="keep-awake", daemon=True)
                self._thread, self._stop = t, stop
                t.start()
            started.wait(5)
        except Exception as exc:
            self._warn("keep-awake is unavailable: %s", exc)

    def _hold(self, stop: threading.Event, started: threading.Event, reason: str) -> None:
        try:
            try:
                ok = self._set_state(AWAKE)
                if not ok:
                    ok = self._set_state(AWAKE_NO_AWAYMODE)
            except Exception as exc:
                self._warn("keep-awake is unavailable: SetThreadExecutionState failed: %s", exc)
                return
            if not ok:
                self._warn("keep-awake is unavailable: SetThreadExecutionState refused")
                return
            log.info("keeping the PC awake (%s)", reason)
        finally:
            started.set()
        stop.wait()
        try:
            self._set_state(CLEAR)
            log.info("the PC may sleep again")
        except Exception as exc:
            self._warn("keep-awake: clearing the execution state failed: %s", exc)

    def release(self) -> None:
        try:
            with self._lock:
                t, stop = self._thread, self._stop
                self._thread = self._stop = None
            if t is None or stop is None:
                return
            stop.set()
            t.join(5)
        except Exception as exc:
            self._warn("keep-awake: release failed: %s", exc)
