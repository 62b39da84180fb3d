"""The plain browser on the app's profile: the same Chrome, Edge or Chromium the joiner drives,
started without Playwright and without automation switches, so Google's and other sites' own
sign-in pages accept it. The sign-ins made there serve every join (`webinar-tray browser`, the
tray's "Sign in to webinar sites…")."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import IO, Callable, Sequence

from webinar_tray.adapters.browser.discover import BrowserChoice, find_browser
from webinar_tray.adapters.browser.launch import is_root
from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env
from webinar_tray.config.paths import Paths
from webinar_tray.config.private import private_dir
from webinar_tray.core.settings import Settings
from webinar_tray.env import Env

log = logging.getLogger(__name__)

START_PAGE = "https://www.brighttalk.com/"


def browser_command(executable: str, profile_dir: Path | str, extra_args: Sequence[str] = (),
                    as_root: bool = False) -> list[str]:
    """The plain (not automated) browser on the app's profile: no Playwright, no automation
    switches, so Google's and other sign-in pages accept it."""
    cmd = [executable, f"--user-data-dir={profile_dir}", "--no-first-run", "--no-default-browser-check"]
    if as_root:
        cmd.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox on
    cmd += [a for a in extra_args if a != "--no-sandbox" or not as_root]
    cmd.append(START_PAGE)
    return cmd


def profile_browser_command(settings: Settings, paths: Paths, env: Env) -> tuple[BrowserChoice, list[str]]:
    """(BrowserChoice, argv) of the plain browser on the app's profile. Raises BrowserNotFound."""
    browser = settings.browser
    # A Playwright channel names no program; an installed browser is found the usual way.
    choice = find_browser(replace(browser, channel=""), paths.browsers_dir, env)
    assert choice.executable_path
    private_dir(paths.profile_dir)  # 0700 before the browser sees it
    return choice, browser_command(choice.executable_path, paths.profile_dir, browser.args,
                                   is_root(env.platform))


def profile_browser(
    settings: Settings,
    paths: Paths,
    env: Env,
    *,
    output: IO[bytes] | None = None,
    on_found: Callable[[BrowserChoice], None] | None = None,
) -> subprocess.Popen:
    """Start the plain browser on the app's profile; returns at once with its Popen. Raises
    BrowserNotFound or OSError. `output`: where the browser's chatter goes (default: nowhere);
    `on_found(choice)`: called with the browser found, before it starts."""
    choice, cmd = profile_browser_command(settings, paths, env)
    if on_found is not None:
        on_found(choice)
    log.info("opening %s on the app's browser profile for signing in to webinar sites",
             choice.description)
    out = output if output is not None else subprocess.DEVNULL
    return subprocess.Popen(
        cmd,
        env=system_env(env),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT if output is not None else subprocess.DEVNULL,
        **popen_flags(env),
    )
