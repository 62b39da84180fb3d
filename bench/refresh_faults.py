"""Figures for issue 10 (printed, never asserted):

1. join punctuality under hostile refreshes: N scheduled joins through the real engine loop,
   Playwright joiner and the demo site while a feed trickles one byte every 0.5 s (its refresh
   stays in flight the whole run) and the two hostile RRULE feeds are refreshed over and over;
   delay = the page request's arrival minus the planned join_at; the same joins with no feeds
   beside them as the reference, in the same run;
2. one refresh of the hostile feeds (`webinar-tray list --json` over an unbounded SECONDLY
   series and a never-occurring MINUTELY one): wall time, CPU-seconds and peak RSS of the process;
3. the event cache of a ~200 KB feed with 5,000 instances (10 series of 500 sharing an 18 KB
   description each): the database's size after `list`.

`--repo PATH` runs 2 and 3 against another checkout (e.g. the commit before the change) with
this environment's Python.

    uv run python bench/refresh_faults.py [--joins 10] [--skip-joins] [--repo PATH]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.join_delay import ListSource  # noqa: E402
from tests.feeds import StaticFeed, TrickleFeed, calendar, hostile_calendars, vevent  # noqa: E402
from webinar_tray.adapters.browser.discover import find_browser  # noqa: E402
from webinar_tray.env import Env  # noqa: E402
from webinar_tray.adapters.browser.joiner import PlaywrightJoiner  # noqa: E402
from webinar_tray.demo.site import DemoSite  # noqa: E402
from webinar_tray.adapters.calendar.ics.source import IcsSource  # noqa: E402
from webinar_tray.adapters.notify.log import LogNotifier  # noqa: E402
from webinar_tray.env import SystemClock  # noqa: E402
from webinar_tray.config.paths import resolve_paths  # noqa: E402
from webinar_tray.core.events import CalendarEvent  # noqa: E402
from webinar_tray.core.settings import RefreshSettings, Settings  # noqa: E402
from webinar_tray.runtime import sync  # noqa: E402
from webinar_tray.runtime.engine import Engine  # noqa: E402
from webinar_tray.runtime.loop import EngineLoop  # noqa: E402
from webinar_tray.runtime.store import FINAL_STATES, Store  # noqa: E402


def joins(n: int, hostile: bool, spacing: float = 6.0, duration: float = 3.0) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve_paths(tmp).ensure()
        s = Settings()
        s = replace(s, join=replace(s.join, lead_seconds=0, grace_seconds=0, headless=True, screenshot_minutes=0,
                                    allowed_hosts=("127.0.0.1",), step_timeout_seconds=15),
                    browser=replace(s.browser, executable_path=find_browser(s.browser, None, Env.real()).executable_path or ""),
                    refresh=replace(s.refresh, timeout_seconds=3600))
        site = DemoSite()
        site.start()
        first = now + timedelta(seconds=20)
        events = [CalendarEvent(calendar_id="bench", event_id=f"j{i}", title=f"Bench webinar {i}",
                                start=first + timedelta(seconds=i * spacing),
                                end=first + timedelta(seconds=i * spacing + duration),
                                description=site.url_for(f"j{i}", ends_at=first + timedelta(seconds=i * spacing + duration)))
                  for i in range(n)]
        sources, feeds, stop = [ListSource(events)], [], threading.Event()
        trickle = None
        if hostile:
            trickle = TrickleFeed(calendar(vevent("t", now + timedelta(hours=2), title="t")) * 50, every=0.5)
            feeds = [StaticFeed(b) for b in hostile_calendars(now).values()]
            hostile_sources = [IcsSource(f.url(str(i)), Path(tmp), s.refresh) for i, f in enumerate(feeds)]
            sources += [IcsSource(trickle.url, Path(tmp), s.refresh)] + hostile_sources

            def hammer():  # the hostile feeds refreshed again and again beside the engine's round
                while not stop.is_set():
                    sync.Round(hostile_sources, datetime.now(timezone.utc), s.refresh).wait()

            threading.Thread(target=hammer, daemon=True).start()
        store = Store(paths.database)
        engine = Engine(settings=s, store=store, sources=sources, joiner=PlaywrightJoiner(s, paths),
                        notifier=LogNotifier(), clock=SystemClock())
        loop = EngineLoop(engine)
        loop.start()
        in_flight = []
        end = time.time() + 60 + n * spacing + duration + 60
        while time.time() < end and len(store.attendances(FINAL_STATES)) < n:
            if trickle is not None:
                in_flight.append(trickle.in_flight())
            time.sleep(0.5)
        stop.set()
        loop.stop()
        engine.close()
        delays = [(site.visits_of(f"j{i}", "page")[0].at - ev.start).total_seconds()
                  for i, ev in enumerate(events) if site.visits_of(f"j{i}", "page")]
        site.stop()
        store.close()
        for f in feeds + ([trickle] if trickle else []):
            f.close()
        label = "with a trickling + two hostile feeds refreshing" if hostile else "reference (no faulty feed)"
        print(f"join delay, {label}: {len(delays)}/{n} joins, median {statistics.median(delays):.3f} s, "
              f"max {max(delays):.3f} s, min {min(delays):.3f} s"
              + (f"; trickling refresh in flight for {sum(in_flight)}/{len(in_flight)} samples" if hostile else ""))


# `webinar-tray list --json`, then the process's own peak RSS and CPU on stderr's last line
# (RUSAGE_CHILDREN's peak would be the largest child ever, Chromium included).
_LIST = """import resource, runpy, sys
sys.argv = ["webinar-tray", "list", "--json"]
try:
    runpy.run_module("webinar_tray", run_name="__main__")
