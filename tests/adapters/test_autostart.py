"""Autostart: the Linux XDG entry for real (written, validated by desktop-file-validate, launched
by GLib), the Windows Run value and the macOS LaunchAgent by their exact content, their OS calls
through fakes here and for real on their own OS."""

from __future__ import annotations

import json
import os
import plistlib
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import have, require
from webinar_tray.adapters.desktop.autostart import AutostartStatus, platform_autostart
from webinar_tray.adapters.desktop.autostart.command import launch_command
from webinar_tray.adapters.desktop.autostart.linux import LinuxAutostart, desktop_entry, exec_value
from webinar_tray.adapters.desktop.autostart.macos import (
    MacAutostart,
    launch_agent_plist,
    parse_print_disabled,
    parse_print_pid,
)
from webinar_tray.adapters.desktop.autostart.windows import (
    APPROVED_KEY,
    APPROVED_ON,
    RUN_KEY,
    WindowsAutostart,
    parse_startup_approved,
    run_value,
)
from webinar_tray.env import Env

WEIRD_HOMES = [
    "/home/ann/webinar tray",
    '/tmp/my "home" 100% $HOME\\x',
    "/tmp/`cmd` 'q' ~ & ; # * ? ( ) < > |",
    "/tmp/tab\there",
    "/tmp/100%done",
    "/tmp/plain",
]


