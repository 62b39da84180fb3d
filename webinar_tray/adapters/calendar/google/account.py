"""The signed-in Google account as calendar sources: one shared Credentials object, saved back
to the token store whenever google-auth refreshed it."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from webinar_tray.ports import SignInNeeded

log = logging.getLogger(__name__)

class NotSignedIn:
    """Stands for a configured Google calendar while nobody is signed in (or the sign-in cannot
    be read: a locked keyring): every refresh says so, and its saved mirror, if any, is still
    its cache (`cached`), so a schedule kept from the last sign-in is still joined. The mirrors
    are deleted at `logout`, so one that is there belongs to the last sign-in."""

    def __init__(self, calendar_id: str, why: str, mirror_file: Path | None = None):
        self.name = f"Google Calendar {calendar_id}"
        self.key = f"google:{calendar_id}"
        self.why = why
        self.calendar_id, self.mirror_file = calendar_id, mirror_file

    def fetch(self, start: datetime, end: datetime, deadline=None):
        raise SignInNeeded(self.why)

    def cached(self, start: datetime, end: datetime):
        """The window as the saved mirror holds it, read as the sign-in it was saved under."""
        from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource
        from webinar_tray.adapters.calendar.google.mirror_file import saved_owner

        owner = saved_owner(self.mirror_file) if self.mirror_file is not None else None
        if owner is None:
            return None
        reader = GoogleCalendarSource(self.calendar_id, lambda: None, "", mirror_file=self.mirror_file)
        return reader.cached(start, end, owner)


class GoogleAccount:
    def __init__(self, store, info: dict):
        from webinar_tray.adapters.calendar.google.tokens import credentials_from

        self.store = store
        self._lock = threading.Lock()
        self._creds = credentials_from(info)
        self._saved_token = self._creds.token
        self._save_error: str | None = None

    def credentials(self):
        return self._creds

    def persist(self) -> None:
        """Saves the token when google-auth refreshed it (never logs it). A store that cannot be
        written (a locked keyring) costs only the saving: the events were fetched; it is logged
        once per reason, and tried again after the next refresh."""
        from webinar_tray.adapters.calendar.google.tokens import info_from

        with self._lock:
            if self._creds.token and self._creds.token != self._saved_token:
                self._save_error = save_token(self.store, info_from(self._creds), self._save_error)
                if self._save_error is None:
                    self._saved_token = self._creds.token


def save_token(store, info: dict, last_error: str | None) -> str | None:
    """Saves a refreshed sign-in (never logs it); returns why it could not be saved, or None.
    A store that cannot be written (a locked keyring) costs only the saving: the events were
    fetched; it is logged once per reason (`last_error`), and tried again after the next
    refresh."""
    from webinar_tray.adapters.calendar.google.tokens import TokenStoreError

    try:
        store.save(info)
    except TokenStoreError as e:
        if str(e) != last_error:
            log.warning("the refreshed Google sign-in could not be saved: %s", e)
        return str(e)
    log.debug("saved a refreshed Google access token")
    return None


class HelperAccount:
    """The signed-in account when a helper process asks Google (helper_client.py): this process
    holds the stored sign-in as a dict and never imports google-auth; the helper hands back a
    token it refreshed, saved here as GoogleAccount.persist saves one."""

    def __init__(self, store, info: dict, endpoint: str, timeout: float = 30.0):
        from webinar_tray.adapters.calendar.google.helper_client import GoogleHelper

        self.store = store
        self._refresh_token = info.get("refresh_token")
        self._save_error: str | None = None
        self.helper = GoogleHelper(info, endpoint, timeout, self._save)

    def credentials(self):
        """What the sources read of the sign-in: its refresh token (whose mirror is whose)."""
        return _Owner(self._refresh_token)

    def persist(self) -> None:
        """Nothing: the helper's refreshed tokens are saved as they come (`_save`)."""

    def _save(self, info: dict) -> None:
        self._save_error = save_token(self.store, info, self._save_error)


class _Owner:
    __slots__ = ("refresh_token",)

    def __init__(self, refresh_token: str | None) -> None:
        self.refresh_token = refresh_token


class _Saving:
    """A Google calendar source that saves a refreshed token after each fetch."""

    def __init__(self, source, account: GoogleAccount):
        self._source, self._account = source, account
        self.name, self.key = source.name, source.key

    def fetch(self, start: datetime, end: datetime, deadline=None):
        try:
            return self._source.fetch(start, end, deadline)
        finally:
            self._account.persist()

    @property
    def keeps_events(self) -> bool:
        return self._source.keeps_events

    def cached(self, start: datetime, end: datetime):
        return self._source.cached(start, end)

    @property
    def account_name(self) -> str:
        """The primary calendar's name is the account's e-mail address ("" until read)."""
        inner = self._source
        return inner.calendar_name if inner.calendar_id == "primary" else ""


def account_name(sources) -> str | None:
    """The signed-in account's e-mail address as a refresh of its primary calendar read it."""
    for source in sources:
        if isinstance(source, _Saving) and source.account_name:
            return source.account_name
    return None


def google_sources(settings, paths, resolve_file, helper: bool = False) -> list:
    """The configured Google calendars: none when no client secrets file is configured (an
    ICS-only user), sources that say "sign-in needed" when nobody is signed in. `helper`: the
    pages are asked for by a helper process (`run` and the tray: helper.py says why)."""
    client_file: Path = resolve_file(settings.google.client_secrets, paths.config_dir)
    if not client_file.exists():
        return []
    from webinar_tray.adapters.calendar.google.tokens import TokenStoreError

    from webinar_tray.adapters.calendar.google.sync import mirror_path

    folder = paths.data_dir / "google-sync"  # each calendar's mirror and sync token (sync.py)
    store = token_store(settings, paths)
    try:
        info = store.load()
    except TokenStoreError as e:  # a folder in the token file's place, a locked keyring
        log.warning("Google sign-in needed: %s", e)
        why = f"sign-in needed: {e}"
        return [NotSignedIn(c, why, mirror_path(folder, c)) for c in settings.google.calendars]
    if not info or not info.get("refresh_token"):
        why = "not signed in to Google Calendar: run `webinar-tray login`"
        return [NotSignedIn(c, why, mirror_path(folder, c)) for c in settings.google.calendars]
    from webinar_tray.adapters.calendar.google.api import GoogleCalendarSource

    endpoint = settings.google.api_endpoint
    account = HelperAccount(store, info, endpoint) if helper else GoogleAccount(store, info)
    pager = account.helper if helper else None
    return [
        _Saving(GoogleCalendarSource(c, account.credentials, endpoint,
                                     mirror_file=mirror_path(folder, c), helper=pager), account)
        for c in settings.google.calendars
    ]


def token_store(settings, paths):
    """Where the Google token lives: `[google] token_store`; the OS keyring only when no home
    folder is forced (so tests never touch a real keyring)."""
    from webinar_tray.adapters.calendar.google.tokens import choose_token_store, token_file

    return choose_token_store(settings.google.token_store, paths.home is not None, token_file(paths.data_dir))


def logout_stores(settings, paths) -> list:
    """Every store the Google token may be in (`logout` empties them all)."""
    from webinar_tray.adapters.calendar.google.tokens import logout_stores as stores, token_file

    return stores(settings.google.token_store, paths.home is not None, token_file(paths.data_dir))
