"""macOS: `caffeinate -i -w <our pid>` prevents idle sleep while it runs, and ends by itself when
we do (-w), so a crash never leaves the Mac awake."""

from __future__ import annotations

import os
from typing import Sequence

from webinar_tray.adapters.desktop.keepawake import ProcessKeepAwake


def caffeinate_command(tool_path: str, pid: int) -> list[str]:
    return [tool_path, "-i", "-w", str(pid)]


class MacKeepAwake(ProcessKeepAwake):
    tool = "caffeinate"
    how_to_get = "it is part of macOS (/usr/bin/caffeinate)"

    def command(self, tool_path: str, reason: str) -> Sequence[str]:
        return caffeinate_command(tool_path, os.getpid())