except SystemExit as e:
    code = e.code
else:
    code = 0
r = resource.getrusage(resource.RUSAGE_SELF)
print("\\nRUSAGE", r.ru_maxrss, r.ru_utime + r.ru_stime, code, file=sys.stderr)
"""


def _list_run(repo: Path, home: Path, urls: list[str], extra: str = "") -> tuple[float, float, float, int]:
    (home / "config.toml").write_text("[ics]\nurls = [" + ", ".join(f'"{u}"' for u in urls) + "]\n" + extra)
    env = dict(os.environ, WEBINAR_TRAY_HOME=str(home), PYTHONPATH=str(repo))
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-c", _LIST], cwd=repo, env=env, capture_output=True,
                           text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return time.monotonic() - t0, float("nan"), float("nan"), -1
    wall = time.monotonic() - t0
    _, rss, cpu, code = p.stderr.strip().splitlines()[-1].split()
    return wall, float(cpu), int(rss) / 1024, int(code) if code.lstrip("-").isdigit() else 1


def hostile_refresh(repo: Path) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    feeds = {k: StaticFeed(v) for k, v in hostile_calendars(now).items()}
    try:
        for name, f in feeds.items():
            with tempfile.TemporaryDirectory() as tmp:
                wall, cpu, rss, code = _list_run(repo, Path(tmp), [f.url(name)])
                print(f"one refresh (`list --json`) of the {name} feed: {wall:.2f} s wall, {cpu:.2f} CPU-s, "
                      f"peak RSS {rss:.0f} MB (exit {code}{', killed at 300 s' if code == -1 else ''})")
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu, rss, code = _list_run(repo, Path(tmp), [f.url(n) for n, f in feeds.items()])
            print(f"one refresh of both hostile feeds: {wall:.2f} s wall, {cpu:.2f} CPU-s, peak RSS {rss:.0f} MB "
                  f"(exit {code})")
    finally:
        for f in feeds.values():
            f.close()


def cache_size(repo: Path) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    series = []
    for k in range(10):
        text = (f"Series {k}: agenda, speakers and dial-in numbers. " * 400)[:18_000]
        series.append(vevent(f"s{k}", now - timedelta(hours=11, minutes=k), rule="FREQ=MINUTELY;INTERVAL=7",
                             title=f"Series {k}", duration="PT5M", description=text))
    body = calendar(*series)
    feed = StaticFeed(body)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            wall, cpu, rss, code = _list_run(repo, home, [feed.url()],
                                             "[refresh]\nmax_instances_per_series = 5000\n")
            db = home / "webinar-tray.sqlite3"
            size = sum(p.stat().st_size for p in home.glob("webinar-tray.sqlite3*"))
            import sqlite3

            n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM events").fetchone()[0]
            print(f"cache of a {len(body) / 1024:.0f} KB feed with {n} instances: {size / 1e6:.1f} MB "
                  f"(db + wal), refresh {wall:.1f} s wall, {cpu:.1f} CPU-s, peak RSS {rss:.0f} MB")
    finally:
        feed.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--joins", type=int, default=10)
    ap.add_argument("--skip-joins", action="store_true")
    ap.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose app runs 2 and 3")
    a = ap.parse_args()
    if not a.skip_joins:
        joins(a.joins, hostile=False)
        joins(a.joins, hostile=True)
    hostile_refresh(a.repo.resolve())
    cache_size(a.repo.resolve())


if __name__ == "__main__":
    main()
