"""Where the Google sign-in (refresh token) is kept: the OS keyring or a 0600 JSON file.

The stored value is a small dict (`info_from(creds)`); `credentials_from(info)` builds the
google-auth Credentials by hand, because google-auth's `from_authorized_user_info()` always puts
Google's token URI in place of the stored one (ARCHITECTURE/FACTS: a test server needs its own).
Token contents are never logged."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from webinar_tray.config.private import write_private

log = logging.getLogger(__name__)

TOKEN_FILE_NAME = "google-token.json"
KEYRING_SERVICE = "webinar-tray"
KEYRING_USERNAME = "google"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


class TokenStoreError(Exception):
    """The token could not be read or written (the message never holds the token)."""


class TokenStore(Protocol):
    description: str

    def load(self) -> dict | None: ...

    def save(self, info: dict) -> None: ...

    def delete(self) -> bool: ...


def token_file(data_dir: Path) -> Path:
    """`<data folder>/google-token.json`."""
    return Path(data_dir) / TOKEN_FILE_NAME


# ---- file ------------------------------------------------------------------------------------
class FileTokenStore:
    """A JSON file readable by the user only (0600), replaced atomically on every save."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.description = f"file {self.path}"

    def load(self) -> dict | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise TokenStoreError(f"{self.path} is a folder, not the token file; remove it and sign "
                                  "in again with `webinar-tray login`") from None
        except OSError as e:
            raise TokenStoreError(f"{self.path}: cannot be read ({e.strerror or e})") from None
        try:
            info = json.loads(raw.decode("utf-8"))
            if not isinstance(info, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError):
            self._move_aside()
            return None
        return info

    def _move_aside(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
            log.warning("the token file %s was unreadable (not JSON); moved it to %s — sign in again "
                        "with `webinar-tray login`", self.path, aside.name)
        except OSError as e:
            log.warning("the token file %s was unreadable (not JSON) and could not be moved aside (%s)",
                        self.path, e.strerror or e)

    def save(self, info: dict) -> None:
        try:
            write_private(self.path, json.dumps(info, indent=1, sort_keys=True).encode("utf-8"))
        except OSError as e:
            raise TokenStoreError(f"{self.path}: cannot be written ({e.strerror or e})") from None

    def delete(self) -> bool:
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
        except OSError as e:  # a folder in its place, a read-only data folder
            raise TokenStoreError(f"{self.path}: cannot be deleted ({e.strerror or e})") from None


# ---- keyring ---------------------------------------------------------------------------------
class KeyringTokenStore:
    """The OS keyring (Windows Credential Manager, macOS Keychain, Secret Service) via `keyring`."""

    def __init__(self, service: str = KEYRING_SERVICE, username: str = KEYRING_USERNAME):
        self.service, self.username = service, username
        self.description = f"the OS keyring (service {service!r})"

    @staticmethod
    def _keyring():
        import keyring  # lazy: the backend probe (D-Bus etc.) only when a keyring is used

        return keyring

    def _error(self, doing: str, e: Exception) -> TokenStoreError:
        import keyring.errors

        why = ("it is locked: unlock it (log in to the desktop session) or set [google] token_store "
               '= "file"') if isinstance(e, keyring.errors.KeyringLocked) else type(e).__name__
        return TokenStoreError(f"{self.description} cannot be {doing}: {why}")

    def load(self) -> dict | None:
        kr = self._keyring()
        try:
            raw = kr.get_password(self.service, self.username)
        except Exception as e:  # keyring.errors.KeyringError and backend-specific errors
            raise self._error("read", e) from None
        if raw is None:
            return None
        try:
            info = json.loads(raw)
            if not isinstance(info, dict):
                raise ValueError
        except ValueError:
            log.warning("the Google token in %s was unreadable; removed it — sign in again", self.description)
            self.delete()
            return None
        return info

    def save(self, info: dict) -> None:
        kr = self._keyring()
        try:
            kr.set_password(self.service, self.username, json.dumps(info, sort_keys=True))
        except Exception as e:
            raise self._error("written", e) from None

    def delete(self) -> bool:
        import keyring.errors

        kr = self._keyring()
        try:
            kr.delete_password(self.service, self.username)
            return True
        except keyring.errors.PasswordDeleteError:  # nothing stored
            return False
        except Exception as e:  # locked, or the service went away
            raise self._error("changed", e) from None


def _real_keyring() -> bool:
    """A real keyring backend is configured (not the fail/null ones, priority > 0)."""
    try:
        import keyring
        from keyring.backends import fail, null

        kr = keyring.get_keyring()
        return not isinstance(kr, (fail.Keyring, null.Keyring)) and float(getattr(kr, "priority", 0)) > 0
    except Exception as e:
        log.debug("no usable OS keyring (%s)", type(e).__name__)
        return False


def keyring_works() -> bool:
    """A real keyring backend is available and answers (a locked/absent D-Bus service raises)."""
    if not _real_keyring():
        return False
    try:
        import keyring

        keyring.get_keyring().get_password(KEYRING_SERVICE, KEYRING_USERNAME)
        return True
    except Exception as e:
        log.debug("no usable OS keyring (%s); the token goes to a file", type(e).__name__)
        return False


def choose_token_store(setting: str, home_forced: bool, token_file: Path) -> TokenStore:
    """`[google] token_store`: "file", "keyring", or "auto" (the keyring only when no home
    folder is forced and a real backend works, else the 0600 file)."""
    if setting == "file":
        return FileTokenStore(token_file)
    if setting == "keyring":
        return KeyringTokenStore()
    if setting != "auto":
        raise ValueError(f"unknown token store {setting!r}")
    if not home_forced and keyring_works():
        return KeyringTokenStore()
    return FileTokenStore(token_file)


def logout_stores(setting: str, home_forced: bool, token_file: Path) -> list[TokenStore]:
    """Every store a token of ours may be in, for `logout`: the file always (an earlier run may
    have used it), and the keyring when the setting uses it ("auto" only when no home folder is
    forced and a real keyring is there, locked or not: logout then says it could not be read)."""
    stores: list[TokenStore] = [FileTokenStore(token_file)]
    if setting == "keyring" or (setting == "auto" and not home_forced and _real_keyring()):
        stores.insert(0, KeyringTokenStore())
    return stores


# ---- credentials <-> dict --------------------------------------------------------------------
def _parse_expiry(value) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t  # naive UTC, as google-auth compares it with its own naive utcnow()


def credentials_from(info: dict):
    """google.oauth2.credentials.Credentials from a stored dict, keeping its token_uri."""
    from google.oauth2.credentials import Credentials

    scopes = info.get("scopes")
    if isinstance(scopes, str):
        scopes = scopes.split()
    return Credentials(
        token=info.get("token"),
        refresh_token=info.get("refresh_token"),
        token_uri=info.get("token_uri") or GOOGLE_TOKEN_URI,
        client_id=info.get("client_id"),
        client_secret=info.get("client_secret"),
        scopes=list(scopes) if scopes else None,
        expiry=_parse_expiry(info.get("expiry")),
    )


def info_from(creds) -> dict:
    """The dict that is stored for `creds` (expiry as ISO 8601 UTC with Z)."""
    expiry = None
    if getattr(creds, "expiry", None) is not None:
        e = creds.expiry
        if e.tzinfo is not None:
            e = e.astimezone(timezone.utc).replace(tzinfo=None)
        expiry = e.isoformat(timespec="seconds") + "Z"
    scopes = getattr(creds, "scopes", None) or getattr(creds, "granted_scopes", None)
    return {
        "token": creds.token,
        "refresh_token": creds.refresh_token,
        "token_uri": creds.token_uri,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "scopes": list(scopes) if scopes else [],
        "expiry": expiry,
    }
