"""Each way a notification can take says where it applies, from an Env value alone: Linux (plyer
over D-Bus), a Flatpak (the portal), Windows, macOS (plyer, osascript), anything else; the chain
picks the platform's own way from it, and on macOS ends in osascript.

The plyer backends that cannot be imported here (Windows' balloon tip, macOS' pyobjus) are really
imported, and fail as in a build without them. dbus-python is hidden or stood in for with
sys.modules; the Flatpak marker file is one of the test's; osascript is a script of the test's on
the PATH the Env hands over."""

from __future__ import annotations

import logging
import sys
import types

import pytest

from webinar_tray.adapters import notify
from webinar_tray.adapters.notify import (
    log as log_path,
    osascript,
    plyer_linux,
    plyer_macos,
    plyer_other,
    plyer_windows,
    portal,
    tray_icon,
)
from webinar_tray.adapters.notify.plyer_common import plyer_platform
from webinar_tray.core.settings import Settings
from webinar_tray.env import Env


def which(*found: str):
    return lambda name: f"/usr/bin/{name}" if name in found else None


LINUX = Env(platform="linux", which=which("notify-send", "gdbus"))
WINDOWS = Env(platform="win32", which=which())
MACOS = Env(platform="darwin", which=which("osascript"))
BSD = Env(platform="freebsd14", which=which())


@pytest.fixture
def no_dbus_python(monkeypatch):
    monkeypatch.setitem(sys.modules, "dbus", None)  # `import dbus` raises ImportError


@pytest.fixture
def flatpak(tmp_path, monkeypatch):
    info = tmp_path / ".flatpak-info"
    info.write_text("[Application]\nname=io.github.webinar_tray\n")
    monkeypatch.setattr(portal, "FLATPAK_INFO", str(info))


@pytest.mark.parametrize("env, expected", [
    (Env(platform="win32"), "win"), (Env(platform="cygwin"), "win"), (Env(platform="darwin"), "macosx"),
    (Env(platform="linux"), "linux"), (Env(platform="freebsd14"), "unknown"),
    (Env(platform="linux", environ={"ANDROID_ARGUMENT": ""}), "android"),
])
def test_plyer_platform_is_read_from_the_env(env, expected):
    assert plyer_platform(env) == expected


def test_plyer_linux_applies_on_linux_with_a_backend(no_dbus_python, monkeypatch):
    assert plyer_linux.is_applicable(LINUX) == (True, "")
    assert plyer_linux.name(LINUX) == "plyer (linux/notify-send)" and plyer_linux.fix(LINUX) == ""
    bare = LINUX.with_(which=which())
    assert plyer_linux.is_applicable(bare) == (False, "plyer found neither dbus-python nor notify-send")
    assert plyer_linux.name(bare) == "plyer (linux)" and plyer_linux.fix(bare) == "apt-get install libnotify-bin"
    monkeypatch.setitem(sys.modules, "dbus", types.ModuleType("dbus"))  # dbus-python importable
    assert plyer_linux.is_applicable(bare) == (True, "") and plyer_linux.name(bare) == "plyer (linux/dbus)"
    for env in (WINDOWS, MACOS, BSD):
        assert plyer_linux.is_applicable(env) == (False, "not Linux")


def test_in_a_flatpak_the_portal_applies_and_plyer_linux_does_not(flatpak, no_dbus_python):
    assert portal.is_applicable(LINUX) == (True, "")
    ok, why = plyer_linux.is_applicable(LINUX)
    assert not ok and "Flatpak" in why
    no_gdbus = LINUX.with_(which=which("notify-send"))
    ok, why = portal.is_applicable(no_gdbus)
    assert not ok and why == "no gdbus in the Flatpak runtime (the portal is called with it)"
    assert portal.fix(no_gdbus) == portal.FIX_GDBUS
    assert portal.is_applicable(WINDOWS) == (False, "not in a Flatpak")
    assert notify.platform_way(LINUX).module is portal and notify.platform_way(no_gdbus).fix == portal.FIX_GDBUS


def test_outside_a_flatpak_the_portal_does_not_apply(no_dbus_python):
    assert portal.is_applicable(LINUX) == (False, "not in a Flatpak")
    way = notify.platform_way(LINUX)
    assert (way.module, way.name, way.why, way.via_bus) == (plyer_linux, "plyer (linux/notify-send)", "", True)


@pytest.mark.skipif(sys.platform == "win32", reason="there plyer's balloon tip imports")
@pytest.mark.parametrize("frozen, fix", [
    (False, ""), (True, "rebuild with --hidden-import plyer.platforms.win.libs.balloontip")])
def test_plyer_windows_applies_on_windows_when_the_balloon_tip_imports(frozen, fix):
    env = WINDOWS.with_(frozen=frozen)
    ok, why = plyer_windows.is_applicable(env)
    assert not ok and why.startswith("plyer has no win backend here (")
    assert plyer_windows.fix(env) == fix
    assert plyer_windows.is_applicable(LINUX) == (False, "not Windows")
    assert notify.platform_way(env) == (plyer_windows, "plyer (win)", why, fix)


def test_plyer_macos_needs_pyobjus_and_osascript_is_there_instead():
    ok, why = plyer_macos.is_applicable(MACOS)
    assert not ok and "No module named 'pyobjus'" in why and plyer_macos.fix(MACOS) == plyer_macos.FIX_PYOBJUS
    assert plyer_macos.is_applicable(LINUX) == (False, "not macOS") and plyer_macos.fix(LINUX) == ""
    assert osascript.is_applicable(MACOS) == (True, "")
    assert osascript.is_applicable(MACOS.with_(which=which())) == (False, "no osascript on PATH")
    assert osascript.is_applicable(LINUX) == (False, "not macOS")
    result = notify.probe(Settings(), MACOS)
    assert result["ok"] is True and result["detail"].endswith("; using osascript (display notification)")


def test_any_other_platform_tries_plyers_own_facade():
    assert plyer_other.is_applicable(BSD) == (True, "") and plyer_other.name(BSD) == "plyer (unknown)"
    for env in (LINUX, WINDOWS, MACOS):
        assert plyer_other.is_applicable(env) == (False, "this platform has a path of its own")
    assert notify.platform_way(BSD).module is plyer_other


@pytest.mark.parametrize("env", [LINUX, WINDOWS, MACOS, BSD], ids=["linux", "windows", "macos", "other"])
def test_the_tray_icon_and_the_log_apply_everywhere(env):
    assert tray_icon.is_applicable(env) == (True, "")
    assert log_path.is_applicable(env) == (True, "")


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in osascript is a shell script")
def test_on_macos_the_chain_ends_in_osascript(tmp_path, caplog):
    """plyer has no macOS backend (no pyobjus): the notification goes to osascript, found on the
    PATH the Env hands over, as argv."""
    caplog.set_level(logging.INFO, logger="webinar_tray.notify")
    bin_dir, out = tmp_path / "bin", tmp_path / "argv.txt"
    bin_dir.mkdir()
    script = bin_dir / "osascript"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{out}'\n")
    script.chmod(0o755)
    env = MACOS.with_(environ={"PATH": str(bin_dir)}, which=lambda name: str(bin_dir / name))
    n = notify.DesktopNotifier(True, env)
    try:
        assert n.describe() == ("osascript", True, plyer_macos.FIX_PYOBJUS)
        n.notify("joined", 'Joined "Q3"', "now")
        assert n.flush()
    finally:
        n.close()
    assert out.read_text().splitlines() == ["-e", 'display notification "now" with title "Joined \\"Q3\\""']
    assert "notifications: osascript" in caplog.text and "plyer (macosx) cannot" in caplog.text
