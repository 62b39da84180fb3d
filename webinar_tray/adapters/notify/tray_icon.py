"""The tray icon's own notify (pystray's `icon.notify`), handed to the notifier once the icon
exists (DesktopNotifier.set_tray_notify: the icon is created after the notifier). pystray's
dummy and plain-X11 backends raise NotImplementedError from it: the notifier then stops asking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from webinar_tray.env import Env

NAME = "tray icon"

TrayNotify = Callable[[str, str], None]  # tray_notify(title, message)


def is_applicable(env: Env) -> tuple[bool, str]:
    """On every platform with a tray; whether there is an icon is known only once it hands over
    its notify."""
    return True, ""


def send(tray_notify: TrayNotify, title: str, message: str) -> None:
    tray_notify(title, message)
