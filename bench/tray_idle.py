"""The tray app's idle cost (printed, never asserted): `webinar-tray` with its icon in a tray
host (Xvfb + trayer + a private D-Bus session), an ICS calendar with one webinar three days
ahead, nothing due. CPU seconds and RSS of the app process over --seconds, scaled to CPU-s per
hour; the menu is redrawn every 30 s for its countdowns.

    uv run python bench/tray_idle.py [--seconds 300] [--backend gtk|xorg]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from join_delay import _cpu_and_rss, far_calendar  # noqa: E402

from bench import figures  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--backend", default="", help="force a pystray backend (default: the app's choice)")
    figures.add_argument(ap)
    args = ap.parse_args()
    for tool in ("Xvfb", "dbus-daemon", "trayer"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed (apt-get install xvfb dbus trayer)")
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        ics = far_calendar(Path(tmp))
        Path(tmp, "config.toml").write_text(f'[ics]\nurls = ["{ics}"]\n[notifications]\nenabled = false\n')
        env = dict(os.environ, WEBINAR_TRAY_HOME=tmp, DISPLAY=":171")
        if args.backend:
            env["PYSTRAY_BACKEND"] = args.backend
        try:
            procs.append(subprocess.Popen(["Xvfb", ":171", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                          stderr=subprocess.DEVNULL))
            time.sleep(1)
            out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                                 capture_output=True, text=True, check=True).stdout.split()
            env["DBUS_SESSION_BUS_ADDRESS"] = out[0]
            procs.append(subprocess.Popen(["trayer", "--edge", "top", "--align", "right"], env=env,
                                          stderr=subprocess.DEVNULL))
            app = subprocess.Popen([sys.executable, "-m", "webinar_tray"], env=env,
                                   stderr=open(Path(tmp, "stderr.txt"), "w"))
            procs.append(app)
            time.sleep(15)  # start-up and the first refresh are not idle time
            cpu0, _ = _cpu_and_rss(app.pid)
            t0, peak = time.time(), 0.0
            while time.time() - t0 < args.seconds:
                time.sleep(min(10, args.seconds))
                peak = max(peak, _cpu_and_rss(app.pid)[1])
            cpu1, rss1 = _cpu_and_rss(app.pid)
            span = time.time() - t0
            log = Path(tmp, "logs", "webinar-tray.log").read_text()
            backend = next((line.split("pystray backend ")[1].split(")")[0].split(",")[0]
                            for line in log.splitlines() if "tray icon up" in line), "?")
        finally:
            for p in reversed(procs):
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    print(f"{p.args[0]} did not stop within 20 s of SIGTERM; log tail:\n"
                          + Path(tmp, "logs", "webinar-tray.log").read_text()[-3000:]
                          + Path(tmp, "stderr.txt").read_text()[-3000:])
                    p.kill()
            try:
                os.kill(int(out[1]), 15)
            except Exception:
                pass
    per_hour = (cpu1 - cpu0) * 3600 / span
    print(f"idle tray ({backend} backend) over {span:.0f} s: {cpu1 - cpu0:.2f} CPU-s "
          f"({per_hour:.2f} CPU-s per hour), RSS {rss1:.1f} MB (peak {peak:.1f} MB)")
    figures.emit(args.figures, [
        figures.Figure("P2", f"idle tray ({backend}), CPU", per_hour, "CPU-s/h"),
        figures.Figure("P2", f"idle tray ({backend}), RSS", rss1, "MB"),
    ])


if __name__ == "__main__":
    main()
