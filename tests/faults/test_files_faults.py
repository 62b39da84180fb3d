"""Fault suite, files and sign-in: what a crash, a full disk or a broken token store leaves
behind, run the way a user runs the app (subprocesses on a temp home) or on the real parts."""

from __future__ import annotations

import sqlite3

from tests.e2e.helpers import wt
from tests.fakegoogle import fake_google  # noqa: F401  (fixture)


def _google_home(home, fake, store="file"):
    fake.write_client_secrets(home / "client_secret.json")
    (home / "config.toml").write_text(
        f'[google]\napi_endpoint = "{fake.api_endpoint}"\ntoken_store = "{store}"\n')


def test_token_file_made_a_folder_list_says_sign_in_needed_and_exits_3(home, fake_google):
    _google_home(home, fake_google)
    (home / "google-token.json").mkdir()
    r = wt(home, "list", "--json")
    assert r.returncode == 3, r.stderr
    assert "google-token.json is a folder" in r.stderr and "login" in r.stderr
    assert "Traceback" not in r.stderr
    r = wt(home, "logout")
    assert r.returncode == 0 and "Traceback" not in r.stdout + r.stderr
    assert "google-token.json" in r.stdout


def test_empty_schema_database_is_set_aside_and_list_works(home):
    db = home / "webinar-tray.sqlite3"
    c = sqlite3.connect(db)
    c.execute("PRAGMA user_version = 1")
    c.close()
    r = wt(home, "history", "--json")
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
    assert "Traceback" not in r.stderr and "incomplete" in r.stderr
    assert len(list(home.glob("webinar-tray.sqlite3.corrupt-*"))) == 1


def test_loopback_port_in_use_at_sign_in_names_the_port_and_exits_1(home, tmp_path, fake_google):
    import socket

    from tests.e2e.test_login import SIGNED_IN, browser_script, run

    fake_google.write_client_secrets(home / "client_secret.json")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        r = run(home, "login", "--port", str(port), browser=browser_script(tmp_path))
    finally:
        taken.close()
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"port {port}" in r.stderr and "--port" in r.stderr and "Traceback" not in r.stderr
    assert fake_google.auth_requests == []  # no consent page was opened for an address that cannot answer
    assert not (home / "google-token.json").exists()
    # the default, port 0, takes any free port: it never fails this way
    r = run(home, "login", browser=browser_script(tmp_path))
    assert r.returncode == 0 and SIGNED_IN in r.stdout, r.stderr


class _FillingStore:
    """The real Store whose disk fills up: while `full`, writes of attendance rows fail the way
    sqlite does on a full disk (sqlite3.OperationalError "database or disk is full")."""

    @staticmethod
    def make(path):
        from webinar_tray.runtime.store import Store

        class FillingStore(Store):
            full = False

            def update(self, a, now):
                if self.full:
                    raise sqlite3.OperationalError("database or disk is full")
                super().update(a, now)

        return FillingStore(path)


def test_database_full_during_heartbeats_the_engine_thread_goes_on_and_the_record_is_written(tmp_path, caplog):
    import logging
    from datetime import timedelta

    from tests.fakes import T0, FakeClock, FakeJoiner, FakeNotifier, FakeSource, event
    from webinar_tray.core.settings import Settings
    from webinar_tray.runtime.engine import Engine
    from webinar_tray.runtime.loop import EngineLoop

    clock = FakeClock()
    store = _FillingStore.make(tmp_path / "db.sqlite3")
    joiner = FakeJoiner(clock)
    engine = Engine(settings=Settings(), store=store, sources=[FakeSource([event(start=T0 + timedelta(minutes=1), minutes=30)])],
                    joiner=joiner, notifier=FakeNotifier(), clock=clock)
    loop = EngineLoop(engine)
    loop.start()
    try:
        loop.call(engine.refresh).result(30)
        loop.call(engine.due_check).result(30)
        [job] = joiner.calls
        clock.t = job.join_at
        joiner.joined(job.id)
        store.full = True
        with caplog.at_level(logging.WARNING):
            for _ in range(3):
                clock.advance(minutes=1)
                loop.call(engine.due_check).result(30)  # heartbeats fail: no exception out of the check
        assert loop.alive
        assert sum("heartbeat of" in r.getMessage() and "disk is full" in r.getMessage()
                   for r in caplog.records) == 3
        store.full = False  # room again before the webinar ends
        clock.t = job.leave_at
        joiner.done(job.id)
        loop.call(engine.due_check).result(30)
        assert loop.alive
    finally:
        loop.stop()
    [a] = store.attendances()
    assert a.id == job.id and a.state == "attended" and a.joined_at == job.join_at and a.left_at == job.leave_at


# ---- whole runs: `webinar-tray run --demo` in real Chromium -----------------------------------
_DISK_FULL_RUN = """\
import errno, os, sys
import webinar_tray.adapters.browser.evidence as evidence

def disk_full(path, data):  # the one function that writes the evidence bytes
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

evidence.write_private = disk_full
from webinar_tray.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _demo_run(home, chromium, tmp_path, argv_prefix=(), umask=None):
    import os
    import signal
    import subprocess
    import sys

    from tests.e2e.helpers import env_for, history, wait_for
    from tests.e2e.test_run import config

    (home / "config.toml").write_text(
        config(chromium, "[demo]\nstart_after_seconds = 2\nduration_seconds = 6\n"))
    log = tmp_path / "run.log"
    old = os.umask(umask) if umask is not None else None
    try:
        with open(log, "w") as out:
            proc = subprocess.Popen([sys.executable, *argv_prefix, "run", "--demo"], env=env_for(home),
                                    stdout=out, stderr=subprocess.STDOUT, text=True)
    finally:
        if old is not None:
            os.umask(old)
    try:
        rows = wait_for(lambda: [r for r in history(home, "--demo") if r["outcome"] in ("attended", "partial", "failed")],
                        90, what="the demo attendance")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    assert code == 0, log.read_text()
    return rows, log.read_text()


def test_disk_full_while_writing_evidence_attendance_goes_on_and_the_record_is_intact(home, chromium, tmp_path):
    [rec], out = _demo_run(home, chromium, tmp_path, argv_prefix=("-c", _DISK_FULL_RUN))
    assert rec["outcome"] == "attended" and rec["minutes"] > 0 and rec["error"] in (None, ""), (rec, out)
    assert rec["evidence"] == []
    warnings = [ln for ln in out.splitlines() if "could not be written" in ln]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], out
    assert "Traceback" not in out
    evidence = home / "demo" / "evidence"
    assert not evidence.exists() or list(evidence.iterdir()) == []  # no half-written file


def test_a_demo_run_under_umask_022_leaves_nothing_readable_by_others(home, chromium, tmp_path):
    import os

    from tests.test_private_files import loose

    os.chmod(home, 0o755)  # as an older version left it
    [rec], out = _demo_run(home, chromium, tmp_path, argv_prefix=("-m", "webinar_tray"), umask=0o022)
    assert rec["evidence"], (rec, out)  # screenshots were written: they are walked too
    # (which process logs the tightening is a race between `run` and the polling `history`:
    # the one-line-per-path logging is proved in tests/test_private_files.py)
    assert loose(home) == [], out
