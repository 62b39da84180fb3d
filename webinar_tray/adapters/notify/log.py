"""Notifier adapters. The log notifier is the fallback every other notifier ends in."""

from __future__ import annotations

import logging

log = logging.getLogger("webinar_tray.notify")


class LogNotifier:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled

    def notify(self, kind: str, title: str, message: str) -> None:
        log.info("notification [%s] %s: %s%s", kind, title, message, "" if self.enabled else " (notifications off)")

    def set_tray_notify(self, tray_notify) -> None:
        """The log has no other path to fall back on."""

    def close(self, timeout: float = 5.0) -> None:
        """Nothing is queued: each notification is logged at once."""
