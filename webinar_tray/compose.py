"""The composition root: the only module that knows every adapter.

It reads settings at start and again when config.toml changes, builds the sources, the store,
the joiner and the notifier, and hands values down; no adapter reads the file itself."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from webinar_tray.config.files import load_settings, resolve_file
from webinar_tray.config.paths import Paths
from webinar_tray.core.settings import ConfigError, Settings
from webinar_tray.ports import CalendarSource, SourceError
from webinar_tray.runtime.store import Store

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


def effective_settings(settings: Settings, demo: bool) -> Settings:
    """The demo's pages live on 127.0.0.1, which auto-join may open in demo mode only."""
    if not demo:
        return settings
    join = replace(settings.join, allowed_hosts=settings.join.allowed_hosts + ("127.0.0.1",))
    return replace(settings, join=join)


def build_sources(settings: Settings, paths: Paths, demo_site=None, launched_at=None) -> list[CalendarSource]:
    if demo_site is not None:
        from webinar_tray.demo.calendar import DemoCalendar

        return [DemoCalendar(demo_site, settings.demo, launched_at, settings.join.lead_seconds)]
    sources: list[CalendarSource] = []
    if settings.ics.urls:
        from webinar_tray.adapters.calendar.ics.source import IcsSource

        for address in settings.ics.urls:
            try:
                sources.append(IcsSource(address, paths.config_dir, settings.refresh))
            except SourceError as e:  # a bad address is reported at every refresh, not fatal
                log.error("[ics] urls: %s", e)
                sources.append(BrokenSource(f"ICS address #{len(sources) + 1}", str(e)))
    from webinar_tray.adapters.calendar.google.account import google_sources

    sources += google_sources(settings, paths, resolve_file)
    return sources


class BrokenSource:
    """Stands in for a source that could not even be built, so every refresh reports it."""

    def __init__(self, name: str, error: str):
        self.name, self.key, self.error = name, f"broken:{name}", error

    def fetch(self, start, end, deadline=None):
        raise SourceError(self.error)


@dataclass
class Context:
    """What every command starts from: where things live and what the user configured."""

    paths: Paths
    settings: Settings
    warnings: list[str]

    @classmethod
    def load(cls, paths: Paths) -> "Context":
        settings, warnings = load_settings(paths.config_file)
        for w in warnings:
            log.warning("%s", w)
        return cls(paths=paths, settings=effective_settings(settings, paths.demo), warnings=warnings)

    def open_store(self) -> Store:
        self.paths.ensure()
        return Store(self.paths.database)


class ConfigWatcher:
    """Re-reads config.toml when it changes; a bad edit is logged and the old settings stay."""

    def __init__(self, path: Path, demo: bool, apply):
        self.path, self.demo, self.apply = path, demo, apply
        self._stamp = self._read_stamp()

    def _read_stamp(self):
        try:
            st = os.stat(self.path)
            return (st.st_mtime_ns, st.st_size)
        except OSError:
            return None

    def check(self) -> None:
        stamp = self._read_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            settings, warnings = load_settings(self.path)
        except ConfigError as e:
            log.error("config change ignored: %s", e)
            return
        for w in warnings:
            log.warning("%s", w)
        log.info("config.toml changed: settings reloaded")
        self.apply(effective_settings(settings, self.demo))


def build_engine(ctx: Context, store: Store, *, headless: bool | None = None, with_sources: bool = True,
                 notifier=None):
    """The engine with its real adapters (`notifier`: the log when not given). Returns
    (engine, demo_site or None)."""
    from webinar_tray.adapters.browser.joiner import PlaywrightJoiner
    from webinar_tray.adapters.notify.log import LogNotifier
    from webinar_tray.runtime.engine import Engine

    clock = SystemClock()
    site = None
    if ctx.paths.demo and with_sources:
        from webinar_tray.demo.calendar import CALENDAR_ID, MANUAL_EVENT_ID
        from webinar_tray.demo.site import DemoSite

        site = DemoSite()
        site.start()
        store.set_override(f"{CALENDAR_ID}/{MANUAL_EVENT_ID}", False, clock.now())
    sources = build_sources(ctx.settings, ctx.paths, site, clock.now()) if with_sources else []
    joiner = PlaywrightJoiner(ctx.settings, ctx.paths, headless=headless)
    if notifier is None:
        notifier = LogNotifier(ctx.settings.notifications.enabled)
    engine = Engine(settings=ctx.settings, store=store, sources=sources, joiner=joiner,
                    notifier=notifier, clock=clock)
    return engine, site
