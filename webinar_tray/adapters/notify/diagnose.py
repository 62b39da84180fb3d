"""doctor's notifications check: which path a notification would take here, and why."""

from __future__ import annotations

from webinar_tray.core.diagnosis import SKIPPED_CONFIG, Result, State


def notifications(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if not s.settings.notifications.enabled:
        return None, "turned off ([notifications] enabled = false)", None
    from webinar_tray.adapters.notify import probe

    r = probe(s.settings, s.env)
    ok = r.get("ok")
    return (ok if ok in (True, False, None) else bool(ok)), str(r.get("detail") or ""), r.get("fix") or None
