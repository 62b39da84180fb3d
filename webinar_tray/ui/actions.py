"""What each menu command does (the vocabulary is core/commands.py). Runs on the tray worker
thread: engine commands go to the engine host (`host.send`), desktop ones to the desktop adapter
given by the composition root; slow ones (Google sign-in, the browser profile) to a thread of
their own. Errors become an "info" notification and a log line, never a crash of the tray."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from webinar_tray.core import commands as c
from webinar_tray.core.links import is_safe
from webinar_tray.core.settings import ConfigError
from webinar_tray.host import HostError

log = logging.getLogger(__name__)


class ActionError(Exception):
    """Shown to the user as a notification."""


# Commands that may take minutes: run on a thread of their own, one at a time each.
LONG = {c.SignIn: "Google sign-in", c.BrowserProfile: "the browser profile"}


class Actions:
    def __init__(self, host, *, notifier, desktop, quit: Callable[[], None], changed: Callable[[], None],
                 autostart=None, open_profile: Callable[[], object] | None = None):
        self.host = host
        self.paths = host.paths
        self.notifier = notifier
        self.desktop = desktop  # adapters/desktop/open: open_url, open_path, edit_file, copy_text
        self._quit = quit
        self._changed = changed
        self.autostart = autostart
        self._open_profile = open_profile
        self._busy: set[str] = set()  # long-running actions in progress
        self._busy_lock = threading.Lock()
        self._desktop_handlers: dict[type, Callable] = {
            c.OpenUrl: self.open_url,
            c.CopyLink: self.copy_link,
            c.SetAutostart: self.set_autostart,
            c.BrowserProfile: self.browser_profile,
            c.OpenLogs: self.open_logs,
            c.OpenSettings: self.open_settings,
            c.Quit: self.quit,
        }

    # ---- entry ----------------------------------------------------------------------------
    def run(self, command: c.Command) -> None:
        try:
            if type(command) in LONG:
                self._in_background(LONG[type(command)], lambda: self._carry_out(command))
            else:
                self._carry_out(command)
        except (ActionError, HostError, ConfigError, self.desktop.DesktopError) as e:
            self._tell(str(e))
        except Exception as e:
            log.exception("menu command %s failed", command.name)
            self._tell(f"{command.name} failed: {e}")
        self._changed()

    def _carry_out(self, command: c.Command) -> None:
        if isinstance(command, c.HostCommand):
            self._after(command, self.host.send(command))
            return
        handler = self._desktop_handlers.get(type(command))
        if handler is None:
            log.warning("unknown menu command %r", command)
            return
        handler(command)

    def _after(self, command: c.HostCommand, result) -> None:
        """What the tray does with a host command's result."""
        if isinstance(command, c.JoinNow):
            log.info("Join now: %s", result)
            if not result.startswith("joining"):
                raise ActionError(result)
        elif isinstance(command, (c.ShowPage, c.OpenHistory)) and result is not None:
            self.desktop.open_path(result)
        elif isinstance(command, (c.SignIn, c.SignOut)):
            self._tell(result)
        elif isinstance(command, c.OpenSetup):  # Set up…: the page the host serves
            self.desktop.open_url(result)

    def _tell(self, message: str) -> None:
        log.warning("%s", message)
        self.notifier.notify("info", "webinar-tray", message)

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
            except (ActionError, HostError, self.desktop.DesktopError) as e:
                self._tell(str(e))
            except Exception as e:
                log.exception("%s failed", name)
                self._tell(f"{name} failed: {e}")
            finally:
                with self._busy_lock:
                    self._busy.discard(name)
                self._changed()

        threading.Thread(target=body, name=f"tray-{name}", daemon=True).start()

    # ---- the desktop ----------------------------------------------------------------------
    def _link(self, id: str) -> str | None:
        p = next((p for p in self.host.view().plan if p.id == id), None)
        if p is None:
            raise ActionError("that session is no longer in the calendar")
        return p.join_url

    def open_url(self, cmd: c.OpenUrl) -> None:
        url = self._link(cmd.id)
        if not url or not is_safe(url):
            raise ActionError("this session has no http(s) link to open")
        self.desktop.open_url(url)

    def copy_link(self, cmd: c.CopyLink) -> None:
        url = self._link(cmd.id)
        if not url:
            raise ActionError("this session has no link")
        self.desktop.copy_text(url)

    def set_autostart(self, cmd: c.SetAutostart) -> None:
        if self.autostart is None:
            raise ActionError("start at login is not available on this system")
        (self.autostart.enable if cmd.on else self.autostart.disable)()
        log.info("start at login %s", "on" if cmd.on else "off")

    def browser_profile(self, cmd: c.BrowserProfile) -> None:
        if self.host.view().active:
            raise ActionError("a webinar is being attended in the app's browser: sign in to "
                              "webinar sites when it has ended")
        if self._open_profile is None:
            raise ActionError("the browser profile cannot be opened here")
        self._open_profile().wait()

    def open_logs(self, cmd: c.OpenLogs) -> None:
        self.paths.log_dir.mkdir(parents=True, exist_ok=True)
        self.desktop.open_path(self.paths.log_dir)

    def open_settings(self, cmd: c.OpenSettings) -> None:
        from webinar_tray.config.template import ensure_config

        self.desktop.edit_file(ensure_config(self.paths.config_file))

    def quit(self, cmd: c.Quit) -> None:
        log.info("Quit chosen in the tray menu")
        self._quit()
