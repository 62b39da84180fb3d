"""Desktop notifications behind the Notifier port.

The way a notification takes, first that works:

1. plyer — Linux: dbus-python when importable, else `notify-send` (Debian `libnotify-bin`); in a
   Flatpak, our own portal call instead of plyer's (notify_portal: GVariant values escaped);
   Windows: a balloon/toast from plyer's balloon tip (icon: a .ico); macOS: plyer's backend
   (needs pyobjus, usually absent, so it is skipped).
2. the tray icon's own notify (`tray_notify(title, message)`, set with set_tray_notify() once the
   icon exists: the icon is created after the notifier).
3. macOS only: `osascript -e 'display notification "…" with title "…"'`, run as argv, never
   through a shell, with AppleScript string escaping.
4. the log. Every notification is logged anyway (as LogNotifier does); when nothing else works the
   log says so once, with the fix.

Nothing here raises to the caller: delivery runs on one background thread (a hung notification
daemon cannot stall the engine, which notifies while holding its lock), every exception is caught
and logged once per failing path, and the path in use is logged once ("notifications: plyer
(linux/notify-send)").

plyer's notify-send backend ignores notify-send's exit status (and the dbus one fails only when
called), so on Linux a probe asks the session bus once whether anything owns, or can be started
as, org.freedesktop.Notifications (notify_bus); when nothing does, plyer is skipped (and re-probed at
most every few minutes: a desktop's daemon may come up after an autostarted app) and the log names
the fix.

Texts are cleaned before they leave (notify_text.clean): links lose their query (Zoom pwd, ON24
keys), control and bidi-override characters go, and titles/messages are cut to the platform's
limits with "…" (Windows: 63/255 UTF-16 units, the sizes of NOTIFYICONDATAW's szInfoTitle/szInfo).
"""

from __future__ import annotations

import html
import logging
import queue
import shutil
import subprocess
import sys
import threading
import time
import warnings
from typing import Any, Callable

from webinar_tray.adapters.notify import portal as notify_portal
from webinar_tray.adapters.notify.log import LogNotifier
from webinar_tray.adapters.notify.bus import linux_daemon_status
from webinar_tray.adapters.notify.text import (
    APP_NAME,
    clean,
    icon_for,
    no_leading_dash,
    notify_send_argv,
    osascript_argv,
)
from webinar_tray.adapters.desktop.sysenv import system_env, system_env_or_none

log = logging.getLogger("webinar_tray.notify")

TIMEOUT_SECONDS = 10  # how long the desktop shows one (where the platform honours it)
REPROBE_SECONDS = 300  # after a failed Linux probe, ask the bus again at most this often
QUEUE_SIZE = 100

APT_NOTIFY_SEND = "apt-get install libnotify-bin"
PORTAL_NAME = "portal (flatpak/gdbus)"

# ---- plyer ----------------------------------------------------------------------------------

def _plyer_platform() -> str:
    try:
        from plyer.utils import platform

        return str(platform)
    except Exception:  # pragma: no cover - plyer is a dependency
        return {"win32": "win", "darwin": "macosx"}.get(sys.platform, sys.platform)


def _dbus_python() -> bool:
    try:
        import dbus  # noqa: F401
    except ImportError:
        return False
    except Exception:  # a broken install is as good as none
        return False
    return True


