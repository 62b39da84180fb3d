"""Microsoft Teams' join steps through PlaywrightJoiner in headless Chromium against the Teams
replica (tests/replicas/teams.py) answering as teams.microsoft.com and teams.live.com."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas.harness import calendar_job, make_joiner, replicas  # noqa: F401 (fixtures)
from tests.replicas.teams import Meeting
from webinar_tray.core.services import find_service

pytestmark = pytest.mark.chromium

TEAMS = "teams.microsoft.com"
THREAD = "19:meeting_NjQ0ZTk4YmQtZDk1@thread.v2"
MEETUP = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ0ZTk4YmQtZDk1%40thread.v2/0"
          "?context=%7b%22Tid%22%3a%22tenant-s3cret%22%2c%22Oid%22%3a%22o-1%22%7d")


def test_meeting_link_continues_in_the_browser_turns_av_off_and_waits_in_the_lobby(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.DEBUG)
    replicas.teams[THREAD] = Meeting(av_on=True, lobby=True, ends_after_ms=2500)
    job = calendar_job(MEETUP, "cal/teams/1", stay=60)
    assert (job.steps, job.provider) == ("teams", "Microsoft Teams")
    j = make_joiner(name="Ada Lovelace")
    rec = Recorder()
    j.attend(job, rec)
    assert rec.wait(job.id, "joined", timeout=30).error == ""  # joined, waiting in the lobby
    for kind in ("meetup-join", "launcher", "web-app"):
        assert len(replicas.visits(kind, TEAMS)) == 1, kind
    assert replicas.visits("app-launch") == []  # never the app
    assert len(replicas.visits("no-av", TEAMS)) == 1  # the dialog was dismissed
    (joined,) = replicas.visits("teams-join", TEAMS)
    assert (joined.query["name"], joined.query["camera"], joined.query["mic"]) == (
        "Ada Lovelace", "off", "off")
    assert "in Teams' lobby" in caplog.text
    report = rec.wait(job.id, "done", timeout=30)
    assert report.ended_by_page and report.error == ""  # "The meeting has ended"
    assert "tenant-s3cret" not in caplog.text and "context=" not in caplog.text


def test_teams_free_link_joins_the_meeting(replicas, make_joiner, caplog):
    caplog.set_level(logging.INFO)
    replicas.teams["9312345678901"] = Meeting(lobby=False, av_dialog=False)
    job = calendar_job("https://teams.live.com/meet/9312345678901?p=PassW0rd", "cal/teamsfree/1")
    assert job.steps == "teams"
    j = make_joiner(name="Ada Lovelace")
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)
    assert len(replicas.visits("meet", "teams.live.com")) == 1
    assert [v.query["name"] for v in replicas.visits("teams-join", "teams.live.com")] == [
        "Ada Lovelace"]
    assert "confirm: in the meeting" in caplog.text
    j.leave(job.id)
    assert rec.wait(job.id, "done").error == ""
    assert "PassW0rd" not in caplog.text


def test_live_event_is_watched_on_the_web_anonymously_until_it_ends(replicas, make_joiner):
    thread = "19:meeting_TGl2ZUV2ZW50@thread.v2"
    replicas.teams[thread] = Meeting(kind="event", ends_after_ms=3000)
    # As Teams writes a live event's attendee link: its context says IsBroadcastMeeting.
    url = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_TGl2ZUV2ZW50%40thread.v2/0"
           "?context=%7b%22Tid%22%3a%2272f988bf-0000-0000-0000-2d7cd011db47%22%2c%22Oid%22%3a"
           "%22a1b2c3d4-0000-0000-0000-0123456789ab%22%2c%22IsBroadcastMeeting%22%3atrue%7d")
    assert find_service(url).name == "Teams Live Event"
    job = calendar_job(url, "cal/teamslive/1", stay=60)
    j = make_joiner()  # a live event asks no name
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)
    assert len(replicas.visits("launcher", TEAMS)) == 1
    assert len(replicas.visits("teams-watch", TEAMS)) == 1
    assert replicas.visits("app-launch") == []
    report = rec.wait(job.id, "done", timeout=30)
    assert report.ended_by_page and report.error == ""  # "The live event has ended"


def test_launcher_offering_only_the_app_fails_within_the_step_timeout(replicas, make_joiner):
    replicas.teams[THREAD] = Meeting(nobrowser=True)
    job = calendar_job(MEETUP, "cal/teamsapp/1")
    j = make_joiner(name="Ada Lovelace")
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.joined_at is None
    assert report.error == ("launcher: Teams showed no 'Continue on this browser' choice (nor its "
                            "pre-join screen) within 5 s")
    assert replicas.visits("web-app") == [] and replicas.visits("app-launch") == []


def test_without_a_name_set_says_to_set_it(replicas, make_joiner):
    replicas.teams[THREAD] = Meeting(prejoin_ms=300, launcher_ms=200)
    job = calendar_job(MEETUP, "cal/teamsnoname/1")
    j = make_joiner(join_attempts=2)
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "form: Teams asks for your name; set [join] name (and email) in config.toml"
    assert replicas.visits("teams-join") == []
    assert len(replicas.visits("meetup-join", TEAMS)) == 1  # not retried
