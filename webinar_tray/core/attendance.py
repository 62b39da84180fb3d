"""An attendance record: its states, its gaps and how it changes.

Pure: no store, no clock, no pid of its own — `now` and the owner's pid are arguments. Every
transition returns a new record and leaves the one it was given alone; the engine stores what
comes back (`runtime/store.py` only persists records). The states are CONTRACT.md's:

    joining ─► attending ─► attended | partial      (judged by core/outcome at the end)
       │                                            failed  (never joined: `error` says why)
       └─ (never tried, the app was off)  ─────────► missed

A record left `interrupted` (the app stopped while the webinar ran) or still active after a crash
is either resumed into the same record (`resume`, the time away a gap) or settled (`settle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Mapping, Protocol, Sequence

from webinar_tray.core.outcome import judge
from webinar_tray.core.plan import PlannedJoin

JOINING = "joining"
ATTENDING = "attending"
ATTENDED = "attended"
PARTIAL = "partial"
FAILED = "failed"
MISSED = "missed"
ACTIVE = (JOINING, ATTENDING)  # a browser is (or was, before a crash) on it
DONE = (ATTENDED, PARTIAL, FAILED, MISSED)  # final: the history

# Why a gap is there (the joiner reports its own: "page crashed", "browser closed", ...).
APP_NOT_RUNNING = "app not running"
REJOINED = "left and joined again"
MISSED_ERROR = "the app was not running, or the computer slept through the webinar"


@dataclass(frozen=True, eq=False)
class Gap:
    """A time the page was not attended (crash, the app not running, the user away)."""

    start: datetime
    end: datetime
    why: str

    def to_json(self) -> dict[str, str]:
        """The stored and contract form: {"from", "to", "why"}, times as ISO 8601 strings."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "why": self.why}

    @classmethod
    def from_json(cls, d: Mapping[str, str]) -> Gap:
        return cls(datetime.fromisoformat(d["from"]), datetime.fromisoformat(d["to"]), d["why"])

    @classmethod
    def of(cls, g: Gap | Mapping[str, str]) -> Gap:
        return g if isinstance(g, Gap) else cls.from_json(g)

    # Gaps were ISO-string dicts before they were typed: code written against that form
    # (`g["why"]`, history rows, a dict in a comparison) reads a Gap as its JSON.
    def __getitem__(self, key: str) -> str:
        return self.to_json()[key]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Gap):
            return (self.start, self.end, self.why) == (other.start, other.end, other.why)
        if isinstance(other, Mapping):
            return self.to_json() == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.why))


def gap_json(g: Gap | Mapping[str, str]) -> dict[str, str]:
    """A gap as stored: a Gap's JSON, or a {"from", "to", "why"} dict as it is."""
    return g.to_json() if isinstance(g, Gap) else {"from": g["from"], "to": g["to"], "why": g["why"]}


@dataclass
class Attendance:
    """One attempt at a planned join, from the claim to its outcome (the history row)."""

    id: str
    title: str
    provider: str | None
    join_url: str | None
    start: datetime
    end: datetime
    state: str  # one of ACTIVE or DONE
    joined_at: datetime | None = None
    left_at: datetime | None = None
    gaps: list[Gap] = field(default_factory=list)  # {"from", "to", "why"} dicts are read as Gaps
    error: str | None = None
    evidence: list[str] = field(default_factory=list)
    owner_pid: int | None = None
    heartbeat: datetime | None = None
    interrupted: bool = False  # the app stopped while the webinar was still running
    ended_by_page: bool = False
    organizer: str = ""  # the calendar event's organizer (e-mail address), "" when unknown

    def __post_init__(self) -> None:
        self.gaps = [Gap.of(g) for g in self.gaps]

    @property
    def last_seen(self) -> datetime | None:
        """The last time this app is known to have been on the page."""
        return self.left_at or self.heartbeat or self.joined_at


class Report(Protocol):
    """What a joiner reports (ports.AttendReport): read, never changed."""

    joined_at: datetime | None
    left_at: datetime | None
    gaps: Sequence[Gap]
    error: str
    ended_by_page: bool
    evidence: Sequence[str]


def _judged(a: Attendance) -> str:
    return judge(a.start, a.end, a.joined_at, a.left_at, [g.to_json() for g in a.gaps], a.ended_by_page)


# ---- transitions ---------------------------------------------------------------------------

def planned(p: PlannedJoin, state: str, owner_pid: int | None) -> Attendance:
    """A new record for a planned (or ad-hoc) join, to be claimed in `state`."""
    return Attendance(id=p.id, title=p.title, provider=p.provider, join_url=p.join_url,
                      start=p.start, end=p.end, state=state, owner_pid=owner_pid, organizer=p.organizer)


def missed(p: PlannedJoin, owner_pid: int | None) -> Attendance:
    """An auto-join whose webinar ended with no attempt."""
    return replace(planned(p, MISSED, owner_pid), error=MISSED_ERROR)


def rejoin(a: Attendance, now: datetime, owner_pid: int | None) -> Attendance:
    """Joined again by hand after leaving or failing: the same record, the time away a gap."""
    gaps = list(a.gaps)
    if a.joined_at and a.left_at and now > a.left_at:
        gaps.append(Gap(a.left_at, now, REJOINED))
    return replace(a, gaps=gaps, state=JOINING, error=None, owner_pid=owner_pid, interrupted=False,
                   left_at=None)


def resume(a: Attendance, now: datetime, owner_pid: int | None) -> Attendance:
    """Rejoined after a restart (quit, crash, reboot): the time the app was away a gap."""
    gaps = list(a.gaps)
    seen = a.last_seen
    if a.joined_at and seen and now > seen:
        gaps.append(Gap(seen, now, APP_NOT_RUNNING))
    return replace(a, gaps=gaps, interrupted=False, state=JOINING, owner_pid=owner_pid, left_at=None)


def settle(a: Attendance) -> Attendance:
    """A record the last run left unfinished, judged as it stands (not resumed)."""
    b = replace(a, interrupted=False, left_at=a.left_at or a.last_seen)
    return replace(b, state=_judged(b) if b.joined_at else (FAILED if b.error else MISSED))


def heartbeat(a: Attendance, now: datetime) -> Attendance:
    return replace(a, heartbeat=now)


def apply_report(a: Attendance, kind: str, report: Report, now: datetime, *, closing: bool,
                 leave_at: datetime) -> Attendance:
    """A joiner's report: kind 'joined' | 'progress' | 'done'. New gaps and evidence are added
    once each. At 'done' the record is judged; it is left `interrupted` when the app is closing
    while the webinar still runs (the next run may resume it)."""
    known = {(g.start, g.end) for g in a.gaps}
    gaps = list(a.gaps) + [g for g in report.gaps if (g.start, g.end) not in known]
    b = replace(a, joined_at=a.joined_at or report.joined_at, gaps=gaps, heartbeat=now,
                evidence=list(dict.fromkeys(a.evidence + list(report.evidence))))
    if kind == "joined":
        return replace(b, state=ATTENDING)
    if kind != "done":
        return b
    left_at = report.left_at or now
    b = replace(b, left_at=left_at, ended_by_page=report.ended_by_page, error=report.error or None,
                interrupted=(closing and bool(b.joined_at) and not report.ended_by_page
                             and left_at < leave_at))
    return replace(b, state=_judged(b))
