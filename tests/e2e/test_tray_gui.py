"""The tray app end to end on a real Linux desktop stack: Xvfb, a private D-Bus session, a tray
host (trayer), a notification daemon (dunst), pystray's GTK backend (PyGObject). The menu is
opened with xdotool like a user does, its items are found through the accessibility tree
(AT-SPI) and clicked; notifications are read off the bus with dbus-monitor."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import have, require
from tests.e2e.helpers import wait_for, wait_in_log

PYGOBJECT_HOW = ("apt-get install libgirepository1.0-dev libcairo2-dev gir1.2-gtk-3.0 "
                 "gir1.2-ayatanaappindicator3-0.1 gir1.2-atspi-2.0 pkg-config && uv sync --extra linux-tray")
ATSPI = Path(__file__).with_name("atspi_menu.py")
BARE_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/></policy></busconfig>
"""


def _gi_ok() -> bool:
    r = subprocess.run([sys.executable, "-c", "import gi; gi.require_version('Gtk', '3.0'); "
                        "gi.require_version('Atspi', '2.0'); from gi.repository import Gtk, Atspi"],
                       capture_output=True)
    return r.returncode == 0


def _free_display() -> int:
    for n in range(130, 160):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    pytest.fail("no free X display number")


class Desktop:
    """Xvfb + a D-Bus session + trayer + dunst + dbus-monitor, torn down in reverse."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}
        self.monitor_log = tmp / "dbus-monitor.log"

    def _spawn(self, argv, **kw) -> subprocess.Popen:
        p = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL,
                             stdout=kw.pop("stdout", subprocess.DEVNULL), stderr=subprocess.DEVNULL, **kw)
        self.procs.append(p)
        return p

    def start(self, notifications: bool = True) -> "Desktop":
        """notifications=False: a session bus that can start nothing (no notification daemon,
        none activatable), as on a bare window manager."""
        n = _free_display()
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYSTRAY_BACKEND", "WAYLAND_DISPLAY")}
        self.env["DISPLAY"] = f":{n}"
        self._spawn(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        wait_for(lambda: os.path.exists(f"/tmp/.X11-unix/X{n}"), 10, 0.1, "Xvfb")
        bus = ["--session"]
        if not notifications:
            conf = self.tmp / "bare-session.conf"
            conf.write_text(BARE_BUS)
            bus = [f"--config-file={conf}"]
        out = subprocess.run(["dbus-daemon", *bus, "--fork", "--print-address=1", "--print-pid=1"],
                             capture_output=True, text=True, timeout=10, check=True).stdout.split()
        self.env["DBUS_SESSION_BUS_ADDRESS"], self.bus_pid = out[0], int(out[1])
        self.monitor = self._spawn(["dbus-monitor", "--session", "interface='org.freedesktop.Notifications'"],
                                   stdout=open(self.monitor_log, "w"))
        self._spawn(["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel",
                     "--width", "200", "--height", "32"])
        if notifications:
            self._spawn(["dunst"])
        return self

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            os.kill(self.bus_pid, 15)
        except (AttributeError, ProcessLookupError):
            pass

    def run(self, *argv, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=30, **kw)

    def screenshot(self, path: Path) -> None:
        self.run("import", "-window", "root", str(path))

    def notifications(self) -> list[tuple[str, str]]:
        """(title, body) of every Notify call seen on the bus."""
        text = self.monitor_log.read_text(errors="replace")
        found = []
        for call in text.split("member=Notify")[1:]:
            strings = re.findall(r'^\s+string "(.*)"$', call, flags=re.M)
            if len(strings) >= 4:  # app name, icon, summary, body
                found.append((strings[2], strings[3]))
        return found

    def icon_center(self) -> tuple[int, int] | None:
        """The centre of the first icon docked in trayer's panel (a window inside it)."""
        tree = self.run("xwininfo", "-root", "-tree").stdout.splitlines()
        geometry = re.compile(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(\d+)\+(\d+)")
        for i, line in enumerate(tree):
            if '("panel" "trayer")' not in line:
                continue
            depth = len(line) - len(line.lstrip())
            for child in tree[i + 1:]:
                if len(child) - len(child.lstrip()) <= depth:
                    break
                m = geometry.search(child)
                if m and int(m.group(1)) >= 16 and int(m.group(2)) >= 16:
                    w, h, x, y = map(int, m.groups())
                    return x + w // 2, y + h // 2
        return None

    def click_menu(self, *path: str, screenshot: Path | None = None) -> None:
        """Right-click the docked icon and click the menu item at `path` (AT-SPI), three tries;
        `screenshot`: the open menu as the user sees it, taken first."""
        attempts: list[str] = []
        for attempt in range(3):
            center = wait_for(self.icon_center, 30, 0.5, "the tray icon in trayer")
            self.run("xdotool", "mousemove", str(center[0]), str(center[1]), "click", "3")
            if screenshot is not None:
                self.run(sys.executable, str(ATSPI), "--no-click", "webinar-tray", *path[:-1])
                self.screenshot(screenshot)
            r = self.run(sys.executable, str(ATSPI), "webinar-tray", *path)
            attempts.append(f"attempt {attempt + 1}: exit {r.returncode}\n{r.stdout}{r.stderr}")
            if r.returncode == 0:
                return
            self.run("xdotool", "key", "Escape")
            time.sleep(1)
        self.screenshot(self.tmp / "menu-failed.png")
        pytest.fail(f"menu item {path} not clicked (screenshot {self.tmp / 'menu-failed.png'}):\n"
                    + "\n".join(attempts))

def _require_desktop_tools() -> None:
    for tool, pkg in (("Xvfb", "xvfb"), ("dbus-daemon", "dbus"), ("dbus-monitor", "dbus"),
                      ("trayer", "trayer"), ("dunst", "dunst"), ("xdotool", "xdotool"),
                      ("xwininfo", "x11-utils"), ("import", "imagemagick")):
        require(have(tool), tool, f"apt-get install {pkg}")
    require(_gi_ok(), "PyGObject with GTK 3 and AT-SPI", PYGOBJECT_HOW)


@pytest.fixture
def desktop(tmp_path):
    _require_desktop_tools()
    d = Desktop(tmp_path).start()
    yield d
    d.stop()


@pytest.fixture
def bare_desktop(tmp_path):
    _require_desktop_tools()
    d = Desktop(tmp_path).start(notifications=False)
    yield d
    d.stop()


def test_tray_menu_join_now_leave_and_quit_with_notifications(desktop, home, chromium, tmp_path):
    (home / "config.toml").write_text(
        "[join]\nheadless = true\ngrace_seconds = 2\nstep_timeout_seconds = 20\nscreenshot_minutes = 0\n"
        f'[browser]\nexecutable_path = "{chromium}"\n'
        "[demo]\nstart_after_seconds = 5\nduration_seconds = 15\n")
    env = dict(desktop.env, WEBINAR_TRAY_HOME=str(home), PYTHONUNBUFFERED="1")
    log = tmp_path / "tray.log"
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "webinar_tray", "--demo"], env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)

    def history() -> list[dict]:
        r = subprocess.run([sys.executable, "-m", "webinar_tray", "history", "--json", "--demo"],
                           env=env, capture_output=True, text=True, timeout=60)
        return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else []

    def manual() -> dict | None:
        return next((r for r in history() if "Cloud incident response" in r["title"]), None)

    try:
        wait_in_log(proc, log, "tray icon up", 60, "the tray icon")
        out = log.read_text()
        assert "pystray backend gtk" in out or "pystray backend appindicator" in out, out
        # the auto-joined demo webinar: a reminder, then joined
        wait_for(lambda: any(t == "Joined webinar" for t, _ in desktop.notifications()), 90,
                 what="the 'Joined webinar' notification")

        # "Join now" on the webinar whose auto-join is off, from its submenu
        desktop.click_menu(r"re:^\d\d:\d\d Demo webinar: Cloud incident response", "Join now",
                            screenshot=tmp_path / "menu.png")
        assert (tmp_path / "menu.png").stat().st_size > 10_000
        wait_for(lambda: any(t == "Joined webinar" and "Cloud incident" in b for t, b in desktop.notifications()),
                 90, what="the manual webinar joined")
        assert manual() is None, "still being attended: not in the history yet"

        # The header now says Watching: ... — Leave
        desktop.click_menu("Watching: Demo webinar: Cloud incident response")
        left = wait_for(manual, 60, what="the manual webinar left")
        assert left["joined_at"] and left["left_at"] and left["outcome"] in ("partial", "attended"), left

        desktop.click_menu("Quit")
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            desktop.screenshot(tmp_path / "end.png")
            proc.kill()
            proc.wait(10)
    text = log.read_text()
    assert code == 0, text
    assert "Quit chosen in the tray menu" in text and "stopped" in text
    assert "Traceback" not in text and " ERROR " not in text, text
    seen = desktop.notifications()
    titles = [t for t, _ in seen]
    assert any(t.startswith("Webinar in ") for t in titles), seen  # the reminder
    joined_bodies = [b for t, b in seen if t == "Joined webinar"]
    assert any("Zero trust" in b for b in joined_bodies) and any("Cloud incident" in b for b in joined_bodies), seen
    assert any(t == "Webinar ended" and "Cloud incident" in b for t, b in seen), seen
    rows = {r["title"]: r for r in history()}
    auto = next(r for title, r in rows.items() if "Zero trust" in title)
    assert auto["outcome"] in ("attended", "partial") and auto["joined_at"], auto


