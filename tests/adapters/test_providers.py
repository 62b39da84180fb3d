"""Provider join steps (BrightTALK, ISC2's embedded BrightTALK player, Zoom's web client) through
PlaywrightJoiner in real headless Chromium, against loopback TLS replicas answering under the
real host names (tests/replicas)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas import Replicas
from tests.replicas.server import BRIGHTTALK, ISC2, ZOOM, Meeting, Webcast
from webinar_tray.adapters.browser.joiner import PlaywrightJoiner
from webinar_tray.adapters.browser import providers
from webinar_tray.adapters.browser.providers import brighttalk, generic, zoom
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.services import find_service
from webinar_tray.core.settings import BrowserSettings, JoinSettings, Settings

pytestmark = pytest.mark.chromium


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def calendar_job(url: str, job_id: str, stay: float = 30.0) -> PlannedJoin:
    """A job as the planner makes it: the link's service gives the steps name."""
    service = find_service(url)
    assert service is not None
    now = utcnow()
    return PlannedJoin(
        id=job_id, calendar_id="cal", event_id=job_id.split("/")[1], title="A webinar",
        start=now, end=now + timedelta(seconds=stay), join_url=url, provider=service.name,
        auto_join=True, reason=None, join_at=now, leave_at=now + timedelta(seconds=stay),
        is_webinar=True, steps=service.steps,
    )


@pytest.fixture
def replicas():
    r = Replicas().start()
    yield r
    r.stop()


@pytest.fixture
def make_joiner(tmp_path, chromium, replicas):
    made = []

    def make(join_attempts=1, **join):
        join = {"headless": True, "step_timeout_seconds": 5, "screenshot_minutes": 0, **join}
        settings = Settings(
            join=JoinSettings(**join),
            browser=BrowserSettings(executable_path=chromium, args=replicas.browser_args()),
        )
        j = PlaywrightJoiner(settings, resolve_paths(tmp_path / "home"), check_seconds=0.5,
                             join_attempts=join_attempts)
        made.append(j)
        return j

    yield make
    for j in made:
        j.close(timeout=15)


def test_steps_names_choose_the_provider_module():
    assert providers.module_for("brighttalk") is brighttalk
    assert providers.module_for("zoom") is zoom
    for other in ("generic", "on24", "webex", "teams", "youtube", "", None, "nonsense"):
        assert providers.module_for(other) is generic
    url = "https://www.brighttalk.com/webcast/288/612345"
    assert providers.start_url("brighttalk", url) == url


def test_zoom_links_open_the_web_client_with_the_passcode_kept():
    assert zoom.start_url("https://us02web.zoom.us/j/81234567890?pwd=Ab.1") == \
        "https://us02web.zoom.us/wc/join/81234567890?pwd=Ab.1"
    assert zoom.start_url("https://company.zoom.us/w/91234567890?tk=T&pwd=P#x") == \
        "https://company.zoom.us/wc/join/91234567890?tk=T&pwd=P"
    for same in ("https://us02web.zoom.us/my/alice", "https://example.com/j/81234567890",
                 "https://us02web.zoom.us/wc/join/81234567890?pwd=x"):
        assert zoom.start_url(same) == same


def test_brighttalk_webcast_accepts_banner_enters_player_and_leaves_at_the_end(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.INFO)
    url = "https://www.brighttalk.com/webcast/288/612345"
    replicas.webcasts["612345"] = Webcast(ends_after_ms=2500)
    job = calendar_job(url, "cal/bt/1", stay=60)
    assert (job.steps, job.provider) == ("brighttalk", "BrightTALK")
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    joined = rec.wait(job.id, "joined", timeout=20)
    assert joined.error == ""
    assert len(replicas.visits("page", BRIGHTTALK)) == 1
    assert len(replicas.visits("consent", BRIGHTTALK)) == 1
    assert [v.query for v in replicas.visits("enter", BRIGHTTALK)] == [{"webcast": "612345"}]
    assert "clicked 'Enter' in the player" in caplog.text
    report = rec.wait(job.id, "done", timeout=15)
    assert report.ended_by_page and report.error == ""  # the end screen was noticed


