"""Noticing a change of config.toml (the user edited it, or the tray wrote a key)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from webinar_tray.config.files import effective_settings, load_settings
from webinar_tray.core.settings import ConfigError, Settings

log = logging.getLogger(__name__)


class ConfigWatcher:
    """Re-reads config.toml when it changes; a bad edit is logged and the old settings stay.
    A change the app made itself is `remember`ed, so it is applied once, not again here."""

    def __init__(self, path: Path, demo: bool, apply: Callable[[Settings], None]):
        self.path, self.demo, self.apply = path, demo, apply
        self._stamp = self._read_stamp()

    def _read_stamp(self):
        try:
            st = os.stat(self.path)
            return (st.st_mtime_ns, st.st_size)
        except OSError:
            return None

    def remember(self) -> None:
        """The file as it is now is already applied (the app wrote it)."""
        self._stamp = self._read_stamp()

    def check(self) -> bool:
        """False when the file did not change (nothing was done: the engine loop keeps what it
        knew); True otherwise."""
        stamp = self._read_stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            settings, warnings = load_settings(self.path)
        except ConfigError as e:
            log.error("config change ignored: %s", e)
            return True
        for w in warnings:
            log.warning("%s", w)
        log.info("config.toml changed: settings reloaded")
        self.apply(effective_settings(settings, self.demo))
        return True
