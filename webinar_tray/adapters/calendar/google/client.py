"""The OAuth client JSON that Google's Cloud console hands out ("Desktop app": key "installed"),
read from a file (`login --client-secrets`, the configured `[google] client_secrets`) or from
the bytes the setup page received. Messages name the file and the key, never a value: the
client secret must not reach a message or a log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

REQUIRED_KEYS = ("client_id", "client_secret", "auth_uri", "token_uri")
HOW_TO_CLIENT = (
    "create one in the Google Cloud console: APIs & Services > Credentials > Create credentials > "
    "OAuth client ID > Application type \"Desktop app\" (enable the Google Calendar API for the "
    "project first), download its JSON and run `webinar-tray login --client-secrets FILE`, or put "
    "the file at the path named by [google] client_secrets in config.toml (default "
    "\"client_secret.json\", relative to the config folder)"
)


class AuthError(Exception):
    """Sign-in or sign-out failed; the message is for the user (exit 1)."""

    exit_code = 1


class ClientSecretsError(AuthError):
    """The OAuth client file is missing or malformed: a configuration error (exit 2)."""

    exit_code = 2


def load_client(path: Path | str) -> dict:
    """The client configuration `{"installed": {...}}` from a downloaded OAuth client JSON.
    "web" clients are accepted with a warning (their redirect URIs must list the loopback)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ClientSecretsError(f"the Google OAuth client file {path} does not exist; {HOW_TO_CLIENT}") from None
    except IsADirectoryError:
        raise ClientSecretsError(f"{path}: is a folder, not the Google OAuth client JSON file") from None
    except OSError as e:
        raise ClientSecretsError(f"{path}: cannot be read ({e.strerror or e})") from None
    return parse_client(raw, str(path))


def parse_client(raw: bytes, name: str, *, how: str = HOW_TO_CLIENT) -> dict:
    """The checks of `load_client` on the file's bytes; `name` is what messages call the file,
    `how` what they say to do about a missing "installed" key."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        # the decoder's message holds a position, never the file's text
        where = f" (line {e.lineno}, column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise ClientSecretsError(f"{name}: is not valid JSON{where}; download the client's JSON again") from None
    if not isinstance(data, dict):
        raise ClientSecretsError(f"{name}: expected a JSON object with the key \"installed\"")
    if "installed" in data:
        kind = "installed"
    elif "web" in data:
        kind = "web"
        log.warning("%s: a \"web\" OAuth client; a \"Desktop app\" client is expected (a web client "
                    "works only when its redirect URIs list http://127.0.0.1)", name)
    else:
        raise ClientSecretsError(f"{name}: missing the key \"installed\" (expected the JSON of an OAuth "
                                 f"client of type Desktop app); {how}")
    client = data[kind]
    if not isinstance(client, dict):
        raise ClientSecretsError(f"{name}: key \"{kind}\" must be an object")
    for key in REQUIRED_KEYS:
        value = client.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ClientSecretsError(f"{name}: missing the key \"{kind}.{key}\"; download the client's JSON again")
    for key in ("auth_uri", "token_uri", "revoke_uri"):
        value = client.get(key)
        if value is not None and not (isinstance(value, str) and value.startswith(("https://", "http://"))):
            raise ClientSecretsError(f"{name}: key \"{kind}.{key}\" must be an http(s) address")
    return {kind: client}


def client_section(client: dict) -> dict:
    return client.get("installed") or client.get("web") or {}
