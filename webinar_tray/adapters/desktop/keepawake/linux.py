"""Linux: an inhibitor lock held by `systemd-inhibit` while it runs a helper command.

The helper is `cat` reading a pipe from us: on release we close the pipe (and terminate the
process), and if the app dies, even by SIGKILL, the pipe closes, `cat` ends, and systemd-inhibit
ends with it, so a crash never leaves the PC unable to sleep (`sleep infinity` would)."""

from __future__ import annotations

from typing import Sequence

from webinar_tray.adapters.desktop.keepawake import ProcessKeepAwake

WHO = "webinar-tray"


def inhibit_command(tool_path: str, reason: str) -> list[str]:
    why = " ".join(reason.split()) or "attending a webinar"
    return [tool_path, "--what=sleep:idle", f"--who={WHO}", f"--why={why}", "--mode=block", "cat"]


class LinuxKeepAwake(ProcessKeepAwake):
    tool = "systemd-inhibit"
    how_to_get = ("it comes with systemd (Debian/Ubuntu package `systemd`) and needs systemd-logind "
                  "and the system D-Bus")

    def command(self, tool_path: str, reason: str) -> Sequence[str]:
        return inhibit_command(tool_path, reason)
