"""P4, refresh at scale: 10 Google calendars x 2,500 events in the next 48 h, served in pages of
2,500 by the fake Calendar API on 127.0.0.1, read by `list --json` through the real
google-api-python-client. Printed beside the floor measured in the same run: the process start
(`python -m webinar_tray --version`) plus a bare urllib fetch of the same pages (the app's full
sync query, with its `fields=`: the fake, like Google, sends only those fields; its change
tracking is set to cost no JSON per item, as in bench/google_sync.py). Never asserted.

    uv run python -m bench.refresh_scale [--calendars 10] [--events 2500] [--rounds 5] [--profile]

Each figure is the median of `--rounds` cold rounds (a fresh fake and home each), the floor and
`list` taken in every round: one round on this shared machine moved the ratio by +-0.4 (three
rounds until 2026-12-06's fifth round, whose full run had per-round ratios of 1.6 to 2.4).

`--profile offline|online` prints the top of a cProfile of `list --json [--offline]` run in
this process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import figures  # noqa: E402
from tests.e2e.helpers import env_for  # noqa: E402
from tests.e2e.test_google_list import setup_home  # noqa: E402
from tests.fakegoogle import FakeGoogle, gevent  # noqa: E402

LINKS = [
    "https://us02web.zoom.us/j/8{:010d}?pwd=abc", "https://www.brighttalk.com/webcast/288/{}",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{}%40thread.v2/0",
    "https://event.on24.com/wcc/r/{}/ABCDEF", "https://acme.webex.com/acme/j.php?MTID=m{}",
    "https://www.acme-partner.example/agenda/{}",
]


def calendars(n_cal: int, n_ev: int, now: datetime) -> dict[str, list[dict]]:
    rnd = random.Random(12)
    out: dict[str, list[dict]] = {}
    for c in range(n_cal):
        cal = "primary" if c == 0 else f"team{c}@group.calendar.google.com"
        evs = []
        # 90 % instances of 50 recurring series (one description each, as Google sends every
        # instance's), 10 % one-off events with their own text.
        series_links = [rnd.choice(LINKS).format(rnd.randrange(10**9)) for _ in range(50)]
        for i in range(n_ev):
            start = now + timedelta(minutes=rnd.randrange(5, 48 * 60 - 60))
            one_off = i % 10 == 0
            series = i % 50
            link = rnd.choice(LINKS).format(rnd.randrange(10**9)) if one_off else series_links[series]
            desc = (f"<p>Agenda for {'event ' + str(i) if one_off else 'series ' + str(series)}</p>"
                    f"<p>Join: <a href=\"{link}\">{link}</a></p><p>Questions? Reply to the organiser.</p>")
            title = ("Webinar: " if series % 3 == 0 else "Sync ") + f"{series}"
            evs.append(gevent(f"c{c}e{i}", title, start, start + timedelta(minutes=45), description=desc,
                              hangout_link="https://meet.google.com/abc-defg-hij" if series % 7 == 0 else None,
                              recurring_event_id=None if one_off else f"c{c}s{series}"))
        out[cal] = evs
    return out


def timed(argv, env) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
    return time.perf_counter() - t0, r


def bare_fetch(fake: FakeGoogle, cals: list[str], token: str, now: datetime, windowed: bool = False) -> float:
    """urllib, page after page, each decoded with the standard library: the pages `list` asks
    for (a full sync: `singleEvents=false`, no time bounds, the app's `fields=`, which the fake
    honours as Google does). `windowed`: the floor's query until 2026-12-06, when the app still
    listed the window (`singleEvents=true`, timeMin/timeMax, every field)."""
    from webinar_tray.adapters.calendar.google.api import LIST_FIELDS

    t0 = time.perf_counter()
    for cal in cals:
        page = None
        while True:
            q = {"singleEvents": "false", "maxResults": "2500", "fields": LIST_FIELDS}
            if windowed:
                q = {"timeMin": now.isoformat(), "timeMax": (now + timedelta(hours=48)).isoformat(),
                     "singleEvents": "true", "maxResults": "2500"}
            if page:
                q["pageToken"] = page
            url = (f"{fake.api_endpoint}calendars/{urllib.parse.quote(cal)}/events?"
                   + urllib.parse.urlencode(q))
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            body = json.loads(urllib.request.urlopen(req).read())
            page = body.get("nextPageToken")
            if not page:
                break
    return time.perf_counter() - t0


def one_round(a, now: datetime, profile: str | None = None) -> dict:
    """One cold round on a fresh fake Google and home: the floor's parts, then `list --json`
    (a full sync of every calendar) and `list --json --offline`, each in a new process."""
    with FakeGoogle() as fake, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        fake.page_size = 2500
        fake.sync_tokens.by_identity = True  # the fake's change tracking costs no JSON per item
        fake.calendars.update(calendars(a.calendars, a.events, now))
        names = list(fake.calendars)
        setup_home(home, fake, "")
        cfg = home / "config.toml"
        text = cfg.read_text().replace('calendars = ["primary", "webinars@group.calendar.google.com"]',
                                       "calendars = " + json.dumps(names))
        cfg.write_text(text)
        env = env_for(home)
        py = [sys.executable, "-m", "webinar_tray"]
        t_start, _ = timed(py + ["--version"], env)
        token = fake.issue_access_token()
        t_fetch = bare_fetch(fake, names, token, now)
        t_window = bare_fetch(fake, names, token, now, windowed=True)
        t_list, r = timed(py + ["list", "--json"], env)
        if r.returncode != 0:
            sys.exit(f"list --json failed ({r.returncode}): {r.stderr[-2000:]}")
        t_off, _ = timed(py + ["list", "--json", "--offline"], env)
        if profile:
            profiled(env, profile)
        return {"start": t_start, "fetch": t_fetch, "floor": t_start + t_fetch, "window": t_window, "list": t_list,
                "offline": t_off, "rows": len(json.loads(r.stdout))}


def profiled(env: dict, which: str) -> None:
    import cProfile
    import pstats

    os.environ.update(env)
    from webinar_tray.cli import main as cli_main

    prof = cProfile.Profile()
    prof.enable()
    try:
        cli_main(["list", "--json"] + (["--offline"] if which == "offline" else []))
    except SystemExit:
        pass
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)


def _each(rounds: list[dict], key: str) -> str:
    return ", ".join(f"{r[key]:.2f}" for r in rounds)


def _ratios(rounds: list[dict]) -> str:
    return ", ".join(f"{r['list'] / r['floor']:.2f}" for r in rounds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calendars", type=int, default=10)
    ap.add_argument("--events", type=int, default=2500)
    ap.add_argument("--rounds", type=int, default=5,
                    help="cold rounds; each figure is the median (the machine is shared and noisy)")
    ap.add_argument("--profile", choices=("offline", "online"),
                    help="print a cProfile of `list --json [--offline]` run in this process")
    figures.add_argument(ap)
    a = ap.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    rounds = [one_round(a, now, a.profile if i == 0 else None) for i in range(max(1, a.rounds))]
    m = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    n = a.calendars * a.events
    print(f"P4 refresh, {a.calendars} calendars x {a.events} events ({n:,}); {m['rows']:,.0f} rows "
          f"listed; medians of {len(rounds)} cold rounds")
    print(f"  floor (start {m['start']:.2f} s + bare fetch {m['fetch']:.2f} s)   {m['floor']:6.2f} s   "
          f"rounds: {_each(rounds, 'floor')}")
    print(f"  list --json                                {m['list']:6.2f} s   {m['list'] / m['floor']:4.1f}x "
          f"the floor   rounds: {_each(rounds, 'list')}")
    print(f"  (each round's list / floor: {_ratios(rounds)})")
    print(f"  list --json --offline                      {m['offline']:6.2f} s")
    print(f"  (bare fetch of the windowed listing, every field: {m['window']:.2f} s; the floor's "
          f"query until 2026-12-06)")
    figures.emit(a.figures, [
        figures.Figure("P4", f"list --json, {a.calendars} x {a.events} events", m["list"], "s", m["floor"],
                       "start + bare fetch", "<= 2x reference", 2.0, ratio=True),
        figures.Figure("P4", "list --json --offline", m["offline"], "s", m["start"], "start")])


if __name__ == "__main__":
    main()
