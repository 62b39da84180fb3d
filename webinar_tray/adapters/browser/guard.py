"""Keeps one attendance's pages on the sites it may use (on the joiner's loop thread).

`SiteGuard.watch(page)` listens to the page's top-level navigations (`framenavigated` of the main
frame: server redirects, `location=` in a script, links, history changes) and to the pages it
opens (`popup`, watched in turn). A page on a host outside `hosts` (see core/allowed_sites) is
remembered as `left`; while joining, `check()` - called by every join step before it fills or
clicks anything - then raises LeftAllowedSites, so nothing is typed into the foreign page.
A popup that leaves while joining is closed at once.

Playwright delivers a page's events in protocol order, so a navigation is known here before any
answer from the new document (a probe finding its form, a locator counting its fields).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Callable

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.steps import StepError
from webinar_tray.core.allowed_sites import left_to

log = logging.getLogger(__name__)


class LeftAllowedSites(StepError):
    """The page (or a page it opened) went to a host outside the sites this join may use. Its
    text is only that host: "left the allowed sites: evil.example"."""

    def __init__(self, host: str):
        super().__init__("page", f"left the allowed sites: {host}", retry=False)
        self.host = host

    def __str__(self) -> str:
        return self.why


class SiteGuard:
    """`joining` is True from `begin()` (an attempt opens the link) until the session has the
    joined page; only then do foreign pages count as `left` and popups get closed. Every foreign
    top-level page of a watched page goes to `on_leave(page, host)` (the session's choice)."""

    def __init__(self, hosts: tuple[str, ...], job_id: str = "",
                 on_leave: Callable[[Any, str], None] | None = None):
        self.hosts = hosts
        self.job_id = job_id
        self.left: str | None = None  # where a page went during this attempt
        self.joining = False
        self._on_leave = on_leave
        self._watched: weakref.WeakSet = weakref.WeakSet()
        self._tasks: set[asyncio.Task] = set()

    def begin(self) -> None:
        """A join attempt starts (the link is opened again)."""
        self.left = None
        self.joining = True

    def watch(self, page: Any) -> None:
        if page in self._watched:
            return
        self._watched.add(page)
        page.on("framenavigated", lambda frame: self._navigated(page, frame))
        page.on("popup", self._popup)

    def check(self, page: Any = None) -> None:
        """Raise LeftAllowedSites when a watched page (or `page`, looked at now) left the sites."""
        if page is not None:
            self._look(page, page.url, "the page")
        if self.left is not None:
            raise LeftAllowedSites(self.left)

    # -- events ----------------------------------------------------------------------------------

    def _navigated(self, page: Any, frame: Any) -> None:
        try:
            if frame.parent_frame is not None:
                return  # an iframe (a player, a consent dialog) is the page's own business
            url = frame.url
        except Exception:
            return
        self._look(page, url, "the page")

    def _popup(self, popup: Any) -> None:
        self.watch(popup)
        if self._look(popup, popup.url, "a page it opened") and self.joining:
            self._close(popup)

    def _look(self, page: Any, url: str, what: str) -> bool:
        """Note `url` if it left the sites (as `left` while joining). True when it did."""
        host = left_to(url, self.hosts)
        if host is None:
            return False
        if self.joining and self.left is None:
            self.left = host
            log.warning("%s: %s left the allowed sites: %s", self.job_id, what, host)
        if self._on_leave is not None:
            self._on_leave(page, host)
        return True

    def _close(self, page: Any) -> None:
        async def close() -> None:
            try:
                await page.close()
            except Exception as exc:
                log.debug("closing a foreign page: %s", first_line(exc))

        try:
            task = asyncio.get_running_loop().create_task(close())
        except RuntimeError:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
