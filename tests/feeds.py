"""Calendar feeds that misbehave, served on 127.0.0.1: a feed that answers late and then trickles
one byte at a time, and the hostile calendars of issue 10 (an unbounded FREQ=SECONDLY series, a
MINUTELY series whose days never occur, a long description on thousands of instances).
Used by the tests and by bench/refresh_faults.py."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

from tests.e2e.helpers import fold, z
from tests.loopback import Listener


def calendar(*vevents: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//webinar-tray tests//EN\r\n" + "".join(vevents)
            + "END:VCALENDAR\r\n").encode()


def vevent(uid: str, start: datetime, *, rule: str = "", title: str = "event", duration: str = "PT30M",
           description: str = "", end: datetime | None = None) -> str:
    lines = [f"UID:{uid}", f"DTSTAMP:{z(start)}", f"DTSTART:{z(start)}",
             f"DTEND:{z(end)}" if end else f"DURATION:{duration}", f"SUMMARY:{title}"]
    if rule:
        lines.append(f"RRULE:{rule}")
    if description:
        lines.append("DESCRIPTION:" + description.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;"))
    return "BEGIN:VEVENT\r\n" + "\r\n".join(fold(lines)) + "\r\nEND:VEVENT\r\n"


def hostile_calendars(now: datetime) -> dict[str, bytes]:
    """The issue's hostile feeds: SECONDLY without end (216,000 instances in a 60 h window); a
    MINUTELY rule on February 30th (dateutil walks to the year 9999 looking for one)."""
    return {
        "secondly": calendar(vevent("secondly", now - timedelta(hours=1), rule="FREQ=SECONDLY",
                                    title="Every second", duration="PT1S")),
        "never": calendar(vevent("never", now - timedelta(days=1), rule="FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
                                 title="Never", duration="PT1M")),
    }


def description_calendar(now: datetime, instances: int = 5000, description_bytes: int = 200_000) -> bytes:
    """One series of `instances` instances in the window sharing one long description."""
    minutes = max(1, (60 * 60) // instances)
    text = ("Agenda and speakers. " * (description_bytes // 21 + 1))[:description_bytes]
    return calendar(vevent("long-description", now - timedelta(hours=11), rule=f"FREQ=MINUTELY;INTERVAL={minutes}",
                           title="Long description", duration="PT1M", description=text))


class TrickleFeed:
    """An HTTP server on 127.0.0.1 that waits `first_byte_after` seconds, then sends a valid
    response one byte every `every` seconds (so a per-read timeout never fires). Records when
    each connection opened and closed (`opened`, `closed`: monotonic-free wall times, aware UTC)."""

    def __init__(self, body: bytes, every: float = 0.5, first_byte_after: float = 0.0):
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {len(body)}\r\n\r\n"
        self.payload = head.encode() + body
        self.every, self.first_byte_after = every, first_byte_after
        self.opened: list[datetime] = []
        self.closed: list[datetime] = []
        self.sent = 0
        self._listener = Listener(self._answer)
        self.port = self._listener.port
        self._stop = self._listener.stopping

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/private-trickle/basic.ics"

    def in_flight(self) -> bool:
        return len(self.opened) > len(self.closed)

    def wait_closed(self, timeout: float) -> bool:
        return wait(lambda: self.opened and not self.in_flight(), timeout)

    def _answer(self, conn: socket.socket) -> None:
        self.opened.append(datetime.now(timezone.utc))
        try:
            conn.recv(65536)
            conn.settimeout(0.1)
            until = time.monotonic() + self.first_byte_after
            while time.monotonic() < until:  # silent, but noticing a client that went away
                if self._stop.is_set():
                    return
                try:
                    if conn.recv(1) == b"":
                        return
                except socket.timeout:
                    pass
            conn.settimeout(None)
            for b in self.payload:
                conn.sendall(bytes([b]))
                self.sent += 1
                if self.every and self._stop.wait(self.every):
                    return
        except OSError:
            pass
        finally:
            self.closed.append(datetime.now(timezone.utc))
            conn.close()

    def close(self) -> None:
        self._listener.close()


class _Served:
    """A handler class served on 127.0.0.1 by a thread of its own; `url()` names a feed on it."""

    def _serve(self, handler) -> None:
        from http.server import ThreadingHTTPServer

        self._srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._srv.server_address[1]
        threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, name: str = "feed") -> str:
        return f"http://127.0.0.1:{self.port}/private-{name}/basic.ics"

    def close(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()


class ConditionalFeed(_Served):
    """Serves `body` (settable) on 127.0.0.1 with an ETag and a Last-Modified, answering
    `304 Not Modified` to a matching If-None-Match (or, without one, If-Modified-Since). Counts
    the answers and records each request's conditional headers (`requests`: path, If-None-Match,
    If-Modified-Since); `errors` lists codes to answer the next requests with instead. A path
    serves `bodies[path]` when set, else `body`."""

    def __init__(self, body: bytes, etag: bool = True, last_modified: bool = True):
        from http.server import BaseHTTPRequestHandler

        self.bodies: dict[str, bytes] = {}
        self.body, self.etag, self.last_modified = body, etag, last_modified
        self.requests: list[tuple[str, str | None, str | None]] = []
        self.answers = {200: 0, 304: 0}
        self.errors: list[int] = []
        self._stamps: dict[str, str] = {}
        feed = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                data = feed.bodies.get(self.path, feed.body)
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                feed.requests.append((self.path, inm, ims))
                if feed.errors:  # the next answers' codes, when set (e.g. [500])
                    self.send_error(feed.errors.pop(0))
                    return
                tag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
                # a new body is newer: each one seen gets the next second as its Last-Modified
                modified = feed._stamps.setdefault(tag, "Mon, 30 Nov 2026 00:%02d:%02d GMT"
                                                   % divmod(len(feed._stamps), 60))
                fresh = (inm == tag) if (inm and feed.etag) else (ims == modified and feed.last_modified)
                code = 304 if fresh else 200
                feed.answers[code] += 1
                self.send_response(code)
                if feed.etag:
                    self.send_header("ETag", tag)
                if feed.last_modified:
                    self.send_header("Last-Modified", modified)
                if code == 304:
                    self.end_headers()
                    return
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self._serve(H)


def wait(pred, timeout: float, every: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(every)
    return False


# ---- a big real-world look-alike feed (issue 12 item 5) ----------------------------------------

_ZONES = {  # TZID as the writer names it -> (standard offset, daylight offset, DST rules: EU/US)
    "W. Europe Standard Time": ("+0100", "+0200", "EU"),
    "Pacific Standard Time": ("-0800", "-0700", "US"),
    "Europe/Berlin": ("+0100", "+0200", "EU"),
    "America/New_York": ("-0500", "-0400", "US"),
}
_DST = {"EU": ("BYMONTH=3;BYDAY=-1SU", "BYMONTH=10;BYDAY=-1SU"), "US": ("BYMONTH=3;BYDAY=2SU", "BYMONTH=11;BYDAY=1SU")}
_WORDS = ("weekly sync quarterly review planning retro team standup webinar customer roadmap security "
          "training onboarding budget design office hours partner update all-hands demo").split()


def _vtimezone(tzid: str) -> str:
    std, dst, rules = _ZONES[tzid]
    to_dst, to_std = _DST[rules]
    return (f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n"
            f"TZOFFSETFROM:{dst}\r\nTZOFFSETTO:{std}\r\nRRULE:FREQ=YEARLY;{to_std}\r\nEND:STANDARD\r\n"
            f"BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:{std}\r\nTZOFFSETTO:{dst}\r\n"
            f"RRULE:FREQ=YEARLY;{to_dst}\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _rule(rnd, start: datetime, now: datetime) -> str:
    """An RRULE as calendars write them: weekly on some days, daily, monthly, some ended (UNTIL in
    the past or the future, COUNT), most open-ended."""
    kind = rnd.choices(["weekly", "biweekly", "daily", "monthly", "monthday", "yearly"], [45, 10, 15, 12, 8, 10])[0]
    days = ",".join(sorted(rnd.sample(["MO", "TU", "WE", "TH", "FR"], rnd.choice([1, 1, 2, 3])),
                           key=["MO", "TU", "WE", "TH", "FR"].index))
    rule = {"weekly": f"FREQ=WEEKLY;BYDAY={days}", "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={days}",
            "daily": "FREQ=DAILY" + rnd.choice(["", ";BYDAY=MO,TU,WE,TH,FR"]),
            "monthly": f"FREQ=MONTHLY;BYDAY={rnd.choice([1, 2, 3, -1])}{rnd.choice(['MO', 'TU', 'TH'])}",
            "monthday": f"FREQ=MONTHLY;BYMONTHDAY={start.day}", "yearly": "FREQ=YEARLY"}[kind]
    end = rnd.random()
    if end < 0.6:  # ended before now (most old series)
        rule += ";UNTIL=" + (start + (now - start) * rnd.uniform(0.2, 0.95)).strftime("%Y%m%dT%H%M%SZ")
    elif end < 0.7:
        rule += ";UNTIL=" + (now + timedelta(days=rnd.randint(1, 400))).strftime("%Y%m%dT%H%M%SZ")
    elif end < 0.8:
        rule += f";COUNT={rnd.randint(5, 120)}"
    if rnd.random() < 0.5:
        rule += ";WKST=" + rnd.choice(["MO", "SU"])
    return rule


def _body(rnd, uid: str, title: str) -> list[str]:
    """Description and HTML form as Outlook / Google write them: a few lines, a link or two."""
    link = rnd.choice([f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{uid[:12]}%40thread.v2/0",
                       f"https://us02web.zoom.us/j/8{rnd.randint(10**9, 10**10 - 1)}?pwd={uid[:10]}",
                       f"https://meet.google.com/{uid[:3]}-{uid[3:7]}-{uid[7:10]}", "https://example.org/agenda"])
    text = f"{title}\nJoin: {link}\n" + " ".join(rnd.choices(_WORDS, k=rnd.randint(0, 8)))
    lines = ["DESCRIPTION:" + _esc(text)]
    if rnd.random() < 0.3:
        html = (f"<html><body><p>{title}</p><p><a href=\"{link}\">Join the meeting</a> | "
                f"<a href=\"https://example.org/help\">Help</a></p></body></html>")
        lines.append("X-ALT-DESC;FMTTYPE=text/html:" + _esc(html))
    return lines


def _vevent(lines: list[str]) -> str:
    return "BEGIN:VEVENT\r\n" + "\r\n".join(fold(lines)) + "\r\nEND:VEVENT\r\n"


def _series(rnd, zones: list[str], naive_now: datetime, stamp: str) -> tuple:
    """(the master VEVENT, its UID, zone, title, instances left after its EXDATEs)."""
    from dateutil.rrule import rrulestr

    uid = f"{rnd.getrandbits(128):032x}"
    tz = rnd.choice(zones)
    start = (naive_now - timedelta(days=rnd.randint(30, 5 * 365))).replace(hour=rnd.randint(7, 17))
    start = start.replace(minute=rnd.choice([0, 30]))
    rule = _rule(rnd, start, naive_now)
    title = " ".join(rnd.choices(_WORDS, k=rnd.randint(2, 4))).title()
    # the series' first 400 instances (naive: the UNTIL's Z dropped), for EXDATEs and overrides
    occ = list(rrulestr(rule.replace("Z", ""), dtstart=start).xafter(start, 400, inc=True)) or [start]
    exdates = rnd.sample(occ[1:], min(len(occ) - 1, rnd.randint(0, 6))) if len(occ) > 1 else []
    lines = [f"UID:{uid}", f"SUMMARY:{title}", f"DTSTART;TZID={tz}:{start:%Y%m%dT%H%M%S}",
             f"DTEND;TZID={tz}:{start + timedelta(minutes=rnd.choice([30, 60, 90])):%Y%m%dT%H%M%S}",
             f"RRULE:{rule}", f"DTSTAMP:{stamp}", "SEQUENCE:0", "STATUS:CONFIRMED"]
    lines += [f"EXDATE;TZID={tz}:{d:%Y%m%dT%H%M%S}" for d in sorted(exdates)]
    lines += _body(rnd, uid, title)
    return _vevent(lines), uid, tz, title, [o for o in occ if o not in exdates]


def big_feed(now: datetime, seed: int = 12, series: int = 700, one_offs: int = 380,
             overrides: int = 3698) -> bytes:
    """A ~1.65 MB calendar of 4,778 VEVENTs shaped like a real Outlook/Google export of several
    years: `series` recurring series (started up to 5 years ago, EXDATEs), `overrides` moved or
    renamed instances (RECURRENCE-ID) spread over their occurrences, `one_offs` single events
    (mostly years ago). Deterministic for a given `now` (rounded to the hour) and `seed`."""
    import random

    rnd = random.Random(seed)
    now = now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    naive_now = now.replace(tzinfo=None)
    zones = list(_ZONES)
    out = ["BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\n"
           "METHOD:PUBLISH\r\nX-WR-CALNAME:Calendar\r\n"] + [_vtimezone(z_) for z_ in zones]
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    masters = [_series(rnd, zones, naive_now, stamp) for _ in range(series)]
    out += [m[0] for m in masters]
    moved_already: set = set()
    while len(moved_already) < overrides:
        _, uid, tz, title, occ = rnd.choice(masters)
        # most moved instances are old; a few are near now (the window)
        rid = occ[-1] if rnd.random() < 0.03 and occ[-1] > naive_now - timedelta(days=2) else rnd.choice(occ)
        if (uid, rid) in moved_already:  # one override per instance, as calendars write them
            continue
        moved_already.add((uid, rid))
        moved = rid + timedelta(minutes=rnd.choice([-60, -30, 0, 30, 60, 120]))
        lines = [f"UID:{uid}", f"RECURRENCE-ID;TZID={tz}:{rid:%Y%m%dT%H%M%S}", f"SUMMARY:{title}",
                 f"DTSTART;TZID={tz}:{moved:%Y%m%dT%H%M%S}",
                 f"DTEND;TZID={tz}:{moved + timedelta(hours=1):%Y%m%dT%H%M%S}",
                 f"DTSTAMP:{stamp}"]
        out.append(_vevent(lines + (_body(rnd, uid, title)[:1] if rnd.random() < 0.1 else [])))
    for i in range(one_offs):
        uid = f"{rnd.getrandbits(128):032x}"
        start = naive_now - timedelta(days=rnd.randint(-3, 6 * 365), hours=rnd.randint(0, 23))
        start = start.replace(minute=0, second=0)
        title = " ".join(rnd.choices(_WORDS, k=rnd.randint(2, 5))).title()
        if rnd.random() < 0.1:  # all-day
            lines = [f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}"]
        else:
            tz = rnd.choice(zones)
            lines = [f"DTSTART;TZID={tz}:{start:%Y%m%dT%H%M%S}",
                     f"DTEND;TZID={tz}:{start + timedelta(hours=1):%Y%m%dT%H%M%S}"]
        out.append(_vevent([f"UID:{uid}", f"SUMMARY:{title}", *lines, f"DTSTAMP:{stamp}"] + _body(rnd, uid, title)))
    out.append("END:VCALENDAR\r\n")
    return "".join(out).encode()


class StaticFeed(ConditionalFeed):
    """Serves fixed bytes for any path (HTTP/1.0, closes after each answer), with no ETag or
    Last-Modified: every request gets the whole body."""

    def __init__(self, body: bytes):
        super().__init__(body, etag=False, last_modified=False)
