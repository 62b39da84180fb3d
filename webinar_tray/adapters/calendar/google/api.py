"""Google Calendar as a CalendarSource: `events.list` (Calendar API v3) through
google-api-python-client, mapped to CalendarEvent (mapping.py).

- By default a fetch brings a local mirror of the calendar up to date with Google's sync token
  and lists the window from it (sync.py, whose docstring holds Google's documented rules on
  syncToken, singleEvents and 410 Gone with their addresses; mirror.py; expand.py). With
  `incremental=False` (and for doctor's probe) it lists the window itself: singleEvents=true,
  orderBy=startTime, timeMin/timeMax, every instance at every fetch.

- googleapiclient (~27 MB of imports) is imported only when the first fetch happens, never when
  this module is imported, so an idle app that never refreshes does not pay for it.
- httplib2 is not thread-safe: every thread asks through its own connection (threading.local,
  `execute(http=…)`) with the one service object of the sign-in (service.shared_events); both
  are made again when the credentials callable hands out a different Credentials object
  (after a new `login`).
- `.execute(num_retries=0)` with our own retry loop: exponential backoff with jitter on 5xx, 429,
  403 rate limits and network errors; then SourceError. A failed token refresh
  (google.auth RefreshError, which surfaces from inside `.execute()`) or a 401 that survives the
  refresh google-auth-httplib2 already does becomes SignInNeeded.
- Tokens never reach a message or a log line: errors are described by status and Google's
  reason, never by str() of a library exception.
"""

from __future__ import annotations

import http.client
import logging
import random
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from webinar_tray.adapters.calendar.google.mapping import aware as _aware
from webinar_tray.adapters.calendar.google.mapping import to_event
from webinar_tray.adapters.calendar.google.mirror import account_fingerprint
from webinar_tray.adapters.calendar.google.service import authorized_http, in_flight, shared_events
from webinar_tray.adapters.calendar.google.sync import FullSyncRequired, GoogleSync
from webinar_tray.core.events import CalendarEvent
from webinar_tray.ports import Deadline, SignInNeeded, SourceError

if TYPE_CHECKING:  # pragma: no cover
    from google.oauth2.credentials import Credentials

log = logging.getLogger(__name__)

# The fields we read; asking only for these keeps pages small (descriptions can be large).
# `recurrence` only comes with series masters (the mirror's full sync, singleEvents=false).
EVENT_FIELDS = (
    "id,status,summary,location,description,start,end,organizer(email),"
    "attendees(email,self,responseStatus),hangoutLink,"
    "conferenceData(entryPoints(entryPointType,uri)),eventType,recurringEventId,originalStartTime,"
    "recurrence"
)
# The mirror's listing (full and incremental sync): the sync token and the calendar's zone too.
LIST_FIELDS = f"nextPageToken,nextSyncToken,summary,timeZone,items({EVENT_FIELDS})"
# The windowed listing (singleEvents=true), kept for `incremental=False` and doctor's probe.
WINDOW_FIELDS = f"nextPageToken,summary,items({EVENT_FIELDS})"

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})
MAX_PAGES = 200  # 200 pages of up to 2500 events: a runaway nextPageToken loop stops here
MAX_RETRY_AFTER = 60.0  # seconds: a larger Retry-After is capped

SIGN_IN_HINT = (
    "Google no longer accepts the saved sign-in (access was revoked, the password changed, or the "
    "OAuth client is in \"Testing\" publishing status, whose sign-ins expire after 7 days). "
    "Run `webinar-tray login` to sign in again."
)


class _Transient(Exception):
    """One attempt failed in a way worth retrying; `why` is safe to show."""

    def __init__(self, why: str, retry_after: float | None = None):
        super().__init__(why)
        self.why = why
        self.retry_after = retry_after


