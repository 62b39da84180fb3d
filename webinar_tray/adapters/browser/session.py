"""One visit of one webinar's page, on the joiner's loop thread.

`PageVisit.run()` waits for `join_at` against the wall clock, opens the link, runs the join
steps (retrying with backoff), then stays (stay.py) until the leave time, `leave()`, `close()`
or the page saying the webinar ended - rejoining (and recording a gap) when the page or the
browser dies - and takes screenshots as evidence (evidence.py). Its report goes to `on_update`;
'done' exactly once. (The stored record of an attendance is runtime/store.py's `Attendance`.)

The shared browser belongs to the joiner: a visit reaches it only through `BrowserHost`.
Links are logged as `SafeUrl` (never the query); Playwright's error texts are cut to their
first line and stripped of queries before they reach a log or a report.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import logging
import re
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

from webinar_tray.adapters.browser import providers
from webinar_tray.adapters.browser.discover import BrowserNotFound
from webinar_tray.adapters.browser.evidence import Evidence
from webinar_tray.adapters.browser.guard import SiteGuard
from webinar_tray.adapters.browser.launch import LaunchError, first_line, scrub
from webinar_tray.adapters.browser.stay import MAX_BACKOFF_SECONDS, stay
from webinar_tray.adapters.browser.steps import StepError
from webinar_tray.core.allowed_sites import page_hosts
from webinar_tray.core.redact import SafeUrl
from webinar_tray.core.settings import Settings
from webinar_tray.ports import AttendReport, Clock

log = logging.getLogger(__name__)

OnUpdate = Callable[[str, AttendReport], None]


def web_link(url: str | None) -> str | None:
    """The link when it is http(s) with a host, else None."""
    if not url or url != url.strip() or any(c in url for c in "\r\n\t"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def scheme_of(url: str | None) -> str:
    m = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url or "")
    return m.group(1).lower() if m else "malformed"


class BrowserHost(Protocol):
    """What a visit needs from the owner of the shared browser (loop thread only)."""

    async def ensure_context(self, settings: Settings) -> Any: ...  # launched if none/dead

    def take_spare_page(self) -> Any: ...  # a fresh browser's blank page (once), or None

    def joined_in(self, seconds: float) -> None: ...  # a join took this long (doctor/bench)

    async def take_place(self, visit: PageVisit) -> bool: ...  # one of max_concurrent

    async def release_place(self) -> None: ...

    def finished(self, visit: PageVisit) -> None: ...  # no longer active; before 'done'


class PageVisit:
    """One attend: its report, its page and the coroutine that attends. `request_stop`,
    `browser_closed` and `refuse` are called on the loop thread."""

    def __init__(
        self,
        job: Any,
        on_update: OnUpdate,
        settings: Settings,
        host: BrowserHost,
        *,
        evidence_dir: Path,
        check_seconds: float,
        attempts: int,
        clock: Clock,
    ):
        self.job = job
        self._clock = clock  # the Env's: a visit waits for real time (tests move it)
        self.on_update = on_update
        self.settings = settings
        self.report = AttendReport(id=job.id)
        self.wake = asyncio.Event()  # binds to the loop on first use
        self.stop_reason: str | None = None
        self.page: Any = None
        self.down: str | None = None  # why the page is gone, while it is
        self.down_at: datetime | None = None
        self.done_sent = False
        self.future: concurrent.futures.Future | None = None  # the owner's handle on run()
        self._host = host
        self._evidence = Evidence(evidence_dir, job.id, now=self.now)
        self.check_seconds = check_seconds
        self._attempts = attempts
        hosts = page_hosts(job.join_url or "", providers.companion_hosts(job.steps),
                           settings.join.allowed_hosts)
        self._guard = SiteGuard(hosts, job.id, on_leave=self._left)

    # -- called by the owner --------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock.now()

    def refuse(self, why: str) -> None:
        self.report.error = why
        self.report.left_at = self.now()
        self.emit("done")

    def request_stop(self, why: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = why
        self.wake.set()

    def browser_closed(self) -> None:
        if self.page is not None and self.down in (None, "page closed"):
            self.down, self.down_at = "browser closed", self.down_at or self.now()
        self.wake.set()

    async def run(self) -> None:
        job, report = self.job, self.report
        has_place = False
        try:
            try:  # warm up: the browser and a blank page, before join_at
                await self._ensure_page()
            except BrowserNotFound as exc:
                report.error = f"browser: {exc}"
                return
            except Exception as exc:
                log.warning("starting the browser for %s: %s", job.id, scrub(first_line(exc)))
            await self._wait_until(job.join_at)
            if self.stop_reason is None:
                has_place = await self._host.take_place(self)
            if self.stop_reason is not None:
                report.error = f"left before joining ({self.stop_reason})"
                return
            if not has_place:
                n = self.settings.join.max_concurrent
                report.error = f"too many webinars at once (max_concurrent = {n}) until it ended"
                return
            if not await self._join_with_retries():
                await self.screenshot(suffix="-failed")
                return
            report.error = ""
            report.joined_at = self.now()
            await self.screenshot()
            self.emit("joined")
            await stay(self)
        except asyncio.CancelledError:
            report.error = report.error or "stopped while the browser did not answer"
            raise
        except Exception as exc:
            log.error("attending %s failed: %s", job.id, scrub(first_line(exc)))
            log.debug("%s", scrub("".join(traceback.format_exception(exc))))
            if report.joined_at is None:
                report.error = report.error or f"unexpected error: {scrub(first_line(exc))}"
        finally:
            try:
                await self._close_page()
            finally:
                if has_place:
                    await self._host.release_place()
                report.left_at = self.now()
                self._host.finished(self)
                log.info(
                    "done with %s: %s",
                    job.id,
                    "joined" if report.joined_at else f"not joined ({report.error})",
                )
                self.emit("done")

    # -- updates and waiting --------------------------------------------------------------------

    def emit(self, kind: str) -> None:
        if self.done_sent:
            return
        if kind == "done":
            self.done_sent = True
        try:
            self.on_update(kind, copy.deepcopy(self.report))
        except Exception:
            log.exception("on_update(%r) for %s failed", kind, self.job.id)

    async def pause(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early on leave/close or the page going down."""
        if seconds > 0 and self.stop_reason is None:
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=seconds)
            except asyncio.TimeoutError:
                pass
        self.wake.clear()

    async def _wait_until(self, when: datetime | None) -> None:
        """Sleep until `when` in chunks of at most 5 s against the wall clock, so a suspended
        and resumed PC does not oversleep."""
        if when is None:
            return
        while self.stop_reason is None:
            remaining = (when - self.now()).total_seconds()
            if remaining <= 0:
                return
            await self.pause(min(5.0, remaining))

    # -- the page -------------------------------------------------------------------------------

    async def _ensure_page(self) -> Any:
        context = await self._host.ensure_context(self.settings)
        page = self.page
        if page is not None and self.down is None and not page.is_closed():
            return page
        self.page = None  # events from the old page no longer count
        if page is not None and not page.is_closed():
            try:
                await page.close()
            except Exception:
                pass
        spare = self._host.take_spare_page()
        if spare is not None and not spare.is_closed() and spare.url in ("about:blank", ""):
            page = spare
        else:
            page = await context.new_page()
        self._adopt(page)
        return page

    def _adopt(self, page: Any) -> None:
        self.page = page
        self.down = None
        self.down_at = None
        page.on("crash", lambda p: self._page_down(p, "page crashed"))
        page.on("close", lambda p: self._page_down(p, "page closed"))
        self._guard.watch(page)

    def _left(self, page: Any, host: str) -> None:
        """A page left the allowed sites. While joining, the steps stop at their next check; while
        attending, the webinar's page going elsewhere counts as the page going down (rejoined)."""
        if not self._guard.joining and page is self.page:
            self._page_down(page, f"left the allowed sites: {host}")

    def _page_down(self, page: Any, why: str) -> None:
        if page is not self.page or self.down is not None:
            return
        self.down, self.down_at = why, self.now()
        self.wake.set()

    async def _close_page(self) -> None:
        page, self.page = self.page, None
        if page is not None and not page.is_closed():
            try:
                await page.close()
            except Exception:
                pass

    # -- joining --------------------------------------------------------------------------------

    async def _join_with_retries(self) -> bool:
        report, job = self.report, self.job
        delay = 2.0
        for attempt in range(1, self._attempts + 1):
            if self.stop_reason is not None:
                report.error = report.error or f"left before joining ({self.stop_reason})"
                return False
            if self.now() >= job.leave_at:
                report.error = report.error or "the leave time came before the page was joined"
                return False
            try:
                await self.open_and_join()
                return True
            except BrowserNotFound as exc:
                report.error = f"browser: {exc}"
                return False
            except StepError as exc:
                report.error = scrub(str(exc))
                retry = exc.retry
            except LaunchError as exc:
                report.error = f"browser: {scrub(str(exc))}"
                retry = True
            except Exception as exc:  # the browser went away under us, a Playwright hiccup...
                report.error = f"browser: {scrub(first_line(exc))}"
                retry = True
            log.warning(
                "joining %s, attempt %d of %d: %s", job.id, attempt, self._attempts, report.error
            )
            if not retry or attempt == self._attempts:
                return False
            await self.pause(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        return False

    async def open_and_join(self, rejoin: bool = False) -> None:
        """Open the link in the visit's page and run the provider's join steps. Raises StepError
        (which step, why), LaunchError, BrowserNotFound or Playwright's errors."""
        job, settings = self.job, self.settings
        url = web_link(job.join_url)
        if url is None:  # checked in attend(); never open anything else
            raise StepError("open", "the link is not http(s)", retry=False)
        page = await self._ensure_page()
        self._log_navigation(url, rejoin)
        step_timeout = float(settings.join.step_timeout_seconds)
        steps = job.steps or "generic"
        started = time.monotonic()
        await self._open(page, url, steps, step_timeout)
        joined = await providers.join(
            steps,
            page,
            url=url,
            timeout=step_timeout,
            name=settings.join.name,
            email=settings.join.email,
            abort=lambda: self.down,
            guard=self._guard.check,
        )
        self._guard.check(joined)
        self._guard.joining = False
        if joined is not page:  # the join button opened the webinar in a new page
            self._adopt(joined)
            try:
                await page.close()
            except Exception:
                pass
        seconds = time.monotonic() - started
        self._host.joined_in(seconds)
        log.info("joined %s in %.2f s", job.id, seconds)

    def _log_navigation(self, url: str, rejoin: bool) -> None:
        job = self.job
        if rejoin:
            log.info("navigating %s to %s again (rejoining)", job.id, SafeUrl(url))
        elif job.join_at is not None:
            log.info(
                "navigating %s to %s (planned %s, delay %.2f s)",
                job.id,
                SafeUrl(url),
                job.join_at.isoformat(timespec="seconds"),
                (self.now() - job.join_at).total_seconds(),
            )
        else:
            log.info("navigating %s to %s (now)", job.id, SafeUrl(url))

    async def _open(self, page: Any, url: str, steps: str, step_timeout: float) -> None:
        """Go to the provider's start address for `url`, watched by the site guard from here
        until joined; a redirect off the allowed sites stops before any step."""
        open_url = providers.start_url(steps, url)
        if open_url != url:
            log.info("%s: opening %s instead (%s join steps)", self.job.id, SafeUrl(open_url), steps)
        self._guard.begin()
        try:
            await page.goto(open_url, wait_until="domcontentloaded",
                            timeout=max(30.0, step_timeout) * 1000)
        except Exception as exc:
            self._guard.check()  # a redirect to a foreign host that then failed to load
            if self.down:
                raise StepError("open", self.down) from exc
            host = urlsplit(url).hostname or "the page"
            why = scrub(first_line(exc)).replace("Page.goto: ", "")
            raise StepError("open", f"could not open {host}: {why}") from exc
        self._guard.check(page)  # redirected elsewhere: stop before any step
        try:
            await page.bring_to_front()
        except Exception:
            pass

    async def screenshot(self, suffix: str = "") -> bool:
        if self.settings.join.screenshot_minutes <= 0:
            return False
        path = await self._evidence.take(self.page, suffix)
        if path is not None:
            self.report.evidence.append(path)
        return path is not None
