"""Playwright's own Chromium installed into <home>/ms-playwright by Playwright's driver (bundled
in a frozen build too), its progress streamed to the terminal (`webinar-tray browser --install`)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from webinar_tray.config.paths import Paths
from webinar_tray.config.private import private_dir
from webinar_tray.env import Env

EXIT_OK, EXIT_FAILED = 0, 1  # commands/exits.py
INSTALL_TIMEOUT_SECONDS = 3600.0


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


INSTALL_HOW = ("check the internet connection (a proxy goes in HTTPS_PROXY) and try again, or "
               "install Google Chrome, Microsoft Edge or Chromium instead: webinar-tray finds them "
               "by itself")


def install_chromium(paths: Paths, env: Env, timeout: float = INSTALL_TIMEOUT_SECONDS) -> int:
    """Installs; says what happened on stdout/stderr. Returns the command's exit status."""
    target = paths.browsers_dir
    proc = _start_installer(target, env)
    if proc is None:
        return EXIT_FAILED
    seen: list[bytes] = []  # the tail of its output, for the verdict
    reader = threading.Thread(target=_pump, args=(proc, seen), name="install-output", daemon=True)
    reader.start()
    rc, timed_out = _wait_installer(proc, reader, timeout)
    if timed_out:
        print(f"webinar-tray: installing Chromium did not finish within {timeout:.0f} s; "
              f"{INSTALL_HOW}", file=sys.stderr)
        return EXIT_FAILED
    if rc != 0:
        why = _install_failure(b"".join(seen).decode("utf-8", "replace"))
        print(f"webinar-tray: installing Playwright's Chromium failed: {why}; {INSTALL_HOW}",
              file=sys.stderr)
        return EXIT_FAILED
    _say_installed(target, env)
    return EXIT_OK


def _start_installer(target: Path, env: Env) -> subprocess.Popen | None:
    """Playwright's driver running `install chromium` into `target`, its output on a pipe; None
    (said why) when it cannot start."""
    from webinar_tray.adapters.desktop.sysenv import popen_flags

    try:
        from playwright._impl._driver import compute_driver_executable, get_driver_env

        node, cli = compute_driver_executable()
    except Exception as e:
        print(f"webinar-tray: Playwright's driver is missing: {e}", file=sys.stderr)
        return None
    private_dir(target)
    driver_env = get_driver_env()
    driver_env["PLAYWRIGHT_BROWSERS_PATH"] = str(target)
    print(f"Installing Playwright's Chromium into {target} ...", flush=True)
    try:
        return subprocess.Popen([node, cli, "install", "chromium"], env=driver_env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, **popen_flags(env))
    except OSError as e:
        print(f"webinar-tray: cannot start Playwright's driver ({node}): {e.strerror or e}",
              file=sys.stderr)
        return None


def _pump(proc: subprocess.Popen, seen: list[bytes]) -> None:
    """The installer's progress to the terminal as it comes; its last chunks kept in `seen`."""
    out = getattr(sys.stdout, "buffer", None)  # a binary stdout, where the terminal has one
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


def _wait_installer(proc: subprocess.Popen, reader: threading.Thread,
                    timeout: float) -> tuple[int, bool]:
    """(exit status, timed out): the installer killed past `timeout` or on Ctrl+C."""
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
    return rc, timed_out


def _say_installed(target: Path, env: Env) -> None:
    """Which browser the installer left, found the way the app finds one (only under `target`)."""
    from webinar_tray.adapters.browser.discover import BrowserNotFound, find_browser
    from webinar_tray.core.settings import BrowserSettings

    try:
        found = find_browser(BrowserSettings(), target, Env(platform=env.platform),
                             exists=lambda p: p.startswith(str(target)) and os.path.isfile(p))
        print(f"Installed: {found.description}")
    except BrowserNotFound:
        print(f"Installed into {target}.")
