"""Google Calendar as a CalendarSource: `events.list` (Calendar API v3) through
google-api-python-client, mapped to CalendarEvent.

- googleapiclient (~27 MB of imports) is imported only when the first fetch happens, never when
  this module is imported, so an idle app that never refreshes does not pay for it.
- httplib2 is not thread-safe: every thread gets its own service object (threading.local),
  rebuilt when the credentials callable hands out a different Credentials object (after a
  new `login`).
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
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import TYPE_CHECKING, Any, Callable

from webinar_tray.core.events import CalendarEvent, fix_end
from webinar_tray.ports import Deadline, SignInNeeded, SourceError

if TYPE_CHECKING:  # pragma: no cover
    from google.oauth2.credentials import Credentials

log = logging.getLogger(__name__)

# The fields we read; asking only for these keeps pages small (descriptions can be large).
EVENT_FIELDS = (
    "id,status,summary,location,description,start,end,organizer(email),"
    "attendees(email,self,responseStatus),hangoutLink,"
    "conferenceData(entryPoints(entryPointType,uri)),eventType,recurringEventId,originalStartTime"
)
LIST_FIELDS = f"nextPageToken,summary,items({EVENT_FIELDS})"

# Event types that are never meetings: dropped entirely.
IGNORED_EVENT_TYPES = frozenset({"workingLocation", "outOfOffice", "focusTime"})

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
        self.calendar_name = ""

    # -- the service object, one per thread ----------------------------------------------------

    def _service(self):
        creds = self._credentials()
        local = self._local
        if getattr(local, "creds", None) is not creds or getattr(local, "service", None) is None:
            local.service = _build_service(creds, self.api_endpoint, self.timeout)
            local.creds = creds
        return local.service

    # -- fetch -------------------------------------------------------------------------------

    def fetch(self, start: datetime, end: datetime, deadline: Deadline | None = None) -> list[CalendarEvent]:
        """Events overlapping [start, end); `deadline` checked between pages and retries."""
        start, end = _aware(start), _aware(end)
        items: list[dict] = []
        token: str | None = None
        pages = 0
        t0 = time.monotonic()
        while True:
            page = self._page(start, end, token, deadline)
            pages += 1
            if isinstance(page.get("summary"), str):
                self.calendar_name = page["summary"]
            items.extend(page.get("items") or [])
            token = page.get("nextPageToken")
            if not token:
                break
            if pages >= MAX_PAGES:
                log.warning("%s: stopped after %d pages of events", self.name, pages)
                break
        events: list[CalendarEvent] = []
        for item in items:
            try:
                ev = to_event(self.calendar_id, item, self.calendar_name)
            except Exception as e:  # one bad event must not hide the others
                log.warning("%s: skipped event %s: %s", self.name, _event_id(item), _short(e))
                continue
            if ev is not None:
                events.append(ev)
        log.debug("%s: %d events (%d items, %d pages) in %.2f s", self.name, len(events),
                  len(items), pages, time.monotonic() - t0)
        return events

    def _page(self, start: datetime, end: datetime, page_token: str | None,
              deadline: Deadline | None = None) -> dict:
        attempt = 0
        while True:
            if deadline is not None:
                deadline.check()
            try:
                return self._page_once(start, end, page_token)
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

    def _page_once(self, start: datetime, end: datetime, page_token: str | None) -> dict:
        import httplib2
        from google.auth.exceptions import RefreshError, TransportError
        from googleapiclient.errors import HttpError

        try:
            service = self._service()
            kwargs: dict[str, Any] = dict(
                calendarId=self.calendar_id,
                timeMin=start.isoformat(),
                timeMax=end.isoformat(),
                singleEvents=True,
                orderBy="startTime",
                maxResults=self.page_size,
                fields=LIST_FIELDS,
            )
            if self.show_deleted:
                kwargs["showDeleted"] = True
            if page_token:
                kwargs["pageToken"] = page_token
            return service.events().list(**kwargs).execute(num_retries=0)
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


# -- building the client ----------------------------------------------------------------------


def _build_service(creds, api_endpoint: str, timeout: float):
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build

    # build(credentials=…) would make an httplib2.Http with a 60 s timeout; we pass our own so
    # the timeout is ours. AuthorizedHttp refreshes the token before the first request and
    # again on a 401 (twice at most).
    http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=timeout))
    return build(
        "calendar",
        "v3",
        http=http,
        client_options={"api_endpoint": api_endpoint},
        static_discovery=True,
        cache_discovery=False,
    )


# -- mapping ----------------------------------------------------------------------------------


def to_event(calendar_id: str, item: dict, calendar_name: str = "") -> CalendarEvent | None:
    """One events.list item as a CalendarEvent; None for events that are never meetings
    (working location, out of office, focus time) and for bare deleted stubs. Raises
    ValueError/KeyError/TypeError for an item that cannot be read."""
    event_type = item.get("eventType") or "default"
    if event_type in IGNORED_EVENT_TYPES:
        return None
    event_id = item["id"]
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("no event id")
    status = item.get("status") or "confirmed"
    if status == "cancelled" and "start" not in item:
        return None  # a deleted instance: Google sends only its id and status
    start, all_day = _when(item["start"])
    end_raw = item.get("end")
    end = _when(end_raw)[0] if end_raw else None
    if all_day and (end is None or end <= start):  # an all-day event lasts at least its day
        end = _local_midnight(date.fromisoformat(str(item["start"]["date"])) + timedelta(days=1))
    end = fix_end(start, end)

    organizer = ((item.get("organizer") or {}).get("email") or "").strip().lower()
    response = ""
    for a in item.get("attendees") or []:
        if isinstance(a, dict) and a.get("self"):
            response = a.get("responseStatus") or ""
            break
    links: list[str] = []
    for ep in (item.get("conferenceData") or {}).get("entryPoints") or []:
        if isinstance(ep, dict) and ep.get("entryPointType") == "video" and ep.get("uri"):
            uri = str(ep["uri"]).strip()
            if uri not in links:
                links.append(uri)
    extra: dict = {"event_type": event_type}
    tz = (item["start"] or {}).get("timeZone")
    if tz:
        extra["time_zone"] = tz
    if item.get("recurringEventId"):
        extra["recurring_event_id"] = item["recurringEventId"]
    original = item.get("originalStartTime")
    if isinstance(original, dict):
        extra["original_start"] = original.get("dateTime") or original.get("date") or ""
    return CalendarEvent(
        calendar_id=calendar_id,
        event_id=event_id,
        title=(item.get("summary") or "").strip() or "(no title)",
        start=start,
        end=end,
        all_day=all_day,
        location=item.get("location") or "",
        description=item.get("description") or "",
        organizer=organizer,
        conference_links=tuple(links),
        hangout_link=item.get("hangoutLink") or "",
        status=status,
        response=response,
        calendar_name=calendar_name,
        source="google",
        extra=extra,
    )


def _when(when: dict) -> tuple[datetime, bool]:
    """(aware instant, all_day) of a start/end object: dateTime keeps its own offset (timeZone is
    for display only); a date is local midnight of that day."""
    if not isinstance(when, dict):
        raise TypeError("start/end is not an object")
    if when.get("dateTime"):
        t = datetime.fromisoformat(str(when["dateTime"]).replace("z", "Z"))
        if t.tzinfo is None:  # not sent by Google; if it ever is, the event's zone says where
            t = _in_zone(t, when.get("timeZone"))
        return t, False
    if when.get("date"):
        return _local_midnight(date.fromisoformat(str(when["date"]))), True
    raise ValueError("start/end has neither dateTime nor date")


def _in_zone(t: datetime, zone: str | None) -> datetime:
    if zone:
        try:
            from zoneinfo import ZoneInfo

            return t.replace(tzinfo=ZoneInfo(zone))
        except Exception:
            pass
    return t.astimezone()


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, dtime()).astimezone()


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.astimezone()


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
