"""The fake Google's recurring series and sync tokens (used by tests/fakegoogle.py).

Series: a stored item with `recurrence` is a master; `singleEvents=true` expands it here, with
dateutil's rrule over the master's own zone (independently of the app, which goes through
icalendar + recurring_ical_events), into instances `<master id>_<UTC start stamp>` (or
`_<YYYYMMDD>` all-day) carrying the master's fields, `recurringEventId` and
`originalStartTime`. A stored item with `recurringEventId` and `originalStartTime` is an
exception: it replaces the instance with that original start (a cancelled one removes it).
Stored items without `recurrence` pass as they are (tests may store instances already expanded).

Sync tokens: the last page of a `singleEvents=false` listing without time bounds carries a
`nextSyncToken` naming a snapshot of the calendar (each item's JSON). A request with `syncToken`
gets every item whose JSON differs from the snapshot's, and every item gone from it as a
cancelled stub. `expire_sync_tokens()` makes every token issued so far answer 410.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from dateutil import rrule

UTC = timezone.utc
# Parameters Google refuses beside a syncToken ("Sync token cannot be used with other request
# restrictions.")
SYNC_RESTRICTIONS = ("timeMin", "timeMax", "orderBy", "q", "updatedMin", "iCalUID",
                     "privateExtendedProperty", "sharedExtendedProperty")


def _parse(when: dict, zone: ZoneInfo):
    """(aware start instant or date, all_day)."""
    if "dateTime" in when:
        t = datetime.fromisoformat(when["dateTime"])
        if t.tzinfo is None:
            t = t.replace(tzinfo=ZoneInfo(when.get("timeZone") or "UTC"))
        return t, False
    return date.fromisoformat(when["date"]), True


def original(when: dict | None):
    if not isinstance(when, dict):
        return None
    t, all_day = _parse(when, ZoneInfo("UTC"))
    return t if all_day else t.astimezone(UTC)


def _when(t, zone: str | None) -> dict:
    if isinstance(t, datetime):
        d = {"dateTime": t.astimezone(ZoneInfo(zone)).isoformat() if zone else t.isoformat()}
        if zone:
            d["timeZone"] = zone
        return d
    return {"date": t.isoformat()}


def occurrences(master: dict, until: datetime, cal_zone: ZoneInfo, limit: int = 5000):
    """(start, end) of a master's instances starting before `until`, in order."""
    start, all_day = _parse(master["start"], cal_zone)
    end = _parse(master.get("end") or master["start"], cal_zone)[0]
    if all_day:
        first = datetime.combine(start, datetime.min.time())
        length = end - start
    else:
        zone = master["start"].get("timeZone")
        first = start.astimezone(ZoneInfo(zone)) if zone else start
        length = end - start
    rules = rrule.rrulestr("\n".join(master.get("recurrence") or []), dtstart=first, forceset=True)
    for i, occ in enumerate(rules):
        if i >= limit:
            break
        if all_day:
            day = occ.date()
            if datetime.combine(day, datetime.min.time(), cal_zone) >= until:
                break
            yield day, day + length
        else:
            if occ >= until:
                break
            # wall-clock duration in the series' zone, as Google keeps 9:00-10:00 across DST
            yield occ, (occ.replace(tzinfo=None) + length).replace(tzinfo=occ.tzinfo)


def expand(items: list[dict], until: datetime, cal_zone: ZoneInfo) -> list[dict]:
    """`items` as singleEvents=true sees them: masters replaced by their instances, exceptions
    in place of the instances they replace."""
    replaced: dict[str, set] = {}
    for e in items:
        if e.get("recurringEventId") and e.get("originalStartTime"):
            replaced.setdefault(e["recurringEventId"], set()).add(original(e["originalStartTime"]))
    out: list[dict] = []
    for e in items:
        if not e.get("recurrence"):
            out.append(e)
            continue
        if e.get("status") == "cancelled":
            continue
        zone = e["start"].get("timeZone")
        for s, en in occurrences(e, until, cal_zone):
            key = s if not isinstance(s, datetime) else s.astimezone(UTC)
            if key in replaced.get(e["id"], ()):
                continue
            stamp = f"{key:%Y%m%dT%H%M%SZ}" if isinstance(s, datetime) else f"{s:%Y%m%d}"
            inst = {k: v for k, v in e.items() if k != "recurrence"}
            inst.update(id=f"{e['id']}_{stamp}", start=_when(s, zone), end=_when(en, zone),
                        recurringEventId=e["id"], originalStartTime=_when(s, zone))
            out.append(inst)
    return out


class SyncTokens:
    """Snapshots behind the fake's sync tokens. An item counts as changed when its JSON differs
    from the snapshot's; with `by_identity` (benchmarks: no JSON per item and request) when the
    stored dict is another object (replace an item's dict to change it)."""

    def __init__(self) -> None:
        self._snapshots: dict[str, tuple[str, dict[str, object], dict[str, dict]]] = {}
        self._expired: set[str] = set()
        self._n = 0
        self.by_identity = False

    def _marks(self, items: list[dict], originals: list[dict] | None) -> dict[str, object]:
        if self.by_identity and originals is not None:
            return {e["id"]: o for e, o in zip(items, originals) if "id" in e}
        return {e["id"]: json.dumps(e, sort_keys=True) for e in items if "id" in e}

    def issue(self, cal: str, items: list[dict], originals: list[dict] | None = None) -> str:
        self._n += 1
        token = f"fake-sync-{self._n}"
        self._snapshots[token] = (cal, self._marks(items, originals), {e["id"]: e for e in items if "id" in e})
        return token

    def expire_all(self) -> None:
        self._expired.update(self._snapshots)

    def state(self, token: str, cal: str) -> str:
        """"ok", "expired" or "unknown"."""
        if token in self._expired:
            return "expired"
        snap = self._snapshots.get(token)
        return "ok" if snap and snap[0] == cal else "unknown"

    def changes(self, token: str, items: list[dict], originals: list[dict] | None = None) -> list[dict]:
        _, then, old = self._snapshots[token]
        marks = self._marks(items, originals)
        now = {e["id"]: e for e in items if "id" in e}
        out = [e for i, e in now.items() if then.get(i) is not marks[i] and then.get(i) != marks[i]]
        for gone in then.keys() - now.keys():
            stub = {"kind": "calendar#event", "id": gone, "status": "cancelled"}
            was = old[gone]
            if was.get("recurringEventId"):
                stub.update(recurringEventId=was["recurringEventId"],
                            originalStartTime=was.get("originalStartTime"))
            out.append(stub)
        return out


__all__ = ["SYNC_RESTRICTIONS", "SyncTokens", "expand", "occurrences", "original"]
