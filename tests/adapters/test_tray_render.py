"""The pystray adapter without a GUI: pystray's dummy backend builds real pystray Icons, Menus and
MenuItems from a MenuState built by core/menu.py over a real plan, and runs their callbacks.

pystray picks its backend at its first import (PYSTRAY_BACKEND): the `pystray` fixture sets
`dummy` for the import, and forgets the modules it imported afterwards so that no other test
inherits the dummy backend."""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from tests.fakes import T0, event
from webinar_tray.adapters.desktop.tray.render import default_command, label, render_menu
from webinar_tray.core.events import override_key
from webinar_tray.core.menu import Attending, Failure, MenuItem, MenuState, TrayStatus, menu_state
from webinar_tray.core.plan import plan
from webinar_tray.core.settings import Settings
from webinar_tray.env import Env
from webinar_tray.icons import load_icon
import webinar_tray.core.commands as K

NOW = T0
UTC = timezone.utc
HERE = Env(platform=sys.platform)  # menus as this machine's would be labelled


@pytest.fixture
def pystray(monkeypatch):
    monkeypatch.setenv("PYSTRAY_BACKEND", "dummy")
    before = set(sys.modules)
    import pystray as mod

    if mod.Icon.__module__ not in ("pystray._base", "pystray._dummy"):
        # imported earlier in this process with a real backend: use the dummy's Icon here
        from pystray import _dummy

        monkeypatch.setattr(mod, "Icon", _dummy.Icon)
    assert mod.Icon.__module__ in ("pystray._base", "pystray._dummy")
    yield mod
    for name in set(sys.modules) - before:
        if name == "pystray" or name.startswith("pystray."):
            del sys.modules[name]


@pytest.fixture
def recording_icon(pystray, monkeypatch):
    """The dummy Icon, recording which of icon/title/menu is assigned. (The dummy backend cannot
    push a menu to a screen: its _update_menu, run on every menu assignment, is made a no-op.)"""

    class RecordingIcon(pystray.Icon):
        def __setattr__(self, name, value):
            if name in ("icon", "title", "menu"):
                self.__dict__.setdefault("assigned", []).append(name)
            super().__setattr__(name, value)

        def _update_menu(self):
            pass

    monkeypatch.setattr(pystray, "Icon", RecordingIcon)
    return RecordingIcon


class Clicks:
    def __init__(self):
        self.sent: list[tuple] = []

    def __call__(self, command: tuple) -> None:
        self.sent.append(command)


# --- a realistic plan and the states built from it -------------------------------------------------

def the_plan():
    settings = Settings()
    events = [
        event("Q&A webinar: Cloud & AI", start=NOW + timedelta(minutes=3)),
        event("ISC2 Think Tank webinar", start=NOW + timedelta(hours=2),
              url="https://www.brighttalk.com/webcast/5385/700001"),
        event("Weekly sync", start=NOW + timedelta(hours=3), url="https://meet.google.com/abc-defg-hij"),
        event("Partner webinar (link to come)", start=NOW + timedelta(hours=4), url=None),
    ]
    # more than DIRECT_MAX sessions: the rest go into "More…"
    for n in range(14):
        events.append(event(f"Series webinar {n:02d}", start=NOW + timedelta(hours=20, minutes=30 * n),
                            url=f"https://www.brighttalk.com/webcast/5385/8{n:05d}",
                            event_id=f"ev-series-{n}"))
    off = events[1]
    overrides = {override_key(off.calendar_id, off.event_id): False}
    p = plan(events, settings, overrides, NOW)
    assert len(p) == 18
    return p


def soon_state(p) -> MenuState:
    status = TrayStatus(
        last_refresh=NOW - timedelta(minutes=10), refresh_error="ICS file /x/cal.ics: unreadable",
        headless=True, notifications=True, autostart=False, google=True,
        failures=(Failure("Yesterday's webinar", "step 'enter' timed out", id="cal/old/1"),),
    )
    return menu_state(p, status, NOW, UTC)


def attending_state(p) -> MenuState:
    status = TrayStatus(attending=(Attending(p[0].id, p[0].title, NOW + timedelta(minutes=3)),),
                        last_refresh=NOW, autostart=None)
    return menu_state(p, status, NOW + timedelta(minutes=8), UTC)


def by_text(items, prefix):
    hits = [i for i in items if i.text.startswith(prefix)]
    assert len(hits) == 1, (prefix, [i.text for i in items])
    return hits[0]


def check_same(pystray, icon, clicks, rendered, expected, top=True):
    """The pystray items mirror the MenuState items one for one; a click on each sends exactly its
    command. Returns how many items were compared."""
    wanted = [i for i in expected if i.visible or (top and i.default)]
    assert [r.text for r in rendered] == [
        "- - - -" if e.separator else label(e.text, HERE) for e in wanted]
    n = 0
    for r, e in zip(rendered, wanted):
        n += 1
        if e.separator:
            assert r is pystray.Menu.SEPARATOR
            continue
        if e.submenu is not None:
            assert r.submenu is not None, e.text
            n += check_same(pystray, icon, clicks, list(r.submenu.items), e.submenu, top=False)
            assert r.enabled == (e.enabled and any(s.visible for s in e.submenu))
            continue
        assert r.submenu is None
        assert r.checked is e.checked, e.text
        assert r.enabled == (e.enabled and e.command is not None), e.text
        assert r.default == (top and e.default), e.text
        assert r.visible == e.visible, e.text
        clicks.sent.clear()
        r(icon)
        assert clicks.sent == ([e.command] if e.command is not None else []), e.text
    return n


