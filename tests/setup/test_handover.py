"""`webinar-tray setup` with the app running: the running engine host serves the page and answers
with a fresh address (over the authenticated channel); what the page saves is applied by the
host at once. Without a running app, `setup` serves the page itself until Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
from urllib.parse import urlencode, urlsplit

from tests.host.conftest import a_display, configured, host, notifier  # noqa: F401 - fixtures
from tests.setup.conftest import request, serving_setup
from webinar_tray.core import commands as c


class _At:
    """request() needs only the port."""

    def __init__(self, url: str):
        self.port = urlsplit(url).port


def _signed_in(url: str) -> tuple[_At, str, str]:
    at, parts = _At(url), urlsplit(url)
    r = request(at, "GET", f"/?{parts.query}")
    assert r.status == 303
    cookie = r.getheader("Set-Cookie").split(";")[0]
    page = request(at, "GET", "/", cookie=cookie).data.decode()
    return at, cookie, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_setup_hands_over_to_the_running_host_which_applies_changes_at_once(host, capsys):
    from webinar_tray.commands.setup import setup

    assert setup(host.paths, open_browser=False) == 0
    out = capsys.readouterr().out
    url = re.search(r"http://127\.0\.0\.1:\d+/\?t=\S+", out).group(0)
    assert "served by the running webinar-tray" in out
    assert host.setup_page is not None and urlsplit(url).port == host.setup_page.port
    at, cookie, csrf = _signed_in(url)
    r = request(at, "POST", "/you", cookie=cookie,
                body=urlencode({"name": "Ada", "email": "ada@example.org", "csrf": csrf}))
    assert r.status == 303
    assert host.view().settings.join.name == "Ada"  # applied by the host, not waiting for the watcher
    assert "# my webinar-tray settings" in host.paths.config_file.read_text()


def test_the_tray_command_gets_a_new_address_for_the_section(host):
    first = host.send(c.OpenSetup("calendars"))
    second = host.send(c.OpenSetup())
    assert first.endswith("#calendars") and first.split("#")[0] != second
    assert urlsplit(first).port == urlsplit(second).port  # one server while the host runs
    port = urlsplit(first).port
    host.stop()
    import socket

    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # stopped with the host


def test_setup_without_a_running_app_serves_until_interrupted(home, tmp_path):
    env = {**os.environ, "WEBINAR_TRAY_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    with serving_setup(env) as (proc, url):
        at, cookie, csrf = _signed_in(url)
        r = request(at, "POST", "/options", cookie=cookie, body=urlencode({"headless": "on", "csrf": csrf}))
        assert r.status == 303
        assert "headless = true" in (home / "config.toml").read_text()
        logged = "".join(p.read_text() for p in (home / "logs").glob("*.log*"))
        assert f"127.0.0.1:{at.port}" in logged and url.split("t=")[1] not in logged
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Setup page closed." in out
