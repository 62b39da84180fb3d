"""A Google calendar mirrored locally: every item of a full sync (`singleEvents=false`: single
events, series masters, exceptions, cancelled-instance stubs) plus the sync token that follows
it, kept up to date from the changes an incremental sync reports (api.py), and the window's
events listed from it (series expanded by expand.py).

Memory: an item is kept with its span as two floats and a reference to its JSON text (as
Google sent it, re-encoded once): the text itself until it is saved, then where its line starts
in the mirror file (`OFF` + offset: 15 MB of text stay on disk for 25,000 events); only the
window's items are decoded per refresh, and series masters stay decoded. A mirror file that
another process changed since this one wrote it cannot be read by offset: `MirrorLost`, and
sync.py reads the calendar again.

On disk (`MirrorFile` in mirror_file.py, one 0600 file per calendar under `google-sync/`):
JSON lines, a header (format, calendar, account fingerprint, query), then items, each batch of
changes appended and closed by a `{"_sync": …}` line carrying the sync token. A batch of
changes costs an append; the file is rewritten whole after a full sync and when the appended
lines pass a fifth of the items. A file that cannot be read is renamed aside (`.corrupt-…`)
and a full sync follows. The account fingerprint is a salted hash of the refresh token, so a
different sign-in never reads another account's mirror (a new `login` costs one full sync)."""

from __future__ import annotations

import hashlib
import logging
import math
from operator import itemgetter
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from webinar_tray.adapters.calendar.google.expand import instances, original_key
from webinar_tray.adapters.calendar.google.mapping import span
from webinar_tray.json_codec import dumps, loads
from webinar_tray.ports import Deadline, SourceError

log = logging.getLogger(__name__)

# An entry's text on disk: OFF + the offset of its line (never a small int, which Python shares:
# a reference's identity says whether the entry changed, as a text's does).
OFF = 1 << 40
Ref = str | int


class MirrorLost(SourceError):
    """The mirror file is not what this process wrote (another process changed it)."""

_NEVER = (-math.inf, math.inf)  # an item whose times cannot be read: always "in the window"


def account_fingerprint(refresh_token: str | None) -> str:
    """Which sign-in a mirror belongs to, without keeping the token (a salted, cut hash)."""
    if not refresh_token:
        return ""
    return hashlib.sha256(b"webinar-tray google mirror\0" + refresh_token.encode()).hexdigest()[:20]


