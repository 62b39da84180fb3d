"""Everything the app writes is private to the user (folders 0700, files 0600) under a umask that
would make them readable by others (022), and looser leftovers are tightened once, logged."""

from __future__ import annotations

import logging
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from webinar_tray.config import private
from webinar_tray.config.paths import resolve_paths

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows ACLs are per-user folders")


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def root_logging():
    """logsetup.setup replaces the root handlers: put the test's back afterwards."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    for h in saved:
        root.addHandler(h)
    root.setLevel(level)


def loose(root: Path) -> list[str]:
    """Every path under `root` (itself included) that group or others may use."""
    out = []
    for p in [root, *root.rglob("*")]:
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            continue
        if stat.S_IMODE(st.st_mode) & 0o077:
            out.append(f"{p.relative_to(root.parent)} {stat.S_IMODE(st.st_mode):o}")
    return out


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def test_paths_ensure_makes_private_folders(tmp_path, umask022):
    paths = resolve_paths(tmp_path / "home", demo=True).ensure()
    for d in (paths.config_dir, paths.data_dir, paths.log_dir):
        assert d.is_dir() and mode(d) == 0o700, d
    assert paths.data_dir.name == "demo"
    assert loose(tmp_path / "home") == []


def test_store_database_wal_shm_and_lock_are_private(tmp_path, umask022):
    from tests.fakes import T0
    from webinar_tray.runtime.store import Attendance, Store

    db = tmp_path / "data" / "webinar-tray.sqlite3"
    s = Store(db)
    s.claim(Attendance(id="c/e/1", title="W", provider=None, join_url="https://x.example/?pwd=1",
                       start=T0, end=T0 + timedelta(hours=1), state="joining"), T0)
    s.set_meta_once("k", "v")
    names = {p.name for p in db.parent.iterdir()}
    assert {"webinar-tray.sqlite3", "webinar-tray.sqlite3-wal", "webinar-tray.sqlite3-shm",
            "webinar-tray.sqlite3.open-lock"} <= names, names
    assert loose(db.parent) == []
    s.close()


def test_instance_lock_file_is_private(tmp_path, umask022):
    from webinar_tray.runtime.instance import InstanceLock

    lock = InstanceLock(tmp_path / "engine.lock")
    assert lock.acquire()
    try:
        assert mode(tmp_path / "engine.lock") == 0o600
    finally:
        lock.release()


def test_log_file_and_its_rotations_are_private(tmp_path, umask022, root_logging):
    from webinar_tray import logsetup

    log_file = tmp_path / "logs" / "webinar-tray.log"
    logsetup.setup(log_file, stderr=False)
    [fh] = [h for h in logging.getLogger().handlers if isinstance(h, logsetup.PrivateRotatingFileHandler)]
    fh.maxBytes = 400
    for i in range(40):
        logging.getLogger("t").info("line %d %s", i, "x" * 40)
    rotations = sorted(log_file.parent.glob("webinar-tray.log.*"))
    assert len(rotations) >= 2, rotations
    assert loose(log_file.parent) == []


def test_config_writer_and_template_write_private_files(tmp_path, umask022):
    from webinar_tray.config.template import ensure_config
    from webinar_tray.config.write import set_key

    set_key(tmp_path / "a" / "config.toml", "join.headless", True)
    ensure_config(tmp_path / "b" / "config.toml")
    # a hand-written 0644 file keeps 0600 once the tray writes a key into it
    hand = tmp_path / "c" / "config.toml"
    hand.parent.mkdir(mode=0o700)
    hand.write_text('[ics]\nurls = ["https://cal.example/private-abc/basic.ics"]\n')
    assert mode(hand) == 0o644
    set_key(hand, "join.headless", True)
    assert loose(tmp_path / "a") == loose(tmp_path / "b") == loose(tmp_path / "c") == []


def test_history_page_and_csv_are_private(tmp_path, umask022):
    from webinar_tray.runtime.store import Store
    from webinar_tray.history_page import write_history_page

    paths = resolve_paths(tmp_path / "home")
    page = write_history_page(Store(tmp_path / "db.sqlite3"), paths, datetime.now(timezone.utc))
    assert page.exists() and page.with_suffix(".csv").exists()
    assert loose(tmp_path / "home") == []


def test_cpe_page_and_csv_are_private(tmp_path, umask022):
    from webinar_tray.core.settings import HistorySettings
    from webinar_tray.cpe_page import write_cpe_page
    from webinar_tray.runtime.store import Store

    paths = resolve_paths(tmp_path / "home")
    page = write_cpe_page(Store(tmp_path / "db.sqlite3"), HistorySettings(), paths, datetime.now(timezone.utc))
    assert page.name == "cpe.html" and page.with_suffix(".csv").exists()
    assert loose(tmp_path / "home") == []


def test_token_file_is_private(tmp_path, umask022):
    from webinar_tray.adapters.calendar.google.tokens import FileTokenStore

    FileTokenStore(tmp_path / "new" / "google-token.json").save({"refresh_token": "r"})
    assert loose(tmp_path / "new") == []


def test_looser_leftovers_are_tightened_once_each_logged(tmp_path, umask022, caplog):
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    (home / "evidence").mkdir()
    (home / "browser-profile" / "Default").mkdir(parents=True)
    files = [home / "config.toml", home / "webinar-tray.sqlite3", home / "logs" / "webinar-tray.log",
             home / "evidence" / "a.png", home / "browser-profile" / "Default" / "Cookies"]
    for f in files:
        f.write_text("x")
        os.chmod(f, 0o644)
    os.chmod(home, 0o755)
    other = tmp_path / "elsewhere.txt"  # not ours: left alone
    other.write_text("x")
    (home / "notes").mkdir()  # a folder of the user's own in the forced home: not walked
    (home / "notes" / "n.txt").write_text("x")
    with caplog.at_level(logging.WARNING, logger="webinar_tray.config.private"):
        resolve_paths(home).ensure()
        resolve_paths(home).ensure()  # once per process: nothing logged twice
    msgs = [r.getMessage() for r in caplog.records if "private to the user" in r.getMessage()]
    for p in [home, *files, home / "evidence", home / "browser-profile", home / "browser-profile" / "Default"]:
        assert mode(p) & 0o077 == 0, p
        assert sum(f"made {p} private" in m for m in msgs) == 1, (p, msgs)
    assert mode(other) == 0o644 and mode(home / "notes" / "n.txt") == 0o644
    assert len(msgs) == len(files) + 5  # and the folders: home, logs, evidence, browser-profile, Default


def test_a_full_disk_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "config.toml"
    private.write_private(target, b"old")

    def full(f, data):
        f.write(data[:1])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(private, "write_bytes", full)
    with pytest.raises(OSError, match="No space left"):
        private.write_private(target, b"new contents")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_command_that_sets_up_no_log_still_says_what_it_tightened(home):
    from tests.e2e.helpers import wt

    from webinar_tray.runtime.store import Store

    Store(home / "webinar-tray.sqlite3").close()  # `history` opens an existing database only
    (home / "config.toml").write_text("")
    os.chmod(home / "config.toml", 0o644)
    r = wt(home, "history", "--json")
    assert r.returncode == 0 and f"made {home / 'config.toml'} private to the user (mode 644 -> 600)" in r.stderr
    assert mode(home / "config.toml") == 0o600
    assert "made" not in wt(home, "history", "--json").stderr  # once: nothing left to tighten
