"""Refreshing the event cache from every calendar source. A failed source keeps its last good
events: the plan never empties because the network blinked."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from webinar_tray.ports import CalendarSource, SignInNeeded, SourceError
from webinar_tray.runtime.store import Store

log = logging.getLogger(__name__)

# Fetch from a little before now, so a webinar that is running is seen (and a missed one judged).
LOOKBEHIND = timedelta(hours=12)


def source_key(source: CalendarSource) -> str:
    return getattr(source, "key", None) or source.name


@dataclass
class RefreshResult:
    at: datetime
    ok: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source name, message)
    signin_needed: bool = False

    @property
    def all_ok(self) -> bool:
        return not self.failed


def refresh(sources: list[CalendarSource], store: Store, now: datetime, lookahead_hours: int) -> RefreshResult:
    result = RefreshResult(at=now)
    start, end = now - LOOKBEHIND, now + timedelta(hours=lookahead_hours)
    for source in sources:
        key = source_key(source)
        try:
            events = source.fetch(start, end)
        except SourceError as e:
            msg = str(e) or type(e).__name__
            result.failed.append((source.name, msg))
            result.signin_needed |= isinstance(e, SignInNeeded)
            store.source_failed(key, msg, now)
            log.warning("refresh: %s failed: %s (keeping its last good events)", source.name, msg)
            continue
        except Exception as e:  # a bug in one source must not stop the others
            msg = f"unexpected {type(e).__name__}: {e}"
            result.failed.append((source.name, msg))
            store.source_failed(key, msg, now)
            log.exception("refresh: %s failed unexpectedly (keeping its last good events)", source.name)
            continue
        store.replace_events(key, events, now)
        result.ok.append(source.name)
        log.info("refresh: %s: %d events", source.name, len(events))
    store.forget_sources_except(source_key(s) for s in sources)
    return result
