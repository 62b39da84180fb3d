"""browser [--install]: the app's browser profile for signing in to webinar sites, and
Playwright's own Chromium under the home folder."""

from __future__ import annotations

import logging
import sys
import threading

from webinar_tray import logsetup
from webinar_tray.config.private import private_dir
from webinar_tray.compose import Context
from webinar_tray.commands.exits import EXIT_FAILED, EXIT_OK
from webinar_tray.config.paths import Paths
from webinar_tray.runtime.instance import (
    InstanceLock,
    send,
)

log = logging.getLogger(__name__)


START_PAGE = "https://www.brighttalk.com/"
INSTALL_TIMEOUT_SECONDS = 3600.0


def browser(paths: Paths, install: bool = False) -> int:
    ctx = Context.load(paths)  # ConfigError -> exit 2
    logsetup.setup(None, stderr=True, level=logging.WARNING)
    if install:
        return install_chromium(paths)
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


def browser_command(executable: str, profile_dir, extra_args=(), as_root: bool = False) -> list[str]:
    """The plain (not automated) browser on the app's profile: no Playwright, no automation
    switches, so Google's and other sign-in pages accept it."""
    cmd = [executable, f"--user-data-dir={profile_dir}", "--no-first-run", "--no-default-browser-check"]
    if as_root:
        cmd.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox on
    cmd += [a for a in extra_args if a != "--no-sandbox" or not as_root]
    cmd.append(START_PAGE)
    return cmd


def profile_browser_command(ctx: Context):
    """(BrowserChoice, argv) of the plain browser on the app's profile. Raises BrowserNotFound."""
    from dataclasses import replace

    from webinar_tray.adapters.browser.discover import find_browser
    from webinar_tray.adapters.browser.launch import _is_root

    paths, settings = ctx.paths, ctx.settings.browser
    # A Playwright channel names no program; an installed browser is found the usual way.
    choice = find_browser(replace(settings, channel=""), paths.browsers_dir)
    assert choice.executable_path
    private_dir(paths.profile_dir)  # 0700 before the browser sees it
    return choice, browser_command(choice.executable_path, paths.profile_dir, settings.args,
                                   _is_root(sys.platform))


def profile_browser(ctx: Context):
    """Start the plain browser on the app's profile (the tray's "Sign in to webinar sites…").
    Returns the Popen; raises BrowserNotFound or OSError."""
    import subprocess

    from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env

    choice, cmd = profile_browser_command(ctx)
    log.info("opening %s on the app's browser profile for signing in to webinar sites",
             choice.description)
    return subprocess.Popen(cmd, env=system_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **popen_flags())


def open_profile(ctx: Context) -> int:
    import subprocess

    from webinar_tray.adapters.browser.discover import BrowserNotFound
    from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env

    paths = ctx.paths
    state = engine_state(paths)
    if state == "attending":
        print("webinar-tray: the browser profile is in use: webinar-tray is attending a webinar "
              "right now; quit webinar-tray first or wait until the webinar ends", file=sys.stderr)
        return EXIT_FAILED
    try:
        choice, cmd = profile_browser_command(ctx)
    except BrowserNotFound as e:
        print(f"webinar-tray: {e}", file=sys.stderr)
        return EXIT_FAILED
    profile = paths.profile_dir
    print(f"Opening {choice.description}\n"
          f"with webinar-tray's browser profile ({profile}).\n"
          "Sign in to the webinar sites you use (BrightTALK, ISC2, Zoom...), then close the browser "
          "window: webinar-tray joins webinars with these sign-ins.")
    if state == "idle":
        print("Note: webinar-tray is running; a webinar due while this window is open is joined "
              "only after you close it.")
    print("Waiting for the browser window to close...", flush=True)
    import tempfile

    with tempfile.TemporaryFile() as noise:  # Chromium's chatter; shown only when it fails
        try:
            proc = subprocess.Popen(cmd, env=system_env(), stdin=subprocess.DEVNULL, stdout=noise,
                                    stderr=subprocess.STDOUT, **popen_flags())
        except OSError as e:
            print(f"webinar-tray: cannot start {choice.executable_path}: {e.strerror or e}",
                  file=sys.stderr)
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


