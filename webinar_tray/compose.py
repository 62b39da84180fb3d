"""The composition root: the only module (besides the adapters themselves) that knows every
adapter. It builds what each command runs — the engine host for `run` and the tray, the tray
app, the sources for `list`, the engine for `join` — from a Context (paths, settings) and an Env
(platform, environment, clock), and hands values down; nothing below reads config.toml or the
process environment itself."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from webinar_tray.config.files import effective_settings, load_settings, resolve_file
from webinar_tray.config.paths import Paths
from webinar_tray.core.settings import RefreshSettings, Settings
from webinar_tray.env import Env
from webinar_tray.ports import CalendarSource, SourceError
from webinar_tray.runtime.store import Store

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What every command starts from: where things live, what the user configured, and the
    outside world."""

    paths: Paths
    settings: Settings
    warnings: list[str]
    env: Env = field(default_factory=Env.real)

    @classmethod
    def load(cls, paths: Paths, env: Env | None = None) -> "Context":
        settings, warnings = load_settings(paths.config_file)
        for w in warnings:
            log.warning("%s", w)
        return cls(paths=paths, settings=effective_settings(settings, paths.demo), warnings=warnings,
                   env=env or Env.real())

    def open_store(self) -> Store:
        self.paths.ensure()
        return Store(self.paths.database)


# ---- calendars ------------------------------------------------------------------------------
class BrokenSource:
    """Stands in for a source that could not even be built, so every refresh reports it."""

    def __init__(self, name: str, error: str):
        self.name, self.key, self.error = name, f"broken:{name}", error

    def fetch(self, start, end, deadline=None):
        raise SourceError(self.error)


def build_sources(settings: Settings, paths: Paths, demo_site=None, launched_at=None,
                  helper: bool = False) -> list[CalendarSource]:
    """The configured calendars as sources. `helper`: Google's pages are asked for by a helper
    process (adapters/calendar/google/helper.py), so a long-running app never holds the Google
    client libraries; one-shot commands ask in their own process."""
    if demo_site is not None:
        from webinar_tray.demo.calendar import DemoCalendar

        return [DemoCalendar(demo_site, settings.demo, launched_at, settings.join.lead_seconds)]
    sources: list[CalendarSource] = []
    if settings.ics.urls:
        from webinar_tray.adapters.calendar.ics.source import IcsSource, address_problem

        for address in settings.ics.urls:
            try:
                sources.append(IcsSource(address, paths.config_dir, settings.refresh))
            except SourceError as e:  # reported by every refresh (once each), not fatal
                sources.append(BrokenSource(f"ICS address #{len(sources) + 1}", address_problem(e)))
    from webinar_tray.adapters.calendar.google.account import google_sources

    sources += google_sources(settings, paths, resolve_file, helper=helper)
    return sources


def cached_events(settings: Settings, paths: Paths, store: Store, now) -> list:
    """Every cached event, contacting nothing (`list --offline`, doctor, the setup page): the
    store's rows and each Google calendar's saved mirror (read beside a running app)."""
    from webinar_tray.runtime.sync import cached_by_source

    sources = [] if paths.demo else cached_google_sources(settings, paths)
    return [e for events in cached_by_source(store, sources, now, settings.refresh).values()
            for e in events]


def cached_google_sources(settings: Settings, paths: Paths) -> list:
    """The Google calendars as readers of their saved mirrors: the sign-in is only read (which
    account's mirror is whose), and the Google libraries are not imported."""
    from webinar_tray.adapters.calendar.google.account import google_sources

    return google_sources(settings, paths, resolve_file, helper=True)


# ---- the engine -------------------------------------------------------------------------------
def build_engine(ctx: Context, store: Store, *, headless: bool | None = None, with_sources: bool = True,
                 notifier=None, joiner=None, waker=None, helper: bool = False):
    """The engine with its real adapters (`notifier`: the log when not given; `waker`: none
    when not given). Returns (engine, demo_site or None)."""
    from webinar_tray.runtime.engine import Engine

    clock = ctx.env.clock
    site = None
    if ctx.paths.demo and with_sources:
        from webinar_tray.demo.calendar import CALENDAR_ID, MANUAL_EVENT_ID
        from webinar_tray.demo.site import DemoSite

        site = DemoSite()
        site.start()
        store.set_override(f"{CALENDAR_ID}/{MANUAL_EVENT_ID}", False, clock.now())
    sources = build_sources(ctx.settings, ctx.paths, site, clock.now(), helper) if with_sources else []
    if joiner is None:
        from webinar_tray.adapters.browser.joiner import PlaywrightJoiner

        joiner = PlaywrightJoiner(ctx.settings, ctx.paths, headless=headless, env=ctx.env)
    if notifier is None:
        from webinar_tray.adapters.notify.log import LogNotifier

        notifier = LogNotifier(ctx.settings.notifications.enabled)
    engine = Engine(settings=ctx.settings, store=store, sources=sources, joiner=joiner,
                    notifier=notifier, clock=clock, waker=waker)
    return engine, site


def platform_waker(ctx: Context):
    """Waking the PC for the next auto-join (ports.Waker): for the engine `run` and the tray
    run, not in demo mode (a demo engine may run beside the real one: one wake per user)."""
    if ctx.paths.demo:
        return None
    from webinar_tray.adapters.desktop.wake import platform_waker as waker

    return waker(ctx.paths.home, ctx.env, ctx.paths.data_dir)


def service_notifier(ctx: Context):
    """Desktop notifications when there is a desktop to show them; else they go to the log
    (the notifier finds out which, and says so once)."""
    from webinar_tray.adapters.notify import DesktopNotifier
    from webinar_tray.icons import icon_path

    return DesktopNotifier(ctx.settings.notifications.enabled, ctx.env,
                           icon_path=str(icon_path("webinar-tray", "png")))


