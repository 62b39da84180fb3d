"""The host index gives find_service the full scan's answer (issue 13: one lookup per label
instead of a scan of every row). The reference is the scan itself, run here over every table
URL, their near misses, random hosts built from the catalogue's own patterns, and odd hosts."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from tests.core.test_services import JOIN_ROWS, MEETINGBAR_LINKS
from webinar_tray.core.service_index import HostIndex, index_of
from webinar_tray.core.services import CATALOGUE, Service, find_service, split_host_path


def scan(url: str, catalogue=CATALOGUE):
    """find_service as it was: every row, in order."""
    hp = split_host_path(url)
    if hp is None:
        return None
    from urllib.parse import unquote, urlsplit

    host, path = hp
    query = unquote(urlsplit(url.strip()).query)
    for s in catalogue:
        if not s.fallback and s.matches(host, path, query):
            return s
    site = None
    for s in catalogue:
        if s.fallback and s.on_site(host):
            return s
        if s.vendor and s.on_site(host):
            site = s
    return replace(site, path="", fallback=True) if site is not None else None


def _urls():
    rnd = random.Random(7)
    urls = [u for row in JOIN_ROWS for u in row[:2]] + list(MEETINGBAR_LINKS)
    paths = ["/", "/j/123", "/w/1", "/webcast/1/2", "/join/abc", "/e/x", "/meet/jane/AB12CD34",
             "/jane.doe/AB12CD34", "/l/meetup-join/19%3a/0", "/abc-defg-hij", "/p/1/live", "/about"]
    for s in CATALOGUE:
        for h in s.hosts:
            base = h[2:] if h.startswith("*.") else h.replace(".*", ".acme.example")
            for sub in ("", "www.", "acme.", "a.b.", "WWW."):
                urls.append(f"https://{sub}{base}{rnd.choice(paths)}")
            urls.append(f"https://not{base}/j/1")  # a different domain ending alike
    urls += ["https://zoom.us.evil.example/j/1", "https://meet.x/j", "https://meet.acme.example/jane/AB12CD34",
             "http://localhost/", "https://127.0.0.1/j/1", "https://xn--zoom-abc.us/j/1",
             "https://zoom.us./j/1", "https://ZOOM.US/J/1", "https://lync.contoso.co.uk/meet/jane/ABCDEF12"]
    return urls


@pytest.mark.parametrize("url", _urls())
def test_the_index_answers_as_the_full_scan(url):
    assert find_service(url) == scan(url)


def test_a_custom_catalogue_gets_its_own_index():
    mine = (Service("Acme Live", "webinar", ("live.acme.example",), path=r"^/e/"),)
    assert find_service("https://live.acme.example/e/1", mine).name == "Acme Live"
    assert find_service("https://live.acme.example/e/1") is None
    assert index_of(mine) is index_of(mine) and index_of(mine) is not index_of(CATALOGUE)


def test_rows_for_keeps_catalogue_order_and_only_possible_rows():
    idx = HostIndex(CATALOGUE)
    rows = idx.rows_for("us02web.zoom.us")
    assert [CATALOGUE.index(r) for r in rows] == sorted(CATALOGUE.index(r) for r in rows)
    assert {r.name for r in rows if not r.hosts[0].endswith(".*")} <= {
        "Zoom Events", "Zoom Webinar", "Zoom"}
    assert len(rows) < len(CATALOGUE) // 4
