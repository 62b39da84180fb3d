"""ON24: registration links (`event.on24.com/wcc/r/<eventid>/<key>`, the older
`/eventRegistration/EventLobbyServlet?target=reg20.jsp&eventid=...&key=...`) and the console they
lead to (`/eventRegistration/console/...`). The `key` is a secret: links are logged without their
query (`safe_url`).

Steps, in one polling loop (the banner, the form and the buttons all render late):
1. cookie banner - OneTrust's, while it may still come;
2. form - the registration form (first name, last name, e-mail) or the returning attendee's
   e-mail-only login form, filled from `[join] name/email` and submitted (Register / Submit /
   Log in); a form that still complains after submitting asks for more than we know (company,
   job title...): StepError("form", ...) telling the user to register once by hand;
3. join button - "Enter" / "Join" / "Launch" (the console opens in this page or a new window);
4. console - the console page shows: joined when its media plays, it says the webcast will begin
   shortly, or it has stayed up for CONSOLE_SETTLE_SECONDS.
The end: "This webcast has ended" / "event has ended" text (page_state.ENDED_TEXT) or the media
element `ended` (page_state.media_ended) - the session watches for both.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from webinar_tray.adapters.browser.page_state import look, loop_now, playing, video_times
from webinar_tray.adapters.browser.steps import (
    JoinRequest,
    Poll,
    Popups,
    Settle,
    StepError,
    click,
    fill_fields,
    find,
    raise_if_ended,
    text_match,
)
from webinar_tray.core.redact import SafeUrl

log = logging.getLogger(__name__)

# ON24's registration and console (event.on24.com), Engagement Hub and Target pages
# (gateway.on24.com), virtual shows (vshow.on24.com): all under on24.com.
COMPANION_HOSTS = ("event.on24.com", "gateway.on24.com", "on24.com")
SUBMIT = re.compile(r"^\s*(register|submit|log\s*in|sign\s*in|continue)(\s+now)?\s*$", re.I)
ENTER = re.compile(
    r"^\s*(enter|join|launch|watch)(\s+(now|event|the event|webcast|the webcast|webinar|"
    r"presentation|the presentation))?\s*$",
    re.I,
)
FORM_COMPLAINT = re.compile(
    r"(this field is required|[\w ]{2,30} is required|please (enter|complete|fill in|select) "
    r"[^.\n]{1,40})",
    re.I,
)
WAITING = re.compile(
    r"(will (begin|start) shortly|has not (yet )?started|please stand ?by|starts? in \d)", re.I
)
CONSOLE_PATH = re.compile(r"/console/|EventConsole|mainEvent", re.I)
CONSOLE_SETTLE_SECONDS = 3.0  # a console with no media (slides only) counts once up this long


def start_url(url: str) -> str:
    return url


def _on_console(page) -> bool:
    try:
        return CONSOLE_PATH.search(urlsplit(page.url).path or "") is not None
    except Exception:
        return False


async def join(req: JoinRequest) -> Any:
    submitted = False
    complaint = Settle()
    console = _Console()
    with Popups(req.page) as popups:
        async for poll in Poll(req, step="join button", banner=True):
            popup = await popups.take(poll.deadline - loop_now())
            if popup is not None:  # ON24's classic "Launch" opens the console in a new window
                log.info("console: opened in a new window (%s)", SafeUrl(popup.url))
                req.page = popup
                poll.progress("console")
            page = req.page
            looks = await look(page)
            raise_if_ended(looks, poll.step, "webcast")

            # 4. the console
            if _on_console(page):
                if poll.step != "console":
                    poll.progress("console")
                if await console.joined(page, looks):
                    return page
                continue

            # 2. the registration / login form
            if await fill_fields(req, looks, step="form", site="ON24's registration form"):
                poll.step = "form"
                continue
            form_shown = any(lk.fields for lk in looks)
            if submitted and form_shown:
                said = await text_match(page, FORM_COMPLAINT)
                if complaint.hold(said is not None):
                    raise StepError(
                        "form",
                        f"ON24's registration form asks for more than a name and e-mail "
                        f"(it says '{said}'); register once by hand in `webinar-tray browser`",
                        retry=False,
                    )
            if form_shown:
                target = await find(page, SUBMIT, roles=("button",))
                if target is not None and await click(req, poll, target, "form"):
                    submitted = True
                    poll.progress("join button")
                    continue

            # 3. the Enter / Join / Launch button
            target = await find(page, ENTER)
            if target is not None and await click(req, poll, target, "join button"):
                poll.progress("console")
    raise _not_joined(poll, req.timeout)


class _Console:
    """Whether ON24's console counts as joined: its media plays, it says the webcast will begin
    shortly, or it has stayed up for CONSOLE_SETTLE_SECONDS."""

    def __init__(self) -> None:
        self.previous: dict = {}  # the media's times at the last look
        self.up = Settle(CONSOLE_SETTLE_SECONDS)

    async def joined(self, page, looks) -> bool:
        now_times = video_times(looks)
        if playing(self.previous, now_times):
            log.info("console: the webcast is playing")
            return True
        self.previous = now_times
        said = await text_match(page, WAITING)
        if said:
            log.info("console: in, waiting (%r)", said)
            return True
        if self.up.hold(True):
            log.info("console: the console is showing")
            return True
        return False


def _not_joined(poll: Poll, timeout: float) -> StepError:
    """Why the join failed, by the step it got to."""
    if poll.step == "console":
        return StepError("console", f"clicked the button but the ON24 console did not open "
                                    f"within {timeout:g} s")
    if poll.step == "form":
        return StepError("form", f"filled ON24's form but found no Register/Submit button within "
                                 f"{timeout:g} s")
    if poll.click_error:
        return StepError("join button", f"found ON24's button but could not click it within "
                                        f"{timeout:g} s")
    return StepError("join button", f"no Enter/Join/Launch button on the ON24 page within "
                                    f"{timeout:g} s")
