"""The setup page's HTTP server: the standard library's ThreadingHTTPServer on 127.0.0.1 (a port
the OS picks), guarded so that only the user who was given the address can use it.

- The first address carries a one-time token (`/?t=<token>`, minted by `new_link()`); it is
  exchanged for an HttpOnly, SameSite=Strict session cookie and a redirect to `/`, so a reload
  keeps working and the token is not left in the address bar or the history.
- The `Host` header must be `127.0.0.1:<port>` or `localhost:<port>`: a page of another site
  that rebinds its DNS name to 127.0.0.1 is refused (403).
- Every POST carries the session's CSRF token (a hidden form field); without it: 403.
- Tokens, session ids and CSRF tokens are compared in constant time (hmac.compare_digest) and
  never logged: the log shows the address without its query.

Forms come urlencoded, or as multipart/form-data (the OAuth client upload: its file field is
bytes).

What the pages show and do is the `app`'s business (setup/app.py): `app.get(path, query,
session)` and `app.post(path, form, session)` return a `Response`."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a POST body (an OAuth client JSON is a few KB)
COOKIE = "webinar_tray_setup"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    flash: dict = field(default_factory=dict)  # section -> (ok, message, detail lines)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)

    @classmethod
    def redirect(cls, where: str) -> "Response":
        return cls(303, b"", headers={"Location": where})

    @classmethod
    def text(cls, status: int, message: str) -> "Response":
        return cls(status, message.encode(), "text/plain; charset=utf-8")


def _digest(secret: str) -> str:
    """Secrets are kept by their hash: a dict lookup then reveals nothing useful by its timing."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


class SetupServer:
    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._tokens: set[str] = set()  # digests of unused one-time tokens
        self._sessions: dict[str, Session] = {}  # digest of the cookie -> session
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ---- life -----------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        owner = self

        class Handler(_Handler):
            server_owner = owner

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server, self.port = server, server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, name="setup-page", daemon=True)
        self._thread.start()
        log.info("setup page served at %s/ (its one-time token is in the address given to the user only)",
                 self.base_url)
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def new_link(self) -> str:
        """A fresh address with a one-time token (each `setup` or Set up… gets its own)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(_digest(token))
        return f"{self.base_url}/?t={token}"

    # ---- checks ---------------------------------------------------------------------------
    def host_ok(self, host: str | None) -> bool:
        allowed = (f"127.0.0.1:{self.port}", f"localhost:{self.port}")
        return any(hmac.compare_digest((host or "").lower().encode(), a.encode()) for a in allowed)

    def redeem(self, token: str) -> str | None:
        """A new session's cookie value for an unused token (which is then used up); else None."""
        key = _digest(token)
        with self._lock:
            if key not in self._tokens:
                return None
            self._tokens.discard(key)
            sid = secrets.token_urlsafe(32)
            self._sessions[_digest(sid)] = Session()
        return sid

    def session(self, cookie_header: str | None) -> Session | None:
        sid = _cookie(cookie_header, self.cookie_name)
        if not sid:
            return None
        with self._lock:
            return self._sessions.get(_digest(sid))

    @property
    def cookie_name(self) -> str:
        return f"{COOKIE}_{self.port}"  # cookies are shared across a host's ports


def _cookie(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


def multipart_form(content_type: str, raw: bytes) -> dict:
    """A multipart/form-data body (a form with a file input) as a dict: text fields as str, a
    file field as its bytes (and `<name>.filename`). A body that does not parse gives {}, which
    then fails the CSRF check."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + raw)
    form: dict = {}
    if not message.is_multipart():
        return form
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            form[name] = data.decode("utf-8", "replace")
        else:
            form[name], form[f"{name}.filename"] = data, filename
    return form


def csrf_ok(session: Session, form: dict) -> bool:
    sent = form.get("csrf", "")
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), session.csrf.encode())


STALE = ("This setup address is no longer valid (it was used already, or webinar-tray was "
         "restarted). Run `webinar-tray setup` again, or choose Set up… in the tray menu.")


class _Handler(BaseHTTPRequestHandler):
    server_owner: SetupServer
    protocol_version = "HTTP/1.1"
    server_version = "webinar-tray-setup"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        owner = self.server_owner
        try:
            response = self._route(owner, method)
        except Exception:  # noqa: BLE001 - a bug in a page never takes the server down
            log.exception("setup page: %s %s failed", method, urlsplit(self.path).path[:80])
            response = Response.text(500, "webinar-tray: this page failed; the log has the details")
        self._send(response)

    def _route(self, owner: SetupServer, method: str) -> Response:
        if not owner.host_ok(self.headers.get("Host")):
            return Response.text(403, "webinar-tray: wrong Host header (only 127.0.0.1 or localhost "
                                      "with this port are served)")
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        session = owner.session(self.headers.get("Cookie"))
        if method == "GET" and parts.path == "/" and "t" in query:
            return self._redeem(owner, query["t"], session)
        if session is None:
            return Response.text(403, "webinar-tray: " + STALE)
        if method == "GET":
            return owner.app.get(parts.path, query, session)
        form = self._form()
        if form is None:
            return Response.text(413, f"webinar-tray: the form is larger than {MAX_BODY // 1024} KB")
        if not csrf_ok(session, form):
            return Response.text(403, "webinar-tray: the form's CSRF token is missing or wrong; "
                                       "reload the page and try again")
        return owner.app.post(parts.path, form, session)

    def _redeem(self, owner: SetupServer, token: str, session: Session | None) -> Response:
        sid = owner.redeem(token)
        if sid is not None:
            cookie = f"{owner.cookie_name}={sid}; HttpOnly; SameSite=Strict; Path=/"
            return Response(303, b"", headers={"Location": "/", "Set-Cookie": cookie})
        if session is not None:  # the first address again (history, a reload): already signed in
            return Response.redirect("/")
        return Response.text(403, "webinar-tray: " + STALE)

    def _form(self) -> dict | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            self.close_connection = True
            return None
        raw = self.rfile.read(length) if length > 0 else b""
        ctype = self.headers.get("Content-Type") or ""
        if ctype.lower().startswith("multipart/form-data"):
            return multipart_form(ctype, raw)
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))

    def _send(self, r: Response) -> None:
        self.send_response(r.status)
        for k, v in {**HEADERS, **r.headers}.items():
            self.send_header(k, v)
        self.send_header("Content-Type", r.content_type)
        self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(r.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        # requests are not logged: the first one carries the token in its address
        pass
