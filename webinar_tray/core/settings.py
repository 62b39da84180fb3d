"""Settings: the contract's config.toml keys, their defaults, and validation.

Pure: takes the parsed TOML (a dict) and the file name for messages; returns Settings and
warnings, or raises ConfigError naming the file, the key and what was expected.

A message never echoes a value that may be secret: for `[ics] urls`, `[google] client_secrets`
and any value holding "://" (a list holding one too) it says what was found by type only
("got a string"); other values are shown cleaned and cut (`_found`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from webinar_tray.core.text import clean_line


class ConfigError(ValueError):
    """A wrong type or value in config.toml (exit 2)."""


@dataclass(frozen=True)
class GoogleSettings:
    client_secrets: str = "client_secret.json"
    calendars: tuple[str, ...] = ("primary",)
    api_endpoint: str = "https://www.googleapis.com/calendar/v3/"
    token_store: str = "auto"


@dataclass(frozen=True)
class IcsSettings:
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefreshSettings:
    every_minutes: int = 60
    lookahead_hours: int = 48
    timeout_seconds: int = 60  # per source: connect + whole body + parse
    max_instances_per_series: int = 500  # per recurring series in the window
    max_events_per_source: int = 20000
    max_response_mb: int = 20


@dataclass(frozen=True)
class MatchSettings:
    keywords: tuple[str, ...] = ("webinar",)
    locations: tuple[str, ...] = ("BrightTALK",)
    organizers: tuple[str, ...] = ()
    calendars: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class JoinSettings:
    lead_seconds: int = 60
    grace_seconds: int = 300
    late_join: bool = True
    headless: bool = False
    allowed_hosts: tuple[str, ...] = ()
    max_concurrent: int = 3
    step_timeout_seconds: int = 60
    screenshot_minutes: int = 15
    keep_evidence_days: int = 90
    keep_awake: bool = True
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class BrowserSettings:
    executable_path: str = ""
    channel: str = ""
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotificationSettings:
    enabled: bool = True
    remind_minutes: int = 5


@dataclass(frozen=True)
class HistorySettings:
    minutes_per_credit: float = 60.0  # CPE: credits = attended minutes / this ...
    credit_step: float = 0.25  # ... rounded down to a multiple of this


@dataclass(frozen=True)
class DemoSettings:
    start_after_seconds: int = 60
    duration_seconds: int = 120


@dataclass(frozen=True)
class WakeSettings:
    enabled: bool = True  # wake the PC for the next auto-join where no admin rights are needed
    minutes_before: int = 3  # this long before the auto-join (its join_at)


@dataclass(frozen=True)
class Settings:
    google: GoogleSettings = field(default_factory=GoogleSettings)
    ics: IcsSettings = field(default_factory=IcsSettings)
    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    match: MatchSettings = field(default_factory=MatchSettings)
    join: JoinSettings = field(default_factory=JoinSettings)
    browser: BrowserSettings = field(default_factory=BrowserSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    demo: DemoSettings = field(default_factory=DemoSettings)
    wake: WakeSettings = field(default_factory=WakeSettings)


# Value rules beyond the type: (min, max) for ints, allowed values for strings.
_RANGES: dict[str, tuple[int, int]] = {
    "refresh.every_minutes": (1, 24 * 60),
    "refresh.lookahead_hours": (1, 24 * 31),
    "refresh.timeout_seconds": (1, 3600),
    "refresh.max_instances_per_series": (1, 100_000),
    "refresh.max_events_per_source": (1, 1_000_000),
    "refresh.max_response_mb": (1, 1024),
    "join.lead_seconds": (0, 3600),
    "join.grace_seconds": (0, 6 * 3600),
    "join.max_concurrent": (1, 20),
    "join.step_timeout_seconds": (1, 600),
    "join.screenshot_minutes": (0, 24 * 60),
    "join.keep_evidence_days": (0, 3650),
    "notifications.remind_minutes": (0, 24 * 60),
    "demo.start_after_seconds": (0, 24 * 3600),
    "demo.duration_seconds": (1, 24 * 3600),
    "wake.minutes_before": (1, 60),
}
# (min, max) for decimal settings, which also take a whole number; NaN and infinity are refused
_FLOAT_RANGES: dict[str, tuple[float, float]] = {
    "history.minutes_per_credit": (1.0, 24 * 60.0),
    "history.credit_step": (0.01, 100.0),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "google.token_store": ("auto", "keyring", "file"),
    "browser.channel": ("", "chrome", "chrome-beta", "msedge", "msedge-beta", "chromium"),
}


# keys whose values are secrets (a private iCal address, the OAuth client file's place)
_SECRET_KEYS = frozenset({"ics.urls", "google.client_secrets"})
_SHOWN_MAX = 40  # characters of a (non-secret) wrong value shown in a message


def _describe(t: type) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(
        t, t.__name__)


def _kind(value: Any) -> str:
    """What a TOML value is, in words ("a string", "a list holding a whole number")."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        odd = next((v for v in value if not isinstance(v, str)), None)
        if odd is not None:
            return f"a list holding {_kind(odd)}"
        return "a list" if value else "an empty list"
    return "a date or time" if hasattr(value, "isoformat") else "a value"


