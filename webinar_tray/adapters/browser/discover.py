"""Which Chromium-family browser to drive: the configured one, a Playwright channel, an installed
Chrome/Edge/Chromium, or Playwright's own Chromium under the app's folder.

Pure: the platform, the environment and PATH come from the caller's `Env`, the filesystem through
the injected functions, so every OS's table is tested on any OS."""

from __future__ import annotations

import glob as _glob
import ntpath
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from webinar_tray.core.settings import BrowserSettings
from webinar_tray.env import Env
from webinar_tray.ports import BrowserNotFound  # noqa: F401 (raised here; callers catch it from ports)


@dataclass(frozen=True)
class BrowserChoice:
    executable_path: str | None
    channel: str | None
    description: str



HOW_TO_GET_ONE = (
    "install Google Chrome, Microsoft Edge or Chromium (on Debian/Ubuntu: "
    "`sudo apt-get install chromium`), or set `[browser] executable_path` in config.toml, "
    "or run `webinar-tray browser --install` to install Playwright's Chromium"
)

_WINDOWS_ROOTS = ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")
_WINDOWS_BROWSERS = (
    (("Google", "Chrome", "Application", "chrome.exe"), "Google Chrome"),
    (("Microsoft", "Edge", "Application", "msedge.exe"), "Microsoft Edge"),
    (("Chromium", "Application", "chrome.exe"), "Chromium"),
)
_MAC_BROWSERS = (
    ("Google Chrome.app/Contents/MacOS/Google Chrome", "Google Chrome"),
    ("Microsoft Edge.app/Contents/MacOS/Microsoft Edge", "Microsoft Edge"),
    ("Chromium.app/Contents/MacOS/Chromium", "Chromium"),
)
_LINUX_COMMANDS = (
    "google-chrome",
    "google-chrome-stable",
    "chromium",
    "chromium-browser",
    "microsoft-edge",
    "microsoft-edge-stable",
)
_LINUX_FIXED = ("/usr/bin/chromium", "/snap/bin/chromium")

# Playwright's own builds: chromium-<revision>/<folder>/<binary>. Newer Playwright (1.5x+) uses
# Chrome for Testing folders (chrome-linux64, chrome-win64, chrome-mac-arm64); older ones used
# chrome-linux, chrome-win, chrome-mac.
_PLAYWRIGHT_BUILDS = {
    "win": ("chrome-win64/chrome.exe", "chrome-win/chrome.exe"),
    "darwin": (
        "chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
        "chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
        "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
    ),
    "linux": (
        "chrome-linux64/chrome",
        "chrome-linux-arm64/chrome",
        "chrome-linux/chrome",
    ),
}


def _os_family(platform: str) -> str:
    if platform.startswith("win") or platform == "cygwin":
        return "win"
    if platform == "darwin":
        return "darwin"
    return "linux"


def find_browser(
    settings: BrowserSettings,
    browsers_dir: Path | None,
    env: Env,
    exists: Callable[[str], bool] = os.path.isfile,
    glob: Callable[[str], list[str]] = _glob.glob,
) -> BrowserChoice:
    """The browser to launch on `env`'s platform (its environment and `which` find the installed
    ones). Raises BrowserNotFound (with how to get one)."""
    configured = (settings.executable_path or "").strip()
    if configured:
        path = os.path.expanduser(configured)
        if not exists(path):
            raise BrowserNotFound(
                f"`[browser] executable_path` (browser.executable_path) in config.toml is "
                f"{configured!r}, which does not exist; fix the path, or clear it to let "
                f"webinar-tray find a browser"
            )
        return BrowserChoice(path, None, f"configured: {path}")

    channel = (settings.channel or "").strip()
    if channel:
        return BrowserChoice(None, channel, f"Playwright channel {channel!r}")

    family = _os_family(env.platform)
    for path, name in _installed_candidates(family, env.environ, env.which):
        if path and exists(path):
            return BrowserChoice(path, None, f"{name}: {path}")

    if browsers_dir is not None:
        found = _playwright_build(Path(browsers_dir), family, exists, glob)
        if found:
            return BrowserChoice(found, None, f"Playwright's Chromium: {found}")

    raise BrowserNotFound(f"No Chrome, Edge or Chromium found. To fix: {HOW_TO_GET_ONE}.")


def _installed_candidates(family: str, env: Mapping[str, str], which) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if family == "win":
        for var in _WINDOWS_ROOTS:
            root = env.get(var) or ""
            if not root:
                continue
            for parts, name in _WINDOWS_BROWSERS:
                out.append((ntpath.join(root, *parts), name))
    elif family == "darwin":
        home = env.get("HOME") or ""
        roots = ["/Applications"] + ([posixpath.join(home, "Applications")] if home else [])
        for root in roots:
            for rel, name in _MAC_BROWSERS:
                out.append((posixpath.join(root, rel), name))
    else:
        for cmd in _LINUX_COMMANDS:
            found = which(cmd)
            if found:
                out.append((found, cmd))
        for path in _LINUX_FIXED:
            out.append((path, "Chromium"))
    return out


def _revision(path: str) -> int:
    m = re.search(r"chromium-(\d+)", path.replace("\\", "/"))
    return int(m.group(1)) if m else -1


def _playwright_build(browsers_dir: Path, family: str, exists, glob) -> str | None:
    found: list[str] = []
    for rel in _PLAYWRIGHT_BUILDS[family]:
        pattern = os.path.join(_glob.escape(str(browsers_dir)), "chromium-*", *rel.split("/"))
        found.extend(p for p in glob(pattern) if exists(p))
    if not found:
        return None
    return max(found, key=_revision)  # the newest revision
