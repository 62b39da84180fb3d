"""The command line that starts webinar-tray at login: the frozen executable (on Windows the
windowed one, so no console window opens) or this interpreter with `-m webinar_tray` (on
Windows pythonw.exe when it is next to python.exe), plus `--home DIR` when a home folder is
forced (CONTRACT: "Autostart entries carry --home when one is in use")."""

from __future__ import annotations

import ntpath
import os
import posixpath
import sys
from pathlib import Path
from typing import Callable

from webinar_tray.adapters.desktop.autostart import AutostartError
from webinar_tray.env import Env

WINDOWED_EXE = "webinar-tray.exe"
# A console companion of the windowed Windows build, should one ship beside it.
CONSOLE_EXES = ("webinar-tray-cli.exe", "webinar-tray-console.exe", "webinar-trayc.exe")


def launch_command(
    home: str | os.PathLike | None,
    env: Env,
    *,
    executable: str | None = None,
    exists: Callable[[str], bool] = os.path.isfile,
) -> list[str]:
    """[program, args...] with absolute paths. `home`: Paths.home (None unless forced); `env`
    says the platform and whether this is a frozen build; `executable`: the running program
    (default sys.executable)."""
    exe = executable if executable is not None else sys.executable
    if not exe:
        raise AutostartError("cannot tell which program is running (no sys.executable)")
    windows = env.platform.startswith("win")
    pm = ntpath if windows else posixpath
    if not pm.isabs(exe):
        exe = os.path.abspath(exe)  # never resolve(): a venv's python is a symlink to the base one
    folder, name = pm.split(exe)
    if env.frozen:
        if windows and name.lower() in CONSOLE_EXES and exists(pm.join(folder, WINDOWED_EXE)):
            exe = pm.join(folder, WINDOWED_EXE)
        argv = [exe]
    else:
        if windows and name.lower() == "python.exe" and exists(pm.join(folder, "pythonw.exe")):
            exe = pm.join(folder, "pythonw.exe")
        argv = [exe, "-m", "webinar_tray"]
    if home is not None:
        h = os.fspath(home)
        argv += ["--home", h if pm.isabs(h) else str(Path(h).resolve())]
    return argv
