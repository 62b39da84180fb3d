"""What the plyer paths share: plyer's name for the platform (read from an Env, as plyer reads
sys.platform and the environment), the call into one of plyer's backends, and the words for a
plyer backend that cannot be imported here."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webinar_tray.env import Env

TIMEOUT_SECONDS = 10  # how long the desktop shows one (where the platform honours it)

# the module plyer imports by name for each platform (a frozen build needs it as a hidden import)
BACKEND_MODULES = {"win": "win.libs.balloontip"}


def plyer_platform(env: Env) -> str:
    """plyer.utils.platform for `env`: "win", "macosx", "linux", "android", "ios" or "unknown"."""
    if "ANDROID_ARGUMENT" in env.environ:
        return "android"
    if env.get("KIVY_BUILD", "") == "ios":
        return "ios"
    if env.platform in ("win32", "cygwin"):
        return "win"
    if env.platform == "darwin":
        return "macosx"
    if env.platform.startswith("linux"):
        return "linux"
    return "unknown"


def name_for(platform: str) -> str:
    return f"plyer ({platform})"


def no_backend(platform: str, error: BaseException, env: Env) -> tuple[str, str]:
    """(why, fix) when plyer's backend for `platform` cannot be imported (a frozen build without
    the module, a missing optional library)."""
    why = f"plyer has no {platform} backend here ({type(error).__name__}: {error})"
    fix = ""
    if env.frozen:
        module = BACKEND_MODULES.get(platform, f"{platform}.notification")
        fix = f"rebuild with --hidden-import plyer.platforms.{module}"
    return why, fix


def call(backend: Any, title: str, message: str, app_name: str, icon: str) -> None:
    """`backend.notify(...)` as plyer's facade takes it; plyer's deprecation warnings muted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backend.notify(title=title, message=message, app_name=app_name, app_icon=icon,
                       timeout=TIMEOUT_SECONDS)
