"""Refreshing the event cache from every calendar source, off the engine thread.

Each source is fetched on a thread of its own with its own total deadline (`[refresh]
timeout_seconds`, checked by the source inside its reading and expanding), so one slow or hostile
source holds back neither the others nor the engine: due joins, reminders and channel commands go
on while any refresh runs. Outcomes are applied to the store on the engine thread. A failed or
late source keeps its last good events: the plan never empties because the network blinked.
A source whose previous fetch is still running (stuck in a library call past its deadline) is
not started a second time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from webinar_tray.core.settings import RefreshSettings
from webinar_tray.ports import CalendarSource, Deadline, SignInNeeded, SourceError
from webinar_tray.runtime.store import Store

log = logging.getLogger(__name__)

# Fetch from a little before now, so a webinar that is running is seen (and a missed one judged).
LOOKBEHIND = timedelta(hours=12)
# A source that has not answered this long after its deadline is given up by the round.
LATE = 2.0


def source_key(source: CalendarSource) -> str:
    return source.key


@dataclass
class RefreshResult:
    at: datetime
    ok: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source name, message)
    signin_needed: bool = False

    @property
    def all_ok(self) -> bool:
        return not self.failed


@dataclass
class Outcome:
    """What one source's fetch gave: events, or an error message."""

    source: CalendarSource
    events: list | None = None
    error: str | None = None
    signin_needed: bool = False
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return source_key(self.source)


def fetch_one(source: CalendarSource, start: datetime, end: datetime, timeout: float) -> Outcome:
    """Fetch one source within `timeout` seconds; never raises."""
    t0 = time.monotonic()
    out = Outcome(source)
    try:
        out.events = source.fetch(start, end, deadline=Deadline(timeout, source.name))
    except SourceError as e:
        out.error = str(e) or type(e).__name__
        out.signin_needed = isinstance(e, SignInNeeded)
    except Exception as e:  # a bug in one source must not stop the others
        out.error = f"unexpected {type(e).__name__}: {e}"
        log.exception("refresh: %s failed unexpectedly (keeping its last good events)", source.name)
    out.seconds = time.monotonic() - t0
    return out


class Round:
    """One refresh of every source. `start()` runs the fetches on threads of their own and hands
    each outcome to `deliver` (which the engine routes onto its own thread) and then `None` once
    every source has answered or the round's deadline has passed; `wait()` does the same in the
    calling thread (for `list` and tests)."""

    def __init__(self, sources: list[CalendarSource], now: datetime, settings: RefreshSettings,
                 busy: dict[str, threading.Thread] | None = None):
        self.sources = list(sources)
        self.now = now
        self.start_at, self.end_at = window(now, settings)
        self.timeout = float(settings.timeout_seconds)
        self.result = RefreshResult(at=now)
        self._busy = busy if busy is not None else {}
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._closed = False
        self._timer: threading.Timer | None = None

    def start(self, deliver: Callable[[Outcome | None], None]) -> None:
        todo = []
        for source in self.sources:
            running = self._busy.get(source_key(source))
            if running is not None and running.is_alive():
                deliver(Outcome(source, error=f"{source.name}: still busy with the last refresh "
                                              "(past its deadline); keeping its last good events"))
            else:
                todo.append(source)
        with self._lock:  # all pending before any thread can finish
            self._pending = {source_key(s) for s in todo}
        self._timer = threading.Timer(self.timeout + LATE, self._expire, args=(deliver,))
        self._timer.daemon = True
        self._timer.start()
        for source in todo:
            t = threading.Thread(target=self._run, args=(source, deliver),
                                 name=f"refresh {source_key(source)}"[:40], daemon=True)
            self._busy[source_key(source)] = t
            t.start()
        self._maybe_done(deliver)

    def _run(self, source: CalendarSource, deliver) -> None:
        out = fetch_one(source, self.start_at, self.end_at, self.timeout)
        with self._lock:
            if self._closed or out.key not in self._pending:
                log.info("refresh: %s answered after the round ended; ignored", source.name)
                return
            self._pending.discard(out.key)
        deliver(out)
        self._maybe_done(deliver)

    def _expire(self, deliver) -> None:
        with self._lock:
            late, self._pending = self._pending, set()
        for source in self.sources:
            if source_key(source) in late:
                deliver(Outcome(source, error=f"{source.name}: no answer within {self.timeout:g} s "
                                              "([refresh] timeout_seconds); keeping its last good events"))
        self._maybe_done(deliver)

    def _maybe_done(self, deliver) -> None:
        with self._lock:
            if self._pending or self._closed:
                return
            self._closed = True
        self._timer.cancel()
        deliver(None)

    def wait(self) -> list[Outcome]:
        """Run the round in this thread's time: every outcome, in source order."""
        order = {source_key(s): i for i, s in enumerate(self.sources)}
        return sorted(self.each(), key=lambda o: order.get(o.key, 0))

    def each(self):
        """Run the round in this thread's time: each outcome as soon as it came (a heavy
        calendar is stored while the others are still fetched)."""
        got: queue.SimpleQueue = queue.SimpleQueue()
        self.start(got.put)
        while (o := got.get()) is not None:
            yield o


