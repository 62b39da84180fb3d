"""doctor's ICS check: each address read now, within a short deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from webinar_tray.core.diagnosis import SKIPPED_CONFIG, Result, State


def ics(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if s.paths.demo:
        return None, "not used with --demo", None
    urls = s.settings.ics.urls
    if not urls:
        return None, "no [ics] urls", None
    from webinar_tray.adapters.calendar.ics.source import IcsSource, address_problem
    from webinar_tray.ports import SourceError

    now = datetime.now(timezone.utc)
    end = now + timedelta(hours=s.settings.refresh.lookahead_hours)
    lines, ok = [], True
    for i, address in enumerate(urls, 1):
        try:
            src = IcsSource(address, s.paths.config_dir, replace(s.settings.refresh, timeout_seconds=min(20, s.settings.refresh.timeout_seconds)))
        except SourceError as e:
            ok = False
            lines.append(f"ICS address #{i}: {address_problem(e)}")
            continue
        label = f"{src.name} ({src.calendar_id})"
        try:
            n = len(src.fetch(now, end))
            lines.append(f"{label}: {n} event{'' if n == 1 else 's'} in the next "
                         f"{s.settings.refresh.lookahead_hours} h")
        except SourceError as e:
            ok = False
            lines.append(str(e) if str(e).startswith(src.name) else f"{label}: {e}")
        except Exception as e:  # a parser bug: never str(e), which might quote the address
            ok = False
            lines.append(f"{label}: cannot be read ({type(e).__name__})")
    fix = None if ok else (f"check [ics] urls in {s.paths.config_file}: a secret address changes "
                           "when it is reset (copy it again from the calendar's settings)")
    return ok, "; ".join(lines), fix
