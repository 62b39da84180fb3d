"""The running engine and everything around it: the store, the engine loop, the config watcher,
the local channel other launches talk to, housekeeping. Shared by `run` (service mode) and the
tray app, so the two behave the same; only their front ends differ."""

from __future__ import annotations

import logging
from typing import Callable

from webinar_tray.compose import ConfigWatcher, Context, build_engine, build_sources
from webinar_tray.config.paths import Paths
from webinar_tray.runtime.housekeeping import prune_evidence
from webinar_tray.runtime.instance import ChannelServer, InstanceLock, read_channel

log = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    """Another engine holds this home folder. `pid` is its process id when known."""

    def __init__(self, paths: Paths, pid: int | None):
        self.pid = pid
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"another instance is running for {paths.data_dir}{who}")


class EngineHost:
    """Owns one engine for one home folder. `start()` takes the instance lock (AlreadyRunning
    when another process holds it) and starts the engine thread and the channel; `stop()` closes
    pages, writes history and lets go of everything, in that order."""

    def __init__(self, ctx: Context, *, notifier=None, on_change: Callable[[], None] | None = None,
                 extra_commands: dict[str, Callable[[dict], dict]] | None = None):
        self.ctx = ctx
        self.paths = ctx.paths
        self._notifier = notifier
        self._on_change = on_change
        self._extra_commands = dict(extra_commands or {})
        self._settings_listeners: list[Callable] = []
        self.lock = InstanceLock(self.paths.lock_file)
        self.store = None
        self.engine = None
        self.site = None
        self.loop = None
        self.channel = None

    # ---- life -----------------------------------------------------------------------------
    def start(self) -> None:
        from webinar_tray.runtime.loop import EngineLoop

        if not self.lock.acquire():
            info = read_channel(self.paths.channel_file) or {}
            raise AlreadyRunning(self.paths, info.get("pid"))
        try:
            self.store = self.ctx.open_store()
            self.engine, self.site = build_engine(self.ctx, self.store, notifier=self._notifier)
            if self._on_change is not None:
                self.engine.on_change = self._on_change
            if self.site is not None:
                log.info("demo mode: demo webinar site on %s; records in %s",
                         self.site.base_url, self.paths.data_dir)
            watcher = ConfigWatcher(self.paths.config_file, self.paths.demo, self.apply)
            self.housekeeping()
            self.loop = EngineLoop(self.engine, extra_jobs=[(5, watcher.check), (3600, self.housekeeping)])
            self.channel = ChannelServer(self.paths.channel_file, self.handle)
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
            close = getattr(self.engine.notifier, "close", None)
            if close is not None:  # the last notifications (ended...) are delivered first
                close()
        if self.channel is not None:
            self.channel.stop()
        if self.site is not None:
            self.site.stop()
        if self.store is not None:
            self.store.close()
        self.lock.release()
        self.loop = self.engine = self.channel = self.site = self.store = None
        log.info("stopped")

    @property
    def alive(self) -> bool:
        return self.loop is not None and self.loop.alive

    # ---- settings -------------------------------------------------------------------------
    def on_settings(self, listener: Callable) -> None:
        """listener(settings) after config.toml changed and the engine took the new settings."""
        self._settings_listeners.append(listener)

    def apply(self, settings) -> None:
        engine, loop = self.engine, self.loop
        if engine is None or loop is None:
            return
        self.ctx.settings = settings
        engine.apply_settings(settings)
        engine.joiner.update_settings(settings)
        engine.notifier.enabled = settings.notifications.enabled
        if not self.paths.demo:
            engine.sources = build_sources(settings, self.paths)
        loop.reschedule_refresh(settings.refresh.every_minutes)
        loop.wake()
        for listener in self._settings_listeners:
            try:
                listener(settings)
            except Exception:
                log.exception("applying the new settings")
        engine.on_change()

    def housekeeping(self) -> None:
        settings = self.engine.settings if self.engine is not None else self.ctx.settings
        prune_evidence(self.paths.evidence_dir, settings.join.keep_evidence_days)

    # ---- the channel ----------------------------------------------------------------------
    def handle(self, req: dict) -> dict:
        """A request from another launch on this machine (token-checked by the channel)."""
        loop, engine = self.loop, self.engine
        cmd = req.get("cmd")
        if cmd in self._extra_commands:
            return self._extra_commands[cmd](req)
        if loop is None or engine is None:
            return {"ok": False, "error": "the app is stopping"}
        if cmd == "join":
            from webinar_tray.core.plan import adhoc_minutes

            url = req.get("url")
            if not isinstance(url, str):
                return {"ok": False, "error": "join needs a url"}
            try:
                minutes = adhoc_minutes(req.get("minutes", 60))
            except ValueError as e:
                return {"ok": False, "error": str(e)}
            p = loop.call(engine.join_url, url, minutes).result(30)
            return {"ok": True, "id": p.id, "title": p.title}
        if cmd in ("refresh", "show"):  # a second launch of a front end without one: refresh
            loop.call(engine.start_refresh)
            return {"ok": True}
        if cmd == "ping":
            return {"ok": True}
        if cmd == "status":  # `browser` asks whether the profile is in use
            return {"ok": True, "attending": engine.active_ids()}
        return {"ok": False, "error": f"unknown command {cmd!r}"}
