"""Token-store errors become "sign-in needed", never a traceback: a folder in the token file's
place, a corrupt file, a locked keyring (a real keyring backend of our own raising keyring's
KeyringLocked, set with keyring.set_keyring). `logout` empties every store a token may be in."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from tests.fakegoogle import fake_google  # noqa: F401  (fixture)
from webinar_tray.adapters.calendar.google.account import GoogleAccount, NotSignedIn, google_sources
from webinar_tray.adapters.calendar.google.auth import logout
from webinar_tray.adapters.calendar.google.tokens import (
    FileTokenStore, KeyringTokenStore, TokenStoreError, logout_stores,
)
from webinar_tray.config.files import resolve_file
from webinar_tray.config.paths import resolve_paths
from webinar_tray.core.settings import Settings
from webinar_tray.ports import SignInNeeded


def _backend(locked: bool):
    import keyring.backend
    import keyring.errors

    class Backend(keyring.backend.KeyringBackend):
        priority = 5

        def __init__(self):
            super().__init__()
            self.data, self.locked = {}, locked

        def _check(self):
            if self.locked:
                raise keyring.errors.KeyringLocked("the collection is locked")

        def get_password(self, service, username):
            self._check()
            return self.data.get((service, username))

        def set_password(self, service, username, password):
            self._check()
            self.data[(service, username)] = password

        def delete_password(self, service, username):
            self._check()
            if self.data.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("none")

    return Backend()


@pytest.fixture
def keyring_backend():
    """Installs a keyring backend of ours (never the real OS keyring); `.locked` locks it."""
    import keyring

    old = keyring.get_keyring()
    backend = _backend(locked=False)
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(old)


def _settings(store: str) -> Settings:
    s = Settings()
    return replace(s, google=replace(s.google, token_store=store))


def _home(tmp_path):
    paths = resolve_paths(tmp_path / "home").ensure()
    (paths.config_dir / "client_secret.json").write_text("{}")  # configured: sources are built
    return paths


def test_a_folder_in_the_token_files_place_means_sign_in_needed(tmp_path, caplog):
    paths = _home(tmp_path)
    (paths.data_dir / "google-token.json").mkdir()
    with caplog.at_level(logging.WARNING):
        sources = google_sources(_settings("file"), paths, resolve_file)
    assert sources and all(isinstance(s, NotSignedIn) for s in sources)
    with pytest.raises(SignInNeeded, match="google-token.json is a folder"):
        sources[0].fetch(None, None)
    assert "google-token.json" in caplog.text and "Traceback" not in caplog.text


def test_a_corrupt_token_file_is_moved_aside_and_sign_in_is_needed(tmp_path):
    paths = _home(tmp_path)
    token = paths.data_dir / "google-token.json"
    token.write_bytes(b"\x00\xffnot json")
    sources = google_sources(_settings("file"), paths, resolve_file)
    assert all(isinstance(s, NotSignedIn) for s in sources)
    aside = list(paths.data_dir.glob("google-token.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"\x00\xffnot json" and not token.exists()


def test_a_locked_keyring_means_sign_in_needed_naming_the_keyring(tmp_path, keyring_backend):
    paths = _home(tmp_path)
    KeyringTokenStore().save({"refresh_token": "r"})
    keyring_backend.locked = True
    sources = google_sources(_settings("keyring"), paths, resolve_file)
    assert sources and all(isinstance(s, NotSignedIn) for s in sources)
    with pytest.raises(SignInNeeded, match="keyring .* locked"):
        sources[0].fetch(None, None)


def test_a_keyring_locked_at_refresh_costs_only_the_saving(tmp_path, keyring_backend, caplog):
    store = KeyringTokenStore()
    account = GoogleAccount(store, {"token": "old", "refresh_token": "r", "client_id": "c",
                                    "client_secret": "s", "token_uri": "http://127.0.0.1:9/token"})
    keyring_backend.locked = True
    account.credentials().token = "refreshed-access-token"
    with caplog.at_level(logging.DEBUG):
        account.persist()
        account.persist()  # the same reason is not logged again
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "locked" in warnings[0].getMessage()
    assert "refreshed-access-token" not in caplog.text
    keyring_backend.locked = False
    account.persist()  # unlocked: saved at the next refresh
    assert store.load()["token"] == "refreshed-access-token"


def _issue(fake, tmp_path):
    rt = fake.issue_refresh_token()
    return {"token": fake.issue_access_token(rt), "refresh_token": rt, "token_uri": fake.token_uri,
            "client_id": fake.client_id, "client_secret": fake.client_secret}


def test_logout_with_auto_revokes_and_deletes_from_the_keyring_and_the_file(tmp_path, fake_google, keyring_backend):
    secrets = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    in_keyring, in_file = _issue(fake_google, tmp_path), _issue(fake_google, tmp_path)
    KeyringTokenStore().save(in_keyring)
    FileTokenStore(tmp_path / "google-token.json").save(in_file)
    stores = logout_stores("auto", False, tmp_path / "google-token.json")
    msg = logout(stores, secrets)
    assert "revoked" in msg and "could not" not in msg
    assert fake_google.is_revoked(in_keyring["refresh_token"]) and fake_google.is_revoked(in_file["refresh_token"])
    assert KeyringTokenStore().load() is None and not (tmp_path / "google-token.json").exists()


def test_logout_with_a_forced_home_leaves_the_keyring_alone(tmp_path, keyring_backend):
    stores = logout_stores("auto", True, tmp_path / "google-token.json")
    assert [type(s) for s in stores] == [FileTokenStore]


def test_logout_with_a_locked_keyring_still_revokes_the_file_token_and_says_so(tmp_path, fake_google, keyring_backend):
    secrets = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    in_file = _issue(fake_google, tmp_path)
    FileTokenStore(tmp_path / "google-token.json").save(in_file)
    keyring_backend.locked = True
    msg = logout(logout_stores("keyring", True, tmp_path / "google-token.json"), secrets)
    assert fake_google.is_revoked(in_file["refresh_token"]) and not (tmp_path / "google-token.json").exists()
    assert "keyring" in msg and "locked" in msg
    assert in_file["refresh_token"] not in msg


def test_logout_with_a_folder_in_the_token_files_place_explains(tmp_path):
    (tmp_path / "google-token.json").mkdir()
    msg = logout([FileTokenStore(tmp_path / "google-token.json")])
    assert "Not signed in" in msg and "google-token.json" in msg
    with pytest.raises(TokenStoreError, match="cannot be deleted"):
        FileTokenStore(tmp_path / "google-token.json").delete()


def test_a_token_file_that_cannot_be_read_means_sign_in_needed_naming_it(tmp_path, caplog):
    """An OSError other than "missing" or "a folder" (EACCES for a user; root reads anything, so
    a symlink loop stands in: ELOOP): sign-in needed naming the file, no traceback, nothing moved."""
    paths = _home(tmp_path)
    token = paths.data_dir / "google-token.json"
    token.symlink_to(token)  # reading it fails with "Too many levels of symbolic links"
    with caplog.at_level(logging.WARNING):
        sources = google_sources(_settings("file"), paths, resolve_file)
    assert sources and all(isinstance(s, NotSignedIn) for s in sources)
    with pytest.raises(SignInNeeded, match="google-token.json"):
        sources[0].fetch(None, None)
    assert "Traceback" not in caplog.text and token.is_symlink()
