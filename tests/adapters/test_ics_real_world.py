"""ICS as real calendars write it (issue 12, item 3), read through the real IcsSource and
icalendar: RFC 7986 CONFERENCE properties; links only in Outlook's X-ALT-DESC HTML; Outlook's
RRULE with spaces (`BYDAY=MO, TU, WE`); several VCALENDARs in one file; a duplicated DTSTART;
icalendar's Python warnings. Each calendar text follows the RFC or the vendor's published form."""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timezone

import pytest

from tests.adapters.test_ics import WIN_END, WIN_START, by_id, fetch, ics, vevent
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import Settings

UTC = timezone.utc
DT = ("DTSTART:20250115T100000Z", "DTEND:20250115T110000Z")


# ---- RFC 7986 CONFERENCE -------------------------------------------------------------------

def test_conference_properties_are_conference_links_video_first_http_only(tmp_path):
    # RFC 7986 section 5.11's own example, plus a video link given after the audio ones
    e = fetch(tmp_path, ics(vevent(
        "conf", *DT,
        "CONFERENCE;VALUE=URI;FEATURE=PHONE,MODERATOR;LABEL=Moderator dial-in:tel:+1-412-555-0123,,,654321",
        "CONFERENCE;VALUE=URI;FEATURE=PHONE;LABEL=Attendee dial-in:tel:+1-412-555-0123,,,555123",
        "CONFERENCE;VALUE=URI;FEATURE=AUDIO;LABEL=Audio only:https://chat.example.com/audio?id=123456",
        "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join the webinar:https://zoom.us/j/5551234567?pwd=abc",
        summary="Quarterly security webinar")))[0]
    assert e.conference_links == ("https://zoom.us/j/5551234567?pwd=abc",
                                  "https://chat.example.com/audio?id=123456")


def test_a_conference_link_is_the_join_link_even_when_the_description_has_others(tmp_path):
    [e] = fetch(tmp_path, ics(vevent(
        "conf2", *DT,
        "DESCRIPTION:Agenda: https://example.com/agenda",
        "CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://zoom.us/j/5551234567",
        summary="Threat intel webinar")))
    [p] = plan([e], Settings(), {}, datetime(2025, 1, 15, 9, tzinfo=UTC))
    assert p.join_url == "https://zoom.us/j/5551234567"


# ---- Outlook's HTML description ------------------------------------------------------------

def test_a_link_only_in_the_html_description_is_a_candidate(tmp_path):
    # Outlook's form: a plain DESCRIPTION without the link text, X-ALT-DESC;FMTTYPE=text/html with
    # an <a href> whose address uses character references
    html = ('<html><body><p>Join the session: <a href="&#x68;ttps://www.brighttalk.com/webcast/'
            '5385/612345?utm_source=outlook&amp;x=1">Click here to join</a></p></body></html>')
    [e] = fetch(tmp_path, ics(vevent(
        "alt", *DT,
        "DESCRIPTION:Join the session: Click here to join",
        f"X-ALT-DESC;FMTTYPE=text/html:{html}",
        summary="Cloud webinar")))
    assert "https://www.brighttalk.com/webcast/5385/612345?utm_source=outlook&x=1" in e.description
    [p] = plan([e], Settings(), {}, datetime(2025, 1, 15, 9, tzinfo=UTC))
    assert p.join_url == "https://www.brighttalk.com/webcast/5385/612345?utm_source=outlook&x=1"


def test_links_already_in_the_plain_description_are_not_added_twice(tmp_path):
    url = "https://www.brighttalk.com/webcast/5385/612345"
    [e] = fetch(tmp_path, ics(vevent(
        "alt2", *DT, f"DESCRIPTION:Join: {url}",
        f'X-ALT-DESC;FMTTYPE=text/html:<a href="{url}">{url}</a>', summary="Webinar")))
    assert e.description.count(url) == 1


def test_an_alt_desc_that_is_not_html_adds_nothing(tmp_path):
    [e] = fetch(tmp_path, ics(vevent(
        "alt3", *DT, "DESCRIPTION:No link here",
        "X-ALT-DESC;FMTTYPE=text/plain:https://example.com/elsewhere", summary="Webinar")))
    assert e.description == "No link here"


