"""P3, start: launch -> tray icon up, and `run` -> the loop's first sleep, from source and from
the frozen onedir build (when `dist/webinar-tray` exists), with an import-time profile.
Printed, never asserted.

    uv run python -m bench.start_time [--rounds 5] [--no-frozen] [--google]

Each launch gets a fresh home with an ICS calendar (one webinar three days ahead) and, with
`--google`, a Google calendar configured too (the fake Google on 127.0.0.1), since what is
imported at start depends on it. The tray runs on a private Xvfb display with trayer and a
private D-Bus session; the time is from `Popen` to the log line ("tray icon up", "loop
running"), polled every 5 ms; the median of the rounds is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from join_delay import far_calendar  # noqa: E402

from bench import figures  # noqa: E402

FROZEN = ROOT / "dist" / "webinar-tray" / "webinar-tray"


def _home(tmp: Path, google) -> dict:
    ics = far_calendar(tmp)
    text = f'[ics]\nurls = ["{ics}"]\n[notifications]\nenabled = false\n'
    if google is not None:
        from tests.e2e.test_google_list import setup_home

        setup_home(tmp, google)
        text = (tmp / "config.toml").read_text() + text
    (tmp / "config.toml").write_text(text)
    return dict(os.environ, WEBINAR_TRAY_HOME=str(tmp))


def _until_logged(argv, env, home: Path, marker: str, timeout: float = 30.0) -> float:
    log = home / "logs" / "webinar-tray.log"
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < timeout:
            try:
                if marker in log.read_text(errors="replace"):
                    return time.perf_counter() - t0
            except FileNotFoundError:
                pass
            if p.poll() is not None:
                return float("nan")
            time.sleep(0.005)
        return float("nan")
    finally:
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()


class Desktop:
    """Xvfb + a private D-Bus session + trayer, for the tray launches."""

    def __init__(self, display: str = ":173") -> None:
        self.display, self.procs, self.env = display, [], {}

    def __enter__(self) -> "Desktop":
        for tool in ("Xvfb", "dbus-daemon", "trayer"):
            if not shutil.which(tool):
                sys.exit(f"{tool} is needed (apt-get install xvfb dbus trayer)")
        self.procs.append(subprocess.Popen(["Xvfb", self.display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                           stderr=subprocess.DEVNULL))
        time.sleep(1)
        out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                             capture_output=True, text=True, check=True).stdout.split()
        self.bus_pid = int(out[1])
        self.env = {"DISPLAY": self.display, "DBUS_SESSION_BUS_ADDRESS": out[0]}
        self.procs.append(subprocess.Popen(["trayer", "--edge", "top", "--align", "right"],
                                           env=dict(os.environ, **self.env), stderr=subprocess.DEVNULL))
        time.sleep(1)
        return self

    def __exit__(self, *exc) -> None:
        for p in reversed(self.procs):
            p.terminate()
            p.wait(10)
        try:
            os.kill(self.bus_pid, 15)
        except OSError:
            pass


def _median(run, rounds: int) -> tuple[float, str]:
    times = [run() for _ in range(rounds)]
    ok = [t for t in times if t == t]
    if not ok:
        return float("nan"), "   failed"
    m = statistics.median(ok)
    return m, f"{m:6.2f} s (min {min(ok):.2f}, max {max(ok):.2f}, {len(ok)}/{rounds})"


def _bare_start(argv: list[str], rounds: int) -> float:
    """The floor: how long this machine takes now to start `argv` and have it exit."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def importtime(argv_tail: list[str], env: dict, top: int = 12) -> list[str]:
    """The heaviest top-level imports of a launch (cumulative microseconds, -X importtime)."""
    with tempfile.TemporaryDirectory() as tmp:
        e = dict(env, WEBINAR_TRAY_HOME=env["WEBINAR_TRAY_HOME"])
        p = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "webinar_tray", *argv_tail], env=e,
                             stdout=subprocess.DEVNULL, stderr=open(Path(tmp, "imp"), "w"))
        time.sleep(6)
        p.terminate()
        p.wait(20)
        rows = []
        for line in Path(tmp, "imp").read_text().splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if m:
                rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    total = sum(c for c, depth, _ in rows if depth == 1)
    heavy = sorted((r for r in rows if r[1] <= 3), reverse=True)[:top]
    return [f"    all imports {total / 1e6:.2f} s"] + [f"    {c / 1e3:7.1f} ms  {'  ' * (d - 1)}{name}"
                                                  for c, d, name in heavy]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-frozen", action="store_true")
    ap.add_argument("--google", action="store_true", help="a Google calendar configured too")
    figures.add_argument(ap)
    a = ap.parse_args()
    py = [sys.executable, "-m", "webinar_tray"]
    kinds = [("source", py)]
    if FROZEN.exists() and not a.no_frozen:
        kinds.append(("frozen", [str(FROZEN)]))
    google = None
    if a.google:
        from tests.fakegoogle import FakeGoogle

        google = FakeGoogle()
        google.start()
    out: list[figures.Figure] = []
    floors = {"source": _bare_start([sys.executable, "-c", "pass"], a.rounds)}
    if len(kinds) > 1:
        floors["frozen"] = _bare_start([str(FROZEN), "--version"], a.rounds)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = _home(Path(tmp), google)
            print(f"P3 start ({'ICS + Google' if google else 'ICS'} calendar), median of {a.rounds}; "
                  + ", ".join(f"bare {k} start {v:.2f} s" for k, v in floors.items()))
            with Desktop() as desk:
                for name, argv in kinds:
                    def tray(argv=argv):
                        with tempfile.TemporaryDirectory() as h:
                            e = dict(_home(Path(h), google), **desk.env)
                            return _until_logged(argv, e, Path(h), "tray icon up")
                    m, text = _median(tray, a.rounds)
                    print(f"  {name:<7} launch -> tray icon up     {text}")
                    out.append(figures.Figure("P3", f"launch -> tray icon up ({name})", m, "s", floors[name],
                                              "bare start", "<= 1.0 s", 1.0))
            for name, argv in kinds:
                def run(argv=argv):
                    with tempfile.TemporaryDirectory() as h:
                        e = _home(Path(h), google)
                        e.pop("DISPLAY", None)
                        return _until_logged(argv + ["run"], e, Path(h), "loop running")
                m, text = _median(run, a.rounds)
                print(f"  {name:<7} run -> loop sleeping       {text}")
                out.append(figures.Figure("P3", f"run -> loop sleeping ({name})", m, "s", floors[name],
                                          "bare start", "<= 0.5 s", 0.5))
            print("  import time, `run` from source (-X importtime, cumulative):")
            print("\n".join(importtime(["run"], env)))
    finally:
        if google is not None:
            google.stop()
    figures.emit(a.figures, out)


if __name__ == "__main__":
    main()
