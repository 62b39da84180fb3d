"""Packaging: the PyInstaller spec's helpers (packaging/specutil.py), the frozen-mode fixes
(adapters/desktop/sysenv.py and where they are used), the service files (systemd, launchd) and the
scripts' syntax. The frozen build itself is exercised by packaging/check-frozen.sh."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import plistlib
import subprocess
import sys
import types
import webbrowser
from configparser import ConfigParser
from pathlib import Path

import pytest

from tests.conftest import have, require
from webinar_tray import __version__
from webinar_tray.adapters.desktop import sysenv
from webinar_tray.env import Env

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


specutil = _load("webinar_tray_specutil", PACKAGING / "specutil.py")


# ---- the spec's options and lists ----------------------------------------------------------

def test_options_from_spec_arguments_win_over_the_environment():
    o = specutil.options
    assert o([], {}) == specutil.Options(onefile=False, gi="auto")
    assert o([], {"WEBINAR_TRAY_ONEFILE": "1", "WEBINAR_TRAY_GI": "0"}) == specutil.Options(True, "no")
    assert o(["--onedir", "--gi"], {"WEBINAR_TRAY_ONEFILE": "1", "WEBINAR_TRAY_GI": "0"}) == specutil.Options(False, "yes")
    assert o(["--onefile", "--no-gi", "--other"], {}) == specutil.Options(True, "no")
    with pytest.raises(SystemExit, match="WEBINAR_TRAY_GI"):
        o([], {"WEBINAR_TRAY_GI": "maybe"})


def test_two_executables_share_the_bundle_windowed_app_and_console_cli():
    assert specutil.executables("win32", onefile=False) == [("webinar-tray", False), ("webinar-tray-cli", True)]
    assert specutil.executables("linux", onefile=False) == [("webinar-tray", False), ("webinar-tray-cli", True)]
    assert specutil.executables("darwin", onefile=False) == [("webinar-tray", False), ("webinar-tray-cli", True)]
    # one file: Windows still needs the console companion; elsewhere the flag changes nothing
    assert specutil.executables("win32", onefile=True) == [("webinar-tray", False), ("webinar-tray-cli", True)]
    assert specutil.executables("linux", onefile=True) == [("webinar-tray", False)]


def test_the_console_companion_is_the_name_autostart_maps_to_the_windowed_exe():
    from webinar_tray.adapters.desktop.autostart.command import CONSOLE_EXES, WINDOWED_EXE

    assert f"{specutil.CLI}.exe" in CONSOLE_EXES and WINDOWED_EXE == f"{specutil.APP}.exe"


def test_hidden_imports_per_platform():
    for platform in ("win32", "darwin", "linux"):
        names = specutil.hidden_imports(platform, gi=True)
        for os_ in ("win", "macosx", "linux"):
            assert f"plyer.platforms.{os_}.notification" in names
        assert "pystray._dummy" in names
    assert "pystray._win32" in specutil.hidden_imports("win32", gi=False)
    assert "tzdata" in specutil.hidden_imports("win32", gi=False)
    assert "pystray._darwin" in specutil.hidden_imports("darwin", gi=False)
    linux = specutil.hidden_imports("linux", gi=True)
    assert {"pystray._xorg", "pystray._gtk", "pystray._appindicator", "gi.repository.Gtk",
            "gi.repository.AyatanaAppIndicator3"} <= set(linux)
    assert not any(n.startswith(("gi.", "pystray._gtk", "pystray._appindicator"))
                   for n in specutil.hidden_imports("linux", gi=False))
    # the Python modules named for Linux exist in this environment (no renames upstream)
    for name in specutil.hidden_imports("linux", gi=False):
        assert importlib.util.find_spec(name.rsplit(".", 1)[0]) is not None, name


def test_excludes_leave_gi_out_only_when_asked_or_off_linux():
    assert "gi" not in specutil.excludes("linux", gi=True)
    assert {"gi", "cairo", "pystray._gtk"} <= set(specutil.excludes("linux", gi=False))
    assert {"gi", "pystray._gtk", "pystray._xorg"} & set(specutil.excludes("win32", gi=True)) == {"gi", "pystray._gtk"}
    assert "pystray._win32" not in specutil.excludes("win32", gi=False)
    assert "pystray._darwin" not in specutil.excludes("darwin", gi=False)


def test_only_calendar_v3_of_the_discovery_documents_and_no_svg_stack():
    docs = "googleapiclient/discovery_cache/documents/"
    assert specutil.keep_data(docs + "calendar.v3.json")
    assert not specutil.keep_data(docs + "drive.v3.json")
    assert not specutil.keep_data(docs.replace("/", "\\") + "gmail.v1.json")
    assert specutil.keep_data("assets/icons/idle.png")
    assert not specutil.keep_binary("librsvg-2.so.2", "linux")
    assert not specutil.keep_binary("libicudata.so.72", "linux")
    assert specutil.keep_binary("libgtk-3.so.0", "linux")
    assert specutil.keep_binary("libxml2.dll", "win32")


def test_windows_version_resource_from_the_package_version():
    assert specutil.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert specutil.version_tuple("1.2.3.4.5") == (1, 2, 3, 4)
    assert specutil.version_tuple("1.2.0rc1") == (1, 2, 0, 0)
    assert specutil.version_tuple("2.1+g3abc") == (2, 1, 0, 0)
    text = specutil.version_file_text(__version__, "webinar-tray-cli")
    # the file is a Python expression of PyInstaller's versioninfo classes: evaluate it with
    # stand-ins (PyInstaller's own module needs pefile, which exists on Windows only)
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct")
    made = {n: (lambda n: lambda *a, **k: (n, a, k))(n) for n in names}
    info = eval(text, made)  # noqa: S307 - our own generated text
    assert info[0] == "VSVersionInfo"
    ffi = info[2]["ffi"]
    assert ffi[2]["filevers"] == specutil.version_tuple(__version__) == ffi[2]["prodvers"]
    strings = dict(s[1] for s in info[2]["kids"][0][1][0][0][1][1])
    assert strings["ProductVersion"] == __version__ and strings["OriginalFilename"] == "webinar-tray-cli.exe"


def test_macos_bundle_is_a_menu_bar_app():
    plist = specutil.info_plist("1.2.3")
    assert plist["LSUIElement"] is True and plist["LSBackgroundOnly"] is False
    assert plist["CFBundleShortVersionString"] == "1.2.3"
    assert specutil.BUNDLE_ID == "io.github.webinar-tray"
    plistlib.dumps(plist)  # serialisable


def test_spec_and_runtime_hook_are_valid_python_and_wired():
    spec = (PACKAGING / "pyinstaller.spec").read_text()
    compile(spec, "pyinstaller.spec", "exec")
    assert "rthook_environ.py" in spec and "COLLECT(*exes" in spec and "BUNDLE(" in spec
    compile((PACKAGING / "rthook_environ.py").read_text(), "rthook_environ.py", "exec")


@pytest.mark.parametrize("script", ["build.sh", "check-frozen.sh", "check-frozen-tray.sh"])
def test_scripts_parse(script):
    subprocess.run(["bash", "-n", str(PACKAGING / script)], check=True)


# ---- frozen mode: the environment of system programs ----------------------------------------

BUNDLE = "/opt/wt/_internal"


def test_hooked_changes_remember_the_values_before_the_runtime_hooks():
    before = {"XDG_DATA_DIRS": "/usr/share", "HOME": "/h"}
    after = {"XDG_DATA_DIRS": f"{BUNDLE}/share:/usr/share", "HOME": "/h", "GTK_PATH": BUNDLE}
    assert sysenv.hooked_changes(before, after) == {"XDG_DATA_DIRS": "/usr/share", "GTK_PATH": None}


def test_system_env_undoes_the_bootloader_and_the_hooks_when_frozen():
    env = {"LD_LIBRARY_PATH": BUNDLE, "GTK_PATH": BUNDLE, "GI_TYPELIB_PATH": f"{BUNDLE}/gi_typelibs",
           "XDG_DATA_DIRS": f"{BUNDLE}/share:/usr/share", "_PYI_ARCHIVE_FILE": "/opt/wt/webinar-tray",
           "_PYI_PARENT_PROCESS_LEVEL": "-1", "DISPLAY": ":0", "PATH": "/usr/bin"}
    hooked = {"GTK_PATH": None, "GI_TYPELIB_PATH": None, "XDG_DATA_DIRS": "/usr/share"}
    assert sysenv.system_env(Env(platform="linux", frozen=True, environ=env), hooked=hooked) == {
        "XDG_DATA_DIRS": "/usr/share", "DISPLAY": ":0", "PATH": "/usr/bin"}
    assert sysenv.system_env(Env(platform="linux", frozen=False, environ=env), hooked=hooked) == env
    # macOS/Windows: no LD_LIBRARY_PATH business, but the hooks' variables go back too
    mac = sysenv.system_env(Env(platform="darwin", frozen=True, environ=env), hooked=hooked)
    assert mac["LD_LIBRARY_PATH"] == BUNDLE and "GTK_PATH" not in mac and "_PYI_ARCHIVE_FILE" not in mac


def test_remember_hooked_is_what_system_env_uses(monkeypatch):
    monkeypatch.setattr(sysenv, "_HOOKED", {})
    before = {"PATH": "/usr/bin"}
    sysenv.remember_hooked(before, Env(environ={"PATH": "/usr/bin", "GIO_MODULE_DIR": f"{BUNDLE}/gio_modules"}))
    frozen = Env(platform="linux", frozen=True, environ={"PATH": "/usr/bin", "GIO_MODULE_DIR": "x"})
    assert sysenv.system_env(frozen) == {"PATH": "/usr/bin"}
    sysenv.remember_hooked(None)
    assert sysenv._HOOKED == {}


def test_system_env_or_none_only_when_something_changes():
    assert sysenv.system_env_or_none(Env(environ={"A": "1"}, frozen=False)) is None
    assert sysenv.system_env_or_none(Env(environ={"A": "1"}, frozen=True, platform="linux")) is None
    assert sysenv.system_env_or_none(Env(environ={"A": "1", "LD_LIBRARY_PATH": BUNDLE}, frozen=True,
                                         platform="linux")) == {"A": "1"}


def test_entry_point_notes_what_the_runtime_hooks_changed(tmp_path):
    code = (
        "import os, runpy, sys\n"
        "sys._webinar_tray_environ = dict(os.environ)\n"
        "os.environ['GTK_PATH'] = '/bundle'  # what pyi_rth_gtk does\n"
        f"runpy.run_path({str(PACKAGING / 'entry.py')!r}, run_name='not_main')\n"
        "from webinar_tray.adapters.desktop import sysenv\n"
        "print(sysenv._HOOKED)\n"
        "from webinar_tray.env import Env\n"
        "print('GTK_PATH' in sysenv.system_env(Env.real().with_(frozen=True, platform='linux')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GTK_PATH"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout.split("\n")
    assert out[:2] == ["{'GTK_PATH': None}", "False"]


def test_launch_gives_the_browser_the_users_environment_when_frozen(monkeypatch, tmp_path):
    from webinar_tray.adapters.browser import launch as launch_mod
    from webinar_tray.adapters.browser.discover import BrowserChoice

    seen = []

    class Context:
        browser = types.SimpleNamespace(version="120.0.6099.109")

        async def close(self):
            pass

    class Chromium:
        async def launch_persistent_context(self, profile, **kw):
            seen.append(kw)
            return Context()

    pw = types.SimpleNamespace(chromium=Chromium())
    choice = BrowserChoice(executable_path="/usr/bin/chromium", channel=None, description="chromium")
    monkeypatch.setattr(sysenv, "_HOOKED", {"GTK_PATH": None})
    monkeypatch.setenv("GTK_PATH", BUNDLE)
    monkeypatch.setenv("LD_LIBRARY_PATH", BUNDLE)
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)

    asyncio.run(launch_mod.launch(pw, choice, tmp_path / "p", headless=False, env=Env.real()))
    assert "env" not in seen[-1]  # not frozen: Playwright's default
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    asyncio.run(launch_mod.launch(pw, choice, tmp_path / "p", headless=False, env=Env.real()))
    env = seen[-1]["env"]
    assert "GTK_PATH" not in env and "LD_LIBRARY_PATH" not in env and env["PATH"] == os.environ["PATH"]


def test_plyer_notify_send_command_is_what_plyer_runs(monkeypatch):
    from plyer.platforms.linux import notification as mod

    from webinar_tray.adapters.notify.payload import notify_send_argv

    calls = []
    monkeypatch.setattr(mod.subprocess, "call", lambda argv, **kw: calls.append(argv))
    mod.NotifySendNotification().notify(title="T", message="M", app_name="webinar-tray", app_icon="/i.png",
                                        timeout=10)
    assert calls == [notify_send_argv("T", "M", "webinar-tray")]


def test_frozen_notify_send_runs_with_the_users_environment(monkeypatch):
    from webinar_tray.adapters.notify import plyer_linux
    from webinar_tray.env import Env

    runs = []
    monkeypatch.setattr(plyer_linux.subprocess, "run", lambda argv, **kw: runs.append((argv, kw)))
    monkeypatch.setattr(plyer_linux, "dbus_python", lambda: False)
    env = Env(platform="linux", environ={"PATH": os.environ["PATH"], "LD_LIBRARY_PATH": BUNDLE},
              which=lambda name: "/usr/bin/" + name, frozen=True)
    assert plyer_linux.name(env) == "plyer (linux/notify-send)"
    plyer_linux.send(env, "Joined webinar", "Q&A", app_name="webinar-tray", icon="")
    (argv, kw), = runs
    assert argv == plyer_linux.notify_send_argv("Joined webinar", "Q&amp;A", "webinar-tray")
    assert "LD_LIBRARY_PATH" not in kw["env"]


def test_sign_in_opens_the_browser_with_the_users_environment_when_frozen(monkeypatch):
    from webinar_tray.adapters.desktop import open as desktop
    from webinar_tray.adapters.calendar.google import auth

    user = Env(platform="linux", environ={"PATH": "/usr/bin", "LD_LIBRARY_PATH": BUNDLE})
    assert auth._user_env_browser(user) is None  # not frozen: the default browser, as before
    opened = []
    monkeypatch.setattr(desktop, "open_url", lambda url, env: opened.append((url, env)))
    frozen = user.with_(frozen=True)
    name = auth._user_env_browser(frozen)
    assert webbrowser.get(name).open("https://accounts.google.com/o/oauth2/auth?x=1") is True
    assert opened == [("https://accounts.google.com/o/oauth2/auth?x=1", frozen)]


# ---- frozen mode: no console streams --------------------------------------------------------

def test_ensure_streams_replaces_only_missing_streams():
    target = types.SimpleNamespace(stdout=None, stderr=sys.stderr)
    assert sysenv.ensure_streams(target) == ["stdout"]
    target.stdout.write("lost")
    target.stdout.flush()
    target.stdout.reconfigure(errors="replace")
    assert target.stderr is sys.stderr
    assert sysenv.ensure_streams(target) == []


def test_commands_work_without_console_streams(home):
    """As in the windowed build (or pythonw.exe): sys.stdout and sys.stderr are None."""
    code = ("import runpy, sys\nsys.stdout = sys.stderr = None\n"
            "sys.argv = ['webinar-tray', 'history', '--csv']\n"
            "runpy.run_module('webinar_tray', run_name='__main__')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


# ---- service mode files ---------------------------------------------------------------------

UNIT = PACKAGING / "systemd" / "webinar-tray.service"


def test_systemd_unit_runs_the_service_mode():
    cp = ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str
    cp.read(UNIT)
    argv = cp["Service"]["ExecStart"].split()
    assert Path(argv[0]).name in ("webinar-tray", "webinar-tray-cli") and argv[-1] == "run"
    assert argv[1:3] == ["--home", "%h/webinar-tray"]
    assert cp["Service"]["Restart"] == "on-failure"
    assert cp["Service"]["RestartPreventExitStatus"] == "2"
    assert cp["Install"]["WantedBy"] == "default.target"


def test_systemd_unit_verifies(tmp_path):
    require(have("systemd-analyze"), "systemd-analyze", "apt-get install systemd")
    stub = tmp_path / ".local" / "bin" / "webinar-tray"  # ExecStart must exist to verify
    stub.parent.mkdir(parents=True)
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, HOME=str(tmp_path), XDG_RUNTIME_DIR=str(runtime))
    r = subprocess.run(["systemd-analyze", "--user", "verify", str(UNIT)], env=env, capture_output=True,
                       text=True, timeout=60)
    # verify exits 0 even for ignored lines: any message is a finding
    assert r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(), r.stderr + r.stdout


def test_launch_agent_for_service_mode():
    with open(PACKAGING / "launchd" / "io.github.webinar-tray.service.plist", "rb") as f:
        plist = plistlib.load(f)
    assert plist["Label"] == "io.github.webinar-tray.service"
    from webinar_tray.adapters.desktop.autostart import BUNDLE_ID

    assert plist["Label"] != BUNDLE_ID  # not the tray's own autostart agent
    assert plist["ProgramArguments"][0].endswith("/webinar-tray-cli") and plist["ProgramArguments"][-1] == "run"
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}


def test_check_frozen_expects_every_doctor_check_the_app_has():
    """packaging/check-frozen.sh (run by CI on the frozen build) lists doctor's check names: a
    check added to the app (wake) must be added there too, or CI's last step fails."""
    import re

    from webinar_tray.commands.doctor.checks import NAMES

    script = (Path(__file__).resolve().parents[1] / "packaging" / "check-frozen.sh").read_text()
    listed = re.search(r"want = \[(.*?)\]", script, re.S).group(1)
    assert sorted(re.findall(r'"(\w+)"', listed)) == sorted(NAMES)
