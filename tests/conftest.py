"""Shared test helpers. Tests that need a system tool call `require_tool`: without the tool they
skip naming it and how to install it, unless WEBINAR_TRAY_REQUIRE_ALL=1 (CI), where they fail."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_ALL = os.environ.get("WEBINAR_TRAY_REQUIRE_ALL") == "1"


def require(ok: bool, what: str, how: str) -> None:
    if ok:
        return
    msg = f"{what} not available; install it with: {how}"
    if REQUIRE_ALL:
        pytest.fail(msg + " (WEBINAR_TRAY_REQUIRE_ALL=1 turns this skip into a failure)")
    pytest.skip(msg)


def chromium_path() -> str:
    """A Chromium-family binary for browser tests, found the way the app finds one."""
    from webinar_tray.adapters.browser.discover import find_browser, BrowserNotFound
    from webinar_tray.core.settings import BrowserSettings
    from webinar_tray.env import Env

    try:
        choice = find_browser(BrowserSettings(), None, Env.real())
    except BrowserNotFound:
        choice = None
    require(
        choice is not None and choice.executable_path is not None,
        "Chromium",
        "apt-get install chromium (or set [browser] executable_path)",
    )
    return choice.executable_path


@pytest.fixture
def chromium() -> str:
    return chromium_path()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh WEBINAR_TRAY_HOME for the test; nothing touches the user's real folders."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("WEBINAR_TRAY_HOME", str(h))
    return h


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


@pytest.fixture
def site():
    """The demo webinar site on 127.0.0.1: the loopback replica of a webinar page that records
    every visit (page load, banner accepted, Enter clicked)."""
    from webinar_tray.demo.site import DemoSite

    s = DemoSite()
    s.start()
    yield s
    s.stop()


@pytest.fixture
def xvfb_display():
    """A private X display (Xvfb) for headed-browser tests; yields its DISPLAY value."""
    import subprocess
    import time

    require(have("Xvfb"), "Xvfb", "apt-get install xvfb")
    for n in range(97, 120):
        if os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
            continue
        proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                break
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        if proc.poll() is None:
            try:
                yield f":{n}"
            finally:
                proc.terminate()
                proc.wait(10)
            return
    pytest.fail("could not start Xvfb on any display :97-:119")
