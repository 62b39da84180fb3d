"""Issue 12, item 2: ranking that users can steer.

conference data > hangoutLink > {catalogue join link, or a host named in `[join] allowed_hosts` /
`[match] hosts`} > other pages of catalogue sites > unknown links; ties by position; the passcode
variant of a meeting preferred; HTML character references decoded before detection. Each case
is what an invitation written by someone else looks like; the planner cases check that the
settings reach the ranking (and its cache) and that a `[match] hosts` host alone never
auto-joins."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.fakes import T0, event
from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.links import best_link, candidates, extract_urls
from webinar_tray.core.plan import plan_event
from webinar_tray.core.settings import JoinSettings, MatchSettings, Settings

AGENDA = "https://www.acme.example/events/2026/agenda"
JOIN = "https://live.vendor-nobody-knows.example/room/8812"
ZOOM = "https://zoom.us/j/81234567890"


def ev(**kw) -> CalendarEvent:
    kw.setdefault("title", "Partner webinar")
    return CalendarEvent(calendar_id="c", event_id="e", start=T0, end=T0 + timedelta(hours=1), **kw)


def html_invite(*links: str) -> str:
    rows = "".join(f'<p><a href="{u}">{label}</a></p>' for label, u in zip(("Agenda", "Join"), links))
    return f"<html><body><p>You are invited.</p>{rows}<p>Questions? Reply to this mail.</p></body></html>"


def best(event, preferred=()):
    link = best_link(event, preferred_hosts=preferred)
    return link.url if link else None


# --- the tiers -----------------------------------------------------------------------------------

def test_an_agenda_link_before_an_unknown_join_link_wins_only_by_position():
    e = ev(description=html_invite(AGENDA, JOIN))
    assert best(e) == AGENDA  # two unknown links: the first one, as written


@pytest.mark.parametrize("preferred", [
    ("live.vendor-nobody-knows.example",),
    ("vendor-nobody-knows.example",),  # a named host counts with its subdomains
    ("VENDOR-nobody-knows.example.",),  # as users type it
])
def test_a_host_the_user_named_beats_an_earlier_unknown_link(preferred):
    assert best(ev(description=html_invite(AGENDA, JOIN)), preferred) == JOIN


def test_a_catalogue_join_link_beats_an_earlier_unknown_link_in_any_place():
    # Before issue 12 the location's agenda link won: places ranked before services.
    e = ev(location=AGENDA, description=f"Join: {ZOOM}")
    assert best(e) == ZOOM
    assert best(ev(description=html_invite(AGENDA, ZOOM))) == ZOOM


def test_a_catalogue_site_page_beats_an_unknown_link_but_not_a_join_link():
    channel = "https://www.brighttalk.com/channel/288/"
    assert best(ev(description=f"{AGENDA} {channel}")) == channel
    assert best(ev(description=f"{channel} {AGENDA} {ZOOM}")) == ZOOM


def test_conference_data_and_hangout_link_still_come_first():
    e = ev(conference_links=("https://meet.google.com/abc-defg-hij",), hangout_link="https://meet.google.com/zzz-zzzz-zzz",
           description=f"{ZOOM} {JOIN}")
    assert [c.where for c in candidates(e, preferred_hosts=("vendor-nobody-knows.example",))][:2] == [
        "conference", "hangout"]
    assert best(replace(e, conference_links=()), ("vendor-nobody-knows.example",)) == "https://meet.google.com/zzz-zzzz-zzz"


def test_join_links_tie_by_position_across_location_and_description():
    webex = "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef0123456789abcdef"
    assert best(ev(location=webex, description=ZOOM)) == webex
    assert best(ev(location="Room 4", description=f"{ZOOM} {webex}")) == ZOOM


def test_non_join_pages_go_last_even_on_a_named_host():
    unsub = "https://live.vendor-nobody-knows.example/unsubscribe?u=1"
    e = ev(description=f"{unsub} {AGENDA} {JOIN}")
    order = [c.url for c in candidates(e, preferred_hosts=("vendor-nobody-knows.example",))]
    assert order == [JOIN, AGENDA, unsub]


def test_facetime_ranks_below_a_link_a_browser_can_join():
    facetime = "https://facetime.apple.com/join#v=1&p=AbCdEfGhIjKl&k=MnOpQrStUvWx"
    assert best(ev(description=f"{facetime} or {ZOOM}")) == ZOOM


# --- the passcode variant ------------------------------------------------------------------------

def test_the_passcode_variant_of_the_same_meeting_is_preferred():
    with_pwd = "https://us02web.zoom.us/j/81234567890?pwd=QWxhZGRpbjpvcGVuIHNlc2FtZQ"
    e = ev(description=f"Join Zoom Meeting {ZOOM}\nMeeting ID: 812 3456 7890\nOne tap: {with_pwd}")
    assert best(e) == with_pwd
    # Google's conference data without the passcode, the invitation's text with it.
    assert best(ev(conference_links=(ZOOM,), description=f"Join: {with_pwd}")) == with_pwd


def test_a_passcode_for_another_meeting_or_an_empty_one_does_not_jump():
    other = "https://zoom.us/j/99999999999?pwd=abc"
    assert best(ev(description=f"{ZOOM} {other}")) == ZOOM
    assert best(ev(description=f"{ZOOM} {ZOOM}?pwd=")) == ZOOM


def test_the_passcode_variant_of_an_unknown_host_is_preferred_too():
    e = ev(description=f"{JOIN} and with the code: {JOIN}?pwd=s3cret")
    assert best(e) == JOIN + "?pwd=s3cret"


# --- HTML character references -------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "&#x68;ttps://zoom.us/j/81234567890",
    "&#104;&#116;&#116;&#112;&#115;://zoom.us/j/81234567890",
    "https&#58;//zoom.us/j/81234567890",
    "https&colon;&sol;&sol;zoom.us&#x2F;j&#47;81234567890",
])
def test_character_references_spelling_a_link_are_decoded(written):
    assert extract_urls(f"<p>Join: {written}</p>") == [ZOOM]
    assert best(ev(description=f"Agenda {AGENDA}<br>Join: {written}")) == ZOOM


def test_encoded_delimiters_stay_text():
    # `&lt;a href=…&gt;` is text a reader sees, not a tag: its link is a bare one, cut at the quote.
    text = "&lt;a href=&quot;https://x.example/a&quot;&gt;click&lt;/a&gt; &#x3C;b&#x3E;"
    assert extract_urls(text) == ["https://x.example/a"]


# --- the planner: settings reach the ranking and its cache ---------------------------------------

def _planned(settings, **kw):
    e = event(title="Partner webinar", start=T0 + timedelta(hours=1), url=None,
              description=html_invite(AGENDA, JOIN), **kw)
    return plan_event(e, settings, None, T0)


def test_allowed_hosts_pick_and_auto_join_the_link():
    p = _planned(Settings(join=JoinSettings(allowed_hosts=("vendor-nobody-knows.example",))))
    assert (p.join_url, p.auto_join, p.reason) == (JOIN, True, None)


def test_a_match_host_picks_the_link_and_makes_a_webinar_but_does_not_auto_join():
    p = _planned(Settings(match=MatchSettings(keywords=(), hosts=("vendor-nobody-knows.example",))))
    assert (p.join_url, p.is_webinar, p.auto_join, p.reason) == (JOIN, True, False, "unknown-host")


def test_the_link_cache_keys_on_the_settings():
    plain = _planned(Settings())
    named = _planned(Settings(join=JoinSettings(allowed_hosts=("vendor-nobody-knows.example",))))
    again = _planned(Settings())
    assert (plain.join_url, named.join_url, again.join_url) == (AGENDA, JOIN, AGENDA)


# --- every join link the catalogue knows, behind an agenda link -----------------------------------

def _every_join_link():
    from tests.core.test_services import JOIN_ROWS, MEETINGBAR_LINKS

    return sorted({row[0] for row in JOIN_ROWS} | set(MEETINGBAR_LINKS))


def test_every_catalogue_join_link_beats_an_agenda_link_written_before_it():
    """The measurement of issue 12 (60 of 101 invitations picked the agenda link), over every
    join link of the catalogue's tables and MeetingBar's list: none may lose to the agenda."""
    from webinar_tray.core.services import find_service

    links = [u for u in _every_join_link() if find_service(u).browser]
    assert len(links) >= 101
    lost = [u for u in links if best(ev(description=html_invite(AGENDA, u.replace("&", "&amp;")))) != u]
    assert lost == []
