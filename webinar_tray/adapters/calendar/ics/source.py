"""iCalendar (ICS) calendar source: a secret iCal address (http/https/webcal) or a local file.

The address is a secret (Google's and Outlook's "secret iCal address" grants read access to the
whole calendar): it never appears in `name`, `calendar_id`, logs or exception messages. Only the
scheme and host are shown. File paths are not secret and are shown in full.

The calendar data is turned into events by adapters/calendar/ics/parse.py.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from webinar_tray import __version__
from webinar_tray.adapters.calendar.ics import http_deadline, prefilter
from webinar_tray.adapters.calendar.ics.cpu_deadline import CalendarTooCostly, cpu_deadline
from webinar_tray.adapters.calendar.ics.conference import CONFERENCE_PROPERTIES  # re-exported
from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.settings import RefreshSettings
from webinar_tray.ports import Deadline, SourceError, SourceTimeout

__all__ = ["CONFERENCE_PROPERTIES", "IcsSource"]

# The parser (icalendar, recurring_ical_events, x_wr_timezone: ~0.4 s of imports) is imported
# on the first fetch, on the refresh's own thread, not when the app starts (bench/start_time.py).


def address_problem(e: SourceError) -> str:
    """Why an [ics] urls entry cannot be used, for a source named "ICS address #6": "ICS address
    with unsupported scheme 'ftp:' (…)" -> "unsupported scheme 'ftp:' (…)"."""
    return re.sub(r"^ICS (?:\w+ )?address(?:: | with )", "", str(e)) or str(e)


