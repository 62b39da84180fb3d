"""iCalendar (ICS) calendar source: a secret iCal address (http/https/webcal) or a local file.

The address is a secret (Google's and Outlook's "secret iCal address" grants read access to the
whole calendar): it never appears in `name`, `calendar_id`, logs or exception messages. Only the
scheme and host are shown. File paths are not secret and are shown in full.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import urllib.error
import urllib.request
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import recurring_ical_events
import x_wr_timezone

from webinar_tray import __version__
from webinar_tray.core.events import DEFAULT_DURATION, CalendarEvent, fix_end, utc_stamp
from webinar_tray.ports import SourceError

log = logging.getLogger(__name__)

# A description longer than this (in UTF-8 bytes) is cut; a 1 MB description is not useful
# for finding a join link and would bloat the cache and the UI.
# Invites with a huge HTML body keep the join link at the bottom: keep 2 MiB, cut only beyond.
MAX_DESCRIPTION_BYTES = 2 * 1024 * 1024
# A calendar file larger than this is refused rather than read into memory.
MAX_CALENDAR_BYTES = 64 * 1024 * 1024

CONFERENCE_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
)
_RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")


class IcsSource:
    """A CalendarSource reading one ICS address (http/https/webcal URL or file path)."""

    def __init__(self, address: str, base_dir: Path, timeout: float = 30.0) -> None:
        self.address = address
        self.timeout = timeout
        self.calendar_id = "ics:" + hashlib.sha256(address.encode()).hexdigest()[:8]
        self._url: str | None = None
        self._path: Path | None = None

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

    def _read(self) -> bytes:
        if self._path is not None:
            return self._read_file(self._path)
        return self._read_url()

    def _read_file(self, path: Path) -> bytes:
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_CALENDAR_BYTES + 1)
        except FileNotFoundError:
            raise SourceError(f"{self.name}: file not found") from None
        except IsADirectoryError:
            raise SourceError(f"{self.name}: is a folder, not a file") from None
        except PermissionError:
            raise SourceError(f"{self.name}: permission denied") from None
        except OSError as e:
            raise SourceError(f"{self.name}: cannot read: {e.strerror or e}") from None
        if len(data) > MAX_CALENDAR_BYTES:
            raise SourceError(f"{self.name}: larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB")
        return data

    def _read_url(self) -> bytes:
        assert self._url is not None
        req = urllib.request.Request(
            self._url,
            headers={
                "User-Agent": f"webinar-tray/{__version__}",
                "Accept": "text/calendar, */*;q=0.5",
            },
        )
        reason = ""
        data = b""
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = resp.read(MAX_CALENDAR_BYTES + 1)
        except urllib.error.HTTPError as e:
            reason = f"HTTP {e.code} {e.reason or ''}".rstrip()
            if e.code in (401, 403, 404, 410):
                reason += " (is the secret address still valid? it changes when it is reset)"
        except urllib.error.URLError as e:
            r = e.reason
            if isinstance(r, TimeoutError):
                reason = f"timed out after {self.timeout:g} s"
            else:
                reason = f"cannot connect: {getattr(r, 'strerror', None) or r}"
        except TimeoutError:
            reason = f"timed out after {self.timeout:g} s"
        except (http.client.HTTPException, OSError, ValueError) as e:
            reason = f"{type(e).__name__}: {e}"
        # Chained exceptions are dropped on purpose (`from None`): some carry the full URL.
        if reason:
            raise SourceError(f"{self.name}: {self._scrub(reason)}") from None
        if len(data) > MAX_CALENDAR_BYTES:
            raise SourceError(f"{self.name}: larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB")
        return data

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

    def _parse(self, data: bytes) -> icalendar.Calendar:
        text = data.decode("utf-8-sig", errors="replace")
        try:
            cal = icalendar.Calendar.from_ical(text)
        except Exception as e:  # icalendar raises ValueError mostly, but be safe
            detail = self._scrub(str(e).splitlines()[0] if str(e) else type(e).__name__)
            if len(detail) > 120:
                detail = detail[:120] + "…"
            raise SourceError(f"{self.name}: not a valid iCalendar file ({detail})") from None
        if getattr(cal, "name", None) != "VCALENDAR":
            raise SourceError(f"{self.name}: not an iCalendar calendar (no VCALENDAR)")
        if str(cal.get("CALSCALE", "GREGORIAN")).upper() != "GREGORIAN":
            raise SourceError(f"{self.name}: only Gregorian calendars are supported")
        return cal

    # ---- the port ------------------------------------------------------------------------

    def fetch(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        """Events overlapping [start, end). Raises SourceError when the source cannot be read."""
        start = _aware(start)
        end = _aware(end)
        cal = self._parse(self._read())
        try:
            cal = x_wr_timezone.to_standard(cal)
        except Exception as e:
            log.warning(
                "%s: cannot apply X-WR-TIMEZONE (%s); floating times are read as local time",
                self.name,
                e,
            )
        self._sanitize(cal)

        recurring_uids = {
            str(c.get("UID"))
            for c in cal.subcomponents
            if c.name == "VEVENT" and any(p in c for p in _RECURRENCE_PROPERTIES)
        }
        calname = str(cal.get("X-WR-CALNAME") or "").strip()
        # Google's secret-address export names the calendar after its owner's e-mail address.
        owner = _address(calname) if "@" in calname else ""

        # recurring_ical_events compares floating and all-day times by their wall-clock values
        # with the window's, so ask for a day more on each side and filter on the real instants.
        lo = start.astimezone(timezone.utc) - timedelta(days=1)
        hi = end.astimezone(timezone.utc) + timedelta(days=1)
        out: dict[tuple[str, datetime], CalendarEvent] = {}
        for comp in self._expand(cal, lo, hi):
            try:
                ev = self._to_event(comp, recurring_uids, calname or self.name, owner)
            except Exception as e:
                log.warning("%s: skipping event %s: %s", self.name, _describe(comp), e)
                continue
            if ev.start < end and ev.end > start:
                out.setdefault((ev.event_id, ev.start), ev)
        return sorted(out.values(), key=lambda e: (e.start, e.event_id))

    # ---- steps ---------------------------------------------------------------------------

    def _sanitize(self, cal: icalendar.Calendar) -> None:
        """Drop VEVENTs that cannot be expanded (logging each), give UID-less ones a UID, and
        give every timed event a positive length (recurring_ical_events would treat a missing
        DTEND as zero length, and swaps DTSTART/DTEND when the end is before the start)."""
        kept = []
        for comp in cal.subcomponents:
            if comp.name != "VEVENT":
                kept.append(comp)
                continue
            try:
                self._sanitize_event(comp)
            except Exception as e:
                log.warning("%s: skipping event %s: %s", self.name, _describe(comp), e)
                continue
            kept.append(comp)
        cal.subcomponents[:] = kept

    def _sanitize_event(self, comp) -> None:
        if comp.get("DTSTART") is None:
            raise ValueError("no DTSTART")
        start = comp["DTSTART"].dt
        if not isinstance(start, date):
            raise ValueError(f"DTSTART is not a date or time: {start!r}")
        if comp.get("RECURRENCE-ID") is not None:
            rid = comp["RECURRENCE-ID"].dt
            if not isinstance(rid, date):
                raise ValueError(f"RECURRENCE-ID is not a date or time: {rid!r}")

        if not str(comp.get("UID") or "").strip():
            raw = comp["DTSTART"].to_ical()
            raw = raw.decode() if isinstance(raw, bytes) else str(raw)
            digest = hashlib.sha256(f"{comp.get('SUMMARY', '')}\x00{raw}".encode()).hexdigest()[:16]
            uid = f"nouid-{digest}"
            log.warning("%s: event %r has no UID; using %s", self.name, _summary(comp), uid)
            if "UID" in comp:
                del comp["UID"]
            comp.add("UID", uid)

        end = None
        if "DTEND" in comp:
            try:
                end = comp["DTEND"].dt
                if not isinstance(end, date):
                    raise ValueError(repr(end))
            except Exception as e:
                log.debug("%s: event %s: unusable DTEND (%s), ignored", self.name, _describe(comp), e)
                del comp["DTEND"]
                end = None
        if end is not None and _le(end, start):
            del comp["DTEND"]
            end = None
        if end is None and "DURATION" in comp:
            try:
                dur = comp["DURATION"].dt
                ok = isinstance(dur, timedelta) and dur > timedelta(0)
            except Exception:
                ok = False
            if ok:
                return
            del comp["DURATION"]
        if end is None and "DURATION" not in comp:
            if isinstance(start, datetime):
                comp.add("DURATION", DEFAULT_DURATION)
            # an all-day event without an end lasts one day (RFC 5545; the expander does that)

    def _expand(self, cal: icalendar.Calendar, lo: datetime, hi: datetime) -> list:
        try:
            return list(recurring_ical_events.of(cal).between(lo, hi))
        except Exception as e:
            log.debug("%s: expanding the whole calendar failed (%s); expanding event by event", self.name, e)

        # One bad series (e.g. an unreadable RRULE) makes the whole query fail: retry per UID.
        zones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
        groups: dict[str, list] = {}
        for c in cal.subcomponents:
            if c.name == "VEVENT":
                groups.setdefault(str(c.get("UID")), []).append(c)
        out: list = []
        for comps in groups.values():
            sub = icalendar.Calendar()
            for k, v in cal.items():
                sub[k] = v
            sub.subcomponents.extend(zones)
            sub.subcomponents.extend(comps)
            try:
                out.extend(recurring_ical_events.of(sub).between(lo, hi))
            except Exception as e:
                log.warning("%s: skipping event %s: %s", self.name, _describe(comps[0]), e)
        return out

    def _to_event(self, comp, recurring_uids: set[str], calname: str, owner: str) -> CalendarEvent:
        uid = str(comp["UID"])
        start_v = comp["DTSTART"].dt
        end_v = comp["DTEND"].dt if comp.get("DTEND") is not None else None
        if end_v is None and comp.get("DURATION") is not None:
            end_v = start_v + comp["DURATION"].dt

        all_day = not isinstance(start_v, datetime)
        start = _local_midnight(start_v) if all_day else _aware(start_v)
        end = None if end_v is None else _aware(end_v) if isinstance(end_v, datetime) else _local_midnight(end_v)
        if all_day and (end is None or end <= start):
            end = _local_midnight(start_v + timedelta(days=1))
        else:
            end = fix_end(start, end)

        if uid in recurring_uids:
            rid = comp.get("RECURRENCE-ID")
            event_id = f"{uid}_{utc_stamp(_id_instant(rid.dt if rid is not None else start_v))}"
        else:
            event_id = uid

        description = str(comp.get("DESCRIPTION") or "")
        raw = description.encode("utf-8")
        if len(raw) > MAX_DESCRIPTION_BYTES:
            log.debug(
                "%s: event %s: description of %d bytes cut to %d",
                self.name,
                _describe(comp),
                len(raw),
                MAX_DESCRIPTION_BYTES,
            )
            description = raw[:MAX_DESCRIPTION_BYTES].decode("utf-8", errors="ignore")
        for url in _values(comp, "URL"):
            description = f"{description}\n\n{url}" if description else url

        links: list[str] = []
        for prop in CONFERENCE_PROPERTIES:
            for v in _values(comp, prop):
                if v.lower().startswith(("https://", "http://")) and v not in links:
                    links.append(v)

        organizers = _values(comp, "ORGANIZER")
        status = str(comp.get("STATUS") or "").strip().upper()

        response = ""
        if owner:
            for att in _list(comp.get("ATTENDEE")):
                if _address(str(att)) == owner:
                    partstat = str(getattr(att, "params", {}).get("PARTSTAT", "")).upper()
                    if partstat == "DECLINED":
                        response = "declined"

        return CalendarEvent(
            calendar_id=self.calendar_id,
            event_id=event_id,
            title=str(comp.get("SUMMARY") or "").strip() or "(no title)",
            start=start,
            end=end,
            all_day=all_day,
            location=str(comp.get("LOCATION") or "").strip(),
            description=description,
            organizer=_address(organizers[0]) if organizers else "",
            conference_links=tuple(links),
            status={"CANCELLED": "cancelled", "TENTATIVE": "tentative"}.get(status, "confirmed"),
            response=response,
            calendar_name=calname,
            source="ics",
        )


# ---- helpers -------------------------------------------------------------------------------


def _scheme_of(text: str) -> str:
    """The URL scheme, or "" for a file path (a Windows drive letter is not a scheme)."""
    head, sep, _ = text.partition(":")
    if not sep or len(head) <= 1 or "/" in head or "\\" in head:
        return ""
    if not (head[0].isalpha() and all(ch.isalnum() or ch in "+.-" for ch in head)):
        return ""
    return head.lower()


def _aware(t: datetime) -> datetime:
    """Aware as is; a floating (naive) time is the machine's local time."""
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        return t.astimezone()
    return t


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone()


def _id_instant(v) -> datetime:
    """The instant used in an instance id. Dates are taken as UTC midnight, so all-day ids do
    not depend on the machine's time zone."""
    if isinstance(v, datetime):
        return _aware(v)
    return datetime.combine(v, time(), tzinfo=timezone.utc)


def _le(a, b) -> bool:
    """a <= b for date/datetime values of possibly different kinds."""
    if isinstance(a, datetime) != isinstance(b, datetime):
        return False  # mixed date and time: leave it to the mapping step
    if isinstance(a, datetime):
        return _aware(a) <= _aware(b)
    return a <= b


def _list(v) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, list) else [v]


def _values(comp, prop: str) -> list[str]:
    return [s for s in (str(v).strip() for v in _list(comp.get(prop))) if s]


def _address(v: str) -> str:
    v = v.strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    return v.strip().lower()


def _summary(comp) -> str:
    s = str(comp.get("SUMMARY") or "")
    return s if len(s) <= 80 else s[:80] + "…"


def _describe(comp) -> str:
    return f"UID {str(comp.get('UID') or '?')!r} ({_summary(comp)!r})"
