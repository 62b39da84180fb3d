"""The desktop's own programs: open a web link in the default browser, a file or folder with its
application, a text file in an editor, and put text on the clipboard. Every program gets the
user's environment back (a frozen build's LD_LIBRARY_PATH is ours, not theirs) and no console
window on Windows. Only http(s) links are ever opened."""

from __future__ import annotations

import logging
import os
import subprocess
import webbrowser
from pathlib import Path
from typing import Sequence

from webinar_tray.adapters.desktop.sysenv import popen_flags, system_env
from webinar_tray.core.links import is_safe
from webinar_tray.core.redact import SafeUrl
from webinar_tray.env import Env

log = logging.getLogger(__name__)


class DesktopError(Exception):
    """The desktop could not do it; the message says what is missing."""


def open_url(url: str, env: Env | None = None) -> None:
    """Open an http(s) link in the default browser (anything else is refused). A public entry:
    `env` defaults to the real one."""
    env = env or Env.real()
    if not is_safe(url):
        raise DesktopError("only http(s) links are opened")
    if system_env(env) != dict(env.environ) and env.linux and env.which("xdg-open"):
        # A frozen build's environment (its libraries, GTK's module paths) is not the user's:
        # start the desktop's opener with the user's own, instead of through webbrowser.
        _spawn(["xdg-open", url], env)
        ok = True
    else:
        ok = webbrowser.open(url, new=2)
    if not ok:
        raise DesktopError("no web browser found to open the link")
    log.info("opened %s in the default browser", SafeUrl(url))


def open_command(path: Path, env: Env) -> list[str] | None:
    """The program that opens `path` with its application (None on Windows: os.startfile)."""
    if env.windows:
        return None
    if env.macos:
        return ["open", str(path)]
    return ["xdg-open", str(path)]


def edit_command(path: Path, env: Env) -> list[str] | None:
    """The program that opens a text file for editing: TextEdit (or the default editor) on macOS,
    Notepad on Windows (a .toml file usually has no application there), xdg-open on Linux (which
    honours the desktop's text editor), or $VISUAL/$EDITOR when xdg-open is missing."""
    if env.windows:
        return ["notepad.exe", str(path)]
    if env.macos:
        return ["open", "-t", str(path)]
    if env.which("xdg-open"):
        return ["xdg-open", str(path)]
    for var in ("VISUAL", "EDITOR"):
        value = env.get(var)
        if value and value.split() and env.which(value.split()[0]):
            return [*value.split(), str(path)]
    return None


def _spawn(argv: Sequence[str], env: Env) -> None:
    try:
        subprocess.Popen(list(argv), env=system_env(env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=not env.windows,
                         **popen_flags(env))
    except OSError as e:
        raise DesktopError(f"cannot start {argv[0]}: {e.strerror or e}") from e


def open_path(path: Path, env: Env | None = None) -> None:
    """Open a file or a folder with the desktop's application for it. A public entry: `env`
    defaults to the real one."""
    env = env or Env.real()
    path = Path(path)
    if not path.exists():
        raise DesktopError(f"{path} does not exist")
    argv = open_command(path, env)
    if argv is None:
        os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
    else:
        if not env.which(argv[0]):
            raise DesktopError(f"{argv[0]} not found to open {path} (on Debian/Ubuntu: apt-get install xdg-utils)")
        _spawn(argv, env)
    log.info("opened %s", path)


def edit_file(path: Path, env: Env | None = None) -> None:
    """Open a text file in an editor. A public entry: `env` defaults to the real one."""
    env = env or Env.real()
    argv = edit_command(Path(path), env)
    if argv is None:
        raise DesktopError(f"no text editor found: open {path} yourself (or install xdg-utils)")
    _spawn(argv, env)
    log.info("opened %s for editing", path)


def clipboard_command(env: Env) -> list[str] | None:
    """A program that copies its standard input to the clipboard (None: Windows uses its API)."""
    if env.windows:
        return None
    if env.macos:
        return ["pbcopy"]
    candidates = []
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(["wl-copy"])
    if env.get("DISPLAY"):
        candidates += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    for argv in candidates:
        if env.which(argv[0]):
            return argv
    return []


def copy_text(text: str, env: Env | None = None) -> None:
    """Put `text` on the clipboard. A public entry: `env` defaults to the real one."""
    env = env or Env.real()
    argv = clipboard_command(env)
    if argv is None:
        _windows_copy(text)
        return
    if not argv:
        raise DesktopError("no clipboard program: install xclip (X11) or wl-clipboard (Wayland)")
    try:
        # xclip stays in the background to serve the selection: don't wait for it to exit.
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=system_env(env), **popen_flags(env))
        proc.stdin.write(text.encode("utf-8"))
        proc.stdin.close()
    except OSError as e:
        raise DesktopError(f"cannot start {argv[0]}: {e.strerror or e}") from e


def _windows_copy(text: str) -> None:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    CF_UNICODETEXT, GMEM_MOVEABLE = 13, 0x0002
    user32, kernel32 = ctypes.windll.user32, ctypes.windll.kernel32
    kernel32.GlobalAlloc.restype = wintypes.HGLOBAL
    kernel32.GlobalAlloc.argtypes = [wintypes.UINT, ctypes.c_size_t]
    kernel32.GlobalLock.restype = wintypes.LPVOID
    kernel32.GlobalLock.argtypes = [wintypes.HGLOBAL]
    kernel32.GlobalUnlock.argtypes = [wintypes.HGLOBAL]
    user32.SetClipboardData.argtypes = [wintypes.UINT, wintypes.HANDLE]
    data = text.encode("utf-16-le") + b"\0\0"
    if not user32.OpenClipboard(None):
        raise DesktopError("the clipboard is busy; try again")
    try:
        user32.EmptyClipboard()
        handle = kernel32.GlobalAlloc(GMEM_MOVEABLE, len(data))
        pointer = kernel32.GlobalLock(handle)
        ctypes.memmove(pointer, data, len(data))
        kernel32.GlobalUnlock(handle)
        if not user32.SetClipboardData(CF_UNICODETEXT, handle):
            raise DesktopError("could not put the link on the clipboard")
    finally:
        user32.CloseClipboard()
