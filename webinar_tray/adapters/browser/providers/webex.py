"""Webex: personal rooms (`<site>.webex.com/meet/<name>`), meeting and webinar links
(`/<site>/j.php?MTID=...`, whose MTID is never logged) and webinar registration
(`/weblink/register/...`).

Steps, in one polling loop (each page of the flow renders late; the web app's form lives in an
iframe, `#unified-webclient-iframe`, on the real site):
1. cookie banner - TrustArc's / any consent button, while it may still come;
2. registration - a webinar's registration form (first/last name, e-mail) filled and "Register"
   clicked, then its "Join webinar" link;
3. landing - "Join from this browser" / "Join from your browser", never the app;
4. form - the name (and e-mail) from `[join] name/email`, then "Next";
5. join button - "Join meeting" / "Join webinar" / "Join event";
6. confirm - the lobby ("The host will let you in soon", "waiting for the host": joined and
   waiting, like Zoom's waiting room), the meeting (a "Leave" button), or the join button staying
   gone. A meeting password asked for, a locked meeting, an invalid link: a StepError saying so.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from webinar_tray.adapters.browser.page_state import look
from webinar_tray.adapters.browser.steps import (
    JoinRequest,
    Poll,
    Settle,
    StepError,
    click,
    fill_fields,
    find,
    raise_if_ended,
    text_match,
)

log = logging.getLogger(__name__)

# Webex sites (<site>.webex.com), its web app and sign-in (web.webex.com, idbroker.webex.com).
COMPANION_HOSTS = ("webex.com",)
_APOS = "(?:'|\u2019)"
BROWSER = re.compile(
    r"^\s*(join\s+(from|in|with)\s+(this|your|the)?\s*browser|use\s+(the\s+)?web\s+app"
    r"(\s+instead)?)\s*\.?\s*$",
    re.I,
)
REGISTER = re.compile(r"^\s*(register|submit)(\s+now)?\s*$", re.I)
NEXT = re.compile(r"^\s*(next|continue|join\s+as\s+(a\s+)?guest)\s*$", re.I)
JOIN = re.compile(r"^\s*join(\s+(the\s+)?(meeting|webinar|event)|\s+now)?\s*$", re.I)
LEAVE = re.compile(r"^\s*leave(\s+(the\s+)?(meeting|webinar|event))?\s*$", re.I)
LOBBY = re.compile(
    rf"(host will let you in|you{_APOS}re in the lobby|waiting for the host|"
    rf"(meeting|webinar) (hasn{_APOS}t|has not) started|"
    rf"we{_APOS}ve let the host know you{_APOS}re (here|waiting))",
    re.I,
)
REFUSED = re.compile(
    rf"(meeting is locked|meeting number is (invalid|not valid)|(meeting|webinar) "
    rf"(doesn{_APOS}t|does not) exist|you can{_APOS}t join this (meeting|webinar)|"
    rf"registration is required|incorrect (meeting )?password)",
    re.I,
)
STEP_WHY = {
    "landing": "Webex showed no 'Join from this browser' link (nor its join form) within {t:g} s",
    "form": "no 'Next' or 'Join meeting' button in Webex's web app within {t:g} s",
    "join button": "no 'Join meeting' / 'Join webinar' button in Webex's web app within {t:g} s",
    "confirm": "clicked {label!r} but Webex showed neither the meeting nor its lobby "
               "within {t:g} s",
}


def start_url(url: str) -> str:
    return url


async def join(req: JoinRequest) -> Any:
    page = req.page
    joined_label = ""
    settle = Settle()
    async for poll in Poll(req, step="landing", banner=True):
        looks = await look(page)
        raise_if_ended(looks, poll.step, "meeting")
        said = await text_match(page, REFUSED)
        if said:
            raise StepError(poll.step, f"Webex says: {said}", retry=False)
        said = await text_match(page, LOBBY)
        if said:
            log.info("confirm: in Webex's lobby (%r)", said)
            return page
        if await find(page, LEAVE, roles=("button",), fresh=False) is not None:
            log.info("confirm: in the meeting")
            return page
        if any(lk.password for lk in looks):
            if any(lk.signin for lk in looks):
                raise StepError("login", "Webex asks to sign in; sign in once with "
                                         "`webinar-tray browser`", retry=False)
            raise StepError("passcode", "Webex asks for a meeting password and the link "
                                        "carries none", retry=False)

        target = await find(page, BROWSER)
        if target is not None:
            if await click(req, poll, target, "landing"):
                poll.progress("form")
            continue
        if await fill_fields(req, looks, step="form", site="Webex"):
            poll.step = "form" if poll.step == "landing" else poll.step
            continue
        for name, step, nxt in ((REGISTER, "registration", "landing"), (NEXT, "form", "join button")):
            target = await find(page, name, roles=("button",))
            if target is not None:
                if await click(req, poll, target, step):
                    poll.progress(nxt)
                break
        if target is not None:
            continue
        target = await find(page, JOIN, roles=("button",))
        if target is not None:
            if await click(req, poll, target, "join button"):
                joined_label = target.label
                poll.progress("confirm")
            continue
        target = await find(page, JOIN, roles=("link",))  # a registration's "Join webinar"
        if target is not None:
            if await click(req, poll, target, "registration"):
                poll.progress("landing")
            continue
        if poll.step == "confirm":
            button_left = await find(page, JOIN, roles=("button",), fresh=False)
            if settle.hold(button_left is None and not any(lk.fields for lk in looks)):
                log.info("confirm: the %r button went away", joined_label)
                return page
    if poll.click_error and poll.step != "confirm":
        raise StepError(poll.step, f"found Webex's button but could not click it within "
                                   f"{req.timeout:g} s")
    raise StepError(poll.step, STEP_WHY[poll.step].format(t=req.timeout, label=joined_label))
