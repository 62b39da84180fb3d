"""The Google mirror and incremental sync (adapters/calendar/google/{sync,mirror,expand}.py)
against the fake Google on 127.0.0.1, which expands series itself for singleEvents=true (dateutil,
independently of the app's icalendar path) and implements syncToken and 410.

The reference is the windowed listing (`incremental=False`: singleEvents=true, timeMin/timeMax,
as before the mirror): for the same calendar data both paths must give the same events."""

from __future__ import annotations

import json
import logging
import os
import stat
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.adapters.test_google_calendar import event_requests, make_creds, make_source
from tests.fakegoogle import FakeGoogle, fake_google, gevent  # noqa: F401
from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource
from webinar_tray.adapters.calendar.google.sync import mirror_path

UTC = timezone.utc
LA = "America/Los_Angeles"
# US daylight saving time ends on Sunday 1 November 2026, 2:00 local
W0 = datetime(2026, 10, 26, 0, 0, tzinfo=UTC)


def series(id: str, summary: str, start, end, rules: list[str], tz: str | None = None, **kw) -> dict:
    ev = gevent(id, summary, start, end, tz=tz, **kw)
    ev["recurrence"] = rules
    return ev


def calendar_data() -> list[dict]:
    t = datetime(2026, 10, 27, 15, 0, tzinfo=UTC)
    weekly = series("weekly", "Weekly webinar", t, t + timedelta(hours=1),
                    ["RRULE:FREQ=WEEKLY;COUNT=6"], description="Join https://zoom.us/j/1",
                    video="https://meet.google.com/abc-defg-hij")
    moved = gevent("weekly_20261103T150000Z", "Weekly webinar (moved)", t + timedelta(days=8, hours=2),
                   t + timedelta(days=8, hours=3), recurring_event_id="weekly",
                   original_start=t + timedelta(days=7))
    cancelled = {"kind": "calendar#event", "id": "weekly_20261110T150000Z", "status": "cancelled",
                 "recurringEventId": "weekly", "originalStartTime": {"dateTime": "2026-11-10T15:00:00+00:00"}}
    la = series("la", "LA stand-up", datetime(2026, 10, 28, 9, 0), datetime(2026, 10, 28, 9, 30),
                ["RRULE:FREQ=DAILY;COUNT=10", "EXDATE;TZID=America/Los_Angeles:20261030T090000"], tz=LA)
    allday = series("allday", "Conference day", date(2026, 10, 29), date(2026, 10, 30),
                    ["RRULE:FREQ=WEEKLY;BYDAY=TH,FR;UNTIL=20261113"])
    old = series("old", "Old monthly", datetime(2024, 1, 5, 16, 0, tzinfo=UTC), datetime(2024, 1, 5, 17, 0, tzinfo=UTC),
                 ["RRULE:FREQ=MONTHLY;BYMONTHDAY=5"])
    singles = [gevent(f"s{i}", f"Single {i}", W0 + timedelta(hours=7 * i)) for i in range(12)]
    return [weekly, moved, cancelled, la, allday, old, *singles,
            gevent("gone", "Deleted one", W0 + timedelta(hours=5), status="cancelled")]


def shape(events) -> list[tuple]:
    return sorted((e.start, e.event_id, json.dumps(e.to_dict(), sort_keys=True, default=str)) for e in events)


def both(fake: FakeGoogle, windows, **kw):
    creds = make_creds(fake)
    old, _ = make_source(fake, creds=creds, incremental=False, **kw)
    new, _ = make_source(fake, creds=creds, **kw)
    for lo, hi in windows:
        a, b = old.fetch(lo, hi), new.fetch(lo, hi)
        assert shape(b) == shape(a), (lo, hi)
        yield a, b


WINDOWS = [(W0 + timedelta(hours=12 * k), W0 + timedelta(hours=12 * k + 60)) for k in range(0, 40, 3)]


