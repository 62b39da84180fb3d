"""Google sign-in: the OAuth installed-app ("Desktop app") flow with PKCE, a loopback redirect on
127.0.0.1, offline access (a refresh token) and two read-only scopes: Calendar events and the
account's calendar list (SCOPES). The client file is read by client.py.

`login()` runs google-auth-oauthlib's InstalledAppFlow (the consent page opens through Python's
`webbrowser`, so `BROWSER` is honoured) or, without a browser on this machine, prints the URL and
takes the address the browser ended on pasted back. `logout()` revokes the token (best effort) and
forgets it. Tokens, codes and the client secret are never printed or logged."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, MutableMapping, Sequence, TextIO

from webinar_tray.adapters.calendar.google.client import (  # noqa: F401 - their old home, still imported from here
    HOW_TO_CLIENT, REQUIRED_KEYS, AuthError, ClientSecretsError, load_client, parse_client)
from webinar_tray.adapters.calendar.google.client import client_section as _client_section
from webinar_tray.adapters.calendar.google.tokens import TokenStore, TokenStoreError, info_from
from webinar_tray.core.redact import SafeUrl, safe_url
from webinar_tray.env import Env

log = logging.getLogger(__name__)

# Events, read-only; and the list of the account's calendars, read-only (calendarList.list, which
# the events scope does not cover), so the setup page can offer them to pick from.
SCOPES = ["https://www.googleapis.com/auth/calendar.events.readonly",
          "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
NO_BROWSER_PORT = 8765
CONNECTION_TIMEOUT = 20.0  # seconds a browser connection to the loopback server may stay silent
SUCCESS_PAGE = "Signed in to webinar-tray. You can close this tab and return to the app."
# Loggers that write request bodies, codes or tokens at DEBUG/INFO level (the log file takes DEBUG).
_CHATTY = ("requests_oauthlib", "oauthlib", "google_auth_oauthlib", "google.auth", "google.oauth2",
           "urllib3")


# ---- the flow's surroundings -----------------------------------------------------------------
def _is_loopback_http(url: str) -> bool:
    p = urllib.parse.urlsplit(url)
    return p.scheme == "http" and (p.hostname or "") in ("127.0.0.1", "localhost", "::1")


# oauthlib reads OAUTHLIB_INSECURE_TRANSPORT from this process's own environment: written there.
PROCESS_ENVIRON: MutableMapping[str, str] = os.environ


@contextlib.contextmanager
def _insecure_transport(on: bool):
    """oauthlib refuses plain http; allow it only for loopback addresses, only inside the flow."""
    if not on:
        yield
        return
    old = PROCESS_ENVIRON.get("OAUTHLIB_INSECURE_TRANSPORT")
    PROCESS_ENVIRON["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        if old is None:
            PROCESS_ENVIRON.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
        else:
            PROCESS_ENVIRON["OAUTHLIB_INSECURE_TRANSPORT"] = old


@contextlib.contextmanager
def _quiet_libraries():
    """requests-oauthlib logs request bodies (codes, verifiers, tokens) at DEBUG and the loopback
    server logs the redirect's request line (with the code) at INFO: keep them out of the log."""
    saved = {}
    for name in _CHATTY:
        lg = logging.getLogger(name)
        saved[name] = lg.level
        if lg.getEffectiveLevel() < logging.WARNING:
            lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def _bounded_connections(seconds: float):
    """run_local_server's loopback server handles exactly one connection, with no socket timeout:
    a connection that never sends a request (a browser's speculative pre-connect, a port probe)
    would block it forever, past `timeout_seconds`. Give its handler a socket timeout meanwhile.
    (google-auth-oauthlib 1.5: `_WSGIRequestHandler`, a StreamRequestHandler whose `timeout`
    is applied to each accepted connection.)"""
    from google_auth_oauthlib import flow as flow_module

    handler = getattr(flow_module, "_WSGIRequestHandler", None)
    if handler is None or not hasattr(handler, "timeout"):
        yield
        return
    had = "timeout" in handler.__dict__
    old = handler.__dict__.get("timeout")
    handler.timeout = seconds
    try:
        yield
    finally:
        if had:
            handler.timeout = old
        else:
            del handler.timeout


