"""Everything the app writes is private to the user: folders 0700, files 0600, whatever the umask.

The modes are set on each file and folder as it is created, never through a process-wide umask
(the browsers `xdg-open` starts would inherit it). Folders and files left looser by an older
version or by hand are tightened once per process start, one log line per path (`tighten_tree`).

On Windows these are no-ops: the app's folders are under the user's %APPDATA% / %LOCALAPPDATA%,
which their ACLs already keep private, and POSIX mode bits mean little there."""

from __future__ import annotations

import atexit
import logging
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

POSIX = os.name == "posix"
DIR_MODE = 0o700
FILE_MODE = 0o600
LOCK_MODE = FILE_MODE if POSIX else -1  # filelock's `mode`: -1 is its default (Windows ACLs)
_LOOSE = stat.S_IRWXG | stat.S_IRWXO

_pending: list[str] = []  # tightenings found before logging was set up (see flush_pending)
_walked: set[tuple[str, bool]] = set()  # (root, deep) already tightened by this process


def private_dir(path: Path | str) -> Path:
    """`path` and any missing parents, created 0700 (existing folders are left as they are)."""
    path = Path(path)
    if path.is_dir():
        return path
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:
            continue
        if POSIX:
            os.chmod(d, DIR_MODE)  # mkdir's mode passes through the umask; say it exactly
    return path


def open_private(path: Path | str, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """os.open with 0600 for a file it creates (a raw descriptor: wrap it with os.fdopen)."""
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    if POSIX and flags & os.O_CREAT:
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) & _LOOSE:
                os.fchmod(fd, FILE_MODE)
        except OSError:
            os.close(fd)
            raise
    return fd


def create_private(path: Path | str) -> Path:
    """Creates an empty 0600 file at `path` unless something is there (sqlite gives its -wal and
    -shm the database file's mode, so the database is made before sqlite opens it)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        pass
    return path


def write_bytes(f, data: bytes) -> None:
    """The one place a private file's bytes are written (a test injects a full disk here)."""
    f.write(data)
    f.flush()
    os.fsync(f.fileno())


def write_private(path: Path | str, data: bytes) -> None:
    """Atomically replace `path` with `data`, readable by the user only (0600); missing folders
    are made 0700. On failure (a full disk) the old file stays and no temp file is left."""
    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if POSIX:
            os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600 already; say it anyway
        with os.fdopen(fd, "wb") as f:
            write_bytes(f, data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def tighten(path: Path | str) -> bool:
    """Removes group/other permissions from `path` (not following a symlink); logs one line when
    it changed anything. True when it did."""
    if not POSIX:
        return False
    path = Path(path)
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & _LOOSE or st.st_uid != os.geteuid():
        return False
    mode = stat.S_IMODE(st.st_mode)
    new = mode & ~_LOOSE
    try:
        os.chmod(path, new)
    except OSError as e:
        _report(f"{path} is readable by other users (mode {mode:o}) and could not be made "
                f"private: {e.strerror or e}")
        return False
    _report(f"made {path} private to the user (mode {mode:o} -> {new:o})")
    return True


def tighten_tree(roots: Iterable[Path | str], deep: bool = True) -> int:
    """Tightens each root folder and the files in it, and with `deep` everything below it too
    (once per root and depth per process; symlinks are neither followed nor changed). Returns
    how many paths changed."""
    if not POSIX:
        return 0
    changed = 0
    for root in roots:
        root = os.path.abspath(root)
        if (root, deep) in _walked or not os.path.isdir(root):
            continue
        _walked.add((root, deep))
        changed += tighten(root)
        if not deep:
            with os.scandir(root) as it:
                changed += sum(tighten(e.path) for e in it if e.is_file(follow_symlinks=False))
            continue
        for folder, dirs, files in os.walk(root):
            for name in dirs + files:
                changed += tighten(os.path.join(folder, name))
    return changed


def _report(message: str) -> None:
    if logging.getLogger().handlers:
        log.warning("%s", message)
        return
    if not _pending:  # a command that never sets up logging still says it (stderr, at exit)
        atexit.register(flush_pending)
    _pending.append(message)


def flush_pending() -> None:
    """Logs the tightenings made before logging was set up (logsetup.setup calls this)."""
    while _pending:
        log.warning("%s", _pending.pop(0))