def reason(name: str, message: str) -> str:
    """A source's error without its own name in front (a SourceError names its source; the
    messages that show it put the name once: "<name>: <reason>")."""
    for sep in (": ", " "):
        if message.startswith(name + sep):
            return message[len(name) + len(sep):] or message
    return message


def summary(result: "RefreshResult", total: int) -> str | None:
    """One line for the failing sources of a round (CONTRACT.md's `list` summary), or None."""
    if not result.failed:
        return None
    failed = "; ".join(f"{name}: {msg}" for name, msg in result.failed)
    noun = "calendar" if total == 1 else "calendars"
    return f"{len(result.failed)} of {total} {noun} failed: {failed}"


def apply(outcome: Outcome, store: Store, result: RefreshResult, before: list | None = None) -> None:
    """Record one outcome in the store and the round's result (the engine thread's part).
    `before`: the source's cached events as the caller holds them (only changes are written)."""
    source, now = outcome.source, result.at
    if outcome.events is not None:
        if getattr(source, "keeps_events", False):  # its own file holds them: no second copy
            store.mark_fetched(outcome.key, now)
        else:
            store.replace_events(outcome.key, outcome.events, now, before)
        result.ok.append(source.name)
        log.info("refresh: %s: %d events in %.1f s", source.name, len(outcome.events), outcome.seconds)
        return
    msg = reason(source.name, outcome.error or "failed")
    result.failed.append((source.name, msg))
    result.signin_needed |= outcome.signin_needed
    store.source_failed(outcome.key, msg, now)
    log.warning("refresh: %s failed: %s (keeping its last good events)", source.name, msg)


def refresh(sources: list[CalendarSource], store: Store, now: datetime, settings: RefreshSettings,
            fetched: dict[str, list] | None = None) -> RefreshResult:
    """Every source at once (each with its deadline), each applied in the calling thread as it
    comes. `fetched`,
    when given, gets each source's fetched events by key (the sources that failed are left out)."""
    round = Round(sources, now, settings)
    for outcome in round.each():
        apply(outcome, store, round.result)
        if fetched is not None and outcome.events is not None:
            fetched[outcome.key] = outcome.events
    store.forget_sources_except(source_key(s) for s in sources)
    order = {s.name: i for i, s in enumerate(sources)}  # the summary names them in their order
    round.result.ok.sort(key=lambda name: order.get(name, 0))
    round.result.failed.sort(key=lambda f: order.get(f[0], 0))
    return round.result


def window(now: datetime, settings: RefreshSettings) -> tuple[datetime, datetime]:
    """What a refresh at `now` asks each source for."""
    return now - LOOKBEHIND, now + timedelta(hours=settings.lookahead_hours)


def cached_by_source(store: Store, sources: list, now: datetime, settings: RefreshSettings,
                     keys: list[str] | None = None) -> dict[str, list]:
    """The cached events by source key (of `keys` only, when given), contacting nothing: the
    store's rows, and for a source that saves its events itself (`cached`: a Google
    calendar's mirror file) and has no rows in the store, the window listed from its file."""
    out = store.events_by_source(keys)
    start, end = window(now, settings)
    for source in sources:
        key = source_key(source)
        lister = getattr(source, "cached", None)
        if lister is None or out.get(key) or (keys is not None and key not in keys):
            continue
        try:
            events = lister(start, end)
        except SourceError as e:  # nothing of it is shown; the others are
            log.warning("%s: its saved events cannot be read (%s)", source.name, e)
            continue
        except Exception:  # a bug here must not keep the app from starting
            log.exception("%s: its saved events cannot be read", source.name)
            continue
        if events is not None:
            out[key] = events
    return out


def cached_form(fetched: dict[str, list], store: Store, sources: list, now: datetime,
                settings: RefreshSettings) -> list:
    """The events the cache now holds for `sources`, without reading back what was just
    written: each fetched source as the store keeps it (a later duplicate replaces an earlier
    one), the others from the cache (`cached_by_source`)."""
    keys = [source_key(s) for s in sources]
    missing = [k for k in keys if k not in fetched]
    cached = cached_by_source(store, sources, now, settings, missing) if missing else {}
    out: list = []
    for k in keys:
        if k in fetched:
            out += {(e.calendar_id, e.event_id, e.start): e for e in fetched[k]}.values()
        else:
            out += cached.get(k, [])
    return out
