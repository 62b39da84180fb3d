"""Provider join steps through PlaywrightJoiner in real headless Chromium, against loopback TLS
replicas answering under the real host names (tests/replicas): here the choice of provider
module, BrightTALK (and ISC2's embedded BrightTALK player) and Zoom's web client; ON24, Webex,
Teams and YouTube in test_providers_<name>.py."""

from __future__ import annotations

import logging
import time

import pytest

from tests.adapters.test_joiner import Recorder
from tests.replicas.harness import calendar_job, make_joiner, replicas  # noqa: F401 (fixtures)
from tests.replicas.server import BRIGHTTALK, ISC2, ZOOM, Meeting, Webcast
from webinar_tray.adapters.browser import providers
from webinar_tray.adapters.browser.page_state import ENDED_TEXT, end_scope
from webinar_tray.adapters.browser.providers import (
    brighttalk,
    generic,
    on24,
    teams,
    webex,
    youtube,
    zoom,
)
from webinar_tray.core.services import find_service

pytestmark = pytest.mark.chromium

CALENDAR_LINKS = {  # a link of each kind, as calendars carry them -> the steps that handle it
    "https://www.brighttalk.com/webcast/288/612345": brighttalk,
    "https://www.isc2.org/professional-development/knowledge-vault?commid=612399": brighttalk,
    "https://us02web.zoom.us/j/81234567890?pwd=Xy12": zoom,
    "https://event.on24.com/wcc/r/4123456/8F2C1A9B7D3E": on24,
    "https://event.on24.com/eventRegistration/EventLobbyServlet?target=reg20.jsp&eventid=4123457"
    "&key=ABCDEF": on24,
    "https://acme.webex.com/meet/ada.lovelace": webex,
    "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef": webex,
    "https://acme.webex.com/weblink/register/r9f8e7d6c5b4a": webex,
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ0%40thread.v2/0?context=%7b%7d":
        teams,
    "https://teams.live.com/meet/9312345678901?p=Xyz": teams,
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ": youtube,
    "https://www.youtube.com/live/dQw4w9WgXcQ?si=abc": youtube,
    "https://youtu.be/dQw4w9WgXcQ": youtube,
    "https://example.com/webinar/1": generic,
}


def test_steps_names_choose_the_provider_module():
    for name, module in (("brighttalk", brighttalk), ("zoom", zoom), ("on24", on24),
                         ("webex", webex), ("teams", teams), ("youtube", youtube),
                         ("generic", generic), (" Teams ", teams)):
        assert providers.module_for(name) is module
    for other in ("", None, "nonsense"):
        assert providers.module_for(other) is generic
    for url, module in CALENDAR_LINKS.items():
        service = find_service(url)
        steps = service.steps if service else "generic"
        assert providers.module_for(steps) is module, url
        if module is not zoom:  # only Zoom opens another address than the link
            assert providers.start_url(steps, url) == url


def test_end_text_covers_the_providers_end_screens_and_stays_in_youtubes_player():
    for said in ("This webcast has ended", "The event has ended", "This live stream has ended.",
                 "Stream ended", "The meeting has ended.", "The live event has ended",
                 "This presentation has now ended", "This meeting has been ended by host",
                 "Thank you for attending!"):
        assert ENDED_TEXT.search(said), said
    for said in ("Your session has ended? Sign in again", "Streamed live 2 hours ago",
                 "Ends at 10:00", "The webinar starts soon"):
        assert not ENDED_TEXT.search(said), said
    assert end_scope("https://www.youtube.com/watch?v=x") == "#movie_player, #player, .ytp-offline-slate"
    assert end_scope("https://event.on24.com/wcc/r/1/2") is None
    assert end_scope("https://notyoutube.com/") is None


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
    assert took >= 5  # it waited the whole step timeout (no upper bound: the box is shared)
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
