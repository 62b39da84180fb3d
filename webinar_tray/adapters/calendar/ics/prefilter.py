"""A textual pre-pass over an iCalendar file: the VEVENT blocks that cannot touch the window are
dropped before icalendar parses anything (a real calendar is years of events; parsing and
sanitising them costs seconds, the window needs a few dozen).

Each VEVENT's top-level properties are read from its unfolded lines (nested components such as
VALARM are skipped). A block is dropped only when that is sure, with MARGIN of slack on each side
for time zones, floating and all-day times (any TZID is read as UTC: no offset exceeds a day):

- a single event (no RRULE, RDATE, RECURRENCE-ID) whose start..end lies outside the window;
- an override (RECURRENCE-ID, no RANGE) whose RECURRENCE-ID and DTSTART both lie outside it,
  counting the longest event of its UID (the master's instance it replaces has the master's
  length);
- a series (RRULE, no RDATE) whose every rule ends before the window: an UNTIL, or a COUNT on a
  plain daily or weekly grid (at least one instance a week), plus its length.

A series whose UID has a kept override is kept. Anything unusual (a property given twice, a
value that is not a plain date or date-time, no UID) keeps the block, and a UID with such a
block or two masters is kept whole, and overrides of one instance go together; the parser and
its messages then judge them as before. Event ids depend on whether a UID has overrides (`recurring`, also
those dropped here), so the mapping is told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MARGIN = timedelta(days=2)
_WEEK = timedelta(weeks=1)
_UNFOLD = re.compile(r"\r?\n[ \t]")
_DATE = re.compile(r"(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)Z?)?")
_DURATION = re.compile(r"\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_PLAIN_DAY = re.compile(r"(?:MO|TU|WE|TH|FR|SA|SU)")
_WATCHED = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "RECURRENCE-ID", "UID")
# the lines that matter (found by the regex engine, not a Python loop over every line)
_WATCHED_LINE = re.compile(r"^(?:BEGIN|END|DTSTART|DTEND|DURATION|RRULE|RDATE|RECURRENCE-ID|UID)[;:][^\r\n]*",
                           re.M | re.I)
_EXDATE_LINE = re.compile(r"^EXDATE[;:][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*(?:\r?\n)?", re.M | re.I)
_END = re.compile(r"^END:VEVENT[ \t]*(?:\r?\n|\r?$)", re.M | re.I)


@dataclass(slots=True)
class Block:
    """One VEVENT: its text, UID, kind ("single", "override", "series", "keep") and the span of
    instants it can touch, naive UTC (`first` .. `last`), `length` its own event length."""
    text: str
    uid: str | None
    kind: str
    first: datetime | None = None
    last: datetime | None = None
    rid: datetime | None = None
    length: timedelta | None = None
    exdates: tuple = ()  # a series' EXDATE lines: (offset, end offset, first value, last value)


def read(data: bytes) -> "Feed":
    return Feed(data.decode("utf-8-sig", errors="replace"))


class Feed:
    """A calendar's text cut into its VEVENT blocks (judged once) and the rest (header, time zones),
    ready to give the text for any window: cached by the ICS source between refreshes."""

    def __init__(self, text: str):
        self.parts: list[str | Block] = []
        self.vevents = 0
        for piece, is_vevent in _pieces(text):
            if is_vevent:
                self.parts.append(_judge(piece))
                self.vevents += 1
            elif piece:
                self.parts.append(piece)
        # the UIDs with an override: their instances' ids carry their start (parse.py)
        self.recurring = frozenset(p.uid for p in self.parts if isinstance(p, Block) and p.kind == "override")

    def text(self, lo: datetime, hi: datetime) -> str:
        """The calendar without the VEVENTs that cannot touch [lo, hi] (aware)."""
        lo = lo.astimezone(timezone.utc).replace(tzinfo=None) - MARGIN
        hi = hi.astimezone(timezone.utc).replace(tzinfo=None) + MARGIN
        groups: dict[str, list[Block]] = {}
        for p in self.parts:
            if isinstance(p, Block) and p.uid:
                groups.setdefault(p.uid, []).append(p)
        keep: dict[int, bool] = {}  # kept block -> its far EXDATEs may go
        for g in groups.values():
            blocks, whole = _kept(g, lo, hi)
            keep.update((id(b), not whole) for b in blocks)
        return "".join(p if isinstance(p, str) else _slim(p, lo, hi) if keep.get(id(p)) else p.text
                       for p in self.parts if isinstance(p, str) or not p.uid or id(p) in keep)


def _kept(group: list[Block], lo: datetime, hi: datetime) -> tuple[list[Block], bool]:
    """The blocks of one UID to keep. Whole groups are kept where dropping a part could change
    how the rest is read: a block not judged, two masters (the expander picks one). Overrides
    of one instance are kept or dropped together (one of them wins). True when kept whole."""
    if sum(b.kind != "override" for b in group) > 1 or any(b.kind == "keep" for b in group):
        return group, True
    longest = max(b.length for b in group)
    kept = [b for b in group if _touches(b, lo, hi, longest)]
    rids = {b.rid for b in kept if b.kind == "override"}
    if rids:  # with the series they change, and with the other overrides of their instance
        kept = [b for b in group if b.kind != "override" or b.rid in rids]
    return kept, False


def _slim(b: Block, lo: datetime, hi: datetime) -> str:
    """A kept series without the EXDATE lines all of whose instances lie outside [lo, hi] (an
    exception only removes the instance starting at its value: one far away changes nothing)."""
    far = [(s, e) for s, e, first, last in b.exdates if last + b.length < lo or first > hi]
    if not far:
        return b.text
    out, pos = [], 0
    for s, e in far:
        out.append(b.text[pos:s])
        pos = e
    out.append(b.text[pos:])
    return "".join(out)


def _touches(b: Block, lo: datetime, hi: datetime, longest: timedelta) -> bool:
    if b.kind == "single":
        return b.last >= lo and b.first <= hi
    if b.kind == "series":  # DTSTART is its first instance (even when the rule misses it)
        return (b.last is None or b.last >= lo) and b.first <= hi
    # an override: the instance it replaces may be as long as the series' longest
    return any(t + longest >= lo and t <= hi for t in (b.first, b.rid))


def _pieces(text: str):
    """(text, is a top-level VEVENT block) pieces whose concatenation is `text`."""
    pos = 0
    for m in re.finditer(r"^BEGIN:VEVENT[ \t]*\r?$", text, re.M | re.I):
        if m.start() < pos:
            continue
        end = _END.search(text, m.end())
        if end is None:
            break
        yield text[pos:m.start()], False
        yield text[m.start():end.end()], True
        pos = end.end()
    yield text[pos:], False


def _judge(text: str) -> Block:
    props = _properties(text)
    if props is None:
        return Block(text, None, "keep")
    uid = props.get("UID", ("", ""))[1].strip()
    try:
        start = _when(props["DTSTART"][1])
        length = _length(props, start)
    except (KeyError, ValueError):
        return Block(text, uid or None, "keep")
    if "RECURRENCE-ID" in props:
        params, value = props["RECURRENCE-ID"]
        if "RRULE" in props or "RDATE" in props or "RANGE=" in params.upper() or not uid:
            return Block(text, uid or None, "keep")
        try:
            rid = _when(value)
        except ValueError:
            return Block(text, uid, "keep")
        return Block(text, uid, "override", first=start, rid=rid, length=length)
    if "RDATE" in props:
        return Block(text, uid or None, "keep")
    if "RRULE" in props:
        last = _series_end(props["RRULE"][1], start)
        return Block(text, uid or None, "series", first=start,
                     last=None if last is None else max(last, start) + length, length=length,
                     exdates=_exdates(text))
    return Block(text, uid or None, "single", first=start, last=start + length, length=length)


def _properties(text: str) -> dict[str, tuple[str, str]] | None:
    """The watched top-level properties: name -> (parameters, value); None when one is given
    twice or a nested component is left open (judged by the parser instead)."""
    out: dict[str, tuple[str, str]] = {}
    depth = 0
    lines = _WATCHED_LINE.findall(_UNFOLD.sub("", text))
    for line in lines[1:-1]:  # between the block's own BEGIN and END
        head = line[:6].upper()
        if head.startswith("BEGIN"):
            depth += 1
        elif head.startswith("END"):
            depth -= 1
        elif depth == 0:
            name, params, value = _split(line)
            if name in _WATCHED:
                if name in out:
                    return None
                out[name] = (params, value)
    return out if depth == 0 and len(lines) >= 2 else None


def _exdates(text: str) -> tuple:
    """The block's EXDATE lines whose values all read (none in a block with nested components)."""
    if "EXDATE" not in text.upper() or text.upper().count("BEGIN:") > 1:
        return ()
    out = []
    for m in _EXDATE_LINE.finditer(text):
        _, _, value = _split(_UNFOLD.sub("", m.group(0)).rstrip("\r\n"))
        try:
            values = [_when(v) for v in value.split(",")]
        except ValueError:
            continue
        out.append((m.start(), m.end(), min(values), max(values)))
    return tuple(out)


