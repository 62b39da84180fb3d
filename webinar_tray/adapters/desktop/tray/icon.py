"""The pystray icon: created and run on the main thread; `show(state)` may be called from any
thread (pystray's GTK/AppIndicator backends marshal onto their main loop, Win32 calls are
thread-safe; on macOS the update is handed to the AppKit main thread)."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from webinar_tray.adapters.desktop.tray.render import Dispatch, render_menu
from webinar_tray.core.menu import APP_NAME, MenuState
from webinar_tray.env import Env
from webinar_tray.icons import load_icon

log = logging.getLogger(__name__)


def _on_main_thread(fn: Callable[[], None], env: Env) -> None:
    if env.macos:  # pragma: no cover - macOS only
        try:
            from PyObjCTools import AppHelper

            AppHelper.callAfter(fn)
            return
        except ImportError:
            pass
    fn()


_LATIN1 = {"\u2014": "-", "\u2013": "-", "\u2026": "...", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


def title_for(backend: str, text: str) -> str:
    """pystray's plain X11 backend writes the title as a Latin-1 WM_NAME: other characters
    would raise, so they are replaced (dashes and ellipses by their ASCII look-alikes)."""
    if backend != "xorg":
        return text
    text = "".join(_LATIN1.get(c, c) for c in text)
    return text.encode("latin-1", "replace").decode("latin-1")


def _tolerate_no_notification_service() -> None:
    """pystray's GTK/AppIndicator icons connect to the desktop's notification service when they
    start, and fail to start at all when there is none (no daemon, or one that crashes on
    activation). The icon must not depend on it: we deliver notifications through plyer first,
    so a missing service only costs the icon's own notify (used as a fallback)."""
    try:
        from pystray._util import notify_dbus
    except Exception:  # not a GTK backend, or no PyGObject
        return
    original = notify_dbus.Notifier
    if getattr(original, "tolerant", False):
        return

    class TolerantNotifier:
        tolerant = True

        def __init__(self) -> None:
            try:
                self._inner = original()  # (succeeds without a service; its calls then fail)
            except Exception as exc:
                log.info("no notification service for the tray icon's own notifications (%s)",
                         str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                self._inner = None

        def notify(self, *args: Any, **kwargs: Any) -> None:
            if self._inner is None:
                raise RuntimeError("no notification service on the session bus")
            self._inner.notify(*args, **kwargs)

        def hide(self) -> None:
            if self._inner is None:
                return
            try:
                self._inner.hide()
            except Exception as exc:  # the service went away (or never was there)
                log.debug("hiding the tray icon's notification: %s", exc)

    notify_dbus.Notifier = TolerantNotifier


class TrayIcon:
    def __init__(self, dispatch: Dispatch, initial: MenuState, env: Env | None = None):
        """A public entry (the tray app builds it with (dispatch, initial): the real Env)."""
        import pystray  # after adapters.tray.backend.select_backend()

        from webinar_tray.adapters.desktop.tray.backend import forget_gl_switch

        forget_gl_switch()  # GTK has read it

        self._pystray = pystray
        self._env = env or Env.real()
        self._dispatch = dispatch
        self._lock = threading.Lock()
        self._stop_requested = False
        self._shown: MenuState | None = initial
        self.backend = pystray.Icon.__module__.rsplit("._", 1)[-1]  # "gtk", "win32", "xorg"...
        if self.backend in ("gtk", "appindicator"):
            _tolerate_no_notification_service()
        self.icon = pystray.Icon(
            APP_NAME,
            icon=load_icon(initial.icon),
            title=title_for(self.backend, initial.tooltip),
            menu=render_menu(pystray, initial.items, dispatch, self._env),
        )

    @property
    def has_menu(self) -> bool:
        return bool(getattr(self.icon, "HAS_MENU", True))

    @property
    def can_notify(self) -> bool:
        return bool(getattr(self.icon, "HAS_NOTIFICATION", False))

    def run(self, on_ready: Callable[[], None], on_main_thread: Callable[[], None] | None = None) -> None:
        """Blocks on the main thread until stop(). on_ready runs once the icon is up (on a thread
        of pystray's); on_main_thread, when given, then runs once on the main thread."""

        def setup(icon: Any) -> None:
            icon.visible = True
            if self._stop_requested:  # stop() came before the loop ran (a signal at start): the
                icon.stop()           # loop's quit was lost, and run() would never return
                return
            if on_main_thread is not None:
                self.call_on_main_thread(on_main_thread)
            on_ready()

        self.icon.run(setup=setup)

    def stop(self) -> None:
        self._stop_requested = True
        self.icon.stop()

    def call_on_main_thread(self, fn: Callable[[], None]) -> None:
        """Run fn on the thread that runs the icon's loop (GTK: an idle callback)."""
        if self.backend in ("gtk", "appindicator"):
            from gi.repository import GLib

            GLib.idle_add(lambda: (fn(), False)[1])
        else:
            _on_main_thread(fn, self._env)

    def show(self, state: MenuState) -> None:
        """Show `state`: only what changed is handed to pystray."""
        with self._lock:
            old, self._shown = self._shown, state
        if old == state:
            return

        def apply() -> None:
            if old is None or old.icon != state.icon:
                self.icon.icon = load_icon(state.icon)
            if old is None or old.tooltip != state.tooltip:
                self.icon.title = title_for(self.backend, state.tooltip)
            if old is None or old.items != state.items:
                self.icon.menu = render_menu(self._pystray, state.items, self._dispatch, self._env)

        _on_main_thread(apply, self._env)

    def notify(self, title: str, message: str) -> None:
        """The icon's own notification (a fallback for when plyer has no backend)."""
        self.icon.notify(message, title)
