"""Calendar feeds that misbehave, served on 127.0.0.1: a feed that answers late and then trickles
one byte at a time, and the hostile calendars of issue 10 (an unbounded FREQ=SECONDLY series, a
MINUTELY series whose days never occur, a long description on thousands of instances).
Used by the tests and by bench/refresh_faults.py."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import fold, z
from tests.loopback import Listener


def calendar(*vevents: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//webinar-tray tests//EN\r\n" + "".join(vevents)
            + "END:VCALENDAR\r\n").encode()


def vevent(uid: str, start: datetime, *, rule: str = "", title: str = "event", duration: str = "PT30M",
           description: str = "", end: datetime | None = None) -> str:
    lines = [f"UID:{uid}", f"DTSTAMP:{z(start)}", f"DTSTART:{z(start)}",
             f"DTEND:{z(end)}" if end else f"DURATION:{duration}", f"SUMMARY:{title}"]
    if rule:
        lines.append(f"RRULE:{rule}")
    if description:
        lines.append("DESCRIPTION:" + description.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;"))
    return "BEGIN:VEVENT\r\n" + "\r\n".join(fold(lines)) + "\r\nEND:VEVENT\r\n"


def hostile_calendars(now: datetime) -> dict[str, bytes]:
    """The issue's hostile feeds: SECONDLY without end (216,000 instances in a 60 h window); a
    MINUTELY rule on February 30th (dateutil walks to the year 9999 looking for one)."""
    return {
        "secondly": calendar(vevent("secondly", now - timedelta(hours=1), rule="FREQ=SECONDLY",
                                    title="Every second", duration="PT1S")),
        "never": calendar(vevent("never", now - timedelta(days=1), rule="FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
                                 title="Never", duration="PT1M")),
    }


def description_calendar(now: datetime, instances: int = 5000, description_bytes: int = 200_000) -> bytes:
    """One series of `instances` instances in the window sharing one long description."""
    minutes = max(1, (60 * 60) // instances)
    text = ("Agenda and speakers. " * (description_bytes // 21 + 1))[:description_bytes]
    return calendar(vevent("long-description", now - timedelta(hours=11), rule=f"FREQ=MINUTELY;INTERVAL={minutes}",
                           title="Long description", duration="PT1M", description=text))


class TrickleFeed:
    """An HTTP server on 127.0.0.1 that waits `first_byte_after` seconds, then sends a valid
    response one byte every `every` seconds (so a per-read timeout never fires). Records when
    each connection opened and closed (`opened`, `closed`: monotonic-free wall times, aware UTC)."""

    def __init__(self, body: bytes, every: float = 0.5, first_byte_after: float = 0.0):
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {len(body)}\r\n\r\n"
        self.payload = head.encode() + body
        self.every, self.first_byte_after = every, first_byte_after
        self.opened: list[datetime] = []
        self.closed: list[datetime] = []
        self.sent = 0
        self._listener = Listener(self._answer)
        self.port = self._listener.port
        self._stop = self._listener.stopping

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/private-trickle/basic.ics"

    def in_flight(self) -> bool:
        return len(self.opened) > len(self.closed)

    def wait_closed(self, timeout: float) -> bool:
        return wait(lambda: self.opened and not self.in_flight(), timeout)

    def _answer(self, conn: socket.socket) -> None:
        self.opened.append(datetime.now(timezone.utc))
        try:
            conn.recv(65536)
            conn.settimeout(0.1)
            until = time.monotonic() + self.first_byte_after
            while time.monotonic() < until:  # silent, but noticing a client that went away
                if self._stop.is_set():
                    return
                try:
                    if conn.recv(1) == b"":
                        return
                except socket.timeout:
                    pass
            conn.settimeout(None)
            for b in self.payload:
                conn.sendall(bytes([b]))
                self.sent += 1
                if self.every and self._stop.wait(self.every):
                    return
        except OSError:
            pass
        finally:
            self.closed.append(datetime.now(timezone.utc))
            conn.close()

    def close(self) -> None:
        self._listener.close()


class StaticFeed:
    """Serves fixed bytes for any path (HTTP/1.0, closes after each answer)."""

    def __init__(self, body: bytes):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        data = body

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self._srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self._srv.server_address[1]
        threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, name: str = "feed") -> str:
        return f"http://127.0.0.1:{self.port}/private-{name}/basic.ics"

    def close(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()


def wait(pred, timeout: float, every: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(every)
    return False
