"""The Joiner port on Playwright: one browser (persistent profile), one page per webinar.

One daemon thread owns an asyncio loop and Playwright's async API; Playwright is imported there,
on the first join, so the idle app never pays for it. `attend()` returns at once and schedules a
coroutine that: starts the browser (shared by all pages), waits for `join_at` against the wall
clock, opens the link, runs the join steps, then stays until the leave time, `leave()`, `close()`
or the page saying the webinar ended - rejoining (and recording a gap) when the page or the
browser dies. `on_update` is called from that thread; 'done' exactly once per attend.

Links are logged with `safe_url` (never the query); Playwright's error texts are cut to their
first line and stripped of queries before they reach a log or a report.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import logging
import re
import threading
import time
import traceback
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from webinar_tray.adapters.browser.discover import BrowserNotFound, find_browser
from webinar_tray.adapters.browser.launch import (
    LaunchError,
    choose_headless,
    first_line,
    launch,
    scrub,
)
from webinar_tray.adapters.browser.steps import StepError, page_ended, run_join_steps
from webinar_tray.config.paths import Paths
from webinar_tray.core.events import utc_stamp
from webinar_tray.core.redact import safe_url
from webinar_tray.core.settings import Settings
from webinar_tray.ports import AttendReport, Gap

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")

OnUpdate = Callable[[str, AttendReport], None]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _web_link(url: str | None) -> str | None:
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


def _scheme_of(url: str | None) -> str:
    m = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url or "")
    return m.group(1).lower() if m else "malformed"


def evidence_name(job_id: str, at: datetime, suffix: str = "") -> str:
    base = _UNSAFE_FILE_CHARS.sub("_", job_id).strip("._")[:100] or "webinar"
    return f"{base}-{utc_stamp(at)}{suffix}.png"


class _Job:
    """One attend: its report and what the loop thread knows about its page."""

    def __init__(self, job: Any, on_update: OnUpdate, settings: Settings):
        self.job = job
        self.on_update = on_update
        self.settings = settings
        self.report = AttendReport(id=job.id)
        self.wake = asyncio.Event()  # binds to the loop on first use
        self.stop_reason: str | None = None
        self.page: Any = None
        self.down: str | None = None  # why the page is gone, while it is
        self.down_at: datetime | None = None
        self.done_sent = False
        self.future: concurrent.futures.Future | None = None


class PlaywrightJoiner:
    """Implements ports.Joiner. Thread-safe: attend/leave/active/close may be called from any
    thread."""

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        headless: bool | None = None,
        *,
        check_seconds: float = 5.0,
        join_attempts: int = 3,
    ):
        self.settings = settings
        self.paths = paths
        self._headless = headless
        self._check_seconds = max(0.1, min(5.0, check_seconds))
        self._attempts = max(1, join_attempts)
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False
        # Loop thread only:
        self._pw: Any = None
        self._context: Any = None
        self._context_alive = False
        self._spare_page: Any = None
        self._users = 0
        self._context_lock: asyncio.Lock | None = None
        # Figures for `doctor`/bench: the last browser launch and join, in seconds.
        self.last_launch_seconds: float | None = None
        self.last_join_seconds: float | None = None

    # -- the port -------------------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """New settings (config.toml changed); they apply to the next attend."""
        self.settings = settings

    def attend(self, job: Any, on_update: OnUpdate) -> None:
        settings = self.settings
        state = _Job(job, on_update, settings)
        refusal = None
        with self._lock:
            if job.id in self._jobs:
                log.warning("already attending %s; ignoring the second request", job.id)
                return
            if self._closing:
                refusal = "the app is closing"
            elif _web_link(job.join_url) is None:
                refusal = (
                    f"refused to open a {_scheme_of(job.join_url)}: link "
                    "(only http and https links are opened)"
                )
            elif len(self._jobs) >= settings.join.max_concurrent:
                refusal = (
                    f"too many webinars at once (max_concurrent = {settings.join.max_concurrent})"
                )
            else:
                self._jobs[job.id] = state
            loop = self._ensure_thread()
        if refusal is not None:
            log.warning("not attending %s: %s", job.id, refusal)
            loop.call_soon_threadsafe(self._refuse, state, refusal)
            return
        state.future = asyncio.run_coroutine_threadsafe(self._attend(state), loop)

    def leave(self, job_id: str) -> None:
        with self._lock:
            state, loop = self._jobs.get(job_id), self._loop
        if state is not None and loop is not None:
            loop.call_soon_threadsafe(self._request_stop, state, "left by request")

    def active(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def close(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout

        def left() -> float:
            return max(0.5, deadline - time.monotonic())

        with self._lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            self._closing = True
            states = list(self._jobs.values())
        for st in states:
            loop.call_soon_threadsafe(self._request_stop, st, "the app is closing")
        futures = [st.future for st in states if st.future is not None]
        if futures:
            _, pending = concurrent.futures.wait(futures, timeout=left())
            for f in pending:  # stuck in Playwright: cancel; the coroutine still reports done
                f.cancel()
            if pending:
                concurrent.futures.wait(pending, timeout=left())
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=left())
        except Exception as exc:
            log.warning("browser shutdown: %s", first_line(exc))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=left())
        with self._lock:
            self._loop = None
            self._thread = None
            self._closing = False
            # The loop is gone: whatever it still held is forgotten (a fresh start next time).
            self._users = 0
            self._context = self._pw = self._spare_page = None
            self._context_alive = False
            for st in states:
                self._jobs.pop(st.job.id, None)

    # -- test hooks -----------------------------------------------------------------------------

    def _debug_close_page(self, job_id: str, crash: bool = False, timeout: float = 10.0) -> None:
        """Tests only: close (or crash) the page of `job_id` as if it died on its own."""
        with self._lock:
            state, loop = self._jobs.get(job_id), self._loop
        if state is None or loop is None:
            raise KeyError(job_id)

        async def kill() -> None:
            page = state.page
            if page is None:
                raise RuntimeError(f"{job_id} has no page")
            if crash:
                try:
                    await page.goto("chrome://crash", timeout=5000)
                except Exception:
                    pass
            else:
                await page.close()

        asyncio.run_coroutine_threadsafe(kill(), loop).result(timeout)

    # -- the thread -----------------------------------------------------------------------------

    def _ensure_thread(self) -> asyncio.AbstractEventLoop:
        """Start the worker thread and its loop if needed (called with self._lock held)."""
        if self._thread is not None and self._thread.is_alive() and self._loop is not None:
            return self._loop
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            self._context_lock = asyncio.Lock()
            ready.set()
            try:
                loop.run_forever()
            finally:
                try:
                    loop.run_until_complete(loop.shutdown_asyncgens())
                finally:
                    loop.close()

        thread = threading.Thread(target=run, name="webinar-tray-browser", daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread = loop, thread
        return loop

    def _emit(self, st: _Job, kind: str) -> None:
        if st.done_sent:
            return
        if kind == "done":
            st.done_sent = True
        try:
            st.on_update(kind, copy.deepcopy(st.report))
        except Exception:
            log.exception("on_update(%r) for %s failed", kind, st.job.id)

    def _refuse(self, st: _Job, why: str) -> None:
        st.report.error = why
        st.report.left_at = _utcnow()
        self._emit(st, "done")

    def _request_stop(self, st: _Job, why: str) -> None:
        if st.stop_reason is None:
            st.stop_reason = why
        st.wake.set()

    async def _pause(self, st: _Job, seconds: float) -> None:
        """Sleep up to `seconds`, waking early on leave/close or the page going down."""
        if seconds > 0 and st.stop_reason is None:
            try:
                await asyncio.wait_for(st.wake.wait(), timeout=seconds)
            except asyncio.TimeoutError:
                pass
        st.wake.clear()

    # -- the browser ----------------------------------------------------------------------------

    async def _ensure_context(self, settings: Settings) -> Any:
        assert self._context_lock is not None
        async with self._context_lock:
            if self._context_alive:
                return self._context
            if self._context is not None:  # it died: let go of it before relaunching
                old, self._context = self._context, None
                try:
                    await old.close()
                except Exception:
                    pass
            choice = find_browser(settings.browser, self.paths.browsers_dir)
            if self._pw is None:
                started = time.monotonic()
                from playwright.async_api import async_playwright  # lazily: ~15 MB

                self._pw = await async_playwright().start()
                log.debug("Playwright driver started in %.2f s", time.monotonic() - started)
            wanted = self._headless if self._headless is not None else settings.join.headless
            headless, why = choose_headless(wanted)
            if why:
                log.info(why)
            started = time.monotonic()
            context = await launch(
                self._pw, choice, self.paths.profile_dir, headless, settings.browser.args
            )
            self.last_launch_seconds = time.monotonic() - started
            context.on("close", lambda _ctx, c=context: self._context_closed(c))
            self._context = context
            self._context_alive = True
            self._spare_page = context.pages[0] if context.pages else None
            return context

    def _context_closed(self, context: Any) -> None:
        if context is not self._context:
            return
        self._context_alive = False
        if self._users:
            log.warning("the browser closed")
        with self._lock:
            states = list(self._jobs.values())
        for st in states:
            if st.page is not None and st.down in (None, "page closed"):
                st.down, st.down_at = "browser closed", st.down_at or _utcnow()
            st.wake.set()

    async def _release(self) -> None:
        self._users -= 1
        if self._users > 0:
            return
        assert self._context_lock is not None
        async with self._context_lock:
            if self._users == 0:
                await self._stop_browser()

    async def _stop_browser(self) -> None:
        context, self._context = self._context, None
        self._context_alive = False
        self._spare_page = None
        if context is not None:
            try:
                await context.close()
                log.info("browser closed (no webinar open)")
            except Exception as exc:
                log.debug("closing the browser: %s", first_line(exc))
        pw, self._pw = self._pw, None
        if pw is not None:
            try:
                await pw.stop()
            except Exception as exc:
                log.debug("stopping Playwright: %s", first_line(exc))

    async def _shutdown(self) -> None:
        assert self._context_lock is not None
        async with self._context_lock:
            await self._stop_browser()

    async def _ensure_page(self, st: _Job) -> Any:
        context = await self._ensure_context(st.settings)
        page = st.page
        if page is not None and st.down is None and not page.is_closed():
            return page
        st.page = None  # events from the old page no longer count
        if page is not None and not page.is_closed():
            try:
                await page.close()
            except Exception:
                pass
        spare, self._spare_page = self._spare_page, None
        if spare is not None and not spare.is_closed() and spare.url in ("about:blank", ""):
            page = spare
        else:
            page = await context.new_page()
        self._adopt(st, page)
        return page

    def _adopt(self, st: _Job, page: Any) -> None:
        st.page = page
        st.down = None
        st.down_at = None
        page.on("crash", lambda p: self._page_down(st, p, "page crashed"))
        page.on("close", lambda p: self._page_down(st, p, "page closed"))

    def _page_down(self, st: _Job, page: Any, why: str) -> None:
        if page is not st.page or st.down is not None:
            return
        st.down, st.down_at = why, _utcnow()
        st.wake.set()

    async def _close_page(self, st: _Job) -> None:
        page, st.page = st.page, None
        if page is not None and not page.is_closed():
            try:
                await page.close()
            except Exception:
                pass

    # -- one attend -----------------------------------------------------------------------------

    async def _attend(self, st: _Job) -> None:
        job, report = st.job, st.report
        self._users += 1
        try:
            try:  # warm up: the browser and a blank page, before join_at
                await self._ensure_page(st)
            except BrowserNotFound as exc:
                report.error = f"browser: {exc}"
                return
            except Exception as exc:
                log.warning("starting the browser for %s: %s", job.id, scrub(first_line(exc)))
            await self._wait_until(st, job.join_at)
            if st.stop_reason is not None:
                report.error = f"left before joining ({st.stop_reason})"
                return
            if not await self._join_with_retries(st):
                await self._screenshot(st, suffix="-failed")
                return
            report.error = ""
            report.joined_at = _utcnow()
            await self._screenshot(st)
            self._emit(st, "joined")
            await self._stay(st)
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
                await self._close_page(st)
            finally:
                report.left_at = _utcnow()
                with self._lock:
                    if self._jobs.get(job.id) is st:
                        del self._jobs[job.id]
                log.info(
                    "done with %s: %s",
                    job.id,
                    "joined" if report.joined_at else f"not joined ({report.error})",
                )
                self._emit(st, "done")
                await self._release()

    async def _wait_until(self, st: _Job, when: datetime | None) -> None:
        """Sleep until `when` in chunks of at most 5 s against the wall clock, so a suspended
        and resumed PC does not oversleep."""
        if when is None:
            return
        while st.stop_reason is None:
            remaining = (when - _utcnow()).total_seconds()
            if remaining <= 0:
                return
            await self._pause(st, min(5.0, remaining))

    async def _join_with_retries(self, st: _Job) -> bool:
        report, job = st.report, st.job
        delay = 2.0
        for attempt in range(1, self._attempts + 1):
            if st.stop_reason is not None:
                report.error = report.error or f"left before joining ({st.stop_reason})"
                return False
            if _utcnow() >= job.leave_at:
                report.error = report.error or "the leave time came before the page was joined"
                return False
            try:
                await self._open_and_join(st)
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
            await self._pause(st, delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        return False

    async def _open_and_join(self, st: _Job, rejoin: bool = False) -> None:
        job, settings = st.job, st.settings
        url = _web_link(job.join_url)
        if url is None:  # checked in attend(); never open anything else
            raise StepError("open", "the link is not http(s)", retry=False)
        page = await self._ensure_page(st)
        host = urlsplit(url).hostname or "the page"
        now = _utcnow()
        if rejoin:
            log.info("navigating %s to %s again (rejoining)", job.id, safe_url(url))
        elif job.join_at is not None:
            log.info(
                "navigating %s to %s (planned %s, delay %.2f s)",
                job.id,
                safe_url(url),
                job.join_at.isoformat(timespec="seconds"),
                (now - job.join_at).total_seconds(),
            )
        else:
            log.info("navigating %s to %s (now)", job.id, safe_url(url))
        step_timeout = float(settings.join.step_timeout_seconds)
        started = time.monotonic()
        try:
            await page.goto(url, wait_until="domcontentloaded",
                            timeout=max(30.0, step_timeout) * 1000)
        except Exception as exc:
            if st.down:
                raise StepError("open", st.down) from exc
            why = scrub(first_line(exc)).replace("Page.goto: ", "")
            raise StepError("open", f"could not open {host}: {why}") from exc
        try:
            await page.bring_to_front()
        except Exception:
            pass
        joined = await run_join_steps(
            page,
            timeout=step_timeout,
            name=settings.join.name,
            email=settings.join.email,
            abort=lambda: st.down,
        )
        if joined is not page:  # the join button opened the webinar in a new page
            old = page
            self._adopt(st, joined)
            try:
                await old.close()
            except Exception:
                pass
        self.last_join_seconds = time.monotonic() - started
        log.info("joined %s in %.2f s", job.id, self.last_join_seconds)

    async def _stay(self, st: _Job) -> None:
        job, report, settings = st.job, st.report, st.settings
        every = timedelta(minutes=settings.join.screenshot_minutes)
        next_shot = _utcnow() + every if every else None
        while True:
            now = _utcnow()
            if st.stop_reason is not None:
                log.info("leaving %s: %s", job.id, st.stop_reason)
                return
            if now >= job.leave_at:
                log.info("leaving %s: leave time", job.id)
                return
            if st.down is not None:
                await self._recover(st)
                if report.ended_by_page:
                    return
                continue
            try:
                ended = await page_ended(st.page)
            except Exception:
                ended = False
            if ended and st.down is None:
                report.ended_by_page = True
                log.info("leaving %s: the page says the webinar has ended", job.id)
                return
            if next_shot is not None and now >= next_shot:
                if await self._screenshot(st):
                    self._emit(st, "progress")
                next_shot = now + every
            wait = min(self._check_seconds, (job.leave_at - now).total_seconds())
            if next_shot is not None:
                wait = min(wait, (next_shot - now).total_seconds())
            await self._pause(st, max(0.05, wait))

    async def _recover(self, st: _Job) -> None:
        """The page or the browser died while staying: rejoin with backoff until the leave time;
        record the time away as a gap."""
        job, report = st.job, st.report
        why = st.down or "page lost"
        start = st.down_at or _utcnow()
        log.warning("%s: %s while attending; rejoining", job.id, why)
        delay = 2.0
        while True:
            now = _utcnow()
            if st.stop_reason is not None or now >= job.leave_at:
                end = min(now, max(job.leave_at, start))
                report.gaps.append(Gap(start, end, why))
                self._emit(st, "progress")
                return
            await self._pause(st, min(delay, max(0.05, (job.leave_at - now).total_seconds())))
            if st.down == "browser closed":
                why = st.down  # the pages close just before the browser says it closed
            if st.stop_reason is not None or _utcnow() >= job.leave_at:
                continue
            try:
                await self._open_and_join(st, rejoin=True)
            except StepError as exc:
                if exc.ended:
                    report.ended_by_page = True
                    report.gaps.append(Gap(start, _utcnow(), why))
                    self._emit(st, "progress")
                    return
                log.warning("rejoining %s: %s", job.id, scrub(str(exc)))
            except (BrowserNotFound, LaunchError) as exc:
                log.warning("rejoining %s: browser: %s", job.id, scrub(str(exc)))
            except Exception as exc:
                log.warning("rejoining %s: %s", job.id, scrub(first_line(exc)))
            else:
                report.gaps.append(Gap(start, _utcnow(), why))
                log.info("rejoined %s after %s", job.id, why)
                await self._screenshot(st)
                self._emit(st, "progress")
                return
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    async def _screenshot(self, st: _Job, suffix: str = "") -> bool:
        if st.settings.join.screenshot_minutes <= 0:
            return False
        page = st.page
        if page is None or page.is_closed():
            return False
        try:
            folder = self.paths.evidence_dir
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / evidence_name(st.job.id, _utcnow(), suffix)
            await page.screenshot(path=str(path), timeout=15000)
        except Exception as exc:
            log.warning("screenshot of %s failed: %s", st.job.id, scrub(first_line(exc)))
            return False
        st.report.evidence.append(str(path))
        log.debug("evidence: %s", path)
        return True
