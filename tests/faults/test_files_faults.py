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
