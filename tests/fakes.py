"""Fakes of our own ports (CalendarSource, Joiner, Notifier, Clock) for engine tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from webinar_tray.core.events import CalendarEvent
from webinar_tray.ports import AttendReport

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, t: datetime = T0):
        self.t = t

    def now(self) -> datetime:
        return self.t

    def advance(self, **kw) -> datetime:
        self.t += timedelta(**kw)
        return self.t


class FakeSource:
    def __init__(self, events=(), name="fake calendar"):
        self.name = self.key = name
        self.events = list(events)
        self.error: Exception | None = None
        self.fetches = 0

    def fetch(self, start, end, deadline=None):
        self.fetches += 1
        if self.error:
            raise self.error
        return [e for e in self.events if e.end > start and e.start < end]


class FakeJoiner:
    """Records attends; the test plays the browser by calling joined()/done()."""

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.calls: list = []  # every job attend() was given
        self._cb: dict = {}
        self.closed = False
        self.settings = None
        self.headless = False
        self.fronted: list[str] = []

    def update_settings(self, settings):
        self.settings = settings
        self.headless = settings.join.headless

    def bring_to_front(self, job_id):
        self.fronted.append(job_id)
        return False

    def attend(self, job, on_update):
        self.calls.append(job)
        self._cb[job.id] = (job, on_update, AttendReport(id=job.id))

    def joined(self, id):
        job, cb, r = self._cb[id]
        r.joined_at = self.clock.now()
        cb("joined", r)

    def done(self, id, error="", ended_by_page=False):
        job, cb, r = self._cb.pop(id)
        r.left_at = self.clock.now()
        r.error = error
        r.ended_by_page = ended_by_page
        cb("done", r)

    def leave(self, id):
        if id in self._cb:
            self.done(id)

    def active(self):
        return list(self._cb)

    def close(self, timeout=10.0):
        self.closed = True
        for id in list(self._cb):
            self.done(id)


class FakeNotifier:
    def __init__(self):
        self.sent: list[tuple[str, str, str]] = []
        self.enabled = True
        self.tray_notify = None
        self.closed = False

    def notify(self, kind, title, message):
        self.sent.append((kind, title, message))

    def set_tray_notify(self, tray_notify):
        self.tray_notify = tray_notify

    def close(self, timeout=5.0):
        self.closed = True

    def kinds(self):
        return [k for k, _, _ in self.sent]


class FakeWaker:
    """Records what the engine asks of ports.Waker: (at, title) per wake_at, and close."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.closed = False

    def wake_at(self, at, title=""):
        self.calls.append((at, title))

    def close(self, timeout=10.0):
        self.closed = True


def event(title="ISC2 Think Tank webinar", start=T0 + timedelta(hours=1), minutes=60,
          url="https://www.brighttalk.com/webcast/5385/612345", **kw) -> CalendarEvent:
    kw.setdefault("event_id", "ev-" + title.lower().replace(" ", "-")[:20])
    kw.setdefault("calendar_id", "cal@example.com")
    desc = kw.pop("description", f"Join: {url}" if url else "")
    return CalendarEvent(title=title, start=start, end=start + timedelta(minutes=minutes),
                         description=desc, **kw)
