"""Google sign-in: token stores, the client file, the consent flow against the fake Google on
127.0.0.1 (tests/fakegoogle.py), sign-out. Nothing here reaches Google or the real OS keyring."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from webinar_tray.adapters.calendar.google.auth import (
    SCOPES, AuthError, ClientSecretsError, load_client, login, logout,
)
from webinar_tray.adapters.calendar.google.tokens import (
    FileTokenStore, KeyringTokenStore, choose_token_store, credentials_from, info_from,
)

INFO = {
    "token": "ya29.access-AAA",
    "refresh_token": "1//refresh-BBB",
    "token_uri": "http://127.0.0.1:9/token",
    "client_id": "cid.apps.googleusercontent.com",
    "client_secret": "GOCSPX-secret-CCC",
    "scopes": SCOPES,
    "expiry": "2030-01-02T03:04:05Z",
}


# ---- file store ------------------------------------------------------------------------------
def test_file_store_round_trip_with_mode_0600(tmp_path):
    store = FileTokenStore(tmp_path / "data" / "google-token.json")
    assert store.load() is None
    store.save(INFO)
    assert store.load() == INFO
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    store.save(dict(INFO, token="ya29.second"))  # replaced atomically, still 0600, no temp left
    assert store.load()["token"] == "ya29.second"
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["google-token.json"]
    assert store.delete() is True
    assert store.load() is None
    assert store.delete() is False


def test_corrupt_token_file_is_moved_aside_with_a_warning(tmp_path, caplog):
    path = tmp_path / "google-token.json"
    path.write_text('{"refresh_token": "1//half-written')
    store = FileTokenStore(path)
    with caplog.at_level(logging.WARNING):
        assert store.load() is None
    assert not path.exists()
    aside = list(tmp_path.glob("google-token.json.corrupt-*"))
    assert len(aside) == 1
    assert str(path) in caplog.text
    assert "half-written" not in caplog.text  # never its contents
    store.save(INFO)
    assert store.load() == INFO


# ---- choosing the store ----------------------------------------------------------------------
class _MemoryKeyring:
    """A keyring backend that lives in memory (never the real OS keyring)."""

    def __init__(self, priority=5):
        import keyring.backend

        class Backend(keyring.backend.KeyringBackend):
            data: dict = {}

            def get_password(self, service, username):
                return self.data.get((service, username))

            def set_password(self, service, username, password):
                self.data[(service, username)] = password

            def delete_password(self, service, username):
                import keyring.errors

                if self.data.pop((service, username), None) is None:
                    raise keyring.errors.PasswordDeleteError("none")

        Backend.priority = priority
        self.backend = Backend()


@pytest.fixture
def fake_keyring():
    import keyring

    old = keyring.get_keyring()
    mem = _MemoryKeyring()
    keyring.set_keyring(mem.backend)
    try:
        yield mem.backend
    finally:
        keyring.set_keyring(old)


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail

    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(old)


def test_choose_store_file_and_keyring_by_name(tmp_path):
    f = tmp_path / "t.json"
    assert isinstance(choose_token_store("file", False, f), FileTokenStore)
    assert isinstance(choose_token_store("keyring", True, f), KeyringTokenStore)


def test_auto_uses_the_file_when_a_home_is_forced(tmp_path, fake_keyring):
    s = choose_token_store("auto", True, tmp_path / "t.json")
    assert isinstance(s, FileTokenStore) and s.path == tmp_path / "t.json"


def test_auto_uses_a_working_keyring_without_a_forced_home(tmp_path, fake_keyring):
    s = choose_token_store("auto", False, tmp_path / "t.json")
    assert isinstance(s, KeyringTokenStore)
    s.save(INFO)
    assert s.load() == INFO
    assert fake_keyring.data  # it went to the (fake) backend
    assert s.delete() is True and s.load() is None
    assert not (tmp_path / "t.json").exists()


def test_auto_falls_back_to_the_file_without_a_real_keyring(tmp_path, no_keyring):
    assert isinstance(choose_token_store("auto", False, tmp_path / "t.json"), FileTokenStore)


def test_auto_skips_a_keyring_with_no_priority(tmp_path):
    import keyring

    old = keyring.get_keyring()
    keyring.set_keyring(_MemoryKeyring(priority=0).backend)
    try:
        assert isinstance(choose_token_store("auto", False, tmp_path / "t.json"), FileTokenStore)
    finally:
        keyring.set_keyring(old)


# ---- credentials -----------------------------------------------------------------------------
def test_credentials_keep_a_non_google_token_uri_and_round_trip():
    creds = credentials_from(INFO)
    assert creds.token_uri == "http://127.0.0.1:9/token"
    assert creds.refresh_token == INFO["refresh_token"]
    assert creds.client_id == INFO["client_id"] and creds.client_secret == INFO["client_secret"]
    assert list(creds.scopes) == SCOPES
    assert creds.expiry == datetime(2030, 1, 2, 3, 4, 5)  # naive UTC, as google-auth expects
    assert creds.expiry.tzinfo is None
    assert not creds.expired
    assert info_from(creds) == INFO


def test_credentials_expiry_in_the_past_is_expired():
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    assert credentials_from(dict(INFO, expiry=past)).expired


# ---- client file -----------------------------------------------------------------------------
def _client_json(path: Path, kind="installed", **override) -> Path:
    c = {"client_id": "cid.apps.googleusercontent.com", "client_secret": "GOCSPX-secret-CCC",
         "auth_uri": "https://accounts.google.com/o/oauth2/auth",
         "token_uri": "https://oauth2.googleapis.com/token", "redirect_uris": ["http://localhost"]}
    c.update(override)
    c = {k: v for k, v in c.items() if v is not None}
    path.write_text(json.dumps({kind: c}))
    return path


def test_load_client_installed(tmp_path):
    c = load_client(_client_json(tmp_path / "c.json"))
    assert c["installed"]["client_id"] == "cid.apps.googleusercontent.com"


def test_load_client_web_warns(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert "web" in load_client(_client_json(tmp_path / "c.json", kind="web"))
    assert "Desktop app" in caplog.text


def test_missing_client_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ClientSecretsError) as e:
        load_client(tmp_path / "client_secret.json")
    msg = str(e.value)
    assert str(tmp_path / "client_secret.json") in msg
    assert "Desktop app" in msg and "[google] client_secrets" in msg and "config folder" in msg
    assert e.value.exit_code == 2


def test_bad_json_names_the_file_and_not_the_secret(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"installed": {"client_secret": "GOCSPX-secret-CCC",')
    with pytest.raises(ClientSecretsError) as e:
        load_client(p)
    assert str(p) in str(e.value) and "not valid JSON" in str(e.value)
    assert "GOCSPX" not in str(e.value)


@pytest.mark.parametrize("key", ["client_id", "client_secret", "auth_uri", "token_uri"])
def test_missing_key_is_named(tmp_path, key):
    p = _client_json(tmp_path / "c.json", **{key: None})
    with pytest.raises(ClientSecretsError) as e:
        load_client(p)
    assert str(p) in str(e.value) and f"installed.{key}" in str(e.value)
    assert "GOCSPX" not in str(e.value)


def test_no_installed_key_is_named(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"other": {}}')
    with pytest.raises(ClientSecretsError) as e:
        load_client(p)
    assert str(p) in str(e.value) and '"installed"' in str(e.value)


# ---- the consent flow against the fake Google --------------------------------------------------
from tests.fakegoogle import fake_google  # noqa: E402,F401  (fixture)


def browser_script(tmp_path: Path, fetch: bool = True) -> Path:
    """A `BROWSER` command. webbrowser waits for it to exit before the loopback server answers,
    so it hands the URL to a background process (which plays the user: follows the consent
    redirect to the app's loopback address) and returns at once. fetch=False: a closed tab."""
    p = tmp_path / ("browser.sh" if fetch else "closed-tab.sh")
    if fetch:
        py = f'"{sys.executable}" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read()"'
        p.write_text(f'#!/bin/sh\n( sleep 0.2; {py} "$1" ) >/dev/null 2>&1 &\nexit 0\n')
    else:
        p.write_text('#!/bin/sh\nexit 0\n')
    p.chmod(0o755)
    return p


@pytest.fixture
def use_browser(monkeypatch):
    """Sets BROWSER for Python's webbrowser (which reads it once and caches its choice)."""
    import webbrowser

    def use(script: Path):
        monkeypatch.setenv("BROWSER", str(script))
        monkeypatch.setattr(webbrowser, "_tryorder", None)
        monkeypatch.setattr(webbrowser, "_browsers", {})
        monkeypatch.setattr(webbrowser, "_os_preferred_browser", None, raising=False)

    return use


posix_only = pytest.mark.skipif(os.name != "posix", reason="the BROWSER script is a POSIX shell script")


def _check_auth_request(fake):
    assert fake.errors == []
    q = fake.auth_requests[-1]
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) >= 43
    assert q["state"]
    assert q["prompt"] == "consent" and q["access_type"] == "offline"
    assert q["scope"].split() == SCOPES  # events and the calendar list, read-only
    assert q["redirect_uri"].startswith("http://127.0.0.1:")
    token_req = [r for r in fake.token_requests if r.get("grant_type") == "authorization_code"][-1]
    assert token_req["code_verifier"]  # PKCE verifier sent with the code