def _idle_tray(desktop, home, tmp_path):
    from datetime import datetime, timedelta, timezone

    from tests.e2e.helpers import ics

    far = datetime.now(timezone.utc) + timedelta(hours=30)
    (home / "cal.ics").write_text(ics({"uid": "far", "start": far, "end": far + timedelta(hours=1),
                                       "title": "Far webinar", "location": "BrightTALK"}))
    (home / "config.toml").write_text('[ics]\nurls = ["cal.ics"]\n')
    # These tests click nothing: GTK is kept off the accessibility bus, which each test's fresh
    # D-Bus session has to start anew (a stalled start would hold the icon for D-Bus's 25 s timeout).
    env = dict(desktop.env, WEBINAR_TRAY_HOME=str(home), PYTHONUNBUFFERED="1", NO_AT_BRIDGE="1")
    log = tmp_path / "tray.log"
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "webinar_tray"], env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    return proc, log


@pytest.mark.parametrize("sig, settle", [(15, 2.0), (2, 2.0), (15, 0.0)],
                         ids=["SIGTERM", "SIGINT", "SIGTERM-as-the-icon-comes-up"])
def test_a_signal_quits_the_idle_tray_at_once_closing_everything(desktop, home, tmp_path, sig, settle):
    """Nothing due, nothing redrawn: the main thread sits in GTK's loop (which also resets
    SIGINT to the default on start); the signal must still close the app cleanly. With no
    settling (a session ending during an autostart) the quit comes before the icon's loop runs,
    whose own quit would be lost: the app must not hang either."""
    proc, log = _idle_tray(desktop, home, tmp_path)
    try:
        wait_in_log(proc, log, "tray icon up", 60, "the tray icon", every=0.2 if settle else 0.005)
        time.sleep(settle)  # past the first redraws: idle
        proc.send_signal(sig)
        code = proc.wait(10)  # the menu redraws every 30 s: a missed signal would wait for it
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = log.read_text()
    name = {15: "SIGTERM", 2: "SIGINT"}[sig]
    assert code == 0 and f"signal {name}: quitting" in text and "stopped" in text, text


