"""Linux, in a Flatpak: the desktop portal (org.freedesktop.portal.Notification), called with
`gdbus call` and GVariant text built by escaping (text.portal_argv).

plyer's own portal backend pastes the title and message between quotes of GVariant text, so an
apostrophe ("Today's webinar") makes gdbus reject the call, and it ignores gdbus' exit status: the
notification is lost without a word. This sender escapes every value and raises when gdbus fails,
so the notifier logs it and goes on to the next way. The body is plain text for the portal (no
markup escaping).

Whether this is a Flatpak is read from the sandbox's /.flatpak-info (a file: the Env carries no
file system); plyer looks for any /app folder."""

from __future__ import annotations

import itertools
import os
import subprocess
from typing import TYPE_CHECKING, Callable

from webinar_tray.adapters.desktop.sysenv import system_env_or_none
from webinar_tray.adapters.notify.payload import APP_NAME, portal_argv

if TYPE_CHECKING:
    from webinar_tray.env import Env

NAME = "portal (flatpak/gdbus)"
FLATPAK_INFO = "/.flatpak-info"  # present in every Flatpak sandbox
FIX_GDBUS = "build the Flatpak on a runtime that has gdbus (org.freedesktop.Platform)"

_ids = itertools.count(1)  # the portal replaces a notification sent again under the same id


def in_flatpak(env: Env) -> bool:
    return env.linux and os.path.exists(FLATPAK_INFO)


def is_applicable(env: Env) -> tuple[bool, str]:
    if not in_flatpak(env):
        return False, "not in a Flatpak"
    if not env.which("gdbus"):
        return False, "no gdbus in the Flatpak runtime (the portal is called with it)"
    return True, ""


def fix(env: Env) -> str:
    return FIX_GDBUS if in_flatpak(env) and not env.which("gdbus") else ""


def send(env: Env, title: str, message: str, *, app_name: str = APP_NAME, icon: str = "",
         on_error: Callable[[BaseException], None] | None = None) -> None:
    """Add one notification through the portal; raises OSError when gdbus fails."""
    argv = portal_argv(f"{app_name}-{os.getpid()}-{next(_ids)}", title, message)
    out = subprocess.run(argv, env=system_env_or_none(env),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, timeout=10)
    if out.returncode != 0:
        first = (out.stderr or "").strip().splitlines()[:1]
        raise OSError(f"gdbus exited {out.returncode}: {first[0][:200] if first else 'no message'}")
