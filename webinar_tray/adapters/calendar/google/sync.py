"""Incremental sync of one Google calendar: a full sync once, then only the changes, hourly.

What Google documents (checked with the search tool, 2026-11-30):

- "Synchronize resources efficiently"
  (https://developers.google.com/calendar/v3/sync, also /calendar/api/guides/sync): an initial
  full sync lists the collection and the *last page* carries `nextSyncToken`, which the client
  must store; an incremental sync is the same list request with `syncToken`, which returns
  every resource changed since, deleted ones included; when it is paginated, the very same query
  plus `pageToken` is followed until the last page gives the next sync token. "Sometimes sync
  tokens are invalidated by the server, for various reasons including token expiration or
  changes in related ACLs": the incremental request then gets `410 Gone` (reason
  `fullSyncRequired`), and the client wipes its store and syncs fully again.
- events.list reference (https://developers.google.com/workspace/calendar/api/v3/reference/events/list):
  `syncToken` cannot be combined with `iCalUID`, `orderBy`, `privateExtendedProperty`, `q`,
  `sharedExtendedProperty`, `timeMin`, `timeMax`, `updatedMin` ("Sync token cannot be used
  with other request restrictions", 400 `syncTokenWithRequestRestrictions` — as also reported
  at https://qiita.com/shiraily/items/6762046f041551c269da); other parameters should stay as in
  the full sync; deletions are always in an incremental result (`showDeleted=false` is refused).
  `showDeleted`: "Cancelled instances of recurring events (but not the underlying recurring
  event) will still be included if showDeleted and singleEvents are both False".
  `singleEvents=false` (the default) lists series as their masters (with `recurrence`) plus
  their exceptions; `maxResults` is at most 2,500.
- Google's own sample restricts the *full* sync with timeMin; we do not: a moving window needs
  every series and exception, and an exception moved from inside the restriction to outside it
  would be missed. The full sync lists the whole calendar once.

So: the full sync is `singleEvents=false`, no time bounds, no ordering, `fields=LIST_FIELDS`;
the incremental one adds `syncToken` and `showDeleted=true`; each fetch then lists the window
from the mirror (mirror.py), series expanded locally (expand.py). A 410 drops the mirror and
syncs fully (logged once per 410). The mirror persists in a private file when a path is given
(account.py gives `<data>/google-sync/<hash of the calendar id>.jsonl`), else in memory.
Changes are collected page by page and applied only once the last page came: a failed or timed
out sync leaves the mirror and its token as they were.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime
from pathlib import Path

from webinar_tray.adapters.calendar.google.mirror import Mirror, MirrorLost
from webinar_tray.adapters.calendar.google.mirror_file import MirrorFile
from webinar_tray.ports import Deadline, SourceError, SourceTimeout

log = logging.getLogger(__name__)


# Single events and exceptions that ended this long before the window's start are let go
# (windows move forward; `run` asks for now - 12 h onwards).
KEEP_BEFORE = 2 * 86400.0


class FullSyncRequired(SourceError):
    """Google no longer accepts the sync token (410 Gone)."""


def mirror_path(folder: Path, calendar_id: str) -> Path:
    """One file per calendar; the name is a hash (calendar ids hold '@' and '#')."""
    return Path(folder) / f"{hashlib.sha256(calendar_id.encode()).hexdigest()[:24]}.jsonl"


def forget_mirrors(folder: Path) -> int:
    """Deletes every saved mirror (after `logout`); returns how many files went."""
    n = 0
    for p in Path(folder).glob("*.jsonl*"):
        try:
            p.unlink()
            n += 1
        except OSError as e:
            log.warning("cannot delete the saved Google mirror %s (%s)", p.name, type(e).__name__)
    return n


class GoogleSync:
    """The mirror of one GoogleCalendarSource's calendar and how it is kept current."""

    def __init__(self, source, path: Path | None) -> None:
        from webinar_tray.adapters.calendar.google.api import LIST_FIELDS

        self.source = source
        self.path = path
        self.fields = LIST_FIELDS
        self.mirror = Mirror(source.show_deleted)
        self._file: MirrorFile | None = None
        self._owner: str | None = None
        self._partial: dict | None = None  # a full sync cut short by the deadline
        self._lock = threading.Lock()
        self.stats = {"full": 0, "incremental": 0, "items": 0}

    def events(self, start: datetime, end: datetime, mapper, deadline: Deadline | None) -> list:
        """Brings the mirror up to date, then lists [start, end) from it (`mapper`: item ->
        CalendarEvent or None)."""
        with self._lock:
            self._open()
            try:
                return self._events(start, end, mapper, deadline)
            except MirrorLost as e:  # its texts on disk are gone: read the calendar again
                log.warning("%s: the saved mirror cannot be used (%s); reading the calendar again",
                            self.source.name, e)
                self.mirror = Mirror(self.source.show_deleted)
                self._partial = None
                if self._file is not None:
                    self._file.forget()
                return self._events(start, end, mapper, deadline)
            finally:
                if self._file is not None:
                    self._file.release()

    def cached(self, start: datetime, end: datetime, mapper, owner: str | None = None) -> list:
        """[start, end) as the saved mirror holds it, contacting nothing: `list --offline`,
        doctor and the setup page beside the running app, and the app at start. The mirror
        this process holds is used as it is; else the file is read without setting anything
        aside (another process may be appending to it): a clean read is kept for the next sync,
        one with a torn tail is not (the next sync reads the file again and deals with it).
        Another process's later sync is read from the file; a file rewritten while it is read is
        read again, once; then nothing is listed. `owner`: the sign-in to read it as (else the
        source's own)."""
        with self._lock:
            owner = self.source.owner() if owner is None else owner
            for attempt in (1, 2):
                mine = (owner == self._owner and attempt == 1
                        and (self._file is None or self._file.unchanged()))
                mirror, file = (self.mirror, self._file) if mine else self._read(owner)
                self.source.calendar_name = mirror.name or self.source.calendar_name
                try:
                    return mirror.events(start, end, self.source.name, mapper)
                except MirrorLost as e:
                    log.info("%s: the saved mirror changed while it was read (%s)", self.source.name, e)
                finally:
                    if file is not None:
                        file.release()
            return []

    def _read(self, owner: str) -> tuple[Mirror, MirrorFile | None]:
        """The saved mirror as the file holds it now (empty when there is none); kept as this
        process's mirror when nothing was loaded yet and the read was clean."""
        mirror = Mirror(self.source.show_deleted)
        if self.path is None:
            return mirror, None
        file = MirrorFile(self.path, self._header(owner))
        if not file.load(mirror, self.source.name, read_only=True):
            mirror.clear()
        elif not file.torn and self._owner != owner:
            self.mirror, self._file, self._owner, self._partial = mirror, file, owner, None
        return mirror, file

    def saved(self) -> bool:
        """Whether the mirror as last synced is in its file (its last save went through)."""
        return self._file is not None and self._file.current

    def _events(self, start: datetime, end: datetime, mapper, deadline: Deadline | None) -> list:
        if start.timestamp() < self.mirror.floor:  # items of that time were let go
            self.mirror.token = None
        self.sync(deadline)
        self.source.calendar_name = self.mirror.name or self.source.calendar_name
        events = self.mirror.events(start, end, self.source.name, mapper, deadline)
        pruned = self.mirror.prune(start.timestamp() - KEEP_BEFORE)
        if pruned and self._file is not None:
            self._file.appended += pruned  # the next save rewrites the file without them
        return events

    def sync(self, deadline: Deadline | None) -> None:
        if self.mirror.token:
            try:
                self._incremental(deadline)
                return
            except FullSyncRequired:
                log.info("%s: Google no longer accepts the sync token (410 Gone); dropping the "
                         "mirror and reading the whole calendar again", self.source.name)
                self.mirror.clear()
                self._partial = None
        self._full(deadline)

    # -- the two kinds of sync --------------------------------------------------------------

    def _params(self) -> dict:
        params: dict = {"singleEvents": False, "fields": self.fields}
        if self.source.show_deleted:
            params["showDeleted"] = True
        return params

    def _full(self, deadline: Deadline | None) -> None:
        t0 = time.monotonic()
        progress = self._partial if self._partial is not None else {}
        resumed, token = len(progress.get("items") or []), progress.get("token")
        try:
            items, last = self.source.list_pages(self._params(), deadline, progress=progress)
        except SourceError as e:
            # the next fetch goes on from the page this one got to; but a resumed listing whose
            # first page fails for another reason than time starts over (a stale page token)
            moved = progress.get("token") != token
            keep = progress.get("token") and (isinstance(e, SourceTimeout) or moved or not resumed)
            self._partial = progress if keep else None
            if keep:
                log.info("%s: the full sync read %d items before stopping; it goes on at the "
                         "next refresh", self.source.name, len(progress.get("items") or []))
            raise
        self._partial = None
        if resumed:
            log.info("%s: the full sync went on from item %d", self.source.name, resumed)
        mirror = Mirror(self.source.show_deleted)
        mirror.meta(None, last.get("summary"), last.get("timeZone"))
        for item in items:
            if isinstance(item, dict):
                mirror.apply(item, line=False)  # the file is written whole below
        mirror.token = last.get("nextSyncToken") or None
        if mirror.token is None:
            log.warning("%s: the full sync ended without a sync token; the next refresh reads "
                        "the whole calendar again", self.source.name)
        self.mirror = mirror
        self.stats["full"] += 1
        self.stats["items"] = len(items)
        log.info("%s: full sync, %d items (%d series) in %.2f s", self.source.name, len(items),
                 len(mirror.masters), time.monotonic() - t0)
        if self._file is not None:
            self._file.whole = True
            self._file.save(mirror, [], self.source.name)

    def _incremental(self, deadline: Deadline | None) -> None:
        params = dict(self._params(), syncToken=self.mirror.token, showDeleted=True)
        items, last = self.source.list_pages(params, deadline)
        mirror = self.mirror
        before = (mirror.token, mirror.name, mirror.zone)
        # deletions too: the file keeps the stub Google sent
        changed = [line for i in items if isinstance(i, dict) for line in [mirror.apply(i)] if line]
        mirror.meta(last.get("nextSyncToken") or mirror.token, last.get("summary"), last.get("timeZone"))
        self.stats["incremental"] += 1
        self.stats["items"] = len(items)
        if items:
            log.debug("%s: %d changes", self.source.name, len(items))
        if self._file is not None and (items or (mirror.token, mirror.name, mirror.zone) != before):
            self._file.save(mirror, changed, self.source.name)

    # -- the file ---------------------------------------------------------------------------

    def _open(self) -> None:
        """Loads the saved mirror once per sign-in (a new `login` hands out other credentials)."""
        owner = self.source.owner()
        if owner == self._owner:
            return
        self._owner = owner
        self._partial = None
        self.mirror = Mirror(self.source.show_deleted)
        if self.path is None:
            return
        self._file = MirrorFile(self.path, self._header(owner))
        if self._file.load(self.mirror, self.source.name):
            log.debug("%s: %d items from the saved mirror", self.source.name, len(self.mirror))
        else:
            self.mirror.clear()

    def _header(self, owner: str) -> dict:
        return {"calendar": self.source.calendar_id, "account": owner,
                "show_deleted": bool(self.source.show_deleted)}
