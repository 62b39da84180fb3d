"""The building blocks every provider's join steps are made of (Playwright async API): the
polling machinery, finding and clicking elements, filling forms, cookie banners, end checks.

Every step waits on page state - locators, `wait_for`, polling the page's frames (iframes appear
late) - never on a fixed sleep. A failing step raises StepError, whose text names the step and why:
"join button: no Enter/Join/Watch button appeared within 60 s".

Building blocks for providers (see providers/__init__.py):
- `JoinRequest`: the page and the session's arguments (link, step timeout, [join] name/email,
  abort check), as one value;
- `Poll`: the rounds of one polling loop - `async for poll in Poll(req): ...` - checking the abort
  callback and the page each round, clicking a cookie banner while it may still come, and ending
  when the step timeout passes without progress (`poll.progress(step)` restarts it), after which the
  caller raises the StepError naming `poll.step`;
- `find` / `click` (a visible, enabled button or link by name in any frame, clicked once),
  `fill_fields` (the name/e-mail inputs the page probe tagged), `text_match`, `Settle`, `Popups`,
  `raise_if_ended`, `consent_once` (one cookie-banner click).

Also here: `page_ended`, which the session checks while attending. The generic steps, for pages
without a provider of their own, are in providers/generic.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import (
    Look,
    frames,
    look,
    loop_now,
    media_ended,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # how often the frames are looked at while a step waits
BANNER_SECONDS = 10.0  # the cookie banner gets at most this long (or the step timeout)
SETTLE_SECONDS = 1.0  # a clicked button must stay gone this long to count as "went away"

CONSENT_NAME = re.compile(
    r"^\s*(accept( all)?( cookies)?|allow all|i agree|agree|got it|ok)\s*$", re.IGNORECASE
)
CONSENT_SELECTORS = (
    "#onetrust-accept-btn-handler, #CybotCookiebotDialogBodyLevelButtonLLCAllowAll, "
    "button#truste-consent-button"
)
CLICKED = "data-wt-clicked"  # set on every element a step clicked


class StepError(Exception):
    """A join step failed. `retry`: whether trying the whole join again may help;
    `ended`: the page says the webinar is over."""

    def __init__(self, step: str, why: str, *, retry: bool = True, ended: bool = False):
        super().__init__(f"{step}: {why}")
        self.step = step
        self.why = why
        self.retry = retry
        self.ended = ended

    def __str__(self) -> str:
        return f"{self.step}: {self.why}"


def check_abort(abort: Callable[[], str | None] | None) -> None:
    if abort is None:
        return
    why = abort()
    if why:
        raise StepError("page", why)


# -- building blocks of every provider's steps ----------------------------------------------------


@dataclass
class JoinRequest:
    """One join: the loaded page and what the session passes (`providers.join`'s arguments)."""

    page: Any
    url: str
    timeout: float  # each step waits at most this long ([join] step_timeout_seconds)
    name: str = ""  # [join] name
    email: str = ""  # [join] email
    abort: Callable[[], str | None] | None = None  # a non-empty answer stops the steps
    guard: Callable[[], None] | None = None  # raises once a page left the allowed sites (guard.py)

    def check(self) -> None:
        """Raise StepError('page') when the session says stop or the page closed, and (through
        `guard`, see guard.py) when a page left the allowed sites. Called before every fill and
        click."""
        if self.guard is not None:
            self.guard()
        check_abort(self.abort)
        if self.page.is_closed():
            raise StepError("page", "the page closed")


class Poll:
    """The rounds of one polling loop: `async for poll in Poll(req, step="join button"): ...`.

    Each round first checks `req` (abort, page closed) and, with `banner=True`, clicks a consent
    button while one may still come (min(10 s, timeout) from the start). Rounds are POLL_SECONDS
    apart and stop once the step timeout has passed since the start or the last `progress()`; the
    body leaves early by returning or raising, and after the loop the caller raises the StepError
    for `poll.step` (what it was waiting for)."""

    def __init__(self, req: JoinRequest, *, step: str = "join button", banner: bool = False,
                 timeout: float | None = None):
        self.req = req
        self.step = step
        self.timeout = req.timeout if timeout is None else timeout
        now = loop_now()
        self.deadline = now + self.timeout
        self.banner_deadline = now + min(BANNER_SECONDS, self.timeout)
        self.banner_done = not banner
        self.watch_banners = banner  # click consent banners (in a window after start/progress)
        self.click_error = ""  # the last click that failed (Playwright's first line)
        self._rounds = 0

    def __aiter__(self) -> "Poll":
        return self

    async def __anext__(self) -> "Poll":
        if self._rounds:
            if loop_now() >= self.deadline:
                raise StopAsyncIteration
            await asyncio.sleep(POLL_SECONDS)
        self._rounds += 1
        self.req.check()
        await self.banner()
        return self

    async def banner(self) -> None:
        """Click a consent button if one shows while the banner may still come."""
        if not self.banner_done and loop_now() < self.banner_deadline:
            self.banner_done = await consent_once(self.req.page, self.req.check)

    def progress(self, step: str) -> None:
        """A step succeeded: wait for `step` next, with a fresh step timeout (and, with
        `banner=True`, a fresh banner window: the next page may bring its own)."""
        self.step = step
        now = loop_now()
        self.deadline = now + self.timeout
        self.click_error = ""
        if self.watch_banners:
            self.banner_done = False
            self.banner_deadline = now + min(BANNER_SECONDS, self.timeout)

    def click_ms(self, most: float = 10.0) -> float:
        """A click's timeout (ms): what is left of the step, at least 1 s, at most `most` s."""
        return max(1.0, min(most, self.deadline - loop_now())) * 1000


class Settle:
    """`hold(ok)` is True once `ok` has been true for `seconds` in a row (a button that stays gone,
    a screen that stays shown)."""

    def __init__(self, seconds: float = SETTLE_SECONDS):
        self.seconds = seconds
        self.since: float | None = None

    def hold(self, ok: bool) -> bool:
        if not ok:
            self.since = None
            return False
        self.since = self.since if self.since is not None else loop_now()
        return loop_now() - self.since >= self.seconds


class Popups:
    """Collects the pages the page opens (a join button opening the webinar in a new window);
    use as `with Popups(page) as popups:`."""

    def __init__(self, page):
        self.page = page
        self.pages: list = []

    def _on_popup(self, popup) -> None:
        self.pages.append(popup)

    def __enter__(self) -> "Popups":
        self.page.on("popup", self._on_popup)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.page.remove_listener("popup", self._on_popup)
        except Exception:
            pass

    async def take(self, timeout: float) -> Any | None:
        """The first page opened, loaded (domcontentloaded), or None."""
        if not self.pages:
            return None
        popup = self.pages.pop(0)
        try:
            await popup.wait_for_load_state("domcontentloaded", timeout=max(1.0, timeout) * 1000)
        except Exception:
            pass
        return popup


@dataclass
class Target:
    frame: Any
    locator: Any
    label: str



async def visible(loc) -> Any | None:
    """The first visible element of `loc`, or None (also when the frame is not ready)."""
    try:
        loc = loc.filter(visible=True)
        if await loc.count():
            return loc.first
    except Exception as exc:
        log.debug("locator skipped: %s", first_line(exc))
    return None


async def find(page, name: re.Pattern, roles=("button", "link"), *,
               fresh: bool = True) -> Target | None:
    """A visible element of one of `roles` (in that order) whose accessible name matches `name`,
    in any frame; buttons must be enabled. `fresh`: skip elements a step already clicked."""
    for role in roles:
        for frame in frames(page):
            try:
                loc = frame.get_by_role(role, name=name).filter(visible=True)
                if fresh:
                    loc = loc.and_(frame.locator(f":not([{CLICKED}])"))
                for i in range(min(await loc.count(), 5)):
                    el = loc.nth(i)
                    if role in ("button", "switch", "checkbox") and not await el.is_enabled(
                            timeout=1000):
                        continue
                    label = " ".join((await el.inner_text(timeout=1000)).split())
                    if not label:
                        label = (await el.get_attribute("aria-label", timeout=1000)) or role
                    return Target(frame, el, label[:40])
            except Exception as exc:
                log.debug("%s: frame skipped: %s", role, first_line(exc))
    return None


async def click(req: JoinRequest, poll: Poll, target: Target, step: str, *,
                token: str | None = None, where: str = "") -> bool:
    """Click `target` and mark it clicked (`find` skips it from then on). False, with
    `poll.click_error` set, when it could not be clicked yet. With `token`, the mark is set to
    it before the click, so the caller can tell afterwards whether that very button is gone.
    Raises (req.check) when the page left the allowed sites: nothing is clicked there."""
    req.check()
    try:
        if token is not None:
            await target.locator.evaluate(f"(el, t) => el.setAttribute('{CLICKED}', t)", token)
        # A page behind another that animates gets few frames, and Playwright's click waits
        # for frames (seen here: 3-4 s per click with two webinars).
        await req.page.bring_to_front()
        await target.locator.scroll_into_view_if_needed(timeout=5000)
        await target.locator.click(timeout=poll.click_ms())
    except Exception as exc:
        poll.click_error = first_line(exc)
        log.info("%s: %r not clickable yet: %s", step, target.label, poll.click_error)
        if poll.watch_banners:  # a banner covering it?
            poll.banner_done = await consent_once(req.page, req.check) or poll.banner_done
        return False
    log.info("%s: clicked %r%s", step, target.label, where)
    if token is None:
        try:
            await target.locator.evaluate(f"el => el.setAttribute('{CLICKED}', '1')", timeout=1000)
        except Exception:
            pass  # it went away with the click (a navigation, a re-render)
    return True


def missing_value(step: str, site: str, kinds) -> StepError:
    """The StepError for a form asking for a [join] value that is not set."""
    if set(kinds) & {"full", "first", "last"}:
        return StepError(
            step, f"{site} asks for your name; set [join] name (and email) in config.toml",
            retry=False,
        )
    return StepError(step, f"{site} asks for your e-mail; set [join] email in config.toml",
                     retry=False)


def field_values(name: str, email: str) -> dict[str, str]:
    """The value of each kind of name/e-mail field (full, first, last, email) from [join]."""
    parts = name.split()
    return {
        "full": name.strip(),
        "first": parts[0] if parts else "",
        "last": parts[-1] if parts else "",
        "email": email.strip(),
    }


async def fill_fields(req: JoinRequest, looks: list[Look], *, step: str = "form",
                      site: str = "The page") -> int:
    """Fill the empty name/e-mail inputs the probe tagged (first/last/full name, e-mail) from
    [join] name/email. Returns how many were filled. A name field, or a required e-mail field,
    whose value is not set raises `missing_value(step, site)`. Nothing is typed into a page
    that left the allowed sites (req.check raises first)."""
    req.check()
    values = field_values(req.name, req.email)
    filled = 0
    for lk in looks:
        empty = [f for f in lk.fields if f["empty"]]
        missing = {f["kind"] for f in empty if not values[f["kind"]]
                   and (f["kind"] != "email" or f["required"])}
        if missing:
            raise missing_value(step, site, missing)
        for kind in {f["kind"] for f in empty if values[f["kind"]]}:
            loc = lk.frame.locator(f'[data-wt-field="{kind}"]').filter(visible=True)
            for i in range(await loc.count()):
                el = loc.nth(i)
                if await el.input_value(timeout=2000) == "":
                    await el.fill(values[kind], timeout=5000)
                    filled += 1
    if filled:
        log.info("%s: filled %d name/e-mail field(s)", step, filled)
    return filled


async def text_match(page, pattern: re.Pattern, scope: str = "body") -> str | None:
    """The first text matching `pattern` in the visible `scope` elements of any frame."""
    js = ("(s) => Array.from(document.querySelectorAll(s)).map((e) => e.innerText || '')"
          ".join('\\n')")
    for frame in frames(page):
        try:
            text = await frame.evaluate(js, scope)
        except Exception:
            continue
        m = pattern.search(text or "")
        if m:
            return " ".join(m.group(0).split())
    return None


def raise_if_ended(looks: list[Look], step: str, what: str = "webinar") -> None:
    if any(lk.ended for lk in looks):
        raise StepError(step, f"the page says the {what} has ended", retry=False, ended=True)


# -- cookie banners -------------------------------------------------------------------------------


async def consent_once(page, check: Callable[[], None] | None = None) -> bool:
    """Click one visible consent button in any frame. True when one was clicked. `check` (a
    JoinRequest's) is called just before the click and may raise to prevent it."""
    for frame in frames(page):
        try:
            loc = (
                frame.locator(CONSENT_SELECTORS)
                .or_(frame.get_by_role("button", name=CONSENT_NAME))
                .filter(visible=True)
            )
            if await loc.count() == 0:
                continue
            button = loc.first
            label = (await button.inner_text(timeout=2000)).strip()[:40]
            if check is not None:
                check()
            await page.bring_to_front()  # see click(): clicks need frames
            await button.click(timeout=5000)
            log.info("cookie banner: clicked %r", label)
            return True
        except StepError:
            raise
        except Exception as exc:  # the banner animating away, a frame detaching...
            log.debug("cookie banner: click failed: %s", first_line(exc))
    return False


# -- while attending ------------------------------------------------------------------------------


async def page_ended(page) -> bool:
    """The page says the webinar is over (see page_state.ENDED_TEXT), or its media ended
    (page_state.media_ended)."""
    looks = await look(page)
    return any(lk.ended for lk in looks) or media_ended(looks)
