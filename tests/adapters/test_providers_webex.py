"""Webex's join steps through PlaywrightJoiner in headless Chromium against the Webex replica
(tests/replicas/webex.py) answering as acme.webex.com."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas.harness import calendar_job, make_joiner, replicas  # noqa: F401 (fixtures)
from tests.replicas.webex import Meeting

pytestmark = pytest.mark.chromium

WEBEX = "acme.webex.com"


def test_personal_room_joins_from_the_browser_in_the_web_apps_iframe(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.INFO)
    replicas.webex["ada.lovelace"] = Meeting()
    job = calendar_job("https://acme.webex.com/meet/ada.lovelace", "cal/webex/1")
    assert (job.steps, job.provider) == ("webex", "Webex")
    j = make_joiner(name="Ada Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    for kind in ("meet", "landing", "web-app", "web-client"):
        assert len(replicas.visits(kind, WEBEX)) == 1, kind
    assert replicas.visits("app-launch") == []  # never the app
    assert replicas.visits("consent", WEBEX)  # the TrustArc banner
    (joined,) = replicas.visits("webex-join", WEBEX)
    assert (joined.query["meeting"], joined.query["name"], joined.query["email"]) == (
        "ada.lovelace", "Ada Lovelace", "ada@example.com")
    assert "landing: clicked 'Join from this browser'" in caplog.text
    assert "confirm: in the meeting" in caplog.text
    j.leave(job.id)
    assert rec.wait(job.id, "done").error == ""


def test_webinar_link_waits_in_the_lobby_and_leaves_when_it_ends(replicas, make_joiner, caplog):
    caplog.set_level(logging.DEBUG)
    mtid = "m0123456789abcdef0123456789abcdef"
    replicas.webex[mtid] = Meeting(kind="webinar", lobby=True, ask_email=False, ends_after_ms=2500)
    job = calendar_job(f"https://acme.webex.com/acme/j.php?MTID={mtid}", "cal/webexlobby/1",
                       stay=60)
    assert job.steps == "webex"
    j = make_joiner(name="Ada Lovelace")
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)  # joined and waiting in the lobby
    assert len(replicas.visits("j.php", WEBEX)) == 1
    assert [v.query["name"] for v in replicas.visits("webex-join", WEBEX)] == ["Ada Lovelace"]
    assert "clicked 'Join webinar'" in caplog.text
    assert "in Webex's lobby" in caplog.text
    report = rec.wait(job.id, "done", timeout=30)
    assert report.ended_by_page and report.error == ""  # "The meeting has ended."
    assert mtid not in caplog.text  # the MTID is the link's query: never logged


def test_webinar_registration_registers_then_joins(replicas, make_joiner):
    job = calendar_job("https://acme.webex.com/weblink/register/r9f8e7d6c5b4a", "cal/webexreg/1")
    assert (job.steps, job.provider) == ("webex", "Webex Events")
    j = make_joiner(name="Ada King Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=40)
    (registered,) = replicas.visits("webex-register", WEBEX)
    assert (registered.query["first"], registered.query["last"], registered.query["email"]) == (
        "Ada", "Lovelace", "ada@example.com")
    assert [v.query["MTID"] for v in replicas.visits("j.php", WEBEX)] == ["r9f8e7d6c5b4a"]
    assert len(replicas.visits("landing", WEBEX)) == 1
    assert len(replicas.visits("webex-join", WEBEX)) == 1
    j.leave(job.id)
    assert rec.wait(job.id, "done").error == ""


def test_landing_offering_only_the_app_fails_within_the_step_timeout(replicas, make_joiner):
    replicas.webex["bob"] = Meeting(nolink=True)
    job = calendar_job("https://acme.webex.com/meet/bob", "cal/webexapp/1")
    j = make_joiner(name="Ada Lovelace")
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.joined_at is None
    assert report.error == ("landing: Webex showed no 'Join from this browser' link (nor its "
                            "join form) within 5 s")
    assert replicas.visits("app-launch") == [] and replicas.visits("web-app") == []


def test_without_a_name_set_says_to_set_it(replicas, make_joiner):
    replicas.webex["carol"] = Meeting(link_ms=200)
    job = calendar_job("https://acme.webex.com/meet/carol", "cal/webexnoname/1")
    j = make_joiner(join_attempts=2)
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "form: Webex asks for your name; set [join] name (and email) in config.toml"
    assert replicas.visits("webex-join") == []
    assert len(replicas.visits("meet", WEBEX)) == 1  # not retried


def test_meeting_password_asked_for_fails_saying_so(replicas, make_joiner):
    replicas.webex["dave"] = Meeting(password=True, link_ms=200)
    job = calendar_job("https://acme.webex.com/meet/dave", "cal/webexpwd/1")
    j = make_joiner(name="Ada Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == "passcode: Webex asks for a meeting password and the link carries none"
