"""The tray menu as data: plan + status + now -> MenuState (icon state, tooltip, item tree).

Pure: no clock reads, no I/O; `now` and the local time zone are arguments (menu_text cuts the
texts and words the times). The tray adapter only renders a MenuState and turns a click on an
item into its `command`, a typed value of core/commands.py (JoinNow, Leave, ShowPage,
SetAutoJoin, OpenUrl, CopyLink, Refresh, SetSetting, SetAutostart, SignIn, SignOut, OpenSetup,
BrowserProfile, OpenHistory, OpenLogs, OpenSettings, Quit) the tray app dispatches.

Exactly one item is `default` (activated by a left click, and by backends without a menu such
as pystray's xorg one); it is always at the top level, as pystray only looks there, and may be
invisible (`visible=False`) when it is not otherwise part of the menu.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterator, Mapping, Sequence

from webinar_tray.core import commands as c
from webinar_tray.core.attendance import ACTIVE, ATTENDED, ATTENDING, DONE, FAILED, JOINING, MISSED, PARTIAL
from webinar_tray.core.commands import Command
from webinar_tray.core.links import is_safe
from webinar_tray.core.menu_text import (
    clean_text,
    cut,
    day_label,
    duration_text,
    hhmm,
    local_time,
    when_text,
    redact,
)
from webinar_tray.core.menu_tooltip import APP_NAME, TOOLTIP_MAX, tooltip as _tooltip  # noqa: F401 (APP_NAME, TOOLTIP_MAX: re-exported)
from webinar_tray.core.events import in_utc
from webinar_tray.core.plan import PlannedJoin
from webinar_tray.core.schedule import wanted

ICON_STATES = ("idle", "soon", "attending", "attention")

ERROR_MAX = 70  # characters of an error line in the menu
DIRECT_MAX = 12  # sessions shown directly; the rest go into "More…"
MORE_MAX = 100  # sessions inside "More…"; beyond that a line counts what is not shown

# Shorter than output.REASON_TEXT: a menu line, not a table cell.
REASON_SHORT = {
    "no-link": "no join link",
    "unsafe-link": "no safe (http/https) link",
    "no-rule": "not a webinar",
    "unknown-host": "unknown site",
    "declined": "you declined it",
    "cancelled": "cancelled",
    "all-day": "all-day event",
    "turned-off": "turned off",
    "ended": "already running (late join is off)",
}
# Reasons turning auto-join on cannot change: the checkbox is disabled and says why.
FIXED_REASONS = ("no-link", "unsafe-link", "cancelled", "all-day", "ended")
STATE_MARK = {
    JOINING: "joining",
    ATTENDING: "watching",
    ATTENDED: "attended",
    PARTIAL: "partly attended",
    FAILED: "failed",
    MISSED: "missed",
}



# --- values ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MenuItem:
    text: str = ""
    command: Command | None = None  # what a click sends; None: informational (or a submenu)
    checked: bool | None = None  # None: not a checkbox
    enabled: bool = True
    default: bool = False  # activated by a left click; only ever at the top level
    submenu: tuple["MenuItem", ...] | None = None
    separator: bool = False
    visible: bool = True


SEPARATOR = MenuItem(separator=True)


@dataclass(frozen=True)
class MenuState:
    icon: str  # one of ICON_STATES
    tooltip: str  # at most TOOLTIP_MAX UTF-16 units
    items: tuple[MenuItem, ...]

    def walk(self) -> Iterator[MenuItem]:
        """Every item, depth first, submenus after their parent."""
        return _walk(self.items)

    @property
    def default(self) -> MenuItem | None:
        return next((i for i in self.items if i.default), None)

    def find(self, command: Command) -> MenuItem | None:
        return next((i for i in self.walk() if i.command == command), None)

    def commands(self) -> list[Command]:
        return [i.command for i in self.walk() if i.command is not None]


def _walk(items: Sequence[MenuItem]) -> Iterator[MenuItem]:
    for i in items:
        yield i
        if i.submenu:
            yield from _walk(i.submenu)


@dataclass(frozen=True)
class Attending:
    id: str  # plan id, or an ad-hoc id ("adhoc/<UTC start>")
    title: str
    joined_at: datetime | None = None  # None: the join steps are still running


@dataclass(frozen=True)
class Failure:
    """Something that needs the user: a failed join, a long-failing source."""
    title: str
    reason: str = ""
    id: str | None = None  # the plan id it concerns, if any


@dataclass(frozen=True)
class TrayStatus:
    """Everything the menu shows besides the plan. Built by the app from the engine and settings."""
    attending: tuple[Attending, ...] = ()
    joining: frozenset[str] = frozenset()  # plan ids whose join steps are running
    states: Mapping[str, str] = field(default_factory=dict)  # plan id -> store state (CONTRACT)
    last_refresh: datetime | None = None  # aware
    refresh_error: str | None = None
    signin_needed: bool = False
    google: bool = False  # a Google calendar source is configured
    account: str | None = None  # the signed-in Google account (e-mail); None: not signed in
    headless: bool = False
    notifications: bool = True
    autostart: bool | None = None  # None: start at login is not available here
    failures: tuple[Failure, ...] = ()
    demo: bool = False
    calendars: bool = True  # a calendar is configured (ICS address or Google client); else Set up… leads


# --- the state -----------------------------------------------------------------------------------

def _state(p: PlannedJoin, status: TrayStatus) -> str | None:
    if any(a.id == p.id for a in status.attending):
        return ATTENDING
    if p.id in status.joining:
        return JOINING
    return status.states.get(p.id)


def next_session(plan: Sequence[PlannedJoin], status: TrayStatus, now: datetime) -> PlannedJoin | None:
    """The next wanted session nobody is in yet and that is not done, soonest first."""
    for p in plan:
        if p.end > now and wanted(p) and _state(p, status) not in ACTIVE + DONE:
            return p
    return None


def needs_setup(status: TrayStatus) -> bool:
    """No calendar is configured (and this is not the demo): Set up… comes first."""
    return not status.calendars and not status.demo


def icon_state(plan: Sequence[PlannedJoin], status: TrayStatus, now: datetime,
               remind_minutes: int) -> str:
    """attention (sign-in needed, a failure, no calendar configured) > attending (also joining) >
    soon (a wanted session starts within remind_minutes, or runs without us) > idle."""
    if status.signin_needed or status.failures or needs_setup(status):
        return "attention"
    if status.attending or status.joining:
        return "attending"
    nxt = next_session(plan, status, now)
    if nxt is not None and in_utc(nxt.start) - timedelta(minutes=remind_minutes) <= now < nxt.end:
        return "soon"
    return "idle"


def menu_state(
    plan: Sequence[PlannedJoin],
    status: TrayStatus,
    now: datetime,
    tz: tzinfo | None,
    *,
    remind_minutes: int = 5,
    lookahead_hours: int = 48,
    direct_max: int = DIRECT_MAX,
) -> MenuState:
    """The whole menu. `tz` is the local zone (None: the system's, per instant)."""
    by_id = {p.id: p for p in plan}
    icon = icon_state(plan, status, now, remind_minutes)
    nxt = next_session(plan, status, now)
    soon = nxt is not None and in_utc(nxt.start) - timedelta(minutes=remind_minutes) <= now < nxt.end
    items: list[MenuItem] = []
    if status.demo:
        items.append(MenuItem("Demo calendar (records kept apart)", enabled=False))
    header, default_done = _header(status, nxt, soon, now, lookahead_hours, by_id)
    if needs_setup(status):
        items.append(MenuItem("Set up… (no calendar yet)", c.OpenSetup("calendars"), default=not default_done))
        default_done = True
    items += header
    items += _attention(status)
    items += _sessions(plan, status, now, tz, direct_max)
    items += _refresh_items(status, tz, default=not default_done)
    items += _toggles(status)
    items += _accounts_and_folders(status)
    tooltip = _tooltip(status, nxt, now, lookahead_hours, by_id)
    return MenuState(icon=icon, tooltip=tooltip, items=tuple(items))


def _header(status: TrayStatus, nxt: PlannedJoin | None, soon: bool, now: datetime,
            lookahead_hours: int, by_id: Mapping[str, PlannedJoin]) -> tuple[list[MenuItem], bool]:
    """What is being attended, else what comes next; and whether it holds the default item."""
    items: list[MenuItem] = []
    default_done = False
    watching = list(status.attending)
    joining = [i for i in sorted(status.joining) if not any(a.id == i for a in watching)]
    for a in watching:
        since = f" ({duration_text(now - a.joined_at)})" if a.joined_at else ""
        items.append(MenuItem(f"Watching: {clean_text(a.title)}{since} — Leave", c.Leave(a.id)))
    for i in joining:
        title = by_id[i].title if i in by_id else "a webinar"
        items.append(MenuItem(f"Joining: {clean_text(title)} — Leave", c.Leave(i)))
    first_active = watching[0].id if watching else (joining[0] if joining else None)
    if first_active is not None:
        items.append(MenuItem("Show the webinar page", c.ShowPage(first_active), default=True,
                              visible=False))
        default_done = True
    if nxt is not None:
        text = f"Next: {clean_text(nxt.title)} — {when_text(nxt.start, now)}"
        if is_safe(nxt.join_url):
            # Due (within remind_minutes): the click joins. Not due yet: it opens the page in the
            # default browser (joining now would hold a browser open until its end). It is the
            # left-click default unless a webinar is being attended; on backends without a menu
            # (plain X11) the default is what a click on the icon does.
            command = c.JoinNow(nxt.id) if soon else c.OpenUrl(nxt.id)
            items.append(MenuItem(text, command, default=not default_done))
            default_done = True
        else:
            items.append(MenuItem(text, enabled=False))
    elif not watching and not joining:
        items.append(MenuItem(f"No webinars in the next {lookahead_hours} h", enabled=False))
    return items, default_done


def _attention(status: TrayStatus) -> list[MenuItem]:
    """What needs the user: a sign-in, failed joins."""
    attention: list[MenuItem] = []
    if status.signin_needed:
        attention.append(MenuItem("Google sign-in needed — Sign in…", c.SignIn()))
        attention.append(MenuItem("Google sign-in needed — open the setup page…", c.OpenSetup("calendars")))
    for f in status.failures:
        reason = f" — {cut(clean_text(redact(f.reason), None), ERROR_MAX)}" if f.reason else ""
        attention.append(MenuItem(f"Failed: {clean_text(f.title)}{reason}", c.OpenHistory()))
    return [SEPARATOR, *attention] if attention else []


def _sessions(plan: Sequence[PlannedJoin], status: TrayStatus, now: datetime, tz: tzinfo | None,
              direct_max: int) -> list[MenuItem]:
    """The sessions, by day; the first `direct_max` directly, the rest under "More…"."""
    items: list[MenuItem] = []
    failures_by_id = {f.id: f for f in status.failures if f.id}
    today = local_time(now, tz).date()
    shown, more = list(plan[:direct_max]), list(plan[direct_max:])
    if shown:
        items.append(SEPARATOR)
        items.extend(_by_day(shown, status, failures_by_id, today, tz))
    if more:
        rest = more[MORE_MAX:]
        sub = _by_day(more[:MORE_MAX], status, failures_by_id, today, tz)
        if rest:
            sub.append(MenuItem(f"{len(rest)} more not shown (see `webinar-tray list`)", enabled=False))
        items.append(MenuItem(f"More… ({len(more)})", submenu=tuple(sub)))
    return items


def _refresh_items(status: TrayStatus, tz: tzinfo | None, default: bool) -> list[MenuItem]:
    items = [SEPARATOR, MenuItem("Refresh now", c.Refresh(), default=default)]
    if status.refresh_error:
        err = cut(clean_text(redact(status.refresh_error), None), ERROR_MAX)
        items.append(MenuItem(f"Refresh failed: {err}", enabled=False))
        items.append(MenuItem("Fix the calendars on the setup page…", c.OpenSetup("calendars")))
    elif status.last_refresh is not None:
        items.append(MenuItem(f"Last refreshed {hhmm(status.last_refresh, tz)}", enabled=False))
    else:
        items.append(MenuItem("Not refreshed yet", enabled=False))
    return items


def _toggles(status: TrayStatus) -> list[MenuItem]:
    items = [
        SEPARATOR,
        MenuItem("Headless", c.SetSetting("join.headless", not status.headless), checked=status.headless),
        MenuItem("Notifications", c.SetSetting("notifications.enabled", not status.notifications),
                 checked=status.notifications),
    ]
    if status.autostart is not None:
        items.append(MenuItem("Start at login", c.SetAutostart(not status.autostart),
                              checked=status.autostart))
    return items


def _accounts_and_folders(status: TrayStatus) -> list[MenuItem]:
    items = [SEPARATOR]
    if status.account:
        items.append(MenuItem(f"Sign out ({clean_text(status.account)})", c.SignOut()))
    elif status.google or status.signin_needed:
        items.append(MenuItem("Sign in…", c.SignIn()))
    if not needs_setup(status):
        items.append(MenuItem("Set up…", c.OpenSetup()))
    items += [
        MenuItem("Sign in to webinar sites…", c.BrowserProfile()),
        MenuItem("Open history", c.OpenHistory()),
        MenuItem("Open logs", c.OpenLogs()),
        MenuItem("Settings", c.OpenSettings()),
        SEPARATOR,
        MenuItem("Quit", c.Quit()),
    ]
    return items


def _by_day(plan: Sequence[PlannedJoin], status: TrayStatus, failures: Mapping[str, Failure],
            today: date, tz: tzinfo | None) -> list[MenuItem]:
    out: list[MenuItem] = []
    day = None
    for p in plan:
        d = local_time(p.start, tz).date()
        if d != day:
            out.append(MenuItem(day_label(d, today), enabled=False))
            day = d
        out.append(session_item(p, status, failures.get(p.id), tz, today))
    return out


def session_item(p: PlannedJoin, status: TrayStatus, failure: Failure | None,
                 tz: tzinfo | None, today: date) -> MenuItem:
    """"HH:MM title (provider)" with a state mark, and its submenu of actions."""
    state = _state(p, status)
    text = f"{hhmm(p.start, tz)} {clean_text(p.title) or '(untitled)'}"
    if p.provider:
        text += f" ({clean_text(p.provider, 30)})"
    if state in STATE_MARK:
        text += f" — {STATE_MARK[state]}"
    start, end = local_time(p.start, tz), local_time(p.end, tz)
    sub: list[MenuItem] = [
        MenuItem(f"{day_label(start.date(), today)} {start:%H:%M}–{end:%H:%M}", enabled=False),
    ]
    safe = is_safe(p.join_url)  # always so in a real plan; a hand-built one is checked too
    if state in ACTIVE:
        sub.append(MenuItem("Leave", c.Leave(p.id)))
    elif safe:
        sub.append(MenuItem("Join again" if state in DONE else "Join now", c.JoinNow(p.id)))
    else:
        sub.append(MenuItem("Join now (no safe link)", enabled=False))

    if p.reason in FIXED_REASONS or not safe:
        why = REASON_SHORT.get(p.reason or "", p.reason) if p.reason in FIXED_REASONS else "no safe link"
        sub.append(MenuItem(f"Auto-join ({why})", checked=False, enabled=False))
    else:
        label = "Auto-join" if p.auto_join else f"Auto-join (off: {REASON_SHORT.get(p.reason, p.reason)})"
        sub.append(MenuItem(label, c.SetAutoJoin(p.calendar_id, p.event_id, not p.auto_join),
                            checked=p.auto_join))

    if safe:
        sub.append(MenuItem("Open in default browser", c.OpenUrl(p.id)))
        sub.append(MenuItem("Copy link", c.CopyLink(p.id)))
    else:
        sub.append(MenuItem("Open in default browser (no safe link)", enabled=False))
    if failure is not None and failure.reason:
        sub.append(MenuItem(f"Failed: {cut(clean_text(redact(failure.reason), None), ERROR_MAX)}",
                            enabled=False))
    return MenuItem(text, submenu=tuple(sub))
