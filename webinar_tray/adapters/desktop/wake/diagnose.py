"""doctor's `wake` check, the platform's part (commands/doctor/wake.py finds the next auto-join
and calls `report` through the composition root): on Windows the power plan and the Task
Scheduler task, read through the Runner port (tests give a recording fake of it); elsewhere the
admin command for the next webinar."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from webinar_tray.adapters.desktop.wake import posix, powercfg, windows
from webinar_tray.adapters.desktop.wake.runner import Runner, SubprocessRunner
from webinar_tray.core.diagnosis import Result
from webinar_tray.core.wake import WakeFor
from webinar_tray.env import Env


def _when(t: datetime) -> str:
    return t.astimezone().strftime("%a %d %b %H:%M")


def task_text(runner: Runner, env: Env, home: Path | None, w: WakeFor | None) -> str:
    """Which wake task exists, and whether it is at the wanted time."""
    user, _ = windows.user_of(env)
    exe = windows.schtasks(env)
    for name in windows.names(user, home):
        r = runner.run(windows.query_command(exe, name))
        if not r.ok:
            continue
        at = windows.start_boundary(r.stdout)
        if at is None:
            return f"wake task {name} (its time unreadable)"
        if w is not None and abs((at - w.at).total_seconds()) >= 1:
            return f"wake task {name} at {_when(at)} (the running app moves it at its next due check)"
        return f"wake task {name} at {_when(at)}"
    if w is None:
        return "no wake task (none needed)"
    return "no wake task yet (the running app sets it; start webinar-tray)"


def sleep_text(sleep_after: int | None, w: WakeFor | None, now: datetime) -> tuple[str, bool]:
    """(what the PC does on AC power, whether it will be asleep by the next auto-join)."""
    if sleep_after is None:
        return "sleep timeout unknown", True
    if sleep_after == 0:
        return "the PC never sleeps on AC power", False
    text = f"the PC sleeps after {powercfg.minutes(sleep_after)} idle on AC power"
    if w is None:
        return text, True
    asleep = (w.plan.join_at - now).total_seconds() > sleep_after
    return text + ("; it will be asleep before the next webinar" if asleep
                   else "; the next webinar comes before that"), True


def windows_report(runner: Runner, env: Env, home: Path | None, w: WakeFor | None, now: datetime,
                   next_line: str) -> Result:
    """ok False only when the PC sleeps on AC power and wake timers are not enabled."""
    plan = powercfg.read_power_plan(runner)
    sleeps_text, sleeps = sleep_text(plan.sleep_after.ac if plan.sleep_after else None, w, now)
    timers = plan.wake_timers.ac if plan.wake_timers else None
    timers_text = ("wake timers: unknown" if timers is None else
                   f"wake timers on AC power: {powercfg.WAKE_TIMER_NAMES.get(timers, f'value {timers}')}")
    parts = [next_line, sleeps_text, timers_text, task_text(runner, env, home, w)]
    if plan.problem:
        parts.append(plan.problem)
    detail = "; ".join(parts)
    if not sleeps:
        return True, detail, None
    if timers is None:
        return None, detail, None
    if timers != 1:
        return False, detail, (f"allow wake timers: {powercfg.FIX_WAKE_TIMERS} (Control Panel → Power "
                               "Options → Change plan settings → Advanced → Sleep → Allow wake timers: Enable)")
    return True, detail, None


def report(env: Env, home: Path | None, w: WakeFor | None, now: datetime, next_line: str,
           runner: Runner | None = None) -> Result:
    if env.windows:
        return windows_report(runner or SubprocessRunner(env), env, home, w, now, next_line)
    return admin_only(env.platform, w, next_line)


def admin_only(platform: str, w: WakeFor | None, next_line: str) -> Result:
    """ok None: the app cannot do it without admin rights, so the check does not apply."""
    os_name = {"darwin": "macOS", "linux": "Linux"}.get(platform, "this system")
    head = f"waking the PC needs admin rights on {os_name}: the app does not set it"
    if w is None:
        return None, (f"{head}; {next_line} (once there is one, this check prints the command "
                      "that wakes the PC for it)"), None
    return None, f"{head}; {next_line}; to wake for it, run: {posix.admin_command(platform, w.at)}", None