class GoogleCalendarSource:
    """A CalendarSource reading one Google calendar through the Calendar API v3."""

    def __init__(
        self,
        calendar_id: str,
        credentials: Callable[[], "Credentials"],
        api_endpoint: str,
        *,
        page_size: int = 2500,  # Google's most: one request for most calendars
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        show_deleted: bool = False,
        incremental: bool = True,
        mirror_file: Path | None = None,
        helper=None,
    ) -> None:
        self.calendar_id = calendar_id
        self.name = f"Google Calendar {calendar_id}"
        self.key = f"google:{calendar_id}"
        self._credentials = credentials
        self.api_endpoint = api_endpoint
        self.page_size = max(1, min(int(page_size), 2500))
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self._sleep = sleep
        self.timeout = timeout
        # Google hides cancelled events unless showDeleted=true; with it, events the organizer
        # cancelled come back with status "cancelled" (and the planner says "cancelled").
        self.show_deleted = show_deleted
        self._local = threading.local()
        # The Google helper process (helper_client.GoogleHelper) that asks for the pages, or
        # None: this process asks (it then imports the Google client libraries).
        self._helper = helper
        self.calendar_name = ""
        self._memo: dict = {}  # what one fetch's events share (mapping.to_event)
        # The mirror and its sync token (sync.py); without it every fetch lists the window.
        self._sync = GoogleSync(self, mirror_file) if incremental else None

    def owner(self) -> str:
        """Which sign-in the mirror belongs to (a fingerprint, never the token)."""
        return account_fingerprint(getattr(self._credentials(), "refresh_token", None))

    # -- the service object, one per process; a connection per thread ----------------------

    def _service(self):
        """(the sign-in's `events()`, this thread's connection): the service is shared
        (service.shared_events), the connection is the thread's own (`_local.http`: httplib2
        is not thread-safe); both made again for a new sign-in."""
        creds = self._credentials()
        local = self._local
        if getattr(local, "creds", None) is not creds or getattr(local, "http", None) is None:
            local.http = authorized_http(creds, self.timeout)
            local.creds = creds
        local.service, events = shared_events(creds, self.api_endpoint, self.timeout)
        return events, local.http

    # -- fetch -------------------------------------------------------------------------------

    def fetch(self, start: datetime, end: datetime, deadline: Deadline | None = None) -> list[CalendarEvent]:
        """Events overlapping [start, end); `deadline` checked between pages and retries."""
        start, end = _aware(start), _aware(end)
        t0 = time.monotonic()
        try:
            if self._sync is None:
                items = self.list_window(start, end, deadline)
                events = [ev for ev in map(self._to_event, items) if ev is not None]
            else:
                events = self._sync.events(start, end, self._to_event, deadline)
        finally:
            self._memo = {}  # the events keep what they share
        log.debug("%s: %d events in %.2f s", self.name, len(events), time.monotonic() - t0)
        return events

    @property
    def keeps_events(self) -> bool:
        """Whether the events of the last fetch are saved by this source (its mirror file), so
        the store keeps no copy of them (`cached` lists them again)."""
        return self._sync is not None and self._sync.saved()

    def cached(self, start: datetime, end: datetime, owner: str | None = None) -> list[CalendarEvent] | None:
        """[start, end) as the saved mirror holds it, contacting nothing; None without a mirror
        file (the store's rows are then this calendar's cache). `owner`: the sign-in to read
        it as, when not this source's own (account.NotSignedIn)."""
        if self._sync is None or self._sync.path is None:
            return None
        try:
            return self._sync.cached(_aware(start), _aware(end), self._to_event, owner)
        finally:
            self._memo = {}  # the events keep what they share

    def _to_event(self, item: dict) -> CalendarEvent | None:
        try:
            return to_event(self.calendar_id, item, self.calendar_name, self._memo)
        except Exception as e:  # one bad event must not hide the others
            log.warning("%s: skipped event %s: %s", self.name, _event_id(item), _short(e))
            return None

    def list_window(self, start: datetime, end: datetime, deadline: Deadline | None = None,
                    max_pages: int = MAX_PAGES) -> list[dict]:
        """The windowed listing: every instance in [start, end), series expanded by Google
        (`singleEvents=true`, `orderBy=startTime`). The source's path without a mirror."""
        params: dict[str, Any] = dict(timeMin=start.isoformat(), timeMax=end.isoformat(),
                                      singleEvents=True, orderBy="startTime", fields=WINDOW_FIELDS)
        if self.show_deleted:
            params["showDeleted"] = True
        items, _ = self.list_pages(params, deadline, max_pages)
        return items

    def list_pages(self, params: dict, deadline: Deadline | None = None,
                   max_pages: int = MAX_PAGES, progress: dict | None = None) -> tuple[list[dict], dict]:
        """events.list with `params`, page after page: (items, the last page). `progress`
        ({"items": [...], "token": ...}) resumes a listing cut short and records how far this
        one got, so a listing longer than one deadline completes over several fetches."""
        progress = progress if progress is not None else {}
        items: list[dict] = progress.setdefault("items", [])
        token: str | None = progress.get("token")
        pages = 0
        while True:
            page = self._page(dict(params, pageToken=token) if token else params, deadline)
            pages += 1
            if isinstance(page.get("summary"), str):
                self.calendar_name = page["summary"]
            items.extend(page.get("items") or [])
            token = progress["token"] = page.get("nextPageToken")
            if not token:
                return items, page
            if pages >= max_pages:
                if max_pages == MAX_PAGES:
                    log.warning("%s: stopped after %d pages of events", self.name, pages)
                return items, {k: v for k, v in page.items() if k != "nextSyncToken"}

    def _page(self, params: dict, deadline: Deadline | None = None) -> dict:
        attempt = 0
        while True:
            if deadline is not None:
                deadline.check()
            try:
                with in_flight(deadline):
                    if self._helper is not None:  # the same page, asked for by the helper process
                        return self._helper.call(self.name, self.calendar_id, params, self.page_size,
                                                 deadline)
                    return self._page_once(params)
            except _Transient as t:
                if attempt >= self.retries:
                    raise SourceError(f"{self.name}: {t.why} (gave up after {attempt + 1} tries)") from None
                delay = self.backoff * (2 ** attempt) + random.uniform(0, self.backoff)
                if t.retry_after is not None:
                    delay = max(delay, min(t.retry_after, MAX_RETRY_AFTER))
                if deadline is not None and delay >= deadline.remaining():
                    raise SourceError(f"{self.name}: {t.why} (no time left for another try before "
                                      f"the {deadline.seconds:g} s deadline)") from None
                attempt += 1
                log.info("%s: %s; retry %d of %d in %.1f s", self.name, t.why, attempt,
                         self.retries, delay)
                self._sleep(delay)

    def _page_once(self, params: dict) -> dict:
        import httplib2
        from google.auth.exceptions import RefreshError, TransportError
        from googleapiclient.errors import HttpError

        try:
            kwargs = dict(params, calendarId=self.calendar_id, maxResults=self.page_size)
            events, conn = self._service()
            return events.list(**kwargs).execute(http=conn, num_retries=0)
        except HttpError as e:
            raise self._http_error(e) from None
        except RefreshError as e:
            if getattr(e, "retryable", False):
                raise _Transient("Google's sign-in service is not answering") from None
            code = _refresh_error_code(e)
            log.warning("%s: the token refresh was refused (%s)", self.name, code or "no reason given")
            raise SignInNeeded(f"{self.name}: {SIGN_IN_HINT}") from None
        except TransportError:
            raise _Transient("cannot reach Google's sign-in service") from None
        except (TimeoutError, OSError, httplib2.HttpLib2Error, http.client.HTTPException) as e:
            raise _Transient(f"network error ({type(e).__name__})") from None

    def _http_error(self, e) -> Exception:
        status = e.resp.status
        reason, message = _google_reason(e)
        retry_after = _retry_after(e.resp)
        if status == 410:  # the sync token expired (reason fullSyncRequired): sync.py starts over
            return FullSyncRequired(f"{self.name}: Google asks for a full sync ({reason or 'HTTP 410'})")
        if status == 401:
            return SignInNeeded(f"{self.name}: {SIGN_IN_HINT}")
        if status == 403 and reason in SCOPE_REASONS:
            return SignInNeeded(
                f"{self.name}: the saved sign-in does not allow reading the calendar. "
                "Run `webinar-tray login` to sign in again and grant calendar access.")
        if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS) or status >= 500:
            return _Transient(f"HTTP {status} {reason or message or 'error'}".strip(), retry_after)
        if status == 404:
            return SourceError(
                f"{self.name}: calendar '{self.calendar_id}' not found or not shared with this "
                "account (check [google] calendars)")
        if status == 403:
            return SourceError(f"{self.name}: access denied: {message or reason or 'HTTP 403'}")
        return SourceError(f"{self.name}: HTTP {status} {message or reason}".strip())


