"""The browser stays on the sites a join may use, in real headless Chromium against the replicas
(tests/replicas/elsewhere.py): a page that goes to a foreign host - by an HTTP redirect, a script
or a popup - ends the join with "left the allowed sites: <host>" before anything is typed there;
a companion host of the provider, an allowed host and the own host of a link joined by hand are
fine; a login wall fails naming it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas.elsewhere import ACME, EVIL, GOOGLE_SIGNIN, LIVESTORM, SSO, Room
from tests.replicas.harness import calendar_job, make_joiner, replicas, utcnow  # noqa: F401
from tests.replicas.youtube import Video
from webinar_tray.core.plan import PlannedJoin

pytestmark = pytest.mark.chromium

ADA = dict(name="Ada Lovelace", email="ada@example.com")  # what a foreign form would get


def room_job(replicas, room: str, mode: str, **kw) -> PlannedJoin:
    replicas.rooms[room] = Room(mode=mode, **kw)
    job = calendar_job(f"https://{LIVESTORM}/p/{room}/live?ref=s3cret", f"cal/{room}/1")
    assert (job.provider, job.steps) == ("Livestorm", "generic")
    return job


def attend(make_joiner, job, **join):
    j = make_joiner(**{**ADA, **join})
    rec = Recorder()
    j.attend(job, rec)
    return rec


def assert_nothing_typed_there(replicas):
    assert replicas.visits("evil-typed", EVIL) == []
    assert replicas.visits("evil-submit", EVIL) == []


@pytest.mark.parametrize("mode", ["302", "js"])
def test_a_redirect_to_a_foreign_host_fails_before_anything_is_typed_there(
        replicas, make_joiner, mode, caplog):
    job = room_job(replicas, f"tour-{mode}", mode)
    rec = attend(make_joiner, job, join_attempts=2)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "left the allowed sites: evil.example"
    assert report.joined_at is None
    assert len(replicas.visits("evil-page", EVIL)) == 1  # it got there, once: no retry
    assert_nothing_typed_there(replicas)
    assert replicas.visits("room-join") == []
    assert "s3cret" not in caplog.text


def test_a_popup_to_a_foreign_host_fails_and_is_closed(replicas, make_joiner):
    job = room_job(replicas, "tour-popup", "popup")
    rec = attend(make_joiner, job)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "left the allowed sites: evil.example"
    assert report.joined_at is None
    assert_nothing_typed_there(replicas)


def test_a_sign_in_host_in_allowed_hosts_is_fine(replicas, make_joiner):
    job = room_job(replicas, "tour-sso", "sso")
    rec = attend(make_joiner, job, allowed_hosts=[SSO])
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    assert len(replicas.visits("sso", SSO)) == 1
    assert len(replicas.visits("room-join", LIVESTORM)) == 1


def test_a_sign_in_host_outside_the_allowed_sites_is_left(replicas, make_joiner):
    job = room_job(replicas, "tour-sso", "sso")
    rec = attend(make_joiner, job)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "left the allowed sites: sso.acme.example"
    assert replicas.visits("room-join") == []


def test_a_companion_host_of_the_provider_is_fine(replicas, make_joiner):
    """accounts.google.com is not YouTube's service host, nor allowed: YouTube declares it."""
    replicas.youtube["Cmp4n10nHst"] = Video(signin=True, consent="none", autoplay=True)
    job = calendar_job("https://www.youtube.com/watch?v=Cmp4n10nHst", "cal/yt-signin/1")
    rec = attend(make_joiner, job)
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    assert len(replicas.visits("google-signin", GOOGLE_SIGNIN)) == 1
    assert len(replicas.visits("signin-redirect")) == 1


def test_a_join_by_hand_of_an_unknown_host_works_on_that_host(replicas, make_joiner):
    now = utcnow()
    url = f"https://{ACME}/live/q3-briefing"
    job = PlannedJoin(
        id="adhoc/20300101T000000Z", calendar_id="adhoc", event_id="20300101T000000Z",
        title=url, start=now, end=now + timedelta(seconds=30), join_url=url, provider=None,
        auto_join=True, reason=None, join_at=now, leave_at=now + timedelta(seconds=30),
        is_webinar=True, steps="generic",
    )
    rec = attend(make_joiner, job)
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    assert len(replicas.visits("acme-page", ACME)) == 1
    assert len(replicas.visits("room-join", ACME)) == 1


def test_a_login_wall_fails_naming_the_site_without_retrying(replicas, make_joiner):
    job = room_job(replicas, "tour-members", "login")
    rec = attend(make_joiner, job, join_attempts=3)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "login: login needed on app.livestorm.co"
    assert report.joined_at is None
    assert len(replicas.visits("room", LIVESTORM)) == 1


def test_the_attended_page_going_elsewhere_is_rejoined_and_the_time_away_is_a_gap(
        replicas, make_joiner):
    replicas.rooms["tour-wander"] = Room(mode="room", wander_ms=800)
    job = calendar_job(f"https://{LIVESTORM}/p/tour-wander/live", "cal/tour-wander/1", stay=15)
    rec = attend(make_joiner, job)
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    report = rec.wait(job.id, "progress", timeout=30)  # the rejoin
    assert [g.why for g in report.gaps] == ["left the allowed sites: evil.example"]
    assert len(replicas.visits("room-join", LIVESTORM)) == 2
    assert_nothing_typed_there(replicas)
    done = rec.wait(job.id, "done", timeout=30)
    assert done.error == "" and done.joined_at is not None
