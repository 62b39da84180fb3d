"""A fake Google on 127.0.0.1 that speaks the real HTTP: OAuth 2.0 (authorization endpoint with
PKCE, token endpoint, revoke endpoint) and the Calendar v3 `events.list` call, so the real
google-auth / google-auth-oauthlib / google-api-python-client code runs against it.

    fake = FakeGoogle(); base = fake.start()      # or the `fake_google` pytest fixture
    secrets = fake.write_client_secrets(tmp_path / "client_secret.json")
    fake.calendars["primary"] = [gevent("ev1", "Webinar", start=datetime(...))]
    # [google] api_endpoint = fake.api_endpoint

Behaviour copied from Google (so code that passes here is likely to pass there):
- The authorization endpoint (`GET /o/oauth2/auth`) checks client_id, a loopback http
  redirect_uri (127.0.0.1/localhost/[::1], any port), response_type=code, PKCE S256, state and
  the calendar scope, then 302s to `redirect_uri?state=…&code=…&scope=…`. A failed check is a 400
  whose body says why (also appended to `fake.errors`). `fake.deny_consent = True` plays the user
  pressing "Cancel": a redirect with `error=access_denied`.
- A refresh token comes back from the code exchange only with `access_type=offline`, and — like
  Google — only on the first consent of this client unless `prompt=consent` was asked for
  (`fake.consented_before` records that; set it to False to forget).
- `POST /token` takes client credentials in the form body or as HTTP Basic auth (requests-oauthlib
  uses Basic). Codes are single-use and bound to their redirect_uri and PKCE challenge.
  A refresh never returns a new refresh token. Revoked/unknown refresh tokens get
  `400 {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}`.
- `POST /revoke?token=…` (or token in the form body) revokes an access or refresh token and
  everything issued with it; an unknown token gets 400 `invalid_token`.
- `GET /calendar/v3/calendars/{id}/events` needs `Authorization: Bearer <live access token>`
  (else 401 UNAUTHENTICATED) with a calendar scope (else 403 insufficientPermissions). timeMin /
  timeMax are RFC 3339 with an offset (else 400) and filter by overlap (end > timeMin, start <
  timeMax); orderBy=startTime needs singleEvents=true (else 400); cancelled events are hidden
  unless showDeleted=true; maxResults defaults to 250 and is capped at 2500; pages are at most
  `fake.page_size` long when that is set; `pageToken` must come from the same query (else 400).
  A stored event with `recurrence` is a series master: singleEvents=true expands it (with its
  exceptions: stored events with recurringEventId + originalStartTime) in
  tests/fakegoogle_series.py; other stored events pass as they are (already-expanded instances
  are fine). With singleEvents=false cancelled instances of a series stay listed (as Google's
  reference says). `fields` selects what the answer holds, as Google's partial response does
  (tests/fakegoogle_fields.py; a selection that cannot be read: 400). Unknown calendar: 404
  notFound.
- Sync tokens: the last page of a listing without timeMin/timeMax carries a `nextSyncToken`; a
  request with `syncToken` gets the items changed since (deleted ones as cancelled stubs), 400
  beside timeMin/timeMax/orderBy/q/updatedMin/iCalUID or showDeleted=false, and 410
  fullSyncRequired once `fake.expire_sync_tokens()` was called. `fake.api_bytes` /
  `fake.api_seconds` count the Calendar API's response bytes and answering time.
  Also `GET /calendar/v3/calendars/{id}` (calendars.get) and `/users/me/calendarList`
  (calendarList.list: like Google, only with a scope of LIST_SCOPES — the events scope gets 403
  insufficientPermissions; entries named by `fake.calendar_names`, pages of `maxResults`, at most
  250, default 100, with `pageToken`).
- `fake.fail_next(status, count, reason)` makes the next API calls fail with Google's error JSON.

Everything received is logged: `fake.requests` (method, path, query dict) for every request
(`fake.request_times`: when each arrived),
`fake.token_requests` (the form of each token-endpoint call), `fake.auth_requests` (the query of
each authorization request), `fake.revocations` (tokens revoked).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests import fakegoogle_fields as fields
from tests.fakegoogle_series import SYNC_RESTRICTIONS, SyncTokens, expand

CLIENT_ID = "test-client.apps.googleusercontent.com"
CLIENT_SECRET = "test-secret-XYZ"
SCOPE = "https://www.googleapis.com/auth/calendar.events.readonly"
CALENDAR_SCOPES = {
    SCOPE,
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.events",
}
SELF_EMAIL = "me@example.com"
# calendarList.list's scopes (Google's API reference); calendar.events.readonly is not one of them
LIST_SCOPE = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
LIST_SCOPES = {
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    LIST_SCOPE,
}

_STATUS_NAME = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_DEFAULT_REASON = {
    400: ("badRequest", "Bad Request"),
    401: ("authError", "Invalid Credentials"),
    403: ("forbidden", "Forbidden"),
    404: ("notFound", "Not Found"),
    429: ("rateLimitExceeded", "Rate Limit Exceeded"),
    500: ("backendError", "Backend Error"),
    502: ("backendError", "Bad Gateway"),
    503: ("backendError", "Service Unavailable"),
    504: ("backendError", "Deadline Exceeded"),
}
_REASON_MESSAGE = {
    "rateLimitExceeded": "Rate Limit Exceeded",
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "quotaExceeded": "Calendar usage limits exceeded.",
    "insufficientPermissions": "Request had insufficient authentication scopes.",
    "accessNotConfigured": "Google Calendar API has not been used in project 1234 before or it is disabled.",
}


def google_error(status: int, reason: str | None = None, message: str | None = None,
                 domain: str | None = None) -> dict:
    """Google's JSON error body for the Calendar API."""
    r, m = _DEFAULT_REASON.get(status, ("unknown", "Error"))
    reason = reason or r
    message = message or _REASON_MESSAGE.get(reason) or m
    if status == 401 and message == "Invalid Credentials":
        message = ("Request had invalid authentication credentials. Expected OAuth 2 access token, "
                   "login cookie or other valid authentication credential. See "
                   "https://developers.google.com/identity/sign-in/web/devconsole-project.")
    if domain is None:
        domain = "usageLimits" if "Limit" in reason or "quota" in reason else "global"
    err = {"message": message if status != 401 else "Invalid Credentials", "domain": domain,
           "reason": reason}
    if status == 401:
        err.update(location="Authorization", locationType="header")
    body = {"code": status, "message": message, "errors": [err]}
    if status in _STATUS_NAME:
        body["status"] = _STATUS_NAME[status]
    return {"error": body}


