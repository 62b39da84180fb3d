"""Reading config.toml: optional, validated, with messages that name the file and the key."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import replace
from pathlib import Path

from webinar_tray.core.redact import cut_urls
from webinar_tray.core.settings import ConfigError, Settings, parse_settings
from webinar_tray.core.text import clean_line

log = logging.getLogger(__name__)


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """Settings from `path` (defaults when it does not exist) and warnings about unknown keys.
    Raises ConfigError for unreadable TOML or a wrong type or value."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), []
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e.strerror or e})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        # its text can quote a key (which may be an address): cleaned, addresses cut to their host
        raise ConfigError(f"{path}: is not valid TOML: {cut_urls(clean_line(e))}") from None
    return parse_settings(data, str(path))


def resolve_file(setting: str, base: Path) -> Path:
    """A path from config.toml: relative to the config folder, `~` expanded."""
    p = Path(setting).expanduser()
    return p if p.is_absolute() else base / p


def effective_settings(settings: Settings, demo: bool) -> Settings:
    """The demo's pages live on 127.0.0.1, which auto-join may open in demo mode only."""
    if not demo:
        return settings
    join = replace(settings.join, allowed_hosts=settings.join.allowed_hosts + ("127.0.0.1",))
    return replace(settings, join=join)
