"""`webinar-tray --home X autostart enable|status|disable` as a user runs it (`uv run`), and the
entry it writes really starts this app with that home folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters.test_autostart import parse_exec, validate
from tests.conftest import have, require

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="Linux-only: on Windows and macOS this would change the real login items"),
]
ROOT = Path(__file__).resolve().parents[2]


def env(tmp_path: Path) -> dict:
    e = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PYTHONUNBUFFERED="1")
    e.pop("WEBINAR_TRAY_HOME", None)  # only --home may name the home folder here
    e.pop("DISPLAY", None)
    return e


def wt(tmp_path: Path, home: Path, *args) -> subprocess.CompletedProcess:
    require(have("uv"), "uv", "pip install uv")
    return subprocess.run(["uv", "run", "--quiet", "webinar-tray", "--home", str(home), *args],
                          cwd=ROOT, env=env(tmp_path), capture_output=True, text=True, timeout=120)


def test_enable_status_disable(tmp_path):
    home = tmp_path / 'my "home" 100% $HOME'
    home.mkdir()
    (home / "config.toml").write_text('[notifications]\nenabled = false\n'
                                      '[browser]\nexecutable_path = "/nonexistent/chrome"\n')
    entry = tmp_path / "cfg" / "autostart" / "webinar-tray.desktop"

    r = wt(tmp_path, home, "autostart", "status")
    assert r.returncode == 0 and r.stdout.startswith("disabled: off"), r.stdout + r.stderr

    r = wt(tmp_path, home, "autostart", "enable")
    assert r.returncode == 0 and r.stdout.startswith("enabled: "), r.stdout + r.stderr
    validate(entry)
    exec_line = next(x for x in entry.read_text().splitlines() if x.startswith("Exec="))[5:]
    argv = parse_exec(exec_line)
    assert argv[-2:] == ["--home", str(home)] and os.path.isabs(argv[0]) and os.path.isfile(argv[0])

    # What the desktop will start at login: this app, with this home folder.
    started = subprocess.run(argv + ["doctor", "--json"], env=env(tmp_path), capture_output=True,
                             text=True, timeout=120)
    checks = {c["name"]: c for c in json.loads(started.stdout)["checks"]}
    assert str(home / "config.toml") in checks["config"]["detail"], started.stdout
    assert checks["autostart"]["ok"] is True, checks["autostart"]

    r = wt(tmp_path, home, "autostart", "status")
    assert r.returncode == 0 and r.stdout.startswith("enabled: ") and " — " not in r.stdout, r.stdout

    r = wt(tmp_path, home, "autostart", "disable")
    assert r.returncode == 0 and r.stdout.startswith("disabled: off (Hidden=true"), r.stdout + r.stderr
    assert "Hidden=true" in entry.read_text().splitlines()
    validate(entry)
    r = wt(tmp_path, home, "autostart", "status")
    assert r.returncode == 0 and r.stdout.startswith("disabled: off (Hidden=true"), r.stdout
