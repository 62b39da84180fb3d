"""Running the app as a subprocess, the way a user or a service manager does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def env_for(home: Path) -> dict:
    env = dict(os.environ, WEBINAR_TRAY_HOME=str(home), PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)  # headless by configuration and by circumstance
    return env


def wt(home: Path, *args, timeout=60, check=False) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webinar_tray", *args], env=env_for(home),
                          capture_output=True, text=True, timeout=timeout, check=check)


def start_run(home: Path, *args, log: Path) -> subprocess.Popen:
    f = open(log, "w")
    return subprocess.Popen([sys.executable, "-m", "webinar_tray", "run", *args], env=env_for(home),
                            stdout=f, stderr=subprocess.STDOUT, text=True)


def history(home: Path, *args) -> list[dict]:
    r = wt(home, "history", "--json", *args, check=True)
    return json.loads(r.stdout)


def wait_for(pred, timeout: float, every: float = 0.2, what: str = "condition"):
    """pred()'s first truthy value within `timeout` seconds (monotonic time: a test's clock jump
    does not shorten the wait), else AssertionError naming `what`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_in_log(proc: subprocess.Popen, log: Path, needle: str, timeout: float, what: str,
                every: float = 0.2) -> str:
    """The log's text once `needle` is in it. On a timeout the process (started with
    `-X faulthandler`) is aborted, so the failure shows every thread's stack and the log."""
    try:
        return wait_for(lambda: needle in log.read_text() and log.read_text(), timeout, every, what)
    except AssertionError as e:
        if proc.poll() is None:
            proc.send_signal(6)  # SIGABRT: faulthandler writes the threads' stacks to the log
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        raise AssertionError(f"{e} (exit {proc.poll()}); the log:\n{log.read_text()[-6000:]}") from None


def z(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def ics(*events: dict) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//webinar-tray tests//EN"]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e['uid']}", f"DTSTAMP:{z(datetime.now(timezone.utc))}",
                  f"DTSTART:{z(e['start'])}"]
        if e.get("end"):
            lines.append(f"DTEND:{z(e['end'])}")
        lines.append(f"SUMMARY:{e['title']}")
        if e.get("location"):
            lines.append(f"LOCATION:{e['location']}")
        if e.get("description"):
            lines.append("DESCRIPTION:" + e["description"].replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;"))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(lines)) + "\r\n"


def fold(lines: list[str]) -> list[str]:
    """Content lines folded as RFC 5545 asks (75 octets; ASCII here)."""
    out = []
    for line in lines:
        while len(line) > 74:
            out.append(line[:74])
            line = " " + line[74:]
        out.append(line)
    return out


def children(pid: int) -> list[int]:
    """The pids of `pid`'s child processes (Linux: /proc/<pid>/task/*/children)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out
