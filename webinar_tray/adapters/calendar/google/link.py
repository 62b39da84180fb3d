"""The Google account as the menu sees it (ports.Account): whether one is configured (a client
secrets file), who is signed in (the primary calendar's name is the account's e-mail address),
sign in and sign out. Sign-in runs the same installed-app flow as `webinar-tray login`, opening
the consent page in the default browser. The token belongs to the real data folder, also in
--demo."""

from __future__ import annotations

import io
import logging
import time
from typing import Callable

from webinar_tray.config.files import resolve_file
from webinar_tray.config.paths import Paths
from webinar_tray.ports import AccountError

log = logging.getLogger(__name__)

# The token store (a file, or the OS keyring) is read at most this often for the menu.
SIGNED_IN_SECONDS = 60.0


class GoogleLink:
    """`settings()` gives the settings in force (the client file may change with config.toml)."""

    def __init__(self, settings: Callable[[], object], paths: Paths, monotonic=time.monotonic):
        self._settings = settings
        self._paths = paths.real()
        self._config_dir = paths.config_dir
        self._monotonic = monotonic
        self._signed_in: tuple[float, bool] | None = None

    def _client_file(self):
        return resolve_file(self._settings().google.client_secrets, self._config_dir)

    def _store(self):
        from webinar_tray.adapters.calendar.google.account import token_store

        return token_store(self._settings(), self._paths)

    @property
    def configured(self) -> bool:
        return self._client_file().exists()

    def signed_in(self) -> bool:
        now = self._monotonic()
        if self._signed_in is not None and now - self._signed_in[0] < SIGNED_IN_SECONDS:
            return self._signed_in[1]
        try:
            info = self._store().load()
            value = bool(info and info.get("refresh_token"))
        except Exception:
            value = False
        self._signed_in = (now, value)
        return value

    def name(self, sources: list) -> str | None:
        """The signed-in account ("Google" until a refresh has named it), or None."""
        if not self.configured or not self.signed_in():
            return None
        from webinar_tray.adapters.calendar.google.account import account_name

        return account_name(sources) or "Google"

    def sign_in(self, *, open_browser: bool = True, port: int = 0, out=None,
                client_secrets: str | None = None) -> None:
        """The consent flow; the token is saved. `client_secrets`: a downloaded client JSON to
        check and copy to the configured place first (`login --client-secrets`). `out`: where
        the flow's messages go (none in the tray: a windowed build has no console)."""
        from webinar_tray.adapters.calendar.google.auth import AuthError, load_client, login

        self._signed_in = None
        try:
            if client_secrets:
                load_client(client_secrets)  # a bad download is refused before it replaces anything
                self._install_client(client_secrets)
            login(self._client_file(), self._store(), open_browser=open_browser, port=port,
                  out=out if out is not None else io.StringIO())
        except AuthError as e:
            raise AccountError(str(e), e.exit_code) from None

    def _install_client(self, src: str) -> None:
        """Copies the downloaded client JSON to the configured place, readable by the user only."""
        from pathlib import Path

        from webinar_tray.config.private import write_private

        src_path, dest = Path(src).expanduser().resolve(), self._client_file()
        if dest.exists() and dest.resolve() == src_path:
            return
        try:
            write_private(dest, src_path.read_bytes())
        except OSError as e:
            raise AccountError(f"cannot copy {src} to {dest}: {e.strerror or e}") from None
        log.info("copied the Google OAuth client file to %s", dest)

    def sign_out(self) -> str:
        from webinar_tray.adapters.calendar.google.account import logout_stores
        from webinar_tray.adapters.calendar.google.auth import logout
        from webinar_tray.adapters.calendar.google.sync import forget_mirrors

        self._signed_in = None
        message = logout(logout_stores(self._settings(), self._paths), self._client_file())
        forget_mirrors(self._paths.data_dir / "google-sync")  # the calendars' copies go too
        return message
