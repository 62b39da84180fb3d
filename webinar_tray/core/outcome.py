"""How an attendance is judged (CONTRACT.md, `history --json`)."""

from __future__ import annotations

from datetime import datetime, timedelta

# Joined late, gaps and leaving early may add up to less than this and still count as attended.
TOLERANCE = timedelta(minutes=5)


def gap_seconds(gaps: list[dict]) -> float:
    total = 0.0
    for g in gaps:
        a, b = datetime.fromisoformat(g["from"]), datetime.fromisoformat(g["to"])
        total += max(0.0, (b - a).total_seconds())
    return total


def minutes_attended(joined_at: datetime | None, left_at: datetime | None, gaps: list[dict]) -> float:
    """From the moment the join steps succeeded to leaving, less the gaps; one decimal."""
    if joined_at is None or left_at is None:
        return 0.0
    seconds = max(0.0, (left_at - joined_at).total_seconds() - gap_seconds(gaps))
    return round(seconds / 60, 1)


def judge(start: datetime, end: datetime, joined_at: datetime | None, left_at: datetime | None,
          gaps: list[dict], ended_by_page: bool = False) -> str:
    """attended | partial | failed. (`missed` is decided by the engine: never tried.)"""
    if joined_at is None:
        return "failed"
    missing = max(timedelta(0), joined_at - start) + timedelta(seconds=gap_seconds(gaps))
    if not ended_by_page and left_at is not None:
        missing += max(timedelta(0), end - left_at)
    return "attended" if missing < TOLERANCE else "partial"
