"""`history --cpe` as a user runs it: the real command on a real sqlite store, in a non-UTC local
time zone (New York), with [history] settings from config.toml."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import env_for

UTC = timezone.utc


def cpe(home, *args) -> subprocess.CompletedProcess:
    env = dict(env_for(home), TZ="America/New_York")
    return subprocess.run([sys.executable, "-m", "webinar_tray", "history", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def _seed(home, *records):
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.runtime.store import Attendance, Store

    store = Store(resolve_paths(home).ensure().database)
    for kw in records:
        start = kw.pop("start")
        minutes = kw.pop("minutes", 60)
        base = dict(title="Webinar", provider="BrightTALK", join_url="https://www.brighttalk.com/webcast/1/2",
                    start=start, end=start + timedelta(hours=1), state="attended", joined_at=start,
                    left_at=start + timedelta(minutes=minutes))
        base.update(kw)
        store.claim(Attendance(**base), start)
    store.close()


# 30 Nov 22:30 and 1 Dec 00:30 in New York (both 1 December in UTC); 31 Dec 23:00 (1 Jan in UTC)
NOV30 = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
DEC1 = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
DEC31 = datetime(2027, 1, 1, 4, 0, tzinfo=UTC)


def _three(home):
    _seed(home,
          dict(id="c/e/nov30", title="Late evening", start=NOV30, minutes=60, organizer="events@isc2.org",
               evidence=["/evidence/a.png", "/evidence/b.png"]),
          dict(id="c/e/dec1", title="=HYPERLINK(\"https://evil.example\")", start=DEC1, minutes=45,
               state="partial", organizer="@evil"),
          dict(id="c/e/dec31", title="New Year's Eve", start=DEC31, minutes=100),
          dict(id="c/e/failed", title="Failed", start=DEC1, state="failed", joined_at=None, left_at=None,
               error="button: none"))


def test_json_has_the_contract_shape_with_local_months_and_inclusive_bounds(home):
    (home / "config.toml").write_text("[history]\nminutes_per_credit = 50.0\ncredit_step = 0.5\n")
    _three(home)
    r = cpe(home, "--cpe", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"webinars", "months", "years"}
    [nov30, dec1, dec31] = out["webinars"]
    assert list(nov30) == ["id", "title", "provider", "organizer", "start", "minutes", "credits", "outcome",
                           "reason", "evidence"]
    assert nov30 == {"id": "c/e/nov30", "title": "Late evening", "provider": "BrightTALK",
                     "organizer": "events@isc2.org", "start": "2026-11-30T22:30:00-05:00", "minutes": 60.0,
                     "credits": 1.0, "outcome": "attended", "reason": None,
                     "evidence": ["/evidence/a.png", "/evidence/b.png"]}
    assert (dec1["minutes"], dec1["credits"], dec1["reason"]) == (45.0, 0.5, "left 15 min before the end")
    assert (dec31["minutes"], dec31["credits"]) == (100.0, 2.0)  # it ran 40 minutes over
    assert out["months"] == [{"month": "2026-11", "webinars": 1, "minutes": 60.0, "credits": 1.0},
                             {"month": "2026-12", "webinars": 2, "minutes": 145.0, "credits": 2.5}]
    assert out["years"] == [{"year": "2026", "webinars": 3, "minutes": 205.0, "credits": 3.5}]

    def ids(*bounds):
        return [w["id"] for w in json.loads(cpe(home, "--cpe", "--json", *bounds).stdout)["webinars"]]

    assert ids("--from", "2026-12-01") == ["c/e/dec1", "c/e/dec31"]
    assert ids("--to", "2026-11-30") == ["c/e/nov30"]
    assert ids("--from", "2026-12-31", "--to", "2026-12-31") == ["c/e/dec31"]
    assert ids("--from", "2027-01-01") == []


def test_csv_has_the_per_webinar_columns_in_order_and_neutralised_cells(home):
    _three(home)
    r = cpe(home, "--cpe", "--csv", "--from", "2026-12-01")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert r.stdout.splitlines()[0] == "id,title,provider,organizer,start,minutes,credits,outcome,reason,evidence"
    assert [row["id"] for row in rows] == ["c/e/dec1", "c/e/dec31"]
    assert rows[0]["title"].startswith("'=HYPERLINK(") and rows[0]["organizer"] == "'@evil"
    assert (rows[0]["minutes"], rows[0]["credits"], rows[0]["start"]) == ("45.0", "0.75", "2026-12-01T00:30:00-05:00")


def test_text_is_a_table_per_month_with_totals_and_html_a_page(home):
    _three(home)
    r = cpe(home, "--cpe")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert "CPE report: 3 webinars, 3.25 credits (60 minutes a credit, rounded down to 0.25)" in text
    assert "2026-11-30  22:30     60.0        1  attended  Late evening (BrightTALK · events@isc2.org)" in text
    assert "2026-12 total: 2 webinars, 145 minutes, 2.25 credits" in text  # 0.75 + 1.5 (100 minutes)
    assert "2026 total: 3 webinars, 205 minutes, 3.25 credits" in text and "Failed" not in text
    page = cpe(home, "--cpe", "--html", "--to", "2026-11-30")
    assert page.returncode == 0 and page.stdout.startswith("<!doctype html>")
    assert "November 2026" in page.stdout and "December 2026" not in page.stdout
    assert "2026-11-30" in page.stdout  # the period it covers


def test_usage_errors_exit_2_with_a_clear_message(home):
    for args, message in [
        (["--cpe", "--from", "2026-13-01"], "argument --from: not a date (YYYY-MM-DD): '2026-13-01'"),
        (["--cpe", "--to", "1/12/2026"], "argument --to: not a date (YYYY-MM-DD): '1/12/2026'"),
        (["--cpe", "--from", "2026-12-02", "--to", "2026-12-01"], "--from 2026-12-02 is after --to 2026-12-01"),
        (["--from", "2026-12-01"], "--from only with --cpe"),
        (["--html"], "--html only with --cpe"),
        (["--cpe", "--full-links"], "--full-links does not go with --cpe"),
    ]:
        r = cpe(home, *args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
    (home / "config.toml").write_text("[history]\ncredit_step = 0\n")
    r = cpe(home, "--cpe")
    assert r.returncode == 2 and "key 'history.credit_step' must be a number from 0.01 to 100" in r.stderr


def test_no_database_is_an_empty_report_and_none_is_created(home):
    r = cpe(home, "--cpe", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"webinars": [], "months": [], "years": []}
    assert cpe(home, "--cpe").stdout.strip() == "No attended webinars in this period."
    assert not list(home.rglob("*.sqlite3"))