def _no_secret_in(text: str, fake):
    for s in fake.secrets_issued():
        assert s not in text


def test_login_no_browser_with_the_pasted_address(tmp_path, fake_google, monkeypatch, caplog):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    out = io.StringIO()
    pasted = []

    def paste(prompt=""):
        url = [w for w in out.getvalue().split() if w.startswith(fake_google.auth_uri)][0]
        pasted.append(fake_google.consent(url))  # the address the browser ends on
        return pasted[0]

    with caplog.at_level(logging.DEBUG):
        creds = login(secrets_file, store, open_browser=False, port=0, input_fn=paste, out=out)
    assert pasted[0].startswith("http://127.0.0.1:8765/?")
    info = store.load()
    assert info["refresh_token"] == creds.refresh_token and info["refresh_token"].startswith("1//fake-refresh-")
    assert info["token_uri"] == fake_google.token_uri and info["scopes"] == SCOPES
    assert info["client_id"] == fake_google.client_id
    _check_auth_request(fake_google)
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ  # restored
    _no_secret_in(out.getvalue() + caplog.text, fake_google)


def test_login_no_browser_accepts_a_bare_code(tmp_path, fake_google):
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    out = io.StringIO()

    def paste(prompt=""):
        url = [w for w in out.getvalue().split() if w.startswith(fake_google.auth_uri)][0]
        from urllib.parse import parse_qs, urlsplit

        return parse_qs(urlsplit(fake_google.consent(url)).query)["code"][0]

    login(secrets_file, store, open_browser=False, port=8799, input_fn=paste, out=out)
    assert store.load()["refresh_token"]
    assert fake_google.auth_requests[-1]["redirect_uri"] == "http://127.0.0.1:8799/"


