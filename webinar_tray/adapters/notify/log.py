"""The log: every notification is written there (as LogNotifier does), shown or not; it is the
way every other path ends in, and the whole notifier when notifications are off."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from webinar_tray.env import Env

log = logging.getLogger("webinar_tray.notify")

NAME = "log"


def is_applicable(env: Env) -> tuple[bool, str]:
    return True, ""


def send(kind: str, title: str, message: str, enabled: bool = True) -> None:
    log.info("notification [%s] %s: %s%s", kind, title, message, "" if enabled else " (notifications off)")


class LogNotifier:
    """Notifier port: the log only (no tray icon to hand over, nothing queued to close)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled

    def notify(self, kind: str, title: str, message: str) -> None:
        send(kind, title, message, self.enabled)

    def set_tray_notify(self, tray_notify: Callable[[str, str], None] | None) -> None:
        pass

    def flush(self, timeout: float | None = 10.0) -> bool:
        return True

    def close(self, timeout: float = 5.0) -> None:
        pass
