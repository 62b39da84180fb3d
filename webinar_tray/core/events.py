"""The calendar event value every source produces and every policy reads."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone

# An event with no usable end (no DTEND, or end <= start) is taken to last this long.
DEFAULT_DURATION = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)  # slots: a heavy calendar keeps 25,000 of them
class CalendarEvent:
    calendar_id: str
    event_id: str
    title: str
    start: datetime  # aware
    end: datetime  # aware, > start (sources use DEFAULT_DURATION when the calendar has none)
    all_day: bool = False
    location: str = ""
    description: str = ""  # may be HTML (Google) or plain text (ICS)
    organizer: str = ""  # e-mail address, lower case
    conference_links: tuple[str, ...] = ()  # conferenceData video entry points, in order
    hangout_link: str = ""
    status: str = "confirmed"  # confirmed | tentative | cancelled
    response: str = ""  # the user's own answer: accepted | declined | tentative | needsAction | ""
    calendar_name: str = ""
    source: str = ""  # google | ics | demo
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict:
        """The event as JSON-ready data. Built field by field: `dataclasses.asdict` deep-copies
        every value, 8 of the 11 seconds of storing 25,000 events (issue 13)."""
        d = {name: getattr(self, name) for name in _FIELDS}
        d["start"] = self.start.isoformat()
        d["end"] = self.end.isoformat()
        d["conference_links"] = list(self.conference_links)
        d["extra"] = dict(self.extra)  # flat: names and strings of the source
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "CalendarEvent":
        d = dict(d)
        for k in ("start", "end"):  # a datetime already (a shared one: event_rows.py) or its text
            if not isinstance(d[k], datetime):
                d[k] = datetime.fromisoformat(d[k])
        d["conference_links"] = tuple(d.get("conference_links") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


_FIELDS = tuple(f.name for f in fields(CalendarEvent))

def fast_constructor(cls):
    """`cls` (a frozen dataclass with slots) built from every field's value, in the class's
    order, by plain stores: its own __init__ sets each field through object.__setattr__ (2 us
    for a CalendarEvent, a sixth of mapping a Google item; 3 us for a PlannedJoin, 4x this).
    The returned class has `cls`'s very slots and an __init__ generated from its fields (as
    dataclasses makes its own), which ends by making the object a `cls`: CPython allows the
    change because the layouts are the same, and the object is then as frozen as any."""
    names = [f.name for f in fields(cls)]
    source = (f"def __init__(self, {', '.join(names)}):\n"
              + "".join(f"    self.{n} = {n}\n" for n in names)
              + "    self.__class__ = cls\n")
    namespace = {"cls": cls}
    exec(source, namespace)  # noqa: S102 - the field names are the class's own
    return type(f"Fast{cls.__name__}", (), {"__slots__": cls.__slots__, "__init__": namespace["__init__"],
                                             "__module__": cls.__module__})


# `CalendarEvent(*values)` with every field given (the bulk mappers'; anything else calls the class)
new_event = fast_constructor(CalendarEvent)


# What the events of one batch (a Google listing, a cache read) share: a heavy calendar's
# events repeat their series' texts and extras, and each copy would be kept (25,000 events:
# about 10 MB). `memo` lives for the batch; the events keep what it handed out.

def shared_text(memo: dict, text):
    """One string object per text in `memo` (anything else is returned as it is)."""
    return memo.setdefault(text, text) if type(text) is str and text else text


def shared_extra(memo: dict, extra: dict) -> dict:
    """One `extra` dict per content in `memo` (its texts shared too); never changed after."""
    return _shared_extra(memo, ("x", *extra.items()), extra)


def shared_extra_of(memo: dict, pairs: list) -> dict:
    """`shared_extra(memo, dict(pairs))` (`pairs`: (name, value), each name once), the dict
    made only when it is not in `memo` yet: a series' instances find theirs."""
    return _shared_extra(memo, ("x", *pairs), None)


def _shared_extra(memo: dict, key: tuple, extra: dict | None) -> dict:
    try:
        got = memo.get(key)
    except TypeError:  # a value that is not text (unhashable): kept alone
        return extra if extra is not None else dict(key[1:])
    if got is None:
        got = memo[key] = {k: shared_text(memo, v) for k, v in key[1:]}
    return got


def in_utc(t: datetime) -> datetime:
    """t as a UTC instant, for arithmetic in real time: a zone's wall time skips or repeats an
    hour at a DST change (an ICS session at 03:00 on spring-forward day, 5 minutes before, is
    02:55 wall time, which that zone reads as an hour later)."""
    return t.astimezone(timezone.utc)


def utc_stamp(t: datetime) -> str:
    """The contract's compact UTC form: YYYYMMDDTHHMMSSZ (formatted by hand: strftime is a
    third of the planner's own time on 25,000 events)."""
    u = t.astimezone(timezone.utc)
    return f"{u.year:04d}{u.month:02d}{u.day:02d}T{u.hour:02d}{u.minute:02d}{u.second:02d}Z"


def plan_id(calendar_id: str, event_id: str, start: datetime) -> str:
    """`<calendar_id>/<event_id>/<UTC start>`: stable across refreshes, new when the event moves."""
    return f"{calendar_id}/{event_id}/{utc_stamp(start)}"


def override_key(calendar_id: str, event_id: str) -> str:
    """Per-event choices survive a move, so they are keyed without the start."""
    return f"{calendar_id}/{event_id}"


def fix_end(start: datetime, end: datetime | None) -> datetime:
    """A missing or non-positive end becomes start + DEFAULT_DURATION."""
    if end is None or end <= start:
        return start + DEFAULT_DURATION
    return end
