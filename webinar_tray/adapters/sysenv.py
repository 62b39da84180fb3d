"""Starting system programs (systemd-inhibit, caffeinate, the user's browser) from the app.

A frozen Linux build (PyInstaller) points LD_LIBRARY_PATH at its bundled libraries and keeps the
user's value in LD_LIBRARY_PATH_ORIG; a system program must get the user's value back, or it may
load our copies of libraries it was not built against. On Windows a console program started from
the windowed app would flash a console window: CREATE_NO_WINDOW stops that."""

from __future__ import annotations

import os
import sys
from typing import Mapping

CREATE_NO_WINDOW = 0x08000000  # subprocess.CREATE_NO_WINDOW, which exists only on Windows


def system_env(
    environ: Mapping[str, str] | None = None,
    frozen: bool | None = None,
    platform: str = sys.platform,
) -> dict[str, str]:
    """A copy of the environment fit for a system program."""
    env = dict(os.environ if environ is None else environ)
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if frozen and platform.startswith("linux"):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is not None:
            env["LD_LIBRARY_PATH"] = original
        else:  # it was unset before the bootloader set it
            env.pop("LD_LIBRARY_PATH", None)
    return env


def popen_flags(platform: str = sys.platform) -> dict:
    """Extra subprocess.Popen keyword arguments: no console window on Windows."""
    if platform.startswith("win"):
        return {"creationflags": CREATE_NO_WINDOW}
    return {}
