"""`list` and `run` against the fake Google through the real google-api-python-client:
two calendars, hundreds of events over short pages, a revoked token (exit 3, cache kept),
and a cached schedule that still joins while sign-in is needed."""

from __future__ import annotations

import json
import signal
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import history, start_run, wait_for, wt
from tests.fakegoogle import fake_google, gevent  # noqa: F401  (fixture)
from webinar_tray.adapters.calendar.google.tokens import FileTokenStore

WEBINARS = "webinars@group.calendar.google.com"


def setup_home(home, fake, extra: str = ""):
    fake.write_client_secrets(home / "client_secret.json")
    (home / "config.toml").write_text(
        f'[google]\ncalendars = ["primary", "{WEBINARS}"]\napi_endpoint = "{fake.api_endpoint}"\n'
        'token_store = "file"\n' + extra)
    refresh = fake.issue_refresh_token()
    FileTokenStore(home / "google-token.json").save({
        "token": None, "refresh_token": refresh, "token_uri": fake.token_uri, "client_id": fake.client_id,
        "client_secret": fake.client_secret, "scopes": ["https://www.googleapis.com/auth/calendar.events.readonly"],
        "expiry": None})
    return refresh


def test_list_reads_two_calendars_over_many_pages_and_exit_3_when_revoked(home, fake_google):
    fake = fake_google
    now = datetime.now(timezone.utc).replace(microsecond=0)
    fake.page_size = 40
    fake.calendars["primary"] = [
        gevent(f"m{i}", f"Stand-up {i}", now + timedelta(minutes=10 * i + 5), hangout_link="https://meet.google.com/abc-defg-hij")
        for i in range(280)
    ] + [gevent("w1", "ISC2 Think Tank: Zero trust", now + timedelta(hours=3), location="BrightTALK",
                description='<p>Join: <a href="https://www.brighttalk.com/webcast/5385/612345">here</a></p>')]
    fake.calendars[WEBINARS] = [
        gevent(f"z{i}", f"Vendor briefing {i}", now + timedelta(hours=4 + i), tz="America/Los_Angeles",
               video="https://us02web.zoom.us/w/8123456789" + str(i)) for i in range(25)
    ]
    setup_home(home, fake)
    r = wt(home, "list", "--json", timeout=60)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    in_window = [e for e in fake.calendars["primary"] + fake.calendars[WEBINARS]
                 if datetime.fromisoformat(e["start"]["dateTime"]) < now + timedelta(hours=48)]
    assert len(rows) == len(in_window) > 300
    pages = [q for m, p, q in fake.requests if p.endswith("/events")]
    assert len(pages) >= 8, "short pages were followed with nextPageToken"
    auto = {x["title"]: x for x in rows if x["auto_join"]}
    assert "ISC2 Think Tank: Zero trust" in auto and auto["ISC2 Think Tank: Zero trust"]["provider"] == "BrightTALK"
    assert sum(t.startswith("Vendor briefing") for t in auto) == 25  # Zoom webinar links
    assert not any(t.startswith("Stand-up") for t in auto)
    assert {x["calendar_id"] for x in rows} == {"primary", WEBINARS}
    # the mirror files are the cache of a Google calendar: no second copy in the database,
    # and `--offline` reads them back, asking nothing of Google
    with closing(sqlite3.connect(home / "webinar-tray.sqlite3")) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM sources WHERE fetched_at IS NOT NULL").fetchone()[0] == 2
    n = len(fake.requests)
    r = wt(home, "list", "--json", "--offline")
    assert r.returncode == 0 and json.loads(r.stdout) == rows, r.stderr
    assert len(fake.requests) == n

    fake.revoke_all()
    r = wt(home, "list", "--json", timeout=60)
    assert r.returncode == 3, r.stderr
    assert "login" in r.stderr
    assert len(json.loads(r.stdout)) == len(rows), "the cached rows are still printed"
    r = wt(home, "list", "--json", "--offline")
    assert r.returncode == 0, "--offline contacts nothing and never exits 3"
    log = (home / "logs" / "webinar-tray.log").read_text() if (home / "logs" / "webinar-tray.log").exists() else ""
    for secret in fake.secrets_issued():
        assert secret not in r.stderr + log


def test_a_cached_schedule_still_joins_while_sign_in_is_needed(home, fake_google, site, chromium, tmp_path):
    fake = fake_google
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=25)
    fake.calendars["primary"] = [gevent("w", "Cached webinar", start, start + timedelta(seconds=8),
                                        description=f"Join: {site.url_for('cached')}")]
    fake.calendars[WEBINARS] = []
    setup_home(home, fake, '[join]\nlead_seconds = 2\ngrace_seconds = 2\nheadless = true\n'
               f'allowed_hosts = ["127.0.0.1"]\n[browser]\nexecutable_path = "{chromium}"\n')
    assert wt(home, "list", "--json").returncode == 0  # fills the cache
    fake.revoke_all()
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        rows = wait_for(lambda: history(home), 70, what="the attendance")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    out = log.read_text()
    assert rows[0]["title"] == "Cached webinar" and rows[0]["outcome"] == "attended", out
    assert "Sign-in needed" in out  # the notification went through the Notifier port
    for secret in fake.secrets_issued():
        assert secret not in out
