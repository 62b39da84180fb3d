"""Idle at scale (issue 13, item 2): `run` (the service, no tray) watching 10 Google calendars x
2,500 events (25,000, served by the fake Calendar API on 127.0.0.1), then an ordinary calendar
(300 events), both with Google configured. Printed, never asserted:

  - CPU seconds per hour of the due checks alone (a window with no refresh in it),
  - CPU seconds of one refresh (asked through the channel, as the tray's "Refresh now"),
  - so CPU-s per hour with the hourly refresh included, the RSS (and its peak) of each case,
  - and the CPU per hour of the ordinary case over the same window (what `run` costs anyway).

CPU is utime+stime of /proc/<pid>/stat, RSS VmRSS/VmHWM of /proc/<pid>/status (Linux).

    uv run python -m bench.idle_scale [--minutes 5] [--calendars 10] [--events 2500]

The events start after the window (no join, no reminder falls inside it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import figures  # noqa: E402
from bench.refresh_scale import calendars  # noqa: E402
from tests.e2e.helpers import children, start_run, wait_for  # noqa: E402
from tests.e2e.test_google_list import setup_home  # noqa: E402
from tests.fakegoogle import FakeGoogle, gevent  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, reaped: bool = True) -> float:
    """The process's CPU and its reaped children's (the Google helper each refresh starts)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15 if reaped else 13]) / TICK  # utime, stime, cutime, cstime


def thread_seconds(pid: int) -> float | None:
    """CPU seconds of the process's live threads to the nanosecond (`se.sum_exec_runtime` in
    /proc/<pid>/task/*/sched, kernels with scheduler debug info), None where there is none.
    Right for a window in which no thread ends (an idle window), unlike the 10 ms ticks."""
    total = 0.0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "sched").read_text().splitlines():
                if line.startswith("se.sum_exec_runtime"):
                    total += float(line.split(":")[1]) / 1000.0  # ms
                    break
            else:
                return None
    except OSError:
        return None
    return total


def idle_rate(pid: int, seconds: float) -> tuple[float, str]:
    """CPU-s per hour over an idle window of `seconds`, and how it was read."""
    t0, c0, w0 = thread_seconds(pid), cpu_seconds(pid), time.monotonic()
    n0 = len(list(Path(f"/proc/{pid}/task").iterdir()))
    time.sleep(seconds)
    t1, c1, w1 = thread_seconds(pid), cpu_seconds(pid), time.monotonic()
    n1 = len(list(Path(f"/proc/{pid}/task").iterdir()))
    if t0 is not None and t1 is not None and n0 == n1 and t1 >= t0:
        return (t1 - t0) * 3600 / (w1 - w0), "scheduler, ns"
    return (c1 - c0) * 3600 / (w1 - w0), f"clock ticks, +-{3600 / TICK / seconds:.2f}"


def settled(pid: int, timeout: float = 60) -> float:
    """Until the Google helper the refresh started has gone (its CPU is then the parent's
    cutime/cstime), and the last outcome is applied. Returns the helper's peak RSS (MB) as
    seen while waiting (0 when it had gone already)."""
    peak = [0.0]

    def gone() -> bool:
        kids = children(pid)
        for c in kids:
            try:
                peak[0] = max(peak[0], rss_mb(c)[1])
            except (OSError, KeyError):
                pass
        return not kids

    wait_for(gone, timeout, every=0.5, what="the Google helper to exit")
    time.sleep(1)
    return peak[0]


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    got = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            got[k] = int(v.split()[0]) / 1024
    return got["VmRSS"], got["VmHWM"]


def refreshes(log: Path) -> int:
    return log.read_text(errors="replace").count("refresh: ") if log.exists() else 0