class _Plyer:
    """plyer's backend for this platform, chosen once. `send` raises when it cannot show one;
    NotImplementedError means "no backend" (plyer's own facade raises it)."""

    def __init__(self, platform: str):
        self.platform = platform
        self.name = f"plyer ({platform})"
        self.backend: Any = None
        self.missing = ""  # why there is no backend
        self.fix = ""
        self._choose()

    def _facade(self):
        from plyer.facades import Notification

        return Notification()  # its notify raises NotImplementedError("No usable implementation found!")

    def _choose(self) -> None:
        p = self.platform
        try:
            if p == "linux":
                # plyer's own instance() takes any /app folder for a Flatpak, then builds the
                # portal's GVariant by pasting strings (an apostrophe breaks it): ours escapes.
                from plyer.platforms.linux import notification as mod

                if notify_portal.in_flatpak():
                    self.backend, self.name = notify_portal.PortalNotification(), PORTAL_NAME
                    if not shutil.which("gdbus"):
                        self.missing = "no gdbus in the Flatpak runtime (the portal is called with it)"
                        self.fix = "build the Flatpak on a runtime that has gdbus (org.freedesktop.Platform)"
                elif _dbus_python():
                    self.backend, self.name = mod.NotifyDbus(), "plyer (linux/dbus)"
                elif shutil.which("notify-send"):
                    self.backend, self.name = mod.NotifySendNotification(), "plyer (linux/notify-send)"
                else:
                    self.backend = self._facade()
                    self.missing = "plyer found neither dbus-python nor notify-send"
                    self.fix = APT_NOTIFY_SEND
            elif p == "win":
                # named statically so that PyInstaller bundles it (plyer imports it by name)
                from plyer.platforms.win.libs.balloontip import balloon_tip

                self.backend = balloon_tip
            elif p == "macosx":
                from plyer.platforms.macosx import notification as mod  # needs pyobjus

                self.backend = mod.instance()
            else:
                from plyer import notification

                self.backend = notification
        except Exception as e:  # ImportError (pyobjus, frozen build without the module) and kin
            self.backend = self._facade()
            self.missing = f"plyer has no {p} backend here ({type(e).__name__}: {e})"
            if p == "macosx":
                self.fix = "pip install pyobjus, or rely on the tray icon / osascript"
            elif getattr(sys, "frozen", False):
                module = "win.libs.balloontip" if p == "win" else f"{p}.notification"
                self.fix = f"rebuild with --hidden-import plyer.platforms.{module}"

    @property
    def via_bus(self) -> bool:
        return self.name in ("plyer (linux/dbus)", "plyer (linux/notify-send)")

    def send(self, title: str, message: str, app_name: str, icon: str, on_error: Callable) -> None:
        if self.platform == "win" and not self.missing:
            # plyer runs the balloon on a thread of its own and loses its errors: run it on ours.
            def run():
                try:
                    self.backend(title=title, message=message, app_name=app_name,
                                 app_icon=icon, timeout=TIMEOUT_SECONDS)
                except Exception as e:
                    on_error(e)

            threading.Thread(target=run, name="webinar-tray-balloon", daemon=True).start()
            return
        if self.platform == "linux" and not self.missing:
            # the body is markup for every common daemon (GNOME, KDE, dunst, xfce): "Q&A" must
            # not vanish; notify-send reads a leading "-" as an option (and plyer ignores the error)
            if self.name != PORTAL_NAME:  # the portal's body is plain text
                message = html.escape(message, quote=False)
            if self.name == "plyer (linux/notify-send)":
                title, message = (no_leading_dash(title), no_leading_dash(message))
                env = system_env_or_none()
                if env is not None:
                    # frozen: plyer would start notify-send with our environment (the bundle's
                    # libraries and GTK); the same command, with the user's environment
                    subprocess.run(notify_send_argv(title, message, app_name), env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=10)
                    return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.backend.notify(title=title, message=message, app_name=app_name, app_icon=icon,
                                timeout=TIMEOUT_SECONDS)


# ---- the notifier ---------------------------------------------------------------------------

class _Unavailable(Exception):
    """A path that cannot work (no backend): logged once, then skipped."""


