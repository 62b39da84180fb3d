"""The checks of `webinar-tray doctor` that are not an adapter's (config.toml, which sources are
configured, the running instance), and the list of all checks in the contract's order: the
adapters' own come from the composition root (each adapter's `diagnose` module). Each check
takes the shared `State` and returns (ok, detail, fix): ok True, False, or None when the check
does not apply. The runner (commands/doctor/__init__.py) gives each one a time limit and turns a
crash into ok=False.

Nothing here prints or stores a secret: tokens are refreshed in memory only, ICS sources are
named by their safe names, Playwright's errors lose their query strings."""

from __future__ import annotations

from pathlib import Path

from webinar_tray.core.diagnosis import SKIPPED_CONFIG, Result, State

FIX_CALENDAR = ("add a calendar: `webinar-tray login --client-secrets FILE` for Google Calendar, "
                "or [ics] urls = [\"https://…\"] (a secret iCal address or a file) in {config}; "
                "or try the demo: `webinar-tray --demo`")


def _client_file(s: State) -> Path:
    from webinar_tray.config.files import resolve_file

    return resolve_file(s.settings.google.client_secrets, s.paths.config_dir)


# ---- config, sources -----------------------------------------------------------------------
def config(s: State) -> Result:
    from webinar_tray.config.files import effective_settings
    from webinar_tray.config.files import load_settings
    from webinar_tray.core.settings import ConfigError

    path = s.paths.config_file
    try:
        settings, warnings = load_settings(path)
    except ConfigError as e:
        return False, str(e), f"correct that key in {path} (or remove it: every key has a default)"
    s.settings = effective_settings(settings, s.paths.demo)
    s.secrets += [u for u in settings.ics.urls if "://" in u and not u.lower().startswith("file:")]
    detail = f"{path}" if path.exists() else f"no {path}: every setting has its default"
    if warnings:
        detail += "; " + "; ".join(warnings)
    return True, detail, None


def sources(s: State) -> Result:
    if s.settings is None:
        return None, SKIPPED_CONFIG, None
    if s.paths.demo:
        return None, "the built-in demo calendar (--demo)", None
    g = s.settings.google
    google = _client_file(s).exists() and bool(g.calendars)
    ics = s.settings.ics.urls
    if not google and not ics:
        return (False, f"no calendar configured: no Google OAuth client file ({_client_file(s)}) "
                       "and no [ics] urls", FIX_CALENDAR.format(config=s.paths.config_file))
    parts = []
    if google:
        parts.append(f"Google Calendar ({', '.join(g.calendars)})")
    if ics:
        parts.append(f"{len(ics)} ICS address{'es' if len(ics) > 1 else ''}")
    return True, " and ".join(parts), None


def instance(s: State) -> Result:
    from webinar_tray.runtime.instance import InstanceLock, read_channel, send

    for owner in (s.paths.real(), s.paths.as_demo()):
        if not owner.lock_file.exists():  # an engine creates it; doctor creates nothing
            continue
        lock = InstanceLock(owner.lock_file)
        if lock.acquire():
            lock.release()
            continue
        info = read_channel(owner.channel_file) or {}
        pid = info.get("pid")
        reply = send(owner.channel_file, {"cmd": "ping"}, timeout=5.0) if info else None
        text = "running" + (f" (pid {pid})" if pid else "") + (" in demo mode" if owner.demo else "")
        if not (reply and reply.get("ok")):
            text += ", not answering on its channel (a `join` in progress, or starting up)"
        return True, text, None
    return True, "not running", None


# (name, timeout in seconds): the contract's order
ORDER = (
    ("config", 10.0),
    ("sources", 10.0),
    ("google_client", 10.0),
    ("google_signin", 45.0),
    ("calendar_access", 60.0),
    ("ics", 90.0),
    ("browser", 60.0),
    ("notifications", 20.0),
    ("autostart", 20.0),
    ("instance", 15.0),
    ("wake", 60.0),
)
NAMES = tuple(name for name, _ in ORDER)


def all_checks():
    """(name, check, timeout) of every check, in the contract's order."""
    from webinar_tray.commands.doctor.wake import wake
    from webinar_tray.compose import diagnoses

    found = {"config": config, "sources": sources, "instance": instance, "wake": wake, **diagnoses()}
    return tuple((name, found[name], timeout) for name, timeout in ORDER)
