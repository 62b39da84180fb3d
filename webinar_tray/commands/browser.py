"""browser [--install]: the app's browser profile for signing in to webinar sites, and
Playwright's own Chromium under the home folder."""

from __future__ import annotations

import logging
import sys

from webinar_tray import logsetup
from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK
from webinar_tray.compose import Context
from webinar_tray.config.paths import Paths
from webinar_tray.env import Env
from webinar_tray.runtime.instance import (
    InstanceLock,
    send,
)

log = logging.getLogger(__name__)


def browser(paths: Paths, install: bool = False, env: Env | None = None) -> int:
    """The command's entry (from cli.py): without an `env`, the real one (Context.load)."""
    ctx = Context.load(paths, env)  # ConfigError -> exit 2
    logsetup.setup(None, stderr=True, level=logging.WARNING)
    if install:
        from webinar_tray.compose import install_browser

        return install_browser(ctx)
    return open_profile(ctx)


def _profile_owners(paths: Paths) -> list[Paths]:
    """The engines that may use the profile: the real one and the demo one share it."""
    return [paths.real(), paths.as_demo()]


def engine_state(paths: Paths) -> str | None:
    """Whether an engine of this home folder uses the browser profile: "attending" (its browser
    holds the profile), "idle" (running, no webinar open) or None. An engine that holds the lock
    but does not say it is idle (a standalone `join`, which has no channel) counts as attending."""
    state = None
    for owner in _profile_owners(paths):
        if not owner.lock_file.parent.is_dir():
            continue
        lock = InstanceLock(owner.lock_file)
        if lock.acquire():
            lock.release()
            continue
        reply = send(owner.channel_file, {"cmd": "status"}, timeout=5.0)
        if reply and reply.get("ok") and not reply.get("attending"):
            state = "idle"
            continue
        return "attending"
    return state


def open_profile(ctx: Context) -> int:
    import tempfile

    from webinar_tray.compose import profile_browser
    from webinar_tray.ports import BrowserNotFound

    paths = ctx.paths
    state = engine_state(paths)
    if state == "attending":
        print("webinar-tray: the browser profile is in use: webinar-tray is attending a webinar "
              "right now; quit webinar-tray first or wait until the webinar ends", file=sys.stderr)
        return EXIT_FAILED
    found: list = []  # the browser chosen (a BrowserChoice)

    def opening(choice) -> None:
        found.append(choice)
        print(f"Opening {choice.description}\n"
              f"with webinar-tray's browser profile ({paths.profile_dir}).\n"
              "Sign in to the webinar sites you use (BrightTALK, ISC2, Zoom...), then close the "
              "browser window: webinar-tray joins webinars with these sign-ins.")
        if state == "idle":
            print("Note: webinar-tray is running; a webinar due while this window is open is "
                  "joined only after you close it.")
        print("Waiting for the browser window to close...", flush=True)

    with tempfile.TemporaryFile() as noise:  # Chromium's chatter; shown only when it fails
        try:
            proc = profile_browser(ctx, output=noise, on_found=opening)
        except BrowserNotFound as e:
            print(f"webinar-tray: {e}", file=sys.stderr)
            return EXIT_FAILED
        except OSError as e:
            what = (f"start {found[0].executable_path}" if found
                    else f"make the browser profile {paths.profile_dir}")
            print(f"webinar-tray: cannot {what}: {e.strerror or e}", file=sys.stderr)
            return EXIT_FAILED
        rc = proc.wait()
        if rc != 0:
            noise.seek(0)
            tail = noise.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            print(f"webinar-tray: the browser exited with status {rc}"
                  + "".join(f"\n  {line}" for line in tail), file=sys.stderr)
            return EXIT_FAILED
    print("Browser closed; the sign-ins are kept in the profile.")
    return EXIT_OK
