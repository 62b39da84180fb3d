"""The interfaces between the engine and the outside world. Adapters implement one each;
runtime tests use fakes of these."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Protocol

# The record's typed gap lives in core/attendance; adapters import it from here to report one.
from webinar_tray.core.attendance import Gap
from webinar_tray.core.events import CalendarEvent


class SourceError(Exception):
    """A calendar source could not be read. The message names the source (never a secret URL)."""


class SignInNeeded(SourceError):
    """The source needs the user to sign in again (exit 3 for `list`)."""


class SourceTimeout(SourceError):
    """A source went past its refresh deadline ([refresh] timeout_seconds); it keeps its last good
    events."""


class Deadline:
    """The total time one source may take for one refresh: connect, whole body and parse.
    Sources check it inside their reading and expanding loops (`check`), and bound each blocking
    call by `remaining()`, so a source past its deadline stops using CPU. Monotonic time: a
    deadline measures a duration, not a time of day."""

    def __init__(self, seconds: float, what: str = "the refresh", monotonic=time.monotonic):
        self.seconds, self.what, self._monotonic = seconds, what, monotonic
        self.at = monotonic() + seconds

    def remaining(self) -> float:
        return self.at - self._monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self) -> None:
        if self.expired:
            raise SourceTimeout(f"{self.what}: no answer within {self.seconds:g} s "
                                "([refresh] timeout_seconds); keeping its last good events")


class CalendarSource(Protocol):
    name: str  # shown in logs and messages; never a secret address
    key: str  # stable identity in the store's source table (never a secret address)

    def fetch(self, start: datetime, end: datetime, deadline: Deadline | None = None) -> list[CalendarEvent]:
        """Events overlapping [start, end). Raises SourceError when the source cannot be read
        (SourceTimeout past `deadline`). Runs on a refresh thread, never the engine's."""
        ...

    # A source that saves its events itself (a Google calendar's mirror file) also has
    # `keeps_events` (True while its last fetch is saved: the store then keeps no rows of it)
    # and `cached(start, end)` (the window from what it saved, contacting nothing; None when it
    # saved nothing). runtime/sync.py reads both with getattr: other sources have neither.


@dataclass
class AttendReport:
    """What a Joiner reports back while and after attending one planned join."""

    id: str
    joined_at: datetime | None = None
    left_at: datetime | None = None
    gaps: list[Gap] = field(default_factory=list)
    error: str = ""  # which step failed and why, when never joined
    ended_by_page: bool = False  # the page showed the webinar had ended
    evidence: list[str] = field(default_factory=list)


class Joiner(Protocol):
    @property
    def headless(self) -> bool:
        """Whether the browser runs (or will run) without a window: the CLI's --headless, else
        headless where no display exists, else `[join] headless`. What the menu shows."""
        ...

    def update_settings(self, settings) -> None:
        """New settings (config.toml changed); they apply to the next attend."""
        ...

    def bring_to_front(self, job_id: str) -> bool:
        """Show the page attending `job_id`; False when there is no window to show (headless,
        or no such page)."""
        ...

    def attend(self, job, on_update: Callable[[str, AttendReport], None]) -> None:
        """Start attending `job` (a core.plan.PlannedJoin) in the background. Returns at once.
        on_update(kind, report) is called from the joiner's thread with kind in
        'joined' | 'progress' | 'done'. 'done' comes exactly once."""
        ...

    def leave(self, job_id: str) -> None: ...

    def active(self) -> list[str]: ...

    def close(self, timeout: float = 10.0) -> None:
        """Leave every page (each attend reports 'done'), then stop the browser."""
        ...


class Notifier(Protocol):
    enabled: bool  # [notifications] enabled; off: nothing is shown (the log still says it)

    def notify(self, kind: str, title: str, message: str) -> None:
        """kind: reminder | joined | failed | ended | signin | refresh-failing | info.
        Never blocks and never raises into the caller."""
        ...

    def set_tray_notify(self, tray_notify: Callable[[str, str], None] | None) -> None:
        """The tray icon's own notify as a fallback path (None: none)."""
        ...

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (the last "ended" at Quit), then stop."""
        ...


class AccountError(Exception):
    """Sign-in or sign-out failed; the message is for the user. `exit_code` for the CLI: 2 when
    the account's configuration is at fault (a bad client file), else 1."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class Account(Protocol):
    """A calendar account the user signs in to (Google): what the menu shows and does."""

    @property
    def configured(self) -> bool:
        """A client is set up (the Desktop OAuth client's file exists)."""
        ...

    def signed_in(self) -> bool: ...

    def name(self, sources: list) -> str | None:
        """Who is signed in (an e-mail address once a refresh has read it), None when nobody."""
        ...

    def sign_in(self) -> None:
        """The installed-app flow in the default browser; blocks until done. AccountError."""
        ...

    def sign_out(self) -> str:
        """Revoke and forget the tokens; returns what to tell the user."""
        ...


class BrowserNotFound(Exception):
    """No usable browser for joining. The message says how to get one."""


class AutostartError(Exception):
    """Start at login could not be turned on or off; the message says where and why."""


class Clock(Protocol):
    def now(self) -> datetime: ...  # aware UTC


class Waker(Protocol):
    """Wakes the PC from sleep for the next auto-join (`[wake]`): a Task Scheduler task on
    Windows; nothing where the OS needs admin rights for it (doctor prints the command there)."""

    def wake_at(self, at: datetime | None, title: str = "") -> None:
        """Wake the PC at `at` (aware), replacing the wake set before; None: no wake. `title`
        names the webinar in logs. Returns at once (the OS call runs on the waker's own thread),
        never raises; the engine calls it only when the time changed."""
        ...

    def close(self, timeout: float = 10.0) -> None:
        """At Quit: the wake set last is removed (no app runs to join), waiting up to `timeout`."""
        ...
