"""The store's attendance table: the join state and history records (`core/attendance.Attendance`).

A mixin of `runtime/store.Store`, which owns the connection (`_db`, `_lock`, `_x`), the schema
and its migrations; the records are read and written here."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Callable, Iterable

from webinar_tray.core.attendance import Attendance, Gap, gap_json


def _ts(t: datetime | None) -> str | None:
    return t.astimezone(timezone.utc).isoformat() if t else None


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _gaps(a: Attendance) -> str:
    """The gaps column: a JSON list of {"from", "to", "why"} (CONTRACT.md's history form)."""
    return json.dumps([gap_json(g) for g in a.gaps])


class AttendanceRecords:
    """Join state + history. The dedup point is `claim`: an id is joined once."""

    _db: sqlite3.Connection
    _lock: threading.RLock

    _x: Callable[..., sqlite3.Cursor]  # Store's: one statement under the lock

    def claim(self, a: Attendance, now: datetime) -> bool:
        """Insert a new attendance row in state `a.state`; False when `a.id` already has one.
        This is the dedup point: an id is joined once, whatever refreshes or restarts do."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO attendance (id, title, provider, join_url, start, \"end\", "
                "state, joined_at, left_at, gaps, error, evidence, owner_pid, heartbeat, interrupted, "
                "ended_by_page, organizer, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (a.id, a.title, a.provider, a.join_url, _ts(a.start), _ts(a.end), a.state,
                 _ts(a.joined_at), _ts(a.left_at), _gaps(a), a.error,
                 json.dumps(a.evidence), a.owner_pid, _ts(a.heartbeat), int(a.interrupted),
                 int(a.ended_by_page), a.organizer, _ts(now), _ts(now)),
            )
            return cur.rowcount == 1

    def update(self, a: Attendance, now: datetime) -> None:
        self._x(
            "UPDATE attendance SET title=?, provider=?, join_url=?, start=?, \"end\"=?, state=?, "
            "joined_at=?, left_at=?, gaps=?, error=?, evidence=?, owner_pid=?, heartbeat=?, "
            "interrupted=?, ended_by_page=?, organizer=?, updated_at=? WHERE id=?",
            (a.title, a.provider, a.join_url, _ts(a.start), _ts(a.end), a.state,
             _ts(a.joined_at), _ts(a.left_at), _gaps(a), a.error,
             json.dumps(a.evidence), a.owner_pid, _ts(a.heartbeat), int(a.interrupted),
             int(a.ended_by_page), a.organizer, _ts(now), a.id),
        )

    def get(self, id: str) -> Attendance | None:
        row = self._x("SELECT * FROM attendance WHERE id = ?", (id,)).fetchone()
        return self._row(row) if row else None

    def states(self) -> dict[str, str]:
        return {r["id"]: r["state"] for r in self._x("SELECT id, state FROM attendance")}

    def states_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The states of these ids that have a record (a due check asks about a few; `list`
        about every planned id, 25,000 at a heavy calendar: when the table holds fewer records
        than that, they are read at once, not looked up 500 at a time)."""
        ids, out = list(ids), {}
        if len(ids) > 500 and self._x("SELECT COUNT(*) FROM attendance").fetchone()[0] <= len(ids):
            wanted = set(ids)
            return {r["id"]: r["state"] for r in self._x("SELECT id, state FROM attendance") if r["id"] in wanted}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            sql = f"SELECT id, state FROM attendance WHERE id IN ({','.join('?' * len(part))})"
            out.update((r["id"], r["state"]) for r in self._x(sql, part))
        return out

    def attendances(self, states: Iterable[str] | None = None) -> list[Attendance]:
        """Newest first."""
        rows = self._x('SELECT * FROM attendance ORDER BY start DESC, id DESC').fetchall()
        wanted = set(states) if states is not None else None
        return [self._row(r) for r in rows if wanted is None or r["state"] in wanted]

    @staticmethod
    def _row(r: sqlite3.Row) -> Attendance:
        return Attendance(
            id=r["id"], title=r["title"], provider=r["provider"], join_url=r["join_url"],
            start=_dt(r["start"]), end=_dt(r["end"]), state=r["state"],
            joined_at=_dt(r["joined_at"]), left_at=_dt(r["left_at"]),
            gaps=[Gap.from_json(g) for g in json.loads(r["gaps"] or "[]")], error=r["error"],
            evidence=json.loads(r["evidence"] or "[]"), owner_pid=r["owner_pid"],
            heartbeat=_dt(r["heartbeat"]), interrupted=bool(r["interrupted"]),
            ended_by_page=bool(r["ended_by_page"]), organizer=r["organizer"] or "",
        )
