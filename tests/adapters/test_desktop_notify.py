"""Desktop notifications: the real plyer → notify-send → D-Bus path against a private session bus
with a real notification daemon (dunst on Xvfb), watched with dbus-monitor; the fallback chain
when plyer genuinely cannot (no dbus-python, no notify-send, no daemon); and the text cleaning.

Nothing of plyer is mocked. Our own tray callable is a fake. Waits are for readiness (a marker
seen by the monitor, a bus name owned), never assertions about time."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import have, require
from webinar_tray.adapters.notify import DesktopNotifier, bus as notify_bus, payload as notify_text
from webinar_tray.adapters.notify import probe as probe_with
from webinar_tray.adapters.notify.payload import (
    applescript_string,
    clean,
    cut,
    icon_for,
    osascript_argv,
    redact,
    strip_controls,
)
from webinar_tray.core.settings import NotificationSettings, Settings
from webinar_tray.env import Env

LOGGER = "webinar_tray.notify"
READY_TIMEOUT = 20.0  # a safety net for waiting on processes, not something asserted

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _wait(what: str, ok, timeout: float = READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        value = ok()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# ---- a private session bus, its monitor, a daemon ----------------------------------------------

@pytest.fixture
def bus(tmp_path, monkeypatch):
    """A private D-Bus session bus (no service activation: only what a test starts owns a name).
    DBUS_SESSION_BUS_ADDRESS points at it for the notifier and every tool."""
    require(have("dbus-daemon"), "dbus-daemon", "apt-get install dbus")
    require(have("dbus-send"), "dbus-send", "apt-get install dbus")
    sock_dir = tmp_path / "bus"
    sock_dir.mkdir()
    conf = tmp_path / "bus.conf"
    conf.write_text(BUS_CONFIG.format(dir=sock_dir))
    proc = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = proc.stdout.readline().strip()
        assert address.startswith("unix:"), f"dbus-daemon printed {address!r}"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
        yield address
    finally:
        _stop(proc)


def _name_owned(name: str = "org.freedesktop.Notifications") -> bool:
    out = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                         capture_output=True, text=True)
    return out.returncode == 0 and "boolean true" in out.stdout


class Monitor:
    """dbus-monitor on org.freedesktop.Notifications, with markers to know it has seen
    everything sent before them."""

    def __init__(self, out: Path):
        self.out = out
        self._n = 0
        self.proc = subprocess.Popen(
            ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications'"],
            stdout=out.open("w"), stderr=subprocess.DEVNULL)
        self.sync()

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    def sync(self) -> str:
        """Emit a marker signal (in the watched interface) until the monitor shows it; returns
        the output so far. Everything sent to the bus before the marker is in it."""
        self._n += 1
        marker = f"webinar-tray-marker-{self._n}"

        def seen():
            subprocess.run(["dbus-send", "--session", "--type=signal", "/webinar_tray/test",
                            "org.freedesktop.Notifications.TestMarker", f"string:{marker}"],
                           capture_output=True)
            time.sleep(0.05)
            return marker in self.text()

        _wait("dbus-monitor to see a marker", seen)
        return self.text()

    def notify_calls(self) -> list[dict]:
        """Every Notify method call: app_name, icon, summary, body."""
        calls, current = [], None
        for line in self.sync().splitlines():
            if line.startswith(("method call", "signal", "method return", "error")):
                current = None
                if "member=Notify" in line and line.startswith("method call"):
                    current = []
                    calls.append(current)
                continue
            s = line.strip()
            if current is not None and s.startswith('string "') and s.endswith('"') and len(current) < 4:
                current.append(s[len('string "'):-1])
        return [dict(zip(("app_name", "icon", "summary", "body"), c)) for c in calls]

    def stop(self):
        _stop(self.proc)


@pytest.fixture
def monitor(bus, tmp_path):
    require(have("dbus-monitor"), "dbus-monitor", "apt-get install dbus")
    m = Monitor(tmp_path / "monitor.log")
    yield m
    m.stop()


@pytest.fixture
def start_dunst(bus, xvfb_display, tmp_path):
    """Starts dunst (a real notification daemon) on the private bus and X display when called."""
    require(have("dunst"), "dunst", "apt-get install dunst")
    procs = []

    def start():
        env = dict(os.environ, DISPLAY=xvfb_display, DBUS_SESSION_BUS_ADDRESS=bus,
                   XDG_CONFIG_HOME=str(tmp_path / "xdg"))
        p = subprocess.Popen(["dunst"], env=env, stdout=subprocess.DEVNULL,
                             stderr=(tmp_path / "dunst.log").open("w"))
        procs.append(p)

        def up():
            if p.poll() is not None:
                pytest.fail(f"dunst exited {p.returncode}: {(tmp_path / 'dunst.log').read_text()[-500:]}")
            return _name_owned()

        _wait("dunst to own org.freedesktop.Notifications", up)

    yield start
    for p in procs:
        _stop(p)


@pytest.fixture
def dunst(start_dunst):
    start_dunst()


@pytest.fixture
def notify_send_only(monkeypatch):
    """plyer's notify-send backend, as in this venv: dbus-python not importable."""
    require(have("notify-send"), "notify-send", "apt-get install libnotify-bin")
    monkeypatch.setitem(sys.modules, "dbus", None)  # `import dbus` raises ImportError