def test_the_tray_runs_without_a_notification_service(bare_desktop, home, tmp_path):
    """No notification daemon on the bus (none activatable): the icon still comes up, the
    notifications go to the log, and the app says so once."""
    proc, log = _idle_tray(bare_desktop, home, tmp_path)
    try:
        wait_in_log(proc, log, "tray icon up", 60, "the tray icon")
        assert wait_for(bare_desktop.icon_center, 30, 0.5, "the icon docked in trayer")
        # a second launch hands over: the running app notifies "already running"
        second = subprocess.run([sys.executable, "-m", "webinar_tray"], capture_output=True, text=True,
                                env=dict(bare_desktop.env, WEBINAR_TRAY_HOME=str(home)), timeout=60)
        assert second.returncode == 0, second.stderr
        wait_for(lambda: "notification [info] webinar-tray is already running" in log.read_text(), 30,
                 what="the hand-over notification")
        wait_for(lambda: "notifications:" in log.read_text(), 30, what="the notification path said once")
        proc.send_signal(15)
        code = proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = log.read_text()
    assert code == 0 and "Traceback" not in text and "stopped" in text, text
    assert "no notification daemon on the session bus" in text and "apt-get install dunst" in text, text
    assert "notifications: plyer" not in text and "notifications: tray icon" not in text, text
