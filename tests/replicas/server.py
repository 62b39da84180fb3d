"""One HTTPS server for all replica hosts (see tests/replicas/__init__.py).

BrightTALK, ISC2 and Zoom are routed here; ON24, Webex, Teams, YouTube and the pages that lead
elsewhere by their own modules (tests/replicas/{on24,webex,teams,youtube,elsewhere}.py), each with its `HOSTS`, its settings dataclass and
`route(x: Exchange) -> bool`."""

from __future__ import annotations

import json
import re
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.replicas import elsewhere, on24, pages, teams, webex, youtube
from tests.replicas.certs import make_cert

BRIGHTTALK = "www.brighttalk.com"
ISC2 = "www.isc2.org"
ZOOM = "us02web.zoom.us"
SITES = (on24, webex, teams, youtube, elsewhere)
HOSTS = (BRIGHTTALK, ISC2, ZOOM) + tuple(h for site in SITES for h in site.HOSTS)

_WEBCAST = re.compile(r"^/webcast/(\d+)/(\d+)/?$")
_PLAYER = re.compile(r"^/service/player/[^/]+/theme/[^/]+/channel/(\d+)/webcast/(\d+)/?$")
_ZOOM_LANDING = re.compile(r"^/(?:j|w)/(\d+)/?$")
_ZOOM_MY = re.compile(r"^/my/([A-Za-z0-9._-]+)/?$")
_ZOOM_WC = re.compile(r"^/wc/join/(\d+)/?$")


@dataclass(frozen=True)
class Visit:
    host: str
    path: str  # without the query
    kind: str  # page | player | landing | web-client | consent | enter | launch | zoom-join | 404
    # (and each site module's kinds: see their docstrings)
    query: dict = field(default_factory=dict)  # first value of each parameter
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class Webcast:
    """Settings of one BrightTALK webcast (its player, wherever it is embedded)."""

    label: str = "Enter"  # the player's button: Enter / Register / Watch now / Join ...
    button_ms: int = 600  # after the player loads
    nobutton: bool = False
    login: bool = False  # the button leads to BrightTALK's sign-in form
    ends_after_ms: int | None = None  # the end screen, this long after entering
    iframe_ms: int = 1000  # webcast page: the player iframe is added this late
    banner_ms: int = 700  # the OneTrust banner comes this late
    gap_px: int = 6000  # ISC2 page: content above the (lazy) player iframe


@dataclass
class Meeting:
    """One Zoom meeting."""

    pwd: str = ""
    ask_email: bool = False
    form_ms: int = 800
    link_after_launch: bool = False  # the landing shows "Join from your browser" only after Launch


class Replicas:
    def __init__(self) -> None:
        self.webcasts: dict[str, Webcast] = {}
        self.channels: dict[str, str] = {}  # ISC2 commid -> BrightTALK channel
        self.meetings: dict[str, Meeting] = {}
        self.personal: dict[str, tuple[str, str]] = {}  # /my/<name> -> (meeting id, pwd token)
        self.on24: dict[str, on24.Event] = {}  # by event id
        self.webex: dict[str, webex.Meeting] = {}  # by MTID / personal room name / registration id
        self.teams: dict[str, teams.Meeting] = {}  # by meeting thread id / teams.live.com id
        self.youtube: dict[str, youtube.Video] = {}  # by video id
        self.rooms: dict[str, elsewhere.Room] = {}  # Livestorm rooms, by room id
        self._visits: list[Visit] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="replicas-")
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "Replicas":
        cert, key = make_cert(HOSTS, Path(self._tmp.name))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        site = self

        class Handler(_Handler):
            replicas = site

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.socket = ctx.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name="replicas", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        self._tmp.cleanup()

    def browser_args(self) -> tuple[str, ...]:
        """`[browser] args` that send the real host names here."""
        rules = ", ".join(f"MAP {h} 127.0.0.1:{self.port}" for h in HOSTS)
        return (f"--host-resolver-rules={rules}", "--ignore-certificate-errors")

    # -- visits ------------------------------------------------------------------------------

    def record(self, visit: Visit) -> None:
        with self._lock:
            self._visits.append(visit)

    def visits(self, kind: str | None = None, host: str | None = None) -> list[Visit]:
        with self._lock:
            return [
                v for v in self._visits
                if (kind is None or v.kind == kind) and (host is None or v.host == host)
            ]


