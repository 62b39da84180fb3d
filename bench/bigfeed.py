"""Figures for issue 12 item 5 (printed, never asserted): one ICS source reading a big real-world
look-alike feed (tests/feeds.py `big_feed`: ~1.65 MB, 4,778 VEVENTs, mostly recurring series
over several years with overrides and EXDATEs) served from 127.0.0.1, for the refresh window
(12 h back, 48 h ahead):

- cold: the first read (a new IcsSource);
- warm: the second read by the same source after the server's body changed (a 200 again);
- 304: the third read, the body unchanged (the server answers 304 Not Modified when the source
  sends If-None-Match / If-Modified-Since);
- events found, and how many 200 / 304 answers the server gave.

    uv run python -m bench.bigfeed [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import figures  # noqa: E402
from tests.feeds import ConditionalFeed, big_feed  # noqa: E402
from webinar_tray.adapters.calendar.ics.source import IcsSource  # noqa: E402
from webinar_tray.core.settings import RefreshSettings  # noqa: E402
from webinar_tray.runtime.sync import LOOKBEHIND  # noqa: E402


def one_run(body: bytes, changed: bytes, now: datetime) -> dict[str, float]:
    feed = ConditionalFeed(body)
    try:
        src = IcsSource(feed.url("big"), ROOT, RefreshSettings(timeout_seconds=120))
        start, end = now - LOOKBEHIND, now + timedelta(hours=48)
        out: dict[str, float] = {}
        t = time.perf_counter()  # the floor: the body fetched, nothing read from it
        with urllib.request.urlopen(feed.url("plain")) as r:
            r.read()
        out["get"] = time.perf_counter() - t
        t = time.perf_counter()
        events = src.fetch(start, end)
        out["cold"] = time.perf_counter() - t
        feed.body = changed
        t = time.perf_counter()
        warm = src.fetch(start, end)
        out["warm"] = time.perf_counter() - t
        t = time.perf_counter()
        cached = src.fetch(start, end)
        out["304"] = time.perf_counter() - t
        out["events"], out["events_warm"], out["events_304"] = len(events), len(warm), len(cached)
        out["answers_200"], out["answers_304"] = feed.answers[200], feed.answers[304]
        return out
    finally:
        feed.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile one cold read (top 25 by cumulative time)")
    figures.add_argument(ap)
    args = ap.parse_args()
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    body = big_feed(now)
    # the same feed with one event renamed: a new ETag and Last-Modified, the same size and shape
    changed = body.replace(b"SUMMARY:", b"SUMMARY:*", 1)
    print(f"feed: {len(body) / 1e6:.2f} MB, {body.count(b'BEGIN:VEVENT')} VEVENTs "
          f"({body.count(b'RECURRENCE-ID')} overrides, {body.count(b'RRULE:')} RRULE lines, "
          f"{body.count(b'EXDATE')} EXDATEs)")
    if args.profile:
        prof = cProfile.Profile()
        src_feed = ConditionalFeed(body)
        try:
            src = IcsSource(src_feed.url("big"), ROOT, RefreshSettings(timeout_seconds=120))
            prof.enable()
            src.fetch(now - LOOKBEHIND, now + timedelta(hours=48))
            prof.disable()
        finally:
            src_feed.close()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return
    runs = [one_run(body, changed, now) for _ in range(args.runs)]
    for k in ("cold", "warm", "304"):
        xs = [r[k] for r in runs]
        print(f"{k:>5}: median {statistics.median(xs):.3f} s (min {min(xs):.3f}, max {max(xs):.3f}, {len(xs)} runs)")
    r = runs[-1]
    get = statistics.median(x["get"] for x in runs)
    what = f"ICS feed {len(body) / 1e6:.2f} MB, {body.count(b'BEGIN:VEVENT')} VEVENTs, 60 h window"
    figures.emit(args.figures, [
        figures.Figure("bigfeed", f"{what}: {k}", statistics.median(x[k] for x in runs), "s", get,
                       "plain GET of the body", "<= 1.0 s", 1.0) for k in ("cold", "warm", "304")
    ] + [figures.Figure("bigfeed", f"{what}: events found", r["events"], "events")])
    print(f"plain GET of the body: median {get:.3f} s")
    print(f"events found: cold {r['events']:.0f}, warm {r['events_warm']:.0f}, 304 {r['events_304']:.0f}; "
          f"server answers per run (the plain GET included): {r['answers_200']:.0f} x 200, "
          f"{r['answers_304']:.0f} x 304")


if __name__ == "__main__":
    main()
