"""Linux: plyer over D-Bus — dbus-python when importable, else `notify-send` (Debian
`libnotify-bin`). Not in a Flatpak: there the portal path (portal.py) is taken instead.

plyer's notify-send backend ignores notify-send's exit status (and the dbus one fails only when
called), so the notifier asks the session bus first whether a daemon is there (bus.py).
The body is markup for every common daemon (GNOME, KDE, dunst, xfce): "Q&A" must not vanish, so
it is escaped; notify-send reads a leading "-" as an option, so that one is made a hyphen. In a
frozen build notify-send is started by us, with the user's environment (plyer would pass on ours:
the bundle's libraries and GTK)."""

from __future__ import annotations

import html
import subprocess
from typing import TYPE_CHECKING, Callable

from webinar_tray.adapters.desktop.sysenv import system_env_or_none
from webinar_tray.adapters.notify import plyer_common, portal
from webinar_tray.adapters.notify.payload import APP_NAME, no_leading_dash, notify_send_argv

if TYPE_CHECKING:
    from webinar_tray.env import Env

NAME = plyer_common.name_for("linux")  # no backend: the name the log gives the path
NAME_DBUS = "plyer (linux/dbus)"
NAME_NOTIFY_SEND = "plyer (linux/notify-send)"
APT_NOTIFY_SEND = "apt-get install libnotify-bin"


def dbus_python() -> bool:
    try:
        import dbus  # noqa: F401
    except ImportError:
        return False
    except Exception:  # a broken install is as good as none
        return False
    return True


def _choice(env: Env) -> tuple[str, str, str]:
    """(name, why not, fix): the backend plyer would use here, or why there is none."""
    if plyer_common.plyer_platform(env) != "linux":
        return NAME, "not Linux", ""
    try:
        from plyer.platforms.linux import notification  # noqa: F401
    except Exception as e:  # a frozen build without the module and kin
        return (NAME, *plyer_common.no_backend("linux", e, env))
    if portal.in_flatpak(env):
        return NAME, "in a Flatpak (notifications go through the desktop portal)", ""
    if dbus_python():
        return NAME_DBUS, "", ""
    if env.which("notify-send"):
        return NAME_NOTIFY_SEND, "", ""
    return NAME, "plyer found neither dbus-python nor notify-send", APT_NOTIFY_SEND


def name(env: Env) -> str:
    """The path's name in the log: which of plyer's backends it is."""
    return _choice(env)[0]


def is_applicable(env: Env) -> tuple[bool, str]:
    _name, why, _fix = _choice(env)
    return not why, why


def fix(env: Env) -> str:
    """What makes the path work when it is not applicable ("" when nothing we know of)."""
    return _choice(env)[2]


def send(env: Env, title: str, message: str, *, app_name: str = APP_NAME, icon: str = "",
         on_error: Callable[[BaseException], None] | None = None) -> None:
    """Show one through plyer's backend; raises when it cannot (not when the daemon drops it)."""
    from plyer.platforms.linux import notification as mod

    message = html.escape(message, quote=False)
    if dbus_python():  # plyer's own choice: dbus-python first
        plyer_common.call(mod.NotifyDbus(), title, message, app_name, icon)
        return
    title, message = no_leading_dash(title), no_leading_dash(message)
    user_env = system_env_or_none(env)
    if user_env is None:
        plyer_common.call(mod.NotifySendNotification(), title, message, app_name, icon)
        return
    # frozen: the command plyer runs (text.notify_send_argv), with the user's environment
    subprocess.run(notify_send_argv(title, message, app_name), env=user_env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
