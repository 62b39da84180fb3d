"""Keeping the PC awake while a webinar is attended (`[join] keep_awake`).

`KeepAwake.acquire(reason)` / `release()` are idempotent and never raise: when the platform's
way does not work, that is logged once and attending goes on. `platform_keep_awake()` picks the
implementation for this OS: Windows SetThreadExecutionState (windows.py), macOS `caffeinate`
(macos.py), Linux `systemd-inhibit` (linux.py)."""

from __future__ import annotations

import logging
import subprocess
import threading
from typing import Sequence

from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env
from webinar_tray.env import Env

log = logging.getLogger(__name__)

__all__ = ["KeepAwake", "ProcessKeepAwake", "platform_keep_awake"]


class KeepAwake:
    """The interface (and a do-nothing implementation)."""

    def __init__(self) -> None:
        self._warned = False

    def acquire(self, reason: str) -> None:
        """Keep the PC from sleeping until release(). A second acquire is a no-op."""

    def release(self) -> None:
        """Let the PC sleep again. Without a prior acquire, a no-op."""

    @property
    def held(self) -> bool:
        return False

    def _warn(self, message: str, *args) -> None:
        """The first failure is a warning; later ones are debug lines (no log spam)."""
        level = logging.DEBUG if self._warned else logging.WARNING
        self._warned = True
        log.log(level, message, *args)


class ProcessKeepAwake(KeepAwake):
    """Keep-awake held by a helper process that lives while we need it (caffeinate,
    systemd-inhibit). Subclasses build the command line."""

    tool = ""
    how_to_get = ""

    def __init__(self, env: Env) -> None:
        super().__init__()
        self._env = env  # finds the tool (`which`), and gives it the user's environment
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None

    def command(self, tool_path: str, reason: str) -> Sequence[str]:
        raise NotImplementedError

    @property
    def held(self) -> bool:
        proc = self._proc
        return proc is not None and proc.poll() is None

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None else None

    def acquire(self, reason: str) -> None:
        try:
            with self._lock:
                if self._proc is not None and self._proc.poll() is None:
                    return
                self._proc = None
                path = self._env.which(self.tool)
                if not path:
                    self._warn("keep-awake is unavailable: %s was not found; %s "
                               "(the PC may sleep during webinars)", self.tool, self.how_to_get)
                    return
                proc = subprocess.Popen(
                    list(self.command(path, reason)),
                    stdin=subprocess.PIPE,  # its end closes when we exit, even after a crash
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=system_env(self._env),
                    **popen_flags(self._env),
                )
                self._proc = proc
            threading.Thread(target=self._watch, args=(proc,), name="keep-awake-watch",
                             daemon=True).start()
            log.info("keeping the PC awake (%s, pid %s)", self.tool, proc.pid)
        except Exception as exc:
            self._warn("keep-awake is unavailable: cannot start %s: %s", self.tool, exc)

    def _watch(self, proc: subprocess.Popen) -> None:
        """Reaps the helper; an exit we did not ask for (no logind, no D-Bus...) is logged."""
        try:
            err = b""
            if proc.stderr is not None:
                with proc.stderr:
                    err = proc.stderr.read()
            rc = proc.wait()
        except Exception:
            return
        with self._lock:
            if self._proc is not proc:
                return  # released: expected
            self._proc = None
        text = err.decode("utf-8", "replace").strip().splitlines()
        self._warn("keep-awake stopped: %s exited with status %s%s (the PC may sleep during "
                   "webinars)", self.tool, rc, f": {text[0]}" if text else "")

    def release(self) -> None:
        try:
            with self._lock:
                proc, self._proc = self._proc, None
            if proc is None:
                return
            _stop(proc)
            log.info("the PC may sleep again (%s ended)", self.tool)
        except Exception as exc:
            self._warn("keep-awake: stopping %s failed: %s", self.tool, exc)


def _stop(proc: subprocess.Popen) -> None:
    """Ask politely (stdin closed), then SIGTERM, then SIGKILL; always reaped (no zombie)."""
    try:
        if proc.stdin is not None:
            proc.stdin.close()
    except OSError:
        pass
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(5)


def platform_keep_awake(env: Env | None = None) -> KeepAwake:
    """This OS's keep-awake. A public entry (the joiner calls it bare: the real Env)."""
    env = env or Env.real()
    if env.platform.startswith("win") or env.platform == "cygwin":
        from webinar_tray.adapters.desktop.keepawake.windows import WindowsKeepAwake

        return WindowsKeepAwake()
    if env.macos:
        from webinar_tray.adapters.desktop.keepawake.macos import MacKeepAwake

        return MacKeepAwake(env)
    from webinar_tray.adapters.desktop.keepawake.linux import LinuxKeepAwake

    return LinuxKeepAwake(env)
