"""Properties of the planner (core.plan.plan) over random events: never raises; what it plans to
open is a safe http(s) link; ids are unique and stable; the plan is sorted."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.fakes import T0
from tests.property.strategies import hostile_text, link_text
from webinar_tray.core.events import CalendarEvent, override_key
from webinar_tray.core.links import is_safe
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import JoinSettings, MatchSettings, Settings


@st.composite
def events(draw):
    start = T0 + timedelta(minutes=draw(st.integers(min_value=-60 * 50, max_value=60 * 50)))
    length = timedelta(minutes=draw(st.integers(min_value=1, max_value=60 * 30)))
    return CalendarEvent(
        calendar_id=draw(st.sampled_from(["primary", "work@example.com", "ics:0123abcd"])),
        event_id=draw(st.text(min_size=1, max_size=6)),
        title=draw(st.one_of(hostile_text, st.just("Quarterly webinar"))),
        start=start,
        end=start + length,
        all_day=draw(st.booleans()),
        location=draw(st.one_of(st.just(""), st.just("BrightTALK"), link_text)),
        description=draw(st.one_of(link_text, st.sampled_from([
            "https://www.brighttalk.com/webcast/288/1", "https://us02web.zoom.us/j/1?pwd=x",
            "https://www.youtube.com/redirect?q=https%3A%2F%2Fevil.example%2F", "javascript:alert(1)"]))),
        organizer=draw(st.sampled_from(["", "events@isc2.org", "x@evil.example"])),
        conference_links=tuple(draw(st.lists(link_text, max_size=2))),
        hangout_link=draw(st.one_of(st.just(""), link_text)),
        status=draw(st.sampled_from(["confirmed", "tentative", "cancelled"])),
        response=draw(st.sampled_from(["", "accepted", "declined", "needsAction"])),
    )


settings_ = st.builds(
    Settings,
    match=st.builds(MatchSettings, hosts=st.lists(st.sampled_from(["evil.example", "x.example"]), max_size=2)
                    .map(tuple), organizers=st.just(("@isc2.org",))),
    join=st.builds(JoinSettings, late_join=st.booleans(),
                   allowed_hosts=st.lists(st.sampled_from(["evil.example", "127.0.0.1"]), max_size=2).map(tuple)),
)


@given(st.lists(events(), max_size=12), settings_, st.data())
def test_the_planner_never_raises_and_only_opens_safe_links(evs, settings, data):
    overrides = {override_key(e.calendar_id, e.event_id): data.draw(st.booleans()) for e in evs[:3]}
    planned = plan(evs, settings, overrides, T0)
    assert plan(evs, settings, overrides, T0) == planned, "pure: the same plan again"
    assert len({p.id for p in planned}) == len(planned)
    assert [p.start for p in planned] == sorted(p.start for p in planned)
    for p in planned:
        assert p.end > T0
        assert p.join_url is None or is_safe(p.join_url)
        if p.auto_join:
            assert p.join_url is not None and p.reason is None and p.join_at is not None
        else:
            assert p.reason and p.join_at is None