@pytest.fixture
def notifiers():
    made = []

    def make(*args, **kwargs):
        n = DesktopNotifier(*args, env=Env.real(), **kwargs)  # the fixtures set up the real world
        made.append(n)
        return n

    yield make
    for n in made:
        n.close()


def probe(settings: Settings) -> dict:
    """The doctor's check, in the world the fixtures set up."""
    return probe_with(settings, Env.real())


def _messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


class FakeTray:
    def __init__(self, error: BaseException | None = None):
        self.calls: list[tuple[str, str]] = []
        self.error = error

    def __call__(self, title: str, message: str) -> None:
        self.calls.append((title, message))
        if self.error is not None:
            raise self.error


LONG_TITLE = "Webinar in 5 min: " + "Quarterly results & outlook, " * 6
BODY = "Join https://acme.zoom.us/j/123?pwd=S3CRET&uname=x\x07 now\n<b>Q&A</b>\t\u202eevil"


# ---- (1) the real thing -----------------------------------------------------------------------

@pytest.mark.skipif(sys.platform != "linux", reason="the D-Bus path is Linux's")
def test_real_notifications_reach_the_daemon(dunst, monitor, notify_send_only, notifiers, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    n = notifiers(enabled=True)

    n.notify("reminder", LONG_TITLE, BODY)
    n.notify("joined", "-Joined webinar", "-rf / Weekly sync")
    assert n.flush()

    calls = monitor.notify_calls()
    assert len(calls) == 2
    first, second = calls
    t_max, _ = notify_text.limits_for("linux")
    assert first["app_name"] == "webinar-tray"
    assert len(first["summary"]) == t_max and first["summary"].endswith("…")
    assert first["summary"] == LONG_TITLE[: t_max - 1].rstrip() + "…"
    # no query, no control or bidi characters, markup escaped for the daemon
    assert first["body"] == "Join https://acme.zoom.us/j/123 now &lt;b&gt;Q&amp;A&lt;/b&gt; evil"
    # notify-send would take a leading "-" for an option (and plyer ignores its exit status)
    assert second["summary"] == "\u2010Joined webinar" and second["body"] == "\u2010rf / Weekly sync"
    assert "S3CRET" not in monitor.text()

    log = _messages(caplog)
    assert log.count("notifications: plyer (linux/notify-send)") == 1
    assert not [m for m in log if "failed" in m or "cannot" in m]
    # every notification is also in the log, without the secret
    assert any(m.startswith("notification [reminder] Webinar in 5 min") for m in log)
    assert not [m for m in log if "S3CRET" in m]

    assert n.describe() == ("plyer (linux/notify-send)", True, "")
    assert probe(Settings())["ok"] is True


@pytest.mark.skipif(sys.platform != "linux", reason="the D-Bus path is Linux's")
def test_disabled_sends_nothing_to_the_bus_and_can_be_turned_back_on(
        dunst, monitor, notify_send_only, notifiers, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    n = notifiers(enabled=False)

    n.notify("reminder", "Webinar in 5 min", "Off one")
    assert n.flush()
    assert monitor.notify_calls() == []
    assert "notification [reminder] Webinar in 5 min: Off one (notifications off)" in _messages(caplog)
    assert probe(Settings(notifications=NotificationSettings(enabled=False)))["ok"] is None

    n.set_enabled(True)
    n.notify("reminder", "Webinar in 4 min", "On again")
    n.enabled = False  # what the service does when config.toml changes
    n.notify("reminder", "Webinar in 3 min", "Off again")
    assert n.flush()
    assert [c["body"] for c in monitor.notify_calls()] == ["On again"]


@pytest.mark.skipif(sys.platform != "linux", reason="the D-Bus path is Linux's")
def test_no_daemon_is_made_visible_and_the_tray_shows_them_until_one_appears(
        bus, monitor, start_dunst, notify_send_only, notifiers, caplog, monkeypatch):
    """plyer would run notify-send, which fails, and ignore the failure: the probe catches it."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    tray = FakeTray()
    n = notifiers(enabled=True, tray_notify=tray)

    path, ok, fix = n.describe()
    assert (path, ok) == ("tray icon", True) and "apt-get install dunst" in fix
    result = probe(Settings())
    assert result["ok"] is False and "no notification daemon" in result["detail"]
    assert "apt-get install dunst" in result["fix"]

    n.notify("reminder", "Webinar in 5 min", "first")
    n.notify("reminder", "Webinar in 4 min", "second")
    assert n.flush()
    assert tray.calls == [("Webinar in 5 min", "first"), ("Webinar in 4 min", "second")]
    assert monitor.notify_calls() == []
    log = _messages(caplog)
    assert len([m for m in log if "no notification daemon on the session bus" in m]) == 1
    assert log.count("notifications: tray icon") == 1

    # the desktop's daemon comes up later (an app autostarted before it): found on the next probe
    start_dunst()
    monkeypatch.setattr(notify_bus, "REPROBE_SECONDS", 0)
    n.notify("reminder", "Webinar in 3 min", "third")
    assert n.flush()
    assert [c["body"] for c in monitor.notify_calls()] == ["third"]
    assert len(tray.calls) == 2
    assert _messages(caplog).count("notifications: plyer (linux/notify-send)") == 1


# ---- (2) the fallback chain when plyer genuinely cannot ---------------------------------------

@pytest.fixture
def no_plyer_backend(tmp_path, monkeypatch):
    """No dbus-python and no notify-send on PATH: plyer's facade raises NotImplementedError."""
    if sys.platform != "linux":
        pytest.skip("plyer's backend choice is made this way on Linux")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setitem(sys.modules, "dbus", None)


def test_without_a_plyer_backend_the_tray_icon_shows_them(no_plyer_backend, notifiers, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    tray = FakeTray()
    n = notifiers(enabled=True, tray_notify=tray)

    for i in range(3):
        n.notify("joined", "Joined webinar", f"Webinar {i}")
    assert n.flush()

    assert tray.calls == [("Joined webinar", f"Webinar {i}") for i in range(3)]
    log = _messages(caplog)
    plyer_lines = [m for m in log if m.startswith("notifications: plyer (linux) cannot")]
    assert len(plyer_lines) == 1  # once, not per notification
    assert "apt-get install libnotify-bin" in plyer_lines[0]
    assert log.count("notifications: tray icon") == 1
    assert n.describe() == ("tray icon", True, "apt-get install libnotify-bin")
    result = probe(Settings())
    assert result["ok"] is False and result["fix"] == "apt-get install libnotify-bin"


def test_plyer_raises_not_implemented_and_it_is_logged_once(no_plyer_backend, notifiers, caplog):
    """The real plyer facade is what raises (no backend), not a fake."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    n = notifiers(enabled=True)
    from plyer.facades import Notification

    with pytest.raises(NotImplementedError):
        Notification().notify(title="t", message="m")  # what plyer gives without a backend

    n.notify("info", "One", "1")
    n.notify("info", "Two", "2")
    assert n.flush()
    log = _messages(caplog)
    assert len([m for m in log if "plyer" in m and "cannot" in m]) == 1
    only = [m for m in log if m.startswith("notifications: log only")]
    assert len(only) == 1 and "libnotify-bin" in only[0]
    assert "notification [info] One: 1" in log and "notification [info] Two: 2" in log
    assert n.describe()[:2] == ("log", False)


def test_tray_that_cannot_notify_ends_in_the_log_once(no_plyer_backend, notifiers, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    # pystray's dummy/xorg backends raise NotImplementedError from notify()
    tray = FakeTray(NotImplementedError("notify is not supported by this backend"))
    n = notifiers(enabled=True, tray_notify=tray)

    n.notify("failed", "Could not join webinar", "A: step 'enter' timed out")
    n.notify("failed", "Could not join webinar", "B: step 'enter' timed out")
    assert n.flush()

    assert len(tray.calls) == 1  # a tray that cannot notify is not asked again
    log = _messages(caplog)
    assert len([m for m in log if m.startswith("notifications: tray icon cannot")]) == 1
    assert len([m for m in log if m.startswith("notifications: log only")]) == 1
    assert "notification [failed] Could not join webinar: B: step 'enter' timed out" in log


def test_a_failing_tray_is_retried_but_logged_once_and_never_raises(no_plyer_backend, notifiers, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    tray = FakeTray(RuntimeError("tray went away"))
    n = notifiers(enabled=True, tray_notify=tray)

    for i in range(3):
        n.notify("info", "T", str(i))  # never raises to the caller
    assert n.flush()

    assert len(tray.calls) == 3
    assert len([m for m in _messages(caplog) if "tray icon failed" in m and "tray went away" in m]) == 1


def test_tray_set_after_the_notifier_is_used(no_plyer_backend, notifiers, caplog):
    """The tray icon is created after the notifier: set_tray_notify hands it over later."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    n = notifiers(enabled=True)
    n.notify("info", "Before", "no tray yet")
    assert n.flush()

    tray = FakeTray()
    n.set_tray_notify(tray)
    n.notify("info", "After", "tray now")
    assert n.flush()

    assert tray.calls == [("After", "tray now")]
    log = _messages(caplog)
    assert log.index("notifications: tray icon") > log.index(
        next(m for m in log if m.startswith("notifications: log only")))


def test_bad_arguments_never_raise(no_plyer_backend, notifiers):
    tray = FakeTray()
    n = notifiers(enabled=True, tray_notify=tray)
    n.notify("info", None, None)  # type: ignore[arg-type]
    n.notify("info", "", 12345)  # type: ignore[arg-type]
    assert n.flush()
    assert tray.calls == [("webinar-tray", ""), ("webinar-tray", "12345")]


# ---- (3) the texts ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, limit, utf16, expected",
    [
        ("short", 10, False, "short"),
        ("exactly10!", 10, False, "exactly10!"),
        ("eleven char", 10, False, "eleven ch…"),
        ("word ending ", 6, False, "word…"),  # no space before the ellipsis
        ("x" * 300, 255, True, "x" * 254 + "…"),
        # an emoji is 2 UTF-16 units on Windows: never split a surrogate pair
        ("ab😀cd", 4, True, "ab…"),
        ("ab😀cd", 4, False, "ab😀…"),
        ("😀" * 40, 63, True, "😀" * 31 + "…"),
    ],
    ids=["short", "exact", "cut", "no-space-before-ellipsis", "windows-message", "surrogate-pair-utf16",
         "surrogate-pair-codepoints", "windows-title-emoji"],
)
def test_cut(text, limit, utf16, expected):
    out = cut(text, limit, utf16=utf16)
    assert out == expected
    units = len(out.encode("utf-16-le")) // 2 if utf16 else len(out)
    assert units <= limit


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain", "plain"),
        ("line\nbreak\r\nand\ttab", "line break and tab"),
        ("bell\x07 nul\x00 esc\x1b[31mred", "bell nul esc[31mred"),
        ("c1\x85next\x9bx", "c1 nextx"),
        ("\u202eevil\u202c \u2066iso\u2069", "evil iso"),
        ("para\u2028sep\u2029end", "para sep end"),
        ("  many    spaces  ", "many spaces"),
        ("del\x7f", "del"),
    ],
)
def test_strip_controls(text, expected):
    assert strip_controls(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://acme.zoom.us/j/1?pwd=abc", "https://acme.zoom.us/j/1"),
        ("go to https://user:pw@on24.com/wcc/r/1?key=K#frag now", "go to https://on24.com/wcc/r/1 now"),
        ("zoom.us/j/1?pwd=abc and more", "zoom.us/j/1 and more"),
        ("webcal://cal.example.com/private-abc/basic.ics?t=1", "webcal://cal.example.com/private-abc/basic.ics"),
        ("no link here? right.", "no link here? right."),
        ("a@b.com wrote?", "a@b.com wrote?"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "platform, title_max, message_max",
    [("win", 63, 255), ("linux", *notify_text.DEFAULT_LIMITS), ("macosx", *notify_text.DEFAULT_LIMITS)],
)
def test_clean_cuts_to_the_platform_limits(platform, title_max, message_max):
    title, message = clean("T" * 500, "M" * 50 + "\n" + "M" * 500, platform)
    assert len(title) == title_max and title.endswith("…")
    assert len(message) == message_max and message.endswith("…") and "\n" not in message


def test_clean_cuts_after_redacting_so_no_query_survives_a_cut():
    _, message = clean("x", "see https://h.example/p?pwd=" + "S" * 400, "win")
    assert "pwd" not in message and "S" not in message
    assert message == "see https://h.example/p"


@pytest.mark.parametrize(
    "title, message, script",
    [
        ("Webinar in 5 min", "Q3 results", 'display notification "Q3 results" with title "Webinar in 5 min"'),
        ('Say "hi"', 'back\\slash "q"', 'display notification "back\\\\slash \\"q\\"" with title "Say \\"hi\\""'),
        ("$(rm -rf ~)", "`x`; echo", 'display notification "`x`; echo" with title "$(rm -rf ~)"'),
    ],
)
def test_osascript_is_argv_with_applescript_escaping(title, message, script):
    argv = osascript_argv(title, message)
    assert argv == ["osascript", "-e", script]


def test_applescript_string_round_trip():
    # AppleScript's own unescaping of \" and \\ gives the text back
    for text in ['plain', 'a"b', 'a\\b', '\\"', '"\\']:
        lit = applescript_string(text)
        assert lit[0] == lit[-1] == '"'
        body, out, i = lit[1:-1], [], 0
        while i < len(body):
            if body[i] == "\\":
                out.append(body[i + 1])
                i += 2
            else:
                assert body[i] != '"'
                out.append(body[i])
                i += 1
        assert "".join(out) == text


def test_icon_for_picks_ico_on_windows_png_elsewhere(tmp_path):
    png = tmp_path / "icon.png"
    ico = tmp_path / "icon.ico"
    png.write_bytes(b"png")
    assert icon_for("linux", str(png)) == str(png)
    assert icon_for("win", str(png)) == ""  # plyer's Windows backend raises for a missing .ico
    ico.write_bytes(b"ico")
    assert icon_for("win", str(png)) == str(ico)
    assert icon_for("macosx", str(ico)) == str(png)
    assert icon_for("linux", None) == ""
    assert icon_for("linux", str(tmp_path / "missing.png")) == ""
