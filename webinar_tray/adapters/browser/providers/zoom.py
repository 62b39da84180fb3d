"""Zoom: meeting (`/j/<id>`) and webinar (`/w/<id>`) links are opened in Zoom's web client
(`/wc/join/<id>`, the link's query - the `pwd` passcode token - kept as it is), never the
app-launching landing page. The query is never logged.

Steps, in one polling loop:
1. landing - on a "Launch Meeting" page (personal `/my/` links, a redirect), click
   "Join from your browser" (after clicking "Launch Meeting" once if the link is not shown);
2. form - fill the name from `[join] name` (and the e-mail when asked); a name field with no
   `[join] name` is StepError("form"); a passcode field (the link had none) is StepError("passcode");
3. join button - click "Join";
4. confirm - the meeting (or the webinar's waiting room) shows, or the Join button stays gone.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import loop_now
from webinar_tray.adapters.browser.steps import (
    CLICKED,
    JoinRequest,
    Poll,
    Settle,
    StepError,
    missing_value,
    visible,
)
from webinar_tray.core.redact import SafeUrl
from webinar_tray.core.services import host_matches

log = logging.getLogger(__name__)

ZOOM_HOSTS = ("zoom.us", "zoom.com", "zoomgov.com")
# Zoom's regional web hosts (us02web.zoom.us, eu01web.zoom.us...) and its sign-in pages are
# subdomains of these.
COMPANION_HOSTS = ZOOM_HOSTS
_MEETING_PATH = re.compile(r"^/(?:j|w)/(\d{8,13})/?$")
NAME_ERROR = missing_value("form", "Zoom", {"full"}).why
EMAIL_ERROR = missing_value("form", "Zoom", {"email"}).why

BROWSER_LINK = re.compile(r"join\s+from\s+(your\s+)?browser", re.IGNORECASE)
LAUNCH = re.compile(r"^\s*launch\s+meeting\s*$", re.IGNORECASE)
JOIN = re.compile(r"^\s*join(\s+(meeting|webinar|now))?\s*$", re.IGNORECASE)
NAME_FIELD = "#input-for-name, input[placeholder*='name' i]:not([type=email]):not([type=password])"
EMAIL_FIELD = "#input-for-email, input[type=email], input[placeholder*='mail' i]"
PWD_FIELD = "#input-for-pwd, input[placeholder*='passcode' i], input[placeholder*='password' i]"
JOIN_BUTTON = ".preview-join-button, button.btn-join"
IN_MEETING = (
    "#wc-container-left, #wc-footer, .meeting-app, .meeting-client, "
    "[aria-label*='waiting room' i]"
)
WAITING = re.compile(
    r"(host will let you in soon|waiting for the host|webinar will begin soon|"
    r"you(?:'|\u2019| a)re in the (meeting|webinar))",
    re.IGNORECASE,
)
REFUSED = re.compile(
    r"(passcode wrong|incorrect passcode|wrong passcode|invalid meeting id|meeting id is not valid|"
    r"this meeting link is invalid|registration is required)",
    re.IGNORECASE,
)
LAUNCH_PATIENCE = 2.0  # the landing's browser link is often shown only after "Launch Meeting"


def start_url(url: str) -> str:
    """`https://<sub>.zoom.us/j/<id>?pwd=X` (or `/w/<id>`) -> `https://<sub>.zoom.us/wc/join/<id>?pwd=X`;
    any other link unchanged."""
    try:
        p = urlsplit(url)
        host = p.hostname or ""
    except ValueError:
        return url
    m = _MEETING_PATH.match(p.path or "")
    if m is None or not any(host_matches(host, h) for h in ZOOM_HOSTS):
        return url
    return urlunsplit((p.scheme or "https", p.netloc, f"/wc/join/{m.group(1)}", p.query, ""))


async def _fill(field, value: str) -> bool:
    """Fill an empty field; False when it already held something."""
    if await field.input_value(timeout=2000) != "":
        return False
    await field.fill(value, timeout=5000)
    return True


async def _landing(page, poll: Poll, launch: dict) -> bool:
    """Step 1 on a "Launch Meeting" page. True when the browser link was clicked.
    poll.req.check() comes before each click (the allowed sites)."""
    link = await visible(page.get_by_role("link", name=BROWSER_LINK))
    if link is None:
        link = await visible(page.get_by_role("button", name=BROWSER_LINK))
    if link is not None:
        poll.req.check()
        try:
            await link.click(timeout=5000)
            log.info("landing: clicked 'Join from your browser' (%s)", SafeUrl(page.url))
            await page.wait_for_load_state("domcontentloaded", timeout=poll.click_ms(60.0))
        except Exception as exc:
            poll.click_error = first_line(exc)
            log.info("landing: the browser link not clickable yet: %s", poll.click_error)
        return True
    button = await visible(page.get_by_role("button", name=LAUNCH).or_(
        page.get_by_role("link", name=LAUNCH)))
    if button is not None and not launch.get("clicked"):
        launch.setdefault("seen", loop_now())
        if loop_now() - launch["seen"] >= LAUNCH_PATIENCE:
            poll.req.check()
            try:
                await button.click(timeout=5000)
                launch["clicked"] = True
                log.info("landing: clicked 'Launch Meeting' to show the browser link")
            except Exception as exc:
                log.info("landing: 'Launch Meeting' not clickable: %s", first_line(exc))
    return False


async def _form(req: JoinRequest) -> None:
    """Step 2: the web client's name / e-mail / passcode fields."""
    page = req.page
    req.check()  # nothing typed into a page that left the allowed sites
    name_field = await visible(page.locator(NAME_FIELD))
    email_field = await visible(page.locator(EMAIL_FIELD))
    pwd_field = await visible(page.locator(PWD_FIELD))
    try:
        if name_field is not None and await name_field.input_value(timeout=2000) == "":
            if not req.name.strip():
                raise StepError("form", NAME_ERROR, retry=False)
            await _fill(name_field, req.name.strip())
            log.info("form: filled the name")
        if email_field is not None and await email_field.input_value(timeout=2000) == "":
            if not req.email.strip():
                raise StepError("form", EMAIL_ERROR, retry=False)
            await _fill(email_field, req.email.strip())
            log.info("form: filled the e-mail")
        if pwd_field is not None and await pwd_field.input_value(timeout=2000) == "":
            raise StepError(
                "passcode", "Zoom asks for a passcode and the link carries none", retry=False
            )
    except StepError:
        raise
    except Exception as exc:  # the form re-rendering under us
        log.debug("form: not ready: %s", first_line(exc))


