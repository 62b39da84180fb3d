"""YouTube live: `www.youtube.com/watch?v=<id>`, `/live/<id>`, `youtu.be/<id>` (which redirects to
the watch page).

Steps, in one polling loop:
1. consent - Google's consent page (`consent.youtube.com`, "Before you continue to YouTube") or
   the same choice as a dialog on the watch page: "Reject all" when it is offered (the
   privacy-preserving choice), "Accept all" only when it is the sole way on;
2. player - the watch page's main <video> (`#movie_player`);
3. play - joined once its time advances; a paused video gets the large play button clicked (or is
   told to play). The launcher mutes the browser. An upcoming stream ("Live in 10 minutes",
   "Waiting for ...") counts as joined and waiting.
The end: the video `ended` or "This live stream has ended" / "Stream ended" inside the player -
end text elsewhere on the page (recommended videos' titles) does not count (page_state's
END_TEXT_SCOPES). "Sign in to confirm you're not a bot / your age" is a login wall.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import host_of_page, look, loop_now
from webinar_tray.adapters.browser.steps import (
    JoinRequest,
    Poll,
    Settle,
    StepError,
    Target,
    click,
    find,
    raise_if_ended,
    text_match,
    visible,
)
from webinar_tray.core.services import host_matches

log = logging.getLogger(__name__)

# YouTube (www., m., its cookie consent at consent.youtube.com), youtu.be short links, and
# Google's consent and sign-in pages a watch page may send a visitor to first.
COMPANION_HOSTS = ("youtube.com", "youtu.be", "consent.youtube.com", "consent.google.com",
                   "accounts.google.com", "accounts.youtube.com")

_A = "(?:'|\u2019)"
# The consent page names its buttons "Reject all"; the watch page's dialog by long aria-labels.
REJECT = re.compile(r"^\s*(reject all|reject the use of cookies\b.*)$", re.I)
ACCEPT = re.compile(r"^\s*(accept all|accept the use of cookies\b.*)$", re.I)
VIDEO = "#movie_player video, video.html5-main-video"
PLAY_BUTTON = "#movie_player .ytp-large-play-button, #movie_player .ytp-play-button"
PLAYER_TEXT = "#movie_player, #player, .ytp-offline-slate"
WAITING = re.compile(
    r"(live in \d+|starts? in \d+|waiting for \S|scheduled for|premieres? (in|on) |"
    r"will (begin|start) (soon|in|at))",
    re.I,
)
SIGN_IN = re.compile(rf"sign in to confirm (you{_A}re not a bot|your age)", re.I)
UNAVAILABLE = re.compile(
    rf"(video unavailable|this (video|live stream) is private|this video isn{_A}t available)",
    re.I,
)
STATE_JS = "v => ({paused: v.paused, ended: v.ended, t: v.currentTime})"
PLAY_PATIENCE = 2.0  # a video still paused this long after "play" gets it pressed again
STEP_WHY = {
    "consent": "YouTube's consent page showed no 'Reject all' / 'Accept all' button "
               "within {t:g} s",
    "player": "no YouTube video player appeared within {t:g} s",
    "play": "the YouTube video did not start playing within {t:g} s",
}


def start_url(url: str) -> str:
    return url


async def _consent(req: JoinRequest, poll: Poll, only_accept: Settle) -> bool:
    """Step 1. True when a consent choice was clicked (or is being waited on)."""
    page = req.page
    reject = await find(page, REJECT, roles=("button",))
    if reject is not None:
        if await click(req, poll, reject, "consent"):
            poll.progress("player")
        return True
    accept = await find(page, ACCEPT, roles=("button",))
    if accept is None:
        only_accept.hold(False)
        return False
    if only_accept.hold(True):  # no "Reject all" came with it: the only way on
        if await click(req, poll, accept, "consent"):
            poll.progress("player")
    return True


async def _press_play(req: JoinRequest, poll: Poll, video) -> None:
    """Click the large play button (or the control bar's), else tell the video to play."""
    button = await visible(req.page.locator(PLAY_BUTTON))
    if button is not None:
        await click(req, poll, Target(req.page.main_frame, button, "Play"), "play")
        return
    log.info("play: paused with no play button; telling the video to play")
    try:
        await video.evaluate("v => v.play().catch(() => {})", timeout=2000)
    except Exception as exc:
        log.debug("play: play() failed: %s", first_line(exc))


async def join(req: JoinRequest) -> Any:
    page = req.page
    only_accept = Settle()
    next_press = 0.0  # a paused video gets "play" pressed at once, then every PLAY_PATIENCE s
    last_t: float | None = None
    async for poll in Poll(req, step="player"):
        on_consent = host_matches(host_of_page(page), "consent.youtube.com")
        if on_consent and poll.step == "player":
            poll.step = "consent"
        if await _consent(req, poll, only_accept) or on_consent:
            continue
        looks = await look(page)
        raise_if_ended(looks, poll.step, "live stream")
        said = await text_match(page, SIGN_IN, PLAYER_TEXT)
        if said:
            raise StepError("login", f"YouTube asks to sign in ({said}); sign in once with "
                                     f"`webinar-tray browser`", retry=False)
        said = await text_match(page, UNAVAILABLE, PLAYER_TEXT)
        if said:
            raise StepError(poll.step, f"YouTube says: {said}", retry=False)
        said = await text_match(page, WAITING, PLAYER_TEXT)
        if said:
            log.info("play: the stream has not started (%r); waiting on the page", said)
            return page
        video = await visible(page.locator(VIDEO))
        if video is None:
            continue
        if poll.step != "play":
            log.info("player: the video is on the page")
            poll.progress("play")
        try:
            state = await video.evaluate(STATE_JS, timeout=2000)
        except Exception as exc:
            log.debug("play: video not ready: %s", first_line(exc))
            continue
        if state["ended"]:
            raise StepError("play", "the live stream has ended", retry=False, ended=True)
        if not state["paused"] and last_t is not None and state["t"] > last_t:
            log.info("play: the video is playing")
            return page
        last_t = state["t"]
        if state["paused"] and loop_now() >= next_press:
            await _press_play(req, poll, video)
            next_press = loop_now() + PLAY_PATIENCE
    if poll.click_error:
        raise StepError(poll.step, f"found YouTube's button but could not click it within "
                                   f"{req.timeout:g} s")
    raise StepError(poll.step, STEP_WHY[poll.step].format(t=req.timeout))
