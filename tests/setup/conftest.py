"""The setup page served for real (setup/app.serve, standalone backend) from a temp home, with a
loopback ICS feed of upcoming events; start at login writes under a temp XDG_CONFIG_HOME."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from tests.feeds import StaticFeed, calendar, vevent
from webinar_tray.compose import Context
from webinar_tray.config.paths import resolve_paths

CONFIG = """\
# my settings (this comment must survive the setup page)
[join]
headless = true   # keep it hidden
"""


def feed_body(now: datetime) -> bytes:
    soon = now.replace(microsecond=0) + timedelta(hours=2)
    return calendar(
        vevent("w1", soon, title="Cloud security webinar",
               description="Join: https://www.brighttalk.com/webcast/5385/612345"),
        vevent("m1", soon + timedelta(hours=1), title="Team sync",
               description="Join: https://meet.google.com/abc-defg-hij"),
        vevent("v1", soon + timedelta(hours=2), title="Vendor briefing",
               description="Join: https://us02web.zoom.us/j/123456789"),
    )


@pytest.fixture
def browser_page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        yield page
        browser.close()


@contextmanager
def serving_setup(env: dict):
    """`webinar-tray setup --no-browser` running: (the process, the address it printed); Ctrl+C
    after."""
    proc = subprocess.Popen([sys.executable, "-m", "webinar_tray", "setup", "--no-browser"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "?t=" not in line:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
        yield proc, line.strip()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)


@pytest.fixture
def feed():
    f = StaticFeed(feed_body(datetime.now(timezone.utc)))
    yield f
    f.close()


@pytest.fixture
def served(home, tmp_path, monkeypatch):
    """(server, backend, paths) of a setup page served by this process."""
    from webinar_tray.setup.app import serve
    from webinar_tray.setup.backend import standalone

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (home / "config.toml").write_text(CONFIG)
    paths = resolve_paths(str(home))
    backend = standalone(Context.load(paths))
    server = serve(backend)
    yield server, backend, paths
    server.stop()


def request(server, method: str, path: str, *, host: str | None = None, cookie: str | None = None,
            body: str | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Host": host or f"127.0.0.1:{server.port}"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    r.data = r.read()
    conn.close()
    return r


def sign_in(server) -> str:
    """The cookie a fresh one-time address gives."""
    link = urlsplit(server.new_link())
    r = request(server, "GET", f"{link.path}?{link.query}")
    assert r.status == 303 and r.getheader("Location") == "/"
    return r.getheader("Set-Cookie").split(";")[0]
