"""Properties of the texts the tray and the desktop show (core.menu, core.menu_text,
adapters.notify.payload) for any calendar text: never raises, no control or bidi characters out,
within the platform's limits (tooltip 127 UTF-16 units; Windows notifications 63/255 units)."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tests.fakes import T0
from tests.property.strategies import forbidden, hostile_text, link_text
from webinar_tray.adapters.notify import payload as notify_text
from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.menu import TOOLTIP_MAX, Attending, Failure, TrayStatus, menu_state
from webinar_tray.core.menu_text import clean_text, redact, utf16_len
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import Settings

SETTINGS = Settings()
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"']+")

webinars = st.builds(
    CalendarEvent,
    calendar_id=st.sampled_from(["primary", "ics:0123abcd"]),
    event_id=st.text(min_size=1, max_size=6),
    title=hostile_text.map(lambda t: t + " webinar"),  # a [match] keyword: most are planned
    start=st.integers(min_value=-120, max_value=60 * 47).map(lambda m: T0 + timedelta(minutes=m)),
    end=st.just(T0 + timedelta(hours=48)),
    description=st.one_of(link_text, st.just("https://www.brighttalk.com/webcast/1/2")),
)

statuses = st.builds(
    TrayStatus,
    attending=st.lists(st.builds(Attending, id=st.text(max_size=8), title=hostile_text,
                                 joined_at=st.one_of(st.none(), st.just(T0 - timedelta(minutes=5)))),
                       max_size=3).map(tuple),
    refresh_error=st.one_of(st.none(), link_text),
    signin_needed=st.booleans(),
    google=st.booleans(),
    account=st.one_of(st.none(), hostile_text),
    failures=st.lists(st.builds(Failure, title=hostile_text, reason=link_text), max_size=3).map(tuple),
    demo=st.booleans(),
)


@given(st.lists(webinars, max_size=8), statuses, st.sampled_from([None, "America/New_York", "Asia/Kolkata"]))
def test_the_menu_and_tooltip_are_clean_and_fit(events, status, zone):
    planned = plan(events, SETTINGS, {}, T0)
    ms = menu_state(planned, status, T0, ZoneInfo(zone) if zone else None)
    assert utf16_len(ms.tooltip) <= TOOLTIP_MAX
    assert forbidden(ms.tooltip) == []
    for item in ms.walk():
        assert forbidden(item.text) == [], item.text


@given(st.one_of(hostile_text, link_text), st.one_of(hostile_text, link_text), st.sampled_from(["win", "linux", "macosx"]))
def test_notification_texts_are_clean_and_within_the_platform_limits(title, message, platform):
    t, m = notify_text.clean(title, message, platform)
    t_max, m_max = notify_text.limits_for(platform)
    units = utf16_len if platform == "win" else len
    assert t and units(t) <= t_max and units(m) <= m_max
    assert forbidden(t) == [] and forbidden(m) == []
    for url in _URL.findall(t + " " + m):
        assert "?" not in url and "#" not in url and "@" not in url.split("/")[2], url  # no query, no user:pw@


@given(link_text, st.one_of(st.none(), st.integers(min_value=1, max_value=100)))
def test_menu_text_never_raises_and_fits(text, limit):
    out = clean_text(redact(text), limit)
    assert forbidden(out) == []
    if limit is not None:
        assert len(out) <= limit
