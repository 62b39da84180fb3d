"""The engine's view as the menu needs it (core.menu.TrayStatus): pure, from an EngineView."""

from __future__ import annotations

from datetime import datetime, timedelta

from webinar_tray.core.menu import Failure, TrayStatus
from webinar_tray.host.view import EngineView

# A failed join is shown (and the icon asks for attention) this long after its webinar's end.
FAILURE_SHOWN_FOR = timedelta(hours=2)


def tray_status(view: EngineView, *, now: datetime, autostart: bool | None) -> TrayStatus:
    failures = [Failure(title=f.title, reason=f.reason, id=f.id)
                for f in view.failures if now - f.end <= FAILURE_SHOWN_FOR]
    return TrayStatus(
        attending=view.attending,
        joining=view.joining,
        states=view.states,
        last_refresh=view.last_refresh,
        refresh_error=view.refresh_error,
        signin_needed=view.signin_needed,
        google=view.account_configured,
        account=view.account,
        headless=view.headless,
        notifications=view.notifications,
        autostart=autostart,
        failures=tuple(failures[:3]),
        demo=view.demo,
        calendars=bool(view.settings.ics.urls) or view.account_configured,
    )