def _install_failure(output: str) -> str:
    """One clear line from the driver's output."""
    import re

    m = re.search(r"(ENOTFOUND|EAI_AGAIN)\s+(\S+)", output)
    if m:
        return f"cannot reach {m.group(2)} (no internet connection, or DNS is blocked)"
    m = re.search(r"ECONNREFUSED.*?address: '([^']+)',\s*port: (\d+)", output, re.S)
    if m:
        return f"the connection to {m.group(1)}:{m.group(2)} was refused"
    for code, what in (("ECONNREFUSED", "the connection was refused"),
                       ("ETIMEDOUT", "the connection timed out"),
                       ("ECONNRESET", "the connection was reset"),
                       ("certificate", "a TLS certificate was refused (a proxy that inspects HTTPS?)")):
        if code in output:
            return what
    errors = [line.strip() for line in output.splitlines() if line.strip().startswith("Error:")]
    return errors[0][len("Error:"):].strip() if errors else "see the output above"


def install_chromium(paths: Paths, timeout: float = INSTALL_TIMEOUT_SECONDS) -> int:
    """Playwright's own Chromium into <home>/ms-playwright, by Playwright's driver (bundled in a
    frozen build too), its progress streamed to the terminal."""
    import os
    import subprocess

    from webinar_tray.adapters.desktop.sysenv import popen_flags

    try:
        from playwright._impl._driver import compute_driver_executable, get_driver_env

        node, cli = compute_driver_executable()
    except Exception as e:
        print(f"webinar-tray: Playwright's driver is missing: {e}", file=sys.stderr)
        return EXIT_FAILED
    target = paths.browsers_dir
    private_dir(target)
    env = get_driver_env()
    env["PLAYWRIGHT_BROWSERS_PATH"] = str(target)
    print(f"Installing Playwright's Chromium into {target} ...", flush=True)
    try:
        proc = subprocess.Popen([node, cli, "install", "chromium"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen_flags())
    except OSError as e:
        print(f"webinar-tray: cannot start Playwright's driver ({node}): {e.strerror or e}", file=sys.stderr)
        return EXIT_FAILED
    seen: list[bytes] = []

    def pump() -> None:  # progress to the terminal as it comes; the tail kept for the verdict
        out = getattr(sys.stdout, "buffer", None)
        while True:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen.append(chunk)
            del seen[:-64]
            try:
                if out is not None:
                    out.write(chunk)
                    out.flush()
                else:
                    sys.stdout.write(chunk.decode("utf-8", "replace"))
                    sys.stdout.flush()
            except (OSError, ValueError):
                pass

    reader = threading.Thread(target=pump, name="install-output", daemon=True)
    reader.start()
    timed_out = False
    try:
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            rc = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        reader.join(5)
        if proc.stdout is not None:
            proc.stdout.close()
    how = ("check the internet connection (a proxy goes in HTTPS_PROXY) and try again, or install "
           "Google Chrome, Microsoft Edge or Chromium instead: webinar-tray finds them by itself")
    if timed_out:
        print(f"webinar-tray: installing Chromium did not finish within {timeout:.0f} s; {how}",
              file=sys.stderr)
        return EXIT_FAILED
    if rc != 0:
        why = _install_failure(b"".join(seen).decode("utf-8", "replace"))
        print(f"webinar-tray: installing Playwright's Chromium failed: {why}; {how}", file=sys.stderr)
        return EXIT_FAILED
    from webinar_tray.adapters.browser.discover import BrowserNotFound, find_browser
    from webinar_tray.core.settings import BrowserSettings

    try:
        found = find_browser(BrowserSettings(), target, which=lambda _: None, env={},
                             exists=lambda p: p.startswith(str(target)) and os.path.isfile(p))
        print(f"Installed: {found.description}")
    except BrowserNotFound:
        print(f"Installed into {target}.")
    return EXIT_OK

