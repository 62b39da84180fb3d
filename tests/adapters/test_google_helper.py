"""The Google helper process (adapters/calendar/google/helper.py, helper_client.py), a real
child process against the fake Google through the real google-api-python-client: pages and
token refreshes come back, the helper is let go when idle, and the faults a child process
brings are survived: it dies mid-request, writes garbage, never starts, or outlives the
deadline. The sign-in travels on its stdin, never its command line."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.fakegoogle import fake_google, gevent  # noqa: F401  (fixture)
from tests.e2e.helpers import wait_for
from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource, _Transient
from webinar_tray.adapters.calendar.google.helper_client import GoogleHelper
from webinar_tray.ports import Deadline, SignInNeeded, SourceError, SourceTimeout

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def sign_in(fake) -> dict:
    return {"token": None, "refresh_token": fake.issue_refresh_token(), "token_uri": fake.token_uri,
            "client_id": fake.client_id, "client_secret": fake.client_secret,
            "scopes": ["https://www.googleapis.com/auth/calendar.events.readonly"], "expiry": None}


@pytest.fixture
def helper(fake_google):
    fake_google.calendars["primary"] = [gevent(f"e{i}", f"Event {i}", NOW + timedelta(hours=i + 1))
                                        for i in range(5)]
    saved: list[dict] = []
    h = GoogleHelper(sign_in(fake_google), fake_google.api_endpoint, 10.0, saved.append, idle=0.5)
    h.saved = saved
    yield h
    h.close()


def page(h: GoogleHelper, seconds: float = 30.0, calendar: str = "primary") -> dict:
    return h.call("Google Calendar primary", calendar, {"singleEvents": True}, 2500,
                  Deadline(seconds, "Google Calendar primary"))


def test_a_page_and_the_refreshed_token_come_back_and_the_helper_goes_when_idle(helper):
    got = page(helper)
    assert [i["id"] for i in got["items"]] == [f"e{i}" for i in range(5)]
    assert len(helper.saved) == 1 and helper.saved[0]["token"], "the refreshed access token is handed back"
    assert helper.saved[0]["refresh_token"] == helper.info["refresh_token"]
    page(helper)  # the same helper answers again, with the token it holds: no second refresh
    assert helper.started == 1 and len(helper.saved) == 1
    proc = helper._proc
    wait_for(lambda: proc.poll() is not None, 10, what="the idle helper to exit")
    page(helper)  # a new helper for the next refresh, given the saved token: no refresh either
    assert helper.started == 2 and len(helper.saved) == 1


def test_the_sign_in_goes_on_stdin_never_the_command_line(helper):
    page(helper)
    cmdline = open(f"/proc/{helper._proc.pid}/cmdline", "rb").read().decode()
    environ = open(f"/proc/{helper._proc.pid}/environ", "rb").read().decode(errors="replace")
    for secret in (helper.info["refresh_token"], helper.info["client_secret"], helper.info["token"]):
        assert secret not in cmdline and secret not in environ


def test_googles_answers_keep_their_meaning_through_the_helper(helper, fake_google):
    with pytest.raises(SourceError, match="not found or not shared"):
        page(helper, calendar="nobody@example.com")
    fake_google.fail_next(503)
    with pytest.raises(_Transient, match="HTTP 503"):
        page(helper)
    fake_google.revoke_all()
    fake_google.expire_all_access()
    with pytest.raises(SignInNeeded):
        page(helper)


def test_a_helper_killed_mid_request_fails_that_request_and_the_next_starts_another(helper, fake_google):
    page(helper)
    fake_google.delay = 3.0
    proc = helper._proc
    t = time.monotonic()
    import threading

    threading.Timer(0.5, lambda: os.kill(proc.pid, signal.SIGKILL)).start()
    with pytest.raises(_Transient, match=r"helper stopped \(exit code -9\)"):
        page(helper)
    assert time.monotonic() - t < 2.5, "the death is noticed at once, not at the deadline"
    fake_google.delay = 0.0
    assert page(helper)["items"] and helper.started == 2


def test_a_request_past_its_deadline_is_given_up_while_the_helper_goes_on(helper, fake_google):
    fake_google.delay = 2.0
    with pytest.raises(SourceTimeout, match="no answer within 0.5 s"):
        page(helper, seconds=0.5)
    fake_google.delay = 0.0
    assert page(helper)["items"] and helper.started == 1, "the late answer is dropped, the helper kept"


SCRIPTS = {  # what the helper does -> what the call raises (a _Transient is retried by the source)
    "garbage, then exits": ("import sys; sys.stdin.readline(); sys.stdin.readline(); "
                            "print('not json'); print('[1, 2]'); sys.stdout.flush()",
                            _Transient, r"helper stopped \(exit code 0\)"),
    "crashes at once": ("raise SystemExit(7)", _Transient, r"helper stopped \(exit code 7\)"),
    "answers with no page": ("import sys, json; sys.stdin.readline(); r = json.loads(sys.stdin.readline()); "
                             "print(json.dumps({'id': r['id'], 'page': 'nope'})); sys.stdout.flush(); "
                             "sys.stdin.read()", SourceError, "the Google helper gave no page"),
}


@pytest.mark.parametrize("what", list(SCRIPTS))
def test_a_helper_that_misbehaves_is_an_error_of_the_refresh_not_a_hang_or_a_crash(what):
    script, error, message = SCRIPTS[what]
    h = GoogleHelper({"refresh_token": "r"}, "http://127.0.0.1:9/", 5.0, lambda info: None,
                     command=[sys.executable, "-c", script])
    t = time.monotonic()
    try:
        with pytest.raises(error, match=message):
            h.call("Google Calendar primary", "primary", {}, 10, Deadline(10, "Google Calendar primary"))
    finally:
        h.close()
    assert time.monotonic() - t < 8, "answered by the helper's end, not the deadline"


def test_a_helper_that_cannot_start_says_so(tmp_path):
    h = GoogleHelper({}, "http://127.0.0.1:9/", 5.0, lambda info: None, command=[str(tmp_path / "missing")])
    with pytest.raises(SourceError, match="cannot start the Google helper"):
        h.call("Google Calendar primary", "primary", {}, 10, None)


def test_a_source_with_a_helper_lists_the_window_as_one_without(fake_google, tmp_path):
    fake_google.calendars["primary"] = [gevent(f"e{i}", f"Event {i}", NOW + timedelta(hours=i + 1))
                                        for i in range(30)]
    info = sign_in(fake_google)
    h = GoogleHelper(info, fake_google.api_endpoint, 10.0, lambda i: None)
    from webinar_tray.adapters.calendar.google.tokens import credentials_from

    creds = credentials_from(info)
    try:
        via = GoogleCalendarSource("primary", lambda: creds, fake_google.api_endpoint, helper=h,
                                   mirror_file=tmp_path / "a.jsonl")
        here = GoogleCalendarSource("primary", lambda: creds, fake_google.api_endpoint,
                                    mirror_file=tmp_path / "b.jsonl")
        lo, hi = NOW - timedelta(hours=12), NOW + timedelta(hours=48)
        assert via.fetch(lo, hi) == here.fetch(lo, hi) and len(via.fetch(lo, hi)) == 30
        assert json.loads((tmp_path / "a.jsonl").read_text().splitlines()[0])["calendar"] == "primary"
    finally:
        h.close()
