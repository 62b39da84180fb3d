"""Bad input gets a clear message naming the file, key or event; nothing crashes; the rest runs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import ics, wt


def test_malformed_config_exits_2_naming_the_file_for_every_command(home):
    (home / "config.toml").write_text("[join\nlead_seconds = 1\n")
    for args in (["run"], ["list", "--offline"], ["history"]):
        r = wt(home, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert str(home / "config.toml") in r.stderr and "TOML" in r.stderr


def test_an_unreadable_source_and_odd_events_do_not_stop_the_others(home):
    start = datetime.now(timezone.utc) + timedelta(hours=2)
    big = "Agenda. " * 130_000 + " https://www.brighttalk.com/webcast/288/999"
    (home / "good.ics").write_text(ics(
        {"uid": "no-end", "start": start, "title": "No end webinar",
         "description": "https://www.brighttalk.com/webcast/288/111"},
        {"uid": "big", "start": start + timedelta(hours=1), "end": start + timedelta(hours=2),
         "title": "Big description webinar", "description": big},
        {"uid": "fine", "start": start + timedelta(hours=3), "end": start + timedelta(hours=4),
         "title": "Fine webinar", "location": "BrightTALK",
         "description": "https://www.brighttalk.com/webcast/288/222"},
    ).replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:broken\r\nDTSTART:garbage\r\nSUMMARY:Broken webinar\r\n"
              "END:VEVENT\r\nEND:VCALENDAR"))
    (home / "config.toml").write_text('[ics]\nurls = ["good.ics", "missing.ics"]\n')
    r = wt(home, "list", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["title"] for x in rows] == ["No end webinar", "Big description webinar", "Fine webinar"]
    no_end = rows[0]
    assert datetime.fromisoformat(no_end["end"]) - datetime.fromisoformat(no_end["start"]) == timedelta(hours=1)
    assert rows[1]["join_url"] == "https://www.brighttalk.com/webcast/288/999"
    assert "missing.ics" in r.stderr, "the unreadable source is named"
    assert "Broken webinar" in r.stderr or "broken" in r.stderr, "the skipped event is named"
    # the failed source does not empty the cache
    r2 = wt(home, "list", "--json", "--offline")
    assert len(json.loads(r2.stdout)) == 3


def test_unknown_keys_warn_and_the_command_runs(home):
    (home / "config.toml").write_text("[join]\nlead_secs = 30\n")
    r = wt(home, "list", "--json", "--offline")
    assert r.returncode == 0 and "join.lead_secs" in r.stderr


def test_join_refuses_a_non_http_link(home):
    r = wt(home, "join", "file:///etc/passwd")
    assert r.returncode == 2 and "http" in r.stderr