def _b64url_sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


def _is_loopback_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises on a bad port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _parse_rfc3339(text: str) -> datetime:
    t = datetime.fromisoformat(text.replace("z", "Z"))
    if t.tzinfo is None:
        raise ValueError("no UTC offset")
    return t


class FakeGoogle:
    """Fake Google OAuth + Calendar v3 on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET

        # calendar data: id -> events in Calendar v3 JSON; time zone of each calendar (all-day)
        self.calendars: dict[str, list[dict]] = {}
        self.calendar_time_zones: dict[str, str] = {}
        self.calendar_names: dict[str, str] = {}  # id -> summary in the calendar list (else the id)
        self.self_email = SELF_EMAIL

        # knobs
        self.expires_in = 3600
        self.page_size: int | None = None  # a page is at most this long (None: maxResults)
        self.deny_consent = False
        self.consented_before = False
        self.delay = 0.0  # seconds every API response is held back (for timeout tests)
        self.in_flight = self.most_in_flight = 0  # API requests being answered: now, at most
        self.sync_tokens = SyncTokens()

        # logs
        self.requests: list[tuple[str, str, dict]] = []
        self.request_times: list[datetime] = []  # when each of `requests` arrived (aware UTC)
        self.token_requests: list[dict] = []
        self.auth_requests: list[dict] = []
        self.revocations: list[str] = []
        self.errors: list[str] = []
        self.api_bytes = 0  # bytes of Calendar API response bodies sent
        self.api_seconds = 0.0  # time spent answering Calendar API calls (for benchmarks)

        # state
        self._codes: dict[str, dict] = {}
        self._refresh: dict[str, dict] = {}  # token -> {scope, client_id, revoked}
        self._access: dict[str, dict] = {}  # token -> {scope, expires_at, refresh, revoked}
        self._failures: list[dict] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False  # kept-alive client connections must not hold stop()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-google", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> "FakeGoogle":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------------

    @property
    def auth_uri(self) -> str:
        return self.base_url + "/o/oauth2/auth"

    @property
    def token_uri(self) -> str:
        return self.base_url + "/token"

    @property
    def revoke_uri(self) -> str:
        return self.base_url + "/revoke"

    @property
    def api_endpoint(self) -> str:
        """The value for `[google] api_endpoint` (client_options api_endpoint)."""
        return self.base_url + "/calendar/v3/"

    def client_config(self) -> dict:
        return {
            "installed": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
                "revoke_uri": self.revoke_uri,
                "redirect_uris": ["http://localhost"],
            }
        }

    def write_client_secrets(self, path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(self.client_config(), indent=2), encoding="utf-8")
        return p

    # -- tokens -------------------------------------------------------------------------------

    def issue_refresh_token(self, scope: str = SCOPE) -> str:
        """A refresh token as if the user had signed in (for building Credentials directly)."""
        rt = "1//fake-refresh-" + secrets.token_urlsafe(24)
        with self._lock:
            self._refresh[rt] = {"scope": scope, "client_id": self.client_id, "revoked": False}
        return rt

    def issue_access_token(self, refresh_token: str | None = None, scope: str = SCOPE,
                           expires_in: int | None = None) -> str:
        at = "ya29.fake-access-" + secrets.token_urlsafe(24)
        with self._lock:
            if refresh_token is not None:
                scope = self._refresh[refresh_token]["scope"]
            self._access[at] = {
                "scope": scope,
                "expires_at": time.time() + (self.expires_in if expires_in is None else expires_in),
                "refresh": refresh_token,
                "revoked": False,
            }
        return at

    def revoke_all(self) -> None:
        """Every refresh and access token issued so far stops working (user removed access)."""
        with self._lock:
            for r in self._refresh.values():
                r["revoked"] = True
            for a in self._access.values():
                a["revoked"] = True

    def expire_all_access(self) -> None:
        """Every access token issued so far is expired (refresh tokens still work)."""
        with self._lock:
            for a in self._access.values():
                a["expires_at"] = 0.0

    def expire_sync_tokens(self) -> None:
        """Every sync token issued so far gets 410 Gone (fullSyncRequired) from now on."""
        with self._lock:
            self.sync_tokens.expire_all()

    def is_revoked(self, token: str) -> bool:
        with self._lock:
            info = self._refresh.get(token) or self._access.get(token)
            return bool(info and info["revoked"])

    def secrets_issued(self) -> list[str]:
        """Every token, code and the client secret: strings that must never reach a log line."""
        with self._lock:
            return [self.client_secret, *self._refresh, *self._access, *self._codes]

    @property
    def grants(self) -> list[str]:
        """The grant_type of each token-endpoint call, in order."""
        return [r.get("grant_type", "") for r in self.token_requests]

    # -- failures -----------------------------------------------------------------------------

    def fail_next(self, status: int, count: int = 1, reason: str | None = None,
                  message: str | None = None, where: str = "/calendar/",
                  headers: dict | None = None) -> None:
        """The next `count` requests whose path starts with `where` get `status` with Google's error
        JSON (`reason` e.g. rateLimitExceeded / userRateLimitExceeded for 403 and 429).
        `where="/token"` fails the token endpoint instead (OAuth error JSON)."""
        with self._lock:
            self._failures.append({"status": status, "count": count, "reason": reason,
                                   "message": message, "where": where, "headers": headers or {}})

    def _take_failure(self, path: str) -> dict | None:
        with self._lock:
            for f in self._failures:
                if path.startswith(f["where"]) and f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        self._failures.remove(f)
                    return f
        return None

    # -- the OAuth endpoints ------------------------------------------------------------------

    def _error(self, why: str) -> str:
        with self._lock:
            self.errors.append(why)
        return why

    def authorize(self, q: dict) -> tuple[int, dict, bytes]:
        """GET /o/oauth2/auth: returns (status, headers, body)."""
        with self._lock:
            self.auth_requests.append(dict(q))

        def bad(why: str):
            return 400, {"Content-Type": "text/plain; charset=utf-8"}, (
                "Error 400: invalid_request\n" + self._error(why)).encode()

        if q.get("client_id") != self.client_id:
            return 401, {"Content-Type": "text/plain; charset=utf-8"}, (
                "Error 401: invalid_client\n" + self._error("The OAuth client was not found.")).encode()
        redirect = q.get("redirect_uri", "")
        if not _is_loopback_redirect(redirect):
            return bad(f"redirect_uri_mismatch: {redirect!r} is not a loopback http address")
        if q.get("response_type") != "code":
            return bad(f"response_type must be 'code', got {q.get('response_type')!r}")
        if not q.get("code_challenge"):
            return bad("code_challenge is missing (PKCE is required)")
        if q.get("code_challenge_method") != "S256":
            return bad(f"code_challenge_method must be S256, got {q.get('code_challenge_method')!r}")
        if not q.get("state"):
            return bad("state is missing")
        scopes = set((q.get("scope") or "").split())
        if SCOPE not in scopes:
            return bad(f"scope must contain {SCOPE}, got {q.get('scope')!r}")

        sep = "&" if "?" in redirect else "?"
        if self.deny_consent:
            loc = redirect + sep + urlencode({"error": "access_denied", "state": q["state"]})
            return 302, {"Location": loc, "Content-Length": "0"}, b""
        code = "4/fake-code-" + secrets.token_urlsafe(16)
        with self._lock:
            want_refresh = q.get("access_type") == "offline" and (
                not self.consented_before or "consent" in (q.get("prompt") or "").split())
            self.consented_before = True
            self._codes[code] = {
                "client_id": q["client_id"],
                "redirect_uri": redirect,
                "challenge": q["code_challenge"],
                "scope": q["scope"],
                "refresh": want_refresh,
                "used": False,
            }
        loc = redirect + sep + urlencode({"state": q["state"], "code": code, "scope": q["scope"]})
        return 302, {"Location": loc, "Content-Length": "0"}, b""

    def consent(self, auth_url: str) -> str:
        """Plays the browser: sends the authorization request and returns the redirect address
        (the one the browser would load on the app's loopback server). Raises on a 4xx."""
        import urllib.error
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(auth_url, timeout=10)
        except urllib.error.HTTPError as e:  # 302 is an "error" without redirects
            if e.code == 302:
                return e.headers["Location"]
            raise
        raise AssertionError("the authorization endpoint did not redirect")

    def token(self, form: dict, basic: tuple[str, str] | None) -> tuple[int, dict]:
        """POST /token: returns (status, JSON body)."""
        with self._lock:
            self.token_requests.append(dict(form))
        client_id = form.get("client_id")
        client_secret = form.get("client_secret")
        if basic:
            client_id, client_secret = basic
        if client_id != self.client_id:
            self._error(f"token: unknown client_id {client_id!r}")
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
        if client_secret != self.client_secret:
            self._error("token: wrong client_secret")
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        grant = form.get("grant_type")
        with self._lock:
            if grant == "authorization_code":
                return self._code_grant(form)
            if grant == "refresh_token":
                return self._refresh_grant(form)
        self._error(f"token: unsupported grant_type {grant!r}")
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}

    def _code_grant(self, form: dict) -> tuple[int, dict]:
        code = form.get("code", "")
        info = self._codes.get(code)
        if info is None or info["used"]:
            self._error("token: unknown or already used code")
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        info["used"] = True
        if form.get("redirect_uri") != info["redirect_uri"]:
            self._error(f"token: redirect_uri {form.get('redirect_uri')!r} differs from "
                        f"the authorization request's {info['redirect_uri']!r}")
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        verifier = form.get("code_verifier")
        if not verifier:
            self._error("token: code_verifier missing")
            return 400, {"error": "invalid_grant", "error_description": "Missing code verifier."}
        if _b64url_sha256(verifier) != info["challenge"]:
            self._error("token: code_verifier does not match code_challenge")
            return 400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
        body = {"expires_in": self.expires_in, "scope": info["scope"], "token_type": "Bearer"}
        if info["refresh"]:
            rt = self.issue_refresh_token(info["scope"])
            body["refresh_token"] = rt
            body["access_token"] = self.issue_access_token(rt)
        else:
            body["access_token"] = self.issue_access_token(None, info["scope"])
        body = {"access_token": body.pop("access_token"), **body}
        return 200, body

    def _refresh_grant(self, form: dict) -> tuple[int, dict]:
        rt = form.get("refresh_token", "")
        info = self._refresh.get(rt)
        if info is None or info["revoked"] or info["client_id"] != self.client_id:
            self._error("token: refresh token unknown or revoked")
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        asked = set((form.get("scope") or "").split())
        if asked and not asked <= set(info["scope"].split()):
            self._error(f"token: scope {form.get('scope')!r} was not granted")
            return 400, {"error": "invalid_scope",
                         "error_description": "Some requested scopes were invalid."}
        at = self.issue_access_token(rt)
        return 200, {"access_token": at, "expires_in": self.expires_in, "scope": info["scope"],
                     "token_type": "Bearer"}

    def revoke(self, token: str) -> tuple[int, dict]:
        with self._lock:
            self.revocations.append(token)
            if token in self._refresh:
                self._refresh[token]["revoked"] = True
                for a in self._access.values():
                    if a["refresh"] == token:
                        a["revoked"] = True
                return 200, {}
            if token in self._access:
                a = self._access[token]
                a["revoked"] = True
                if a["refresh"]:  # Google also revokes the refresh token behind an access token
                    return self.revoke(a["refresh"])
                return 200, {}
        self._error("revoke: unknown token")
        return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}

    # -- the Calendar API ---------------------------------------------------------------------

    def _check_bearer(self, header: str, needed: set[str] = CALENDAR_SCOPES) -> tuple[int, dict] | None:
        if not header.startswith("Bearer "):
            return 401, google_error(401)
        token = header[len("Bearer "):].strip()
        with self._lock:
            info = self._access.get(token)
            if info is None or info["revoked"] or info["expires_at"] <= time.time():
                return 401, google_error(401)
            scopes = set(info["scope"].split())
        if not scopes & needed:
            return 403, google_error(403, "insufficientPermissions")
        return None

    def _zone(self, calendar_id: str):
        return ZoneInfo(self.calendar_time_zones.get(calendar_id, "UTC"))

    def _instant(self, calendar_id: str, when: dict) -> datetime:
        if "dateTime" in when:
            t = datetime.fromisoformat(when["dateTime"])
            if t.tzinfo is None:
                t = t.replace(tzinfo=ZoneInfo(when.get("timeZone") or "UTC"))
            return t
        d = date.fromisoformat(when["date"])
        return datetime(d.year, d.month, d.day, tzinfo=self._zone(calendar_id))

    def calendar_api(self, method: str, path: str, q: dict, auth: str) -> tuple[int, dict, dict]:
        """GET /calendar/v3/…: returns (status, headers, JSON body)."""
        failure = self._take_failure(path)
        if failure is not None:
            return failure["status"], failure["headers"], google_error(
                failure["status"], failure["reason"], failure["message"])
        parts = [unquote(p) for p in path[len("/calendar/v3/"):].split("/")]
        listing = parts[:3] == ["users", "me", "calendarList"] and len(parts) == 3
        denied = self._check_bearer(auth, LIST_SCOPES if listing else CALENDAR_SCOPES)
        if denied is not None:
            return denied[0], {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}, denied[1]
        if method != "GET":
            return 405, {}, google_error(400, "badRequest", "Method not allowed in this fake")
        if listing:
            return self._calendar_list(q)
        if len(parts) < 2 or parts[0] != "calendars":
            return 404, {}, google_error(404)
        cal = parts[1]
        with self._lock:
            originals = self.calendars.get(cal)
            originals = None if originals is None else list(originals)
            events = None if originals is None else [dict(e) for e in originals]
        if events is None:
            return 404, {}, google_error(404)
        tz = self.calendar_time_zones.get(cal, "UTC")
        if len(parts) == 2:
            return 200, {}, {"kind": "calendar#calendar", "id": cal, "summary": cal, "timeZone": tz}
        if len(parts) != 3 or parts[2] != "events":
            return 404, {}, google_error(404)
        return self._list_events(cal, events, q, originals)

    def _calendar_list(self, q: dict) -> tuple[int, dict, dict]:
        with self._lock:
            items = [{"kind": "calendar#calendarListEntry", "id": c,
                      "summary": self.calendar_names.get(c, c),
                      "timeZone": self.calendar_time_zones.get(c, "UTC"), "accessRole": "owner",
                      **({"primary": True} if c == "primary" else {})} for c in self.calendars]
        try:
            size = min(int(q.get("maxResults") or 100), 250)
            start = int(q.get("pageToken") or 0)
        except ValueError:
            return 400, {}, google_error(400, "invalid", "Invalid value")
        body = {"kind": "calendar#calendarList", "items": items[start:start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return 200, {}, body

    def _list_events(self, cal: str, events: list[dict], q: dict,
                     originals: list[dict] | None = None) -> tuple[int, dict, dict]:
        def bad(msg: str, reason: str = "badRequest"):
            return 400, {}, google_error(400, reason, msg)

        try:
            tmin = _parse_rfc3339(q["timeMin"]) if "timeMin" in q else None
            tmax = _parse_rfc3339(q["timeMax"]) if "timeMax" in q else None
        except ValueError:
            return bad("Bad Request", "invalid")
        if tmin and tmax and tmax <= tmin:
            return bad("The specified time range is empty.", "timeRangeEmpty")
        single = q.get("singleEvents", "false") == "true"
        order = q.get("orderBy")
        sync_token = q.get("syncToken")
        refused = self._refuse_sync_token(cal, q) if sync_token is not None else None
        if refused is not None:
            return refused
        if order == "startTime" and not single:
            return bad("The requested ordering is not available for the particular query.")
        if order not in (None, "startTime", "updated"):
            return bad(f"Invalid value for orderBy: {order}", "invalid")
        max_results = _max_results(q)
        if max_results is None:
            return bad("Invalid value for maxResults", "invalid")
        show_deleted = q.get("showDeleted", "false") == "true"
        if single:
            until = tmax or datetime(2100, 1, 1, tzinfo=timezone.utc)
            events = expand(events, until, self._zone(cal))
            originals = None
        if sync_token is not None:
            with self._lock:
                items = self.sync_tokens.changes(sync_token, events, originals)
        else:
            items = self._filter(cal, events, tmin, tmax, order, show_deleted, single)

        query_key = hashlib.sha256(json.dumps(
            {k: v for k, v in sorted(q.items()) if k not in ("pageToken", "fields", "key")}
        ).encode()).hexdigest()[:12]
        offset = 0
        if q.get("pageToken"):
            try:
                tok = json.loads(base64.urlsafe_b64decode(q["pageToken"] + "=" * (-len(q["pageToken"]) % 4)))
                offset, key = int(tok["o"]), tok["k"]
            except Exception:
                return bad("Invalid page token value.", "invalid")
            if key != query_key:
                return bad("The page token was issued for a different query.", "invalid")
        size = min(max_results, self.page_size or max_results)
        body = self._page_body(cal, items[offset:offset + size])
        if offset + size < len(items):
            body["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps({"o": offset + size, "k": query_key}).encode()).rstrip(b"=").decode()
        elif tmin is None and tmax is None:
            with self._lock:
                body["nextSyncToken"] = self.sync_tokens.issue(cal, events, originals)
        else:  # a bounded listing's token is never used by the app: here it is refused
            body["nextSyncToken"] = "fake-sync-" + query_key
        return 200, {}, body

    def _page_body(self, cal: str, page: list[dict]) -> dict:
        return {
            "kind": "calendar#events",
            "etag": '"p3" ',
            "summary": cal if cal != "primary" else self.self_email,
            "description": "",
            "updated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "timeZone": self.calendar_time_zones.get(cal, "UTC"),
            "accessRole": "owner",
            "defaultReminders": [],
            "items": page,
        }

    def _refuse_sync_token(self, cal: str, q: dict) -> tuple[int, dict, dict] | None:
        """Google's answer to a syncToken it does not take (400, or 410 when expired)."""
        if any(k in q for k in SYNC_RESTRICTIONS):
            return 400, {}, google_error(400, "syncTokenWithRequestRestrictions",
                                         "Sync token cannot be used with other request restrictions.")
        if q.get("showDeleted") == "false":
            return 400, {}, google_error(400, "invalid", "Sync token cannot be used with showDeleted=false.")
        with self._lock:
            state = self.sync_tokens.state(q["syncToken"], cal)
        if state == "expired":
            return 410, {}, google_error(410, "fullSyncRequired",
                                         "Sync token is no longer valid, a full sync is required.")
        if state != "ok":
            return 400, {}, google_error(400, "invalid", "Invalid sync token value.")
        return None

    def _filter(self, cal: str, events: list[dict], tmin, tmax, order, show_deleted: bool,
                single: bool) -> list[dict]:
        chosen = []
        for e in events:
            # Google: cancelled instances of a series stay in a singleEvents=false listing
            keep_stub = not single and e.get("recurringEventId")
            if e.get("status") == "cancelled" and not show_deleted and not keep_stub:
                continue
            if "start" not in e or e.get("recurrence"):  # stubs, and masters: any time
                chosen.append((datetime.min.replace(tzinfo=timezone.utc), e))
                continue
            try:
                s, en = self._instant(cal, e["start"]), self._instant(cal, e.get("end", e["start"]))
            except (KeyError, TypeError, ValueError):  # deliberately broken test data: pass it on
                chosen.append((datetime.min.replace(tzinfo=timezone.utc), e))
                continue
            if tmin and not en > tmin:
                continue
            if tmax and not s < tmax:
                continue
            chosen.append((s, e))
        if order == "startTime":
            chosen.sort(key=lambda p: p[0])
        return [e for _, e in chosen]


def _max_results(q: dict) -> int | None:
    """maxResults (default 250, at most 2500); None when invalid."""
    try:
        n = int(q.get("maxResults", "250"))
    except ValueError:
        return None
    return min(n, 2500) if n >= 1 else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeGoogle

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle + the client's delayed ACK
        # add ~40 ms to every response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None,
              content_type: str = "application/json; charset=UTF-8") -> None:
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", content_type)
        headers["Content-Length"] = str(len(body))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj, headers: dict | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), headers)

    def _split(self) -> tuple[str, dict]:
        parts = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.fake._lock:  # logged with the path decoded (calendar ids hold '@')
            self.fake.requests.append((self.command, unquote(parts.path), dict(q)))
            self.fake.request_times.append(datetime.now(timezone.utc))
        return parts.path, q

    def _body_form(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def _basic(self) -> tuple[str, str] | None:
        h = self.headers.get("Authorization") or ""
        if not h.lower().startswith("basic "):
            return None
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return None
        from urllib.parse import unquote_plus

        return unquote_plus(user), unquote_plus(pw)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _crash(self, e: Exception) -> None:
        self.fake._error(f"fake crashed on {self.command} {self.path.split('?')[0]}: {e!r}")
        try:
            self._json(500, google_error(500, "backendError", f"fake crashed: {e!r}"))
        except OSError:
            pass

    def do_GET(self) -> None:
        try:
            self._do_GET()
        except Exception as e:
            self._crash(e)

    def do_POST(self) -> None:
        try:
            self._do_POST()
        except Exception as e:
            self._crash(e)

    def _do_GET(self) -> None:
        path, q = self._split()
        fake = self.fake
        if path == "/o/oauth2/auth":
            status, headers, body = fake.authorize(q)
            self._send(status, body, headers, content_type="text/plain; charset=utf-8")
            return
        if path.startswith("/calendar/v3/"):
            with fake._lock:
                fake.in_flight += 1
                fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
            try:
                self._api_get(path, q)
            finally:
                with fake._lock:
                    fake.in_flight -= 1
            return
        self._json(404, google_error(404))

    def _api_get(self, path: str, q: dict) -> None:
        fake = self.fake
        if fake.delay:
            time.sleep(fake.delay)
        t0 = time.perf_counter()
        status, headers, body = fake.calendar_api("GET", path, q, self.headers.get("Authorization") or "")
        if status == 200 and q.get("fields"):  # a partial response, as Google sends it
            try:
                body = fields.select(body, fields.parse(q["fields"]))
            except ValueError:
                status, body = 400, google_error(400, "invalid", f"Invalid field selection {q['fields']}")
        data = json.dumps(body).encode()
        with fake._lock:
            fake.api_seconds += time.perf_counter() - t0
            fake.api_bytes += len(data)
        self._send(status, data, headers)

    def _do_POST(self) -> None:
        path, q = self._split()
        fake = self.fake
        form = self._body_form()
        if path == "/token":
            failure = fake._take_failure(path)
            if failure is not None:
                self._json(failure["status"], {"error": failure["reason"] or "internal_failure",
                                               "error_description": failure["message"] or "Backend Error"},
                           failure["headers"])
                return
            status, body = fake.token(form, self._basic())
            self._json(status, body, {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"})
            return
        if path == "/revoke":
            token = q.get("token") or form.get("token") or ""
            status, body = fake.revoke(token)
            self._json(status, body)
            return
        if path.startswith("/calendar/v3/"):
            status, headers, body = fake.calendar_api("POST", path, q, self.headers.get("Authorization") or "")
            self._json(status, body, headers)
            return
        self._json(404, google_error(404))


# -- builders -----------------------------------------------------------------------------------


def _when(t, tz: str | None) -> dict:
    if isinstance(t, str):
        t = datetime.fromisoformat(t) if "T" in t else date.fromisoformat(t)
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=ZoneInfo(tz or "UTC"))
        elif tz:
            t = t.astimezone(ZoneInfo(tz))
        d = {"dateTime": t.isoformat()}
        if tz:
            d["timeZone"] = tz
        return d
    return {"date": t.isoformat()}


def gevent(
    id: str,
    summary: str | None = "Webinar",
    start: datetime | date | str = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc),
    end: datetime | date | str | None = None,
    *,
    tz: str | None = None,
    status: str = "confirmed",
    location: str | None = None,
    description: str | None = None,
    organizer: str | None = "organizer@example.com",
    attendees: list[dict] | None = None,
    self_response: str | None = None,
    hangout_link: str | None = None,
    video: str | list[str] | None = None,
    event_type: str = "default",
    recurring_event_id: str | None = None,
    original_start: datetime | date | str | None = None,
    **extra,
) -> dict:
    """One event in Google Calendar API v3 JSON, as `events.list` returns it.

    `start`/`end`: an aware datetime (shown in `tz` when given, like Google shows times in the
    event's zone), a naive datetime (taken in `tz`, default UTC), a date (all-day) or an ISO
    string. `end` defaults to start + 1 h (or + 1 day). `video`: conference entry point URIs
    (a phone entry point is added too, as Meet does). `self_response`: adds the calendar owner as
    an attendee with `self: true` and that responseStatus."""
    if isinstance(start, str):
        start = datetime.fromisoformat(start) if "T" in start else date.fromisoformat(start)
    if end is None:
        end = start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))
    ev: dict = {
        "kind": "calendar#event",
        "etag": f'"{abs(hash(id)) % 10**15}"',
        "id": id,
        "status": status,
        "htmlLink": f"https://www.google.com/calendar/event?eid={id}",
        "created": "2026-01-01T00:00:00.000Z",
        "updated": "2026-01-02T00:00:00.000Z",
        "start": _when(start, tz),
        "end": _when(end, tz),
        "iCalUID": f"{recurring_event_id or id}@google.com",
        "sequence": 0,
        "eventType": event_type,
    }
    if summary is not None:
        ev["summary"] = summary
    if location is not None:
        ev["location"] = location
    if description is not None:
        ev["description"] = description
    if organizer is not None:
        ev["organizer"] = {"email": organizer}
        ev["creator"] = {"email": organizer}
    people = list(attendees or [])
    if self_response is not None:
        people.append({"email": SELF_EMAIL, "self": True, "responseStatus": self_response})
    if people:
        ev["attendees"] = people
    if hangout_link:
        ev["hangoutLink"] = hangout_link
    if video:
        uris = [video] if isinstance(video, str) else list(video)
        eps = [{"entryPointType": "video", "uri": u, "label": urlsplit(u).netloc + urlsplit(u).path}
               for u in uris]
        eps.append({"entryPointType": "phone", "uri": "tel:+1-555-0100", "label": "+1 555-0100",
                    "pin": "123456"})
        ev["conferenceData"] = {
            "entryPoints": eps,
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
            "conferenceId": "abc-defg-hij",
        }
    if recurring_event_id:
        ev["recurringEventId"] = recurring_event_id
        ev["originalStartTime"] = _when(original_start if original_start is not None else start, tz)
    ev.update(extra)
    return ev


# -- pytest fixture ----------------------------------------------------------------------------


@pytest.fixture
def fake_google():
    """A started FakeGoogle; stopped after the test."""
    fake = FakeGoogle()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


__all__ = ["CLIENT_ID", "CLIENT_SECRET", "LIST_SCOPE", "LIST_SCOPES", "SCOPE", "SELF_EMAIL", "FakeGoogle",
           "fake_google", "gevent", "google_error"]
