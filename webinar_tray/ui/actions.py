"""What each menu command does (the vocabulary is in core/menu.py). Runs on the tray worker
thread: engine work goes to the engine thread (loop.call), slow desktop work (Google sign-in,
the browser profile) to a thread of its own; errors become an "info" notification and a log
line, never a crash of the tray."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Callable

from webinar_tray.adapters.desktop import open as desktop
from webinar_tray.compose import effective_settings
from webinar_tray.core.links import is_safe
from webinar_tray.core.settings import ConfigError

log = logging.getLogger(__name__)


class ActionError(Exception):
    """Shown to the user as a notification."""


class Actions:
    def __init__(self, host, *, quit: Callable[[], None], changed: Callable[[], None],
                 autostart=None, account=None):
        self.host = host
        self.paths = host.paths
        self._quit = quit
        self._changed = changed
        self.autostart = autostart
        self.account = account
        self.dismissed: set[str] = set()  # failures the user has seen (Open history)
        self._busy: set[str] = set()  # long-running desktop actions in progress
        self._busy_lock = threading.Lock()

    # ---- entry ----------------------------------------------------------------------------
    def run(self, command: tuple) -> None:
        name, args = command[0], command[1:]
        handler = getattr(self, f"do_{name}", None)
        if handler is None:
            log.warning("unknown menu command %r", name)
            return
        try:
            handler(*args)
        except (ActionError, desktop.DesktopError, ConfigError) as e:
            self._tell(str(e))
        except Exception as e:
            log.exception("menu command %s failed", name)
            self._tell(f"{name} failed: {e}")
        self._changed()

    def _tell(self, message: str) -> None:
        log.warning("%s", message)
        engine = self.host.engine
        if engine is not None:
            engine.notifier.notify("info", "webinar-tray", message)

    def _engine(self):
        if self.host.engine is None or self.host.loop is None:
            raise ActionError("webinar-tray is stopping")
        return self.host.engine, self.host.loop

    def _planned(self, id: str):
        engine, _ = self._engine()
        p = next((p for p in engine.current_plan if p.id == id), None)
        if p is None:
            a = engine.store.get(id)
            if a is None:
                raise ActionError("that session is no longer in the calendar")
            return a
        return p

    def _in_background(self, name: str, fn: Callable[[], None]) -> None:
        """Run fn on its own thread, one at a time per name (a second click is ignored)."""
        with self._busy_lock:
            if name in self._busy:
                self._tell(f"{name} is already open")
                return
            self._busy.add(name)

        def body() -> None:
            try:
                fn()
            except (ActionError, desktop.DesktopError) as e:
                self._tell(str(e))
            except Exception as e:
                log.exception("%s failed", name)
                self._tell(f"{name} failed: {e}")
            finally:
                with self._busy_lock:
                    self._busy.discard(name)
                self._changed()

        threading.Thread(target=body, name=f"tray-{name}", daemon=True).start()

    # ---- sessions -------------------------------------------------------------------------
    def do_join(self, id: str) -> None:
        engine, loop = self._engine()
        message = loop.call(engine.join_now, id).result(30)
        log.info("Join now: %s", message)
        if not message.startswith("joining"):
            raise ActionError(message)

    def do_leave(self, id: str) -> None:
        engine, _ = self._engine()
        engine.leave(id)

    def do_show(self, id: str) -> None:
        """Bring the attended page forward; headless, open its latest screenshot."""
        engine, _ = self._engine()
        front = getattr(engine.joiner, "bring_to_front", None)
        if front is not None and front(id):
            return
        a = engine.store.get(id)
        if a is not None and a.evidence:
            desktop.open_path(a.evidence[-1])
            return
        raise ActionError("the webinar runs in a hidden (headless) browser; no screenshot yet")

    def do_auto_join(self, calendar_id: str, event_id: str, on: bool) -> None:
        engine, loop = self._engine()
        loop.call(engine.set_auto_join, calendar_id, event_id, bool(on)).result(30)

    def do_open_url(self, id: str) -> None:
        url = self._planned(id).join_url
        if not url or not is_safe(url):
            raise ActionError("this session has no http(s) link to open")
        desktop.open_url(url)

    def do_copy_link(self, id: str) -> None:
        url = self._planned(id).join_url
        if not url:
            raise ActionError("this session has no link")
        desktop.copy_text(url)

    def do_refresh(self) -> None:
        engine, loop = self._engine()
        loop.call(engine.start_refresh)

    # ---- settings -------------------------------------------------------------------------
    def do_set(self, key: str, value) -> None:
        from webinar_tray.config.write import set_key

        settings = set_key(self.paths.config_file, key, value)
        log.info("config.toml: %s = %r", key, value)
        self.host.apply(effective_settings(settings, self.paths.demo))

    def do_autostart(self, on: bool) -> None:
        if self.autostart is None:
            raise ActionError("start at login is not available on this system")
        (self.autostart.enable if on else self.autostart.disable)()
        log.info("start at login %s", "on" if on else "off")

    # ---- accounts -------------------------------------------------------------------------
    def do_signin(self) -> None:
        if self.account is None:
            raise ActionError("Google Calendar is not set up: see the README's Google section")
        self._in_background("Google sign-in", self._signin)

    def _signin(self) -> None:
        self.account.sign_in()
        self._tell("Signed in to Google Calendar; refreshing")
        self._sources_changed()

    def do_signout(self) -> None:
        if self.account is None:
            return
        message = self.account.sign_out()
        self._tell(message)
        self._sources_changed()

    def _sources_changed(self) -> None:
        engine = self.host.engine
        if engine is not None:
            self.host.apply(engine.settings)  # rebuilds the sources, then refreshes
            self.do_refresh()

    def do_browser_profile(self) -> None:
        engine, _ = self._engine()
        if engine.active_ids():
            raise ActionError("a webinar is being attended in the app's browser: sign in to "
                              "webinar sites when it has ended")
        from webinar_tray.commands.browser import profile_browser

        self._in_background("the browser profile", lambda: profile_browser(self.host.ctx).wait())

    # ---- folders and files ----------------------------------------------------------------
    def do_open_history(self) -> None:
        from webinar_tray.ui.history_page import write_history_page

        engine, _ = self._engine()
        self.dismissed.update(a.id for a in engine.store.attendances(("failed",)))
        page = write_history_page(engine.store, self.paths, datetime.now(timezone.utc))
        desktop.open_path(page)

    def do_open_logs(self) -> None:
        self.paths.log_dir.mkdir(parents=True, exist_ok=True)
        desktop.open_path(self.paths.log_dir)

    def do_open_settings(self) -> None:
        from webinar_tray.config.template import ensure_config

        desktop.edit_file(ensure_config(self.paths.config_file))

    def do_quit(self) -> None:
        log.info("Quit chosen in the tray menu")
        self._quit()

