"""What attending a live video webinar costs: the app's browser against Playwright's default
launch on the same page, in one run. Printed figures, never asserted.

    uv run python -m bench.watch_cost [--seconds 30] [--framed] [--knobs]

The page is tests/replicas/video.py's player (180p/360p/720p WebM renditions chosen by the
player's width in device pixels, a heartbeat a second while playing); the clips are made by
ffmpeg once into ~/.cache/webinar-tray/bench-video. Each row: a fresh profile, the page opened
and joined with the app's generic join steps, 5 s to settle, then `--seconds` measured.
CPU is in cores (CPU-seconds per second) over the browser's whole process tree (/proc); PSS and
RSS are summed over it; heartbeats and the video's time advance come from the page's own
heartbeats as the server counted them. Rows:

- reference: Playwright's default headless launch (its default viewport, no arguments of ours);
- app headless: the app's `launch()`, then what the app does once joined (stay.go_lean); an
  evidence screenshot (every `[join] screenshot_minutes`, 15 by default) is timed separately;
- headed: both again in a visible window on a private Xvfb display.

`--knobs` measures each headless knob on its own (see docs/ARCHITECTURE.md "Watching cheaply").
`--framed` puts the player in an iframe of another site (its own renderer process)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import figures  # noqa: E402
from tests.replicas.video import VideoSite, ffmpeg_path, make_clips, rates  # noqa: E402

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "webinar-tray" / "bench-video"
TICK = os.sysconf("SC_CLK_TCK")
SMALL = {"width": 320, "height": 180}


def hide_media() -> str:
    """The script stay.go_lean runs in every frame (for the bare-launch knob rows)."""
    from webinar_tray.adapters.browser.stay import _CSS_TEXT, _QUIET_JS

    return f"() => ({_QUIET_JS})({_CSS_TEXT!r})"


# Each headless knob on its own, on Playwright's default launch (what each did here, 2 cores,
# Chromium 156, reference ~0.13-0.16 cores: see docs/ARCHITECTURE.md "Watching cheaply").
KNOBS: list[tuple[str, dict]] = [
    ("viewport 320x180 from the start", dict(kwargs={"viewport": SMALL})),
    ("viewport 320x180 once joined", dict(viewport_after=SMALL)),
    ("1280x720 at device_scale_factor 0.25", dict(kwargs={"device_scale_factor": 0.25})),
    ("videos/canvases hidden (1280x720)", dict(after=None)),  # filled in by cases()
    ("--disable-gpu", dict(kwargs={"args": ["--disable-gpu"], "viewport": SMALL})),
    ("--disable-gpu-compositing", dict(kwargs={"args": ["--disable-gpu-compositing"], "viewport": SMALL})),
    ("--disable-gpu-vsync", dict(kwargs={"args": ["--disable-gpu-vsync"], "viewport": SMALL})),
    ("--enable-begin-frame-control", dict(kwargs={"args": ["--enable-begin-frame-control"], "viewport": SMALL})),
]


def tree(root: int | None) -> list[int]:
    """`root` and all its descendants."""
    if root is None:
        return []
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def browser_pid(profile: str) -> int | None:
    """The browser process of `profile` (its command line names the profile; no --type=)."""
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if profile in cmd and "--type=" not in cmd:
                return int(d.name)
    return None


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICK


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(PSS, RSS) in MB summed over `pids`."""
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return pss / 1024, rss / 1024


@dataclass
class Case:
    name: str
    app: bool  # the app's launch() and go_lean; else a bare Playwright launch with `kwargs`
    headless: bool = True
    kwargs: dict = field(default_factory=dict)  # bare launch: extra launch_persistent_context kwargs
    after: str | None = None  # bare launch: a script run in every frame once joined
    viewport_after: dict | None = None  # bare launch: page.set_viewport_size once joined


@dataclass
class Row:
    case: Case
    cores: float
    pss: float
    rss: float
    processes: int
    rendition: int | None
    beats: float
    advance: float
    shot_cpu: float | None = None  # CPU-seconds of one evidence screenshot


async def _open(pw, case: Case, exe: str, profile: str):
    if case.app:
        from webinar_tray.adapters.browser.discover import BrowserChoice
        from webinar_tray.adapters.browser.launch import launch
        from webinar_tray.env import Env

        return await launch(pw, BrowserChoice(exe, None, "Chromium"), Path(profile), case.headless,
                            env=Env.real())
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    kwargs = dict(case.kwargs)
    args += kwargs.pop("args", [])
    return await pw.chromium.launch_persistent_context(profile, executable_path=exe, headless=case.headless,
                                                       args=args, **kwargs)


async def _evidence_cpu(page, pid: int) -> float:
    from webinar_tray.adapters.browser.evidence import Evidence

    with tempfile.TemporaryDirectory(prefix="wt-bench-evidence-") as folder:
        before = cpu_seconds(tree(pid))
        await Evidence(Path(folder), "bench").take(page)
        return cpu_seconds(tree(pid)) - before


