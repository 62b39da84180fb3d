"""Flatpak notifications: the desktop portal called with `gdbus call` and GVariant text we build
by escaping (plyer's portal backend pastes the text between quotes, so an apostrophe breaks it).

The builder is checked against GLib's own parser; the whole path runs against a private session
bus where a Gio service stands in for the portal (tests/adapters/fake_portal.py) and records what
arrives. Nothing of gdbus, GLib or plyer is mocked; only where the app looks for /.flatpak-info
is pointed at a file of the test's."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters.test_desktop_notify import _stop, _wait, bus  # noqa: F401 - `bus` is a fixture
from tests.conftest import have, require
from webinar_tray.adapters.notify import portal as notify_portal
from webinar_tray.adapters.notify import DesktopNotifier
from webinar_tray.adapters.notify.payload import clean, gvariant_string, portal_argv, portal_notification
from webinar_tray.env import Env

TRICKY = [
    "Today's webinar",
    'The "Zero Trust" panel',
    "C:\\Users\\ada\\notes \\n not a newline",
    "line one\nline two\r\nthree\ttab",
    "100% done: %s %(name)s %d",
    "'; rm -rf ~; echo '",
    "}>, 'body': <'injected",
    "emoji 🎥 and 日本語, bidi \u202e and \x1b[2K escape",
    "",
]


@pytest.mark.parametrize("text, literal", [
    ("it's", "'it\\'s'"),
    ('say "hi"', "'say \"hi\"'"),
    ("a\\b", "'a\\\\b'"),
    ("1\n2\t3", "'1\\n2\\t3'"),
    ("100%", "'100%'"),
    ("esc\x1b bidi\u202e", "'esc\\u001b bidi\\u202e'"),
    ("\U0001F3A5", "'\U0001F3A5'"),
    ("lone \ud800", "'lone \\ufffd'"),
])
def test_gvariant_string_escapes(text, literal):
    assert gvariant_string(text) == literal


def _glib():
    try:
        import gi

        gi.require_version("GLib", "2.0")
        from gi.repository import GLib
    except (ImportError, ValueError):
        GLib = None
    require(GLib is not None, "PyGObject (GLib)", "pip install 'PyGObject<3.51' (see docs/FACTS)")
    return GLib


@pytest.mark.parametrize("text", TRICKY)
def test_glib_parses_the_notification_back_to_the_same_text(text):
    GLib = _glib()
    value = GLib.Variant.parse(GLib.VariantType.new("a{sv}"), portal_notification(text, text + "!"), None, None)
    assert value.unpack() == {"title": text, "body": text + "!"}


def test_the_argv_is_one_call_with_the_values_as_single_arguments():
    argv = portal_argv("webinar-tray-1", "it's", "b")
    assert argv[:9] == ["gdbus", "call", "--session", "--dest", "org.freedesktop.portal.Desktop",
                        "--object-path", "/org/freedesktop/portal/desktop", "--method",
                        "org.freedesktop.portal.Notification.AddNotification"]
    assert argv[9:] == ["'webinar-tray-1'", "{'title': <'it\\'s'>, 'body': <'b'>}"]


# ---- the whole path on a private bus --------------------------------------------------------------

@pytest.fixture
def portal(bus, tmp_path):  # noqa: F811 - the imported fixture
    """The stand-in portal on the private bus; returns a function giving the calls recorded."""
    _glib()
    require(have("gdbus"), "gdbus", "apt-get install libglib2.0-bin")
    out = tmp_path / "portal.jsonl"
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("fake_portal.py")), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"

        def calls() -> list[dict]:
            return [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []

        yield calls
    finally:
        _stop(proc)


@pytest.fixture
def flatpak(tmp_path, monkeypatch):
    info = tmp_path / ".flatpak-info"
    info.write_text("[Application]\nname=io.github.webinar_tray\n")
    monkeypatch.setattr(notify_portal, "FLATPAK_INFO", str(info))


@pytest.mark.skipif(sys.platform != "linux", reason="Flatpak is Linux's")
def test_plyers_own_portal_backend_loses_a_title_with_an_apostrophe(portal):
    from plyer.platforms.linux.notification import NotifyDesktopPortals

    NotifyDesktopPortals().notify(title="Today's webinar", message="x")  # no error raised…
    notify_portal.send(Env.real(), "marker", "m")
    _wait("the marker call", lambda: portal())
    assert [c["title"] for c in portal()] == ["marker"]  # …and nothing arrived


@pytest.mark.skipif(sys.platform != "linux", reason="Flatpak is Linux's")
def test_in_a_flatpak_notifications_reach_the_portal_with_exact_texts(portal, flatpak, caplog):
    caplog.set_level(logging.INFO, logger="webinar_tray.notify")
    n = DesktopNotifier(True, Env.real())
    try:
        for text in TRICKY:
            n.notify("reminder", text, "Q&A: " + text)
        assert n.flush()
    finally:
        n.close()
    calls = _wait("every notification", lambda: len(portal()) == len(TRICKY) and portal())
    for text, call in zip(TRICKY, calls):
        title, body = clean(text, "Q&A: " + text, "linux")
        assert (call["title"], call["body"]) == (title, body), "plain text: no markup escaping for the portal"
    assert len({c["id"] for c in calls}) == len(calls)
    assert "notifications: portal (flatpak/gdbus)" in caplog.text


@pytest.mark.skipif(sys.platform != "linux", reason="Flatpak is Linux's")
def test_a_failing_portal_call_is_not_silent(bus, flatpak):  # noqa: F811 - no portal on this bus
    require(have("gdbus"), "gdbus", "apt-get install libglib2.0-bin")
    with pytest.raises(OSError, match="gdbus exited"):
        notify_portal.send(Env.real(), "it's", "x")
