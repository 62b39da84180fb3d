"""Windows: a balloon/toast from plyer's balloon tip (its icon: a .ico, text.icon_for).

plyer runs the balloon on a thread of its own and loses its errors: we run it on a thread of ours
instead, and a failure there reaches `on_error` (the notifier then tries the next way)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable

from webinar_tray.adapters.notify import plyer_common
from webinar_tray.adapters.notify.payload import APP_NAME

if TYPE_CHECKING:
    from webinar_tray.env import Env

NAME = plyer_common.name_for("win")


def _check(env: Env) -> tuple[str, str]:
    """(why not, fix); ("", "") when plyer's balloon tip can be used."""
    if plyer_common.plyer_platform(env) != "win":
        return "not Windows", ""
    try:
        # named statically so that PyInstaller bundles it (plyer imports it by name)
        from plyer.platforms.win.libs.balloontip import balloon_tip  # noqa: F401
    except Exception as e:  # ImportError in a frozen build without the module, and kin
        return plyer_common.no_backend("win", e, env)
    return "", ""


def is_applicable(env: Env) -> tuple[bool, str]:
    why, _fix = _check(env)
    return not why, why


def fix(env: Env) -> str:
    return _check(env)[1]


def send(env: Env, title: str, message: str, *, app_name: str = APP_NAME, icon: str = "",
         on_error: Callable[[BaseException], None] | None = None) -> None:
    """Start the balloon on a thread; returns at once. A failure there goes to `on_error`."""
    from plyer.platforms.win.libs.balloontip import balloon_tip

    def run() -> None:
        try:
            balloon_tip(title=title, message=message, app_name=app_name, app_icon=icon,
                        timeout=plyer_common.TIMEOUT_SECONDS)
        except Exception as e:
            if on_error is not None:
                on_error(e)

    threading.Thread(target=run, name="webinar-tray-balloon", daemon=True).start()
