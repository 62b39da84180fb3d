"""The signed-in account's calendar list (Calendar API `calendarList.list`), for the setup page to
offer the calendars to pick from. Google's reference (developers.google.com/calendar/api/v3/
reference/calendarList/list) lets it be called with calendar.readonly, calendar,
calendar.calendarlist or calendar.calendarlist.readonly: not with calendar.events.readonly, the
scope webinar-tray read events with before. A sign-in made then has to be made again before the
list can be read (`ListNeedsSignIn`); the calendar ids can still be typed."""

from __future__ import annotations

import http.client
import logging
from dataclasses import dataclass

from webinar_tray.adapters.calendar.google.api import SCOPE_REASONS, _google_reason
from webinar_tray.adapters.calendar.google.service import build_service

log = logging.getLogger(__name__)

LIST_SCOPES = frozenset({
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
})
FIELDS = "nextPageToken,items(id,summary,summaryOverride,primary,accessRole)"
MAX_PAGES = 20  # 250 calendars a page (Google's most)
NEW_SIGN_IN = ("the saved sign-in was made before webinar-tray asked to read your calendar list: "
               "sign in again to pick from it (or type the calendar ids below)")


class CalendarListError(Exception):
    """The list could not be read; the message is for the user (never a token)."""


class ListNeedsSignIn(CalendarListError):
    """The saved sign-in does not allow reading the list, or Google no longer accepts it."""


@dataclass(frozen=True)
class CalendarEntry:
    id: str
    name: str
    primary: bool
    role: str  # owner, writer, reader, freeBusyReader


def can_list(info: dict) -> bool | None:
    """Whether a stored sign-in (tokens.info_from) was granted a scope that reads the list; None
    when it does not say (then the call itself answers)."""
    scopes = info.get("scopes")
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not scopes:
        return None
    return bool(LIST_SCOPES & set(scopes))


def list_calendars(creds, api_endpoint: str, timeout: float = 20.0) -> list[CalendarEntry]:
    """Every calendar on the account's list, the primary first, then by name."""
    import httplib2
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    entries: list[CalendarEntry] = []
    token = None
    try:
        service = build_service(creds, api_endpoint, timeout)
        for _ in range(MAX_PAGES):
            page = service.calendarList().list(maxResults=250, pageToken=token, fields=FIELDS).execute(
                num_retries=1)
            entries += [_entry(item) for item in page.get("items") or [] if isinstance(item, dict)]
            token = page.get("nextPageToken")
            if not token:
                break
    except HttpError as e:
        raise _http_error(e) from None
    except RefreshError:
        raise ListNeedsSignIn("Google no longer accepts the saved sign-in: sign in again") from None
    except TransportError:
        raise CalendarListError("cannot reach Google's sign-in service; try again later") from None
    except (TimeoutError, OSError, httplib2.HttpLib2Error, http.client.HTTPException) as e:
        raise CalendarListError(f"cannot reach the Calendar API ({type(e).__name__}); try again later") from None
    entries = [e for e in entries if e.id]
    return sorted(entries, key=lambda e: (not e.primary, e.name.lower(), e.id))


def _entry(item: dict) -> CalendarEntry:
    name = item.get("summaryOverride") or item.get("summary") or item.get("id") or ""
    return CalendarEntry(id=str(item.get("id") or "")[:300], name=str(name)[:200],
                         primary=item.get("primary") is True, role=str(item.get("accessRole") or ""))


def _http_error(e) -> CalendarListError:
    status = e.resp.status
    reason, message = _google_reason(e)
    if status == 403 and reason in SCOPE_REASONS:
        return ListNeedsSignIn(NEW_SIGN_IN)
    if status == 401:
        return ListNeedsSignIn("Google no longer accepts the saved sign-in: sign in again")
    log.info("calendarList.list failed: HTTP %s %s", status, reason)
    return CalendarListError(f"Google answered HTTP {status} {message or reason}".strip())
