"""Figures for the spine (printed, never asserted):

1. join delay: 20 scheduled joins through the real engine loop, Playwright joiner and the demo
   site; delay = the page request's arrival minus the planned join_at (median, max);
2. idle cost: `webinar-tray run` as a process with nothing due: CPU seconds and RSS over
   --idle-seconds (default 300), scaled to CPU-s per hour.

    uv run python bench/join_delay.py [--joins 20] [--idle-seconds 300] [--skip-joins] [--skip-idle]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webinar_tray.adapters.browser.discover import find_browser  # noqa: E402
from webinar_tray.env import Env  # noqa: E402
from webinar_tray.adapters.browser.joiner import PlaywrightJoiner  # noqa: E402
from webinar_tray.demo.site import DemoSite  # noqa: E402
from webinar_tray.adapters.notify.log import LogNotifier  # noqa: E402
from webinar_tray.env import SystemClock  # noqa: E402
from webinar_tray.config.paths import resolve_paths  # noqa: E402
from webinar_tray.core.events import CalendarEvent  # noqa: E402
from webinar_tray.core.settings import Settings  # noqa: E402
from webinar_tray.runtime.engine import Engine  # noqa: E402
from webinar_tray.runtime.loop import EngineLoop  # noqa: E402
from webinar_tray.runtime.store import FINAL_STATES, Store  # noqa: E402


class ListSource:
    name = key = "bench"

    def __init__(self, events):
        self.events = events

    def fetch(self, start, end, deadline=None):
        return self.events


def bench_joins(n: int, spacing: float, duration: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve_paths(tmp).ensure()
        s = Settings()
        exe = find_browser(s.browser, None, Env.real()).executable_path
        s = replace(
            s,
            # 3 s webinars 5 s apart: at most one page open at a time, several browsers warming up
            join=replace(s.join, lead_seconds=0, grace_seconds=0, headless=True, screenshot_minutes=0,
                         allowed_hosts=("127.0.0.1",), step_timeout_seconds=15, max_concurrent=6),
            browser=replace(s.browser, executable_path=exe or ""),
        )
        site = DemoSite()
        site.start()
        first = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=25)
        events = []
        for i in range(n):
            start = first + timedelta(seconds=i * spacing)
            end = start + timedelta(seconds=duration)
            events.append(CalendarEvent(
                calendar_id="bench", event_id=f"j{i}", title=f"Bench webinar {i}", start=start, end=end,
                description=site.url_for(f"j{i}", ends_at=end)))
        store = Store(paths.database)
        engine = Engine(settings=s, store=store, sources=[ListSource(events)],
                        joiner=PlaywrightJoiner(s, paths), notifier=LogNotifier(), clock=SystemClock())
        loop = EngineLoop(engine)
        loop.start()
        deadline = time.time() + 60 + n * spacing + duration + 60
        while time.time() < deadline:
            if len(store.attendances(FINAL_STATES)) >= n:
                break
            time.sleep(1)
        loop.stop()
        engine.close()
        delays = []
        for i, ev in enumerate(events):
            pages = site.visits_of(f"j{i}", "page")
            if pages:
                delays.append((pages[0].at - ev.start).total_seconds())
        outcomes = [a.state for a in store.attendances()]
        site.stop()
        print(f"join delay over {len(delays)}/{n} joins: median {statistics.median(delays):.3f} s, "
              f"max {max(delays):.3f} s, min {min(delays):.3f} s")
        print(f"  outcomes: { {o: outcomes.count(o) for o in set(outcomes)} }")


def _cpu_and_rss(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    return cpu, rss


def far_calendar(folder: Path) -> Path:
    """An ICS file with one webinar three days ahead: nothing is due while a bench runs."""
    far = datetime.now(timezone.utc) + timedelta(days=3)
    z = lambda t: t.strftime("%Y%m%dT%H%M%SZ")  # noqa: E731
    ics = folder / "cal.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:far\r\n"
        f"DTSTAMP:{z(far)}\r\nDTSTART:{z(far)}\r\nDTEND:{z(far + timedelta(hours=1))}\r\n"
        "SUMMARY:Far webinar\r\nLOCATION:BrightTALK\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return ics


def bench_idle(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ics = far_calendar(Path(tmp))
        Path(tmp, "config.toml").write_text(f'[ics]\nurls = ["{ics}"]\n')
        env = dict(os.environ, WEBINAR_TRAY_HOME=tmp)
        proc = subprocess.Popen([sys.executable, "-m", "webinar_tray", "run"], env=env,
                                stderr=subprocess.DEVNULL)
        try:
            time.sleep(10)  # start-up and the first refresh are not idle time
            cpu0, rss0 = _cpu_and_rss(proc.pid)
            t0 = time.time()
            peak = rss0
            while time.time() - t0 < seconds:
                time.sleep(min(10, seconds))
                peak = max(peak, _cpu_and_rss(proc.pid)[1])
            cpu1, rss1 = _cpu_and_rss(proc.pid)
            span = time.time() - t0
        finally:
            proc.terminate()
            proc.wait(20)
        print(f"idle `run` over {span:.0f} s: {cpu1 - cpu0:.2f} CPU-s "
              f"({(cpu1 - cpu0) * 3600 / span:.2f} CPU-s per hour), RSS {rss1:.1f} MB (peak {peak:.1f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--joins", type=int, default=20)
    ap.add_argument("--spacing", type=float, default=5.0, help="seconds between planned joins")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds each bench webinar lasts")
    ap.add_argument("--idle-seconds", type=float, default=300)
    ap.add_argument("--skip-joins", action="store_true")
    ap.add_argument("--skip-idle", action="store_true")
    a = ap.parse_args()
    if not a.skip_joins:
        bench_joins(a.joins, a.spacing, a.duration)
    if not a.skip_idle:
        bench_idle(a.idle_seconds)


if __name__ == "__main__":
    main()
