"""The generic steps, for any webinar page without a provider of its own (and unknown `steps`
names), as one polling loop: each step can only be decided by looking at the page again.

1. cookie banner - click a visible consent button in any frame, for at most min(10 s, timeout);
2. login wall - a visible password field or a "Sign in"/"Log in" form and no join button;
3. name/email form - fill it from `[join] name/email` (and submit it) before the join button;
4. join button - click a visible, enabled Enter/Join/Watch/... button or link, in any frame;
   a <video> already playing counts as joined without a click;
5. confirm - the clicked button went away, or a player / "live" marker appeared.

Built from the building blocks in `webinar_tray.adapters.browser.steps` (step 1 is
`Poll(req, banner=True)`).
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any, Callable

from webinar_tray.adapters.browser.page_state import (
    Look,
    host_of_page,
    look,
    loop_now,
    playing,
    video_times,
)
from webinar_tray.adapters.browser.steps import (
    CLICKED,
    JoinRequest,
    Poll,
    Popups,
    StepError,
    Target,
    click,
    consent_once,
    field_values,
    find,
    raise_if_ended,
)

log = logging.getLogger(__name__)

JOIN_NAME = re.compile(
    r"^\s*(enter|join|join now|join webinar|join event|watch|watch now|register|launch|attend|"
    r"enter event|play)\s*$",
    re.IGNORECASE,
)
FORM_ERROR = "the page asks for a name/e-mail; set [join] name and email in config.toml"


# -- step 2: login wall ---------------------------------------------------------------------------


def _login_wall(looks: list[Look]) -> bool:
    return any(lk.password or lk.signin for lk in looks)


# -- step 3: name/e-mail form ---------------------------------------------------------------------


async def _handle_forms(req: JoinRequest, looks: list[Look]) -> bool:
    """Fill (and submit) a name/e-mail form that stands in the way. True when one was filled.
    A lone optional e-mail box (a newsletter sign-up) is left alone. `req.check()` comes before
    every fill and the submit: nothing is typed into a page that left the allowed sites."""
    values = field_values(req.name, req.email)
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
                    req.check()
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
                req.check()
                await submit.first.click(timeout=5000)
                log.info("form: submitted")
                continue
        req.check()
        await last.press("Enter", timeout=5000)
        log.info("form: submitted with Enter")
    return filled_any


# -- step 4: join button --------------------------------------------------------------------------


async def _find_join_button(page) -> Target | None:
    """A visible, enabled join button (buttons before links), in any frame."""
    return await find(page, JOIN_NAME, fresh=False)


# -- step 5: confirm ------------------------------------------------------------------------------


async def _confirm(req: JoinRequest, target: Target, token: str, before: list[Look],
                   popups: Popups) -> Any:
    """Wait until the page shows we are in. Returns the page holding the webinar."""
    page = req.page
    marked = target.frame.locator(f'[{CLICKED}="{token}"]')
    players0 = sum(lk.players for lk in before)
    markers0 = sum(lk.markers for lk in before)
    times = video_times(before)
    async for poll in Poll(req, step="confirm"):
        popup = await popups.take(poll.deadline - loop_now())
        if popup is not None:
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
    raise StepError(
        "confirm",
        f"clicked {target.label!r} but the page did not show the webinar within {req.timeout:g} s",
    )


# -- all steps ------------------------------------------------------------------------------------


async def run_join_steps(
    page,
    timeout: float,
    name: str = "",
    email: str = "",
    abort: Callable[[], str | None] | None = None,
    guard: Callable[[], None] | None = None,
) -> Any:
    """Run the generic steps on a loaded page. Returns the page that holds the webinar (the same
    page, or a new one a join link opened). Raises StepError.
    `abort()` is polled: a non-empty answer (e.g. "page crashed") stops the steps; `guard()`
    raises LeftAllowedSites (see JoinRequest)."""
    req = JoinRequest(page, page.url, timeout, name, email, abort, guard)
    previous: dict = {}
    with Popups(page) as popups:
        async for poll in Poll(req, banner=True):
            looks = await look(page)
            raise_if_ended(looks, "join button")
            target = await _find_join_button(page)
            login = _login_wall(looks)
            if target is None and login:
                raise StepError("login", f"login needed on {host_of_page(page)}", retry=False)
            filled = not login and await _handle_forms(req, looks)
            if filled:
                pass  # look again first: the form may have changed or brought the button
            elif target is not None:
                token = secrets.token_hex(4)
                if await click(req, poll, target, "join button", token=token):
                    joined = await _confirm(req, target, token, looks, popups)
                    if not poll.banner_done:  # a banner that came late would hide the player
                        await consent_once(joined, req.check)
                    return joined
            else:
                now_times = video_times(looks)
                if playing(previous, now_times):
                    log.info("join button: none needed, a video is already playing")
                    return page
                previous = now_times
    why = f"no Enter/Join/Watch button appeared within {timeout:g} s"
    if poll.click_error:
        why = f"found a join button but could not click it within {timeout:g} s"
    raise StepError("join button", why)


# -- the provider ---------------------------------------------------------------------------------


COMPANION_HOSTS: tuple[str, ...] = ()  # an unknown site declares none: [join] allowed_hosts


def start_url(url: str) -> str:
    return url


async def join(req: JoinRequest) -> Any:
    return await run_join_steps(
        req.page, timeout=req.timeout, name=req.name, email=req.email, abort=req.abort,
        guard=req.guard,
    )