def test_the_mirror_lists_what_the_windowed_listing_lists(fake_google):
    fake_google.calendars["primary"] = calendar_data()
    seen = [b for _, b in both(fake_google, WINDOWS)]
    ids = {e.event_id for b in seen for e in b}
    assert "weekly_20261027T150000Z" in ids and "weekly_20261103T150000Z" in ids  # the moved one
    assert "weekly_20261110T150000Z" not in ids  # cancelled
    assert "la_20261030T160000Z" not in ids  # EXDATE
    assert {"la_20261031T160000Z", "la_20261101T170000Z"} <= ids  # 9:00 PDT, then 9:00 PST
    assert "allday_20261029" in ids and "allday_20261030" in ids and "gone" not in ids
    assert "old_20261105T160000Z" in ids
    moved = next(e for b in seen for e in b if e.event_id == "weekly_20261103T150000Z")
    assert moved.title == "Weekly webinar (moved)" and moved.start == datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    inst = next(e for b in seen for e in b if e.event_id == "weekly_20261027T150000Z")
    assert inst.conference_links == ("https://meet.google.com/abc-defg-hij",)
    assert inst.extra["recurring_event_id"] == "weekly"


def test_the_mirror_in_another_local_zone(fake_google):
    from tests.timezones import local_zone

    fake_google.calendars["primary"] = calendar_data()
    fake_google.calendar_time_zones["primary"] = "Asia/Tokyo"
    with local_zone("Asia/Tokyo"):
        list(both(fake_google, WINDOWS[:6]))


def test_changes_arrive_through_the_sync_token_and_match_the_windowed_listing(fake_google):
    cal = fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    new, _ = make_source(fake_google, creds=creds)
    lo, hi = W0 + timedelta(days=7), W0 + timedelta(days=10)
    new.fetch(lo, hi)
    n = len(event_requests(fake_google))
    cal[6] = gevent("s0", "Single 0, renamed", W0 + timedelta(days=8))  # changed and moved in
    del cal[7]  # s1 deleted
    cal.append(gevent("added", "Added", W0 + timedelta(days=8, hours=3)))
    cal.append({"kind": "calendar#event", "id": "la_20261103T170000Z", "status": "cancelled",
                "recurringEventId": "la", "originalStartTime": {"dateTime": "2026-11-03T09:00:00-08:00",
                                                                "timeZone": LA}})
    cal[0] = dict(cal[0], summary="Weekly webinar, new title")
    events = new.fetch(lo, hi)
    reqs = event_requests(fake_google)[n:]
    assert len(reqs) == 1 and reqs[0]["syncToken"] and "timeMin" not in reqs[0]
    old, _ = make_source(fake_google, creds=creds, incremental=False)
    assert shape(events) == shape(old.fetch(lo, hi))
    titles = {e.event_id: e.title for e in events}
    assert titles["s0"] == "Single 0, renamed" and "added" in titles and "la_20261103T170000Z" not in titles
    assert titles["weekly_20261103T150000Z"] == "Weekly webinar (moved)"  # the exception stays
    cal[:] = [e for e in cal if e["id"] != "weekly"]  # the series deleted
    assert not any(e.event_id.startswith("weekly_2026111") and e.event_id != "weekly_20261103T150000Z"
                   for e in new.fetch(lo, hi))


def test_410_drops_the_mirror_and_syncs_fully_logged_once(fake_google, caplog):
    fake_google.calendars["primary"] = calendar_data()
    src, _ = make_source(fake_google)
    first = src.fetch(*WINDOWS[2])
    fake_google.expire_sync_tokens()
    fake_google.calendars["primary"].append(gevent("new", "New", WINDOWS[2][0] + timedelta(hours=1)))
    n = len(event_requests(fake_google))
    with caplog.at_level(logging.INFO):
        again = src.fetch(*WINDOWS[2])
    reqs = event_requests(fake_google)[n:]
    assert "syncToken" in reqs[0] and "syncToken" not in reqs[1] and len(reqs) == 2
    assert {e.event_id for e in again} == {e.event_id for e in first} | {"new"}
    assert caplog.text.count("410 Gone") == 1
    src.fetch(*WINDOWS[2])
    assert "syncToken" in event_requests(fake_google)[-1]  # incremental again


def _get(fake: FakeGoogle, query: dict) -> tuple[int, dict]:
    token = fake.issue_access_token()
    url = f"{fake.api_endpoint}calendars/primary/events?" + urllib.parse.urlencode(query)
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_fake_refuses_what_google_refuses_with_a_sync_token(fake_google):
    fake_google.calendars["primary"] = calendar_data()
    status, body = _get(fake_google, {})
    token = body["nextSyncToken"]
    for extra in ({"timeMin": "2026-10-26T00:00:00Z"}, {"timeMax": "2026-10-26T00:00:00Z"},
                  {"orderBy": "updated"}, {"showDeleted": "false"}):
        status, body = _get(fake_google, {"syncToken": token, **extra})
        assert status == 400, extra
    status, body = _get(fake_google, {"syncToken": token})
    assert status == 200 and body["items"] == [] and body["nextSyncToken"]
    fake_google.expire_sync_tokens()
    status, body = _get(fake_google, {"syncToken": token})
    assert status == 410 and body["error"]["errors"][0]["reason"] == "fullSyncRequired"