def test_login_no_browser_declined(tmp_path, fake_google):
    fake_google.deny_consent = True
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    out = io.StringIO()

    def paste(prompt=""):
        url = [w for w in out.getvalue().split() if w.startswith(fake_google.auth_uri)][0]
        return fake_google.consent(url)

    with pytest.raises(AuthError, match="not granted"):
        login(secrets_file, store, open_browser=False, input_fn=paste, out=out)
    assert store.load() is None


def test_login_no_browser_nothing_pasted(tmp_path, fake_google):
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")

    def eof(prompt=""):
        raise EOFError

    with pytest.raises(AuthError, match="no address"):
        login(secrets_file, FileTokenStore(tmp_path / "t.json"), open_browser=False, input_fn=eof,
              out=io.StringIO())


@posix_only
def test_login_in_the_browser(tmp_path, fake_google, use_browser, monkeypatch, caplog):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    use_browser(browser_script(tmp_path))
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    out = io.StringIO()
    t0 = time.monotonic()
    with caplog.at_level(logging.DEBUG):
        creds = login(secrets_file, store, timeout=30, out=out)
    assert time.monotonic() - t0 < 20
    assert creds.refresh_token and store.load()["refresh_token"] == creds.refresh_token
    assert credentials_from(store.load()).token_uri == fake_google.token_uri
    _check_auth_request(fake_google)
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    _no_secret_in(out.getvalue() + caplog.text, fake_google)


@posix_only
@pytest.mark.chromium
def test_login_in_a_real_chromium(tmp_path, fake_google, use_browser, chromium):
    """The consent redirect followed by a real (headless) Chromium: its connections to the
    loopback server, the success page it shows."""
    dom = tmp_path / "dom.html"
    script = tmp_path / "chromium.sh"
    script.write_text(
        f'#!/bin/sh\n( "{chromium}" --headless --no-sandbox --disable-gpu --user-data-dir="{tmp_path}/profile" '
        f'--dump-dom "$1" > "{dom}" 2>/dev/null ) >/dev/null 2>&1 &\nexit 0\n')
    script.chmod(0o755)
    use_browser(script)
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    creds = login(secrets_file, store, timeout=60, out=io.StringIO())
    assert creds.refresh_token and store.load()["refresh_token"] == creds.refresh_token
    _check_auth_request(fake_google)
    deadline = time.monotonic() + 20
    while "Signed in to webinar-tray" not in (dom.read_text() if dom.exists() else ""):
        assert time.monotonic() < deadline, "Chromium did not show the success page"
        time.sleep(0.2)