# ---- sign-in ---------------------------------------------------------------------------------
def login(client_file: Path | str, store: TokenStore, *, open_browser: bool = True, port: int = 0,
          timeout: float = 300, input_fn: Callable[[str], str] = input, out: TextIO | None = None,
          env: Env | None = None):
    """Runs the consent flow and saves the token to `store`. Returns the Credentials.
    Raises ClientSecretsError (bad client file), AuthError (declined, timed out, unreachable...).
    A public entry: `env` (opening the consent page when frozen) defaults to the real one."""
    out = out if out is not None else sys.stderr
    env = env or Env.real()
    client = load_client(client_file)
    section = _client_section(client)
    token_uri = section["token_uri"]
    from google_auth_oauthlib.flow import InstalledAppFlow
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    # autogenerate_code_verifier: PKCE (S256). google-auth-oauthlib >= 1.0 defaults it on; older
    # releases did not, so it is always asked for explicitly.
    flow = InstalledAppFlow.from_client_config(client, SCOPES, autogenerate_code_verifier=True)
    insecure = _is_loopback_http(token_uri)
    try:
        with _quiet_libraries(), _insecure_transport(insecure):
            if open_browser:
                creds = _login_local_server(flow, port, timeout, out, env)
            else:
                creds = _login_pasted(flow, port, input_fn, out)
    except AuthError:
        raise
    except OAuth2Error as e:
        what = e.error or type(e).__name__
        if what == "access_denied":
            raise AuthError("sign-in was cancelled: access to Google Calendar was not granted") from None
        detail = f" ({e.description})" if getattr(e, "description", None) else ""
        raise AuthError(f"Google refused the sign-in: {what}{detail}") from None
    except Warning as e:  # oauthlib: "Scope has changed" when a scope's box was left unticked
        if "scope" in str(e).lower():
            raise AuthError("sign-in did not grant read access to Google Calendar: sign in again and "
                            "leave both calendar permissions ticked") from None
        raise AuthError(f"sign-in failed: {type(e).__name__}") from None
    except OSError as e:  # requests' ConnectionError/Timeout are OSErrors too
        import requests

        if isinstance(e, requests.RequestException):
            raise AuthError(f"could not reach the token endpoint {safe_url(token_uri)} "
                            f"({type(e).__name__}); check the connection and try again") from None
        raise
    if not creds.refresh_token:
        raise AuthError("Google returned no refresh token, so webinar-tray could not stay signed in; "
                        "remove webinar-tray's access at https://myaccount.google.com/permissions and "
                        "run `webinar-tray login` again (consent must be asked for again)")
    try:
        store.save(info_from(creds))
    except TokenStoreError as e:
        raise AuthError(f"signed in, but the token could not be saved: {e}") from None
    log.info("signed in to Google Calendar (read-only); token kept in %s", store.description)
    return creds


def _login_local_server(flow, port: int, timeout: float, out: TextIO, env: Env):
    import webbrowser

    from google_auth_oauthlib.flow import WSGITimeoutError

    open_browser = True
    try:
        webbrowser.get()
    except webbrowser.Error:
        open_browser = False
        print("webinar-tray: no web browser found here; open the address below in a browser on this "
              "computer (or use `webinar-tray login --no-browser`)", file=out)
    started = time.monotonic()
    try:
        # stdout: the library prints its prompt there; stderr: socketserver prints a traceback
        # there for a connection that timed out (`out` itself was bound before the redirect).
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
                _bounded_connections(min(timeout, CONNECTION_TIMEOUT)):
            return flow.run_local_server(
                host="127.0.0.1",
                bind_addr="127.0.0.1",
                port=port,
                open_browser=open_browser,
                browser=_user_env_browser(env) if open_browser else None,
                timeout_seconds=timeout,
                prompt="consent",
                access_type="offline",
                authorization_prompt_message=(
                    "Sign in to Google in the browser window that opened; if none opened, visit:\n{url}\n"
                    "Waiting for the browser to come back to webinar-tray…"),
                success_message=SUCCESS_PAGE,
            )
    except WSGITimeoutError:
        if time.monotonic() - started < timeout - 1:
            raise AuthError("sign-in failed: a connection to webinar-tray's sign-in address sent no "
                            "answer from Google; run `webinar-tray login` again") from None
        raise AuthError(f"sign-in timed out after {timeout:g} s: the browser never came back to "
                        "webinar-tray (was the tab closed?); run `webinar-tray login` again") from None
    except OSError as e:
        import errno

        if e.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1), errno.EACCES):
            raise AuthError(f"cannot listen on 127.0.0.1 port {port}: {e.strerror or e}; "
                            "choose another with --port") from None
        raise
    except webbrowser.Error as e:
        raise AuthError(f"could not open a web browser ({e}); use `webinar-tray login --no-browser`") from None