# -- the mirror file ----------------------------------------------------------------------------


def test_the_mirror_persists_privately_and_the_next_start_asks_only_for_changes(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path / "google-sync", "primary")
    a, _ = make_source(fake_google, creds=creds, mirror_file=path)
    first = a.fetch(*WINDOWS[3])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert creds.refresh_token not in path.read_text()
    b, _ = make_source(fake_google, creds=creds, mirror_file=path)  # a new process, as it were
    n = len(event_requests(fake_google))
    assert shape(b.fetch(*WINDOWS[3])) == shape(first)
    assert [bool(q.get("syncToken")) for q in event_requests(fake_google)[n:]] == [True]
    assert b.calendar_name == "me@example.com"
    # changes are appended; a third start replays them
    fake_google.calendars["primary"].append(gevent("later", "Later", WINDOWS[3][0] + timedelta(hours=2)))
    b.fetch(*WINDOWS[3])
    fake_google.calendars["primary"] = [e for e in fake_google.calendars["primary"] if e["id"] != "s5"]
    expect = b.fetch(*WINDOWS[3])
    c, _ = make_source(fake_google, creds=creds, mirror_file=path)
    assert shape(c.fetch(*WINDOWS[3])) == shape(expect)
    assert "later" in {e.event_id for e in expect} and "s5" not in {e.event_id for e in expect}


def test_another_sign_in_does_not_read_the_mirror(fake_google, tmp_path):
    fake_google.calendars["primary"] = calendar_data()
    path = mirror_path(tmp_path, "primary")
    make_source(fake_google, mirror_file=path)[0].fetch(*WINDOWS[0])
    n = len(event_requests(fake_google))
    make_source(fake_google, mirror_file=path)[0].fetch(*WINDOWS[0])  # another refresh token
    assert "syncToken" not in event_requests(fake_google)[n]


@pytest.mark.parametrize("garbage", [b"{not json\n", b'{"id": "torn", "summ', b"\xff\xfe"])
def test_a_corrupt_mirror_file_is_set_aside_and_a_full_sync_follows(fake_google, tmp_path, caplog, garbage):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    make_source(fake_google, creds=creds, mirror_file=path)[0].fetch(*WINDOWS[0])
    header = path.read_text().splitlines()[0]
    path.write_bytes(garbage if garbage.startswith(b"\xff") else header.encode() + b"\n" + garbage)
    n = len(event_requests(fake_google))
    with caplog.at_level(logging.WARNING):
        events = make_source(fake_google, creds=creds, mirror_file=path)[0].fetch(*WINDOWS[0])
    assert events and "syncToken" not in event_requests(fake_google)[n]
    [aside] = list(tmp_path.glob("*.corrupt-*"))
    assert aside.read_bytes().endswith(garbage)
    assert "cannot be read" in caplog.text and "set aside" in caplog.text
    assert json.loads(path.read_text().splitlines()[0])["v"] == 1  # written anew


def test_a_mirror_that_cannot_be_written_is_kept_in_memory(fake_google, tmp_path, caplog):
    fake_google.calendars["primary"] = calendar_data()
    (tmp_path / "ro").mkdir()
    path = mirror_path(tmp_path / "ro" / "blocked", "primary")
    (tmp_path / "ro" / "blocked").write_text("a file where the folder should be")
    src, _ = make_source(fake_google, mirror_file=path)
    with caplog.at_level(logging.WARNING):
        assert src.fetch(*WINDOWS[0])
        src.fetch(*WINDOWS[0])
    assert "cannot save the mirror" in caplog.text
    assert "syncToken" in event_requests(fake_google)[-1]


def test_google_sources_keep_their_mirror_under_the_data_folder(tmp_path):
    src = GoogleCalendarSource("team@group.calendar.google.com", lambda: None, "http://127.0.0.1:9/",
                               mirror_file=mirror_path(tmp_path / "google-sync", "team@group.calendar.google.com"))
    assert src._sync.path.parent == tmp_path / "google-sync" and "@" not in src._sync.path.name


