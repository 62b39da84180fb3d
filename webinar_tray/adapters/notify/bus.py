"""Linux: whether anything can show a desktop notification, asked of the D-Bus session bus.

`linux_daemon_status(env)` finds the session bus the way libdbus/GDBus would (without autolaunching
one) and asks org.freedesktop.DBus, with `dbus-send` or `gdbus` run as argv with the user's
environment, whether a notification daemon owns org.freedesktop.Notifications or D-Bus can start
one on demand. It answers (ok, detail, fix): ok is None when it cannot be checked (neither tool
installed, the call failed). plyer's Linux backends fail silently without a daemon, so the
notifier and `doctor` ask this first. `DaemonWatch` is the notifier's way of asking: once, then
again at most every REPROBE_SECONDS while it fails (a desktop's daemon may come up after an
autostarted app), each change logged once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from typing import TYPE_CHECKING

from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env

if TYPE_CHECKING:
    from webinar_tray.env import Env

log = logging.getLogger("webinar_tray.notify")

PROBE_TIMEOUT = 5.0
REPROBE_SECONDS = 300  # after a failed probe, ask the bus again at most this often

NOTIFICATIONS_BUS_NAME = "org.freedesktop.Notifications"

APT_DAEMON = "apt-get install dunst"
APT_DBUS_TOOLS = "apt-get install dbus-bin"

Status = tuple[bool | None, str, str]  # (ok, detail, fix)


def _session_bus(env: Env) -> bool:
    """A session bus to talk to: the address libdbus/GDBus would use without autolaunching one."""
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = env.get("XDG_RUNTIME_DIR")
    return bool(runtime) and os.path.exists(os.path.join(runtime, "bus"))


def _bus_call(env: Env, method: str, *args: str) -> str:
    """Call a method of org.freedesktop.DBus on the session bus with dbus-send or gdbus; returns
    the printed reply. Raises FileNotFoundError when neither tool exists, else OSError/
    subprocess errors."""
    if env.which("dbus-send"):
        argv = ["dbus-send", "--session", "--print-reply", "--reply-timeout=3000",
                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", f"org.freedesktop.DBus.{method}",
                *(f"string:{a}" for a in args)]
    elif env.which("gdbus"):
        argv = ["gdbus", "call", "--session", "--timeout", "3", "--dest", "org.freedesktop.DBus",
                "--object-path", "/org/freedesktop/DBus", "--method", f"org.freedesktop.DBus.{method}", *args]
    else:
        raise FileNotFoundError("dbus-send")
    out = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT,
                         stdin=subprocess.DEVNULL,
                         env=system_env(env),
                         **popen_flags(env))
    if out.returncode != 0:
        raise OSError(f"{argv[0]} exited {out.returncode}: {(out.stderr or out.stdout).strip()[:200]}")
    return out.stdout


def linux_daemon_status(env: Env) -> Status:
    """(ok, detail, fix) for "something shows org.freedesktop.Notifications on the session bus".
    ok is None when it cannot be checked."""
    if not _session_bus(env):
        return (False, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset, no $XDG_RUNTIME_DIR/bus)",
                "run the app inside your desktop session (or under dbus-run-session, with a "
                f"notification daemon: {APT_DAEMON})")
    try:
        owned = _bus_call(env, "NameHasOwner", NOTIFICATIONS_BUS_NAME)
        if "true" in owned:
            return True, f"a notification daemon owns {NOTIFICATIONS_BUS_NAME}", ""
        names = _bus_call(env, "ListActivatableNames")
        if f'"{NOTIFICATIONS_BUS_NAME}"' in names or f"'{NOTIFICATIONS_BUS_NAME}'" in names:
            return True, f"D-Bus starts a notification daemon for {NOTIFICATIONS_BUS_NAME} on demand", ""
    except FileNotFoundError:
        return (None, "cannot check for a notification daemon (neither dbus-send nor gdbus found)",
                f"to check: {APT_DBUS_TOOLS}")
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"cannot check for a notification daemon: {e}", ""
    return (False, f"no notification daemon on the session bus (nothing owns {NOTIFICATIONS_BUS_NAME}); "
            "notifications would vanish silently",
            f"start your desktop's notification service, or install one: {APT_DAEMON} "
            "(or xfce4-notifyd / notification-daemon)")


class DaemonWatch:
    """linux_daemon_status(env) for the notifier: asked once, then again at most every
    REPROBE_SECONDS while it fails. A change of answer is logged once. Thread-safe."""

    def __init__(self, env: Env):
        self._env = env
        self._lock = threading.Lock()
        self._last: Status | None = None
        self._at = 0.0

    @property
    def last(self) -> Status | None:
        """The answer of the last probe (None before the first)."""
        with self._lock:
            return self._last

    def check(self) -> Status:
        now = time.monotonic()
        with self._lock:
            last = self._last
            if last is not None and (last[0] is not False or now - self._at < REPROBE_SECONDS):
                return last
        status = linux_daemon_status(self._env)
        with self._lock:
            before = self._last
            self._last, self._at = status, now
        if before is None or before[0] != status[0]:
            if status[0] is False:
                log.warning("notifications: %s (fix: %s)", status[1], status[2])
            elif before is not None:
                log.info("notifications: %s", status[1])
            elif status[0] is None:
                log.info("notifications: %s; trying anyway", status[1])
        return status
