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

from webinar_tray.env import Env

CREATE_NO_WINDOW = 0x08000000  # subprocess.CREATE_NO_WINDOW, which exists only on Windows

# variable -> the value it had before PyInstaller's runtime hooks changed it (None: unset)
_HOOKED: dict[str, str | None] = {}


def hooked_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str | None]:
    """What changed between two snapshots of the environment: variable -> its value in `before`
    (None when it was unset there)."""
    return {k: before.get(k) for k in set(before) | set(after) if before.get(k) != after.get(k)}


def remember_hooked(before: Mapping[str, str] | None, env: Env | None = None) -> dict[str, str | None]:
    """Note what the runtime hooks changed: `before` is the environment they started with
    (sys._webinar_tray_environ, set by packaging/rthook_environ.py), `env.environ` the one now.
    A public entry (packaging/entry.py calls it with `before` only: the real environment)."""
    _HOOKED.clear()
    if before is not None:
        _HOOKED.update(hooked_changes(before, (env or Env.real()).environ))
    return dict(_HOOKED)


def system_env(env: Env | None = None, *, hooked: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """A copy of `env`'s environment fit for a system program: in a frozen build, without what
    the bootloader and the runtime hooks (`hooked`, default: what remember_hooked() noted)
    changed. A public entry: called bare (the real Env) by the adapters that start programs."""
    env = env or Env.real()
    out = dict(env.environ)
    if not env.frozen:
        return out
    for key, original in (_HOOKED if hooked is None else hooked).items():
        if original is None:
            out.pop(key, None)
        else:
            out[key] = original
    for key in [k for k in out if k.startswith("_PYI_") or k == "_MEIPASS2"]:
        out.pop(key)  # the bootloader's own: they would confuse another frozen program
    if env.linux:
        original = out.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is not None:
            out["LD_LIBRARY_PATH"] = original
        else:  # it was unset before the bootloader set it
            out.pop("LD_LIBRARY_PATH", None)
    return out


def popen_flags(env: Env | None = None) -> dict:
    """Extra subprocess.Popen keyword arguments: no console window on Windows. A public entry
    (called bare: the real Env)."""
    if (env or Env.real()).windows:
        return {"creationflags": CREATE_NO_WINDOW}
    return {}


def system_env_or_none(env: Env | None = None) -> dict[str, str] | None:
    """system_env() when it differs from the environment, else None (not frozen: nothing to
    change). For programs started by a library with our environment: the `env=` of Playwright's
    launch (its driver starts the browser with the driver's environment, which is ours: the
    bundle's libraries and GTK), notify-send (plyer starts it with os.environ). A public entry
    (called bare: the real Env)."""
    env = env or Env.real()
    current = dict(env.environ)  # one snapshot: the real environment may change meanwhile
    wanted = system_env(env.with_(environ=current))
    return None if wanted == current else wanted


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