def test_past_items_are_let_go_and_an_earlier_window_syncs_fully(fake_google):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    src, _ = make_source(fake_google, creds=creds)
    late = (W0 + timedelta(days=12), W0 + timedelta(days=14))
    src.fetch(*late)
    mirror = src._sync.mirror
    assert "s0" not in mirror.entries and "weekly" in mirror.masters  # a series stays
    assert "weekly_20261110T150000Z" in mirror.stubs
    n = len(event_requests(fake_google))
    early = src.fetch(W0, W0 + timedelta(days=3))
    assert "syncToken" not in event_requests(fake_google)[n]  # a full sync: s0 was let go
    old, _ = make_source(fake_google, creds=creds, incremental=False)
    assert shape(early) == shape(old.fetch(W0, W0 + timedelta(days=3)))


def test_logout_deletes_the_saved_mirrors(fake_google, tmp_path):
    from webinar_tray.adapters.calendar.google.sync import forget_mirrors

    fake_google.calendars["primary"] = calendar_data()
    folder = tmp_path / "google-sync"
    make_source(fake_google, mirror_file=mirror_path(folder, "primary"))[0].fetch(*WINDOWS[0])
    (folder / "x.jsonl.corrupt-20261130-000000").write_text("old")
    assert forget_mirrors(folder) == 2 and not list(folder.iterdir())


def test_a_full_sync_longer_than_the_deadline_goes_on_at_the_next_refresh(fake_google, caplog):
    from webinar_tray.ports import Deadline, SourceTimeout

    fake_google.page_size = 5
    fake_google.calendars["primary"] = calendar_data()  # 19 items: 4 pages
    src, _ = make_source(fake_google)
    src._service()
    ticks = iter([0.0] * 4 + [100.0] * 50)  # the deadline passes after a few pages
    with caplog.at_level(logging.INFO), pytest.raises(SourceTimeout):
        src.fetch(*WINDOWS[0], deadline=Deadline(10, "test", monotonic=lambda: next(ticks)))
    assert "goes on at the next refresh" in caplog.text
    n = len(event_requests(fake_google))
    assert 0 < n < 4
    events = src.fetch(*WINDOWS[0])
    reqs = event_requests(fake_google)[n:]
    assert "pageToken" in reqs[0] and len(reqs) == 4 - n  # only the pages not read yet
    old, _ = make_source(fake_google, incremental=False)
    assert shape(events) == shape(old.fetch(*WINDOWS[0]))
    assert "syncToken" in (src.fetch(*WINDOWS[0]) and event_requests(fake_google)[-1])


# -- the texts stay on disk ------------------------------------------------------------------


def entry_refs(source) -> list:
    """How the mirror holds each entry's text (cancelled-instance stubs are kept decoded)."""
    mirror = source._sync.mirror
    return [ref for iid, (_, _, ref) in mirror.entries.items() if iid not in mirror.stubs]


def test_a_saved_mirror_keeps_its_texts_on_disk_and_lists_the_same(fake_google, tmp_path):
    # texts that are not ASCII come first: every later line's offset counts their bytes
    lo = WINDOWS[3][0]
    fake_google.calendars["primary"] = [
        gevent("accents", "Sécurité des données — 東京 🔐", lo + timedelta(hours=1),
               description="Présentation: https://zoom.us/j/2"),
        gevent("after-accents", "Plain title", lo + timedelta(hours=2), description="https://zoom.us/j/3"),
    ] + calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    ref, _ = make_source(fake_google, creds=creds)  # in memory only: texts kept
    a, _ = make_source(fake_google, creds=creds, mirror_file=path)
    expect = shape(ref.fetch(*WINDOWS[3]))
    assert shape(a.fetch(*WINDOWS[3])) == expect
    assert all(type(r) is str for r in entry_refs(ref))
    assert entry_refs(a) and all(type(r) is int for r in entry_refs(a)), "after the save, offsets only"
    a._sync.mirror._mapped = {}  # every text read again where the save said its line starts
    assert shape(a.fetch(*WINDOWS[3])) == expect and a._sync.stats["full"] == 1
    b, _ = make_source(fake_google, creds=creds, mirror_file=path)  # the next start
    assert shape(b.fetch(*WINDOWS[3])) == expect
    assert all(type(r) is int for r in entry_refs(b))
    assert b._sync.stats["full"] == 0  # every text was read back at its offset
    # a change is appended and then kept as an offset too; the window moves onto saved items
    fake_google.calendars["primary"].append(gevent("later", "Later", WINDOWS[3][0] + timedelta(hours=2)))
    for lo, hi in WINDOWS:
        assert shape(b.fetch(lo, hi)) == shape(ref.fetch(lo, hi)), (lo, hi)
    assert all(type(r) is int for r in entry_refs(b))
    # compaction writes the file whole from the texts on disk; a new start reads it back
    b._sync._file.whole = True
    fake_google.calendars["primary"].append(gevent("later2", "Later 2", WINDOWS[3][0] + timedelta(hours=3)))
    expect = shape(ref.fetch(*WINDOWS[3]))
    assert shape(b.fetch(*WINDOWS[3])) == expect
    c, _ = make_source(fake_google, creds=creds, mirror_file=path)
    assert shape(c.fetch(*WINDOWS[3])) == expect
    assert c._sync.stats["full"] == 0