class Service:
    """`run` on a home whose Google account sees `cals` (calendar id -> events)."""

    def __init__(self, fake: FakeGoogle, cals: dict, tmp: Path):
        self.home = tmp
        fake.calendars.clear()
        fake.calendars.update(cals)
        setup_home(self.home, fake)
        cfg = self.home / "config.toml"
        text = cfg.read_text().replace('calendars = ["primary", "webinars@group.calendar.google.com"]',
                                       "calendars = " + json.dumps(list(cals)))
        cfg.write_text(text + "\n[notifications]\nenabled = false\n")
        self.log = self.home / "run.log"
        self.n = len(cals)
        self.t0 = time.monotonic()
        self.proc = start_run(self.home, log=self.log)

    def wait_refreshed(self, rounds: int, timeout: float = 600) -> float:
        """Seconds until `rounds` refreshes of every calendar are logged."""
        wait_for(lambda: refreshes(self.log) >= rounds * self.n or self.proc.poll() is not None, timeout,
                 every=0.5, what="the refresh")
        if self.proc.poll() is not None:
            sys.exit(f"run stopped ({self.proc.returncode}): {self.log.read_text()[-2000:]}")
        return time.monotonic() - self.t0

    def ask_refresh(self) -> None:
        from webinar_tray.config.paths import resolve_paths
        from webinar_tray.runtime.instance import send

        reply = send(resolve_paths(self.home).channel_file, {"cmd": "refresh"}, timeout=30)
        if not (reply or {}).get("ok"):
            sys.exit(f"refresh refused: {reply}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def scale(fake: FakeGoogle, a, now: datetime) -> list[figures.Figure]:
    shift = timedelta(minutes=a.minutes + 30)
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(fake, calendars(a.calendars, a.events, now + shift), Path(tmp))
        try:
            t_ready = svc.wait_refreshed(1)
            settled(svc.proc.pid)
            pid = svc.proc.pid
            c_start = cpu_seconds(pid)
            due_per_hour, how = idle_rate(pid, a.minutes * 60)
            c1, w1, own1 = cpu_seconds(pid), time.monotonic(), cpu_seconds(pid, reaped=False)
            rss, _ = rss_mb(pid)
            svc.ask_refresh()
            svc.wait_refreshed(2)
            helper_peak = settled(pid)
            c2, own2 = cpu_seconds(pid), cpu_seconds(pid, reaped=False)
            one_refresh = c2 - c1 - due_per_hour * (time.monotonic() - w1) / 3600
            by_helper = (c2 - own2) - (c1 - own1)
            rss2, peak = rss_mb(pid)
        finally:
            svc.stop()
    n = a.calendars * a.events
    print(f"Idle at scale: run with {n:,} cached events ({a.calendars} Google calendars), "
          f"{a.minutes:g} min window")
    print(f"  start until the first refresh is applied   {t_ready:6.1f} s   CPU {c_start:6.2f} s")
    print(f"  due checks                                {due_per_hour:6.2f} CPU-s per hour   ({how})")
    print(f"  one refresh (every calendar, nothing new)  {one_refresh:6.2f} CPU-s, of which the Google "
          f"helper {by_helper:4.2f}")
    print(f"  => with the hourly refresh               {due_per_hour + one_refresh:6.2f} CPU-s per hour"
          "   (target <= 1)")
    print(f"  RSS idle {rss:5.1f} MB, after a refresh {rss2:5.1f} MB, peak {peak:5.1f} MB   (target <= 80);"
          f" the Google helper's peak {helper_peak:5.1f} MB while it lived")
    what = f"idle `run`, {n:,} cached events"
    return [figures.Figure("P2", what + ": CPU incl. the hourly refresh", due_per_hour + one_refresh,
                           "CPU-s/h", target="<= 1 CPU-s/h", limit=1.0),
            figures.Figure("P2", what + ": RSS after a refresh", rss2, "MB", target="<= 80 MB", limit=80.0)]


LIBRARY_FLOOR = """
import httplib2, google.oauth2.credentials, google_auth_httplib2, googleapiclient.discovery, time
time.sleep(0.5)
print([l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1])
"""


def library_floor() -> float:
    """RSS (MB) of a bare interpreter that only imports the Google client libraries the app must
    use (google-auth imports cryptography, httplib2 imports pyparsing): the least any process
    holding a Google sign-in can weigh."""
    out = subprocess.run([sys.executable, "-c", LIBRARY_FLOOR], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def ordinary(fake: FakeGoogle, a, now: datetime) -> list[figures.Figure]:
    start = now + timedelta(minutes=a.minutes + 30)
    evs = [gevent(f"o{i}", f"Meeting {i}", start + timedelta(minutes=20 * i),
                  start + timedelta(minutes=20 * i + 30), hangout_link="https://meet.google.com/abc-defg-hij")
           for i in range(300)]
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(fake, {"primary": evs}, Path(tmp))
        try:
            svc.wait_refreshed(1)
            helper_peak = settled(svc.proc.pid)
            rss, peak = rss_mb(svc.proc.pid)
            # the same window: what any `run` costs, whatever its calendar
            per_hour, how = idle_rate(svc.proc.pid, a.minutes * 60)
        finally:
            svc.stop()
    floor = library_floor()
    print(f"Ordinary calendar: run with 300 events, Google configured: RSS {rss:5.1f} MB, "
          f"peak {peak:5.1f} MB   (target <= 40); idle {per_hour:4.2f} CPU-s per hour ({how}); the Google "
          f"helper's peak {helper_peak:5.1f} MB for the few seconds it lives each refresh")
    print(f"  a bare interpreter importing only the Google client libraries: {floor:5.1f} MB")
    return [figures.Figure("P2", "idle `run`, 300 events, Google configured: RSS", rss, "MB", floor,
                           "interpreter + Google client libraries alone", target="<= 40 MB", limit=40.0)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=5.0, help="the due-check window")
    ap.add_argument("--calendars", type=int, default=10)
    ap.add_argument("--events", type=int, default=2500)
    figures.add_argument(ap)
    a = ap.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with FakeGoogle() as fake:
        fake.page_size = 2500
        out = scale(fake, a, now) + ordinary(fake, a, now)
    figures.emit(a.figures, out)


if __name__ == "__main__":
    main()
