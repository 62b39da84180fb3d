"""What each of the setup page's forms does: form fields in, settings written through the
backend (config writer, applied at once), a result out: (section, ok, message, detail lines).
A value the config refuses comes back as the writer's own message (it names the file and key)."""

from __future__ import annotations

import logging
from typing import Callable

from webinar_tray.core.settings import ConfigError
from webinar_tray.setup import google
from webinar_tray.setup.pages import when
from webinar_tray.setup.preview import lines

log = logging.getLogger(__name__)

Result = tuple[str, bool, str, list[str]]
NEXT_EVENTS = 5  # shown after an ICS address is checked


def add_ics(backend, form: dict) -> Result:
    from webinar_tray.compose import ics_source
    from webinar_tray.ports import SourceError

    address = (form.get("url") or "").strip()
    if not address:
        return "calendars", False, "paste the calendar's secret iCal address first", []
    if not address.lower().startswith(("http://", "https://", "webcal://", "webcals://")):
        return ("calendars", False, "an ICS address starts with https:// (or http://, webcal://); "
                "a file path can be added to [ics] urls in config.toml", [])
    settings = backend.settings()
    try:
        name = ics_source(address, backend.paths.config_dir).name
        events = backend.fetch_ics(address, settings, fresh=True)
    except SourceError as e:
        return "calendars", False, f"not added: {e}", []
    except Exception as e:  # noqa: BLE001 - a parser bug: never str(e), which might quote the address
        log.warning("setup page: an ICS address could not be read (%s)", type(e).__name__)
        return "calendars", False, f"not added: the calendar cannot be read ({type(e).__name__})", []
    shown = [f"{when(e.start)} {e.title}" for e in events if e.end > backend.now()][:NEXT_EVENTS]
    found = (f"{len(events)} event{'s' if len(events) != 1 else ''} in the next "
             f"{settings.refresh.lookahead_hours} h")
    if address in settings.ics.urls:
        return "calendars", True, f"{name} is already added ({found})", shown
    backend.set("ics.urls", list(settings.ics.urls) + [address])
    backend.refresh()
    return "calendars", True, f"added {name}: {found}" + ("; the next:" if shown else ""), shown


def remove_ics(backend, form: dict) -> Result:
    urls = list(backend.settings().ics.urls)
    try:
        i = int(form.get("index", ""))
    except ValueError:
        i = -1
    if not 0 <= i < len(urls):
        return "calendars", False, "that address is no longer in the list (reload the page)", []
    urls.pop(i)
    backend.set("ics.urls", urls)
    backend.refresh()
    return "calendars", True, f"ICS address #{i + 1} removed", []


def save_rules(backend, form: dict) -> Result:
    backend.set("match.keywords", list(lines(form.get("keywords", ""))))
    backend.set("match.locations", list(lines(form.get("locations", ""))))
    backend.set("match.organizers", [o.lower() for o in lines(form.get("organizers", ""))])
    return "rules", True, "rules saved; the preview shows what they select", []


def save_you(backend, form: dict) -> Result:
    name, email = (form.get("name") or "").strip(), (form.get("email") or "").strip()
    if email and ("@" not in email or any(ch.isspace() for ch in email)):
        return "you", False, f"not saved: {email!r} is not an e-mail address", []
    backend.set("join.name", name)
    backend.set("join.email", email)
    return "you", True, "saved: registration forms get this name and e-mail", []


def save_options(backend, form: dict) -> Result:
    backend.set("join.headless", "headless" in form)
    backend.set("notifications.enabled", "notifications" in form)
    backend.set("wake.enabled", "wake" in form)
    done = [f"{what} {'on' if key in form else 'off'}"
            for key, what in (("headless", "headless"), ("notifications", "notifications"), ("wake", "waking the PC"))]
    if backend.autostart is not None:
        from webinar_tray.ports import AutostartError

        want = "autostart" in form
        try:
            status = backend.autostart.enable() if want else backend.autostart.disable()
        except AutostartError as e:
            return "options", False, "; ".join(done) + f"; start at login not changed: {e}", []
        done.append("start at login " + ("on" if status.enabled else "off"))
        if status.problem:
            return "options", False, "; ".join(done) + f" — {status.problem}", []
    return "options", True, "saved: " + ", ".join(done), []


def browser_profile(backend, form: dict) -> Result:
    from webinar_tray.ports import BrowserNotFound

    try:
        return "try", True, backend.open_profile(), []
    except BrowserNotFound as e:
        return "try", False, str(e), []
    except OSError as e:
        return "try", False, f"the browser could not be started: {e.strerror or e}", []


def test_run(backend, form: dict) -> Result:
    state = backend.test_run.start(backend.settings())
    return "try", state.state != "failed", state.message, []


POSTS: dict[str, Callable[[object, dict], Result]] = {
    "/ics/add": add_ics,
    "/ics/remove": remove_ics,
    "/rules": save_rules,
    "/you": save_you,
    "/options": save_options,
    "/browser-profile": browser_profile,
    "/test-run": test_run,
    **google.POSTS,
}


def carry_out(path: str, backend, form: dict) -> Result | None:
    """The form's result; None for an unknown path. A refused value is the writer's message."""
    fn = POSTS.get(path)
    if fn is None:
        return None
    try:
        return fn(backend, form)
    except ConfigError as e:
        return section_of(path), False, f"not saved: {e}", []


def section_of(path: str) -> str:
    if path.startswith("/google/"):
        return google.SECTION
    return {"/ics/add": "calendars", "/ics/remove": "calendars", "/rules": "rules", "/you": "you",
            "/options": "options"}.get(path, "try")
