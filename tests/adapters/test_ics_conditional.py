"""An ICS address is asked again with If-None-Match / If-Modified-Since (the ETag and
Last-Modified of its last good answer); on 304 Not Modified the calendar read last time answers
the window, as a 200 would. A real 127.0.0.1 server (tests/feeds.py ConditionalFeed) counts the
answers and records the headers."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.feeds import ConditionalFeed, calendar, vevent
from tests.fakes import T0
from webinar_tray.adapters.calendar.ics.source import IcsSource
from webinar_tray.ports import SourceError

START, END = T0 - timedelta(hours=12), T0 + timedelta(hours=48)
BODY = calendar(vevent("daily", T0 - timedelta(days=30, hours=2), rule="FREQ=DAILY", title="Daily webinar",
                       description="Join https://us02web.zoom.us/j/123?pwd=abc"),
                vevent("once", T0 + timedelta(hours=3), title="One-off webinar"),
                vevent("old", T0 - timedelta(days=400), title="Long ago"))


@pytest.fixture
def feed():
    f = ConditionalFeed(BODY)
    yield f
    f.close()


def test_a_304_answers_from_the_last_read_with_the_same_events(feed, tmp_path, caplog):
    src = IcsSource(feed.url(), tmp_path)
    with caplog.at_level(logging.DEBUG):
        first = src.fetch(START, END)
        again = src.fetch(START, END)
    assert {e.title for e in first} == {"Daily webinar", "One-off webinar"} and len(first) >= 3
    assert again == first
    assert feed.answers == {200: 1, 304: 1}
    (_, inm0, ims0), (_, inm1, ims1) = feed.requests
    assert inm0 is None and ims0 is None, "the first request is not conditional"
    assert inm1 and inm1.startswith('"') and ims1 and ims1.endswith("GMT")
    assert "private-feed" not in caplog.text and inm1 not in caplog.text  # no address, no ETag


def test_a_304_answers_a_later_window_as_a_new_read_would(feed, tmp_path):
    src = IcsSource(feed.url(), tmp_path)
    src.fetch(START, END)
    later = (START + timedelta(days=1), END + timedelta(days=1))
    cached = src.fetch(*later)
    assert feed.answers[304] == 1
    fresh = IcsSource(feed.url(), tmp_path).fetch(*later)
    assert cached == fresh and {e.title for e in cached} == {"Daily webinar"}


def test_a_changed_calendar_is_read_again_and_replaces_the_cache(feed, tmp_path):
    src = IcsSource(feed.url(), tmp_path)
    src.fetch(START, END)
    feed.body = calendar(vevent("new", T0 + timedelta(hours=1), title="New webinar"))
    assert [e.title for e in src.fetch(START, END)] == ["New webinar"]
    assert [e.title for e in src.fetch(START, END)] == ["New webinar"]
    assert feed.answers == {200: 2, 304: 1}
    assert feed.requests[2][1] != feed.requests[1][1], "the new answer's ETag is sent"


@pytest.mark.parametrize("etag, last_modified", [(False, True), (True, False)])
def test_either_validator_alone_is_used(tmp_path, etag, last_modified):
    f = ConditionalFeed(BODY, etag=etag, last_modified=last_modified)
    try:
        src = IcsSource(f.url(), tmp_path)
        first = src.fetch(START, END)
        assert src.fetch(START, END) == first and f.answers == {200: 1, 304: 1}
        _, inm, ims = f.requests[1]
        assert (inm is not None, ims is not None) == (etag, last_modified)
    finally:
        f.close()


def test_without_validators_every_read_is_a_plain_one(tmp_path):
    f = ConditionalFeed(BODY, etag=False, last_modified=False)
    try:
        src = IcsSource(f.url(), tmp_path)
        assert src.fetch(START, END) == src.fetch(START, END)
        assert f.answers == {200: 2, 304: 0} and f.requests[1][1:] == (None, None)
    finally:
        f.close()


def test_a_calendar_that_fails_to_parse_drops_the_cache(feed, tmp_path):
    src = IcsSource(feed.url(), tmp_path)
    src.fetch(START, END)
    feed.body = b"<html>Sign in</html>"
    with pytest.raises(SourceError, match="not a"):
        src.fetch(START, END)
    with pytest.raises(SourceError, match="not a"):  # the broken answer is not cached either
        src.fetch(START, END)
    assert feed.requests[2][1:] == (None, None), "no validators after a failure"
    feed.body = BODY
    assert len(src.fetch(START, END)) >= 3 and feed.answers[304] == 0


def test_a_server_error_keeps_the_cache(feed, tmp_path):
    src = IcsSource(feed.url(), tmp_path)
    first = src.fetch(START, END)
    feed.errors.append(500)
    with pytest.raises(SourceError, match="HTTP 500"):
        src.fetch(START, END)
    assert src.fetch(START, END) == first and feed.answers == {200: 1, 304: 1}
    assert feed.requests[2][1] == feed.requests[1][1] is not None


def test_two_addresses_on_one_host_have_their_own_caches_and_keys(feed, tmp_path):
    feed.bodies["/private-b/basic.ics"] = calendar(vevent("b", T0 + timedelta(hours=2), title="B webinar"))
    a, b = IcsSource(feed.url("a"), tmp_path), IcsSource(feed.url("b"), tmp_path)
    assert a.name == b.name and a.key != b.key
    for s in (a, b):
        assert "private" not in s.key and s.key.startswith(s.name + " #")
    ta = {e.title for e in a.fetch(START, END)}
    tb = {e.title for e in b.fetch(START, END)}
    assert (ta, tb) == ({"Daily webinar", "One-off webinar"}, {"B webinar"})
    assert ({e.title for e in a.fetch(START, END)}, {e.title for e in b.fetch(START, END)}) == (ta, tb)
    assert feed.answers == {200: 2, 304: 2}
