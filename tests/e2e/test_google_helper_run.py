"""`run` with Google asks for its pages through the Google helper process: the app itself never
loads the Google client libraries (cryptography's native module is the mark google-auth
leaves), the helper exits when the refresh is done, the token it refreshed is saved, and
killing the app mid-refresh leaves no helper behind."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.e2e.helpers import children, start_run, wait_for, wait_in_log
from tests.e2e.test_google_list import WEBINARS, setup_home
from tests.fakegoogle import fake_google, gevent  # noqa: F401  (fixture)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def calendars(fake) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    fake.calendars["primary"] = [gevent(f"m{i}", f"Stand-up {i}", now + timedelta(hours=i + 2))
                                 for i in range(20)]
    fake.calendars[WEBINARS] = [gevent("w1", "ISC2 Think Tank", now + timedelta(hours=3),
                                       location="BrightTALK")]


def test_run_refreshes_through_the_helper_without_loading_the_google_libraries(home, fake_google, tmp_path):
    calendars(fake_google)
    setup_home(home, fake_google, "[notifications]\nenabled = false\n")
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        wait_in_log(proc, log, "refresh: Google Calendar " + WEBINARS, 60, "the first refresh")
        assert "started the Google helper" in log.read_text()
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "cryptography" not in maps and "_rust" not in maps, "google-auth was imported by the app"
        wait_for(lambda: not children(proc.pid), 30, what="the helper to exit once idle")
        saved = json.loads((home / "google-token.json").read_text())
        assert saved["token"], "the access token the helper got was saved"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    text = log.read_text()
    for secret in fake_google.secrets_issued():
        assert secret not in text


def test_a_helper_outlives_no_app_killed_mid_refresh(home, fake_google, tmp_path):
    calendars(fake_google)
    fake_google.delay = 20.0  # the helper is waiting on Google when the app dies
    setup_home(home, fake_google, "[notifications]\nenabled = false\n")
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        wait_in_log(proc, log, "started the Google helper", 60, "the helper's start")
        kids = wait_for(lambda: children(proc.pid), 10, what="the helper process")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    wait_for(lambda: not any(alive(k) for k in kids), 10, what="the orphaned helper to exit")
