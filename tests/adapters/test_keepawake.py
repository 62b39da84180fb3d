"""Keep-awake: the Windows flag sequence (injected SetThreadExecutionState), macOS's and Linux's
command lines, Linux for real with a stand-in systemd-inhibit, and the joiner holding it around a
real headless join of the demo site."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from webinar_tray.adapters.desktop import sysenv
from webinar_tray.adapters.desktop.keepawake import KeepAwake, platform_keep_awake
from webinar_tray.adapters.desktop.keepawake import linux, macos, windows
from webinar_tray.env import Env


# ---- choosing -------------------------------------------------------------------------------

def test_platform_choice():
    assert type(platform_keep_awake(Env(platform="win32"))).__name__ == "WindowsKeepAwake"
    assert type(platform_keep_awake(Env(platform="darwin"))).__name__ == "MacKeepAwake"
    assert type(platform_keep_awake(Env(platform="linux"))).__name__ == "LinuxKeepAwake"


# ---- Windows --------------------------------------------------------------------------------

class FakeSetState:
    def __init__(self, results=()):
        self.calls: list[tuple[int, str]] = []
        self.results = list(results)

    def __call__(self, flags):
        self.calls.append((flags, threading.current_thread().name))
        return self.results.pop(0) if self.results else 0x80000000


def test_windows_flag_values():
    assert windows.ES_CONTINUOUS == 0x80000000
    assert windows.ES_SYSTEM_REQUIRED == 0x00000001
    assert windows.ES_AWAYMODE_REQUIRED == 0x00000040
    assert windows.AWAKE == 0x80000041


def test_windows_sets_and_clears_from_its_own_thread():
    fake = FakeSetState()
    ka = windows.WindowsKeepAwake(set_state=fake)
    ka.acquire("a webinar")
    ka.acquire("again")  # idempotent
    assert ka.held
    assert [f for f, _ in fake.calls] == [windows.AWAKE]
    ka.release()
    ka.release()  # idempotent
    assert not ka.held
    assert [f for f, _ in fake.calls] == [windows.AWAKE, windows.ES_CONTINUOUS]
    threads = {t for _, t in fake.calls}
    assert threads == {"keep-awake"}  # one thread of ours, not the caller's
    ka.acquire("next webinar")
    ka.release()
    assert [f for f, _ in fake.calls][2:] == [windows.AWAKE, windows.ES_CONTINUOUS]


def test_windows_without_away_mode_falls_back():
    fake = FakeSetState(results=[0, 0x80000000])
    ka = windows.WindowsKeepAwake(set_state=fake)
    ka.acquire("x")
    ka.release()
    assert [f for f, _ in fake.calls] == [windows.AWAKE, windows.AWAKE_NO_AWAYMODE, windows.ES_CONTINUOUS]


def test_windows_failure_is_logged_once_and_never_raises(caplog):
    def broken(flags):
        raise OSError("no kernel32 here")

    ka = windows.WindowsKeepAwake(set_state=broken)
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            ka.acquire("x")
            ka.release()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "no kernel32 here" in warnings[0].getMessage()


@pytest.mark.skipif(sys.platform != "win32", reason="SetThreadExecutionState exists only on Windows")
def test_windows_real_call():
    ka = windows.WindowsKeepAwake()
    ka.acquire("test")
    assert ka.held
    ka.release()
    assert not ka.held


# ---- macOS ----------------------------------------------------------------------------------

def test_caffeinate_command_waits_for_our_pid():
    assert macos.caffeinate_command("/usr/bin/caffeinate", 4242) == ["/usr/bin/caffeinate", "-i", "-w", "4242"]
    assert macos.MacKeepAwake(Env(platform="darwin")).command("/usr/bin/caffeinate", "r") == [
        "/usr/bin/caffeinate", "-i", "-w", str(os.getpid())]


# ---- sysenv ---------------------------------------------------------------------------------

def test_system_env_restores_the_library_path_when_frozen_on_linux():
    env = {"LD_LIBRARY_PATH": "/bundle", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib", "X": "1"}
    frozen_linux = Env(platform="linux", frozen=True)
    assert sysenv.system_env(frozen_linux.with_(environ=env)) == {"LD_LIBRARY_PATH": "/usr/local/lib", "X": "1"}
    assert sysenv.system_env(frozen_linux.with_(environ={"LD_LIBRARY_PATH": "/bundle"})) == {}
    assert sysenv.system_env(Env(platform="linux", environ=env)) == env
    assert sysenv.system_env(Env(platform="win32", frozen=True, environ=env)) == env
    assert sysenv.popen_flags(Env(platform="win32")) == {"creationflags": 0x08000000}
    assert sysenv.popen_flags(Env(platform="linux")) == {}


# ---- Linux, with a stand-in systemd-inhibit -------------------------------------------------

STAND_IN = """#!/bin/sh
# records its argv (one per line), then runs the command after the options, like the real one
for a in "$@"; do printf '%s\\n' "$a"; done > "{record}.tmp" && mv "{record}.tmp" "{record}"
while [ $# -gt 0 ]; do case "$1" in --*) shift ;; *) break ;; esac; done
exec "$@"
"""


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    if sys.platform == "win32":
        pytest.skip("a POSIX shell stand-in")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "argv.txt"
    tool = bin_dir / "systemd-inhibit"
    tool.write_text(STAND_IN.format(record=record))
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return tool, record


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def is_gone(pid: int) -> bool:
    """Neither running nor a zombie: reaped."""
    return not Path(f"/proc/{pid}").exists()


def test_linux_holds_an_inhibitor_until_release(stand_in):
    tool, record = stand_in
    ka = linux.LinuxKeepAwake(Env.real())
    ka.acquire("attending  a\nwebinar")
    pid = ka.pid
    assert pid and ka.held
    assert wait_for(record.exists)
    assert record.read_text().splitlines() == [
        "--what=sleep:idle", "--who=webinar-tray", "--why=attending a webinar", "--mode=block", "cat"]
    ka.acquire("again")  # idempotent: still the one process
    assert ka.pid == pid
    time.sleep(0.3)
    assert ka.held  # it keeps running
    ka.release()
    ka.release()
    assert not ka.held
    if sys.platform.startswith("linux"):
        assert wait_for(lambda: is_gone(pid)), "the helper was not ended and reaped"


def test_linux_helper_ends_when_we_die(stand_in, tmp_path):
    """The pipe closes with us (even on SIGKILL), so the inhibitor never outlives the app."""
    import subprocess

    script = ("import time; from webinar_tray.adapters.desktop.keepawake.linux import LinuxKeepAwake\n"
              "from webinar_tray.env import Env\n"
              "ka = LinuxKeepAwake(Env.real()); ka.acquire('x'); print(ka.pid, flush=True); time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(p.stdout.readline())
        assert Path(f"/proc/{pid}").exists() or sys.platform != "linux"
        p.kill()
        p.wait(10)
        # orphaned, it is reaped by init; it must end by itself
        assert wait_for(lambda: not Path(f"/proc/{pid}").exists() or
                        "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2], timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_linux_missing_tool_is_one_log_line(monkeypatch, caplog, tmp_path):
    ka = linux.LinuxKeepAwake(Env(platform="linux", which=lambda name: None))
    with caplog.at_level(logging.DEBUG):
        ka.acquire("x")
        ka.release()
        ka.acquire("y")
    assert not ka.held
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "systemd-inhibit was not found" in warnings[0] and "systemd" in warnings[0]


def test_linux_helper_that_fails_is_logged(tmp_path, monkeypatch, caplog):
    if sys.platform == "win32":
        pytest.skip("a POSIX shell stand-in")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "systemd-inhibit"
    tool.write_text("#!/bin/sh\necho 'Failed to connect to bus: No such file or directory' >&2\nexit 1\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    ka = linux.LinuxKeepAwake(Env.real())
    with caplog.at_level(logging.INFO):
        ka.acquire("x")
        assert wait_for(lambda: not ka.held)
        assert wait_for(lambda: "Failed to connect to bus" in caplog.text)
        ka.release()
    assert "exited with status 1" in caplog.text


# ---- the joiner holds it while the browser is up ----------------------------------------------

class FakeKeepAwake(KeepAwake):
    def __init__(self):
        super().__init__()
        self.events: list[tuple[str, float]] = []

    def acquire(self, reason):
        self.events.append(("acquire", time.monotonic()))

    def release(self):
        self.events.append(("release", time.monotonic()))


@pytest.mark.chromium
@pytest.mark.parametrize("enabled", [True, False])
def test_joiner_keeps_awake_while_attending(site, chromium, tmp_path, enabled):
    from tests.adapters.test_joiner import Recorder, make_job, settings_for
    from webinar_tray.adapters.browser.joiner import PlaywrightJoiner
    from webinar_tray.config.paths import resolve_paths

    fake = FakeKeepAwake()
    j = PlaywrightJoiner(settings_for(chromium, keep_awake=enabled), resolve_paths(tmp_path / "home"),
                         check_seconds=1.0, keep_awake=fake)
    try:
        rec = Recorder()
        job = make_job(site.url_for("on-time"), join_in=0.5, stay=3.0)
        j.attend(job, rec)
        joined = rec.wait(job.id, "joined")
        assert joined.joined_at is not None
        if enabled:
            assert [e for e, _ in fake.events] == ["acquire"]
        rec.wait(job.id, "done")
        assert wait_for(lambda: j._context is None, timeout=10)  # no page left: browser closed
        assert [e for e, _ in fake.events] == (["acquire", "release"] if enabled else [])
        j2_events = len(fake.events)
    finally:
        j.close(timeout=15)
    assert len(fake.events) == j2_events  # close() after the release: nothing more


@pytest.mark.chromium
def test_joiner_close_releases(site, chromium, tmp_path):
    from tests.adapters.test_joiner import Recorder, make_job, settings_for
    from webinar_tray.adapters.browser.joiner import PlaywrightJoiner
    from webinar_tray.config.paths import resolve_paths

    fake = FakeKeepAwake()
    j = PlaywrightJoiner(settings_for(chromium), resolve_paths(tmp_path / "home"),
                         check_seconds=1.0, keep_awake=fake)
    rec = Recorder()
    job = make_job(site.url_for("on-time"), join_in=0.0, stay=120.0)
    j.attend(job, rec)
    rec.wait(job.id, "joined")
    assert [e for e, _ in fake.events] == ["acquire"]
    j.close(timeout=15)
    assert [e for e, _ in fake.events] == ["acquire", "release"]
