"""The last guard on a source's CPU: parsing and expanding a calendar happen inside libraries
(icalendar, dateutil) that check no deadline of ours, and a Python thread cannot be killed. But a
thread running Python code can be interrupted: at the deadline a watchdog asks the interpreter
(CPython's `PyThreadState_SetAsyncExc`) to raise `CalendarTooCostly` in the thread at its next
bytecode, so it stops using CPU and reports a timeout like any late source. Where that call is
missing (not CPython), the guard does nothing and the cooperative checks remain.

ics_bounds prevents the known costly rules before expansion; this catches the rest (a rule with
a huge COUNT walked from a far DTSTART, a calendar of millions of lines).
"""

from __future__ import annotations

import ctypes
import logging
import threading
from contextlib import contextmanager

from webinar_tray.ports import Deadline, SourceTimeout

log = logging.getLogger(__name__)

# Called without argtypes on purpose: None must pass as NULL (which clears a pending exception).
_set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)


class CalendarTooCostly(SourceTimeout):
    def __init__(self, message: str = "reading the calendar went past its deadline "
                                      "([refresh] timeout_seconds); keeping its last good events"):
        super().__init__(message)


@contextmanager
def cpu_deadline(deadline: Deadline):
    """Run the block in this thread; past `deadline` it is interrupted with CalendarTooCostly."""
    if _set_async_exc is None:
        yield
        return
    tid = threading.get_ident()
    lock = threading.Lock()
    state = {"armed": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = True
                _set_async_exc(ctypes.c_ulong(tid), ctypes.py_object(CalendarTooCostly))

    timer = threading.Timer(max(0.0, deadline.remaining()), fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["armed"] = False
            if state["fired"]:  # raised, or still pending: never let it out of this block later
                _set_async_exc(ctypes.c_ulong(tid), None)
