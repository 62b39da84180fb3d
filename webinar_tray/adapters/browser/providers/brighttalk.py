"""BrightTALK: webcast pages (`www.brighttalk.com/webcast/<channel>/<id>`) and pages that embed its
player (ISC2's knowledge vault, `www.isc2.org/...?commid=NNN`).

Steps, in one polling loop (the banner and the player both come late):
1. cookie banner - OneTrust's `#onetrust-accept-btn-handler` (or any consent button), while it
   may still come (at most min(10 s, timeout));
2. player - the iframe `#bt-player-wrapper-iframe`, or any iframe whose src is on brighttalk.com,
   scrolled into view (embedding pages load it lazily) until its document is BrightTALK's;
3. join button - the player's Enter / Register / Watch / Join button (labels vary);
4. confirm - a player (video/canvas) or "live" marker appears, or the button stays gone; a
   sign-in form instead is a login wall: StepError("login", "login needed on www.brighttalk.com").
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import Look, look, playing, video_times
from webinar_tray.adapters.browser.steps import (
    CLICKED,
    JoinRequest,
    Poll,
    Settle,
    StepError,
    Target,
    click,
    consent_once,
    raise_if_ended,
)
from webinar_tray.core.services import host_matches

log = logging.getLogger(__name__)

# Where a BrightTALK join may take the page: BrightTALK itself (its player under
# www.brighttalk.com/service/player, its sign-in at login.brighttalk.com) and ISC2, whose pages
# embed the player and whose members sign in on isc2.org.
COMPANION_HOSTS = ("brighttalk.com", "isc2.org")
PLAYER_IFRAME = "#bt-player-wrapper-iframe, iframe[src*='brighttalk.com']"
ENTRY_NAME = re.compile(
    r"^\s*(enter|register|watch|join|attend)"
    r"(\s+(now|live|webcast|webinar|event|on demand|the webcast|the webinar|for free))*\s*$",
    re.IGNORECASE,
)


def start_url(url: str) -> str:
    return url


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _is_brighttalk(url: str) -> bool:
    return host_matches(_host_of(url), "brighttalk.com")


def _login_host(looks: list[Look], page: Any) -> str | None:
    """The host of a frame showing a sign-in form (a password field or a "Sign in" form)."""
    for lk in looks:
        if lk.password or lk.signin:
            try:
                return _host_of(lk.frame.url) or _host_of(page.url) or "the page"
            except Exception:
                return "the page"
    return None


async def _player_frame(page: Any) -> Any | None:
    """The BrightTALK player's frame once its document has loaded, else None. The iframe is
    scrolled into view on the way (lazy iframes load only near the viewport)."""
    loc = page.locator(PLAYER_IFRAME)
    try:
        n = await loc.count()
    except Exception:
        return None
    for i in range(min(n, 5)):
        el = loc.nth(i)
        try:
            await el.scroll_into_view_if_needed(timeout=2000)
            handle = await el.element_handle(timeout=1000)
            frame = await handle.content_frame() if handle else None
        except Exception as exc:
            log.debug("player: iframe skipped: %s", first_line(exc))
            continue
        if frame is not None and _is_brighttalk(frame.url):
            return frame
        if frame is not None and (await el.get_attribute("id")) == "bt-player-wrapper-iframe":
            if frame.url not in ("", "about:blank"):
                return frame
    return None


async def _entry_button(frame: Any) -> Target | None:
    for role in ("button", "link"):
        try:
            loc = frame.get_by_role(role, name=ENTRY_NAME).filter(visible=True)
            for i in range(min(await loc.count(), 5)):
                el = loc.nth(i)
                if role == "button" and not await el.is_enabled(timeout=1000):
                    continue
                label = " ".join((await el.inner_text(timeout=1000)).split())
                label = label or (await el.get_attribute("aria-label", timeout=1000)) or role
                return Target(frame, el, label[:40])
        except Exception as exc:
            log.debug("join button: player frame not ready: %s", first_line(exc))
    return None


async def join(req: JoinRequest) -> Any:
    page = req.page
    player_seen = False
    previous: dict = {}
    async for poll in Poll(req, step="player", banner=True):
        looks = await look(page)
        raise_if_ended(looks, "join button", "webcast")
        login = _login_host(looks, page)
        frame = await _player_frame(page)
        target = await _entry_button(frame) if frame is not None else None
        if frame is not None and not player_seen:
            player_seen = True
            poll.step = "join button"
            log.info("player: the BrightTALK player is on the page")
        if target is None and login:
            raise StepError("login", f"login needed on {login}", retry=False)
        if target is not None:
            token = secrets.token_hex(4)
            if await click(req, poll, target, "join button", token=token, where=" in the player"):
                joined = await _confirm(req, target, token, looks)
                if not poll.banner_done:
                    await consent_once(page, req.check)
                return joined
        elif frame is not None:
            now_times = video_times(looks)
            if playing(previous, now_times):
                log.info("join button: none needed, the player is already playing")
                return page
            previous = now_times
    if not player_seen:
        raise StepError("player", f"no BrightTALK player appeared within {req.timeout:g} s")
    if poll.click_error:
        raise StepError(
            "join button",
            f"found the player's button but could not click it within {req.timeout:g} s",
        )
    raise StepError(
        "join button",
        f"no Enter/Register/Watch/Join button in the BrightTALK player within {req.timeout:g} s",
    )


def _in_frame(looks: list[Look], frame: Any) -> tuple[int, int]:
    players = sum(lk.players for lk in looks if lk.frame is frame)
    markers = sum(lk.markers for lk in looks if lk.frame is frame)
    return players, markers


async def _confirm(req: JoinRequest, target: Target, token: str, before: list[Look]) -> Any:
    """The player is in: a player or live marker appeared in its frame, or the clicked button
    stayed gone for SETTLE_SECONDS with no sign-in form in sight."""
    page = req.page
    marked = target.frame.locator(f'[{CLICKED}="{token}"]')
    players0, markers0 = _in_frame(before, target.frame)
    settle = Settle()
    async for _ in Poll(req, step="confirm"):
        looks = await look(page)
        login = _login_host(looks, page)
        if login:
            raise StepError("login", f"login needed on {login}", retry=False)
        players, markers = _in_frame(looks, target.frame)
        if players > players0:
            log.info("confirm: the player is showing")
            return page
        if markers > markers0:
            log.info("confirm: a live marker appeared in the player")
            return page
        try:
            gone = not await marked.is_visible()
        except Exception:
            gone = True  # the player frame navigated or went away
        if settle.hold(gone):
            log.info("confirm: the %r button went away", target.label)
            return page
    raise StepError(
        "confirm",
        f"clicked {target.label!r} but the player did not start within {req.timeout:g} s",
    )
