"""`list` over eight calendars of which six are broken in six ways: each failing source is said
once, in one summary line on stderr as CONTRACT.md gives it, after the listing of the two that
work; the tray's refresh error has the same wording (sync.summary / RefreshResult.failed)."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.helpers import ics, wt


class NotFound(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gone_feed():
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/calendar/private-5e3cret/basic.ics"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def eight_sources(home, gone_feed) -> list[str]:
    """config.toml with eight [ics] urls: two good files, six broken in six ways."""
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=2)
    for n in ("a", "b"):
        (home / f"good-{n}.ics").write_text(ics({
            "uid": f"good-{n}", "start": start, "end": start + timedelta(hours=1),
            "title": f"Good {n} webinar",
            "description": f"https://www.brighttalk.com/webcast/5385/70000{ord(n)}"}))
    (home / "not-ics.ics").write_text("this is not a calendar\n")
    refused = f"http://127.0.0.1:{closed_port()}/calendar/private-5e3cret/basic.ics"
    urls = ["good-a.ics", "missing.ics", "not-ics.ics", gone_feed, refused,
            "ftp://files.example.com/cal.ics", "good-b.ics", "file://fileserver/share/cal.ics"]
    (home / "config.toml").write_text("[ics]\nurls = [" + ", ".join(json.dumps(u) for u in urls) + "]\n")
    return urls


def test_six_broken_sources_of_eight_are_said_once_each_in_one_summary_line(home, gone_feed):
    eight_sources(home, gone_feed)

    r = wt(home, "list", "--json")

    assert r.returncode == 0, r.stderr
    assert sorted(p["title"] for p in json.loads(r.stdout)) == ["Good a webinar", "Good b webinar"]
    lines = [line for line in r.stderr.splitlines()
             if line.strip() and "private to the user" not in line]  # (the test's files were 0644)
    assert len(lines) == 1, r.stderr  # nothing else: one line for all of them
    [line] = lines
    assert line.startswith("webinar-tray: 6 of 8 calendars failed: "), line
    parts = line[len("webinar-tray: 6 of 8 calendars failed: "):].split("; ")
    assert len(parts) == 6, parts
    expected = [
        (f"ICS file {home / 'missing.ics'}", "file not found"),
        (f"ICS file {home / 'not-ics.ics'}", "not a valid iCalendar file"),
        ("ICS http://127.0.0.1:", "HTTP 404"),
        ("ICS http://127.0.0.1:", "cannot connect"),
        ("ICS address #6", "unsupported scheme 'ftp:'"),
        ("ICS address #8", "remote file:// hosts are not supported"),
    ]
    for part, (name, why) in zip(parts, expected):
        assert part.startswith(name) and why in part, (part, name, why)
        assert part.count(name) == 1, f"the source is named once: {part}"
    assert "5e3cret" not in r.stderr and "private-" not in r.stderr, "an ICS address's secret path"


def test_all_sources_fine_means_no_summary_line(home):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=2)
    (home / "cal.ics").write_text(ics({"uid": "x", "start": start, "end": start + timedelta(hours=1),
                                        "title": "Fine webinar", "description": ""}))
    (home / "config.toml").write_text('[ics]\nurls = ["cal.ics"]\n')
    r = wt(home, "list")
    assert r.returncode == 0 and "failed" not in r.stderr, r.stderr


def test_doctor_names_each_broken_source_once_and_why(home, gone_feed):
    eight_sources(home, gone_feed)
    r = wt(home, "doctor", "--json", timeout=120)
    assert r.returncode == 1, r.stderr
    [ics_check] = [c for c in json.loads(r.stdout)["checks"] if c["name"] == "ics"]
    assert ics_check["ok"] is False and ics_check["fix"]
    detail = ics_check["detail"]
    for name, why in [(f"ICS file {home / 'missing.ics'}", "file not found"),
                      (f"ICS file {home / 'not-ics.ics'}", "not a valid iCalendar file"),
                      ("ICS address #6", "unsupported scheme 'ftp:'"),
                      ("ICS address #8", "remote file:// hosts are not supported")]:
        assert f"{name}: " in detail and why in detail, (name, detail)
        assert detail.count(name) == 1, detail
    assert "HTTP 404" in detail and "cannot connect" in detail
    assert "ICS address with" not in detail and "5e3cret" not in r.stdout
