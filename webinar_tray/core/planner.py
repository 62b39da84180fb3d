"""The plan kept up to date as events, settings and per-event choices change (issue 13).

`core.plan.plan(events, settings, overrides, now)` plans every event again on each call. The
Planner keeps each event's plan as it would be at the event's start (`plan_event(..., now=start)`:
now-independent) and applies what depends on `now` when asked: the window (end > now, start <
now + lookahead) and the "ended" reason when `[join] late_join` is off. A changed event, source,
setting or choice replans only what it touches; a query costs the items it returns.

    Planner(settings, overrides, known_since)
    .set_source(key, events) / .drop_sources_except(keys)   what a refresh brought
    .set_settings(settings) / .set_override(key, on)         what the user chose
    .plan(now) == core.plan.plan(.events(), settings, overrides, now)
    .plan(now, until=t) / .upcoming(now, wanted=True)          the part a due check reads
    .ended(now) / .settle(id)                                 the "missed" judgement, once each

Pure: no I/O, no clock.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable, Iterator, Mapping

from webinar_tray.core.events import CalendarEvent, override_key
from webinar_tray.core.plan import ON_TIME_TOLERANCE, PlannedJoin, _Ctx, _plan_event
from webinar_tray.core.schedule import wanted
from webinar_tray.core.settings import Settings

# Events longer than this are also kept apart: a query looks this far back for running events,
# and through the few longer ones (all-day, multi-day) on top.
LONG = timedelta(hours=6)


@dataclass(eq=False, slots=True)
class _Entry:
    event: CalendarEvent
    order: int  # source rank << 32 | position in the source: the order of .events() (one int,
    # not a tuple: 1.3 MB less at 25,000 events)
    base: PlannedJoin | None  # the plan at the event's start


def event_key(e: CalendarEvent) -> tuple:
    """What identifies a cached event within its source (the store's primary key)."""
    return e.calendar_id, e.event_id, e.start


class _Index:
    """Keys (start, title, id) sorted, plus those of long events apart."""

    def __init__(self) -> None:
        self.keys: list[tuple] = []
        self.long: list[tuple] = []

    def build(self, keys: list[tuple], long: list[tuple]) -> None:
        self.keys, self.long = sorted(keys), sorted(long)

    def add(self, key: tuple, long: bool) -> None:
        insort(self.keys, key)
        if long:
            insort(self.long, key)

    def remove(self, key: tuple, long: bool) -> None:
        for lst in (self.keys, self.long) if long else (self.keys,):
            i = bisect_left(lst, key)
            if i < len(lst) and lst[i] == key:
                del lst[i]

    def between(self, lo: datetime, hi: datetime) -> Iterator[tuple]:
        """Keys of long events that start before `lo`, then every key with lo <= start < hi."""
        j = bisect_left(self.long, (lo,))
        yield from self.long[:j]
        i, k = bisect_left(self.keys, (lo,)), bisect_left(self.keys, (hi,))
        for n in range(i, k):
            yield self.keys[n]

    def after(self, lo: datetime) -> Iterator[tuple]:
        j = bisect_left(self.long, (lo,))
        yield from self.long[:j]
        for n in range(bisect_left(self.keys, (lo,)), len(self.keys)):
            yield self.keys[n]


class Planner:
    def __init__(self, settings: Settings, overrides: Mapping[str, bool] | None = None,
                 known_since: datetime | None = None):
        self.settings = settings
        self.overrides: dict[str, bool] = dict(overrides or {})
        self.known_since = known_since  # None: nothing is judged missed
        self._sources: dict[str, dict[tuple, _Entry]] = {}
        self._rank: dict[str, int] = {}
        # entries with a plan, in .events() order: one entry alone (the usual case: 25,000 lists
        # of one weighed 3.4 MB), a list when sources or instances share the id
        self._by_id: dict[str, _Entry | list[_Entry]] = {}
        self._indexed: dict[str, tuple] = {}  # plan id -> (key, wanted, long, missed items)
        self._all, self._wanted = _Index(), _Index()
        self._ends: list[tuple] = []  # (end, order, id, plan): auto-joins that may be missed
        self._unstable: set[str] = set()  # ids whose events differ in start or title
        self._dirty: set[str] = set()
        self._settled: set[str] = set()
        self._ctx = _Ctx(settings)  # what planning reads from the settings, once

    # ---- changes ------------------------------------------------------------------------
    def set_source(self, source: str, events: Iterable[CalendarEvent]) -> None:
        """The events of `source` are now these (a later duplicate replaces an earlier one)."""
        rank = self._rank.setdefault(source, len(self._rank))
        self._ctx = _Ctx(self.settings)  # its memo of stamps lives for one batch
        old = self._sources.get(source, {})
        new: dict[tuple, CalendarEvent] = {}
        for e in events:
            new[event_key(e)] = e
        entries: dict[tuple, _Entry] = {}
        for pos, (k, e) in enumerate(new.items()):
            was = old.get(k)
            if was is not None and (was.event is e or was.event == e):
                if was.order != rank << 32 | pos:  # moved in its source: the same plan, a new place
                    self._unlink(was)
                    was.order = rank << 32 | pos
                    self._link(was, plan=False)
                entries[k] = was
                continue
            if was is not None:
                self._unlink(was)
            entries[k] = self._link(_Entry(e, rank << 32 | pos, None))
        for k, was in old.items():
            if k not in entries:
                self._unlink(was)
        self._sources[source] = entries
        self._ctx.forget()

    def drop_sources_except(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for source in [s for s in self._sources if s not in keep]:
            self.set_source(source, ())
            del self._sources[source]

    def set_settings(self, settings: Settings) -> None:
        """New settings: every event is planned again when what plan_event reads changed."""
        same = settings.match == self.settings.match and settings.join == self.settings.join
        self.settings = settings
        self._ctx = _Ctx(settings)
        if not same:
            self._replan(e for entries in self._sources.values() for e in entries.values())

    def set_override(self, key: str, on: bool | None) -> None:
        if self.overrides.get(key) == on:
            return
        if on is None:
            self.overrides.pop(key, None)
        else:
            self.overrides[key] = on
        # a rare user action: the events it touches are looked for, not indexed (memory)
        self._replan([entry for entries in self._sources.values() for entry in entries.values()
                      if override_key(entry.event.calendar_id, entry.event.event_id) == key])

    def set_overrides(self, overrides: Mapping[str, bool]) -> None:
        for key in set(self.overrides) | set(overrides):
            self.set_override(key, overrides.get(key))

    def settle(self, id: str) -> None:
        """`id` has a record (records are kept): it is never judged missed again."""
        self._settled.add(id)

    def _replan(self, entries: Iterable[_Entry]) -> None:
        for entry in list(entries):
            self._unlink(entry)
            entry.base = None
            self._link(entry)
        self._ctx.forget()

    def _link(self, entry: _Entry, plan: bool = True) -> _Entry:
        e = entry.event
        key = override_key(e.calendar_id, e.event_id)
        if plan:
            entry.base = _plan_event(e, self.settings, self.overrides.get(key), e.start, self._ctx)
        if entry.base is not None:
            id = entry.base.id
            same = self._by_id.get(id)
            if same is None:
                self._by_id[id] = entry
            else:
                if type(same) is _Entry:
                    same = self._by_id[id] = [same]
                insort(same, entry, key=lambda x: x.order)
            self._dirty.add(id)
        return entry

    def _unlink(self, entry: _Entry) -> None:
        if entry.base is None:
            return
        id = entry.base.id
        same = self._by_id.get(id)
        if same is entry:
            del self._by_id[id]
        elif type(same) is list:
            if entry in same:
                same.remove(entry)
            if len(same) == 1:
                self._by_id[id] = same[0]
        self._dirty.add(id)

    # ---- the indexes ----------------------------------------------------------------------
    def _sync(self) -> None:
        """Bring the indexes up to date with the changed ids (all at once when many changed)."""
        if not self._dirty:
            return
        if len(self._dirty) > max(64, len(self._by_id) // 8):
            self._rebuild()
            return
        for id in self._dirty:
            was = self._indexed.pop(id, None)
            if was is not None:
                key, want, long, missed = was
                self._all.remove(key, long)
                if want:
                    self._wanted.remove(key, long)
                for item in missed:
                    self._drop_end(item)
            now = self._describe(id)
            if now is None:
                continue
            self._indexed[id] = now
            key, want, long, missed = now
            self._all.add(key, long)
            if want:
                self._wanted.add(key, long)
            for item in missed:
                insort(self._ends, item, key=lambda x: x[:2])
        self._dirty.clear()

    def _drop_end(self, item: tuple) -> None:
        i = bisect_left(self._ends, item[:2], key=lambda x: x[:2])
        while i < len(self._ends) and self._ends[i][:2] == item[:2]:
            if self._ends[i] is item:
                del self._ends[i]
                return
            i += 1

    def _rebuild(self) -> None:
        self._unstable = set()
        self._indexed = {id: d for id in self._by_id if (d := self._describe(id)) is not None}
        rows = self._indexed.values()
        self._all.build([r[0] for r in rows], [r[0] for r in rows if r[2]])
        self._wanted.build([r[0] for r in rows if r[1]], [r[0] for r in rows if r[1] and r[2]])
        self._ends = sorted((m for r in rows for m in r[3]), key=lambda x: x[:2])
        self._settled &= set(self._by_id)
        self._dirty.clear()

    def _same(self, id: str) -> tuple[_Entry, ...] | list[_Entry]:
        same = self._by_id.get(id)
        return () if same is None else (same,) if type(same) is _Entry else same

    def _describe(self, id: str) -> tuple | None:
        same = self._same(id)
        self._unstable.discard(id)
        if not same:
            return None
        first = same[0].base
        if any((c.base.start, c.base.title) != (first.start, first.title) for c in same[1:]):
            self._unstable.add(id)
        since = self.known_since
        missed = tuple((c.base.end, c.order, id, c.base) for c in same
                       if since is not None and c.base.auto_join and c.base.start >= since)
        return ((first.start, first.title, id), any(wanted(c.base) for c in same),
                any(c.base.end - c.base.start > LONG for c in same), missed)

    # ---- queries --------------------------------------------------------------------------
    def events(self) -> list[CalendarEvent]:
        """Every event held, sources in the order first seen, each in its own order."""
        ranked = sorted(self._sources, key=self._rank.__getitem__)
        return [entry.event for s in ranked for entry in self._sources[s].values()]

    def source_events(self, source: str) -> list[CalendarEvent] | None:
        """The events held for `source` (None: a source never set)."""
        entries = self._sources.get(source)
        return None if entries is None else [entry.event for entry in entries.values()]

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._sources.values())

    def plan(self, now: datetime, until: datetime | None = None, wanted: bool = False) -> list[PlannedJoin]:
        """core.plan.plan(self.events(), settings, overrides, now); with `until`, only what
        starts before it; with `wanted`, only what may be wanted (others are left out)."""
        self._sync()
        hi = now + timedelta(hours=self.settings.refresh.lookahead_hours)
        if until is not None:
            hi = min(hi, until)
        index = self._wanted if wanted else self._all
        out = [p for key in index.between(now - LONG, hi) if (p := self._at(key[2], now, hi)) is not None]
        if self._unstable:
            out.sort(key=lambda p: (p.start, p.title, p.id))
        return out

    def upcoming(self, now: datetime, wanted: bool = True) -> Iterator[PlannedJoin]:
        """plan(now, wanted=...) one at a time, soonest first: for a reader that stops early."""
        self._sync()
        if self._unstable:
            yield from self.plan(now, wanted=wanted)
            return
        hi = now + timedelta(hours=self.settings.refresh.lookahead_hours)
        index = self._wanted if wanted else self._all
        for key in index.after(now - LONG):
            if key[0] >= hi:
                return
            p = self._at(key[2], now, hi)
            if p is not None:
                yield p

    def find(self, id: str, now: datetime) -> PlannedJoin | None:
        """The plan item `id` as plan(now) has it, or None."""
        hi = now + timedelta(hours=self.settings.refresh.lookahead_hours)
        return self._at(id, now, hi)

    def _at(self, id: str, now: datetime, hi: datetime) -> PlannedJoin | None:
        for entry in self._same(id):
            p = entry.base
            if p.end > now and p.start < hi:
                if p.auto_join and not self.settings.join.late_join and now - ON_TIME_TOLERANCE > p.start:
                    return replace(p, auto_join=False, reason="ended", join_at=None)
                return p
        return None

    def ended(self, now: datetime) -> list[PlannedJoin]:
        """Auto-joins as planned at their start that ended by `now`, started at or after
        known_since and are not settled, in .events() order (duplicates included): what
        core.schedule judges missed."""
        self._sync()
        i = bisect_right(self._ends, now, key=lambda x: x[0])
        head = self._ends[:i]
        keep = [m for m in head if m[2] not in self._settled]
        if len(keep) < len(head):  # settled ones are never looked at again
            self._ends[:i] = keep
        return [m[3] for m in sorted(keep, key=lambda m: m[1])]