# --- render ----------------------------------------------------------------------------------------

def test_a_rendered_menu_mirrors_the_menu_state_and_each_click_sends_its_command(pystray):
    p = the_plan()
    ms = soon_state(p)
    clicks = Clicks()
    menu = render_menu(pystray, ms.items, clicks, HERE)
    icon = pystray.Icon("test")
    assert isinstance(menu, pystray.Menu)

    compared = check_same(pystray, icon, clicks, list(menu.items), ms.items)
    assert compared == sum(1 for i in ms.walk() if i.visible)  # nothing hidden in this state

    items = list(menu.items)
    # checkboxes of the toggles
    assert by_text(items, "Headless").checked is True
    assert by_text(items, "Notifications").checked is True
    login = by_text(items, "Start at login")
    assert login.checked is False
    clicks.sent.clear()
    login(icon)
    assert clicks.sent == [K.SetAutostart(True)]
    # informational lines are disabled, commands enabled
    assert by_text(items, "Refresh failed: ICS file").enabled is False
    assert by_text(items, "Refresh now").enabled is True
    # the soon webinar is the (visible) default; pystray's own default lookup runs it
    nxt = by_text(items, "Next: Q&A webinar: Cloud & AI")
    assert nxt.default and nxt.visible
    clicks.sent.clear()
    menu(icon)  # what a left click (or the menu-less X11 backend) does
    assert clicks.sent == [K.JoinNow(p[0].id)] == [default_command(ms.items)]
    assert sum(1 for i in items if i.default) == 1
    # separators, collapsed by pystray only when adjacent
    assert sum(1 for i in items if i is pystray.Menu.SEPARATOR) == sum(1 for i in ms.items if i.separator) >= 4

    # a session's submenu: date line, Join now, Auto-join checkbox, open/copy
    row = by_text(items, "11:00 ISC2 Think Tank webinar")
    sub = list(row.submenu.items)
    assert [s.text for s in sub] == ["Today 11:00–12:00", "Join now", "Auto-join (off: turned off)",
                                     "Open in default browser", "Copy link"]
    assert sub[0].enabled is False and sub[2].checked is False and sub[2].enabled is True
    clicks.sent.clear()
    sub[2](icon)
    assert clicks.sent == [K.SetAutoJoin(p[1].calendar_id, p[1].event_id, True)]
    clicks.sent.clear()
    sub[3](icon)
    sub[4](icon)
    assert clicks.sent == [K.OpenUrl(p[1].id), K.CopyLink(p[1].id)]
    # no link: join and auto-join are disabled checkboxes/lines that send nothing
    nolink = list(by_text(items, "13:00 Partner webinar").submenu.items)
    assert [s.enabled for s in nolink[1:]] == [False, False, False]
    assert nolink[2].checked is False
    # the rest of the sessions under "More… (6)"
    more = by_text(items, "More… (6)")
    assert more.enabled and len([s for s in more.submenu.items if s.submenu is not None]) == 6


def test_the_hidden_default_item_is_kept_invisible_and_a_left_click_runs_it(pystray):
    p = the_plan()
    ms = attending_state(p)
    hidden = [i for i in ms.items if not i.visible]
    assert [(i.text, i.default) for i in hidden] == [("Show the webinar page", True)]
    clicks = Clicks()
    menu = render_menu(pystray, ms.items, clicks, HERE)
    icon = pystray.Icon("test")

    check_same(pystray, icon, clicks, list(menu.items), ms.items)
    show = by_text(list(menu.items), "Show the webinar page")
    assert show.visible is False and show.default is True and show.enabled is True
    assert show not in list(menu), "not drawn in the menu"
    assert [i for i in menu.items if i.default] == [show]
    assert not any(i.default for i in menu if i is not pystray.Menu.SEPARATOR)
    assert by_text(list(menu), "Watching: Q&A webinar: Cloud & AI (5 min) — Leave").visible

    clicks.sent.clear()
    menu(icon)  # left click
    assert clicks.sent == [K.ShowPage(p[0].id)]
    assert default_command(ms.items) == K.ShowPage(p[0].id), "the same command pystray runs"


def test_hidden_items_in_a_submenu_are_left_out_and_an_empty_submenu_is_disabled(pystray):
    items = (
        MenuItem("Sessions", submenu=(MenuItem("a", K.Refresh()), MenuItem("b", K.Quit(), visible=False))),
        MenuItem("Empty", submenu=(MenuItem("x", K.Quit(), visible=False),)),
        MenuItem("Gone", K.Quit(), visible=False),
        MenuItem("Refresh now", K.Refresh(), default=True),
    )
    clicks = Clicks()
    menu = render_menu(pystray, items, clicks, HERE)
    rendered = list(menu.items)
    assert [r.text for r in rendered] == ["Sessions", "Empty", "Refresh now"]
    assert [s.text for s in rendered[0].submenu.items] == ["a"]
    assert rendered[0].enabled and not rendered[1].enabled
    menu(None)
    assert clicks.sent == [K.Refresh()]