# ---- a Desktop Entry Specification 1.5 Exec parser (strict: refuses what the spec forbids) ----
_STRING_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def unescape_string(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _field_codes(arg: str) -> str:
    out, i = [], 0
    while i < len(arg):
        if arg[i] == "%":
            if arg[i + 1:i + 2] != "%":
                raise ValueError(f"a field code in {arg!r}")
            out.append("%")
            i += 2
        else:
            out.append(arg[i])
            i += 1
    return "".join(out)


def parse_exec(value: str) -> list[str]:
    """The argv an Exec value (as written in the file) stands for."""
    s = unescape_string(value)
    args: list[str] = []
    i = 0
    while i < len(s):
        if s[i] == " ":
            i += 1
            continue
        if s[i] == '"':  # a quoted argument, in whole
            cur, i = "", i + 1
            while True:
                if i >= len(s):
                    raise ValueError("unterminated quote")
                c = s[i]
                if c == "\\" and s[i + 1:i + 2] in ('"', "`", "$", "\\"):
                    cur, i = cur + s[i + 1], i + 2
                    continue
                if c == '"':
                    i += 1
                    break
                if c in "`$\\":
                    raise ValueError(f"unescaped {c!r} inside quotes")
                cur, i = cur + c, i + 1
            if i < len(s) and s[i] != " ":
                raise ValueError("a quoted argument must be quoted in whole")
        else:
            cur = ""
            while i < len(s) and s[i] != " ":
                if s[i] in _RESERVED:
                    raise ValueError(f"reserved {s[i]!r} outside quotes")
                cur, i = cur + s[i], i + 1
        args.append(_field_codes(cur))
    return args


def validate(path: Path) -> None:
    require(have("desktop-file-validate"), "desktop-file-validate", "apt-get install desktop-file-utils")
    r = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


# ---- the launch command --------------------------------------------------------------------
def test_launch_command_source_and_frozen():
    py = "/opt/venv/bin/python"
    source, frozen = Env(platform="linux", frozen=False), Env(platform="linux", frozen=True)
    assert launch_command(None, source, executable=py) == [py, "-m", "webinar_tray"]
    assert launch_command("/h/x y", source, executable=py) == [py, "-m", "webinar_tray", "--home", "/h/x y"]
    assert launch_command("/h", frozen, executable="/opt/wt/webinar-tray") == [
        "/opt/wt/webinar-tray", "--home", "/h"]
    assert launch_command("rel", source, executable=py)[-1] == str(Path("rel").resolve())


def test_launch_command_windows_prefers_windowed_programs():
    here = {r"C:\Py\pythonw.exe", r"C:\App\webinar-tray.exe"}
    ex = here.__contains__
    source, frozen = Env(platform="win32", frozen=False), Env(platform="win32", frozen=True)
    assert launch_command(r"D:\x y", source, executable=r"C:\Py\python.exe", exists=ex) == [
        r"C:\Py\pythonw.exe", "-m", "webinar_tray", "--home", r"D:\x y"]
    assert launch_command(None, source, executable=r"C:\Other\python.exe", exists=ex) == [
        r"C:\Other\python.exe", "-m", "webinar_tray"]
    assert launch_command(None, frozen, executable=r"C:\App\webinar-tray-cli.exe", exists=ex) == [
        r"C:\App\webinar-tray.exe"]
    assert launch_command(None, frozen, executable=r"C:\App\webinar-tray.exe", exists=ex) == [
        r"C:\App\webinar-tray.exe"]


# ---- Linux ---------------------------------------------------------------------------------
def test_exec_value_exact():
    assert exec_value(["/usr/bin/python3", "-m", "webinar_tray"]) == "/usr/bin/python3 -m webinar_tray"
    assert exec_value(["/p y/python", "--home", '/h/a "b" $c\\d`e` 5%']) == (
        '"/p y/python" --home "/h/a \\\\"b\\\\" \\\\$c\\\\\\\\d\\\\`e\\\\` 5%%"')
    assert exec_value(["/x", "50%", ""]) == '/x 50%% ""'


@pytest.mark.parametrize("home", WEIRD_HOMES)
def test_exec_round_trips_through_the_spec(home):
    argv = ["/opt/my apps/python3", "-m", "webinar_tray", "--home", home]
    assert parse_exec(exec_value(argv)) == argv


def linux(tmp_path, command=("/usr/bin/python3", "-m", "webinar_tray"), **env) -> LinuxAutostart:
    env = {"HOME": str(tmp_path / "user"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_CONFIG_DIRS": str(tmp_path / "etc-xdg"), **env}
    return LinuxAutostart(list(command), Env(platform="linux", environ=env), icon=None)


def test_linux_enable_status_disable(tmp_path):
    home = tmp_path / 'my "home" 100% $x'
    a = linux(tmp_path, ["/usr/bin/python3", "-m", "webinar_tray", "--home", str(home)])
    assert a.path == tmp_path / "cfg" / "autostart" / "webinar-tray.desktop"
    assert a.status() == AutostartStatus(False, f"off (no {a.path})")

    st = a.enable()
    assert st.enabled and st.problem is None and not st.broken
    validate(a.path)
    text = a.path.read_text()
    for line in ("[Desktop Entry]", "Type=Application", "Name=webinar-tray", "Terminal=false",
                 "X-GNOME-Autostart-enabled=true"):
        assert line in text.splitlines()
    exec_line = next(x for x in text.splitlines() if x.startswith("Exec="))[5:]
    assert parse_exec(exec_line) == ["/usr/bin/python3", "-m", "webinar_tray", "--home", str(home)]
    assert "Icon=" not in text and "Hidden" not in text
    assert oct(a.path.stat().st_mode & 0o777) == "0o644"

    st = a.disable()
    assert a.path.exists(), "disable keeps the file (Hidden=true, the XDG autostart way)"
    assert "Hidden=true" in a.path.read_text().splitlines()
    validate(a.path)
    assert not st.enabled and st.problem is None and "Hidden=true" in st.detail
    assert a.disable().detail == st.detail  # twice: the same

    assert a.enable().enabled
    assert "Hidden" not in a.path.read_text()


def test_linux_icon_and_default_config_home(tmp_path):
    icon = tmp_path / "icons dir" / "webinar-tray.png"
    icon.parent.mkdir()
    icon.write_bytes(b"\x89PNG\r\n\x1a\n")
    a = LinuxAutostart(["/usr/bin/python3", "-m", "webinar_tray"],
                       Env(platform="linux", environ={"HOME": str(tmp_path / "u"),
                                                      "XDG_CONFIG_HOME": "relative/ignored"}),
                       icon=str(icon))
    assert a.path == tmp_path / "u" / ".config" / "autostart" / "webinar-tray.desktop"
    a.enable()
    assert f"Icon={icon}" in a.path.read_text().splitlines()
    validate(a.path)


def test_linux_default_icon_is_the_app_icon():
    # It once asked for an icon named "app", which does not exist: no Icon= line was written.
    from webinar_tray import icons
    from webinar_tray.adapters.desktop.autostart.linux import _default_icon

    found = _default_icon()
    assert found == str(icons.icon_path(icons.APP, "png").resolve())
    assert os.path.isabs(found) and os.path.isfile(found)


def test_linux_status_reports_what_others_wrote(tmp_path):
    a = linux(tmp_path)
    a.path.parent.mkdir(parents=True)
    a.enable()
    a.path.write_text(a.path.read_text().replace("X-GNOME-Autostart-enabled=true",
                                                 "X-GNOME-Autostart-enabled=false"))
    st = a.status()
    assert not st.enabled and not st.broken and "startup applications" in st.problem

    a.path.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=/usr/local/bin/my-tray --x\n")
    st = a.status()
    assert st.broken and st.enabled and "not written by webinar-tray" in st.problem
    assert "/usr/local/bin/my-tray --x" in st.detail
    a.disable()  # keeps their file, hidden
    assert a.path.read_text() == ("[Desktop Entry]\nType=Application\nName=Mine\n"
                                  "Exec=/usr/local/bin/my-tray --x\nHidden=true\n")
    assert not a.status().enabled

    other = linux(tmp_path, ["/usr/bin/python3", "-m", "webinar_tray", "--home", "/elsewhere"])
    other.enable()
    st = a.status()
    assert st.broken and "another installation or home folder" in st.problem

    a.path.write_text("not a desktop file")
    assert a.status().broken


def test_linux_disable_hides_a_system_wide_entry(tmp_path):
    a = linux(tmp_path)
    system = tmp_path / "etc-xdg" / "autostart" / "webinar-tray.desktop"
    system.parent.mkdir(parents=True)
    system.write_text(desktop_entry(a.command))
    st = a.status()
    assert st.enabled and str(system) in st.detail
    st = a.disable()
    assert not st.enabled and a.path.exists() and "Hidden=true" in a.path.read_text()
    validate(a.path)


def test_glib_launches_the_exact_argv(tmp_path):
    """GNOME's session starts autostart entries through GLib: `gio launch` runs the same code."""
    require(have("gio"), "gio (GLib)", "apt-get install libglib2.0-bin")
    out = tmp_path / "argv.json"
    script = tmp_path / "echo args.py"
    script.write_text("import json, sys\nopen(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))\n")
    weird = WEIRD_HOMES[1] + " " + WEIRD_HOMES[2]
    a = linux(tmp_path, [sys.executable, str(script), str(out), "--home", weird, "", "%f"])
    a.enable()
    r = subprocess.run(["gio", "launch", str(a.path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    deadline = time.time() + 20
    while not out.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert json.loads(out.read_text()) == ["--home", weird, "", "%f"]


# ---- Windows -------------------------------------------------------------------------------
def parse_windows_args(line: str) -> list[str]:
    """CommandLineToArgvW: the program up to its closing quote, then the C runtime's rules."""
    assert line.startswith('"')
    end = line.index('"', 1)
    argv, i = [line[1:end]], end + 1
    cur, quoted, started = "", False, False
    while i < len(line):
        c = line[i]
        if c == "\\":
            n = len(line[i:]) - len(line[i:].lstrip("\\"))
            if line[i + n:i + n + 1] == '"':
                cur += "\\" * (n // 2)
                if n % 2:
                    cur += '"'
                    i += n + 1
                else:
                    i += n
                started = True
                continue
            cur, i, started = cur + "\\" * n, i + n, True
        elif c == '"':
            quoted, i, started = not quoted, i + 1, True
        elif c in " \t" and not quoted:
            if started:
                argv.append(cur)
            cur, started, i = "", False, i + 1
        else:
            cur, i, started = cur + c, i + 1, True
    if started:
        argv.append(cur)
    return argv


def test_run_value_exact():
    assert run_value([r"C:\Path With Spaces\webinar-tray.exe", "--home", r"D:\x y"]) == (
        r'"C:\Path With Spaces\webinar-tray.exe" --home "D:\x y"')
    assert run_value([r"C:\Apps\webinar-tray.exe"]) == r'"C:\Apps\webinar-tray.exe"'
    assert run_value([r"C:\Py\pythonw.exe", "-m", "webinar_tray", "--home", "D:\\"]) == (
        '"C:\\Py\\pythonw.exe" -m webinar_tray --home D:\\')
    assert run_value([r"C:\a.exe", "--home", "D:\\x y\\"]) == '"C:\\a.exe" --home "D:\\x y\\\\"'
    assert run_value([r"C:\a.exe", 'say "hi"', ""]) == '"C:\\a.exe" "say \\"hi\\"" ""'


@pytest.mark.parametrize("home", [r"D:\x y", "D:\\x y\\", r"C:\Users\Ann\100% webinar", 'a\\"b c',
                                  r"\\server\share\with space", "D:\\", ""])
def test_run_value_round_trips(home):
    argv = [r"C:\Program Files\webinar-tray\webinar-tray.exe", "--home", home]
    assert parse_windows_args(run_value(argv)) == argv


@pytest.mark.parametrize("data, expected", [
    (b"\x02" + b"\x00" * 11, True),
    (b"\x06" + b"\x00" * 11, True),
    (b"\x03\x00\x00\x00" + bytes.fromhex("f0d2a1b3c4d5da01"), False),
    (b"\x07\x00\x00\x00" + bytes.fromhex("f0d2a1b3c4d5da01"), False),
    (None, None), (b"", None), ("02", None),
])
def test_parse_startup_approved(data, expected):
    assert parse_startup_approved(data) is expected


class FakeRegistry:
    def __init__(self):
        self.values: dict[tuple[str, str], object] = {}

    def read(self, key, name):
        return self.values.get((key, name))

    def write_string(self, key, name, value):
        self.values[(key, name)] = value

    def write_binary(self, key, name, data):
        self.values[(key, name)] = bytes(data)

    def delete(self, key, name):
        return self.values.pop((key, name), None) is not None


def test_windows_autostart_logic_with_a_fake_registry():
    reg = FakeRegistry()
    cmd = [r"C:\Path With Spaces\webinar-tray.exe", "--home", r"D:\x y"]
    a = WindowsAutostart(cmd, registry=reg)
    assert not a.status().enabled
    assert a.enable().enabled
    assert reg.values == {(RUN_KEY, "webinar-tray"): r'"C:\Path With Spaces\webinar-tray.exe" --home "D:\x y"'}
    reg.values[(APPROVED_KEY, "webinar-tray")] = b"\x03" + b"\x00" * 11  # Task Manager: off
    st = a.status()
    assert not st.enabled and not st.broken and "disabled in Task Manager → Startup apps" in st.problem
    assert a.enable().enabled and reg.values[(APPROVED_KEY, "webinar-tray")] == APPROVED_ON
    reg.values[(RUN_KEY, "webinar-tray")] = r'"C:\Old\webinar-tray.exe"'
    st = a.status()
    assert st.broken and r"C:\Old" in st.detail
    st = a.disable()
    assert not st.enabled and st.problem is None and reg.values == {}


def test_windows_registry_for_real():
    if sys.platform != "win32":
        pytest.skip("Windows-only: winreg")
    name = f"webinar-tray-test-{secrets.token_hex(4)}"
    a = WindowsAutostart([sys.executable, "-m", "webinar_tray", "--home", r"C:\x y"], name=name)
    try:
        assert a.enable().enabled
        assert a.registry.read(RUN_KEY, name) == run_value(a.command)
    finally:
        assert not a.disable().enabled


# ---- macOS ---------------------------------------------------------------------------------
def test_launch_agent_plist_exact():
    argv = ["/Applications/Webinar Tray.app/Contents/MacOS/webinar-tray", "--home", "/Users/ann/My Home"]
    assert launch_agent_plist("io.github.webinar-tray", argv).decode() == """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>io.github.webinar-tray</string>
	<key>LimitLoadToSessionType</key>
	<string>Aqua</string>
	<key>ProcessType</key>
	<string>Interactive</string>
	<key>ProgramArguments</key>
	<array>
		<string>/Applications/Webinar Tray.app/Contents/MacOS/webinar-tray</string>
		<string>--home</string>
		<string>/Users/ann/My Home</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
"""


def test_launchctl_output_parsers():
    text = '\tdisabled services = {\n\t\t"com.apple.x" => enabled\n\t\t"io.github.webinar-tray" => disabled\n\t}\n'
    assert parse_print_disabled(text, "io.github.webinar-tray")
    assert not parse_print_disabled(text, "com.apple.x")
    assert parse_print_disabled('"io.github.webinar-tray" => true', "io.github.webinar-tray")
    assert parse_print_pid("gui/501/io.github.webinar-tray = {\n\tstate = running\n\tpid = 4242\n}") == 4242
    assert parse_print_pid("\tstate = not running\n") is None


class FakeLaunchctl:
    def __init__(self, answers=None):
        self.calls: list[list[str]] = []
        self.answers = answers or {}

    def __call__(self, args):
        self.calls.append(args)
        rc, out = self.answers.get(args[1], (0, ""))
        return subprocess.CompletedProcess(args, rc, out, "")


def test_mac_autostart_logic_with_a_fake_launchctl(tmp_path):
    cmd = ["/Applications/Webinar Tray.app/Contents/MacOS/webinar-tray", "--home", "/Users/a/My Home"]
    fake = FakeLaunchctl({"bootstrap": (5, "Bootstrap failed: 5: Input/output error")})
    a = MacAutostart(cmd, home=tmp_path, uid=501, run=fake)
    plist = tmp_path / "Library" / "LaunchAgents" / "io.github.webinar-tray.plist"
    st = a.enable()  # "already loaded" is fine
    assert st.enabled and st.problem is None and "loaded at the next login" not in st.detail
    assert plist.read_bytes() == launch_agent_plist("io.github.webinar-tray", cmd)
    assert fake.calls[:2] == [["/bin/launchctl", "enable", "gui/501/io.github.webinar-tray"],
                              ["/bin/launchctl", "bootstrap", "gui/501", str(plist)]]
    fake.answers["print-disabled"] = (0, '"io.github.webinar-tray" => disabled')
    st = a.status()
    assert not st.enabled and "launchd" in st.problem
    del fake.answers["print-disabled"]

    fake.calls.clear()
    fake.answers["print"] = (0, "state = running\n\tpid = 777\n")
    assert not a.disable().enabled and not plist.exists()
    assert ["/bin/launchctl", "bootout", "gui/501/io.github.webinar-tray"] not in fake.calls, \
        "the running app is not booted out (that would quit it)"
    a.enable()
    fake.calls.clear()
    fake.answers["print"] = (0, "state = not running\n")
    a.disable()
    assert fake.calls[-1] == ["/bin/launchctl", "bootout", "gui/501/io.github.webinar-tray"]

    plist.parent.mkdir(parents=True, exist_ok=True)
    plist.write_bytes(plistlib.dumps({"Label": "io.github.webinar-tray", "ProgramArguments": ["/old/wt"]}))
    assert a.status().broken


def test_launchctl_for_real(tmp_path):
    if sys.platform != "darwin":
        pytest.skip("macOS-only: launchctl")
    a = MacAutostart(["/usr/bin/true"], label=f"io.github.webinar-tray.test-{secrets.token_hex(4)}")
    try:
        assert a.enable().enabled
    finally:
        assert not a.disable().enabled


def test_platform_choice():
    cmd = ["/x"]
    assert type(platform_autostart(cmd, Env(platform="win32"))).__name__ == "WindowsAutostart"
    assert type(platform_autostart(cmd, Env(platform="darwin"))).__name__ == "MacAutostart"
    assert type(platform_autostart(cmd, Env(platform="linux"))).__name__ == "LinuxAutostart"
    assert type(platform_autostart(cmd, Env(platform="freebsd14"))).__name__ == "LinuxAutostart"
