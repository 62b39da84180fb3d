"""The engine: carries out what core decides, and drives the Joiner.

core/schedule decides what is due (reminders, joins, late joins, missed records, resumes after a
restart) and core/attendance how a record changes; the engine gives them the plan, the store's
states and `now` from the injected Clock, and carries the decisions out: it claims, submits to
the joiner, notifies, logs and stores. Tests run it with a fake clock by calling `refresh()` and
`due_check()` directly; `runtime/loop.py` runs it for real on a `schedule` loop. The attendance
row of a planned id is claimed once in the store before joining: refreshes, a second engine tick
or a restart never join the same webinar twice."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable

from webinar_tray.core import attendance as record
from webinar_tray.core import schedule
from webinar_tray.core.attendance import Attendance
from webinar_tray.core.events import override_key
from webinar_tray.core.outcome import minutes_attended
from webinar_tray.core.plan import PlannedJoin, adhoc
from webinar_tray.core.planner import Planner
from webinar_tray.core.redact import SafeUrl, safe_url
from webinar_tray.core.schedule import PRESTART  # noqa: F401 (re-exported: engine.PRESTART)
from webinar_tray.core.settings import Settings
from webinar_tray.ports import AttendReport, CalendarSource, Clock, Joiner, Notifier, Waker
from webinar_tray.runtime import sync
from webinar_tray.runtime.memory import give_back_memory
from webinar_tray.runtime.store import Store
from webinar_tray.runtime.store_states import StoreStates
from webinar_tray.runtime.wake_follow import WakeFollower

log = logging.getLogger(__name__)

# Attending rows get a heartbeat this often, so a crash's gap is known after a restart.
HEARTBEAT = timedelta(seconds=30)
# A due check reads the plan this much beyond what can be due (clock steps between reads).
NEAR_MARGIN = timedelta(minutes=1)
SETUP_HINT = "Open Set up… in the tray menu to fix it."  # the setup page (no address: it holds a token)


class Engine:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        sources: list[CalendarSource],
        joiner: Joiner,
        notifier: Notifier,
        clock: Clock,
        on_change: Callable[[], None] | None = None,
        waker: Waker | None = None,
    ):
        self.store = store
        self.sources = sources
        self.joiner = joiner
        self.notifier = notifier
        self.clock = clock
        self.on_change = on_change or (lambda: None)
        self.wake = WakeFollower(waker)  # the OS wake kept at the next auto-join ([wake])
        # Work from other threads onto the engine thread: the loop's `call`; alone, run at once.
        self.post: Callable = self._run_now
        self._round: sync.Round | None = None  # the background refresh in flight
        self._busy: dict = {}  # source key -> its last fetch thread (not started twice)
        self._lock = threading.RLock()
        self._jobs: dict[str, PlannedJoin] = {}  # submitted to the joiner, not yet done
        self._reminded: set[str] = set()
        self._last_heartbeat: datetime | None = None
        self._closing = False
        self.last_refresh: sync.RefreshResult | None = None
        self.signin_needed = False
        self.started_at = clock.now()
        self._pid = os.getpid()
        # Webinars that ended before the app was first run are not "missed".
        self.known_since = datetime.fromisoformat(
            store.set_meta_once("first_run", self.started_at.isoformat())
        )
        # The plan, kept up to date by each change (a refresh's source, settings, a choice):
        # a due check reads the part near now and never plans again.
        self.planner = Planner(settings, store.overrides(), self.known_since)
        # what the last refresh kept: the store's rows and each Google calendar's mirror file
        for source, events in sync.cached_by_source(store, sources, self.started_at, settings.refresh).items():
            self.planner.set_source(source, events)

    # ---- settings -------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.planner.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        with self._lock:
            self.planner.set_settings(settings)

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings

    # ---- the plan -------------------------------------------------------------------------
    @property
    def current_plan(self) -> list[PlannedJoin]:
        now = self.clock.now()
        with self._lock:
            return self.planner.plan(now)

    def next_deadline(self) -> datetime | None:
        """The earliest time at which due_check() has something to do; in the past when
        something is due now (a deadline is never dropped just because it has passed). Reads
        the plan from now on only as far as an earlier deadline can come."""
        now = self.clock.now()
        with self._lock:
            return schedule.next_deadline(self.planner.upcoming(now), StoreStates(self.store), now,
                                          self.settings, reminded=self._reminded, active=self._jobs,
                                          ordered=True)

    # ---- refresh --------------------------------------------------------------------------
    def refresh(self) -> sync.RefreshResult:
        """Every source now, waiting for all of them (each within its deadline): `list`, tests.
        The running app uses `start_refresh`, which never holds the engine thread."""
        round = sync.Round(self.sources, self.clock.now(), self.settings.refresh, self._busy)
        for outcome in round.wait():
            self._deliver(round, outcome)
        return self._finish_refresh(round)

    def start_refresh(self) -> bool:
        """Refresh in the background: the sources are fetched on threads of their own and each
        outcome is applied on the engine thread (through `post`) as it arrives, so one slow source
        holds back neither the others' events nor a due join. False when a refresh is running."""
        if self._round is not None:
            return False
        round = self._round = sync.Round(self.sources, self.clock.now(), self.settings.refresh, self._busy)
        round.start(lambda outcome: self.post(self._deliver, round, outcome))
        return True

    @property
    def refreshing(self) -> bool:
        return self._round is not None

    def _deliver(self, round: sync.Round, outcome: sync.Outcome | None) -> None:
        """One source's outcome (its events need not wait for the slowest), or None: all done."""
        if outcome is None:
            if self._round is round:
                self._round = None
            self._finish_refresh(round)
            return
        with self._lock:  # only the rows that changed since are written
            before = self.planner.source_events(outcome.key)
        sync.apply(outcome, self.store, round.result, before)
        if outcome.events is not None:  # planned from what was fetched: no reading back
            with self._lock:
                self.planner.set_source(outcome.key, outcome.events)
                self.wake.follow(self.planner.upcoming(now := self.clock.now()), now, self.settings.wake)
            self.on_change()

    def _finish_refresh(self, round: sync.Round) -> sync.RefreshResult:
        result = self.last_refresh = round.result
        keys = [sync.source_key(s) for s in self.sources]
        self.store.forget_sources_except(keys)
        with self._lock:
            self.planner.drop_sources_except(keys)
        was_needed, self.signin_needed = self.signin_needed, result.signin_needed
        if result.signin_needed and not was_needed:
            self.notifier.notify("signin", "Sign-in needed", "Google Calendar needs you to sign in "
                                 "again; the cached schedule keeps running. " + SETUP_HINT)
        self._warn_long_failures(self.clock.now())
        self.on_change()
        give_back_memory()
        return result

    def _run_now(self, fn, *args):
        with self._lock:
            return fn(*args)

    def _warn_long_failures(self, now: datetime) -> None:
        for st in self.store.sources():
            if st.failing_since and now - st.failing_since > timedelta(hours=3):
                key = f"refresh-failing:{st.source}:{st.failing_since.isoformat()}"
                if key not in self._reminded:
                    self._reminded.add(key)
                    self.notifier.notify(
                        "refresh-failing", "Calendar refresh failing",
                        f"{st.source} has failed since {st.failing_since.astimezone():%H:%M}: "
                        f"{(st.error or '').rstrip('.')}. {SETUP_HINT}",
                    )

    # ---- the due check --------------------------------------------------------------------
    def due_check(self) -> None:
        """Carry out what core/schedule finds due: missed records, reminders, joins (also late
        joins); then the heartbeat of what is being attended."""
        now = self.clock.now()
        with self._lock:
            # only what can be due: the items starting within reach (or running), and the
            # auto-joins that ended since and were not judged yet
            near = self.planner.plan(now, until=now + schedule.reach(self.settings) + NEAR_MARGIN,
                                     wanted=True)
            ended = self.planner.ended(now)
            states = self.store.states_of({p.id for p in near} | {p.id for p in ended})
            for p in ended:
                if p.id in states:  # records are kept: judged for good
                    self.planner.settle(p.id)
            decisions = schedule.due(near, states, now, self.settings, reminded=self._reminded,
                                     active=self._jobs, ended=ended)
            for d in decisions:
                self._carry_out(d, now)
            self._heartbeat(now)
            self.wake.follow(self.planner.upcoming(now), now, self.settings.wake)

    def _carry_out(self, d: schedule.Decision, now: datetime) -> None:
        match d:
            case schedule.Missed(plan=p):
                if self.store.claim(record.missed(p, self._pid), now):
                    log.info("missed %s (%s)", p.id, p.title)
                self.planner.settle(p.id)  # it has a record now, whoever wrote it
            case schedule.Remind(plan=p):
                self._reminded.add(p.id)
                self.notifier.notify("reminder", d.title, d.message)
            case schedule.Start(plan=p):
                self._start(p, now)
            case schedule.Resume(record=a, plan=p):
                self.store.update(record.resume(a, now, self._pid), now)
                log.info("resuming %s (%s) after a restart", a.id, a.title)
                self._submit(p)
            case schedule.Conclude(record=a):
                self.store.update(record.settle(a), now)

    def _heartbeat(self, now: datetime) -> None:
        if self._last_heartbeat and now - self._last_heartbeat < HEARTBEAT:
            return
        self._last_heartbeat = now
        for id in list(self._jobs):
            a = self.store.get(id)
            if a and a.state in record.ACTIVE:
                try:
                    self.store.update(record.heartbeat(a, now), now)
                except sqlite3.OperationalError as e:  # "database or disk is full": attending goes on
                    log.warning("heartbeat of %s not written (%s); attending goes on", id, e)

    # ---- joining --------------------------------------------------------------------------
    def _attendance(self, p: PlannedJoin, state: str) -> Attendance:
        return record.planned(p, state, self._pid)

    def _start(self, p: PlannedJoin, now: datetime) -> bool:
        if not self.store.claim(self._attendance(p, record.JOINING), now):
            return False
        self._submit(p)
        return True

    def _submit(self, p: PlannedJoin) -> None:
        log.info("joining %s (%s) at %s: %s", p.id, p.title, p.join_at.astimezone().isoformat(timespec="seconds"),
                 SafeUrl(p.join_url))
        self._jobs[p.id] = p
        self.joiner.attend(p, self._on_update)
        self.on_change()

    def resume_interrupted(self) -> None:
        """At start: attendances the last run left unfinished (crash, quit, reboot). A webinar
        still running is rejoined once into the same record, with the time away as a gap."""
        now = self.clock.now()
        with self._lock:
            records = self.store.attendances()
            planned = [p for a in records if (p := self.planner.find(a.id, now)) is not None]
            for d in schedule.recover(records, planned, now, self.settings, active=self._jobs):
                self._carry_out(d, now)

    def join_now(self, id: str) -> str:
        """Join a planned session at once (the user's "Join now"). Returns a message."""
        now = self.clock.now()
        with self._lock:
            p = self.planner.find(id, now)
            if p is None:
                return f"no upcoming session with id {id}"
            if p.join_url is None:
                return f"{p.title}: no safe join link"
            if id in self._jobs:
                return f"{p.title}: already joining"
            p = replace(p, join_at=now, auto_join=True, reason=None)
            a = self.store.get(id)
            if a is None:
                if not self.store.claim(self._attendance(p, record.JOINING), now):
                    return f"{p.title}: already being joined by another process"
            else:  # joined again after leaving or failing: the same record, the time away a gap
                self.store.update(record.rejoin(a, now, self._pid), now)
            self._submit(p)
            return f"joining {p.title}"

    def join_url(self, url: str, minutes: float, title: str | None = None) -> PlannedJoin:
        """An ad-hoc join of one URL now (`webinar-tray join URL`)."""
        from webinar_tray.core.links import is_safe
        from webinar_tray.core.services import find_service

        if not is_safe(url):
            raise ValueError("only http(s) links can be opened")
        now = self.clock.now()
        service = find_service(url)
        name = service.name if service else None
        with self._lock:
            for n in range(1, 101):  # the n-th join of this second: "-n"
                p = adhoc(url, title or name or safe_url(url), now, minutes, provider=name,
                          steps=service.steps if service else "generic", n=n)
                if self.store.claim(self._attendance(p, record.JOINING), now):
                    break
            else:
                raise ValueError("more than 100 joins started in one second")
            self._submit(p)
        return p

    def set_auto_join(self, calendar_id: str, event_id: str, on: bool | None) -> None:
        key = override_key(calendar_id, event_id)
        self.store.set_override(key, on, self.clock.now())
        with self._lock:
            self.planner.set_override(key, on)
        self.on_change()

    def leave(self, id: str) -> None:
        self.joiner.leave(id)

    def active_ids(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    # ---- reports from the joiner (its thread) ---------------------------------------------
    def _on_update(self, kind: str, report: AttendReport) -> None:
        try:
            self._apply_report(kind, report)
        except Exception:
            log.exception("could not record %s for %s", kind, report.id)

    def _apply_report(self, kind: str, report: AttendReport) -> None:
        now = self.clock.now()
        with self._lock:
            p = self._jobs.get(report.id)
            a = self.store.get(report.id)
            if a is None or p is None:
                log.warning("report %s for unknown attendance %s", kind, report.id)
                return
            a = record.apply_report(a, kind, report, now, closing=self._closing, leave_at=p.leave_at)
            if kind == "done":
                self._jobs.pop(report.id, None)
            self.store.update(a, now)
            if kind == "joined":
                self.notifier.notify("joined", "Joined webinar", p.title)
            elif kind == "done":
                self._tell_done(p, a)
        self.on_change()

    def _tell_done(self, p: PlannedJoin, a: Attendance) -> None:
        if a.joined_at is None:
            self.notifier.notify("failed", "Could not join webinar", f"{p.title}: {a.error or 'unknown error'}")
        else:
            mins = minutes_attended(a.joined_at, a.left_at, a.gaps)
            self.notifier.notify("ended", "Webinar ended", f"{p.title}: {mins:g} min attended ({a.state})")
        log.info("%s %s: %s%s", a.state, a.id, p.title, f" ({a.error})" if a.error else "")

    # ---- stopping -------------------------------------------------------------------------
    def close(self, timeout: float = 15.0) -> None:
        """Leave every page and record each attendance (interrupted when still running)."""
        self._closing = True
        self.joiner.close(timeout)
        self.wake.close()
