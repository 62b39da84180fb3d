"""The checks of `webinar-tray doctor`, in the contract's order. Each takes the shared `State`
and returns (ok, detail, fix): ok True, False, or None when the check does not apply. The
runner (commands/doctor.py) gives each one a time limit and turns a crash into ok=False.

Nothing here prints or stores a secret: tokens are refreshed in memory only, ICS sources are
named by their safe names, Playwright's errors lose their query strings."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from webinar_tray.config.paths import Paths
from webinar_tray.env import Env

Result = tuple[bool | None, str, str | None]

FIX_LOGIN = "webinar-tray login"
FIX_BROWSER = ("webinar-tray browser --install (Playwright's Chromium), or set [browser] "
               "executable_path in config.toml to a Chrome, Edge or Chromium program")
FIX_CALENDAR = ("add a calendar: `webinar-tray login --client-secrets FILE` for Google Calendar, "
                "or [ics] urls = [\"https://…\"] (a secret iCal address or a file) in {config}; "
                "or try the demo: `webinar-tray --demo`")
SKIPPED_CONFIG = "not checked: config.toml has an error (see the config check)"


@dataclass
class State:
    paths: Paths
    env: Env  # the platform and environment the app would run with
    settings: Any = None  # core.settings.Settings once config.toml was read
    client: dict | None = None  # the "installed" section of a good OAuth client file
    creds: Any = None  # refreshed Google credentials (memory only)
    results: dict[str, bool | None] = field(default_factory=dict)  # what the runner recorded
    secrets: list[str] = field(default_factory=list)  # strings to cut from any message


def _client_file(s: State) -> Path:
    from webinar_tray.config.files import resolve_file

    return resolve_file(s.settings.google.client_secrets, s.paths.config_dir)


# ---- config, sources -----------------------------------------------------------------------
def config(s: State) -> Result:
    from webinar_tray.config.files import effective_settings
    from webinar_tray.config.files import load_settings
    from webinar_tray.core.settings import ConfigError

    path = s.paths.config_file
    try:
        settings, warnings = load_settings(path)
    except ConfigError as e:
        return False, str(e), f"correct that key in {path} (or remove it: every key has a default)"
    s.settings = effective_settings(settings, s.paths.demo)
    s.secrets += [u for u in settings.ics.urls if "://" in u and not u.lower().startswith("file:")]
    detail = f"{path}" if path.exists() else f"no {path}: every setting has its default"
    if warnings:
        detail += "; " + "; ".join(warnings)
    return True, detail, None


def sources(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if s.paths.demo:
        return None, "the built-in demo calendar (--demo)", None
    g = s.settings.google
    google = _client_file(s).exists() and bool(g.calendars)
    ics = s.settings.ics.urls
    if not google and not ics:
        return (False, f"no calendar configured: no Google OAuth client file ({_client_file(s)}) "
                       "and no [ics] urls", FIX_CALENDAR.format(config=s.paths.config_file))
    parts = []
    if google:
        parts.append(f"Google Calendar ({', '.join(g.calendars)})")
    if ics:
        parts.append(f"{len(ics)} ICS address{'es' if len(ics) > 1 else ''}")
    return True, " and ".join(parts), None


# ---- Google --------------------------------------------------------------------------------
def google_client(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if s.paths.demo:
        return None, "not used with --demo", None
    from webinar_tray.adapters.calendar.google.auth import HOW_TO_CLIENT, AuthError, load_client

    path = _client_file(s)
    if not path.exists():
        return None, f"Google Calendar not set up (no OAuth client file {path})", None
    try:
        client = load_client(path)
    except AuthError as e:
        return False, str(e), "download the client's JSON again and run `webinar-tray login --client-secrets FILE`"
    if "installed" not in client:
        return (False, f"{path}: a \"web\" OAuth client; webinar-tray signs in as a Desktop app",
                HOW_TO_CLIENT)
    s.client = client["installed"]
    s.secrets.append(str(s.client.get("client_secret") or ""))
    return True, f"{path}: a Desktop app OAuth client", None


def google_signin(s: State) -> Result:
    if s.client is None:
        return None, _google_skip(s, "google_client"), None
    from webinar_tray.adapters.calendar.google.account import token_store
    from webinar_tray.adapters.calendar.google.tokens import TokenStoreError, credentials_from
    from webinar_tray.core.redact import safe_url

    try:
        store = token_store(s.settings, s.paths.real())
        info = store.load()
    except TokenStoreError as e:
        return False, str(e), FIX_LOGIN
    if not info or not info.get("refresh_token"):
        return False, "not signed in to Google Calendar", FIX_LOGIN
    s.secrets += [str(info.get(k) or "") for k in ("token", "refresh_token", "client_secret")]
    creds = credentials_from(info)
    import google_auth_httplib2
    import httplib2
    from google.auth.exceptions import RefreshError, TransportError

    try:
        creds.refresh(google_auth_httplib2.Request(httplib2.Http(timeout=20)))
    except RefreshError as e:
        if getattr(e, "retryable", False):
            return False, "Google's sign-in service is not answering", "try again in a few minutes"
        from webinar_tray.adapters.calendar.google.api import _refresh_error_code

        code = _refresh_error_code(e) or "refused"
        return (False, f"Google refused the saved sign-in ({code}): access was revoked, the password "
                       "changed, or the OAuth client is in \"Testing\" status (sign-ins expire after "
                       "7 days)", FIX_LOGIN)
    except (TransportError, OSError, httplib2.HttpLib2Error) as e:
        return (False, f"cannot reach the token endpoint {safe_url(creds.token_uri)} "
                       f"({type(e).__name__})", "check the internet connection (a proxy goes in "
                                                "HTTPS_PROXY) and run `webinar-tray doctor` again")
    s.secrets.append(str(creds.token or ""))
    s.creds = creds
    return True, f"signed in; the token refreshes (kept in {store.description})", None


def calendar_access(s: State) -> Result:
    if s.creds is None or s.results.get("google_signin") is not True:
        return None, _google_skip(s, "google_signin"), None
    from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource
    from webinar_tray.ports import SignInNeeded, SourceError

    g = s.settings.google
    now = datetime.now(timezone.utc)
    creds = s.creds
    read, failed, signin = [], [], False
    for cal in g.calendars[:20]:
        src = GoogleCalendarSource(cal, lambda: creds, g.api_endpoint, page_size=1, retries=0,
                                   timeout=20)
        try:
            src._page(now, now + timedelta(days=1), None)  # events.list, maxResults=1: one request
            read.append(cal)
        except SignInNeeded as e:
            signin = True
            failed.append(str(e))
        except SourceError as e:
            failed.append(str(e))
    if failed:
        fix = (FIX_LOGIN if signin else
               f"check [google] calendars and api_endpoint in {s.paths.config_file} (a calendar id "
               "is in Google Calendar's settings → Integrate calendar)")
        return False, "; ".join(failed), fix
    return True, f"Calendar API at {g.api_endpoint} reads {', '.join(read)}", None


def _google_skip(s: State, before: str) -> str:
    if s.settings is None:
        return SKIPPED_CONFIG
    if s.paths.demo:
        return "not used with --demo"
    if s.results.get(before) is None:
        return "Google Calendar not set up"
    return f"not checked: see {before}"


# ---- ICS -----------------------------------------------------------------------------------
def ics(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if s.paths.demo:
        return None, "not used with --demo", None
    urls = s.settings.ics.urls
    if not urls:
        return None, "no [ics] urls", None
    from webinar_tray.adapters.calendar.ics.source import IcsSource
    from webinar_tray.ports import SourceError

    now = datetime.now(timezone.utc)
    end = now + timedelta(hours=s.settings.refresh.lookahead_hours)
    lines, ok = [], True
    for i, address in enumerate(urls, 1):
        try:
            src = IcsSource(address, s.paths.config_dir, replace(s.settings.refresh, timeout_seconds=min(20, s.settings.refresh.timeout_seconds)))
        except SourceError as e:
            ok = False
            lines.append(f"ICS address #{i}: {e}")
            continue
        label = f"{src.name} ({src.calendar_id})"
        try:
            n = len(src.fetch(now, end))
            lines.append(f"{label}: {n} event{'' if n == 1 else 's'} in the next "
                         f"{s.settings.refresh.lookahead_hours} h")
        except SourceError as e:
            ok = False
            lines.append(str(e) if str(e).startswith(src.name) else f"{label}: {e}")
        except Exception as e:  # a parser bug: never str(e), which might quote the address
            ok = False
            lines.append(f"{label}: cannot be read ({type(e).__name__})")
    fix = None if ok else (f"check [ics] urls in {s.paths.config_file}: a secret address changes "
                           "when it is reset (copy it again from the calendar's settings)")
    return ok, "; ".join(lines), fix


# ---- browser ----------------------------------------------------------------------------
DOCTOR_LAUNCH_SECONDS = 30.0


def browser(s: State) -> Result:
    """The browser the joiner would use, started headless by the joiner's own `launch()` on a
    throwaway profile (the app's own may be in use by a running engine)."""
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    from webinar_tray.adapters.browser.discover import BrowserNotFound, find_browser
    from webinar_tray.adapters.browser.launch import LaunchError, first_line

    try:
        choice = find_browser(s.settings.browser, s.paths.browsers_dir, s.env)
    except BrowserNotFound as e:
        return False, str(e), FIX_BROWSER
    try:
        version = asyncio.run(_launch_version(choice, s.settings.browser.args, s.env))
    except Exception as e:
        cause = e.__cause__ if isinstance(e, LaunchError) and e.__cause__ is not None else e
        return False, f"{choice.description} does not start: {first_line(cause)}", FIX_BROWSER
    return True, f"{choice.description} (version {version}) starts headless", None


async def _launch_version(choice, extra_args, env: Env) -> str:
    """The version of `choice` started headless through launch(), as a join starts it."""
    from playwright.async_api import async_playwright

    from webinar_tray.adapters.browser.launch import browser_version, launch

    with tempfile.TemporaryDirectory(prefix="webinar-tray-doctor-", ignore_cleanup_errors=True) as tmp:
        async with async_playwright() as pw:
            context = await launch(pw, choice, Path(tmp) / "profile", True, extra_args, env=env,
                                   timeout_seconds=DOCTOR_LAUNCH_SECONDS)
            try:
                return await browser_version(context)
            finally:
                await context.close()


# ---- notifications, autostart, instance ----------------------------------------------------
def notifications(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if not s.settings.notifications.enabled:
        return None, "turned off ([notifications] enabled = false)", None
    try:
        from webinar_tray.adapters import notify as desktop_notify
    except ModuleNotFoundError as e:
        if (e.name or "").endswith("desktop_notify"):
            return None, "not checked (desktop notifications are not in this build yet)", None
        raise
    r = desktop_notify.probe(s.settings, s.env)
    ok = r.get("ok")
    return (ok if ok in (True, False, None) else bool(ok)), str(r.get("detail") or ""), r.get("fix") or None


def autostart(s: State) -> Result:
    from webinar_tray.adapters.desktop.autostart import for_paths

    st = for_paths(s.paths).status()
    detail = st.detail + (f" — {st.problem}" if st.problem else "")
    if st.broken:
        return False, detail, "webinar-tray autostart enable (or `webinar-tray autostart disable`)"
    if st.enabled:
        return True, detail, None
    return None, detail if detail.startswith("off") else f"off: {detail}", "webinar-tray autostart enable"


def instance(s: State) -> Result:
    from webinar_tray.runtime.instance import InstanceLock, read_channel, send

    for owner in (s.paths.real(), s.paths.as_demo()):
        if not owner.lock_file.exists():  # an engine creates it; doctor creates nothing
            continue
        lock = InstanceLock(owner.lock_file)
        if lock.acquire():
            lock.release()
            continue
        info = read_channel(owner.channel_file) or {}
        pid = info.get("pid")
        reply = send(owner.channel_file, {"cmd": "ping"}, timeout=5.0) if info else None
        text = "running" + (f" (pid {pid})" if pid else "") + (" in demo mode" if owner.demo else "")
        if not (reply and reply.get("ok")):
            text += ", not answering on its channel (a `join` in progress, or starting up)"
        return True, text, None
    return True, "not running", None


CHECKS = (
    ("config", config, 10.0),
    ("sources", sources, 10.0),
    ("google_client", google_client, 10.0),
    ("google_signin", google_signin, 45.0),
    ("calendar_access", calendar_access, 60.0),
    ("ics", ics, 90.0),
    ("browser", browser, 60.0),
    ("notifications", notifications, 20.0),
    ("autostart", autostart, 20.0),
    ("instance", instance, 15.0),
)
NAMES = tuple(name for name, _, _ in CHECKS)
