"""macOS and Linux: waking the PC needs admin rights there, so the app does not do it; doctor
prints the exact command for the next auto-join (these builders), and the README explains.

- macOS: `sudo pmset schedule wake "MM/dd/yy HH:mm:ss"` (local time; pmset(1), "SCHEDULED EVENT
  ARGUMENTS": the date+time format is "MM/dd/yy HH:mm:ss"); one wake, the Mac's own scheduler.
- Linux: `sudo rtcwake -m no -t <epoch>` sets the RTC alarm without suspending now (rtcwake(8):
  `-m no`; `-t` is seconds since the epoch, so the RTC's own time zone does not matter). A
  systemd timer with `WakeSystem=true` does the same (README)."""

from __future__ import annotations

from datetime import datetime


def pmset_command(at: datetime) -> str:
    """`at` aware; shown in the Mac's local time."""
    return f'sudo pmset schedule wake "{at.astimezone():%m/%d/%y %H:%M:%S}"'


def rtcwake_command(at: datetime) -> str:
    return f"sudo rtcwake -m no -t {int(at.timestamp())}"


def systemd_command(at: datetime) -> str:
    """A one-shot transient timer that wakes the system (systemd.timer(5): WakeSystem=)."""
    return (f"sudo systemd-run --on-calendar='{at.astimezone():%Y-%m-%d %H:%M:%S}' "
            "--timer-property=WakeSystem=true /bin/true")


def admin_command(platform: str, at: datetime) -> str:
    return pmset_command(at) if platform == "darwin" else rtcwake_command(at)
