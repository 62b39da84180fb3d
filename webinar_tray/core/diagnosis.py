"""The vocabulary of `webinar-tray doctor`: a check's result, the state the checks share, the
fixes several of them point to. The checks themselves live beside what they diagnose (each
adapter's `diagnose` module, commands/doctor/checks.py for the rest); pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (ok: True, False, or None when the check does not apply; detail; fix or None)
Result = tuple[bool | None, str, str | None]

FIX_LOGIN = "webinar-tray login"
FIX_BROWSER = ("webinar-tray browser --install (Playwright's Chromium), or set [browser] "
               "executable_path in config.toml to a Chrome, Edge or Chromium program")
SKIPPED_CONFIG = "not checked: config.toml has an error (see the config check)"


@dataclass
class State:
    paths: Any  # config.paths.Paths
    env: Any  # env.Env: the platform and environment the app would run with
    settings: Any = None  # core.settings.Settings once config.toml was read
    client: dict | None = None  # the "installed" section of a good OAuth client file
    creds: Any = None  # refreshed Google credentials (memory only)
    results: dict[str, bool | None] = field(default_factory=dict)  # what the runner recorded
    secrets: list[str] = field(default_factory=list)  # strings to cut from any message


def skipped_before(s: State, before: str, what: str = "Google Calendar not set up") -> str:
    """Why a check that needs an earlier one did not run."""
    if s.settings is None:
        return SKIPPED_CONFIG
    if s.paths.demo:
        return "not used with --demo"
    if s.results.get(before) is None:
        return what
    return f"not checked: see {before}"
