"""The sqlite store: cached events, per-event overrides, join state and attendance history.
(A Google calendar whose mirror file holds its last sync keeps no rows here, only when it was
fetched: `mark_fetched`; readers list it from the file, runtime/sync.cached_by_source.)

One connection guarded by a lock (the engine's threads share it); WAL so that `list` and
`history` in another process read while the engine writes. A corrupt database is moved aside
with a warning and rebuilt; a database from a newer version is refused, never overwritten."""

from __future__ import annotations

import functools
import logging
import operator
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

import filelock

from webinar_tray.config.private import LOCK_MODE, create_private, private_dir
from webinar_tray.core.attendance import DONE, Attendance, Gap  # noqa: F401 (re-exported)
from webinar_tray.core.events import CalendarEvent
from webinar_tray.runtime.attendance_store import AttendanceRecords, _dt, _ts
from webinar_tray.runtime.event_rows import event_of, row_key, rows_of

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
# The record (`Attendance`) and its states are core/attendance's; the history's readers know
# its final states by this name.
FINAL_STATES = DONE

_SCHEMA = [
    # version 1
    """
    CREATE TABLE events (
        source TEXT NOT NULL, calendar_id TEXT NOT NULL, event_id TEXT NOT NULL,
        start TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (source, calendar_id, event_id, start));
    CREATE TABLE sources (
        source TEXT PRIMARY KEY, fetched_at TEXT, error TEXT, failing_since TEXT);
    CREATE TABLE overrides (key TEXT PRIMARY KEY, auto_join INTEGER NOT NULL, updated_at TEXT);
    CREATE TABLE attendance (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, provider TEXT, join_url TEXT,
        start TEXT NOT NULL, "end" TEXT NOT NULL, state TEXT NOT NULL,
        joined_at TEXT, left_at TEXT, gaps TEXT NOT NULL DEFAULT '[]', error TEXT,
        evidence TEXT NOT NULL DEFAULT '[]', owner_pid INTEGER, heartbeat TEXT,
        interrupted INTEGER NOT NULL DEFAULT 0, ended_by_page INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE INDEX attendance_start ON attendance(start);
    """,
    # version 2: descriptions stored once (a series' instances share one; a 200 KB description
    # on 5,000 instances was 1 GB of cache)
    """
    CREATE TABLE texts (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
    ALTER TABLE events ADD COLUMN text_ref TEXT;
    """,
    # version 3: the organizer of an attended event (the CPE report names it); older rows ''
    """
    ALTER TABLE attendance ADD COLUMN organizer TEXT NOT NULL DEFAULT '';
    """,
]


class StoreError(Exception):
    pass


class SchemaError(sqlite3.DatabaseError):
    """The file is a database, but its tables are not what its schema version says (a crash
    while it was made, or another program's file): treated like a corrupt one."""


@functools.lru_cache(maxsize=None)
def _expected_schema(version: int = SCHEMA_VERSION) -> dict[str, set[str]]:
    db = sqlite3.connect(":memory:")
    try:
        for stmts in _SCHEMA[:version]:
            db.executescript(stmts)
        return _tables(db)
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> dict[str, set[str]]:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: {r[1] for r in db.execute(f'PRAGMA table_info("{n}")')} for n in names}


def _check_schema(db: sqlite3.Connection, version: int = SCHEMA_VERSION) -> None:
    have = _tables(db)
    expected = _expected_schema(version)
    tables = [t for t in expected if t not in have]
    columns = [f"{t}.{c}" for t in expected if t in have for c in sorted(expected[t] - have[t])]
    missing = ([f"tables {', '.join(tables)}"] if tables else []) + (
        [f"columns {', '.join(columns[:4])}" + (" …" if len(columns) > 4 else "")] if columns else [])
    if missing:
        raise SchemaError(f"schema {version} without {' and '.join(missing)}")


def _looks_corrupt(e: Exception) -> bool:
    msg = str(e).lower()
    return any(w in msg for w in ("not a database", "malformed", "integrity check", "corrupt"))


@dataclass
class SourceStatus:
    source: str
    fetched_at: datetime | None
    error: str | None
    failing_since: datetime | None


# A source answered: when, and that it is not failing.
_FETCHED = ("INSERT INTO sources VALUES (?, ?, NULL, NULL) ON CONFLICT(source) DO UPDATE "
            "SET fetched_at = excluded.fetched_at, error = NULL, failing_since = NULL")


