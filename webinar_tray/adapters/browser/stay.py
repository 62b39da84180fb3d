"""Staying in a joined webinar: a PageVisit's watch until the leave time, `leave()`, `close()`
or the page saying the webinar ended, with a screenshot every `[join] screenshot_minutes`; and
its recovery when the page or the browser dies meanwhile (rejoined with backoff until the leave
time, the time away recorded as a gap). Runs on the joiner's loop thread."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, AsyncIterator

from webinar_tray.adapters.browser.discover import BrowserNotFound
from webinar_tray.adapters.browser.launch import (
    VIEWPORT,
    WATCH_VIEWPORT,
    LaunchError,
    first_line,
    is_headless,
    scrub,
)
from webinar_tray.adapters.browser.steps import StepError, page_ended
from webinar_tray.ports import Gap

if TYPE_CHECKING:
    from webinar_tray.adapters.browser.session import PageVisit

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0  # the longest wait between two tries at (re)joining


async def stay(visit: PageVisit) -> None:
    job, report, settings = visit.job, visit.report, visit.settings
    every = timedelta(minutes=settings.join.screenshot_minutes)
    next_shot = visit.now() + every if every else None
    while True:
        now = visit.now()
        if visit.stop_reason is not None:
            log.info("leaving %s: %s", job.id, visit.stop_reason)
            return
        if now >= job.leave_at:
            log.info("leaving %s: leave time", job.id)
            return
        if visit.down is not None:
            await recover(visit)
            if report.ended_by_page:
                return
            continue
        try:
            ended = await page_ended(visit.page)
        except Exception:
            ended = False
        if ended and visit.down is None:
            report.ended_by_page = True
            log.info("leaving %s: the page says the webinar has ended", job.id)
            return
        if next_shot is not None and now >= next_shot:
            if await visit.screenshot():
                visit.emit("progress")
            next_shot = now + every
        await go_lean(visit.page)  # again at every check: frames come and go, pages reload
        wait = min(visit.check_seconds, (job.leave_at - now).total_seconds())
        if next_shot is not None:
            wait = min(wait, (next_shot - now).total_seconds())
        await visit.pause(max(0.05, wait))


async def recover(visit: PageVisit) -> None:
    """The page or the browser died while staying: rejoin with backoff until the leave time;
    record the time away as a gap."""
    job, report = visit.job, visit.report
    why = visit.down or "page lost"
    start = visit.down_at or visit.now()
    log.warning("%s: %s while attending; rejoining", job.id, why)
    delay = 2.0
    while True:
        now = visit.now()
        if visit.stop_reason is not None or now >= job.leave_at:
            end = min(now, max(job.leave_at, start))
            report.gaps.append(Gap(start, end, why))
            visit.emit("progress")
            return
        await visit.pause(min(delay, max(0.05, (job.leave_at - now).total_seconds())))
        if visit.down == "browser closed":
            why = visit.down  # the pages close just before the browser says it closed
        if visit.stop_reason is not None or visit.now() >= job.leave_at:
            continue
        if await _rejoin(visit, start, why):
            return
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)


async def _rejoin(visit: PageVisit, start, why: str) -> bool:
    """One try at rejoining; True when the recovery is over (rejoined, or the page says the
    webinar ended), with the gap recorded."""
    job, report = visit.job, visit.report
    try:
        await visit.open_and_join(rejoin=True)
    except StepError as exc:
        if exc.ended:
            report.ended_by_page = True
            report.gaps.append(Gap(start, visit.now(), why))
            visit.emit("progress")
            return True
        log.warning("rejoining %s: %s", job.id, scrub(str(exc)))
    except (BrowserNotFound, LaunchError) as exc:
        log.warning("rejoining %s: browser: %s", job.id, scrub(str(exc)))
    except Exception as exc:
        log.warning("rejoining %s: %s", job.id, scrub(first_line(exc)))
    else:
        report.gaps.append(Gap(start, visit.now(), why))
        log.info("rejoined %s after %s", job.id, why)
        await visit.screenshot()
        visit.emit("progress")
        return True
    return False


# -- watching cheaply (headless only) -------------------------------------------------------------
# Nobody sees a headless page: once joined, its viewport shrinks to WATCH_VIEWPORT (players pick
# their rendition from their width in device pixels: the smallest serves) and its videos and
# canvases are not painted (a constructed style sheet in every frame, outside the DOM tree:
# `visibility: hidden`, which leaves the page's text, layout and IntersectionObserver as they
# were). The media still plays and the page's timers and heartbeats run as before; painting each
# video frame was most of the cost. bench/watch_cost.py measures it. Headed pages stay as they are.

_QUIET_JS = r"""(css) => {
  const ours = (s) => s.cssRules.length === 1 && s.cssRules[0].cssText === css;
  if (!document.adoptedStyleSheets.some(ours)) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
}"""
_SHOWN_JS = r"""(css) => {
  const ours = (s) => s.cssRules.length === 1 && s.cssRules[0].cssText === css;
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !ours(s));
  return new Promise((done) => {  // painted once more (a throttled frame: not waited for)
    requestAnimationFrame(() => requestAnimationFrame(done));
    setTimeout(done, 1000);
  });
}"""
_CSS_TEXT = "video, canvas { visibility: hidden !important; }"  # as CSSOM writes _QUIET back


def lean(page: Any) -> bool:
    """The page is one to watch cheaply: open, in a browser nobody sees."""
    return page is not None and not page.is_closed() and is_headless(page.context)


async def go_lean(page: Any) -> bool:
    """Headless: the small viewport and no painting of videos/canvases, in every frame."""
    if not lean(page):
        return False
    try:
        if page.viewport_size != WATCH_VIEWPORT:
            await page.set_viewport_size(WATCH_VIEWPORT)
        await _each_frame(page, _QUIET_JS)
    except Exception as exc:  # the page went away meanwhile: the next check tries again
        log.debug("watching cheaply: %s", scrub(first_line(exc)))
        return False
    return True


@asynccontextmanager
async def shown(page: Any) -> AsyncIterator[None]:
    """The page as a visible browser shows it (VIEWPORT, painted), for an evidence screenshot;
    lean again afterwards."""
    if not lean(page) or page.viewport_size == VIEWPORT:
        yield
        return
    try:
        await page.set_viewport_size(VIEWPORT)
        await _each_frame(page, _SHOWN_JS)
        await asyncio.sleep(0.5)  # players lay themselves out again on resize
    except Exception as exc:
        log.debug("showing the page: %s", scrub(first_line(exc)))
    try:
        yield
    finally:
        await go_lean(page)


async def _each_frame(page: Any, script: str) -> None:
    async def one(frame: Any) -> None:
        try:
            await asyncio.wait_for(frame.evaluate(script, _CSS_TEXT), 5)
        except Exception:  # a frame navigating or detached now: the next check catches it
            pass

    await asyncio.gather(*(one(f) for f in page.frames))