def _holds_address(value: Any) -> bool:
    if isinstance(value, str):
        return "://" in value
    if isinstance(value, list):
        return any(_holds_address(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_address(k) or _holds_address(v) for k, v in value.items())
    return False


def _found(path: str, value: Any) -> str:
    """What a message may say was found: the type only for a secret key or an address, else
    the value itself, cleaned and cut."""
    secret = path in _SECRET_KEYS or any(k.startswith(path + ".") for k in _SECRET_KEYS)
    if secret:
        return _kind(value)
    if _holds_address(value):
        return "a string holding an address" if isinstance(value, str) else _kind(value)
    return clean_line(repr(value), _SHOWN_MAX)


def _key(path: str) -> str:
    """A key's name for a message: cleaned, and not itself an address."""
    if "://" in path:
        section = path.split(".", 1)[0] if "." in path else ""
        return f"{clean_line(section, _SHOWN_MAX)}.<a name holding an address>" if section else "<an address>"
    return clean_line(path, _SHOWN_MAX)


def _convert(path: str, default: Any, value: Any, where: str) -> Any:
    def fail(expected: str) -> ConfigError:
        return ConfigError(f"{where}: key '{path}' must be {expected}, got {_found(path, value)}")

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("a whole number")
        lo, hi = _RANGES.get(path, (-(2**63), 2**63))
        if not lo <= value <= hi:
            raise fail(f"a whole number from {lo} to {hi}")
        return value
    if isinstance(default, float):
        lo, hi = _FLOAT_RANGES.get(path, (float("-inf"), float("inf")))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise fail(f"a number from {lo:g} to {hi:g}")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise fail("a string")
        choices = _CHOICES.get(path)
        if choices and value not in choices:
            raise fail("one of " + ", ".join(repr(c) for c in choices))
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of strings")
        return tuple(value)
    raise fail(_describe(type(default)))  # pragma: no cover - every default is one of the above


def parse_settings(data: dict, where: str = "config.toml") -> tuple[Settings, list[str]]:
    """Validate parsed TOML. Returns (settings, warnings). Raises ConfigError."""
    warnings: list[str] = []
    sections = {}
    top = Settings()
    for name, value in data.items():
        if name not in Settings.__dataclass_fields__:
            warnings.append(f"{where}: unknown section or key '{_key(name)}' (ignored)")
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: '{name}' must be a table ([{name}]), got {_found(name, value)}")
        default_section = getattr(top, name)
        known = {f.name: getattr(default_section, f.name) for f in fields(default_section)}
        changes = {}
        for key, raw in value.items():
            path = f"{name}.{key}"
            if key not in known:
                warnings.append(f"{where}: unknown key '{_key(path)}' (ignored)")
                continue
            changes[key] = _convert(path, known[key], raw, where)
        sections[name] = replace(default_section, **changes)
    settings = replace(top, **sections)
    _check_cross(settings, where)
    return settings, warnings


def _check_cross(s: Settings, where: str) -> None:
    if not s.google.api_endpoint.startswith(("https://", "http://")):
        raise ConfigError(f"{where}: key 'google.api_endpoint' must be an http(s) address")
    for key, hosts in (("join.allowed_hosts", s.join.allowed_hosts), ("match.hosts", s.match.hosts)):
        for host in hosts:
            if "/" in host or " " in host or not host:
                raise ConfigError(
                    f"{where}: every entry of '{key}' must be a bare host name such as "
                    f"'events.example.com', got {_found(key, host)}"
                )
