"""Properties of link extraction (core.links) over text and HTML written by strangers: never
raises, and the link chosen to open is only ever a safe http(s) link."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fakes import T0
from tests.property.strategies import hostile_text, link_text
from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.links import best_link, candidates, extract_urls, is_safe

events = st.builds(
    CalendarEvent,
    calendar_id=st.just("cal"),
    event_id=st.text(min_size=1, max_size=8),
    title=hostile_text,
    start=st.just(T0),
    end=st.just(T0 + timedelta(hours=1)),
    location=link_text,
    description=link_text,
    conference_links=st.lists(link_text, max_size=3).map(tuple),
    hangout_link=st.one_of(st.just(""), link_text),
)


@given(link_text)
def test_extract_urls_never_raises_and_gives_each_link_once(text):
    urls = extract_urls(text)
    assert all(isinstance(u, str) and u for u in urls)
    assert len(urls) == len(set(urls))


@given(events)
def test_best_link_is_only_ever_a_safe_http_link(event):
    cands = candidates(event)
    link = best_link(event)
    if link is None:
        assert not any(c.safe for c in cands)
        return
    assert link.safe and is_safe(link.url)
    parts = urlsplit(link.url)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert link == next(c for c in cands if c.safe), "the best-ranked safe candidate"


@given(link_text)
def test_is_safe_only_says_yes_to_http_links_with_a_host(url):
    if is_safe(url):
        parts = urlsplit(url)
        assert parts.scheme.lower() in ("http", "https") and parts.hostname


@given(st.lists(link_text, min_size=1, max_size=4))
def test_the_remembered_hostname_is_urlsplits(urls):
    """core.url_host.hostname remembers hosts: asked again (from its memory), it must still say
    what urlsplit says, or raise what urlsplit raises."""
    from webinar_tray.core.url_host import hostname

    for url in urls + urls:
        try:
            want = urlsplit(url).hostname
        except ValueError:
            with pytest.raises(ValueError):
                hostname(url)
            continue
        assert hostname(url) == want
