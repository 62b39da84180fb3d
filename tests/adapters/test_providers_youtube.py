"""YouTube live's join steps through PlaywrightJoiner in headless Chromium against the YouTube
replica (tests/replicas/youtube.py) answering as www.youtube.com, youtu.be and
consent.youtube.com."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas.harness import calendar_job, make_joiner, replicas  # noqa: F401 (fixtures)
from tests.replicas.youtube import Video

pytestmark = pytest.mark.chromium

YT = "www.youtube.com"
CONSENT = "consent.youtube.com"


def test_watch_link_rejects_cookies_presses_play_and_leaves_at_the_end_slate(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.INFO)
    replicas.youtube["Lv3ab_Xy9Q0"] = Video(autoplay=False, end="text", ends_after_ms=3000)
    job = calendar_job("https://www.youtube.com/watch?v=Lv3ab_Xy9Q0&si=shareTok3n", "cal/yt/1",
                       stay=60)
    assert (job.steps, job.provider) == ("youtube", "YouTube Live")
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    assert len(replicas.visits("consent-redirect", YT)) == 1
    assert len(replicas.visits("consent", CONSENT)) == 1
    assert [v.query["choice"] for v in replicas.visits("consent-save", CONSENT)] == ["reject"]
    assert len(replicas.visits("watch", YT)) == 1  # back on the video, with the cookie
    assert len(replicas.visits("yt-play", YT)) == 1  # the large play button
    assert len(replicas.visits("yt-playing", YT)) == 1
    # "Webinar has ended" / "Stream ended" in the recommendations did not end it early:
    report = rec.wait(job.id, "done", timeout=30)
    assert report.ended_by_page and report.error == ""  # "This live stream has ended."
    assert "consent: clicked 'Reject all'" in caplog.text
    assert "shareTok3n" not in caplog.text


def test_short_link_rejects_the_consent_dialog_and_leaves_when_the_video_ends(
        replicas, make_joiner):
    replicas.youtube["Sh0rtL1nk01"] = Video(consent="dialog", autoplay=True, end="media",
                                            ends_after_ms=3000)
    job = calendar_job("https://youtu.be/Sh0rtL1nk01", "cal/ytshort/1", stay=60)
    assert job.steps == "youtube"
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)
    assert len(replicas.visits("short-link", "youtu.be")) == 1
    assert [v.query["choice"] for v in replicas.visits("consent-dialog", YT)] == ["reject"]
    assert replicas.visits("consent-redirect") == []
    assert replicas.visits("yt-play") == []  # it played by itself
    report = rec.wait(job.id, "done", timeout=30)
    assert report.ended_by_page and report.error == ""  # the video ended


def test_upcoming_stream_counts_as_joined_and_only_accept_is_accepted(replicas, make_joiner):
    replicas.youtube["Upc0m1ng001"] = Video(upcoming=True, only_accept=True)
    job = calendar_job("https://www.youtube.com/live/Upc0m1ng001", "cal/ytsoon/1")
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)  # "Live in 10 minutes": waiting on the page
    assert [v.query["choice"] for v in replicas.visits("consent-save", CONSENT)] == ["accept"]
    assert replicas.visits("watch", YT)
    j.leave(job.id)
    report = rec.wait(job.id, "done")
    assert report.error == "" and not report.ended_by_page


def test_page_that_never_shows_the_player_fails_within_the_step_timeout(replicas, make_joiner):
    replicas.youtube["N0Player001"] = Video(consent="none", noplayer=True)
    job = calendar_job("https://www.youtube.com/watch?v=N0Player001", "cal/ytnone/1")
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.joined_at is None
    assert report.error == "player: no YouTube video player appeared within 5 s"
    assert replicas.visits("yt-playing") == []