@pytest.mark.parametrize("platform, shown", [
    ("win32", "Q&&A: Cloud && AI"),
    ("linux", "Q&A: Cloud & AI"),
    ("darwin", "Q&A: Cloud & AI"),
])
def test_ampersands_are_doubled_only_for_windows_menus(platform, shown):
    assert label("Q&A: Cloud & AI", Env(platform=platform)) == shown


def test_a_title_with_an_ampersand_is_rendered_as_written_here(pystray):
    if sys.platform.startswith("win"):
        pytest.skip("Windows doubles it (the parametrized test above)")
    ms = soon_state(the_plan())
    menu = render_menu(pystray, ms.items, Clicks(), HERE)
    assert by_text(list(menu.items), "Next:").text.startswith("Next: Q&A webinar: Cloud & AI — ")


# --- TrayIcon ----------------------------------------------------------------------------------------

def test_tray_icon_is_built_with_the_states_icon_tooltip_and_menu(pystray):
    from webinar_tray.adapters.desktop.tray.icon import TrayIcon

    ms = soon_state(the_plan())
    clicks = Clicks()
    tray = TrayIcon(clicks, ms)
    assert isinstance(tray.icon, pystray.Icon)
    assert tray.icon.icon is load_icon(ms.icon) and ms.icon == "attention"
    assert tray.icon.title == ms.tooltip
    assert [i.text for i in tray.icon.menu.items] == [
        "- - - -" if i.separator else i.text for i in ms.items if i.visible or i.default]
    assert tray.has_menu and tray.can_notify  # what the dummy backend says of itself
    clicks.sent.clear()
    tray.icon.menu(tray.icon)
    assert clicks.sent == [default_command(ms.items)]


def test_tray_icon_labels_its_menu_for_the_platform_it_is_given(recording_icon):
    from webinar_tray.adapters.desktop.tray.icon import TrayIcon

    ms = soon_state(the_plan())
    tray = TrayIcon(Clicks(), ms, Env(platform="win32"))
    assert by_text(list(tray.icon.menu.items), "Next:").text.startswith("Next: Q&&A webinar: Cloud && AI — ")
    tray.show(replace(ms, items=[replace(i, text=i.text + " & more") for i in ms.items]))
    assert by_text(list(tray.icon.menu.items), "Next:").text.endswith(" && more"), "a new menu: still Windows labels"


def test_tray_icon_flags_follow_the_backend(pystray, monkeypatch):
    from webinar_tray.adapters.desktop.tray.icon import TrayIcon

    class PlainX11Like(pystray.Icon):
        HAS_MENU = False
        HAS_NOTIFICATION = False

    monkeypatch.setattr(pystray, "Icon", PlainX11Like)
    tray = TrayIcon(Clicks(), soon_state(the_plan()))
    assert not tray.has_menu and not tray.can_notify


def test_show_hands_pystray_only_what_changed(recording_icon):
    from webinar_tray.adapters.desktop.tray.icon import TrayIcon

    p = the_plan()
    first = soon_state(p)
    clicks = Clicks()
    tray = TrayIcon(clicks, first)
    icon = tray.icon
    assert isinstance(icon, recording_icon)
    icon.assigned = []
    menu0, image0 = icon.menu, icon.icon

    tray.show(replace(first))  # equal, not the same object
    assert icon.assigned == []

    tray.show(replace(first, tooltip="webinar-tray · something else"))
    assert icon.assigned == ["title"] and icon.title == "webinar-tray · something else"
    assert icon.menu is menu0 and icon.icon is image0

    tray.show(replace(first, tooltip="webinar-tray · something else", icon="soon"))
    assert icon.assigned == ["title", "icon"] and icon.icon is load_icon("soon")
    assert icon.menu is menu0

    icon.assigned.clear()
    second = attending_state(p)
    assert second.icon != "soon" and second.tooltip != first.tooltip
    tray.show(second)
    assert sorted(icon.assigned) == ["icon", "menu", "title"]
    assert icon.menu is not menu0
    assert [i.text for i in icon.menu.items][0].startswith("Watching: ")
    clicks.sent.clear()
    icon.menu(icon)
    assert clicks.sent == [K.ShowPage(p[0].id)], "the new menu's callbacks dispatch"

    icon.assigned.clear()
    only_menu = replace(second, items=second.items[1:])
    tray.show(only_menu)
    assert icon.assigned == ["menu"]


def test_show_from_another_thread_is_applied(recording_icon):
    from webinar_tray.adapters.desktop.tray.icon import TrayIcon

    p = the_plan()
    tray = TrayIcon(Clicks(), soon_state(p))
    second = attending_state(p)
    t = threading.Thread(target=tray.show, args=(second,))
    t.start()
    t.join(30)
    assert tray.icon.title == second.tooltip and tray.icon.icon is load_icon(second.icon)
