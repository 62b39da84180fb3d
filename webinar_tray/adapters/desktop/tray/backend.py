"""Which pystray backend to use, decided before pystray is imported (it picks one at import).

Windows and macOS have one each. On Linux pystray tries AppIndicator, then GTK, then plain X11
(`xorg`, which has no menu: a click runs the default action). We choose among them ourselves so
that the choice is logged and explained:
- `appindicator` when PyGObject and the (Ayatana) AppIndicator library are there and something
  on the session bus shows StatusNotifier items (KDE, GNOME with the AppIndicator extension,
  XFCE/MATE/Cinnamon panels, waybar...);
- `gtk` (an XEmbed tray icon, e.g. in trayer, XFCE, LXDE) when PyGObject is there;
- `xorg` otherwise, with a note saying how to get the full menu.
`PYSTRAY_BACKEND` set by the user wins.

The choice is read from an Env, but it is written to this process's own environment
(PROCESS_ENVIRON): pystray reads PYSTRAY_BACKEND, and GDK reads GDK_GL, from there."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable, MutableMapping

from webinar_tray.env import Env

log = logging.getLogger(__name__)

# Where pystray and GDK look, when they start in this process: written on purpose (never an
# Env's environment, which may be a test's dict).
PROCESS_ENVIRON: MutableMapping[str, str] = os.environ

PYGOBJECT_HINT = (
    "the full tray menu on Linux needs PyGObject: apt-get install libgirepository1.0-dev "
    "libcairo2-dev gir1.2-ayatanaappindicator3-0.1 gir1.2-gtk-3.0 pkg-config, then "
    "`uv sync --extra linux-tray` (or pip install 'PyGObject<3.51')"
)


@dataclass(frozen=True)
class BackendChoice:
    name: str | None  # None: pystray's own default (Windows, macOS)
    note: str | None = None  # said once in the log when not None
    shown: bool = True  # False: no display to show an icon on (run the engine without one)


def _gtk_available() -> bool:
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        from gi.repository import Gtk  # noqa: F401
    except Exception:  # ImportError, ValueError (no typelib), a broken install
        return False
    return True


def _appindicator_available() -> bool:
    try:
        import gi

        for name in ("AyatanaAppIndicator3", "AppIndicator3"):
            try:
                gi.require_version(name, "0.1")
                __import__(f"gi.repository.{name}")
                return True
            except (ImportError, ValueError):
                continue
    except Exception:
        return False
    return False


def _status_notifier_host() -> bool:
    """Whether something on the session bus shows StatusNotifier (AppIndicator) items."""
    try:
        from gi.repository import Gio, GLib

        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = bus.call_sync(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
            GLib.Variant("(s)", ("org.kde.StatusNotifierWatcher",)), GLib.VariantType("(b)"),
            Gio.DBusCallFlags.NONE, 2000, None,
        )
        return bool(reply.unpack()[0])
    except Exception:
        return False


def choose_backend(
    env: Env,
    gtk: Callable[[], bool] = _gtk_available,
    appindicator: Callable[[], bool] = _appindicator_available,
    sni_host: Callable[[], bool] = _status_notifier_host,
) -> BackendChoice:
    forced = env.get("PYSTRAY_BACKEND")
    if forced:
        return BackendChoice(forced, f"tray backend {forced} (PYSTRAY_BACKEND)")
    if env.platform.startswith(("win", "cygwin")) or env.macos:
        return BackendChoice(None)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return BackendChoice(None, "no display (DISPLAY/WAYLAND_DISPLAY unset): no tray icon; "
                             "running the engine without one, as `webinar-tray run` does", shown=False)
    if gtk():
        if appindicator() and sni_host():
            return BackendChoice("appindicator", "tray backend: AppIndicator (StatusNotifier)")
        return BackendChoice("gtk", "tray backend: GTK status icon (XEmbed tray)")
    return BackendChoice("xorg", "tray backend: plain X11 - no menu, a click joins the next webinar; "
                         + PYGOBJECT_HINT)


def _name_the_program() -> None:
    """GTK names windows, the accessibility tree and the WM class after the program: ours, not
    "__main__.py"."""
    try:
        from gi.repository import GLib

        GLib.set_prgname("webinar-tray")
        GLib.set_application_name("webinar-tray")
    except Exception:
        pass


_SET_BY_US: set[str] = set()


def forget_gl_switch() -> None:
    """Call once GTK has started (pystray imported): our GDK_GL is not for child programs."""
    if "GDK_GL" in _SET_BY_US:
        PROCESS_ENVIRON.pop("GDK_GL", None)
        _SET_BY_US.discard("GDK_GL")


def select_backend(env: Env | None = None) -> BackendChoice:
    """Choose by `env` and set PYSTRAY_BACKEND in this process's environment for the coming
    `import pystray`; logs the choice once. A public entry (the tray command calls it bare: the
    real Env)."""
    env = env or Env.real()
    if env.linux and "GDK_GL" not in env.environ and "GDK_GL" not in PROCESS_ENVIRON:
        # A tray icon and its menu never draw with OpenGL; without this GDK loads the GL
        # driver when GTK starts (on Mesa's software renderer: libLLVM, ~55 MB of the tray's
        # 120 MB). It must be set before GTK starts, which the probes below may do; GDK reads
        # it once, and forget_gl_switch() then removes it so the programs we start do not
        # inherit it.
        PROCESS_ENVIRON["GDK_GL"] = "disable"
        _SET_BY_US.add("GDK_GL")
    choice = choose_backend(env)
    if choice.name and choice.shown:
        PROCESS_ENVIRON["PYSTRAY_BACKEND"] = choice.name
    if choice.name in ("gtk", "appindicator"):
        _name_the_program()
    else:
        forget_gl_switch()
    if choice.note:
        log.info("%s", choice.note)
    return choice
