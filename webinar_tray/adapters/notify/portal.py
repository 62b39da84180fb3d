"""Notifications inside a Flatpak: the desktop portal (org.freedesktop.portal.Notification), called
with `gdbus call` and GVariant text built by escaping (notify_text.portal_argv).

plyer's own portal backend pastes the title and message between quotes of GVariant text, so an
apostrophe ("Today's webinar") makes gdbus reject the call, and it ignores gdbus' exit status: the
notification is lost without a word. This sender escapes every value and raises when gdbus fails,
so the notifier logs it and goes on to the next way."""

from __future__ import annotations

import itertools
import os
import subprocess

from webinar_tray.adapters.notify.text import portal_argv
from webinar_tray.adapters.desktop.sysenv import system_env_or_none

FLATPAK_INFO = "/.flatpak-info"  # present in every Flatpak sandbox (plyer looks for any /app folder)


def in_flatpak() -> bool:
    return os.path.exists(FLATPAK_INFO)


class PortalNotification:
    """The portal through `gdbus call`: `notify(title=…, message=…)` as plyer's backends take it."""

    def __init__(self, app_name: str = "webinar-tray"):
        self._ids = itertools.count(1)
        self._prefix = f"{app_name}-{os.getpid()}-"

    def notify(self, title: str = "", message: str = "", **_ignored) -> None:
        argv = portal_argv(f"{self._prefix}{next(self._ids)}", title, message)
        out = subprocess.run(argv, env=system_env_or_none(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=10)
        if out.returncode != 0:
            first = (out.stderr or "").strip().splitlines()[:1]
            raise OSError(f"gdbus exited {out.returncode}: {first[0][:200] if first else 'no message'}")
