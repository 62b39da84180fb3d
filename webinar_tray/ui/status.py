"""The engine's state as the menu needs it (core.menu.TrayStatus). Reads the engine and the
store (both thread-safe); never waits on the engine thread, so the menu stays responsive while
a refresh runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from webinar_tray.core.menu import Attending, Failure, TrayStatus

# A failed join is shown (and the icon asks for attention) this long after its webinar's end.
FAILURE_SHOWN_FOR = timedelta(hours=2)


def tray_status(engine, *, now: datetime, google: bool, account: str | None,
                autostart: bool | None, demo: bool, dismissed: set[str] = frozenset()) -> TrayStatus:
    store = engine.store
    states = store.states()
    active = engine.active_ids()
    attending, joining = [], set()
    for id in active:
        a = store.get(id)
        if a is None:
            continue
        if a.state == "attending" or a.joined_at is not None:
            attending.append(Attending(id=id, title=a.title, joined_at=a.joined_at))
        else:
            joining.add(id)
    failures = []
    for a in store.attendances(("failed",)):
        if a.id in dismissed or a.id in active or now - a.end > FAILURE_SHOWN_FOR:
            continue
        failures.append(Failure(title=a.title, reason=a.error or "", id=a.id))
    last = engine.last_refresh
    error = None
    if last is not None and last.failed:
        error = "; ".join(f"{name}: {msg}" for name, msg in last.failed)
    settings = engine.settings
    return TrayStatus(
        attending=tuple(attending),
        joining=frozenset(joining),
        states=states,
        last_refresh=last.at if last is not None else None,
        refresh_error=error,
        signin_needed=engine.signin_needed,
        google=google,
        account=account,
        headless=settings.join.headless,
        notifications=settings.notifications.enabled,
        autostart=autostart,
        failures=tuple(failures[:3]),
        demo=demo,
    )
