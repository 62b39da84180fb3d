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


SECRET_ICS = "https://calendar.example.com/calendar/ical/me%40example.com/private-5ecr3t0123/basic.ics"
SECRET_PARTS = ("private-5ecr3t0123", "me%40example.com", "basic.ics")


def _no_secret(*texts: str) -> None:
    for text in texts:
        for part in SECRET_PARTS:
            assert part not in text, (part, text)


def test_a_secret_ics_address_in_a_wrong_value_is_never_echoed_by_list_or_doctor(home):
    for bad, found in ((f'urls = "{SECRET_ICS}"', "got a string"),
                       (f'urls = ["{SECRET_ICS}", 5]', "got a list holding a whole number")):
        (home / "config.toml").write_text(f"[ics]\n{bad}\n")
        for args in (["list"], ["list", "--json", "--offline"]):
            r = wt(home, *args)
            assert r.returncode == 2, (args, r.stderr)
            assert "key 'ics.urls' must be a list of strings, " + found in r.stderr
            _no_secret(r.stdout, r.stderr)
        r = wt(home, "doctor", "--json")
        report = json.loads(r.stdout)
        [config] = [c for c in report["checks"] if c["name"] == "config"]
        assert config["ok"] is False and "ics.urls" in config["detail"] and found in config["detail"]
        _no_secret(r.stdout, r.stderr)


def test_an_address_in_any_other_wrong_value_is_named_by_type_only(home):
    (home / "config.toml").write_text(f'[join]\nallowed_hosts = ["{SECRET_ICS}"]\nname = ["{SECRET_ICS}"]\n')
    r = wt(home, "list", "--offline")
    assert r.returncode == 2 and "key 'join.name' must be a string, got a list" in r.stderr
    _no_secret(r.stdout, r.stderr)
    (home / "config.toml").write_text(f'[join]\nallowed_hosts = ["{SECRET_ICS}"]\n')
    r = wt(home, "doctor", "--json")
    assert "'join.allowed_hosts' must be a bare host name" in r.stdout and "got a string holding an address" in r.stdout
    _no_secret(r.stdout, r.stderr)


def test_a_wrong_config_written_while_running_is_logged_without_the_address(home, tmp_path):
    import signal

    from tests.e2e.helpers import start_run, wait_for

    (home / "config.toml").write_text("[join]\nheadless = true\n")
    out = tmp_path / "run.log"
    proc = start_run(home, log=out)
    logfile = home / "logs" / "webinar-tray.log"
    try:
        wait_for(lambda: "webinar-tray running" in out.read_text(), 30, what="start-up")
        (home / "config.toml").write_text(f'[join]\nheadless = true\n[ics]\nurls = "{SECRET_ICS}"\n')
        wait_for(lambda: logfile.exists() and "config change ignored" in logfile.read_text(), 30,
                 what="the config watcher's error")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    text = logfile.read_text()
    assert "key 'ics.urls' must be a list of strings, got a string" in text
    _no_secret(text, out.read_text())


def _record(home, **kw):
    from webinar_tray.config.paths import resolve_paths
    from webinar_tray.runtime.store import Attendance, Store

    paths = resolve_paths(home).ensure()
    t = datetime(2026, 11, 20, 14, 0, tzinfo=timezone.utc)
    store = Store(paths.database)
    base = dict(id="c/e/1", title="T", provider="Zoom", join_url="https://us02web.zoom.us/j/8123?pwd=SECRETPWD",
                start=t, end=t + timedelta(hours=1), state="failed", error="button: none")
    base.update(kw)
    store.claim(Attendance(**base), t)
    store.close()


def test_history_is_safe_to_print_and_to_open_in_a_spreadsheet(home):
    hostile = "=HYPERLINK(\"https://evil.example/x\",\"Open\")\x1b]52;c;ZXZpbA==\x07\r\nFORGED \u202egnp.exe"
    _record(home, title=hostile, error="-step\x1b[2K")
    text = wt(home, "history", check=True).stdout
    assert len(text.splitlines()) == 1 and not any(ch in text for ch in "\x1b\x07\r\u202e")
    assert "FORGED gnp.exe — -step[2K" in text
    rows = json.loads(wt(home, "history", "--json", check=True).stdout)
    assert rows[0]["title"] == hostile, "JSON keeps the title as data"
    assert rows[0]["join_url"] == "https://us02web.zoom.us/j/8123"
    import csv
    import io

    out = wt(home, "history", "--csv", check=True).stdout
    [row] = list(csv.DictReader(io.StringIO(out, newline="")))
    assert row["title"].startswith("'=HYPERLINK(") and row["error"] == "'-step\x1b[2K"
    assert row["join_url"] == "https://us02web.zoom.us/j/8123"
    for args in (["--json"], ["--csv"], []):
        assert "SECRETPWD" not in wt(home, "history", *args, check=True).stdout
    full = json.loads(wt(home, "history", "--json", "--full-links", check=True).stdout)
    assert full[0]["join_url"] == "https://us02web.zoom.us/j/8123?pwd=SECRETPWD"
    assert "pwd=SECRETPWD" in wt(home, "history", "--csv", "--full-links", check=True).stdout


def test_a_source_error_line_is_printed_clean(home):
    (home / "config.toml").write_text('[ics]\nurls = ["missing\\u001b]52;c;ZXZpbA==\\u0007\\u202e.ics"]\n')
    r = wt(home, "list")
    assert r.returncode == 0, r.stderr
    [line] = [x for x in r.stderr.splitlines() if "calendar failed" in x]
    assert line.startswith("webinar-tray: 1 of 1 calendar failed: ICS file ")
    assert "missing]52;c;ZXZpbA==.ics" in line and line.endswith(": file not found")
    assert not any(ch in r.stderr for ch in "\x1b\x07\u202e")
