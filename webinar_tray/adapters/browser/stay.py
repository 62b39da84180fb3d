"""Staying in a joined webinar: a PageVisit's watch until the leave time, `leave()`, `close()`
or the page saying the webinar ended, with a screenshot every `[join] screenshot_minutes`; and
its recovery when the page or the browser dies meanwhile (rejoined with backoff until the leave
time, the time away recorded as a gap). Runs on the joiner's loop thread."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from webinar_tray.adapters.browser.discover import BrowserNotFound
from webinar_tray.adapters.browser.launch import LaunchError, first_line, scrub
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
