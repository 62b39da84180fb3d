"""Fault suite: `webinar-tray run` with a feed that trickles one byte every half second and two
hostile RRULE feeds configured beside the calendar holding a due webinar. The webinar is opened
on time while the trickling refresh is still in flight, a `join` handed over meanwhile is
answered, the hostile series are cut and say so, and the trickling feed gives up at its deadline
keeping its last good events."""

from __future__ import annotations

import signal
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import history, ics, start_run, wait_for, wt
from tests.feeds import StaticFeed, TrickleFeed, calendar, hostile_calendars, vevent


def test_a_due_webinar_is_joined_while_a_trickling_and_two_hostile_feeds_refresh(home, site, chromium, tmp_path):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    start = now + timedelta(seconds=15)
    end = start + timedelta(seconds=8)
    url = site.url_for("due-webinar", title="Due webinar")
    (home / "cal.ics").write_text(ics({"uid": "due-1", "start": start, "end": end, "title": "Due webinar",
                                       "description": f"Join: {url}"}))
    trickle = TrickleFeed(calendar(vevent("t1", now + timedelta(hours=3), title="Trickled webinar")) * 4,
                          every=0.5)
    hostile = [StaticFeed(body) for body in hostile_calendars(now).values()]
    (home / "config.toml").write_text(
        "[ics]\nurls = [" + ", ".join(f'"{u}"' for u in
                                      ["cal.ics", trickle.url] + [f.url(n) for f, n in zip(hostile, ["a", "b"])])
        + "]\n[refresh]\ntimeout_seconds = 30\n"
        "[join]\nlead_seconds = 2\ngrace_seconds = 2\nheadless = true\nstep_timeout_seconds = 20\n"
        'screenshot_minutes = 0\nallowed_hosts = ["127.0.0.1"]\n'
        f'[browser]\nexecutable_path = "{chromium}"\n')
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        wait_for(lambda: trickle.opened, 30, every=0.1, what="the trickling feed's connection")
        # a command handed over while the trickling refresh runs is answered (it gave up after
        # 10 s with "does not answer" when the refresh ran on the engine thread)
        assert trickle.in_flight()
        handed = wt(home, "join", site.url_for("handed-over"), "--minutes", "1", timeout=60)
        assert handed.returncode == 0, handed.stderr
        assert trickle.in_flight(), "the hand-over was answered while the feed still trickled"
        page = wait_for(lambda: site.visits_of("due-webinar", "page"), 40, every=0.1, what="the due webinar's page")
        assert trickle.in_flight(), "navigation happened while the trickling refresh was still in flight"
        assert page[0].at < trickle.opened[0] + timedelta(seconds=30)
        rows = wait_for(lambda: [r for r in history(home) if r["title"] == "Due webinar"
                                 and r["outcome"] in ("attended", "partial", "failed")], 60, what="its record")
        wait_for(lambda: "no complete answer within 30 s" in log.read_text(), 60, what="the trickling feed's deadline")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
        trickle.close()
        for f in hostile:
            f.close()
    out = log.read_text()
    assert code == 0, out
    [rec] = rows
    assert rec["outcome"] == "attended", (rec, out)
    assert len(site.visits_of("due-webinar", "page")) == 1, "opened exactly once"
    assert site.visits_of("handed-over", "page"), "the handed-over join was attended"
    assert "'Every second'" in out and "max_instances_per_series" in out
    assert "'Never'" in out and "no day in the window" in out
    assert trickle.wait_closed(5), "the trickling connection was shut at the deadline"
    assert "private-trickle" not in out and "private-a" not in out and "basic.ics" not in out
