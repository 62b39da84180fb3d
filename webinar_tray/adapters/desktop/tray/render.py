"""MenuState (core/menu.py) -> pystray objects. Rendering only: a click calls `dispatch` with the
item's command (a core.commands value) and nothing else (the app decides what it means, off the icon's thread)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from webinar_tray.core.commands import Command
from webinar_tray.core.menu import MenuItem
from webinar_tray.env import Env

Dispatch = Callable[[Command], None]


def label(text: str, env: Env) -> str:
    """Windows menus read "&" as a keyboard-accelerator mark: a title's "&" is doubled so it
    shows. (GTK menus are built with plain labels; macOS has no such mark.)"""
    return text.replace("&", "&&") if env.platform.startswith("win") else text


def render_items(pystray: Any, items: Sequence[MenuItem], dispatch: Dispatch, env: Env, *,
                 with_default: bool = True) -> list[Any]:
    """pystray MenuItems for `items` (hidden ones left out)."""
    out = []
    for item in items:
        if not item.visible and not (with_default and item.default):
            continue  # (a hidden default item stays: a left click still runs it)
        if item.separator:
            out.append(pystray.Menu.SEPARATOR)
            continue
        if item.submenu is not None:
            sub = render_items(pystray, item.submenu, dispatch, env, with_default=False)
            out.append(pystray.MenuItem(label(item.text, env), pystray.Menu(*sub),
                                        enabled=item.enabled and bool(sub)))
            continue
        out.append(pystray.MenuItem(
            label(item.text, env),
            _action(item.command, dispatch),
            checked=None if item.checked is None else (lambda _i, v=item.checked: v),
            enabled=item.enabled and item.command is not None,
            default=with_default and item.default,
            visible=item.visible,
        ))
    return out


def render_menu(pystray: Any, items: Sequence[MenuItem], dispatch: Dispatch, env: Env) -> Any:
    return pystray.Menu(*render_items(pystray, items, dispatch, env))


def _action(command: Command | None, dispatch: Dispatch) -> Callable[..., None]:
    # pystray inspects the callable's arity: (icon, item) is accepted everywhere.
    def act(_icon=None, _item=None) -> None:
        if command is not None:
            dispatch(command)

    return act


def default_command(items: Sequence[MenuItem]) -> Command | None:
    """The command a left click runs (backends with no menu, e.g. plain X11, run only this).
    Hidden items count: pystray's Menu looks for the default among all of its items, and the
    default while attending ("Show the webinar page") is a hidden one."""
    for item in items:
        if item.default and item.command is not None:
            return item.command
    return None