class _Handler(BaseHTTPRequestHandler):
    replicas: Replicas

    def setup(self) -> None:
        self.request.settimeout(10)
        self.request.do_handshake()  # in this thread, not the accept loop
        super().setup()

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ssl.SSLError):
            pass

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        x = Exchange(self, {k: v[0] for k, v in parse_qs(body).items()})
        for site in SITES:
            if x.host in site.HOSTS and site.route(x):
                return
        x.visit("404")
        self._send(404, "text/html", "<h1>Not found</h1>")

    def do_GET(self) -> None:  # noqa: N802
        r = self.replicas
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}

        def visit(kind: str) -> None:
            r.record(Visit(host, path, kind, query))

        if path.startswith("/__rec/"):
            kind = path[len("/__rec/"):]
            visit(kind)
            if kind == "zoom-join":
                meeting = r.meetings.get(query.get("meeting", ""))
                ok = meeting is not None and query.get("pwd", "") == meeting.pwd
                return self._send(200, "application/json", json.dumps({"ok": ok}))
            return self._send(204, "text/plain", "")
        if path == "/favicon.ico":
            return self._send(404, "text/plain", "")

        if host == BRIGHTTALK:
            m = _WEBCAST.match(path)
            if m:
                cfg = vars(r.webcasts.setdefault(m.group(2), Webcast()))
                visit("page")
                return self._html(pages.brighttalk_webcast(m.group(1), m.group(2), cfg))
            m = _PLAYER.match(path)
            if m:
                cfg = vars(r.webcasts.setdefault(m.group(2), Webcast()))
                visit("player")
                return self._html(pages.brighttalk_player(m.group(2), cfg))
        elif host == ISC2:
            commid = query.get("commid", "")
            if commid.isdigit():
                cfg = vars(r.webcasts.setdefault(commid, Webcast()))
                visit("page")
                return self._html(pages.isc2_vault(commid, r.channels.get(commid, "1866"), cfg))
        elif host == ZOOM:
            m = _ZOOM_LANDING.match(path)
            personal = _ZOOM_MY.match(path)
            if personal and personal.group(1) in r.personal:
                meeting, pwd = r.personal[personal.group(1)]
                m, parts_query = True, urlencode({"pwd": pwd})
            elif m:
                meeting, parts_query = m.group(1), parts.query
            if m:
                cfg = vars(r.meetings.setdefault(meeting, Meeting()))
                visit("landing")
                href = f"/wc/join/{meeting}" + (f"?{parts_query}" if parts_query else "")
                return self._html(pages.zoom_landing(href, cfg))
            m = _ZOOM_WC.match(path)
            if m:
                cfg = vars(r.meetings.setdefault(m.group(1), Meeting()))
                visit("web-client")
                return self._html(pages.zoom_web_client(m.group(1), cfg))
        else:
            x = Exchange(self, {})
            for site in SITES:
                if host in site.HOSTS and site.route(x):
                    return
        visit("404")
        self._send(404, "text/html", "<h1>Not found</h1>")

    def _html(self, body: str) -> None:
        self._send(200, "text/html; charset=utf-8", body)

    def _send(self, status: int, ctype: str, body: str, headers: tuple = ()) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if data:
            self.wfile.write(data)


class Exchange:
    """One request, as the site modules see it."""

    def __init__(self, handler: _Handler, form: dict[str, str]):
        self._h = handler
        self.replicas: Replicas = handler.replicas
        self.method = handler.command
        self.host = (handler.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.raw_query = parts.query
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.form = form  # a POST's fields
        jar = SimpleCookie(handler.headers.get("Cookie") or "")
        self.cookies = {k: m.value for k, m in jar.items()}

    def visit(self, kind: str, **extra: Any) -> None:
        self.replicas.record(Visit(self.host, self.path, kind, {**self.query, **self.form,
                                                                **extra}))

    def html(self, body: str) -> bool:
        self._h._send(200, "text/html; charset=utf-8", body)
        return True

    def redirect(self, location: str, status: int = 302, cookie: str | None = None) -> bool:
        headers = [("Location", location)]
        if cookie:
            headers.append(("Set-Cookie", cookie))
        self._h._send(status, "text/plain", "", tuple(headers))
        return True