class DesktopNotifier:
    """Notifier port: desktop notifications, falling back to the tray icon, osascript (macOS)
    and the log. Safe to call from any thread; never raises."""

    def __init__(self, enabled: bool, app_name: str = APP_NAME, icon_path: str | None = None,
                 tray_notify: Callable[[str, str], None] | None = None):
        self._enabled = bool(enabled)
        self.app_name = app_name
        self.icon_path = icon_path
        self._tray_notify = tray_notify
        self._log = LogNotifier(True)
        self._platform = _plyer_platform()
        self._lock = threading.RLock()
        self._plyer: _Plyer | None = None
        self._probe: tuple[bool | None, str, str] | None = None
        self._probed_at = 0.0
        self._dead: dict[str, str] = {}  # path -> why it cannot work (skipped from now on)
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
                log.info("notifications: %s", "on" if enabled else "off (log only)")
            self._enabled = bool(enabled)

    def set_tray_notify(self, tray_notify: Callable[[str, str], None] | None) -> None:
        """The tray icon's notify, as `tray_notify(title, message)` (for pystray:
        `lambda title, message: icon.notify(message, title)`)."""
        with self._lock:
            self._tray_notify = tray_notify
            self._dead.pop("tray icon", None)
            self._error_logged.discard("tray icon")

    # ---- the port ---------------------------------------------------------------------------
    def notify(self, kind: str, title: str, message: str) -> None:
        try:
            title, message = clean(title, message, self._platform)
            if not self._enabled:
                LogNotifier(False).notify(kind, title, message)
                return
            self._log.notify(kind, title, message)
            self._submit((kind, title, message))
        except Exception:  # the caller is the engine: never let a notification break it
            log.exception("notifications: could not send %r", title)

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
                log.warning("notifications: the desktop is not taking notifications fast enough; "
                            "dropping some (they are in the log)")

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
            except Exception:  # pragma: no cover - _deliver catches everything itself
                log.exception("notifications: delivery failed")
            finally:
                self._queue.task_done()

    # ---- the chain --------------------------------------------------------------------------
    def _paths(self) -> list[tuple[str, Callable[[str, str, str], None]]]:
        paths: list[tuple[str, Callable[[str, str, str], None]]] = []
        pl = self._get_plyer()
        paths.append((pl.name, self._send_plyer))
        with self._lock:
            tray = self._tray_notify
        if tray is not None:
            paths.append(("tray icon", lambda kind, title, message: tray(title, message)))
        if sys.platform == "darwin" and shutil.which("osascript"):
            paths.append(("osascript", self._send_osascript))
        return paths

    def _deliver(self, kind: str, title: str, message: str, after: str | None = None) -> None:
        paths = self._paths()
        if after is not None:  # a path that failed late (Windows balloon thread): the rest
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
        self._announce("log", self._why_log_only())

    def _get_plyer(self) -> _Plyer:
        with self._lock:
            if self._plyer is None:
                self._plyer = _Plyer(self._platform)
                if self._plyer.missing:
                    why = self._plyer.missing + (f" (fix: {self._plyer.fix})" if self._plyer.fix else "")
                    self._mark_dead(self._plyer.name, why)
            return self._plyer

    def _check_bus(self) -> tuple[bool | None, str, str]:
        """The Linux probe: once, then again at most every REPROBE_SECONDS while it fails."""
        now = time.monotonic()
        with self._lock:
            if self._probe is not None and (self._probe[0] is not False or now - self._probed_at < REPROBE_SECONDS):
                return self._probe
        status = linux_daemon_status()
        with self._lock:
            before = self._probe
            self._probe, self._probed_at = status, now
        if before is None or before[0] != status[0]:
            if status[0] is False:
                log.warning("notifications: %s (fix: %s)", status[1], status[2])
            elif before is not None:
                log.info("notifications: %s", status[1])
            elif status[0] is None:
                log.info("notifications: %s; trying anyway", status[1])
        return status

    def _send_plyer(self, kind: str, title: str, message: str) -> None:
        pl = self._get_plyer()
        if pl.via_bus:
            ok, detail, _fix = self._check_bus()
            if ok is False:
                raise _Probe(detail)  # skipped this time, probed again later

        def on_error(e: BaseException) -> None:  # from plyer's Windows balloon thread
            self._failed(pl.name, e)
            self._deliver(kind, title, message, after=pl.name)

        icon = icon_for(self._platform, self.icon_path)
        pl.send(title, message, self.app_name, icon, on_error=on_error)

    def _send_osascript(self, kind: str, title: str, message: str) -> None:
        out = subprocess.run(osascript_argv(title, message), capture_output=True, text=True,
                             timeout=10, stdin=subprocess.DEVNULL, env=system_env())
        if out.returncode != 0:
            raise OSError(f"osascript exited {out.returncode}: {out.stderr.strip()[:200]}")

    # ---- logging, once ----------------------------------------------------------------------
    def _mark_dead(self, name: str, why: str) -> None:
        with self._lock:
            if name in self._dead:
                return
            self._dead[name] = why
        log.warning("notifications: %s cannot show notifications: %s", name, why)

    def _failed(self, name: str, e: BaseException) -> None:
        with self._lock:
            first = name not in self._error_logged
            self._error_logged.add(name)
        if first:
            log.warning("notifications: %s failed (%s: %s); using the next way, this is logged once",
                        name, type(e).__name__, e)
        else:
            log.debug("notifications: %s failed again: %s: %s", name, type(e).__name__, e)

    def _announce(self, name: str, why: str = "") -> None:
        with self._lock:
            if name in self._announced:
                return
            self._announced.add(name)
        if name == "log":
            log.warning("notifications: log only — no desktop notification could be shown%s",
                        f" ({why})" if why else "")
        else:
            log.info("notifications: %s", name)

    def _why_log_only(self) -> str:
        with self._lock:
            reasons = [f"{k}: {v}" for k, v in self._dead.items()]
            probe = self._probe
        if probe is not None and probe[0] is False:
            reasons.append(f"{probe[1]} (fix: {probe[2]})")
        return "; ".join(reasons)

    # ---- for the doctor ---------------------------------------------------------------------
    def describe(self) -> tuple[str, bool, str]:
        """(path in use, ok, fix): the way the next notification would take."""
        if not self._enabled:
            return "log (notifications off)", True, "set [notifications] enabled = true in config.toml"
        pl = self._get_plyer()
        fixes = []
        with self._lock:
            plyer_dead = pl.name in self._dead
        if not plyer_dead:
            if pl.via_bus:
                ok, _detail, fix = linux_daemon_status()
                if ok is not False:
                    return pl.name, True, fix
                fixes.append(fix)
            else:
                return pl.name, True, ""
        elif pl.fix:
            fixes.append(pl.fix)
        with self._lock:
            tray_ok = self._tray_notify is not None and "tray icon" not in self._dead
        if tray_ok:
            return "tray icon", True, "; ".join(fixes)
        if sys.platform == "darwin" and shutil.which("osascript") and "osascript" not in self._dead:
            return "osascript", True, "; ".join(fixes)
        return "log", False, "; ".join(fixes) or "no desktop notification backend"


class _Probe(_Unavailable):
    """The Linux probe found no daemon: skip plyer this time (not dead: re-probed later)."""


def probe(settings) -> dict:
    """The doctor's `notifications` check: {"ok": bool|None, "detail": str, "fix": str}."""
    n = getattr(settings, "notifications", None)
    if n is not None and not n.enabled:
        return {"ok": None, "detail": "notifications are off ([notifications] enabled = false); they go to the log",
                "fix": ""}
    platform = _plyer_platform()
    pl = _Plyer(platform)
    if pl.missing:
        detail = pl.missing
        if platform == "macosx" and shutil.which("osascript"):
            return {"ok": True, "detail": f"{detail}; using osascript (display notification)", "fix": ""}
        return {"ok": False, "detail": detail + "; only the tray icon (when it can) and the log show them",
                "fix": pl.fix or "reinstall webinar-tray with its plyer dependency"}
    if pl.via_bus:
        ok, detail, fix = linux_daemon_status()
        return {"ok": ok, "detail": f"{pl.name}: {detail}", "fix": fix}
    return {"ok": True, "detail": pl.name, "fix": ""}
