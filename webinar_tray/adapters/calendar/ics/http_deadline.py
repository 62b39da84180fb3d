"""An HTTP GET with a total deadline and a size cap, for calendar feeds.

urllib's `timeout` bounds each socket operation, not the request: a server that sends one byte
every half second keeps a read going for as long as it likes (FACTS.md). Here every connection
the request opens (redirects included) is registered with a watchdog that shuts its socket down
when the deadline passes, so a blocked connect, TLS handshake, header or body read returns at
once; the body is read with `read1` (at most one socket read per call), checking the deadline and
the size after each piece.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from email.message import Message

from webinar_tray.ports import Deadline

CHUNK = 64 * 1024


class TooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"larger than {limit // (1024 * 1024)} MB ([refresh] max_response_mb)")
        self.limit = limit


class _Watchdog:
    """Shuts down every registered socket when the deadline passes (or at `close`)."""

    def __init__(self, deadline: Deadline):
        self.deadline = deadline
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.fired = False
        self._thread = threading.Thread(target=self._run, name="http-deadline", daemon=True)
        self._thread.start()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            late = self.fired
        if late:
            _shut(sock)

    def _run(self) -> None:
        if self._done.wait(max(0.0, self.deadline.remaining())):
            return
        with self._lock:
            self.fired = True
            socks = list(self._socks)
        for s in socks:
            _shut(s)

    def close(self) -> None:
        self._done.set()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _watched(base: type, watchdog: _Watchdog) -> type:
    class Watched(base):  # type: ignore[misc, valid-type]
        def connect(self):
            # the connect itself is bounded by the time left (create_connection's timeout)
            self.timeout = max(0.05, min(self.timeout or 60.0, watchdog.deadline.remaining()))
            super().connect()
            watchdog.add(self.sock)

    return Watched


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog):
        super().__init__()
        self._conn = _watched(http.client.HTTPConnection, watchdog)

    def http_open(self, req):
        return self.do_open(self._conn, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog):
        super().__init__()
        self._conn = _watched(http.client.HTTPSConnection, watchdog)

    def https_open(self, req):
        return self.do_open(self._conn, req, context=self._context)


def get(req: urllib.request.Request, deadline: Deadline, max_bytes: int, read_timeout: float = 30.0) -> bytes:
    """The body of `req`. Raises TooLarge past `max_bytes`, SourceTimeout (from
    `deadline.check`) past the deadline, and urllib's/http.client's errors otherwise."""
    return get_with_headers(req, deadline, max_bytes, read_timeout)[0]


def get_with_headers(req: urllib.request.Request, deadline: Deadline, max_bytes: int,
                     read_timeout: float = 30.0) -> tuple[bytes, Message]:
    """The body of `req` and the answer's headers, as `get`. An answer that is not a success
    (a 304 Not Modified included) raises urllib.error.HTTPError, whose `headers` are the answer's."""
    deadline.check()
    watchdog = _Watchdog(deadline)
    opener = urllib.request.build_opener(_HTTP(watchdog), _HTTPS(watchdog))
    try:
        try:
            resp = opener.open(req, timeout=max(0.05, min(read_timeout, deadline.remaining())))
        except Exception:
            if watchdog.fired:  # a socket shut by the watchdog: say it was the deadline
                deadline.check()
            raise
        with resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TooLarge(max_bytes)
            parts: list[bytes] = []
            size = 0
            while True:
                try:
                    piece = resp.read1(CHUNK)
                except Exception:
                    if watchdog.fired:
                        deadline.check()
                    raise
                deadline.check()
                if not piece:
                    break
                size += len(piece)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                parts.append(piece)
            if watchdog.fired:  # EOF because the watchdog shut the socket: not the whole body
                deadline.check()
            return b"".join(parts), resp.headers
    finally:
        watchdog.close()
