"""Any other platform (a BSD, …): plyer's own notification facade, which picks a backend for the
platform by name or raises NotImplementedError (the notifier then tries the next way)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from webinar_tray.adapters.notify.payload import APP_NAME
from webinar_tray.adapters.notify import plyer_common

if TYPE_CHECKING:
    from webinar_tray.env import Env

OWN_PATHS = ("linux", "win", "macosx")  # the platforms with a path of their own


def name(env: Env) -> str:
    return plyer_common.name_for(plyer_common.plyer_platform(env))


def is_applicable(env: Env) -> tuple[bool, str]:
    """Tried wherever no other plyer path is; plyer itself says when it has nothing."""
    if plyer_common.plyer_platform(env) in OWN_PATHS:
        return False, "this platform has a path of its own"
    return True, ""


def fix(env: Env) -> str:
    return ""


def send(env: Env, title: str, message: str, *, app_name: str = APP_NAME, icon: str = "",
         on_error: Callable[[BaseException], None] | None = None) -> None:
    from plyer import notification

    plyer_common.call(notification, title, message, app_name, icon)
