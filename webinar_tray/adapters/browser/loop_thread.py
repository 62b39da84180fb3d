"""The joiner's thread: one asyncio loop running on a daemon thread of its own, where Playwright's
async API lives. Errors Playwright leaves behind when the browser goes away are expected there
and logged quietly."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Callable

from webinar_tray.adapters.browser.launch import first_line

log = logging.getLogger("webinar_tray.adapters.browser.joiner")

THREAD_NAME = "webinar-tray-browser"

# Playwright's texts for a driver or browser that went away (a crash we recover from, or our own
# shutdown): the futures it leaves behind then are expected, not errors.
_GONE = (
    "Connection closed while reading from the driver",
    "Target page, context or browser has been closed",
    "Browser has been closed",
    "Target closed",
)


def start_loop_thread(
    on_start: Callable[[], None],
) -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    """A new loop running for ever on a new daemon thread; `on_start` runs on that thread
    before the loop does. Stop it with `loop.call_soon_threadsafe(loop.stop)`: it then finishes
    its async generators and closes."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(_quiet_after_browser_gone)
        on_start()
        ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
    thread.start()
    ready.wait()
    return loop, thread


def _quiet_after_browser_gone(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    exc = context.get("exception")
    text = str(exc) if exc is not None else ""
    if any(t in text for t in _GONE):
        log.debug("after the browser went away: %s", first_line(exc))
        return
    loop.default_exception_handler(context)
