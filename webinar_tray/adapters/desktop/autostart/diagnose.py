"""doctor's start-at-login check."""

from __future__ import annotations

from webinar_tray.core.diagnosis import Result, State


def autostart(s: State) -> Result:
    from webinar_tray.adapters.desktop.autostart import for_paths

    st = for_paths(s.paths, s.env).status()
    detail = st.detail + (f" — {st.problem}" if st.problem else "")
    if st.broken:
        return False, detail, "webinar-tray autostart enable (or `webinar-tray autostart disable`)"
    if st.enabled:
        return True, detail, None
    return None, detail if detail.startswith("off") else f"off: {detail}", "webinar-tray autostart enable"
