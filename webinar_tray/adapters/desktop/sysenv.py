"""Starting system programs (systemd-inhibit, caffeinate, notify-send, xdg-open, the browser)
from the app, and the frozen app's missing console.

A frozen Linux build (PyInstaller) points LD_LIBRARY_PATH at its bundled libraries and keeps the
user's value in LD_LIBRARY_PATH_ORIG; a system program must get the user's value back, or it may
load our copies of libraries it was not built against. PyInstaller's runtime hooks for GTK/GLib
(bundled on Linux for the tray menu) also set GTK_PATH, GI_TYPELIB_PATH, GIO_MODULE_DIR,
GDK_PIXBUF_MODULE_FILE, XDG_DATA_DIRS... to the bundle: a GTK program such as Chromium must not
load our GTK modules either. packaging/rthook_environ.py (run before every other runtime hook)
keeps the environment as the user started us; `remember_hooked()` (packaging/entry.py) notes what
the hooks changed and `system_env()` puts it back.

On Windows a console program started from the windowed app would flash a console window:
CREATE_NO_WINDOW stops that. The windowed app (and pythonw.exe) has no console streams at all:
`ensure_streams()` gives it null ones so that a print or a library writing to sys.stderr cannot
raise."""

from __future__ import annotations

import os
import sys
from typing import Mapping

CREATE_NO_WINDOW = 0x08000000  # subprocess.CREATE_NO_WINDOW, which exists only on Windows

# variable -> the value it had before PyInstaller's runtime hooks changed it (None: unset)
_HOOKED: dict[str, str | None] = {}


def hooked_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str | None]:
    """What changed between two snapshots of the environment: variable -> its value in `before`
    (None when it was unset there)."""
    return {k: before.get(k) for k in set(before) | set(after) if before.get(k) != after.get(k)}


def remember_hooked(before: Mapping[str, str] | None, after: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Note what the runtime hooks changed: `before` is the environment they started with
    (sys._webinar_tray_environ, set by packaging/rthook_environ.py), `after` the one now."""
    _HOOKED.clear()
    if before is not None:
        _HOOKED.update(hooked_changes(before, os.environ if after is None else after))
    return dict(_HOOKED)


def system_env(
    environ: Mapping[str, str] | None = None,
    frozen: bool | None = None,
    platform: str = sys.platform,
    hooked: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """A copy of the environment fit for a system program: in a frozen build, without what the
    bootloader and the runtime hooks (`hooked`, default: what remember_hooked() noted) changed."""
    env = dict(os.environ if environ is None else environ)
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if not frozen:
        return env
    for key, original in (_HOOKED if hooked is None else hooked).items():
        if original is None:
            env.pop(key, None)
        else:
            env[key] = original
    for key in [k for k in env if k.startswith("_PYI_") or k == "_MEIPASS2"]:
        env.pop(key)  # the bootloader's own: they would confuse another frozen program
    if platform.startswith("linux"):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is not None:
            env["LD_LIBRARY_PATH"] = original
        else:  # it was unset before the bootloader set it
            env.pop("LD_LIBRARY_PATH", None)
    return env


def popen_flags(platform: str = sys.platform) -> dict:
    """Extra subprocess.Popen keyword arguments: no console window on Windows."""
    if platform.startswith("win"):
        return {"creationflags": CREATE_NO_WINDOW}
    return {}


def system_env_or_none(environ: Mapping[str, str] | None = None, frozen: bool | None = None,
                       platform: str = sys.platform) -> dict[str, str] | None:
    """system_env() when it differs from the environment, else None (not frozen: nothing to
    change). For programs started by a library with our environment: the `env=` of Playwright's
    launch (its driver starts the browser with the driver's environment, which is ours: the
    bundle's libraries and GTK), notify-send (plyer starts it with os.environ)."""
    env = dict(os.environ if environ is None else environ)
    wanted = system_env(env, frozen=frozen, platform=platform)
    return None if wanted == env else wanted


def ensure_streams(target=sys) -> list[str]:
    """Give a process without a console a stdout/stderr that swallow output (a windowed
    PyInstaller build and pythonw.exe have None there: `print` copes, but `sys.stdout.write`,
    `.flush()` or `.reconfigure()` raise). Logging still goes to the log file. Returns the names
    replaced."""
    replaced = []
    for name in ("stdout", "stderr"):
        if getattr(target, name, None) is None:
            setattr(target, name, open(os.devnull, "w", encoding="utf-8", errors="replace"))
            replaced.append(name)
    return replaced
