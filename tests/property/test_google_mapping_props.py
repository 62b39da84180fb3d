"""The Google mapping's shortcuts give what the plain way gives, on items strangers could write
(missing fields, wrong types, odd strings): a listing's shared memo (texts, times, extras) maps
every item as a fresh memo does, failing the same way for the same item; `new_event` (the
slots filled directly) builds the event the class's own __init__ builds; the mirror's own
reading of two offset times is `span`'s."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from tests.property.strategies import hostile_text
from webinar_tray.adapters.calendar.google.mapping import span, to_event
from webinar_tray.adapters.calendar.google.mirror import _NEVER, Mirror
from webinar_tray.core.events import _FIELDS, CalendarEvent, new_event

TIMES = ["2026-12-07T18:49:53+00:00", "2026-12-07T19:49:53+01:00", "2026-12-07T18:49:53Z",
         "2026-12-07t18:50:00z", "2026-12-07T21:00:00z", "2026-12-07T18:49:53", "2026-12-08T09:00:00-05:00",
         "not a time", ""]
DATES = ["2026-12-07", "2026-12-08", "2026-12-06", "2026-13-01", ""]
ZONES = ["Europe/Berlin", "America/Los_Angeles", "Nowhere/Else", ""]

scalar = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
                   hostile_text, st.sampled_from(TIMES + DATES + ZONES + ["cancelled", "video"]))
anything = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["dateTime", "date", "timeZone", "email", "self", "entryPoints", "uri"]), inner, max_size=3)),
    max_leaves=6)
good_when = st.one_of(
    st.fixed_dictionaries({"dateTime": st.sampled_from(TIMES)}, optional={"timeZone": st.sampled_from(ZONES)}),
    st.fixed_dictionaries({"date": st.sampled_from(DATES)}))
when = st.one_of(good_when, good_when, anything)
entry_point = st.one_of(anything, st.fixed_dictionaries({}, optional={
    "entryPointType": st.sampled_from(["video", "phone", ""]),
    "uri": st.one_of(st.sampled_from(["https://meet.google.com/a", " https://zoom.us/j/1 "]), anything)}))
attendee = st.one_of(anything, st.fixed_dictionaries({}, optional={
    "self": st.one_of(st.booleans(), anything),
    "responseStatus": st.one_of(st.sampled_from(["accepted", "declined"]), anything)}))


def _or_anything(strategy):
    return st.one_of(strategy, strategy, anything)


item = st.fixed_dictionaries({
    "id": _or_anything(st.sampled_from(["a", "b", "c"])),
    "start": when,
}, optional={
    "end": when,
    "eventType": _or_anything(st.sampled_from(["default", "focusTime", "fromGmail"])),
    "status": _or_anything(st.sampled_from(["confirmed", "cancelled", "tentative"])),
    "summary": _or_anything(st.sampled_from(["Webinar", " Webinar ", "  "]) | hostile_text),
    "location": anything, "description": anything, "hangoutLink": anything,
    "organizer": _or_anything(st.fixed_dictionaries({}, optional={
        "email": _or_anything(st.sampled_from([" Events@ISC2.ORG ", "a@b.c"]))})),
    "attendees": _or_anything(st.lists(attendee, max_size=3)),
    "conferenceData": _or_anything(st.fixed_dictionaries({}, optional={
        "entryPoints": _or_anything(st.lists(entry_point, max_size=3))})),
    "recurringEventId": _or_anything(st.sampled_from(["s1", "s2"])),
    "originalStartTime": when,
})


def outcome(item: dict, memo: dict | None):
    """The event, field by field with each value's type and repr (equality alone would take 1
    for True, and an instant for the same one at another offset), or the exception's type and
    words (what the source logs). An extra is compared by equality only: a batch's extras are
    shared by equal content, 1 and True alike (core.events.shared_extra)."""
    try:
        event = to_event("cal", item, "Calendar", memo)
    except Exception as e:
        return type(e).__name__, str(e)
    if event is None:
        return None
    values = [(type(v), v, repr(v)) for v in (getattr(event, name) for name in _FIELDS)]
    return values, event.extra


@given(st.lists(item, max_size=8))
def test_a_listings_shared_memo_maps_each_item_as_a_fresh_one(items):
    memo: dict = {}
    for i in items:
        assert outcome(i, memo) == outcome(i, None) == outcome(i, {})


values = st.tuples(
    hostile_text, hostile_text, hostile_text,
    st.datetimes(timezones=st.just(timezone.utc)), st.datetimes(timezones=st.just(timezone.utc)),
    st.booleans(), hostile_text, hostile_text, hostile_text, st.lists(hostile_text).map(tuple),
    hostile_text, st.sampled_from(["confirmed", "tentative", "cancelled"]), hostile_text,
    hostile_text, st.sampled_from(["google", "ics", "demo"]), st.dictionaries(hostile_text, hostile_text))


@given(values)
def test_new_event_is_the_class_built_from_the_same_values(vals):
    made, built = new_event(*vals), CalendarEvent(*vals)
    assert type(made) is CalendarEvent and made == built and hash(made) == hash(built)
    assert all(getattr(made, name) is getattr(built, name) for name in _FIELDS)


def test_new_event_takes_every_field_or_nothing():
    t = datetime(2026, 12, 7, tzinfo=timezone.utc)
    full = ("c", "e", "t", t, t + timedelta(hours=1), False, "", "", "", (), "", "confirmed", "",
            "", "google", {})
    assert new_event(*full) == CalendarEvent(*full)
    for short in (full[:-1], full + ("more",)):
        try:
            new_event(*short)
        except TypeError:
            continue
        raise AssertionError(f"new_event took {len(short)} values")


timed = st.fixed_dictionaries({"dateTime": st.sampled_from(TIMES)}, optional={"timeZone": st.sampled_from(ZONES)})


@given(st.fixed_dictionaries({}, optional={"start": timed | when, "end": timed | when}),
       st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Chatham"]))
def test_the_mirrors_span_is_spans_as_timestamps(item, zone):
    """The mirror reads Google's usual times (two offsets) itself: what span reads, or _NEVER
    for an item span cannot read."""
    mirror = Mirror()
    mirror.meta(None, "Calendar", zone)
    try:
        s, e = span(item, ZoneInfo(zone)) if "start" in item else (None, None)
        want = (s.timestamp(), e.timestamp()) if s is not None else _NEVER
    except Exception:
        want = _NEVER
    assert mirror._span(item) == want
