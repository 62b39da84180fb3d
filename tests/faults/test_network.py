"""Network down at refresh: the ICS feed's port closed, Google's endpoints unreachable. The cached
schedule is still joined, each failure is logged naming the source (never its secret address), and
after 3 hours of failures one "refresh-failing" notification says so."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.helpers import ics
from tests.faults.harness import IcsFeed, assert_history_sound, ics_config, soon, wait_for
from tests.fakegoogle import gevent


def webinar_ics(site, slug: str, start, seconds: int = 6) -> str:
    return ics({"uid": f"{slug}@faults", "start": start, "end": start + timedelta(seconds=seconds),
                "title": f"Cached {slug} webinar", "description": f"Join: {site.url_for(slug)}"})


def test_ics_feed_down_at_refresh_cached_webinar_joined_and_refresh_failing_after_3h(
        make_rig, feed: IcsFeed, site, clock, notifier, caplog):
    start = soon(25, clock)
    feed.body = webinar_ics(site, "cached-ics", start)
    first = make_rig(ics_config(feed.url))
    wait_for(lambda: first.engine.last_refresh and first.engine.last_refresh.all_ok, 30, what="the first refresh")
    first.stop()  # the cache is on disk; then the network goes down
    feed.stop()

    rig = make_rig(ics_config(feed.url))
    result = wait_for(lambda: rig.engine.last_refresh, 30, what="the refresh at start")
    [(name, why)] = result.failed
    assert name == f"ICS http://127.0.0.1:{feed.port}/…" and "cannot connect" in why, why
    assert f"refresh: {name} failed" in caplog.text and "keeping its last good events" in caplog.text

    [rec] = rig.wait_final(60)
    assert rec.state == "attended" and rec.title == "Cached cached-ics webinar", rec
    assert len(site.visits_of("cached-ics", "page")) == 1, "joined once, from the cache"
    assert notifier.of("refresh-failing") == [], "not before 3 hours of failures"

    clock.jump(timedelta(hours=3, minutes=1))
    rig.refresh()
    rig.refresh()
    [(_, title, message)] = notifier.of("refresh-failing")
    assert name in message and "cannot connect" in message, message
    assert message.endswith(". Open Set up… in the tray menu to fix it."), message
    rig.stop()
    assert_history_sound(rig.paths.database)
    assert IcsFeed.SECRET_PATH not in caplog.text and "private-3f9a7c1d" not in caplog.text


def test_google_down_at_refresh_cached_webinar_joined(make_rig, fake_google, site, clock, home, caplog):
    from tests.faults.google import google_config

    fake = fake_google
    start = soon(40, clock)
    fake.calendars["primary"] = [gevent("down", "Cached Google webinar", start, start + timedelta(seconds=6),
                                        description=f"Join: {site.url_for('cached-google')}")]
    config = google_config(fake, home)
    first = make_rig(config)
    wait_for(lambda: first.engine.last_refresh and first.engine.last_refresh.all_ok, 30, what="the first refresh")
    first.stop()
    fake.stop()  # the token and API endpoints stop answering: connection refused

    rig = make_rig(config)
    [rec] = rig.wait_final(90)
    assert rec.state == "attended" and rec.title == "Cached Google webinar", rec
    assert len(site.visits_of("cached-google", "page")) == 1
    result = rig.engine.last_refresh
    [(name, why)] = result.failed
    assert name == "Google Calendar primary" and "gave up after" in why, why
    assert not result.signin_needed, "an unreachable Google is not a sign-in problem"
    assert "refresh: Google Calendar primary failed" in caplog.text
    rig.stop()
    assert_history_sound(rig.paths.database)
    for secret in fake.secrets_issued():
        assert secret not in caplog.text
