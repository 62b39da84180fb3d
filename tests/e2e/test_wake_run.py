"""End to end: `webinar-tray run` keeps the OS wake at the next auto-join. On Linux setting one
needs admin rights, so the running engine only says, once, which command would (the real
process: compose builds the platform's waker, the engine's due checks drive it)."""

from __future__ import annotations

import signal
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import ics, start_run, wait_in_log

pytestmark = pytest.mark.slow


def test_run_names_the_admin_command_for_the_next_auto_join(home, tmp_path):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=5)
    (home / "cal.ics").write_text(ics({"uid": "w1", "start": start, "end": start + timedelta(hours=1),
                                       "title": "Night webinar", "location": "BrightTALK",
                                       "description": "https://www.brighttalk.com/webcast/1/2"}))
    (home / "config.toml").write_text('[ics]\nurls = ["cal.ics"]\n[notifications]\nenabled = false\n')
    log = tmp_path / "run.log"
    proc = start_run(home, log=log)
    try:
        out = wait_in_log(proc, log, "needs admin rights here", 60, "the waker's log line")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    wake_at = start - timedelta(seconds=60) - timedelta(minutes=3)
    assert code == 0, log.read_text()
    assert "waking the PC for Night webinar at " in out
    assert f"sudo rtcwake -m no -t {int(wake_at.timestamp())}" in out
    assert out.count("needs admin rights here") == 1
