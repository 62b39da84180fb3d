"""The running app's side of the Google helper process (helper.py, whose docstring says why and
holds the protocol).

`GoogleHelper.call()` is GoogleCalendarSource's `_page_once` done by the helper: the same page
or the same exception (`_Transient` for the source's retry loop, SignInNeeded,
FullSyncRequired, SourceError). The helper is started by the first call and let go
`IDLE_SECONDS` after the last answer (its stdin is closed; it exits). A helper that dies or
never starts fails the calls it had as transient errors (the source's retries start another),
its stderr lines are logged as the app's own, and a call past its deadline is given up
(SourceTimeout) while the helper goes on. The sign-in goes to the helper on its stdin, never its
command line; a token the helper refreshed comes back and is saved by `on_token`."""

from __future__ import annotations

import itertools
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

from webinar_tray.json_codec import loads
from webinar_tray.ports import Deadline, SignInNeeded, SourceError

log = logging.getLogger(__name__)

from webinar_tray.processes import GOOGLE_HELPER as HELPER_ARG  # noqa: E402
IDLE_SECONDS = 5.0  # a refresh's pages come within this of each other


def helper_command() -> list[str]:
    """How this app starts its helper: the console executable beside a frozen one (Windows: its
    pipes work with no window), else this interpreter on the package."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        cli = exe.with_name("webinar-tray-cli" + exe.suffix)
        return [str(cli if cli.exists() else exe), HELPER_ARG]
    return [sys.executable, "-m", "webinar_tray", HELPER_ARG]


class _Call:
    __slots__ = ("done", "answer")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: dict | None = None


class GoogleHelper:
    """One helper process at a time for one signed-in account."""

    def __init__(self, info: dict, endpoint: str, timeout: float, on_token: Callable[[dict], None],
                 command: list[str] | None = None, idle: float = IDLE_SECONDS) -> None:
        self.info = dict(info)
        self.endpoint, self.timeout = endpoint, timeout
        self.on_token = on_token
        self.command = command or helper_command()
        self.idle = idle
        self.started = 0  # helpers started (tests and the bench read it)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._pending: dict[int, tuple[subprocess.Popen, _Call]] = {}
        self._ids = itertools.count(1)
        self._timer: threading.Timer | None = None

    # -- calls ------------------------------------------------------------------------------

    def call(self, name: str, calendar: str, params: dict, page_size: int,
             deadline: Deadline | None) -> dict:
        """One page of events.list (see the module's docstring); `name` names the source."""
        call, rid = _Call(), next(self._ids)
        line = json.dumps({"id": rid, "calendar": calendar, "params": params, "page_size": page_size})
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            proc = self._running(name)
            self._pending[rid] = (proc, call)
            try:
                proc.stdin.write(line.encode("utf-8") + b"\n")
                proc.stdin.flush()
            except (OSError, ValueError):
                self._pending.pop(rid, None)
                raise self._transient("the Google helper stopped") from None
        wait = None if deadline is None else max(0.0, deadline.remaining())
        if not call.done.wait(wait):
            with self._lock:
                self._pending.pop(rid, None)
                self._idle_later()
            deadline.check()  # past it: SourceTimeout with the source's own words
            raise SourceError(f"{name}: no answer from the Google helper")
        return self._unpack(name, call.answer or {})

    def _unpack(self, name: str, answer: dict) -> dict:
        from webinar_tray.adapters.calendar.google.api import _Transient
        from webinar_tray.adapters.calendar.google.sync import FullSyncRequired

        if isinstance(answer.get("page"), dict):
            return answer["page"]
        if "transient" in answer:
            retry = answer.get("retry_after")
            raise _Transient(str(answer["transient"]), float(retry) if isinstance(retry, (int, float)) else None)
        message = str(answer.get("message") or f"{name}: the Google helper gave no page")
        kind = answer.get("error")
        if kind == "signin":
            raise SignInNeeded(message)
        if kind == "full_sync":
            raise FullSyncRequired(message)
        raise SourceError(message)

    @staticmethod
    def _transient(why: str):
        from webinar_tray.adapters.calendar.google.api import _Transient

        return _Transient(why)

    # -- the process ------------------------------------------------------------------------

    def _running(self, name: str) -> subprocess.Popen:
        """The helper, started when there is none (with the lock held)."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
        try:
            proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, creationflags=flags)
        except OSError as e:
            raise SourceError(f"{name}: cannot start the Google helper "
                              f"({type(e).__name__}: {e.strerror or e})") from None
        hello = {"token": self.info, "endpoint": self.endpoint, "timeout": self.timeout}
        try:
            proc.stdin.write(json.dumps(hello).encode("utf-8") + b"\n")
            proc.stdin.flush()
        except OSError:
            pass  # it died at once: its reader fails the calls
        self._proc = proc
        self.started += 1
        for target, what in ((self._read, "answers"), (self._log, "log")):
            threading.Thread(target=target, args=(proc,), name=f"google helper {what}", daemon=True).start()
        log.info("started the Google helper (pid %d)", proc.pid)
        return proc

    def _read(self, proc: subprocess.Popen) -> None:
        for raw in proc.stdout:
            try:
                msg = loads(raw)  # a page: json_codec reads it faster
            except ValueError:
                log.warning("the Google helper wrote a line that is not JSON; ignored")
                continue
            if not isinstance(msg, dict):
                continue
            if isinstance(msg.get("token"), dict):
                self.info = msg["token"]
                self.on_token(msg["token"])
                continue
            with self._lock:
                got = self._pending.pop(msg.get("id"), None)
                self._idle_later()
            if got is not None:
                got[1].answer = msg
                got[1].done.set()
        code = proc.wait()
        with self._lock:
            if self._proc is proc:
                self._proc = None
            failed = {rid: c for rid, (p, c) in self._pending.items() if p is proc}
            for rid in failed:
                del self._pending[rid]
        if failed:
            log.warning("the Google helper stopped (exit code %s) with %d requests unanswered",
                        code, len(failed))
        for call in failed.values():
            call.answer = {"transient": f"the Google helper stopped (exit code {code})"}
            call.done.set()

    def _log(self, proc: subprocess.Popen) -> None:
        for raw in proc.stderr:
            text = raw.decode("utf-8", "replace").rstrip()
            level, _, rest = text.partition(" ")
            number = logging.getLevelName(level)
            if isinstance(number, int) and rest:
                log.log(number, "Google helper: %s", rest)
            elif text:
                log.warning("Google helper: %s", text[:500])

    def _idle_later(self) -> None:
        """With the lock held: let the helper go once nothing is pending for `idle` seconds."""
        if self._pending or self._proc is None:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.idle, self._let_go, args=(self._proc,))
        self._timer.daemon = True
        self._timer.start()

    def _let_go(self, proc: subprocess.Popen) -> None:
        """The idle timer: ends `proc` if it is still the helper and nothing came meanwhile
        (checked and done under the lock, so no request is written to a helper being let go)."""
        with self._lock:
            if self._pending or self._proc is not proc:
                return
            self._proc = None
            _end(proc)

    def close(self) -> None:
        """Ends the helper (end of its stdin); the reader reaps it."""
        with self._lock:
            proc, self._proc = self._proc, None
            if self._timer is not None:
                self._timer.cancel()
            if proc is not None:
                _end(proc)


def _end(proc: subprocess.Popen) -> None:
    try:
        proc.stdin.close()
    except OSError:
        pass
