"""`webinar-tray login` / `logout` as a user runs them, against the fake Google on 127.0.0.1.
The consent page is "opened" by a BROWSER script that plays the user in the background."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.helpers import env_for
from tests.fakegoogle import fake_google  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="the BROWSER script is a POSIX shell script"),
]

SIGNED_IN = "Signed in; webinar-tray will read your Google Calendar (read-only)."


def browser_script(tmp_path: Path) -> Path:
    # webbrowser waits for BROWSER to exit: hand the URL to a background fetch and return at once.
    p = tmp_path / "browser.sh"
    py = f'"{sys.executable}" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read()"'
    p.write_text(f'#!/bin/sh\n( sleep 0.2; {py} "$1" ) >/dev/null 2>&1 &\nexit 0\n')
    p.chmod(0o755)
    return p


def run(home: Path, *args, browser: Path | None = None, stdin: str | None = None, timeout=60):
    env = env_for(home)
    env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)  # the app allows http only for loopback itself
    if browser is not None:
        env["BROWSER"] = str(browser)
    return subprocess.run([sys.executable, "-m", "webinar_tray", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_login_then_logout(home, tmp_path, fake_google):
    downloaded = fake_google.write_client_secrets(tmp_path / "Downloads" / "client_secret_123.json")
    r = run(home, "login", "--client-secrets", str(downloaded), browser=browser_script(tmp_path))
    assert r.returncode == 0, r.stderr
    assert SIGNED_IN in r.stdout
    assert fake_google.errors == []

    copied = home / "client_secret.json"  # the [google] client_secrets default, in the config folder
    assert copied.read_text() == downloaded.read_text()
    token = home / "google-token.json"  # a forced home: the file store, never the OS keyring
    assert token.exists()
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600
    q = fake_google.auth_requests[-1]
    assert (q["code_challenge_method"], q["prompt"], q["access_type"]) == ("S256", "consent", "offline")

    log = (home / "logs" / "webinar-tray.log").read_text()
    assert "signed in" in log
    secrets = fake_google.secrets_issued()
    assert any(s.startswith("1//") for s in secrets) and any(s.startswith("ya29.") for s in secrets)
    for s in secrets:
        assert s not in log and s not in r.stdout and s not in r.stderr

    # a second run finds the copied client file without --client-secrets
    r2 = run(home, "logout")
    assert r2.returncode == 0, r2.stderr
    assert "revoked" in r2.stdout
    assert not token.exists()
    assert len(fake_google.revocations) == 1 and fake_google.is_revoked(fake_google.revocations[0])
    log = (home / "logs" / "webinar-tray.log").read_text()
    for s in secrets:
        assert s not in log and s not in r2.stdout and s not in r2.stderr

    r3 = run(home, "logout")
    assert r3.returncode == 0 and "Not signed in" in r3.stdout


def test_login_no_browser_with_the_pasted_address(home, tmp_path, fake_google):
    """--no-browser: the URL is printed, the address the browser ended on is pasted back."""
    fake_google.write_client_secrets(home / "client_secret.json")
    env = env_for(home)
    env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    p = subprocess.Popen([sys.executable, "-m", "webinar_tray", "login", "--no-browser", "--port", "8771"],
                         env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        url = None
        seen = []
        while url is None:
            line = p.stderr.readline()
            assert line, "no authorization address printed: " + "".join(seen)
            seen.append(line)
            if line.strip().startswith(fake_google.auth_uri):
                url = line.strip()
        final = fake_google.consent(url)
        assert final.startswith("http://127.0.0.1:8771/?")
        out, err = p.communicate(final + "\n", timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, "".join(seen) + err
    assert SIGNED_IN in out
    assert (home / "google-token.json").exists()


def test_login_without_a_client_file_exits_2_with_how_to(home):
    r = run(home, "login", browser=Path("/bin/true"))
    assert r.returncode == 2
    assert str(home / "client_secret.json") in r.stderr
    assert "Desktop app" in r.stderr and "--client-secrets" in r.stderr


def test_login_with_a_bad_client_file_exits_2_and_copies_nothing(home, tmp_path):
    bad = tmp_path / "client.json"
    bad.write_text('{"installed": {"client_id": "x"}}')
    r = run(home, "login", "--client-secrets", str(bad), browser=Path("/bin/true"))
    assert r.returncode == 2
    assert str(bad) in r.stderr and "installed.client_secret" in r.stderr
    assert not (home / "client_secret.json").exists()


def test_login_declined_exits_1(home, tmp_path, fake_google):
    fake_google.deny_consent = True
    fake_google.write_client_secrets(home / "client_secret.json")
    r = run(home, "login", browser=browser_script(tmp_path))
    assert r.returncode == 1
    assert "not granted" in r.stderr
    assert not (home / "google-token.json").exists()