def _user_env_browser(env: Env) -> str | None:
    """In a frozen build, a `webbrowser` name that opens the consent page through
    desktop.open_url, i.e. with the user's environment rather than ours (the bundle's libraries
    and GTK would be loaded by the browser). None (the default browser, as usual) otherwise."""
    import webbrowser

    from webinar_tray.adapters.desktop.sysenv import system_env_or_none

    if system_env_or_none(env) is None:
        return None
    from webinar_tray.adapters.desktop.open import DesktopError, open_url

    class UserEnvBrowser(webbrowser.BaseBrowser):
        def open(self, url, new=0, autoraise=True):
            try:
                open_url(url, env)
            except DesktopError:
                return False
            return True

    webbrowser.register("webinar-tray-user-env", None, UserEnvBrowser("webinar-tray-user-env"))
    return "webinar-tray-user-env"


def _login_pasted(flow, port: int, input_fn, out: TextIO):
    redirect_uri = f"http://127.0.0.1:{port or NO_BROWSER_PORT}/"
    flow.redirect_uri = redirect_uri
    url, _state = flow.authorization_url(prompt="consent", access_type="offline")
    print("Open this address in a browser (on any computer) and sign in:\n"
          f"\n    {url}\n\n"
          f"After you allow access the browser tries to open {redirect_uri} and probably shows an "
          "error page; copy the whole address from its address bar and paste it here.", file=out)
    out.flush()
    try:
        pasted = (input_fn("Address (or code): ") or "").strip()
    except (EOFError, KeyboardInterrupt):
        raise AuthError("sign-in cancelled: no address was pasted") from None
    if not pasted:
        raise AuthError("sign-in cancelled: no address was pasted")
    with _insecure_transport(True):  # the pasted redirect is http://127.0.0.1 by design
        if "://" in pasted:
            flow.fetch_token(authorization_response=pasted, timeout=30)
        elif "code=" in pasted or "error=" in pasted:  # "?code=…&state=…" or "127.0.0.1:8765/?code=…"
            query = pasted.split("?", 1)[1] if "?" in pasted else pasted
            flow.fetch_token(authorization_response=f"{redirect_uri}?{query}", timeout=30)
        else:  # a bare authorization code
            flow.fetch_token(code=urllib.parse.unquote(pasted), timeout=30)
    return flow.credentials


# ---- sign-out --------------------------------------------------------------------------------
def revoke_uri_for(client_file: Path | str | None) -> str:
    if client_file is not None:
        try:
            uri = _client_section(load_client(client_file)).get("revoke_uri")
            if uri:
                return uri
        except AuthError:
            pass
    return GOOGLE_REVOKE_URI


def revoke(token: str, revoke_uri: str, timeout: float = 5.0) -> bool:
    """POSTs the token to the revocation endpoint. True when revoked (or already invalid)."""
    body = urllib.parse.urlencode({"token": token}).encode()
    req = urllib.request.Request(revoke_uri, data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return 200 <= r.status < 300
    except urllib.error.HTTPError as e:
        # 400 invalid_token: revoked or expired already; nothing left to revoke
        return e.code == 400
    except (OSError, ValueError) as e:
        log.info("could not revoke the Google token at %s (%s)", SafeUrl(revoke_uri), type(e).__name__)
        return False


def logout(stores: TokenStore | Sequence[TokenStore], client_file: Path | str | None = None) -> str:
    """Revokes the token found in each store (best effort, short timeout) and deletes it from
    every one of them (`token_store = "auto"`: the keyring and the file). Returns a message; a
    store that cannot be read or changed is named in it, never a traceback."""
    stores = [stores] if not isinstance(stores, (list, tuple)) else list(stores)
    tokens: list[str] = []
    problems: list[str] = []
    for store in stores:
        try:
            info = store.load()
        except TokenStoreError as e:
            log.warning("%s", e)
            problems.append(str(e))
            info = None
        token = (info or {}).get("refresh_token") or (info or {}).get("token")
        if token and token not in tokens:
            tokens.append(token)
    revoked = [False] * len(tokens)
    if tokens:
        with _quiet_libraries():
            uri = revoke_uri_for(client_file)
            revoked = [revoke(t, uri) for t in tokens]
    for store in stores:
        try:
            store.delete()
        except TokenStoreError as e:
            log.warning("%s", e)
            if str(e) not in problems:
                problems.append(str(e))
    note = "".join(f"\nwebinar-tray: {p}" for p in problems)
    if not tokens:
        return "Not signed in to Google; nothing to forget." + note
    log.info("signed out of Google (%d token(s), revoked: %s)", len(tokens), all(revoked))
    if all(revoked):
        return ("Signed out: webinar-tray's access to your Google Calendar was revoked and the token "
                "deleted." + note)
    return ("Signed out: the token was deleted here, but could not be revoked (offline?); you can remove "
            "webinar-tray's access at https://myaccount.google.com/permissions" + note)