class Store(AttendanceRecords):
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        private_dir(self.path.parent)
        # Opening (creating, migrating, judging corruption) is serialised across processes: a
        # `history` run while `run` creates the file must not mistake it for a corrupt one.
        with filelock.FileLock(str(self.path) + ".open-lock", timeout=60, mode=LOCK_MODE):
            self._db = self._open()

    # ---- opening, migration, corruption ---------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect_and_migrate()
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError) and not _looks_corrupt(e):
                raise StoreError(f"{self.path}: cannot be opened: {e}") from e
            time.sleep(0.5)  # judge twice before moving anything aside
            try:
                return self._connect_and_migrate()
            except sqlite3.DatabaseError:
                pass
            aside = self._move_aside()
            what = "incomplete" if isinstance(e, SchemaError) else "unreadable"
            log.warning("%s was %s (%s); moved it to %s (unchanged) and started a new one",
                        self.path, what, e, aside.name)
            return self._connect_and_migrate()

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        self.path.rename(aside)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(aside.with_name(aside.name + suffix))
        return aside

    def _connect_and_migrate(self) -> sqlite3.Connection:
        # sqlite's unix VFS gives the -wal and -shm files the database file's mode: make the
        # database 0600 first, whatever the umask (sqlite itself would create it 0644).
        create_private(self.path)
        db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 10000")
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {ok}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                db.close()
                raise StoreError(
                    f"{self.path} was written by a newer webinar-tray (schema {version}, this "
                    f"version knows {SCHEMA_VERSION}); update the app, or move the file away"
                )
            if 0 < version < SCHEMA_VERSION:
                _check_schema(db, version)  # what is there before anything is migrated
            for v in range(version, SCHEMA_VERSION):
                self._migrate(db, v)
            if version < SCHEMA_VERSION:
                log.info("database %s at schema %d", self.path.name, SCHEMA_VERSION)
            _check_schema(db)  # before WAL is switched on: a file judged corrupt stays unchanged
            db.execute("PRAGMA journal_mode = WAL")
            return db
        except Exception:
            try:
                db.close()
            except Exception:  # pragma: no cover
                pass
            raise

    @staticmethod
    def _migrate(db: sqlite3.Connection, v: int) -> None:
        db.execute("BEGIN IMMEDIATE")
        if db.execute("PRAGMA user_version").fetchone()[0] != v:  # another process did it
            db.execute("ROLLBACK")
            return
        try:
            for stmt in _SCHEMA[v].split(";"):
                if stmt.strip():
                    db.execute(stmt)
            db.execute(f"PRAGMA user_version = {v + 1}")
            db.execute("COMMIT")
        except Exception:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _x(self, sql: str, args: Iterable = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, tuple(args))

    # ---- event cache ----------------------------------------------------------------------
    def replace_events(self, source: str, events: list[CalendarEvent], now: datetime,
                       before: Iterable[CalendarEvent] | None = None) -> None:
        """The last good fetch of `source` replaces its cached events (a later duplicate replaces
        an earlier one). Descriptions are kept once each in `texts` (instances of a series share
        one). `before`: what the cache holds for `source` as the caller knows it (the engine's
        planner): then only the rows that changed are written."""
        if before is not None and not isinstance(before, list):
            before = list(before)
        if (before is not None and len(before) == len(events) and all(map(operator.is_, events, before))
                and self._fetched(source, now, len(before))):
            return  # the very events the caller holds, and the cache holds as many
        new = {row_key(e): e for e in events}
        old = {row_key(e): e for e in before} if before is not None else None
        with self._lock:
            if old is not None and self._count(source) != len(old):
                old = None  # the caller's copy is not the cache's: rewrite it whole
            if old is None:
                changed, gone = list(new.values()), None
            else:
                changed = [e for k, e in new.items() if (o := old.get(k)) is None
                           or (o is not e and (o != e or o.extra != e.extra))]
                gone = [(source, k[0], k[1], _ts(k[2])) for k in old if k not in new]
            rows, texts = rows_of(source, changed, _ts)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if gone is None:
                    self._db.execute("DELETE FROM events WHERE source = ?", (source,))
                else:
                    self._db.executemany("DELETE FROM events WHERE source = ? AND calendar_id = ? "
                                         "AND event_id = ? AND start = ?", gone)
                self._db.executemany("INSERT OR IGNORE INTO texts VALUES (?, ?)",
                                     [(h, t) for t, h in texts.items()])
                self._db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
                if gone is None or gone or rows:
                    self._forget_texts()
                self._db.execute(_FETCHED, (source, _ts(now)))
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise

    def mark_fetched(self, source: str, now: datetime) -> None:
        """A good fetch of a source that saves its events itself (a Google calendar's mirror
        file): only when it happened is recorded, and the rows kept of it before go."""
        self.replace_events(source, [], now)

    def _fetched(self, source: str, now: datetime, count: int) -> bool:
        """A fetch that changed nothing: records only when it happened; False (nothing done)
        when the cache does not hold `count` rows of `source` (the caller's copy is not it)."""
        with self._lock:
            if self._count(source) != count:
                return False
            self._db.execute(_FETCHED, (source, _ts(now)))
            return True

    def _count(self, source: str) -> int:
        return self._db.execute("SELECT COUNT(*) FROM events WHERE source = ?", (source,)).fetchone()[0]

    def _forget_texts(self) -> None:
        self._db.execute("DELETE FROM texts WHERE hash NOT IN "
                         "(SELECT text_ref FROM events WHERE text_ref IS NOT NULL)")

    def source_failed(self, source: str, error: str, now: datetime) -> None:
        self._x(
            "INSERT INTO sources VALUES (?, NULL, ?, ?) ON CONFLICT(source) DO UPDATE "
            "SET error = excluded.error, failing_since = COALESCE(sources.failing_since, ?)",
            (source, error, _ts(now), _ts(now)),
        )

    def forget_sources_except(self, keep: Iterable[str]) -> None:
        """Drop the cache of sources no longer configured."""
        keep = list(keep)
        marks = ",".join("?" * len(keep)) or "''"
        with self._lock:
            self._db.execute(f"DELETE FROM events WHERE source NOT IN ({marks})", keep)
            self._db.execute(f"DELETE FROM sources WHERE source NOT IN ({marks})", keep)
            self._forget_texts()

    def events(self) -> list[CalendarEvent]:
        return [e for _, e in self._read_events("ORDER BY start")]

    def events_by_source(self, sources: Iterable[str] | None = None) -> dict[str, list[CalendarEvent]]:
        """The cached events of each source (of `sources` only, when given)."""
        out: dict[str, list[CalendarEvent]] = {}
        keep = None if sources is None else list(sources)
        where = "" if keep is None else f"WHERE source IN ({','.join('?' * len(keep)) or 'NULL'}) "
        for source, e in self._read_events(where + "ORDER BY source, start", keep or ()):
            out.setdefault(source, []).append(e)
        return out

    def _read_events(self, tail: str, args: Iterable = ()) -> list[tuple[str, CalendarEvent]]:
        out = []
        with self._lock:
            texts = {r["hash"]: r["text"] for r in self._db.execute("SELECT hash, text FROM texts")}
            rows = self._db.execute("SELECT source, event_id, data, text_ref FROM events " + tail,
                                    tuple(args)).fetchall()
        memo: dict = {}  # what the events share (event_of)
        for row in rows:
            try:
                out.append((row["source"], event_of(row["data"], row["text_ref"], texts, memo)))
            except (ValueError, TypeError, KeyError) as e:
                log.warning("cached event %s from %s is unreadable (%s); skipped",
                            row["event_id"], row["source"], e)
        return out

    def sources(self) -> list[SourceStatus]:
        return [
            SourceStatus(r["source"], _dt(r["fetched_at"]), r["error"], _dt(r["failing_since"]))
            for r in self._x("SELECT * FROM sources ORDER BY source")
        ]

    # ---- overrides ------------------------------------------------------------------------
    def set_override(self, key: str, auto_join: bool | None, now: datetime) -> None:
        if auto_join is None:
            self._x("DELETE FROM overrides WHERE key = ?", (key,))
        else:
            self._x("INSERT OR REPLACE INTO overrides VALUES (?, ?, ?)", (key, int(auto_join), _ts(now)))

    def overrides(self) -> dict[str, bool]:
        return {r["key"]: bool(r["auto_join"]) for r in self._x("SELECT * FROM overrides")}

    # ---- meta -----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._x("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta_once(self, key: str, value: str) -> str:
        """Sets `key` unless it is set; returns the stored value."""
        self._x("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
        return self.meta(key)
