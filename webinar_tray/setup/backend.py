"""What the setup page acts on, the same whether the tray serves it (`for_host`: a setting goes
through the engine host, which writes config.toml and applies it at once) or `webinar-tray setup`
serves it alone (`standalone`: written with the config writer; a running app's watcher applies
it). Nothing here renders HTML (pages.py) or parses forms (actions.py)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable

from webinar_tray.config.files import load_settings
from webinar_tray.config.paths import Paths
from webinar_tray.core.events import CalendarEvent
from webinar_tray.core.settings import Settings
from webinar_tray.setup.google import GoogleSetup
from webinar_tray.setup.testrun import TestRun

log = logging.getLogger(__name__)

FETCH_CACHE_SECONDS = 120.0  # the preview reuses what the ICS addresses gave this long
PREVIEW_TIMEOUT = 20  # seconds per ICS address, at most (the configured timeout when shorter)
TEST_RUN_MARGIN = 30  # seconds a test run takes beyond its demo webinar (browser start, join, leave)


class Backend:
    """paths, env; `set_setting(key, value)`; `refresh()` after calendars changed; `busy()`: why
    the app's browser cannot be used now, or None; `autostart` (or None where unavailable);
    `open_profile()` -> a message; `sign_in()`: Google's consent flow (minutes; raises with a
    message for the user), run by `google` in the background."""

    def __init__(self, paths: Paths, env, *, set_setting: Callable[[str, object], None],
                 refresh: Callable[[], None] = lambda: None, busy: Callable[[], str | None] = lambda: None,
                 autostart=None, open_profile: Callable[[], str] | None = None,
                 sign_in: Callable[[], None] | None = None):
        self.paths, self.env = paths.real(), env
        self._set_setting, self.refresh, self.busy = set_setting, refresh, busy
        self.autostart = autostart
        self._open_profile = open_profile
        self.test_run = TestRun(self.paths, env, busy=busy)
        self.google = GoogleSetup(sign_in or _no_sign_in)
        self._cache: dict[str, tuple[float, list[CalendarEvent] | str]] = {}
        self._cache_lock = threading.Lock()

    def settings(self) -> Settings:
        """config.toml as it is now (a file with an error raises ConfigError: the page says so)."""
        return load_settings(self.paths.config_file)[0]

    def now(self) -> datetime:
        return self.env.clock.now()

    def set(self, key: str, value) -> None:
        self._set_setting(key, value)
        log.info("setup page: %s changed", key)  # the value may be an address: not logged

    def open_profile(self) -> str:
        why = self.busy()
        if why:
            return why
        if self._open_profile is None:
            return "the browser profile cannot be opened here: run `webinar-tray browser`"
        return self._open_profile()

    # ---- calendars --------------------------------------------------------------------------
    def fetch_ics(self, address: str, settings: Settings, *, fresh: bool = False) -> list[CalendarEvent]:
        """The events of one ICS address in the lookahead window, soonest first. Raises
        SourceError (its message names the address safely: scheme://host/…)."""
        from webinar_tray.compose import ics_source

        now = self.now()
        with self._cache_lock:
            hit = self._cache.get(address)
        if hit is not None and not fresh and time.monotonic() - hit[0] < FETCH_CACHE_SECONDS:
            if isinstance(hit[1], str):
                from webinar_tray.ports import SourceError

                raise SourceError(hit[1])
            return hit[1]
        limits = replace(settings.refresh, timeout_seconds=min(PREVIEW_TIMEOUT, settings.refresh.timeout_seconds))
        try:
            src = ics_source(address, self.paths.config_dir, limits)
            events = sorted(src.fetch(now, now + timedelta(hours=settings.refresh.lookahead_hours)),
                            key=lambda e: (e.start, e.title))
        except Exception as e:
            with self._cache_lock:
                self._cache[address] = (time.monotonic(), _safe_error(e))
            raise
        with self._cache_lock:
            self._cache[address] = (time.monotonic(), events)
        return events

    def events(self, settings: Settings) -> tuple[list[CalendarEvent], list[str]]:
        """Upcoming events of every configured calendar, for the rules' preview: each ICS address
        read now (or within the last two minutes), Google's from the app's cache; and the errors."""
        events: list[CalendarEvent] = []
        errors: list[str] = []
        for i, address in enumerate(settings.ics.urls, 1):
            try:
                events += self.fetch_ics(address, settings)
            except Exception as e:  # noqa: BLE001 - shown on the page
                errors.append(f"ICS address #{i}: {_safe_error(e)}")
        events += self._cached_google(settings)
        return events, errors

    def _cached_google(self, settings: Settings) -> list[CalendarEvent]:
        if not self.paths.database.exists():
            return []
        from datetime import timezone

        from webinar_tray.compose import cached_events
        from webinar_tray.runtime.store import Store

        store = Store(self.paths.database)
        try:
            now = datetime.now(timezone.utc)
            return [e for e in cached_events(settings, self.paths, store, now) if e.source == "google"]
        finally:
            store.close()


def _no_sign_in() -> None:
    from webinar_tray.ports import AccountError

    raise AccountError("Google sign-in is not available here: run `webinar-tray login`")


def _safe_error(e: Exception) -> str:
    """A source's message (built to be safe), else only the kind of failure: another exception's
    text might quote the address."""
    from webinar_tray.ports import SourceError

    return str(e) if isinstance(e, SourceError) else f"cannot be read ({type(e).__name__})"


# ---- the two ways to serve it -----------------------------------------------------------------
def standalone(ctx) -> Backend:
    """`webinar-tray setup` with no app running: settings written with the config writer."""
    from webinar_tray.compose import autostart_entry, open_profile
    from webinar_tray.config.write import set_key

    def set_setting(key, value):
        set_key(ctx.paths.config_file, key, value)

    def profile() -> str:
        ctx.settings = load_settings(ctx.paths.config_file)[0]
        _reap(open_profile(ctx))  # a window of its own; the page does not wait for it
        return ("the app's browser opened: sign in to the webinar sites you use, then close "
                "its window")

    def sign_in() -> None:  # the same flow as `webinar-tray login`
        from webinar_tray.compose import google_link

        ctx.settings = load_settings(ctx.paths.config_file)[0]
        google_link(ctx).sign_in()

    return Backend(ctx.paths, ctx.env, set_setting=set_setting, autostart=autostart_entry(ctx.paths, ctx.env),
                   open_profile=profile, busy=lambda: _engine_busy(ctx.paths), sign_in=sign_in)


def _reap(proc) -> None:
    """Wait for the browser window in the background, so its process is reaped when it closes."""
    threading.Thread(target=proc.wait, name="setup-profile-browser", daemon=True).start()


def _engine_busy(paths: Paths) -> str | None:
    from webinar_tray.commands.browser import engine_state

    if engine_state(paths) == "attending":
        return "webinar-tray is attending a webinar in its browser: try again when it has ended"
    return None


def for_host(host) -> Backend:
    """The tray (or `run`) serves the page: a setting is a host command (written, applied once)."""
    from webinar_tray.compose import autostart_entry, open_profile
    from webinar_tray.core import commands as c

    def busy() -> str | None:
        view = host.view()
        if view.active:
            return "a webinar is being attended in the app's browser: try again when it has ended"
        return _join_due(view, host.ctx.env.clock.now(), backend.test_run.seconds + TEST_RUN_MARGIN)

    def profile() -> str:
        _reap(open_profile(host.ctx))
        return ("the app's browser opened: sign in to the webinar sites you use, then close "
                "its window")

    backend = Backend(host.paths, host.ctx.env, set_setting=lambda k, v: host.send(c.SetSetting(k, v)),
                      refresh=lambda: host.send(c.Refresh()), busy=busy,
                      autostart=autostart_entry(host.paths.real(), host.ctx.env), open_profile=profile,
                      sign_in=lambda: host.send(c.SignIn()))  # the tray's own: sources rebuilt after it
    return backend


def _join_due(view, now: datetime, within_seconds: float) -> str | None:
    """Why the browser profile must stay free: a webinar the app will join (its browser starts
    PRESTART before join_at) within `within_seconds`. A test run or a sign-in window holding the
    profile then would make that join fail ("profile in use")."""
    from webinar_tray.core.schedule import PRESTART

    horizon = now + timedelta(seconds=within_seconds)
    for p in view.plan:
        if (p.auto_join and p.join_at is not None and p.join_at - PRESTART <= horizon and p.leave_at > now
                and view.states.get(p.id, "planned") in ("planned", "joining", "attending")):
            return (f"the app joins “{p.title}” at {p.join_at.astimezone().strftime('%H:%M')} in its "
                    "browser: try again after that webinar")
    return None
