"""Figures for the spine (printed, never asserted):

1. join delay (P1): 20 scheduled joins (`--same-second K`: K of them at each start) through the
   real engine loop, Playwright joiner and the demo site; delay = the page request's arrival
   minus the planned join_at (median, max); the reference is a bare thread waking at the same
   times in the same run (how late this machine's timers are now);
2. idle cost (P2): `webinar-tray run` as a process with nothing due: CPU seconds and RSS over
   --idle-seconds (default 300), scaled to CPU-s per hour; beside a bare sleeping interpreter.

    uv run python -m bench.join_delay [--joins 20] [--same-second 1] [--idle-seconds 300]
                                      [--skip-joins] [--skip-idle]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import figures  # noqa: E402
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


def _timer_floor(starts: list[datetime]) -> list[float]:
    """How late a bare thread wakes at each of `starts` (seconds): the machine's timer floor."""
    late: list[float] = []

    def wake() -> None:
        for t in sorted(set(starts)):
            left = (t - datetime.now(timezone.utc)).total_seconds()
            if left > 0:
                threading.Event().wait(left)
            late.append((datetime.now(timezone.utc) - t).total_seconds())

    th = threading.Thread(target=wake, daemon=True)
    th.start()
    return late  # filled while the joins run; read after


def bench_joins(n: int, spacing: float, duration: float, same_second: int = 1) -> list[figures.Figure]:
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
            start = first + timedelta(seconds=(i // max(1, same_second)) * spacing)
            end = start + timedelta(seconds=duration)
            events.append(CalendarEvent(
                calendar_id="bench", event_id=f"j{i}", title=f"Bench webinar {i}", start=start, end=end,
                description=site.url_for(f"j{i}", ends_at=end)))
        floor = _timer_floor([ev.start for ev in events])
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
        med = statistics.median(delays) if delays else float("nan")
        worst = max(delays) if delays else float("nan")
        ref = statistics.median(floor) if floor else None
        print(f"join delay over {len(delays)}/{n} joins ({same_second} per start): median {med:.3f} s, "
              f"max {worst:.3f} s, min {min(delays, default=float('nan')):.3f} s; a bare timer: "
              f"median {ref if ref is not None else float('nan'):.3f} s late")
        print(f"  outcomes: { {o: outcomes.count(o) for o in set(outcomes)} }")
        what = f"join delay, median of {n} joins ({same_second} per start)"
        return [figures.Figure("P1", what, med, "s", ref, "bare timer"),
                figures.Figure("P1", f"join delay, worst of {n}", worst, "s", max(floor, default=None),
                               "bare timer")]


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


def _idle_process(argv: list[str], env: dict, seconds: float, settle: float) -> tuple[float, float, float]:
    """(CPU-s per hour, RSS MB, span s) of a process over `seconds` after `settle`."""
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.DEVNULL)
    try:
        time.sleep(settle)
        cpu0, _ = _cpu_and_rss(proc.pid)
        t0 = time.time()
        while time.time() - t0 < seconds:
            time.sleep(min(10, seconds))
        cpu1, rss1 = _cpu_and_rss(proc.pid)
        span = time.time() - t0
    finally:
        proc.terminate()
        proc.wait(20)
    return (cpu1 - cpu0) * 3600 / span, rss1, span


def bench_idle_figures(seconds: float) -> list[figures.Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        ics = far_calendar(Path(tmp))
        Path(tmp, "config.toml").write_text(f'[ics]\nurls = ["{ics}"]\n')
        env = dict(os.environ, WEBINAR_TRAY_HOME=tmp)
        cpu, rss, span = _idle_process([sys.executable, "-m", "webinar_tray", "run"], env, seconds, 10)
    bare_cpu, bare_rss, _ = _idle_process([sys.executable, "-c", "import time; time.sleep(3600)"],
                                          dict(os.environ), min(seconds, 30), 1)
    print(f"idle `run` over {span:.0f} s: {cpu:.2f} CPU-s per hour, RSS {rss:.1f} MB "
          f"(a bare sleeping interpreter: {bare_cpu:.2f} CPU-s per hour, {bare_rss:.1f} MB)")
    return [figures.Figure("P2", "idle `run` (service), CPU", cpu, "CPU-s/h", bare_cpu, "bare interpreter"),
            figures.Figure("P2", "idle `run` (service), RSS", rss, "MB", bare_rss, "bare interpreter")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--joins", type=int, default=20)
    ap.add_argument("--spacing", type=float, default=5.0, help="seconds between planned joins")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds each bench webinar lasts")
    ap.add_argument("--idle-seconds", type=float, default=300)
    ap.add_argument("--skip-joins", action="store_true")
    ap.add_argument("--skip-idle", action="store_true")
    ap.add_argument("--same-second", type=int, default=3, help="joins planned for each start")
    figures.add_argument(ap)
    a = ap.parse_args()
    out: list[figures.Figure] = []
    if not a.skip_joins:
        out += bench_joins(a.joins, a.spacing, a.duration, a.same_second)
    if not a.skip_idle:
        out += bench_idle_figures(a.idle_seconds)
    figures.emit(a.figures, out)


if __name__ == "__main__":
    main()