@pytest.mark.parametrize("how", ["appended", "rewritten", "truncated"])
def test_a_mirror_file_changed_by_another_process_means_a_full_sync_not_wrong_events(
        fake_google, tmp_path, caplog, how):
    fake_google.calendars["primary"] = calendar_data()
    creds = make_creds(fake_google)
    path = mirror_path(tmp_path, "primary")
    ref, _ = make_source(fake_google, creds=creds)
    a, _ = make_source(fake_google, creds=creds, mirror_file=path)
    a.fetch(*WINDOWS[0])
    other, _ = make_source(fake_google, creds=creds, mirror_file=path)  # `list` beside the app
    fake_google.calendars["primary"].append(gevent("new", "New", WINDOWS[3][0] + timedelta(hours=1)))
    if how == "appended":
        other.fetch(*WINDOWS[0])  # its sync appends to the file
    elif how == "rewritten":
        other.fetch(*WINDOWS[0])
        other._sync._file.whole = True
        fake_google.calendars["primary"].append(gevent("new2", "New 2", WINDOWS[3][0] + timedelta(hours=2)))
        other.fetch(*WINDOWS[0])
    else:
        path.write_bytes(path.read_bytes()[:200])
    n = len(event_requests(fake_google))
    with caplog.at_level(logging.WARNING):
        got = a.fetch(*WINDOWS[3])  # the window moves onto items whose texts are on disk
    assert shape(got) == shape(ref.fetch(*WINDOWS[3]))
    assert "the saved mirror cannot be used" in caplog.text
    assert not any(q.get("syncToken") for q in event_requests(fake_google)[n:][-1:]), "a full sync"


def test_events_of_one_listing_share_their_repeated_strings_and_times(fake_google):
    """Memory at scale (issue 13): Google sends each item with its own copy of "confirmed", the
    organizer, the zone and the time texts; the events of one listing keep one of each."""
    t = W0 + timedelta(hours=30)
    fake_google.calendars["primary"] = [
        gevent(f"e{i}", f"Talk {i}", t + timedelta(hours=i % 2), tz=LA, organizer="Host@Example.com",
               recurring_event_id="s1", video="https://meet.google.com/abc-defg-hij")
        for i in range(6)]
    src, _ = make_source(fake_google, creds=make_creds(fake_google))
    evs = src.fetch(W0, W0 + timedelta(days=3))
    assert len(evs) == 6 and evs[0] is not evs[2]
    a, b = evs[0], next(e for e in evs[1:] if e.start == evs[0].start)
    assert a.organizer == "host@example.com"
    for name in ("status", "organizer", "start", "end"):
        assert getattr(a, name) is getattr(b, name), name
    assert a.conference_links[0] is b.conference_links[0]
    assert a.extra["time_zone"] is b.extra["time_zone"]
    assert a.extra["recurring_event_id"] is b.extra["recurring_event_id"]
    assert a.extra is evs[1].extra  # a series' unmoved instances share one (never changed) dict
    # a changed item is mapped again; the unchanged ones are the very events kept
    fake_google.calendars["primary"][0]["summary"] = "Talk 0, renamed"
    again = {e.event_id: e for e in src.fetch(W0, W0 + timedelta(days=3))}
    assert again["e0"].title == "Talk 0, renamed"
    assert all(again[e.event_id] is e for e in evs if e.event_id != "e0")
