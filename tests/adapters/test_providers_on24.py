"""ON24's join steps through PlaywrightJoiner in headless Chromium against the ON24 replica
(tests/replicas/on24.py) answering as event.on24.com."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas.harness import calendar_job, make_joiner, replicas  # noqa: F401 (fixtures)
from tests.replicas.on24 import Event

pytestmark = pytest.mark.chromium

ON24 = "event.on24.com"


def test_registration_link_registers_enters_the_console_and_leaves_at_the_end_screen(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.DEBUG)
    replicas.on24["4123456"] = Event(end="text")
    job = calendar_job("https://event.on24.com/wcc/r/4123456/8F2C1A9B7D3E", "cal/on24/1", stay=60)
    assert (job.steps, job.provider) == ("on24", "ON24")
    j = make_joiner(name="Ada Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    assert rec.wait(job.id, "joined", timeout=30).error == ""
    assert len(replicas.visits("registration", ON24)) == 1
    assert len(replicas.visits("consent", ON24)) == 1  # the OneTrust banner
    (registered,) = replicas.visits("on24-register", ON24)
    assert (registered.query["firstname"], registered.query["lastname"],
            registered.query["email"]) == ("Ada", "Lovelace", "ada@example.com")
    assert registered.query.get("company", "") == ""  # optional, left alone
    assert len(replicas.visits("on24-enter", ON24)) == 1
    assert len(replicas.visits("console", ON24)) == 1
    report = rec.wait(job.id, "done", timeout=30)
    assert report.ended_by_page and report.error == ""  # "This webcast has ended"
    assert "clicked 'Enter Event'" in caplog.text


def test_lobby_link_of_a_registered_attendee_follows_the_console_window_to_the_media_end(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.INFO)
    replicas.on24["4123457"] = Event(mode="registered", popup=True, label="Launch Presentation",
                                     end="media", ends_after_ms=3000)
    url = ("https://event.on24.com/eventRegistration/EventLobbyServlet?target=reg20.jsp"
           "&partnerref=cal&eventid=4123457&sessionid=1&key=S3CRETKEY99&sourcepage=register")
    job = calendar_job(url, "cal/on24pop/1", stay=60)
    assert job.steps == "on24"
    j = make_joiner()  # no name needed: no form
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)
    assert replicas.visits("on24-register") == []
    assert len(replicas.visits("on24-enter", ON24)) == 1
    (console,) = replicas.visits("console", ON24)
    assert console.query["key"] == "S3CRETKEY99"
    report = rec.wait(job.id, "done", timeout=30)
    assert replicas.visits("on24-playing", ON24)
    assert report.ended_by_page and report.error == ""  # the media element ended
    assert "opened in a new window" in caplog.text
    assert "S3CRETKEY99" not in caplog.text


def test_returning_attendee_logs_in_with_the_email(replicas, make_joiner):
    replicas.on24["4123458"] = Event(mode="login")
    job = calendar_job("https://event.on24.com/wcc/r/4123458/AB12", "cal/on24login/1")
    j = make_joiner(name="Ada Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=30)
    assert [v.query["email"] for v in replicas.visits("on24-login", ON24)] == ["ada@example.com"]
    assert len(replicas.visits("console", ON24)) == 1
    j.leave(job.id)
    assert rec.wait(job.id, "done").error == ""


def test_form_asking_for_more_than_name_and_email_fails_saying_so(replicas, make_joiner):
    replicas.on24["4123459"] = Event(company_required=True)
    job = calendar_job("https://event.on24.com/wcc/r/4123459/AB12", "cal/on24more/1")
    j = make_joiner(join_attempts=2, name="Ada Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.joined_at is None
    assert report.error == (
        "form: ON24's registration form asks for more than a name and e-mail "
        "(it says 'This field is required'); register once by hand in `webinar-tray browser`")
    assert replicas.visits("on24-register") == []
    assert len(replicas.visits("registration", ON24)) == 1  # not retried


def test_form_without_a_name_set_says_to_set_it(replicas, make_joiner):
    replicas.on24["4123460"] = Event()
    job = calendar_job("https://event.on24.com/wcc/r/4123460/AB12", "cal/on24noname/1")
    j = make_joiner(join_attempts=2)
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.error == ("form: ON24's registration form asks for your name; "
                            "set [join] name (and email) in config.toml")
    assert len(replicas.visits("registration", ON24)) == 1


def test_page_that_never_shows_its_button_fails_within_the_step_timeout(replicas, make_joiner):
    replicas.on24["4123461"] = Event(mode="registered", nobutton=True)
    job = calendar_job("https://event.on24.com/wcc/r/4123461/AB12", "cal/on24silent/1")
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=30)
    assert report.joined_at is None
    assert report.error == "join button: no Enter/Join/Launch button on the ON24 page within 5 s"
    assert replicas.visits("on24-enter") == [] and replicas.visits("console") == []
