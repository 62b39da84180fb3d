"""Notifier adapters. The log notifier is the fallback every other notifier ends in."""

from __future__ import annotations

import logging

log = logging.getLogger("webinar_tray.notify")


class LogNotifier:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled

    def notify(self, kind: str, title: str, message: str) -> None:
        log.info("notification [%s] %s: %s%s", kind, title, message, "" if self.enabled else " (notifications off)")
