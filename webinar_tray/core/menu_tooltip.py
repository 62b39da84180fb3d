"""The tray icon's tooltip: one line, at most TOOLTIP_MAX UTF-16 units (Windows' limit)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Mapping

from webinar_tray.core.menu_text import TITLE_MAX, clean_text, cut_utf16, duration_text, utf16_len, when_text
from webinar_tray.core.plan import PlannedJoin

if TYPE_CHECKING:
    from webinar_tray.core.menu import TrayStatus

APP_NAME = "webinar-tray"
TOOLTIP_MAX = 127  # Windows' NOTIFYICONDATA szTip holds 128 UTF-16 units with the NUL


def tooltip(status: TrayStatus, nxt: PlannedJoin | None, now: datetime, lookahead_hours: int,
             by_id: Mapping[str, PlannedJoin]) -> str:
    """One line: the app, what needs the user, what is attended, what comes next. Titles are
    shortened first so the countdown survives the cut to TOOLTIP_MAX."""
    for limit in (TITLE_MAX, 40, 24, 12):
        text = _tooltip_text(status, nxt, now, lookahead_hours, by_id, limit)
        if utf16_len(text) <= TOOLTIP_MAX:
            return text
    return cut_utf16(text, TOOLTIP_MAX)


def _tooltip_text(status, nxt, now, lookahead_hours, by_id, limit: int) -> str:
    parts = [APP_NAME + (" (demo)" if status.demo else "")]
    if status.signin_needed:
        parts.append("Google sign-in needed")
    elif status.failures:
        parts.append(f"Failed: {clean_text(status.failures[-1].title, min(limit, 40))}")
    if status.attending:
        a = status.attending[0]
        since = f" ({duration_text(now - a.joined_at)})" if a.joined_at else ""
        more = f" +{len(status.attending) - 1} more" if len(status.attending) > 1 else ""
        parts.append(f"Watching: {clean_text(a.title, limit)}{since}{more}")
    elif status.joining:
        i = sorted(status.joining)[0]
        parts.append(f"Joining: {clean_text(by_id[i].title if i in by_id else 'a webinar', limit)}")
    if nxt is not None:
        parts.append(f"Next: {clean_text(nxt.title, limit)} — {when_text(nxt.start, now)}")
    elif not status.attending and not status.joining:
        parts.append(f"No webinars in the next {lookahead_hours} h")
    return " · ".join(parts)
