"""Issue 13, item 3: bytes and time per Google refresh, before (the windowed listing:
singleEvents=true, timeMin/timeMax, every instance every hour) and after (a mirror per calendar
kept by syncToken: one full sync, then only the changes), on bench/refresh_scale.py's 25,000
events (10 calendars x 2,500) of which one changed between refreshes.

The sources are read in this process through the real google-api-python-client against the
fake Calendar API on 127.0.0.1; bytes are the response bodies the fake sends (`fake.api_bytes`),
and the fake's own time answering is printed apart (it is Google's time, not ours). Printed,
never asserted.

    uv run python -m bench.google_sync [--calendars 10] [--events 2500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import figures  # noqa: E402
from bench.refresh_scale import calendars  # noqa: E402
from tests.fakegoogle import SCOPE, FakeGoogle, gevent  # noqa: E402
from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource  # noqa: E402
from webinar_tray.adapters.calendar.google.sync import mirror_path  # noqa: E402


def credentials(fake: FakeGoogle):
    from google.oauth2.credentials import Credentials

    return Credentials(token=None, refresh_token=fake.issue_refresh_token(), token_uri=fake.token_uri,
                       client_id=fake.client_id, client_secret=fake.client_secret, scopes=[SCOPE])


def refresh(fake: FakeGoogle, sources, lo, hi) -> tuple[float, int, float, int]:
    """One refresh of every source: (seconds, bytes sent, the fake's seconds, events)."""
    b0, s0 = fake.api_bytes, fake.api_seconds
    t0 = time.perf_counter()
    n = sum(len(s.fetch(lo, hi)) for s in sources)
    return time.perf_counter() - t0, fake.api_bytes - b0, fake.api_seconds - s0, n


def change_one(fake: FakeGoogle, now: datetime, k: int) -> None:
    cal = fake.calendars["primary"]
    old = cal[k]
    start = now + timedelta(hours=3, minutes=k)
    cal[k] = gevent(old["id"], f"Changed {k}", start, start + timedelta(minutes=30),
                    description=old.get("description"), recurring_event_id=old.get("recurringEventId"))


def row(label: str, runs: list[tuple]) -> str:
    secs = statistics.median(r[0] for r in runs)
    sent = statistics.median(r[1] for r in runs)
    fake = statistics.median(r[2] for r in runs)
    return (f"  {label:<44} {secs:7.3f} s  {sent / 1e6:8.3f} MB  (fake {fake:6.3f} s)  "
            f"{runs[-1][3]:,} events")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calendars", type=int, default=10)
    ap.add_argument("--events", type=int, default=2500)
    ap.add_argument("--rounds", type=int, default=3)
    figures.add_argument(ap)
    a = ap.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    lo, hi = now - timedelta(hours=12), now + timedelta(hours=48)
    with FakeGoogle() as fake, tempfile.TemporaryDirectory() as tmp:
        fake.page_size = 2500
        fake.sync_tokens.by_identity = True  # the fake's change tracking costs no JSON per item
        fake.calendars.update(calendars(a.calendars, a.events, now))
        names = list(fake.calendars)
        creds = credentials(fake)
        folder = Path(tmp) / "google-sync"

        def sources(**kw):
            return [GoogleCalendarSource(c, lambda: creds, fake.api_endpoint, **kw) for c in names]

        before = sources(incremental=False)
        refresh(fake, before, lo, hi)  # clients built, token refreshed
        old_runs = []
        for k in range(a.rounds):
            change_one(fake, now, k)
            old_runs.append(refresh(fake, before, lo, hi))

        after = sources(mirror_file=None)
        full = [refresh(fake, after, lo, hi)]
        new_runs = []
        for k in range(a.rounds):
            change_one(fake, now, 100 + k)
            new_runs.append(refresh(fake, after, lo, hi))

        saved = [GoogleCalendarSource(c, lambda: creds, fake.api_endpoint,
                                      mirror_file=mirror_path(folder, c)) for c in names]
        saved_full = [refresh(fake, saved, lo, hi)]
        restart = [GoogleCalendarSource(c, lambda: creds, fake.api_endpoint,
                                        mirror_file=mirror_path(folder, c)) for c in names]
        change_one(fake, now, 200)
        start_runs = [refresh(fake, restart, lo, hi)]
        file_runs = []
        for k in range(a.rounds):
            change_one(fake, now, 300 + k)
            file_runs.append(refresh(fake, restart, lo, hi))
        size = sum(p.stat().st_size for p in folder.glob("*.jsonl"))

    report(a, old_runs, full, new_runs, saved_full, start_runs, file_runs, size)


def report(a, old_runs, full, new_runs, saved_full, start_runs, file_runs, size: int) -> None:
    n = a.calendars * a.events
    print(f"Google refresh, {a.calendars} calendars x {a.events} events ({n:,}), one event changed "
          f"between refreshes (median of {a.rounds}; window now-12 h .. now+48 h)")
    print(row("before: windowed listing, every refresh", old_runs))
    print(row("after: full sync (first refresh, in memory)", full))
    print(row("after: incremental refresh (in memory)", new_runs))
    print(row("after: full sync, mirror saved to disk", saved_full))
    print(row("after: first refresh of a new process (load)", start_runs))
    print(row("after: incremental refresh (mirror on disk)", file_runs))
    t_old = statistics.median(r[0] for r in old_runs)
    t_new = statistics.median(r[0] for r in file_runs)
    b_old = statistics.median(r[1] for r in old_runs)
    b_new = statistics.median(r[1] for r in file_runs)
    print(f"  per hourly refresh: {b_old / max(b_new, 1):,.0f}x fewer bytes, "
          f"{t_old / max(t_new, 1e-9):.1f}x less time; mirror files {size / 1e6:.1f} MB")
    what = f"hourly Google refresh, {a.calendars} x {a.events} events, one changed"
    figures.emit(a.figures, [
        figures.Figure("sync", what + ": time", t_new, "s", t_old, "windowed listing"),
        figures.Figure("sync", what + ": bytes", b_new / 1e3, "KB", b_old / 1e3, "windowed listing")])


if __name__ == "__main__":
    main()
