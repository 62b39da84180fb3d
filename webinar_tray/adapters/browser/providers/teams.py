"""Microsoft Teams: meeting links (`teams.microsoft.com/l/meetup-join/...`), Teams free links
(`teams.live.com/meet/<id>?p=...`), and live events / town halls (the same links, or
`/convene/townhall...`, whose launcher offers "Watch on the web instead").

Steps, in one polling loop:
1. launcher - "Continue on this browser" / "Join on the web instead" / "Watch on the web
   instead", never the app (the launcher page tries the app by itself; we ignore that);
2. pre-join - a "Continue without audio or video" dialog (the browser context denies the camera
   and microphone, so Teams asks) is dismissed; "Join anonymously" for a live event; the name
   from `[join] name` ("Type your name"; none set: StepError("form") saying to set it); camera
   and microphone switches turned off if on;
3. join button - "Join now";
4. confirm - the lobby ("Someone in the meeting should let you in soon": joined and waiting), the
   meeting (a "Leave" button), a live event's video playing, or the Join button staying gone.
   Teams refusing (denied access, no one let you in, a sign-in page): a StepError saying so.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import (
    frames,
    host_of_page,
    look,
    playing,
    video_times,
)
from webinar_tray.adapters.browser.steps import (
    JoinRequest,
    Poll,
    Settle,
    StepError,
    Target,
    click,
    fill_fields,
    find,
    raise_if_ended,
    text_match,
)

log = logging.getLogger(__name__)

# Teams' web app on each cloud and Microsoft's sign-in pages (work and personal accounts).
COMPANION_HOSTS = ("teams.microsoft.com", "teams.live.com", "teams.cloud.microsoft",
                   "teams.microsoft.us", "login.microsoftonline.com", "login.microsoft.com",
                   "login.live.com")
_A = "(?:'|\u2019)"
BROWSER = re.compile(
    r"^\s*(continue on this browser|join on the web( instead)?|watch on the web( instead)?|"
    r"use the web app instead|continue in (this|your) browser)\s*$",
    re.I,
)
NO_AV = re.compile(r"^\s*continue without (audio or video|audio and video)\s*$", re.I)
ANONYMOUS = re.compile(r"^\s*(join|watch) anonymously\s*$", re.I)
JOIN = re.compile(r"^\s*join now\s*$", re.I)
LEAVE = re.compile(r"^\s*(leave|hang up)\s*$", re.I)
AV = re.compile(r"camera|video|mic(rophone)?\b|audio", re.I)
LOBBY = re.compile(
    rf"(someone in the meeting should let you in soon|"
    rf"we{_A}ve let (people|the organi[sz]er)( in the meeting)? know you{_A}re waiting|"
    rf"when the meeting starts, we{_A}ll let people know you{_A}re waiting|"
    rf"waiting for (the )?(organi[sz]er|host|others|people) to (join|start|let you in)|"
    rf"the (live event|event|town hall) (hasn{_A}t|has not) started( yet)?|"
    rf"(live event|event|town hall) will (begin|start) soon)",
    re.I,
)
REFUSED = re.compile(
    rf"(denied access to the meeting|no one responded to your request to join|"
    rf"you can{_A}t join this (meeting|event)|we couldn{_A}t find (this|the) meeting|"
    rf"this meeting link (is invalid|has expired))",
    re.I,
)
STEP_WHY = {
    "launcher": "Teams showed no 'Continue on this browser' choice (nor its pre-join screen) "
                "within {t:g} s",
    "pre-join": "no 'Join now' button on Teams' pre-join screen within {t:g} s",
    "confirm": "clicked 'Join now' but Teams showed neither the meeting nor its lobby "
               "within {t:g} s",
}


def start_url(url: str) -> str:
    return url


async def _switched_on(page) -> Target | None:
    """A visible camera or microphone switch that is on."""
    for frame in frames(page):
        for role in ("switch", "checkbox"):
            try:
                loc = frame.get_by_role(role, name=AV, checked=True).filter(visible=True)
                if await loc.count():
                    label = await loc.first.get_attribute("aria-label", timeout=1000)
                    return Target(frame, loc.first, (label or role)[:40])
            except Exception as exc:
                log.debug("pre-join: switch skipped: %s", first_line(exc))
    return None


async def join(req: JoinRequest) -> Any:
    page = req.page
    settle = Settle()
    previous: dict = {}
    async for poll in Poll(req, step="launcher", banner=True):
        looks = await look(page)
        raise_if_ended(looks, poll.step, "meeting")
        said = await text_match(page, REFUSED)
        if said:
            raise StepError(poll.step, f"Teams says: {said}", retry=False)
        said = await text_match(page, LOBBY)
        if said:
            log.info("confirm: in Teams' lobby (%r)", said)
            return page
        if await find(page, LEAVE, roles=("button",), fresh=False) is not None:
            log.info("confirm: in the meeting")
            return page
        now_times = video_times(looks)
        if playing(previous, now_times):
            log.info("confirm: the live event is playing")
            return page
        previous = now_times

        for name, step, nxt in ((BROWSER, "launcher", "pre-join"),
                                (NO_AV, "pre-join", None),
                                (ANONYMOUS, "pre-join", "pre-join")):
            target = await find(page, name)
            if target is not None:
                if await click(req, poll, target, step) and nxt:
                    poll.progress(nxt)
                break
        if target is not None:
            continue
        if await fill_fields(req, looks, step="form", site="Teams"):
            poll.step = "pre-join"
            continue
        switch = await _switched_on(page)
        if switch is not None:
            if await click(req, poll, switch, "pre-join"):
                log.info("pre-join: turned %r off", switch.label)
            continue
        target = await find(page, JOIN, roles=("button",))
        if target is not None:
            if await click(req, poll, target, "join button"):
                poll.progress("confirm")
            continue
        if any(lk.password or lk.signin for lk in looks):
            raise StepError("login", f"login needed on {host_of_page(page)}", retry=False)
        if poll.step == "confirm":
            left = await find(page, JOIN, roles=("button",), fresh=False)
            if settle.hold(left is None and not any(lk.fields for lk in looks)):
                log.info("confirm: the 'Join now' button went away")
                return page
    if poll.click_error and poll.step != "confirm":
        raise StepError(poll.step, f"found Teams' button but could not click it within "
                                   f"{req.timeout:g} s")
    raise StepError(poll.step, STEP_WHY[poll.step].format(t=req.timeout))
