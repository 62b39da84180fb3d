"""GoogleCalendarSource with the real google-api-python-client / google-auth against the fake
Google on 127.0.0.1 (tests/fakegoogle.py). Nothing here reaches the internet."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

import pytest

from tests.fakegoogle import SCOPE, FakeGoogle, fake_google, gevent  # noqa: F401
from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource, to_event
from webinar_tray.core.events import DEFAULT_DURATION
from webinar_tray.ports import SignInNeeded, SourceError

UTC = timezone.utc
W0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
W1 = W0 + timedelta(days=2)
EVENTS_PATH = "/calendar/v3/calendars/{}/events"


def make_creds(fake: FakeGoogle, refresh_token: str | None = None, scopes=(SCOPE,)):
    """Credentials built by hand (FACTS: from_authorized_user_info forces Google's token URI);
    token=None, so the first call refreshes against the fake."""
    from google.oauth2.credentials import Credentials

    return Credentials(
        token=None,
        refresh_token=refresh_token or fake.issue_refresh_token(),
        token_uri=fake.token_uri,
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        scopes=list(scopes) if scopes else None,
    )


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_source(fake: FakeGoogle, calendar_id: str = "primary", creds=None, **kw):
    creds = creds or make_creds(fake)
    kw.setdefault("sleep", Sleeps())
    src = GoogleCalendarSource(calendar_id, lambda: creds, fake.api_endpoint, **kw)
    return src, creds


def event_requests(fake: FakeGoogle, calendar_id: str = "primary") -> list[dict]:
    path = EVENTS_PATH.format(calendar_id)
    return [q for (m, p, q) in fake.requests if p == path]


# -- paging and the window ------------------------------------------------------------------


def test_pages_through_short_pages_and_respects_the_window(fake_google):
    fake_google.page_size = 40
    inside = [gevent(f"in{i:03d}", f"Webinar {i}", W0 + timedelta(minutes=8 * i)) for i in range(320)]
    outside = [
        gevent("before", "Before", W0 - timedelta(hours=3), W0 - timedelta(hours=2)),
        gevent("ends-at-start", "Touches", W0 - timedelta(hours=1), W0),  # end == timeMin: out
        gevent("after", "After", W1, W1 + timedelta(hours=1)),  # start == timeMax: out
        gevent("later", "Later", W1 + timedelta(days=1)),
    ]
    running = gevent("running", "Running", W0 - timedelta(minutes=30), W0 + timedelta(minutes=30))
    fake_google.calendars["primary"] = outside[:2] + inside[::-1] + [running] + outside[2:]
    src, _ = make_source(fake_google)

    t0 = time.perf_counter()
    events = src.fetch(W0, W1)
    elapsed = time.perf_counter() - t0

    ids = [e.event_id for e in events]
    assert ids == ["running"] + [f"in{i:03d}" for i in range(320)]  # orderBy=startTime
    reqs = event_requests(fake_google)
    assert len(reqs) == 9  # the whole calendar (325 items) in pages of 40: a full sync
    first = reqs[0]
    assert first["singleEvents"] == "false" and "orderBy" not in first
    assert "timeMin" not in first and "timeMax" not in first and "syncToken" not in first
    assert first["maxResults"] == "2500"
    assert "nextPageToken" in first["fields"] and "conferenceData" in first["fields"]
    assert "nextSyncToken" in first["fields"] and "recurrence" in first["fields"]
    assert "pageToken" not in first and all("pageToken" in q for q in reqs[1:])
    assert fake_google.grants == ["refresh_token"]  # one refresh for all pages
    print(f"\n325 items over 9 pages: {elapsed:.3f} s (first call includes building the client)")
    t0 = time.perf_counter()
    assert len(src.fetch(W0, W1)) == 321
    print(f"again, changes only: {time.perf_counter() - t0:.3f} s")
    again = event_requests(fake_google)[9:]
    assert len(again) == 1 and again[0]["syncToken"] and again[0]["showDeleted"] == "true"
    assert "timeMin" not in again[0] and "orderBy" not in again[0]


def test_the_windowed_listing_without_a_mirror(fake_google):
    fake_google.page_size = 40
    fake_google.calendars["primary"] = [gevent(f"in{i:03d}", f"Webinar {i}", W0 + timedelta(minutes=8 * i))
                                        for i in range(100)][::-1] + [gevent("later", "Later", W1)]
    src, _ = make_source(fake_google, incremental=False)
    assert [e.event_id for e in src.fetch(W0, W1)] == [f"in{i:03d}" for i in range(100)]
    first = event_requests(fake_google)[0]
    assert first["singleEvents"] == "true" and first["orderBy"] == "startTime"
    assert datetime.fromisoformat(first["timeMin"]) == W0
    assert datetime.fromisoformat(first["timeMax"]) == W1
    assert "nextSyncToken" not in first["fields"]


def test_naive_window_is_local_time_not_a_400(fake_google):
    fake_google.calendars["primary"] = [gevent("a", "Webinar", W0 + timedelta(hours=12))]
    src, _ = make_source(fake_google)
    events = src.fetch((W0 - timedelta(days=1)).replace(tzinfo=None), (W1 + timedelta(days=1)).replace(tzinfo=None))
    assert [e.event_id for e in events] == ["a"]


def test_two_calendars(fake_google):
    team = "c_team123@group.calendar.google.com"
    fake_google.calendars["primary"] = [gevent("p1", "Mine", W0 + timedelta(hours=1))]
    fake_google.calendars[team] = [gevent("t1", "Team webinar", W0 + timedelta(hours=2)),
                                   gevent("t2", "Team 2", W0 + timedelta(hours=3))]
    creds = make_creds(fake_google)
    a, _ = make_source(fake_google, "primary", creds)
    b, _ = make_source(fake_google, team, creds)
    assert (a.name, a.key) == ("Google Calendar primary", "google:primary")
    assert (b.name, b.key) == (f"Google Calendar {team}", f"google:{team}")
    ea, eb = a.fetch(W0, W1), b.fetch(W0, W1)
    assert [(e.calendar_id, e.event_id) for e in ea] == [("primary", "p1")]
    assert [(e.calendar_id, e.event_id) for e in eb] == [(team, "t1"), (team, "t2")]
    assert ea[0].calendar_name == "me@example.com" and eb[0].calendar_name == team
    assert event_requests(fake_google, team)  # the id went into the path, escaped and back


def test_unknown_calendar_is_a_source_error_naming_it(fake_google):
    src, _ = make_source(fake_google, "nobody@example.com")
    with pytest.raises(SourceError) as ei:
        src.fetch(W0, W1)
    assert not isinstance(ei.value, SignInNeeded)
    msg = str(ei.value)
    assert "nobody@example.com" in msg and "not found or not shared" in msg
    assert src._sleep == []  # not retried


# -- mapping ----------------------------------------------------------------------------------


def by_id(events):
    return {e.event_id: e for e in events}


def test_every_mapping_shape(fake_google, caplog):
    t = W0 + timedelta(hours=15)
    fake_google.calendars["primary"] = [
        gevent("meet", "Team sync", t, video=["https://meet.google.com/abc-defg-hij",
                                              "https://zoom.us/j/123?pwd=x"],
               hangout_link="https://meet.google.com/abc-defg-hij"),
        gevent("hangout", "Old hangout", t, hangout_link="https://meet.google.com/xyz"),
        gevent("html", "Webinar: Cloud", t, location="BrightTALK",
               description='<p>Join <a href="https://www.brighttalk.com/webcast/288/612345">here</a></p>',
               organizer="Events@ISC2.ORG"),
        gevent("allday", "Conference day", date(2026, 11, 25)),
        gevent("allday2", "Two days", date(2026, 11, 25), date(2026, 11, 27)),
        gevent("declined", "Declined webinar", t, self_response="declined",
               attendees=[{"email": "other@example.com", "responseStatus": "accepted"}]),
        gevent("accepted", "Accepted", t, self_response="accepted"),
        gevent("abc123_20261125T150000Z", "Weekly webinar", t, recurring_event_id="abc123"),
        gevent("abc123_20261202T150000Z", "Weekly webinar, moved", t + timedelta(days=1),
               recurring_event_id="abc123", original_start=t + timedelta(days=7)),
        gevent("la", "LA webinar", datetime(2026, 11, 25, 7, 0), tz="America/Los_Angeles"),
        gevent("seoul", "Seoul webinar", datetime(2026, 11, 26, 0, 30), tz="Asia/Seoul"),
        gevent("notitle", None, t),
        gevent("noend", "No end", t, t - timedelta(hours=1)),
        gevent("wl", "Home", t, event_type="workingLocation"),
        gevent("ooo", "Away", t, event_type="outOfOffice"),
        gevent("focus", "Focus", t, event_type="focusTime"),
        gevent("broken", "Broken", t) | {"start": {"dateTime": "not a time"}},
        gevent("cancelled", "Cancelled webinar", t, status="cancelled"),
    ]
    src, _ = make_source(fake_google)
    with caplog.at_level(logging.WARNING):
        ev = by_id(src.fetch(W0, W1))

    assert "wl" not in ev and "ooo" not in ev and "focus" not in ev
    assert "cancelled" not in ev  # Google hides cancelled events unless showDeleted=true

    m = ev["meet"]
    assert m.conference_links == ("https://meet.google.com/abc-defg-hij", "https://zoom.us/j/123?pwd=x")
    assert m.hangout_link == "https://meet.google.com/abc-defg-hij"
    assert m.source == "google" and m.calendar_id == "primary" and m.status == "confirmed"
    assert m.start == t and m.end == t + timedelta(hours=1) and not m.all_day
    assert m.extra["event_type"] == "default"

    assert ev["hangout"].hangout_link == "https://meet.google.com/xyz" and ev["hangout"].conference_links == ()

    h = ev["html"]
    assert h.description.startswith("<p>Join <a href=") and h.location == "BrightTALK"
    assert h.organizer == "events@isc2.org"

    a = ev["allday"]
    assert a.all_day
    assert a.start == datetime.combine(date(2026, 11, 25), dtime()).astimezone()
    assert a.end == datetime.combine(date(2026, 11, 26), dtime()).astimezone()
    assert ev["allday2"].end == datetime.combine(date(2026, 11, 27), dtime()).astimezone()

    assert ev["declined"].response == "declined" and ev["accepted"].response == "accepted"
    assert ev["meet"].response == ""

    r = ev["abc123_20261125T150000Z"]
    assert r.extra["recurring_event_id"] == "abc123"
    assert "original_start" not in r.extra  # it starts at its original start
    moved = ev["abc123_20261202T150000Z"]  # an occurrence moved a week earlier keeps where it was
    assert moved.extra["recurring_event_id"] == "abc123"
    assert datetime.fromisoformat(moved.extra["original_start"]) == t + timedelta(days=7)

    la, seoul = ev["la"], ev["seoul"]
    assert la.start == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # PST = UTC-8
    assert la.start.utcoffset() == timedelta(hours=-8) and la.extra["time_zone"] == "America/Los_Angeles"
    assert seoul.start == datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # KST = UTC+9
    assert seoul.start.utcoffset() == timedelta(hours=9)

    assert ev["notitle"].title == "(no title)"
    assert ev["noend"].end == ev["noend"].start + DEFAULT_DURATION

    assert "broken" not in ev
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Google Calendar primary" in w and "broken" in w for w in warnings), warnings


def test_cancelled_events_with_show_deleted(fake_google):
    t = W0 + timedelta(hours=3)
    fake_google.calendars["primary"] = [
        gevent("cancelled", "Cancelled webinar", t, status="cancelled"),
        {"kind": "calendar#event", "id": "stub", "status": "cancelled"},  # a bare deleted instance
        gevent("ok", "Webinar", t),
    ]
    src, _ = make_source(fake_google, show_deleted=True)
    ev = by_id(src.fetch(W0, W1))
    assert set(ev) == {"cancelled", "ok"}
    assert ev["cancelled"].status == "cancelled"
    assert event_requests(fake_google)[0]["showDeleted"] == "true"


def test_to_event_round_trips_through_the_cache_shape():
    item = gevent("x", "Webinar", datetime(2026, 11, 25, 9, 0), tz="Europe/Berlin",
                  video="https://zoom.us/j/1")
    e = to_event("primary", item)
    from webinar_tray.core.events import CalendarEvent

    assert CalendarEvent.from_dict(e.to_dict()) == e


# -- tokens -----------------------------------------------------------------------------------


def test_expired_access_token_is_refreshed_transparently(fake_google):
    fake_google.calendars["primary"] = [gevent("a", "Webinar", W0 + timedelta(hours=1))]
    src, creds = make_source(fake_google)
    assert [e.event_id for e in src.fetch(W0, W1)] == ["a"]
    first = creds.token
    fake_google.expire_all_access()  # the server says the token expired (google-auth thinks not)
    assert [e.event_id for e in src.fetch(W0, W1)] == ["a"]
    assert creds.token != first
    assert fake_google.grants == ["refresh_token", "refresh_token"]
    statuses = [p for (_, p, _) in fake_google.requests if p.startswith("/calendar/")]
    assert len(statuses) == 3  # ok, 401, ok after the refresh


def test_short_lived_tokens_are_refreshed_before_each_request(fake_google):
    # google-auth refreshes a token that expires within its threshold (minutes) before use:
    # with expires_in=1 every API request is preceded by a refresh, and nothing fails.
    fake_google.expires_in = 1
    fake_google.page_size = 2
    fake_google.calendars["primary"] = [gevent(f"e{i}", "W", W0 + timedelta(hours=i)) for i in range(5)]
    src, _ = make_source(fake_google)
    assert len(src.fetch(W0, W1)) == 5
    time.sleep(1.1)
    assert len(src.fetch(W0, W1)) == 5
    # 3 pages of the full sync, then 1 request for the changes
    assert fake_google.grants.count("refresh_token") == len(event_requests(fake_google)) == 4


def _round_of_calendars(fake, n: int, timeout: float = 60, **kw):
    """`n` calendars of one event each on one sign-in, refreshed by one Round: its outcomes."""
    from webinar_tray.runtime import sync

    creds = make_creds(fake)
    ids = [f"team{i}@group.calendar.google.com" for i in range(n)]
    for c in ids:
        fake.calendars[c] = [gevent(f"{c}-a", "Webinar", W0 + timedelta(hours=1))]
    sources = [make_source(fake, c, creds=creds, **kw)[0] for c in ids]
    return sync.Round(sources, W0 + sync.LOOKBEHIND, sync.RefreshSettings(timeout_seconds=timeout)).wait()


def test_calendars_asking_at_once_refresh_the_sign_in_once(fake_google):
    """Each calendar's thread has its own AuthorizedHttp, which would refresh the shared
    sign-in itself (6 token requests for 10 calendars before `service.OneRefresh`)."""
    outcomes = _round_of_calendars(fake_google, 10)
    assert all(o.events and not o.error for o in outcomes), [o.error for o in outcomes]
    assert fake_google.grants == ["refresh_token"]


def test_a_refresh_asks_google_three_pages_at_a_time(fake_google):
    """Pages asked all at once share the bottleneck and all arrive at the end; the app reads
    them one at a time (service.IN_FLIGHT says why)."""
    from webinar_tray.adapters.calendar.google.service import IN_FLIGHT

    fake_google.delay = 0.2  # every page takes a while: all ten would be in flight at once
    outcomes = _round_of_calendars(fake_google, 10)
    assert all(o.events and not o.error for o in outcomes), [o.error for o in outcomes]
    assert fake_google.most_in_flight == IN_FLIGHT == 3


def test_waiting_for_a_page_slot_counts_against_the_deadline(fake_google):
    """Three calendars whose pages are slow hold every slot: the fourth gives up at its
    deadline with the usual message (before the three answer), and they are not held back."""
    from webinar_tray.runtime import sync

    fake_google.delay = 3.0
    t0 = time.monotonic()
    outcomes = _round_of_calendars(fake_google, 4, timeout=2, retries=0)
    assert time.monotonic() - t0 < 2 + sync.LATE + 1
    [late] = [o for o in outcomes if o.error]
    assert "no answer within 2 s" in late.error and late.seconds < 2.5, late
    assert sum(bool(o.events) for o in outcomes) == 3


def test_revoked_access_is_sign_in_needed(fake_google):
    fake_google.calendars["primary"] = [gevent("a", "Webinar", W0 + timedelta(hours=1))]
    src, _ = make_source(fake_google)
    src.fetch(W0, W1)
    fake_google.revoke_all()
    with pytest.raises(SignInNeeded) as ei:
        src.fetch(W0, W1)
    msg = str(ei.value)
    assert "webinar-tray login" in msg and "7 days" in msg and "Google Calendar primary" in msg
    assert src._sleep == []  # not retried


def test_unknown_refresh_token_at_first_use_is_sign_in_needed(fake_google):
    fake_google.calendars["primary"] = []
    src, _ = make_source(fake_google, creds=make_creds(fake_google, "1//not-issued"))
    with pytest.raises(SignInNeeded, match="webinar-tray login"):
        src.fetch(W0, W1)


def test_persistent_401_is_sign_in_needed(fake_google):
    fake_google.calendars["primary"] = []
    fake_google.fail_next(401, count=10)
    src, _ = make_source(fake_google)
    with pytest.raises(SignInNeeded, match="webinar-tray login"):
        src.fetch(W0, W1)


def test_missing_scope_is_sign_in_needed(fake_google):
    fake_google.calendars["primary"] = []
    fake_google.fail_next(403, reason="insufficientPermissions")
    src, _ = make_source(fake_google)
    with pytest.raises(SignInNeeded, match="webinar-tray login"):
        src.fetch(W0, W1)


def test_token_endpoint_down_is_a_source_error_not_sign_in(fake_google, monkeypatch):
    import types

    import google.auth._exponential_backoff as eb

    # google-auth retries the token endpoint itself (3 tries, real sleeps): skip its waits
    monkeypatch.setattr(eb, "time", types.SimpleNamespace(sleep=lambda s: None))
    fake_google.calendars["primary"] = []
    fake_google.fail_next(503, count=100, where="/token")
    src, _ = make_source(fake_google, retries=2)
    with pytest.raises(SourceError) as ei:
        src.fetch(W0, W1)
    assert not isinstance(ei.value, SignInNeeded)
    assert "sign-in service" in str(ei.value)
    assert len(src._sleep) == 2


# -- retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status,reason", [
    (500, None), (503, None), (429, None), (403, "rateLimitExceeded"), (403, "userRateLimitExceeded"),
])
def test_transient_errors_are_retried(fake_google, status, reason):
    fake_google.calendars["primary"] = [gevent("a", "Webinar", W0 + timedelta(hours=1))]
    fake_google.fail_next(status, count=2, reason=reason)
    src, _ = make_source(fake_google, backoff=0.5)
    assert [e.event_id for e in src.fetch(W0, W1)] == ["a"]
    assert len(src._sleep) == 2
    assert 0.5 <= src._sleep[0] <= 1.0 and 1.0 <= src._sleep[1] <= 1.5  # exponential + jitter
    assert len(event_requests(fake_google)) == 3


def test_retry_after_is_honoured(fake_google):
    fake_google.calendars["primary"] = []
    fake_google.fail_next(429, headers={"Retry-After": "7"})
    src, _ = make_source(fake_google, backoff=0.1)
    src.fetch(W0, W1)
    assert src._sleep == [7.0]


def test_persistent_503_gives_up_with_a_source_error(fake_google):
    fake_google.calendars["primary"] = []
    fake_google.fail_next(503, count=100)
    src, _ = make_source(fake_google, retries=3)
    with pytest.raises(SourceError) as ei:
        src.fetch(W0, W1)
    assert not isinstance(ei.value, SignInNeeded)
    assert "Google Calendar primary" in str(ei.value) and "503" in str(ei.value)
    assert "4 tries" in str(ei.value)
    assert len(event_requests(fake_google)) == 4 and len(src._sleep) == 3
    assert src._sleep == sorted(src._sleep)


def test_a_page_failing_midway_is_retried_alone(fake_google):
    fake_google.page_size = 10
    fake_google.calendars["primary"] = [gevent(f"e{i:02d}", "W", W0 + timedelta(minutes=i)) for i in range(30)]
    src, _ = make_source(fake_google)
    src._service()  # build the client first so the failure hits page 2
    orig = src._page_once
    calls = []

    def flaky(params):
        calls.append(params.get("pageToken"))
        if len(calls) == 2:
            fake_google.fail_next(500)
        return orig(params)

    src._page_once = flaky
    assert len(src.fetch(W0, W1)) == 30
    assert calls[0] is None and calls[1] == calls[2] is not None  # page 2 asked twice


def test_other_403_is_not_retried(fake_google):
    fake_google.fail_next(403, reason="accessNotConfigured")
    fake_google.calendars["primary"] = []
    src, _ = make_source(fake_google)
    with pytest.raises(SourceError, match="has not been used in project") as ei:
        src.fetch(W0, W1)
    assert not isinstance(ei.value, SignInNeeded)
    assert src._sleep == []


def test_connection_refused_is_retried_then_a_source_error(fake_google):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    creds = make_creds(fake_google)
    sleeps = Sleeps()
    src = GoogleCalendarSource("primary", lambda: creds, f"http://127.0.0.1:{port}/calendar/v3/",
                               retries=2, sleep=sleeps)
    with pytest.raises(SourceError, match="network error") as ei:
        src.fetch(W0, W1)
    assert not isinstance(ei.value, SignInNeeded)
    assert len(sleeps) == 2


def test_a_slow_server_times_out(fake_google):
    fake_google.calendars["primary"] = []
    fake_google.delay = 1.0
    src, _ = make_source(fake_google, retries=1, timeout=0.3)
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="network error"):
        src.fetch(W0, W1)
    assert time.monotonic() - t0 < 3


# -- threads ----------------------------------------------------------------------------------


def test_concurrent_fetches_use_one_connection_per_thread_and_one_service(fake_google):
    fake_google.page_size = 5
    fake_google.calendars["primary"] = [gevent(f"e{i:02d}", "W", W0 + timedelta(minutes=i)) for i in range(40)]
    src, creds = make_source(fake_google)
    services, https, results, errors = [], [], [], []

    def work():
        try:
            for _ in range(3):
                results.append(len(src.fetch(W0, W1)))
            services.append(src._local.service)
            https.append(src._local.http)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == [] and results == [40] * 12
    assert len({id(h) for h in https}) == 4  # httplib2 is not thread-safe
    assert len({id(s) for s in services}) == 1  # the discovery client is built once


def test_new_credentials_object_rebuilds_the_client(fake_google):
    fake_google.calendars["primary"] = []
    current = {"c": make_creds(fake_google)}
    src = GoogleCalendarSource("primary", lambda: current["c"], fake_google.api_endpoint)
    src.fetch(W0, W1)
    s1, h1 = src._local.service, src._local.http
    src.fetch(W0, W1)
    assert src._local.service is s1 and src._local.http is h1
    current["c"] = make_creds(fake_google)  # after a new `login`
    src.fetch(W0, W1)
    assert src._local.service is not s1 and src._local.http is not h1


# -- secrets ----------------------------------------------------------------------------------


def test_no_token_in_any_log_line_or_error(fake_google, caplog, monkeypatch):
    import types

    import google.auth._exponential_backoff as eb

    monkeypatch.setattr(eb, "time", types.SimpleNamespace(sleep=lambda s: None))
    fake_google.page_size = 3
    fake_google.calendars["primary"] = [gevent(f"e{i}", "W", W0 + timedelta(hours=i)) for i in range(7)]
    messages: list[str] = []
    with caplog.at_level(logging.DEBUG):
        src, creds = make_source(fake_google)
        src.fetch(W0, W1)
        fake_google.expire_all_access()
        src.fetch(W0, W1)
        for status, reason in ((500, None), (429, None), (403, "rateLimitExceeded")):
            fake_google.fail_next(status, reason=reason)
            src.fetch(W0, W1)
        for setup in (lambda: fake_google.fail_next(503, count=100),
                      lambda: fake_google.fail_next(401, count=100),
                      lambda: fake_google.fail_next(503, count=100, where="/token"),
                      fake_google.revoke_all):
            fake_google.expire_all_access()
            setup()
            with pytest.raises(SourceError) as ei:
                src.fetch(W0, W1)
            messages += [str(ei.value), repr(ei.value)]
            fake_google._failures.clear()
    lines = [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    assert any("googleapiclient" in r.name or "google" in r.name for r in caplog.records)
    secrets = fake_google.secrets_issued() + [creds.refresh_token]
    assert len(secrets) > 5
    for s in secrets:
        for text in lines + messages:
            assert s not in text, f"a secret leaked into: {text[:200]}"


def test_importing_the_module_does_not_import_googleapiclient():
    code = (
        "import sys, webinar_tray.adapters.calendar.google.api as m\n"
        "heavy = [n for n in sys.modules if n.split('.')[0] in "
        "('googleapiclient', 'google', 'httplib2', 'google_auth_httplib2')]\n"
        "print(heavy)\n"
        "assert not heavy, heavy\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stdout + out.stderr


# -- the fake's OAuth endpoints with the real google-auth-oauthlib ------------------------------
# (the login code is tested elsewhere; these prove the fake speaks what the libraries speak)


def _flow(fake, tmp_path, monkeypatch):
    from google_auth_oauthlib.flow import InstalledAppFlow

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib refuses http token URLs
    secrets_file = fake.write_client_secrets(tmp_path / "client_secret.json")
    flow = InstalledAppFlow.from_client_secrets_file(str(secrets_file), scopes=[SCOPE])
    flow.redirect_uri = "http://localhost:8765/"
    return flow


def test_fake_code_flow_with_pkce_then_calendar(fake_google, tmp_path, monkeypatch):
    flow = _flow(fake_google, tmp_path, monkeypatch)
    url, state = flow.authorization_url()
    redirect = fake_google.consent(url)
    assert redirect.startswith("http://localhost:8765/?state=" + state)
    flow.fetch_token(authorization_response=redirect)
    creds = flow.credentials
    assert creds.refresh_token and creds.token and creds.token_uri == fake_google.token_uri
    assert fake_google.auth_requests[0]["access_type"] == "offline"  # the library's default
    assert fake_google.errors == [] and fake_google.grants == ["authorization_code"]

    fake_google.calendars["primary"] = [gevent("a", "Webinar", W0 + timedelta(hours=1))]
    src = GoogleCalendarSource("primary", lambda: creds, fake_google.api_endpoint)
    assert [e.event_id for e in src.fetch(W0, W1)] == ["a"]
    assert fake_google.grants == ["authorization_code"]  # the fresh access token was used

    # Like Google: a second consent without prompt=consent brings no refresh token
    flow2 = _flow(fake_google, tmp_path, monkeypatch)
    flow2.fetch_token(authorization_response=fake_google.consent(flow2.authorization_url()[0]))
    assert flow2.credentials.refresh_token is None
    flow3 = _flow(fake_google, tmp_path, monkeypatch)
    flow3.fetch_token(authorization_response=fake_google.consent(flow3.authorization_url(prompt="consent")[0]))
    assert flow3.credentials.refresh_token

    # the revoke endpoint in Google's shape: the refresh token and its access tokens stop working
    import urllib.request

    req = urllib.request.Request(f"{fake_google.revoke_uri}?token={creds.refresh_token}", data=b"",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert urllib.request.urlopen(req, timeout=10).status == 200
    assert fake_google.is_revoked(creds.token)
    fake_google.calendars["primary"] = []
    with pytest.raises(SignInNeeded):
        src.fetch(W0, W1)


def test_fake_rejects_what_google_rejects(fake_google, tmp_path, monkeypatch):
    import urllib.error

    from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

    flow = _flow(fake_google, tmp_path, monkeypatch)
    url, _ = flow.authorization_url()
    bad = url.replace("localhost%3A8765", "evil.example.com")
    with pytest.raises(urllib.error.HTTPError) as ei:
        fake_google.consent(bad)
    assert ei.value.code == 400 and "loopback" in fake_google.errors[-1]
    no_pkce = url.replace("code_challenge_method=S256", "code_challenge_method=plain")
    with pytest.raises(urllib.error.HTTPError):
        fake_google.consent(no_pkce)

    redirect = fake_google.consent(url)
    flow.code_verifier = "x" * 50  # not the one behind the challenge
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(authorization_response=redirect)
    assert "code_verifier" in fake_google.errors[-1]


def test_fake_with_run_local_server(fake_google, tmp_path, monkeypatch):
    """InstalledAppFlow.run_local_server end to end: the 'browser' follows the consent redirect
    to the flow's loopback server from a background thread."""
    import urllib.request
    import webbrowser

    flow = _flow(fake_google, tmp_path, monkeypatch)

    class Browser:
        def open(self, url, new=0, autoraise=True):
            def visit():
                urllib.request.urlopen(fake_google.consent(url), timeout=10).read()

            threading.Thread(target=visit, daemon=True).start()
            return True

    monkeypatch.setattr(webbrowser, "get", lambda *a, **k: Browser())
    creds = flow.run_local_server(host="127.0.0.1", port=0, open_browser=True, timeout_seconds=20)
    assert creds.refresh_token and fake_google.errors == []
    redirect_uri = fake_google.auth_requests[0]["redirect_uri"]
    assert redirect_uri.startswith("http://127.0.0.1:")
