"""The tray app: the engine host + the tray icon + the tray worker thread that runs menu commands
and keeps the menu current. It talks to the engine only through `host.send(command)` and
`host.view()`. Quit (menu, SIGINT/SIGTERM, the session ending) stops the icon; the main thread
then closes pages, writes history and exits."""

from __future__ import annotations

import logging
import queue
import signal
import socket
import threading
import time
from datetime import datetime

from webinar_tray.core import commands as c
from webinar_tray.core.menu import MenuState, menu_state
from webinar_tray.env import Env
from webinar_tray.ui.actions import Actions
from webinar_tray.ui.status import tray_status

log = logging.getLogger(__name__)

# The menu's countdowns ("in 2 h 05 min") are redrawn at least this often.
REDRAW_SECONDS = 30.0
# The "Start at login" state is read again after this long (or at once after a toggle).
AUTOSTART_SECONDS = 600.0
# Changes arriving together (a refresh, then a join) are drawn once.
SETTLE_SECONDS = 0.2
# At Quit, the engine is stopped once the tray worker is done with the command in progress (it
# may be waiting on the engine thread, which answers until it is stopped), or after this long.
WORKER_JOIN_SECONDS = 10.0


class TrayApp:
    def __init__(self, host, notifier, *, desktop, icon_factory, env: Env, autostart=None,
                 open_profile=None):
        """host: send/view (host.EngineHost; tests: a FakeHost). icon_factory(dispatch, initial
        MenuState) -> the icon (adapters/desktop/tray/icon.TrayIcon; tests pass a stand-in with
        the same run/stop/show/notify/has_menu/can_notify/backend)."""
        self.host = host
        self._icon_factory = icon_factory
        self.notifier = notifier
        self.autostart = autostart
        self.env = env
        self.icon = None
        self._commands: queue.Queue[c.Command | None] = queue.Queue()
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._quit_lock = threading.Lock()
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        self._signal_handler = None
        self._autostart_at: float | None = None
        self._autostart_value: bool | None = None
        self.actions = Actions(host, notifier=notifier, desktop=desktop, quit=self.quit,
                               changed=self._changed.set, autostart=autostart, open_profile=open_profile)
        self._worker = threading.Thread(target=self._work, name="tray", daemon=True)

    # ---- called from anywhere -------------------------------------------------------------
    def dispatch(self, command: c.Command) -> None:
        """A menu click: queued, never run on the icon's thread."""
        log.debug("menu: %s", command.name)
        self._commands.put(command)

    def changed(self) -> None:
        """The engine's on_change: the menu is redrawn soon."""
        self._changed.set()
        self._commands.put(None)

    def shown(self) -> None:
        """A second launch of the app asked (host.Show): say where the app is, and refresh."""
        self.notifier.notify("info", "webinar-tray is already running", "Its icon is in the system tray.")
        self.dispatch(c.Refresh())

    def quit(self) -> None:
        with self._quit_lock:  # Quit in the menu and a signal at once: the icon is stopped once
            if self._stopping.is_set():
                return
            self._stopping.set()
        self._commands.put(None)
        if self.icon is not None:
            self.icon.stop()

    # ---- the state shown ------------------------------------------------------------------
    def state(self, now: datetime | None = None) -> MenuState:
        now = now or self.env.clock.now()
        view = self.host.view()
        status = tray_status(view, now=now, autostart=self._autostart_enabled())
        return menu_state(view.plan, status, now, None,
                          remind_minutes=view.settings.notifications.remind_minutes,
                          lookahead_hours=view.settings.refresh.lookahead_hours)

    def _autostart_enabled(self) -> bool | None:
        """Read at most every AUTOSTART_SECONDS (on macOS it runs launchctl), and after a toggle."""
        if self.autostart is None:
            return None
        now = time.monotonic()
        if self._autostart_at is None or now - self._autostart_at > AUTOSTART_SECONDS:
            try:
                self._autostart_value = self.autostart.status().enabled
            except Exception as e:
                log.debug("autostart status: %s", e)
                self._autostart_value = None
            self._autostart_at = now
        return self._autostart_value

    def forget_autostart(self) -> None:
        self._autostart_at = None

    # ---- the main thread ------------------------------------------------------------------
    def run(self) -> None:
        """Start the engine (AlreadyRunning propagates), show the icon, block until Quit."""
        self.host.start()
        try:
            self.icon = self._icon_factory(self.dispatch, self.state())
            log.info("tray icon up (pystray backend %s%s)", self.icon.backend,
                     "" if self.icon.has_menu else ", no menu: a click runs the default action")
            # The icon's own notify is a fallback worth having where it is a different path
            # (Windows balloons, macOS); on Linux it goes to the same D-Bus service as plyer.
            if self.icon.can_notify and self.icon.backend not in ("gtk", "appindicator", "xorg"):
                self.notifier.set_tray_notify(self.icon.notify)
            self._install_signals()
            self._worker.start()
            # pystray's GTK loop resets SIGINT to the default (the process dies without closing
            # pages): once the loop runs, our handlers are put back, on the main thread.
            self.icon.run(on_ready=self.changed, on_main_thread=self._reinstall_signals)
        finally:
            self._stopping.set()
            self._commands.put(None)
            # the worker first (it reads the engine and the store), then the engine
            if self._worker.is_alive():
                self._worker.join(WORKER_JOIN_SECONDS)
            self.host.stop()
            self._close_wakeup()

    def _install_signals(self) -> None:
        """SIGINT/SIGTERM/SIGHUP quit. Python runs a signal handler only when the main thread
        runs Python code, and the main thread sits in the tray's native loop (GTK, AppKit) for
        as long as nothing happens on screen: so the signal also wakes a watcher thread
        (signal.set_wakeup_fd), which quits at once."""
        wanted = set(self.env.quit_signals())

        def on_signal(signum, frame):  # (may run late; quitting twice is harmless)
            threading.Thread(target=quit_for, args=(signum,), daemon=True).start()

        def quit_for(signum: int) -> None:
            if not self._stopping.is_set():
                log.info("signal %s: quitting", signal.Signals(signum).name)
            self.quit()

        for sig in wanted:
            try:
                signal.signal(sig, on_signal)
            except (ValueError, OSError):  # not the main thread / not on this platform
                return
        self._signal_handler = on_signal
        reader, writer = socket.socketpair()
        writer.setblocking(False)
        try:
            signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        except (ValueError, OSError):
            reader.close()
            writer.close()
            return
        self._wakeup = (reader, writer)

        def watch() -> None:
            while True:
                try:
                    data = reader.recv(64)
                except OSError:
                    return
                if not data:
                    return
                for signum in data:
                    if signum in wanted:
                        quit_for(signum)

        threading.Thread(target=watch, name="signals", daemon=True).start()

    def _reinstall_signals(self) -> None:
        handler = self._signal_handler
        if handler is None:
            return
        for sig in self.env.quit_signals():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError):
                pass

    def _close_wakeup(self) -> None:
        if self._wakeup is None:
            return
        try:
            signal.set_wakeup_fd(-1)
        except (ValueError, OSError):
            pass
        for sock in self._wakeup:
            sock.close()
        self._wakeup = None

    # ---- the tray worker ------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                command = self._commands.get(timeout=REDRAW_SECONDS)
            except queue.Empty:
                command = None
                self._changed.set()  # countdowns move on
            if self._stopping.is_set():
                break
            if command is not None:
                if isinstance(command, c.SetAutostart):
                    self.forget_autostart()
                self.actions.run(command)
                if isinstance(command, c.SetAutostart):
                    self.forget_autostart()
            if self._changed.is_set():
                self._stopping.wait(SETTLE_SECONDS)
                if self._stopping.is_set():  # Quit: the icon is stopped, the engine stopping
                    break
                self._changed.clear()
                self._redraw()

    def _redraw(self) -> None:
        if self.icon is None or not self.host.view().running:
            return
        try:
            self.icon.show(self.state())
        except Exception:
            log.exception("could not update the tray menu")
