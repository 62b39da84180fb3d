"""A home folder signed in to the fake Google (tests/fakegoogle.py): client secrets, a file token
whose refresh goes to the fake's token endpoint, and the [google] section pointing at its API."""

from __future__ import annotations

from pathlib import Path

from webinar_tray.adapters.calendar.google.tokens import FileTokenStore

SCOPES = ["https://www.googleapis.com/auth/calendar.events.readonly"]


def google_config(fake, home: Path, calendars: tuple[str, ...] = ("primary",)) -> str:
    """Signs `home` in (no access token yet: the first fetch refreshes) and returns the [google]
    section for config.toml."""
    fake.write_client_secrets(home / "client_secret.json")
    FileTokenStore(home / "google-token.json").save({
        "token": None, "refresh_token": fake.issue_refresh_token(), "token_uri": fake.token_uri,
        "client_id": fake.client_id, "client_secret": fake.client_secret, "scopes": SCOPES, "expiry": None})
    cals = ", ".join(f'"{c}"' for c in calendars)
    return f'[google]\ncalendars = [{cals}]\napi_endpoint = "{fake.api_endpoint}"\ntoken_store = "file"\n'
