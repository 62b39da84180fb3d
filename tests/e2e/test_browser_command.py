"""`webinar-tray browser [--install]` as a user runs it: the plain browser on the app's profile
(a stand-in browser records its argv), no browser, a profile in use, and Playwright's installer
(which cannot download here: it must fail clearly and quickly)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.helpers import env_for, wt
from webinar_tray.runtime.instance import ChannelServer, InstanceLock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell stand-ins")

AUTOMATION = ("--remote-debugging", "--enable-automation", "--headless", "--test-type",
              "--disable-blink-features=AutomationControlled")


def stand_in_browser(tmp_path: Path, rc: int = 0) -> tuple[Path, Path]:
    record = tmp_path / "browser-argv.json"
    exe = tmp_path / "fake-chrome"
    exe.write_text(f"#!{sys.executable}\nimport json, sys\n"
                   f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\nsys.exit({rc})\n")
    exe.chmod(0o755)
    return exe, record


def configure(home: Path, exe) -> None:
    (home / "config.toml").write_text(f'[browser]\nexecutable_path = "{exe}"\n')


@pytest.mark.parametrize("demo", [False, True])
def test_opens_the_profile_in_a_plain_browser(home, tmp_path, demo):
    exe, record = stand_in_browser(tmp_path)
    configure(home, exe)
    r = wt(home, "browser", *(["--demo"] if demo else []), timeout=60)
    assert r.returncode == 0, r.stderr
    argv = json.loads(record.read_text())
    profile = home / "browser-profile"  # one profile for real and demo use
    assert f"--user-data-dir={profile}" in argv
    assert profile.is_dir()
    assert "--no-first-run" in argv and "--no-default-browser-check" in argv
    assert argv[-1] == "https://www.brighttalk.com/"
    assert not [a for a in argv if a.startswith(AUTOMATION)], argv
    assert "Sign in" in r.stdout and "close the browser" in r.stdout
    assert "Browser closed" in r.stdout


def test_no_browser_says_how_to_get_one(home):
    code = ("import sys, webinar_tray.adapters.browser.discover as d\n"
            "d._installed_candidates = lambda *a: []\n"
            "from webinar_tray.cli import main\n"
            "sys.exit(main(['browser']))\n")
    r = subprocess.run([sys.executable, "-c", code], env=env_for(home), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1
    assert "No Chrome" in r.stderr
    assert "webinar-tray browser --install" in r.stderr and "apt-get install chromium" in r.stderr
    assert not (home / "browser-profile").exists()


def test_a_configured_browser_that_is_missing(home, tmp_path):
    configure(home, tmp_path / "nope")
    r = wt(home, "browser")
    assert r.returncode == 1
    assert "executable_path" in r.stderr and "does not exist" in r.stderr


def test_refused_while_attending(home, tmp_path):
    exe, record = stand_in_browser(tmp_path)
    configure(home, exe)
    lock = InstanceLock(home / "engine.lock")  # a standalone `join`: the lock, no channel
    assert lock.acquire()
    try:
        r = wt(home, "browser")
    finally:
        lock.release()
    assert r.returncode == 1
    assert "quit webinar-tray first or wait until the webinar ends" in r.stderr
    assert not record.exists()


@pytest.mark.parametrize("attending", [["cal/ev/20300101T000000Z"], []])
def test_asks_the_running_engine(home, tmp_path, attending):
    exe, record = stand_in_browser(tmp_path)
    configure(home, exe)
    demo_dir = home / "demo"  # the demo engine shares the profile too
    demo_dir.mkdir()
    lock = InstanceLock(demo_dir / "engine.lock")
    assert lock.acquire()
    server = ChannelServer(demo_dir / "engine.port",
                           lambda req: {"ok": True, "attending": attending}
                           if req.get("cmd") == "status" else {"ok": False})
    server.start()
    try:
        r = wt(home, "browser")
    finally:
        server.stop()
        lock.release()
    if attending:
        assert r.returncode == 1 and "wait until the webinar ends" in r.stderr
        assert not record.exists()
    else:
        assert r.returncode == 0, r.stderr
        assert "webinar-tray is running" in r.stdout
        assert record.exists()


def test_install_fails_clearly_without_the_download_host(home):
    env = env_for(home)
    env["PLAYWRIGHT_DOWNLOAD_HOST"] = "http://127.0.0.1:9"  # unreachable anywhere, like here
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "webinar_tray", "browser", "--install"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 120
    assert r.returncode == 1
    assert f"into {home / 'ms-playwright'}" in r.stdout
    assert "Failed to install browsers" in r.stdout  # the driver's own output, streamed
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("webinar-tray: installing Playwright's Chromium failed: ")
    assert "127.0.0.1:9" in last and "install Google Chrome" in last


def stand_in_node(tmp_path: Path, script: str) -> Path:
    node = tmp_path / "node"
    node.write_text(f"#!/bin/sh\n{script}\n")
    node.chmod(0o755)
    return node


def test_install_runs_the_driver_with_the_home_folder(home, tmp_path):
    record = tmp_path / "driver.txt"
    node = stand_in_node(tmp_path, f"""
printf '%s\\n' "$PLAYWRIGHT_BROWSERS_PATH" "$@" > {record}
echo "Downloading Chrome for Testing"
echo "Error: getaddrinfo ENOTFOUND cdn.playwright.dev" >&2
exit 1""")
    env = dict(env_for(home), PLAYWRIGHT_NODEJS_PATH=str(node))
    r = subprocess.run([sys.executable, "-m", "webinar_tray", "browser", "--install"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    browsers_path, cli, *args = record.read_text().splitlines()
    assert browsers_path == str(home / "ms-playwright")
    assert cli.endswith("cli.js") and args == ["install", "chromium"]
    assert "Downloading Chrome for Testing" in r.stdout
    assert "cannot reach cdn.playwright.dev" in r.stderr


def test_install_success_is_found_afterwards(home, tmp_path):
    node = stand_in_node(tmp_path, """
d="$PLAYWRIGHT_BROWSERS_PATH/chromium-1255/chrome-linux64"
mkdir -p "$d" && printf '#!/bin/sh\\n' > "$d/chrome" && chmod +x "$d/chrome"
echo "|■■■■■■■■| 100% of 170 MiB"
echo "Chrome for Testing downloaded to $PLAYWRIGHT_BROWSERS_PATH/chromium-1255" """)
    env = dict(env_for(home), PLAYWRIGHT_NODEJS_PATH=str(node))
    r = subprocess.run([sys.executable, "-m", "webinar_tray", "browser", "--install"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "100% of 170 MiB" in r.stdout
    if sys.platform.startswith("linux"):
        assert f"Installed: Playwright's Chromium: {home / 'ms-playwright'}" in r.stdout
