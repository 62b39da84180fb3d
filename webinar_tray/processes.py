"""The app's own child processes, started with a first argument no user types: a composition
root like compose.py (the only other module outside adapters/ that imports an adapter), kept
apart so that a child loads nothing the app's start needs (compose.py imports the store, the
settings and the config files).

- `_google-helper`: the running app's Google helper (adapters/calendar/google/helper.py)."""

from __future__ import annotations

GOOGLE_HELPER = "_google-helper"


def child_main(argv: list[str]) -> int | None:
    """The exit status of the child process `argv` asks for, or None: not a child's argv."""
    if argv[:1] == [GOOGLE_HELPER]:
        from webinar_tray.adapters.calendar.google.helper import main
        from webinar_tray.runtime.memory import one_shot

        one_shot()  # it lives for one refresh: what it parses is let go when it exits

        return main()
    return None
