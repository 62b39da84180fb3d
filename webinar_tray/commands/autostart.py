"""autostart enable|disable|status: start webinar-tray at login for this user (with --home when
a home folder is forced)."""

from __future__ import annotations

import sys

from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from webinar_tray.config.paths import Paths


def autostart(paths: Paths, action: str) -> int:
    from webinar_tray.compose import autostart_entry
    from webinar_tray.ports import AutostartError

    if action not in ("enable", "disable", "status"):
        print(f"webinar-tray: autostart: unknown action {action!r} (enable, disable or status)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        entry = autostart_entry(paths)
        status = {"enable": entry.enable, "disable": entry.disable, "status": entry.status}[action]()
    except AutostartError as e:
        print(f"webinar-tray: autostart {action}: {e}", file=sys.stderr)
        return EXIT_FAILED
    from webinar_tray.commands.doctor import _tolerant_stdout

    _tolerant_stdout()
    print(status.line())
    return EXIT_OK
