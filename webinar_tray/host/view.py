"""What the engine shows, as one immutable value (`EngineView`), built from the engine, its
store and its adapters. Front ends (the tray, the channel's `status`) read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Mapping

from webinar_tray.core.menu import Attending
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.settings import Settings


@dataclass(frozen=True)
class FailedJoin:
    id: str
    title: str
    reason: str
    end: datetime  # the webinar's end: the menu shows a failure for a while after it


@dataclass(frozen=True)
class EngineView:
    settings: Settings = field(default_factory=Settings)
    plan: tuple[PlannedJoin, ...] = ()
    states: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # id -> state
    active: tuple[str, ...] = ()  # handed to the browser: joining or attending (plan or ad-hoc ids)
    attending: tuple[Attending, ...] = ()  # of `active`, those joined (or recorded as attending)
    joining: frozenset[str] = frozenset()  # of `active`, those whose join steps still run
    failures: tuple[FailedJoin, ...] = ()  # failed joins the user has not seen in the history yet
    last_refresh: datetime | None = None
    refresh_errors: tuple[tuple[str, str], ...] = ()  # (source, message) of the last refresh
    refreshing: bool = False
    signin_needed: bool = False
    account_configured: bool = False  # a Google client is set up
    account: str | None = None  # who is signed in; None: nobody
    headless: bool = False  # the browser mode in force (CLI override, no display, or config)
    notifications: bool = True
    demo: bool = False
    running: bool = False  # False: the host is starting or stopping

    @property
    def refresh_error(self) -> str | None:
        if not self.refresh_errors:
            return None
        return "; ".join(f"{name}: {msg}" for name, msg in self.refresh_errors)


def build_view(engine, *, account, demo: bool, dismissed: frozenset[str]) -> EngineView:
    """A snapshot of a running engine. Reads thread-safe parts only (the plan under the engine's
    lock, the store's own lock), never waiting for the engine thread."""
    store = engine.store
    active = tuple(engine.active_ids())
    attending, joining = [], set()
    for id in active:
        a = store.get(id)
        if a is None:
            continue
        if a.state == "attending" or a.joined_at is not None:
            attending.append(Attending(id=id, title=a.title, joined_at=a.joined_at))
        else:
            joining.add(id)
    failures = tuple(
        FailedJoin(id=a.id, title=a.title, reason=a.error or "", end=a.end)
        for a in store.attendances(("failed",))
        if a.id not in dismissed and a.id not in active
    )
    last = engine.last_refresh
    settings = engine.settings
    return EngineView(
        settings=settings,
        plan=tuple(engine.current_plan),
        states=MappingProxyType(dict(store.states())),
        active=active,
        attending=tuple(attending),
        joining=frozenset(joining),
        failures=failures,
        last_refresh=last.at if last is not None else None,
        refresh_errors=tuple(last.failed) if last is not None else (),
        refreshing=engine.refreshing,
        signin_needed=engine.signin_needed,
        account_configured=bool(account is not None and account.configured),
        account=account.name(list(engine.sources)) if account is not None else None,
        headless=engine.joiner.headless,
        notifications=engine.notifier.enabled,
        demo=demo,
        running=True,
    )
