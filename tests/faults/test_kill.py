"""The app SIGKILLed mid-webinar (no handler runs: pages stay open, the record says "attending",
the lock and the port file are left behind) and started again: it resumes the webinar once, into
the same record, with the time away as one gap.

`run` is started as `python -m webinar_tray` directly, so the pid killed is the app's own (a
`uv run` wrapper would survive a SIGKILL sent to it and keep its child running, FACTS.md)."""

from __future__ import annotations

import os
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.e2e.helpers import ics, start_run, wait_for
from tests.e2e.test_recovery import descendants
from tests.faults.harness import BASE_CONFIG, assert_history_sound


def exe_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def kill_orphans(started: dict[int, str | None]) -> None:
    """Ends the browser and driver processes the killed app had started (by pid, and only while
    the pid still runs the same program), so the test leaves nothing behind."""
    for pid, exe in started.items():
        if exe is not None and exe_of(pid) == exe:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def records(home: Path) -> list:
    from webinar_tray.runtime.store import Store

    s = Store(home / "webinar-tray.sqlite3")
    try:
        return s.attendances()
    finally:
        s.close()


def test_sigkill_mid_webinar_then_restart_resumes_once_into_the_same_record_with_one_gap(
        home, site, chromium, tmp_path):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=10)
    end = start + timedelta(seconds=30)
    (home / "cal.ics").write_text(ics({"uid": "killed@faults", "start": start, "end": end,
                                       "title": "Killed webinar", "description": site.url_for("killed")}))
    (home / "config.toml").write_text(BASE_CONFIG.format(chromium=chromium, join="") + '[ics]\nurls = ["cal.ics"]\n')
    first = start_run(home, log=tmp_path / "run1.log")
    started: dict[int, str | None] = {}
    try:
        wait_for(lambda: site.visits_of("killed", "enter"), 45, what="the first join")
        wait_for(lambda: any(a.state == "attending" for a in records(home)), 15, what="the attending record")
        started = {p: exe_of(p) for p in descendants(first.pid)}
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(15) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(15)
        kill_orphans(started)
    [left] = records(home)
    assert left.state == "attending" and left.joined_at and left.left_at is None, "nothing ran at the kill"

    log2 = tmp_path / "run2.log"
    second = start_run(home, log=log2)
    try:
        wait_for(lambda: len(site.visits_of("killed", "enter")) == 2, 45, what="the resume")
        rec = wait_for(lambda: (rs := records(home)) and rs[0].left_at and rs[0], 60, what="the end")
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(30)
    out = log2.read_text()
    assert code == 0, out
    assert f"resuming {rec.id}" in out, out
    [rec] = records(home)
    assert rec.id == left.id and rec.joined_at == left.joined_at, "the same record, first join kept"
    assert [g["why"] for g in rec.gaps] == ["app not running"], rec.gaps
    assert rec.left_at >= end and rec.state in ("attended", "partial"), rec
    assert len(site.visits_of("killed", "page")) == 2, "opened by each run once, never twice by one"
    assert_history_sound(home / "webinar-tray.sqlite3")
