"""Generic join steps for a webinar page (Playwright async API).

Every step waits on page state - locators, `wait_for`, polling the page's frames (iframes appear
late) - never on a fixed sleep. A failing step raises StepError, whose text names the step and why:
"join button: no Enter/Join/Watch button appeared within 60 s".

The steps, as one polling loop (each step can only be decided by looking at the page again):
1. cookie banner - click a visible consent button in any frame, for at most min(10 s, timeout);
2. login wall - a visible password field or a "Sign in"/"Log in" form and no join button;
3. name/email form - fill it from `[join] name/email` (and submit it) before the join button;
4. join button - click a visible, enabled Enter/Join/Watch/... button or link, in any frame;
   a <video> already playing counts as joined without a click;
5. confirm - the clicked button went away, or a player / "live" marker appeared.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import (
    Look,
    frames,
    host_of_page,
    look,
    loop_now,
    playing,
    video_times,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # how often the frames are looked at while a step waits
BANNER_SECONDS = 10.0  # the cookie banner gets at most this long (or the step timeout)

JOIN_NAME = re.compile(
    r"^\s*(enter|join|join now|join webinar|join event|watch|watch now|register|launch|attend|"
    r"enter event|play)\s*$",
    re.IGNORECASE,
)
CONSENT_NAME = re.compile(
    r"^\s*(accept( all)?( cookies)?|allow all|i agree|agree|got it|ok)\s*$", re.IGNORECASE
)
CONSENT_SELECTORS = (
    "#onetrust-accept-btn-handler, #CybotCookiebotDialogBodyLevelButtonLLCAllowAll, "
    "button#truste-consent-button"
)
# Kept in step with the JavaScript copy in page_state._PROBE_JS.
ENDED_TEXT = re.compile(
    r"(webinar|webcast|event|broadcast|stream) has ended|thanks?( you)? for (attending|watching)|"
    r"this (webinar|event) is over",
    re.IGNORECASE,
)
FORM_ERROR = "the page asks for a name/e-mail; set [join] name and email in config.toml"


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


# -- step 1: cookie banner ------------------------------------------------------------------------


async def consent_once(page) -> bool:
    """Click one visible consent button in any frame. True when one was clicked."""
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
            await page.bring_to_front()  # see run_join_steps: clicks need frames
            await button.click(timeout=5000)
            log.info("cookie banner: clicked %r", label)
            return True
        except Exception as exc:  # the banner animating away, a frame detaching...
            log.debug("cookie banner: click failed: %s", first_line(exc))
    return False


async def accept_cookie_banner(page, timeout: float) -> bool:
    """Wait up to min(10 s, timeout) for a consent button in any frame and click it.
    Not finding one is fine (returns False)."""
    deadline = loop_now() + min(BANNER_SECONDS, timeout)
    while True:
        if await consent_once(page):
            return True
        if loop_now() >= deadline:
            log.debug("cookie banner: none seen")
            return False
        await asyncio.sleep(POLL_SECONDS)


# -- step 2: login wall ---------------------------------------------------------------------------


def _login_wall(looks: list[Look]) -> bool:
    return any(lk.password or lk.signin for lk in looks)


async def check_login_wall(page) -> None:
    """Raise StepError('login') when the page shows a sign-in form and no join button."""
    looks = await look(page)
    if _login_wall(looks) and await _find_join_button(page) is None:
        raise StepError("login", f"login needed on {host_of_page(page)}", retry=False)


# -- step 3: name/e-mail form ---------------------------------------------------------------------


def _values(name: str, email: str) -> dict[str, str]:
    parts = name.split()
    return {
        "full": name.strip(),
        "first": parts[0] if parts else "",
        "last": parts[-1] if parts else "",
        "email": email.strip(),
    }


async def _handle_forms(looks: list[Look], name: str, email: str) -> bool:
    """Fill (and submit) a name/e-mail form that stands in the way. True when one was filled.
    A lone optional e-mail box (a newsletter sign-up) is left alone."""
    values = _values(name, email)
    filled_any = False
    for lk in looks:
        empty = [f for f in lk.fields if f["empty"]]
        if not empty:
            continue
        blocking = any(f["required"] for f in empty) or len(lk.fields) >= 2
        if not blocking:
            continue
        missing = sorted({f["kind"] for f in empty if not values[f["kind"]]})
        if missing:
            raise StepError("form", FORM_ERROR, retry=False)
        frame = lk.frame
        last = None
        for kind in ("first", "last", "full", "email"):
            loc = frame.locator(f'[data-wt-field="{kind}"]').filter(visible=True)
            for i in range(await loc.count()):
                el = loc.nth(i)
                if await el.input_value(timeout=2000) == "":
                    await el.fill(values[kind], timeout=5000)
                    last = el
        if last is None:
            continue
        filled_any = True
        log.info("form: filled the name/e-mail fields")
        # Submit it, unless its own button is a join button (the join step clicks that).
        form = frame.locator("form", has=frame.locator("[data-wt-field]")).filter(visible=True)
        if await form.count():
            form = form.first
            own_join = form.get_by_role("button", name=JOIN_NAME).filter(visible=True)
            if await own_join.count():
                continue
            submit = form.locator(
                "button[type=submit], input[type=submit], button:not([type])"
            ).filter(visible=True)
            if await submit.count():
                await submit.first.click(timeout=5000)
                log.info("form: submitted")
                continue
        await last.press("Enter", timeout=5000)
        log.info("form: submitted with Enter")
    return filled_any


# -- step 4: join button --------------------------------------------------------------------------


@dataclass
class Target:
    frame: Any
    locator: Any
    label: str


async def _find_join_button(page) -> Target | None:
    """A visible, enabled join button (buttons before links), in any frame."""
    for role in ("button", "link"):
        for frame in frames(page):
            try:
                loc = frame.get_by_role(role, name=JOIN_NAME).filter(visible=True)
                n = await loc.count()
                for i in range(min(n, 5)):
                    el = loc.nth(i)
                    if role == "button" and not await el.is_enabled(timeout=1000):
                        continue
                    label = " ".join((await el.inner_text(timeout=1000)).split())
                    if not label:
                        label = (await el.get_attribute("aria-label", timeout=1000)) or role
                    return Target(frame, el, label[:40])
            except Exception as exc:
                log.debug("join button: frame skipped: %s", first_line(exc))
    return None


# -- step 5: confirm ------------------------------------------------------------------------------


async def _confirm(page, target: Target, token: str, before: list[Look], deadline: float,
                   timeout: float, popups: list, abort) -> Any:
    """Wait until the page shows we are in. Returns the page holding the webinar."""
    marked = target.frame.locator(f'[data-wt-clicked="{token}"]')
    players0 = sum(lk.players for lk in before)
    markers0 = sum(lk.markers for lk in before)
    times = video_times(before)
    while True:
        check_abort(abort)
        if popups:
            popup = popups[0]
            try:
                await popup.wait_for_load_state(
                    "domcontentloaded", timeout=max(1.0, deadline - loop_now()) * 1000
                )
            except Exception:
                pass
            log.info("confirm: %r opened a new page; following it", target.label)
            return popup
        try:
            gone = not await marked.is_visible()
        except Exception:
            gone = True  # the frame navigated or went away
        if gone:
            log.info("confirm: the %r button went away", target.label)
            return page
        looks = await look(page)
        now_times = video_times(looks)
        if sum(lk.players for lk in looks) > players0:
            log.info("confirm: a player appeared")
            return page
        if sum(lk.markers for lk in looks) > markers0:
            log.info("confirm: a live marker appeared")
            return page
        if playing(times, now_times):
            log.info("confirm: a video is playing")
            return page
        times = now_times or times
        if loop_now() >= deadline:
            raise StepError(
                "confirm",
                f"clicked {target.label!r} but the page did not show the webinar within "
                f"{timeout:g} s",
            )
        await asyncio.sleep(POLL_SECONDS)


def check_abort(abort: Callable[[], str | None] | None) -> None:
    if abort is None:
        return
    why = abort()
    if why:
        raise StepError("page", why)




# -- all steps ------------------------------------------------------------------------------------


async def run_join_steps(
    page,
    timeout: float,
    name: str = "",
    email: str = "",
    abort: Callable[[], str | None] | None = None,
) -> Any:
    """Run the generic steps on a loaded page. Returns the page that holds the webinar (the same
    page, or a new one a join link opened). Raises StepError.
    `abort()` is polled: a non-empty answer (e.g. "page crashed") stops the steps."""
    start = loop_now()
    deadline = start + timeout
    banner_deadline = start + min(BANNER_SECONDS, timeout)
    banner_done = False
    popups: list = []

    def on_popup(popup) -> None:
        popups.append(popup)

    page.on("popup", on_popup)
    last_click_error = ""
    try:
        previous: dict = {}
        while True:
            check_abort(abort)
            if page.is_closed():
                raise StepError("page", "the page closed")
            if not banner_done and loop_now() < banner_deadline:
                banner_done = await consent_once(page)
            looks = await look(page)
            if any(lk.ended for lk in looks):
                raise StepError(
                    "join button", "the page says the webinar has ended", retry=False, ended=True
                )
            target = await _find_join_button(page)
            login = _login_wall(looks)
            if target is None and login:
                raise StepError("login", f"login needed on {host_of_page(page)}", retry=False)
            filled = not login and await _handle_forms(looks, name, email)
            if filled:
                pass  # look again first: the form may have changed or brought the button
            elif target is not None:
                token = secrets.token_hex(4)
                try:
                    # A page behind another that animates gets few frames, and Playwright's
                    # click waits for frames (seen here: 3-4 s per click with two webinars).
                    await page.bring_to_front()
                    await target.locator.evaluate(
                        "(el, t) => el.setAttribute('data-wt-clicked', t)", token
                    )
                    await target.locator.scroll_into_view_if_needed(timeout=5000)
                    click_budget = max(1.0, min(10.0, deadline - loop_now()))
                    await target.locator.click(timeout=click_budget * 1000)
                except Exception as exc:
                    last_click_error = first_line(exc)
                    log.info("join button: %r not clickable yet: %s", target.label,
                             last_click_error)
                    banner_done = await consent_once(page) or banner_done
                else:
                    log.info("join button: clicked %r", target.label)
                    joined = await _confirm(
                        page, target, token, looks, loop_now() + timeout, timeout, popups, abort
                    )
                    if not banner_done:  # a banner that came late would hide the player
                        await consent_once(joined)
                    return joined
            else:
                now_times = video_times(looks)
                if playing(previous, now_times):
                    log.info("join button: none needed, a video is already playing")
                    return page
                previous = now_times
            if loop_now() >= deadline:
                why = f"no Enter/Join/Watch button appeared within {timeout:g} s"
                if last_click_error:
                    why = f"found a join button but could not click it within {timeout:g} s"
                raise StepError("join button", why)
            await asyncio.sleep(POLL_SECONDS)
    finally:
        try:
            page.remove_listener("popup", on_popup)
        except Exception:
            pass


async def page_ended(page) -> bool:
    """The page says the webinar is over, or every <video> in it has ended."""
    looks = await look(page)
    if any(lk.ended for lk in looks):
        return True
    videos = [v for lk in looks for v in lk.videos]
    return bool(videos) and all(v.get("ended") for v in videos)
