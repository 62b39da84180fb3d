"""macOS: `osascript -e 'display notification "…" with title "…"'`, run as argv, never through a
shell, the texts as escaped AppleScript literals (text.osascript_argv), with the user's
environment."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from webinar_tray.adapters.desktop.sysenv import system_env
from webinar_tray.adapters.notify.payload import osascript_argv

if TYPE_CHECKING:
    from webinar_tray.env import Env

NAME = "osascript"


def is_applicable(env: Env) -> tuple[bool, str]:
    if not env.macos:
        return False, "not macOS"
    if not env.which("osascript"):
        return False, "no osascript on PATH"
    return True, ""


def send(env: Env, title: str, message: str) -> None:
    """Show one; raises OSError when osascript fails."""
    out = subprocess.run(osascript_argv(title, message), capture_output=True, text=True, timeout=10,
                         stdin=subprocess.DEVNULL,
                         env=system_env(env))
    if out.returncode != 0:
        raise OSError(f"osascript exited {out.returncode}: {out.stderr.strip()[:200]}")