async def join(req: JoinRequest) -> Any:
    page = req.page
    launch: dict = {}
    async for poll in Poll(req, banner=True):
        if await _landing(page, poll, launch):
            continue
        await _form(req)
        # 3. the Join button
        button = await visible(page.locator(JOIN_BUTTON).or_(
            page.get_by_role("button", name=JOIN)))
        if button is None:
            continue
        try:
            enabled = await button.is_enabled(timeout=1000)
            if enabled:
                req.check()
                await page.bring_to_front()
                await button.evaluate(f"el => el.setAttribute('{CLICKED}', 'zoom')")
                await button.click(timeout=poll.click_ms())
        except StepError:
            raise
        except Exception as exc:
            poll.click_error = first_line(exc)
            log.info("join button: not clickable yet: %s", poll.click_error)
        else:
            if enabled:
                log.info("join button: clicked 'Join'")
                return await _confirm(req)
    why = f"no Zoom web client Join button appeared within {req.timeout:g} s"
    if poll.click_error:
        why = f"found Zoom's button but could not click it within {req.timeout:g} s"
    raise StepError("join button", why)


async def _confirm(req: JoinRequest) -> Any:
    page = req.page
    marked = page.locator(f"[{CLICKED}='zoom']")
    settle = Settle()
    async for _ in Poll(req, step="confirm"):
        try:
            text = await page.locator("body").inner_text(timeout=2000)
        except Exception:
            text = ""
        m = REFUSED.search(text)
        if m:
            raise StepError("confirm", f"Zoom says: {m.group(1)}", retry=False)
        if WAITING.search(text):
            log.info("confirm: in the meeting (or its waiting room)")
            return page
        if await visible(page.locator(IN_MEETING)) is not None:
            log.info("confirm: the meeting view is showing")
            return page
        try:
            gone = not await marked.is_visible()
        except Exception:
            gone = True
        if settle.hold(gone):
            log.info("confirm: the Join button went away")
            return page
    raise StepError(
        "confirm", f"clicked 'Join' but the meeting did not show within {req.timeout:g} s"
    )
