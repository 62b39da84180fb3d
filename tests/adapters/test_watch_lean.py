"""Watching cheaply: headless, once joined, the page gets the small viewport and its videos are not
painted, while the video plays and the page's heartbeats go on (tests/replicas/video.py: the
player picks its rendition by its width in device pixels). Headed pages keep what the user sees.
No timings: bench/watch_cost.py measures the cost."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.conftest import have, require
from tests.replicas.video import VideoSite, make_clips
from webinar_tray.adapters.browser.discover import BrowserChoice
from webinar_tray.adapters.browser.evidence import Evidence
from webinar_tray.adapters.browser.launch import VIEWPORT, WATCH_VIEWPORT, launch
from webinar_tray.adapters.browser.providers.generic import run_join_steps
from webinar_tray.adapters.browser.stay import go_lean
from webinar_tray.adapters.browser.steps import page_ended
from webinar_tray.env import Env

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    require(have("ffmpeg"), "ffmpeg (to make the test video clips)", "apt install ffmpeg")
    return make_clips(tmp_path_factory.mktemp("clips"), seconds=4)


@pytest.fixture
def video(clips):
    site = VideoSite(clips).start()
    yield site
    site.stop()


async def beats_after(site: VideoSite, since: float, count: int, timeout: float = 30.0) -> list:
    """The heartbeats received after `since`, once there are `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        got = [b for b in site.beats() if b.at > since]
        if len(got) >= count or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


def quiet_sheets(frame) -> object:
    return frame.evaluate("() => document.adoptedStyleSheets.length")


async def _joined(pw, chromium, tmp_path, url, headless=True):
    ctx = await launch(pw, BrowserChoice(chromium, None, "test"), tmp_path / "p", headless, [],
                       env=Env.real())
    page = ctx.pages[0] if ctx.pages else await ctx.new_page()
    await page.goto(url)
    assert await run_join_steps(page, timeout=15) is page  # clicked Join at the normal viewport
    return ctx, page


@pytest.mark.parametrize("framed", [False, True], ids=["page", "iframe of another site"])
def test_headless_watching_plays_the_smallest_rendition_with_heartbeats(chromium, video, tmp_path, framed):
    from playwright.async_api import async_playwright

    async def main():
        async with async_playwright() as pw:
            ctx, page = await _joined(pw, chromium, tmp_path, video.url(button=True, framed=framed))
            try:
                assert page.viewport_size == VIEWPORT
                first = await beats_after(video, 0, 1)
                assert first and first[-1].rendition == 720  # joined at the normal size
                assert await go_lean(page)
                assert page.viewport_size == WATCH_VIEWPORT
                since = time.monotonic()
                beats = [b for b in await beats_after(video, since, 8) if b.rendition == 180]
                assert len(beats) >= 4, video.beats()
                assert beats[-1].played > beats[0].played  # the video plays on
                assert beats[-1].width <= WATCH_VIEWPORT["width"]
                assert video.requested[-1] == 180
                for frame in page.frames:  # videos unpainted in every frame, text still read
                    assert await quiet_sheets(frame) == 1
                assert await go_lean(page)  # again at the next check: nothing added twice
                assert [await quiet_sheets(f) for f in page.frames] == [1] * len(page.frames)
                assert not await page_ended(page)
            finally:
                await ctx.close()

    asyncio.run(main())


def test_evidence_shows_the_page_as_seen_then_lean_again(chromium, video, tmp_path):
    from playwright.async_api import async_playwright

    async def main():
        async with async_playwright() as pw:
            ctx, page = await _joined(pw, chromium, tmp_path, video.url(button=True))
            try:
                assert await go_lean(page)
                path = await Evidence(tmp_path / "evidence", "cal/ev").take(page)
                assert path is not None
                data = Path(path).read_bytes()
                width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
                assert (width, height) == (VIEWPORT["width"], VIEWPORT["height"])
                assert page.viewport_size == WATCH_VIEWPORT
                assert await quiet_sheets(page.main_frame) == 1
                since = time.monotonic()
                beats = await beats_after(video, since, 3)
                assert beats[-1].played > beats[0].played
            finally:
                await ctx.close()

    asyncio.run(main())


def test_headed_keeps_the_normal_viewport_and_paints(chromium, video, tmp_path, xvfb_display, monkeypatch):
    from playwright.async_api import async_playwright

    monkeypatch.setenv("DISPLAY", xvfb_display)

    async def main():
        async with async_playwright() as pw:
            ctx, page = await _joined(pw, chromium, tmp_path, video.url(button=True), headless=False)
            try:
                assert not await go_lean(page)
                assert page.viewport_size == VIEWPORT
                assert await quiet_sheets(page.main_frame) == 0
                beats = await beats_after(video, time.monotonic(), 2)
                assert beats and beats[-1].rendition == 720
            finally:
                await ctx.close()

    asyncio.run(main())


def test_the_joiner_watches_cheaply_while_attending(chromium, video, tmp_path):
    """The whole attend: joined at the normal size (evidence too), then the stay loop goes lean;
    the report is an ordinary one."""
    from tests.adapters.test_joiner import Recorder, make_job, settings_for
    from webinar_tray.adapters.browser.joiner import PlaywrightJoiner
    from webinar_tray.config.paths import resolve_paths

    j = PlaywrightJoiner(settings_for(chromium), resolve_paths(tmp_path / "home"), check_seconds=1.0)
    try:
        rec = Recorder()
        job = make_job(video.url(button=True), stay=40.0)
        j.attend(job, rec)
        rec.wait(job.id, "joined", timeout=30)
        since = time.monotonic()
        beats = asyncio.run(beats_after(video, since, 6))
        small = [b for b in beats if b.rendition == 180]
        assert len(small) >= 3, beats
        assert small[-1].played > small[0].played
        j.leave(job.id)
        report = rec.wait(job.id, "done", timeout=30)
        assert report.error == "" and report.gaps == [] and report.evidence
    finally:
        j.close(timeout=15)
