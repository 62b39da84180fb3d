"""Windows power plan: will the PC sleep, and may Task Scheduler wake it (doctor's `wake`)?

`powercfg /query SCHEME_CURRENT SUB_SLEEP STANDBYIDLE` ("Sleep after", seconds; 0 = never) and
`... SUB_SLEEP RTCWAKE` ("Allow wake timers": 0 Disable, 1 Enable, 2 Important Wake Timers Only
— a Task Scheduler task is not an "important" timer, so only 1 lets it wake the PC) end with
two lines holding the current values as hex indexes:

    Current AC Power Setting Index: 0x00000708
    Current DC Power Setting Index: 0x00000384

The labels are translated on other display languages, so `parse_setting` takes the English
labels when present and otherwise the last two hex values of the output (AC, then DC)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from webinar_tray.adapters.desktop.wake.runner import Runner

POWERCFG = "powercfg"
FIX_WAKE_TIMERS = ("powercfg /setacvalueindex SCHEME_CURRENT SUB_SLEEP RTCWAKE 1 && "
                   "powercfg /setactive SCHEME_CURRENT")
WAKE_TIMER_NAMES = {0: "disabled", 1: "enabled", 2: "important wake timers only"}

_HEX = re.compile(r":\s*0x([0-9a-fA-F]+)\s*$")


@dataclass(frozen=True)
class Setting:
    ac: int
    dc: int


def parse_setting(text: str) -> Setting | None:
    """The current AC and DC values of one `powercfg /query` setting, or None."""
    ac = dc = None
    hexes = []
    for line in text.splitlines():
        m = _HEX.search(line)
        if not m:
            continue
        value = int(m.group(1), 16)
        hexes.append(value)
        low = line.lower()
        if "current ac power setting index" in low:
            ac = value
        elif "current dc power setting index" in low:
            dc = value
    if ac is not None and dc is not None:
        return Setting(ac, dc)
    if len(hexes) >= 2:
        return Setting(hexes[-2], hexes[-1])
    return None


def query_command(setting: str) -> list[str]:
    return [POWERCFG, "/query", "SCHEME_CURRENT", "SUB_SLEEP", setting]


@dataclass(frozen=True)
class PowerPlan:
    sleep_after: Setting | None  # seconds; 0 = never
    wake_timers: Setting | None  # 0, 1, 2 (WAKE_TIMER_NAMES)
    problem: str = ""  # why a value is unknown


def read_power_plan(runner: Runner) -> PowerPlan:
    found, problems = {}, []
    for name in ("STANDBYIDLE", "RTCWAKE"):
        r = runner.run(query_command(name))
        value = parse_setting(r.stdout) if r.ok else None
        if value is None:
            problems.append(f"powercfg {name}: {r.why() if not r.ok else 'no value in its output'}")
        found[name] = value
    return PowerPlan(found["STANDBYIDLE"], found["RTCWAKE"], "; ".join(problems))


def minutes(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds / 60:g} min"