def test_isc2_page_joins_through_the_embedded_lazy_player(replicas, make_joiner):
    url = "https://www.isc2.org/professional-development/knowledge-vault?commid=612399"
    replicas.webcasts["612399"] = Webcast(label="Watch now")
    replicas.channels["612399"] = "1866"
    job = calendar_job(url, "cal/isc2/1")
    assert (job.steps, job.provider) == ("brighttalk", "ISC2 (BrightTALK)")
    j = make_joiner()
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=20)
    assert len(replicas.visits("page", ISC2)) == 1
    assert len(replicas.visits("consent", ISC2)) == 1
    player = replicas.visits("player", BRIGHTTALK)
    assert [v.path for v in player] == [
        "/service/player/en-US/theme/default/channel/1866/webcast/612399"]
    assert len(replicas.visits("enter", BRIGHTTALK)) == 1
    j.leave(job.id)
    assert rec.wait(job.id, "done").error == ""


def test_brighttalk_sign_in_form_is_a_login_wall(replicas, make_joiner):
    replicas.webcasts["700001"] = Webcast(label="Register", login=True, iframe_ms=300)
    job = calendar_job("https://www.brighttalk.com/webcast/288/700001", "cal/btlogin/1")
    j = make_joiner(join_attempts=2)
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=20)
    assert report.error == "login: login needed on www.brighttalk.com"
    assert len(replicas.visits("page", BRIGHTTALK)) == 1  # not retried


def test_brighttalk_button_that_never_shows_fails_within_the_step_timeout(replicas, make_joiner):
    replicas.webcasts["700002"] = Webcast(nobutton=True, iframe_ms=200)
    job = calendar_job("https://www.brighttalk.com/webcast/288/700002", "cal/btsilent/1")
    j = make_joiner()
    rec = Recorder()
    started = time.monotonic()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=20)
    took = time.monotonic() - started
    assert report.joined_at is None
    assert report.error == (
        "join button: no Enter/Register/Watch/Join button in the BrightTALK player within 5 s")
    assert 5 <= took < 12
    assert replicas.visits("enter") == []


def test_zoom_meeting_link_joins_in_the_web_client_with_name_and_passcode(
        replicas, make_joiner, caplog):
    caplog.set_level(logging.DEBUG)
    replicas.meetings["81234567890"] = Meeting(pwd="Xy12ab.secretpass")
    url = "https://us02web.zoom.us/j/81234567890?pwd=Xy12ab.secretpass"
    job = calendar_job(url, "cal/zoom/1")
    assert (job.steps, job.provider) == ("zoom", "Zoom")
    j = make_joiner(name="Ada Lovelace")
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=20)
    assert replicas.visits("landing", ZOOM) == []  # straight to the web client
    assert [v.path for v in replicas.visits("web-client", ZOOM)] == ["/wc/join/81234567890"]
    (joined,) = replicas.visits("zoom-join", ZOOM)
    assert joined.query["name"] == "Ada Lovelace"
    assert joined.query["pwd"] == "Xy12ab.secretpass"  # the replica checked it: ok
    j.leave(job.id)
    assert rec.wait(job.id, "done").error == ""
    assert "pwd=" not in caplog.text and "secretpass" not in caplog.text
    assert "opening https://us02web.zoom.us/wc/join/81234567890 instead" in caplog.text


def test_zoom_personal_link_goes_through_the_landing_page(replicas, make_joiner):
    replicas.meetings["85550001111"] = Meeting(pwd="P4ss", link_after_launch=True, ask_email=True)
    replicas.personal["alice"] = ("85550001111", "P4ss")
    job = calendar_job("https://us02web.zoom.us/my/alice", "cal/zoommy/1")
    assert job.steps == "zoom"
    j = make_joiner(name="Ada Lovelace", email="ada@example.com")
    rec = Recorder()
    j.attend(job, rec)
    rec.wait(job.id, "joined", timeout=20)
    assert len(replicas.visits("landing", ZOOM)) == 1
    assert len(replicas.visits("launch", ZOOM)) == 1
    (joined,) = replicas.visits("zoom-join", ZOOM)
    assert (joined.query["name"], joined.query["email"], joined.query["pwd"]) == (
        "Ada Lovelace", "ada@example.com", "P4ss")
    j.leave(job.id)
    rec.wait(job.id, "done")


def test_zoom_without_a_name_set_says_so(replicas, make_joiner):
    replicas.meetings["81234567891"] = Meeting(pwd="x")
    job = calendar_job("https://us02web.zoom.us/j/81234567891?pwd=x", "cal/zoomnoname/1")
    j = make_joiner(join_attempts=2)
    rec = Recorder()
    j.attend(job, rec)
    report = rec.wait(job.id, "done", timeout=20)
    assert report.error == f"form: {zoom.NAME_ERROR}"
    assert "[join] name" in report.error
    assert replicas.visits("zoom-join") == []
    assert len(replicas.visits("web-client")) == 1  # not retried
