"""What a user (the menu, another launch through the channel) can ask for, as typed values.

`HostCommand`s change or query the engine: the front ends hand them to `EngineHost.send`, which
runs each on the engine thread (a long one, such as a sign-in, on the caller's thread, applying
only its result on the engine thread). `DesktopCommand`s are the tray's own business (open a
link in the default browser, the clipboard, start at login, folders, Quit). The menu
(core/menu.py) attaches one command to each clickable item. Frozen: a command is a value, it can
be compared, logged and queued."""

from __future__ import annotations

from dataclasses import dataclass


class Command:
    """Every command. `name` is what the log says (never a link or a value)."""

    @property
    def name(self) -> str:
        return type(self).__name__


class HostCommand(Command):
    """Runs in the engine host (EngineHost.send)."""


class DesktopCommand(Command):
    """Runs in the tray app (its desktop actions)."""


# ---- the engine -----------------------------------------------------------------------------
@dataclass(frozen=True)
class JoinNow(HostCommand):
    """Join a planned session at once ("Join now", "Join again"). Result: a message."""
    id: str


@dataclass(frozen=True)
class JoinUrl(HostCommand):
    """An ad-hoc join of one link now (`webinar-tray join URL`). Result: the PlannedJoin."""
    url: str
    minutes: float = 60
    title: str | None = None


@dataclass(frozen=True)
class Leave(HostCommand):
    id: str


@dataclass(frozen=True)
class SetAutoJoin(HostCommand):
    calendar_id: str
    event_id: str
    on: bool


@dataclass(frozen=True)
class SetSetting(HostCommand):
    """Write one key of config.toml (comments kept) and apply the new settings once."""
    key: str
    value: object


@dataclass(frozen=True)
class Refresh(HostCommand):
    """Read the calendars now, in the background. Result: False when a refresh was running."""


@dataclass(frozen=True)
class Show(HostCommand):
    """A second launch of the app: the front end says where it is, and a refresh starts."""


@dataclass(frozen=True)
class ShowPage(HostCommand):
    """Bring the page attending `id` to the front. Result: None when shown, else the latest
    screenshot's path (headless), or raises when there is neither."""
    id: str


@dataclass(frozen=True)
class SignIn(HostCommand):
    """The account's sign-in flow (minutes, in the default browser); then the sources are
    rebuilt and refreshed."""


@dataclass(frozen=True)
class SignOut(HostCommand):
    """Revoke and forget the account's tokens. Result: what to tell the user."""


@dataclass(frozen=True)
class OpenHistory(HostCommand):
    """Write the history page (the failures shown are then dismissed). Result: its path."""


@dataclass(frozen=True)
class OpenSetup(HostCommand):
    """Serve the local setup page (started on first use, while the host runs). Result: a fresh
    address with a one-time token, opened in the default browser; `section`: the part to show."""
    section: str = ""


# ---- the desktop ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenUrl(DesktopCommand):
    """Open a session's link in the default browser."""
    id: str


@dataclass(frozen=True)
class CopyLink(DesktopCommand):
    id: str


@dataclass(frozen=True)
class SetAutostart(DesktopCommand):
    on: bool


@dataclass(frozen=True)
class BrowserProfile(DesktopCommand):
    """Open the app's browser profile to sign in to webinar sites."""


@dataclass(frozen=True)
class OpenLogs(DesktopCommand):
    pass


@dataclass(frozen=True)
class OpenSettings(DesktopCommand):
    pass


@dataclass(frozen=True)
class Quit(DesktopCommand):
    pass
