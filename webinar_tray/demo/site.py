"""The built-in demo webinar site: a BrightTALK-like player page served on 127.0.0.1.

Used by `--demo` (so a new user sees the app join something without a real webinar) and by the
tests as the loopback replica of a webinar page. The pages are inline in pages.py (no data
files), so a PyInstaller build needs nothing extra.

`/webinar/<slug>` is the page a calendar event links to: a title, a OneTrust-like cookie banner that
appears after ~0.8 s, and an iframe `#bt-player-wrapper-iframe` holding `/player/<slug>`, whose
document shows a big "Enter" button after ~1.2 s. Entering shows a "LIVE" player; once `ends`
(epoch seconds) has passed it shows "This webinar has ended".

Query flags (for tests): `login=1` sign-in form instead of the player, `nobutton=1` no Enter button
ever, `form=1` registration form (first name, last name, e-mail) before the Enter button,
`delay=<s>` the Enter button appears after that many seconds, `title=<text>`, `ends=<epoch s>`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from webinar_tray.demo.pages import index_page, player_page, webinar_page

log = logging.getLogger(__name__)

_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_EVENT_KINDS = {"enter", "consent", "register"}


@dataclass(frozen=True)
class Visit:
    path: str  # without the query
    slug: str
    at: datetime  # aware UTC, when the request arrived
    kind: str  # page | frame | enter | consent | register


class DemoSite:
    """A tiny threaded HTTP server bound to 127.0.0.1 only (port chosen by the OS)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._visits: list[Visit] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        site = self

        class Handler(_Handler):
            demo = site

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, name="webinar-tray-demo-site", daemon=True
        )
        self._thread.start()
        log.info("demo webinar site at %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> "DemoSite":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses and records ---------------------------------------------------------------

    def url_for(self, slug: str, ends_at: datetime | None = None, **flags) -> str:
        """The page address for `slug`. `ends_at` (aware) makes the player show the end then.
        Flags: login, nobutton, form (true/false), delay (seconds), title (text)."""
        if not self.base_url:
            raise RuntimeError("DemoSite.start() first")
        if not _SLUG.match(slug):
            raise ValueError(f"slug must be letters, digits, '-' or '_': {slug!r}")
        query: dict[str, str] = {}
        if ends_at is not None:
            query["ends"] = f"{ends_at.timestamp():.3f}"
        for key, value in flags.items():
            if value is None or value is False:
                continue
            query[key] = "1" if value is True else str(value)
        url = f"{self.base_url}/webinar/{slug}"
        return f"{url}?{urlencode(query)}" if query else url

    @property
    def visits(self) -> list[Visit]:
        """A snapshot of the visits so far, oldest first."""
        with self._lock:
            return list(self._visits)

    def visits_of(self, slug: str, kind: str | None = None) -> list[Visit]:
        return [v for v in self.visits if v.slug == slug and (kind is None or v.kind == kind)]

    def _record(self, path: str, slug: str, kind: str) -> None:
        with self._lock:
            self._visits.append(Visit(path, slug, datetime.now(timezone.utc), kind))


class _Handler(BaseHTTPRequestHandler):
    demo: DemoSite  # set on the subclass made by DemoSite.start()
    server_version = "webinar-tray-demo"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        # The request line holds the query; log the path only.
        log.debug("demo site: %s %s", self.command, urlsplit(self.path).path)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        m = re.match(r"^/(webinar|player)/([^/]+)$", path)
        if m and _SLUG.match(m.group(2)):
            kind, slug = m.group(1), m.group(2)
            self.demo._record(path, slug, "page" if kind == "webinar" else "frame")
            page = webinar_page if kind == "webinar" else player_page
            self._send(200, "text/html; charset=utf-8", page(slug, query, parts.query))
        elif path == "/api/event":
            slug, kind = query.get("slug", ""), query.get("kind", "")
            if not _SLUG.match(slug) or kind not in _EVENT_KINDS:
                self._send(400, "application/json", '{"ok": false}')
                return
            self.demo._record(path, slug, kind)
            self._send(200, "application/json", '{"ok": true}')
        elif path == "/api/visits":
            rows = [dict(asdict(v), at=v.at.isoformat()) for v in self.demo.visits]
            self._send(200, "application/json", json.dumps(rows))
        elif path == "/":
            self._send(200, "text/html; charset=utf-8", index_page())
        elif path == "/favicon.ico":
            self._send(204, "image/x-icon", "")
        else:
            self._send(404, "text/plain; charset=utf-8", "not found")

    def _send(self, status: int, ctype: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_HEAD = do_GET
