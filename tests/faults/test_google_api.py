"""Google Calendar API trouble while the engine runs: 429/5xx bursts with Retry-After, and the
user's sign-in revoked mid-run (the token endpoint answers invalid_grant). The refresh succeeds
after the burst or keeps the cache; the due webinar is joined regardless; sign-in trouble is one
notification, and the cached schedule keeps running."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.faults.google import google_config
from tests.faults.harness import assert_history_sound, soon, wait_for
from tests.fakegoogle import gevent


def calendar_requests(fake) -> list[int]:
    return [i for i, (_, path, _) in enumerate(fake.requests) if path.endswith("/events")]


def test_api_429_burst_with_retry_after_then_the_refresh_succeeds_and_the_webinar_is_joined(
        make_rig, fake_google, site, clock, home, caplog):
    fake = fake_google
    start = soon(25, clock)
    fake.calendars["primary"] = [gevent("burst", "Burst webinar", start, start + timedelta(seconds=6),
                                        description=f"Join: {site.url_for('burst')}")]
    fake.fail_next(429, count=2, reason="rateLimitExceeded", headers={"Retry-After": "3"})
    rig = make_rig(google_config(fake, home))
    result = wait_for(lambda: rig.engine.last_refresh, 60, what="the first refresh")
    assert result.all_ok and len(calendar_requests(fake)) == 3, "two 429s, then the page"
    # Retry-After (3 s) is longer than the first backoffs (1-2 s, 2-3 s): it wins each time
    assert caplog.text.count("HTTP 429 rateLimitExceeded; retry") == 2
    assert "retry 1 of 4 in 3.0 s" in caplog.text and "retry 2 of 4 in 3.0 s" in caplog.text
    [rec] = rig.wait_final(60)
    assert rec.state == "attended" and rec.title == "Burst webinar", rec
    assert len(site.visits_of("burst", "page")) == 1
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_api_5xx_burst_beyond_the_retries_keeps_the_cache_and_the_webinar_is_joined(
        make_rig, fake_google, site, clock, home, caplog, notifier):
    fake = fake_google
    start = soon(25, clock)
    fake.calendars["primary"] = [gevent("keep", "Kept webinar", start, start + timedelta(seconds=6),
                                        description=f"Join: {site.url_for('kept')}")]
    rig = make_rig(google_config(fake, home))
    wait_for(lambda: rig.engine.last_refresh, 30, what="the first refresh")
    fake.calendars["primary"] = []  # a refresh that got through would drop the webinar
    fake.fail_next(503, count=5, headers={"Retry-After": "1"})
    result = rig.refresh()
    [(name, why)] = result.failed
    assert name == "Google Calendar primary" and "HTTP 503" in why and "gave up after 5 tries" in why, why
    assert "keeping its last good events" in caplog.text
    assert [p.title for p in rig.engine.current_plan] == ["Kept webinar"], "the cache is kept"
    [rec] = rig.wait_final(60)
    assert rec.state == "attended", rec
    assert len(site.visits_of("kept", "page")) == 1
    assert notifier.of("signin") == [], "server trouble is not a sign-in problem"
    rig.stop()
    assert_history_sound(rig.paths.database)


def test_api_503_burst_the_due_webinar_is_opened_while_the_refresh_still_retries(
        make_rig, fake_google, site, clock, home):
    fake = fake_google
    fake.calendars["primary"] = []
    rig = make_rig(google_config(fake, home))
    wait_for(lambda: rig.engine.last_refresh, 30, what="the first refresh")
    start = soon(20, clock)  # submitted at start - 17 s: inside the refresh below
    fake.calendars["primary"] = [gevent("inflight", "In-flight webinar", start, start + timedelta(seconds=6),
                                        description=f"Join: {site.url_for('inflight')}")]
    rig.refresh()  # the webinar is in the cache now
    fake.fail_next(503, count=5, headers={"Retry-After": "6"})  # ~27 s of retries, then gives up
    assert rig.loop.call(rig.engine.start_refresh).result(10)  # the hourly job: in the background
    [rec] = rig.wait_final(90)
    wait_for(lambda: not rig.engine.refreshing, 60, what="the end of the retrying refresh")
    assert rec.state == "attended", rec  # was: failed, "the leave time came before the page was joined"
    [opened] = site.visits_of("inflight", "page")
    last_try = fake.request_times[calendar_requests(fake)[-1]]
    assert opened.at < last_try, "the page was opened while the refresh was still retrying"


def test_token_revoked_mid_run_one_sign_in_notification_and_the_cached_webinar_is_joined(
        make_rig, fake_google, site, clock, home, caplog, notifier):
    fake = fake_google
    start = soon(25, clock)
    fake.calendars["primary"] = [gevent("revoked", "Signed-out webinar", start, start + timedelta(seconds=6),
                                        description=f"Join: {site.url_for('signed-out')}")]
    rig = make_rig(google_config(fake, home))
    result = wait_for(lambda: rig.engine.last_refresh, 30, what="the first refresh")
    assert result.all_ok and not rig.engine.signin_needed
    fake.revoke_all()  # the user removed the app's access: the token endpoint says invalid_grant
    fake.calendars["primary"] = []
    for _ in range(3):  # the hourly refresh, again and again
        result = rig.refresh()
        assert result.signin_needed and rig.engine.signin_needed
    assert fake.grants.count("refresh_token") >= 2, "the token endpoint was asked and refused"
    [(_, title, message)] = notifier.of("signin")
    assert title == "Sign-in needed" and "cached schedule keeps running" in message
    assert message.endswith("Open Set up… in the tray menu to fix it.")  # the page; no address (it holds a token)
    assert "the token refresh was refused (invalid_grant)" in caplog.text
    [rec] = rig.wait_final(60)
    assert rec.state == "attended" and rec.title == "Signed-out webinar", rec
    assert len(site.visits_of("signed-out", "page")) == 1
    rig.stop()
    assert_history_sound(rig.paths.database)
    for secret in fake.secrets_issued():
        assert secret not in caplog.text
