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

import asyncio
import logging
import re
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from webinar_tray.adapters.browser.launch import first_line
from webinar_tray.adapters.browser.page_state import loop_now
from webinar_tray.adapters.browser.steps import (
    BANNER_SECONDS,
    POLL_SECONDS,
    StepError,
    check_abort,
    consent_once,
)
from webinar_tray.core.redact import safe_url
from webinar_tray.core.services import host_matches

log = logging.getLogger(__name__)

ZOOM_HOSTS = ("zoom.us", "zoom.com", "zoomgov.com")
_MEETING_PATH = re.compile(r"^/(?:j|w)/(\d{8,13})/?$")
NAME_ERROR = "Zoom asks for your name; set [join] name (and email) in config.toml"
EMAIL_ERROR = "Zoom asks for your e-mail; set [join] email in config.toml"

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
SETTLE_SECONDS = 1.0
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


async def _visible(loc) -> Any | None:
    try:
        loc = loc.filter(visible=True)
        if await loc.count():
            return loc.first
    except Exception as exc:
        log.debug("zoom: locator skipped: %s", first_line(exc))
    return None


async def _fill(field, value: str) -> bool:
    """Fill an empty field; False when it already held something."""
    if await field.input_value(timeout=2000) != "":
        return False
    await field.fill(value, timeout=5000)
    return True


async def join(
    page: Any,
    *,
    url: str,
    timeout: float,
    name: str = "",
    email: str = "",
    abort: Callable[[], str | None] | None = None,
) -> Any:
    start = loop_now()
    deadline = start + timeout
    banner_deadline = start + min(BANNER_SECONDS, timeout)
    banner_done = False
    launch_seen: float | None = None
    launch_clicked = False
    last_click_error = ""
    while True:
        check_abort(abort)
        if page.is_closed():
            raise StepError("page", "the page closed")
        if not banner_done and loop_now() < banner_deadline:
            banner_done = await consent_once(page)

        # 1. the landing page
        link = await _visible(page.get_by_role("link", name=BROWSER_LINK))
        if link is None:
            link = await _visible(page.get_by_role("button", name=BROWSER_LINK))
        if link is not None:
            try:
                await link.click(timeout=5000)
                log.info("landing: clicked 'Join from your browser' (%s)", safe_url(page.url))
                await page.wait_for_load_state(
                    "domcontentloaded", timeout=max(1.0, deadline - loop_now()) * 1000
                )
            except Exception as exc:
                last_click_error = first_line(exc)
                log.info("landing: the browser link not clickable yet: %s", last_click_error)
        else:
            launch = await _visible(page.get_by_role("button", name=LAUNCH).or_(
                page.get_by_role("link", name=LAUNCH)))
            if launch is not None and not launch_clicked:
                launch_seen = launch_seen if launch_seen is not None else loop_now()
                if loop_now() - launch_seen >= LAUNCH_PATIENCE:
                    try:
                        await launch.click(timeout=5000)
                        launch_clicked = True
                        log.info("landing: clicked 'Launch Meeting' to show the browser link")
                    except Exception as exc:
                        log.info("landing: 'Launch Meeting' not clickable: %s", first_line(exc))

            # 2. the web client's form
            name_field = await _visible(page.locator(NAME_FIELD))
            email_field = await _visible(page.locator(EMAIL_FIELD))
            pwd_field = await _visible(page.locator(PWD_FIELD))
            try:
                if name_field is not None and await name_field.input_value(timeout=2000) == "":
                    if not name.strip():
                        raise StepError("form", NAME_ERROR, retry=False)
                    await _fill(name_field, name.strip())
                    log.info("form: filled the name")
                if email_field is not None and await email_field.input_value(timeout=2000) == "":
                    if not email.strip():
                        raise StepError("form", EMAIL_ERROR, retry=False)
                    await _fill(email_field, email.strip())
                    log.info("form: filled the e-mail")
                if pwd_field is not None and await pwd_field.input_value(timeout=2000) == "":
                    raise StepError(
                        "passcode", "Zoom asks for a passcode and the link carries none",
                        retry=False,
                    )
            except StepError:
                raise
            except Exception as exc:  # the form re-rendering under us
                log.debug("form: not ready: %s", first_line(exc))

            # 3. the Join button
            button = await _visible(page.locator(JOIN_BUTTON).or_(
                page.get_by_role("button", name=JOIN)))
            if button is not None:
                try:
                    enabled = await button.is_enabled(timeout=1000)
                    if enabled:
                        await page.bring_to_front()
                        await button.evaluate("el => el.setAttribute('data-wt-clicked', 'zoom')")
                        await button.click(timeout=max(1.0, min(10.0, deadline - loop_now())) * 1000)
                except Exception as exc:
                    last_click_error = first_line(exc)
                    log.info("join button: not clickable yet: %s", last_click_error)
                else:
                    if enabled:
                        log.info("join button: clicked 'Join'")
                        return await _confirm(page, timeout, abort)

        if loop_now() >= deadline:
            why = f"no Zoom web client Join button appeared within {timeout:g} s"
            if last_click_error:
                why = f"found Zoom's button but could not click it within {timeout:g} s"
            raise StepError("join button", why)
        await asyncio.sleep(POLL_SECONDS)


async def _confirm(page: Any, timeout: float, abort) -> Any:
    deadline = loop_now() + timeout
    marked = page.locator("[data-wt-clicked='zoom']")
    gone_since: float | None = None
    while True:
        check_abort(abort)
        if page.is_closed():
            raise StepError("page", "the page closed")
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
        if await _visible(page.locator(IN_MEETING)) is not None:
            log.info("confirm: the meeting view is showing")
            return page
        try:
            gone = not await marked.is_visible()
        except Exception:
            gone = True
        if gone:
            gone_since = gone_since if gone_since is not None else loop_now()
            if loop_now() - gone_since >= SETTLE_SECONDS:
                log.info("confirm: the Join button went away")
                return page
        else:
            gone_since = None
        if loop_now() >= deadline:
            raise StepError(
                "confirm", f"clicked 'Join' but the meeting did not show within {timeout:g} s"
            )
        await asyncio.sleep(POLL_SECONDS)
