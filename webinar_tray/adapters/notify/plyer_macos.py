"""macOS: plyer's notification backend. It needs pyobjus, which is usually absent, so this path
is mostly not applicable and osascript (osascript.py) shows them instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from webinar_tray.adapters.notify import plyer_common
from webinar_tray.adapters.notify.payload import APP_NAME

if TYPE_CHECKING:
    from webinar_tray.env import Env

NAME = plyer_common.name_for("macosx")
FIX_PYOBJUS = "pip install pyobjus, or rely on the tray icon / osascript"


def _check(env: Env) -> tuple[str, str]:
    """(why not, fix); ("", "") when plyer's macOS backend can be imported."""
    if plyer_common.plyer_platform(env) != "macosx":
        return "not macOS", ""
    try:
        from plyer.platforms.macosx import notification  # noqa: F401 - imports pyobjus
    except Exception as e:
        return plyer_common.no_backend("macosx", e, env)[0], FIX_PYOBJUS
    return "", ""


def is_applicable(env: Env) -> tuple[bool, str]:
    why, _fix = _check(env)
    return not why, why


def fix(env: Env) -> str:
    return _check(env)[1]


def send(env: Env, title: str, message: str, *, app_name: str = APP_NAME, icon: str = "",
         on_error: Callable[[BaseException], None] | None = None) -> None:
    from plyer.platforms.macosx import notification as mod

    plyer_common.call(mod.instance(), title, message, app_name, icon)