# -- error details (never the token) ----------------------------------------------------------


def _google_reason(e) -> tuple[str, str]:
    """(reason, message) from Google's error JSON, e.g. ("rateLimitExceeded", "Rate Limit Exceeded")."""
    import json

    reason = message = ""
    try:
        data = json.loads(e.content.decode("utf-8"))
        err = data.get("error") or {}
        if isinstance(err, dict):
            message = str(err.get("message") or "")
            errors = err.get("errors") or []
            if errors and isinstance(errors[0], dict):
                reason = str(errors[0].get("reason") or "")
            if not reason:
                for d in err.get("details") or []:
                    if isinstance(d, dict) and d.get("reason"):
                        reason = str(d["reason"])
                        break
            if not reason:
                reason = str(err.get("status") or "")
    except Exception:
        pass
    return reason, _clip(message)


def _retry_after(resp) -> float | None:
    try:
        value = resp.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _refresh_error_code(e) -> str:
    """`invalid_grant` and the like, from a RefreshError's response data (never a token)."""
    for arg in getattr(e, "args", ()):
        if isinstance(arg, dict) and isinstance(arg.get("error"), str):
            return arg["error"][:40]
    text = str(e.args[0]) if getattr(e, "args", None) else ""
    head = text.split(":", 1)[0].strip()
    return head if head.replace("_", "").isalnum() and len(head) <= 40 else ""


def _event_id(item) -> str:
    try:
        return str(item.get("id"))[:200]
    except Exception:
        return "?"


def _short(e: Exception) -> str:
    return f"{type(e).__name__}: {_clip(str(e))}"


def _clip(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