# ---- Outlook's RRULE with spaces ---------------------------------------------------------

def test_an_rrule_with_spaces_is_read_not_dropped(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    evs = fetch(tmp_path, ics(vevent(
        "spaces", "DTSTART:20250106T150000Z", "DTEND:20250106T160000Z",
        "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO, WE, FR", summary="Daily-ish webinar")),
        start=datetime(2025, 1, 6, tzinfo=UTC), end=datetime(2025, 1, 20, tzinfo=UTC))
    assert [e.start.day for e in evs] == [6, 8, 10, 13, 15, 17]
    assert "skipping" not in caplog.text


def test_an_rrule_that_cannot_be_read_says_so_naming_the_event(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    evs = fetch(tmp_path, ics(
        vevent("bad", *DT, "RRULE:FREQ=WEEKLY;BYDAY=MO, XX", summary="Broken rule webinar"),
        vevent("good", *DT, summary="Good webinar")))
    assert [e.title for e in evs] == ["Good webinar"]
    assert "skipping event UID 'bad' ('Broken rule webinar'): its RRULE cannot be read" in caplog.text
    assert "has no attribute" not in caplog.text


# ---- files and components -----------------------------------------------------------------

def test_a_file_of_several_vcalendars_is_read_whole(tmp_path):
    one = ics(vevent("one", *DT, summary="First webinar"), head="X-WR-CALNAME:Team\n")
    two = ics(vevent("two", "DTSTART:20250116T100000Z", "DTEND:20250116T110000Z", summary="Second webinar"))
    evs = fetch(tmp_path, one + two)
    assert [e.title for e in evs] == ["First webinar", "Second webinar"]
    assert {e.calendar_name for e in evs} == {"Team"}


def test_an_event_with_two_dtstarts_is_skipped_naming_it(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    evs = fetch(tmp_path, ics(
        vevent("twice", "DTSTART:20250115T100000Z", "DTSTART:20250115T120000Z",
               "DTEND:20250115T130000Z", summary="Twice webinar"),
        vevent("once", *DT, summary="Once webinar")))
    assert [e.title for e in evs] == ["Once webinar"]
    assert "skipping event UID 'twice' ('Twice webinar'): it has more than one DTSTART" in caplog.text
    assert "'list' object" not in caplog.text


def test_icalendar_warnings_go_to_the_log_file_not_stderr(tmp_path, capfd):
    """A Mozilla-style TZID makes icalendar warn (it guesses the zone); under the app's logging
    the warning is a log record in the file, and nothing reaches stderr."""
    from webinar_tray import logsetup

    log_file = tmp_path / "logs" / "app.log"
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        logging.captureWarnings(False)  # an earlier test's setup may have left it on outside ours
        logsetup.setup(log_file, stderr=True)
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            evs = fetch(tmp_path, ics(vevent(
                "moz", "DTSTART;TZID=/mozilla.org/20070129_1/Europe/Berlin:20250115T100000",
                "DTEND;TZID=/mozilla.org/20070129_1/Europe/Berlin:20250115T110000",
                summary="Berlin webinar")))
            warnings.warn("a library's warning", UserWarning)
        for h in root.handlers:
            h.flush()
    finally:
        logging.captureWarnings(False)
        for h in list(root.handlers):
            root.removeHandler(h)
            h.close()
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])
    assert [e.start for e in evs] == [datetime(2025, 1, 15, 9, tzinfo=UTC)]
    err = capfd.readouterr().err
    assert "a library's warning" not in err and "Warning" not in err, err
    assert "a library's warning" in log_file.read_text()


@pytest.mark.parametrize("window", [(WIN_START, WIN_END)])
def test_the_plain_forms_still_read_as_before(tmp_path, window):
    evs = by_id(fetch(tmp_path, ics(vevent("plain", *DT, "URL:https://zoom.us/j/1", summary="Plain")),
                      *window))
    assert evs["plain"].description == "https://zoom.us/j/1" and evs["plain"].conference_links == ()
