"""Start at login for this user: one module per OS behind one small interface.

`platform_autostart(command, env)` picks the implementation once, by `env.platform`: the registry's
Run key on Windows (windows.py), a LaunchAgent on macOS (macos.py), an XDG autostart entry on
Linux and the BSDs (linux.py). `command` is the program and arguments to start at login, built by
`command.launch_command()` (the frozen executable or the interpreter with `-m webinar_tray`,
plus `--home` when a home folder is forced). `for_paths(paths)` does both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from webinar_tray.env import Env
from webinar_tray.ports import AutostartError  # noqa: F401 (raised by the per-OS entries)

__all__ = ["Autostart", "AutostartError", "AutostartStatus", "ENTRY_NAME", "for_paths",
           "platform_autostart"]

ENTRY_NAME = "webinar-tray"  # the Run value, the .desktop file's name
BUNDLE_ID = "io.github.webinar-tray"  # the LaunchAgent's label and file name


@dataclass(frozen=True)
class AutostartStatus:
    """enabled: the OS will start webinar-tray at the next login.
    detail: what was found, for people (the entry's place, the command it starts).
    problem: what stops it from working as the user asked, or None.
    broken: the entry exists but is not ours as it should be (another command, unreadable):
    `autostart enable` repairs it; `doctor` counts it as a failure (being off is not)."""

    enabled: bool
    detail: str
    problem: str | None = None
    broken: bool = False

    def line(self) -> str:
        text = f"{'enabled' if self.enabled else 'disabled'}: {self.detail}"
        return text + (f" — {self.problem}" if self.problem else "")



class Autostart(Protocol):
    def enable(self) -> AutostartStatus:
        """Start `command` at login from now on; returns the status afterwards."""
        ...

    def disable(self) -> AutostartStatus:
        """Do not start at login any more; returns the status afterwards."""
        ...

    def status(self) -> AutostartStatus:
        """What the OS will do at the next login. Reads only; never raises for a bad entry."""
        ...


def platform_autostart(command: Sequence[str], env: Env) -> Autostart:
    if env.platform.startswith("win"):
        from webinar_tray.adapters.desktop.autostart.windows import WindowsAutostart

        return WindowsAutostart(command)
    if env.macos:
        from webinar_tray.adapters.desktop.autostart.macos import MacAutostart

        return MacAutostart(command)
    from webinar_tray.adapters.desktop.autostart.linux import LinuxAutostart

    return LinuxAutostart(command, env)


def for_paths(paths, env: Env | None = None) -> Autostart:
    """The autostart entry that starts this program with this home folder (a forced one). A
    public entry (commands call it with the paths only: the real Env)."""
    from webinar_tray.adapters.desktop.autostart.command import launch_command

    env = env or Env.real()
    return platform_autostart(launch_command(paths.home, env), env)