class Mirror:
    """The items of one calendar and the sync token that follows them."""

    def __init__(self, show_deleted: bool = False) -> None:
        self.show_deleted = show_deleted
        self.token: str | None = None
        self.name = ""  # the calendar's summary (the account's address for "primary")
        self.zone = "UTC"  # the calendar's zone: where an all-day date starts
        self.entries: dict[str, tuple[float, float, Ref]] = {}  # id -> (start, end, JSON or OFF + offset)
        self.reader: Callable[[int], str] | None = None  # an entry's JSON at its offset (the file)
        self.masters: dict[str, tuple[dict, str]] = {}  # series id -> (master, JSON)
        self.overridden: dict[str, dict[str, object]] = {}  # series id -> {exception id: key}
        self._series_of: dict[str, str] = {}  # exception id -> series id
        self.stubs: set[str] = set()  # cancelled instances: they only hide an occurrence
        # id -> its event as last listed (None: not a meeting); an item's change drops it
        self._mapped: dict[str, object] = {}
        self._parsed: dict[str, dict] = {}  # items applied since the last listing, decoded
        self.floor = -math.inf  # items that ended before this (a timestamp) were let go

    def __len__(self) -> int:
        return len(self.entries) + len(self.masters)

    def clear(self) -> None:
        self.__init__(self.show_deleted)

    def meta(self, token: str | None, name: str | None, zone: str | None) -> None:
        if name is not None:
            self.name = name
        if zone and zone != self.zone:
            self.zone = zone
            self._respan()
        if name is not None and name != self.name:
            self._mapped = {}  # events carry the calendar's name
        self.token = token

    def apply(self, item: dict, raw: str | None = None, line: bool = True) -> str | None:
        """One item as Google sent it (a full sync's or a change); returns the line that records
        it in the mirror file (None for an item without an id, or when `line` is False: a full
        sync and a file being read write no line of their own)."""
        iid = item.get("id")
        if not isinstance(iid, str) or not iid:
            return None
        raw = raw or dumps(item)
        cancelled = item.get("status") == "cancelled"
        if iid in self.entries or iid in self.masters:  # (a full sync's items are all new)
            self._forget(iid)
        series = item.get("recurringEventId")
        if item.get("recurrence") and not cancelled:
            self.entries.pop(iid, None)
            self.masters[iid] = (item, raw)
            return "j " + raw if line else None
        if cancelled and not series and not (self.show_deleted and "start" in item):
            self.entries.pop(iid, None)  # deleted
            return "j " + raw if line else None
        if series:
            key = original_key(item.get("originalStartTime"))
            if key is not None:
                self.overridden.setdefault(series, {})[iid] = key
                self._series_of[iid] = series
            if cancelled and not (self.show_deleted and "start" in item):
                self.stubs.add(iid)
        entry = self.entries[iid] = self._span(item) + (raw,)  # in place: keeps its position
        self._parsed[iid] = item
        return self._line(iid, entry) if line else None

    def put(self, iid: str, lo: float, hi: float, raw: Ref, series: str = "", key=None) -> None:
        """An entry read back from the mirror file (`series`, `key`: an exception's; `raw`: its
        text or OFF + the offset of its line)."""
        self._forget(iid)
        if series:
            self.overridden.setdefault(series, {})[iid] = key
            self._series_of[iid] = series
        self.entries[iid] = (lo, hi, raw)

    def prune(self, before: float) -> int:
        """Lets go of single events and exceptions that ended before `before` (a timestamp):
        windows only move forward, and a change to one of them brings it back. A window that
        starts before `floor` needs a full sync (sync.py). Returns how many went."""
        gone = [iid for iid, (_, e, _) in self.entries.items() if e < before and iid not in self.stubs]
        for iid in gone:
            self._forget(iid)
            del self.entries[iid]
        self.floor = max(self.floor, before)
        return len(gone)

    def lines(self):
        """Every item as (its entry's id or None for a series master, its line in the file)."""
        for _, raw in self.masters.values():
            yield None, "j " + raw
        for iid, entry in self.entries.items():
            yield iid, self._line(iid, entry)

    def _line(self, iid: str, entry: tuple[float, float, Ref]) -> str:
        """`e`/`x` lines are read back without decoding the item; `j` lines are decoded."""
        raw = entry[2]
        if type(raw) is not str:
            raw = self.text(raw)
        series = self._series_of.get(iid)
        if iid in self.stubs or " " in iid or (series is not None and " " in series):
            return "j " + raw
        if series is None:
            return f"e {iid} {entry[0]!r} {entry[1]!r} {raw}"
        key = self.overridden[series][iid]
        key = f"T{key.timestamp()!r}" if isinstance(key, datetime) else f"D{key.isoformat()}"
        return f"x {iid} {entry[0]!r} {entry[1]!r} {series} {key} {raw}"

    def text(self, ref: Ref) -> str:
        """An entry's JSON text (read from the file when it is there)."""
        if type(ref) is str:
            return ref
        if self.reader is None:
            raise MirrorLost("the mirror's file is not open")
        return self.reader(ref - OFF)

    def saved(self, offsets: dict[str, int], texts: dict[str, str]) -> None:
        """The entries whose lines start at `offsets` in the file just written keep only that
        (`texts`: what was written for each, so a later change is never taken for it)."""
        entries = self.entries
        for iid, offset in offsets.items():
            entry = entries.get(iid)
            if entry is not None and entry[2] is texts.get(iid):
                entries[iid] = (entry[0], entry[1], OFF + offset)

    def events(self, start: datetime, end: datetime, name: str, mapper: Callable[[dict], object],
               deadline: Deadline | None = None) -> list:
        """The events overlapping [start, end) as `singleEvents=true` lists them, by start:
        `mapper(item)` for each item (an event or None). An item's event is kept until the
        item changes, so an hourly refresh with one change decodes and maps one item."""
        lo, hi = start.timestamp(), end.timestamp()
        picked: list[tuple[float, object]] = []
        cache, fresh, parsed = self._mapped, {}, self._parsed
        self._parsed = {}
        for iid, (s, e, raw) in self.entries.items():
            if s < hi and e > lo and iid not in self.stubs:
                ev = cache.get(iid, _UNMAPPED)
                if ev is _UNMAPPED:
                    item = parsed.get(iid)
                    ev = mapper(item) if item is not None else _decoded(self.text(raw), mapper)
                fresh[iid] = ev
                if ev is not None:
                    picked.append((s, ev))
        self._mapped = fresh  # only the window's: what left it is mapped again if it returns
        masters = {mid: m for mid, (m, _) in self.masters.items()}
        # the original starts of the series expanded here only: a set of every exception's
        # (their hashes computed) cost 8 ms a listing of 25,000 when no master was listed
        overridden = {mid: set(keys.values()) for mid, keys in self.overridden.items() if mid in masters}
        zone = ZoneInfo(self.zone)
        for item in instances(masters, overridden, start, end, name, deadline):
            s, e = span(item, zone)
            if s.timestamp() < hi and e.timestamp() > lo:
                ev = mapper(item)
                if ev is not None:
                    picked.append((s.timestamp(), ev))
        picked.sort(key=itemgetter(0))  # by start, stable
        return [ev for _, ev in picked]

    # -- internals --------------------------------------------------------------------------

    def _forget(self, iid: str) -> None:
        """Drops what an earlier version of item `iid` added (its event too), but its entry
        (replaced in place)."""
        self.masters.pop(iid, None)
        self._mapped.pop(iid, None)
        self.stubs.discard(iid)
        series = self._series_of.pop(iid, None)
        if series is not None:
            self.overridden.get(series, {}).pop(iid, None)

    def _span(self, item: dict) -> tuple[float, float]:
        """`span` as timestamps, `_NEVER` for an item without readable times."""
        if "start" not in item:
            return _NEVER
        try:
            # Google's usual item, two times with their offsets, read here without span's
            # calls (a third of a full sync's apply); the rest (dates, no end...) by span
            start, end = item["start"], item.get("end")
            lo = start.get("dateTime") if type(start) is dict else None
            hi = end.get("dateTime") if type(end) is dict else None
            if lo and hi and type(lo) is str and type(hi) is str:
                lo = datetime.fromisoformat(lo.replace("z", "Z"))
                hi = datetime.fromisoformat(hi.replace("z", "Z"))
                if lo.tzinfo is not None and hi.tzinfo is not None:
                    return lo.timestamp(), hi.timestamp()
            s, e = span(item, ZoneInfo(self.zone))
            return s.timestamp(), e.timestamp()
        except Exception:  # unreadable times: the mapping step reports the item
            return _NEVER

    def _respan(self) -> None:
        for iid, (_, _, raw) in list(self.entries.items()):
            self.entries[iid] = self._span(loads(self.text(raw))) + (raw,)


_UNMAPPED = object()  # an id with no event kept (None is kept: not a meeting)


def _decoded(raw: str, mapper: Callable[[dict], object]):
    try:
        item = loads(raw)
    except ValueError:
        log.warning("a saved Google event cannot be read; it is left out")
        return None
    return mapper(item)