def ics_source(address: str, base: Path, limits: RefreshSettings | None = None):
    """An ICS source for one address (the setup page checks and names addresses with it)."""
    from webinar_tray.adapters.calendar.ics.source import IcsSource

    return IcsSource(address, base) if limits is None else IcsSource(address, base, limits)


def google_setup():
    """The Google adapter's parts the setup page uses (client file, sign-in, calendar list)."""
    from webinar_tray.adapters.calendar.google import setup_api

    return setup_api


def google_link(ctx: Context):
    """The Google account as the menu and the host see it (ports.Account)."""
    from webinar_tray.adapters.calendar.google.link import GoogleLink

    return GoogleLink(lambda: ctx.settings, ctx.paths)


@dataclass
class Parts:
    """What an EngineHost runs, built here so the host knows no adapter."""

    ctx: Context
    notifier: object = None  # ports.Notifier; None: the log
    joiner: object = None  # ports.Joiner; None: Playwright
    headless: bool | None = None
    account: object = None  # ports.Account or None
    waker: object = False  # ports.Waker; False: this platform's (platform_waker), None: none

    def open_store(self) -> Store:
        return self.ctx.open_store()

    def engine(self, store: Store):
        waker = platform_waker(self.ctx) if self.waker is False else self.waker
        return build_engine(self.ctx, store, headless=self.headless, notifier=self.notifier,
                            joiner=self.joiner, waker=waker, helper=True)

    def sources(self, settings: Settings) -> list[CalendarSource]:
        return build_sources(settings, self.ctx.paths, helper=True)


def build_host(ctx: Context, *, notifier=None, joiner=None, headless: bool | None = None,
               on_change=None, on_show=None, account: bool = True, waker=False):
    """The engine host for `run` and the tray (and the tests that run either). `waker`:
    False for this platform's, None for none, or a ports.Waker."""
    from webinar_tray.host import EngineHost

    parts = Parts(ctx, notifier=notifier, joiner=joiner, headless=headless,
                  account=google_link(ctx) if account else None, waker=waker)
    return EngineHost(ctx, parts, on_change=on_change, on_show=on_show)


# ---- the tray -------------------------------------------------------------------------------
def build_tray(ctx: Context, *, icon_factory=None, autostart=None, notifier=None):
    """The tray app on a new engine host: the desktop notifier, start at login, the Google
    account, the desktop's opener and the pystray icon."""
    from webinar_tray.adapters.desktop import open as desktop_open
    from webinar_tray.ui.app import TrayApp

    notifier = notifier if notifier is not None else service_notifier(ctx)
    if icon_factory is None:
        from webinar_tray.adapters.desktop.tray.icon import TrayIcon

        def icon_factory(dispatch, initial):
            return TrayIcon(dispatch, initial, ctx.env)
    box: list = []
    host = build_host(ctx, notifier=notifier, on_change=lambda: box and box[0].changed(),
                      on_show=lambda: box and box[0].shown())
    app = TrayApp(host, notifier, autostart=autostart if autostart is not None else autostart_entry(ctx.paths, ctx.env),
                  desktop=desktop_open, open_profile=lambda: open_profile(ctx), icon_factory=icon_factory,
                  env=ctx.env)
    box.append(app)
    return app


def diagnoses() -> dict:
    """doctor's checks that belong to an adapter, by name (commands/doctor/checks.py orders them)."""
    from webinar_tray.adapters.browser.diagnose import browser
    from webinar_tray.adapters.calendar.google.diagnose import calendar_access, google_client, google_signin
    from webinar_tray.adapters.calendar.ics.diagnose import ics
    from webinar_tray.adapters.desktop.autostart.diagnose import autostart
    from webinar_tray.adapters.notify.diagnose import notifications

    return {"google_client": google_client, "google_signin": google_signin,
            "calendar_access": calendar_access, "ics": ics, "browser": browser,
            "notifications": notifications, "autostart": autostart}


def wake_report(env: Env, home, wake_for, now, next_line: str, runner=None):
    """doctor's wake check, the platform's part: Windows' power plan and task, elsewhere the
    admin command (adapters/desktop/wake/diagnose.py)."""
    from webinar_tray.adapters.desktop.wake.diagnose import report

    return report(env, home, wake_for, now, next_line, runner)


def tray_backend(env: Env):
    """Which pystray backend can show an icon here (chosen before pystray is imported)."""
    from webinar_tray.adapters.desktop.tray.backend import select_backend

    return select_backend(env)


def autostart_entry(paths: Paths, env: Env | None = None):
    """Start at login for this program with this home folder (enable/disable/status)."""
    from webinar_tray.adapters.desktop.autostart import for_paths

    return for_paths(paths, env or Env.real())


def prepare_process() -> None:
    """Before anything prints: pythonw.exe and the windowed build have no console streams."""
    from webinar_tray.adapters.desktop.sysenv import ensure_streams

    ensure_streams()


def open_profile(ctx: Context):
    """The plain browser on the app's profile (Sign in to webinar sites…). Returns the Popen."""
    return profile_browser(ctx)


def profile_browser(ctx: Context, **kw):
    """The plain browser on the app's profile (`browser`); raises ports.BrowserNotFound, OSError."""
    from webinar_tray.adapters.browser.profile import profile_browser as start

    return start(ctx.settings, ctx.paths, ctx.env, **kw)


def install_browser(ctx: Context) -> int:
    """Playwright's own Chromium under the home folder (`browser --install`); the exit status."""
    from webinar_tray.adapters.browser.install import install_chromium

    return install_chromium(ctx.paths, ctx.env)
