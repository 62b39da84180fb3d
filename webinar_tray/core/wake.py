"""When to wake the PC: `[wake] minutes_before` ahead of the next auto-join. Pure.

The engine asks after each due check (`next_wake(planner.upcoming(now), now, settings.wake)`)
and hands the answer to its Waker only when it changed; doctor asks the same of the cached plan.
A join whose wake time has passed needs no wake (the PC is awake now: it is running this code),
so the next one after it is the one to wake for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.settings import WakeSettings


@dataclass(frozen=True)
class WakeFor:
    """Wake the PC at `at` (aware) for `plan`, which auto-joins at `plan.join_at`."""

    at: datetime
    plan: PlannedJoin


def next_wake(plans: Iterable[PlannedJoin], now: datetime, settings: WakeSettings) -> WakeFor | None:
    """The wake for the first auto-join whose wake time is still ahead, or None (none ahead, or
    `[wake] enabled = false`). `plans` come soonest first (as the planner gives them); the
    reading stops at the first fit."""
    if not settings.enabled:
        return None
    before = timedelta(minutes=settings.minutes_before)
    for p in plans:
        if p.auto_join and p.join_at is not None and p.join_at - before > now:
            return WakeFor(p.join_at - before, p)
    return None
