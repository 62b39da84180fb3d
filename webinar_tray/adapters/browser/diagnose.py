"""doctor's browser check: the browser the joiner would use, started as a join starts it."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from webinar_tray.core.diagnosis import FIX_BROWSER, SKIPPED_CONFIG, Result, State
from webinar_tray.env import Env

DOCTOR_LAUNCH_SECONDS = 30.0


def browser(s: State) -> Result:
    """The browser the joiner would use, started headless by the joiner's own `launch()` on a
    throwaway profile (the app's own may be in use by a running engine)."""
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    from webinar_tray.adapters.browser.discover import BrowserNotFound, find_browser
    from webinar_tray.adapters.browser.launch import LaunchError, first_line

    try:
        choice = find_browser(s.settings.browser, s.paths.browsers_dir, s.env)
    except BrowserNotFound as e:
        return False, str(e), FIX_BROWSER
    try:
        version = asyncio.run(_launch_version(choice, s.settings.browser.args, s.env))
    except Exception as e:
        cause = e.__cause__ if isinstance(e, LaunchError) and e.__cause__ is not None else e
        return False, f"{choice.description} does not start: {first_line(cause)}", FIX_BROWSER
    return True, f"{choice.description} (version {version}) starts headless", None


async def _launch_version(choice, extra_args, env: Env) -> str:
    """The version of `choice` started headless through launch(), as a join starts it."""
    from playwright.async_api import async_playwright

    from webinar_tray.adapters.browser.launch import browser_version, launch

    with tempfile.TemporaryDirectory(prefix="webinar-tray-doctor-", ignore_cleanup_errors=True) as tmp:
        async with async_playwright() as pw:
            context = await launch(pw, choice, Path(tmp) / "profile", True, extra_args, env=env,
                                   timeout_seconds=DOCTOR_LAUNCH_SECONDS)
            try:
                return await browser_version(context)
            finally:
                await context.close()
