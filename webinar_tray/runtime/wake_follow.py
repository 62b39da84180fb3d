"""Keeps the OS wake (ports.Waker) at the next auto-join as the plan changes.

The engine calls `follow` after every due check and when a refresh brought a source's events
(on the engine thread): it reads the plan from now only up to the first auto-join whose wake is
ahead (core/wake.next_wake) and tells the waker only when that changed, so a due check costs no
OS call; a refresh moves the wake at once, a setting ([wake], [join] lead_seconds), a per-event
choice or a join that started at the next due check (within 30 s). The first call always tells the waker (a wake an earlier run left is replaced or
removed). `close` at Quit removes the wake."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.settings import WakeSettings
from webinar_tray.core.text import clean_line
from webinar_tray.core.wake import next_wake
from webinar_tray.ports import Waker

_NEVER_TOLD = object()


class WakeFollower:
    def __init__(self, waker: Waker | None):
        self.waker = waker
        self.told: object = _NEVER_TOLD  # (at, title) or None: what the waker was told last

    def follow(self, plans: Iterable[PlannedJoin], now: datetime, settings: WakeSettings) -> None:
        """`plans` soonest first (a generator is read only as far as needed)."""
        if self.waker is None:
            return
        want = next_wake(plans, now, settings)
        key = (want.at, clean_line(want.plan.title, 120)) if want else None  # a stranger's text
        if key != self.told:
            self.told = key
            self.waker.wake_at(*(key or (None,)))

    def close(self, timeout: float = 10.0) -> None:
        if self.waker is not None:
            self.waker.close(timeout)
