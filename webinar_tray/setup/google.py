"""The setup page's Google Calendar part: upload the Desktop OAuth client JSON (checked, written
0600 where `login` looks for it: `[google] client_secrets`), "Sign in with Google" (the usual
loopback flow of adapters/calendar/google/auth.py, run by the backend in a background thread
while the page polls `/google/state`), and pick calendars from the account's calendar list
(calendarList.list), written to `[google] calendars` through the config writer.

The client secret, tokens and codes are never shown back, logged or put in a message."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import PurePath
from typing import Callable

from webinar_tray.compose import google_setup

log = logging.getLogger(__name__)

SECTION = "calendars"
LIST_CACHE_SECONDS = 120.0
MAX_ID = 300  # characters in a calendar id
HOW_ON_PAGE = ("in the Google Cloud console create an OAuth client ID of type \"Desktop app\" "
               "(the README's Google steps) and upload the JSON it lets you download")
WAITING = ("waiting for you in the browser tab that opened Google's consent page: choose your "
           "account and allow read access to your calendars")

Result = tuple[str, bool, str, list[str]]


@dataclass
class SignInState:
    state: str = "idle"  # idle | running | done | failed
    message: str = ""

    def as_dict(self) -> dict:
        return {"state": self.state, "message": self.message}


@dataclass
class GoogleSetup:
    """The sign-in running in the background (one at a time) and the calendar list's cache.
    `sign_in()` runs the whole consent flow and raises an exception whose text is for the user."""

    sign_in: Callable[[], None]
    state: SignInState = field(default_factory=SignInState)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _list: tuple[float, object] | None = None  # (when, entries or an error message)

    def start(self) -> SignInState:
        with self._lock:
            if self.state.state == "running":
                return self.state
            self.state = SignInState("running", WAITING)
            self._list = None
        threading.Thread(target=self._run, name="setup-google-sign-in", daemon=True).start()
        return self.state

    def _run(self) -> None:
        try:
            self.sign_in()
        except Exception as e:  # noqa: BLE001 - AccountError/HostError carry a message for the user
            known = type(e).__name__ in ("AccountError", "HostError", "AuthError")
            message = str(e) if known else f"sign-in failed ({type(e).__name__})"
            log.warning("setup page: Google sign-in failed: %s", message, exc_info=not known)
            final = SignInState("failed", message)
        else:
            log.info("setup page: signed in to Google Calendar")
            final = SignInState("done", "signed in: pick the calendars to read below")
        with self._lock:
            self.state, self._list = final, None

    def calendars(self, load: Callable[[], list]) -> object:
        """The account's calendars (a list of CalendarEntry) or why not (a str), read at most
        every two minutes (a page reload does not ask Google again)."""
        g = google_setup()
        with self._lock:
            hit = self._list
        if hit is not None and time.monotonic() - hit[0] < LIST_CACHE_SECONDS:
            return hit[1]

        try:
            value: object = load()
        except g.CalendarListError as e:
            value = str(e)
        with self._lock:
            self._list = (time.monotonic(), value)
        return value

    def forget_list(self) -> None:
        with self._lock:
            self._list = None


# ---- what the page shows -------------------------------------------------------------------
@dataclass
class GoogleView:
    client_file: str
    client: str | None  # None: a usable Desktop client; else what is wrong (or missing)
    signed_in: bool
    sign_in: dict
    calendars: tuple[str, ...]
    listed: object = None  # list[CalendarEntry] | str (why not) | None (not signed in)


def view(backend, settings) -> GoogleView:
    g = google_setup()

    path = client_file(backend, settings)
    problem = "no OAuth client uploaded yet"
    if path.exists():
        try:
            problem = None if "installed" in g.load_client(path) else "a \"web\" client: upload a Desktop app client"
        except g.AuthError as e:
            problem = str(e)
    info, why = _saved_sign_in(backend, settings)
    signed_in = bool(info and info.get("refresh_token"))
    state = backend.google.state.as_dict()
    if why and state["state"] == "idle":  # a locked keyring, a folder in the token file's place
        state["message"] = f"sign-in needed: {why}"
    listed = None
    if signed_in and problem is None:
        listed = backend.google.calendars(lambda: _load_list(info, settings))
    return GoogleView(str(path), problem, signed_in, state, tuple(settings.google.calendars), listed)


def client_file(backend, settings):
    from webinar_tray.config.files import resolve_file

    return resolve_file(settings.google.client_secrets, backend.paths.config_dir)


def _saved_sign_in(backend, settings) -> tuple[dict | None, str | None]:
    g = google_setup()

    try:
        return g.token_store(settings, backend.paths.real()).load(), None
    except g.TokenStoreError as e:
        return None, str(e)


def _load_list(info: dict, settings) -> list:
    g = google_setup()

    if g.can_list(info) is False:
        raise g.ListNeedsSignIn(g.NEW_SIGN_IN)
    return g.list_calendars(g.credentials_from(info), settings.google.api_endpoint)


# ---- the forms -----------------------------------------------------------------------------
def upload_client(backend, form: dict) -> Result:
    g = google_setup()
    from webinar_tray.config.private import write_private

    raw = form.get("client_json")
    if not isinstance(raw, bytes) or not raw.strip():
        return SECTION, False, "choose the OAuth client's JSON file first", []
    name = PurePath(str(form.get("client_json.filename") or "")).name[:100] or "the uploaded file"
    try:
        client = g.parse_client(raw, name, how=HOW_ON_PAGE)
    except g.ClientSecretsError as e:
        return SECTION, False, f"not saved: {e}", []
    if "installed" not in client:
        return (SECTION, False, f"not saved: {name} is the JSON of a \"web\" OAuth client; webinar-tray "
                f"signs in as a Desktop app: {HOW_ON_PAGE}", [])
    settings = backend.settings()
    dest = client_file(backend, settings)
    try:
        write_private(dest, raw)
    except OSError as e:
        return SECTION, False, f"not saved: {dest} cannot be written ({e.strerror or e})", []
    log.info("setup page: saved the Google OAuth client (Desktop app) to %s", dest)
    backend.google.forget_list()
    return SECTION, True, f"saved the Desktop app client to {dest}; now sign in with Google", []


def start_sign_in(backend, form: dict) -> Result:
    g = google_setup()

    try:
        if "installed" not in g.load_client(client_file(backend, backend.settings())):
            raise g.AuthError("a \"web\" client")
    except g.AuthError:
        return SECTION, False, "upload the Desktop app OAuth client's JSON first", []
    state = backend.google.start()
    return SECTION, True, state.message, []


def pick_calendars(backend, form: dict) -> Result:
    picked = [v.strip() for k, v in sorted(form.items(), key=lambda kv: _index(kv[0]))
              if k.startswith("cal-") and isinstance(v, str) and v.strip()]
    typed = [x.strip() for x in str(form.get("other") or "").replace(",", "\n").splitlines() if x.strip()]
    ids: list[str] = []
    for cid in picked + typed:
        if len(cid) > MAX_ID or any(ch.isspace() or ord(ch) < 32 for ch in cid):
            return SECTION, False, f"not saved: {cid[:60]!r} is not a calendar id", []
        if cid not in ids:
            ids.append(cid)
    backend.set("google.calendars", ids)
    backend.refresh()
    if not ids:
        return SECTION, True, "saved: no Google calendar is read now", []
    return SECTION, True, f"saved: webinar-tray reads {len(ids)} Google calendar{'s' if len(ids) != 1 else ''}", ids


def _index(key: str) -> int:
    try:
        return int(key.split("-", 1)[1])
    except (IndexError, ValueError):
        return 10**6


POSTS = {"/google/client": upload_client, "/google/sign-in": start_sign_in, "/google/calendars": pick_calendars}


# ---- HTML ----------------------------------------------------------------------------------
def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _form(csrf: str, action: str, body: str, button: str, extra: str = "") -> str:
    return (f'<form method="post" action="{action}"{extra}><input type="hidden" name="csrf" '
            f'value="{_e(csrf)}">{body}<button type="submit">{_e(button)}</button></form>')


def html(v: GoogleView, csrf: str) -> str:
    upload = _form(csrf, "/google/client",
                   '<label>OAuth client JSON (Google Cloud console → APIs &amp; Services → Credentials → '
                   'OAuth client ID of type "Desktop app" → Download JSON)<input type="file" '
                   'name="client_json" id="client-json" accept=".json,application/json" required></label>',
                   "Upload client", ' enctype="multipart/form-data" id="google-client-form"')
    client = (f'<p id="google-client">Client: {_e(v.client or "a Desktop app client")} '
              f'(<code>{_e(v.client_file)}</code>)</p>')
    if v.client:  # nothing to sign in with yet (or a file that will not do): the upload comes first
        return f'<div id="google">{client}{upload}</div>'
    state = v.sign_in
    status = (f'<p id="google-signin-status" data-state="{_e(state["state"])}">'
              f'{_e(state["message"] or ("Signed in." if v.signed_in else "Not signed in."))}</p>')
    button = "Sign in again" if v.signed_in else "Sign in with Google"
    sign_in = _form(csrf, "/google/sign-in", "", button, ' id="google-signin-form"')
    picker = _picker(v, csrf) if v.signed_in else ""
    return (f'<div id="google">{client}{status}{sign_in}{picker}'
            f"<details><summary>Replace the OAuth client</summary>{upload}</details></div>")


def _picker(v: GoogleView, csrf: str) -> str:
    rows, listed_ids = [], set()
    note = ""
    if isinstance(v.listed, str):
        note = f'<p class="flash error" id="google-list-note">{_e(v.listed)}</p>'
    elif v.listed:
        for i, entry in enumerate(v.listed):
            value = "primary" if entry.primary else entry.id
            listed_ids.add(value)
            on = value in v.calendars or (entry.primary and entry.id in v.calendars)
            listed_ids.add(entry.id)
            extra = " (primary)" if entry.primary else ""
            rows.append(f'<label class="check"><input type="checkbox" name="cal-{i}" value="{_e(value)}"'
                        f'{" checked" if on else ""}>{_e(entry.name)}{extra} <small>{_e(entry.id)}</small></label>')
    others = "\n".join(c for c in v.calendars if c not in listed_ids)
    body = (note + "".join(rows)
            + '<label>Other calendar ids (one per line; Google Calendar → Settings → the calendar → '
              f'Integrate calendar → Calendar ID)<textarea name="other" id="google-other" rows="2">'
              f"{_e(others)}</textarea></label>")
    return "<h4>Calendars to read</h4>" + _form(csrf, "/google/calendars", body, "Save calendars",
                                                 ' id="google-calendars-form"')


JS = """
(function(){
  var g=document.getElementById('google-signin-status');
  function poll(){if(!g||g.dataset.state!=='running')return;
    fetch('/google/state',{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(s){
      if(s.state!=='running'){location.reload();return;}setTimeout(poll,1500);});}
  setTimeout(poll,1500);
})();
"""
