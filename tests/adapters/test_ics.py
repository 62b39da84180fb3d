"""IcsSource: real icalendar / recurring_ical_events / x_wr_timezone parsing of ICS text built
here, read from files and from a local HTTP server."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.timezones import local_zone
from webinar_tray.adapters.calendar.ics.parse import MAX_DESCRIPTION_BYTES
from webinar_tray.adapters.calendar.ics.source import IcsSource
from webinar_tray.core.events import DEFAULT_DURATION, utc_stamp
from webinar_tray.core.settings import RefreshSettings
from webinar_tray.ports import SourceError

UTC = timezone.utc
WIN_START = datetime(2025, 1, 1, tzinfo=UTC)
WIN_END = datetime(2025, 3, 1, tzinfo=UTC)


def vevent(uid: str | None, *lines: str, summary: str | None = None) -> str:
    out = ["BEGIN:VEVENT"]
    if uid is not None:
        out.append(f"UID:{uid}")
    if summary is not None:
        out.append(f"SUMMARY:{summary}")
    out += list(lines)
    out.append("END:VEVENT")
    return "\n".join(out) + "\n"


def ics(*events: str, head: str = "") -> str:
    """A VCALENDAR around the given VEVENT blocks, with CRLF line ends as RFC 5545 wants."""
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//webinar-tray tests//EN\n" + head
    text += "".join(events) + "END:VCALENDAR\n"
    return text.replace("\n", "\r\n")


def source_for(tmp_path, text: str, name: str = "cal.ics") -> IcsSource:
    (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    return IcsSource(name, base_dir=tmp_path)


def fetch(tmp_path, text: str, start=WIN_START, end=WIN_END):
    return source_for(tmp_path, text).fetch(start, end)


def by_id(events):
    return {e.event_id: e for e in events}


# ---- times ---------------------------------------------------------------------------------


def test_tzid_events_give_the_right_instant(tmp_path):
    evs = by_id(
        fetch(
            tmp_path,
            ics(
                vevent(
                    "ny",
                    "DTSTART;TZID=America/New_York:20250115T100000",
                    "DTEND;TZID=America/New_York:20250115T113000",
                    summary="NY webinar",
                ),
                vevent(
                    "seoul",
                    "DTSTART;TZID=Asia/Seoul:20250115T090000",
                    "DTEND;TZID=Asia/Seoul:20250115T100000",
                ),
            ),
        )
    )
    ny = evs["ny"]
    assert ny.start == datetime(2025, 1, 15, 15, 0, tzinfo=UTC)
    assert ny.end == datetime(2025, 1, 15, 16, 30, tzinfo=UTC)
    assert ny.start.utcoffset() == timedelta(hours=-5)  # the zone is kept, not just the instant
    assert ny.title == "NY webinar" and ny.source == "ics" and not ny.all_day
    assert evs["seoul"].start == datetime(2025, 1, 15, 0, 0, tzinfo=UTC)
    assert evs["seoul"].title == "(no title)"


@pytest.fixture
def local_tz():
    """Run with a known local zone, restored afterwards."""
    with local_zone("America/Los_Angeles"):
        yield


def test_utc_and_floating_times(tmp_path, local_tz):
    evs = by_id(
        fetch(
            tmp_path,
            ics(
                vevent("utc", "DTSTART:20250115T100000Z", "DTEND:20250115T110000Z"),
                vevent("float", "DTSTART:20250115T100000", "DTEND:20250115T110000"),
            ),
        )
    )
    assert evs["utc"].start == datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    # floating = the machine's local time (America/Los_Angeles here, UTC-8 in January)
    assert evs["float"].start == datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
    assert evs["float"].end == datetime(2025, 1, 15, 19, 0, tzinfo=UTC)
    assert evs["float"].start.tzinfo is not None


def test_all_day_event(tmp_path, local_tz):
    evs = by_id(
        fetch(
            tmp_path,
            ics(
                vevent("two-days", "DTSTART;VALUE=DATE:20250120", "DTEND;VALUE=DATE:20250122"),
                vevent("no-end", "DTSTART;VALUE=DATE:20250125"),
            ),
        )
    )
    e = evs["two-days"]
    assert e.all_day
    assert e.start == datetime(2025, 1, 20, 8, 0, tzinfo=UTC)  # local midnight, LA
    assert e.end == datetime(2025, 1, 22, 8, 0, tzinfo=UTC)
    assert evs["no-end"].end - evs["no-end"].start == timedelta(days=1)


def test_no_dtend_duration_and_end_before_start(tmp_path):
    evs = by_id(
        fetch(
            tmp_path,
            ics(
                vevent("noend", "DTSTART:20250115T100000Z"),
                vevent("dur", "DTSTART:20250115T100000Z", "DURATION:PT45M"),
                vevent("backwards", "DTSTART:20250115T100000Z", "DTEND:20250115T090000Z"),
                vevent("zero", "DTSTART:20250115T100000Z", "DTEND:20250115T100000Z"),
            ),
        )
    )
    start = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert evs["noend"].start == start and evs["noend"].end == start + DEFAULT_DURATION
    assert evs["noend"].end - evs["noend"].start == timedelta(minutes=60)
    assert evs["dur"].end == start + timedelta(minutes=45)
    # the start stays put (recurring_ical_events alone would swap start and end)
    assert evs["backwards"].start == start and evs["backwards"].end == start + DEFAULT_DURATION
    assert evs["zero"].end == start + DEFAULT_DURATION


def test_window_overlap_includes_running_events(tmp_path):
    text = ics(
        vevent("long", "DTSTART:20250115T080000Z", "DTEND:20250115T120000Z"),
        vevent("noend", "DTSTART:20250115T093000Z"),  # runs to 10:30 by the default duration
        vevent("over", "DTSTART:20250115T070000Z", "DTEND:20250115T080000Z"),
        vevent("later", "DTSTART:20250115T110000Z", "DTEND:20250115T113000Z"),
        vevent("float-over", "DTSTART:20250115T090000", "DTEND:20250115T093000"),
    )
    got = fetch(
        tmp_path,
        text,
        datetime(2025, 1, 15, 10, 0, tzinfo=UTC),
        datetime(2025, 1, 15, 11, 0, tzinfo=UTC),
    )
    ids = {e.event_id for e in got}
    assert {"long", "noend"} <= ids
    assert "over" not in ids and "later" not in ids  # [start, end): 11:00 start is outside
    # every returned event really overlaps the window
    for e in got:
        assert e.start < datetime(2025, 1, 15, 11, 0, tzinfo=UTC)
        assert e.end > datetime(2025, 1, 15, 10, 0, tzinfo=UTC)


# ---- recurrence ----------------------------------------------------------------------------


WEEKLY = vevent(
    "weekly-1",
    "DTSTART;TZID=Europe/Berlin:20250106T140000",
    "DTEND;TZID=Europe/Berlin:20250106T150000",
    "RRULE:FREQ=WEEKLY;COUNT=6",
    "EXDATE;TZID=Europe/Berlin:20250113T140000",
    summary="Weekly webinar",
)
MOVED = vevent(
    "weekly-1",
    "RECURRENCE-ID;TZID=Europe/Berlin:20250120T140000",
    "DTSTART;TZID=Europe/Berlin:20250121T160000",
    "DTEND;TZID=Europe/Berlin:20250121T170000",
    summary="Weekly webinar (moved)",
)


def test_weekly_rrule_with_exdate_and_moved_instance(tmp_path):
    before = fetch(tmp_path, ics(WEEKLY))
    after = fetch(tmp_path, ics(WEEKLY, MOVED))

    starts_before = [e.start.astimezone(UTC) for e in before]
    assert len(before) == 5  # 6 weeks less the EXDATE
    assert datetime(2025, 1, 13, 13, 0, tzinfo=UTC) not in starts_before
    ids_before = [e.event_id for e in before]
    assert len(set(ids_before)) == 5  # distinct
    assert all(i.startswith("weekly-1_") for i in ids_before)
    assert re.fullmatch(r"weekly-1_\d{8}T\d{6}Z", ids_before[0])
    assert ids_before[0] == "weekly-1_" + utc_stamp(datetime(2025, 1, 6, 13, 0, tzinfo=UTC))

    # stable across fetches
    assert [e.event_id for e in fetch(tmp_path, ics(WEEKLY))] == ids_before

    moved_id = "weekly-1_20250120T130000Z"
    assert moved_id in ids_before
    a = by_id(after)
    assert set(a) == set(ids_before)  # moving an instance keeps its id
    m = a[moved_id]
    assert m.start == datetime(2025, 1, 21, 15, 0, tzinfo=UTC)
    assert m.end == datetime(2025, 1, 21, 16, 0, tzinfo=UTC)
    assert m.title == "Weekly webinar (moved)"
    assert datetime(2025, 1, 20, 13, 0, tzinfo=UTC) not in [e.start for e in after]


def test_one_off_event_keeps_its_uid(tmp_path):
    got = fetch(tmp_path, ics(vevent("single@example.com", "DTSTART:20250115T100000Z")))
    assert [e.event_id for e in got] == ["single@example.com"]


def test_missing_uid_gets_a_stable_derived_id(tmp_path, caplog):
    text = ics(vevent(None, "DTSTART:20250115T100000Z", summary="Anonymous"))
    with caplog.at_level(logging.WARNING, logger="webinar_tray.adapters.calendar.ics.source"):
        first = fetch(tmp_path, text)
    second = fetch(tmp_path, text)
    assert len(first) == 1 and first[0].event_id
    assert first[0].event_id == second[0].event_id
    assert "no UID" in caplog.text and "Anonymous" in caplog.text


# ---- Google-style export -------------------------------------------------------------------


def test_x_wr_timezone_google_export(tmp_path, local_tz):
    head = "X-WR-CALNAME:owner@example.com\nX-WR-TIMEZONE:Asia/Seoul\n"
    text = ics(
        vevent("g1", "DTSTART:20250115T090000", "DTEND:20250115T100000", summary="Seoul floating"),
        vevent("g2", "DTSTART:20250115T090000Z", "DTEND:20250115T100000Z"),
        vevent(
            "g3",
            "DTSTART:20250116T090000",
            "DTEND:20250116T100000",
            "RRULE:FREQ=DAILY;COUNT=3",
        ),
        vevent("g3", "RECURRENCE-ID:20250117T090000", "DTSTART:20250117T110000", "DTEND:20250117T120000"),
        head=head,
    )
    evs = by_id(fetch(tmp_path, text))
    # floating times are in X-WR-TIMEZONE, not the machine's zone (LA here)
    assert evs["g1"].start == datetime(2025, 1, 15, 0, 0, tzinfo=UTC)
    assert evs["g2"].start == datetime(2025, 1, 15, 9, 0, tzinfo=UTC)  # UTC stays UTC
    assert evs["g1"].calendar_name == "owner@example.com"
    moved = evs["g3_20250117T000000Z"]
    assert moved.start == datetime(2025, 1, 17, 2, 0, tzinfo=UTC)
    assert {"g3_20250116T000000Z", "g3_20250118T000000Z"} <= set(evs)


def test_fields_status_links_organizer_and_declined(tmp_path):
    head = "X-WR-CALNAME:Me@Example.com\n"
    text = ics(
        vevent(
            "full",
            "DTSTART:20250115T100000Z",
            "LOCATION:Room 1",
            "DESCRIPTION:Agenda\\nline two",
            "URL:https://example.com/info",
            "ORGANIZER;CN=Org:mailto:Org@Example.COM",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:other@example.com",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com",
            "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
            "X-MICROSOFT-ONLINEMEETINGCONFLINK:conf:sip:someone@example.com",
            "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/x",
            "STATUS:TENTATIVE",
            summary="Full",
        ),
        vevent("cancelled", "DTSTART:20250116T100000Z", "STATUS:CANCELLED", summary="Called off"),
        vevent(
            "accepted",
            "DTSTART:20250117T100000Z",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com",
        ),
        head=head,
    )
    evs = by_id(fetch(tmp_path, text))
    f = evs["full"]
    assert f.location == "Room 1"
    assert f.description.startswith("Agenda\nline two")
    assert f.description.endswith("https://example.com/info")
    assert f.organizer == "org@example.com"
    assert f.conference_links == (
        "https://meet.google.com/abc-defg-hij",
        "https://teams.microsoft.com/l/meetup-join/x",
    )
    assert f.status == "tentative"
    assert f.response == "declined"
    assert f.calendar_name == "Me@Example.com"
    assert evs["cancelled"].status == "cancelled"
    assert evs["accepted"].status == "confirmed" and evs["accepted"].response == ""


def test_calendar_name_defaults_to_source_name(tmp_path):
    src = source_for(tmp_path, ics(vevent("x", "DTSTART:20250115T100000Z")))
    (e,) = src.fetch(WIN_START, WIN_END)
    assert e.calendar_name == src.name
    assert e.calendar_id == src.calendar_id


def test_huge_description_keeps_1mb_and_cuts_beyond(tmp_path, caplog):
    one_mb = "word " * 200_000 + "https://www.brighttalk.com/webcast/1/2"
    huge = "word " * 600_000  # 3 MB
    text = ics(
        vevent("big", "DTSTART:20250115T100000Z", f"DESCRIPTION:{one_mb}"),
        vevent("huge", "DTSTART:20250115T120000Z", f"DESCRIPTION:{huge}"),
        vevent("small", "DTSTART:20250116T100000Z"),
    )
    with caplog.at_level(logging.DEBUG, logger="webinar_tray.adapters.calendar.ics.source"):
        evs = by_id(fetch(tmp_path, text))
    assert evs["big"].description.endswith("https://www.brighttalk.com/webcast/1/2")
    d = evs["huge"].description
    assert 2_000_000 < len(d.encode()) <= MAX_DESCRIPTION_BYTES
    assert d.startswith("word word")
    assert "small" in evs
    assert "description of" in caplog.text


# ---- bad input -----------------------------------------------------------------------------


def test_broken_vevent_is_skipped_and_logged(tmp_path, caplog):
    text = ics(
        vevent("good-1", "DTSTART:20250115T100000Z"),
        vevent("broken-uid", "DTSTART:garbage", summary="Broken one"),
        vevent("bad-rule", "DTSTART:20250115T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=XX", summary="Bad rule"),
        vevent("good-2", "DTSTART:20250116T100000Z"),
    )
    with caplog.at_level(logging.WARNING, logger="webinar_tray.adapters.calendar.ics.source"):
        src = source_for(tmp_path, text)
        evs = src.fetch(WIN_START, WIN_END)
    assert {e.event_id for e in evs} == {"good-1", "good-2"}
    assert "broken-uid" in caplog.text and "Broken one" in caplog.text
    assert "bad-rule" in caplog.text
    assert src.name in caplog.text


def test_missing_file_names_the_path(tmp_path):
    src = IcsSource("nope/missing.ics", base_dir=tmp_path)
    with pytest.raises(SourceError) as ei:
        src.fetch(WIN_START, WIN_END)
    assert str(tmp_path / "nope" / "missing.ics") in str(ei.value)
    assert "not found" in str(ei.value)


def test_file_paths_and_file_urls(tmp_path, monkeypatch):
    p = tmp_path / "abs.ics"
    p.write_text(ics(vevent("a", "DTSTART:20250115T100000Z")), encoding="utf-8")
    assert [e.event_id for e in IcsSource(str(p), tmp_path / "elsewhere").fetch(WIN_START, WIN_END)] == ["a"]
    assert [e.event_id for e in IcsSource(p.as_uri(), tmp_path).fetch(WIN_START, WIN_END)] == ["a"]
    monkeypatch.setenv("HOME", str(tmp_path))
    src = IcsSource("~/abs.ics", base_dir=tmp_path / "elsewhere")
    assert src.name == f"ICS file {p}"
    assert [e.event_id for e in src.fetch(WIN_START, WIN_END)] == ["a"]


def test_unparseable_text_is_a_source_error(tmp_path):
    src = source_for(tmp_path, "<html><body>Sign in</body></html>\n")
    with pytest.raises(SourceError) as ei:
        src.fetch(WIN_START, WIN_END)
    assert src.name in str(ei.value)
    with pytest.raises(SourceError):
        source_for(tmp_path, "", name="empty.ics").fetch(WIN_START, WIN_END)


@pytest.mark.parametrize("address", ["ftp://example.com/cal.ics", "mailto:a@b.c", "   "])
def test_unsupported_addresses(tmp_path, address):
    with pytest.raises(SourceError) as ei:
        IcsSource(address, base_dir=tmp_path)
    if address.strip():
        assert "cal.ics" not in str(ei.value) and "a@b.c" not in str(ei.value)


def test_names_and_calendar_id_never_show_the_secret(tmp_path):
    secret = "https://calendar.google.com/calendar/ical/secret-token-abc/basic.ics?key=zzz"
    src = IcsSource(secret, base_dir=tmp_path)
    assert src.name == "ICS https://calendar.google.com/…"
    assert re.fullmatch(r"ics:[0-9a-f]{8}", src.calendar_id)
    assert "secret" not in src.calendar_id and "zzz" not in src.calendar_id
    assert IcsSource(secret, base_dir=tmp_path).calendar_id == src.calendar_id
    assert IcsSource(secret + "x", base_dir=tmp_path).calendar_id != src.calendar_id
    web = IcsSource("webcal://p01-caldav.icloud.com/published/2/SECRET", base_dir=tmp_path)
    assert web.name == "ICS https://p01-caldav.icloud.com/…"
    assert web._url.startswith("https://")
    creds = IcsSource("https://user:pw@host.example/x.ics", base_dir=tmp_path)
    assert "pw" not in creds.name and "user" not in creds.name


# ---- over HTTP -----------------------------------------------------------------------------

SECRET_PATH = "/calendar/ical/secret-token-abc/basic.ics?key=zzz"


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    seen_agents: list = []

    def do_GET(self):  # noqa: N802
        type(self).seen_agents.append(self.headers.get("User-Agent", ""))
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")

    class H(_Handler):
        routes = {}
        seen_agents = []

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    t.start()
    try:
        yield srv, H
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


def test_fetch_over_http(server, tmp_path):
    srv, handler = server
    handler.routes[SECRET_PATH] = ics(vevent("http-1", "DTSTART:20250115T100000Z", summary="Over HTTP"))
    host, port = srv.server_address[:2]
    src = IcsSource(f"http://{host}:{port}{SECRET_PATH}", base_dir=tmp_path, limits=RefreshSettings(timeout_seconds=5))
    (e,) = src.fetch(WIN_START, WIN_END)
    assert e.event_id == "http-1" and e.title == "Over HTTP"
    assert handler.seen_agents and handler.seen_agents[0].startswith("webinar-tray/")
    assert "secret" not in src.name and "zzz" not in src.name
    assert src.name == f"ICS http://{host}:{port}/…"


def test_http_404_does_not_leak_the_secret(server, tmp_path, caplog):
    srv, _ = server
    host, port = srv.server_address[:2]
    src = IcsSource(f"http://{host}:{port}{SECRET_PATH}", base_dir=tmp_path, limits=RefreshSettings(timeout_seconds=5))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(SourceError) as ei:
            src.fetch(WIN_START, WIN_END)
    msg = str(ei.value)
    assert host in msg and "404" in msg
    for secret in ("secret-token-abc", "basic.ics", "key=zzz", "zzz", "/calendar/ical"):
        assert secret not in msg
        assert secret not in src.calendar_id
        assert secret not in caplog.text
    assert ei.value.__cause__ is None and ei.value.__suppress_context__
    assert re.fullmatch(r"ics:[0-9a-f]{8}", src.calendar_id)


def test_http_unreachable_is_a_source_error(tmp_path):
    # A port nobody listens on: bind one, note it, close it.
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    src = IcsSource(f"http://127.0.0.1:{port}{SECRET_PATH}", base_dir=tmp_path, limits=RefreshSettings(timeout_seconds=2))
    with pytest.raises(SourceError) as ei:
        src.fetch(WIN_START, WIN_END)
    assert "127.0.0.1" in str(ei.value) and "secret" not in str(ei.value)


def test_http_garbage_is_a_source_error(server, tmp_path):
    srv, handler = server
    handler.routes[SECRET_PATH] = "<html>Please sign in</html>"
    host, port = srv.server_address[:2]
    src = IcsSource(f"http://{host}:{port}{SECRET_PATH}", base_dir=tmp_path, limits=RefreshSettings(timeout_seconds=5))
    with pytest.raises(SourceError) as ei:
        src.fetch(WIN_START, WIN_END)
    assert src.name in str(ei.value) and "zzz" not in str(ei.value)
