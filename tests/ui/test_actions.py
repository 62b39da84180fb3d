"""What each menu command does in the tray (ui/actions.py), over a FakeHost: host commands go to
`host.send` and their results are used (a message told, a page opened); desktop commands run
real programs (a BROWSER script, a fake xdg-open first on PATH, xclip under Xvfb). Commands run
as the tray worker runs them: Actions.run(command)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import threading
import webbrowser

import pytest

from tests.conftest import have, require
from tests.e2e.helpers import wait_for
from tests.ui.conftest import WEBINAR_URL, by_title, new_app, recorded
from webinar_tray.adapters.desktop import open as desktop
from webinar_tray.config.template import TEMPLATE
from webinar_tray.core import commands as c
from webinar_tray.core.settings import ConfigError
from webinar_tray.host import HostError
from webinar_tray.ui.actions import Actions


@pytest.fixture
def app(fake_host, notifier):
    """The TrayApp around the FakeHost, not run: its Actions and its state() are used as the
    worker uses them (no icon, no worker thread)."""
    return new_app(fake_host, notifier)


def menu_item(app, text):
    hits = [i for i in app.state().walk() if i.text.startswith(text)]
    assert len(hits) == 1, (text, [i.text for i in app.state().walk()])
    return hits[0]


def infos(notifier):
    return [m for k, t, m in notifier.sent if k == "info"]


# --- host commands ---------------------------------------------------------------------------------

def test_a_toggle_sends_its_setting_and_the_menu_shows_the_view(app, fake_host, notifier):
    headless = menu_item(app, "Headless")
    assert headless.checked is False and headless.command == c.SetSetting("join.headless", True)
    app.actions.run(headless.command)
    assert fake_host.commands() == [c.SetSetting("join.headless", True)]
    assert infos(notifier) == []
    fake_host.set_view(headless=True)  # what the host then shows: the mode in force
    assert menu_item(app, "Headless").command == c.SetSetting("join.headless", False)


def test_a_refused_setting_is_told_as_the_host_words_it(app, fake_host, notifier):
    fake_host.answers[c.SetSetting] = ConfigError("/home/config.toml: [join] headless must be true or false")
    app.actions.run(c.SetSetting("join.headless", "yes"))
    assert infos(notifier) == ["/home/config.toml: [join] headless must be true or false"]


def test_join_now_tells_what_the_engine_said_unless_it_is_joining(app, fake_host, notifier):
    p = by_title(fake_host.view(), "Cloud security webinar")
    fake_host.answers[c.JoinNow] = lambda cmd: f"joining {p.title}"
    app.actions.run(c.JoinNow(p.id))
    assert infos(notifier) == []
    fake_host.answers[c.JoinNow] = lambda cmd: f"{p.title}: already joining"
    app.actions.run(c.JoinNow(p.id))
    assert infos(notifier) == ["Cloud security webinar: already joining"]
    assert fake_host.commands() == [c.JoinNow(p.id)] * 2


def test_show_page_opens_the_screenshot_the_host_gives(app, fake_host, fake_xdg_open, tmp_path):
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG")
    fake_host.answers[c.ShowPage] = shot
    app.actions.run(c.ShowPage("x"))
    assert recorded(fake_xdg_open) == [str(shot)]
    fake_host.answers[c.ShowPage] = None  # the page came to the front: nothing to open
    app.actions.run(c.ShowPage("x"))
    assert len(fake_xdg_open.read_text().splitlines()) == 1


def test_open_history_opens_the_page_the_host_wrote(app, fake_host, fake_xdg_open, tmp_path):
    page = tmp_path / "history.html"
    page.write_text("<html>")
    fake_host.answers[c.OpenHistory] = page
    app.actions.run(c.OpenHistory())
    assert recorded(fake_xdg_open) == [str(page)]


def test_sign_in_runs_off_the_worker_one_at_a_time_and_tells_the_result(app, fake_host, notifier):
    entered, release = threading.Event(), threading.Event()

    def sign_in(cmd):
        entered.set()
        assert release.wait(30)
        return "Signed in to Google Calendar; refreshing"

    fake_host.answers[c.SignIn] = sign_in
    app.actions.run(c.SignIn())  # returns at once: the flow takes minutes in the browser
    assert entered.wait(30)
    app.actions.run(c.SignIn())  # a second click while the first is open
    assert infos(notifier) == ["Google sign-in is already open"]
    release.set()
    wait_for(lambda: len(infos(notifier)) == 2, 30, every=0.02, what="the sign-in's result")
    assert infos(notifier)[-1] == "Signed in to Google Calendar; refreshing"
    [(_, thread)] = fake_host.sent
    assert thread == "tray-Google sign-in"


def test_a_host_error_becomes_an_info_notification(app, fake_host, notifier):
    fake_host.answers[c.Refresh] = HostError("webinar-tray is stopping")
    app.actions.run(c.Refresh())
    assert infos(notifier) == ["webinar-tray is stopping"]


# --- desktop commands ------------------------------------------------------------------------------

@pytest.fixture
def browser_script(tmp_path, monkeypatch):
    """BROWSER: a script that writes its argument to a file and returns at once (webbrowser waits
    for it). webbrowser reads BROWSER once, at its first use: its registry is reset for the test."""
    record = tmp_path / "browser.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{record}'\n")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    return record


def test_open_url_opens_only_http_links_in_the_default_browser(app, fake_host, notifier, browser_script):
    vendor = by_title(fake_host.view(), "Vendor webinar")
    assert vendor.join_url is None  # its only "link" was javascript:
    app.actions.run(c.OpenUrl(vendor.id))
    assert infos(notifier) == ["this session has no http(s) link to open"]
    with pytest.raises(desktop.DesktopError, match="only http"):
        desktop.open_url("javascript:alert(1)")
    app.actions.run(c.OpenUrl("cal/gone/20261125T090000Z"))
    assert infos(notifier)[-1] == "that session is no longer in the calendar"
    assert not browser_script.exists()

    cloud = by_title(fake_host.view(), "Cloud security webinar")
    app.actions.run(c.OpenUrl(cloud.id))
    assert browser_script.read_text().splitlines() == [WEBINAR_URL]
    assert len(infos(notifier)) == 2
    assert fake_host.sent == [], "opening a link is the desktop's business"


def test_copy_link_puts_the_link_on_the_clipboard(app, fake_host, notifier, xvfb_display, monkeypatch):
    require(have("xclip"), "xclip", "apt-get install xclip")
    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    cloud = by_title(fake_host.view(), "Cloud security webinar")

    app.actions.run(c.CopyLink(cloud.id))

    def clipboard():
        r = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                           timeout=10, env=dict(os.environ, DISPLAY=xvfb_display))
        return r.returncode == 0 and r.stdout

    assert wait_for(clipboard, 30, every=0.1, what="the clipboard") == WEBINAR_URL
    assert infos(notifier) == []


def test_open_settings_creates_the_commented_template_and_opens_it(app, fake_host, fake_xdg_open):
    config = fake_host.paths.config_file
    assert not config.exists()
    app.actions.run(c.OpenSettings())
    assert config.read_text() == TEMPLATE
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert recorded(fake_xdg_open) == [str(config)]

    config.write_text("[join]\nheadless = true\n")  # an existing file is opened as it is
    app.actions.run(c.OpenSettings())
    assert recorded(fake_xdg_open, 2) == [str(config)] * 2
    assert config.read_text() == "[join]\nheadless = true\n"


def test_open_logs_opens_the_log_folder(app, fake_host, fake_xdg_open):
    app.actions.run(c.OpenLogs())
    assert fake_host.paths.log_dir.is_dir()
    assert recorded(fake_xdg_open) == [str(fake_host.paths.log_dir)]


def test_the_browser_profile_is_refused_while_a_webinar_is_attended(app, fake_host, notifier):
    opened = []
    app.actions._open_profile = lambda: opened.append(1)
    fake_host.set_view(active=("cal/x/1",))
    app.actions.run(c.BrowserProfile())
    wait_for(lambda: infos(notifier), 30, every=0.02, what="the refusal")
    assert "a webinar is being attended in the app's browser" in infos(notifier)[0]
    assert opened == []


# --- the rest --------------------------------------------------------------------------------------

def test_quit_calls_the_quit_callable_and_then_asks_for_a_redraw(fake_host, notifier):
    calls = []
    actions = Actions(fake_host, notifier=notifier, desktop=desktop,
                      quit=lambda: calls.append("quit"), changed=lambda: calls.append("changed"))
    actions.run(c.Quit())
    assert calls == ["quit", "changed"]


def test_an_unknown_command_is_logged_not_raised(app, notifier, caplog):
    class Frobnicate(c.DesktopCommand):
        pass

    caplog.set_level(logging.WARNING, logger="webinar_tray.ui.actions")
    app.actions.run(Frobnicate())
    assert "unknown menu command" in caplog.text and "Frobnicate" in caplog.text
    assert notifier.sent == []


def test_a_desktop_error_becomes_an_info_notification(app, notifier, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no xdg-open
    app.actions.run(c.OpenLogs())
    [(kind, title, message)] = notifier.sent
    assert kind == "info" and title == "webinar-tray"
    assert message.startswith("xdg-open not found") and "apt-get install xdg-utils" in message

    app.actions.run(c.SetAutostart(True))  # no autostart here: refused the same way
    assert infos(notifier)[-1] == "start at login is not available on this system"


def test_set_up_opens_the_address_the_host_serves_in_the_default_browser(app, fake_host, browser_script):
    address = "http://127.0.0.1:40000/?t=one-time#calendars"
    fake_host.answers[c.OpenSetup] = lambda cmd: address if cmd.section == "calendars" else None
    app.actions.run(c.OpenSetup("calendars"))
    assert fake_host.commands() == [c.OpenSetup("calendars")]
    assert browser_script.read_text().splitlines() == [address]