@posix_only
def test_login_times_out_when_the_tab_is_closed(tmp_path, fake_google, use_browser):
    use_browser(browser_script(tmp_path, fetch=False))
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    t0 = time.monotonic()
    with pytest.raises(AuthError, match="timed out after 3 s"):
        login(secrets_file, store, timeout=3, out=io.StringIO())
    assert time.monotonic() - t0 < 10
    assert store.load() is None


@posix_only
def test_a_silent_connection_to_the_loopback_server_does_not_hang_the_sign_in(tmp_path, fake_google,
                                                                              use_browser):
    # google-auth-oauthlib's loopback server serves one connection without a socket timeout: a
    # browser's speculative pre-connect that never sends a request would block it forever.
    import socket
    import threading

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    use_browser(browser_script(tmp_path, fetch=False))
    held = []

    def preconnect():
        for _ in range(200):
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=1))
                return
            except OSError:
                time.sleep(0.02)

    threading.Thread(target=preconnect, daemon=True).start()
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    t0 = time.monotonic()
    err = io.StringIO()
    with pytest.raises(AuthError):
        login(secrets_file, FileTokenStore(tmp_path / "t.json"), port=port, timeout=3, out=err)
    assert time.monotonic() - t0 < 10
    assert held, "the pre-connect never reached the loopback server"
    assert "Traceback" not in err.getvalue()
    for c in held:
        c.close()


@posix_only
def test_login_without_a_refresh_token_is_explained(tmp_path, fake_google, use_browser, monkeypatch):
    # Google gives a refresh token only with consent; pretend the app never asked for it.
    import google_auth_oauthlib.flow as flow_mod

    real = flow_mod.InstalledAppFlow.run_local_server

    def no_consent(self, **kw):
        kw["access_type"] = "online"
        return real(self, **kw)

    monkeypatch.setattr(flow_mod.InstalledAppFlow, "run_local_server", no_consent)
    use_browser(browser_script(tmp_path))
    secrets_file = fake_google.write_client_secrets(tmp_path / "client_secret.json")
    store = FileTokenStore(tmp_path / "google-token.json")
    with pytest.raises(AuthError, match="no refresh token"):
        login(secrets_file, store, timeout=30, out=io.StringIO())
    assert store.load() is None


def test_login_with_a_missing_client_file(tmp_path):
    with pytest.raises(ClientSecretsError, match="Desktop app"):
        login(tmp_path / "nope.json", FileTokenStore(tmp_path / "t.json"), out=io.StringIO())


# ---- sign-out --------------------------------------------------------------------------------
def _signed_in(tmp_path, fake) -> tuple[Path, FileTokenStore, str]:
    secrets_file = fake.write_client_secrets(tmp_path / "client_secret.json")
    rt = fake.issue_refresh_token()
    info = dict(INFO, refresh_token=rt, token=fake.issue_access_token(rt), token_uri=fake.token_uri,
                client_id=fake.client_id, client_secret=fake.client_secret)
    store = FileTokenStore(tmp_path / "google-token.json")
    store.save(info)
    return secrets_file, store, rt


def test_logout_revokes_and_deletes(tmp_path, fake_google):
    secrets_file, store, rt = _signed_in(tmp_path, fake_google)
    msg = logout(store, secrets_file)
    assert "revoked" in msg
    assert fake_google.revocations == [rt] and fake_google.is_revoked(rt)
    assert store.load() is None and not store.path.exists()
    assert rt not in msg


def test_logout_offline_still_forgets(tmp_path, fake_google):
    secrets_file, store, rt = _signed_in(tmp_path, fake_google)
    fake_google.stop()  # nothing answers at the revoke address any more
    t0 = time.monotonic()
    msg = logout(store, secrets_file)
    assert time.monotonic() - t0 < 10
    assert "could not be revoked" in msg
    assert store.load() is None


def test_logout_when_not_signed_in(tmp_path):
    assert "Not signed in" in logout(FileTokenStore(tmp_path / "t.json"))
