"""Fault suite, files and sign-in: what a crash, a full disk or a broken token store leaves
behind, run the way a user runs the app (subprocesses on a temp home) or on the real parts."""

from __future__ import annotations

import sqlite3

from tests.e2e.helpers import wt
from tests.fakegoogle import fake_google  # noqa: F401  (fixture)


def _google_home(home, fake, store="file"):
    fake.write_client_secrets(home / "client_secret.json")
    (home / "config.toml").write_text(
        f'[google]\napi_endpoint = "{fake.api_endpoint}"\ntoken_store = "{store}"\n')


def test_token_file_made_a_folder_list_says_sign_in_needed_and_exits_3(home, fake_google):
    _google_home(home, fake_google)
    (home / "google-token.json").mkdir()
    r = wt(home, "list", "--json")
    assert r.returncode == 3, r.stderr
    assert "google-token.json is a folder" in r.stderr and "login" in r.stderr
    assert "Traceback" not in r.stderr
    r = wt(home, "logout")
    assert r.returncode == 0 and "Traceback" not in r.stdout + r.stderr
    assert "google-token.json" in r.stdout


def test_empty_schema_database_is_set_aside_and_list_works(home):
    db = home / "webinar-tray.sqlite3"
    c = sqlite3.connect(db)
    c.execute("PRAGMA user_version = 1")
    c.close()
    r = wt(home, "history", "--json")
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
    assert "Traceback" not in r.stderr and "incomplete" in r.stderr
    assert len(list(home.glob("webinar-tray.sqlite3.corrupt-*"))) == 1


def test_loopback_port_in_use_at_sign_in_names_the_port_and_exits_1(home, tmp_path, fake_google):
    import socket

    from tests.e2e.test_login import SIGNED_IN, browser_script, run

    fake_google.write_client_secrets(home / "client_secret.json")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        r = run(home, "login", "--port", str(port), browser=browser_script(tmp_path))
    finally:
        taken.close()
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"port {port}" in r.stderr and "--port" in r.stderr and "Traceback" not in r.stderr
    assert fake_google.auth_requests == []  # no consent page was opened for an address that cannot answer
    assert not (home / "google-token.json").exists()
    # the default, port 0, takes any free port: it never fails this way
    r = run(home, "login", browser=browser_script(tmp_path))
    assert r.returncode == 0 and SIGNED_IN in r.stdout, r.stderr
