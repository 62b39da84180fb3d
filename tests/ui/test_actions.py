"""What each menu command does (tray/actions.py), over a real EngineHost: a temp home with a real
config.toml and ICS calendar, real sqlite, the real tomlkit writer, real programs (a BROWSER
script, a fake xdg-open first on PATH, xclip under Xvfb). Commands run as the tray worker runs
them: Actions.run(command)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import webbrowser
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import have, require
from tests.e2e.helpers import wait_for
from tests.ui.conftest import (
    CONFIG, WEBINAR_URL, by_title, calendar_events, new_host, recorded, write_calendar,
)
from webinar_tray.adapters.desktop import open as desktop
from webinar_tray.config.template import TEMPLATE
from webinar_tray.core.events import override_key
from webinar_tray.runtime.store import Attendance, Store
from webinar_tray.ui.actions import Actions
from webinar_tray.ui.app import TrayApp


@pytest.fixture
def app(host, notifier):
    """The TrayApp around the running host, not run: its Actions and its state() are used as the
    worker uses them (no icon, no worker thread)."""
    return TrayApp(host, notifier)


def menu_item(app, text):
    hits = [i for i in app.state().walk() if i.text.startswith(text)]
    assert len(hits) == 1, (text, [i.text for i in app.state().walk()])
    return hits[0]


def auto_join_item(app, title):
    """The Auto-join checkbox in the submenu of the session `title`."""
    [row] = [i for i in app.state().walk() if i.submenu and i.text[6:].startswith(title)]
    [item] = [i for i in row.submenu if i.text.startswith("Auto-join")]
    return item


def infos(notifier):
    return [m for k, t, m in notifier.sent if k == "info"]


# --- settings ------------------------------------------------------------------------------------

def test_set_writes_config_toml_keeping_comments_and_the_engine_takes_it_at_once(app, host, notifier):
    config = host.paths.config_file
    headless = menu_item(app, "Headless")
    assert headless.checked is False and headless.command == ("set", "join.headless", True)

    app.actions.run(headless.command)

    text = config.read_text()
    assert "# my webinar-tray settings (this comment must survive the tray's toggles)" in text
    assert 'urls = ["cal.ics"]   # the team calendar' in text
    assert "headless = true     # I want to see the page" in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    # applied at once (host.apply), not at the config watcher's next look
    assert host.engine.settings.join.headless is True
    assert host.engine.joiner.settings.join.headless is True
    assert host.ctx.settings.join.headless is True
    after = menu_item(app, "Headless")
    assert after.checked is True and after.command == ("set", "join.headless", False)
    assert infos(notifier) == []

    app.actions.run(menu_item(app, "Notifications").command)
    assert "[notifications]\nenabled = false" in config.read_text()
    assert host.engine.settings.notifications.enabled is False
    assert host.engine.notifier.enabled is False
    assert menu_item(app, "Notifications").checked is False


@pytest.mark.parametrize("command, says", [
    (("set", "join.headless", "yes"), "true or false"),
    (("set", "join.no_such_key", True), "unknown key 'join.no_such_key'"),
])
def test_a_bad_set_is_refused_with_a_notification_and_the_file_is_untouched(app, host, notifier, command, says):
    config = host.paths.config_file
    before = config.read_bytes()
    app.actions.run(command)
    assert config.read_bytes() == before
    [message] = infos(notifier)
    assert says in message and str(config) in message, message
    assert host.engine.settings.join.headless is False
    assert menu_item(app, "Headless").checked is False


def test_set_on_a_broken_config_file_leaves_it_as_it_was(app, host, notifier):
    config = host.paths.config_file
    config.write_text(CONFIG + "[join\n")
    before = config.read_bytes()
    app.actions.run(("set", "join.headless", True))
    assert config.read_bytes() == before
    [message] = infos(notifier)
    assert "is not valid TOML" in message
    assert host.engine.settings.join.headless is False


# --- sessions ------------------------------------------------------------------------------------

def test_auto_join_off_turns_the_plan_off_and_is_kept_in_the_store(app, host):
    p = by_title(host.engine, "Cloud security webinar")
    assert p.auto_join and p.reason is None
    assert auto_join_item(app, "Vendor webinar").command is None  # no link: cannot be turned on
    item = auto_join_item(app, "Cloud security webinar")
    assert item.command == ("auto_join", p.calendar_id, p.event_id, False) and item.checked is True

    app.actions.run(item.command)

    q = by_title(host.engine, "Cloud security webinar")
    assert q.id == p.id and not q.auto_join and q.reason == "turned-off" and q.join_at is None
    item = auto_join_item(app, "Cloud security webinar")
    assert item.text == "Auto-join (off: turned off)" and item.checked is False
    assert item.command == ("auto_join", p.calendar_id, p.event_id, True)
    other = Store(host.paths.database)  # another connection: it is on disk
    try:
        assert other.overrides() == {override_key(p.calendar_id, p.event_id): False}
    finally:
        other.close()

    app.actions.run(item.command)
    assert by_title(host.engine, "Cloud security webinar").auto_join


def test_refresh_reads_the_calendar_again(app, host, configured):
    before = host.engine.last_refresh
    events = calendar_events(datetime.now(timezone.utc))
    start = events[0]["start"] + timedelta(hours=5)
    events.append({"uid": "new-1", "start": start, "end": start + timedelta(hours=1),
                   "title": "Added later webinar",
                   "description": "https://www.brighttalk.com/webcast/5385/700009"})
    write_calendar(configured, events)
    assert "Added later webinar" not in [p.title for p in host.engine.current_plan]

    app.actions.run(("refresh",))

    wait_for(lambda: host.engine.last_refresh is not before, 30, every=0.05, what="a refresh")
    assert by_title(host.engine, "Added later webinar").auto_join
    wait_for(lambda: any(i.text.endswith("Added later webinar (BrightTALK)") for i in app.state().walk()),
             30, every=0.05, what="the new session in the menu")


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


def test_open_url_opens_only_http_links_in_the_default_browser(app, host, notifier, browser_script):
    vendor = by_title(host.engine, "Vendor webinar")
    assert vendor.join_url is None  # its only "link" was javascript:
    app.actions.run(("open_url", vendor.id))
    assert infos(notifier) == ["this session has no http(s) link to open"]

    # a record in the store (not in the plan) with a javascript: link
    now = datetime.now(timezone.utc)
    host.store.claim(Attendance(id="adhoc/x", title="Odd", provider=None, join_url="javascript:alert(1)",
                                start=now - timedelta(hours=2), end=now - timedelta(hours=1),
                                state="missed"), now)
    app.actions.run(("open_url", "adhoc/x"))
    assert infos(notifier)[-1] == "this session has no http(s) link to open"
    with pytest.raises(desktop.DesktopError, match="only http"):
        desktop.open_url("javascript:alert(1)")
    app.actions.run(("open_url", "cal/gone/20261125T090000Z"))
    assert infos(notifier)[-1] == "that session is no longer in the calendar"
    assert not browser_script.exists()

    cloud = by_title(host.engine, "Cloud security webinar")
    app.actions.run(("open_url", cloud.id))
    assert browser_script.read_text().splitlines() == [WEBINAR_URL]
    assert len(infos(notifier)) == 3


def test_copy_link_puts_the_link_on_the_clipboard(app, host, notifier, xvfb_display, monkeypatch):
    require(have("xclip"), "xclip", "apt-get install xclip")
    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    cloud = by_title(host.engine, "Cloud security webinar")

    app.actions.run(("copy_link", cloud.id))

    def clipboard():
        r = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                           timeout=10, env=dict(os.environ, DISPLAY=xvfb_display))
        return r.returncode == 0 and r.stdout

    assert wait_for(clipboard, 30, every=0.1, what="the clipboard") == WEBINAR_URL
    assert infos(notifier) == []


# --- files and folders ---------------------------------------------------------------------------

def test_open_settings_creates_the_commented_template_and_opens_it(home, notifier, fake_xdg_open):
    host = new_host(notifier)  # no config.toml yet; nothing needs the engine running
    actions = TrayApp(host, notifier).actions
    config = host.paths.config_file
    assert not config.exists()

    actions.run(("open_settings",))

    assert config.read_text() == TEMPLATE
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert recorded(fake_xdg_open) == [str(config)]

    config.write_text(CONFIG)  # an existing file is opened as it is
    actions.run(("open_settings",))
    assert recorded(fake_xdg_open, 2) == [str(config)] * 2
    assert config.read_text() == CONFIG


def test_open_history_writes_the_page_and_dismisses_the_failures_shown(app, host, fake_xdg_open):
    now = datetime.now(timezone.utc)
    host.store.claim(Attendance(id="cal/failed/1", title="Failed <b>webinar</b>", provider="BrightTALK",
                                join_url=WEBINAR_URL, start=now - timedelta(hours=1),
                                end=now - timedelta(minutes=5), state="failed",
                                error="step 'enter' timed out"), now)
    state = app.state()
    assert state.icon == "attention"
    failed = menu_item(app, "Failed: Failed <b>webinar</b>")
    assert failed.command == ("open_history",)

    app.actions.run(failed.command)

    page = host.paths.data_dir / "history.html"
    text = page.read_text()
    assert "Failed &lt;b&gt;webinar&lt;/b&gt;" in text and "step &#x27;enter&#x27; timed out" in text
    assert "s3cr3t" not in text
    assert (host.paths.data_dir / "history.csv").exists()
    assert recorded(fake_xdg_open) == [str(page)]
    assert app.actions.dismissed == {"cal/failed/1"}
    assert not any(i.text.startswith("Failed:") for i in app.state().walk())
    assert app.state().icon != "attention"


def test_open_logs_opens_the_log_folder(app, host, fake_xdg_open):
    app.actions.run(("open_logs",))
    assert host.paths.log_dir.is_dir()
    assert recorded(fake_xdg_open) == [str(host.paths.log_dir)]


# --- the rest --------------------------------------------------------------------------------------

def test_quit_calls_the_quit_callable_and_then_asks_for_a_redraw(host):
    calls = []
    actions = Actions(host, quit=lambda: calls.append("quit"), changed=lambda: calls.append("changed"))
    actions.run(("quit",))
    assert calls == ["quit", "changed"]


def test_an_unknown_command_is_logged_not_raised(app, notifier, caplog):
    caplog.set_level(logging.WARNING, logger="webinar_tray.ui.actions")
    app.actions.run(("frobnicate", 1, 2))
    assert "unknown menu command 'frobnicate'" in caplog.text
    assert notifier.sent == []


def test_a_desktop_error_becomes_an_info_notification(app, host, notifier, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no xdg-open
    app.actions.run(("open_logs",))
    [(kind, title, message)] = notifier.sent
    assert kind == "info" and title == "webinar-tray"
    assert message.startswith("xdg-open not found") and "apt-get install xdg-utils" in message

    app.actions.run(("autostart", True))  # no autostart here: refused the same way
    assert infos(notifier)[-1] == "start at login is not available on this system"
    app.actions.run(("signin",))
    assert "Google Calendar is not set up" in infos(notifier)[-1]