def _split(line: str) -> tuple[str, str, str]:
    """NAME;PARAMS:VALUE, with quoted parameter values (which may hold ':' and ';')."""
    if '"' not in line:
        head, _, value = line.partition(":")
        name, _, params = head.partition(";")
        return name.strip().upper(), params, value.strip()
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            head = line[:i]
            name, _, params = head.partition(";")
            return name.strip().upper(), params, line[i + 1:].strip()
    return line.strip().upper(), "", ""


def _when(value: str) -> datetime:
    """A DATE or DATE-TIME value as a naive instant (its zone ignored: the margin covers it)."""
    m = _DATE.fullmatch(value.strip())
    if m is None:
        raise ValueError(value)
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return datetime(y, mo, d, h, mi, min(s, 59))


def _length(props: dict[str, tuple[str, str]], start: datetime) -> timedelta:
    """How long the event may last: its DTEND or DURATION, at least a day (an all-day event or a
    missing / backwards end); raises ValueError when it cannot be read."""
    length = timedelta(days=1)
    if "DTEND" in props:
        length = max(length, _when(props["DTEND"][1]) - start)
    if "DURATION" in props:
        m = _DURATION.fullmatch(props["DURATION"][1].strip())
        if m is None:
            raise ValueError(props["DURATION"][1])
        w, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        length = max(length, timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s))
    return length


def _series_end(rule: str, start: datetime) -> datetime | None:
    """The latest start a rule can give, or None (no sure end)."""
    parts: dict[str, str] = {}
    for item in rule.upper().split(";"):
        k, sep, v = item.strip().partition("=")
        if not sep or k in parts:
            return None
        parts[k] = v.strip()
    try:
        if "UNTIL" in parts:
            return _when(parts["UNTIL"])
        count, interval = int(parts.get("COUNT", "")), int(parts.get("INTERVAL", "1"))
    except ValueError:
        return None
    simple = set(parts) <= {"FREQ", "COUNT", "INTERVAL", "WKST", "BYDAY"}
    days = parts.get("BYDAY", "MO")
    if (not simple or parts.get("FREQ") not in ("DAILY", "WEEKLY") or count < 1 or interval < 1
            or not all(_PLAIN_DAY.fullmatch(d.strip()) for d in days.split(","))):
        return None
    # every week (of INTERVAL weeks, or INTERVAL days) holds an instance; DTSTART counts as one
    return start + (count + 1) * interval * _WEEK