class IcsSource:
    """A CalendarSource reading one ICS address (http/https/webcal URL or file path)."""

    def __init__(self, address: str, base_dir: Path, limits: RefreshSettings = RefreshSettings()) -> None:
        self.address = address
        self.limits = limits
        self.max_bytes = limits.max_response_mb * 1024 * 1024
        self.calendar_id = "ics:" + hashlib.sha256(address.encode()).hexdigest()[:8]
        self._url: str | None = None
        self._path: Path | None = None
        # the last good answer's validators and its calendar cut into events (prefilter.Feed), to
        # answer a 304 Not Modified for any window without reading or cutting it again
        self._cached: tuple[dict[str, str], prefilter.Feed] | None = None

        text = address.strip()
        if not text:
            raise SourceError("ICS source: the address is empty (use an https:// address or a file path)")
        scheme = _scheme_of(text)
        if scheme in ("http", "https", "webcal", "webcals"):
            parts = urlsplit(text)
            if scheme in ("webcal", "webcals"):
                # What calendar apps do: webcal:// is https:// with a "subscribe" hint.
                parts = parts._replace(scheme="https")
            else:
                parts = parts._replace(scheme=scheme)
            host = parts.hostname or ""
            if not host:
                raise SourceError(f"ICS {parts.scheme} address: no host in the address")
            if parts.port:
                host = f"{host}:{parts.port}"
            self._url = parts.geturl()
            self.name = f"ICS {parts.scheme}://{host}/…"
        elif scheme == "file":
            parts = urlsplit(text)
            if parts.netloc not in ("", "localhost"):
                raise SourceError(
                    f"ICS file address: remote file:// hosts are not supported ({parts.netloc})"
                )
            self._path = Path(urllib.request.url2pathname(parts.path))
            self.name = f"ICS file {self._path}"
        elif scheme == "":
            p = Path(text).expanduser()
            if not p.is_absolute():
                p = Path(base_dir).expanduser() / p
            self._path = p
            self.name = f"ICS file {p}"
        else:
            raise SourceError(
                f"ICS address with unsupported scheme '{scheme}:' "
                "(use an https://, http:// or webcal:// address, or a file path)"
            )

    def __repr__(self) -> str:
        return f"IcsSource({self.name!r}, calendar_id={self.calendar_id!r})"

    # ---- reading -------------------------------------------------------------------------

    def _read(self, deadline: Deadline) -> tuple[bytes | None, dict[str, str]]:
        """(the body, the validators to send next time); (None, {}) when the server answered
        304 Not Modified to the cached answer's validators."""
        if self._path is not None:
            return self._read_file(self._path), {}
        return self._read_url(deadline)

    def _too_large(self) -> SourceError:
        return SourceError(f"{self.name}: larger than {self.limits.max_response_mb} MB "
                           "([refresh] max_response_mb)")

    def _read_file(self, path: Path) -> bytes:
        try:
            with open(path, "rb") as f:
                data = f.read(self.max_bytes + 1)
        except FileNotFoundError:
            raise SourceError(f"{self.name}: file not found") from None
        except IsADirectoryError:
            raise SourceError(f"{self.name}: is a folder, not a file") from None
        except PermissionError:
            raise SourceError(f"{self.name}: permission denied") from None
        except OSError as e:
            raise SourceError(f"{self.name}: cannot read: {e.strerror or e}") from None
        if len(data) > self.max_bytes:
            raise self._too_large()
        return data

    def _read_url(self, deadline: Deadline) -> tuple[bytes | None, dict[str, str]]:
        assert self._url is not None
        headers = {"User-Agent": f"webinar-tray/{__version__}", "Accept": "text/calendar, */*;q=0.5"}
        if self._cached is not None:
            headers.update(self._cached[0])
        req = urllib.request.Request(self._url, headers=headers)
        reason = ""
        data, answer = b"", None
        try:
            data, answer = http_deadline.get_with_headers(req, deadline, self.max_bytes)
        except SourceTimeout:
            raise SourceTimeout(f"{self.name}: no complete answer within {deadline.seconds:g} s "
                                "([refresh] timeout_seconds); keeping its last good events") from None
        except http_deadline.TooLarge:
            raise self._too_large() from None
        except urllib.error.HTTPError as e:
            e.close()
            if e.code == 304 and self._cached is not None:
                return None, {}
            reason = f"HTTP {e.code} {e.reason or ''}".rstrip()
            if e.code in (401, 403, 404, 410):
                reason += " (is the secret address still valid? it changes when it is reset)"
        except urllib.error.URLError as e:
            r = e.reason
            if isinstance(r, TimeoutError):
                reason = "timed out"
            else:
                reason = f"cannot connect: {getattr(r, 'strerror', None) or r}"
        except TimeoutError:
            reason = "timed out"
        except (http.client.HTTPException, OSError, ValueError) as e:
            reason = f"{type(e).__name__}: {e}"
        # Chained exceptions are dropped on purpose (`from None`): some carry the full URL.
        if reason:
            raise SourceError(f"{self.name}: {self._scrub(reason)}") from None
        return data, _validators(answer)

    def _scrub(self, text: str) -> str:
        """Cut any piece of the secret address out of a message (belt and braces)."""
        if self._url is None:
            return text
        p = urlsplit(self._url)
        secrets = [self.address.strip(), self._url, p.path + ("?" + p.query if p.query else ""), p.query, p.path]
        if p.username or p.password:
            secrets.append(p.netloc.rsplit("@", 1)[0])
        for s in sorted({s for s in secrets if s and len(s) > 1}, key=len, reverse=True):
            text = text.replace(s, "…")
        return text

    # ---- the port ------------------------------------------------------------------------

    @property
    def key(self) -> str:
        """Its identity in the store: the name, and for an address a digest of it (two secret
        addresses on one host share a name, not a key; the digest does not reveal the address).
        A file's path is its own identity. (The key of an address used to be its name alone: rows
        cached under such a key are forgotten by the first refresh round, which refills them.)"""
        if self._url is None:
            return self.name
        return f"{self.name} #{self.calendar_id.removeprefix('ics:')}"

    def fetch(self, start: datetime, end: datetime, deadline: Deadline | None = None) -> list[CalendarEvent]:
        """Events overlapping [start, end). Raises SourceError when the source cannot be read,
        SourceTimeout past `deadline` (default: [refresh] timeout_seconds from now). An address
        whose server sent an ETag or Last-Modified is asked again with If-None-Match /
        If-Modified-Since; on 304 Not Modified the calendar cut last time answers the window."""
        if deadline is None:
            deadline = Deadline(self.limits.timeout_seconds, self.name)
        data, validators = self._read(deadline)
        cached, self._cached = self._cached, None  # dropped unless this read ends well
        from webinar_tray.adapters.calendar.ics.parse import events_from_ics

        try:
            with cpu_deadline(deadline):
                feed = cached[1] if data is None and cached is not None else prefilter.read(data or b"")
                events = events_from_ics(feed, start, end, self.name, self.calendar_id, scrub=self._scrub,
                                         limits=self.limits, deadline=deadline)
        except CalendarTooCostly:
            raise SourceTimeout(f"{self.name}: reading the calendar took longer than {deadline.seconds:g} s "
                                "([refresh] timeout_seconds); keeping its last good events") from None
        if data is None and cached is not None:
            self._cached = cached
        elif validators:
            self._cached = (validators, feed)
        return events


# ---- helpers -------------------------------------------------------------------------------


def _validators(answer) -> dict[str, str]:
    """The conditional request headers for the next read of an answer with these headers."""
    out = {}
    if answer is not None:
        if answer.get("ETag"):
            out["If-None-Match"] = answer["ETag"]
        if answer.get("Last-Modified"):
            out["If-Modified-Since"] = answer["Last-Modified"]
    return out


def _scheme_of(text: str) -> str:
    """The URL scheme, or "" for a file path (a Windows drive letter is not a scheme)."""
    head, sep, _ = text.partition(":")
    if not sep or len(head) <= 1 or "/" in head or "\\" in head:
        return ""
    if not (head[0].isalpha() and all(ch.isalnum() or ch in "+.-" for ch in head)):
        return ""
    return head.lower()
