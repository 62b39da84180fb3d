"""The engine host: the one coordinator of a running engine, shared by `run` (service mode) and
the tray app.

Everything that changes the engine is a command value (core/commands.py) given to `send`, which
runs it on the engine thread and returns its result; a long command (a sign-in, bringing a page
forward) runs on the caller's thread and only its result is applied on the engine thread.
Everything that shows the engine reads `view()`, an immutable EngineView. The tray, the channel
(other launches) and the config watcher use only these two. A setting changed from the menu
takes one path: the key is written to config.toml, the watcher is told the file's new stamp
(so it does not apply it again), and the settings are applied once, on the engine thread."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from pathlib import Path
from typing import Callable

from webinar_tray.config.files import effective_settings
from webinar_tray.config.paths import Paths
from webinar_tray.config.watch import ConfigWatcher
from webinar_tray.core import commands as c
from webinar_tray.core.plan import adhoc_minutes
from webinar_tray.host.view import EngineView, build_view
from webinar_tray.ports import AccountError
from webinar_tray.runtime.housekeeping import prune_evidence
from webinar_tray.runtime.instance import ChannelServer, InstanceLock, read_channel

log = logging.getLogger(__name__)

# A view older than this is built again even when nothing said it changed.
VIEW_MAX_AGE = 2.0
SEND_TIMEOUT = 30.0


class AlreadyRunning(Exception):
    """Another engine holds this home folder. `pid` is its process id when known."""

    def __init__(self, paths: Paths, pid: int | None):
        self.pid = pid
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"another instance is running for {paths.data_dir}{who}")


class HostError(Exception):
    """A command could not be carried out; the message is for the user."""


class EngineHost:
    """Owns one engine for one home folder. `start()` takes the instance lock (AlreadyRunning
    when another process holds it) and starts the engine thread and the channel; `stop()` closes
    pages, writes history and lets go of everything, in that order. `parts` (compose.Parts)
    builds what the host runs: the store, the engine with its adapters, the sources."""

    def __init__(self, ctx, parts, *, on_change: Callable[[], None] | None = None,
                 on_show: Callable[[], None] | None = None):
        self.ctx = ctx
        self.paths = ctx.paths
        self.parts = parts
        self.account = parts.account
        self._on_change = on_change
        self._on_show = on_show
        self.lock = InstanceLock(self.paths.lock_file)
        self.store = self.engine = self.site = self.loop = self.channel = None
        self.watcher: ConfigWatcher | None = None
        self.setup_page = None  # setup/server.SetupServer, started by the first OpenSetup
        self._setup_lock = threading.Lock()
        self.watch_seconds = 5  # config.toml is looked at this often
        # The view is rebuilt under _view_lock; a change only bumps _changes (no lock: the engine
        # calls on_change holding its own lock, which a build takes too).
        self._view_lock = threading.Lock()
        self._view = EngineView(settings=ctx.settings, demo=self.paths.demo)
        self._view_at = 0.0  # monotonic time of the last build
        self._view_of = -1  # the value of _changes the view was built at
        self._counter = itertools.count(1)
        self._changes = 0
        self._dismissed: frozenset[str] = frozenset()  # failures the user has seen (Open history)
        self._on_engine = {
            c.JoinNow: lambda cmd: self.engine.join_now(cmd.id),
            c.JoinUrl: lambda cmd: self.engine.join_url(cmd.url, adhoc_minutes(cmd.minutes), cmd.title),
            c.Leave: lambda cmd: self.engine.leave(cmd.id),
            c.SetAutoJoin: lambda cmd: self.engine.set_auto_join(cmd.calendar_id, cmd.event_id, bool(cmd.on)),
            c.SetSetting: self._set_setting,
            c.Refresh: lambda cmd: self.engine.start_refresh(),
            c.Show: self._show,
        }
        self._off_engine = {
            c.ShowPage: self._show_page,
            c.SignIn: self._sign_in,
            c.SignOut: self._sign_out,
            c.OpenHistory: self._open_history,
            c.OpenSetup: self._open_setup,
        }

    # ---- life -----------------------------------------------------------------------------
    def start(self) -> None:
        from webinar_tray.runtime.loop import EngineLoop

        if not self.lock.acquire():
            info = read_channel(self.paths.channel_file) or {}
            raise AlreadyRunning(self.paths, info.get("pid"))
        from webinar_tray.runtime.memory import one_heap

        one_heap()  # before the engine's threads start
        try:
            self.store = self.parts.open_store()
            self.engine, self.site = self.parts.engine(self.store)
            self.engine.on_change = self._changed
            if self.site is not None:
                log.info("demo mode: demo webinar site on %s; records in %s",
                         self.site.base_url, self.paths.data_dir)
            self.watcher = ConfigWatcher(self.paths.config_file, self.paths.demo, self.apply)
            self.housekeeping()
            self.loop = EngineLoop(self.engine, extra_jobs=[(self.watch_seconds, "config-watch", self.watcher.check),
                                                       (3600, "housekeeping", self.housekeeping)])
            from webinar_tray.host.channel import ChannelHandler

            self.channel = ChannelServer(self.paths.channel_file, ChannelHandler(self))
            if not self.engine.sources:
                log.warning("no calendar configured: add [ics] urls to %s or sign in to Google "
                            "(`webinar-tray login`)", self.paths.config_file)
            log.info("webinar-tray running (home %s)", self.paths.config_dir)
            self.channel.start()
            self.loop.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        log.info("closing pages and writing history")
        if self.loop is not None:
            self.loop.stop()
        if self.engine is not None:
            self.engine.close()
            self.engine.notifier.close()  # the last notifications (ended...) are delivered first
        if self.channel is not None:
            self.channel.stop()
        if self.setup_page is not None:
            self.setup_page.stop()
            self.setup_page = None
        if self.site is not None:
            self.site.stop()
        if self.store is not None:
            self.store.close()
        self.lock.release()
        self.loop = self.engine = self.channel = self.site = self.store = None
        self._stale()
        log.info("stopped")

    @property
    def alive(self) -> bool:
        return self.loop is not None and self.loop.alive

    # ---- the two doors --------------------------------------------------------------------
    def send(self, cmd: c.HostCommand, timeout: float = SEND_TIMEOUT):
        """Carry out `cmd` and return its result. Raises HostError (for the user), or what the
        engine raised. Never call it from the engine thread itself (it would wait on itself)."""
        off = self._off_engine.get(type(cmd))
        if off is not None:
            self._running()
            return off(cmd)
        handler = self._on_engine.get(type(cmd))
        if handler is None:
            raise HostError(f"unknown command {cmd.name}")
        return self._on_engine_thread(handler, cmd, timeout=timeout)

    def view(self) -> EngineView:
        """The engine as it is now (rebuilt when something changed or it is VIEW_MAX_AGE old)."""
        with self._view_lock:
            now, changes = time.monotonic(), self._changes
            engine = self.engine
            if engine is None:
                if self._view.running:
                    self._view = EngineView(settings=self.ctx.settings, demo=self.paths.demo)
                return self._view
            if changes == self._view_of and now - self._view_at < VIEW_MAX_AGE:
                return self._view
            self._view = build_view(engine, account=self.account, demo=self.paths.demo,
                                    dismissed=self._dismissed)
            self._view_at, self._view_of = now, changes
            return self._view

    # ---- helpers --------------------------------------------------------------------------
    def _running(self):
        engine, loop = self.engine, self.loop
        if engine is None or loop is None:
            raise HostError("webinar-tray is stopping")
        return engine, loop

    def _on_engine_thread(self, fn, *args, timeout: float = SEND_TIMEOUT):
        _, loop = self._running()
        return loop.call(fn, *args).result(timeout)

    def _stale(self) -> None:
        self._changes = next(self._counter)  # atomic, never waits: see __init__

    def _changed(self) -> None:
        """The engine's on_change (any thread): the view is stale; the front end redraws."""
        self._stale()
        if self._on_change is not None:
            self._on_change()

    # ---- settings (engine thread) ---------------------------------------------------------
    def apply(self, settings) -> None:
        """New settings in force: the engine, the browser, notifications, the sources (rebuilt
        unless in demo), the refresh period. Runs on the engine thread (the watcher's job, or
        through send)."""
        engine, loop = self.engine, self.loop
        if engine is None or loop is None:
            return
        self.ctx.settings = settings
        engine.apply_settings(settings)
        engine.joiner.update_settings(settings)
        engine.notifier.enabled = settings.notifications.enabled
        if not self.paths.demo:
            engine.sources = self.parts.sources(settings)
        loop.reschedule_refresh(settings.refresh.every_minutes)
        loop.wake()
        self._changed()

    def _set_setting(self, cmd: c.SetSetting):
        from webinar_tray.config.write import set_key

        settings = set_key(self.paths.config_file, cmd.key, cmd.value)
        self.watcher.remember()  # written by us: applied here, once
        log.info("config.toml: %s = %r", cmd.key, cmd.value)
        self.apply(effective_settings(settings, self.paths.demo))
        return settings

    def _sources_changed(self) -> None:
        self.apply(self.engine.settings)  # rebuilds the sources
        self.engine.start_refresh()

    def housekeeping(self) -> None:
        settings = self.engine.settings if self.engine is not None else self.ctx.settings
        prune_evidence(self.paths.evidence_dir, settings.join.keep_evidence_days)

    def _show(self, cmd: c.Show):
        """A second launch: the front end says where the app is; a refresh starts."""
        if self._on_show is not None:
            self._on_show()
        else:
            self.engine.start_refresh()

    # ---- long commands (caller's thread) --------------------------------------------------
    def _show_page(self, cmd: c.ShowPage) -> Path | None:
        engine, _ = self._running()
        if engine.joiner.bring_to_front(cmd.id):
            return None
        a = engine.store.get(cmd.id)
        if a is not None and a.evidence:
            return Path(a.evidence[-1])
        raise HostError("the webinar runs in a hidden (headless) browser; no screenshot yet")

    def _account(self):
        if self.account is None:
            raise HostError("Google Calendar is not set up: see the README's Google section")
        return self.account

    def _sign_in(self, cmd: c.SignIn) -> str:
        try:
            self._account().sign_in()
        except AccountError as e:
            raise HostError(f"Google sign-in failed: {e}") from None
        self._on_engine_thread(self._sources_changed)
        return "Signed in to Google Calendar; refreshing"

    def _sign_out(self, cmd: c.SignOut) -> str:
        if self.account is None:
            return "not signed in"
        message = self.account.sign_out()
        self._on_engine_thread(self._sources_changed)
        return message

    def _open_history(self, cmd: c.OpenHistory) -> Path:
        """The CPE report page (cpe_page.py), which links the full history beside it."""
        from webinar_tray.cpe_page import write_cpe_page

        engine, _ = self._running()
        self._dismissed = self._dismissed | {a.id for a in engine.store.attendances(("failed",))}
        self._stale()
        return write_cpe_page(engine.store, engine.settings.history, self.paths, engine.clock.now())

    def _open_setup(self, cmd: c.OpenSetup) -> str:
        """The setup page's address with a fresh one-time token (the page is served from here
        while the host runs; its settings go through SetSetting like the menu's)."""
        self._running()
        with self._setup_lock:
            if self.setup_page is None:
                from webinar_tray.setup.app import serve
                from webinar_tray.setup.backend import for_host

                self.setup_page = serve(for_host(self))
            link = self.setup_page.new_link()
        return link + (f"#{cmd.section}" if cmd.section else "")
