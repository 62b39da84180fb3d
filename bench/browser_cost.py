"""The browser's CPU and memory while attending one local page, headless vs headed, with our
launch flags vs Playwright's defaults. Printed figures, never asserted.

    uv run python bench/browser_cost.py [--seconds 120]

(Only the launch switches: a video webinar as the app watches it, headless going lean once
joined, is bench/watch_cost.py.)

The page is the demo site's player (a canvas animation redrawn every frame, the stand-in for a
live video); headed runs on a private Xvfb display. Memory is PSS (shared pages split between
the processes that share them), summed over every Chromium process of the profile."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webinar_tray.adapters.browser.discover import find_browser  # noqa: E402
from webinar_tray.env import Env  # noqa: E402
from webinar_tray.adapters.browser.launch import browser_args  # noqa: E402
from webinar_tray.adapters.browser.providers.generic import run_join_steps  # noqa: E402
from webinar_tray.demo.site import DemoSite  # noqa: E402
from webinar_tray.core.settings import BrowserSettings  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def profile_pids(marker: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if marker in (d / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / TICK


def pss_mb(pids) -> float:
    kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    kb += int(line.split()[1])
        except OSError:
            pass
    return kb / 1024


async def measure(exe: str, url: str, headless: bool, ours: bool, seconds: float) -> tuple[float, float, int]:
    from playwright.async_api import async_playwright

    profile = tempfile.mkdtemp(prefix="wt-bench-profile-")
    args = browser_args((), sys.platform) if ours else (["--no-sandbox"] if os.geteuid() == 0 else [])
    async with async_playwright() as pw:
        ctx = await pw.chromium.launch_persistent_context(profile, executable_path=exe, headless=headless, args=args,
                                                          viewport={"width": 1280, "height": 800})
        page = ctx.pages[0] if ctx.pages else await ctx.new_page()
        await page.goto(url)
        await run_join_steps(page, timeout=30)
        await asyncio.sleep(5)  # settle: the bench measures steady attending, not the join
        pids = profile_pids(profile)
        c0, t0 = cpu_seconds(pids), time.monotonic()
        await asyncio.sleep(seconds)
        pids = profile_pids(profile)
        cpu = (cpu_seconds(pids) - c0) / (time.monotonic() - t0)
        mem = pss_mb(pids)
        await ctx.close()
    shutil.rmtree(profile, ignore_errors=True)
    return cpu, mem, len(pids)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    exe = find_browser(BrowserSettings(), None, Env.real()).executable_path
    site = DemoSite()
    site.start()
    url = site.url_for("bench", title="Bench webinar")
    xvfb = None
    if shutil.which("Xvfb"):
        xvfb = subprocess.Popen(["Xvfb", ":93", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.environ["DISPLAY"] = ":93"
        time.sleep(1)
    try:
        print(f"{'mode':<10}{'flags':<20}{'CPU (cores)':>12}{'PSS MB':>10}{'processes':>11}")
        for headless in (True, False):
            if not headless and xvfb is None:
                print("headed: skipped (no Xvfb: apt-get install xvfb)")
                continue
            for ours in (True, False):
                cpu, mem, n = asyncio.run(measure(exe, url, headless, ours, a.seconds))
                print(f"{'headless' if headless else 'headed':<10}{'ours' if ours else 'Playwright defaults':<20}"
                      f"{cpu:>12.2f}{mem:>10.0f}{n:>11}", flush=True)
    finally:
        site.stop()
        if xvfb:
            xvfb.terminate()


if __name__ == "__main__":
    main()
