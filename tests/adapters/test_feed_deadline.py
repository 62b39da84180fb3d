"""The ICS source against feeds that misbehave, over real sockets on 127.0.0.1: a total deadline
however the server trickles, a size cap, and no secret in any message."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.feeds import StaticFeed, TrickleFeed, calendar, vevent
from tests.loopback import Listener
from webinar_tray.adapters.calendar.ics.source import IcsSource
from webinar_tray.core.settings import RefreshSettings
from webinar_tray.ports import Deadline, SourceError, SourceTimeout

NOW = datetime.now(timezone.utc).replace(microsecond=0)
WINDOW = (NOW - timedelta(hours=12), NOW + timedelta(hours=48))


def body() -> bytes:
    return calendar(vevent("one", NOW + timedelta(hours=1), title="Webinar"))


@pytest.mark.parametrize("first_byte_after", [0.0, 30.0], ids=["trickling-body", "silent-then-trickling"])
def test_a_trickling_feed_is_cut_at_the_total_deadline(tmp_path, first_byte_after):
    feed = TrickleFeed(body() * 20, every=0.2, first_byte_after=first_byte_after)
    try:
        src = IcsSource(feed.url, tmp_path, RefreshSettings(timeout_seconds=2))
        t0 = time.monotonic()
        with pytest.raises(SourceTimeout) as ei:
            src.fetch(*WINDOW)
        took = time.monotonic() - t0
        assert feed.wait_closed(5), "the connection was shut at the deadline, not left to trickle"
    finally:
        feed.close()
    msg = str(ei.value)
    assert "2 s" in msg and "timeout_seconds" in msg and src.name in msg
    assert "private-trickle" not in msg and "basic.ics" not in msg
    # generous: what matters is that it is bounded at all (a per-read timeout never fired here)
    assert took < 30


def test_headers_that_trickle_are_cut_too(tmp_path):
    """The status line and headers sent one byte at a time: http.client's readline would wait
    for ever; the watchdog shuts the socket."""
    def serve(conn):
        with conn:
            conn.recv(65536)
            for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100000:
                if srv.stopping.wait(0.05):
                    break
                try:
                    conn.sendall(bytes([b]))
                except OSError:
                    break

    srv = Listener(serve)
    try:
        src = IcsSource(f"http://127.0.0.1:{srv.port}/secret-path/basic.ics", tmp_path,
                        RefreshSettings(timeout_seconds=1))
        with pytest.raises(SourceTimeout):
            src.fetch(*WINDOW)
    finally:
        srv.close()


def test_a_response_over_max_response_mb_is_refused(tmp_path):
    big = calendar(*(vevent(f"e{i}", NOW + timedelta(hours=1), description="x" * 2000) for i in range(700)))
    assert len(big) > 1024 * 1024
    feed = StaticFeed(big)
    try:
        src = IcsSource(feed.url(), tmp_path, RefreshSettings(max_response_mb=1))
        with pytest.raises(SourceError) as ei:
            src.fetch(*WINDOW)
        assert "larger than 1 MB" in str(ei.value) and "max_response_mb" in str(ei.value)
        assert "private-feed" not in str(ei.value)
        assert len(IcsSource(feed.url(), tmp_path, RefreshSettings(max_response_mb=2)).fetch(*WINDOW)) == 700
    finally:
        feed.close()


def test_a_file_over_max_response_mb_is_refused(tmp_path):
    p = tmp_path / "big.ics"
    p.write_bytes(b"X" * (1024 * 1024 + 1))
    with pytest.raises(SourceError, match="larger than 1 MB"):
        IcsSource(str(p), tmp_path, RefreshSettings(max_response_mb=1)).fetch(*WINDOW)


def test_an_expired_deadline_stops_before_any_request(tmp_path):
    feed = StaticFeed(body())
    try:
        d = Deadline(0.0, "x")
        with pytest.raises(SourceTimeout):
            IcsSource(feed.url(), tmp_path).fetch(*WINDOW, deadline=d)
    finally:
        feed.close()


def test_a_well_behaved_feed_is_read_whole(tmp_path):
    feed = TrickleFeed(body(), every=0.0)
    try:
        (e,) = IcsSource(feed.url, tmp_path, RefreshSettings(timeout_seconds=20)).fetch(*WINDOW)
        assert e.title == "Webinar"
    finally:
        feed.close()


def test_a_calendar_too_costly_to_expand_is_interrupted_at_the_deadline(tmp_path):
    """A rule the bounds cannot shorten (a huge COUNT walked from a year ago, 3,600 instances a
    day): dateutil would walk it for many seconds; the source stops at its deadline."""
    p = tmp_path / "costly.ics"
    p.write_bytes(calendar(vevent("c", NOW - timedelta(days=365), rule="FREQ=SECONDLY;COUNT=50000000;BYHOUR=9",
                                  title="Counted")))
    src = IcsSource(str(p), tmp_path, RefreshSettings(timeout_seconds=1))
    errors = []

    def fetch():
        try:
            src.fetch(*WINDOW)
        except SourceError as e:
            errors.append(e)

    t = threading.Thread(target=fetch)
    t.start()
    t.join(30)
    assert not t.is_alive(), "the expansion stopped: the thread uses no CPU any more"
    [e] = errors
    assert isinstance(e, SourceTimeout) and "took longer than 1 s" in str(e)


def test_the_cpu_guard_never_fires_after_its_block():
    from webinar_tray.adapters.calendar.ics.cpu_deadline import cpu_deadline

    with cpu_deadline(Deadline(0.3)):
        total = sum(range(1000))
    time.sleep(0.6)  # past the deadline: nothing may be raised here
    assert total == 499500
