"""The local channel between launches, as processes: a stale port file left by a crash is never
trusted, `join -` keeps the link out of the process list, bad `--minutes` are refused."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import env_for, history, wait_for, wt
from tests.e2e.hostile import Recorder
from tests.e2e.test_run import config
from webinar_tray.config.paths import resolve_paths
from webinar_tray.runtime.instance import InstanceLock, send

# What a hostile listener would say to anything, hoping to be taken for the engine.
AGREEABLE = b'{"ok": true, "id": "adhoc/x", "title": "x"}\n'


def stale_port_file(home, demo: bool, port: int):
    f = resolve_paths(str(home), demo=demo).channel_file
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps({"pid": 999999, "port": port, "token": "left-by-a-crash"}))
    return f


def join_stdin(home, *args, stdin: str, timeout=90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webinar_tray", "join", *args], input=stdin, env=env_for(home),
                          capture_output=True, text=True, timeout=timeout)


def test_join_with_a_stale_port_file_attends_itself_and_the_listener_gets_nothing(home, site, chromium):
    (home / "config.toml").write_text(config(chromium))
    rec = Recorder(answer=AGREEABLE)
    f = stale_port_file(home, False, rec.port)
    url = site.url_for("stale", ends_at=datetime.now(timezone.utc) + timedelta(seconds=20), pwd="secret")
    try:
        r = wt(home, "join", url, "--minutes", "1", "--headless", timeout=120)
    finally:
        rec.close()
    assert r.returncode == 0, r.stderr
    assert rec.connections == 0 and rec.received == b"", "nothing at all reached the listener"
    assert "stale port file" in r.stderr and "handed to the running instance" not in r.stdout
    assert "join -" in r.stderr, "the link has a query: a hint to use stdin next time"
    assert "secret" not in r.stderr + r.stdout
    [row] = history(home)
    assert row["id"].startswith("adhoc/") and row["joined_at"]
    assert len(site.visits_of("stale", "enter")) == 1
    assert not f.exists()


def test_join_dash_reads_the_link_from_stdin(home, site, chromium):
    (home / "config.toml").write_text(config(chromium))
    url = site.url_for("piped", ends_at=datetime.now(timezone.utc) + timedelta(seconds=20), pwd="secret")
    r = join_stdin(home, "-", "--minutes", "1", "--headless", stdin=url + "\nthis second line is not read\n")
    assert r.returncode == 0, r.stderr
    assert "join -" not in r.stderr, "no hint when the link came on stdin"
    [row] = history(home)
    assert row["joined_at"] and len(site.visits_of("piped", "enter")) == 1


@pytest.mark.parametrize("stdin", ["", "\n", "   \n"])
def test_join_dash_with_nothing_on_stdin_exits_2(home, stdin):
    r = join_stdin(home, "-", stdin=stdin, timeout=30)
    assert r.returncode == 2 and "standard input" in r.stderr, r.stderr


def test_join_dash_refuses_a_non_http_link_from_stdin(home):
    r = join_stdin(home, "-", stdin="file:///etc/passwd\n", timeout=30)
    assert r.returncode == 2 and "http" in r.stderr


@pytest.mark.parametrize("minutes", ["nan", "inf", "0", "-1", "-5", "1441", "5000", "soon"])
def test_join_minutes_must_be_finite_and_1_to_1440(home, minutes):
    r = wt(home, "join", "https://www.brighttalk.com/webcast/1/2", "--minutes", minutes, timeout=30)
    assert r.returncode == 2 and "minutes" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert history(home) == []


def test_a_trayless_launch_with_a_stale_port_file_starts_and_hands_work_to_itself(home, site, chromium, tmp_path):
    """No display: the tray launch runs the engine as `run` does. A stale port file pointing at
    an agreeable listener must not make it report "already running"; once it runs, a `join` goes
    to it over the real channel (and the engine validates what it is sent)."""
    (home / "config.toml").write_text(config(chromium))
    rec = Recorder(answer=AGREEABLE)
    f = stale_port_file(home, False, rec.port)
    log = tmp_path / "tray.log"
    env = env_for(home)
    env.pop("WAYLAND_DISPLAY", None)
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "webinar_tray"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "webinar-tray running" in log.read_text(), 30, what="the engine")
        wait_for(lambda: (json.loads(f.read_text()).get("pid") == proc.pid) if f.exists() else False,
                 30, what="the new port file")
        assert not InstanceLock(resolve_paths(str(home)).lock_file).acquire()
        refused = send(f, {"cmd": "join", "url": "https://www.brighttalk.com/webcast/1/2", "minutes": "nan"})
        assert refused["ok"] is False and "minutes" in refused["error"]
        url = site.url_for("handed", ends_at=datetime.now(timezone.utc) + timedelta(seconds=20))
        r = wt(home, "join", url, "--minutes", "1", timeout=60)
        assert r.returncode == 0 and "handed to the running instance" in r.stdout, r.stderr
        wait_for(lambda: site.visits_of("handed", "enter"), 60, what="the handed-over join")
    finally:
        rec.close()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    text = log.read_text()
    assert code == 0, text
    assert "already running" not in text and "stale port file" in text
    assert rec.connections == 0 and rec.received == b""
