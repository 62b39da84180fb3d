"""The Joiner port on Playwright: one browser (persistent profile), one page per webinar.

One daemon thread owns an asyncio loop and Playwright's async API; Playwright, asyncio and the
page session are imported on the first join, so the idle app never pays for them. `attend()` returns at once and schedules a
`PageVisit` (session.py) on that loop: it waits for `join_at`, joins, stays and reports. The
joiner owns what the attendances share: the thread, the browser context (started on demand,
closed when no page is left) and the limit on webinars at once. `on_update` is called from that
thread; 'done' exactly once per attend.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from webinar_tray.adapters.browser.discover import find_browser
from webinar_tray.adapters.browser.launch import (
    choose_headless,
    first_line,
    launch,
    scrub,
)
from webinar_tray.adapters.desktop.keepawake import KeepAwake, platform_keep_awake
from webinar_tray.config.paths import Paths
from webinar_tray.core.settings import Settings
from webinar_tray.env import Env

if TYPE_CHECKING:
    import asyncio

    from webinar_tray.adapters.browser.session import OnUpdate, PageVisit

# asyncio, the page session and the provider steps are imported on the first join, not at
# start: ~80 ms of every launch that joins nothing in its first minute (bench/start_time.py).

__all__ = ["PlaywrightJoiner", "scrub"]

log = logging.getLogger(__name__)

FRONT_TIMEOUT_SECONDS = 5.0  # bring_to_front: the page did not come forward, give up


class PlaywrightJoiner:
    """Implements ports.Joiner. Thread-safe: attend/leave/active/close may be called from any
    thread.

    `headless`: the CLI's --headless (None: `[join] headless` decides). `env`: the platform and
    environment (the display, a frozen build's libraries); this is the browser adapter's public
    entry, so without one it reads the real ones (`Env.real()`)."""

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        headless: bool | None = None,
        *,
        check_seconds: float = 5.0,
        join_attempts: int = 3,
        keep_awake: KeepAwake | None = None,
        env: Env | None = None,
    ):
        self.settings = settings
        self.paths = paths
        self._env = env or Env.real()
        self._headless_override = headless
        self._check_seconds = max(0.1, min(5.0, check_seconds))
        self._attempts = max(1, join_attempts)
        # Held from the browser's launch (when `[join] keep_awake`) until it is closed.
        self._keep_awake = (keep_awake if keep_awake is not None
                            else platform_keep_awake(self._env))
        self._awake = False
        self._lock = threading.Lock()
        self._jobs: dict[str, PageVisit] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False
        # Loop thread only:
        self._pw: Any = None
        self._context: Any = None
        self._context_alive = False
        self._headless_now = True  # how the running browser was started (while _context_alive)
        self._spare_page: Any = None
        self._users = 0
        self._context_lock: asyncio.Lock | None = None
        self._places: asyncio.Condition | None = None  # pages attending, at most max_concurrent
        self._taken = 0
        # Figures for `doctor`/bench: the last browser launch and join, in seconds.
        self.last_launch_seconds: float | None = None
        self.last_join_seconds: float | None = None

    # -- the port -------------------------------------------------------------------------------

    @property
    def headless(self) -> bool:
        """Whether the browser runs without a window: while it runs, how it was started; else how
        the next launch starts it (the same decision, `_mode`)."""
        if self._context_alive:
            return self._headless_now
        return self._mode(self.settings)[0]

    def _mode(self, settings: Settings) -> tuple[bool, str | None]:
        """(headless, why): the CLI's --headless, else `[join] headless`; headless anyway where
        no display exists (`why` says so)."""
        wanted = (self._headless_override if self._headless_override is not None
                  else settings.join.headless)
        return choose_headless(wanted, self._env)

    def update_settings(self, settings: Settings) -> None:
        """New settings (config.toml changed); they apply to the next attend."""
        self.settings = settings

    def attend(self, job: Any, on_update: OnUpdate) -> None:
        import asyncio

        from webinar_tray.adapters.browser.session import PageVisit, scheme_of, web_link

        settings = self.settings
        state = PageVisit(
            job,
            on_update,
            settings,
            self,
            evidence_dir=self.paths.evidence_dir,
            check_seconds=self._check_seconds,
            attempts=self._attempts,
            clock=self._env.clock,
        )
        refusal = None
        with self._lock:
            if job.id in self._jobs:
                log.warning("already attending %s; ignoring the second request", job.id)
                return
            if self._closing:
                refusal = "the app is closing"
            elif web_link(job.join_url) is None:
                refusal = (
                    f"refused to open a {scheme_of(job.join_url)}: link "
                    "(only http and https links are opened)"
                )
            else:  # beyond max_concurrent it waits for a free place at its join time
                self._jobs[job.id] = state
            loop = self._ensure_thread()
        if refusal is not None:
            log.warning("not attending %s: %s", job.id, refusal)
            loop.call_soon_threadsafe(state.refuse, refusal)
            return
        state.future = asyncio.run_coroutine_threadsafe(self._attend(state), loop)

    def leave(self, job_id: str) -> None:
        with self._lock:
            state, loop = self._jobs.get(job_id), self._loop
        if state is not None and loop is not None:
            loop.call_soon_threadsafe(state.request_stop, "left by request")

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
        import asyncio  # only once a join has started the loop: quitting an idle app imports nothing
        import concurrent.futures

        for st in states:
            loop.call_soon_threadsafe(st.request_stop, "the app is closing")
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
        self._let_sleep()  # when the shutdown above did not get that far
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

    def bring_to_front(self, job_id: str) -> bool:
        """Show the page of `job_id` in front (a visible browser only). False when there is no
        such page or the browser is headless. Waits at most FRONT_TIMEOUT_SECONDS."""
        import asyncio
        with self._lock:
            state, loop = self._jobs.get(job_id), self._loop
        if state is None or loop is None or self._headless_now:
            return False

        async def front() -> bool:
            page = state.page
            if page is None:
                return False
            await page.bring_to_front()
            return True

        try:
            return asyncio.run_coroutine_threadsafe(front(), loop).result(FRONT_TIMEOUT_SECONDS)
        except Exception as exc:
            log.info("could not bring %s to the front: %s", job_id, first_line(exc))
            return False

    # -- test hooks -----------------------------------------------------------------------------

    def _debug_close_page(self, job_id: str, crash: bool = False, timeout: float = 10.0) -> None:
        """Tests only: close (or crash) the page of `job_id` as if it died on its own."""
        import asyncio
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
        import asyncio
        if self._thread is not None and self._thread.is_alive() and self._loop is not None:
            return self._loop

        def on_start() -> None:  # on the loop's thread
            self._context_lock = asyncio.Lock()
            self._places = asyncio.Condition()

        from webinar_tray.adapters.browser.loop_thread import start_loop_thread

        self._loop, self._thread = start_loop_thread(on_start)
        return self._loop

    async def _attend(self, state: PageVisit) -> None:
        """One attend on the loop: the browser stays up while any attendance runs."""
        self._users += 1
        try:
            await state.run()
        finally:
            await self._release()

    # -- what a PageVisit sees (session.BrowserHost; loop thread only) --------------------------

    async def take_place(self, visit: PageVisit) -> bool:
        """A place among the `max_concurrent` webinars attended at once; waits for one to free
        up. False when the visit is stopped or its webinar is over before one does."""
        import asyncio
        assert self._places is not None
        limit = visit.settings.join.max_concurrent
        async with self._places:
            if self._taken >= limit:
                log.info("%s waits for a free place: %d webinars open (max_concurrent = %d)",
                         visit.job.id, self._taken, limit)
            while self._taken >= limit:
                if visit.stop_reason is not None or self._env.clock.now() >= visit.job.leave_at:
                    return False
                try:  # woken by a release; the timeout notices leave() and the end
                    await asyncio.wait_for(self._places.wait(), timeout=2.0)
                except asyncio.TimeoutError:
                    pass
            self._taken += 1
            return True

    async def release_place(self) -> None:
        assert self._places is not None
        async with self._places:
            self._taken -= 1
            self._places.notify_all()

    async def ensure_context(self, settings: Settings) -> Any:
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
            choice = find_browser(settings.browser, self.paths.browsers_dir, self._env)
            if self._pw is None:
                started = time.monotonic()
                from playwright.async_api import async_playwright  # lazily: ~15 MB

                self._pw = await async_playwright().start()
                log.debug("Playwright driver started in %.2f s", time.monotonic() - started)
            headless, why = self._mode(settings)
            if why:
                log.info(why)
            self._headless_now = headless
            started = time.monotonic()
            context = await launch(
                self._pw, choice, self.paths.profile_dir, headless, settings.browser.args,
                env=self._env,
            )
            self.last_launch_seconds = time.monotonic() - started
            context.on("close", lambda _ctx, c=context: self._context_closed(c))
            self._context = context
            self._context_alive = True
            self._spare_page = context.pages[0] if context.pages else None
            if settings.join.keep_awake and not self._awake:
                self._awake = True
                self._keep_awake.acquire("attending a webinar")
            return context

    def take_spare_page(self) -> Any:
        spare, self._spare_page = self._spare_page, None
        return spare

    def joined_in(self, seconds: float) -> None:
        self.last_join_seconds = seconds

    def finished(self, visit: PageVisit) -> None:
        with self._lock:
            if self._jobs.get(visit.job.id) is visit:
                del self._jobs[visit.job.id]

    # -- the browser ----------------------------------------------------------------------------

    def _context_closed(self, context: Any) -> None:
        if context is not self._context:
            return
        self._context_alive = False
        if self._users:
            log.warning("the browser closed")
        with self._lock:
            states = list(self._jobs.values())
        for st in states:
            st.browser_closed()

    async def _release(self) -> None:
        self._users -= 1
        if self._users > 0:
            return
        assert self._context_lock is not None
        async with self._context_lock:
            if self._users == 0:
                await self._stop_browser()

    def _let_sleep(self) -> None:
        if self._awake:
            self._awake = False
            self._keep_awake.release()  # never raises

    async def _stop_browser(self) -> None:
        self._let_sleep()
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