async def measure(site: VideoSite, case: Case, exe: str, url: str, seconds: float) -> Row:
    from playwright.async_api import async_playwright
    from webinar_tray.adapters.browser.providers.generic import run_join_steps
    from webinar_tray.adapters.browser.stay import go_lean

    profile = tempfile.mkdtemp(prefix="wt-bench-watch-")
    try:
        async with async_playwright() as pw:
            ctx = await _open(pw, case, exe, profile)
            page = ctx.pages[0] if ctx.pages else await ctx.new_page()
            await page.goto(url)
            await run_join_steps(page, timeout=30)
            if case.app:
                await go_lean(page)
            if case.viewport_after:
                await page.set_viewport_size(case.viewport_after)
            if case.after:
                for frame in page.frames:
                    await frame.evaluate(case.after)
            await asyncio.sleep(5)
            pid = browser_pid(profile)
            c0, t0 = cpu_seconds(tree(pid)), time.monotonic()
            await asyncio.sleep(seconds)
            pids = tree(pid)
            c1, t1 = cpu_seconds(pids), time.monotonic()
            pss, rss = memory_mb(pids)
            beats = site.beats()
            hb, advance = rates(beats, t0, t1)
            shot = await _evidence_cpu(page, pid) if case.app and case.headless else None
            await ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    rendition = beats[-1].rendition if beats else None
    return Row(case, (c1 - c0) / (t1 - t0), pss, rss, len(pids), rendition, hb, advance, shot)


def start_xvfb() -> subprocess.Popen | None:
    if not shutil.which("Xvfb"):
        return None
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        display = f.readline().strip()
    os.environ["DISPLAY"] = f":{display}"
    return proc


def print_row(row: Row, ref: Row | None) -> None:
    ratio = f"{row.cores / ref.cores:.2f}x" if ref and ref.cores else "-"
    print(f"{row.case.name:<42}{row.cores:>7.3f}{ratio:>7}{row.pss:>8.0f}{row.rss:>8.0f}{row.processes:>5}"
          f"{row.rendition or '-':>6}{row.beats:>7.2f}{row.advance:>8.2f}", flush=True)
    if row.shot_cpu is not None:
        print(f"{'':<4}one evidence screenshot (shown, taken, lean again): {row.shot_cpu:.2f} CPU-s; "
              f"every 15 min: +{row.shot_cpu / 900:.4f} cores", flush=True)


def cases(knobs: bool, headed: bool) -> list[Case]:
    out = [Case("reference: Playwright headless", app=False), Case("app headless", app=True)]
    if knobs:
        for name, kw in KNOBS:
            if "after" in kw:
                kw = dict(kw, after=hide_media())
            out.append(Case(f"knob: {name}", app=False, **kw))
        out.append(Case("knobs: 320x180 + hidden, once joined", app=False, viewport_after=SMALL,
                        after=hide_media()))
    if headed:
        out += [Case("reference: Playwright headed", app=False, headless=False),
                Case("app headed", app=True, headless=False)]
    return out


def run(seconds: float = 30.0, framed: bool = False, knobs: bool = False, headed: bool = True) -> list[Row]:
    """Measure and print every row; the rows, for `python -m bench`'s table (quick: fewer
    seconds, headed=False)."""
    from webinar_tray.adapters.browser.discover import find_browser
    from webinar_tray.core.settings import BrowserSettings
    from webinar_tray.env import Env

    exe = find_browser(BrowserSettings(), None, Env.real()).executable_path
    site = VideoSite(make_clips(CACHE)).start()
    display = os.environ.get("DISPLAY")
    xvfb = start_xvfb() if headed else None
    url = site.url(button=True, framed=framed)
    print(f"{'browser':<42}{'cores':>7}{'ratio':>7}{'PSS MB':>8}{'RSS MB':>8}{'proc':>5}{'rend':>6}"
          f"{'hb/s':>7}{'play/s':>8}")
    rows: list[Row] = []
    try:
        ref = None
        for case in cases(knobs, headed=xvfb is not None):
            row = asyncio.run(measure(site, case, exe, url, seconds))
            if case.name.startswith("reference: Playwright headless"):
                ref = row
            print_row(row, ref if case.headless else None)
            rows.append(row)
        if headed and xvfb is None:
            print("headed: skipped (no Xvfb: apt install xvfb)")
    finally:
        site.stop()
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
            if display is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = display
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--framed", action="store_true", help="the player in an iframe of another site")
    ap.add_argument("--knobs", action="store_true", help="each headless knob on its own")
    ap.add_argument("--no-headed", action="store_true", help="headless rows only")
    figures.add_argument(ap)
    a = ap.parse_args()
    if not ffmpeg_path():
        sys.exit("ffmpeg is needed for the video clips: apt install ffmpeg")
    figures.emit(a.figures, as_figures(run(a.seconds, a.framed, a.knobs, headed=not a.no_headed)))


def as_figures(rows: list[Row]) -> list[figures.Figure]:
    """P5 for `python -m bench`: the app's headless watching beside Playwright's default launch;
    headed beside Playwright's headed launch (no target: it keeps what the user sees)."""
    by = {r.case.name: r for r in rows}
    out = []
    for mode, target in (("headless", ("<= 0.25x reference", 0.25)), ("headed", ("", None))):
        app, ref = by.get(f"app {mode}"), by.get(f"reference: Playwright {mode}")
        if app is None or ref is None:
            continue
        what = f"watching a live video, {mode}: browser CPU ({app.rendition}p, {app.beats:.2f} heartbeats/s)"
        out.append(figures.Figure("P5", what, app.cores, "cores", ref.cores, f"Playwright default {mode}",
                                  target[0], target[1], ratio=target[1] is not None))
        out.append(figures.Figure("P5", f"watching a live video, {mode}: browser PSS", app.pss, "MB", ref.pss,
                                  f"Playwright default {mode}"))
    return out


if __name__ == "__main__":
    main()
