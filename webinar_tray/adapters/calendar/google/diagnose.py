"""doctor's Google checks: the OAuth client file, the saved sign-in (refreshed in memory only),
the Calendar API reading each configured calendar (one request each)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from webinar_tray.config.files import resolve_file
from webinar_tray.core.diagnosis import FIX_LOGIN, SKIPPED_CONFIG, Result, State, skipped_before


def _client_file(s: State) -> Path:
    return resolve_file(s.settings.google.client_secrets, s.paths.config_dir)


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
        return None, skipped_before(s, "google_client"), None
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
        return None, skipped_before(s, "google_signin"), None
    from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource
    from webinar_tray.ports import SignInNeeded, SourceError

    g = s.settings.google
    now = datetime.now(timezone.utc)
    creds = s.creds
    read, failed, signin = [], [], False
    for cal in g.calendars[:20]:
        src = GoogleCalendarSource(cal, lambda: creds, g.api_endpoint, page_size=1, retries=0,
                                   timeout=20, incremental=False)
        try:
            src.list_window(now, now + timedelta(days=1), max_pages=1)  # maxResults=1: one request
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
