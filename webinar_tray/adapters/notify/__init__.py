"""Desktop notifications behind the Notifier port: the fallback chain, one module per way.

The way a notification takes, first that works:

1. the platform's own, one of:
   - plyer_linux: plyer over D-Bus (dbus-python when importable, else `notify-send`), asked of
     the session bus first (bus.py: plyer's backends fail silently without a daemon);
   - portal: in a Flatpak, our own `gdbus call` to the notification portal (GVariant escaped);
   - plyer_windows: plyer's balloon tip (icon: a .ico), on a thread of our own;
   - plyer_macos: plyer's backend (needs pyobjus, usually absent, so it is skipped);
   - plyer_other: plyer's facade anywhere else.
2. tray_icon: the tray icon's own notify (set with set_tray_notify() once the icon exists: the
   icon is created after the notifier).
3. osascript: macOS only, `display notification`, run as argv, never through a shell.
4. log: every notification is logged anyway; when nothing else works the log says so once,
   with the fix.

Each way is a module with `is_applicable(env) -> (ok, why)` and `send(...)` (the platform's own
also `fix(env)`: what makes it applicable). The world is read from the `env: Env` handed in.

Nothing here raises to the caller: delivery runs on one background thread (a hung notification
daemon cannot stall the engine, which notifies while holding its lock), every exception is caught
and logged once per failing way, and the way in use is logged once ("notifications: plyer
(linux/notify-send)"). Texts are cleaned before they leave (text.clean: links lose their query,
control and bidi characters go, titles/messages are cut to the platform's limits).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from types import ModuleType
from typing import TYPE_CHECKING, Callable, NamedTuple

from webinar_tray.adapters.notify import (
    bus,
    log as log_path,
    osascript,
    plyer_linux,
    plyer_macos,
    plyer_other,
    plyer_windows,
    portal,
    tray_icon,
)
from webinar_tray.adapters.notify.plyer_common import plyer_platform
from webinar_tray.adapters.notify.payload import APP_NAME, clean, icon_for

if TYPE_CHECKING:
    from webinar_tray.env import Env

_log = logging.getLogger("webinar_tray.notify")

QUEUE_SIZE = 100

Send = Callable[[str, str, str], None]  # (kind, title, message); raises when it cannot show one


class Way(NamedTuple):
    """The platform's own way, chosen once: its module, its name in the log, and when it is not
    applicable, why and the fix."""

    module: ModuleType
    name: str
    why: str = ""
    fix: str = ""

    @property
    def via_bus(self) -> bool:
        """Delivered to a daemon on the session bus that may not be there (asked first)."""
        return self.module is plyer_linux


def platform_way(env: Env) -> Way:
    """The platform's own way for `env` (plyer's backend, or the portal in a Flatpak)."""
    platform = plyer_platform(env)
    module: ModuleType
    if platform == "linux" and portal.in_flatpak(env):
        module, name = portal, portal.NAME
    elif platform == "linux":
        module, name = plyer_linux, plyer_linux.name(env)
    elif platform == "win":
        module, name = plyer_windows, plyer_windows.NAME
    elif platform == "macosx":
        module, name = plyer_macos, plyer_macos.NAME
    else:
        module, name = plyer_other, plyer_other.name(env)
    ok, why = module.is_applicable(env)
    return Way(module, name) if ok else Way(module, name, why, module.fix(env))


class _Unavailable(Exception):
    """A way that cannot work (no backend): logged once, then skipped."""


class _Probe(_Unavailable):
    """The Linux probe found no daemon: skip plyer this time (not dead: re-probed later)."""


class DesktopNotifier:
    """Notifier port: desktop notifications, falling back to the tray icon, osascript (macOS)
    and the log. Safe to call from any thread; never raises."""

    def __init__(self, enabled: bool, env: Env, app_name: str = APP_NAME, icon_path: str | None = None,
                 tray_notify: tray_icon.TrayNotify | None = None):
        self._enabled = bool(enabled)
        self._env = env
        self.app_name = app_name
        self.icon_path = icon_path
        self._tray_notify = tray_notify
        self._platform = plyer_platform(env)
        self._bus = bus.DaemonWatch(env)
        self._lock = threading.RLock()
        self._way: Way | None = None
        self._dead: dict[str, str] = {}  # way -> why it cannot work (skipped from now on)
        self._error_logged: set[str] = set()
        self._announced: set[str] = set()
        self._queue: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._worker: threading.Thread | None = None
        self._closed = False
        self._dropped = 0

    # ---- settings ---------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self.set_enabled(value)

    def set_enabled(self, enabled: bool) -> None:
        """On: desktop notifications. Off: the log only. Takes effect for the next notify()."""
        with self._lock:
            if bool(enabled) != self._enabled:
                _log.info("notifications: %s", "on" if enabled else "off (log only)")
            self._enabled = bool(enabled)

    def set_tray_notify(self, tray_notify: tray_icon.TrayNotify | None) -> None:
        """The tray icon's notify, as `tray_notify(title, message)` (for pystray:
        `lambda title, message: icon.notify(message, title)`)."""
        with self._lock:
            self._tray_notify = tray_notify
            self._dead.pop(tray_icon.NAME, None)
            self._error_logged.discard(tray_icon.NAME)

    # ---- the port ---------------------------------------------------------------------------
    def notify(self, kind: str, title: str, message: str) -> None:
        try:
            title, message = clean(title, message, self._platform)
            if not self._enabled:
                log_path.send(kind, title, message, enabled=False)
                return
            log_path.send(kind, title, message)
            self._submit((kind, title, message))
        except Exception:  # the caller is the engine: never let a notification break it
            _log.exception("notifications: could not send %r", title)

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until every notification sent so far has been delivered (or has failed). True
        when the queue drained in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._queue.all_tasks_done:
                if not self._queue.unfinished_tasks:
                    return True
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the delivery thread after what is queued."""
        with self._lock:
            self._closed = True
            worker = self._worker
        if worker is not None:
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                return
            worker.join(timeout)

    def _submit(self, item) -> None:
        with self._lock:
            if self._closed:
                return
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="webinar-tray-notify", daemon=True)
                self._worker.start()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1:
                _log.warning("notifications: the desktop is not taking notifications fast enough; "
                            "dropping some (they are in the log)")

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
            except Exception:  # pragma: no cover - _deliver catches everything itself
                _log.exception("notifications: delivery failed")
            finally:
                self._queue.task_done()

    # ---- the chain --------------------------------------------------------------------------
    def _paths(self) -> list[tuple[str, Send]]:
        paths: list[tuple[str, Send]] = [(self._get_way().name, self._send_platform)]
        with self._lock:
            tray = self._tray_notify
        if tray is not None:
            paths.append((tray_icon.NAME, lambda kind, title, message: tray_icon.send(tray, title, message)))
        if osascript.is_applicable(self._env)[0]:
            paths.append((osascript.NAME, lambda kind, title, message: osascript.send(self._env, title, message)))
        return paths

    def _deliver(self, kind: str, title: str, message: str, after: str | None = None) -> None:
        paths = self._paths()
        if after is not None:  # a way that failed late (Windows balloon thread): the rest
            names = [n for n, _ in paths]
            paths = paths[names.index(after) + 1:] if after in names else []
        for name, send in paths:
            with self._lock:
                if name in self._dead:
                    continue
            try:
                send(kind, title, message)
            except _Probe:
                continue
            except _Unavailable as e:
                self._mark_dead(name, str(e))
                continue
            except (NotImplementedError, ImportError) as e:
                self._mark_dead(name, f"{type(e).__name__}: {e}")
                continue
            except Exception as e:
                self._failed(name, e)
                continue
            self._announce(name)
            return
        self._announce(log_path.NAME, self._why_log_only())

    def _get_way(self) -> Way:
        with self._lock:
            if self._way is None:
                self._way = platform_way(self._env)
                if self._way.why:
                    fix = f" (fix: {self._way.fix})" if self._way.fix else ""
                    self._mark_dead(self._way.name, self._way.why + fix)
            return self._way

    def _send_platform(self, kind: str, title: str, message: str) -> None:
        way = self._get_way()
        if way.via_bus:
            ok, detail, _fix = self._bus.check()
            if ok is False:
                raise _Probe(detail)  # skipped this time, probed again later

        def on_error(e: BaseException) -> None:  # from a way's own thread (Windows balloon)
            self._failed(way.name, e)
            self._deliver(kind, title, message, after=way.name)

        way.module.send(self._env, title, message, app_name=self.app_name,
                        icon=icon_for(self._platform, self.icon_path), on_error=on_error)

    # ---- logging, once ----------------------------------------------------------------------
    def _mark_dead(self, name: str, why: str) -> None:
        with self._lock:
            if name in self._dead:
                return
            self._dead[name] = why
        _log.warning("notifications: %s cannot show notifications: %s", name, why)

    def _failed(self, name: str, e: BaseException) -> None:
        with self._lock:
            first = name not in self._error_logged
            self._error_logged.add(name)
        if first:
            _log.warning("notifications: %s failed (%s: %s); using the next way, this is logged once",
                        name, type(e).__name__, e)
        else:
            _log.debug("notifications: %s failed again: %s: %s", name, type(e).__name__, e)

    def _announce(self, name: str, why: str = "") -> None:
        with self._lock:
            if name in self._announced:
                return
            self._announced.add(name)
        if name == log_path.NAME:
            _log.warning("notifications: log only — no desktop notification could be shown%s",
                        f" ({why})" if why else "")
        else:
            _log.info("notifications: %s", name)

    def _why_log_only(self) -> str:
        with self._lock:
            reasons = [f"{k}: {v}" for k, v in self._dead.items()]
        status = self._bus.last
        if status is not None and status[0] is False:
            reasons.append(f"{status[1]} (fix: {status[2]})")
        return "; ".join(reasons)

    # ---- for the doctor ---------------------------------------------------------------------
    def describe(self) -> tuple[str, bool, str]:
        """(way in use, ok, fix): the way the next notification would take."""
        if not self._enabled:
            return "log (notifications off)", True, "set [notifications] enabled = true in config.toml"
        way = self._get_way()
        fixes = []
        with self._lock:
            way_dead = way.name in self._dead
        if not way_dead:
            if not way.via_bus:
                return way.name, True, ""
            ok, _detail, fix = bus.linux_daemon_status(self._env)
            if ok is not False:
                return way.name, True, fix
            fixes.append(fix)
        elif way.fix:
            fixes.append(way.fix)
        with self._lock:
            tray_ok = self._tray_notify is not None and tray_icon.NAME not in self._dead
        if tray_ok:
            return tray_icon.NAME, True, "; ".join(fixes)
        if osascript.is_applicable(self._env)[0] and osascript.NAME not in self._dead:
            return osascript.NAME, True, "; ".join(fixes)
        return log_path.NAME, False, "; ".join(fixes) or "no desktop notification backend"


def probe(settings, env: Env) -> dict:
    """The doctor's `notifications` check: {"ok": bool|None, "detail": str, "fix": str}."""
    if not settings.notifications.enabled:
        return {"ok": None, "detail": "notifications are off ([notifications] enabled = false); they go to the log",
                "fix": ""}
    way = platform_way(env)
    if way.why:
        if way.module is plyer_macos and osascript.is_applicable(env)[0]:
            return {"ok": True, "detail": f"{way.why}; using osascript (display notification)", "fix": ""}
        return {"ok": False, "detail": way.why + "; only the tray icon (when it can) and the log show them",
                "fix": way.fix or "reinstall webinar-tray with its plyer dependency"}
    if way.via_bus:
        ok, detail, fix = bus.linux_daemon_status(env)
        return {"ok": ok, "detail": f"{way.name}: {detail}", "fix": fix}
    return {"ok": True, "detail": way.name, "fix": ""}
